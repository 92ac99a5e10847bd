/* 82599 registers and descriptors libixy uses, written by hand from the datasheet
 * (Intel 82599 10 GbE Controller Datasheet, Rev. 3.3). Offsets are bytes into BAR0. */
#ifndef IXY_IXGBE_REGS_H
#define IXY_IXGBE_REGS_H

#include <stdint.h>

#include "regs.h" /* struct reg_field */

/* General control (DS 8.2.3.1) */
#define IXGBE_CTRL 0x00000                  /* DS 8.2.3.1.1 */
#define IXGBE_CTRL_MASTER_DISABLE (1u << 2) /* PCIe master disable (DS 5.2.5.3.2) */
#define IXGBE_CTRL_RST (1u << 26)           /* device reset, self-clearing (DS 4.6.3.2) */
#define IXGBE_STATUS 0x00008                /* DS 8.2.3.1.2 */
#define IXGBE_STATUS_MASTER_ENABLE (1u << 19)
#define IXGBE_CTRL_EXT 0x00018             /* DS 8.2.3.1.3 */
#define IXGBE_CTRL_EXT_NS_DIS (1u << 16)   /* no-snoop disable (DS 4.6.7) */
#define IXGBE_CTRL_EXT_DRV_LOAD (1u << 28) /* tells firmware a driver runs the port */
#define IXGBE_ESDP 0x00020                 /* DS 8.2.3.1.4 */
#define IXGBE_ESDP_SDP2 (1u << 2)          /* on SFP+ parts: a module is in the cage */
#define IXGBE_GCR_EXT 0x11050              /* PCIe control extended; flush procedure: DS 5.2.5.3.2 */
/* BAR0 must reach the highest register the driver uses (GCR_EXT); its register space is
 * the first 128 KiB (DS 8.1). ixy_open() checks this before the first access. */
#define IXGBE_BAR0_MIN_SIZE (IXGBE_GCR_EXT + 4u)
#define IXGBE_GCR_EXT_BUFFERS_CLEAR (1u << 30) /* flushes the PCIe buffers (erratum E10, docs/82599.md) */

/* Interrupts (DS 8.2.3.5) */
#define IXGBE_EICR 0x00800                /* DS 8.2.3.5.1, cleared by read */
#define IXGBE_EIMC 0x00888                /* DS 8.2.3.5.4, write 1 masks the cause */
#define IXGBE_EIMC_ALL 0x7FFFFFFFu        /* bit 31 is reserved */
#define IXGBE_EIMS 0x00880                /* DS 8.2.3.5.3, write 1 unmasks the cause */
#define IXGBE_EIAC 0x00810                /* DS 8.2.3.5.5, causes cleared when their MSI-X message goes out */
#define IXGBE_EIAM 0x00890                /* DS 8.2.3.5.6, causes masked when their MSI-X message goes out */
#define IXGBE_EITR(n) (0x00820 + 4 * (n)) /* DS 8.2.3.5.12, n < 24 */
#define IXGBE_EITR_INTERVAL ((struct reg_field){.shift = 3, .width = 9}) /* in 2 us units */
#define IXGBE_IVAR(n) (0x00900 + 4 * (n))                                /* DS 8.2.3.5.15 */
/* RX queue q's entry: byte 0 (even q) or byte 2 (odd q) of IVAR(q / 2); bits 5:0 the vector. */
#define IXGBE_IVAR_RX(q) ((struct reg_field){.shift = 16 * ((q) % 2), .width = 8})
#define IXGBE_IVAR_VALID 0x80u
#define IXGBE_GPIE 0x00898 /* DS 8.2.3.5.17 */
#define IXGBE_GPIE_MSIX_MODE (1u << 4)
#define IXGBE_GPIE_EIAME (1u << 30) /* EIAM applies when a message goes out */
#define IXGBE_GPIE_PBA_SUPPORT (1u << 31)

