/* The two hardware seams, for plugging in a device model instead of a real NIC.
 * On a real NIC, registers are volatile loads and stores on BAR0 and bus addresses come from
 * the platform (VFIO IOVAs, or /proc/self/pagemap on the sysfs platform); ixy_open_hw() replaces
 * both with these callbacks. */
#ifndef IXY_HW_H
#define IXY_HW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ixy_hw_ops {
	void *ctx;          /* passed to every callback */
	const char *name;   /* device name shown to users, e.g. "sim:0" */
	uint16_t vendor_id; /* PCI ids the driver is chosen by */
	uint16_t device_id;
	/* Register access at byte offset `reg` of BAR0 (32-bit). */
	uint32_t (*read32)(void *ctx, uint32_t reg);
	void (*write32)(void *ctx, uint32_t reg, uint32_t value);
	/* Virtual-to-bus translation of a DMA region the library allocated; returns its bus
	 * address, or 0 to refuse. The whole region [virt, virt+len) is then DMA-able. */
	uint64_t (*dma_map)(void *ctx, void *virt, size_t len);
	/* Called by ixy_close() once the driver has stopped the device and freed it (NULL: none):
	 * the model may stop and free itself, and these ops, here. */
	void (*close)(void *ctx);
	/* Optional, for a PCI device found through its capabilities (virtio 1.x): reads `len`
	 * bytes of its configuration space from `off` (returns 0, or -1), and accesses of `width`
	 * 1, 2 or 4 bytes at byte offset `off` of memory BAR `bar` (virtio legacy: I/O BAR 0). */
	int (*config_read)(void *ctx, uint32_t off, void *buf, uint32_t len);
	uint32_t (*bar_read)(void *ctx, uint8_t bar, uint32_t off, uint8_t width);
	void (*bar_write)(void *ctx, uint8_t bar, uint32_t off, uint8_t width, uint32_t value);
};

#ifdef __cplusplus
}
#endif
#endif
