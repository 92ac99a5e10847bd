/* The IEEE 1588 time-sync unit of the virtual 82599 (DS 7.9; registers DS 8.2.3.26).
 *   T1 SYSTIM adds TIMINCA.IV every TIMINCA.IP cycles of the 6.4 ns DMA clock (10 Gbit/s), from
 *      the model time (sim/clock.h); it stands still while IP or IV is 0 (the reset value) or
 *      TSAUXC.DISABLE_SYSTIME is set (interpretation: reset value 0).
 *   T2 SYSTIML/SYSTIMH writes set that half (interpretation: the table calls them read-only, but
 *      software sets the clock this way).
 *   T3 Reading SYSTIML latches SYSTIMH; the SYSTIMH read returns the latched half.
 *   T4 RX (TSYNCRXCTL.EN): a frame is stamped with SYSTIM at its first byte if it qualifies for
 *      TSYNCRXCTL.TYPE: 000b L2 PTP with messageType = RXMTRL[15:8]; 001b UDP to port RXMTRL[31:16]
 *      with V1 control = RXMTRL[7:0]; 010b and 101b V2 event messages (messageType 0-3) over L2
 *      or over UDP to port RXMTRL[31:16] (interpretation: the two types are not told apart); 100b
 *      every frame. L2 PTP means an EtherType that an enabled ETQF filter with its 1588 bit names.
 *      The stamp goes to RXSTMPL/H, the frame's sequenceId to RXSATRH[31:16] (bytes in wire
 *      order, interpretation), TSYNCRXCTL.VALID reads 1, and the frame's write-back has status
 *      bit 16 (TS).
 *   T5 TX (TSYNCTXCTL.EN): a frame whose first descriptor has bit 19 is stamped with SYSTIM when
 *      its first byte leaves; TXSTMPL/H, TSYNCTXCTL.VALID.
 *   T6 One stamp per direction: while VALID is 1 no further frame is stamped (a lost TX stamp is
 *      counted as a warning). Reading RXSTMPH (TXSTMPH) clears VALID.
 * T1-T6 are what the unit does; the programming error it reports is rule V31 (sim/ixgbe_rules.c):
 * TSYNCRXCTL.TYPE 011b, 110b or 111b (reserved) with EN set. */
#include "ixgbe_port.h"

#define TICKS_PER_CYCLE 64u /* the 6.4 ns DMA clock at 10 Gbit/s */

static uint64_t systim_at(const struct ixgbe_model *m, uint64_t t)
{
	uint32_t inca = *reg((struct ixgbe_model *)m, R_TIMINCA);
	uint32_t ip = inca >> 24, iv = inca & 0xFFFFFFu;
	if (!ip || !iv || (*reg((struct ixgbe_model *)m, R_TSAUXC) & TSAUXC_DISABLE_SYSTIME))
		return m->ts.systim;
	int64_t cycles = (int64_t)(t / TICKS_PER_CYCLE) - (int64_t)(m->ts.t0 / TICKS_PER_CYCLE);
	return m->ts.systim + (uint64_t)(cycles / (int64_t)ip) * iv;
}

/* Before the clock's rate or value changes: SYSTIM as of now becomes the new base. */
static void systim_fold(struct ixgbe_model *m)
{
	uint64_t now = sim_clock_now(m->clock);
	m->ts.systim = systim_at(m, now);
	m->ts.t0 = now;
}

bool ixgbe_ts_owns(uint32_t r)
{
	switch (r) {
	case R_TSYNCRXCTL:
	case R_RXSTMPL:
	case R_RXSTMPH:
	case R_RXSATRH:
	case R_TSYNCTXCTL:
	case R_TXSTMPL:
	case R_TXSTMPH:
	case R_SYSTIML:
	case R_SYSTIMH:
	case R_TIMINCA:
	case R_TSAUXC:
		return true;
	default:
		return false;
	}
}

void ixgbe_ts_reset(struct ixgbe_model *m)
{
	m->ts = (struct timesync){.t0 = sim_clock_now(m->clock)};
}

uint32_t ixgbe_ts_read(struct ixgbe_model *m, uint32_t r, bool side)
{
	switch (r) {
	case R_TSYNCRXCTL:
		return (*reg(m, r) & ~TSYNC_VALID) | (m->ts.rx_valid ? TSYNC_VALID : 0);
	case R_TSYNCTXCTL:
		return (*reg(m, r) & ~TSYNC_VALID) | (m->ts.tx_valid ? TSYNC_VALID : 0);
	case R_RXSTMPL:
		return (uint32_t)m->ts.rx_stamp;
	case R_RXSTMPH:
		if (side)
			m->ts.rx_valid = false; /* T6 */
		return (uint32_t)(m->ts.rx_stamp >> 32);
	case R_RXSATRH:
		return m->ts.rxsatrh;
	case R_TXSTMPL:
		return (uint32_t)m->ts.tx_stamp;
	case R_TXSTMPH:
		if (side)
			m->ts.tx_valid = false; /* T6 */
		return (uint32_t)(m->ts.tx_stamp >> 32);
	case R_SYSTIML: {
		uint64_t now = systim_at(m, sim_clock_now(m->clock));
		if (side)
			m->ts.systimh_latch = (uint32_t)(now >> 32); /* T3 */
		return (uint32_t)now;
	}
	case R_SYSTIMH:
		return m->ts.systimh_latch;
	default:
		return *reg(m, r);
	}
}

