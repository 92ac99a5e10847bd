/* virtio-net driver (virtio 1.1, chapter 5.1) over PCI, through the modern interface
 * (virtio_modern.c) when the device has one, else the legacy one (virtio_legacy.c), with split
 * (virtqueue_split.c) or packed (virtqueue_packed.c) virtqueues. This file: the initialisation
 * sequence (3.1), the control queue, MAC, link, statistics and close.
 *
 * Design (see also README):
 * - One descriptor per packet. The virtio-net header (10 bytes legacy, 12 modern) sits in the 40
 *   reserved bytes just before buf->data, so the descriptor covers [bus_addr - hdr, bus_addr +
 *   len). The legacy interface needs VIRTIO_F_ANY_LAYOUT for that (legacy 5.1.6.6); with
 *   VERSION_1 any layout is allowed (2.6.4).
 * - Queue sizes: the modern interface lets the driver pick up to the device's maximum
 *   (rx_ring_size/tx_ring_size); legacy sizes are the device's (QUEUE_SIZE is read-only).
 * - One RX and one TX queue (no VIRTIO_NET_F_MQ), polled: notifications from the device are
 *   disabled, ours are skipped while the device says it polls.
 * - Statistics are software counters: the device has none. tx counts frames the device has
 *   completed, rx_dropped frames recycled because the RX pool was empty.
 * - Link: config.status with VIRTIO_NET_F_STATUS, else always up; virtio has no speed, an up
 *   link reports a nominal 1000 Mbit/s.
 * - Promiscuous mode and (modern) MAC changes through the control queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "pci.h"
#include "virtio.h"

#define CTRL_DATA_OFF 16
#define CTRL_ACK_OFF 63
#define CTRL_BUF_SIZE 64
#define CTRL_QUEUE_SIZE 64 /* one command at a time: a small queue is plenty */
#define CTRL_TIMEOUT_MS 2000
#define TX_DRAIN_TIMEOUT_MS 2000
#define RESET_TIMEOUT_MS 1000
#define RX_POOL_EXTRA 1024 /* buffers beyond two rings' worth, for those the app holds */

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
	/* Header, data, ack: the classic layout, valid with or without ANY_LAYOUT. */
	const uint64_t addr[3] = {v->ctrl_bus, v->ctrl_bus + CTRL_DATA_OFF, v->ctrl_bus + CTRL_ACK_OFF};
	const uint32_t lens[3] = {2, len, 1};
	const bool write[3] = {false, false, true};
	v->format->ctrl_post(dev, q, addr, lens, write, 3);
	uint64_t end = deadline_in_ms(CTRL_TIMEOUT_MS);
	while (!v->format->ctrl_done(q)) {
		if (deadline_passed(end)) {
			v->ctrl_broken = true;
			ixy_warn("%s: virtio control command %u/%u got no answer within %u ms; control "
			         "commands are disabled for this device",
			         dev->name, class, cmd, CTRL_TIMEOUT_MS);
			return -1;
		}
		usleep(50);
	}
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

/* With CTRL_MAC_ADDR the device takes the address from the control queue (5.1.6.5.2); a legacy
 * device without it takes it from config.mac, a modern one has no other way. */
static int push_mac(struct ixy_device *dev, const uint8_t mac[6])
{
	struct virtio_dev *v = dev->driver;
	if ((v->features & VIO_NET_F_CTRL_MAC_ADDR) && v->ctrl.size)
		return ctrl_command(dev, VIO_NET_CTRL_MAC, VIO_NET_CTRL_MAC_ADDR_SET, mac, 6);
	if (!v->transport->config_write8)
		return -1;
	for (uint32_t i = 0; i < 6; i++)
		v->transport->config_write8(dev, VIO_NET_CFG_MAC + i, mac[i]);
	return 0;
}

static void virtio_set_mac(struct ixy_device *dev, const uint8_t mac[6])
{
	struct virtio_dev *v = dev->driver;
	if (push_mac(dev, mac) < 0) {
		ixy_warn("%s: the virtio device did not take the new MAC address (it needs "
		         "VIRTIO_NET_F_CTRL_MAC_ADDR on the modern interface); keeping the old one",
		         dev->name);
		return;
	}
	memcpy(v->mac, mac, 6);
}

static uint32_t virtio_link_speed(struct ixy_device *dev)
{
	struct virtio_dev *v = dev->driver;
	if (!(v->features & VIO_NET_F_STATUS))
		return 1000; /* no status field: the link is always up (5.1.4.2) */
	uint8_t status[2];
	v->transport->config_read(dev, VIO_NET_CFG_STATUS, status, 2);
	return (status[0] & VIO_NET_S_LINK_UP) ? 1000 : 0; /* virtio has no speed: nominal 1 Gbit/s */
}

