/* The threading contract (include/ixy/ixy.h) against the virtual 82599 in thread mode (its own
 * DMA thread). usage: test_threads <case> [frames]
 *   rss:      N RX/TX queue pairs, N application threads; thread i sends its flows on TX queue i
 *             and receives RX queue i. Every frame arrives exactly once, in order per flow, each
 *             flow on one queue; the per-queue statistics (read concurrently by the main thread
 *             while the datapath runs) equal what each thread sent and received.
 *   pipeline: RX thread -> worker -> TX thread with a shared RX pool (rx_pool_shared): buffers
 *             are freed by the TX thread's queue and by the worker; everything arrives in order,
 *             no buffer is lost. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frames.h"
#include "harness.h"

#define THREADS 4
#define FLOWS 64
#define IN_FLIGHT 192 /* below every RX ring's free descriptors: nothing can be dropped */
#define FRAME_LEN 128u
#define BATCH 32u
#define TIMEOUT_S 60

static uint64_t frames_total = 40000;

static uint64_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* ---- rss ---- */

struct rss_run {
	struct port p;
	atomic_int in_flight;
	atomic_ullong received;
	atomic_int queue_of[FLOWS]; /* -1 until the flow's first frame */
	uint32_t next_seq[FLOWS];   /* receiver side, touched only by the flow's queue owner */
	uint32_t sent_seq[FLOWS];   /* sender side, written by the flow's sender when it ends */
	struct flow flows[FLOWS];
};

struct rss_thread {
	struct rss_run *run;
	uint16_t q;
	struct ixy_mempool *pool;
	uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
	pthread_t tid;
};

static void flow_of(struct flow *fl, uint32_t f)
{
	memset(fl, 0, sizeof(*fl));
	fl->ipv6 = f & 1;
	fl->proto = f % 3 == 0 ? 6 : 17;
	fl->src[0] = 10;
	fl->src[1] = (uint8_t)(f * 37);
	fl->src[2] = (uint8_t)f;
	fl->src[3] = 1;
	fl->dst[0] = 10;
	fl->dst[3] = 2;
	fl->sport = (uint16_t)(1000 + f);
	fl->dport = 4791;
}

/* Flow id and seq of a received frame. */
static void parse(const struct ixy_buf *b, uint32_t *f, uint32_t *seq)
{
	size_t off = (b->data[12] == 0x86 ? 54 : 34) + 20;
	memcpy(seq, b->data + off, 4);
	memcpy(f, b->data + off + 4, 4);
}

static void *rss_worker(void *arg)
{
	struct rss_thread *t = arg;
	struct rss_run *r = t->run;
	uint64_t quota = frames_total / THREADS, sent = 0, start = now_s();
	uint32_t seq[FLOWS] = {0}, turn = 0;
	struct ixy_buf *bufs[BATCH];
	while (atomic_load(&r->received) < frames_total) {
		CHECK(now_s() - start < TIMEOUT_S);
		/* Send: this thread's flows are f with f % THREADS == q, in turn. */
		int free_slots = IN_FLIGHT - atomic_load(&r->in_flight); /* < 0 after a race of senders */
		uint32_t room = free_slots > 0 ? (uint32_t)free_slots : 0;
		uint32_t want = quota - sent < BATCH ? (uint32_t)(quota - sent) : BATCH;
		if (room < want)
			want = room;
		if (want) {
			atomic_fetch_add(&r->in_flight, (int)want);
			uint32_t n = ixy_buf_alloc_batch(t->pool, bufs, want);
			for (uint32_t i = 0; i < n; i++) {
				uint32_t f = t->q + THREADS * (turn++ % (FLOWS / THREADS));
				size_t off = flow_frame(bufs[i]->data, FRAME_LEN, &r->flows[f], seq[f]++);
				memcpy(bufs[i]->data + off + 4, &f, 4);
				bufs[i]->len = FRAME_LEN;
			}
			uint32_t done = ixy_tx_batch(r->p.dev, t->q, bufs, n);
			for (uint32_t i = done; i < n; i++) { /* ring full: those seqs go again */
				uint32_t f, s;
				parse(bufs[i], &f, &s);
				seq[f] = s < seq[f] ? s : seq[f];
				ixy_buf_free(bufs[i]);
			}
			/* Unsent frames were taken back in order: the first unsent seq per flow is
			 * the next one. */
			atomic_fetch_sub(&r->in_flight, (int)(want - done));
			sent += done;
			t->tx_packets += done;
			t->tx_bytes += (uint64_t)done * FRAME_LEN;
		}
		uint32_t got = ixy_rx_batch(r->p.dev, t->q, bufs, BATCH);
		for (uint32_t i = 0; i < got; i++) {
			uint32_t f, s;
			parse(bufs[i], &f, &s);
			CHECK(f < FLOWS && bufs[i]->len == FRAME_LEN);
			int expected = -1;
			if (!atomic_compare_exchange_strong(&r->queue_of[f], &expected, t->q))
				CHECK(expected == t->q); /* a flow stays on one queue */
			if (s != r->next_seq[f])
				fprintf(stderr, "queue %u flow %u: seq %u, expected %u\n", t->q, f, s,
				        r->next_seq[f]);
			CHECK(s == r->next_seq[f]); /* exactly once, in order */
			r->next_seq[f]++;
			t->rx_packets++;
			t->rx_bytes += bufs[i]->len;
			ixy_buf_free(bufs[i]);
		}
		atomic_fetch_sub(&r->in_flight, (int)got);
		atomic_fetch_add(&r->received, got);
		if (!want && !got)
			sched_yield();
	}
	for (uint32_t f = t->q; f < FLOWS; f += THREADS)
		r->sent_seq[f] = seq[f];
	return NULL;
}

