// clang-format off
/* Behavioural model of an Intel 82599 (ixgbe) port: the "virtual 82599" the driver is tested
 * against. Written from the datasheet rules collected in 82599-facts.md (datasheet Rev 3.3);
 * it is attached to the library only through the seams of include/ixy/hw.h.
 *
 * What it models: registers (reset values, self-clearing/handshake bits, clear-on-read statistics
 * with L/H snapshot pairs, 82598 alias addresses), an IOMMU-like bus shared by all ports of a
 * process, the Tx and Rx DMA engines with advanced (and legacy) descriptors, L2 filtering, CRC
 * strip/insert and padding, and wires (loopback, cable to a peer port, pcap in/out, inject/capture).
 *
 * Timing. Every delay is counted in register reads of the port (any register), never in real
 * time, so step mode is fully deterministic: CTRL.RST/LRST read back set for `reset_reads` reads;
 * EEC.ARD|PRES and RDRXCTL.DMAIDONE come up `eeprom_reads`/`dmainit_reads` reads after the reset
 * finished; RXDCTL/TXDCTL.ENABLE change `enable_reads` reads after being written (the queue only
 * runs once ENABLE would read 1, and stops fetching as soon as ENABLE is cleared); LINKS.LINK_UP
 * (speed 11b = 10G) comes `link_reads` reads after the reset or AUTOC.Restart_AN. Defaults are 2,
 * 2, 2, 2 and 4 reads.
 *
 * Running. Step mode: no thread; ixgbe_model_step() processes every pending Tx descriptor of every
 * running queue, then delivers waiting wire frames into Rx as far as descriptors allow, and returns.
 * No syscalls per packet (one uncontended mutex per step). Thread mode: ixgbe_model_start() runs a
 * pthread that calls the same step in a loop (sleeping 20 us when idle). One mutex per port
 * guards registers and DMA state; each port's inbound frame FIFO has its own leaf mutex.
 *
 * Counting conventions: GORC/GOTC/TOR count bytes including the 4-byte CRC (as hardware does).
 * QBRC/RXDGBC count bytes DMA'd to host (PKT_LEN; excludes the CRC when stripping).
 * QBTC/TXDGBC count bytes fetched by Tx DMA (no CRC, no padding). GPRC/GORC count frames that were
 * delivered to a queue: frames dropped for lack of descriptors (QPRDC) or because the packet buffer
 * was full (MPC) are not in GPRC (no E3 erratum). Queue selection: with MRQC.MRQE = 0001 (RSS) an
 * IPv4 frame goes to the RETA entry picked by the Toeplitz hash of its addresses (and TCP/UDP ports
 * when MRQC enables them) with the RSSRK key; everything else, and the other MRQE modes (DCB,
 * VMDq), goes to queue 0.
 *
 * Wires. Frames on the wire are Ethernet frames without FCS (as in pcap). Peer/loopback/injected
 * frames enter the port's packet buffer (a FIFO bounded by RXPBSIZE(0) bytes); if it is full the
 * frame is missed (MPC(0)++, EICR.RX_MISS). With no free descriptor: SRRCTL.DROP_EN=1 drops
 * (QPRDC++); DROP_EN=0 keeps the frame waiting (head-of-line). An rx-pcap source is lossless: a
 * frame is read from the file only when it can be delivered (RXEN, queue running, descriptors).
 * While RXCTRL.RXEN=0 or SECRXCTRL.RX_DIS=1 (E1 sequence not finished: the Rx security block is
 * off), wire frames are discarded without counting (pcap frames wait).
 *
 * Tx. Nothing is fetched unless DMATXCTL.TE=1, TXDCTL.ENABLE reads 1 and RTTDCS.ARBDIS=0 (the Tx
 * arbiter is on). Descriptor write-back (DD, byte 12 bit 0) also overwrites bytes 0-7 (reserved
 * after write-back, fact sheet 4.5) with 0xDEADBEEFDEADBEEF, so the buffer address is gone.
 *
 * Hostile mode (off by default; ixgbe_hostile.h, ixgbe_model_set_hostile()): the Rx and Tx engines
 * corrupt their own write-backs (lengths, error bits, DD on descriptors the port does not own,
 * replayed and duplicated write-backs, chains without end, early, missing and stray Tx DD), at
 * a chosen rate from a seeded random sequence. The rules above still count what the driver does.
 *
 * Errata knobs (both off by default; behaviour above is unchanged when off):
 *   stuck_master (E10; DS 5.2.5.3.2, fact sheet 2.3 "Master disable first"): STATUS.19 (master
 *     enable status) keeps reading 1 ("transactions pending") after CTRL bit 2 (PCIe master
 *     disable) is set, until the flush: GCR_EXT (0x11050) bit 30 Buffers_Clear_Func written 1 while
 *     HLREG0.LPBK (bit 15) is 1. From then on (the flush survives resets) STATUS.19 reads 0 while
 *     CTRL bit 2 is set. Off: STATUS.19 reads 0 as soon as CTRL bit 2 is set.
 *   sfp_cage_empty (E13; fact sheet 3.2 ESDP, 6.3): ESDP (0x00020) bit 2 (SDP2, an input while
 *     ESDP bit 10 is 0) reads 1 when a module sits in the SFP+ cage (default) and 0 when the cage
 *     is empty. LINKS still shows LINK_UP at 10G after the usual delay (the crosstalk link of E13),
 *     so only a driver that checks ESDP.SDP2 reports the link correctly.
 *     ixgbe_model_set_sfp_cage() plugs/unplugs the module at run time.
 *   lesm_firmware (E12; fact sheet 2.5 ISC, 6.3): firmware runs link management (LESM), so every
 *     AUTOC (0x042A0) write must be made while software holds SW_FW_SYNC bit 3 (MAC_CSR), V25.
 *     Off: AUTOC writes are unchecked. (The ISC "pipeline reset" after each write is not checked.)
 *
 * SW/FW semaphore (always modelled, with or without lesm_firmware; fact sheet 2.5, 3.2 -- the
 * fact sheet gives no DS section for SWSM/SW_FW_SYNC, only ISC's use of them around DS 4.6.4):
 *   SWSM (0x10140) bit 0 SMBI is read-to-set: a read that finds 0 returns 0 and sets it (the
 *     reader owns it); a read that finds 1 returns 1. Writing 0 clears it, writing 1 leaves it
 *     as it is. Bit 1 SWESMBI is plain RW (firmware never contends for it). Peek has no effect.
 *   SW_FW_SYNC/GSSR (0x10160): bits 4:0 software ownership (0 EEP, 1 PHY0, 2 PHY1, 3 MAC_CSR,
 *     4 FLASH), bits 9:5 firmware ownership of the same resources (read-only to software: written
 *     values are ignored). Firmware holds nothing unless ixgbe_model_firmware_hold_mac_csr() makes
 *     it hold MAC_CSR (bit 8) for a number of reads. Writes take effect even when they violate
 *     V23/V24. SWSM and SW_FW_SYNC keep their state across CTRL.RST/LRST (a model choice).
 *
 * Violations (each recorded with rule and datasheet section, printed to stderr, counted):
 *   V1  register written while CTRL.RST/LRST in progress            (DS 8.2.3.1.1)
 *   V2  RDBAL/TDBAL not 128-byte aligned                            (DS 8.2.3.8.1, 8.2.3.9.5)
 *   V3  RDLEN/TDLEN not a multiple of 128; 0 or >8192 descriptors at enable
 *                                                                   (DS 8.2.3.8.3, 7.2.3.3, 8.2.3.9.7)
 *   V4  ring register (RDBAL/H, RDLEN, SRRCTL, TDBAL/H, TDLEN) written while the queue is enabled
 *                                                                   (DS 4.6.7, 4.6.8)
 *   V5  RDH/TDH written non-zero while enabled, or >= RDLEN/16 (TDLEN/16) when the length is
 *       non-zero (write ignored)                                    (DS 4.6.7, 8.2.3.8.4, 7.2.3.3)
 *   V6  RDT/TDT >= ring size (write ignored)                         (DS 7.1.9, 7.2.3.3)
 *   V7  RDT/TDT moved before RXDCTL/TXDCTL.ENABLE was read back as 1 (DS 4.6.7, 4.6.8)
 *   V8  queue enabled before its ring (base+length) was programmed  (DS 4.6.7, 4.6.8)
 *   V9  descriptor ring not inside one registered DMA region        (DMA fault, DS 7.1.9)
 *   V10 SRRCTL.BSIZEPACKET not 1..16, or DESCTYPE header split (010/101) or other unsupported
 *                                                                   (DS 8.2.3.8.7, 7.1.10 / E8)
 *   V11 SRRCTL.BSIZEPACKET*1KB buffer at a posted address exceeds its DMA region (DS 8.2.3.8.7)
 *   V12 DMA fault: bus address outside any region or crossing a region's end (buffer, descriptor,
 *       head write-back) -- a virtual address posted in a descriptor lands here
 *   V13 DCA_RXCTRL(n) bit 12 still 1 when the queue receives       (DS 8.2.3.11.1, E2)
 *   V14 HLREG0.RXCRCSTRP != RDRXCTL.CRCSTRIP when Rx is enabled/receives (DS 4.6.7, E6)
 *   V15 RDRXCTL RSC defaults not fixed (RSCFRSTSIZE!=0, RSCACKC=0 or FCOE_WRFIX=0) at RXEN
 *                                                                   (DS 8.2.3.8.8, E5)
 *   V16 RXCTRL.RXEN set without SECRXCTRL.RX_DIS set and SECRX_RDY read as 1 (DS 4.6.7, E1;
 *       only with cfg.check_secrx)
 *   V17 TXDCTL.ENABLE set while DMATXCTL.TE is 0                    (DS 4.6.8)
 *   V18 Tx descriptor not advanced data (DEXT=1, DTYP=0011) nor context nor legacy; PAYLEN != sum
 *       of DTALEN; DTALEN 0; frame < 14 bytes; more than 40-WTHRESH descriptors per frame
 *                                                                   (DS 7.2.3.2.4, 7.2.3.4.1)
 *   V19 RDRXCTL.DMAIDONE / EEC.ARD not yet set when a queue is enabled (DS 4.6.3)
 *   V20 TDT moved (written with a value != the current tail) while RTTDCS.ARBDIS=1
 *                                                                   (DS 4.6.8, 7.2.1.2.1)
 *   V21 RDT/TDT write on a running queue that takes back descriptors the hardware owns or
 *       hands over ones it still owns: the tail may advance by d = (new-old) mod N only with
 *       d <= (head-old-1) mod N (head == old: up to N-1); the write still takes effect
 *                                                                   (DS 7.1.9, 7.2.3.3)
 *   V22 CTRL.RST written while STATUS.19 shows PCIe transactions pending: master-disable and flush
 *       first (DS 5.2.5.3.2, erratum E10). Checked on every CTRL.RST/LRST write, against STATUS.19
 *       as it reads at that moment, but only while DMA can be in flight (some Rx/Tx queue has
 *       ENABLE set) or a master disable was started (CTRL bit 2 set) and has not finished; a
 *       reset of an idle port (power-on, no queue enabled) needs no master disable.
 *   V23 SW_FW_SYNC written while SWSM.SWESMBI is not held          (DS 4.6.4 via ISC)
 *   V24 SW_FW_SYNC software bit set (0->1) while its firmware bit (bit+5) is set
 *                                                                   (DS 4.6.4 via ISC)
 *   V25 AUTOC written while SW_FW_SYNC bit 3 (MAC_CSR) is not held by software; only with
 *       cfg.lesm_firmware                                           (DS 4.6.4, erratum E12)
 * Warnings (counted separately, not violations): access to an offset with no register behind it
 * (returns 0), writes to read-only registers.
 *
 * Limits: little-endian host; no VMDq/DCB/IPv6 RSS/interrupt delivery; the bus never unmaps (a
 * region freed by the library stays in the table).
 */
