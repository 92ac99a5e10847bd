/* Wires of the device models: a bounded FIFO of Ethernet frames (a port's packet buffer, or a
 * capture queue) and the IEEE 802.3 CRC-32 for the FCS. Frames on a wire carry no FCS (as in
 * pcap); bad_fcs marks a frame whose FCS, supplied by software, was wrong. Independent of the
 * 82599: any device model can use them. */
#ifndef SIM_WIRE_H
#define SIM_WIRE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest frame a wire carries (bytes, without FCS). */
#define WIRE_MAX_FRAME 16384u

struct frame {
	uint8_t *data;
	uint32_t len, cap;
	bool bad_fcs;
};

struct fifo {
	pthread_mutex_t lock; /* a leaf lock: nothing else is taken while it is held */
	struct frame *slots;
	unsigned cap, head, count;
	size_t bytes;
	size_t limit;    /* bytes */
	uint64_t missed; /* frames refused by fifo_offer() since the owner last folded them */
	bool miss_irq;   /* set by a refusal, cleared by the owner */
};

void fifo_init(struct fifo *f);
void fifo_destroy(struct fifo *f);
/* Caller holds f->lock. Returns false when the limit (bytes or allocation) is hit. */
bool fifo_push(struct fifo *f, const uint8_t *data, uint32_t len, bool bad_fcs);
/* Caller holds f->lock; drops the oldest frame (there must be one). */
void fifo_pop(struct fifo *f);
/* A frame arrives on the wire: takes the lock, pushes it or, if the FIFO is full, counts it as
 * missed (and sets miss_irq). Returns false if it was missed. */
bool fifo_offer(struct fifo *f, const uint8_t *data, uint32_t len, bool bad_fcs);

/* IEEE 802.3 CRC-32 of p[0..n): the FCS, stored little-endian after the frame. */
uint32_t wire_fcs32(const uint8_t *p, size_t n);

#endif
