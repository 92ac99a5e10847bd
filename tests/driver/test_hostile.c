/* The ixgbe driver against a hostile virtual 82599 (sim/ixgbe_hostile.h): whatever the device
 * writes back, every buffer the app gets is in bounds and owned by it once, no buffer is lost
 * or freed twice, and frames flow again once the device behaves.
 *
 * usage: test_hostile <case> [seed]
 *   lengths, errors, chain, tx_lengths, unposted, tx_missing: one kind of corruption, checked
 *   exactly
 *   random: IXY_HOSTILE_ROUNDS (default 1000000) randomized rounds on 4 RX and 4 TX queues;
 *           the seed is printed, and taken back from the argument or IXY_HOSTILE_SEED. */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ixgbe_hostile.h"

#define QUEUES 4u
#define RING 64u
#define MAGIC 0x484F5354u /* marks the frames of a flow check */
#define MAX_POOLS 8u
#define MAX_HELD 512u

static uint64_t rng;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(next_random() % n);
}

/* ---- ownership bookkeeping ---- */

/* Buffers the app holds: an open-addressing set of pointers. */
static struct ixy_buf *held_set[1u << 16];

static size_t slot_of(const struct ixy_buf *b)
{
	return ((uintptr_t)b >> 6) * 2654435761u % (sizeof(held_set) / sizeof(held_set[0]));
}

static void hold(struct ixy_buf *b)
{
	size_t n = sizeof(held_set) / sizeof(held_set[0]), i = slot_of(b);
	while (held_set[i]) {
		CHECK(held_set[i] != b); /* handed to the app twice */
		i = (i + 1) % n;
	}
	held_set[i] = b;
}

static void release(struct ixy_buf *b)
{
	size_t n = sizeof(held_set) / sizeof(held_set[0]), i = slot_of(b);
	while (held_set[i] != b) {
		CHECK(held_set[i]); /* not held */
		i = (i + 1) % n;
	}
	held_set[i] = NULL;
	/* Re-insert the rest of the cluster (deletion in linear probing). */
	for (i = (i + 1) % n; held_set[i]; i = (i + 1) % n) {
		struct ixy_buf *x = held_set[i];
		held_set[i] = NULL;
		hold(x);
	}
}

/* Every pool seen, with the buffer behind each index (learned on first sight). */
struct pool_info {
	struct ixy_mempool *pool;
	struct ixy_buf **by_index;
	bool rx;
};
static struct pool_info pools[MAX_POOLS];

static struct pool_info *pool_info(struct ixy_mempool *pool, bool rx)
{
	for (unsigned i = 0; i < MAX_POOLS; i++) {
		if (pools[i].pool == pool)
			return &pools[i];
		if (!pools[i].pool) {
			pools[i].pool = pool;
			pools[i].rx = rx;
			pools[i].by_index = calloc(pool->count, sizeof(struct ixy_buf *));
			CHECK(pools[i].by_index);
			return &pools[i];
		}
	}
	CHECK(!"more pools than the port can have");
	return NULL;
}

/* A buffer the driver hands to the app: one of a pool's own buffers, len in bounds, not held. */
static void take(struct ixy_buf *b, bool rx)
{
	struct pool_info *pi = pool_info(b->pool, rx);
	CHECK(b->index < pi->pool->count);
	if (!pi->by_index[b->index])
		pi->by_index[b->index] = b;
	CHECK(pi->by_index[b->index] == b);
	if (rx)
		CHECK(b->len >= 14 && b->len <= b->pool->buf_size);
	hold(b);
}

static void give_back(struct ixy_buf *b)
{
	release(b);
	ixy_buf_free(b);
}

/* Every pool whole: its free stack holds each buffer once, none held, and all of them but the
 * ones in RX rings (RING per RX pool). */
