/* Opening a device: find its driver by PCI id, take it from the kernel, hand it to the driver. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "device.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "memory.h"
#include "pci.h"

#define PCI_CLASS_NETWORK 0x02

static int apply_options(struct ixy_device *dev, const struct ixy_options *opts)
{
	static const struct ixy_options defaults = {0};
	if (!opts)
		opts = &defaults;
	dev->rx_queues = opts->rx_queues ? opts->rx_queues : 1;
	dev->tx_queues = opts->tx_queues ? opts->tx_queues : 1;
	dev->rx_ring_size = opts->rx_ring_size ? opts->rx_ring_size : 512;
	dev->tx_ring_size = opts->tx_ring_size ? opts->tx_ring_size : 512;
	dev->link_timeout_ms = opts->link_timeout_ms ? opts->link_timeout_ms : 10000;
	dev->promiscuous = opts->promiscuous;
	dev->rx_pool_shared = opts->rx_pool_shared;
	dev->hugetlbfs = opts->hugetlbfs ? opts->hugetlbfs : getenv("IXY_HUGETLBFS");
	if (!dev->hugetlbfs)
		dev->hugetlbfs = "/mnt/huge";
	dev->virtio_ring = opts->virtio_ring ? opts->virtio_ring : getenv("IXY_VIRTIO_RING");
	if (dev->virtio_ring && strcmp(dev->virtio_ring, "split") && strcmp(dev->virtio_ring, "packed")) {
		ixy_error("virtio ring format '%s' is unknown: use \"split\" or \"packed\" (option "
		          "virtio_ring or IXY_VIRTIO_RING)",
		          dev->virtio_ring);
		return -1;
	}
	uint16_t sizes[2] = {dev->rx_ring_size, dev->tx_ring_size};
	for (int i = 0; i < 2; i++) {
		if (sizes[i] < 8 || sizes[i] > 4096 || sizes[i] % 8) {
			ixy_error("%s ring size %u is not supported: use a multiple of 8 from 8 to 4096",
			          i ? "TX" : "RX", sizes[i]);
			return -1;
		}
	}
	dev->irq_throttle_us = opts->irq_throttle_us ? opts->irq_throttle_us : 10;
	if (dev->irq_throttle_us % 2 || dev->irq_throttle_us > 1022) {
		ixy_error("irq_throttle_us %u is not supported: use an even number of microseconds from 2 to "
		          "1022 (the 82599 counts in 2 us units, DS 8.2.3.5.12)",
		          dev->irq_throttle_us);
		return -1;
	}
	if (dev->rx_queues > 64 || dev->tx_queues > 64) {
		ixy_error("%u RX / %u TX queues requested: at most 64 of each are supported", dev->rx_queues,
		          dev->tx_queues);
		return -1;
	}
	return 0;
}

/* The platform unmaps BARs and closes what it opened (a NULL platform: nothing opened yet). */
static void free_device(struct ixy_device *dev)
{
	if (dev->platform)
		dev->platform->close(dev);
	free(dev);
}

/* Every device libixy drives, one row per PCI id (82599: the physical functions Intel's drivers
 * bind to, docs/82599.md; virtio: virtio 1.1 4.1.2). A new NIC family is its rows plus its driver file.
 * Absent on purpose: X540/X550 (their link comes up through a PHY this driver does not program) and the 82599
 * virtual functions (another register layout). */
struct supported_device {
	uint16_t vendor_id;
	uint16_t device_id;
	const char *name;
	const char *driver;
	int (*init)(struct ixy_device *dev);
	int bar;          /* memory BAR mapped before init, or -1: the driver maps what it needs (virtio: the
	                   * BARs its capabilities name, or the legacy I/O BAR 0) */
	uint32_t bar_min; /* bytes that BAR must have: the highest register the driver uses (virtio
	                   * checks each structure it maps against its BAR itself) */
};

static const struct supported_device supported[] = {
    {0x8086, 0x10F7, "82599 KX4", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x10F8, "82599 combined backplane", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x10F9, "82599 CX4", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x10FB, "82599ES SFP+ (X520)", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x10FC, "82599 XAUI", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x1507, "82599 SFP+ (EM)", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x1514, "82599 KX4 mezzanine", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x1517, "82599 KR", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x151C, "82599 10GBASE-T", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x1529, "82599 SFP+ FCoE", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x152A, "82599 backplane FCoE", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x154A, "82599 SFP+ quad port", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x154D, "82599 SFP+ SF2", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x154F, "82599 LS", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x1557, "82599EN SFP+", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x8086, 0x1558, "82599 QSFP+ quad port", "ixgbe", ixgbe_init, 0, IXGBE_BAR0_MIN_SIZE},
    {0x1AF4, 0x1000, "virtio-net transitional (modern interface if offered, else legacy)", "virtio",
     virtio_init, -1, 0},
    {0x1AF4, 0x1041, "virtio-net modern (virtio 1.x)", "virtio", virtio_init, -1, 0},
};

