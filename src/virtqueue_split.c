/* Split virtqueues (virtio 1.1 2.6): descriptor table, available ring, used ring. One descriptor
 * per packet, the descriptor index being the buffer id. The used ring is the device's: every id,
 * length and index read from it is checked before use (2.6.8). */
#include <string.h>

#include "virtio.h"

static uint32_t split_bytes(uint32_t size)
{
	return vio_queue_bytes(size);
}

static void split_layout(struct vio_queue *q, uint8_t *virt, uint64_t bus)
{
	q->desc = (struct vio_desc *)virt;
	q->avail = (struct vio_avail *)(virt + 16u * q->size);
	q->used = (struct vio_used *)(virt + vio_used_offset(q->size));
	q->desc_bus = bus;
	q->driver_bus = bus + 16u * q->size;
	q->device_bus = bus + vio_used_offset(q->size);
	q->avail->flags = VIO_AVAIL_F_NO_INTERRUPT; /* we poll (2.6.7) */
	q->bad_idx = UINT32_MAX;
}

/* Publishes avail entries up to avail_idx (2.6.13) and notifies unless the device said it needs
 * none (2.6.10). The seq_cst fence orders our idx store before the flags load: otherwise we could
 * read a stale NO_NOTIFY just as the device stops polling, and the batch would sit there unseen. */
static inline void split_publish(struct ixy_device *dev, struct vio_queue *q, uint16_t avail_idx)
{
	q->avail_idx = avail_idx;
	__atomic_store_n(&q->avail->idx, avail_idx, __ATOMIC_RELEASE); /* descriptors before idx */
	atomic_thread_fence(memory_order_seq_cst);
	if (!(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) & VIO_USED_F_NO_NOTIFY))
		vq_notify(dev, q);
}

/* How many used entries are new (2.6.14). A device never has more than the ring's size returned
 * and unread: an index beyond that is refused (counted once per value) until it is sane again. */
static inline uint16_t split_new_used(struct vio_queue *q, uint64_t *errors)
{
	/* Acquire: the used elements the device wrote before bumping idx are visible after. */
	uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	uint16_t n = (uint16_t)(used - q->used_last);
	if (n > q->size) {
		if (q->bad_idx != used)
			vstat_add(errors, 1);
		q->bad_idx = used;
		return 0;
	}
	return n;
}

/* The next used element, read once each: the device may rewrite it while we look. */
static inline void split_next_used(struct vio_queue *q, uint32_t *id, uint32_t *len)
{
	volatile const struct vio_used_elem *e = &q->used->ring[q->used_last++ & q->mask];
	*id = e->id;
	*len = e->len;
}

static uint32_t split_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n)
{
	struct virtio_dev *v = dev->driver;
	struct vio_queue *q = &v->rx;
	if (queue != 0)
		return 0;
	uint32_t todo = split_new_used(q, &v->rx_errors);
	if (todo > n)
		todo = n;
	uint32_t hdr = v->hdr_len, cap = v->rx_pool->buf_size, got = 0, k = 0;
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < todo; i++) {
		uint32_t id, len;
		split_next_used(q, &id, &len);
		struct ixy_buf *buf = vq_take(q, id, &v->rx_errors), *fresh;
		if (!buf)
			continue; /* nothing to take or re-arm */
		if (vq_rx_accept(v, buf, len, hdr, cap, &fresh)) {
			bytes += buf->len;
			bufs[got++] = buf;
		}
		q->rearm[k++] = (struct vio_rearm){fresh, (uint16_t)id};
	}
	/* Same descriptor id, new buffer; len and the WRITE flag were set at init. */
	uint16_t avail = q->avail_idx;
	for (uint32_t i = 0; i < k; i++) {
		uint16_t id = q->rearm[i].id;
		q->bufs[id] = q->rearm[i].buf;
		q->desc[id].addr = q->rearm[i].buf->bus_addr - hdr;
		q->avail->ring[avail++ & q->mask] = id;
	}
	if (k)
		split_publish(dev, q, avail);
	vstat_add(&v->rx_packets, got);
	vstat_add(&v->rx_bytes, bytes);
	return got;
}

