/* The ixgbe driver against the virtual 82599, in the model's deterministic step mode.
 * usage: test_driver <case>; every case fails on any model violation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ixgbe_regs.h"

static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Sends `n` frames (all of length len, payload by seq) on queue q, taking partial batches. */
static void send_frames(struct port *p, struct ixy_mempool *pool, uint16_t q, uint32_t first_seq, uint32_t n,
                        size_t len, uint32_t batch)
{
	struct ixy_buf *bufs[512];
	uint32_t done = 0;
	while (done < n) {
		uint32_t want = n - done < batch ? n - done : batch;
		CHECK(ixy_buf_alloc_batch(pool, bufs, want) == want);
		for (uint32_t i = 0; i < want; i++) {
			make_frame(bufs[i]->data, len, broadcast, first_seq + done + i);
			bufs[i]->len = (uint32_t)len;
		}
		uint32_t sent = ixy_tx_batch(p->dev, q, bufs, want);
		for (uint32_t i = sent; i < want; i++)
			ixy_buf_free(bufs[i]);
		done += sent;
		if (sent < want)
			ixgbe_model_step(p->model); /* ring full: let the NIC send */
	}
}

/* Receives exactly `n` frames on queue 0 in batches of `batch`, checking seq order and bytes. */
static void expect_frames(struct port *p, uint32_t first_seq, uint32_t n, size_t len, uint32_t batch)
{
	struct ixy_buf *bufs[512];
	uint8_t want[2048];
	uint32_t got = 0;
	for (int idle = 0; got < n && idle < 4;) {
		uint32_t k = ixy_rx_batch(p->dev, 0, bufs, n - got < batch ? n - got : batch);
		CHECK(k <= batch);
		for (uint32_t i = 0; i < k; i++) {
			make_frame(want, len, broadcast, first_seq + got + i);
			CHECK(bufs[i]->len == len);
			CHECK(fnv1a(bufs[i]->data, len) == fnv1a(want, len));
			ixy_buf_free(bufs[i]);
		}
		got += k;
		if (k == 0) {
			ixgbe_model_step(p->model);
			idle++;
		} else {
			idle = 0;
		}
	}
	CHECK(got == n);
	CHECK(ixy_rx_batch(p->dev, 0, bufs, 1) == 0);
}

static void test_init(struct ixgbe_bus *bus)
{
	/* More RX queues than RSS can address are refused with the reason. */
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 7);
	struct port refused;
	port_try_open(&refused, bus, &cfg, &(struct ixy_options){.rx_queues = 17});
	CHECK(refused.dev == NULL && strstr(ixy_last_error(), "RSS"));
	ixgbe_model_free(refused.model);

	struct port p;
	port_open(&p, bus, 3, NULL);
	CHECK(ixgbe_model_violations(p.model) == 0);
	CHECK(ixy_link_speed(p.dev) == 10000);
	CHECK(strcmp(ixy_driver_name(p.dev), "ixgbe") == 0);
	uint8_t mac[6], want[6] = {0x02, 0, 0, 0, 0, 0x03};
	ixy_get_mac(p.dev, mac);
	CHECK(memcmp(mac, want, 6) == 0);
	/* Set a new MAC: read back, valid in the filter (AV), old one no longer matches. */
	uint8_t fresh[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	ixy_set_mac(p.dev, fresh);
	ixy_get_mac(p.dev, mac);
	CHECK(memcmp(mac, fresh, 6) == 0);
	CHECK(ixgbe_model_peek32(p.model, IXGBE_RAH(0)) & IXGBE_RAH_AV);
	uint8_t frame[60];
	make_frame(frame, sizeof(frame), fresh, 1);
	CHECK(ixgbe_model_inject(p.model, frame, sizeof(frame)));
	make_frame(frame, sizeof(frame), want, 2);
	CHECK(ixgbe_model_inject(p.model, frame, sizeof(frame)));
	ixgbe_model_step(p.model);
	struct ixy_buf *bufs[4];
	CHECK(ixy_rx_batch(p.dev, 0, bufs, 4) == 1);
	CHECK(memcmp(bufs[0]->data, fresh, 6) == 0);
	ixy_buf_free(bufs[0]);
	port_close(&p);
}