static void check_conservation(void)
{
	for (unsigned i = 0; i < MAX_POOLS && pools[i].pool; i++) {
		struct ixy_mempool *p = pools[i].pool;
		CHECK(p->free_count + (pools[i].rx ? RING : 0) == p->count);
		uint8_t *seen = calloc(p->count, 1);
		CHECK(seen);
		for (uint32_t k = 0; k < p->free_count; k++) {
			struct ixy_buf *b = p->free_stack[k];
			CHECK(b->pool == p && b->index < p->count && !seen[b->index]);
			seen[b->index] = 1;
		}
		free(seen);
	}
}

/* ---- frames ---- */

/* An IPv4/UDP frame of flow f (RSS spreads flows over the queues), marked with seq. */
static void make_flow_frame(uint8_t *frame, uint32_t len, uint32_t f, uint32_t seq)
{
	memset(frame, 0, len);
	memset(frame, 0xFF, 6);
	frame[6] = 0x02;
	frame[11] = 0x77;
	frame[12] = 0x08; /* IPv4 */
	frame[14] = 0x45;
	frame[23] = 17; /* UDP */
	uint32_t src = 0x0A000000u + f * 7919u, dst = 0xC0A80001u + (f % 5);
	for (int i = 0; i < 4; i++) {
		frame[26 + i] = (uint8_t)(src >> (24 - 8 * i));
		frame[30 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	frame[34] = (uint8_t)(f >> 8);
	frame[35] = (uint8_t)f;
	frame[37] = 80;
	uint32_t magic = MAGIC;
	memcpy(frame + 42, &magic, 4);
	memcpy(frame + 46, &seq, 4);
	for (uint32_t i = 50; i < len; i++)
		frame[i] = (uint8_t)(seq + i);
}

static bool is_flow_frame(const uint8_t *d, uint32_t len, uint32_t *seq)
{
	uint32_t magic;
	if (len < 50)
		return false;
	memcpy(&magic, d + 42, 4);
	memcpy(seq, d + 46, 4);
	if (magic != MAGIC)
		return false;
	for (uint32_t i = 50; i < len; i++) {
		if (d[i] != (uint8_t)(*seq + i))
			return false;
	}
	return true;
}

/* ---- the port ---- */

struct rig {
	struct port p;
	struct ixy_mempool *tx_pool, *small_pool;
	struct ixy_buf *held[MAX_HELD]; /* received buffers kept for forwarding */
	uint32_t nheld;
	uint32_t seq;
};

static void rig_open(struct rig *r, struct ixgbe_bus *bus)
{
	memset(r, 0, sizeof(*r));
	memset(pools, 0, sizeof(pools));
	memset(held_set, 0, sizeof(held_set));
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 0);
	cfg.quiet = true; /* a hostile device makes the driver break ring rules; counted, not printed */
	port_try_open(&r->p, bus, &cfg,
	              &(struct ixy_options){.rx_queues = QUEUES,
	                                    .tx_queues = QUEUES,
	                                    .rx_ring_size = RING,
	                                    .tx_ring_size = RING,
	                                    .promiscuous = true});
	CHECK(r->p.dev);
	r->tx_pool = ixy_mempool_create(r->p.dev, 1024, 2048);
	r->small_pool = ixy_mempool_create(r->p.dev, 256, 128);
	CHECK(r->tx_pool && r->small_pool);
	pool_info(r->tx_pool, false);
	pool_info(r->small_pool, false);
	ixgbe_model_capture(r->p.model, true);
}

static void drop_held(struct rig *r)
{
	for (uint32_t i = 0; i < r->nheld; i++)
		give_back(r->held[i]);
	r->nheld = 0;
}

static void rig_close(struct rig *r)
{
	drop_held(r);
	ixgbe_model_step(r->p.model);
	CHECK(ixy_tx_flush(r->p.dev, 0) == 0);
	ixy_close(r->p.dev);
	ixy_mempool_destroy(r->tx_pool);
	ixy_mempool_destroy(r->small_pool);
	ixgbe_model_free(r->p.model);
	for (unsigned i = 0; i < MAX_POOLS; i++)
		free(pools[i].by_index);
}

static void inject(struct rig *r, uint32_t flow, uint32_t len, uint32_t seq)
{
	uint8_t frame[1514];
	make_flow_frame(frame, len, flow, seq);
	ixgbe_model_inject(r->p.model, frame, len);
	(void)r;
}

/* Receives on queue q; keeps some buffers for forwarding, frees the rest. Returns how many. */
static uint32_t receive(struct rig *r, uint16_t q, uint32_t n)
{
	struct ixy_buf *bufs[64];
	uint32_t got = ixy_rx_batch(r->p.dev, q, bufs, n);
	CHECK(got <= n);
	for (uint32_t i = 0; i < got; i++) {
		take(bufs[i], true);
		volatile uint8_t sum = 0;
		for (uint32_t k = 0; k < bufs[i]->len; k++)
			sum += bufs[i]->data[k]; /* the app reads what it was given */
		if (r->nheld < MAX_HELD && below(2))
			r->held[r->nheld++] = bufs[i];
		else
			give_back(bufs[i]);
	}
	return got;
}

/* A length for a TX frame: mostly fine, sometimes outside 14..capacity. */
static uint32_t tx_len(uint32_t cap)
{
	static const uint32_t bad[] = {0, 1, 13, 16384, 65536 + 60, 0xFFFFFFFFu};
	if (below(16) == 0) {
		uint32_t c = below(7);
		return c < 6 ? bad[c] : cap + 1 + below(100);
	}
	return 14 + below(cap - 14 + 1);
}

/* Sends a batch on queue q mixing forwarded RX buffers and fresh ones of both TX pools. */
static void transmit(struct rig *r, uint16_t q)
{
	struct ixy_buf *bufs[32];
	uint32_t n = 1 + below(32), m = 0, first_bad = n;
	for (; m < n; m++) {
		struct ixy_buf *b;
		uint32_t src = below(4);
		if (src == 0 && r->nheld) {
			uint32_t k = below(r->nheld);
			b = r->held[k];
			r->held[k] = r->held[--r->nheld];
		} else {
			struct ixy_mempool *pool = src == 1 ? r->small_pool : r->tx_pool;
			b = ixy_buf_alloc(pool);
			if (!b)
				break;
			take(b, false);
			b->len = tx_len(pool->buf_size);
		}
		if (b->len < 14 || b->len > b->pool->buf_size || b->len > 16383) {
			if (first_bad == n)
				first_bad = m;
		} else if (b->len >= 50) {
			make_flow_frame(b->data, b->len, m, 0); /* not MAGIC-checked: seq 0 */
		}
		bufs[m] = b;
	}
	uint32_t sent = ixy_tx_batch(r->p.dev, q, bufs, m);
	CHECK(sent <= m && sent <= first_bad);
	for (uint32_t i = 0; i < sent; i++)
		release(bufs[i]);
	for (uint32_t i = sent; i < m; i++)
		give_back(bufs[i]);
}

static void drain_capture(struct rig *r, uint32_t first_seq, uint32_t n, bool *seen)
{
	static uint8_t frame[16384];
	size_t len;
	while ((len = ixgbe_model_captured(r->p.model, frame, sizeof(frame))) != 0) {
		uint32_t seq;
		if (seen && is_flow_frame(frame, (uint32_t)len, &seq) && seq - first_seq < n)
			seen[seq - first_seq] = true;
	}
}

/* With the device well-behaved: `flows` marked frames injected all come back on the RX queues
 * within a bounded number of polls (the driver's resync included), and marked frames sent on
 * every TX queue all leave. Returns false if some did not (the caller may try once more). */
static bool frames_flow(struct rig *r)
{
	enum { FLOWS = 64, POLLS = 20000 };
	bool seen[FLOWS] = {false};
	uint32_t first = ++r->seq * FLOWS, got = 0;
	for (uint32_t f = 0; f < FLOWS; f++)
		inject(r, f, 60 + below(200), first + f);
	for (uint32_t poll = 0; poll < POLLS && got < FLOWS; poll++) {
		ixgbe_model_step(r->p.model);
		for (uint16_t q = 0; q < QUEUES; q++) {
			struct ixy_buf *bufs[64];
			uint32_t k = ixy_rx_batch(r->p.dev, q, bufs, 64);
			for (uint32_t i = 0; i < k; i++) {
				take(bufs[i], true);
				uint32_t seq;
				if (is_flow_frame(bufs[i]->data, bufs[i]->len, &seq) && seq - first < FLOWS &&
				    !seen[seq - first]) {
					seen[seq - first] = true;
					got++;
				}
				give_back(bufs[i]);
			}
		}
	}
	if (got < FLOWS)
		return false;
	/* TX: FLOWS / QUEUES marked frames on each queue, then every one on the wire. */
	bool sent[FLOWS] = {false};
	drain_capture(r, 0, 0, NULL);
	for (uint32_t f = 0; f < FLOWS; f++) {
		struct ixy_buf *b = ixy_buf_alloc(r->tx_pool);
		CHECK(b);
		b->len = 60 + f;
		make_flow_frame(b->data, b->len, f, first + f);
		uint32_t ok = 0;
		for (int tries = 0; tries < 5000 && !ok; tries++) {
			ok = ixy_tx_batch(r->p.dev, (uint16_t)(f % QUEUES), &b, 1);
			if (!ok)
				ixgbe_model_step(r->p.model);
		}
		if (!ok) {
			ixy_buf_free(b);
			return false;
		}
	}
	for (int tries = 0; tries < 5000; tries++) {
		ixgbe_model_step(r->p.model);
		if (ixy_tx_flush(r->p.dev, 0) == 0)
			break;
	}
	if (ixy_tx_flush(r->p.dev, 0) != 0)
		return false;
	drain_capture(r, first, FLOWS, sent);
	for (uint32_t f = 0; f < FLOWS; f++) {
		if (!sent[f])
			return false;
	}
	return true;
}

/* The device behaves again. First the app keeps polling with nothing arriving: long enough for
 * the driver to notice a queue out of step and resynchronise (it looks after some thousand
 * empty calls; no test constant depends on that number being exact). Then frames flow: the
 * first try may still lose the frame that ends a chain the device left open, the second must
 * deliver everything, with every pool whole and no rule of the model broken. */
static void recover(struct rig *r)
{
	ixgbe_model_set_hostile(r->p.model, 0, 0, 0);
	drop_held(r);
	for (int poll = 0; poll < 5000; poll++) {
		ixgbe_model_step(r->p.model);
		for (uint16_t q = 0; q < QUEUES; q++)
			receive(r, q, 64);
		drop_held(r);
	}
	bool ok = frames_flow(r) || frames_flow(r);
	CHECK(ok);
	ixgbe_model_clear_violations(r->p.model);
	CHECK(frames_flow(r));
	CHECK(ixgbe_model_violations(r->p.model) == 0);
	check_conservation();
}

/* ---- cases ---- */

/* Every kind of RX corruption the seed draws, frames, polls and sends in random order. */
static void test_random(struct ixgbe_bus *bus, uint64_t seed)
{
	const char *env = getenv("IXY_HOSTILE_ROUNDS");
	uint64_t rounds = env ? strtoull(env, NULL, 0) : 1000000;
	printf("random: %" PRIu64 " rounds, seed %" PRIu64 " (reproduce: IXY_HOSTILE_SEED=%" PRIu64
	       " test_hostile random)\n",
	       rounds, seed, seed);
	fflush(stdout);
	rng = seed ? seed : 1;
	struct rig r;
	rig_open(&r, bus);
	enum { EPOCH = 50000 };
	uint64_t corruptions = 0;
	struct ixy_stats st = {0};
	for (uint64_t round = 0; round < rounds; round++) {
		if (round % EPOCH == 0) {
			uint32_t kinds = (uint32_t)next_random() & IXGBE_HOSTILE_ALL;
			if (round % (2 * EPOCH) == 0)
				kinds = IXGBE_HOSTILE_ALL;
			uint32_t percent = below(3) == 0 ? 1 + below(100) : 1 + below(10);
			ixgbe_model_set_hostile(r.p.model, kinds ? kinds : IXGBE_HOSTILE_ALL, percent,
			                        next_random());
		}
		uint32_t action = below(16);
		if (action < 4) {
			for (uint32_t k = 1 + below(4); k; k--)
				inject(&r, below(256), below(4) ? 60 : 60 + below(1455), 0);
		} else if (action < 6) {
			ixgbe_model_step(r.p.model);
		} else if (action < 11) {
			receive(&r, (uint16_t)below(QUEUES), 1 + below(64));
		} else if (action < 14) {
			transmit(&r, (uint16_t)below(QUEUES));
		} else if (action == 14) {
			for (uint16_t q = 0; q < QUEUES; q++)
				receive(&r, q, 64);
		} else if (r.nheld) {
			give_back(r.held[--r.nheld]);
		}
		if ((round + 1) % EPOCH == 0 || round + 1 == rounds) {
			corruptions += ixgbe_model_hostile_count(r.p.model);
			recover(&r);
		}
	}
	ixy_read_stats(r.p.dev, &st);
	printf("random: %" PRIu64 " corrupted write-backs, rx_errors %" PRIu64 ", tx_errors %" PRIu64 "\n",
	       corruptions, st.rx_errors, st.tx_errors);
	CHECK(rounds < EPOCH || (corruptions > 0 && st.rx_errors > 0 && st.tx_errors > 0));
	rig_close(&r);
}

/* Sends n frames of random flows, polls every queue until the device has written them back;
 * returns how many the app got (each checked by take()). */
static uint32_t inject_and_receive(struct rig *r, uint32_t n)
{
	uint32_t got = 0;
	for (uint32_t i = 0; i < n; i++) {
		inject(r, i, 60 + i % 200, 0);
		ixgbe_model_step(r->p.model);
		for (uint16_t q = 0; q < QUEUES; q++) {
			struct ixy_buf *bufs[64];
			uint32_t k = ixy_rx_batch(r->p.dev, q, bufs, 64);
			for (uint32_t j = 0; j < k; j++) {
				take(bufs[j], true);
				give_back(bufs[j]);
			}
			got += k;
		}
	}
	return got;
}

/* A port whose device makes `kind` of corruption at every write-back; n frames are injected
 * and polled for. Returns the frames the app got (each checked by take()); *st: the stats. */
static uint32_t corrupted(struct rig *r, struct ixgbe_bus *bus, uint32_t kind, uint64_t seed, uint32_t n,
                          struct ixy_stats *st)
{
	rig_open(r, bus);
	ixgbe_model_set_hostile(r->p.model, kind, 100, seed);
	uint32_t got = inject_and_receive(r, n);
	ixy_read_stats(r->p.dev, st);
	return got;
}

/* Chosen and random lengths: nothing outside 14..2048 reaches the app; each is counted. */
static void test_lengths(struct ixgbe_bus *bus, uint64_t seed)
{
	struct rig r;
	struct ixy_stats st = {0};
	uint32_t got = corrupted(&r, bus, IXGBE_HOSTILE_RX_LENGTH, seed, 1000, &st);
	CHECK(ixgbe_model_hostile_count(r.p.model) == 1000);
	CHECK(st.rx_packets == 1000 && got + st.rx_errors == 1000 && st.rx_errors > 900);
	recover(&r);
	rig_close(&r);
}

/* Every error bit of the write-back refuses the frame. */
static void test_errors(struct ixgbe_bus *bus, uint64_t seed)
{
	struct rig r;
	struct ixy_stats st = {0};
	CHECK(corrupted(&r, bus, IXGBE_HOSTILE_RX_ERRORS, seed, 500, &st) == 0);
	CHECK(st.rx_errors == 500);
	recover(&r);
	rig_close(&r);
}

/* Endless and over-long chains (no EOP for up to twice the ring) are dropped in bounded work per
 * call; frames flow again after them. */
static void test_chain(struct ixgbe_bus *bus, uint64_t seed)
{
	struct rig r;
	struct ixy_stats st = {0};
	CHECK(corrupted(&r, bus, IXGBE_HOSTILE_RX_CHAIN, seed, 2000, &st) == 0);
	recover(&r);
	rig_close(&r);
}

/* TX: a frame of length outside 14..capacity (or above 16383) ends the batch before it and
 * is counted; the frames before it go out, the rest stay the caller's. */
static void test_tx_lengths(struct ixgbe_bus *bus, uint64_t seed)
{
	(void)seed;
	struct rig r;
	rig_open(&r, bus);
	struct ixy_mempool *big = ixy_mempool_create(r.p.dev, 8, 70000);
	CHECK(big);
	const struct {
		struct ixy_mempool **pool;
		uint32_t len;
	} bad[] = {{&r.tx_pool, 0},      {&r.tx_pool, 13},   {&r.tx_pool, 2049},
	           {&r.small_pool, 129}, {&r.small_pool, 0}, {NULL, 16384},
	           {NULL, 65536 + 60},   {NULL, 69999},      {&r.tx_pool, 0xFFFFFFFFu}};
	uint32_t errors = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ixy_buf *b[4];
		for (int k = 0; k < 4; k++) {
			b[k] = ixy_buf_alloc(k == 2 ? (bad[i].pool ? *bad[i].pool : big) : r.tx_pool);
			CHECK(b[k]);
			b[k]->len = 60;
			make_flow_frame(b[k]->data, 60, (uint32_t)k, 0);
		}
		b[2]->len = bad[i].len;
		CHECK(ixy_tx_batch(r.p.dev, (uint16_t)(i % QUEUES), b, 4) == 2);
		errors++;
		CHECK(ixy_tx_batch(r.p.dev, (uint16_t)(i % QUEUES), b + 2, 2) == 0);
		errors++;
		ixy_buf_free(b[2]);
		CHECK(ixy_tx_batch(r.p.dev, (uint16_t)(i % QUEUES), b + 3, 1) == 1);
	}
	/* The largest frames of each pool are fine. */
	struct ixy_buf *edge[2] = {ixy_buf_alloc(r.small_pool), ixy_buf_alloc(r.tx_pool)};
	edge[0]->len = 128;
	edge[1]->len = 14;
	CHECK(ixy_tx_batch(r.p.dev, 0, edge, 2) == 2);
	struct ixy_stats st = {0};
	ixgbe_model_step(r.p.model);
	ixy_read_stats(r.p.dev, &st);
	CHECK(st.tx_errors == errors && st.tx_packets == 3 * sizeof(bad) / sizeof(bad[0]) + 2);
	CHECK(ixgbe_model_violations(r.p.model) == 0);
	CHECK(ixy_tx_flush(r.p.dev, 0) == 0);
	CHECK(big->free_count == big->count);
	ixy_mempool_destroy(big);
	rig_close(&r);
}

