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
#include "virtio_regs.h"

#define PCI_CLASS_NETWORK 0x02

int reg_wait(const struct ixy_device *dev, uint32_t reg, uint32_t mask, uint32_t want, uint32_t timeout_ms)
{
	for (uint64_t end = deadline_in_ms(timeout_ms);;) {
		if ((reg_read(dev, reg) & mask) == want)
			return 0;
		if (deadline_passed(end))
			return (reg_read(dev, reg) & mask) == want ? 0 : -1;
		usleep(100);
	}
}

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
	dev->hugetlbfs = opts->hugetlbfs ? opts->hugetlbfs : getenv("IXY_HUGETLBFS");
	if (!dev->hugetlbfs)
		dev->hugetlbfs = "/mnt/huge";
	uint16_t sizes[2] = {dev->rx_ring_size, dev->tx_ring_size};
	for (int i = 0; i < 2; i++) {
		if (sizes[i] < 8 || sizes[i] > 4096 || sizes[i] % 8) {
			ixy_error("%s ring size %u is not supported: use a multiple of 8 from 8 to 4096",
			          i ? "TX" : "RX", sizes[i]);
			return -1;
		}
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

static int init_driver(struct ixy_device *dev)
{
	if (ixgbe_supports(dev->vendor_id, dev->device_id))
		return ixgbe_init(dev);
	if (virtio_supports(dev->vendor_id, dev->device_id))
		return virtio_init(dev);
	ixy_error("%s is device %04x:%04x, which libixy does not drive: it supports the Intel 82599 family "
	          "(8086:10fb and relatives) and virtio-net (1af4:1000). 'lspci -nn -s %s' names the device",
	          dev->name, dev->vendor_id, dev->device_id, dev->name);
	return -1;
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

/* BAR0 must reach every register the driver touches: checked from sysfs before any access. */
static int check_bar0(const struct ixy_device *dev, const char *root, bool virtio)
{
	uint64_t size, need = virtio ? VIO_BAR0_MIN_SIZE : IXGBE_BAR0_MIN_SIZE;
	if (pci_bar_size(root, dev->name, 0, &size) < 0)
		return -1;
	if (size < need) {
		ixy_error("%s: BAR0 is %llu bytes, but the %s driver uses registers up to byte %llu: this "
		          "is not the device its PCI id claims, or its BAR is not assigned (check 'lspci -vv "
		          "-s %s')",
		          dev->name, (unsigned long long)size, virtio ? "virtio" : "ixgbe",
		          (unsigned long long)need, dev->name);
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
struct ixy_device *ixy_open(const char *pci_addr, const struct ixy_options *opts)
{
	if (!pci_addr) {
		ixy_error("no device given: pass a PCI address such as 0000:03:00.0");
		return NULL;
	}
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
	if (!ixgbe_supports(info.vendor_id, info.device_id) &&
	    !virtio_supports(info.vendor_id, info.device_id)) {
		init_driver(dev); /* reports the unsupported id */
		goto fail;
	}
	bool virtio = virtio_supports(info.vendor_id, info.device_id);
	if (pci_check_not_in_use(root, pci_addr, opts && opts->force) < 0 ||
	    check_bar0(dev, root, virtio) < 0 || attach_platform(dev, root, opts ? opts->platform : 0) < 0 ||
	    dma_check_available(dev, root, dma_blocks_needed(dev)) < 0 || dev->platform->take(dev) < 0 ||
	    platform_enable_dma(dev, virtio) < 0)
		goto fail;
	if (!virtio) {
		if (dev->platform->map_bar(dev, 0, &dev->bar0, &dev->bar0_len) < 0)
			goto fail;
		if (dev->bar0_len < IXGBE_BAR0_MIN_SIZE) {
			ixy_error("%s: BAR0 maps only %zu bytes, the ixgbe driver needs %u", pci_addr,
			          dev->bar0_len, IXGBE_BAR0_MIN_SIZE);
			goto fail;
		}
	}
	if (init_driver(dev) < 0)
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
	if (apply_options(dev, opts) < 0 || init_driver(dev) < 0) {
		free_device(dev);
		return NULL;
	}
	return dev;
}

void ixy_close(struct ixy_device *dev)
{
	if (!dev)
		return;
	dev->ctrl->close(dev);
	free_device(dev);
}

int ixy_tx_flush(struct ixy_device *dev, uint32_t timeout_ms)
{
	return dev->ctrl->tx_flush(dev, timeout_ms);
}

void ixy_read_stats(struct ixy_device *dev, struct ixy_stats *stats)
{
	dev->ctrl->read_stats(dev, stats);
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