/* EEPROM and DMA init status (DS 4.6.3) */
#define IXGBE_EEC 0x10010                    /* DS 8.2.3.2.1 */
#define IXGBE_EEC_ARD (1u << 9)              /* EEPROM auto-read done */
#define IXGBE_EEC_PRES (1u << 8)             /* EEPROM present with a valid signature */
#define IXGBE_FWSM 0x10148                   /* DS 8.2.3.4.10 */
#define IXGBE_FWSM_EXT_ERR_IND (0x3Fu << 19) /* 0: EEPROM checksum valid */
#define IXGBE_SWSM 0x10140                   /* software semaphore (DS 10.5.4) */
#define IXGBE_SWSM_SMBI (1u << 0)            /* taken by the read that finds it 0 */
#define IXGBE_SWSM_SWESMBI (1u << 1)         /* software/firmware semaphore */
#define IXGBE_SW_FW_SYNC 0x10160 /* resource ownership: bits 4:0 software, 9:5 firmware (DS 10.5.4) */
#define IXGBE_SW_FW_SYNC_MAC_CSR (1u << 3)
#define IXGBE_RDRXCTL 0x02F00 /* DS 8.2.3.8.8 */
#define IXGBE_RDRXCTL_CRCSTRIP (1u << 1)
#define IXGBE_RDRXCTL_DMAIDONE (1u << 3)
#define IXGBE_RDRXCTL_RSCFRSTSIZE (0x1Fu << 17)
#define IXGBE_RDRXCTL_RSCACKC (1u << 25)
#define IXGBE_RDRXCTL_FCOE_WRFIX (1u << 26)

/* MAC and link (DS 8.2.3.22) */
#define IXGBE_HLREG0 0x04240 /* DS 8.2.3.22.8 */
#define IXGBE_HLREG0_TXCRCEN (1u << 0)
#define IXGBE_HLREG0_RXCRCSTRP (1u << 1)
#define IXGBE_HLREG0_TXPADEN (1u << 10)
#define IXGBE_HLREG0_LPBK (1u << 15) /* MAC loopback, used by the E10 flush (docs/82599.md) */
#define IXGBE_AUTOC 0x042A0          /* DS 8.2.3.22.19 */
#define IXGBE_AUTOC_RESTART_AN (1u << 12)
#define IXGBE_LINKS 0x042A4 /* DS 8.2.3.22.20 */
#define IXGBE_LINKS_UP (1u << 30)
#define IXGBE_LINKS_SPEED ((struct reg_field){.shift = 28, .width = 2}) /* 01 100M, 10 1G, 11 10G */

/* Receive (DS 8.2.3.7, 8.2.3.8) */
#define IXGBE_RXCTRL 0x03000 /* DS 8.2.3.8.10 */
#define IXGBE_RXCTRL_RXEN (1u << 0)
#define IXGBE_RXPBSIZE(i) (0x03C00 + 4 * (i))                              /* DS 8.2.3.8.9 */
#define IXGBE_RXPBSIZE_SIZE ((struct reg_field){.shift = 10, .width = 10}) /* KB */
#define IXGBE_PACKET_BUFFERS 8u            /* RXPBSIZE(0..7), TXPBSIZE(0..7), MPC(0..7) */
#define IXGBE_FCRTH(i) (0x03260 + 4 * (i)) /* DS 8.2.3.3.4 */
#define IXGBE_FCRTH_RTH ((struct reg_field){.shift = 5, .width = 14}) /* in 32-byte units */
#define IXGBE_FCTRL 0x05080                                           /* DS 8.2.3.7.1 */
#define IXGBE_FCTRL_MPE (1u << 8)
#define IXGBE_FCTRL_UPE (1u << 9)
#define IXGBE_FCTRL_BAM (1u << 10)
#define IXGBE_MTA(i) (0x05200 + 4 * (i)) /* DS 8.2.3.7.7 */
#define IXGBE_MTA_COUNT 128u
#define IXGBE_RAL(i) (0x0A200 + 8 * (i)) /* DS 8.2.3.7.9 */
#define IXGBE_RAH(i) (0x0A204 + 8 * (i)) /* DS 8.2.3.7.9 (with RAL) */
#define IXGBE_RAH_AV (1u << 31)
#define IXGBE_RAH_ADDR ((struct reg_field){.shift = 0, .width = 16}) /* MAC bytes 4 and 5 */
#define IXGBE_MPSAR(i) (0x0A600 + 4 * (i))                           /* DS 8.2.3.7.10 */
#define IXGBE_MPSAR_COUNT 256u
#define IXGBE_PFUTA(i) (0x0F400 + 4 * (i)) /* DS 8.2.3.27.12 */
#define IXGBE_PFUTA_COUNT 128u
#define IXGBE_PFVLVF(i) (0x0F100 + 4 * (i)) /* DS 8.2.3.27.15 */
#define IXGBE_PFVLVF_COUNT 64u
#define IXGBE_PFVLVFB(i) (0x0F200 + 4 * (i)) /* DS 8.2.3.27.16 */
#define IXGBE_PFVLVFB_COUNT 128u
#define IXGBE_RETA(i) (0x0EB00 + 4 * (i)) /* DS 8.2.3.7.13: 128 entries, four per register */
#define IXGBE_RETA_COUNT 32u
#define IXGBE_RETA_ENTRY(k) ((struct reg_field){.shift = 8 * (k), .width = 4}) /* entry 4i+k: a queue */
#define IXGBE_RSSRK(i) (0x0EB80 + 4 * (i)) /* DS 8.2.3.7.14: the 40-byte key */
#define IXGBE_RSSRK_COUNT 10u
#define IXGBE_MRQC 0x0EC80  /* DS 8.2.3.7.12 */
#define IXGBE_MRQC_RSS 0x1u /* MRQE = 0001: RSS, no DCB or VMDq */
#define IXGBE_MRQC_IPV4_TCP (1u << 16)
#define IXGBE_MRQC_IPV4 (1u << 17)
#define IXGBE_MRQC_IPV4_UDP (1u << 22)
#define IXGBE_MRQC_IPV6 (1u << 20)
#define IXGBE_MRQC_IPV6_TCP (1u << 21)
#define IXGBE_MRQC_IPV6_UDP (1u << 23)
#define IXGBE_SECRXCTRL 0x08D00 /* DS 8.2.3.12.x, Rx security block */
#define IXGBE_SECRXCTRL_RX_DIS (1u << 1)
#define IXGBE_SECRXSTAT 0x08D04
#define IXGBE_SECRXSTAT_RDY (1u << 0)