static void test_rss(struct ixgbe_bus *bus)
{
	static struct rss_run r;
	port_open(&r.p, bus, 0, &(struct ixy_options){.rx_queues = THREADS, .tx_queues = THREADS});
	ixgbe_model_set_loopback(r.p.model, true);
	CHECK(ixgbe_model_start(r.p.model) == 0);
	for (uint32_t f = 0; f < FLOWS; f++) {
		flow_of(&r.flows[f], f);
		atomic_init(&r.queue_of[f], -1);
	}
	struct rss_thread t[THREADS];
	for (uint16_t i = 0; i < THREADS; i++) {
		t[i] = (struct rss_thread){.run = &r, .q = i, .pool = ixy_mempool_create(r.p.dev, 1024, 0)};
		CHECK(t[i].pool);
	}
	for (uint16_t i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i].tid, NULL, rss_worker, &t[i]) == 0);
	/* Statistics from this thread while the datapath runs, no lock. */
	struct ixy_queue_stats rx[THREADS] = {0}, tx[THREADS] = {0};
	while (atomic_load(&r.received) < frames_total) {
		ixy_read_queue_stats(r.p.dev, rx, tx);
		usleep(1000);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i].tid, NULL);
	CHECK(ixy_tx_flush(r.p.dev, 1000) == 0);
	ixy_read_queue_stats(r.p.dev, rx, tx);
	uint64_t sum = 0;
	for (uint16_t q = 0; q < THREADS; q++) {
		printf("queue %u: sent %llu, received %llu\n", q, (unsigned long long)t[q].tx_packets,
		       (unsigned long long)t[q].rx_packets);
		CHECK(tx[q].packets == t[q].tx_packets && tx[q].bytes == t[q].tx_bytes);
		CHECK(rx[q].packets == t[q].rx_packets && rx[q].bytes == t[q].rx_bytes);
		CHECK(rx[q].dropped == 0 && rx[q].errors == 0 && t[q].rx_packets > 0);
		sum += t[q].tx_packets;
	}
	CHECK(sum == frames_total);
	for (uint32_t f = 0; f < FLOWS; f++)
		CHECK(r.next_seq[f] == r.sent_seq[f] && r.sent_seq[f] > 0);
	struct ixy_stats st = {0};
	ixy_read_stats(r.p.dev, &st);
	CHECK(st.rx_packets == frames_total && st.tx_packets == frames_total && st.rx_dropped == 0);
	for (int i = 0; i < THREADS; i++)
		ixy_mempool_destroy(t[i].pool);
	port_close(&r.p);
}

/* ---- pipeline ---- */

#define RING 256u

struct spsc {
	_Alignas(64) atomic_uint head;
	_Alignas(64) atomic_uint tail;
	struct ixy_buf *slot[RING];
};

static bool spsc_push(struct spsc *s, struct ixy_buf *b)
{
	unsigned tail = atomic_load_explicit(&s->tail, memory_order_relaxed);
	if (tail - atomic_load_explicit(&s->head, memory_order_acquire) == RING)
		return false;
	s->slot[tail % RING] = b;
	atomic_store_explicit(&s->tail, tail + 1, memory_order_release);
	return true;
}

static struct ixy_buf *spsc_pop(struct spsc *s)
{
	unsigned head = atomic_load_explicit(&s->head, memory_order_relaxed);
	if (head == atomic_load_explicit(&s->tail, memory_order_acquire))
		return NULL;
	struct ixy_buf *b = s->slot[head % RING];
	atomic_store_explicit(&s->head, head + 1, memory_order_release);
	return b;
}

struct pipeline {
	struct port a, b;
	struct spsc to_worker, to_tx;
	atomic_ullong consumed; /* frames sent on B or dropped by the worker */
	atomic_ullong dropped;
	atomic_bool stop;
};

static void *pipe_rx(void *arg)
{
	struct pipeline *pl = arg;
	struct ixy_buf *bufs[BATCH];
	uint32_t have = 0, next = 0;
	while (!atomic_load(&pl->stop)) {
		if (next == have) {
			have = ixy_rx_batch(pl->a.dev, 0, bufs, BATCH);
			next = 0;
		}
		while (next < have && spsc_push(&pl->to_worker, bufs[next]))
			next++;
		if (next == have)
			sched_yield();
	}
	for (; next < have; next++)
		ixy_buf_free_any(bufs[next]);
	return NULL;
}

