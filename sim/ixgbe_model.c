/* Behavioural 82599 model; see ixgbe_model.h for what is modelled and checked.
 * Register numbers and bits are written by hand from 82599-facts.md (datasheet Rev 3.3 sections
 * in the comments). */
#include "ixgbe_model.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- register map (DS 8.2.3; offsets per fact sheet section 3) ---- */
#define R_CTRL 0x00000       /* DS 8.2.3.1.1 */
#define R_CTRL_ALIAS 0x00004 /* DS 8.2.3.1.1 (VPP) */
#define CTRL_MASTER_DIS (1u << 2)
#define CTRL_LRST (1u << 3)
#define CTRL_RST (1u << 26)
#define R_STATUS 0x00008 /* DS 8.2.3.1.2: 3:2 LAN ID, 7 link up, 19 master enable status */
#define R_CTRL_EXT 0x00018
#define R_ESDP 0x00020      /* DS 8.2.3.1.4: 7:0 SDP data, 15:8 SDP direction (1 = output) */
#define ESDP_SDP2 (1u << 2) /* SFP+ parts: 1 = a module sits in the cage (fact sheet 3.2) */
#define ESDP_SDP2_DIR (1u << 10)
#define R_EICR 0x00800 /* DS 8.2.3.5.1 */
#define EICR_RX_MISS (1u << 17)
#define EICR_LSC (1u << 20)
#define R_EICS 0x00808
#define R_EIAC 0x00810
#define R_EIMS 0x00880
#define R_EIMC 0x00888
#define R_EIAM 0x00890
#define R_EITRSEL 0x00894
#define R_GPIE 0x00898
#define R_IVAR_MISC 0x00A00
#define R_EEC 0x10010 /* DS 8.2.3.2.1: 8 PRES, 9 ARD */
#define EEC_PRES (1u << 8)
#define EEC_ARD (1u << 9)
#define R_EERD 0x10014
#define R_SWSM 0x10140
#define R_FWSM 0x10148
#define R_GSSR 0x10160
#define R_GCR_EXT 0x11050
#define GCR_EXT_BUFFERS_CLEAR (1u << 30) /* Buffers_Clear_Func: the E10 flush (DS 5.2.5.3.2) */
#define STATUS_MASTER_EN (1u << 19)
#define R_RDRXCTL 0x02F00 /* DS 8.2.3.8.8 */
#define RDRXCTL_CRCSTRIP (1u << 1)
#define RDRXCTL_DMAIDONE (1u << 3)
#define RDRXCTL_RSCFRSTSIZE (0x1Fu << 17)
#define RDRXCTL_RSCACKC (1u << 25)
#define RDRXCTL_FCOE_WRFIX (1u << 26)
#define R_PFQDE 0x02F04
#define R_RXDSTATCTRL 0x02F40
#define R_RQSMR 0x02300  /* +4n, n<32 */
#define R_RXCTRL 0x03000 /* DS 8.2.3.8.10: 0 RXEN */
#define RXCTRL_RXEN 1u
#define R_RXPBSIZE 0x03C00 /* +4n, n<8, KB at 19:10 */
#define R_FCRTL 0x03220
#define R_FCRTH 0x03260
#define R_FCCFG 0x03D00
#define R_RXCSUM 0x05000
#define R_RFCTL 0x05008
#define R_FCTRL 0x05080 /* DS 8.2.3.7.1 */
#define FCTRL_SBP (1u << 1)
#define FCTRL_MPE (1u << 8)
#define FCTRL_UPE (1u << 9)
#define FCTRL_BAM (1u << 10)
#define R_VLNCTRL 0x05088  /* 15:0 VET, 30 VFE */
#define R_MCSTCTRL 0x05090 /* 1:0 MO, 2 MFE */
#define R_MTA 0x05200      /* +4n, n<128 */
#define R_VFTA 0x0A000     /* +4n, n<128 */
#define R_RAL 0x0A200      /* +8n, n<128; RAH = RAL + 4 (DS 8.2.3.7.9) */
#define RAH_AV (1u << 31)
#define R_MPSAR 0x0A600
#define R_PFVLVF 0x0F100
#define R_PFVLVFB 0x0F200
#define R_PFUTA 0x0F400
#define R_SECRXCTRL 0x08D00 /* 1 RX_DIS */
#define SECRXCTRL_RX_DIS (1u << 1)
#define R_SECRXSTAT 0x08D04 /* 0 SECRX_RDY */
#define R_RTTDCS 0x04900    /* DS 8.2.3.10.2: 6 ARBDIS */
#define RTTDCS_ARBDIS (1u << 6)
#define R_RTTDQSEL 0x04904
#define R_RTTDT1C 0x04908
#define R_TXPBTHRESH 0x04950
#define R_RTTBCNRC 0x04984
#define R_DMATXCTL 0x04A80 /* 0 TE */
#define DMATXCTL_TE 1u
#define R_DTXMXSZRQ 0x08100
#define R_MTQC 0x08120
#define R_PFDTXGSWC 0x08220
#define R_TQSM 0x08600
#define R_TXPBSIZE 0x0CC00
#define R_SECTXCTRL 0x08800
#define R_HLREG0 0x04240 /* DS 8.2.3.22.8 */
#define HLREG0_TXCRCEN (1u << 0)
#define HLREG0_RXCRCSTRP (1u << 1)
#define HLREG0_JUMBOEN (1u << 2)
#define HLREG0_TXPADEN (1u << 10)
#define HLREG0_LPBK (1u << 15)
#define R_MAXFRS 0x04268 /* 31:16 MFS incl. CRC */
#define R_MFLCN 0x04294
#define R_AUTOC 0x042A0 /* DS 8.2.3.22.19 */
#define AUTOC_RESTART_AN (1u << 12)
#define R_LINKS 0x042A4 /* 30 LINK_UP, 29:28 speed, 31 AN complete */
#define R_AUTOC2 0x042A8
#define SWSM_SMBI (1u << 0)
#define SWSM_SWESMBI (1u << 1)
#define GSSR_SW_MASK 0x1Fu        /* bits 4:0: software ownership */
#define GSSR_FW_SHIFT 5           /* bits 9:5: firmware ownership, same order */
#define GSSR_MAC_CSR (1u << 3)    /* software MAC_CSR */
#define GSSR_FW_MAC_CSR (1u << 8) /* firmware MAC_CSR */
#define R_ANLP1 0x042B0
#define R_LINKS2 0x04324
#define R_MRQC 0x0EC80
#define R_RETA 0x0EB00
#define R_RSSRK 0x0EB80
#define R_RQTC 0x0EC70
#define R_PSRTYPE 0x0EA00
#define R_EITR_HI 0x12300 /* EITR(24..127) */

