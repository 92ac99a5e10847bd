/* Wires of the device models: a bounded FIFO of Ethernet frames (a port's packet buffer, or a
 * capture queue), the IEEE 802.3 CRC-32 for the FCS and the pacing of a wire to its line rate. Frames on a
 * wire carry no FCS (as in pcap); bad_fcs marks a frame whose FCS, supplied by software, was wrong.
 * Independent of the 82599: any device model can use them. */
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

/* Pacing a wire to its line rate. A frame of len bytes (without FCS) holds the wire for
 * max(len + 4, 64) bytes plus 8 bytes of preamble and SFD and a 12-byte inter-frame gap
 * (IEEE 802.3 clauses 4.4.2 and 3.2.1): at 10 Gbit/s 67.2 ns for 64 bytes on the wire
 * (14,880,952 frames/s) and 1230.4 ns for 1518 (812,743 frames/s). A sender that fell behind
 * (its thread was not running) may catch up on at most WIRE_CATCH_UP_PS of missed wire time,
 * so bursts stay short and the long-run rate never exceeds the line rate. */
#define WIRE_CATCH_UP_PS 1000000000ull /* 1 ms */

struct wire_clock {
	uint32_t rate_mbit; /* 0: not paced */
	uint64_t free_ps;   /* the wire is busy until then (CLOCK_MONOTONIC, picoseconds) */
};

/* CLOCK_MONOTONIC in picoseconds. */
uint64_t wire_now_ps(void);
/* Picoseconds a frame of len bytes (without FCS) holds a wire of rate_mbit Mbit/s. */
uint64_t wire_frame_ps(uint32_t rate_mbit, uint32_t len);
/* May a frame start at now_ps? (Always on an unpaced wire.) */
static inline bool wire_clock_ready(const struct wire_clock *c, uint64_t now_ps)
{
	return !c->rate_mbit || c->free_ps <= now_ps;
}
/* Puts a frame on the wire (call only when ready); returns its start time in picoseconds. */
uint64_t wire_clock_take(struct wire_clock *c, uint64_t now_ps, uint32_t len);

#endif
