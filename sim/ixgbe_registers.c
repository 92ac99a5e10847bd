/* The virtual 82599's register file: which offsets hold a register, 82598 aliases, reset values,
 * clear-on-read statistics, and the behaviour of every register outside the queues (self-clearing
 * and handshake bits, the SW/FW semaphore, the global Rx/reset rules). See ixgbe_model.h. */
#include "ixgbe_port.h"

#include <pthread.h>
#include <string.h>

/* ctr_map[reg/4]: 0 = not a counter, else (idx << 2) | kind, kind 1 = 32-bit, 2 = low, 3 = high */
static uint16_t ctr_map[NREGS];
static uint8_t known_map[NREGS / 8];

static void map_ctr(uint32_t off, unsigned idx, bool is64)
{
	if (is64) {
		ctr_map[off / 4] = (uint16_t)(idx << 2 | 2);
		ctr_map[off / 4 + 1] = (uint16_t)(idx << 2 | 3);
	} else {
		ctr_map[off / 4] = (uint16_t)(idx << 2 | 1);
	}
}

static void known(uint32_t off, unsigned count, uint32_t stride)
{
	for (unsigned i = 0; i < count; i++) {
		uint32_t r = (off + i * stride) / 4;
		known_map[r / 8] |= (uint8_t)(1u << (r % 8));
	}
}

