/* mempool-bench: the cost of a buffer allocation or free, single-thread pool against shared pool
 * (docs/benchmark.md). Not a test: it prints numbers.
 *
 *   1 thread:  alloc a batch, free it, in a loop (ixy_buf_free for the single-thread pool,
 *              ixy_buf_free_any for the shared one).
 *   2 threads: single-thread pools: each thread its own pool, as above. Shared pool: one pool,
 *              each thread allocates a batch and hands it over a ring to the other thread, which
 *              frees it: every buffer crosses threads (the ring's cost is included).
 *
 * usage: mempool-bench [--threads 1|2] [--mode single|shared] [--ops N] [--batch N] [--rounds R]
 * Without --mode both modes run. An operation is one alloc or one free. With R rounds the
 * fastest is shown: other load on the machine only ever makes a round slower. */
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device.h" /* a device without hardware: the pools need one for their DMA mapping */

#define POOL 8192u
#define RING 1024u
#define MAX_BATCH 256u

struct ring {
	_Alignas(64) atomic_uint head;
	_Alignas(64) atomic_uint tail;
	struct ixy_buf *slot[RING];
};

struct run {
	bool shared;
	unsigned threads;
	uint32_t batch;
	uint64_t ops; /* per thread */
	struct ixy_mempool *pools[2];
	struct ring rings[2]; /* rings[i]: from thread i to thread 1-i */
	atomic_uint finished; /* threads done allocating */
};

struct worker {
	struct run *r;
	unsigned self;
};