static void virtio_read_stats(struct ixy_device *dev, struct ixy_stats *stats)
{
	struct virtio_dev *v = dev->driver;
	struct ixy_stats now = {
	    .rx_packets = __atomic_load_n(&v->rx_packets, __ATOMIC_RELAXED),
	    .rx_bytes = __atomic_load_n(&v->rx_bytes, __ATOMIC_RELAXED),
	    .tx_packets = __atomic_load_n(&v->tx_packets, __ATOMIC_RELAXED),
	    .tx_bytes = __atomic_load_n(&v->tx_bytes, __ATOMIC_RELAXED),
	    .rx_dropped = __atomic_load_n(&v->rx_dropped, __ATOMIC_RELAXED),
	    .rx_errors = __atomic_load_n(&v->rx_errors, __ATOMIC_RELAXED),
	    .tx_errors = __atomic_load_n(&v->tx_errors, __ATOMIC_RELAXED),
	};
	stats->rx_packets += now.rx_packets - v->reported.rx_packets;
	stats->rx_bytes += now.rx_bytes - v->reported.rx_bytes;
	stats->tx_packets += now.tx_packets - v->reported.tx_packets;
	stats->tx_bytes += now.tx_bytes - v->reported.tx_bytes;
	stats->rx_dropped += now.rx_dropped - v->reported.rx_dropped;
	stats->rx_errors += now.rx_errors - v->reported.rx_errors;
	stats->tx_errors += now.tx_errors - v->reported.tx_errors;
	v->reported = now;
}

void virtio_error_counts(const struct ixy_device *dev, uint64_t *rx_errors, uint64_t *tx_errors)
{
	const struct virtio_dev *v = dev->driver;
	*rx_errors = __atomic_load_n(&v->rx_errors, __ATOMIC_RELAXED);
	*tx_errors = __atomic_load_n(&v->tx_errors, __ATOMIC_RELAXED);
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
					ixy_buf_free_any(qs[i]->bufs[d]);
		}
		free(qs[i]->bufs);
		free(qs[i]->free_ids);
		free(qs[i]->rearm);
	}
	ixy_mempool_destroy(v->rx_pool);
	dma_free(&v->mem);
	vio_modern_unmap(v);
	free(v);
}

static int virtio_tx_flush(struct ixy_device *dev, uint32_t timeout_ms)
{
	struct virtio_dev *v = dev->driver;
	uint64_t end = deadline_in_ms(timeout_ms);
	for (v->format->tx_reclaim(v); v->tx.free_count < v->tx.size; v->format->tx_reclaim(v)) {
		if (deadline_passed(end))
			return -1;
		usleep(100);
	}
	return 0;
}

/* Writes 0 to the status and waits for it to read 0 (4.1.4.3.2): the device stops using the
 * rings. Returns -1 if it does not within the timeout. */
