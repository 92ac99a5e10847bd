/* The virtio driver against the fake device (fake_virtio.c): modern with split and with packed
 * virtqueues, and legacy:
 *   1. a well-behaved device: init, MAC, link, frames both ways byte for byte, statistics;
 *      the features it accepts (ACCESS_PLATFORM whenever offered) and the queue sizes it picks;
 *   2. each used-ring corruption on its own, with the exact error count it must give;
 *   3. randomized rounds of corrupt used entries (seeded; `test_virtio_fake [rounds [seed]]`):
 *      every delivered buffer in bounds and owned by the application once, the pool's buffer
 *      count conserved, and frames flow again once the device behaves.
 * Run under ASan+UBSan in the sanitizer build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "fake_virtio.h"
#include "ixy/ixy.h"
#include "virtio.h"

#define QSIZE 256
#define MAX_HELD 300

struct rig {
	struct fake_virtio *fake;
	struct ixy_hw_ops ops;
	struct ixy_device *dev;
	struct ixy_mempool *pool; /* the driver's RX pool (every delivered buffer's) */
	uint8_t *owned;           /* per pool index: held by the test */
	uint32_t held;
	uint64_t rx_errors, tx_errors; /* as ixy_read_queue_stats() reported them */
};

/* The three ways the driver meets a device: modern with split or packed rings, legacy. */
enum mode { SPLIT, PACKED, LEGACY };
static const char *const mode_names[] = {"modern split", "modern packed", "legacy"};

static void rig_open(struct rig *r, enum mode m)
{
	memset(r, 0, sizeof(*r));
	r->fake = fake_virtio_new(QSIZE, m == LEGACY ? FAKE_LEGACY : FAKE_MODERN_PACKED, NULL);
	CHECK(r->fake);
	fake_virtio_hw_ops(r->fake, &r->ops, mode_names[m]);
	struct ixy_options o = {.rx_ring_size = QSIZE,
	                        .tx_ring_size = QSIZE,
	                        .link_timeout_ms = 1,
	                        .virtio_ring = m == PACKED ? "packed" : "split"};
	r->dev = ixy_open_hw(&r->ops, &o);
	CHECK(r->dev);
	CHECK(strcmp(ixy_driver_name(r->dev), "virtio") == 0);
	CHECK(fake_virtio_violations(r->fake) == 0);
}

static void rig_close(struct rig *r)
{
	ixy_close(r->dev);
	CHECK(fake_virtio_violations(r->fake) == 0);
	fake_virtio_free(r->fake);
	free(r->owned);
}

static void errors(struct rig *r, uint64_t *rx, uint64_t *tx)
{
	virtio_error_counts(r->dev, rx, tx);
	/* The public counters say the same (each call reports what is new). */
	struct ixy_queue_stats qrx = {0}, qtx = {0};
	ixy_read_queue_stats(r->dev, &qrx, &qtx);
	r->rx_errors += qrx.errors;
	r->tx_errors += qtx.errors;
	CHECK(r->rx_errors == *rx && r->tx_errors == *tx);
}

static void frame(uint8_t *f, uint32_t len, uint32_t seq)
{
	for (uint32_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seq * 31 + i);
}

/* Receives up to n, checking bounds and ownership; keeps them held. Returns the count. */
static uint32_t rx(struct rig *r, struct ixy_buf **out, uint32_t n)
{
	uint32_t got = ixy_rx_batch(r->dev, 0, out, n);
	for (uint32_t i = 0; i < got; i++) {
		struct ixy_buf *b = out[i];
		if (!r->pool) {
			r->pool = b->pool;
			r->owned = calloc(r->pool->count, 1);
			CHECK(r->owned);
		}
		CHECK(b->pool == r->pool && b->index < r->pool->count);
		CHECK(b->len >= 14 && b->len <= r->pool->buf_size);
		CHECK(!r->owned[b->index]); /* never handed out twice */
		r->owned[b->index] = 1;
		r->held++;
	}
	return got;
}

static void release(struct rig *r, struct ixy_buf *b)
{
	r->owned[b->index] = 0;
	r->held--;
	ixy_buf_free(b);
}

/* ---- 1. well-behaved ---- */

