// clang-format off
/* Behavioural model of an Intel 82599 (ixgbe) port: the "virtual 82599" the driver is tested
 * against. Written from the datasheet's rules (Rev 3.3; docs/82599.md);
 * it is attached to the library only through the seams of include/ixy/hw.h. Errata E1..E13 are
 * those of docs/82599.md.
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
 * Time (sim/clock.h). Frames and the IEEE 1588 clock follow one model time in ticks of 0.1 ns,
 * shared by the ports on one bus. Step mode: time moves only forward, to each event processed (a
 * frame starts on the wire, a frame's last byte arrives) or by ixgbe_model_advance():
 * deterministic, and nothing waits. Thread mode: time is CLOCK_MONOTONIC (shared with other
 * processes), and the port waits for an event's time before processing it. ixgbe_model_set_clock()
 * makes time manual (tests): it is what was set, and ports wait for it as in thread mode.
 *
 * Pacing (cfg.line_rate_mbit, 0 = off, the default here; "sim:" ports default to 10000): the
 * port's transmitter and its rx-pcap source hold the wire for each frame's bytes plus FCS,
 * preamble/SFD and inter-frame gap (wire.h); unpaced, a frame takes no wire time. A frame's first
 * byte (after the SFD) leaves when the wire is free, not before software posted it (the tail write
 * that handed it over; the last 32 per queue are remembered, older ones merge into later ones),
 * nor before the queue's rate limiter allows (sim/ixgbe_tx_timing.c, DS 7.7.2.2); a sender that
 * fell behind catches up on at most WIRE_CATCH_UP_PS. A frame that must wait stays in its ring or
 * file, and the thread spins, or sleeps until shortly before it is due when that is over 100 us
 * away. A received frame enters the packet buffer once its last byte has arrived (at the port's
 * own rate). A cable delay (ixgbe_model_set_delay) holds frames in the receiver's cable FIFO
 * (64 MB) until then. The IEEE 1588 unit (T1-T6 in sim/ixgbe_timesync.c, DS 7.9) stamps frames at
 * their first byte on each side, so on a cable the RX stamp minus the TX stamp is the delay. A
 * socket wire (ixgbe_model_wire) carries frames with their arrival time to a port in another
 * process.
 *
 * Running. Step mode: no thread; ixgbe_model_step() processes every pending Tx descriptor of every
 * running queue and delivers waiting wire frames into Rx as far as descriptors allow, and returns.
 * Rx and Tx DMA interleave as on the device: with loopback, after each Tx packet (one per running
 * queue) the packet buffer drains into Rx, so a burst larger than the packet buffer is not missed
 * while Rx descriptors are free. No syscalls per packet (uncontended mutexes). Thread mode:
 * ixgbe_model_start() runs a pthread that calls the same step in a loop (sleeping 20 us when
 * idle, 1 ms after 500 idle sleeps). One mutex per port guards registers and DMA state; each port's inbound frame FIFO has
 * its own leaf mutex.
 *
 * Counting conventions: GORC/GOTC/TOR count bytes including the 4-byte CRC (as hardware does).
 * QBRC/RXDGBC count bytes DMA'd to host (PKT_LEN; excludes the CRC when stripping).
 * QBTC/TXDGBC count bytes fetched by Tx DMA (no CRC, no padding). GPRC/GORC count frames that were
 * delivered to a queue: frames dropped for lack of descriptors (QPRDC) or because the packet buffer
 * was full (MPC) are not in GPRC (no E3 erratum). Queue selection: with MRQC.MRQE = 0001 (RSS) an
 * IPv4 or IPv6 frame goes to the RETA entry picked by the Toeplitz hash of its addresses (and
 * TCP/UDP ports when MRQC enables them) with the RSSRK key (ixgbe_rss.c, DS 7.1.2.8); everything
 * else, and the other MRQE modes (DCB, VMDq), goes to queue 0. Per-queue counters (QPRC, QBRC,
 * QPRDC, QPTC, QBTC) count in the statistics index RQSMR/TQSM map the queue to (DS 8.2.3.23).
 *
 * Wires. Frames on the wire are Ethernet frames without FCS (as in pcap). Peer/loopback/injected
 * frames enter the port's packet buffer (a FIFO bounded by RXPBSIZE(0) bytes); if it is full the
 * frame is missed (MPC(0)++, EICR.RX_MISS). With no free descriptor: SRRCTL.DROP_EN=1 drops
 * (QPRDC++); DROP_EN=0 keeps the frame waiting (head-of-line). An rx-pcap source is lossless: a
 * frame is taken from the file only when it can be delivered (RXEN, queue running, descriptors);
 * frames of 14..59 bytes arrive padded with zeros to 60, as the sending MAC pads them.
 * While RXCTRL.RXEN=0 or SECRXCTRL.RX_DIS=1 (E1 sequence not finished: the Rx security block is
 * off), wire frames are discarded without counting (pcap frames wait).
 *
 * Tx. Nothing is fetched unless DMATXCTL.TE=1, TXDCTL.ENABLE reads 1 and RTTDCS.ARBDIS=0 (the Tx
 * arbiter is on). Descriptor write-back (DD, byte 12 bit 0) also overwrites bytes 0-7 (reserved
 * after write-back, DS 7.2.3.2.4) with 0xDEADBEEFDEADBEEF, so the buffer address is gone.
 *
 * Hostile mode (off by default; ixgbe_hostile.h, ixgbe_model_set_hostile()): the Rx and Tx engines
 * corrupt their own write-backs (lengths, error bits, DD on descriptors the port does not own,
 * replayed and duplicated write-backs, chains without end, early, missing and stray Tx DD), at
 * a chosen rate from a seeded random sequence. The rules above still count what the driver does.
 *
 * Errata knobs (both off by default; behaviour above is unchanged when off):
 *   stuck_master (erratum E10, docs/82599.md; DS 5.2.5.3.2): STATUS.19 (master
 *     enable status) keeps reading 1 ("transactions pending") after CTRL bit 2 (PCIe master
 *     disable) is set, until the flush: GCR_EXT (0x11050) bit 30 Buffers_Clear_Func written 1 while
 *     HLREG0.LPBK (bit 15) is 1. From then on (the flush survives resets) STATUS.19 reads 0 while
 *     CTRL bit 2 is set. Off: STATUS.19 reads 0 as soon as CTRL bit 2 is set.
 *   sfp_cage_empty (erratum E13, docs/82599.md; DS 8.2.3.1.4): ESDP (0x00020) bit 2 (SDP2, an input while
 *     ESDP bit 10 is 0) reads 1 when a module sits in the SFP+ cage (default) and 0 when the cage
 *     is empty. LINKS still shows LINK_UP at 10G after the usual delay (the crosstalk link of E13),
 *     so only a driver that checks ESDP.SDP2 reports the link correctly.
 *     ixgbe_model_set_sfp_cage() plugs/unplugs the module at run time.
 *   lesm_firmware (erratum E12, docs/82599.md): firmware runs link management (LESM), so every
 *     AUTOC (0x042A0) write must be made while software holds SW_FW_SYNC bit 3 (MAC_CSR), V25.
 *     Off: AUTOC writes are unchecked. (The ISC "pipeline reset" after each write is not checked.)
 *
 * SW/FW semaphore (always modelled, with or without lesm_firmware; DS 4.6.4, 10.5.4):
 *   SWSM (0x10140) bit 0 SMBI is read-to-set: a read that finds 0 returns 0 and sets it (the
 *     reader owns it); a read that finds 1 returns 1. Writing 0 clears it, writing 1 leaves it
 *     as it is. Bit 1 SWESMBI is plain RW (firmware never contends for it). Peek has no effect.
 *   SW_FW_SYNC/GSSR (0x10160): bits 4:0 software ownership (0 EEP, 1 PHY0, 2 PHY1, 3 MAC_CSR,
 *     4 FLASH), bits 9:5 firmware ownership of the same resources (read-only to software: written
 *     values are ignored). Firmware holds nothing unless ixgbe_model_firmware_hold_mac_csr() makes
 *     it hold MAC_CSR (bit 8) for a number of reads. Writes take effect even when they violate
 *     V23/V24. SWSM and SW_FW_SYNC keep their state across CTRL.RST/LRST (a model choice).
 *
 * Violations: each is recorded with its rule (enum ixgbe_rule below; ids, datasheet sections and
 * texts in the table ixgbe_rules, sim/ixgbe_rules.c), printed to stderr unless quiet, and counted
 * per rule (ixgbe_model_rule_count()).
 * Warnings (counted separately, not violations): access to an offset with no register behind it
 * (returns 0), writes to read-only registers, a TX time stamp lost because the latch was full.
 *
 * Interrupts (DS 7.3; sim/ixgbe_interrupts.c). An RX queue's cause is an event each time a frame
 *   is written back, a TX queue's each time a step completed its descriptors. Through the queue's
 *   IVAR byte (valid bit 7, vector bits 5:0) the cause sets EICR bit <vector> and latches a
 *   message. A latched vector whose EICR bit is set and enabled in EIMS sends its message once
 *   EITR(vector) bits 11:3 x 2 us have passed since its previous one: in MSI-X mode (GPIE bit 4)
 *   as vector <vector>, clearing the EICR bits set in EIAC and, with GPIE.EIAME (bit 30), the EIMS
 *   bits set in EIAM; otherwise as the single MSI vector 0 (EITR(0); EIAC/EIAM unused). EIMS
 *   enabling a bit whose EICR bit is already set latches a message too (a cause that waited while
 *   masked is not lost); so does EICS. The message is a write of 1 to the eventfd attached through
 *   the set_irq seam, and counted (ixgbe_model_irqs). Model time: step mode adds cfg.step_ns per
 *   ixgbe_model_step() (deterministic); thread mode reads CLOCK_MONOTONIC. EICR reads clear it,
 *   with GPIE.OCD (bit 5) only bits 31:16. Other causes (LSC, RX_MISS) latch in EICR but send no
 *   message; vectors 16..63 (the _EX registers) and EITR's LLI and counter fields are not modelled.
 *
 * Limits: little-endian host; no VMDq/DCB/IPv6-Ex RSS; the bus never unmaps (a
 * region freed by the library stays in the table).
 */