/* Per-queue offsets (DS 8.2.3.8 Rx: 0x01000+0x40n / 0x0D000+0x40(n-64); DS 8.2.3.9 Tx: 0x06000+0x40n) */
#define Q_BAL 0x00
#define Q_BAH 0x04
#define Q_LEN 0x08
#define Q_DCA 0x0C
#define Q_HEAD 0x10
#define Q_SRRCTL 0x14
#define Q_TAIL 0x18
#define Q_CTL 0x28
#define Q_RSCCTL 0x2C
#define Q_TDWBAL 0x38
#define Q_TDWBAH 0x3C
#define XDCTL_ENABLE (1u << 25)
#define XDCTL_SWFLSH (1u << 26)
#define DCA_RX_BIT12 (1u << 12)
#define SRRCTL_BSIZE_MASK 0x1Fu
#define SRRCTL_DESCTYPE(v) (((v) >> 25) & 7u)
#define SRRCTL_DROP_EN (1u << 28)

#define NQ 128
#define REGS_SIZE 0x20000u
#define NREGS (REGS_SIZE / 4)
#define MAX_FRAME 16384u
#define MAX_KEPT 1024u

/* ---- statistics (DS 8.2.3.23; fact sheet 3.9) ---- */
enum {
	C_CRCERRS,
	C_ILLERRC,
	C_ERRBC,
	C_MSPDC,
	C_MLFC,
	C_MRFC,
	C_RLEC,
	C_PRC64,
	C_PRC127,
	C_PRC255,
	C_PRC511,
	C_PRC1023,
	C_PRC1522,
	C_GPRC,
	C_BPRC,
	C_MPRC,
	C_GPTC,
	C_RUC,
	C_RFC,
	C_ROC,
	C_RJC,
	C_MNGPRC,
	C_MNGPDC,
	C_TPR,
	C_TPT,
	C_PTC64,
	C_PTC127,
	C_PTC255,
	C_PTC511,
	C_PTC1023,
	C_PTC1522,
	C_MPTC,
	C_BPTC,
	C_XEC,
	C_LXONRXCNT,
	C_LXOFFRXCNT,
	C_LXONTXC,
	C_LXOFFTXC,
	C_RXNFGPC,
	C_RXDGPC,
	C_TXDGPC,
	C_SSVPC,
	C_MNGPTC,
	C_GORC,
	C_GOTC,
	C_TOR,
	C_RXNFGBC,
	C_RXDGBC,
	C_TXDGBC, /* 64-bit pairs */
	C_MPC0 = C_TXDGBC + 1,
	C_QPRC0 = C_MPC0 + 8,
	C_QPRDC0 = C_QPRC0 + 16,
	C_QPTC0 = C_QPRDC0 + 16,
	C_QBRC0 = C_QPTC0 + 16, /* 64-bit */
	C_QBTC0 = C_QBRC0 + 16, /* 64-bit */
	NCNT = C_QBTC0 + 16
};
/* ctr_map[reg/4]: 0 = not a counter, else (idx << 2) | kind, kind 1 = 32-bit, 2 = low, 3 = high */
static uint16_t ctr_map[NREGS];
static uint8_t known_map[NREGS / 8];
static pthread_once_t maps_once = PTHREAD_ONCE_INIT;

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

static void build_maps(void)
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

/* Maps 82598-compatible alias addresses to the native 82599 register (fact sheet 3.1). */
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

/* ---- bus ---- */
struct bus_slot {
	void *virt;
	_Atomic size_t len; /* published last */
};

struct ixgbe_bus {
	pthread_mutex_t lock;
	unsigned used;
	struct bus_slot *slots;
};

struct ixgbe_bus *ixgbe_bus_new(void)
{
	struct ixgbe_bus *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->slots = calloc(IXGBE_BUS_SLOTS, sizeof(*b->slots));
	if (!b->slots) {
		free(b);
		return NULL;
	}
	pthread_mutex_init(&b->lock, NULL);
	return b;
}

void ixgbe_bus_free(struct ixgbe_bus *b)
{
	if (!b)
		return;
	pthread_mutex_destroy(&b->lock);
	free(b->slots);
	free(b);
}

uint64_t ixgbe_bus_map(struct ixgbe_bus *b, void *virt, size_t len)
{
	if (!len || !virt)
		return 0;
	uint64_t nslots = (len + IXGBE_BUS_SLOT - 1) / IXGBE_BUS_SLOT;
	uint64_t bus = 0;
	pthread_mutex_lock(&b->lock);
	if (b->used + nslots <= IXGBE_BUS_SLOTS) {
		unsigned k = b->used;
		b->used += (unsigned)nslots;
		/* A region larger than a slot occupies several; only the first holds it. */
		b->slots[k].virt = virt;
		atomic_store_explicit(&b->slots[k].len, len, memory_order_release);
		bus = IXGBE_BUS_BASE + k * IXGBE_BUS_SLOT;
	}
	pthread_mutex_unlock(&b->lock);
	return bus;
}

void *ixgbe_bus_translate(struct ixgbe_bus *b, uint64_t addr, size_t len)
{
	if (addr < IXGBE_BUS_BASE)
		return NULL;
	uint64_t rel = addr - IXGBE_BUS_BASE;
	uint64_t k = rel / IXGBE_BUS_SLOT;
	/* Walk back to the first slot of a multi-slot region. */
	for (uint64_t i = 0; i <= k && i < 1024; i++) {
		uint64_t s = k - i;
		if (s >= IXGBE_BUS_SLOTS)
			return NULL;
		size_t rlen = atomic_load_explicit(&b->slots[s].len, memory_order_acquire);
		if (!rlen)
			continue;
		uint64_t off = rel - s * IXGBE_BUS_SLOT;
		if (off >= rlen || len > rlen - off)
			return NULL;
		return (uint8_t *)b->slots[s].virt + off;
	}
	return NULL;
}

/* ---- per-port state ---- */
struct frame {
	uint8_t *data;
	uint32_t len, cap;
	bool bad_fcs;
};

