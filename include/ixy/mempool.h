/* Packet buffers in DMA memory, in two kinds of pools:
 * - single-thread (ixy_mempool_create): used by one thread at a time; alloc and free are a few
 *   inline instructions on a stack.
 * - shared (ixy_mempool_create_shared): for pipelines, where a buffer is freed by another thread
 *   than the one that allocated it. Each thread takes and returns buffers through its own cache
 *   of up to IXY_MEMPOOL_CACHE_SIZE buffers; only a cache that runs empty or full touches the
 *   shared store, under a short spin lock. */
#ifndef IXY_MEMPOOL_H
#define IXY_MEMPOOL_H

#include <stdint.h>
#include <string.h>

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
	/* private: NULL in a single-thread pool. In a shared pool, free_count stays 0 and
	 * free_stack NULL: every alloc takes the out-of-line path to the thread's cache. */
	struct ixy_mempool_shared *shared;
};

#define IXY_MEMPOOL_CACHE_SIZE 256u   /* buffers a thread's cache of a shared pool holds at most */
#define IXY_MEMPOOL_CACHE_THREADS 64u /* threads with a cache; more go to the store each time */

/* Creates `count` buffers of `buf_size` data bytes (0: 2048) in DMA memory mapped for `dev`
 * (and every device sharing its bus). Returns NULL with ixy_last_error() set on failure. */
struct ixy_mempool *ixy_mempool_create(struct ixy_device *dev, uint32_t count, uint32_t buf_size);
/* The same, as a shared pool: any thread may allocate and free its buffers, concurrently. */
struct ixy_mempool *ixy_mempool_create_shared(struct ixy_device *dev, uint32_t count, uint32_t buf_size);
/* Frees the pool. Every buffer must be back in it (or the device that held them closed); for a
 * shared pool no other thread may use it any more (buffers in threads' caches count as back). */
void ixy_mempool_destroy(struct ixy_mempool *pool);

/* Shared pools: the calling thread's cache goes back to the store (before the thread ends, so
 * no buffer waits in the cache of a thread that is gone). No-op for a single-thread pool. */
void ixy_mempool_flush_cache(struct ixy_mempool *pool);
/* Buffers not in the pool (held by the application or a ring), counting the threads' caches
 * as in the pool. Exact only while no other thread uses the pool. */
uint32_t ixy_mempool_in_use(const struct ixy_mempool *pool);

/* The out-of-line paths: a shared pool, or a single-thread pool running dry. */
struct ixy_buf *ixy_mempool_alloc_slow(struct ixy_mempool *pool);
uint32_t ixy_mempool_alloc_batch_slow(struct ixy_mempool *pool, struct ixy_buf *bufs[], uint32_t n);
void ixy_mempool_free_slow(struct ixy_buf *buf);

/* Internal (used by the inline calls here and the drivers): copies n buffer pointers between
 * arrays that do not overlap, sixteen or eight at a time where it can, each as one fixed-size
 * copy that the compiler turns into a few vector moves (no call). */
static inline void ixy_buf_ptrs_copy(struct ixy_buf **to, struct ixy_buf *const *from, uint32_t n)
{
	for (struct ixy_buf *const *end = from + (n & ~15u); from != end; from += 16, to += 16)
		memcpy(to, from, 16 * sizeof(*to));
	if (n & 8u) {
		memcpy(to, from, 8 * sizeof(*to));
		to += 8;
		from += 8;
	}
	for (uint32_t i = 0; i < (n & 7u); i++)
		to[i] = from[i];
}

/* Takes up to n buffers, the n most recently freed; returns how many (fewer only when the pool
 * runs dry). O(n), no syscall. Any pool; a shared pool always goes through its thread's cache
 * (out of line). */
static inline uint32_t ixy_buf_alloc_batch(struct ixy_mempool *pool, struct ixy_buf *bufs[], uint32_t n)
{
	if (n > pool->free_count)
		return ixy_mempool_alloc_batch_slow(pool, bufs, n);
	uint32_t top = pool->free_count - n;
	ixy_buf_ptrs_copy(bufs, &pool->free_stack[top], n);
	pool->free_count = top;
	return n;
}

/* One buffer, or NULL when the pool is empty. Any pool. */
static inline struct ixy_buf *ixy_buf_alloc(struct ixy_mempool *pool)
{
	if (pool->free_count == 0)
		return ixy_mempool_alloc_slow(pool);
	return pool->free_stack[--pool->free_count];
}

/* Returns a buffer to its single-thread pool: the fastest free, with no check of the pool's kind
 * (a buffer of a shared pool crashes here: use ixy_buf_free_any()). */
static inline void ixy_buf_free(struct ixy_buf *buf)
{
	struct ixy_mempool *pool = buf->pool;
	pool->free_stack[pool->free_count++] = buf;
}

/* Returns a buffer to its pool, of either kind: a shared pool's buffer from any thread (into
 * the calling thread's cache), a single-thread pool's from the thread using that pool. What
 * pipeline code and code that does not know the pool's kind use. */
static inline void ixy_buf_free_any(struct ixy_buf *buf)
{
	if (buf->pool->shared)
		ixy_mempool_free_slow(buf);
	else
		ixy_buf_free(buf);
}

#ifdef __cplusplus
}
#endif
#endif
