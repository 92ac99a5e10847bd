/* Packet buffer pools: fixed-size buffers carved out of DMA allocations of up to 2 MiB,
 * each buffer knowing its own bus address. Alloc and free are inline in ixy/mempool.h. */
#include <stdlib.h>

#include "device.h"
#include "log.h"
#include "memory.h"

struct ixy_mempool_mem {
	uint32_t count;
	struct dma_mem regions[];
};

#define BUF_HEADER 64u

void ixy_mempool_destroy(struct ixy_mempool *pool)
{
	if (!pool)
		return;
	if (pool->mem) {
		for (uint32_t i = 0; i < pool->mem->count; i++)
			dma_free(&pool->mem->regions[i]);
		free(pool->mem);
	}
	free(pool->free_stack);
	free(pool);
}

struct ixy_mempool *ixy_mempool_create(struct ixy_device *dev, uint32_t count, uint32_t buf_size)
{
	if (buf_size == 0)
		buf_size = 2048;
	if (count == 0 || count > (1u << 24) || buf_size > DMA_MAX_SIZE - BUF_HEADER) {
		ixy_error(
		    "mempool of %u buffers of %u bytes refused: use 1 to 16M buffers of at most 2 MiB - 64",
		    count, buf_size);
		return NULL;
	}
	/* Buffers never cross a 2 MiB region: only within one is memory physically contiguous. */
	size_t entry = (BUF_HEADER + buf_size + 63) & ~(size_t)63;
	uint32_t per_region = (uint32_t)(DMA_MAX_SIZE / entry);
	uint32_t regions = (count + per_region - 1) / per_region;
	struct ixy_mempool *pool = calloc(1, sizeof(*pool));
	if (pool) {
		pool->free_stack = calloc(count, sizeof(*pool->free_stack));
		pool->mem = calloc(1, sizeof(*pool->mem) + regions * sizeof(struct dma_mem));
	}
	if (!pool || !pool->free_stack || !pool->mem) {
		ixy_error("out of memory for a mempool of %u buffers", count);
		ixy_mempool_destroy(pool);
		return NULL;
	}
	pool->buf_size = buf_size;
	pool->count = count;
	for (uint32_t r = 0; r < regions; r++) {
		uint32_t here = count - r * per_region < per_region ? count - r * per_region : per_region;
		struct dma_mem *mem = &pool->mem->regions[r];
		if (dma_alloc(dev, here * entry, mem) < 0) {
			ixy_mempool_destroy(pool);
			return NULL;
		}
		pool->mem->count++;
		for (uint32_t i = 0; i < here; i++) {
			struct ixy_buf *buf = (struct ixy_buf *)((uint8_t *)mem->virt + i * entry);
			buf->bus_addr = mem->bus + i * entry + BUF_HEADER;
			buf->pool = pool;
			buf->index = r * per_region + i;
			buf->len = 0;
			pool->free_stack[pool->free_count++] = buf;
		}
	}
	return pool;
}
