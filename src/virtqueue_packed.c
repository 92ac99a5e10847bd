/* Packed virtqueues (virtio 1.1 2.7): one descriptor ring that the driver fills with available
 * descriptors and the device overwrites in place with used ones, told apart by the AVAIL/USED
 * flag bits and the two wrap counters (2.7.1). One descriptor per packet; buffer ids index our
 * buffer table and are checked before use, and never more slots are read back than were made
 * available, whatever flags the device writes. */
#include <string.h>

#include "virtio.h"

#define AVAIL_USED (VIO_PACKED_F_AVAIL | VIO_PACKED_F_USED)

static uint32_t packed_bytes(uint32_t size)
{
	return vio_packed_bytes(size);
}

static void packed_layout(struct vio_queue *q, uint8_t *virt, uint64_t bus)
{
	q->ring = (struct vio_packed_desc *)virt;
	q->driver_event = (struct vio_packed_event *)(virt + 16u * q->size);
	q->device_event = q->driver_event + 1;
	q->desc_bus = bus;
	q->driver_bus = bus + 16u * q->size;
	q->device_bus = q->driver_bus + sizeof(struct vio_packed_event);
	q->driver_event->flags = VIO_PACKED_EVENT_DISABLE; /* we poll (2.7.10) */
	q->avail_flags = VIO_PACKED_F_AVAIL;               /* both wrap counters start at 1 (2.7.1) */
	q->used_flags = AVAIL_USED;
}

/* Makes the next slot available with one buffer (2.7.21): the flags last, with release, so the
 * device never sees a half-written descriptor. */
static inline void packed_post(struct vio_queue *q, uint64_t addr, uint32_t len, uint16_t id, uint16_t flags)
{
	struct vio_packed_desc *d = &q->ring[q->avail_idx];
	d->addr = addr;
	d->len = len;
	d->id = id;
	__atomic_store_n(&d->flags, (uint16_t)(flags | q->avail_flags), __ATOMIC_RELEASE);
	q->inflight++;
	if (++q->avail_idx == q->size) {
		q->avail_idx = 0;
		q->avail_flags ^= AVAIL_USED; /* the driver's wrap counter flips */
	}
}

/* Notifies unless the device disabled notifications (2.7.10, 2.7.21). The fence orders the
 * descriptor stores before the load of the device's flags. */
static inline void packed_kick(struct ixy_device *dev, struct vio_queue *q)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (__atomic_load_n(&q->device_event->flags, __ATOMIC_RELAXED) != VIO_PACKED_EVENT_DISABLE)
		vq_notify(dev, q);
}

/* If the slot at used_last holds a used descriptor (2.7.22), reads its id and length once and
 * moves past `slots` slots. Only slots we made available are looked at. */
static inline bool packed_take_used(struct vio_queue *q, uint16_t slots, uint32_t *id, uint32_t *len)
{
	if (q->inflight < slots)
		return false;
	volatile const struct vio_packed_desc *d = &q->ring[q->used_last];
	uint16_t flags = __atomic_load_n(&q->ring[q->used_last].flags, __ATOMIC_ACQUIRE);
	if ((flags & AVAIL_USED) != q->used_flags)
		return false;
	*id = d->id;
	*len = d->len;
	q->inflight = (uint16_t)(q->inflight - slots);
	q->used_last = (uint16_t)(q->used_last + slots);
	if (q->used_last >= q->size) {
		q->used_last = (uint16_t)(q->used_last - q->size);
		q->used_flags ^= AVAIL_USED; /* the device's wrap counter flips */
	}
	return true;
}

static uint32_t packed_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n)
{
	struct virtio_dev *v = dev->driver;
	struct vio_queue *q = &v->rx;
	if (queue != 0)
		return 0;
	uint32_t hdr = v->hdr_len, cap = v->rx_pool->buf_size, got = 0, k = 0, seen = 0;
	uint64_t bytes = 0;
	uint32_t id, len;
	while (seen < n && packed_take_used(q, 1, &id, &len)) {
		seen++;
		struct ixy_buf *buf = vq_take(q, id, &v->rx_errors), *fresh;
		if (!buf)
			continue; /* nothing to take or re-arm */
		if (vq_rx_accept(v, buf, len, hdr, cap, &fresh)) {
			bytes += buf->len;
			bufs[got++] = buf;
		}
		q->rearm[k++] = (struct vio_rearm){fresh, (uint16_t)id};
	}
	for (uint32_t i = 0; i < k; i++) {
		struct ixy_buf *b = q->rearm[i].buf;
		q->bufs[q->rearm[i].id] = b;
		packed_post(q, b->bus_addr - hdr, cap + hdr, q->rearm[i].id, VIO_DESC_F_WRITE);
	}
	if (k)
		packed_kick(dev, q);
	vstat_add(&v->rx_packets, got);
	vstat_add(&v->rx_bytes, bytes);
	return got;
}