void ixgbe_regs_init(void)
{
	static const struct {
		uint32_t off;
		uint16_t idx;
	} c32[] = {
	    {0x4000, C_CRCERRS}, {0x4004, C_ILLERRC},  {0x4008, C_ERRBC},     {0x4010, C_MSPDC},
	    {0x4034, C_MLFC},    {0x4038, C_MRFC},     {0x4040, C_RLEC},      {0x405C, C_PRC64},
	    {0x4060, C_PRC127},  {0x4064, C_PRC255},   {0x4068, C_PRC511},    {0x406C, C_PRC1023},
	    {0x4070, C_PRC1522}, {0x4074, C_GPRC},     {0x4078, C_BPRC},      {0x407C, C_MPRC},
	    {0x4080, C_GPTC},    {0x40A4, C_RUC},      {0x40A8, C_RFC},       {0x40AC, C_ROC},
	    {0x40B0, C_RJC},     {0x40B4, C_MNGPRC},   {0x40B8, C_MNGPDC},    {0x40D0, C_TPR},
	    {0x40D4, C_TPT},     {0x40D8, C_PTC64},    {0x40DC, C_PTC127},    {0x40E0, C_PTC255},
	    {0x40E4, C_PTC511},  {0x40E8, C_PTC1023},  {0x40EC, C_PTC1522},   {0x40F0, C_MPTC},
	    {0x40F4, C_BPTC},    {0x4120, C_XEC},      {0x41A4, C_LXONRXCNT}, {0x41A8, C_LXOFFRXCNT},
	    {0x3F60, C_LXONTXC}, {0x3F68, C_LXOFFTXC}, {0x41B0, C_RXNFGPC},   {0x2F50, C_RXDGPC},
	    {0x87A0, C_TXDGPC},  {0x8780, C_SSVPC},    {0xCF90, C_MNGPTC},
	};
	static const struct {
		uint32_t off;
		uint16_t idx;
	} c64[] = {
	    {0x4088, C_GORC},    {0x4090, C_GOTC},   {0x40C0, C_TOR},
	    {0x41B4, C_RXNFGBC}, {0x2F54, C_RXDGBC}, {0x87A4, C_TXDGBC},
	};
	for (size_t i = 0; i < sizeof(c32) / sizeof(c32[0]); i++)
		map_ctr(c32[i].off, c32[i].idx, false);
	for (size_t i = 0; i < sizeof(c64) / sizeof(c64[0]); i++)
		map_ctr(c64[i].off, c64[i].idx, true);
	for (unsigned n = 0; n < 8; n++)
		map_ctr(0x3FA0 + 4 * n, C_MPC0 + n, false);
	for (unsigned n = 0; n < 16; n++) {
		map_ctr(0x1030 + 0x40 * n, C_QPRC0 + n, false);
		map_ctr(0x1034 + 0x40 * n, C_QBRC0 + n, true);
		map_ctr(0x1430 + 0x40 * n, C_QPRDC0 + n, false);
		map_ctr(0x8680 + 4 * n, C_QPTC0 + n, false);
		map_ctr(0x8700 + 8 * n, C_QBTC0 + n, true);
	}
	for (unsigned r = 0; r < NREGS; r++)
		if (ctr_map[r])
			known(r * 4, 1, 4);
	/* Section 3.2 - 3.8, 3.10 registers. */
	static const uint32_t singles[] = {
	    R_CTRL,        R_STATUS,    R_CTRL_EXT,  R_ESDP,      R_EICR,      R_EICS,      R_EIAC,
	    R_EIMS,        R_EIMC,      R_EIAM,      R_EITRSEL,   R_GPIE,      R_IVAR_MISC, R_EEC,
	    R_EERD,        R_SWSM,      R_FWSM,      R_GSSR,      R_GCR_EXT,   R_RDRXCTL,   R_PFQDE,
	    R_RXDSTATCTRL, R_RXCTRL,    R_FCCFG,     R_RXCSUM,    R_RFCTL,     R_FCTRL,     R_VLNCTRL,
	    R_MCSTCTRL,    R_SECRXCTRL, R_SECRXSTAT, R_RTTDCS,    R_RTTDQSEL,  R_RTTDT1C,   R_RTTBCNRC,
	    R_DMATXCTL,    R_DTXMXSZRQ, R_MTQC,      R_PFDTXGSWC, R_SECTXCTRL, R_HLREG0,    R_MAXFRS,
	    R_MFLCN,       R_AUTOC,     R_LINKS,     R_AUTOC2,    R_ANLP1,     R_LINKS2,    R_MRQC,
	    R_RQTC,
	};
	for (size_t i = 0; i < sizeof(singles) / sizeof(singles[0]); i++)
		known(singles[i], 1, 4);
	known(0x00820, 24, 4);    /* EITR(0..23) */
	known(R_EITR_HI, 104, 4); /* EITR(24..127) */
	known(0x00900, 64, 4);    /* IVAR */
	known(0x00A90, 2, 4);     /* EICS_EX */
	known(0x00AA0, 2, 4);     /* EIMS_EX */
	known(0x00AB0, 2, 4);     /* EIMC_EX */
	known(0x00AD0, 2, 4);     /* EIAM_EX */
	known(R_RQSMR, 32, 4);
	known(R_RXPBSIZE, 8, 4);
	known(R_FCRTL, 8, 4);
	known(R_FCRTH, 8, 4);
	known(R_MTA, 128, 4);
	known(R_VFTA, 128, 4);
	known(R_RAL, 256, 4);
	known(R_MPSAR, 256, 4);
	known(R_PFVLVF, 64, 4);
	known(R_PFVLVFB, 128, 4);
	known(R_PFUTA, 128, 4);
	known(R_TXPBTHRESH, 8, 4);
	known(R_TQSM, 32, 4);
	known(R_TXPBSIZE, 8, 4);
	known(R_RETA, 32, 4);
	known(R_RSSRK, 10, 4);
	known(R_PSRTYPE, 64, 4);
	static const uint32_t rxo[] = {Q_BAL, Q_BAH, Q_LEN, Q_DCA, Q_HEAD, Q_SRRCTL, Q_TAIL, Q_CTL, Q_RSCCTL};
	static const uint32_t txo[] = {Q_BAL, Q_BAH, Q_LEN, Q_DCA, Q_HEAD, Q_TAIL, Q_CTL, Q_TDWBAL, Q_TDWBAH};
	for (unsigned i = 0; i < 9; i++) {
		known(0x01000 + rxo[i], 64, 0x40);
		known(0x0D000 + rxo[i], 64, 0x40);
		known(0x06000 + txo[i], 128, 0x40);
	}
}

static bool is_known(uint32_t reg)
{
	return known_map[reg / 32] & (1u << ((reg / 4) % 8));
}

