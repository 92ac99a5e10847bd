/* The per-queue registers of the virtual 82599 (DS 8.2.3.8 Rx, 8.2.3.9 Tx): ring base/length,
 * head, tail and RXDCTL/TXDCTL, with the enable delay and the ring rules of DS 4.6.7 / 4.6.8. */
#include "ixgbe_port.h"

#include <string.h>

/* ---- queue checks ---- */
/* The checks a queue's ring gets when its ENABLE is set, the same for Rx ('R') and Tx ('T'):
 * init done, ring programmed, length legal, ring inside one DMA region. Maps it, or leaves
 * q->ring NULL (the queue then moves nothing). */
static void map_ring(struct ixgbe_model *m, struct queue *q, char rt, unsigned n, uint64_t base, uint32_t len)
{
	const char *init = rt == 'R' ? "4.6.7" : "4.6.8";
	q->ring = NULL;
	q->size = 0;
	if (in_reset(m) || m->reads < m->dmai_due || m->reads < m->ard_due)
		rule_violation(&m->log, IXGBE_V19_INIT_DONE,
		               "%cXDCTL(%u).ENABLE set before EEC.ARD and RDRXCTL.DMAIDONE read 1 (DS 4.6.3)",
		               rt, n);
	if ((q->programmed & 3) != 3)
		rule_violation(&m->log, IXGBE_V8_ENABLE_UNPROGRAMMED,
		               "%cXDCTL(%u).ENABLE set before %cDBAL/%cDLEN(%u) were programmed (DS %s)", rt,
		               n, rt, rt, n, init);
	if (len == 0 || len % 128 || len / 16 > 8192) {
		rule_violation(
		    &m->log, IXGBE_V3_RING_LEN,
		    "%cXDCTL(%u).ENABLE with %cDLEN(%u)=%u: must be a non-zero multiple of 128 bytes, "
		    "at most 8192 descriptors (DS %s)",
		    rt, n, rt, n, len, rt == 'R' ? "8.2.3.8.3" : "8.2.3.9.7, 7.2.3.3");
	} else if ((q->ring = ixgbe_bus_translate(m->bus, base & ~0x7Full, len)) == NULL) {
		rule_violation(
		    &m->log, IXGBE_V9_RING_DMA,
		    "DMA fault: %cx ring %u at bus 0x%llx + %u bytes is not inside one registered DMA "
		    "region (DS %s)",
		    rt, n, (unsigned long long)base, len, rt == 'R' ? "7.1.9" : "7.2.3.3");
	} else {
		q->size = len / 16;
	}
}

static void rx_enable(struct ixgbe_model *m, unsigned n)
{
	struct queue *q = &m->rxq[n];
	uint32_t b = rxq_base(n);
	uint32_t len = *reg(m, b + Q_LEN), srr = *reg(m, b + Q_SRRCTL);
	uint64_t base = (uint64_t)*reg(m, b + Q_BAH) << 32 | *reg(m, b + Q_BAL);
	q->seen_enabled = false;
	map_ring(m, q, 'R', n, base, len);
	unsigned bs = srr & SRRCTL_BSIZE_MASK, dt = SRRCTL_DESCTYPE(srr);
	if (bs < 1 || bs > 16)
		rule_violation(&m->log, IXGBE_V10_SRRCTL,
		               "SRRCTL(%u).BSIZEPACKET=%u must be 1..16 KB (DS 8.2.3.8.7)", n, bs);
	if (dt == 2 || dt == 5)
		rule_violation(&m->log, IXGBE_V10_SRRCTL,
		               "SRRCTL(%u).DESCTYPE=%u is header split, which must not be used on the 82599 "
		               "(DS 7.1.10, erratum E8, docs/82599.md)",
		               n, dt);
	else if (dt != 0 && dt != 1)
		rule_violation(
		    &m->log, IXGBE_V10_SRRCTL,
		    "SRRCTL(%u).DESCTYPE=%u is not supported by the model (use 001 advanced one-buffer "
		    "or 000 legacy; DS 8.2.3.8.7)",
		    n, dt);
	if (q->head >= q->size && q->size)
		q->head = 0;
	m->rx_running[n / 64] |= 1ull << (n % 64);
}

