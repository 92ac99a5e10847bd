/* virtio-net driver for the legacy (transitional) PCI interface, as QEMU and most hypervisors
 * offer it (1af4:1000). Registers are in an I/O-port BAR reached with pread/pwrite on sysfs
 * resource0; the three virtqueues live in one DMA region.
 *
 * Design (see also README):
 * - One descriptor per packet. The 10-byte virtio-net header sits in the 40 reserved bytes just
 *   before buf->data, so the descriptor covers [bus_addr - 10, bus_addr + len). That needs
 *   VIRTIO_F_ANY_LAYOUT (legacy 5.1.6.6); every QEMU/vhost offers it and we refuse without it.
 * - Queue sizes are dictated by the legacy device (QUEUE_SIZE is read-only); the requested
 *   rx_ring_size/tx_ring_size are ignored (QEMU: -device virtio-net-pci,rx_queue_size=N).
 * - One RX and one TX queue (no VIRTIO_NET_F_MQ).
 * - Statistics are software counters: the device has none. tx counts frames the device has
 *   completed (taken off the ring and passed to its backend), rx_dropped counts frames we had to
 *   recycle because the RX pool was empty (drops inside the device are invisible to us).
 * - Link: config.status when VIRTIO_NET_F_STATUS is offered, else always up. Virtio has no
 *   speed on the legacy interface, so an up link reports a nominal 1000 Mbit/s.
 * - Promiscuous mode through the control queue (CTRL_RX). QEMU resets the device to promiscuous,
 *   so at init we always send the requested state.
 * - MAC: config.mac (VIRTIO_NET_F_MAC); set via ctrl MAC_ADDR_SET if offered, else by writing
 *   config.mac (allowed for legacy devices).
 * - Datapath: no syscall except the queue notify (a 2-byte pwrite), at most one per batch and
 *   skipped while the device sets VIO_USED_F_NO_NOTIFY. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "log.h"
#include "memory.h"
#include "virtio_regs.h"

struct vio_queue {
	struct vio_desc *desc;
	struct vio_avail *avail;
	struct vio_used *used;
	uint16_t size;
	uint16_t mask;         /* size - 1: queue sizes are powers of two (2.4) */
	uint16_t index;        /* queue number, what the notify register takes */
	uint16_t avail_idx;    /* our copy of avail->idx */
	uint16_t used_last;    /* next used entry to consume */
	uint16_t free_count;   /* entries in free_desc */
	uint16_t *free_desc;   /* stack of unused descriptor ids (TX) */
	struct ixy_buf **bufs; /* buffer behind each descriptor id */
};

struct virtio_dev {
	struct dma_mem mem; /* all rings and the control scratch area */
	struct vio_queue rx, tx, ctrl;
	struct ixy_mempool *rx_pool;
	uint32_t features;
	bool ctrl_broken; /* a command timed out: the device may still own the ctrl descriptors */
	uint8_t mac[6];
	uint8_t *ctrl_buf; /* scratch: [0] class, [1] cmd, [16..] data, [63] ack */
	uint64_t ctrl_bus;
	/* Software counters since the last ixy_read_stats(). */
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped;
};

#define CTRL_DATA_OFF 16
#define CTRL_ACK_OFF 63
#define CTRL_BUF_SIZE 64
#define CTRL_TIMEOUT_MS 2000
#define TX_DRAIN_TIMEOUT_MS 2000
#define RX_POOL_EXTRA 1024 /* buffers beyond two rings' worth, for those the app holds */

/* ---- register access: I/O-port BAR via resource0, one access of the given width ---- */

static int io_read(const struct ixy_device *dev, uint32_t reg, void *val, size_t width)
{
	return pread(dev->bar0_fd, val, width, reg) == (ssize_t)width ? 0 : -1;
}

static int io_write(const struct ixy_device *dev, uint32_t reg, const void *val, size_t width)
{
	return pwrite(dev->bar0_fd, val, width, reg) == (ssize_t)width ? 0 : -1;
}