// clang-format on
#ifndef IXGBE_MODEL_H
#define IXGBE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "ixy/hw.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ixgbe_model;

struct ixgbe_model_config {
	unsigned port;          /* LAN ID = port & 1; names the port in messages */
	uint8_t mac[6];         /* "EEPROM" MAC, loaded into RAL/RAH(0) with AV=1 at reset */
	unsigned reset_reads;   /* reads until CTRL.RST/LRST self-clear */
	unsigned eeprom_reads;  /* reads after the reset until EEC.ARD|PRES */
	unsigned dmainit_reads; /* reads after the reset until RDRXCTL.DMAIDONE */
	unsigned enable_reads;  /* reads until RXDCTL/TXDCTL.ENABLE reflect a write */
	unsigned link_reads;    /* reads after reset / Restart_AN until LINKS.LINK_UP */
	bool check_secrx;       /* V16 (E1 RX_DIS handshake) on: default true */
	bool quiet;             /* do not print violations/warnings to stderr */
	bool fixed_pcap_time;   /* tx-pcap record n gets timestamp 0 s, n us (for byte-exact tests) */
	bool stuck_master;      /* E10: STATUS.19 stays 1 after master disable until the flush */
	bool sfp_cage_empty;    /* E13: ESDP.SDP2 reads 0 (no module); LINKS still comes up */
	bool lesm_firmware;     /* E12: AUTOC writes need SW_FW_SYNC.MAC_CSR (V25); default false */
};

