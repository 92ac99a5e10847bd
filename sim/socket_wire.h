/* A wire between device models in two processes on one host: a Linux abstract-namespace
 * SOCK_SEQPACKET socket named after the wire. The first end to open listens; the other connects;
 * either end may go and come back (the wire is re-established on the next step). A frame travels
 * with its arrival time on the CLOCK_MONOTONIC scale (sim/clock.h), which both processes share.
 * A frame sent while the other end is not there is lost (as on a cable into nothing); one the
 * socket cannot take yet waits in a backlog (up to 64 MB) and is sent on a later step.
 * Independent of the 82599. */
#ifndef SIM_SOCKET_WIRE_H
#define SIM_SOCKET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct socket_wire {
	int fd;        /* -1: not attached */
	int conn;      /* the connected socket, -1 while the other end is not there */
	bool owner;    /* fd listens (else fd == conn, connecting) */
	char name[72]; /* "": no wire */
	struct fifo backlog;
};

static inline bool socket_wire_on(const struct socket_wire *w)
{
	return w->name[0] != '\0';
}

/* Opens wire `name`; 0, or -1 with a message in err. */
int socket_wire_open(struct socket_wire *w, const char *name, char *err, size_t errlen);
void socket_wire_close(struct socket_wire *w);
void socket_wire_send(struct socket_wire *w, const uint8_t *d, uint32_t len, bool bad_fcs, uint64_t at);
/* Sends the backlog, then moves every frame waiting on the socket into f (frames that do not fit
 * are counted missed there); returns how many arrived. buf is scratch space of WIRE_MAX_FRAME + 16
 * bytes. */
unsigned socket_wire_receive(struct socket_wire *w, struct fifo *f, uint8_t *buf);

#endif