static uint8_t io_read8(const struct ixy_device *dev, uint32_t reg)
{
	uint8_t v = 0xff;
	io_read(dev, reg, &v, 1);
	return v;
}

static void io_write8(const struct ixy_device *dev, uint32_t reg, uint8_t v)
{
	io_write(dev, reg, &v, 1);
}

static uint32_t elapsed_ms(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint32_t)((now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000);
}

/* ---- virtqueue primitives ---- */

/* Publishes new avail entries and notifies the device unless it asked us not to (2.4.7.2).
 * The seq_cst fence orders our idx store before the flags load: otherwise we could read a stale
 * NO_NOTIFY just as the device stops polling, and the batch would sit there unseen. */
static inline void vq_publish(struct ixy_device *dev, struct vio_queue *q, uint16_t avail_idx)
{
	q->avail_idx = avail_idx;
	__atomic_store_n(&q->avail->idx, avail_idx, __ATOMIC_RELEASE); /* descriptors before idx (3.2.1.3) */
	atomic_thread_fence(memory_order_seq_cst);
	if (!(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) & VIO_USED_F_NO_NOTIFY))
		io_write(dev, VIO_REG_QUEUE_NOTIFY, &q->index, 2);
}

static inline uint16_t vq_used_idx(const struct vio_queue *q)
{
	/* Acquire: the used elements the device wrote before bumping idx are visible after. */
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
}

/* Returns completed TX buffers to their pools and their descriptors to the free stack, and
 * counts them as sent: the device has no counters, completion is the closest to "on the wire". */
static inline void tx_reclaim(struct virtio_dev *v)
{
	struct vio_queue *q = &v->tx;
	uint16_t used = vq_used_idx(q);
	uint64_t bytes = 0;
	uint16_t done = (uint16_t)(used - q->used_last);
	while (q->used_last != used) {
		uint16_t id = (uint16_t)q->used->ring[q->used_last & q->mask].id;
		struct ixy_buf *buf = q->bufs[id];
		bytes += buf->len;
		ixy_buf_free(buf);
		q->bufs[id] = NULL;
		q->free_desc[q->free_count++] = id;
		q->used_last++;
	}
	v->tx_packets += done;
	v->tx_bytes += bytes;
}

/* ---- datapath ---- */

static uint32_t virtio_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n)
{
	struct virtio_dev *v = dev->driver;
	struct vio_queue *q = &v->rx;
	if (queue != 0)
		return 0;
	uint16_t used = vq_used_idx(q);
	uint16_t avail = q->avail_idx;
	uint32_t got = 0;
	uint64_t bytes = 0;
	while (got < n && q->used_last != used) {
		struct vio_used_elem *e = &q->used->ring[q->used_last & q->mask];
		uint16_t id = (uint16_t)e->id;
		uint32_t len = e->len > VIO_NET_HDR_LEN ? e->len - VIO_NET_HDR_LEN : 0;
		struct ixy_buf *buf = q->bufs[id];
		struct ixy_buf *fresh = ixy_buf_alloc(v->rx_pool);
		q->used_last++;
		if (fresh) {
			buf->len = len;
			bytes += len;
			bufs[got++] = buf;
		} else {
			/* The app holds every buffer: drop this frame and give its buffer straight back,
			 * so the ring never runs empty (what a NIC without descriptors would do). */
			v->rx_dropped++;
			fresh = buf;
		}
		/* Same descriptor id, new buffer; len and the WRITE flag were set at init. */
		q->bufs[id] = fresh;
		q->desc[id].addr = fresh->bus_addr - VIO_NET_HDR_LEN;
		q->avail->ring[avail & q->mask] = id;
		avail++;
	}
	if (avail != q->avail_idx)
		vq_publish(dev, q, avail);
	v->rx_packets += got;
	v->rx_bytes += bytes;
	return got;
}