static void *pipe_worker(void *arg)
{
	struct pipeline *pl = arg;
	struct ixy_buf *held = NULL;
	uint32_t expect = 0;
	while (!atomic_load(&pl->stop)) {
		if (!held && (held = spsc_pop(&pl->to_worker)) != NULL) {
			uint32_t seq;
			memcpy(&seq, held->data + 14, 4);
			CHECK(seq == expect++); /* in order, none lost */
			if (seq % 10 == 9) {    /* the worker drops some: freed in this thread */
				ixy_buf_free_any(held);
				held = NULL;
				atomic_fetch_add(&pl->dropped, 1);
				atomic_fetch_add(&pl->consumed, 1);
			}
		}
		if (held && spsc_push(&pl->to_tx, held))
			held = NULL;
		else if (!held)
			sched_yield();
	}
	if (held)
		ixy_buf_free_any(held);
	return NULL;
}

static void *pipe_tx(void *arg)
{
	struct pipeline *pl = arg;
	struct ixy_buf *bufs[BATCH];
	uint32_t n = 0;
	while (!atomic_load(&pl->stop)) {
		struct ixy_buf *b;
		while (n < BATCH && (b = spsc_pop(&pl->to_tx)) != NULL)
			bufs[n++] = b;
		/* B's TX queue frees A's shared-pool buffers in this thread once they are sent. */
		uint32_t done = ixy_tx_batch(pl->b.dev, 0, bufs, n);
		memmove(bufs, bufs + done, (n - done) * sizeof(bufs[0]));
		n -= done;
		atomic_fetch_add(&pl->consumed, done);
		if (!done)
			sched_yield();
	}
	for (uint32_t i = 0; i < n; i++)
		ixy_buf_free_any(bufs[i]);
	return NULL;
}

static void test_pipeline(struct ixgbe_bus *bus)
{
	static struct pipeline pl;
	port_open(&pl.a, bus, 0, &(struct ixy_options){.rx_pool_shared = true});
	port_open(&pl.b, bus, 1, NULL);
	ixgbe_model_capture(pl.b.model, true);
	CHECK(ixgbe_model_start(pl.a.model) == 0 && ixgbe_model_start(pl.b.model) == 0);
	pthread_t tid[3];
	CHECK(pthread_create(&tid[0], NULL, pipe_rx, &pl) == 0);
	CHECK(pthread_create(&tid[1], NULL, pipe_worker, &pl) == 0);
	CHECK(pthread_create(&tid[2], NULL, pipe_tx, &pl) == 0);
	uint8_t f[FRAME_LEN], got[2048];
	uint64_t injected = 0, captured = 0, start = now_s();
	uint32_t want = 0;
	while (captured + atomic_load(&pl.dropped) < frames_total) {
		CHECK(now_s() - start < TIMEOUT_S);
		if (injected < frames_total && injected - atomic_load(&pl.consumed) < IN_FLIGHT) {
			make_frame(f, sizeof(f), (const uint8_t[6]){0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
			           (uint32_t)injected);
			CHECK(ixgbe_model_inject(pl.a.model, f, sizeof(f)));
			injected++;
		}
		size_t len;
		while ((len = ixgbe_model_captured(pl.b.model, got, sizeof(got))) != 0) {
			uint32_t seq;
			memcpy(&seq, got + 14, 4);
			if (want % 10 == 9)
				want++; /* dropped by the worker */
			CHECK(len == FRAME_LEN && seq == want++);
			captured++;
		}
		if (injected == frames_total)
			usleep(100);
	}
	atomic_store(&pl.stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(tid[i], NULL);
	CHECK(ixy_tx_flush(pl.b.dev, 1000) == 0);
	printf("pipeline: %llu frames sent, %llu dropped by the worker\n", (unsigned long long)captured,
	       (unsigned long long)atomic_load(&pl.dropped));
	CHECK(captured == frames_total - frames_total / 10);
	port_close(&pl.b);
	port_close(&pl.a);
}

int main(int argc, char **argv)
{
	if (argc == 3)
		frames_total = strtoull(argv[2], NULL, 10) / (FLOWS * 10) * (FLOWS * 10);
	CHECK(frames_total > 0);
	struct ixgbe_bus *bus = ixgbe_bus_new();
	CHECK(bus);
	if (argc >= 2 && !strcmp(argv[1], "rss"))
		test_rss(bus);
	else if (argc >= 2 && !strcmp(argv[1], "pipeline"))
		test_pipeline(bus);
	else {
		fprintf(stderr, "usage: test_threads rss|pipeline [frames]\n");
		return 2;
	}
	ixgbe_bus_free(bus);
	printf("%s: ok\n", argv[1]);
	return 0;
}