/* Defaults for port number `port`: MAC 02:00:00:00:00:<port>, delays as documented above. */
void ixgbe_model_default_config(struct ixgbe_model_config *cfg, unsigned port);
/* A powered-up port (a reset is in progress, as after power-on). NULL on allocation failure. */
struct ixgbe_model *ixgbe_model_new(struct ixgbe_bus *bus, const struct ixgbe_model_config *cfg);
/* Stops the thread, disconnects the peer, closes pcap files (flushing output), frees. */
void ixgbe_model_free(struct ixgbe_model *m);

/* The seam: fills ops with ctx=m, vendor 0x8086, device 0x10FB and the three callbacks below. */
void ixgbe_model_hw_ops(struct ixgbe_model *m, struct ixy_hw_ops *ops, const char *name);
uint32_t ixgbe_model_read32(void *m, uint32_t reg);
void ixgbe_model_write32(void *m, uint32_t reg, uint32_t value);
uint64_t ixgbe_model_dma_map(void *m, void *virt, size_t len);
/* Register value without side effects (no clear-on-read, no read counting). */
uint32_t ixgbe_model_peek32(struct ixgbe_model *m, uint32_t reg);

/* E13: plug (full=true, ESDP.SDP2 reads 1) or unplug (0) the SFP+ module; LINKS is unaffected. */
void ixgbe_model_set_sfp_cage(struct ixgbe_model *m, bool full);
/* Firmware holds MAC_CSR (SW_FW_SYNC bit 8 reads 1) for the next `reads` register reads of the
 * port (any register; 0 releases at once). */