static void test_roundtrip(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, NULL);
	ixgbe_model_set_loopback(p.model, true);
	struct ixy_mempool *pool = ixy_mempool_create(p.dev, 64, 0);
	CHECK(pool);
	send_frames(&p, pool, 0, 7, 1, 100, 1);
	CHECK(pool->free_count == 63);
	ixgbe_model_step(p.model);
	expect_frames(&p, 7, 1, 100, 1);
	CHECK(ixy_tx_flush(p.dev, 100) == 0);
	CHECK(pool->free_count == 64); /* the sent buffer came back */
	port_close(&p);
	ixy_mempool_destroy(pool);
}

/* Every batch size from 1 to the ring size, both directions: b frames go out in TX calls of b and
 * come back in RX calls of b (a ring holds at most size - 1, so the largest batches take two calls). */
static void test_batches(struct ixgbe_bus *bus)
{
	struct port p;
	struct ixy_options opts = {.rx_ring_size = 128, .tx_ring_size = 128};
	port_open(&p, bus, 0, &opts);
	ixgbe_model_set_loopback(p.model, true);
	struct ixy_mempool *pool = ixy_mempool_create(p.dev, 512, 0);
	CHECK(pool);
	uint32_t seq = 0;
	for (uint32_t b = 1; b <= 128; b++) {
		size_t len = 60 + b;
		uint32_t sent = 0, got = 0;
		while (got < b) {
			struct ixy_buf *bufs[128];
			uint32_t n = ixy_buf_alloc_batch(pool, bufs, b - sent);
			for (uint32_t i = 0; i < n; i++) {
				make_frame(bufs[i]->data, len, broadcast, seq + sent + i);
				bufs[i]->len = (uint32_t)len;
			}
			uint32_t k = ixy_tx_batch(p.dev, 0, bufs, n);
			CHECK(k == n || k == 127);
			for (uint32_t i = k; i < n; i++)
				ixy_buf_free(bufs[i]);
			sent += k;
			ixgbe_model_step(p.model);
			uint32_t r = ixy_rx_batch(p.dev, 0, bufs, b);
			CHECK(r == sent - got || r == 127);
			uint8_t want[2048];
			for (uint32_t i = 0; i < r; i++) {
				make_frame(want, len, broadcast, seq + got + i);
				CHECK(bufs[i]->len == len && memcmp(bufs[i]->data, want, len) == 0);
				ixy_buf_free(bufs[i]);
			}
			got += r;
		}
		seq += b;
	}
	struct ixy_stats st = {0};
	ixy_read_stats(p.dev, &st);
	CHECK(st.rx_packets == seq && st.tx_packets == seq && st.rx_dropped == 0);
	port_close(&p);
	ixy_mempool_destroy(pool);
}

/* 20+ wrap-arounds of every ring, several TX queues at once, payload checksums end to end. */
static void test_wraps(struct ixgbe_bus *bus)
{
	struct port p;
	struct ixy_options opts = {.tx_queues = 4, .rx_ring_size = 64, .tx_ring_size = 64};
	port_open(&p, bus, 0, &opts);
	ixgbe_model_set_loopback(p.model, true);
	struct ixy_mempool *pool = ixy_mempool_create(p.dev, 1024, 0);
	CHECK(pool);
	uint32_t seq = 0;
	/* Each round sends 48 frames on one of the four TX queues and reads them back from the RX
	 * queue: 120 rounds wrap every TX ring 22 times and the RX ring 90 times. */
	for (int round = 0; round < 30 * 4; round++) {
		uint16_t q = (uint16_t)(round % 4);
		send_frames(&p, pool, q, seq, 48, 60 + (size_t)(round * 11) % 1455, 16);
		ixgbe_model_step(p.model);
		expect_frames(&p, seq, 48, 60 + (size_t)(round * 11) % 1455, 32);
		seq += 48;
	}
	CHECK(seq / 64 >= 20 * 4 / 4 * 2); /* 5760 frames through a 64-entry RX ring: 90 wraps */
	struct ixy_stats st = {0};
	ixy_read_stats(p.dev, &st);
	CHECK(st.tx_packets == seq && st.rx_packets == seq);
	port_close(&p);
	ixy_mempool_destroy(pool);
}

