/* Packet buffer pools: fixed-size buffers carved out of DMA allocations of up to 2 MiB,
 * each buffer knowing its own bus address. Alloc and free are inline in ixy/mempool.h; here are
 * creation and the shared pools' caches and store. */
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "log.h"
#include "memory.h"
#include "mempool_cache.h"

struct ixy_mempool_mem {
	uint32_t count;
	struct dma_mem regions[];
};

#define BUF_HEADER 64u
#define CACHE_BULK (IXY_MEMPOOL_CACHE_SIZE / 2) /* buffers moved per refill or spill */
#define SPINS_BEFORE_YIELD 64

/* The store of a shared pool: a stack of every buffer not in a cache nor in use, behind a spin
 * lock held only to move a bulk of pointers. */
struct ixy_mempool_shared {
	atomic_flag lock;
	uint32_t count; /* entries in stack */
	struct ixy_buf **stack;
	struct ixy_mempool *pool; /* the pool whose handle users hold */
	/* Thread n's cache; created by thread n itself, read by others only in destroy/in_use. */
	struct ixy_mempool *caches[IXY_MEMPOOL_CACHE_THREADS];
};

/* A small number per thread, from 1, for the cache table; 0 until the thread first needs one. */
static atomic_uint next_thread_number = 1;
static _Thread_local unsigned thread_number;

static void store_lock(struct ixy_mempool_shared *s)
{
	for (int spins = 0; atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire); spins++) {
		if (spins >= SPINS_BEFORE_YIELD) {
			sched_yield(); /* the holder may be descheduled: let it run */
			spins = 0;
		}
	}
}

static void store_unlock(struct ixy_mempool_shared *s)
{
	atomic_flag_clear_explicit(&s->lock, memory_order_release);
}

/* Moves up to n buffers from the store to `to`; returns how many. */
static uint32_t store_take(struct ixy_mempool_shared *s, struct ixy_buf **to, uint32_t n)
{
	store_lock(s);
	if (n > s->count)
		n = s->count;
	s->count -= n;
	memcpy(to, s->stack + s->count, n * sizeof(*to));
	store_unlock(s);
	return n;
}

static void store_put(struct ixy_mempool_shared *s, struct ixy_buf *const *from, uint32_t n)
{
	store_lock(s);
	memcpy(s->stack + s->count, from, n * sizeof(*from));
	s->count += n;
	store_unlock(s);
}

struct ixy_mempool *mempool_cache_new(struct ixy_mempool *pool)
{
	struct ixy_mempool *c = calloc(1, sizeof(*c));
	if (c)
		c->free_stack = calloc(IXY_MEMPOOL_CACHE_SIZE, sizeof(*c->free_stack));
	if (!c || !c->free_stack) {
		free(c);
		ixy_error("out of memory for a cache of a shared mempool");
		return NULL;
	}
	c->buf_size = pool->buf_size;
	c->count = IXY_MEMPOOL_CACHE_SIZE;
	c->shared = pool->shared;
	return c;
}

uint32_t mempool_cache_refill(struct ixy_mempool *c)
{
	if (c->free_count < CACHE_BULK)
		c->free_count += store_take(c->shared, c->free_stack + c->free_count, CACHE_BULK);
	return c->free_count;
}

void mempool_cache_free(struct ixy_mempool *c)
{
	if (!c)
		return;
	store_put(c->shared, c->free_stack, c->free_count);
	free(c->free_stack);
	free(c);
}

/* The calling thread's cache of a shared pool; NULL when it has none and cannot get one (too
 * many threads, or no memory): then it uses the store directly. */
static struct ixy_mempool *thread_cache(struct ixy_mempool_shared *s)
{
	if (thread_number == 0)
		thread_number = atomic_fetch_add_explicit(&next_thread_number, 1, memory_order_relaxed);
	if (thread_number > IXY_MEMPOOL_CACHE_THREADS)
		return NULL;
	struct ixy_mempool **slot = &s->caches[thread_number - 1];
	if (!*slot)
		*slot = mempool_cache_new(s->pool);
	return *slot;
}

