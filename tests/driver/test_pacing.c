/* The virtual 82599's wire pacing, in simulated time (step mode, a manual clock): a port that
 * always has frames to send puts exactly its line rate on the wire (10 Gbit/s counting preamble,
 * FCS and inter-frame gap: 14,880,952 frames/s of 60 bytes + FCS, 812,743 of 1514, 1,220,703 of
 * 1000), a looped-back port receives all of them (no drop at any size), a sender that fell
 * behind catches up by at most WIRE_CATCH_UP_PS, an unpaced port sends all it has at once, and
 * an rx-pcap source arrives at the line rate. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "ixy/mempool.h"
#include "pcap_file.h"
#include "wire.h"

#define PS_PER_S 1000000000000ull

static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

struct run {
	uint64_t tx, rx, dropped;
};

/* Keeps the TX ring full with frames of `len` bytes for `sim_ps` of simulated time, stepping the
 * model every `dt_ps` and draining RX after every step. */
static struct run run_for(struct port *p, struct ixy_mempool *pool, uint32_t len, uint64_t start_ps,
                          uint64_t sim_ps, uint64_t dt_ps)
{
	struct ixy_buf *bufs[64];
	struct ixy_stats before = {0}, after = {0};
	ixy_read_stats(p->dev, &before);
	for (uint64_t t = start_ps; t < start_ps + sim_ps; t += dt_ps) {
		ixgbe_model_set_clock(p->model, t);
		uint32_t n = ixy_buf_alloc_batch(pool, bufs, 64);
		for (uint32_t i = 0; i < n; i++) {
			make_frame(bufs[i]->data, len, broadcast, i);
			bufs[i]->len = len;
		}
		uint32_t sent = ixy_tx_batch(p->dev, 0, bufs, n);
		for (uint32_t i = sent; i < n; i++)
			ixy_buf_free(bufs[i]);
		ixgbe_model_step(p->model);
		while ((n = ixy_rx_batch(p->dev, 0, bufs, 64)) > 0)
			for (uint32_t i = 0; i < n; i++)
				ixy_buf_free(bufs[i]);
	}
	ixy_read_stats(p->dev, &after);
	return (struct run){after.tx_packets - before.tx_packets, after.rx_packets - before.rx_packets,
	                    after.rx_dropped - before.rx_dropped};
}

/* Lets the wire send what the TX ring still holds (simulated time after t), then closes the
 * port and its pool. */
static void finish(struct port *p, struct ixy_mempool *pool, uint64_t t)
{
	struct ixy_buf *bufs[64];
	for (int i = 0; i < 1000; i++, t += 10000000) {
		ixgbe_model_set_clock(p->model, t);
		ixgbe_model_step(p->model);
		uint32_t n;
		while ((n = ixy_rx_batch(p->dev, 0, bufs, 64)) > 0)
			for (uint32_t k = 0; k < n; k++)
				ixy_buf_free(bufs[k]);
	}
	CHECK(ixy_tx_flush(p->dev, 0) == 0);
	port_close(p);
	ixy_mempool_destroy(pool);
}

static void paced_port(struct port *p, struct ixgbe_bus *bus, uint32_t rate_mbit)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 0);
	cfg.line_rate_mbit = rate_mbit;
	port_try_open(p, bus, &cfg, NULL);
	CHECK(p->dev);
	ixgbe_model_set_loopback(p->model, true);
}

