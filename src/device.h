/* The private device structure every driver fills in. */
#ifndef IXY_DEVICE_H
#define IXY_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ixy/hw.h"
#include "ixy/ixy.h"
#include "platform.h"

/* Control-path operations of a driver (the datapath ones are in struct ixy_driver_ops). */
struct ixy_ctrl_ops {
	const char *driver_name;
	void (*close)(struct ixy_device *dev);                        /* stop queues, free driver state */
	int (*tx_flush)(struct ixy_device *dev, uint32_t timeout_ms); /* see ixy_tx_flush() */
	void (*read_stats)(struct ixy_device *dev, struct ixy_stats *stats);
	/* Optional; without it a device with one RX and one TX queue reports its device counters
	 * as the queues' (see ixy_read_queue_stats()). */
	void (*read_queue_stats)(struct ixy_device *dev, struct ixy_queue_stats rx[],
	                         struct ixy_queue_stats tx[]);
	void (*set_promiscuous)(struct ixy_device *dev, bool on);
	void (*get_mac)(struct ixy_device *dev, uint8_t mac[6]);
	void (*set_mac)(struct ixy_device *dev, const uint8_t mac[6]);
	uint32_t (*link_speed)(struct ixy_device *dev);
};

struct ixy_device {
	struct ixy_device_head head; /* must stay first: the inline batch dispatch reads it */
	const struct ixy_ctrl_ops *ctrl;
	char name[64]; /* PCI address or model name */
	uint8_t *bar0; /* mapped BAR0 on a real NIC (memory BAR) */
	size_t bar0_len;
	const struct ixy_hw_ops *hw;         /* device model seams; NULL on a real NIC */
	const struct platform_ops *platform; /* how config space, BARs and DMA are reached */
	void *platform_ctx;                  /* the platform's own state */
	struct dma_owner *dma_owner;         /* who unmaps this device's DMA regions (VFIO), or NULL */
	const char *hugetlbfs;               /* where hugepage DMA memory comes from */
	const char *virtio_ring;             /* ixy_options.virtio_ring, NULL for the default */
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t rx_queues;
	uint16_t tx_queues;
	uint16_t rx_ring_size;
	uint16_t tx_ring_size;
	uint32_t link_timeout_ms;
	bool promiscuous;
	bool rx_pool_shared; /* RX queues allocate from a shared mempool through a cache each */
	/* Drivers without read_queue_stats: counts one of ixy_read_stats()/ixy_read_queue_stats()
	 * took from the driver that the other has not reported yet. */
	struct ixy_stats stats_pending;
	struct ixy_stats queue_pending;
	void *driver; /* the driver's own state */
};

/* Drivers, chosen by PCI id in device.c's table. Each fills dev->head.ops, dev->ctrl and
 * dev->driver, returns 0, or returns -1 with the error set (and everything it allocated freed). */
int ixgbe_init(struct ixy_device *dev);
int virtio_init(struct ixy_device *dev);

/* Register access lives below this file (regs.h); included here for the files that use both. */
#include "regs.h"

#endif
