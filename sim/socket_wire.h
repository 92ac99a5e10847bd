/* A wire between device models in two processes on one host: Linux abstract-namespace datagram
 * sockets named after the wire. The first end to open takes end 0, the second end 1; each sends
 * its frames to the other. A frame travels with its arrival time on the CLOCK_MONOTONIC scale
 * (sim/clock.h), which both processes share. A frame sent while the other end is not open, or
 * while its socket buffer is full, is lost (as on a cable into nothing). Independent of the 82599. */
#ifndef SIM_SOCKET_WIRE_H
#define SIM_SOCKET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "wire.h"

struct socket_wire {
	int fd; /* -1: none */
	struct sockaddr_un peer;
	socklen_t peer_len;
};

/* Opens end 0 or 1 of wire `name`; 0, or -1 with a message in err (both ends taken). */
int socket_wire_open(struct socket_wire *w, const char *name, char *err, size_t errlen);
void socket_wire_close(struct socket_wire *w);
void socket_wire_send(struct socket_wire *w, const uint8_t *d, uint32_t len, bool bad_fcs, uint64_t at);
/* Moves every frame waiting on the socket into f (frames that do not fit are counted missed);
 * returns how many arrived. buf is scratch space of WIRE_MAX_FRAME + 16 bytes. */
unsigned socket_wire_receive(struct socket_wire *w, struct fifo *f, uint8_t *buf);

#endif
