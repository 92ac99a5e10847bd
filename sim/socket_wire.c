/* A wire between processes (see socket_wire.h). A packet is the arrival time (8 bytes), a flag
 * word (bit 0: bad FCS) and the frame. */
#include "socket_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define HDR 12u
#define BACKLOG_LIMIT ((size_t)64 << 20)

static socklen_t address(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* sun_path[0] = 0: the abstract namespace, gone with the process, no file to clean up. */
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "ixy-wire/%s", name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* Listens on the wire's name, or connects to whoever does. */
static int attach(struct socket_wire *w)
{
	struct sockaddr_un a;
	socklen_t len = address(&a, w->name);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, len) == 0 && listen(fd, 1) == 0) {
		w->fd = fd;
		w->owner = true;
		return 0;
	}
	if (errno == EADDRINUSE && connect(fd, (struct sockaddr *)&a, len) == 0) {
		w->fd = w->conn = fd;
		w->owner = false;
		return 0;
	}
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int socket_wire_open(struct socket_wire *w, const char *name, char *err, size_t errlen)
{
	w->fd = w->conn = -1;
	if (strlen(name) >= sizeof(w->name)) {
		snprintf(err, errlen, "wire name '%s' is longer than %zu characters", name,
		         sizeof(w->name) - 1);
		return -1;
	}
	snprintf(w->name, sizeof(w->name), "%s", name);
	if (attach(w) < 0) {
		snprintf(err, errlen,
		         "wire '%s': %s (two processes share a wire; pick another name for a "
		         "third)",
		         name, strerror(errno));
		w->name[0] = '\0';
		return -1;
	}
	fifo_init(&w->backlog);
	w->backlog.limit = BACKLOG_LIMIT;
	return 0;
}

static void drop_conn(struct socket_wire *w)
{
	close(w->conn);
	if (w->conn == w->fd)
		w->fd = -1; /* the connecting end attaches anew */
	w->conn = -1;
}

void socket_wire_close(struct socket_wire *w)
{
	if (w->conn >= 0 && w->conn != w->fd)
		close(w->conn);
	if (w->fd >= 0)
		close(w->fd);
	if (w->name[0])
		fifo_destroy(&w->backlog);
	w->fd = w->conn = -1;
	w->name[0] = '\0';
}

/* The other end, if it is there (accepting it, or attaching again after it went). */
static bool connected(struct socket_wire *w)
{
	if (w->conn >= 0)
		return true;
	if (w->fd < 0 && attach(w) < 0)
		return false;
	if (w->owner)
		w->conn = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	return w->conn >= 0;
}

static bool put(struct socket_wire *w, const uint8_t *d, uint32_t len, uint32_t flags, uint64_t at)
{
	uint8_t hdr[HDR];
	memcpy(hdr, &at, 8);
	memcpy(hdr + 8, &flags, 4);
	struct iovec iov[2] = {{hdr, HDR}, {(void *)d, len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	if (sendmsg(w->conn, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return true;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return false;
	drop_conn(w); /* the other end went: the frame is lost */
	return true;
}

/* Sends what waits; false while the socket is full. */
static bool send_backlog(struct socket_wire *w)
{
	while (w->backlog.count) {
		struct frame *f = &w->backlog.slots[w->backlog.head];
		if (!connected(w)) {
			fifo_pop(&w->backlog); /* nobody there: lost */
			continue;
		}
		if (!put(w, f->data, f->len, f->bad_fcs, f->at))
			return false;
		fifo_pop(&w->backlog);
	}
	return true;
}

void socket_wire_send(struct socket_wire *w, const uint8_t *d, uint32_t len, bool bad_fcs, uint64_t at)
{
	if (!connected(w))
		return; /* nobody there: lost */
	if (!send_backlog(w) || !put(w, d, len, bad_fcs, at))
		fifo_push(&w->backlog, d, len, bad_fcs, at); /* waits; lost beyond the limit */
}

unsigned socket_wire_receive(struct socket_wire *w, struct fifo *f, uint8_t *buf)
{
	if (!connected(w))
		return 0;
	send_backlog(w);
	unsigned n = 0;
	while (w->conn >= 0) {
		ssize_t got = recv(w->conn, buf, WIRE_MAX_FRAME + HDR, MSG_DONTWAIT);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			drop_conn(w); /* the other end went */
			break;
		}
		if (got < (ssize_t)HDR)
			break;
		uint64_t at;
		uint32_t flags;
		memcpy(&at, buf, 8);
		memcpy(&flags, buf + 8, 4);
		fifo_offer(f, buf + HDR, (uint32_t)got - HDR, flags & 1, at);
		n++;
	}
	return n;
}
