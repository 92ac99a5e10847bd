/* Per-queue statistics and RSS over IPv4 and IPv6, the ixgbe driver against the virtual 82599 in
 * step mode. usage: test_queues <case>; every case fails on any model violation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "harness.h"
#include "ixgbe_regs.h"

/* The key of the published RSS verification vectors (Microsoft, "Verifying the RSS Hash
 * Calculation"). */
static const uint8_t ms_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                   0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                   0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                   0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

/* Sends the flow's frame into the port's wire and returns the RX queue it arrived on. */
static int arrival_queue(struct port *p, const struct flow *fl, uint32_t seq)
{
	uint8_t f[128];
	flow_frame(f, sizeof(f), fl, seq);
	CHECK(ixgbe_model_inject(p->model, f, sizeof(f)));
	ixgbe_model_step(p->model);
	int found = -1;
	for (uint16_t q = 0; q < ixy_rx_queue_count(p->dev); q++) {
		struct ixy_buf *bufs[4];
		uint32_t got = ixy_rx_batch(p->dev, q, bufs, 4);
		CHECK(got <= 1 && (got == 0 || found < 0));
		if (got) {
			CHECK(bufs[0]->len == sizeof(f) && memcmp(bufs[0]->data, f, sizeof(f)) == 0);
			ixy_buf_free(bufs[0]);
			found = q;
		}
	}
	CHECK(found >= 0);
	return found;
}

static void set_ipv6(uint8_t a[16], const char *hex)
{
	for (int i = 0; i < 16; i++) {
		unsigned v;
		CHECK(sscanf(hex + 2 * i, "%2x", &v) == 1);
		a[i] = (uint8_t)v;
	}
}

/* The published vectors: the model's Toeplitz gives their hashes (7 bits seen through RETA). */
static void test_rss_vectors(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, &(struct ixy_options){.rx_queues = 16});
	struct flow v[4] = {
	    {.ipv6 = 0, .src = {66, 9, 149, 187}, .dst = {161, 142, 100, 80}, .sport = 2794, .dport = 1766},
	    {.ipv6 = 1, .sport = 2794, .dport = 1766},
	    {.ipv6 = 1, .sport = 14230, .dport = 4739},
	    {.ipv6 = 1, .sport = 44251, .dport = 38024}};
	set_ipv6(v[1].src, "3ffe250102001fff0000000000000007");
	set_ipv6(v[1].dst, "3ffe2501020000030000000000000001");
	set_ipv6(v[2].src, "3ffe050100080000026097fffe40efab");
	set_ipv6(v[2].dst, "ff020000000000000000000000000001");
	set_ipv6(v[3].src, "3ffe1900454500030200f8fffe2167cf");
	set_ipv6(v[3].dst, "fe800000000000000200f8fffe2167cf");
	/* The published hashes: addresses only, then with the ports. */
	static const uint32_t want[4][2] = {{0x323e8fc2, 0x51ccc178},
	                                    {0x2cc18cd5, 0x40207d3d},
	                                    {0x0f0c461c, 0xdde51bbf},
	                                    {0x4b61e985, 0x02d1feef}};
	for (int i = 0; i < 4; i++) /* the test's own hash first */
		CHECK(flow_hash(&v[i], 0, ms_key) == want[i][0] && flow_hash(&v[i], 1, ms_key) == want[i][1]);
	for (int i = 0; i < 10; i++)
		reg_write(p.dev, IXGBE_RSSRK(i),
		          (uint32_t)ms_key[4 * i] | (uint32_t)ms_key[4 * i + 1] << 8 |
		              (uint32_t)ms_key[4 * i + 2] << 16 | (uint32_t)ms_key[4 * i + 3] << 24);
	/* Two RETA layouts show hash bits 3:0 and then 6:3. */
	for (int layout = 0; layout < 2; layout++) {
		for (uint32_t r = 0; r < 32; r++) {
			uint32_t entries = 0;
			for (uint32_t k = 0; k < 4; k++) {
				uint32_t e = 4 * r + k;
				entries |= (layout ? e >> 3 : e & 0xF) << (8 * k);
			}
			reg_write(p.dev, IXGBE_RETA(r), entries);
		}
		for (int i = 0; i < 4; i++) {
			for (int kind = 0; kind < 3; kind++) {
				v[i].proto = kind == 0 ? 6 : kind == 1 ? 17 : (v[i].ipv6 ? 58 : 1);
				uint32_t h = want[i][kind < 2];
				int q = arrival_queue(&p, &v[i], (uint32_t)(10 * i + kind));
				CHECK((uint32_t)q == (layout ? (h & 0x7F) >> 3 : h & 0xF));
			}
		}
	}
	port_close(&p);
}