/* DD on the one descriptor the NIC does not own (the one RDT points at) is not taken, even by a
 * call asking for more frames than the NIC owns descriptors. */
static void test_unposted(struct ixgbe_bus *bus, uint64_t seed)
{
	(void)seed;
	struct rig r;
	rig_open(&r, bus);
	/* The queue flow 0 goes to. */
	inject(&r, 0, 60, 0);
	ixgbe_model_step(r.p.model);
	int qn = -1;
	for (uint16_t q = 0; q < QUEUES; q++) {
		if (receive(&r, q, 64))
			qn = q;
	}
	drop_held(&r);
	CHECK(qn >= 0);
	for (uint32_t i = 0; i < RING - 1; i++) {
		inject(&r, 0, 60, i);
		ixgbe_model_step(r.p.model);
	}
	uint32_t base = 0x01000 + 0x40 * (uint32_t)qn; /* RDBAL, RDBAH, RDH, RDT (DS 8.2.3.8) */
	uint64_t bus_addr =
	    ixgbe_model_peek32(r.p.model, base) | (uint64_t)ixgbe_model_peek32(r.p.model, base + 4) << 32;
	uint32_t rdt = ixgbe_model_peek32(r.p.model, base + 0x18);
	CHECK(ixgbe_model_peek32(r.p.model, base + 0x10) == rdt); /* the NIC filled all it owns */
	uint8_t *ring = ixgbe_bus_translate(bus, bus_addr, RING * 16);
	CHECK(ring);
	uint32_t status = 3; /* DD | EOP */
	uint16_t len = 60;
	memcpy(ring + 16 * rdt + 12, &len, 2);
	memcpy(ring + 16 * rdt + 8, &status, 4);
	CHECK(receive(&r, (uint16_t)qn, 64) == RING - 1);
	recover(&r);
	rig_close(&r);
}

