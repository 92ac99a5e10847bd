/* libixy public API: open a NIC, move packet batches, read statistics.
 *
 * Threads. A device may be used by several threads at once under these rules:
 * - A queue is owned by one thread at a time: ixy_rx_batch(dev, q) and ixy_tx_batch(dev, q) for
 *   one queue q are never called concurrently. Different queues of a device run concurrently
 *   without locks: thread i may own RX queue i and TX queue i of each port. A queue passes to
 *   another thread only through a synchronisation (a mutex, a thread join, a release store read
 *   with acquire).
 * - Buffers: each RX queue allocates from its own pool. With a single-thread pool (the default),
 *   a buffer received on RX queue i goes back to that pool only from the thread owning RX queue i:
 *   freed there, or sent on a TX queue that thread owns (the TX queue frees sent buffers when its
 *   owner next calls ixy_tx_batch). For pipelines (RX thread -> worker -> TX thread) open with
 *   ixy_options.rx_pool_shared and free with ixy_buf_free_any() (ixy/mempool.h).
 * - Statistics: ixy_read_stats() and ixy_read_queue_stats() may be called from any thread while
 *   other threads run the datapath, which takes no lock for them; the hardware counters are
 *   clear-on-read, so the statistics calls are made from one thread at a time.
 * - Waits (ixy_rx_wait, ixy_rx_wait_any, ixy_adaptive_after_rx) are made by the thread that owns
 *   the RX queues waited on; an ixy_adaptive state belongs to one thread.
 * - Control calls (ixy_tx_flush, ixy_set_promiscuous, ixy_set_mac, ixy_get_mac, ixy_link_speed,
 *   ixy_wait_for_link): one thread at a time, like the statistics calls (serialise them
 *   yourself). ixy_tx_flush() reclaims on every TX queue: call it only while no thread owns one.
 *   ixy_set_promiscuous() and ixy_set_mac() pause reception briefly; the datapath may run.
 * - ixy_open()/ixy_open_hw() of different devices may run in parallel. ixy_close() runs when no
 *   other thread uses the device any more. ixy_last_error() is per thread.
 * The query calls (ixy_driver_name, ixy_device_name, ixy_*_queue_count, ixy_get_promiscuous)
 * read constants and are safe from any thread. */
#ifndef IXY_IXY_H
#define IXY_IXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ixy/mempool.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ixy_device;
struct ixy_hw_ops;

/* How ixy_open() reaches a PCI device (see README, "Running without root (VFIO)"). */
enum ixy_platform {
	IXY_PLATFORM_AUTO = 0, /* VFIO if the device is bound to vfio-pci, else sysfs */
	IXY_PLATFORM_VFIO,     /* only VFIO: the IOMMU confines the device's DMA; no root needed */
	IXY_PLATFORM_SYSFS,    /* only sysfs + pagemap: root, no IOMMU protection */
};

/* Options for ixy_open(). Zero-initialise, then set what you need; zero means "default". */
struct ixy_options {
	uint16_t rx_queues;         /* default 1; ixgbe: 1..16, spread by RSS; virtio: 1 */
	uint16_t tx_queues;         /* default 1 */
	uint16_t rx_ring_size;      /* descriptors, multiple of 8, 8..4096; default 512 */
	uint16_t tx_ring_size;      /* descriptors, multiple of 8, 8..4096; default 512 */
	uint32_t link_timeout_ms;   /* wait for link at init; default 10000; link down is not an error */
	bool promiscuous;           /* receive every frame (FCTRL.UPE|MPE) */
	bool force;                 /* take the device even if its kernel interface is up */
	bool rx_pool_shared;        /* RX buffers may be freed by any thread (pipelines; ixy/mempool.h) */
	const char *sysfs_root;     /* default "/sys"; a fake tree (tests) brings its own VFIO nodes in
	                             * <sysfs_root>/dev/vfio, never the host's /dev/vfio */
	const char *hugetlbfs;      /* default $IXY_HUGETLBFS, else "/mnt/huge" */
	enum ixy_platform platform; /* default IXY_PLATFORM_AUTO */
	const char *virtio_ring;    /* virtio: "split" or "packed" virtqueues (packed only if the
	                             * device offers them); default $IXY_VIRTIO_RING, else "split" */
	/* Interrupt moderation (ixgbe EITR): at least this many microseconds between two interrupts
	 * of a queue, an even number from 2 to 1022; default 10 (at most 100000 wake-ups/s). */
	uint16_t irq_throttle_us;
};