static void test_good(enum mode m)
{
	struct rig r;
	rig_open(&r, m);
	uint8_t mac[6];
	ixy_get_mac(r.dev, mac);
	CHECK(memcmp(mac, (uint8_t[]){0x52, 0x54, 0x00, 0xfa, 0xce, 0x01}, 6) == 0);
	CHECK(ixy_link_speed(r.dev) == 1000);
	ixy_set_promiscuous(r.dev, true);
	const uint8_t new_mac[6] = {0x02, 1, 2, 3, 4, 5};
	ixy_set_mac(r.dev, new_mac);
	ixy_get_mac(r.dev, mac);
	CHECK(memcmp(mac, new_mac, 6) == 0);

	uint8_t f[1514];
	uint64_t rx_bytes = 0, tx_bytes = 0, dev_tx_bytes = 0;
	for (uint32_t seq = 0; seq < 3000; seq++) {
		uint32_t len = 14 + seq * 7 % 1501;
		frame(f, len, seq);
		CHECK(fake_virtio_rx(r.fake, f, len));
		struct ixy_buf *b;
		CHECK(rx(&r, &b, 1) == 1);
		CHECK(b->len == len && memcmp(b->data, f, len) == 0);
		rx_bytes += len;
		/* Send it back out: the device must see the same bytes. */
		CHECK(ixy_tx_batch(r.dev, 0, &b, 1) == 1);
		r.owned[b->index] = 0;
		r.held--;
		tx_bytes += len;
		CHECK(fake_virtio_tx(r.fake, &dev_tx_bytes) == 1);
	}
	CHECK(ixy_tx_flush(r.dev, 1000) == 0);
	struct ixy_stats s = {0};
	ixy_read_stats(r.dev, &s);
	CHECK(s.rx_packets == 3000 && s.rx_bytes == rx_bytes && s.tx_packets == 3000 &&
	      s.tx_bytes == tx_bytes);
	CHECK(dev_tx_bytes == tx_bytes && s.rx_dropped == 0);
	uint64_t re, te;
	errors(&r, &re, &te);
	CHECK(re == 0 && te == 0);
	rig_close(&r);
}

/* ---- 1b. what the driver negotiates, and the queue sizes it picks ---- */

static void test_negotiation(void)
{
	const struct {
		enum fake_interface kind;
		const char *ring;
		uint16_t want, qmax, got; /* got 0: refused */
	} cases[] = {
	    {FAKE_MODERN, "split", 256, 1024, 256},         /* ours, below the maximum (4.1.4.3) */
	    {FAKE_MODERN, "split", 2048, 1024, 1024},       /* capped at the maximum */
	    {FAKE_MODERN_PACKED, "packed", 200, 1024, 200}, /* packed: any size (2.7) */
	    {FAKE_MODERN, "split", 200, 1024, 0},           /* split: a power of two (2.6) */
	    {FAKE_LEGACY, "split", 256, 512, 512},          /* legacy: the device's size */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_virtio *f = fake_virtio_new(cases[i].qmax, cases[i].kind, NULL);
		CHECK(f);
		struct ixy_hw_ops ops;
		fake_virtio_hw_ops(f, &ops, "sizes");
		struct ixy_options o = {.rx_ring_size = cases[i].want,
		                        .tx_ring_size = cases[i].want,
		                        .link_timeout_ms = 1,
		                        .virtio_ring = cases[i].ring};
		struct ixy_device *dev = ixy_open_hw(&ops, &o);
		if (!cases[i].got) {
			CHECK(!dev && strstr(ixy_last_error(), "power of two"));
			fake_virtio_free(f);
			continue;
		}
		CHECK(dev);
		uint64_t feat = fake_virtio_driver_features(f);
		if (cases[i].kind != FAKE_LEGACY) /* ACCESS_PLATFORM accepted whenever offered (6.1) */
			CHECK((feat & VIO_F_VERSION_1) && (feat & VIO_F_ACCESS_PLATFORM));
		CHECK(!(feat & VIO_F_RING_PACKED) == (cases[i].kind != FAKE_MODERN_PACKED));
		struct virtio_dev *v = dev->driver;
		CHECK(v->transport ==
		      (cases[i].kind == FAKE_LEGACY ? &vio_legacy_transport : &vio_modern_transport));
		CHECK(fake_virtio_queue_size(f, 0) == cases[i].got && v->rx.size == cases[i].got);
		CHECK(fake_virtio_queue_size(f, 1) == cases[i].got && v->tx.size == cases[i].got);
		CHECK(fake_virtio_violations(f) == 0);
		ixy_close(dev);
		fake_virtio_free(f);
	}
	/* A transitional id (1af4:1000) with the capabilities: its modern interface (4.1.2). */
	struct fake_virtio *f = fake_virtio_new(QSIZE, FAKE_MODERN, NULL);
	CHECK(f);
	struct ixy_hw_ops ops;
	fake_virtio_hw_ops(f, &ops, "transitional");
	ops.device_id = 0x1000;
	struct ixy_device *dev = ixy_open_hw(&ops, &(struct ixy_options){.link_timeout_ms = 1});
	CHECK(dev && ((struct virtio_dev *)dev->driver)->transport == &vio_modern_transport);
	CHECK(fake_virtio_violations(f) == 0);
	ixy_close(dev);
	fake_virtio_free(f);
}

