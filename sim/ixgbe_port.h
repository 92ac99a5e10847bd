/* The private state of a virtual 82599 port, shared by the register file (ixgbe_registers.c,
 * ixgbe_queues.c), the DMA engines (ixgbe_rx.c, ixgbe_tx.c) and the port (ixgbe_port.c).
 * Calls go one way only: port -> registers -> queues -> Rx and Tx engines; port -> Rx and Tx
 * engines; all of them -> bus, wire, rules, the capture files (ixgbe_capture.c) and the pcap
 * files of libixy (src/pcap_file.h). */
#ifndef SIM_IXGBE_PORT_H
#define SIM_IXGBE_PORT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "ixgbe_hostile.h"
#include "ixgbe_model.h"
#include "ixgbe_reg_map.h"
#include "clock.h"
#include "log.h"
#include "pcap_file.h"
#include "rules.h"
#include "socket_wire.h"
#include "wire.h"

#define TX_POSTS 32u /* tail writes remembered per Tx queue; more merge into the last (later) one */

struct queue {
	uint32_t head, tail;
	uint64_t en_due, dis_due;   /* read counts at which ENABLE reads as written */
	bool seen_enabled;          /* driver read ENABLE = 1 since it was set */
	uint8_t *ring;              /* validated at enable */
	uint32_t size;              /* descriptors, at enable */
	uint32_t programmed;        /* bit0 BAL, bit1 LEN written since reset */
	uint32_t flagged;           /* once-only violation bits */
	uint32_t wb_next, wb_count; /* Tx: batched write-back (WTHRESH>0) */
	uint32_t rttbcnrc;          /* Tx: the rate limiter (ixgbe_tx_timing.c) */
	uint64_t ready;             /* Tx: model time its next frame may start (rate limiter) */
	/* Tx: when software handed descriptors over: tail writes not yet sent, oldest first. */
	struct {
		uint32_t tail;
		uint64_t at;
	} posts[TX_POSTS];
	uint32_t post_first, post_count;
};
#define SMALL_BUFS_KEPT 256u
#define FLAG_DCA 1u
#define FLAG_CRC 2u

/* A capture file of the port (ixgbe_capture.c). */
struct capture {
	struct pcap_writer w;
	bool on, failed;
	uint64_t n;       /* records written (fixed_pcap_time) */
	const char *what; /* its option's name, for messages */
};

/* The IEEE 1588 time-sync unit's state (ixgbe_timesync.c). */
struct timesync {
	uint64_t systim, t0;    /* SYSTIM was systim at model time t0 */
	uint32_t systimh_latch; /* SYSTIMH as latched by the last SYSTIML read */
	uint64_t rx_stamp, tx_stamp;
	bool rx_valid, tx_valid;
	uint32_t rxsatrh;
};

struct ixgbe_model {
	pthread_mutex_t lock;
	struct ixgbe_bus *bus;
	struct sim_clock *clock; /* the bus's */
	uint64_t now;            /* the clock as last read (real time, manual) */
	uint64_t wire_free;      /* model time the Tx wire is free for the next frame's first byte */
	struct timesync ts;
	struct ixgbe_model_config cfg;
	char name[32];
	char who[48]; /* "ixgbe-model[<name>]", the prefix of its messages */
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
	uint64_t small_bufs[SMALL_BUFS_KEPT]; /* Rx buffers already named by V11 (since reset) */
	unsigned nsmall;
	uint32_t regs[NREGS];
	uint64_t cnt[NCNT];
	uint32_t snap[NCNT];
	struct queue rxq[NQ], txq[NQ];
	uint64_t rx_running[2], tx_running[2]; /* bitmaps of queues with ENABLE set */
	/* wires */
	struct ixgbe_model *peer;   /* self for loopback */
	struct pcap_frames pcap_in; /* rx-pcap: the whole file, checked; count 0 = none */
	uint32_t pcap_in_next;      /* the next frame to deliver (lossless source) */
	uint64_t pcap_delay_ns;     /* the rx-pcap source starts this long after the first step */
	uint64_t pcap_start_ns;     /* model time it starts, once pcap_start_known */
	bool pcap_start_known;
	struct capture tx_pcap, rx_cap; /* tx-pcap, rx-capture (ixgbe_capture.c) */
	bool pcap_ns;                   /* their timestamps in nanoseconds */
	uint64_t rx_wire_free;          /* the rx-pcap sender's wire is free then (cfg.line_rate_mbit) */
	uint64_t pace_until;            /* a frame waits for model time until then (0: none) */
	struct fifo in;                 /* the packet buffer: frames from the wire, bounded by RXPBSIZE(0) */
	struct fifo cable;              /* frames still on a cable with a delay (or from a socket wire) */
	uint64_t delay;                 /* model ticks a frame this port sends spends on the cable */
	struct socket_wire sock;
	bool capture_on;
	struct fifo cap;
	uint8_t scratch[WIRE_MAX_FRAME + 64];
	struct ixgbe_hostile hostile; /* off unless a test turns it on (ixgbe_hostile.h) */
	/* violations */
	struct rule_log log;
	uint8_t warned[NREGS / 8]; /* offsets already warned about (printed once) */
	/* interrupts (ixgbe_interrupts.c); the eventfds survive resets, like a VFIO routing */
	int irq_fd[IRQ_VECTORS];           /* -1: no eventfd attached */
	uint64_t irq_next_ns[IRQ_VECTORS]; /* EITR: no message before this model time */
	uint64_t irq_sent[IRQ_VECTORS];    /* messages sent */
	uint32_t irq_latch;                /* EICR bits with a cause event not yet signalled */
	uint64_t irq_write_errors;         /* eventfd writes that failed */
	uint64_t now_ns;                   /* model time in step mode */
	bool realtime;                     /* thread mode: model time is the monotonic clock */
	/* thread */
	pthread_t thread;
	bool thread_on;
	atomic_bool stop;
};