struct ixy_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_bytes;   /* frame bytes without CRC */
	uint64_t tx_bytes;   /* frame bytes without CRC */
	uint64_t rx_dropped; /* no free descriptor or packet buffer full */
	uint64_t rx_errors;  /* write-backs the driver refused: bad length, error bits, out of step */
	uint64_t tx_errors;  /* ixy_tx_batch() calls stopped by a bad length; completions the NIC left out */
};

/* Counts of one queue. */
struct ixy_queue_stats {
	uint64_t packets;
	uint64_t bytes;   /* frame bytes without CRC */
	uint64_t dropped; /* RX: arrived for this queue but no free descriptor; TX: always 0 */
	uint64_t errors;  /* RX: frames dropped as malformed (ixgbe: write-backs refused for a bad
	                   * length, an error bit, a frame spread over several descriptors, or the
	                   * NIC out of step); TX: always 0 (ixgbe's are in ixy_stats.tx_errors) */
};

/* Opens the PCI device "0000:03:00.0" (domain:bus:device.function) and initialises it, or a
 * virtual 82599 port given as "sim:0[,option...]" (include/ixy/sim.h: no hardware, no root).
 * Returns NULL on error; ixy_last_error() then says what went wrong and how to fix it. */
struct ixy_device *ixy_open(const char *pci_addr, const struct ixy_options *opts);

/* Opens a device whose registers and DMA translation are provided by `hw` (a device model).
 * `hw` must outlive the device. */
struct ixy_device *ixy_open_hw(const struct ixy_hw_ops *hw, const struct ixy_options *opts);

/* Stops all queues, frees the device and its DMA memory. NULL is a no-op. */
void ixy_close(struct ixy_device *dev);
/* true for a device model (a "sim:" port, or ixy_open_hw()), false for a real NIC. */
bool ixy_is_virtual(const struct ixy_device *dev);

/* The message of the last failed call in this thread. */
const char *ixy_last_error(void);

/* ---- the library's messages ---- */
enum ixy_log_level { IXY_LOG_ERROR, IXY_LOG_WARNING, IXY_LOG_INFO };
/* Receives each message of the library: one line without a newline, valid during the call.
 * Called from the thread that hit it (an ixy_device's thread, or a virtual port's thread). */
typedef void (*ixy_log_fn)(enum ixy_log_level level, const char *msg, void *ctx);

/* Routes every message of the library to fn (process-wide; call it before opening devices).
 * fn NULL silences them all. The default is ixy_log_stderr. Errors are kept for
 * ixy_last_error() whatever the handler, so a program that reports failed calls itself can
 * drop IXY_LOG_ERROR messages and print each error once. */
void ixy_set_log_handler(ixy_log_fn fn, void *ctx);
/* The default handler: "libixy: error: ...", "libixy: warning: ...", "libixy: ..." lines on
 * stderr; warnings and information are left out when the environment has IXY_QUIET=1. */
void ixy_log_stderr(enum ixy_log_level level, const char *msg, void *ctx);

/* Receives up to `n` packets from queue `queue`; returns how many were written to `bufs`.
 * The caller owns the buffers and frees them with ixy_buf_free(). Each has 14 <= len <= its
 * pool's buf_size, whatever the device wrote (rx_errors counts what was refused). */
static inline uint32_t ixy_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[],
                                    uint32_t n);
/* Queues up to `n` packets on `queue`; returns how many were taken. The driver frees
 * the taken buffers once sent; the rest still belong to the caller. A buffer whose len is not
 * 14 to its pool's buf_size (at most 16383 bytes) is not sent: the batch stops before it, as
 * with a full ring, and tx_errors counts it. queue < ixy_tx_queue_count() is not checked.
 * Sent buffers go back to their pool once half the ring is in flight, when a call finds
 * the ring full or is given none to send (n == 0: call it so when the pool runs dry), and in
 * ixy_tx_flush(). */
static inline uint32_t ixy_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[],
                                    uint32_t n);

/* Waits up to timeout_ms until every packet queued for TX is sent and its buffer is back in
 * its pool. Returns 0, or -1 if packets are still pending (link down?). */
int ixy_tx_flush(struct ixy_device *dev, uint32_t timeout_ms);