// clang-format on
#ifndef IXGBE_MODEL_H
#define IXGBE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "rules.h"
#include "ixy/hw.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ixgbe_model;

struct ixgbe_model_config {
	unsigned port;           /* LAN ID = port & 1; names the port in messages */
	uint8_t mac[6];          /* "EEPROM" MAC, loaded into RAL/RAH(0) with AV=1 at reset */
	unsigned reset_reads;    /* reads until CTRL.RST/LRST self-clear */
	unsigned eeprom_reads;   /* reads after the reset until EEC.ARD|PRES */
	unsigned dmainit_reads;  /* reads after the reset until RDRXCTL.DMAIDONE */
	unsigned enable_reads;   /* reads until RXDCTL/TXDCTL.ENABLE reflect a write */
	unsigned link_reads;     /* reads after reset / Restart_AN until LINKS.LINK_UP */
	bool check_secrx;        /* V16 (E1 RX_DIS handshake) on: default true */
	bool quiet;              /* do not print violations/warnings to stderr */
	bool fixed_pcap_time;    /* tx-pcap record n gets timestamp 0 s, n us (for byte-exact tests) */
	bool stuck_master;       /* E10: STATUS.19 stays 1 after master disable until the flush */
	bool sfp_cage_empty;     /* E13: ESDP.SDP2 reads 0 (no module); LINKS still comes up */
	bool lesm_firmware;      /* E12: AUTOC writes need SW_FW_SYNC.MAC_CSR (V25); default false */
	uint32_t line_rate_mbit; /* wire pacing in Mbit/s; 0 (the default): none, as fast as the CPU */
	unsigned step_ns;        /* model time per ixgbe_model_step() in step mode; default 1000 */
};