static void tx_enable(struct ixgbe_model *m, unsigned n)
{
	struct queue *q = &m->txq[n];
	uint32_t b = txq_base(n);
	uint32_t len = *reg(m, b + Q_LEN);
	uint64_t base = (uint64_t)*reg(m, b + Q_BAH) << 32 | *reg(m, b + Q_BAL);
	q->seen_enabled = false;
	q->wb_next = q->head;
	q->wb_count = 0;
	if (!(*reg(m, R_DMATXCTL) & DMATXCTL_TE))
		rule_violation(
		    &m->log, IXGBE_V17_TE_FIRST,
		    "TXDCTL(%u).ENABLE set while DMATXCTL.TE is 0: TE must be set first (DS 4.6.8)", n);
	map_ring(m, q, 'T', n, base, len);
	if (q->head >= q->size && q->size)
		q->head = 0;
	m->tx_running[n / 64] |= 1ull << (n % 64);
}

/* V21: a tail write on a running queue may only hand over descriptors software owns. Hardware owns
 * head .. old-1 (mod N); software may advance the tail by d = (new - old) mod N with
 * d <= (head - old - 1) mod N (head == old: the ring is empty for the hardware, up to N-1).
 * Anything more moves the tail into the hardware's part of the ring: it takes back descriptors
 * the hardware owns, or (the same thing seen forwards) overruns the head. The write still takes
 * effect (the register latches it, tail < N keeps the model safe). Called under the port lock, so
 * head is the hardware's current head. */
static void check_tail_owned(struct ixgbe_model *m, const struct queue *q, char rt, unsigned n, uint32_t v)
{
	uint32_t N = q->size, old = q->tail, head = q->head;
	uint32_t d = (v + N - old) % N, limit = (head + 2 * N - old - 1) % N;
	if (d <= limit)
		return;
	rule_violation(
	    &m->log, IXGBE_V21_TAIL_OWNED,
	    "%cDT(%u) moved from %u to %u past %cDH=%u: it %s (advanced by %u, at most %u allowed; "
	    "DS %s)",
	    rt, n, old, v, rt, head,
	    rt == 'R' ? "takes back descriptors the hardware owns"
	              : "overruns TDH, handing over descriptors the hardware still owns",
	    d, limit, rt == 'R' ? "7.1.9" : "7.2.3.3");
}

/* A queue register read: head and tail are the model's, ENABLE reads back only after the
 * enable (or disable) delay, and a read that sees it set lets the tail move (DS 4.6.7, 4.6.8). */
static uint32_t rd_queue(struct ixgbe_model *m, struct queue *q, uint32_t r, bool side)
{
	unsigned o = r & 0x3F;
	if (o == Q_HEAD)
		return q->head;
	if (o == Q_TAIL)
		return q->tail;
	if (o != Q_CTL)
		return *reg(m, r);
	bool set = *reg(m, r) & XDCTL_ENABLE;
	bool en = set ? m->reads >= q->en_due : m->reads < q->dis_due;
	if (en && set && side)
		q->seen_enabled = true;
	return (*reg(m, r) & ~XDCTL_ENABLE) | (en ? XDCTL_ENABLE : 0);
}

uint32_t ixgbe_queue_read(struct ixgbe_model *m, uint32_t r, bool side)
{
	if (is_rxq_reg(r))
		return rd_queue(m, &m->rxq[((r & 0xFFF) >> 6) + (r >= 0x0D000 ? 64 : 0)], r, side);
	return rd_queue(m, &m->txq[(r - 0x06000) >> 6], r, side);
}

/* What differs between an Rx ('R') and a Tx ('T') queue's registers in the checks below. */
struct qkind {
	char rt;
	const char *init;    /* the init section that owns the rules */
	const char *bal_ds;  /* base alignment */
	const char *len_ds;  /* length multiple of 128 */
	const char *head_ds; /* head beyond the ring */
	const char *tail_ds; /* tail beyond the ring */
};
static const struct qkind rx_kind = {'R', "4.6.7", "8.2.3.8.1", "8.2.3.8.3", "8.2.3.8.4", "7.1.9"};
static const struct qkind tx_kind = {'T', "4.6.8", "8.2.3.9.5", "7.2.3.3", "4.6.8, 7.2.3.3", "7.2.3.3"};

