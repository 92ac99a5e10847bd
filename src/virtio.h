/* virtio-net driver internals shared by its files:
 *   virtio.c          the net device: init sequence (3.1), control queue, MAC, link, stats
 *   virtio_legacy.c   the legacy interface: registers in I/O BAR 0 (4.1.4.8)
 *   virtio_modern.c   the modern interface: structures found through PCI capabilities (4.1.4)
 *   virtqueue_split.c split virtqueues (2.6): datapath, control chains
 *   virtqueue_packed.c packed virtqueues (2.7): the same for the packed format
 * Everything the device writes into a ring (ids, lengths, indices, flags) is checked before use:
 * a bad entry is dropped and counted (rx_errors/tx_errors), never used as an index. */
#ifndef IXY_VIRTIO_H
#define IXY_VIRTIO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "device.h"
#include "memory.h"
#include "virtio_regs.h"

struct virtio_dev;

/* One buffer the driver gives back to the RX ring at the end of a batch. */
struct vio_rearm {
	struct ixy_buf *buf;
	uint16_t id;
};

struct vio_queue {
	/* Split format (2.6). */
	struct vio_desc *desc;
	struct vio_avail *avail;
	struct vio_used *used;
	/* Packed format (2.7). */
	struct vio_packed_desc *ring;
	struct vio_packed_event *driver_event; /* ours: we poll, so notifications are disabled */
	struct vio_packed_event *device_event; /* the device's: whether it wants our notifies */
	uint16_t avail_flags; /* packed: AVAIL/USED bits that make a slot available in this lap */
	uint16_t used_flags;  /* packed: AVAIL/USED bits of a used slot in this lap (2.7.1) */
	/* Both formats. */
	volatile uint16_t *notify; /* modern interface on a real device: the queue's notify address */
	uint32_t notify_off;       /* modern: its offset in the notification structure (4.1.4.4) */
	uint16_t size;
	uint16_t mask;        /* size - 1 (split sizes are powers of two) */
	uint16_t index;       /* queue number, what a notify carries */
	uint16_t msix_vector; /* modern: the MSI-X vector of its used-buffer notifications, as the
	                       * device took it (VIO_MSI_NO_VECTOR: none) */
	uint16_t avail_idx;   /* split: our copy of avail->idx; packed: next slot to make available */
	uint16_t used_last;   /* split: next used entry to consume; packed: next slot to check */
	uint16_t inflight;    /* packed: slots made available and not yet used */
	uint32_t bad_idx;     /* split: the last impossible used index seen (counted once) */
	uint16_t free_count;
	uint16_t *free_ids;      /* TX: stack of ids not in use */
	struct ixy_buf **bufs;   /* per id: the buffer while the device owns it, else NULL */
	struct vio_rearm *rearm; /* RX: buffers given back at the end of a batch */
	uint64_t desc_bus;       /* bus addresses of the rings, for the transport */
	uint64_t driver_bus;
	uint64_t device_bus;
};

/* The interface through which the device is reached (legacy registers or modern structures). */
struct vio_transport {
	const char *name;
	uint8_t (*get_status)(struct ixy_device *dev);
	void (*set_status)(struct ixy_device *dev, uint8_t status);
	uint64_t (*get_features)(struct ixy_device *dev);
	void (*set_features)(struct ixy_device *dev, uint64_t features);
	/* The largest size of queue `index` (0: no such queue), and whether the driver may pick a
	 * smaller one (modern) or must take it (legacy). */
	uint16_t (*queue_max)(struct ixy_device *dev, uint16_t index);
	bool size_choice;
	/* Tells the device where queue q (size and rings already set) is, and enables it. */
	int (*queue_enable)(struct ixy_device *dev, struct vio_queue *q);
	/* Notifies queue q (the slow path; the modern one on a real device is q->notify). */
	void (*notify)(struct ixy_device *dev, const struct vio_queue *q);
	/* Device-specific configuration (5.1.4): reads, and a byte write (legacy MAC only). */
	void (*config_read)(struct ixy_device *dev, uint32_t off, void *buf, uint32_t len);
	void (*config_write8)(struct ixy_device *dev, uint32_t off, uint8_t value);
};