/* IPv6 flows under the driver's settings: the queue is RETA[hash & 0x7F] for the driver's key
 * and RETA, both directions of a flow land together, every queue gets a share. */
static void test_rss_ipv6(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, &(struct ixy_options){.rx_queues = 4});
	uint8_t key[40];
	for (int i = 0; i < 40; i++)
		key[i] = (uint8_t)(reg_read(p.dev, IXGBE_RSSRK(i / 4)) >> (8 * (i % 4)));
	uint32_t per_queue[4] = {0};
	for (uint32_t n = 0; n < 300; n++) {
		struct flow fl = {.ipv6 = 1, .proto = n % 3 == 0 ? 6 : n % 3 == 1 ? 17 : 58};
		for (int i = 0; i < 16; i++) {
			fl.src[i] = (uint8_t)next_rand();
			fl.dst[i] = (uint8_t)next_rand();
		}
		fl.sport = (uint16_t)next_rand();
		fl.dport = (uint16_t)next_rand();
		uint32_t entry = flow_hash(&fl, fl.proto != 58, key) & 0x7F;
		uint32_t want = (reg_read(p.dev, IXGBE_RETA(entry / 4)) >> (8 * (entry % 4))) & 0xF;
		int q = arrival_queue(&p, &fl, n);
		CHECK((uint32_t)q == want);
		per_queue[q]++;
		struct flow back = fl;
		memcpy(back.src, fl.dst, 16);
		memcpy(back.dst, fl.src, 16);
		back.sport = fl.dport;
		back.dport = fl.sport;
		CHECK(arrival_queue(&p, &back, n) == q);
	}
	for (int q = 0; q < 4; q++)
		CHECK(per_queue[q] > 300 / 4 / 2);
	port_close(&p);
}

/* Per-queue statistics equal what each queue sent and received; ixy_read_stats() still sees
 * everything; drops and dropped chains land on their queue. */
