/* The 82599's IEEE 1588 time-sync unit (DS 7.9) and per-queue transmit rate limiter (DS 7.7.2).
 * The clock SYSTIM adds TIMINCA's increment value every DMA clock cycle; this driver picks the
 * value so that SYSTIM counts 2^-shift ns. One RX and one TX stamp are latched at a time; reading
 * the high half releases the latch. */
#include "ixgbe_regs.h"
#include "ixgbe_timesync.h"
#include "log.h"

#define RATE_MIN_BPS 10000000u /* 10 Mbit/s: a rate factor of at most 1000 at 10 Gbit/s */

/* TIMINCA per link speed: increment period 1 cycle, and the increment that makes SYSTIM count
 * 2^-shift ns for the DMA clock of that speed (6.4 ns at 10 Gbit/s or without link, 64 ns at
 * 1 Gbit/s, 640 ns at 100 Mbit/s; DS 7.9). At 10 Gbit/s 0xCCCCCC is 2^21 * 6.4 rounded down:
 * the clock runs 60 ppb slow. */
static uint32_t timinca_for(uint32_t link_mbps, uint32_t *shift)
{
	switch (link_mbps) {
	case 1000:
		*shift = 17;
		return 1u << 24 | 0x800000u;
	case 100:
		*shift = 14;
		return 1u << 24 | 0xA00000u;
	default:
		*shift = 21;
		return 1u << 24 | 0xCCCCCCu;
	}
}

int ixgbe_timesync_enable(struct ixy_device *dev, struct ixgbe_timesync *ts, uint32_t link_mbps)
{
	uint32_t shift, timinca = timinca_for(link_mbps, &shift);
	/* Stop the clock, zero it, start it at the new rate. SYSTIM is written although the register
	 * table marks it read-only (interpretation: every known driver sets it this way). */
	reg_write(dev, IXGBE_TIMINCA, 0);
	reg_write(dev, IXGBE_SYSTIML, 0);
	reg_write(dev, IXGBE_SYSTIMH, 0);
	reg_clear_bits(dev, IXGBE_TSAUXC, IXGBE_TSAUXC_DISABLE_SYSTIME);
	reg_write(dev, IXGBE_TIMINCA, timinca);
	/* RX: PTP (EtherType 0x88F7) via an EtherType filter with its 1588 bit, and UDP to the PTP
	 * event port; V2 event messages only (TSYNCRXCTL type 010b). */
	reg_write(dev, IXGBE_ETQF(IXGBE_ETQF_PTP),
	          IXGBE_ETHERTYPE_PTP | IXGBE_ETQF_1588 | IXGBE_ETQF_FILTER_EN);
	reg_write(dev, IXGBE_RXMTRL, IXGBE_PTP_EVENT_PORT << 16);
	reg_write(dev, IXGBE_TSYNCRXCTL, IXGBE_TSYNCRXCTL_EN | IXGBE_TSYNCRXCTL_TYPE_L2_L4_V2);
	reg_write(dev, IXGBE_TSYNCTXCTL, IXGBE_TSYNCTXCTL_EN);
	/* Release stamps left from before. */
	reg_read(dev, IXGBE_RXSTMPH);
	reg_read(dev, IXGBE_TXSTMPH);
	ts->shift = shift;
	return 0;
}

static uint64_t stamp_ns(struct ixy_device *dev, const struct ixgbe_timesync *ts, uint32_t low_reg,
                         uint32_t high_reg)
{
	uint64_t raw = reg_read(dev, low_reg); /* low first: SYSTIML latches SYSTIMH */
	raw |= (uint64_t)reg_read(dev, high_reg) << 32;
	return raw >> ts->shift;
}

bool ixgbe_timesync_on(struct ixy_device *dev, const struct ixgbe_timesync *ts)
{
	if (ts->shift)
		return true;
	ixy_error("%s: the clock is off: call ixy_timesync_enable() first", dev->name);
	return false;
}

uint64_t ixgbe_timesync_clock(struct ixy_device *dev, const struct ixgbe_timesync *ts)
{
	return ixgbe_timesync_on(dev, ts) ? stamp_ns(dev, ts, IXGBE_SYSTIML, IXGBE_SYSTIMH) : 0;
}

bool ixgbe_timesync_tx(struct ixy_device *dev, const struct ixgbe_timesync *ts, uint64_t *ns)
{
	if (!ixgbe_timesync_on(dev, ts) || !(reg_read(dev, IXGBE_TSYNCTXCTL) & IXGBE_TSYNCTXCTL_VALID))
		return false;
	*ns = stamp_ns(dev, ts, IXGBE_TXSTMPL, IXGBE_TXSTMPH);
	return true;
}

bool ixgbe_timesync_rx(struct ixy_device *dev, const struct ixgbe_timesync *ts, uint64_t *ns,
                       uint16_t *ptp_seq)
{
	if (!ixgbe_timesync_on(dev, ts) || !(reg_read(dev, IXGBE_TSYNCRXCTL) & IXGBE_TSYNCRXCTL_VALID))
		return false;
	/* The sequenceId's bytes sit in wire order in bits 31:16 (interpretation); read before
	 * RXSTMPH releases the latch. */
	uint32_t satrh = reg_read(dev, IXGBE_RXSATRH);
	*ptp_seq = (uint16_t)((satrh >> 16 & 0xFF) << 8 | satrh >> 24);
	*ns = stamp_ns(dev, ts, IXGBE_RXSTMPL, IXGBE_RXSTMPH);
	return true;
}

/* RTTBCNRC holds link speed / rate with a 14-bit fraction (DS 7.7.2.2); RTTDQSEL picks the queue
 * first. The integer part is 10 or 14 bits wide (interpretation): rates from 10 Mbit/s fit both. */
int ixgbe_set_queue_rate(struct ixy_device *dev, uint16_t queue, uint64_t bits_per_s, uint32_t link_mbps)
{
	uint32_t value = 0;
	if (bits_per_s) {
		uint64_t link_bps = (uint64_t)link_mbps * 1000000u;
		if (!link_bps) {
			ixy_error(
			    "%s: the link is down: the rate limiter needs the link speed; wait for the link",
			    dev->name);
			return -1;
		}
		if (bits_per_s < RATE_MIN_BPS || bits_per_s > link_bps) {
			ixy_error("%s: rate %llu bit/s is out of the limiter's range: use %u to %llu bit/s "
			          "(0 removes the limit)",
			          dev->name, (unsigned long long)bits_per_s, RATE_MIN_BPS,
			          (unsigned long long)link_bps);
			return -1;
		}
		uint64_t factor = ((link_bps << IXGBE_RTTBCNRC_RF_INT_SHIFT) + bits_per_s / 2) / bits_per_s;
		value = IXGBE_RTTBCNRC_RS_ENA | (uint32_t)factor;
	}
	reg_write(dev, IXGBE_RTTDQSEL, queue);
	reg_write(dev, IXGBE_RTTBCNRC, value);
	return 0;
}