/* The device has 128 Rx and 128 Tx queues: register arrays n = 0..127 (DS 8.2.3.8, 8.2.3.9). */
#define IXGBE_QUEUES 128u

/* Per receive queue n < 64 (DS 8.2.3.8) */
#define IXGBE_RDBAL(n) (0x01000 + 0x40 * (n))      /* DS 8.2.3.8.1 */
#define IXGBE_RDBAH(n) (0x01004 + 0x40 * (n))      /* DS 8.2.3.8.2 */
#define IXGBE_RDLEN(n) (0x01008 + 0x40 * (n))      /* DS 8.2.3.8.3 */
#define IXGBE_DCA_RXCTRL(n) (0x0100C + 0x40 * (n)) /* DS 8.2.3.11.1 */
#define IXGBE_DCA_RXCTRL_BIT12 (1u << 12)   /* reserved, resets to 1, must be 0 (erratum E2, docs/82599.md) */
#define IXGBE_DCA_RXCTRL_DATA_RO (1u << 13) /* relaxed ordering off (erratum E4, docs/82599.md) */
#define IXGBE_DCA_RXCTRL_HEAD_RO (1u << 15)
#define IXGBE_RDH(n) (0x01010 + 0x40 * (n))                                   /* DS 8.2.3.8.4 */
#define IXGBE_SRRCTL(n) (0x01014 + 0x40 * (n))                                /* DS 8.2.3.8.7 */
#define IXGBE_SRRCTL_BSIZEPACKET ((struct reg_field){.shift = 0, .width = 5}) /* KB */
#define IXGBE_SRRCTL_DESCTYPE ((struct reg_field){.shift = 25, .width = 3})
#define IXGBE_SRRCTL_DESCTYPE_ADV_ONEBUF 1u
#define IXGBE_SRRCTL_DROP_EN (1u << 28)
#define IXGBE_RDT(n) (0x01018 + 0x40 * (n)) /* DS 8.2.3.8.5 */
/* DS 8.2.3.8.6; the only Rx queue register the driver touches for all 128 queues (at reset) */
#define IXGBE_RXDCTL(n) ((n) < 64 ? 0x01028 + 0x40 * (n) : 0x0D028 + 0x40 * ((n)-64))
#define IXGBE_RXDCTL_ENABLE (1u << 25)