static uint32_t virtio_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n)
{
	struct virtio_dev *v = dev->driver;
	struct vio_queue *q = &v->tx;
	if (queue != 0)
		return 0;
	tx_reclaim(v);
	if (n > q->free_count)
		n = q->free_count;
	uint16_t avail = q->avail_idx;
	for (uint32_t i = 0; i < n; i++) {
		struct ixy_buf *buf = bufs[i];
		uint16_t id = q->free_desc[--q->free_count];
		/* Zero header: no checksum offload, no GSO. The reserved bytes may hold an RX header. */
		memset(buf->data - VIO_NET_HDR_LEN, 0, VIO_NET_HDR_LEN);
		q->bufs[id] = buf;
		q->desc[id].addr = buf->bus_addr - VIO_NET_HDR_LEN;
		q->desc[id].len = buf->len + VIO_NET_HDR_LEN;
		q->desc[id].flags = 0;
		q->avail->ring[avail & q->mask] = id;
		avail++;
	}
	if (n)
		vq_publish(dev, q, avail);
	return n;
}

static const struct ixy_driver_ops virtio_ops = {
    .rx_batch = virtio_rx_batch,
    .tx_batch = virtio_tx_batch,
};

/* ---- control queue (5.1.6.5) ---- */

/* Sends one command and polls for its completion (bounded). Returns 0 if the device acked it. */
static int ctrl_command(struct ixy_device *dev, uint8_t class, uint8_t cmd, const void *data, uint16_t len)
{
	struct virtio_dev *v = dev->driver;
	struct vio_queue *q = &v->ctrl;
	if (!q->size || v->ctrl_broken)
		return -1;
	uint8_t *b = v->ctrl_buf;
	b[0] = class;
	b[1] = cmd;
	memcpy(b + CTRL_DATA_OFF, data, len);
	b[CTRL_ACK_OFF] = 0xff;
	/* Three descriptors (header, data, ack): the classic layout, valid with or without ANY_LAYOUT. */
	q->desc[0] = (struct vio_desc){v->ctrl_bus, 2, VIO_DESC_F_NEXT, 1};
	q->desc[1] = (struct vio_desc){v->ctrl_bus + CTRL_DATA_OFF, len, VIO_DESC_F_NEXT, 2};
	q->desc[2] = (struct vio_desc){v->ctrl_bus + CTRL_ACK_OFF, 1, VIO_DESC_F_WRITE, 0};
	q->avail->ring[q->avail_idx & q->mask] = 0;
	vq_publish(dev, q, (uint16_t)(q->avail_idx + 1));
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (vq_used_idx(q) == q->used_last) {
		if (elapsed_ms(&start) > CTRL_TIMEOUT_MS) {
			v->ctrl_broken = true;
			ixy_warn("%s: virtio control command %u/%u got no answer within %u ms; control "
			         "commands are disabled for this device",
			         dev->name, class, cmd, CTRL_TIMEOUT_MS);
			return -1;
		}
		usleep(50);
	}
	q->used_last++;
	return __atomic_load_n(&b[CTRL_ACK_OFF], __ATOMIC_ACQUIRE) == VIO_NET_OK ? 0 : -1;
}

/* ---- control path ---- */

static void virtio_set_promiscuous(struct ixy_device *dev, bool on)
{
	struct virtio_dev *v = dev->driver;
	if (!(v->features & VIO_NET_F_CTRL_RX)) {
		ixy_warn(
		    "%s: the virtio device offers no control of promiscuous mode (VIRTIO_NET_F_CTRL_RX); "
		    "it filters as it decides (QEMU: receives everything)",
		    dev->name);
		return;
	}
	uint8_t flag = on;
	if (ctrl_command(dev, VIO_NET_CTRL_RX, VIO_NET_CTRL_RX_PROMISC, &flag, 1) < 0)
		ixy_warn("%s: the virtio device refused promiscuous mode %s", dev->name, on ? "on" : "off");
}

static void virtio_get_mac(struct ixy_device *dev, uint8_t mac[6])
{
	struct virtio_dev *v = dev->driver;
	memcpy(mac, v->mac, 6);
}

static void write_config_mac(struct ixy_device *dev, const uint8_t mac[6])
{
	for (int i = 0; i < 6; i++)
		io_write8(dev, VIO_REG_CONFIG + VIO_NET_CFG_MAC + i, mac[i]);
}