struct ixy_buf *ixy_mempool_alloc_slow(struct ixy_mempool *pool)
{
	struct ixy_buf *buf = NULL;
	if (!pool->shared)
		return NULL; /* a single-thread pool ran dry */
	struct ixy_mempool *c = pool->free_stack ? pool : thread_cache(pool->shared);
	if (!c)
		store_take(pool->shared, &buf, 1);
	else if (mempool_cache_refill(c) > 0)
		buf = c->free_stack[--c->free_count];
	return buf;
}

uint32_t ixy_mempool_alloc_batch_slow(struct ixy_mempool *pool, struct ixy_buf *bufs[], uint32_t n)
{
	if (!pool->shared) { /* a single-thread pool with fewer than n buffers left */
		n = pool->free_count;
		for (uint32_t i = 0; i < n; i++)
			bufs[i] = pool->free_stack[pool->free_count - 1 - i];
		pool->free_count = 0;
		return n;
	}
	struct ixy_mempool *c = pool->free_stack ? pool : thread_cache(pool->shared);
	if (!c)
		return store_take(pool->shared, bufs, n);
	uint32_t got = 0;
	while (got < n && mempool_cache_refill(c) > 0) {
		uint32_t take = n - got < c->free_count ? n - got : c->free_count;
		for (uint32_t i = 0; i < take; i++)
			bufs[got++] = c->free_stack[--c->free_count];
	}
	return got;
}

void ixy_mempool_free_slow(struct ixy_buf *buf)
{
	struct ixy_mempool_shared *s = buf->pool->shared;
	struct ixy_mempool *c = thread_cache(s);
	if (!c) {
		store_put(s, &buf, 1);
		return;
	}
	if (c->free_count == IXY_MEMPOOL_CACHE_SIZE) { /* full: the newest half goes to the store */
		c->free_count -= CACHE_BULK;
		store_put(s, c->free_stack + c->free_count, CACHE_BULK);
	}
	c->free_stack[c->free_count++] = buf;
}

void ixy_mempool_flush_cache(struct ixy_mempool *pool)
{
	if (!pool || !pool->shared || thread_number == 0 || thread_number > IXY_MEMPOOL_CACHE_THREADS)
		return;
	struct ixy_mempool *c = pool->shared->caches[thread_number - 1];
	if (c && c->free_count) {
		store_put(pool->shared, c->free_stack, c->free_count);
		c->free_count = 0;
	}
}

uint32_t ixy_mempool_in_use(const struct ixy_mempool *pool)
{
	struct ixy_mempool_shared *s = pool->shared;
	if (!s)
		return pool->count - pool->free_count;
	store_lock(s);
	uint32_t in = s->count;
	store_unlock(s);
	for (uint32_t t = 0; t < IXY_MEMPOOL_CACHE_THREADS; t++)
		in += s->caches[t] ? s->caches[t]->free_count : 0;
	return pool->count - in;
}

void ixy_mempool_destroy(struct ixy_mempool *pool)
{
	if (!pool)
		return;
	if (pool->shared) {
		for (uint32_t t = 0; t < IXY_MEMPOOL_CACHE_THREADS; t++) {
			if (pool->shared->caches[t]) {
				free(pool->shared->caches[t]->free_stack);
				free(pool->shared->caches[t]);
			}
		}
		free(pool->shared->stack);
		free(pool->shared);
	}
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

struct ixy_mempool *ixy_mempool_create_shared(struct ixy_device *dev, uint32_t count, uint32_t buf_size)
{
	struct ixy_mempool *pool = ixy_mempool_create(dev, count, buf_size);
	if (!pool)
		return NULL;
	struct ixy_mempool_shared *s = calloc(1, sizeof(*s));
	if (!s) {
		ixy_error("out of memory for a shared mempool of %u buffers", count);
		ixy_mempool_destroy(pool);
		return NULL;
	}
	atomic_flag_clear(&s->lock);
	/* The stack moves into the store; the pool's own stays empty, so the inline alloc always
	 * takes the out-of-line path and the inline single-thread free would fault at once. */
	s->stack = pool->free_stack;
	s->count = pool->free_count;
	s->pool = pool;
	pool->shared = s;
	pool->free_stack = NULL;
	pool->free_count = 0;
	return pool;
}