/* A batch whose DD the NIC left out comes back with the next batch's DD (DS 7.2.3.5: a DD covers
 * every descriptor before it), without waiting for a resync; ixy_tx_batch() with nothing to
 * send reclaims (an app whose pool ran dry). */
static void test_tx_missing(struct ixgbe_bus *bus, uint64_t seed)
{
	struct rig r;
	rig_open(&r, bus);
	for (int batch = 0; batch < 2; batch++) {
		ixgbe_model_set_hostile(r.p.model, batch == 0 ? IXGBE_HOSTILE_TX_MISSING : 0, 100, seed);
		struct ixy_buf *b[8];
		CHECK(ixy_buf_alloc_batch(r.tx_pool, b, 8) == 8);
		for (int k = 0; k < 8; k++) {
			b[k]->len = 60;
			make_flow_frame(b[k]->data, 60, (uint32_t)k, 0);
		}
		CHECK(ixy_tx_batch(r.p.dev, 0, b, 8) == 8);
		ixgbe_model_step(r.p.model);
		if (batch == 0)
			CHECK(ixy_tx_flush(r.p.dev, 0) == -1); /* reclaims what is done */
		else
			CHECK(ixy_tx_batch(r.p.dev, 0, b, 0) == 0); /* nothing to send: reclaims too */
		CHECK(r.tx_pool->free_count == r.tx_pool->count - (batch == 0 ? 8 : 0));
	}
	struct ixy_stats st = {0};
	ixy_read_stats(r.p.dev, &st);
	CHECK(st.tx_packets == 16 && st.tx_errors == 0);
	rig_close(&r);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(struct ixgbe_bus *, uint64_t);
	} cases[] = {{"lengths", test_lengths},   {"errors", test_errors},
	             {"chain", test_chain},       {"tx_lengths", test_tx_lengths},
	             {"unposted", test_unposted}, {"tx_missing", test_tx_missing},
	             {"random", test_random}};
	setenv("IXY_QUIET", "1", 1);
	const char *env = getenv("IXY_HOSTILE_SEED");
	uint64_t seed = argc >= 3 ? strtoull(argv[2], NULL, 0)
	                : env     ? strtoull(env, NULL, 0)
	                          : (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (argc >= 2 && strcmp(argv[1], cases[i].name) != 0)
			continue;
		struct ixgbe_bus *bus = ixgbe_bus_new();
		CHECK(bus);
		cases[i].fn(bus, seed);
		ixgbe_bus_free(bus);
		printf("%s: ok (seed %" PRIu64 ")\n", cases[i].name, seed);
		if (argc >= 2)
			return 0;
	}
	if (argc >= 2) {
		fprintf(stderr, "unknown case %s\n", argv[1]);
		return 2;
	}
	return 0;
}