/* Adds the counts since the last call to *stats: the hardware counters, and the rx_errors and
 * tx_errors the driver counted. */
void ixy_read_stats(struct ixy_device *dev, struct ixy_stats *stats);
/* Adds each queue's counts since the last call of this function: rx[q] for the
 * ixy_rx_queue_count() RX queues, tx[q] for the ixy_tx_queue_count() TX queues (either array
 * may be NULL). ixgbe: the 82599's per-queue counters (16 sets: with more than 16 TX queues,
 * TX queue q's counts are added to queue q mod 16's); virtio: the driver's counters of its one
 * queue pair. Independent of ixy_read_stats(): each reports what the other did not clear. */
void ixy_read_queue_stats(struct ixy_device *dev, struct ixy_queue_stats rx[], struct ixy_queue_stats tx[]);

void ixy_set_promiscuous(struct ixy_device *dev, bool on);
bool ixy_get_promiscuous(const struct ixy_device *dev);
void ixy_get_mac(struct ixy_device *dev, uint8_t mac[6]);
void ixy_set_mac(struct ixy_device *dev, const uint8_t mac[6]);
/* Link speed in Mbit/s, 0 when the link is down. */
uint32_t ixy_link_speed(struct ixy_device *dev);
/* Waits up to timeout_ms for the link; returns the speed (0: still down). */
uint32_t ixy_wait_for_link(struct ixy_device *dev, uint32_t timeout_ms);

/* Driver name ("ixgbe", "virtio") and the device's address. */
const char *ixy_driver_name(const struct ixy_device *dev);
const char *ixy_device_name(const struct ixy_device *dev);
uint16_t ixy_rx_queue_count(const struct ixy_device *dev);
uint16_t ixy_tx_queue_count(const struct ixy_device *dev);

/* ---- Waiting for frames instead of spinning ----
 * An RX queue's interrupt (82599: MSI-X vector q for RX queue q, DS 7.3) stays masked while the
 * app polls, so polling costs nothing extra and ixy_rx_batch() is unchanged. Only a wait unmasks
 * it, and the interrupt masks itself again when it fires (EIAM auto-mask).
 * virtio (modern interface): the RX queue's used-buffer notifications on MSI-X vector 0, enabled
 * only during a wait (virtio 1.1 2.6.7, 2.7.10, 4.1.5.1.2).
 * Where interrupts are available: a NIC opened through VFIO (VFIO_DEVICE_SET_IRQS routes the
 * vectors to eventfds), and device models behind the hw seam's set_irq (the virtual 82599,
 * "sim:"). Through sysfs, on legacy virtio, or when the platform refuses the vectors, the waits
 * sleep 100 us between looks at the ring (about 10000 wake-ups/s instead of a spinning core).
 * Cost of a wait, when frames already wait: one descriptor read per queue, no system call.
 * Otherwise, per queue: 3 register writes (clear the old cause, unmask; mask after), one read()
 * of its eventfd, plus one poll() for all queues; the wake-up after a frame arrives takes a
 * system call and a scheduler switch (microseconds; bounded below by irq_throttle_us only for a
 * second interrupt within that interval). */

/* One RX queue of a device, for the waiting calls. */
struct ixy_rx_queue_ref {
	struct ixy_device *dev;
	uint16_t queue;
};

/* Waits until RX queue `queue` holds a frame or timeout_ms passes. Returns 1 (call
 * ixy_rx_batch()), 0 (timed out, or a signal arrived) or -1 (queue out of range; see
 * ixy_last_error()). Not for one queue from two threads at once. */
int ixy_rx_wait(struct ixy_device *dev, uint16_t queue, uint32_t timeout_ms);
/* The same for several queues of one or more devices: returns how many hold frames (0: timeout
 * or signal), or -1 for an invalid entry. */
int ixy_rx_wait_any(const struct ixy_rx_queue_ref *queues, unsigned n, uint32_t timeout_ms);

/* Adaptive mode: polls while frames come fast, waits for interrupts while they come slowly. The
 * rate is measured over windows of window_us; below sleep_below_pps the loop starts waiting when
 * its queues run empty, above poll_above_pps it polls again without waiting. Between the two the
 * mode stays as it is (hysteresis: no flapping around one threshold). No frame is lost by a switch:
 * the mode only decides whether an empty loop iteration sleeps; frames wait in the ring meanwhile.
 * Cost in polling mode: one clock read (vDSO, about 20 ns) per loop iteration that received nothing
 * and one per 1024 iterations; nothing per frame. Zero fields take the defaults. */