/* A virtqueue format: its datapath and the few control-path steps that depend on it. */
struct vio_ring_format {
	const char *name;
	struct ixy_driver_ops ops;
	uint32_t (*bytes)(uint32_t size);
	/* Lays queue q out at `virt`/`bus` (zeroed memory) and records the ring addresses. */
	void (*layout)(struct vio_queue *q, uint8_t *virt, uint64_t bus);
	/* Gives every RX descriptor a buffer of `len` device-writable bytes from `bufs` (before
	 * DRIVER_OK; published with `publish`). */
	void (*rx_fill)(struct vio_queue *q, struct ixy_buf **bufs, uint32_t hdr_len, uint32_t len);
	void (*rx_publish)(struct ixy_device *dev, struct vio_queue *q);
	/* Takes completed TX buffers back. */
	void (*tx_reclaim)(struct virtio_dev *v);
	/* Posts one control command (a chain of `n` descriptors) and notifies. */
	void (*ctrl_post)(struct ixy_device *dev, struct vio_queue *q, const uint64_t *addr,
	                  const uint32_t *len, const bool *write, uint16_t n);
	/* True once the device has returned the posted command; consumes it. */
	bool (*ctrl_done)(struct vio_queue *q);
	/* For ixy_rx_wait(): does the next used slot hold a buffer? (Nothing consumed.) */
	bool (*rx_ready)(const struct vio_queue *q);
	/* Used-buffer notifications of queue q on or off (split 2.6.7, packed 2.7.10). */
	void (*notifications)(struct vio_queue *q, bool on);
};

extern const struct vio_ring_format vio_split_format;
extern const struct vio_ring_format vio_packed_format;

/* State of the modern interface: where each structure is (4.1.4) and the mapped BARs. */
struct vio_window {
	uint8_t bar;
	uint32_t offset;
	uint32_t length;
	volatile uint8_t *ptr; /* mapped address on a real device; NULL with a device model */
};

struct vio_modern {
	struct vio_window common, notify, isr, device;
	uint32_t notify_mult;
	uint8_t *bar[VIO_PCI_BARS];
	size_t bar_len[VIO_PCI_BARS];
};

struct virtio_dev {
	const struct vio_transport *transport;
	const struct vio_ring_format *format;
	struct vio_modern modern;
	struct dma_mem mem; /* all rings and the control scratch area */
	struct vio_queue rx, tx, ctrl;
	struct ixy_mempool *rx_pool;
	uint64_t features;
	uint32_t hdr_len; /* virtio-net header before each frame: 10 legacy, 12 modern */
	bool ctrl_broken; /* a command timed out: the device may still own the ctrl descriptors */
	uint8_t mac[6];
	uint8_t *ctrl_buf; /* scratch: [0] class, [1] cmd, [16..] data, [63] ack */
	uint64_t ctrl_bus;
	/* Software counters, never reset: each is written only by the thread that owns its queue
	 * (vstat_add) and may be read by another (relaxed atomic loads), so statistics need no lock.
	 * rx_errors, tx_errors: used-ring entries refused (bad id, id not owned by the device, bad
	 * length, impossible index) and TX frames refused; virtio_error_counts() reads them. */
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, rx_errors, tx_errors;
	struct ixy_stats reported; /* what ixy_read_stats() has shown (the stats reader's own) */
};

/* Adds n to a counter that only this thread writes and others may read (no locked add). */
static inline void vstat_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

extern const struct vio_transport vio_legacy_transport;
extern const struct vio_transport vio_modern_transport;

/* Finds the modern interface's structures (4.1.4) and maps their BARs. Returns 1 if found, 0 if
 * the device has no modern interface (legacy only), -1 on error (reported). */