static void test_queue_stats(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, &(struct ixy_options){.rx_queues = 4, .tx_queues = 4, .rx_ring_size = 64});
	ixgbe_model_set_loopback(p.model, true);
	struct ixy_mempool *pool = ixy_mempool_create(p.dev, 1024, 0);
	CHECK(pool);
	uint64_t tx_pk[4] = {0}, tx_by[4] = {0}, rx_pk[4] = {0}, rx_by[4] = {0}, total = 0;
	for (uint32_t round = 0; round < 20; round++) {
		for (uint16_t t = 0; t < 4; t++) {
			struct ixy_buf *bufs[8];
			uint32_t n = 1 + (round + t) % 8;
			CHECK(ixy_buf_alloc_batch(pool, bufs, n) == n);
			for (uint32_t i = 0; i < n; i++) {
				struct flow fl = {.ipv6 = (int)(i & 1),
				                  .proto = i % 3 ? 17 : 6,
				                  .sport = (uint16_t)next_rand(),
				                  .dport = 80};
				for (int k = 0; k < 16; k++)
					fl.src[k] = (uint8_t)next_rand();
				uint32_t len = 80 + next_rand() % 1400;
				flow_frame(bufs[i]->data, len, &fl, (uint32_t)total);
				bufs[i]->len = len;
				tx_pk[t]++;
				tx_by[t] += len;
				total++;
			}
			CHECK(ixy_tx_batch(p.dev, t, bufs, n) == n);
		}
		ixgbe_model_step(p.model);
		for (uint16_t q = 0; q < 4; q++) {
			struct ixy_buf *bufs[64];
			uint32_t got = ixy_rx_batch(p.dev, q, bufs, 64);
			for (uint32_t i = 0; i < got; i++) {
				rx_pk[q]++;
				rx_by[q] += bufs[i]->len;
				ixy_buf_free(bufs[i]);
			}
		}
	}
	ixgbe_model_step(p.model);
	CHECK(ixy_tx_flush(p.dev, 100) == 0);
	struct ixy_queue_stats rx[4] = {0}, tx[4] = {0};
	ixy_read_queue_stats(p.dev, rx, tx);
	uint64_t rx_sum = 0;
	for (int q = 0; q < 4; q++) {
		CHECK(tx[q].packets == tx_pk[q] && tx[q].bytes == tx_by[q] && tx[q].dropped == 0 &&
		      tx[q].errors == 0);
		CHECK(rx[q].packets == rx_pk[q] && rx[q].bytes == rx_by[q] && rx[q].dropped == 0 &&
		      rx[q].errors == 0);
		CHECK(rx_pk[q] > 0); /* the flows spread */
		rx_sum += rx_pk[q];
	}
	CHECK(rx_sum == total);
	/* The device view is independent: it still sees every frame. */
	struct ixy_stats st = {0};
	ixy_read_stats(p.dev, &st);
	CHECK(st.rx_packets == total && st.tx_packets == total && st.rx_dropped == 0);
	/* Counts since the last call: nothing new. */
	struct ixy_queue_stats rx2[4] = {0}, tx2[4] = {0};
	ixy_read_queue_stats(p.dev, rx2, NULL);
	ixy_read_queue_stats(p.dev, NULL, tx2);
	for (int q = 0; q < 4; q++)
		CHECK(rx2[q].packets == 0 && tx2[q].packets == 0 && rx2[q].bytes == 0);

	/* 100 frames of one flow while nobody receives: its queue takes 63 (ring of 64), drops 37. */
	struct flow one = {.proto = 17, .src = {10, 0, 0, 1}, .dst = {10, 0, 0, 2}, .sport = 1, .dport = 2};
	int k = arrival_queue(&p, &one, 0);
	uint8_t f[128];
	flow_frame(f, sizeof(f), &one, 1);
	for (int i = 0; i < 100; i++)
		CHECK(ixgbe_model_inject(p.model, f, sizeof(f)));
	ixgbe_model_step(p.model);
	uint32_t got = 0;
	for (;;) {
		struct ixy_buf *bufs[64];
		uint32_t n = ixy_rx_batch(p.dev, (uint16_t)k, bufs, 64);
		if (n == 0)
			break;
		for (uint32_t i = 0; i < n; i++)
			ixy_buf_free(bufs[i]);
		got += n;
	}
	CHECK(got == 63);
	memset(rx, 0, sizeof(rx));
	ixy_read_queue_stats(p.dev, rx, NULL);
	for (int q = 0; q < 4; q++) {
		CHECK(rx[q].dropped == (q == k ? 100u - 63u : 0u));
		CHECK(rx[q].packets == (q == k ? 1u + 63u : 0u));
	}
	/* A frame spread over two descriptors (jumbo frames switched on behind the driver's back,
	 * HLREG0.JUMBOEN and MAXFRS: DS 8.2.3.22.8, 8.2.3.22.13) is an error of its queue (0: no IP). */
	reg_write(p.dev, IXGBE_HLREG0, reg_read(p.dev, IXGBE_HLREG0) | (1u << 2));
	reg_write(p.dev, 0x04268, 9018u << 16);
	uint8_t big[4000];
	memset(big, 0xFF, 6);
	memset(big + 6, 0x22, sizeof(big) - 6);
	CHECK(ixgbe_model_inject(p.model, big, sizeof(big)));
	ixgbe_model_step(p.model);
	struct ixy_buf *bufs[4];
	CHECK(ixy_rx_batch(p.dev, 0, bufs, 4) == 0);
	memset(rx, 0, sizeof(rx));
	ixy_read_queue_stats(p.dev, rx, NULL);
	CHECK(rx[0].errors == 1 && rx[1].errors == 0);
	ixy_mempool_destroy(pool);
	port_close(&p);
}

/* The model counts by statistics index through RQSMR/TQSM, not by queue: remapped behind the
 * driver's back, two RX queues share one counter set and a TX queue moves to another
 * (DS 8.2.3.23). */