static void virtio_set_mac(struct ixy_device *dev, const uint8_t mac[6])
{
	struct virtio_dev *v = dev->driver;
	/* With CTRL_MAC_ADDR the device ignores config writes (5.1.6.5.2); without it a legacy
	 * device takes the address from config.mac. */
	if ((v->features & VIO_NET_F_CTRL_MAC_ADDR) && v->ctrl.size) {
		if (ctrl_command(dev, VIO_NET_CTRL_MAC, VIO_NET_CTRL_MAC_ADDR_SET, mac, 6) < 0) {
			ixy_warn("%s: the virtio device refused the new MAC address", dev->name);
			return;
		}
	} else {
		write_config_mac(dev, mac);
	}
	memcpy(v->mac, mac, 6);
}

static uint32_t virtio_link_speed(struct ixy_device *dev)
{
	struct virtio_dev *v = dev->driver;
	if (!(v->features & VIO_NET_F_STATUS))
		return 1000; /* no status field: the link is always up */
	uint16_t status = 0;
	if (io_read(dev, VIO_REG_CONFIG + VIO_NET_CFG_STATUS, &status, 2) < 0)
		return 0;
	return (status & VIO_NET_S_LINK_UP) ? 1000 : 0; /* legacy virtio has no speed: nominal 1 Gbit/s */
}

static void virtio_read_stats(struct ixy_device *dev, struct ixy_stats *stats)
{
	struct virtio_dev *v = dev->driver;
	stats->rx_packets += v->rx_packets;
	stats->rx_bytes += v->rx_bytes;
	stats->tx_packets += v->tx_packets;
	stats->tx_bytes += v->tx_bytes;
	stats->rx_dropped += v->rx_dropped;
	v->rx_packets = v->rx_bytes = v->tx_packets = v->tx_bytes = v->rx_dropped = 0;
}

/* Frees everything; the device must already be reset (it no longer touches the rings). */
static void free_driver(struct virtio_dev *v)
{
	if (!v)
		return;
	struct vio_queue *qs[2] = {&v->rx, &v->tx};
	for (int i = 0; i < 2; i++) {
		if (qs[i]->bufs) {
			for (uint32_t d = 0; d < qs[i]->size; d++)
				if (qs[i]->bufs[d])
					ixy_buf_free(qs[i]->bufs[d]);
		}
		free(qs[i]->bufs);
		free(qs[i]->free_desc);
	}
	ixy_mempool_destroy(v->rx_pool);
	dma_free(&v->mem);
	free(v);
}

static int virtio_tx_flush(struct ixy_device *dev, uint32_t timeout_ms)
{
	struct virtio_dev *v = dev->driver;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (tx_reclaim(v); v->tx.free_count < v->tx.size; tx_reclaim(v)) {
		if (elapsed_ms(&start) > timeout_ms)
			return -1;
		usleep(100);
	}
	return 0;
}

static void virtio_close(struct ixy_device *dev)
{
	struct virtio_dev *v = dev->driver;
	if (!v)
		return;
	/* Let frames already handed to the device go out before the reset drops them. */
	if (virtio_tx_flush(dev, TX_DRAIN_TIMEOUT_MS) < 0)
		ixy_warn("%s: %u frames still queued for transmit after %u ms; dropping them", dev->name,
		         (unsigned)(v->tx.size - v->tx.free_count), TX_DRAIN_TIMEOUT_MS);
	io_write8(dev, VIO_REG_DEVICE_STATUS, 0); /* reset: the device stops using the rings (2.1.2) */
	free_driver(v);
	dev->driver = NULL;
}

/* For ixy_rx_wait(): the device has put a used entry we have not consumed (2.4.8). Without
 * interrupt support here, the wait sleeps between these looks. */
static bool virtio_rx_ready(struct ixy_device *dev, uint16_t queue)
{
	(void)queue;
	struct vio_queue *q = &((struct virtio_dev *)dev->driver)->rx;
	return vq_used_idx(q) != q->used_last;
}