int vio_modern_probe(struct ixy_device *dev, struct virtio_dev *v);
/* Unmaps what vio_modern_probe() mapped. */
void vio_modern_unmap(struct virtio_dev *v);

/* Errors counted since open (for tests and the stats wiring). */
void virtio_error_counts(const struct ixy_device *dev, uint64_t *rx_errors, uint64_t *tx_errors);

/* Notifies the device of new buffers in q (4.1.5.2, legacy 4.1.4.8): one 16-bit store on a
 * real modern device, the transport otherwise. */
static inline void vq_notify(struct ixy_device *dev, const struct vio_queue *q)
{
	if (q->notify) {
		*q->notify = q->index;
		return;
	}
	((struct virtio_dev *)dev->driver)->transport->notify(dev, q);
}

/* A used length that can be handed out: a header and at least an Ethernet header, and no more
 * than the buffer holds: the device is not trusted (README, "virtio-net in a VM"). */
static inline bool vq_rx_len_ok(uint32_t len, uint32_t hdr_len, uint32_t buf_size)
{
	return len >= hdr_len + 14 && len <= hdr_len + buf_size;
}

/* Takes the buffer behind a used id back from the device; NULL (counted) if the id is out of
 * range or not a buffer the device holds. Never indexes with an unchecked id. */
static inline struct ixy_buf *vq_take(struct vio_queue *q, uint32_t id, uint64_t *errors)
{
	if (id >= q->size || !q->bufs[id]) {
		vstat_add(errors, 1);
		return NULL;
	}
	struct ixy_buf *buf = q->bufs[id];
	q->bufs[id] = NULL; /* a second used entry with this id before the re-arm is refused */
	return buf;
}

/* RX: whether `buf`, returned with `len` bytes (header included), goes to the app: its length
 * is sane (else counted in rx_errors) and a fresh buffer, in *fresh, takes its place (else the
 * app holds every buffer: counted in rx_dropped, so the ring never runs empty). When not, the
 * frame is dropped and *fresh is `buf` itself, to be re-armed. */
static inline bool vq_rx_accept(struct virtio_dev *v, struct ixy_buf *buf, uint32_t len, uint32_t hdr,
                                uint32_t cap, struct ixy_buf **fresh)
{
	*fresh = buf;
	if (!vq_rx_len_ok(len, hdr, cap)) {
		vstat_add(&v->rx_errors, 1);
		return false;
	}
	struct ixy_buf *f = ixy_buf_alloc(v->rx_pool);
	if (!f) {
		vstat_add(&v->rx_dropped, 1);
		return false;
	}
	*fresh = f;
	buf->len = len - hdr;
	return true;
}

/* TX: a used entry with `id`: if the device held that id (else counted in tx_errors), its
 * buffer goes back to its pool and the id to the free stack. Returns 1 for a completed frame. */
static inline uint32_t vq_tx_done(struct virtio_dev *v, struct vio_queue *q, uint32_t id, uint64_t *bytes)
{
	struct ixy_buf *buf = vq_take(q, id, &v->tx_errors);
	if (!buf)
		return 0;
	*bytes += buf->len;
	ixy_buf_free_any(buf); /* the app's buffers may come from a shared pool */
	q->free_ids[q->free_count++] = (uint16_t)id;
	return 1;
}

/* TX: false (counted) for a frame outside 14..its buffer's size, which stops the batch like a
 * full ring; else zeroes the header: no checksum offload, no GSO (the headroom may hold an RX
 * header). 12 bytes cover both header sizes. */
static inline bool vq_tx_prepare(struct virtio_dev *v, struct ixy_buf *buf)
{
	if (buf->len < 14 || buf->len > buf->pool->buf_size) {
		vstat_add(&v->tx_errors, 1);
		return false;
	}
	memset(buf->data - VIO_NET_HDR_LEN_MODERN, 0, VIO_NET_HDR_LEN_MODERN);
	return true;
}

#endif