static void test_stat_map(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, &(struct ixy_options){.rx_queues = 4, .tx_queues = 4});
	ixgbe_model_set_loopback(p.model, true);
	reg_write(p.dev, IXGBE_RQSMR(0), 5u | 5u << 8 | 2u << 16 | 3u << 24); /* RX 0, 1 -> 5 */
	reg_write(p.dev, IXGBE_TQSM(0), 0u | 1u << 8 | 7u << 16 | 3u << 24);  /* TX 2 -> 7 */
	struct ixy_mempool *pool = ixy_mempool_create(p.dev, 256, 0);
	CHECK(pool);
	uint32_t rx_per_queue[4] = {0};
	for (uint32_t n = 0; n < 100; n++) {
		struct flow fl = {
		    .proto = 17, .src = {10, 1, (uint8_t)n, 1}, .dst = {10, 2, 0, 1}, .sport = (uint16_t)n};
		struct ixy_buf *b = ixy_buf_alloc(pool);
		flow_frame(b->data, 100, &fl, n);
		b->len = 100;
		CHECK(ixy_tx_batch(p.dev, 2, &b, 1) == 1);
		ixgbe_model_step(p.model);
		for (uint16_t q = 0; q < 4; q++) {
			struct ixy_buf *got[4];
			uint32_t k = ixy_rx_batch(p.dev, q, got, 4);
			for (uint32_t i = 0; i < k; i++)
				ixy_buf_free(got[i]);
			rx_per_queue[q] += k;
		}
	}
	CHECK(ixy_tx_flush(p.dev, 100) == 0);
	CHECK(rx_per_queue[0] > 0 && rx_per_queue[1] > 0);
	/* Raw counters: clear-on-read, read once each. */
	CHECK(reg_read(p.dev, IXGBE_QPRC(5)) == rx_per_queue[0] + rx_per_queue[1]);
	CHECK(reg_read(p.dev, IXGBE_QPRC(0)) == 0 && reg_read(p.dev, IXGBE_QPRC(1)) == 0);
	CHECK(reg_read(p.dev, IXGBE_QPRC(2)) == rx_per_queue[2] &&
	      reg_read(p.dev, IXGBE_QPRC(3)) == rx_per_queue[3]);
	CHECK(reg_read(p.dev, IXGBE_QPTC(7)) == 100 && reg_read(p.dev, IXGBE_QPTC(2)) == 0);
	CHECK(reg_read(p.dev, IXGBE_QBTC_L(7)) == 100 * 100 && reg_read(p.dev, IXGBE_QBTC_H(7)) == 0);
	ixy_mempool_destroy(pool);
	port_close(&p);
}

/* One TX batch mixing a single-thread pool's and a shared pool's buffers: each goes back to its
 * own pool once sent (tx_clean hands over to tx_clean_any at the first shared buffer). */
static void test_mixed_pools(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, NULL);
	struct ixy_mempool *single = ixy_mempool_create(p.dev, 64, 0),
	                   *shared = ixy_mempool_create_shared(p.dev, 64, 0);
	CHECK(single && shared);
	for (int round = 0; round < 50; round++) {
		struct ixy_buf *bufs[16];
		for (int i = 0; i < 16; i++) {
			bufs[i] = ixy_buf_alloc((i / 3 + round) % 2 ? shared : single);
			CHECK(bufs[i]);
			make_frame(bufs[i]->data, 60, (const uint8_t[6]){0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
			           (uint32_t)i);
			bufs[i]->len = 60;
		}
		CHECK(ixy_tx_batch(p.dev, 0, bufs, 16) == 16);
		ixgbe_model_step(p.model);
	}
	CHECK(ixy_tx_flush(p.dev, 100) == 0);
	CHECK(ixy_mempool_in_use(single) == 0 && ixy_mempool_in_use(shared) == 0);
	struct ixy_stats st = {0};
	ixy_read_stats(p.dev, &st);
	CHECK(st.tx_packets == 50 * 16);
	ixy_mempool_destroy(single);
	ixy_mempool_destroy(shared);
	port_close(&p);
}

int main(int argc, char **argv)
{
	static const struct test_case cases[] = {{"rss_vectors", test_rss_vectors},
	                                         {"rss_ipv6", test_rss_ipv6},
	                                         {"queue_stats", test_queue_stats},
	                                         {"stat_map", test_stat_map},
	                                         {"mixed_pools", test_mixed_pools}};
	return run_cases(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