/* ---- 2. one corruption at a time ---- */

static void inject(struct rig *r, enum fake_corruption c, uint32_t seq)
{
	uint8_t f[100];
	frame(f, sizeof(f), seq);
	fake_virtio_corrupt(r->fake, c);
	CHECK(fake_virtio_rx(r->fake, f, sizeof(f)));
}

static void drain_all(struct rig *r)
{
	struct ixy_buf *b[64];
	uint32_t n;
	while ((n = rx(r, b, 64)))
		for (uint32_t i = 0; i < n; i++)
			release(r, b[i]);
}

static void test_each(enum mode m)
{
	bool packed = m == PACKED;
	struct rig r;
	rig_open(&r, m);
	struct ixy_buf *b[64];
	uint64_t re, te, re0;
	/* Bad lengths: dropped, counted, the buffer re-armed. A bad id last: the device still owes
	 * that buffer and returns it with the next frame (split); a packed device needs a slot for
	 * that, so from then on it always owes one (`owed`). */
	const enum fake_corruption dropped[] = {FAKE_LEN_ZERO, FAKE_LEN_SHORT, FAKE_LEN_LONG, FAKE_LEN_MAX,
	                                        FAKE_ID_RANGE};
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
		errors(&r, &re0, &te);
		inject(&r, dropped[i], (uint32_t)i);
		CHECK(rx(&r, b, 64) == 0); /* nothing delivered */
		errors(&r, &re, &te);
		CHECK(re == re0 + 1);     /* counted once */
		inject(&r, FAKE_OK, 100); /* the next frame (and an owed return) flows */
		uint32_t n = rx(&r, b, 64);
		CHECK(n == (dropped[i] == FAKE_ID_RANGE ? 2u : 1u));
		for (uint32_t k = 0; k < n; k++)
			release(&r, b[k]);
	}
	uint32_t owed = packed ? 1 : 0;
	/* A replayed id in one batch: the second entry names a buffer already taken. */
	errors(&r, &re0, &te);
	inject(&r, FAKE_OK, 1);
	inject(&r, FAKE_ID_REPLAY, 2);
	uint32_t n = rx(&r, b, 64);
	CHECK(n == 1 + 2 * owed);
	errors(&r, &re, &te);
	CHECK(re == re0 + 1);
	for (uint32_t k = 0; k < n; k++)
		release(&r, b[k]);
	inject(&r, FAKE_OK, 3);
	drain_all(&r);
	if (!packed) {
		/* An index far beyond the ring: refused, counted once however often it is polled. */
		errors(&r, &re0, &te);
		inject(&r, FAKE_IDX_JUMP, 4);
		CHECK(rx(&r, b, 64) == 0 && rx(&r, b, 64) == 0);
		errors(&r, &re, &te);
		CHECK(re == re0 + 1);
		inject(&r, FAKE_OK, 5); /* index sane again: both frames arrive */
		CHECK(rx(&r, b, 64) == 2);
		release(&r, b[0]);
		release(&r, b[1]);
	} else {
		/* Used flags on a TX slot never made available: not read. */
		struct ixy_buf *t[3];
		CHECK(ixy_buf_alloc_batch(r.pool, t, 3) == 3);
		for (int i = 0; i < 3; i++)
			t[i]->len = 60;
		CHECK(ixy_tx_batch(r.dev, 0, t, 3) == 3);
		uint64_t bytes = 0;
		fake_virtio_corrupt(r.fake, FAKE_FLAGS_AHEAD);
		CHECK(fake_virtio_tx(r.fake, &bytes) == 3);
		CHECK(ixy_tx_flush(r.dev, 100) == 0);
		errors(&r, &re, &te);
		CHECK(te == 0);
		struct ixy_stats s = {0};
		ixy_read_stats(r.dev, &s);
		CHECK(s.tx_packets == 3);
	}
	/* TX: a completion with a bad id is refused and counted; the real one comes later. */
	struct ixy_buf *t;
	CHECK((t = ixy_buf_alloc(r.pool)));
	t->len = 60;
	CHECK(ixy_tx_batch(r.dev, 0, &t, 1) == 1);
	uint64_t bytes = 0;
	fake_virtio_corrupt(r.fake, FAKE_ID_RANGE);
	fake_virtio_tx(r.fake, &bytes);
	CHECK(ixy_tx_flush(r.dev, 10) < 0);
	errors(&r, &re, &te);
	CHECK(te == 1);
	if (!packed) {
		fake_virtio_tx(r.fake, &bytes); /* pays what it owes */
		CHECK(ixy_tx_flush(r.dev, 100) == 0);
	} /* packed: the owed return needs a slot the driver makes available: it stays owed */
	/* TX of a frame shorter than 14 bytes or longer than its buffer: refused, counted. */
	CHECK((t = ixy_buf_alloc(r.pool)));
	t->len = 13;
	CHECK(ixy_tx_batch(r.dev, 0, &t, 1) == 0);
	t->len = r.pool->buf_size + 1;
	CHECK(ixy_tx_batch(r.dev, 0, &t, 1) == 0);
	errors(&r, &re, &te);
	CHECK(te == 3);
	ixy_buf_free(t);
	CHECK(r.held == 0);
	rig_close(&r);
}