static int reset_device(struct ixy_device *dev, const struct vio_transport *t)
{
	t->set_status(dev, 0);
	uint64_t end = deadline_in_ms(RESET_TIMEOUT_MS);
	while (t->get_status(dev) != 0) {
		if (deadline_passed(end))
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
	if (reset_device(dev, v->transport) < 0)
		ixy_warn("%s: the virtio device did not confirm its reset", dev->name);
	irq_detach(dev); /* after the reset: the device no longer signals */
	free_driver(v);
	dev->driver = NULL;
}

/* For ixy_rx_wait(): the device has used a buffer we have not consumed. */
static bool virtio_rx_ready(struct ixy_device *dev, uint16_t queue)
{
	(void)queue;
	struct virtio_dev *v = dev->driver;
	return v->format->rx_ready(&v->rx);
}

/* The RX queue's used-buffer notifications reach MSI-X vector 0 only while a wait has them on. */
static void virtio_irq_arm(struct ixy_device *dev, uint16_t queue)
{
	(void)queue;
	struct virtio_dev *v = dev->driver;
	v->format->notifications(&v->rx, true);
}

static void virtio_irq_disarm(struct ixy_device *dev, uint16_t queue)
{
	(void)queue;
	struct virtio_dev *v = dev->driver;
	v->format->notifications(&v->rx, false);
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
    .irq_arm = virtio_irq_arm,
    .irq_disarm = virtio_irq_disarm,
};

/* ---- initialisation (3.1) ---- */

static bool power_of_two(uint32_t x)
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

/* Picks the transport: modern when the capabilities are there (4.1.2), else legacy on a
 * transitional device. */
static int choose_transport(struct ixy_device *dev, struct virtio_dev *v)
{
	if (dev->hw && (!dev->hw->bar_read || !dev->hw->bar_write)) {
		ixy_error("%s: the device model has no bar_read/bar_write: a virtio model needs them",
		          dev->name);
		return -1;
	}
	int modern = vio_modern_probe(dev, v);
	if (modern < 0)
		return -1;
	if (modern) {
		v->transport = &vio_modern_transport;
		return 0;
	}
	if (dev->device_id == VIO_DEVICE_NET_MODERN) {
		ixy_error("%s: this modern virtio-net device (1af4:1041) has no virtio capabilities in its "
		          "PCI configuration space: it cannot be driven",
		          dev->name);
		return -1;
	}
	v->transport = &vio_legacy_transport;
	return 0;
}

/* Features (2.2, 5.1.3, 6): what we use, plus ACCESS_PLATFORM whenever offered (the device then
 * reaches memory through the platform's IOMMU, 6) and RING_PACKED when chosen. */
static int negotiate(struct ixy_device *dev, struct virtio_dev *v, bool want_packed)
{
	const struct vio_transport *t = v->transport;
	uint64_t offered = t->get_features(dev);
	uint64_t want = VIO_NET_F_MAC | VIO_NET_F_STATUS | VIO_NET_F_CTRL_VQ | VIO_NET_F_CTRL_RX |
	                VIO_NET_F_CTRL_MAC_ADDR;
	if (t == &vio_modern_transport) {
		if (!(offered & VIO_F_VERSION_1)) {
			ixy_error(
			    "%s: the virtio device's modern interface does not offer VIRTIO_F_VERSION_1 "
			    "(features 0x%016llx): it is not a virtio 1.x device",
			    dev->name, (unsigned long long)offered);
			return -1;
		}
		want |= VIO_F_VERSION_1 | VIO_F_ACCESS_PLATFORM | (want_packed ? VIO_F_RING_PACKED : 0);
	} else {
		if (!(offered & VIO_F_ANY_LAYOUT)) {
			ixy_error(
			    "%s: the virtio device does not offer VIRTIO_F_ANY_LAYOUT (features 0x%08llx); "
			    "libixy puts the net header and the frame in one descriptor and needs it "
			    "(any QEMU/vhost has it)",
			    dev->name, (unsigned long long)offered);
			return -1;
		}
		want |= VIO_F_ANY_LAYOUT;
	}
	v->features = offered & want;
	if (!(v->features & VIO_NET_F_CTRL_VQ)) /* both depend on the control queue (5.1.3.1) */
		v->features &= ~(uint64_t)(VIO_NET_F_CTRL_RX | VIO_NET_F_CTRL_MAC_ADDR);
	t->set_features(dev, v->features);
	if (t == &vio_modern_transport) {
		/* 3.1.1 steps 5-6: FEATURES_OK, then check the device kept it. */
		t->set_status(dev, VIO_STATUS_ACKNOWLEDGE | VIO_STATUS_DRIVER | VIO_STATUS_FEATURES_OK);
		if (!(t->get_status(dev) & VIO_STATUS_FEATURES_OK)) {
			ixy_error("%s: the virtio device did not accept the features 0x%016llx (FEATURES_OK "
			          "cleared)",
			          dev->name, (unsigned long long)v->features);
			return -1;
		}
	}
	if (want_packed && dev->virtio_ring && !(v->features & VIO_F_RING_PACKED))
		ixy_info("%s: packed virtqueues requested but the device does not offer them "
		         "(QEMU: -device virtio-net-pci,packed=on); using split ones",
		         dev->name);
	v->format = (v->features & VIO_F_RING_PACKED) ? &vio_packed_format : &vio_split_format;
	v->hdr_len = (v->features & VIO_F_VERSION_1) ? VIO_NET_HDR_LEN_MODERN : VIO_NET_HDR_LEN_LEGACY;
	return 0;
}

/* The size of queue `index`: the device's on the legacy interface, ours up to its maximum on the
 * modern one (4.1.4.3). Split sizes are powers of two (2.6). Returns 0 on error (reported). */
static uint16_t queue_size(struct ixy_device *dev, struct virtio_dev *v, uint16_t index, uint16_t want,
                           const char *what)
{
	uint16_t max = v->transport->queue_max(dev, index);
	bool split = v->format == &vio_split_format;
	uint16_t size = v->transport->size_choice && want < max ? want : max;
	if (!max || (split && !power_of_two(size)) || (index == VIO_NET_QUEUE_CTRL && size < 3)) {
		ixy_error("%s: virtio %s queue: size %u (device maximum %u) is not usable: %s", dev->name,
		          what, size, max,
		          !max ? "the device has no such queue"
		          : split && v->transport->size_choice
		              ? "split virtqueues need a power of two: ask for 256, 512, 1024, ..."
		              : "the device's size must be a power of two");
		return 0;
	}
	if (want > max && index != VIO_NET_QUEUE_CTRL)
		ixy_info("%s: virtio %s queue: %u entries requested, the device allows %u (QEMU: "
		         "rx_queue_size=N, tx_queue_size=N)",
		         dev->name, what, want, max);
	return size;
}

static int setup_queues(struct ixy_device *dev, struct virtio_dev *v)
{
	bool has_ctrl = v->features & VIO_NET_F_CTRL_VQ;
	uint16_t rx = queue_size(dev, v, VIO_NET_QUEUE_RX, dev->rx_ring_size, "RX");
	uint16_t tx = rx ? queue_size(dev, v, VIO_NET_QUEUE_TX, dev->tx_ring_size, "TX") : 0;
	uint16_t ctrl =
	    has_ctrl && tx ? queue_size(dev, v, VIO_NET_QUEUE_CTRL, CTRL_QUEUE_SIZE, "control") : 0;
	if (!rx || !tx || (has_ctrl && !ctrl))
		return -1;
	const struct vio_ring_format *f = v->format;
	uint32_t rx_off = 0, tx_off = f->bytes(rx), ctrl_off = tx_off + f->bytes(tx);
	uint32_t scratch_off = ctrl_off + (has_ctrl ? f->bytes(ctrl) : 0);
	uint32_t total = scratch_off + CTRL_BUF_SIZE;
	if (total > DMA_MAX_SIZE) {
		ixy_error("%s: virtio queues of %u/%u entries need %u bytes of rings, more than one 2 MiB "
		          "DMA block: configure smaller queues",
		          dev->name, rx, tx, total);
		return -1;
	}
	if (dma_alloc(dev, total, &v->mem) < 0)
		return -1;
	v->ctrl_buf = (uint8_t *)v->mem.virt + scratch_off;
	v->ctrl_bus = v->mem.bus + scratch_off;
	struct {
		struct vio_queue *q;
		uint16_t index, size;
		uint32_t off;
	} qs[3] = {{&v->rx, VIO_NET_QUEUE_RX, rx, rx_off},
	           {&v->tx, VIO_NET_QUEUE_TX, tx, tx_off},
	           {&v->ctrl, VIO_NET_QUEUE_CTRL, ctrl, ctrl_off}};
	/* Interrupts (modern interface): the RX queue's notifications on MSI-X vector 0, routed to
	 * an eventfd; the other queues and configuration changes raise none. */
	bool modern = v->transport == &vio_modern_transport;
	if (modern && irq_attach(dev, 1) < 0)
		return -1;
	for (int i = 0; i < (has_ctrl ? 3 : 2); i++) {
		struct vio_queue *q = qs[i].q;
		q->msix_vector = q == &v->rx && dev->irq_vectors ? 0 : VIO_MSI_NO_VECTOR;
		q->index = qs[i].index;
		q->size = qs[i].size;
		q->mask = (uint16_t)(q->size - 1);
		f->layout(q, (uint8_t *)v->mem.virt + qs[i].off, v->mem.bus + qs[i].off);
		if (v->transport->queue_enable(dev, q) < 0)
			return -1;
	}
	if (dev->irq_vectors && v->rx.msix_vector != 0) {
		ixy_warn("%s: the device did not take MSI-X vector 0 for the RX queue (queue_msix_vector "
		         "reads 0x%04x): ixy_rx_wait() sleeps and polls instead",
		         dev->name, v->rx.msix_vector);
		irq_detach(dev);
	}
	v->rx.bufs = calloc(rx, sizeof(*v->rx.bufs));
	v->rx.rearm = calloc(rx, sizeof(*v->rx.rearm));
	v->tx.bufs = calloc(tx, sizeof(*v->tx.bufs));
	v->tx.free_ids = calloc(tx, sizeof(*v->tx.free_ids));
	if (!v->rx.bufs || !v->rx.rearm || !v->tx.bufs || !v->tx.free_ids) {
		ixy_error("out of memory");
		return -1;
	}
	for (uint16_t i = 0; i < tx; i++)
		v->tx.free_ids[v->tx.free_count++] = (uint16_t)(tx - 1 - i);
	/* RX buffers: every descriptor holds one; the pool has room for a full TX ring elsewhere
	 * (forwarding) and what the app holds. */
	v->rx_pool = dev->rx_pool_shared
	                 ? ixy_mempool_create_shared(dev, 2u * rx + RX_POOL_EXTRA + 8u * IXY_MEMPOOL_CACHE_SIZE, 0)
	                 : ixy_mempool_create(dev, 2u * rx + RX_POOL_EXTRA, 0);
	if (!v->rx_pool)
		return -1;
	struct ixy_buf **fill = calloc(rx, sizeof(*fill));
	if (!fill || ixy_buf_alloc_batch(v->rx_pool, fill, rx) != rx) {
		free(fill);
		ixy_error("out of memory");
		return -1;
	}
	f->rx_fill(&v->rx, fill, v->hdr_len, v->rx_pool->buf_size);
	free(fill);
	return 0;
}

int virtio_init(struct ixy_device *dev)
{
	/* Split by default: cheaper per packet (docs/benchmark.md). device.c checked the value. */
	bool want_packed = dev->virtio_ring && !strcmp(dev->virtio_ring, "packed");
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
	if (choose_transport(dev, v) < 0)
		goto fail_unreset;
	const struct vio_transport *t = v->transport;

	/* 3.1.1 steps 1-3: reset, ACKNOWLEDGE, DRIVER. */
	if (reset_device(dev, t) < 0) {
		ixy_error("%s: the virtio device did not reset (status reads 0x%02x): is the device "
		          "present and its BAR decoded (PCI command register)?",
		          dev->name, t->get_status(dev));
		goto fail;
	}
	t->set_status(dev, VIO_STATUS_ACKNOWLEDGE);
	t->set_status(dev, VIO_STATUS_ACKNOWLEDGE | VIO_STATUS_DRIVER);
	/* Steps 4-6: features (legacy has no FEATURES_OK: writing them is the agreement). */
	if (negotiate(dev, v, want_packed) < 0)
		goto fail;
	/* Step 7: virtqueues. */
	if (setup_queues(dev, v) < 0)
		goto fail;
	/* Step 8: DRIVER_OK; only now may we notify (3.1.1), so RX buffers are published after it. */
	uint8_t ok = VIO_STATUS_ACKNOWLEDGE | VIO_STATUS_DRIVER | VIO_STATUS_DRIVER_OK |
	             (t == &vio_modern_transport ? VIO_STATUS_FEATURES_OK : 0);
	t->set_status(dev, ok);
	uint8_t status = t->get_status(dev);
	if (status & (VIO_STATUS_FAILED | VIO_STATUS_NEEDS_RESET)) {
		ixy_error("%s: the virtio device rejected the setup (status 0x%02x)", dev->name, status);
		goto fail;
	}
	dev->head.ops = &v->format->ops;
	dev->ctrl = &virtio_ctrl;
	v->format->rx_publish(dev, &v->rx);

	if (v->features & VIO_NET_F_MAC) {
		t->config_read(dev, VIO_NET_CFG_MAC, v->mac, 6);
	} else {
		random_mac(v->mac); /* 5.1.5: without VIRTIO_NET_F_MAC the driver picks one */
		if (push_mac(dev, v->mac) < 0)
			ixy_warn("%s: the virtio device has no MAC address and cannot be given one",
			         dev->name);
	}
	/* QEMU resets to promiscuous; apply the requested state either way. */
	if (v->features & VIO_NET_F_CTRL_RX)
		virtio_set_promiscuous(dev, dev->promiscuous);
	else if (!dev->promiscuous)
		ixy_info("%s: the virtio device cannot be switched out of its default filtering (no CTRL_RX)",
		         dev->name);

	uint64_t end = deadline_in_ms(dev->link_timeout_ms);
	while (virtio_link_speed(dev) == 0 && !deadline_passed(end))
		usleep(10000);
	ixy_info("%s: virtio-net (%s interface, %s virtqueues%s), MAC %02x:%02x:%02x:%02x:%02x:%02x, "
	         "queues RX %u / TX %u%s, link %s",
	         dev->name, t->name, v->format->name,
	         (v->features & VIO_F_ACCESS_PLATFORM) ? ", ACCESS_PLATFORM" : "", v->mac[0], v->mac[1],
	         v->mac[2], v->mac[3], v->mac[4], v->mac[5], v->rx.size, v->tx.size,
	         v->ctrl.size ? " + ctrl" : "", virtio_link_speed(dev) ? "up" : "down");
	return 0;
fail:
	reset_device(dev, t); /* stop any DMA before the memory goes away */
fail_unreset:
	irq_detach(dev);
	free_driver(v);
	dev->driver = NULL;
	dev->head.ops = NULL;
	dev->ctrl = NULL;
	return -1;
}