/* More frames than descriptors and buffers: drops are counted, the driver keeps going, nothing leaks. */
static void test_flood(struct ixgbe_bus *bus)
{
	struct port p;
	struct ixy_options opts = {.rx_ring_size = 64, .tx_ring_size = 64};
	port_open(&p, bus, 0, &opts);
	uint8_t frame[64];
	for (uint32_t i = 0; i < 300; i++) {
		make_frame(frame, sizeof(frame), broadcast, i);
		ixgbe_model_inject(p.model, frame, sizeof(frame));
		ixgbe_model_step(p.model);
	}
	/* 63 descriptors were free: the rest were dropped (SRRCTL.DROP_EN) and counted. */
	struct ixy_stats st = {0};
	ixy_read_stats(p.dev, &st);
	CHECK(st.rx_packets == 63);
	CHECK(st.rx_dropped == 300 - 63);
	/* Hold every received buffer: the RX pool (4096) runs dry and reception pauses, no crash. */
	static struct ixy_buf *held[8192];
	uint32_t nheld = 0;
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 64; i++) {
			make_frame(frame, sizeof(frame), broadcast, (uint32_t)i);
			ixgbe_model_inject(p.model, frame, sizeof(frame));
		}
		ixgbe_model_step(p.model);
		uint32_t k;
		while (nheld < 8192 && (k = ixy_rx_batch(p.dev, 0, held + nheld, 64)) > 0)
			nheld += k;
	}
	CHECK(nheld > 3000 && nheld < 4096); /* bounded by the pool, not by the traffic */
	CHECK(ixy_rx_batch(p.dev, 0, held + nheld, 64) == 0);
	for (uint32_t i = 0; i < nheld; i++)
		ixy_buf_free(held[i]);
	/* Buffers back: reception resumes. */
	ixy_read_stats(p.dev, &st);
	make_frame(frame, sizeof(frame), broadcast, 999);
	uint32_t got = 0;
	for (int i = 0; i < 4 && got == 0; i++) {
		ixgbe_model_inject(p.model, frame, sizeof(frame));
		ixgbe_model_step(p.model);
		got = ixy_rx_batch(p.dev, 0, held, 64);
	}
	CHECK(got > 0);
	for (uint32_t i = 0; i < got; i++)
		ixy_buf_free(held[i]);
	port_close(&p);
}

/* What the driver reports equals what crossed the wire, across clear-on-read reads. */
static void test_stats(struct ixgbe_bus *bus)
{
	struct port a, b;
	port_open(&a, bus, 0, NULL);
	port_open(&b, bus, 1, NULL);
	ixgbe_model_connect(a.model, b.model);
	ixgbe_model_capture(a.model, true);
	struct ixy_mempool *pool = ixy_mempool_create(a.dev, 2048, 0);
	CHECK(pool);
	struct ixy_stats sa = {0}, sb = {0};
	uint64_t frames = 0, bytes = 0;
	for (int round = 0; round < 10; round++) {
		size_t len = 60 + (size_t)round * 140;
		send_frames(&a, pool, 0, (uint32_t)frames, 100, len, 32);
		ixgbe_model_step(a.model);
		ixgbe_model_step(b.model);
		expect_frames(&b, (uint32_t)frames, 100, len, 32);
		frames += 100;
		bytes += 100 * len;
		ixy_read_stats(a.dev, &sa);
		ixy_read_stats(b.dev, &sb);
	}
	uint8_t buf[2048];
	uint64_t wire_frames = 0, wire_bytes = 0;
	size_t n;
	while ((n = ixgbe_model_captured(a.model, buf, sizeof(buf))) > 0) {
		wire_frames++;
		wire_bytes += n;
	}
	CHECK(wire_frames == frames && wire_bytes == bytes);
	CHECK(sa.tx_packets == frames && sa.tx_bytes == bytes);
	CHECK(sb.rx_packets == frames && sb.rx_bytes == bytes);
	CHECK(sa.rx_packets == 0 && sb.tx_packets == 0 && sb.rx_dropped == 0);
	port_close(&a);
	port_close(&b);
	ixy_mempool_destroy(pool);
}