/* xDBAL/xDBAH/xDLEN (and SRRCTL, named by `name`): only while the queue is disabled. */
static void wr_ring_reg(struct ixgbe_model *m, const struct qkind *k, struct queue *q, unsigned n, unsigned o,
                        uint32_t v, bool enabled, const char *name)
{
	if (enabled)
		rule_violation(
		    &m->log, IXGBE_V4_RING_REG_ENABLED,
		    "%s(%u) written while %cXDCTL(%u).ENABLE is set: ring registers may only change "
		    "while the queue is disabled (DS %s)",
		    name, n, k->rt, n, k->init);
	if (o == Q_BAL && (v & 0x7F))
		rule_violation(&m->log, IXGBE_V2_BASE_ALIGN,
		               "%cDBAL(%u)=0x%08x is not 128-byte aligned (DS %s)", k->rt, n, v, k->bal_ds);
	if (o == Q_LEN && v % 128)
		rule_violation(&m->log, IXGBE_V3_RING_LEN,
		               "%cDLEN(%u)=%u is not a multiple of 128 bytes (DS %s)", k->rt, n, v,
		               k->len_ds);
	if (o == Q_BAL)
		q->programmed |= 1;
	if (o == Q_LEN)
		q->programmed |= 2;
}

/* xDH: 0 while enabled, inside the ring. Returns false if the write is ignored. */
static bool wr_head(struct ixgbe_model *m, const struct qkind *k, unsigned n, uint32_t v, bool enabled,
                    uint32_t size)
{
	if (enabled && v != 0)
		rule_violation(&m->log, IXGBE_V5_HEAD_WRITE,
		               "%cDH(%u) written with %u while the queue is enabled (DS %s)", k->rt, n, v,
		               k->init);
	if (size && v >= size) {
		rule_violation(
		    &m->log, IXGBE_V5_HEAD_WRITE,
		    "%cDH(%u)=%u is beyond the ring of %u descriptors (%cDLEN=%u; write ignored) (DS %s)",
		    k->rt, n, v, size, k->rt, size * 16, k->head_ds);
		return false;
	}
	return true;
}

/* xDT: inside the ring, moved only once ENABLE was read back as 1, never over the hardware's
 * part of the ring. Returns false if the write is ignored. */
static bool wr_tail(struct ixgbe_model *m, const struct qkind *k, struct queue *q, unsigned n, uint32_t v,
                    uint32_t ctl, uint32_t size)
{
	if (v >= size && !(v == 0 && size == 0)) {
		rule_violation(&m->log, IXGBE_V6_TAIL_RANGE,
		               "%cDT(%u)=%u is beyond the ring of %u descriptors (DS %s)", k->rt, n, v, size,
		               k->tail_ds);
		return false;
	}
	bool runs = q_running(m, q, ctl) && q->seen_enabled;
	if (v != q->head && !runs)
		rule_violation(&m->log, IXGBE_V7_TAIL_BEFORE_ENABLE,
		               "%cDT(%u) written before %cXDCTL(%u).ENABLE reads 1 (DS %s)", k->rt, n, k->rt,
		               n, k->init);
	if (runs && q->size)
		check_tail_owned(m, q, k->rt, n, v);
	return true;
}

/* Descriptors old .. new-1 were handed to the device: each buffer is checked once, now. */
static void post_rx_buffers(struct ixgbe_model *m, struct queue *q, unsigned n, uint32_t old, uint32_t new)
{
	for (uint32_t i = old; i != new; i = (i + 1) % q->size) {
		uint64_t addr;
		memcpy(&addr, q->ring + 16 * i, 8);
		ixgbe_rx_check_buffer(m, n, addr);
	}
}