/* Returns completed TX buffers to their pools and their ids to the free stack, and counts them
 * as sent: the device has no counters, completion is the closest to "on the wire". The used
 * length of a device-readable buffer means nothing and is ignored (2.6.8). */
static inline void split_tx_reclaim(struct virtio_dev *v)
{
	struct vio_queue *q = &v->tx;
	uint32_t todo = split_new_used(q, &v->tx_errors), done = 0;
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < todo; i++) {
		uint32_t id, len;
		split_next_used(q, &id, &len);
		done += vq_tx_done(v, q, id, &bytes);
	}
	vstat_add(&v->tx_packets, done);
	vstat_add(&v->tx_bytes, bytes);
}

static uint32_t split_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n)
{
	struct virtio_dev *v = dev->driver;
	struct vio_queue *q = &v->tx;
	if (queue != 0)
		return 0;
	split_tx_reclaim(v);
	if (n > q->free_count)
		n = q->free_count;
	uint32_t hdr = v->hdr_len;
	uint16_t avail = q->avail_idx;
	uint32_t i;
	for (i = 0; i < n; i++) {
		struct ixy_buf *buf = bufs[i];
		if (!vq_tx_prepare(v, buf))
			break;
		uint16_t id = q->free_ids[--q->free_count];
		q->bufs[id] = buf;
		q->desc[id].addr = buf->bus_addr - hdr;
		q->desc[id].len = buf->len + hdr;
		q->desc[id].flags = 0;
		q->avail->ring[avail++ & q->mask] = id;
	}
	if (i)
		split_publish(dev, q, avail);
	return i;
}

static void split_rx_fill(struct vio_queue *q, struct ixy_buf **bufs, uint32_t hdr_len, uint32_t len)
{
	for (uint16_t i = 0; i < q->size; i++) {
		q->bufs[i] = bufs[i];
		q->desc[i] =
		    (struct vio_desc){bufs[i]->bus_addr - hdr_len, len + hdr_len, VIO_DESC_F_WRITE, 0};
		q->avail->ring[i] = i;
	}
}

static void split_rx_publish(struct ixy_device *dev, struct vio_queue *q)
{
	split_publish(dev, q, q->size);
}

/* A chain of n descriptors starting at 0: one command at a time, so they are always free. */
static void split_ctrl_post(struct ixy_device *dev, struct vio_queue *q, const uint64_t *addr,
                            const uint32_t *len, const bool *write, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		uint16_t flags =
		    (uint16_t)((write[i] ? VIO_DESC_F_WRITE : 0) | (i + 1 < n ? VIO_DESC_F_NEXT : 0));
		q->desc[i] = (struct vio_desc){addr[i], len[i], flags, (uint16_t)(i + 1)};
	}
	q->avail->ring[q->avail_idx & q->mask] = 0;
	split_publish(dev, q, (uint16_t)(q->avail_idx + 1));
}

/* Any progress of the used index returns our one command; whatever the index says, we resume
 * from it (the ack byte is all we read). */
static bool split_ctrl_done(struct vio_queue *q)
{
	uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	if (used == q->used_last)
		return false;
	q->used_last = used;
	return true;
}

static bool split_rx_ready(const struct vio_queue *q)
{
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) != q->used_last;
}

/* VIO_AVAIL_F_NO_INTERRUPT off only while the driver waits (2.6.7). The fence orders the flag
 * store before the caller's next look at the used ring, so a buffer used meanwhile is seen. */
static void split_notifications(struct vio_queue *q, bool on)
{
	__atomic_store_n(&q->avail->flags, (uint16_t)(on ? 0 : VIO_AVAIL_F_NO_INTERRUPT), __ATOMIC_RELAXED);
	atomic_thread_fence(memory_order_seq_cst);
}

const struct vio_ring_format vio_split_format = {
    .name = "split",
    .ops = {.rx_batch = split_rx_batch, .tx_batch = split_tx_batch},
    .bytes = split_bytes,
    .layout = split_layout,
    .rx_fill = split_rx_fill,
    .rx_publish = split_rx_publish,
    .tx_reclaim = split_tx_reclaim,
    .ctrl_post = split_ctrl_post,
    .ctrl_done = split_ctrl_done,
    .rx_ready = split_rx_ready,
    .notifications = split_notifications,
};
