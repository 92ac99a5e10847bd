/* The Rx engine of the virtual 82599 (DS 7.1): L2 filter, RSS queue choice, size checks, DMA
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

/* RSS (fact sheet 3.10; MRQC DS 8.2.3.7.12): with MRQC.MRQE = 0001, an IPv4 frame's Toeplitz hash
 * over source and destination address (plus the ports for TCP/UDP when MRQC enables that type)
 * with the RSSRK key picks RETA entry hash & 0x7F, whose low 4 bits are the queue. Key byte 4i+j
 * is RSSRK(i) bits 8j+7:8j. Everything else, and every other MRQE mode, goes to queue 0. */
static unsigned rss_queue(struct ixgbe_model *m, const uint8_t *d, uint32_t len)
{
	uint32_t mrqc = *reg(m, R_MRQC);
	if ((mrqc & 0xF) != 1 || len < 34 || d[12] != 0x08 || d[13] != 0x00 || d[14] >> 4 != 4)
		return 0;
	uint32_t ihl = (d[14] & 0xFu) * 4;
	bool fragment = (d[20] & 0x3F) || d[21];
	uint8_t in[12];
	size_t n = 8;
	memcpy(in, d + 26, 8);
	bool tcp = d[23] == 6 && (mrqc & (1u << 16)), udp = d[23] == 17 && (mrqc & (1u << 22));
	if ((tcp || udp) && !fragment && len >= 14 + ihl + 4) {
		memcpy(in + 8, d + 14 + ihl, 4);
		n = 12;
	} else if (!(mrqc & (1u << 17))) {
		return 0;
	}
	uint8_t key[40];
	for (unsigned i = 0; i < 40; i++)
		key[i] = (uint8_t)(*reg(m, R_RSSRK + 4 * (i / 4)) >> (8 * (i % 4)));
	uint32_t hash = 0, window = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	for (size_t bit = 0; bit < n * 8; bit++) {
		if (in[bit / 8] & (0x80 >> (bit % 8)))
			hash ^= window;
		size_t next = bit + 32; /* the key bit that slides into the window */
		window = window << 1 | (next < 320 ? (key[next / 8] >> (7 - next % 8)) & 1u : 0);
	}
	unsigned entry = hash & 0x7F;
	return (*reg(m, R_RETA + 4 * (entry / 4)) >> (8 * (entry % 4))) & 0xF;
}

/* Returns 1 if the frame was consumed (delivered or dropped), 0 if it must wait. */
int ixgbe_rx_frame(struct ixgbe_model *m, const uint8_t *d, uint32_t len, bool bad_fcs, bool lossless)
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
	const unsigned qn = rss_queue(m, d, len);
	struct queue *q = &m->rxq[qn];
	uint32_t b = rxq_base(qn);
	uint32_t ctl = *reg(m, b + Q_CTL), srr = *reg(m, b + Q_SRRCTL);
	unsigned si = rx_stat_index(m, qn);
	if (!q_running(m, q, ctl) || !q->ring) {
		if (lossless)
			return 0;
		m->cnt[C_QPRDC0 + si]++;
		return 1;
	}
	bool strip = *reg(m, R_HLREG0) & HLREG0_RXCRCSTRP;
	if (!!strip != !!(*reg(m, R_RDRXCTL) & RDRXCTL_CRCSTRIP) && !(m->flagged_global & FLAG_CRC)) {
		m->flagged_global |= FLAG_CRC;
		rule_violation(
		    &m->log,
		    "HLREG0.RXCRCSTRP=%u but RDRXCTL.CRCSTRIP=%u while receiving (DS 4.6.7, erratum E6)",
		    strip, !strip);
	}
	if ((*reg(m, b + Q_DCA) & DCA_RX_BIT12) && !(q->flagged & FLAG_DCA)) {
		q->flagged |= FLAG_DCA;
		rule_violation(
		    &m->log,
		    "DCA_RXCTRL(%u) bit 12 is still 1 while the queue receives: it resets to 1 and "
		    "must be written 0 (DS 8.2.3.11.1, erratum E2)",
		    qn);
	}
	uint32_t dmalen = strip ? len : len + 4;
	uint32_t bsize = (srr & SRRCTL_BSIZE_MASK) * 1024u;
	if (!bsize)
		bsize = 1024;
	uint32_t ndesc = (dmalen + bsize - 1) / bsize;
	uint32_t avail = (q->tail + q->size - q->head) % q->size;
	if (ndesc > avail) {
		if (ndesc >= q->size) { /* can never fit */
			m->cnt[C_QPRDC0 + si]++;
			return 1;
		}
		if (lossless)
			return 0;
		if (srr & SRRCTL_DROP_EN) {
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
				rule_violation(
				    &m->log,
				    "SRRCTL(%u).BSIZEPACKET=%u KB but the buffer posted at bus 0x%llx "
				    "does not "
				    "have that many bytes inside its DMA region (DS 8.2.3.8.7)",
				    qn, bsize / 1024, (unsigned long long)addr);
			else
				rule_violation(
				    &m->log,
				    "DMA fault: Rx buffer address 0x%llx (descriptor %u of ring %u) is not "
				    "inside a registered DMA region (a virtual address?)",
				    (unsigned long long)addr, q->head, qn);
		}
		if (buf)
			memcpy(buf, src + done, chunk);
		else
			err = 1u << 29;                 /* RXE */
		uint32_t status = 1u | (eop ? 2u : 0u); /* DD, EOP */
		if (legacy) {
			uint16_t l16 = (uint16_t)chunk;
			memcpy(desc + 8, &l16, 2);
			memset(desc + 10, 0, 2);
			desc[13] = err ? 1 : 0;
			memset(desc + 14, 0, 2);
			__atomic_store_n(desc + 12, (uint8_t)status, __ATOMIC_RELEASE);
		} else {
			uint32_t lenvlan = chunk;
			memset(desc, 0, 8);
			memcpy(desc + 12, &lenvlan, 4);
			/* The status dword goes last, with release ordering, as the driver polls it. */
			__atomic_store_n((uint32_t *)(void *)(desc + 8), status | err, __ATOMIC_RELEASE);
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
	return 1;
}