void ixgbe_rxq_write(struct ixgbe_model *m, uint32_t r, uint32_t v)
{
	unsigned n = ((r & 0xFFF) >> 6) + (r >= 0x0D000 ? 64 : 0), o = r & 0x3F;
	struct queue *q = &m->rxq[n];
	uint32_t ctl = *reg(m, rxq_base(n) + Q_CTL);
	bool enabled = (ctl & XDCTL_ENABLE) || m->reads < q->dis_due;
	static const char *names[] = {"RDBAL", "RDBAH", "RDLEN"};
	switch (o) {
	case Q_BAL:
	case Q_BAH:
	case Q_LEN:
	case Q_SRRCTL:
		wr_ring_reg(m, &rx_kind, q, n, o, v, enabled, o == Q_SRRCTL ? "SRRCTL" : names[o / 4]);
		*reg(m, r) = v;
		return;
	case Q_HEAD:
		if (wr_head(m, &rx_kind, n, v, enabled, *reg(m, rxq_base(n) + Q_LEN) / 16))
			q->head = v;
		return;
	case Q_TAIL: {
		uint32_t old = q->tail;
		if (!wr_tail(m, &rx_kind, q, n, v, ctl,
		             q->size ? q->size : *reg(m, rxq_base(n) + Q_LEN) / 16))
			return;
		q->tail = v;
		if (q->ring && q_running(m, q, ctl) && old < q->size)
			post_rx_buffers(m, q, n, old, v);
		return;
	}
	case Q_CTL: {
		bool was = ctl & XDCTL_ENABLE, now = v & XDCTL_ENABLE;
		*reg(m, r) = v;
		if (now && !was) {
			q->en_due = m->reads + m->cfg.enable_reads;
			rx_enable(m, n);
		} else if (!now && was) {
			q->dis_due = m->reads + m->cfg.enable_reads;
			m->rx_running[n / 64] &= ~(1ull << (n % 64));
		}
		return;
	}
	default:
		*reg(m, r) = v;
	}
}

void ixgbe_txq_write(struct ixgbe_model *m, uint32_t r, uint32_t v)
{
	unsigned n = (r - 0x06000) >> 6, o = r & 0x3F;
	struct queue *q = &m->txq[n];
	uint32_t ctl = *reg(m, txq_base(n) + Q_CTL);
	bool enabled = (ctl & XDCTL_ENABLE) || m->reads < q->dis_due;
	static const char *names[] = {"TDBAL", "TDBAH", "TDLEN"};
	switch (o) {
	case Q_BAL:
	case Q_BAH:
	case Q_LEN:
		wr_ring_reg(m, &tx_kind, q, n, o, v, enabled, names[o / 4]);
		*reg(m, r) = v;
		return;
	case Q_HEAD:
		if (wr_head(m, &tx_kind, n, v, enabled, *reg(m, txq_base(n) + Q_LEN) / 16)) {
			q->head = v;
			q->wb_next = v;
			q->wb_count = 0;
		}
		return;
	case Q_TAIL: {
		uint32_t size = q->size ? q->size : *reg(m, txq_base(n) + Q_LEN) / 16;
		if (v < size && v != q->tail && (*reg(m, R_RTTDCS) & RTTDCS_ARBDIS))
			rule_violation(
			    &m->log, IXGBE_V20_TAIL_ARBDIS,
			    "TDT(%u) moved from %u to %u while RTTDCS.ARBDIS=1: the Tx arbiter is off "
			    "and nothing is fetched; clear ARBDIS after MTQC (DS 4.6.8, 7.2.1.2.1)",
			    n, q->tail, v);
		if (wr_tail(m, &tx_kind, q, n, v, ctl, size))
			q->tail = v;
		return;
	}
	case Q_CTL: {
		bool was = ctl & XDCTL_ENABLE, now = v & XDCTL_ENABLE;
		*reg(m, r) = v & ~XDCTL_SWFLSH;
		if (v & XDCTL_SWFLSH)
			ixgbe_tx_flush_wb(q);
		if (now && !was) {
			q->en_due = m->reads + m->cfg.enable_reads;
			tx_enable(m, n);
		} else if (!now && was) {
			q->dis_due = m->reads + m->cfg.enable_reads;
			m->tx_running[n / 64] &= ~(1ull << (n % 64));
		}
		return;
	}
	default:
		*reg(m, r) = v;
	}
}