static inline uint32_t *reg(struct ixgbe_model *m, uint32_t off)
{
	return &m->regs[off / 4];
}

static inline uint32_t rxq_base(unsigned n)
{
	return n < 64 ? 0x01000 + 0x40 * n : 0x0D000 + 0x40 * (n - 64);
}

static inline uint32_t txq_base(unsigned n)
{
	return 0x06000 + 0x40 * n;
}

/* Rx queue registers: 0x01000 + 0x40n (n < 64), 0x0D000 + 0x40(n - 64); Tx: 0x06000 + 0x40n
 * (DS 8.2.3.8, 8.2.3.9). */
static inline bool is_rxq_reg(uint32_t r)
{
	return (r >= 0x01000 && r < 0x02000) || (r >= 0x0D000 && r < 0x0E000);
}

static inline bool is_txq_reg(uint32_t r)
{
	return r >= 0x06000 && r < 0x08000;
}

static inline bool in_reset(const struct ixgbe_model *m)
{
	return m->reads < m->rst_done;
}

static inline bool link_up(const struct ixgbe_model *m)
{
	return !in_reset(m) && m->reads >= m->link_due;
}

/* Has model time reached t? In step mode time moves there (always true); in real time the answer
 * comes from m->now, refreshed from the clock only when t is later; with a manual clock from the
 * clock. A frame that must wait tells the thread when it is due (pace_until). */
static inline bool time_reached(struct ixgbe_model *m, uint64_t t)
{
	if (sim_clock_stepped(m->clock)) {
		sim_clock_reach(m->clock, t);
		return true;
	}
	if (t > m->now || atomic_load_explicit(&m->clock->mode, memory_order_relaxed) == SIM_CLOCK_MANUAL)
		m->now = sim_clock_now(m->clock);
	if (t <= m->now)
		return true;
	if (!m->pace_until || t < m->pace_until)
		m->pace_until = t;
	return false;
}

/* The model time as of this step (real time: read at its start or when a frame waited). */
static inline uint64_t model_now(struct ixgbe_model *m)
{
	return sim_clock_stepped(m->clock) ? sim_clock_now(m->clock) : m->now;
}

/* Model ticks a frame of len bytes (without FCS) holds this port's wire (cfg.line_rate_mbit;
 * 0: an unpaced wire takes no time). */
static inline uint64_t wire_ticks(const struct ixgbe_model *m, uint32_t len)
{
	return m->cfg.line_rate_mbit ? wire_frame_ps(m->cfg.line_rate_mbit, len) / SIM_PS_PER_TICK : 0;
}

/* Model time at which the last byte (with FCS) of a frame whose first byte arrives at `at` does,
 * at this port's rate. */
static inline uint64_t frame_end(const struct ixgbe_model *m, uint64_t at, uint32_t len)
{
	return m->cfg.line_rate_mbit ? at + ((uint64_t)len + 4) * 80000u / m->cfg.line_rate_mbit : at;
}

/* The earliest start of a frame on a wire free at `free`: a sender that fell behind (its thread
 * was not running) catches up on at most WIRE_CATCH_UP_PS of missed wire time. */
static inline uint64_t wire_start(uint64_t free, uint64_t now)
{
	uint64_t catch_up = WIRE_CATCH_UP_PS / SIM_PS_PER_TICK;
	return now > catch_up && free < now - catch_up ? now - catch_up : free;
}

static inline bool q_running(const struct ixgbe_model *m, const struct queue *q, uint32_t ctl)
{
	return (ctl & XDCTL_ENABLE) && m->reads >= q->en_due;
}

/* The PRC64..PRC1522 / PTC64..PTC1522 bucket of a frame of l bytes on the wire (DS 8.2.3.23). */
static inline unsigned size_bucket(uint32_t l)
{
	return l <= 64 ? 0 : l <= 127 ? 1 : l <= 255 ? 2 : l <= 511 ? 3 : l <= 1023 ? 4 : 5;
}

/* ixgbe_registers.c: the register file. */
void ixgbe_regs_init(void); /* once per process, before the first port */
void ixgbe_regs_reset(struct ixgbe_model *m);