/* ---- 2b. devices that cannot be driven: refused with the reason, reset, nothing leaked ---- */

static void test_broken(void)
{
	const struct {
		enum fake_break b;
		const char *says;
	} cases[] = {
	    {FAKE_BREAK_FEATURES_OK, "did not accept the features"},
	    {FAKE_BREAK_NO_VERSION_1, "VIRTIO_F_VERSION_1"},
	    {FAKE_BREAK_NO_CAPS, "no virtio capabilities"},
	    {FAKE_BREAK_CAP_LOOP, "capability list is malformed"},
	    {FAKE_BREAK_NOTIFY_OFF, "notification structure"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_virtio *f = fake_virtio_new(QSIZE, FAKE_MODERN, NULL);
		CHECK(f);
		fake_virtio_break(f, cases[i].b);
		struct ixy_hw_ops ops;
		fake_virtio_hw_ops(f, &ops, "broken");
		struct ixy_options o = {.link_timeout_ms = 1};
		CHECK(ixy_open_hw(&ops, &o) == NULL);
		if (!strstr(ixy_last_error(), cases[i].says)) {
			fprintf(stderr, "case %zu: '%s' does not say '%s'\n", i, ixy_last_error(),
			        cases[i].says);
			exit(1);
		}
		CHECK(fake_virtio_status(f) == 0); /* left reset (or never started) */
		fake_virtio_free(f);
	}
	/* A ring option that is neither split nor packed: refused before the device is touched. */
	struct fake_virtio *f = fake_virtio_new(QSIZE, FAKE_MODERN, NULL);
	struct ixy_hw_ops ops;
	fake_virtio_hw_ops(f, &ops, "fake");
	struct ixy_options o = {.link_timeout_ms = 1, .virtio_ring = "ring"};
	CHECK(ixy_open_hw(&ops, &o) == NULL && strstr(ixy_last_error(), "\"split\" or \"packed\""));
	fake_virtio_free(f);
}

/* ---- 3. randomized ---- */

static uint32_t xs(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_random(enum mode m, uint32_t rounds, uint32_t seed)
{
	bool packed = m == PACKED;
	struct rig r;
	rig_open(&r, m);
	uint32_t s = seed ? seed : 1;
	struct ixy_buf *held[MAX_HELD + 64];
	uint32_t nheld = 0, id_corruptions = 0, tx_id_corruptions = 0;
	uint8_t f[1514];
	uint64_t bytes = 0;
	const enum fake_corruption rx_kinds[] = {FAKE_ID_RANGE,  FAKE_ID_REPLAY,  FAKE_LEN_ZERO,
	                                         FAKE_LEN_SHORT, FAKE_LEN_LONG,   FAKE_LEN_MAX,
	                                         FAKE_IDX_JUMP,  FAKE_FLAGS_AHEAD};
	inject(&r, FAKE_OK, 0); /* learn the pool */
	drain_all(&r);
	for (uint32_t round = 0; round < rounds; round++) {
		uint32_t k = 1 + xs(&s) % 8;
		for (uint32_t i = 0; i < k; i++) {
			enum fake_corruption c = FAKE_OK;
			if (xs(&s) % 4 == 0) {
				c = rx_kinds[xs(&s) % (sizeof(rx_kinds) / sizeof(rx_kinds[0]))];
				/* A packed ring loses a slot per bad id until reset (README): keep most. */
				if ((c == FAKE_ID_RANGE || c == FAKE_ID_REPLAY) && packed &&
				    id_corruptions >= QSIZE / 4)
					c = FAKE_OK;
				id_corruptions += c == FAKE_ID_RANGE || c == FAKE_ID_REPLAY;
			}
			uint32_t len = 14 + xs(&s) % 1501;
			frame(f, len, round);
			fake_virtio_corrupt(r.fake, c);
			fake_virtio_rx(r.fake, f, len);
		}
		uint32_t n = rx(&r, held + nheld, 1 + xs(&s) % 64);
		nheld += n;
		/* Give back a random share; send some of the rest out (with corrupt completions). */
		while (nheld > MAX_HELD || (nheld && xs(&s) % 2)) {
			struct ixy_buf *b = held[--nheld];
			if (xs(&s) % 3 == 0) {
				b->len = 60;
				r.owned[b->index] = 0;
				r.held--;
				if (ixy_tx_batch(r.dev, 0, &b, 1) == 0)
					ixy_buf_free(b);
			} else {
				release(&r, b);
			}
		}
		/* Missing completions (a bad id: the real one comes later), early ones (the id of a
		 * buffer already completed), an impossible index, used flags on unposted slots. */
		const enum fake_corruption tx_kinds[] = {FAKE_OK,        FAKE_OK,       FAKE_ID_RANGE,
		                                         FAKE_ID_REPLAY, FAKE_IDX_JUMP, FAKE_FLAGS_AHEAD};
		enum fake_corruption c = tx_kinds[xs(&s) % 6];
		bool bad_id = c == FAKE_ID_RANGE || c == FAKE_ID_REPLAY;
		if (bad_id && packed && tx_id_corruptions >= QSIZE / 4)
			c = FAKE_OK;
		tx_id_corruptions += bad_id;
		fake_virtio_corrupt(r.fake, c);
		fake_virtio_tx(r.fake, &bytes);
	}
	while (nheld)
		release(&r, held[--nheld]);
	uint64_t re, te;
	errors(&r, &re, &te);
	CHECK(re > 0 && te > 0);
	/* Well-behaved again: every frame arrives. */
	fake_virtio_tx(r.fake, &bytes);
	drain_all(&r);
	for (uint32_t seq = 0; seq < 2000; seq++) {
		uint32_t len = 60 + seq % 1400;
		frame(f, len, seq);
		CHECK(fake_virtio_rx(r.fake, f, len));
		struct ixy_buf *b[QSIZE];
		uint32_t n = rx(&r, b, QSIZE), found = 0; /* owed returns come first */
		for (uint32_t i = 0; i < n; i++)
			found += b[i]->len == len && memcmp(b[i]->data, f, len) == 0;
		CHECK(found == 1);
		for (uint32_t i = 0; i < n; i++)
			release(&r, b[i]);
	}
	fake_virtio_tx(r.fake, &bytes);
	struct virtio_dev *v = r.dev->driver;
	CHECK(packed || ixy_tx_flush(r.dev, 100) == 0);
	/* Conservation: every buffer is in the pool, behind an RX descriptor, or owed on TX. */
	CHECK(r.held == 0);
	CHECK(r.pool->free_count + QSIZE + (uint32_t)(v->tx.size - v->tx.free_count) == r.pool->count);
	printf("virtio %s: %u random rounds (seed %u): %llu RX / %llu TX used entries refused\n",
	       mode_names[m], rounds, seed, (unsigned long long)re, (unsigned long long)te);
	rig_close(&r);
}

int main(int argc, char **argv)
{
	uint32_t rounds = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 200000;
	uint32_t seed = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : (uint32_t)time(NULL);
	printf("seed %u (run again with: test_virtio_fake %u %u)\n", seed, rounds, seed);
	test_broken();
	test_negotiation();
	for (enum mode m = SPLIT; m <= LEGACY; m++) {
		test_good(m);
		test_each(m);
		test_random(m, rounds, seed);
	}
	printf("virtio fake device: ok\n");
	return 0;
}