static const struct ixy_ctrl_ops virtio_ctrl = {
    .driver_name = "virtio",
    .close = virtio_close,
    .tx_flush = virtio_tx_flush,
    .read_stats = virtio_read_stats,
    .set_promiscuous = virtio_set_promiscuous,
    .get_mac = virtio_get_mac,
    .set_mac = virtio_set_mac,
    .link_speed = virtio_link_speed,
    .rx_ready = virtio_rx_ready,
};

/* ---- initialisation (3.1, legacy 3.1.2) ---- */

bool virtio_supports(uint16_t vendor, uint16_t device)
{
	return vendor == VIO_VENDOR_ID && device == VIO_DEVICE_NET_LEGACY;
}

static int read_queue_size(struct ixy_device *dev, uint16_t index, uint16_t *size)
{
	*size = 0;
	if (io_write(dev, VIO_REG_QUEUE_SELECT, &index, 2) < 0 ||
	    io_read(dev, VIO_REG_QUEUE_SIZE, size, 2) < 0)
		return -1;
	return 0;
}

/* Places queue `index` at `offset` of the DMA region and tells the device where it is. */
static int setup_queue(struct ixy_device *dev, struct virtio_dev *v, struct vio_queue *q, uint16_t index,
                       uint16_t size, uint32_t offset)
{
	uint8_t *base = (uint8_t *)v->mem.virt + offset;
	q->index = index;
	q->size = size;
	q->mask = (uint16_t)(size - 1);
	q->desc = (struct vio_desc *)base;
	q->avail = (struct vio_avail *)(base + 16u * size);
	q->used = (struct vio_used *)(base + vio_used_offset(size));
	q->avail->flags = VIO_AVAIL_F_NO_INTERRUPT;
	uint32_t pfn = (uint32_t)((v->mem.bus + offset) / VIO_LEGACY_ALIGN);
	if (io_write(dev, VIO_REG_QUEUE_SELECT, &index, 2) < 0 ||
	    io_write(dev, VIO_REG_QUEUE_PFN, &pfn, 4) < 0) {
		ixy_error("%s: cannot program virtqueue %u through resource0", dev->name, index);
		return -1;
	}
	return 0;
}

static bool power_of_two(uint16_t x)
{
	return x && !(x & (x - 1));
}

static void random_mac(uint8_t mac[6])
{
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f || fread(mac, 1, 6, f) != 6) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)((t.tv_nsec >> (i * 5)) ^ getpid() >> i);
	}
	if (f)
		fclose(f);
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
}

