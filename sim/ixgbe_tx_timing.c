/* When the virtual 82599 puts frames on the wire: one wire paced to cfg.line_rate_mbit (wire.h:
 * frame, FCS, preamble, SFD and inter-frame gap; unpaced: no wire time), and the per-queue
 * transmit rate limiter (DS 7.7.2.2): with RTTBCNRC.RS_ENA a queue's next frame starts no earlier
 * than RF = RF_INT + RF_DEC / 2^14 times its own length at the 10 Gbit/s link speed after the
 * start of its last one, so the queue runs at link speed / RF. The length counted is the frame
 * with its CRC, without preamble and gap (interpretation). A frame's time is that of its first
 * byte after the SFD. Rules (sim/ixgbe_rules.c): V32 RTTDQSEL names no Tx queue (>= 128); V33
 * RTTBCNRC.RS_ENA with a rate factor below 1 (faster than the link). */
#include "ixgbe_port.h"

void ixgbe_tx_posted(struct ixgbe_model *m, unsigned n)
{
	struct queue *q = &m->txq[n];
	uint64_t now = sim_clock_now(m->clock);
	if (q->post_count == TX_POSTS) { /* merged: those frames count as handed over now */
		unsigned last = (q->post_first + TX_POSTS - 1) % TX_POSTS;
		q->posts[last].tail = q->tail;
		q->posts[last].at = now;
		return;
	}
	unsigned i = (q->post_first + q->post_count++) % TX_POSTS;
	q->posts[i].tail = q->tail;
	q->posts[i].at = now;
}

void ixgbe_tx_fetched(struct ixgbe_model *m, unsigned n, uint32_t first, uint32_t cnt)
{
	struct queue *q = &m->txq[n];
	while (q->post_count && (q->posts[q->post_first].tail + q->size - first) % q->size <= cnt) {
		q->post_first = (q->post_first + 1) % TX_POSTS;
		q->post_count--;
	}
}

uint64_t ixgbe_tx_start(struct ixgbe_model *m, unsigned n)
{
	struct queue *q = &m->txq[n];
	while (q->post_count && q->posts[q->post_first].tail == q->head) { /* writes that added nothing */
		q->post_first = (q->post_first + 1) % TX_POSTS;
		q->post_count--;
	}
	/* Not before software handed the frame over: the oldest tail write not yet passed. */
	uint64_t posted = q->post_count ? q->posts[q->post_first].at : 0;
	/* A frame that waited for the wire behind others, while the model's thread was not running,
	 * catches up on at most WIRE_CATCH_UP_PS of wire time; a rate-limited queue keeps its schedule,
	 * and a frame on an idle wire its posting time, so neither shows the thread's absence. */
	uint64_t start = m->wire_free;
	if (q->rttbcnrc & RTTBCNRC_RS_ENA) {
		if (q->ready > start)
			start = q->ready;
	} else if (start > posted) {
		start = wire_start(start, model_now(m));
	}
	if (posted > start)
		start = posted;
	return start;
}

void ixgbe_tx_booked(struct ixgbe_model *m, unsigned n, uint64_t start, uint32_t wlen)
{
	struct queue *q = &m->txq[n];
	uint64_t bytes = (uint64_t)wlen + 4; /* with the CRC */
	m->wire_free = start + wire_ticks(m, wlen);
	if (q->rttbcnrc & RTTBCNRC_RS_ENA) {
		uint64_t rf = q->rttbcnrc & RTTBCNRC_RF_MASK;
		q->ready = start + ((bytes * LINK_TICKS_PER_BYTE * rf + (1u << 13)) >> 14);
	}
}

/* RTTBCNRC reads and writes go to the queue RTTDQSEL names (DS 7.7.2.2). */
uint32_t ixgbe_rate_read(struct ixgbe_model *m, uint32_t r)
{
	if (r == R_RTTBCNRC)
		return m->txq[*reg(m, R_RTTDQSEL) % NQ].rttbcnrc;
	return *reg(m, r);
}

void ixgbe_rate_write(struct ixgbe_model *m, uint32_t r, uint32_t v)
{
	if (r == R_RTTDQSEL) {
		if (v >= NQ)
			rule_violation(&m->log, IXGBE_V32_RTTDQSEL_QUEUE,
			               "RTTDQSEL=%u names no Tx queue: the 82599 has %u (DS 7.7.2.2)", v, NQ);
		*reg(m, r) = v;
		return;
	}
	uint32_t rf = v & RTTBCNRC_RF_MASK;
	if ((v & RTTBCNRC_RS_ENA) && rf < 1u << 14)
		rule_violation(
		    &m->log, IXGBE_V33_RATE_FACTOR,
		    "RTTBCNRC=0x%08x enables the rate limiter of Tx queue %u with a rate factor "
		    "below 1 (a rate above the link speed): RF_INT must be at least 1 (DS 7.7.2.2)",
		    v, *reg(m, R_RTTDQSEL) % NQ);
	struct queue *q = &m->txq[*reg(m, R_RTTDQSEL) % NQ];
	q->rttbcnrc = v & (RTTBCNRC_RS_ENA | RTTBCNRC_RF_MASK);
	if (!(v & RTTBCNRC_RS_ENA))
		q->ready = 0;
}