static const struct supported_device *find_supported(uint16_t vendor_id, uint16_t device_id)
{
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++) {
		if (supported[i].vendor_id == vendor_id && supported[i].device_id == device_id)
			return &supported[i];
	}
	return NULL;
}

/* "ixgbe 8086:10f7 8086:10f8 ... virtio 1af4:1000 1af4:1041" for the refusal of a device. */
static void supported_list(char *out, size_t len)
{
	size_t used = 0;
	out[0] = 0;
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]) && used < len; i++) {
		const struct supported_device *d = &supported[i];
		bool first = i == 0 || strcmp(supported[i - 1].driver, d->driver);
		int n = snprintf(out + used, len - used, "%s%s%s%04x:%04x", i ? " " : "",
		                 first ? d->driver : "", first ? " " : "", d->vendor_id, d->device_id);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static const struct supported_device *lookup_driver(const struct ixy_device *dev)
{
	const struct supported_device *d = find_supported(dev->vendor_id, dev->device_id);
	if (!d) {
		char list[400];
		supported_list(list, sizeof(list));
		ixy_error("%s is device %04x:%04x, which libixy does not drive ('lspci -nn -s %s' names "
		          "it). Supported (README): %s",
		          dev->name, dev->vendor_id, dev->device_id, dev->name, list);
	}
	return d;
}

/* VFIO when asked for, or (auto) when the device is bound to vfio-pci; sysfs otherwise. */
static int attach_platform(struct ixy_device *dev, const char *root, enum ixy_platform want)
{
	char driver[64];
	if (want == IXY_PLATFORM_AUTO) {
		if (pci_driver_name(root, dev->name, driver, sizeof(driver)) < 0)
			return -1;
		want = strcmp(driver, "vfio-pci") == 0 ? IXY_PLATFORM_VFIO : IXY_PLATFORM_SYSFS;
	}
	if (want == IXY_PLATFORM_VFIO)
		return platform_vfio_attach(dev, root);
	return platform_sysfs_attach(dev, root);
}

/* The BAR the driver uses must reach every register it touches: checked from sysfs before any
 * access. */
static int check_bar(const struct ixy_device *dev, const char *root, const struct supported_device *drv)
{
	uint64_t size;
	if (drv->bar < 0)
		return 0;
	if (pci_bar_size(root, dev->name, (unsigned)drv->bar, &size) < 0)
		return -1;
	if (size < drv->bar_min) {
		ixy_error("%s: BAR%d is %llu bytes, but the %s driver uses registers up to byte %u: this "
		          "is not the device its PCI id claims, or its BAR is not assigned (check 'lspci -vv "
		          "-s %s')",
		          dev->name, drv->bar, (unsigned long long)size, drv->driver, drv->bar_min,
		          dev->name);
		return -1;
	}
	return 0;
}

/* A lower bound of the 2 MiB DMA blocks the drivers allocate at open: per RX queue a mempool of
 * at least 4096 buffers of 2 KiB (992 per block) and its ring, per TX queue its ring. */
static unsigned dma_blocks_needed(const struct ixy_device *dev)
{
	unsigned bufs = 2u * (dev->rx_ring_size + dev->tx_ring_size);
	if (bufs < 4096)
		bufs = 4096;
	return dev->rx_queues * ((bufs + 991) / 992 + 1) + dev->tx_queues;
}

/* Fail closed: everything that can be checked without touching the device is checked before
 * the platform takes it (unbinding the kernel driver or resetting the device). */
struct ixy_device *device_open_pci(const char *pci_addr, const struct ixy_options *opts)
{
	struct ixy_device *dev = calloc(1, sizeof(*dev));
	if (!dev) {
		ixy_error("out of memory");
		return NULL;
	}
	snprintf(dev->name, sizeof(dev->name), "%s", pci_addr);
	const char *root = opts && opts->sysfs_root ? opts->sysfs_root : "/sys";
	struct pci_info info;
	if (apply_options(dev, opts) < 0 || pci_read_info(root, pci_addr, &info) < 0)
		goto fail;
	dev->vendor_id = info.vendor_id;
	dev->device_id = info.device_id;
	if (info.class_code != PCI_CLASS_NETWORK) {
		ixy_error(
		    "%s (%04x:%04x) is not a network controller (PCI class 0x%02x, expected 0x02): check "
		    "the address with 'lspci -nn'",
		    pci_addr, info.vendor_id, info.device_id, info.class_code);
		goto fail;
	}
	const struct supported_device *drv = lookup_driver(dev);
	if (!drv || pci_check_not_in_use(root, pci_addr, opts && opts->force) < 0 ||
	    check_bar(dev, root, drv) < 0 || attach_platform(dev, root, opts ? opts->platform : 0) < 0 ||
	    dma_check_available(dev, root, dma_blocks_needed(dev)) < 0 || dev->platform->take(dev) < 0 ||
	    platform_enable_dma(dev, drv->bar < 0) < 0)
		goto fail;
	if (drv->bar >= 0) {
		if (dev->platform->map_bar(dev, (unsigned)drv->bar, &dev->bar0, &dev->bar0_len) < 0)
			goto fail;
		if (dev->bar0_len < drv->bar_min) {
			ixy_error("%s: BAR%d maps only %zu bytes, the %s driver needs %u", pci_addr, drv->bar,
			          dev->bar0_len, drv->driver, drv->bar_min);
			goto fail;
		}
	}
	ixy_info("%s: %04x:%04x, %s (%s platform)", pci_addr, info.vendor_id, info.device_id, drv->name,
	         dev->platform->name);
	if (drv->init(dev) < 0)
		goto fail;
	return dev;
fail:
	free_device(dev);
	return NULL;
}

struct ixy_device *ixy_open_hw(const struct ixy_hw_ops *hw, const struct ixy_options *opts)
{
	struct ixy_device *dev = calloc(1, sizeof(*dev));
	if (!dev) {
		ixy_error("out of memory");
		return NULL;
	}
	snprintf(dev->name, sizeof(dev->name), "%s", hw->name ? hw->name : "model");
	dev->hw = hw;
	platform_model_attach(dev);
	dev->vendor_id = hw->vendor_id;
	dev->device_id = hw->device_id;
	const struct supported_device *drv = NULL;
	if (apply_options(dev, opts) < 0 || !(drv = lookup_driver(dev)) || drv->init(dev) < 0) {
		free_device(dev);
		return NULL;
	}
	return dev;
}

void ixy_close(struct ixy_device *dev)
{
	if (!dev)
		return;
	const struct ixy_hw_ops *hw = dev->hw;
	dev->ctrl->close(dev);
	free_device(dev);
	if (hw && hw->close)
		hw->close(hw->ctx);
}

bool ixy_is_virtual(const struct ixy_device *dev)
{
	return dev->hw != NULL;
}

int ixy_tx_flush(struct ixy_device *dev, uint32_t timeout_ms)
{
	return dev->ctrl->tx_flush(dev, timeout_ms);
}

static void add_stats(struct ixy_stats *to, const struct ixy_stats *s)
{
	to->rx_packets += s->rx_packets;
	to->tx_packets += s->tx_packets;
	to->rx_bytes += s->rx_bytes;
	to->tx_bytes += s->tx_bytes;
	to->rx_dropped += s->rx_dropped;
	to->rx_errors += s->rx_errors;
	to->tx_errors += s->tx_errors;
}

void ixy_read_stats(struct ixy_device *dev, struct ixy_stats *stats)
{
	if (dev->ctrl->read_queue_stats) {
		dev->ctrl->read_stats(dev, stats);
		return;
	}
	struct ixy_stats s = {0};
	dev->ctrl->read_stats(dev, &s);
	add_stats(&dev->queue_pending, &s);
	add_stats(stats, &s);
	add_stats(stats, &dev->stats_pending);
	dev->stats_pending = (struct ixy_stats){0};
}

void ixy_read_queue_stats(struct ixy_device *dev, struct ixy_queue_stats rx[], struct ixy_queue_stats tx[])
{
	if (dev->ctrl->read_queue_stats) {
		dev->ctrl->read_queue_stats(dev, rx, tx);
		return;
	}
	/* One queue pair (virtio): its counts are the device's. */
	struct ixy_stats s = {0};
	dev->ctrl->read_stats(dev, &s);
	add_stats(&dev->stats_pending, &s);
	add_stats(&s, &dev->queue_pending);
	dev->queue_pending = (struct ixy_stats){0};
	/* A side not asked for keeps its counts for the next call. */
	if (rx) {
		rx[0].packets += s.rx_packets;
		rx[0].bytes += s.rx_bytes;
		rx[0].dropped += s.rx_dropped;
		rx[0].errors += s.rx_errors;
	} else {
		dev->queue_pending.rx_packets = s.rx_packets;
		dev->queue_pending.rx_bytes = s.rx_bytes;
		dev->queue_pending.rx_dropped = s.rx_dropped;
		dev->queue_pending.rx_errors = s.rx_errors;
	}
	if (tx) {
		tx[0].packets += s.tx_packets;
		tx[0].bytes += s.tx_bytes;
		tx[0].errors += s.tx_errors;
	} else {
		dev->queue_pending.tx_packets = s.tx_packets;
		dev->queue_pending.tx_bytes = s.tx_bytes;
		dev->queue_pending.tx_errors = s.tx_errors;
	}
}

void ixy_set_promiscuous(struct ixy_device *dev, bool on)
{
	dev->ctrl->set_promiscuous(dev, on);
	dev->promiscuous = on;
}

bool ixy_get_promiscuous(const struct ixy_device *dev)
{
	return dev->promiscuous;
}

void ixy_get_mac(struct ixy_device *dev, uint8_t mac[6])
{
	dev->ctrl->get_mac(dev, mac);
}

void ixy_set_mac(struct ixy_device *dev, const uint8_t mac[6])
{
	dev->ctrl->set_mac(dev, mac);
}

uint32_t ixy_link_speed(struct ixy_device *dev)
{
	return dev->ctrl->link_speed(dev);
}

uint32_t ixy_wait_for_link(struct ixy_device *dev, uint32_t timeout_ms)
{
	uint32_t speed;
	for (uint64_t end = deadline_in_ms(timeout_ms);
	     (speed = ixy_link_speed(dev)) == 0 && !deadline_passed(end);)
		usleep(10000);
	return speed;
}

const char *ixy_driver_name(const struct ixy_device *dev)
{
	return dev->ctrl->driver_name;
}

const char *ixy_device_name(const struct ixy_device *dev)
{
	return dev->name;
}

uint16_t ixy_rx_queue_count(const struct ixy_device *dev)
{
	return dev->rx_queues;
}

uint16_t ixy_tx_queue_count(const struct ixy_device *dev)
{
	return dev->tx_queues;
}

/* The timing calls name the missing feature and the fallback. */
static const struct ixy_timing_ops *timing_of(struct ixy_device *dev, const char *what)
{
	if (!dev->ctrl->timing)
		ixy_error("%s: the %s driver has no %s; use software timestamps or pacing instead", dev->name,
		          dev->ctrl->driver_name, what);
	return dev->ctrl->timing;
}

int ixy_timesync_enable(struct ixy_device *dev)
{
	const struct ixy_timing_ops *t = timing_of(dev, "hardware clock");
	return t ? t->timesync_enable(dev) : -1;
}

uint64_t ixy_timesync_read_clock(struct ixy_device *dev)
{
	const struct ixy_timing_ops *t = timing_of(dev, "hardware clock");
	return t ? t->read_clock(dev) : 0;
}

bool ixy_timesync_read_tx(struct ixy_device *dev, uint64_t *ns)
{
	const struct ixy_timing_ops *t = timing_of(dev, "hardware clock");
	return t && t->read_tx(dev, ns);
}

bool ixy_timesync_read_rx(struct ixy_device *dev, uint64_t *ns, uint16_t *ptp_seq)
{
	const struct ixy_timing_ops *t = timing_of(dev, "hardware clock");
	return t && t->read_rx(dev, ns, ptp_seq);
}

bool ixy_tx_stamped(struct ixy_device *dev, uint16_t queue, struct ixy_buf *buf)
{
	const struct ixy_timing_ops *t = timing_of(dev, "hardware clock");
	return t && t->tx_stamped(dev, queue, buf);
}

int ixy_set_tx_rate(struct ixy_device *dev, uint16_t queue, uint64_t bits_per_s)
{
	const struct ixy_timing_ops *t = timing_of(dev, "transmit rate limiter");
	if (!t)
		return -1;
	if (queue >= dev->tx_queues) {
		ixy_error("%s: TX queue %u does not exist (the device has %u)", dev->name, queue,
		          dev->tx_queues);
		return -1;
	}
	return t->set_tx_rate(dev, queue, bits_per_s);
}