/* Promiscuous mode changes what is received exactly as the filter rules say. */
static void test_promisc(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 5, NULL); /* not promiscuous */
	CHECK(!ixy_get_promiscuous(p.dev));
	const uint8_t own[6] = {0x02, 0, 0, 0, 0, 0x05}, other[6] = {0x02, 9, 9, 9, 9, 9},
	              multicast[6] = {0x01, 0x00, 0x5E, 0, 0, 1};
	const uint8_t *dsts[4] = {own, other, broadcast, multicast};
	const uint32_t off[4] = {1, 0, 1, 0}, on[4] = {1, 1, 1, 1};
	for (int mode = 0; mode < 3; mode++) {
		if (mode == 1)
			ixy_set_promiscuous(p.dev, true);
		if (mode == 2)
			ixy_set_promiscuous(p.dev, false);
		CHECK(ixy_get_promiscuous(p.dev) == (mode == 1));
		for (int d = 0; d < 4; d++) {
			uint8_t frame[60];
			make_frame(frame, sizeof(frame), dsts[d], (uint32_t)d);
			ixgbe_model_inject(p.model, frame, sizeof(frame));
			ixgbe_model_step(p.model);
			struct ixy_buf *bufs[4];
			uint32_t got = ixy_rx_batch(p.dev, 0, bufs, 4);
			CHECK(got == (mode == 1 ? on[d] : off[d]));
			for (uint32_t i = 0; i < got; i++)
				ixy_buf_free(bufs[i]);
		}
	}
	port_close(&p);
}

/* Closing a port while one of its receive buffers is still held elsewhere (the app, or another
 * port's TX ring when a flush timed out) keeps that pool's memory: the buffer stays usable. */
static void test_close_in_use(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, NULL);
	uint8_t frame[60];
	make_frame(frame, sizeof(frame), broadcast, 1);
	ixgbe_model_inject(p.model, frame, sizeof(frame));
	ixgbe_model_step(p.model);
	struct ixy_buf *held;
	CHECK(ixy_rx_batch(p.dev, 0, &held, 1) == 1);
	port_close(&p);
	memset(held->data, 0x5A, 2048); /* a use after free (a crash or an ASan report) without it */
	ixy_buf_free(held);
	CHECK(held->pool->free_count > 0);
}

/* Erratum E10: PCIe transactions that stay pending after master disable are flushed and the
 * device reset twice; the model objects to a reset with transactions pending (V22). */
static void test_stuck_master(struct ixgbe_bus *bus)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 4);
	cfg.stuck_master = true;
	struct port p;
	port_try_open(&p, bus, &cfg, NULL);
	CHECK(p.dev && ixgbe_model_violations(p.model) == 0);
	CHECK(ixy_link_speed(p.dev) == 10000);
	port_close(&p);
}

/* A new user takes over a port whose queues still run (a crashed process, or queues beyond the
 * ones it uses): the reset stops every one of the 128 Rx and 128 Tx queues and waits until they
 * read stopped before the master disable (DS 4.6.7.1, 4.6.8.1, 5.2.5.3.2); the model flags a
 * reset with a queue still enabled (V26). */
static void test_reset_queues(struct ixgbe_bus *bus)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 5);
	cfg.quiet = true;
	struct port old;
	port_try_open(&old, bus, &cfg, &(struct ixy_options){.rx_queues = 4, .tx_queues = 4});
	CHECK(old.dev);
	/* Queues the driver never uses, enabled behind its back (no ring: flagged, then forgotten). */
	ixgbe_model_write32(old.model, IXGBE_RXDCTL(100), IXGBE_RXDCTL_ENABLE);
	ixgbe_model_write32(old.model, IXGBE_TXDCTL(120), IXGBE_TXDCTL_ENABLE);
	CHECK(reg_wait(old.dev, IXGBE_TXDCTL(120), IXGBE_TXDCTL_ENABLE, IXGBE_TXDCTL_ENABLE, 100) == 0);
	CHECK(ixgbe_model_read32(old.model, IXGBE_RXDCTL(100)) & IXGBE_RXDCTL_ENABLE);
	ixgbe_model_clear_violations(old.model);

	struct ixy_device *dev = ixy_open_hw(&old.ops, &(struct ixy_options){.link_timeout_ms = 2000});
	CHECK(dev);
	CHECK(ixgbe_model_rule_count(old.model, IXGBE_V26_RESET_QUEUE_ENABLED) == 0);
	CHECK(ixgbe_model_violations(old.model) == 0 && ixgbe_model_warnings(old.model) == 0);
	CHECK(!(ixgbe_model_peek32(old.model, IXGBE_RXDCTL(100)) & IXGBE_RXDCTL_ENABLE));
	CHECK(!(ixgbe_model_peek32(old.model, IXGBE_TXDCTL(120)) & IXGBE_TXDCTL_ENABLE));
	ixy_close(dev);
	port_close(&old); /* the first user's memory, after the second one is gone */
}

