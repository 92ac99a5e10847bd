/* The Rx engine of the virtual 82599 (DS 7.1): L2 filter, size checks, queue choice (ixgbe_rss.c), DMA
 * of a frame into the descriptors of its queue, write-back and statistics. */
#include "ixgbe_port.h"

#include <string.h>

static bool rx_filter(struct ixgbe_model *m, const uint8_t *d, uint32_t len)
{
	uint32_t fctrl = *reg(m, R_FCTRL);
	static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	bool pass;
	if (!memcmp(d, bcast, 6)) {
		pass = fctrl & (FCTRL_BAM | FCTRL_MPE);
	} else {
		uint32_t lo =
		    (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
		uint32_t hi = (uint32_t)d[4] | (uint32_t)d[5] << 8;
		bool exact = false;
		for (unsigned i = 0; i < 128 && !exact; i++) {
			uint32_t rah = *reg(m, R_RAL + 8 * i + 4);
			exact = (rah & RAH_AV) && (rah & 0xFFFF) == hi && *reg(m, R_RAL + 8 * i) == lo;
		}
		if (d[0] & 1) { /* multicast */
			uint32_t mc = *reg(m, R_MCSTCTRL);
			unsigned sh = (mc & 3) == 3 ? 0 : 4 - (mc & 3);
			uint32_t vec = (((uint32_t)d[4] >> sh) | ((uint32_t)d[5] << (8 - sh))) & 0xFFF;
			bool hash = (mc & 4) && (*reg(m, R_MTA + 4 * (vec >> 5)) & (1u << (vec & 31)));
			pass = (fctrl & FCTRL_MPE) || hash || exact;
		} else {
			pass = (fctrl & FCTRL_UPE) || exact;
		}
	}
	/* VLAN filter (VLNCTRL.VFE) for tagged frames */
	uint32_t vln = *reg(m, R_VLNCTRL);
	if (pass && (vln & (1u << 30)) && len >= 18 && ((uint32_t)d[12] << 8 | d[13]) == (vln & 0xFFFF)) {
		uint32_t vid = ((uint32_t)d[14] << 8 | d[15]) & 0xFFF;
		pass = *reg(m, R_VFTA + 4 * (vid >> 5)) & (1u << (vid & 31));
	}
	return pass;
}

static unsigned rx_stat_index(struct ixgbe_model *m, unsigned qn)
{
	return (*reg(m, R_RQSMR + 4 * (qn / 4)) >> (8 * (qn % 4))) & 0xF;
}

/* SRRCTL(qn).BSIZEPACKET in bytes (0 reads as 1 KB; V10 flags it at enable). */
static uint32_t rx_bsize(struct ixgbe_model *m, unsigned qn)
{
	uint32_t bsize = (*reg(m, rxq_base(qn) + Q_SRRCTL) & SRRCTL_BSIZE_MASK) * 1024u;
	return bsize ? bsize : 1024;
}

void ixgbe_rx_check_buffer(struct ixgbe_model *m, unsigned qn, uint64_t addr)
{
	uint32_t bsize = rx_bsize(m, qn);
	/* Fits, or lies in no region at all: a DMA fault (V12) if the device ever writes there. */
	if (ixgbe_bus_translate(m->bus, addr, bsize) || !ixgbe_bus_translate(m->bus, addr, 1))
		return;
	for (unsigned i = 0; i < m->nsmall; i++)
		if (m->small_bufs[i] == addr)
			return;
	if (m->nsmall < SMALL_BUFS_KEPT)
		m->small_bufs[m->nsmall++] = addr;
	rule_violation(&m->log, IXGBE_V11_RX_BUF_SIZE,
	               "SRRCTL(%u).BSIZEPACKET=%u KB but the buffer posted at bus 0x%llx does not have that "
	               "many bytes inside its DMA region (DS 8.2.3.8.7)",
	               qn, bsize / 1024, (unsigned long long)addr);
}

/* Returns 1 if the frame was consumed (delivered or dropped), 0 if it must wait. */
int ixgbe_rx_frame(struct ixgbe_model *m, const uint8_t *d, uint32_t len, bool bad_fcs, bool lossless,
                   uint64_t at)
{
	/* RXEN=0, or the Rx security block still disabled (SECRXCTRL.RX_DIS=1, E1 sequence not
	 * finished): nothing is received, nothing counted. */
	if (!(*reg(m, R_RXCTRL) & RXCTRL_RXEN) || (*reg(m, R_SECRXCTRL) & SECRXCTRL_RX_DIS) || in_reset(m) ||
	    (*reg(m, R_CTRL) & CTRL_MASTER_DIS))
		return lossless ? 0 : 1;
	uint32_t wire = len + 4; /* with FCS */
	if (!bad_fcs) {
		m->cnt[C_RXNFGPC]++;
		m->cnt[C_RXNFGBC] += wire;
	}
	if (bad_fcs) {
		m->cnt[C_CRCERRS]++;
		if (!(*reg(m, R_FCTRL) & FCTRL_SBP))
			return 1;
	}
	if (len < 14 || wire < 64) {
		m->cnt[C_RUC]++;
		return 1;
	}
	uint32_t maxlen = (*reg(m, R_HLREG0) & HLREG0_JUMBOEN) ? *reg(m, R_MAXFRS) >> 16 : 1518;
	if (len >= 16 && ((uint32_t)d[12] << 8 | d[13]) == 0x8100)
		maxlen += 4;
	if (wire > maxlen) {
		m->cnt[C_ROC]++;
		return 1;
	}
	if (!rx_filter(m, d, len))
		return 1;
	const unsigned qn = ixgbe_rss_queue(m, d, len);
	struct queue *q = &m->rxq[qn];
	uint32_t b = rxq_base(qn);
	uint32_t ctl = *reg(m, b + Q_CTL), srr = *reg(m, b + Q_SRRCTL);
	unsigned si = rx_stat_index(m, qn);
	if (!q_running(m, q, ctl) || !q->ring) {
		if (lossless)
			return 0;
		ixgbe_ts_rx(m, d, len, at); /* stamped in the MAC; the latch stays taken (T6) */
		m->cnt[C_QPRDC0 + si]++;
		return 1;
	}
	bool strip = *reg(m, R_HLREG0) & HLREG0_RXCRCSTRP;
	if (!!strip != !!(*reg(m, R_RDRXCTL) & RDRXCTL_CRCSTRIP) && !(m->flagged_global & FLAG_CRC)) {
		m->flagged_global |= FLAG_CRC;
		rule_violation(&m->log, IXGBE_V14_CRC_STRIP,
		               "HLREG0.RXCRCSTRP=%u but RDRXCTL.CRCSTRIP=%u while receiving (DS 4.6.7, "
		               "erratum E6, docs/82599.md)",
		               strip, !strip);
	}
	if ((*reg(m, b + Q_DCA) & DCA_RX_BIT12) && !(q->flagged & FLAG_DCA)) {
		q->flagged |= FLAG_DCA;
		rule_violation(
		    &m->log, IXGBE_V13_DCA_BIT12,
		    "DCA_RXCTRL(%u) bit 12 is still 1 while the queue receives: it resets to 1 and "
		    "must be written 0 (DS 8.2.3.11.1, erratum E2, docs/82599.md)",
		    qn);
	}
	uint32_t dmalen = strip ? len : len + 4;
	uint32_t bsize = rx_bsize(m, qn);
	uint32_t ndesc = (dmalen + bsize - 1) / bsize;
	uint32_t avail = (q->tail + q->size - q->head) % q->size;
	if (ndesc > avail) {
		if (ndesc >= q->size) { /* can never fit */
			ixgbe_ts_rx(m, d, len, at);
			m->cnt[C_QPRDC0 + si]++;
			return 1;
		}
		if (lossless)
			return 0;
		if (srr & SRRCTL_DROP_EN) {
			ixgbe_ts_rx(m, d, len, at);
			m->cnt[C_QPRDC0 + si]++;
			return 1;
		}
		return 0; /* waits in the packet buffer */
	}
	/* The frame as DMA'd: data plus, without stripping, the FCS. */
	const uint8_t *src = d;
	if (!strip) {
		uint32_t fcs = wire_fcs32(d, len);
		memcpy(m->scratch, d, len);
		memcpy(m->scratch + len, &fcs, 4);
		src = m->scratch;
	}
	bool legacy = SRRCTL_DESCTYPE(srr) == 0;
	bool stamped = ixgbe_ts_rx(m, d, len, at);
	uint32_t done = 0;
	for (uint32_t i = 0; i < ndesc; i++) {
		uint8_t *desc = q->ring + 16 * q->head;
		uint64_t addr;
		memcpy(&addr, desc, 8);
		uint32_t chunk = dmalen - done < bsize ? dmalen - done : bsize;
		bool eop = i == ndesc - 1;
		void *buf = ixgbe_bus_translate(m->bus, addr, bsize);
		uint32_t err = 0;
		if (!buf) {
			buf = ixgbe_bus_translate(m->bus, addr, chunk);
			if (buf)
				ixgbe_rx_check_buffer(m, qn, addr); /* named once, when it was posted */
			else
				rule_violation(
				    &m->log, IXGBE_V12_DMA_FAULT,
				    "DMA fault: Rx buffer address 0x%llx (descriptor %u of ring %u) is not "
				    "inside a registered DMA region (a virtual address?)",
				    (unsigned long long)addr, q->head, qn);
		}
		if (buf)
			memcpy(buf, src + done, chunk);
		else
			err = 1u << 29;                 /* RXE */
		uint32_t status = 1u | (eop ? 2u : 0u); /* DD, EOP */
		if (eop && stamped)
			status |= 1u << 16; /* TS: this frame's stamp is in RXSTMPL/H (DS 7.9) */
		if (legacy) {
			uint16_t l16 = (uint16_t)chunk;
			memcpy(desc + 8, &l16, 2);
			memset(desc + 10, 0, 2);
			desc[13] = err ? 1 : 0;
			memset(desc + 14, 0, 2);
			__atomic_store_n(desc + 12, (uint8_t)status, __ATOMIC_RELEASE);
		} else {
			memset(desc, 0, 8);
			/* Status, errors, length and VLAN in one store (a NIC writes the descriptor in one
			 * PCIe write), last and with release ordering, as the driver polls them. */
			uint64_t upper = (uint64_t)chunk << 32 | status | err;
			__atomic_store_n((uint64_t *)(void *)(desc + 8), upper, __ATOMIC_RELEASE);
			ixgbe_hostile_rx(&m->hostile, q, qn, q->head);
		}
		done += chunk;
		q->head = (q->head + 1) % q->size;
	}
	unsigned bk = size_bucket(wire);
	m->cnt[C_GPRC]++;
	m->cnt[C_GORC] += wire;
	m->cnt[C_TPR]++;
	m->cnt[C_TOR] += wire;
	m->cnt[C_PRC64 + bk]++;
	if (d[0] & 1) {
		static const uint8_t bc[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
		m->cnt[memcmp(d, bc, 6) ? C_MPRC : C_BPRC]++;
	}
	m->cnt[C_QPRC0 + si]++;
	m->cnt[C_QBRC0 + si] += dmalen;
	m->cnt[C_RXDGPC]++;
	m->cnt[C_RXDGBC] += dmalen;
	ixgbe_irq_cause(m, qn, false); /* the frame is written back: the queue's cause (DS 7.3.4) */
	return 1;
}
