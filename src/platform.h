/* The platform seam: how the library reaches a PCI function's config space, BARs and DMA.
 * Three implementations: sysfs + pagemap (platform_sysfs.c, needs root), VFIO (platform_vfio.c,
 * the IOMMU isolates the device; no root needed) and a device model (platform_model.c, behind
 * include/ixy/hw.h). Drivers use only these calls, so they do not change with the platform.
 * None of this is on the datapath: registers are still plain loads and stores on dev->bar0. */
#ifndef IXY_PLATFORM_H
#define IXY_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ixy_device;

struct platform_ops {
	const char *name; /* "sysfs", "vfio", "model": shown in messages */
	/* Config space bytes [off, off + len) (PCI Local Bus 3.0, 6.1). 0, or -1 with the error set. */
	int (*config_read)(const struct ixy_device *dev, uint32_t off, void *buf, size_t len);
	int (*config_write)(const struct ixy_device *dev, uint32_t off, const void *buf, size_t len);
	/* Makes the device ours once every check passed (sysfs: unbinds the kernel driver; VFIO:
	 * opens the device, which resets it). */
	int (*take)(struct ixy_device *dev);
	/* mmaps memory BAR `bar`; the platform unmaps it at close. */
	int (*map_bar)(const struct ixy_device *dev, unsigned bar, uint8_t **virt, size_t *len);
	/* One access of `len` (1, 2 or 4) bytes at `off` of I/O-port BAR `bar`. */
	int (*io_read)(const struct ixy_device *dev, unsigned bar, uint32_t off, void *buf, size_t len);
	int (*io_write)(const struct ixy_device *dev, unsigned bar, uint32_t off, const void *buf,
	                size_t len);
	/* Makes [virt, virt + len) reachable by the device's DMA; returns its bus address (an IOVA
	 * under VFIO), or 0 with the error set. */
	uint64_t (*dma_map)(const struct ixy_device *dev, void *virt, size_t len);
	/* Releases everything the platform holds for the device (BAR mappings, file descriptors).
	 * Safe after a partly failed open. */
	void (*close)(struct ixy_device *dev);
	size_t dma_max;        /* the largest allocation that is contiguous on the device's bus */
	bool dma_hugepages;    /* DMA memory must be hugepages (physical contiguity) */
	bool dma_plain_memory; /* DMA memory is ordinary process memory (a device model) */
};

extern const struct platform_ops platform_sysfs;
extern const struct platform_ops platform_vfio;
extern const struct platform_ops platform_model;

/* Attaching sets dev->platform and its state without touching the device; ops->take then
 * makes the device ours. ixy_open() runs every check that must come first (interface down,
 * BAR size, DMA memory) in between. */
int platform_sysfs_attach(struct ixy_device *dev, const char *sysfs_root);
/* VFIO: opens the container and the device's group (platform_vfio.c). */
int platform_vfio_attach(struct ixy_device *dev, const char *sysfs_root);
/* A device model: dev->hw must be set. */
void platform_model_attach(struct ixy_device *dev);

/* Bus Master Enable plus Memory (and for an I/O BAR, I/O) Space Enable in the command register (PCI 3.0, 6.2.2;
 * 82599 DS 9.3.3.3), through the platform's config space access. */
int platform_enable_dma(const struct ixy_device *dev, bool io_bar);

#endif