/* Erratum E13: with an empty SFP+ cage the 82599 can show a link (crosstalk); ESDP.SDP2 says
 * whether a module is there, and the driver believes it. */
static void test_sfp_cage(struct ixgbe_bus *bus)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 6);
	cfg.sfp_cage_empty = true;
	struct port p;
	port_try_open(&p, bus, &cfg, &(struct ixy_options){.link_timeout_ms = 50});
	CHECK(p.dev);
	CHECK(ixgbe_model_peek32(p.model, IXGBE_LINKS) & IXGBE_LINKS_UP); /* the spurious link */
	CHECK(ixy_link_speed(p.dev) == 0);
	ixgbe_model_set_sfp_cage(p.model, true);
	CHECK(ixy_link_speed(p.dev) == 10000);
	port_close(&p);
}

/* Erratum E12: with manageability firmware (LESM) the driver writes AUTOC only while it holds
 * the SW/FW semaphore's MAC_CSR, and waits while firmware holds it; the model flags any AUTOC
 * write without it and any grab of a resource firmware owns. */
static void test_lesm(struct ixgbe_bus *bus)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 2);
	cfg.lesm_firmware = true;
	struct port p;
	port_try_open(&p, bus, &cfg, NULL);
	CHECK(p.dev && ixgbe_model_violations(p.model) == 0 && ixy_link_speed(p.dev) == 10000);
	port_close(&p);

	/* Firmware holds MAC_CSR well into init: the driver waits for it, then goes on. */
	struct ixgbe_model *m = ixgbe_model_new(bus, &cfg);
	struct ixy_hw_ops ops;
	ixgbe_model_hw_ops(m, &ops, "sim:2");
	ixgbe_model_firmware_hold_mac_csr(m, 1000);
	struct ixy_device *dev = ixy_open_hw(&ops, &(struct ixy_options){.link_timeout_ms = 2000});
	CHECK(dev && ixgbe_model_violations(m) == 0);
	ixy_close(dev);
	CHECK(ixgbe_model_violations(m) == 0 && ixgbe_model_warnings(m) == 0);
	ixgbe_model_free(m);

	/* Firmware that never lets go: init fails, saying so. */
	m = ixgbe_model_new(bus, &cfg);
	ixgbe_model_hw_ops(m, &ops, "sim:2");
	ixgbe_model_firmware_hold_mac_csr(m, 100000000u);
	CHECK(ixy_open_hw(&ops, NULL) == NULL && strstr(ixy_last_error(), "MAC_CSR"));
	CHECK(ixgbe_model_violations(m) == 0 && ixgbe_model_warnings(m) == 0);
	ixgbe_model_free(m);
}

/* RSS: IPv4 flows spread over four RX queues; every frame arrives once, on one queue, and
 * both frames of a flow on the same queue. */
