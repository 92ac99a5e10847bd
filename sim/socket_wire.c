/* A wire between processes (see socket_wire.h). A datagram is the arrival time (8 bytes), a flag
 * word (bit 0: bad FCS) and the frame. */
#include "socket_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HDR 12u

static socklen_t end_address(struct sockaddr_un *a, const char *name, int end)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* sun_path[0] = 0: the abstract namespace, gone with the process, no file to clean up. */
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "ixy-wire/%s/%d", name, end);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

int socket_wire_open(struct socket_wire *w, const char *name, char *err, size_t errlen)
{
	w->fd = -1;
	if (strlen(name) > 64) {
		snprintf(err, errlen, "wire name '%s' is longer than 64 characters", name);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create the socket for wire '%s': %s", name, strerror(errno));
		return -1;
	}
	for (int end = 0; end < 2; end++) {
		struct sockaddr_un a;
		socklen_t len = end_address(&a, name, end);
		if (bind(fd, (struct sockaddr *)&a, len) == 0) {
			w->fd = fd;
			w->peer_len = end_address(&w->peer, name, 1 - end);
			return 0;
		}
		if (errno != EADDRINUSE)
			break;
	}
	snprintf(err, errlen, "wire '%s': %s (two processes can share a wire; pick another name for a third)",
	         name, errno == EADDRINUSE ? "both ends are already in use" : strerror(errno));
	close(fd);
	return -1;
}

void socket_wire_close(struct socket_wire *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

void socket_wire_send(struct socket_wire *w, const uint8_t *d, uint32_t len, bool bad_fcs, uint64_t at)
{
	uint32_t flags = bad_fcs;
	uint8_t hdr[HDR];
	memcpy(hdr, &at, 8);
	memcpy(hdr + 8, &flags, 4);
	struct iovec iov[2] = {{hdr, HDR}, {(void *)d, len}};
	struct msghdr msg = {
	    .msg_name = &w->peer, .msg_namelen = w->peer_len, .msg_iov = iov, .msg_iovlen = 2};
	(void)sendmsg(w->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL); /* lost if nobody listens */
}

unsigned socket_wire_receive(struct socket_wire *w, struct fifo *f, uint8_t *buf)
{
	unsigned n = 0;
	for (;;) {
		ssize_t got = recv(w->fd, buf, WIRE_MAX_FRAME + HDR, MSG_DONTWAIT);
		if (got < (ssize_t)HDR)
			return n;
		uint64_t at;
		uint32_t flags;
		memcpy(&at, buf, 8);
		memcpy(&flags, buf + 8, 4);
		fifo_offer(f, buf + HDR, (uint32_t)got - HDR, flags & 1, at);
		n++;
	}
}