/* Takes completed TX buffers back and counts them as sent (see virtqueue_split.c). */
static inline void packed_tx_reclaim(struct virtio_dev *v)
{
	struct vio_queue *q = &v->tx;
	uint32_t id, len, done = 0;
	uint64_t bytes = 0;
	while (packed_take_used(q, 1, &id, &len))
		done += vq_tx_done(v, q, id, &bytes);
	vstat_add(&v->tx_packets, done);
	vstat_add(&v->tx_bytes, bytes);
}

static uint32_t packed_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n)
{
	struct virtio_dev *v = dev->driver;
	struct vio_queue *q = &v->tx;
	if (queue != 0)
		return 0;
	packed_tx_reclaim(v);
	/* Ids and slots: a used descriptor with a bad id frees a slot but no id. */
	uint32_t room = q->free_count < q->size - q->inflight ? q->free_count : q->size - q->inflight;
	if (n > room)
		n = room;
	uint32_t hdr = v->hdr_len, i;
	for (i = 0; i < n; i++) {
		struct ixy_buf *buf = bufs[i];
		if (!vq_tx_prepare(v, buf))
			break;
		uint16_t id = q->free_ids[--q->free_count];
		q->bufs[id] = buf;
		packed_post(q, buf->bus_addr - hdr, buf->len + hdr, id, 0);
	}
	if (i)
		packed_kick(dev, q);
	return i;
}

static void packed_rx_fill(struct vio_queue *q, struct ixy_buf **bufs, uint32_t hdr_len, uint32_t len)
{
	for (uint16_t i = 0; i < q->size; i++) {
		q->bufs[i] = bufs[i];
		packed_post(q, bufs[i]->bus_addr - hdr_len, len + hdr_len, i, VIO_DESC_F_WRITE);
	}
}

static void packed_rx_publish(struct ixy_device *dev, struct vio_queue *q)
{
	packed_kick(dev, q);
}

/* A chain of n descriptors (2.7.6): the buffer id in the last, the first made available last. */
static void packed_ctrl_post(struct ixy_device *dev, struct vio_queue *q, const uint64_t *addr,
                             const uint32_t *len, const bool *write, uint16_t n)
{
	uint16_t first = q->avail_idx, first_flags = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct vio_packed_desc *d = &q->ring[q->avail_idx];
		uint16_t flags = (uint16_t)((write[i] ? VIO_DESC_F_WRITE : 0) |
		                            (i + 1 < n ? VIO_DESC_F_NEXT : 0) | q->avail_flags);
		d->addr = addr[i];
		d->len = len[i];
		d->id = 0;
		if (i == 0)
			first_flags = flags;
		else
			d->flags = flags;
		q->inflight++;
		if (++q->avail_idx == q->size) {
			q->avail_idx = 0;
			q->avail_flags ^= AVAIL_USED;
		}
	}
	__atomic_store_n(&q->ring[first].flags, first_flags, __ATOMIC_RELEASE);
	packed_kick(dev, q);
}

/* The device writes one used descriptor for the chain and skips the rest (2.7.6). */
static bool packed_ctrl_done(struct vio_queue *q)
{
	uint32_t id, len;
	return packed_take_used(q, q->inflight ? q->inflight : 1, &id, &len);
}

static bool packed_rx_ready(const struct vio_queue *q)
{
	uint16_t flags = __atomic_load_n(&q->ring[q->used_last].flags, __ATOMIC_ACQUIRE);
	return q->inflight && (flags & AVAIL_USED) == q->used_flags;
}

/* The driver event suppression structure: enabled only while the driver waits (2.7.10). The
 * fence orders the flag store before the caller's next look at the ring. */
static void packed_notifications(struct vio_queue *q, bool on)
{
	__atomic_store_n(&q->driver_event->flags,
	                 (uint16_t)(on ? VIO_PACKED_EVENT_ENABLE : VIO_PACKED_EVENT_DISABLE),
	                 __ATOMIC_RELAXED);
	atomic_thread_fence(memory_order_seq_cst);
}

const struct vio_ring_format vio_packed_format = {
    .name = "packed",
    .ops = {.rx_batch = packed_rx_batch, .tx_batch = packed_tx_batch},
    .bytes = packed_bytes,
    .layout = packed_layout,
    .rx_fill = packed_rx_fill,
    .rx_publish = packed_rx_publish,
    .tx_reclaim = packed_tx_reclaim,
    .ctrl_post = packed_ctrl_post,
    .ctrl_done = packed_ctrl_done,
    .rx_ready = packed_rx_ready,
    .notifications = packed_notifications,
};
