/* Opening a device: find its driver by PCI id, take it from the kernel, hand it to the driver. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "log.h"
#include "pci.h"

#define PCI_CLASS_NETWORK 0x02

int reg_wait(const struct ixy_device *dev, uint32_t reg, uint32_t mask, uint32_t want, uint32_t timeout_ms)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if ((reg_read(dev, reg) & mask) == want)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms > timeout_ms)
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
	dev->bar0_fd = -1;
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

static void free_device(struct ixy_device *dev)
{
	if (dev->bar0)
		munmap(dev->bar0, dev->bar0_len);
	if (dev->bar0_fd >= 0)
		close(dev->bar0_fd);
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
	if (pci_check_not_in_use(root, pci_addr, opts && opts->force) < 0 || pci_unbind(root, pci_addr) < 0 ||
	    pci_enable_dma(root, pci_addr, virtio) < 0)
		goto fail;
	if (virtio) {
		dev->bar0_fd = pci_open_bar0(root, pci_addr);
		if (dev->bar0_fd < 0)
			goto fail;
	} else if (pci_map_bar0(root, pci_addr, &dev->bar0, &dev->bar0_len) < 0) {
		goto fail;
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
	for (uint32_t waited = 0; (speed = ixy_link_speed(dev)) == 0 && waited < timeout_ms; waited += 10)
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