struct ixy_adaptive_params {
	uint32_t sleep_below_pps; /* default 10000 */
	uint32_t poll_above_pps;  /* default 50000; must be greater than sleep_below_pps */
	uint32_t window_us;       /* default 10000 (10 ms) */
	uint32_t max_wait_ms;     /* longest single wait, so the loop can check its own exit flag;
	                             default 100 */
};
struct ixy_adaptive_stats {
	bool polling;     /* the current mode */
	uint64_t to_poll; /* switches from waiting to polling */
	uint64_t to_wait; /* switches from polling to waiting */
	uint64_t waits;   /* waits that slept */
	uint64_t wakeups; /* waits that ended because frames arrived */
};
struct ixy_adaptive;
/* Starts in polling mode. NULL on bad parameters or no memory (ixy_last_error() says which). The
 * queue list is copied. */
struct ixy_adaptive *ixy_adaptive_new(const struct ixy_rx_queue_ref *queues, unsigned n,
                                      const struct ixy_adaptive_params *params);
/* Call once per loop iteration with the frames it received (over all queues). In waiting mode,
 * an iteration that received nothing waits up to max_wait_ms for any of the queues. */
void ixy_adaptive_after_rx(struct ixy_adaptive *a, uint32_t received);
void ixy_adaptive_get_stats(const struct ixy_adaptive *a, struct ixy_adaptive_stats *stats);
void ixy_adaptive_free(struct ixy_adaptive *a);

/* ---- hardware timestamps and rate limits (ixgbe; the other drivers return -1 / false) ---- */

/* Starts the NIC clock at 0 and stamps IEEE 1588 frames: every frame with EtherType 0x88F7 whose
 * PTP message type is an event message (0-3) is stamped on arrival, and frames sent with
 * ixy_tx_stamped() when they leave. The NIC holds one RX and one TX stamp at a time: until it is
 * read, later frames are not stamped. The clock counts ns from 0 (resolution 6.4 ns at 10 Gbit/s)
 * and wraps after 2^43 ns (about 2.4 h); its rate is set for the link speed at this call. */
int ixy_timesync_enable(struct ixy_device *dev);
/* The NIC clock in ns (0 if the device has none). */
uint64_t ixy_timesync_read_clock(struct ixy_device *dev);
/* Takes the latched TX (RX) stamp, in NIC-clock ns, and frees the latch for the next frame;
 * false if none is latched. For RX, *ptp_seq gets the stamped frame's PTP sequenceId. */
bool ixy_timesync_read_tx(struct ixy_device *dev, uint64_t *ns);
bool ixy_timesync_read_rx(struct ixy_device *dev, uint64_t *ns, uint16_t *ptp_seq);
/* Queues one frame on `queue` marked for a TX stamp; false if the ring is full (the buffer is
 * still the caller's). Have at most one stamped frame in flight per port. */
bool ixy_tx_stamped(struct ixy_device *dev, uint16_t queue, struct ixy_buf *buf);

/* Limits `queue` to `bits_per_s` (frame bytes including the 4-byte CRC, without preamble and
 * inter-frame gap), 0 to remove the limit. Returns 0, or -1 with ixy_last_error() set: the NIC
 * takes 10 Mbit/s up to the link speed. */
int ixy_set_tx_rate(struct ixy_device *dev, uint16_t queue, uint64_t bits_per_s);

/* ---- inline dispatch to the driver (one indirect call per batch) ---- */
struct ixy_driver_ops {
	uint32_t (*rx_batch)(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n);
	uint32_t (*tx_batch)(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n);
};
/* The first member of every device is its ops table. */
struct ixy_device_head {
	const struct ixy_driver_ops *ops;
};

static inline uint32_t ixy_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[],
                                    uint32_t n)
{
	return ((struct ixy_device_head *)dev)->ops->rx_batch(dev, queue, bufs, n);
}

static inline uint32_t ixy_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[],
                                    uint32_t n)
{
	return ((struct ixy_device_head *)dev)->ops->tx_batch(dev, queue, bufs, n);
}

#ifdef __cplusplus
}
#endif
#endif