int virtio_init(struct ixy_device *dev)
{
	if (dev->hw || dev->bar0_fd < 0) {
		ixy_error(
		    "%s: the virtio driver needs the device's I/O BAR (resource0); it does not run on a "
		    "device model",
		    dev->name);
		return -1;
	}
	if (dev->rx_queues > 1 || dev->tx_queues > 1) {
		ixy_error(
		    "%s: virtio-net supports 1 RX and 1 TX queue, %u RX / %u TX requested: ask for 1 of each",
		    dev->name, dev->rx_queues, dev->tx_queues);
		return -1;
	}
	struct virtio_dev *v = calloc(1, sizeof(*v));
	if (!v) {
		ixy_error("out of memory");
		return -1;
	}
	dev->driver = v;

	/* 3.1.1 steps 1-3: reset, ACKNOWLEDGE, DRIVER. */
	io_write8(dev, VIO_REG_DEVICE_STATUS, 0);
	if (io_read8(dev, VIO_REG_DEVICE_STATUS) != 0) {
		ixy_error(
		    "%s: the virtio device did not reset (status register reads 0x%02x): is resource0 an "
		    "I/O BAR and I/O space enabled in the PCI command register?",
		    dev->name, io_read8(dev, VIO_REG_DEVICE_STATUS));
		goto fail;
	}
	io_write8(dev, VIO_REG_DEVICE_STATUS, VIO_STATUS_ACKNOWLEDGE);
	io_write8(dev, VIO_REG_DEVICE_STATUS, VIO_STATUS_ACKNOWLEDGE | VIO_STATUS_DRIVER);

	/* Steps 4-6: features. Legacy has no FEATURES_OK: writing them is the agreement. */
	uint32_t offered = 0;
	if (io_read(dev, VIO_REG_DEVICE_FEATURES, &offered, 4) < 0) {
		ixy_error("%s: cannot read the virtio feature register through resource0", dev->name);
		goto fail;
	}
	if (!(offered & VIO_F_ANY_LAYOUT)) {
		ixy_error(
		    "%s: the virtio device does not offer VIRTIO_F_ANY_LAYOUT (features 0x%08x); libixy puts "
		    "the net header and the frame in one descriptor and needs it (any QEMU/vhost has it)",
		    dev->name, offered);
		goto fail;
	}
	v->features = offered & (VIO_NET_F_MAC | VIO_NET_F_STATUS | VIO_NET_F_CTRL_VQ | VIO_NET_F_CTRL_RX |
	                         VIO_NET_F_CTRL_MAC_ADDR | VIO_F_ANY_LAYOUT);
	if (!(v->features & VIO_NET_F_CTRL_VQ)) /* both depend on the control queue (5.1.3.1) */
		v->features &= ~(VIO_NET_F_CTRL_RX | VIO_NET_F_CTRL_MAC_ADDR);
	io_write(dev, VIO_REG_DRIVER_FEATURES, &v->features, 4);

	/* Step 7: virtqueues. Legacy sizes are fixed by the device. */
	uint16_t rx_size, tx_size, ctrl_size = 0;
	bool has_ctrl = v->features & VIO_NET_F_CTRL_VQ;
	if (read_queue_size(dev, VIO_NET_QUEUE_RX, &rx_size) < 0 ||
	    read_queue_size(dev, VIO_NET_QUEUE_TX, &tx_size) < 0 ||
	    (has_ctrl && read_queue_size(dev, VIO_NET_QUEUE_CTRL, &ctrl_size) < 0)) {
		ixy_error("%s: cannot read the virtqueue sizes through resource0", dev->name);
		goto fail;
	}
	if (!power_of_two(rx_size) || !power_of_two(tx_size) ||
	    (has_ctrl && (!power_of_two(ctrl_size) || ctrl_size < 4))) {
		ixy_error(
		    "%s: the virtio device reports unusable queue sizes (rx %u, tx %u, ctrl %u): expected "
		    "powers of two",
		    dev->name, rx_size, tx_size, ctrl_size);
		goto fail;
	}
	if (rx_size != dev->rx_ring_size || tx_size != dev->tx_ring_size)
		ixy_info(
		    "%s: virtio queue sizes are set by the device: RX %u, TX %u (requested %u/%u; in QEMU "
		    "use -device virtio-net-pci,rx_queue_size=N,tx_queue_size=N)",
		    dev->name, rx_size, tx_size, dev->rx_ring_size, dev->tx_ring_size);
	uint32_t rx_off = 0, tx_off = rx_off + vio_queue_bytes(rx_size);
	uint32_t ctrl_off = tx_off + vio_queue_bytes(tx_size);
	uint32_t scratch_off = ctrl_off + (has_ctrl ? vio_queue_bytes(ctrl_size) : 0);
	uint32_t total = scratch_off + CTRL_BUF_SIZE;
	if (total > DMA_MAX_SIZE) {
		ixy_error(
		    "%s: virtio queues of %u/%u entries need %u bytes of rings, more than one 2 MiB DMA "
		    "block: configure smaller queues",
		    dev->name, rx_size, tx_size, total);
		goto fail;
	}
	if (dma_alloc(dev, total, &v->mem) < 0)
		goto fail;
	if (v->mem.bus / VIO_LEGACY_ALIGN > UINT32_MAX) {
		ixy_error(
		    "%s: DMA memory at bus address 0x%llx is beyond what the legacy virtio queue register "
		    "(32-bit page number) can address",
		    dev->name, (unsigned long long)v->mem.bus);
		goto fail;
	}
	v->ctrl_buf = (uint8_t *)v->mem.virt + scratch_off;
	v->ctrl_bus = v->mem.bus + scratch_off;
	if (setup_queue(dev, v, &v->rx, VIO_NET_QUEUE_RX, rx_size, rx_off) < 0 ||
	    setup_queue(dev, v, &v->tx, VIO_NET_QUEUE_TX, tx_size, tx_off) < 0 ||
	    (has_ctrl && setup_queue(dev, v, &v->ctrl, VIO_NET_QUEUE_CTRL, ctrl_size, ctrl_off) < 0))
		goto fail;

	v->rx.bufs = calloc(rx_size, sizeof(*v->rx.bufs));
	v->tx.bufs = calloc(tx_size, sizeof(*v->tx.bufs));
	v->tx.free_desc = calloc(tx_size, sizeof(*v->tx.free_desc));
	if (!v->rx.bufs || !v->tx.bufs || !v->tx.free_desc) {
		ixy_error("out of memory");
		goto fail;
	}
	for (uint16_t i = 0; i < tx_size; i++)
		v->tx.free_desc[v->tx.free_count++] = (uint16_t)(tx_size - 1 - i);

	/* RX buffers: every descriptor holds one; the pool has room for a full TX ring elsewhere
	 * (forwarding) and what the app holds. */
	v->rx_pool = ixy_mempool_create(dev, 2u * rx_size + RX_POOL_EXTRA, 0);
	if (!v->rx_pool)
		goto fail;
	for (uint16_t i = 0; i < rx_size; i++) {
		struct ixy_buf *buf = ixy_buf_alloc(v->rx_pool);
		v->rx.bufs[i] = buf;
		v->rx.desc[i] =
		    (struct vio_desc){buf->bus_addr - VIO_NET_HDR_LEN, v->rx_pool->buf_size + VIO_NET_HDR_LEN,
		                      VIO_DESC_F_WRITE, 0};
		v->rx.avail->ring[i] = i;
	}

	/* Step 8: DRIVER_OK; only now may we notify (3.1.1), so RX buffers are published after it. */
	io_write8(dev, VIO_REG_DEVICE_STATUS,
	          VIO_STATUS_ACKNOWLEDGE | VIO_STATUS_DRIVER | VIO_STATUS_DRIVER_OK);
	if (io_read8(dev, VIO_REG_DEVICE_STATUS) & VIO_STATUS_FAILED) {
		ixy_error("%s: the virtio device rejected the setup (status FAILED)", dev->name);
		goto fail;
	}
	dev->head.ops = &virtio_ops;
	dev->ctrl = &virtio_ctrl;
	vq_publish(dev, &v->rx, rx_size);

	if (v->features & VIO_NET_F_MAC) {
		for (int i = 0; i < 6; i++)
			v->mac[i] = io_read8(dev, VIO_REG_CONFIG + VIO_NET_CFG_MAC + i);
	} else {
		random_mac(v->mac); /* 5.1.5: without VIRTIO_NET_F_MAC the driver picks one */
		write_config_mac(dev, v->mac);
	}
	/* QEMU resets to promiscuous; apply the requested state either way. */
	if (v->features & VIO_NET_F_CTRL_RX)
		virtio_set_promiscuous(dev, dev->promiscuous);
	else if (!dev->promiscuous)
		ixy_info("%s: the virtio device cannot be switched out of its default filtering (no CTRL_RX)",
		         dev->name);

	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (virtio_link_speed(dev) == 0 && elapsed_ms(&start) < dev->link_timeout_ms)
		usleep(10000);
	ixy_info(
	    "%s: virtio-net (legacy), MAC %02x:%02x:%02x:%02x:%02x:%02x, queues RX %u / TX %u%s, link %s",
	    dev->name, v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5], rx_size, tx_size,
	    has_ctrl ? " + ctrl" : "", virtio_link_speed(dev) ? "up" : "down");
	return 0;
fail:
	io_write8(dev, VIO_REG_DEVICE_STATUS, 0); /* stop any DMA before the memory goes away */
	free_driver(v);
	dev->driver = NULL;
	dev->head.ops = NULL;
	dev->ctrl = NULL;
	return -1;
}