struct fifo {
	pthread_mutex_t lock;
	struct frame *slots;
	unsigned cap, head, count;
	size_t bytes;
	size_t limit;    /* bytes: RXPBSIZE(0) of the port */
	uint64_t missed; /* folded into MPC(0) */
	bool miss_irq;
};

struct queue {
	uint32_t head, tail;
	uint64_t en_due, dis_due;   /* read counts at which ENABLE reads as written */
	bool seen_enabled;          /* driver read ENABLE = 1 since it was set */
	uint8_t *ring;              /* validated at enable */
	uint32_t size;              /* descriptors, at enable */
	uint32_t programmed;        /* bit0 BAL, bit1 LEN written since reset */
	uint32_t flagged;           /* once-only violation bits */
	uint32_t wb_next, wb_count; /* Tx: batched write-back (WTHRESH>0) */
};
#define FLAG_DCA 1u
#define FLAG_CRC 2u

struct ixgbe_model {
	pthread_mutex_t lock;
	struct ixgbe_bus *bus;
	struct ixgbe_model_config cfg;
	char name[32];
	uint64_t reads;
	uint64_t rst_done, ard_due, dmai_due, link_due;
	bool link_was_up;
	bool secrx_rdy_seen;
	bool master_flushed; /* E10: the flush was done (cfg.stuck_master); survives resets */
	/* SW/FW semaphore (not touched by CTRL.RST/LRST) */
	uint32_t swsm;        /* SWSM bits SMBI | SWESMBI */
	uint32_t gssr_sw;     /* SW_FW_SYNC bits 4:0 */
	uint64_t fw_hold_end; /* firmware holds MAC_CSR during reads number <= this */
	uint32_t flagged_global;
	uint32_t regs[NREGS];
	uint64_t cnt[NCNT];
	uint32_t snap[NCNT];
	struct queue rxq[NQ], txq[NQ];
	uint64_t rx_running[2], tx_running[2]; /* bitmaps of queues with ENABLE set */
	/* wires */
	struct ixgbe_model *peer; /* self for loopback */
	FILE *rx_pcap, *tx_pcap;
	bool rx_pcap_swap, rx_pcap_eof;
	uint32_t pcap_len; /* a record read but not yet delivered (lossless source) */
	uint8_t pcap_buf[MAX_FRAME];
	uint64_t tx_pcap_n;
	struct fifo in;
	bool capture_on;
	struct fifo cap;
	uint8_t scratch[MAX_FRAME + 64];
	/* violations */
	unsigned nviol, nwarn;
	char *kept[MAX_KEPT];
	uint8_t warned[NREGS / 8];
	/* thread */
	pthread_t thread;
	bool thread_on;
	atomic_bool stop;
};

static void violation(struct ixgbe_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(struct ixgbe_model *m, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m->nviol < MAX_KEPT)
		m->kept[m->nviol] = strdup(msg);
	m->nviol++;
	if (!m->cfg.quiet)
		fprintf(stderr, "ixgbe-model[%s]: VIOLATION: %s\n", m->name, msg);
}

static void warning(struct ixgbe_model *m, uint32_t reg, const char *what)
{
	uint32_t r = reg / 4;
	m->nwarn++;
	if (m->warned[r / 8] & (1u << (r % 8)))
		return;
	m->warned[r / 8] |= (uint8_t)(1u << (r % 8));
	if (!m->cfg.quiet)
		fprintf(stderr, "ixgbe-model[%s]: warning: %s at 0x%05x\n", m->name, what, reg);
}

static inline uint32_t *reg(struct ixgbe_model *m, uint32_t off)
{
	return &m->regs[off / 4];
}

static uint32_t rxq_base(unsigned n)
{
	return n < 64 ? 0x01000 + 0x40 * n : 0x0D000 + 0x40 * (n - 64);
}

static uint32_t txq_base(unsigned n)
{
	return 0x06000 + 0x40 * n;
}

/* ---- fifo of frames ---- */
static void fifo_init(struct fifo *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
}

static void fifo_destroy(struct fifo *f)
{
	for (unsigned i = 0; i < f->cap; i++)
		free(f->slots[i].data);
	free(f->slots);
	pthread_mutex_destroy(&f->lock);
}

/* Caller holds f->lock. Returns false when the limit (bytes or allocation) is hit. */
static bool fifo_push(struct fifo *f, const uint8_t *data, uint32_t len, bool bad_fcs)
{
	size_t limit = f->limit;
	if (f->bytes + len > limit)
		return false;
	if (f->count == f->cap) {
		unsigned ncap = f->cap ? f->cap * 2 : 256;
		struct frame *ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return false;
		for (unsigned i = 0; i < f->count; i++)
			ns[i] = f->slots[(f->head + i) % f->cap];
		free(f->slots);
		f->slots = ns;
		f->cap = ncap;
		f->head = 0;
	}
	struct frame *s = &f->slots[(f->head + f->count) % f->cap];
	if (s->cap < len) {
		uint8_t *nd = realloc(s->data, len);
		if (!nd)
			return false;
		s->data = nd;
		s->cap = len;
	}
	memcpy(s->data, data, len);
	s->len = len;
	s->bad_fcs = bad_fcs;
	f->count++;
	f->bytes += len;
	return true;
}

static void fifo_pop(struct fifo *f)
{
	f->bytes -= f->slots[f->head].len;
	f->head = (f->head + 1) % f->cap;
	f->count--;
}

/* ---- CRC-32 (IEEE 802.3), for FCS insert/check ---- */
static uint32_t crc_table[256];
static void build_crc(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t fcs32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return ~c;
}

static void init_maps(void)
{
	build_maps();
	build_crc();
}