static uint64_t drain(struct ring *in)
{
	unsigned head = atomic_load_explicit(&in->head, memory_order_relaxed);
	unsigned tail = atomic_load_explicit(&in->tail, memory_order_acquire);
	for (unsigned i = head; i != tail; i++)
		ixy_buf_free_any(in->slot[i % RING]);
	atomic_store_explicit(&in->head, tail, memory_order_release);
	return tail - head;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	struct ixy_mempool *pool = r->pools[r->shared ? 0 : w->self];
	struct ixy_buf *bufs[MAX_BATCH];
	uint64_t done = 0;
	if (!r->shared || r->threads == 1) {
		while (done < r->ops) {
			uint32_t n = ixy_buf_alloc_batch(pool, bufs, r->batch);
			if (r->shared) {
				for (uint32_t i = 0; i < n; i++)
					ixy_buf_free_any(bufs[i]);
			} else {
				for (uint32_t i = 0; i < n; i++)
					ixy_buf_free(bufs[i]);
			}
			done += 2 * n;
		}
		ixy_mempool_flush_cache(pool);
		return NULL;
	}
	struct ring *out = &r->rings[w->self], *in = &r->rings[1 - w->self];
	uint64_t allocs = 0;
	while (allocs < r->ops / 2) {
		uint32_t n = ixy_buf_alloc_batch(pool, bufs, r->batch);
		unsigned tail = atomic_load_explicit(&out->tail, memory_order_relaxed);
		for (uint32_t i = 0; i < n; i++) {
			while (tail - atomic_load_explicit(&out->head, memory_order_acquire) == RING) {
				atomic_store_explicit(&out->tail, tail, memory_order_release);
				if (drain(in) == 0)
					sched_yield(); /* the other thread may not be running */
			}
			out->slot[tail++ % RING] = bufs[i];
		}
		atomic_store_explicit(&out->tail, tail, memory_order_release);
		allocs += n;
		drain(in);
	}
	/* The other thread may wait for room in its ring: keep draining until it is done. */
	atomic_fetch_add(&r->finished, 1);
	while (atomic_load(&r->finished) < 2) {
		if (drain(in) == 0)
			sched_yield();
	}
	drain(in);
	ixy_mempool_flush_cache(pool);
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t no_map(void *ctx, void *virt, size_t len)
{
	(void)ctx;
	(void)len;
	return (uint64_t)(uintptr_t)virt; /* plain memory: the bench does no DMA */
}

/* One round; returns the ns per operation of one thread, or a negative value on failure. */
static double run_round(struct ixy_device *dev, bool shared, unsigned threads, uint32_t batch, uint64_t ops)
{
	static struct run r;
	memset(&r, 0, sizeof(r));
	r.shared = shared;
	r.threads = threads;
	r.batch = batch;
	r.ops = ops;
	for (unsigned i = 0; i < (shared ? 1 : threads); i++) {
		r.pools[i] =
		    shared ? ixy_mempool_create_shared(dev, POOL, 64) : ixy_mempool_create(dev, POOL, 64);
		if (!r.pools[i]) {
			fprintf(stderr, "mempool-bench: %s\n", ixy_last_error());
			return -1;
		}
	}
	pthread_t t[2];
	struct worker w[2];
	uint64_t start = now_ns();
	for (unsigned i = 0; i < threads; i++) {
		w[i] = (struct worker){&r, i};
		if (pthread_create(&t[i], NULL, work, &w[i]) != 0) {
			fprintf(stderr, "mempool-bench: cannot start a thread\n");
			return -1;
		}
	}
	for (unsigned i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	double ns = (double)(now_ns() - start);
	for (unsigned i = 0; i < (shared ? 1 : threads); i++) {
		if (ixy_mempool_in_use(r.pools[i]) != 0) {
			fprintf(stderr, "mempool-bench: %u buffers lost\n", ixy_mempool_in_use(r.pools[i]));
			return -1;
		}
		ixy_mempool_destroy(r.pools[i]);
	}
	/* Each thread did `ops` operations, concurrently: ns per operation of one thread. */
	return ns / (double)ops;
}

static int run_mode(struct ixy_device *dev, bool shared, unsigned threads, uint32_t batch, uint64_t ops,
                    unsigned rounds)
{
	double best = 0;
	for (unsigned i = 0; i < rounds; i++) {
		double ns = run_round(dev, shared, threads, batch, ops);
		if (ns < 0)
			return 1;
		if (i == 0 || ns < best)
			best = ns;
	}
	printf("%-6s pool, %u thread(s), batch %3u: %8.2f ns/operation (%llu operations per thread, "
	       "fastest of %u)\n",
	       shared ? "shared" : "single", threads, batch, best, (unsigned long long)ops, rounds);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"threads", required_argument, 0, 't'},
	                                     {"mode", required_argument, 0, 'm'},
	                                     {"ops", required_argument, 0, 'o'},
	                                     {"batch", required_argument, 0, 'b'},
	                                     {"rounds", required_argument, 0, 'r'},
	                                     {"help", no_argument, 0, 'h'},
	                                     {0, 0, 0, 0}};
	unsigned threads = 2;
	uint32_t batch = 32;
	uint64_t ops = 20000000;
	unsigned rounds = 1;
	int mode = -1; /* both */
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't')
			threads = (unsigned)atoi(optarg);
		else if (c == 'm')
			mode = !strcmp(optarg, "shared") ? 1 : !strcmp(optarg, "single") ? 0 : -2;
		else if (c == 'o')
			ops = strtoull(optarg, NULL, 10);
		else if (c == 'b')
			batch = (uint32_t)atoi(optarg);
		else if (c == 'r')
			rounds = (unsigned)atoi(optarg);
		else {
			printf("usage: mempool-bench [--threads 1|2] [--mode single|shared] [--ops N] "
			       "[--batch N]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if ((threads != 1 && threads != 2) || mode == -2 || batch < 1 || batch > MAX_BATCH || ops < 2 ||
	    rounds < 1) {
		fprintf(stderr,
		        "mempool-bench: --threads 1 or 2, --mode single or shared, --batch 1..%u, "
		        "--ops at least 2, --rounds at least 1\n",
		        MAX_BATCH);
		return 2;
	}
	struct ixy_hw_ops hw = {.name = "bench", .dma_map = no_map};
	struct ixy_device dev = {.hw = &hw, .platform = &platform_model};
	for (int m = 0; m < 2; m++) {
		if ((mode == -1 || mode == m) && run_mode(&dev, m == 1, threads, batch, ops, rounds) != 0)
			return 1;
	}
	return 0;
}