/* ixgbe_queues.c: the per-queue registers (DS 8.2.3.8, 8.2.3.9). r is a canonical offset. */
uint32_t ixgbe_queue_read(struct ixgbe_model *m, uint32_t r, bool side);
void ixgbe_rxq_write(struct ixgbe_model *m, uint32_t r, uint32_t v);
void ixgbe_txq_write(struct ixgbe_model *m, uint32_t r, uint32_t v);

/* ixgbe_interrupts.c: interrupt delivery (DS 7.3). */
void ixgbe_irq_reset(struct ixgbe_model *m);
void ixgbe_irq_tick(struct ixgbe_model *m); /* one step of model time (step mode) */
/* The interrupt timers' time in ns: counted per step in step mode (deterministic), CLOCK_MONOTONIC
 * in thread mode. */
uint64_t ixgbe_irq_time_ns(struct ixgbe_model *m);
void ixgbe_irq_cause(struct ixgbe_model *m, unsigned n, bool tx);
void ixgbe_irq_deliver(struct ixgbe_model *m);
uint32_t ixgbe_irq_read_eicr(struct ixgbe_model *m, bool side);
/* Handles a write to an interrupt register; false if r is none of them. */
bool ixgbe_irq_write(struct ixgbe_model *m, uint32_t r, uint32_t v);

/* ixgbe_rx.c: one frame from the wire, whose first byte arrived at model time `at`, into the Rx
 * rings. Returns 1 if it was consumed (delivered or dropped), 0 if it must wait; a lossless source
 * never loses a frame. */
int ixgbe_rx_frame(struct ixgbe_model *m, const uint8_t *d, uint32_t len, bool bad_fcs, bool lossless,
                   uint64_t at);
/* V11 for a buffer posted to Rx queue qn: it must hold SRRCTL.BSIZEPACKET bytes inside its DMA
 * region. Each bad address is named once (the first SMALL_BUFS_KEPT of them). */
void ixgbe_rx_check_buffer(struct ixgbe_model *m, unsigned qn, uint64_t addr);
/* ixgbe_rss.c: the RX queue of a frame that passed the filters (RSS, or queue 0). */
unsigned ixgbe_rss_queue(struct ixgbe_model *m, const uint8_t *d, uint32_t len);

/* ixgbe_tx.c: sends up to max_packets packets from Tx queue n; returns the descriptors processed. */
unsigned ixgbe_tx_queue(struct ixgbe_model *m, unsigned n, unsigned max_packets);
/* Writes back the descriptors a batched write-back (WTHRESH > 0) still holds (TXDCTL.SWFLSH). */
void ixgbe_tx_flush_wb(struct queue *q);

/* ixgbe_tx_timing.c: when frames go on the wire (cfg.line_rate_mbit, DS 7.7.2.2 rate limiter). */
#define LINK_TICKS_PER_BYTE 8u /* 0.8 ns at the 10 Gbit/s link speed the rate factors refer to */
/* The model time at which the next frame of Tx queue n may start. */
uint64_t ixgbe_tx_start(struct ixgbe_model *m, unsigned n);
/* Books the wire and the queue's rate limiter for a frame that started at `start`. */
void ixgbe_tx_booked(struct ixgbe_model *m, unsigned n, uint64_t start, uint32_t wlen);
/* Software moved the tail of Tx queue n: the frames up to it were handed over now. */
void ixgbe_tx_posted(struct ixgbe_model *m, unsigned n);
/* Tx queue n is done with descriptors first .. first + cnt - 1 (one packet). */
void ixgbe_tx_fetched(struct ixgbe_model *m, unsigned n, uint32_t first, uint32_t cnt);
uint32_t ixgbe_rate_read(struct ixgbe_model *m, uint32_t r);
void ixgbe_rate_write(struct ixgbe_model *m, uint32_t r, uint32_t v);

/* ixgbe_timesync.c: the IEEE 1588 unit (DS 7.9). */
bool ixgbe_ts_owns(uint32_t r); /* the register is the unit's */
uint32_t ixgbe_ts_read(struct ixgbe_model *m, uint32_t r, bool side);
void ixgbe_ts_write(struct ixgbe_model *m, uint32_t r, uint32_t v);
void ixgbe_ts_reset(struct ixgbe_model *m);
/* A frame whose first byte arrived at `at`: latches the RX stamp if it qualifies; true if so
 * (the write-back then sets status bit 16, TS). */
bool ixgbe_ts_rx(struct ixgbe_model *m, const uint8_t *d, uint32_t len, uint64_t at);
/* A frame marked for a TX stamp (descriptor bit 19) whose first byte left at `at`. */
void ixgbe_ts_tx(struct ixgbe_model *m, unsigned n, uint64_t at);

/* Capture files (ixgbe_capture.c). Open: 0, or -1 with a message naming `what` in err; add: a
 * frame whose first byte passed the port at model time `at`; close: 0, or -1 with the write
 * error in err. */
int ixgbe_capture_open(struct ixgbe_model *m, struct capture *c, const char *what, const char *path,
                       char *err, size_t errlen);
void ixgbe_capture_add(struct ixgbe_model *m, struct capture *c, const uint8_t *d, uint32_t len, uint64_t at);
int ixgbe_capture_close(struct capture *c, char *err, size_t errlen);

#endif
