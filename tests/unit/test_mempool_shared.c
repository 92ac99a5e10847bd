/* Shared mempool under stress: 4 threads, 10 million alloc/free operations (an argument sets
 * another count), most buffers freed by another thread than the one that allocated them. No
 * buffer may be handed out twice, none may be lost. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "device.h"

#define THREADS 4
#define POOL 4096u
#define RING 1024u /* handoff ring between neighbours, a power of two */
#define BATCH 32u

/* Single-producer single-consumer ring: thread i hands buffers to thread i+1. */
struct handoff {
	_Alignas(64) atomic_uint head; /* written by the consumer */
	_Alignas(64) atomic_uint tail; /* written by the producer */
	struct ixy_buf *slot[RING];
};

static struct ixy_mempool *pool;
static struct handoff rings[THREADS];
static atomic_uchar owned[POOL]; /* 1 while some thread holds the buffer */
static atomic_uint producers_done;
static uint64_t ops_per_thread;
static atomic_ullong ops_total;

static uint64_t fake_map(void *ctx, void *virt, size_t len)
{
	(void)ctx;
	(void)len;
	return (uint64_t)(uintptr_t)virt;
}

static void took(struct ixy_buf *b, unsigned self)
{
	CHECK(b->pool == pool && b->index < POOL);
	CHECK(atomic_exchange(&owned[b->index], 1) == 0); /* never handed out twice */
	memcpy(b->data, &self, sizeof(self));
	b->len = self;
}

static void give_back(struct ixy_buf *b, unsigned from)
{
	unsigned stamp;
	memcpy(&stamp, b->data, sizeof(stamp));
	CHECK(stamp == from && b->len == from); /* the data survived the handoff */
	CHECK(atomic_exchange(&owned[b->index], 0) == 1);
	ixy_buf_free_any(b);
}

/* Frees what the previous thread handed over; returns how many. */
static uint64_t drain(unsigned self)
{
	struct handoff *in = &rings[(self + THREADS - 1) % THREADS];
	unsigned head = atomic_load_explicit(&in->head, memory_order_relaxed);
	unsigned tail = atomic_load_explicit(&in->tail, memory_order_acquire);
	for (unsigned i = head; i != tail; i++)
		give_back(in->slot[i % RING], (self + THREADS - 1) % THREADS);
	atomic_store_explicit(&in->head, tail, memory_order_release);
	return tail - head;
}

static void *worker(void *arg)
{
	unsigned self = (unsigned)(uintptr_t)arg;
	struct handoff *out = &rings[self];
	uint64_t ops = 0, allocs = 0;
	struct ixy_buf *bufs[BATCH];
	while (allocs < ops_per_thread / 2) {
		uint32_t want = (uint32_t)(allocs % 7 == 0 ? 1 : BATCH);
		if (want > ops_per_thread / 2 - allocs)
			want = (uint32_t)(ops_per_thread / 2 - allocs);
		uint32_t n = want == 1 ? (bufs[0] = ixy_buf_alloc(pool)) != NULL
		                       : ixy_buf_alloc_batch(pool, bufs, want);
		for (uint32_t i = 0; i < n; i++)
			took(bufs[i], self);
		allocs += n;
		ops += n;
		/* Every 16th buffer is freed here, the rest by the next thread. */
		unsigned tail = atomic_load_explicit(&out->tail, memory_order_relaxed);
		for (uint32_t i = 0; i < n; i++) {
			if ((allocs + i) % 16 == 0) {
				give_back(bufs[i], self);
				ops++;
				continue;
			}
			while (tail - atomic_load_explicit(&out->head, memory_order_acquire) == RING)
				ops += drain(self); /* the ring is full: keep the cycle moving */
			out->slot[tail % RING] = bufs[i];
			atomic_store_explicit(&out->tail, ++tail, memory_order_release);
		}
		ops += drain(self);
	}
	atomic_fetch_add(&producers_done, 1);
	while (atomic_load(&producers_done) < THREADS)
		ops += drain(self);
	ops += drain(self);
	ixy_mempool_flush_cache(pool);
	atomic_fetch_add(&ops_total, ops);
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000u;
	ops_per_thread = total / THREADS;
	struct ixy_hw_ops hw = {.name = "fake", .dma_map = fake_map};
	struct ixy_device dev = {.hw = &hw, .platform = &platform_model};
	pool = ixy_mempool_create_shared(&dev, POOL, 64);
	CHECK(pool && ixy_mempool_in_use(pool) == 0);
	/* The inline single-thread path sees an empty stack; everything goes through the caches. */
	CHECK(pool->free_count == 0 && pool->shared);

	pthread_t t[THREADS];
	for (unsigned i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i) == 0);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	/* Every allocation was freed once: 2 operations per buffer. */
	uint64_t ops = atomic_load(&ops_total);
	printf("mempool_shared: %llu operations in %u threads\n", (unsigned long long)ops, THREADS);
	CHECK(ops == ops_per_thread / 2 * 2 * THREADS);
	for (unsigned i = 0; i < POOL; i++)
		CHECK(atomic_load(&owned[i]) == 0);
	/* Nothing lost: every buffer can be taken again, each once. */
	CHECK(ixy_mempool_in_use(pool) == 0);
	static struct ixy_buf *all[POOL + 1];
	CHECK(ixy_buf_alloc_batch(pool, all, POOL + 1) == POOL);
	static uint8_t seen[POOL];
	for (unsigned i = 0; i < POOL; i++) {
		CHECK(!seen[all[i]->index]);
		seen[all[i]->index] = 1;
	}
	CHECK(ixy_buf_alloc(pool) == NULL && ixy_mempool_in_use(pool) == POOL);
	for (unsigned i = 0; i < POOL; i++)
		ixy_buf_free_any(all[i]);
	CHECK(ixy_mempool_in_use(pool) == 0);
	ixy_mempool_destroy(pool);
	printf("mempool_shared: ok\n");
	return 0;
}
