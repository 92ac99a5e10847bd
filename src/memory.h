/* DMA memory: allocated here, made reachable by the device through the platform seam. */
#ifndef IXY_MEMORY_H
#define IXY_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ixy_device;

#define DMA_MAX_SIZE (2u * 1024 * 1024) /* one hugepage: contiguous on every platform */
#define HUGEPAGE_SIZE (2u * 1024 * 1024)

/* Who must be told when a DMA region goes away (VFIO: its IOMMU mapping). It may outlive the
 * device: a pool whose buffers an application still holds is freed after ixy_close(). */
struct dma_owner {
	void (*unmap)(struct dma_owner *owner, uint64_t bus, size_t len);
};

struct dma_mem {
	void *virt;
	uint64_t bus; /* bus address (IOVA under VFIO) of virt */
	size_t size;  /* mapped size */
	struct dma_owner *owner;
};

/* Allocates `size` bytes (up to the platform's dma_max: 2 MiB on sysfs, more under VFIO) of
 * zeroed memory, contiguous on the device's bus, for `dev`. Hugepages from dev->hugetlbfs when
 * the platform needs them or they are mounted; otherwise ordinary memory. Returns 0, or -1 with
 * ixy_last_error() set. */
int dma_alloc(const struct ixy_device *dev, size_t size, struct dma_mem *out);
void dma_free(struct dma_mem *mem);

/* Before the device is taken: is there DMA memory for `pages` 2 MiB allocations? Checks that
 * hugetlbfs is mounted and has that many free pages when the platform needs hugepages.
 * Returns 0, or -1 with an error naming the fix. */
int dma_check_available(const struct ixy_device *dev, const char *sysfs_root, unsigned pages);

/* Is a hugetlbfs mounted at `mount`? */
bool hugetlbfs_mounted(const char *mount);

/* Pagemap translation of any address of this process (exposed for tests); 0 if unknown. */
uint64_t pagemap_virt_to_phys(void *virt);

#endif