static void test_rss(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, &(struct ixy_options){.rx_queues = 4});
	CHECK(ixy_rx_queue_count(p.dev) == 4);
	enum { FLOWS = 200 };
	static int queue_of[FLOWS][2];
	uint32_t per_queue[4] = {0};
	for (int copy = 0; copy < 2; copy++) {
		for (uint32_t f = 0; f < FLOWS; f++) {
			uint8_t frame[64] = {0};
			memcpy(frame, broadcast, 6);
			frame[12] = 0x08; /* IPv4 */
			frame[14] = 0x45;
			frame[23] = f % 3 ? 17 : 6; /* UDP or TCP */
			uint32_t src = 0x0A000000u + f * 7919u, dst = 0xC0A80001u + (f % 5);
			for (int i = 0; i < 4; i++) {
				frame[26 + i] = (uint8_t)(src >> (24 - 8 * i));
				frame[30 + i] = (uint8_t)(dst >> (24 - 8 * i));
			}
			frame[34] = (uint8_t)(f >> 8);
			frame[35] = (uint8_t)f; /* source port */
			frame[37] = 80;
			memcpy(frame + 46, &f, 4);
			CHECK(ixgbe_model_inject(p.model, frame, sizeof(frame)));
			ixgbe_model_step(p.model);
			int found = -1;
			for (uint16_t q = 0; q < 4; q++) {
				struct ixy_buf *bufs[4];
				uint32_t got = ixy_rx_batch(p.dev, q, bufs, 4);
				CHECK(got <= 1 && (got == 0 || found < 0));
				if (got) {
					uint32_t seen;
					memcpy(&seen, bufs[0]->data + 46, 4);
					CHECK(seen == f);
					ixy_buf_free(bufs[0]);
					found = q;
				}
			}
			CHECK(found >= 0);
			queue_of[f][copy] = found;
			per_queue[found]++;
		}
	}
	for (uint32_t f = 0; f < FLOWS; f++)
		CHECK(queue_of[f][0] == queue_of[f][1]);
	for (int q = 0; q < 4; q++)
		CHECK(per_queue[q] > 2 * FLOWS / 4 / 2); /* every queue gets a fair share */
	struct ixy_stats st = {0};
	ixy_read_stats(p.dev, &st);
	CHECK(st.rx_packets == 2 * FLOWS && st.rx_dropped == 0);
	port_close(&p);
}

/* A frame spread over several descriptors (only possible above 2 KB, which the MAC drops without
 * jumbo frames) is dropped whole: no piece reaches the app, the buffers go back, RX goes on. */
static void test_chain(struct ixgbe_bus *bus)
{
	/* Through the model: with jumbo frames switched on behind the driver's back (HLREG0.JUMBOEN,
	 * MAXFRS: DS 8.2.3.22.8, 8.2.3.22.13) a 4000-byte frame spans two 2 KB buffers. */
	struct port j;
	port_open(&j, bus, 1, NULL);
	reg_write(j.dev, IXGBE_HLREG0, reg_read(j.dev, IXGBE_HLREG0) | (1u << 2));
	reg_write(j.dev, 0x04268, 9018u << 16);
	uint8_t big[4000], small[80];
	make_frame(big, sizeof(big), broadcast, 1);
	make_frame(small, sizeof(small), broadcast, 2);
	CHECK(ixgbe_model_inject(j.model, big, sizeof(big)) &&
	      ixgbe_model_inject(j.model, small, sizeof(small)));
	ixgbe_model_step(j.model);
	CHECK(ixgbe_model_peek32(j.model, IXGBE_RDH(0)) == 3); /* two descriptors + one */
	struct ixy_buf *got[8];
	CHECK(ixy_rx_batch(j.dev, 0, got, 8) == 1);
	CHECK(got[0]->len == sizeof(small) && memcmp(got[0]->data, small, sizeof(small)) == 0);
	ixy_buf_free(got[0]);
	port_close(&j);

	/* A chain whose end is written back only later: faked in the ring (the model writes a whole
	 * frame in one step). The model's RDH then stays behind, so it objects to the driver handing
	 * those descriptors back; those expected reports are cleared below. */
	struct port p;
	port_open(&p, bus, 0, NULL);
	uint32_t rdh = ixgbe_model_peek32(p.model, IXGBE_RDH(0));
	uint64_t bus_ring = (uint64_t)ixgbe_model_peek32(p.model, IXGBE_RDBAL(0)) |
	                    (uint64_t)ixgbe_model_peek32(p.model, IXGBE_RDBAH(0)) << 32;
	volatile union ixgbe_rx_desc *ring = ixgbe_bus_translate(bus, bus_ring, 512 * 16);
	CHECK(ring && rdh == 0);
	/* As the NIC would write them back: a 2048 + 2048 + 100 byte chain whose end arrives
	 * later, then a single 80-byte frame. */
	for (int i = 0; i < 2; i++) {
		ring[i].wb.length = 2048;
		ring[i].wb.status_error = IXGBE_RXD_STAT_DD;
	}
	struct ixy_buf *bufs[8];
	CHECK(ixy_rx_batch(p.dev, 0, bufs, 8) == 0);
	CHECK(ixy_rx_batch(p.dev, 0, bufs, 8) == 0);
	ring[2].wb.length = 100;
	ring[2].wb.status_error = IXGBE_RXD_STAT_DD | IXGBE_RXD_STAT_EOP;
	ring[3].wb.length = 80;
	ring[3].wb.status_error = IXGBE_RXD_STAT_DD | IXGBE_RXD_STAT_EOP;
	CHECK(ixy_rx_batch(p.dev, 0, bufs, 8) == 1); /* the chain's end is dropped too */
	CHECK(bufs[0]->len == 80);
	ixy_buf_free(bufs[0]);
	/* Every descriptor went back to the NIC in read format, with a buffer, and the tail moved. */
	for (int i = 0; i < 4; i++)
		CHECK(ring[i].read.hdr_addr == 0 && ring[i].read.pkt_addr != 0);
	CHECK(ixgbe_model_peek32(p.model, IXGBE_RDT(0)) == 3);
	CHECK(ixgbe_model_violations(p.model) == ixgbe_model_rule_count(p.model, IXGBE_V21_TAIL_OWNED));
	CHECK(ixgbe_model_warnings(p.model) == 0);
	ixgbe_model_clear_violations(p.model);
	ixy_close(p.dev);
	ixgbe_model_free(p.model);
}