/* Defaults for port number `port`: MAC 02:00:00:00:00:<port>, delays as documented above. */
void ixgbe_model_default_config(struct ixgbe_model_config *cfg, unsigned port);
/* A powered-up port (a reset is in progress, as after power-on). NULL on allocation failure. */
struct ixgbe_model *ixgbe_model_new(struct ixgbe_bus *bus, const struct ixgbe_model_config *cfg);
/* Stops the thread, disconnects the peer, closes pcap files (flushing output; a caller that
 * wants to know whether that worked calls ixgbe_model_close_pcap() first), frees. */
void ixgbe_model_free(struct ixgbe_model *m);

/* The seam: fills ops with ctx=m, vendor 0x8086, device 0x10FB and the callbacks below. */
void ixgbe_model_hw_ops(struct ixgbe_model *m, struct ixy_hw_ops *ops, const char *name);
uint32_t ixgbe_model_read32(void *m, uint32_t reg);
void ixgbe_model_write32(void *m, uint32_t reg, uint32_t value);
uint64_t ixgbe_model_dma_map(void *m, void *virt, size_t len);
/* The set_irq seam: vector 0..15 signals `eventfd` (-1: none); -1 for another vector. */
int ixgbe_model_set_irq(void *m, uint16_t vector, int eventfd);
/* Interrupt messages vector 0..15 has sent so far (with or without an eventfd attached). */
uint64_t ixgbe_model_irqs(struct ixgbe_model *m, unsigned vector);
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
/* pcap files (src/pcap_file.h: checked whole before use, never both input and output); return
 * 0, or -1 with a message in err (errlen bytes). rx-pcap frames of 14..59 bytes arrive padded to
 * 60 bytes with zeros, as the sending MAC pads them. */