/* Transmit (DS 8.2.3.9, 8.2.3.10) */
#define IXGBE_RTTDCS 0x04900 /* DS 8.2.3.10.2 */
#define IXGBE_RTTDCS_ARBDIS (1u << 6)
#define IXGBE_TXPBTHRESH(i) (0x04950 + 4 * (i))                               /* DS 8.2.3.9.16 */
#define IXGBE_TXPBTHRESH_THRESH ((struct reg_field){.shift = 0, .width = 10}) /* KB */
#define IXGBE_DMATXCTL 0x04A80                                                /* DS 8.2.3.9.2 */
#define IXGBE_DMATXCTL_TE (1u << 0)
#define IXGBE_DTXMXSZRQ 0x08100 /* DS 8.2.3.9.1 */
#define IXGBE_DTXMXSZRQ_MAX_BYTES ((struct reg_field){.shift = 0, .width = 12})
#define IXGBE_MTQC 0x08120                                                 /* DS 8.2.3.9.15 */
#define IXGBE_TXPBSIZE(i) (0x0CC00 + 4 * (i))                              /* DS 8.2.3.9.13 */
#define IXGBE_TXPBSIZE_SIZE ((struct reg_field){.shift = 10, .width = 10}) /* KB */
#define IXGBE_TDBAL(n) (0x06000 + 0x40 * (n))                              /* DS 8.2.3.9.5 */
#define IXGBE_TDBAH(n) (0x06004 + 0x40 * (n))                              /* DS 8.2.3.9.6 */
#define IXGBE_TDLEN(n) (0x06008 + 0x40 * (n))                              /* DS 8.2.3.9.7 */
#define IXGBE_DCA_TXCTRL(n) (0x0600C + 0x40 * (n))                         /* DS 8.2.3.11.2 */
#define IXGBE_DCA_TXCTRL_WB_RO (1u << 11)   /* write-back relaxed ordering off (erratum E4, docs/82599.md) */
#define IXGBE_TDH(n) (0x06010 + 0x40 * (n)) /* DS 8.2.3.9.8 */
#define IXGBE_TDT(n) (0x06018 + 0x40 * (n)) /* DS 8.2.3.9.9 */
#define IXGBE_TXDCTL(n) (0x06028 + 0x40 * (n)) /* DS 8.2.3.9.10 */
#define IXGBE_TXDCTL_PTHRESH ((struct reg_field){.shift = 0, .width = 7})
#define IXGBE_TXDCTL_HTHRESH ((struct reg_field){.shift = 8, .width = 7})
#define IXGBE_TXDCTL_WTHRESH ((struct reg_field){.shift = 16, .width = 7})
#define IXGBE_TXDCTL_ENABLE (1u << 25)

/* Per-queue transmit rate limiter (DS 7.7.2.2, registers DS 8.2.3.10) */
#define IXGBE_RTTDQSEL 0x04904 /* TX queue the next RTTBCNRC access refers to */
#define IXGBE_RTTBCNRC 0x04984 /* rate factor = link speed / queue rate, 14-bit fraction */
#define IXGBE_RTTBCNRC_RS_ENA (1u << 31)
#define IXGBE_RTTBCNRC_RF_INT_SHIFT 14

/* IEEE 1588 time sync (DS 7.9, registers DS 8.2.3.26) */
#define IXGBE_TSYNCRXCTL 0x05188         /* RX stamp control */
#define IXGBE_TSYNCRXCTL_VALID (1u << 0) /* an RX stamp is latched */
#define IXGBE_TSYNCRXCTL_TYPE_L2_L4_V2 (2u << 1)
#define IXGBE_TSYNCRXCTL_EN (1u << 4)
#define IXGBE_RXSTMPL 0x051E8
#define IXGBE_RXSTMPH 0x051A4             /* reading it releases the RX latch */
#define IXGBE_RXSATRH 0x051A8             /* bits 31:16: the stamped frame's PTP sequenceId */
#define IXGBE_RXMTRL 0x05120              /* bits 31:16: UDP port stamped (L4 types) */
#define IXGBE_PTP_EVENT_PORT 319          /* IEEE 1588 event messages over UDP */
#define IXGBE_ETQF(n) (0x05128 + 4 * (n)) /* EtherType filter n < 8; picks frames to stamp (DS 7.9) */
#define IXGBE_ETQF_1588 (1u << 30)        /* frames matching it are stamped */
#define IXGBE_ETQF_FILTER_EN (1u << 31)
#define IXGBE_ETQF_PTP 3u                /* the filter index used for PTP */
#define IXGBE_ETHERTYPE_PTP 0x88F7u      /* IEEE 1588 over Ethernet */
#define IXGBE_TSYNCTXCTL 0x08C00         /* TX stamp control */
#define IXGBE_TSYNCTXCTL_VALID (1u << 0) /* a TX stamp is latched */
#define IXGBE_TSYNCTXCTL_EN (1u << 4)
#define IXGBE_TXSTMPL 0x08C04
#define IXGBE_TXSTMPH 0x08C08 /* reading it releases the TX latch */
#define IXGBE_SYSTIML 0x08C0C /* reading it latches SYSTIMH */
#define IXGBE_SYSTIMH 0x08C10
#define IXGBE_TIMINCA 0x08C14 /* bits 31:24 increment period (cycles), 23:0 increment value */
#define IXGBE_TSAUXC 0x08C20
#define IXGBE_TSAUXC_DISABLE_SYSTIME (1u << 31)