/* ---- reset (DS 4.2.1.6.1, 8.2.3.1.1; fact sheet 5.1) ---- */
static void do_reset(struct ixgbe_model *m)
{
	memset(m->regs, 0, sizeof(m->regs));
	memset(m->cnt, 0, sizeof(m->cnt));
	memset(m->snap, 0, sizeof(m->snap));
	memset(m->rxq, 0, sizeof(m->rxq));
	memset(m->txq, 0, sizeof(m->txq));
	memset(m->rx_running, 0, sizeof(m->rx_running));
	memset(m->tx_running, 0, sizeof(m->tx_running));
	m->flagged_global = 0;
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

static bool in_reset(const struct ixgbe_model *m)
{
	return m->reads < m->rst_done;
}

static bool link_up(const struct ixgbe_model *m)
{
	return !in_reset(m) && m->reads >= m->link_due;
}

static bool q_running(const struct ixgbe_model *m, const struct queue *q, uint32_t ctl)
{
	return (ctl & XDCTL_ENABLE) && m->reads >= q->en_due;
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
		violation(m, "%cXDCTL(%u).ENABLE set before EEC.ARD and RDRXCTL.DMAIDONE read 1 (DS 4.6.3)",
		          rt, n);
	if ((q->programmed & 3) != 3)
		violation(m, "%cXDCTL(%u).ENABLE set before %cDBAL/%cDLEN(%u) were programmed (DS %s)", rt, n,
		          rt, rt, n, init);
	if (len == 0 || len % 128 || len / 16 > 8192) {
		violation(m,
		          "%cXDCTL(%u).ENABLE with %cDLEN(%u)=%u: must be a non-zero multiple of 128 bytes, "
		          "at most 8192 descriptors (DS %s)",
		          rt, n, rt, n, len, rt == 'R' ? "8.2.3.8.3" : "8.2.3.9.7, 7.2.3.3");
	} else if ((q->ring = ixgbe_bus_translate(m->bus, base & ~0x7Full, len)) == NULL) {
		violation(m,
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
		violation(m, "SRRCTL(%u).BSIZEPACKET=%u must be 1..16 KB (DS 8.2.3.8.7)", n, bs);
	if (dt == 2 || dt == 5)
		violation(m,
		          "SRRCTL(%u).DESCTYPE=%u is header split, which must not be used on the 82599 "
		          "(DS 7.1.10, erratum E8)",
		          n, dt);
	else if (dt != 0 && dt != 1)
		violation(m,
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
		violation(m, "TXDCTL(%u).ENABLE set while DMATXCTL.TE is 0: TE must be set first (DS 4.6.8)",
		          n);
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
	violation(m,
	          "%cDT(%u) moved from %u to %u past %cDH=%u: it %s (advanced by %u, at most %u allowed; "
	          "DS %s)",
	          rt, n, old, v, rt, head,
	          rt == 'R' ? "takes back descriptors the hardware owns"
	                    : "overruns TDH, handing over descriptors the hardware still owns",
	          d, limit, rt == 'R' ? "7.1.9" : "7.2.3.3");
}

/* Global Rx configuration checks, done when RXEN goes to 1 (DS 4.6.7). */
static void check_rx_global(struct ixgbe_model *m)
{
	uint32_t h = *reg(m, R_HLREG0), r = *reg(m, R_RDRXCTL);
	if (!!(h & HLREG0_RXCRCSTRP) != !!(r & RDRXCTL_CRCSTRIP) && !(m->flagged_global & FLAG_CRC)) {
		m->flagged_global |= FLAG_CRC;
		violation(m,
		          "HLREG0.RXCRCSTRP=%u but RDRXCTL.CRCSTRIP=%u: both must hold the same value "
		          "(DS 4.6.7, erratum E6)",
		          !!(h & HLREG0_RXCRCSTRP), !!(r & RDRXCTL_CRCSTRIP));
	}
	if ((r & RDRXCTL_RSCFRSTSIZE) || !(r & RDRXCTL_RSCACKC) || !(r & RDRXCTL_FCOE_WRFIX))
		violation(m,
		          "RDRXCTL=0x%08x at RXEN: RSCFRSTSIZE must be 0, RSCACKC and FCOE_WRFIX 1 "
		          "(DS 8.2.3.8.8, erratum E5)",
		          r);
}

/* Firmware bits of SW_FW_SYNC. A read (side) already counted itself in m->reads; any other
 * look (peek, write) sees what the next read would. */
static uint32_t gssr_fw(const struct ixgbe_model *m, bool side)
{
	return (side ? m->reads <= m->fw_hold_end : m->reads < m->fw_hold_end) ? GSSR_FW_MAC_CSR : 0;
}

/* ---- register access ---- */
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

static uint32_t rd(struct ixgbe_model *m, uint32_t r, bool side)
{
	if (ctr_map[r / 4])
		return side ? ctr_read(m, r) : ctr_peek(m, r);
	if ((r >= 0x01000 && r < 0x02000) || (r >= 0x0D000 && r < 0x0E000))
		return rd_queue(m, &m->rxq[((r & 0xFFF) >> 6) + (r >= 0x0D000 ? 64 : 0)], r, side);
	if (r >= 0x06000 && r < 0x08000)
		return rd_queue(m, &m->txq[(r - 0x06000) >> 6], r, side);
	switch (r) {
	case R_CTRL:
		return *reg(m, r) | (in_reset(m) ? CTRL_RST | CTRL_LRST : 0);
	case R_STATUS: {
		uint32_t v = (m->cfg.port & 1) << 2;
		if (link_up(m))
			v |= 1u << 7;
		/* No DMA is ever pending between steps, so master disable takes effect at once,
		 * except with cfg.stuck_master (E10): then only after the flush. */
		if (!(*reg(m, R_CTRL) & CTRL_MASTER_DIS) || (m->cfg.stuck_master && !m->master_flushed))
			v |= STATUS_MASTER_EN;
		return v;
	}
	case R_ESDP: {
		/* SDP2 as input (DIR=0) reads the cage's module-present pin (fact sheet 3.2, E13). */
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
		violation(m,
		          "%s(%u) written while %cXDCTL(%u).ENABLE is set: ring registers may only change "
		          "while the queue is disabled (DS %s)",
		          name, n, k->rt, n, k->init);
	if (o == Q_BAL && (v & 0x7F))
		violation(m, "%cDBAL(%u)=0x%08x is not 128-byte aligned (DS %s)", k->rt, n, v, k->bal_ds);
	if (o == Q_LEN && v % 128)
		violation(m, "%cDLEN(%u)=%u is not a multiple of 128 bytes (DS %s)", k->rt, n, v, k->len_ds);
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
		violation(m, "%cDH(%u) written with %u while the queue is enabled (DS %s)", k->rt, n, v,
		          k->init);
	if (size && v >= size) {
		violation(
		    m, "%cDH(%u)=%u is beyond the ring of %u descriptors (%cDLEN=%u; write ignored) (DS %s)",
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
		violation(m, "%cDT(%u)=%u is beyond the ring of %u descriptors (DS %s)", k->rt, n, v, size,
		          k->tail_ds);
		return false;
	}
	bool runs = q_running(m, q, ctl) && q->seen_enabled;
	if (v != q->head && !runs)
		violation(m, "%cDT(%u) written before %cXDCTL(%u).ENABLE reads 1 (DS %s)", k->rt, n, k->rt, n,
		          k->init);
	if (runs && q->size)
		check_tail_owned(m, q, k->rt, n, v);
	return true;
}

static void wr_rxq(struct ixgbe_model *m, uint32_t r, uint32_t v)
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
	case Q_TAIL:
		if (wr_tail(m, &rx_kind, q, n, v, ctl, q->size ? q->size : *reg(m, rxq_base(n) + Q_LEN) / 16))
			q->tail = v;
		return;
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

static void tx_flush_wb(struct ixgbe_model *m, struct queue *q);

static void wr_txq(struct ixgbe_model *m, uint32_t r, uint32_t v)
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
			violation(m,
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
			tx_flush_wb(m, q);
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

static void wr(struct ixgbe_model *m, uint32_t r, uint32_t v)
{
	if (in_reset(m) && r != R_CTRL) {
		violation(m,
		          "register 0x%05x written while CTRL.RST/LRST is still in progress: wait for it to "
		          "self-clear (DS 8.2.3.1.1)",
		          r);
		return;
	}
	if (ctr_map[r / 4]) {
		warning(m, r, "write to a read-only statistics register ignored");
		return;
	}
	if ((r >= 0x01000 && r < 0x02000) || (r >= 0x0D000 && r < 0x0E000)) {
		wr_rxq(m, r, v);
		return;
	}
	if (r >= 0x06000 && r < 0x08000) {
		wr_txq(m, r, v);
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
				violation(m,
				          "CTRL.RST written while STATUS.19 shows PCIe transactions pending: "
				          "master-disable and flush first (DS 5.2.5.3.2, erratum E10)");
			/* LRST is modelled as a full reset too (both self-clear). */
			do_reset(m);
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
				violation(
				    m, "RXCTRL.RXEN set without the SECRXCTRL.RX_DIS=1 / SECRXSTAT.SECRX_RDY "
				       "handshake (DS 4.6.7, erratum E1)");
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
			violation(m,
			          "SW_FW_SYNC (0x10160) written 0x%03x without holding SWSM.SWESMBI: take "
			          "SWSM.SMBI and SWESMBI first (DS 4.6.4 via ISC; fact sheet 2.5, 3.2)",
			          v);
		if (sw & ~m->gssr_sw & fw)
			violation(
			    m,
			    "SW_FW_SYNC software bit(s) 0x%02x set while firmware owns them (bits 9:5): "
			    "wait for firmware to release (DS 4.6.4 via ISC; fact sheet 2.5, 3.2)",
			    sw & ~m->gssr_sw & fw);
		m->gssr_sw = sw;
		return;
	}
	case R_AUTOC:
		if (m->cfg.lesm_firmware && !(m->gssr_sw & GSSR_MAC_CSR))
			violation(m,
			          "AUTOC written without the SW/FW semaphore (SW_FW_SYNC MAC_CSR) while LESM "
			          "firmware runs (DS 4.6.4, erratum E12)");
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

/* ---- Rx path (DS 7.1; fact sheet 5.3) ---- */
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

static unsigned size_bucket(uint32_t l)
{
	return l <= 64 ? 0 : l <= 127 ? 1 : l <= 255 ? 2 : l <= 511 ? 3 : l <= 1023 ? 4 : 5;
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
static int rx_frame(struct ixgbe_model *m, const uint8_t *d, uint32_t len, bool bad_fcs, bool lossless)
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
		violation(
		    m, "HLREG0.RXCRCSTRP=%u but RDRXCTL.CRCSTRIP=%u while receiving (DS 4.6.7, erratum E6)",
		    strip, !strip);
	}
	if ((*reg(m, b + Q_DCA) & DCA_RX_BIT12) && !(q->flagged & FLAG_DCA)) {
		q->flagged |= FLAG_DCA;
		violation(m,
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
		uint32_t fcs = fcs32(d, len);
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
				violation(m,
				          "SRRCTL(%u).BSIZEPACKET=%u KB but the buffer posted at bus 0x%llx "
				          "does not "
				          "have that many bytes inside its DMA region (DS 8.2.3.8.7)",
				          qn, bsize / 1024, (unsigned long long)addr);
			else
				violation(
				    m,
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

/* ---- wire output ---- */
static void pcap_write(struct ixgbe_model *m, const uint8_t *d, uint32_t len)
{
	uint32_t h[4];
	if (m->cfg.fixed_pcap_time) {
		h[0] = (uint32_t)(m->tx_pcap_n / 1000000);
		h[1] = (uint32_t)(m->tx_pcap_n % 1000000);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		h[0] = (uint32_t)ts.tv_sec;
		h[1] = (uint32_t)(ts.tv_nsec / 1000);
	}
	m->tx_pcap_n++;
	h[2] = h[3] = len;
	fwrite(h, sizeof(h), 1, m->tx_pcap);
	fwrite(d, 1, len, m->tx_pcap);
}

static void wire_out(struct ixgbe_model *m, const uint8_t *d, uint32_t len, bool bad_fcs)
{
	if (m->tx_pcap)
		pcap_write(m, d, len);
	if (m->capture_on) {
		pthread_mutex_lock(&m->cap.lock);
		fifo_push(&m->cap, d, len, bad_fcs);
		pthread_mutex_unlock(&m->cap.lock);
	}
	struct ixgbe_model *p = m->peer;
	if (p) {
		pthread_mutex_lock(&p->in.lock);
		if (!fifo_push(&p->in, d, len, bad_fcs)) {
			p->in.missed++;
			p->in.miss_irq = true;
		}
		pthread_mutex_unlock(&p->in.lock);
	}
}

/* ---- Tx path (DS 7.2; fact sheet 5.4) ---- */
/* Write-back format (fact sheet 4.5): bytes 0-7 are reserved afterwards, so the buffer address is
 * overwritten with a poison pattern (a driver reading addresses back from the ring breaks); DD is
 * bit 0 of byte 12, stored last with release order. */
#define TX_WB_POISON 0xDEADBEEFDEADBEEFull
static void tx_writeback(struct queue *q, uint32_t idx)
{
	uint8_t *desc = q->ring + 16 * idx;
	uint64_t poison = TX_WB_POISON;
	memcpy(desc, &poison, 8);
	__atomic_fetch_or(desc + 12, (uint8_t)1, __ATOMIC_RELEASE); /* DD */
}

static void tx_flush_wb(struct ixgbe_model *m, struct queue *q)
{
	(void)m;
	if (!q->ring || !q->size)
		return;
	while (q->wb_count) {
		tx_writeback(q, q->wb_next);
		q->wb_next = (q->wb_next + 1) % q->size;
		q->wb_count--;
	}
}

static unsigned tx_queue(struct ixgbe_model *m, unsigned n)
{
	struct queue *q = &m->txq[n];
	uint32_t b = txq_base(n);
	uint32_t ctl = *reg(m, b + Q_CTL);
	if (!q_running(m, q, ctl) || !q->ring || !(*reg(m, R_DMATXCTL) & DMATXCTL_TE) ||
	    (*reg(m, R_RTTDCS) & RTTDCS_ARBDIS)) /* Tx arbiter off: nothing fetched (DS 4.6.8) */
		return 0;
	unsigned work = 0;
	uint32_t wthresh = (ctl >> 16) & 0x7F;
	uint32_t hl = *reg(m, R_HLREG0);
	uint32_t tdwbal = *reg(m, b + Q_TDWBAL);
	while (q->head != q->tail) {
		/* Find the end of the packet before touching anything: a packet is sent whole. */
		uint32_t i = q->head, cnt = 0;
		bool found = false;
		while (i != q->tail) {
			uint64_t w;
			memcpy(&w, q->ring + 16 * i + 8, 8);
			cnt++;
			i = (i + 1) % q->size;
			if ((uint32_t)w & (1u << 24)) { /* EOP */
				found = true;
				break;
			}
		}
		if (!found)
			break;
		uint32_t len = 0, paylen = 0, ndata = 0;
		bool first = true, ok = true, ifcs = false;
		for (uint32_t k = 0, idx = q->head; k < cnt; k++, idx = (idx + 1) % q->size) {
			uint8_t *desc = q->ring + 16 * idx;
			uint64_t addr;
			uint32_t cmd, olinfo;
			memcpy(&addr, desc, 8);
			memcpy(&cmd, desc + 8, 4);
			memcpy(&olinfo, desc + 12, 4);
			bool dext = cmd & (1u << 29);
			unsigned dtyp = (cmd >> 20) & 0xF;
			if (dext && dtyp == 2)
				continue; /* context descriptor: no data, offloads not modelled */
			if (dext && dtyp != 3) {
				violation(m,
				          "Tx descriptor %u of ring %u has DEXT=1 and DTYP=%u: only 0011b "
				          "(data) and "
				          "0010b (context) exist (DS 7.2.3.2.4)",
				          idx, n, dtyp);
				ok = false;
				continue;
			}
			uint32_t dlen = cmd & 0xFFFF;
			if (first) {
				ifcs = cmd & (1u << 25);
				if (dext)
					paylen = olinfo >> 14;
			}
			if (!dlen) {
				violation(m, "Tx descriptor %u of ring %u has DTALEN 0 (DS 7.2.3.2.4)", idx,
				          n);
				ok = false;
			}
			if (ok && len + dlen <= MAX_FRAME) {
				const void *src = ixgbe_bus_translate(m->bus, addr, dlen);
				if (!src) {
					violation(
					    m,
					    "DMA fault: Tx buffer address 0x%llx + %u (descriptor %u of ring "
					    "%u) "
					    "is not inside a registered DMA region (a virtual address?)",
					    (unsigned long long)addr, dlen, idx, n);
					ok = false;
				} else {
					memcpy(m->scratch + len, src, dlen);
				}
			} else if (ok) {
				violation(m, "Tx frame on ring %u longer than %u bytes (DS 7.2.3.2.2)", n,
				          MAX_FRAME);
				ok = false;
			}
			len += dlen;
			ndata++;
			first = false;
		}
		if (ok && paylen && paylen != len)
			violation(m,
			          "Tx packet at descriptor %u of ring %u: PAYLEN=%u but DTALENs sum to %u "
			          "(DS 7.2.3.2.4)",
			          q->head, n, paylen, len);
		if (ok && len < 14) {
			violation(m,
			          "Tx packet at descriptor %u of ring %u is %u bytes, shorter than 14 (DS "
			          "7.2.3.2.4)",
			          q->head, n, len);
			ok = false;
		}
		if (cnt > 40 - (wthresh < 40 ? wthresh : 39))
			violation(
			    m,
			    "Tx packet on ring %u uses %u descriptors, more than 40 - WTHRESH (DS 7.2.3.4.1)",
			    n, cnt);
		unsigned si = (*reg(m, R_TQSM + 4 * (n / 4)) >> (8 * (n % 4))) & 0xF;
		if (ok) {
			uint32_t wlen = len;
			bool bad = false;
			bool crc = ifcs && (hl & HLREG0_TXCRCEN);
			if (crc && (hl & HLREG0_TXPADEN) && wlen < 60) {
				memset(m->scratch + wlen, 0, 60 - wlen);
				wlen = 60;
			}
			if (!crc) {
				/* Software supplied the FCS: the last 4 bytes are it. */
				uint32_t fcs;
				memcpy(&fcs, m->scratch + wlen - 4, 4);
				wlen -= 4;
				bad = fcs != fcs32(m->scratch, wlen);
			}
			uint32_t onwire = wlen + 4;
			m->cnt[C_GPTC]++;
			m->cnt[C_TPT]++;
			m->cnt[C_GOTC] += onwire;
			m->cnt[C_PTC64 + size_bucket(onwire)]++;
			if (m->scratch[0] & 1) {
				static const uint8_t bc[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
				m->cnt[memcmp(m->scratch, bc, 6) ? C_MPTC : C_BPTC]++;
			}
			m->cnt[C_QPTC0 + si]++;
			m->cnt[C_QBTC0 + si] += len;
			m->cnt[C_TXDGPC]++;
			m->cnt[C_TXDGBC] += len;
			wire_out(m, m->scratch, wlen, bad);
		}
		(void)ndata;
		/* Completion: DD write-back by RS (WTHRESH=0) or batched (WTHRESH>0), or head write-back. */
		for (uint32_t k = 0; k < cnt; k++) {
			uint32_t idx = q->head;
			if (!(tdwbal & 1)) {
				if (wthresh == 0) {
					uint32_t cmd;
					memcpy(&cmd, q->ring + 16 * idx + 8, 4);
					if (cmd & (1u << 27))
						tx_writeback(q, idx);
					q->wb_next = (idx + 1) % q->size;
				} else if (++q->wb_count >= wthresh) {
					tx_flush_wb(m, q);
				}
			}
			q->head = (q->head + 1) % q->size;
		}
		if (wthresh == 0)
			q->wb_count = 0;
		if (tdwbal & 1) {
			uint64_t wb = ((uint64_t)*reg(m, b + Q_TDWBAH) << 32) | (tdwbal & ~3u);
			uint32_t *p = ixgbe_bus_translate(m->bus, wb, 4);
			if (p)
				__atomic_store_n(p, q->head, __ATOMIC_RELEASE);
			else
				violation(
				    m,
				    "DMA fault: Tx head write-back address 0x%llx of ring %u (DS 7.2.3.5.2)",
				    (unsigned long long)wb, n);
		}
		work += cnt;
	}
	return work;
}

/* ---- pcap input ---- */
static uint32_t sw32(uint32_t v, bool swap)
{
	return swap ? __builtin_bswap32(v) : v;
}

/* Reads the next record into pcap_buf; returns its length, 0 at end. Timestamps are ignored. */
static uint32_t pcap_next(struct ixgbe_model *m)
{
	uint32_t h[4];
	if (m->rx_pcap_eof || !m->rx_pcap)
		return 0;
	if (fread(h, sizeof(h), 1, m->rx_pcap) != 1) {
		m->rx_pcap_eof = true;
		return 0;
	}
	uint32_t incl = sw32(h[2], m->rx_pcap_swap);
	if (incl == 0 || incl > MAX_FRAME || fread(m->pcap_buf, 1, incl, m->rx_pcap) != incl) {
		if (!m->cfg.quiet)
			fprintf(
			    stderr,
			    "ixgbe-model[%s]: rx-pcap: empty, truncated or oversized record, input ends\n",
			    m->name);
		m->rx_pcap_eof = true;
		return 0;
	}
	return incl;
}

static unsigned step_locked(struct ixgbe_model *m)
{
	unsigned work = 0;
	if (in_reset(m))
		return 0;
	for (unsigned w = 0; w < 2; w++)
		for (uint64_t bits = m->tx_running[w]; bits; bits &= bits - 1)
			work += tx_queue(m, w * 64 + (unsigned)__builtin_ctzll(bits));
	/* Frames from the wire (peer, loopback, injected). */
	pthread_mutex_lock(&m->in.lock);
	while (m->in.count) {
		struct frame *f = &m->in.slots[m->in.head];
		if (!rx_frame(m, f->data, f->len, f->bad_fcs, false))
			break;
		fifo_pop(&m->in);
		work++;
	}
	bool idle_in = m->in.count == 0;
	pthread_mutex_unlock(&m->in.lock);
	/* Lossless pcap source: a record is consumed only once rx_frame() took it. */
	if (idle_in && m->rx_pcap) {
		for (;;) {
			if (!m->pcap_len)
				m->pcap_len = pcap_next(m);
			if (!m->pcap_len || !rx_frame(m, m->pcap_buf, m->pcap_len, false, true))
				break;
			m->pcap_len = 0;
			work++;
		}
	}
	return work;
}

unsigned ixgbe_model_step(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	unsigned w = step_locked(m);
	pthread_mutex_unlock(&m->lock);
	return w;
}

static void *model_thread(void *arg)
{
	struct ixgbe_model *m = arg;
	unsigned idle = 0;
	while (!atomic_load_explicit(&m->stop, memory_order_relaxed)) {
		if (ixgbe_model_step(m)) {
			idle = 0;
			continue;
		}
		if (++idle > 64) {
			struct timespec ts = {0, 20000};
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

int ixgbe_model_start(struct ixgbe_model *m)
{
	if (m->thread_on)
		return 0;
	atomic_store(&m->stop, false);
	int e = pthread_create(&m->thread, NULL, model_thread, m);
	if (!e)
		m->thread_on = true;
	return e;
}

void ixgbe_model_stop(struct ixgbe_model *m)
{
	if (!m->thread_on)
		return;
	atomic_store(&m->stop, true);
	pthread_join(m->thread, NULL);
	m->thread_on = false;
}

/* ---- construction, wires ---- */
void ixgbe_model_default_config(struct ixgbe_model_config *cfg, unsigned port)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = port;
	const uint8_t mac[6] = {0x02, 0, 0, 0, 0, (uint8_t)port};
	memcpy(cfg->mac, mac, 6);
	cfg->reset_reads = 2;
	cfg->eeprom_reads = 2;
	cfg->dmainit_reads = 2;
	cfg->enable_reads = 2;
	cfg->link_reads = 4;
	cfg->check_secrx = true;
	cfg->stuck_master = false;
	cfg->sfp_cage_empty = false;
	cfg->lesm_firmware = false;
}

struct ixgbe_model *ixgbe_model_new(struct ixgbe_bus *bus, const struct ixgbe_model_config *cfg)
{
	pthread_once(&maps_once, init_maps);
	struct ixgbe_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->bus = bus;
	m->cfg = *cfg;
	snprintf(m->name, sizeof(m->name), "sim:%u", cfg->port);
	pthread_mutex_init(&m->lock, NULL);
	fifo_init(&m->in);
	fifo_init(&m->cap);
	m->cap.limit = (size_t)64 << 20;
	do_reset(m);
	/* Power-on reset and EEPROM auto-read have finished by the time software looks. */
	m->rst_done = m->ard_due = m->dmai_due = 0;
	return m;
}

void ixgbe_model_disconnect(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	struct ixgbe_model *p = m->peer;
	m->peer = NULL;
	pthread_mutex_unlock(&m->lock);
	if (p && p != m) {
		pthread_mutex_lock(&p->lock);
		if (p->peer == m)
			p->peer = NULL;
		pthread_mutex_unlock(&p->lock);
	}
}

void ixgbe_model_set_sfp_cage(struct ixgbe_model *m, bool full)
{
	pthread_mutex_lock(&m->lock);
	m->cfg.sfp_cage_empty = !full;
	pthread_mutex_unlock(&m->lock);
}

void ixgbe_model_firmware_hold_mac_csr(struct ixgbe_model *m, unsigned reads)
{
	pthread_mutex_lock(&m->lock);
	m->fw_hold_end = m->reads + reads;
	pthread_mutex_unlock(&m->lock);
}

void ixgbe_model_set_loopback(struct ixgbe_model *m, bool on)
{
	ixgbe_model_disconnect(m);
	pthread_mutex_lock(&m->lock);
	m->peer = on ? m : NULL;
	pthread_mutex_unlock(&m->lock);
}

void ixgbe_model_connect(struct ixgbe_model *a, struct ixgbe_model *b)
{
	ixgbe_model_disconnect(a);
	ixgbe_model_disconnect(b);
	pthread_mutex_lock(&a->lock);
	a->peer = b;
	pthread_mutex_unlock(&a->lock);
	pthread_mutex_lock(&b->lock);
	b->peer = a;
	pthread_mutex_unlock(&b->lock);
}

int ixgbe_model_rx_pcap(struct ixgbe_model *m, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open rx-pcap file '%s': %s", path, strerror(errno));
		return -1;
	}
	uint32_t h[6];
	if (fread(h, sizeof(h), 1, f) != 1) {
		snprintf(err, errlen, "rx-pcap file '%s' is too short for a pcap header", path);
		fclose(f);
		return -1;
	}
	bool swap;
	switch (h[0]) {
	case 0xa1b2c3d4:
		swap = false;
		break;
	case 0xd4c3b2a1:
		swap = true;
		break;
	case 0xa1b23c4d:
		swap = false;
		break;
	case 0x4d3cb2a1:
		swap = true;
		break;
	default:
		snprintf(err, errlen, "rx-pcap file '%s' is not a pcap file (magic 0x%08x)", path, h[0]);
		fclose(f);
		return -1;
	}
	if ((sw32(h[5], swap) & 0xFFFF) != 1) {
		snprintf(err, errlen, "rx-pcap file '%s' has link type %u, only 1 (Ethernet) is supported",
		         path, sw32(h[5], swap) & 0xFFFF);
		fclose(f);
		return -1;
	}
	pthread_mutex_lock(&m->lock);
	if (m->rx_pcap)
		fclose(m->rx_pcap);
	m->rx_pcap = f;
	m->rx_pcap_swap = swap;
	m->rx_pcap_eof = false;
	m->pcap_len = 0;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int ixgbe_model_tx_pcap(struct ixgbe_model *m, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot create tx-pcap file '%s': %s", path, strerror(errno));
		return -1;
	}
	const uint32_t h[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	fwrite(h, sizeof(h), 1, f);
	pthread_mutex_lock(&m->lock);
	if (m->tx_pcap)
		fclose(m->tx_pcap);
	m->tx_pcap = f;
	m->tx_pcap_n = 0;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

bool ixgbe_model_rx_pcap_done(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	bool d = !m->rx_pcap || (m->rx_pcap_eof && !m->pcap_len);
	pthread_mutex_unlock(&m->lock);
	return d;
}

bool ixgbe_model_inject(struct ixgbe_model *m, const void *frame, size_t len)
{
	if (len > MAX_FRAME)
		return false;
	pthread_mutex_lock(&m->in.lock);
	bool ok = fifo_push(&m->in, frame, (uint32_t)len, false);
	if (!ok) {
		m->in.missed++;
		m->in.miss_irq = true;
	}
	pthread_mutex_unlock(&m->in.lock);
	return ok;
}

void ixgbe_model_capture(struct ixgbe_model *m, bool on)
{
	pthread_mutex_lock(&m->lock);
	m->capture_on = on;
	pthread_mutex_unlock(&m->lock);
}

size_t ixgbe_model_captured(struct ixgbe_model *m, void *buf, size_t cap)
{
	size_t len = 0;
	pthread_mutex_lock(&m->cap.lock);
	if (m->cap.count) {
		struct frame *f = &m->cap.slots[m->cap.head];
		len = f->len;
		memcpy(buf, f->data, len < cap ? len : cap);
		fifo_pop(&m->cap);
	}
	pthread_mutex_unlock(&m->cap.lock);
	return len;
}

void ixgbe_model_free(struct ixgbe_model *m)
{
	if (!m)
		return;
	ixgbe_model_stop(m);
	ixgbe_model_disconnect(m);
	if (m->rx_pcap)
		fclose(m->rx_pcap);
	if (m->tx_pcap)
		fclose(m->tx_pcap);
	for (unsigned i = 0; i < m->nviol && i < MAX_KEPT; i++)
		free(m->kept[i]);
	fifo_destroy(&m->in);
	fifo_destroy(&m->cap);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

unsigned ixgbe_model_violations(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	unsigned n = m->nviol;
	pthread_mutex_unlock(&m->lock);
	return n;
}

bool ixgbe_model_violation(struct ixgbe_model *m, unsigned i, char *buf, size_t len)
{
	bool ok = false;
	pthread_mutex_lock(&m->lock);
	if (i < m->nviol && i < MAX_KEPT && m->kept[i]) {
		snprintf(buf, len, "%s", m->kept[i]);
		ok = true;
	}
	pthread_mutex_unlock(&m->lock);
	return ok;
}

unsigned ixgbe_model_count_matching(struct ixgbe_model *m, const char *needle)
{
	unsigned n = 0;
	pthread_mutex_lock(&m->lock);
	for (unsigned i = 0; i < m->nviol && i < MAX_KEPT; i++)
		if (m->kept[i] && strstr(m->kept[i], needle))
			n++;
	pthread_mutex_unlock(&m->lock);
	return n;
}

unsigned ixgbe_model_warnings(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	unsigned n = m->nwarn;
	pthread_mutex_unlock(&m->lock);
	return n;
}

void ixgbe_model_clear_violations(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned i = 0; i < m->nviol && i < MAX_KEPT; i++) {
		free(m->kept[i]);
		m->kept[i] = NULL;
	}
	m->nviol = 0;
	m->nwarn = 0;
	pthread_mutex_unlock(&m->lock);
}