/* Wrong driver steps, done on purpose through the register seam, are caught and named. */
static void test_negative(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, NULL);
	/* Tail past the ring. */
	reg_write(p.dev, IXGBE_RDT(0), 512 + 3);
	CHECK(ixgbe_model_rule_count(p.model, IXGBE_V6_TAIL_RANGE) == 1);
	/* A ring register written while the queue runs. */
	reg_write(p.dev, IXGBE_RDLEN(0), 4096);
	CHECK(ixgbe_model_rule_count(p.model, IXGBE_V4_RING_REG_ENABLED) == 1);
	/* A virtual address posted as a buffer: the next frame's DMA faults. */
	uint32_t rdh = ixgbe_model_peek32(p.model, IXGBE_RDH(0));
	uint64_t bus_ring = (uint64_t)ixgbe_model_peek32(p.model, IXGBE_RDBAL(0)) |
	                    (uint64_t)ixgbe_model_peek32(p.model, IXGBE_RDBAH(0)) << 32;
	volatile union ixgbe_rx_desc *ring = ixgbe_bus_translate(bus, bus_ring, 512 * 16);
	CHECK(ring);
	static uint8_t not_dma[2048];
	ring[rdh].read.pkt_addr = (uint64_t)(uintptr_t)not_dma;
	uint8_t frame[60];
	make_frame(frame, sizeof(frame), broadcast, 1);
	ixgbe_model_inject(p.model, frame, sizeof(frame));
	ixgbe_model_step(p.model);
	CHECK(ixgbe_model_rule_count(p.model, IXGBE_V12_DMA_FAULT) == 1);
	CHECK(ixgbe_model_violations(p.model) == 3 && ixgbe_model_warnings(p.model) == 0);
	/* An offset with no register behind it: a warning, which port_close() would fail on. */
	CHECK(reg_read(p.dev, 0x00104) == 0 && ixgbe_model_warnings(p.model) == 1);
	ixgbe_model_clear_violations(p.model);
	ixy_close(p.dev);
	ixgbe_model_free(p.model);
}

int main(int argc, char **argv)
{
	static const struct test_case cases[] = {{"init", test_init},
	                                         {"roundtrip", test_roundtrip},
	                                         {"batches", test_batches},
	                                         {"wraps", test_wraps},
	                                         {"flood", test_flood},
	                                         {"stats", test_stats},
	                                         {"promisc", test_promisc},
	                                         {"chain", test_chain},
	                                         {"close_in_use", test_close_in_use},
	                                         {"stuck_master", test_stuck_master},
	                                         {"sfp_cage", test_sfp_cage},
	                                         {"lesm", test_lesm},
	                                         {"rss", test_rss},
	                                         {"reset_queues", test_reset_queues},
	                                         {"negative", test_negative}};
	return run_cases(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