void ixgbe_ts_write(struct ixgbe_model *m, uint32_t r, uint32_t v)
{
	switch (r) {
	case R_TSYNCRXCTL: {
		unsigned type = (v >> 1) & 7;
		if ((v & TSYNC_EN) && (type == 3 || type >= 6))
			rule_violation(
			    &m->log, IXGBE_V31_TSYNC_RX_TYPE,
			    "TSYNCRXCTL.TYPE=%u%u%ub is reserved: use 000b, 001b, 010b, 100b or 101b "
			    "(DS 7.9)",
			    type >> 2, (type >> 1) & 1, type & 1);
		*reg(m, r) = v & ~TSYNC_VALID;
		return;
	}
	case R_TSYNCTXCTL:
		*reg(m, r) = v & ~TSYNC_VALID;
		return;
	case R_SYSTIML: /* T2 */
		systim_fold(m);
		m->ts.systim = (m->ts.systim & ~0xFFFFFFFFull) | v;
		return;
	case R_SYSTIMH:
		systim_fold(m);
		m->ts.systim = (m->ts.systim & 0xFFFFFFFFull) | (uint64_t)v << 32;
		return;
	case R_TIMINCA:
	case R_TSAUXC:
		systim_fold(m);
		*reg(m, r) = v;
		return;
	default: /* the stamps */
		rule_warning(&m->log, true, "write to read-only time-sync register 0x%05x ignored", r);
	}
}

/* The PTP header of a frame, if its EtherType is named by an enabled ETQF filter with the 1588
 * bit (L2), or if it is UDP over IPv4 to `port` (L4); NULL otherwise. */
static const uint8_t *ptp_header(struct ixgbe_model *m, const uint8_t *d, uint32_t len, bool l2,
                                 uint32_t port)
{
	uint32_t ethertype = (uint32_t)d[12] << 8 | d[13];
	if (l2) {
		for (unsigned i = 0; i < 8; i++) {
			uint32_t etqf = *reg(m, R_ETQF + 4 * i);
			if ((etqf & (ETQF_EN | ETQF_1588)) == (ETQF_EN | ETQF_1588) &&
			    (etqf & 0xFFFF) == ethertype)
				return len >= 14 + 34 ? d + 14 : NULL;
		}
	}
	if (port && ethertype == 0x0800 && len >= 34 && d[23] == 17) {
		uint32_t ihl = (d[14] & 0xFu) * 4;
		const uint8_t *udp = d + 14 + ihl;
		if (len >= 14 + ihl + 8 + 34 && ((uint32_t)udp[2] << 8 | udp[3]) == port)
			return udp + 8;
	}
	return NULL;
}

bool ixgbe_ts_rx(struct ixgbe_model *m, const uint8_t *d, uint32_t len, uint64_t at)
{
	uint32_t ctl = *reg(m, R_TSYNCRXCTL), mtrl = *reg(m, R_RXMTRL);
	if (!(ctl & TSYNC_EN) || m->ts.rx_valid || len < 14)
		return false; /* T6: the latch is taken */
	uint32_t port = mtrl >> 16;
	const uint8_t *ptp = NULL;
	bool hit;
	switch ((ctl >> 1) & 7) {
	case 0: /* L2, V2, one message type */
		ptp = ptp_header(m, d, len, true, 0);
		hit = ptp && (ptp[0] & 0xF) == ((mtrl >> 8) & 0xF);
		break;
	case 1: /* L4, V1, one control value (byte 32 of the V1 header) */
		ptp = ptp_header(m, d, len, false, port);
		hit = ptp && ptp[32] == (mtrl & 0xFF);
		break;
	case 2:
	case 5: /* V2 event messages, L2 and L4 */
		ptp = ptp_header(m, d, len, true, port);
		hit = ptp && (ptp[0] & 0xF) < 4;
		break;
	case 4:
		hit = true;
		ptp = len >= 14 + 34 ? d + 14 : NULL;
		break;
	default:
		hit = false;
	}
	if (!hit)
		return false;
	m->ts.rx_stamp = systim_at(m, at);
	m->ts.rx_valid = true;
	m->ts.rxsatrh = ptp ? ((uint32_t)ptp[30] | (uint32_t)ptp[31] << 8) << 16 : 0;
	return true;
}

void ixgbe_ts_tx(struct ixgbe_model *m, unsigned n, uint64_t at)
{
	if (!(*reg(m, R_TSYNCTXCTL) & TSYNC_EN))
		return;
	if (m->ts.tx_valid) {
		rule_warning(&m->log, true,
		             "Tx queue %u: a frame marked for a time stamp left while TXSTMPH was not yet "
		             "read: its stamp is lost (DS 7.9)",
		             n);
		return;
	}
	m->ts.tx_stamp = systim_at(m, at);
	m->ts.tx_valid = true;
}
