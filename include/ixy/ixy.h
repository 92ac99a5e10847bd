/* libixy public API: open a NIC, move packet batches, read statistics. */
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

/* Options for ixy_open(). Zero-initialise, then set what you need; zero means "default". */
struct ixy_options {
	uint16_t rx_queues;       /* default 1; ixgbe: 1..16, spread by RSS; virtio: 1 */
	uint16_t tx_queues;       /* default 1 */
	uint16_t rx_ring_size;    /* descriptors, multiple of 8, 8..4096; default 512 */
	uint16_t tx_ring_size;    /* descriptors, multiple of 8, 8..4096; default 512 */
	uint32_t link_timeout_ms; /* wait for link at init; default 10000; link down is not an error */
	bool promiscuous;         /* receive every frame (FCTRL.UPE|MPE) */
	bool force;               /* take the device even if its kernel interface is up */
	const char *sysfs_root;   /* default "/sys" (tests point it at a fake tree) */
	const char *hugetlbfs;    /* default $IXY_HUGETLBFS, else "/mnt/huge" */
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

/* Opens the PCI device "0000:03:00.0" (domain:bus:device.function) and initialises it.
 * Returns NULL on error; ixy_last_error() then says what went wrong and how to fix it. */
struct ixy_device *ixy_open(const char *pci_addr, const struct ixy_options *opts);

/* Opens a device whose registers and DMA translation are provided by `hw` (a device model).
 * `hw` must outlive the device. */
struct ixy_device *ixy_open_hw(const struct ixy_hw_ops *hw, const struct ixy_options *opts);

/* Stops all queues, frees the device and its DMA memory. NULL is a no-op. */
void ixy_close(struct ixy_device *dev);

/* The message of the last failed call in this thread. */
const char *ixy_last_error(void);

/* Receives up to `n` packets from queue `queue`; returns how many were written to `bufs`.
 * The caller owns the buffers and frees them with ixy_buf_free(). Each has 14 <= len <= its
 * pool's buf_size, whatever the device wrote (rx_errors counts what was refused). */
static inline uint32_t ixy_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[],
                                    uint32_t n);
/* Queues up to `n` packets on `queue`; returns how many were taken. The driver frees
 * the taken buffers once sent; the rest still belong to the caller. A buffer whose len is not
 * 14 to its pool's buf_size (at most 16383 bytes) is not sent: the batch stops before it, as
 * with a full ring, and tx_errors counts it. queue < ixy_tx_queue_count() is not checked.
 * Sent buffers go back to their pool once a quarter of the ring is in flight, when a call finds
 * the ring full or is given none to send (n == 0: call it so when the pool runs dry), and in
 * ixy_tx_flush(). */
static inline uint32_t ixy_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[],
                                    uint32_t n);

/* Waits up to timeout_ms until every packet queued for TX is sent and its buffer is back in
 * its pool. Returns 0, or -1 if packets are still pending (link down?). */
int ixy_tx_flush(struct ixy_device *dev, uint32_t timeout_ms);

/* Adds the counters since the last call to *stats (hardware counters are clear-on-read; the
 * driver's rx_errors and tx_errors are reset by the call too). */
void ixy_read_stats(struct ixy_device *dev, struct ixy_stats *stats);

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
