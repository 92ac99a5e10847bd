/* DMA memory: 2 MiB hugepages on a real NIC, translated through /proc/self/pagemap. */
#ifndef IXY_MEMORY_H
#define IXY_MEMORY_H

#include <stddef.h>
#include <stdint.h>

struct ixy_device;

#define DMA_MAX_SIZE (2u * 1024 * 1024) /* one hugepage: the largest physically contiguous block */

struct dma_mem {
	void *virt;
	uint64_t bus; /* bus address of virt */
	size_t size;  /* mapped size (a whole hugepage on a real NIC) */
};

/* Allocates `size` (<= DMA_MAX_SIZE) bytes of zeroed, locked, physically contiguous memory
 * for `dev`. Returns 0, or -1 with ixy_last_error() set. */
int dma_alloc(const struct ixy_device *dev, size_t size, struct dma_mem *out);
void dma_free(struct dma_mem *mem);

/* Seam 2: the bus address of a DMA region the library allocated. Called once per allocation,
 * never on the datapath. Returns 0 on failure. */
uint64_t virt_to_bus(const struct ixy_device *dev, void *virt, size_t len);

/* Pagemap translation of any address of this process (exposed for tests). */
uint64_t pagemap_virt_to_phys(void *virt);

#endif
