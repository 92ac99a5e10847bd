/* Caches of shared mempools owned by something other than a thread: a driver's RX queue keeps
 * one, so its datapath allocates from a plain stack as with a single-thread pool. A cache is a
 * struct ixy_mempool whose free_stack holds up to IXY_MEMPOOL_CACHE_SIZE buffers of the shared
 * pool, used by one thread at a time. */
#ifndef IXY_MEMPOOL_CACHE_H
#define IXY_MEMPOOL_CACHE_H

#include <stdint.h>

#include "ixy/mempool.h"

/* An empty cache of the shared pool `pool`; NULL with the error set. */
struct ixy_mempool *mempool_cache_new(struct ixy_mempool *pool);
/* Tops the cache up from the store when it is under half full; returns its buffer count. */
uint32_t mempool_cache_refill(struct ixy_mempool *cache);
/* Returns the cache's buffers to the store and frees it. NULL is a no-op. */
void mempool_cache_free(struct ixy_mempool *cache);

#endif