void ixgbe_model_firmware_hold_mac_csr(struct ixgbe_model *m, unsigned reads);

/* Wires. loopback and peer exclude each other (setting one replaces the other). */
void ixgbe_model_set_loopback(struct ixgbe_model *m, bool on);
void ixgbe_model_connect(struct ixgbe_model *a, struct ixgbe_model *b);
void ixgbe_model_disconnect(struct ixgbe_model *m);
/* pcap files; return 0, or -1 with a message in err (errlen bytes). */
int ixgbe_model_rx_pcap(struct ixgbe_model *m, const char *path, char *err, size_t errlen);
int ixgbe_model_tx_pcap(struct ixgbe_model *m, const char *path, char *err, size_t errlen);
/* true once the rx-pcap file has been read to its end (or there is none). */
bool ixgbe_model_rx_pcap_done(struct ixgbe_model *m);
/* A frame (no FCS) arrives on the port's wire; false if the packet buffer was full (MPC counted). */
bool ixgbe_model_inject(struct ixgbe_model *m, const void *frame, size_t len);
/* Capture of transmitted frames into a queue the test drains. */
void ixgbe_model_capture(struct ixgbe_model *m, bool on);
/* Pops the oldest captured frame into buf (cap bytes); returns its length, 0 if none. */
size_t ixgbe_model_captured(struct ixgbe_model *m, void *buf, size_t cap);

/* Step mode: does all pending work; returns the number of descriptors + frames handled. */
unsigned ixgbe_model_step(struct ixgbe_model *m);
/* Thread mode. start returns 0 or an errno value; stop joins the thread (no-op if not running). */
int ixgbe_model_start(struct ixgbe_model *m);
void ixgbe_model_stop(struct ixgbe_model *m);

/* Violations seen so far (the first 1024 messages are kept). */
unsigned ixgbe_model_violations(struct ixgbe_model *m);
/* Copy of message i into buf; false if i is out of range or was not kept. */
bool ixgbe_model_violation(struct ixgbe_model *m, unsigned i, char *buf, size_t len);
/* Number of kept violation messages containing `needle`. */
unsigned ixgbe_model_count_matching(struct ixgbe_model *m, const char *needle);
unsigned ixgbe_model_warnings(struct ixgbe_model *m);
void ixgbe_model_clear_violations(struct ixgbe_model *m);

#ifdef __cplusplus
}
#endif
#endif