/* Maps 82598-compatible alias addresses to the native 82599 register (docs/82599.md, interpretations). */
static uint32_t canon(uint32_t reg)
{
	if (reg == R_CTRL_ALIAS)
		return R_CTRL;
	if (reg >= 0x02100 && reg < 0x02140) /* SRRCTL(0..15) */
		return 0x01014 + 0x40 * ((reg - 0x02100) / 4);
	if (reg >= 0x02200 && reg < 0x02240) /* DCA_RXCTRL(0..15) */
		return 0x0100C + 0x40 * ((reg - 0x02200) / 4);
	if (reg >= 0x05400 && reg < 0x05480) /* RAL/RAH(0..15) */
		return R_RAL + (reg - 0x05400);
	if (reg >= 0x05480 && reg < 0x054C0) /* PSRTYPE(0..15) */
		return R_PSRTYPE + (reg - 0x05480);
	if (reg >= 0x05C00 && reg < 0x05C80) /* RETA */
		return R_RETA + (reg - 0x05C00);
	if (reg >= 0x05C80 && reg < 0x05CA8) /* RSSRK */
		return R_RSSRK + (reg - 0x05C80);
	if (reg == 0x05818) /* MRQC */
		return R_MRQC;
	if (reg >= 0x06000 && reg < 0x06400 && (reg & 0x3F) == 0x30) /* ISC's QPTC(n) */
		return 0x08680 + 4 * ((reg - 0x06000) / 0x40);
	return reg;
}

static void warning(struct ixgbe_model *m, uint32_t reg, const char *what)
{
	uint32_t r = reg / 4;
	bool first = !(m->warned[r / 8] & (1u << (r % 8)));
	m->warned[r / 8] |= (uint8_t)(1u << (r % 8));
	rule_warning(&m->log, first, "%s at 0x%05x", what, reg);
}