int ixgbe_model_rx_pcap(struct ixgbe_model *m, const char *path, char *err, size_t errlen);
int ixgbe_model_tx_pcap(struct ixgbe_model *m, const char *path, char *err, size_t errlen);
/* rx-capture: every frame the port's MAC takes from its wire (whatever happens to it then; one
 * missed for a full packet buffer is not in it) is written to path, with the model time its first
 * byte arrived, as tx-pcap records the time a frame's first byte left. */
int ixgbe_model_rx_capture(struct ixgbe_model *m, const char *path, char *err, size_t errlen);
/* Files opened after this get nanosecond timestamps (else microseconds). */
void ixgbe_model_pcap_ns(struct ixgbe_model *m, bool on);
/* The rx-pcap source starts `ms` milliseconds of model time after the next step (default 0). */
void ixgbe_model_rx_pcap_delay(struct ixgbe_model *m, unsigned ms);
/* Writes out and closes the tx-pcap and rx-capture files, frees the rx-pcap frames: 0, or -1
 * with the write error in err (the file then holds the whole frames written before it). */
int ixgbe_model_close_pcap(struct ixgbe_model *m, char *err, size_t errlen);
/* true once the rx-pcap file has been read to its end (or there is none). */
bool ixgbe_model_rx_pcap_done(struct ixgbe_model *m);
/* A frame (no FCS) arrives on the port's wire; false if the packet buffer was full (MPC counted). */
bool ixgbe_model_inject(struct ixgbe_model *m, const void *frame, size_t len);
/* Capture of transmitted frames into a queue the test drains. */
void ixgbe_model_capture(struct ixgbe_model *m, bool on);
/* Pops the oldest captured frame into buf (cap bytes); returns its length, 0 if none. */
size_t ixgbe_model_captured(struct ixgbe_model *m, void *buf, size_t cap);
/* The same, and *at gets the model time its first byte (after the SFD) left the port. */
size_t ixgbe_model_captured_at(struct ixgbe_model *m, void *buf, size_t cap, uint64_t *at);