/* Statistics, clear on read (DS 8.2.3.23) */
#define IXGBE_GPTC 0x04080
#define IXGBE_GOTCL 0x04090
#define IXGBE_GOTCH 0x04094
#define IXGBE_MPC(i) (0x03FA0 + 4 * (i))     /* missed: packet buffer full */
#define IXGBE_QPRC(i) (0x01030 + 0x40 * (i)) /* per statistics index, i < 16 */
#define IXGBE_QBRC_L(i) (0x01034 + 0x40 * (i))
#define IXGBE_QBRC_H(i) (0x01038 + 0x40 * (i))
#define IXGBE_QPRDC(i) (0x01430 + 0x40 * (i)) /* dropped: no free descriptor */
#define IXGBE_QPTC(i) (0x08680 + 4 * (i))
#define IXGBE_QBTC_L(i) (0x08700 + 8 * (i))
#define IXGBE_QBTC_H(i) (0x08704 + 8 * (i))
/* Queue to statistics index maps, one byte per queue (DS 8.2.3.23) */
#define IXGBE_RQSMR(n) (0x02300 + 4 * (n)) /* RX queues 4n..4n+3 */
#define IXGBE_TQSM(n) (0x08600 + 4 * (n))  /* TX queues 4n..4n+3 */
#define IXGBE_QSM_COUNT 32u                /* RQSMR and TQSM registers: 128 queues */
#define IXGBE_QSM_QUEUE(k) ((struct reg_field){.shift = 8 * (k), .width = 4}) /* queue 4n+k's index */

/* Advanced receive descriptor (DS 7.1.6). Software writes the read format; hardware
 * overwrites all 16 bytes with the write-back format. */
union ixgbe_rx_desc {
	struct {
		uint64_t pkt_addr;
		uint64_t hdr_addr; /* 0: also clears DD, which lives in these bytes */
	} read;
	struct {
		uint32_t info;
		uint32_t rss_hash;
		uint32_t status_error;
		uint16_t length; /* bytes in this descriptor's buffer */
		uint16_t vlan;
	} wb;
	struct {
		uint64_t lower;
		uint64_t upper; /* wb's status_error | length << 32 | vlan << 48, read in one load */
	} wb_words;
};
#define IXGBE_RXD_STAT_DD (1u << 0)
#define IXGBE_RXD_STAT_EOP (1u << 1)
#define IXGBE_RXD_ERR_MASK 0xFFF00000u /* extended errors, bits 31:20 (RXE, IPE, L4E, ...) (DS 7.1.6.2) */

/* Advanced transmit data descriptor (DS 7.2.3.2.4); DD comes back in olinfo_status (DS 7.2.3.2.4). */
struct ixgbe_tx_desc {
	uint64_t buffer_addr;
	uint32_t cmd_type_len;
	uint32_t olinfo_status;
};
#define IXGBE_TXD_DTYP_DATA (3u << 20)
#define IXGBE_TXD_MAC_TSTAMP (1u << 19) /* latch this frame's TX time (DS 7.9) */
#define IXGBE_TXD_CMD_EOP (1u << 24)
#define IXGBE_TXD_CMD_IFCS (1u << 25)
#define IXGBE_TXD_CMD_RS (1u << 27)
#define IXGBE_TXD_CMD_DEXT (1u << 29)
#define IXGBE_TXD_PAYLEN_SHIFT 14
#define IXGBE_TXD_STAT_DD (1u << 0)

#endif
