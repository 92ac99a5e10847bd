/* The virtual 82599's register map: offsets and bits (written by hand, datasheet Rev 3.3
 * sections in the comments) and the statistics counters. Private to sim/ixgbe_*.c. */
#ifndef SIM_IXGBE_REG_MAP_H
#define SIM_IXGBE_REG_MAP_H

/* ---- register map (DS 8.2.3) ---- */
#define R_CTRL 0x00000       /* DS 8.2.3.1.1 */
#define R_CTRL_ALIAS 0x00004 /* DS 8.2.3.1.1 (VPP) */
#define CTRL_MASTER_DIS (1u << 2)
#define CTRL_LRST (1u << 3)
#define CTRL_RST (1u << 26)
#define R_STATUS 0x00008 /* DS 8.2.3.1.2: 3:2 LAN ID, 7 link up, 19 master enable status */
#define R_CTRL_EXT 0x00018
#define R_ESDP 0x00020 /* DS 8.2.3.1.4: 7:0 SDP data, 15:8 SDP direction (1 = output) */
#define ESDP_SDP2                                                                                            \
	(1u << 2) /* SFP+ parts: 1 = a module sits in the cage (DS 8.2.3.1.4; erratum E13, docs/82599.md) */
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

/* ---- statistics (DS 8.2.3.23) ---- */
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

#endif