/* Model time, in ticks of 0.1 ns, shared by the ports on one bus (see "Time" above). */
#define IXGBE_MODEL_TICKS_PER_NS 10u
uint64_t ixgbe_model_time(struct ixgbe_model *m);
/* Step mode: time moves forward by `ticks` (frames waiting for a later time then proceed). */
void ixgbe_model_advance(struct ixgbe_model *m, uint64_t ticks);
/* Frames this port sends reach the other end of its wire (peer, loopback, socket) `ns` later. */
void ixgbe_model_set_delay(struct ixgbe_model *m, uint64_t ns);
/* A wire to the port in another process on this host that names the same wire; 0, or -1 with
 * a message in err. Combines with peer/loopback (the frames go both ways). */
int ixgbe_model_wire(struct ixgbe_model *m, const char *name, char *err, size_t errlen);

/* Step mode: does all pending work; returns the number of descriptors + frames handled. */
unsigned ixgbe_model_step(struct ixgbe_model *m);
/* Step mode, manual time: the model time (of every port on the bus) is now_ps (picoseconds) from
 * here on, moving only by further calls, so a test runs a paced port in simulated time. */
void ixgbe_model_set_clock(struct ixgbe_model *m, uint64_t now_ps);
/* Thread mode. start returns 0 or an errno value; stop joins the thread (no-op if not running). */
int ixgbe_model_start(struct ixgbe_model *m);
void ixgbe_model_stop(struct ixgbe_model *m);

/* The rules the model checks; V1..V25 keep the numbers they have always had. */
enum ixgbe_rule {
	IXGBE_V1_WRITE_IN_RESET = 1,
	IXGBE_V2_BASE_ALIGN,
	IXGBE_V3_RING_LEN,
	IXGBE_V4_RING_REG_ENABLED,
	IXGBE_V5_HEAD_WRITE,
	IXGBE_V6_TAIL_RANGE,
	IXGBE_V7_TAIL_BEFORE_ENABLE,
	IXGBE_V8_ENABLE_UNPROGRAMMED,
	IXGBE_V9_RING_DMA,
	IXGBE_V10_SRRCTL,
	IXGBE_V11_RX_BUF_SIZE,
	IXGBE_V12_DMA_FAULT,
	IXGBE_V13_DCA_BIT12,
	IXGBE_V14_CRC_STRIP,
	IXGBE_V15_RDRXCTL_RSC,
	IXGBE_V16_SECRX,
	IXGBE_V17_TE_FIRST,
	IXGBE_V18_TX_DESC,
	IXGBE_V19_INIT_DONE,
	IXGBE_V20_TAIL_ARBDIS,
	IXGBE_V21_TAIL_OWNED,
	IXGBE_V22_RESET_PENDING,
	IXGBE_V23_SWFW_NO_SWESMBI,
	IXGBE_V24_SWFW_FW_OWNED,
	IXGBE_V25_AUTOC_LESM,
	IXGBE_V26_RESET_QUEUE_ENABLED,
	IXGBE_V27_IRQ_VECTOR_UNMAPPED,
	IXGBE_V28_IVAR_NOT_VALID,
	IXGBE_V29_EITR_RESERVED,
	IXGBE_V30_IVAR_VECTOR_RANGE,
	IXGBE_V31_TSYNC_RX_TYPE,
	IXGBE_V32_RTTDQSEL_QUEUE,
	IXGBE_V33_RATE_FACTOR,
	IXGBE_NRULES
};
/* id, datasheet section and text of each rule (entry 0 is unused). */
extern const struct rule_def ixgbe_rules[IXGBE_NRULES];

/* Violations of one rule seen so far (since the last clear). */
unsigned ixgbe_model_rule_count(struct ixgbe_model *m, enum ixgbe_rule rule);
/* Violations seen so far (the first 1024 messages, each "<rule id>: <details>", are kept). */
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