/* ---- reset (DS 4.2.1.6.1, 8.2.3.1.1) ---- */
void ixgbe_regs_reset(struct ixgbe_model *m)
{
	memset(m->regs, 0, sizeof(m->regs));
	memset(m->cnt, 0, sizeof(m->cnt));
	memset(m->snap, 0, sizeof(m->snap));
	memset(m->rxq, 0, sizeof(m->rxq));
	memset(m->txq, 0, sizeof(m->txq));
	memset(m->rx_running, 0, sizeof(m->rx_running));
	memset(m->tx_running, 0, sizeof(m->tx_running));
	m->flagged_global = 0;
	m->nsmall = 0;
	m->secrx_rdy_seen = false;
	m->link_was_up = false;
	const uint8_t *mac = m->cfg.mac;
	*reg(m, R_RAL) =
	    (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24;
	*reg(m, R_RAL + 4) = (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | RAH_AV; /* DS 8.2.3.7.9 */
	*reg(m, R_HLREG0) =
	    HLREG0_TXCRCEN | HLREG0_RXCRCSTRP | HLREG0_TXPADEN | (1u << 27); /* DS 8.2.3.22.8 */
	/* CRCSTRIP=0; RSCFRSTSIZE non-zero (exact default not in our sources: 0x8). DS 8.2.3.8.8 */
	*reg(m, R_RDRXCTL) = 0x8u << 17;
	for (unsigned n = 0; n < NQ; n++) {
		*reg(m, rxq_base(n) + Q_DCA) = DCA_RX_BIT12; /* DS 8.2.3.11.1: reserved bit 12 resets to 1 */
		*reg(m, rxq_base(n) + Q_SRRCTL) = 0x2;       /* BSIZEPACKET 2 KB, DESCTYPE legacy */
	}
	*reg(m, R_RXPBSIZE) = 0x200u << 10; /* 512 KB, DS 8.2.3.8.9 */
	*reg(m, R_TXPBSIZE) = 0xA0u << 10;  /* 160 KB, DS 8.2.3.9.13 */
	for (unsigned n = 1; n < 8; n++) {
		*reg(m, R_RXPBSIZE + 4 * n) = 0x200u << 10;
		*reg(m, R_TXPBSIZE + 4 * n) = 0xA0u << 10;
	}
	*reg(m, R_TXPBTHRESH) = 0x96;
	*reg(m, R_RTTDCS) = (1u << 22) | (1u << 23); /* BDPM, BPBFSM: DS 8.2.3.10.2 */
	*reg(m, R_VLNCTRL) = 0x8100;
	*reg(m, R_DMATXCTL) = 0x8100u << 16;
	*reg(m, R_MAXFRS) = 1518u << 16;
	*reg(m, R_AUTOC) = 0x3u << 13;  /* "EEPROM": LMS = 10G serial */
	*reg(m, R_AUTOC2) = 0x2u << 16; /* "EEPROM": 10G PMA/PMD serial = SFI */
	/* The packet buffer is cleared too. */
	pthread_mutex_lock(&m->in.lock);
	while (m->in.count)
		fifo_pop(&m->in);
	m->in.missed = 0;
	m->in.limit = 0x200u << 10;
	pthread_mutex_unlock(&m->in.lock);
	m->rst_done = m->reads + m->cfg.reset_reads;
	m->ard_due = m->rst_done + m->cfg.eeprom_reads;
	m->dmai_due = m->rst_done + m->cfg.dmainit_reads;
	m->link_due = m->rst_done + m->cfg.link_reads;
}

/* ---- counters ---- */
static uint32_t ctr_read(struct ixgbe_model *m, uint32_t r)
{
	uint16_t e = ctr_map[r / 4];
	unsigned idx = e >> 2, kind = e & 3;
	if (idx == C_MPC0) {
		pthread_mutex_lock(&m->in.lock);
		m->cnt[C_MPC0] += m->in.missed;
		m->in.missed = 0;
		pthread_mutex_unlock(&m->in.lock);
	}
	uint64_t v = m->cnt[idx];
	switch (kind) {
	case 1:
		m->cnt[idx] = 0;
		return v > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)v;
	case 2: /* low half: returns it, snapshots the high half for the H read, counter restarts */
		m->snap[idx] = (uint32_t)(v >> 32);
		m->cnt[idx] = 0;
		return (uint32_t)v;
	default: { /* high half: the snapshot taken by the L read, then cleared */
		uint32_t h = m->snap[idx];
		m->snap[idx] = 0;
		return h;
	}
	}
}

static uint32_t ctr_peek(struct ixgbe_model *m, uint32_t r)
{
	uint16_t e = ctr_map[r / 4];
	unsigned idx = e >> 2, kind = e & 3;
	uint64_t v = m->cnt[idx];
	if (idx == C_MPC0)
		v += m->in.missed;
	return kind == 3 ? (uint32_t)(v >> 32) : (uint32_t)v;
}

/* Global Rx configuration checks, done when RXEN goes to 1 (DS 4.6.7). */
static void check_rx_global(struct ixgbe_model *m)
{
	uint32_t h = *reg(m, R_HLREG0), r = *reg(m, R_RDRXCTL);
	if (!!(h & HLREG0_RXCRCSTRP) != !!(r & RDRXCTL_CRCSTRIP) && !(m->flagged_global & FLAG_CRC)) {
		m->flagged_global |= FLAG_CRC;
		rule_violation(&m->log, IXGBE_V14_CRC_STRIP,
		               "HLREG0.RXCRCSTRP=%u but RDRXCTL.CRCSTRIP=%u: both must hold the same value "
		               "(DS 4.6.7, erratum E6, docs/82599.md)",
		               !!(h & HLREG0_RXCRCSTRP), !!(r & RDRXCTL_CRCSTRIP));
	}
	if ((r & RDRXCTL_RSCFRSTSIZE) || !(r & RDRXCTL_RSCACKC) || !(r & RDRXCTL_FCOE_WRFIX))
		rule_violation(&m->log, IXGBE_V15_RDRXCTL_RSC,
		               "RDRXCTL=0x%08x at RXEN: RSCFRSTSIZE must be 0, RSCACKC and FCOE_WRFIX 1 "
		               "(DS 8.2.3.8.8, erratum E5, docs/82599.md)",
		               r);
}

/* Firmware bits of SW_FW_SYNC. A read (side) already counted itself in m->reads; any other
 * look (peek, write) sees what the next read would. */
static uint32_t gssr_fw(const struct ixgbe_model *m, bool side)
{
	return (side ? m->reads <= m->fw_hold_end : m->reads < m->fw_hold_end) ? GSSR_FW_MAC_CSR : 0;
}

/* V26: every queue must read disabled before the reset (DS 4.6.7.1, 4.6.8.1: stop the queue
 * and poll ENABLE; DS 5.2.5.3.2: then master disable). A queue whose ENABLE was cleared but
 * still reads 1 (the disable delay) counts as running. Named once per reset. */
static void check_queues_stopped(struct ixgbe_model *m)
{
	for (unsigned n = 0; n < 2 * NQ; n++) {
		bool rx = n < NQ;
		unsigned qn = rx ? n : n - NQ;
		struct queue *q = rx ? &m->rxq[qn] : &m->txq[qn];
		uint32_t ctl = *reg(m, (rx ? rxq_base(qn) : txq_base(qn)) + Q_CTL);
		if ((ctl & XDCTL_ENABLE) || m->reads < q->dis_due) {
			rule_violation(
			    &m->log, IXGBE_V26_RESET_QUEUE_ENABLED,
			    "CTRL.RST/LRST written while %cXDCTL(%u).ENABLE still reads 1: clear ENABLE "
			    "of every queue and wait until it reads 0 before the master disable and the "
			    "reset (DS 4.6.7.1, 4.6.8.1, 5.2.5.3.2)",
			    rx ? 'R' : 'T', qn);
			return;
		}
	}
}

/* ---- register access ---- */
static uint32_t rd(struct ixgbe_model *m, uint32_t r, bool side)
{
	if (ctr_map[r / 4])
		return side ? ctr_read(m, r) : ctr_peek(m, r);
	if (is_rxq_reg(r) || is_txq_reg(r))
		return ixgbe_queue_read(m, r, side);
	switch (r) {
	case R_CTRL:
		return *reg(m, r) | (in_reset(m) ? CTRL_RST | CTRL_LRST : 0);
	case R_STATUS: {
		uint32_t v = (m->cfg.port & 1) << 2;
		if (link_up(m))
			v |= 1u << 7;
		/* No DMA is ever pending between steps, so master disable takes effect at once,
		 * except with cfg.stuck_master (erratum E10, docs/82599.md): then only after the flush. */
		if (!(*reg(m, R_CTRL) & CTRL_MASTER_DIS) || (m->cfg.stuck_master && !m->master_flushed))
			v |= STATUS_MASTER_EN;
		return v;
	}
	case R_ESDP: {
		/* SDP2 as input (DIR=0) reads the cage's module-present pin (DS 8.2.3.1.4; erratum E13,
		 * docs/82599.md). */
		uint32_t v = *reg(m, r);
		if (!(v & ESDP_SDP2_DIR))
			v = (v & ~ESDP_SDP2) | (m->cfg.sfp_cage_empty ? 0 : ESDP_SDP2);
		return v;
	}
	case R_EEC:
		return *reg(m, r) | (m->reads >= m->ard_due ? EEC_ARD | EEC_PRES : 0);
	case R_RDRXCTL:
		return *reg(m, r) | (m->reads >= m->dmai_due ? RDRXCTL_DMAIDONE : 0);
	case R_EICR: {
		uint32_t v = *reg(m, r);
		if (side)
			*reg(m, r) = 0;
		pthread_mutex_lock(&m->in.lock);
		if (m->in.miss_irq)
			v |= EICR_RX_MISS;
		if (side)
			m->in.miss_irq = false;
		pthread_mutex_unlock(&m->in.lock);
		return v;
	}
	case R_EIMC:
	case R_EICS:
		return 0;
	case R_SECRXSTAT: {
		bool rdy = *reg(m, R_SECRXCTRL) & SECRXCTRL_RX_DIS;
		if (rdy && side)
			m->secrx_rdy_seen = true;
		return rdy ? 1u : 0u;
	}
	case R_AUTOC:
		return *reg(m, r) | (m->reads < m->link_due ? AUTOC_RESTART_AN : 0);
	case R_SWSM: {
		uint32_t v = m->swsm;
		if (side)
			m->swsm |= SWSM_SMBI; /* read-to-set: the read that finds SMBI=0 takes it */
		return v;
	}
	case R_GSSR:
		return m->gssr_sw | gssr_fw(m, side);
	case R_LINKS:
		if (link_up(m)) {
			if (!m->link_was_up && side) {
				m->link_was_up = true;
				*reg(m, R_EICR) |= EICR_LSC;
			}
			return (1u << 31) | (1u << 30) | (3u << 28);
		}
		return 0;
	default:
		return *reg(m, r);
	}
}

static void wr(struct ixgbe_model *m, uint32_t r, uint32_t v)
{
	if (in_reset(m) && r != R_CTRL) {
		rule_violation(
		    &m->log, IXGBE_V1_WRITE_IN_RESET,
		    "register 0x%05x written while CTRL.RST/LRST is still in progress: wait for it to "
		    "self-clear (DS 8.2.3.1.1)",
		    r);
		return;
	}
	if (ctr_map[r / 4]) {
		warning(m, r, "write to a read-only statistics register ignored");
		return;
	}
	if (is_rxq_reg(r)) {
		ixgbe_rxq_write(m, r, v);
		return;
	}
	if (is_txq_reg(r)) {
		ixgbe_txq_write(m, r, v);
		return;
	}
	switch (r) {
	case R_CTRL:
		if (v & (CTRL_RST | CTRL_LRST)) {
			/* V22: STATUS.19 as it reads now; only a violation while DMA can be in flight (a
			 * queue has ENABLE set) or a started master disable has not finished. */
			bool pending = rd(m, R_STATUS, false) & STATUS_MASTER_EN;
			bool dma = m->rx_running[0] | m->rx_running[1] | m->tx_running[0] | m->tx_running[1];
			if (pending && (dma || (*reg(m, R_CTRL) & CTRL_MASTER_DIS)))
				rule_violation(
				    &m->log, IXGBE_V22_RESET_PENDING,
				    "CTRL.RST written while STATUS.19 shows PCIe transactions pending: "
				    "master-disable and flush first (DS 5.2.5.3.2, erratum E10, "
				    "docs/82599.md)");
			check_queues_stopped(m);
			/* LRST is modelled as a full reset too (both self-clear). */
			ixgbe_regs_reset(m);
			/* The reset returns CTRL to its default too, which ends a PCIe master
			 * disable (DS 5.2.5.3.2): drivers set bit 2, reset, and never clear it. */
			*reg(m, R_CTRL) = 0;
			return;
		}
		*reg(m, r) = v;
		return;
	case R_STATUS:
	case R_LINKS:
	case R_LINKS2:
	case R_FWSM:
	case R_SECRXSTAT:
	case R_ANLP1:
		warning(m, r, "write to a read-only register ignored");
		return;
	case R_EICR: /* write 1 to clear */
		*reg(m, r) &= ~v;
		if (v & EICR_RX_MISS) {
			pthread_mutex_lock(&m->in.lock);
			m->in.miss_irq = false;
			pthread_mutex_unlock(&m->in.lock);
		}
		return;
	case R_EICS:
		*reg(m, R_EICR) |= v;
		return;
	case R_EIMS: /* write 1 to set; 0 has no effect */
		*reg(m, r) |= v;
		return;
	case R_EIMC:
		*reg(m, R_EIMS) &= ~v;
		return;
	case R_EEC:
		*reg(m, r) = v & ~(EEC_ARD | EEC_PRES);
		return;
	case R_GCR_EXT: /* E10 flush: Buffers_Clear_Func written 1 while HLREG0.LPBK=1 */
		*reg(m, r) = v;
		if ((v & GCR_EXT_BUFFERS_CLEAR) && (*reg(m, R_HLREG0) & HLREG0_LPBK))
			m->master_flushed = true;
		return;
	case R_EERD: /* EEPROM word read: done at once, data 0 */
		*reg(m, r) = (v & 1) ? (v & 0xFFFC) | 2 : v;
		return;
	case R_RDRXCTL:
		*reg(m, r) = v & ~RDRXCTL_DMAIDONE;
		return;
	case R_RXCTRL: {
		bool was = *reg(m, r) & RXCTRL_RXEN;
		*reg(m, r) = v;
		if ((v & RXCTRL_RXEN) && !was) {
			if (m->cfg.check_secrx &&
			    (!(*reg(m, R_SECRXCTRL) & SECRXCTRL_RX_DIS) || !m->secrx_rdy_seen))
				rule_violation(
				    &m->log, IXGBE_V16_SECRX,
				    "RXCTRL.RXEN set without the SECRXCTRL.RX_DIS=1 / SECRXSTAT.SECRX_RDY "
				    "handshake (DS 4.6.7, erratum E1, docs/82599.md)");
			check_rx_global(m);
		}
		return;
	}
	case R_SECRXCTRL:
		if (!(v & SECRXCTRL_RX_DIS))
			m->secrx_rdy_seen = false;
		*reg(m, r) = v;
		return;
	case R_RXPBSIZE: /* the packet buffer the wire FIFO models */
		*reg(m, r) = v;
		pthread_mutex_lock(&m->in.lock);
		m->in.limit = (size_t)((v >> 10) & 0x3FF) << 10;
		pthread_mutex_unlock(&m->in.lock);
		return;
	case R_SWSM: /* SMBI: only cleared by a write (set by a read); SWESMBI: RW */
		m->swsm = (m->swsm & v & SWSM_SMBI) | (v & SWSM_SWESMBI);
		return;
	case R_GSSR: {
		/* V23/V24: software bits 4:0 only under SWSM.SWESMBI, never over a firmware bit. The
		 * write still takes effect; the firmware bits 9:5 are read-only to software. */
		uint32_t sw = v & GSSR_SW_MASK, fw = gssr_fw(m, false) >> GSSR_FW_SHIFT;
		if (!(m->swsm & SWSM_SWESMBI))
			rule_violation(
			    &m->log, IXGBE_V23_SWFW_NO_SWESMBI,
			    "SW_FW_SYNC (0x10160) written 0x%03x without holding SWSM.SWESMBI: take "
			    "SWSM.SMBI and SWESMBI first (DS 4.6.4, 10.5.4)",
			    v);
		if (sw & ~m->gssr_sw & fw)
			rule_violation(
			    &m->log, IXGBE_V24_SWFW_FW_OWNED,
			    "SW_FW_SYNC software bit(s) 0x%02x set while firmware owns them (bits 9:5): "
			    "wait for firmware to release (DS 4.6.4, 10.5.4)",
			    sw & ~m->gssr_sw & fw);
		m->gssr_sw = sw;
		return;
	}
	case R_AUTOC:
		if (m->cfg.lesm_firmware && !(m->gssr_sw & GSSR_MAC_CSR))
			rule_violation(
			    &m->log, IXGBE_V25_AUTOC_LESM,
			    "AUTOC written without the SW/FW semaphore (SW_FW_SYNC MAC_CSR) while LESM "
			    "firmware runs (DS 4.6.4, erratum E12, docs/82599.md)");
		if (v & AUTOC_RESTART_AN)
			m->link_due = m->reads + m->cfg.link_reads;
		*reg(m, r) = v & ~AUTOC_RESTART_AN;
		return;
	default:
		*reg(m, r) = v;
	}
}

uint32_t ixgbe_model_read32(void *ctx, uint32_t r)
{
	struct ixgbe_model *m = ctx;
	uint32_t v = 0;
	pthread_mutex_lock(&m->lock);
	m->reads++;
	if ((r & 3) || r >= REGS_SIZE) {
		warning(m, r & ~3u, r >= REGS_SIZE ? "read beyond the register space" : "unaligned read");
	} else {
		uint32_t c = canon(r);
		if (!is_known(c))
			warning(m, r, "read of an offset with no register (returns 0)");
		else
			v = rd(m, c, true);
	}
	pthread_mutex_unlock(&m->lock);
	return v;
}

void ixgbe_model_write32(void *ctx, uint32_t r, uint32_t v)
{
	struct ixgbe_model *m = ctx;
	pthread_mutex_lock(&m->lock);
	if ((r & 3) || r >= REGS_SIZE) {
		warning(m, r & ~3u, r >= REGS_SIZE ? "write beyond the register space" : "unaligned write");
	} else {
		uint32_t c = canon(r);
		if (!is_known(c))
			warning(m, r, "write to an offset with no register (ignored)");
		else
			wr(m, c, v);
	}
	pthread_mutex_unlock(&m->lock);
}

uint32_t ixgbe_model_peek32(struct ixgbe_model *m, uint32_t r)
{
	uint32_t v = 0;
	pthread_mutex_lock(&m->lock);
	if (!(r & 3) && r < REGS_SIZE && is_known(canon(r)))
		v = rd(m, canon(r), false);
	pthread_mutex_unlock(&m->lock);
	return v;
}

uint64_t ixgbe_model_dma_map(void *ctx, void *virt, size_t len)
{
	struct ixgbe_model *m = ctx;
	return ixgbe_bus_map(m->bus, virt, len);
}

void ixgbe_model_hw_ops(struct ixgbe_model *m, struct ixy_hw_ops *ops, const char *name)
{
	memset(ops, 0, sizeof(*ops));
	ops->ctx = m;
	ops->name = name ? name : m->name;
	ops->vendor_id = 0x8086;
	ops->device_id = 0x10FB;
	ops->read32 = ixgbe_model_read32;
	ops->write32 = ixgbe_model_write32;
	ops->dma_map = ixgbe_model_dma_map;
}