int main(void)
{
	setenv("IXY_QUIET", "1", 1);
	/* The frame times themselves. */
	CHECK(wire_frame_ps(10000, 60) == 67200);     /* 84 bytes of wire time */
	CHECK(wire_frame_ps(10000, 1514) == 1230400); /* 1538 bytes */
	CHECK(wire_frame_ps(10000, 14) == 67200);     /* padded to the minimum */
	CHECK(wire_frame_ps(1000, 1514) == 12304000);

	struct ixgbe_bus *bus = ixgbe_bus_new();
	CHECK(bus);
	const uint64_t sim = PS_PER_S / 100; /* 10 ms of wire time */
	static const struct {
		uint32_t len;
		uint64_t per_s;
	} sizes[] = {{60, 14880952}, {1514, 812743}, {1000, 1220703}};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct port p;
		paced_port(&p, bus, 10000);
		struct ixy_mempool *pool = ixy_mempool_create(p.dev, 2048, 0);
		CHECK(pool);
		/* Link-up and the first frames at t = 1 s, then 10 ms in steps of 1 us. */
		run_for(&p, pool, sizes[k].len, PS_PER_S, 1000000, 1000000);
		struct run r = run_for(&p, pool, sizes[k].len, PS_PER_S + 1000000, sim, 1000000);
		uint64_t want = sizes[k].per_s / 100;
		printf("%u bytes: %llu frames in 10 ms of wire time (line rate: %llu), %llu received, "
		       "%llu dropped\n",
		       sizes[k].len, (unsigned long long)r.tx, (unsigned long long)want,
		       (unsigned long long)r.rx, (unsigned long long)r.dropped);
		CHECK(r.tx + 1 >= want && r.tx <= want + 1);
		CHECK(r.dropped == 0);
		CHECK(r.rx + 64 >= r.tx && r.rx <= r.tx + 64); /* in flight at the edges of the window */
		finish(&p, pool, 2 * PS_PER_S);
	}

	/* A sender that fell behind (10 ms without a step) catches up on at most 1 ms. The ring
	 * holds more than that: 4000 frames of 1514 bytes are 4.9 ms of wire time. */
	struct port p;
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 0);
	cfg.line_rate_mbit = 10000;
	struct ixy_options big = {.tx_ring_size = 4096, .rx_ring_size = 4096};
	port_try_open(&p, bus, &cfg, &big);
	CHECK(p.dev);
	ixgbe_model_set_loopback(p.model, true);
	struct ixy_mempool *pool = ixy_mempool_create(p.dev, 8192, 0);
	CHECK(pool);
	ixgbe_model_set_clock(p.model, PS_PER_S);
	uint32_t queued = 0;
	struct ixy_buf *bufs[64];
	while (queued < 4000) {
		uint32_t n = ixy_buf_alloc_batch(pool, bufs, 64);
		for (uint32_t i = 0; i < n; i++) {
			make_frame(bufs[i]->data, 1514, broadcast, i);
			bufs[i]->len = 1514;
		}
		CHECK(ixy_tx_batch(p.dev, 0, bufs, n) == n);
		queued += n;
	}
	struct ixy_stats st = {0};
	ixgbe_model_step(p.model); /* the first frame goes at once */
	ixy_read_stats(p.dev, &st);
	CHECK(st.tx_packets == 1);
	ixgbe_model_set_clock(p.model, PS_PER_S + sim);
	ixgbe_model_step(p.model);
	ixy_read_stats(p.dev, &st);
	uint64_t most = 1 + WIRE_CATCH_UP_PS / wire_frame_ps(10000, 1514) + 1;
	printf("after a 10 ms stall: %llu frames sent in all (at most %llu)\n",
	       (unsigned long long)st.tx_packets, (unsigned long long)most);
	CHECK(st.tx_packets > most - 3 && st.tx_packets <= most);
	finish(&p, pool, 2 * PS_PER_S);

	struct run r;
	/* rate=unlimited: everything the ring holds goes in one step. */
	paced_port(&p, bus, 0);
	pool = ixy_mempool_create(p.dev, 2048, 0);
	CHECK(pool);
	r = run_for(&p, pool, 1514, PS_PER_S, 1000000, 1000000);
	CHECK(r.tx == 64 && r.dropped == 0);
	finish(&p, pool, 2 * PS_PER_S);

	/* An rx-pcap source is paced like a sender on the wire: frame k of 1514 bytes arrives at
	 * k x 1230.4 ns, so steps at 0, 1, ..., 999 us take frames 0..811, in order. */
	char path[] = "/tmp/ixy-pacing-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	char err[700];
	struct pcap_writer w;
	CHECK(pcap_writer_open(&w, path, err, sizeof(err)) == 0);
	uint8_t frame[1514];
	for (uint32_t i = 0; i < 2000; i++) {
		make_frame(frame, sizeof(frame), broadcast, i);
		CHECK(pcap_writer_add(&w, frame, sizeof(frame), 0) == 0);
	}
	CHECK(pcap_writer_close(&w) == 0);
	ixgbe_model_default_config(&cfg, 1);
	cfg.line_rate_mbit = 10000;
	port_try_open(&p, bus, &cfg, NULL);
	CHECK(p.dev);
	ixgbe_model_set_clock(p.model, PS_PER_S);
	CHECK(ixgbe_model_rx_pcap(p.model, path, err, sizeof(err)) == 0);
	uint32_t got = 0;
	for (uint64_t t = PS_PER_S; t < PS_PER_S + PS_PER_S / 1000; t += 1000000) {
		ixgbe_model_set_clock(p.model, t);
		ixgbe_model_step(p.model);
		uint32_t n;
		while ((n = ixy_rx_batch(p.dev, 0, bufs, 64)) > 0) {
			for (uint32_t i = 0; i < n; i++) {
				CHECK(bufs[i]->len == 1514 && memcmp(bufs[i]->data + 14, &got, 4) == 0);
				ixy_buf_free(bufs[i]);
				got++;
			}
		}
	}
	printf("rx-pcap at 10 Gbit/s: %u frames of 1514 bytes in 1 ms\n", got);
	CHECK(got == 812);
	CHECK(!ixgbe_model_rx_pcap_done(p.model));
	port_close(&p);
	unlink(path);

	ixgbe_bus_free(bus);
	printf("pacing: ok\n");
	return 0;
}
