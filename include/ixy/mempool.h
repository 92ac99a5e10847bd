/* Packet buffers in DMA memory. A mempool is used by one thread at a time. */
#ifndef IXY_MEMPOOL_H
#define IXY_MEMPOOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ixy_device;
struct ixy_mempool;

/* One packet buffer: a 64-byte header followed by the frame bytes. */
struct ixy_buf {
	uint64_t bus_addr;        /* bus address of data[], what the NIC is given */
	struct ixy_mempool *pool; /* where ixy_buf_free() returns it */
	uint32_t len;             /* frame length in data[] */
	uint32_t index;           /* position in the pool */
	uint8_t reserved[40];
	uint8_t data[]; /* 64-byte aligned, pool->buf_size bytes */
};

struct ixy_mempool {
	uint32_t buf_size;   /* bytes of data[] per buffer */
	uint32_t count;      /* buffers in the pool */
	uint32_t free_count; /* entries in free_stack */
	struct ixy_buf **free_stack;
	struct ixy_mempool_mem *mem; /* private: the DMA regions behind the pool */
};

/* Creates `count` buffers of `buf_size` data bytes (0: 2048) in DMA memory mapped for `dev`
 * (and every device sharing its bus). Returns NULL with ixy_last_error() set on failure. */
struct ixy_mempool *ixy_mempool_create(struct ixy_device *dev, uint32_t count, uint32_t buf_size);
/* Frees the pool. Every buffer must be back in it (or the device that held them closed). */
void ixy_mempool_destroy(struct ixy_mempool *pool);

/* Takes up to n buffers; returns how many (fewer only when the pool runs dry). O(n), no syscall. */
static inline uint32_t ixy_buf_alloc_batch(struct ixy_mempool *pool, struct ixy_buf *bufs[], uint32_t n)
{
	if (n > pool->free_count)
		n = pool->free_count;
	uint32_t top = pool->free_count;
	for (uint32_t i = 0; i < n; i++)
		bufs[i] = pool->free_stack[--top];
	pool->free_count = top;
	return n;
}

/* One buffer, or NULL when the pool is empty. */
static inline struct ixy_buf *ixy_buf_alloc(struct ixy_mempool *pool)
{
	if (pool->free_count == 0)
		return 0;
	return pool->free_stack[--pool->free_count];
}

/* Returns a buffer to its pool. */
static inline void ixy_buf_free(struct ixy_buf *buf)
{
	struct ixy_mempool *pool = buf->pool;
	pool->free_stack[pool->free_count++] = buf;
}

#ifdef __cplusplus
}
#endif
#endif
