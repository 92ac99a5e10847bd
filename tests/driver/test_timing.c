/* The driver's time-sync and rate-limit calls (ixy_timesync_*, ixy_tx_stamped, ixy_set_tx_rate)
 * against the virtual 82599 in step mode: stamps of a looped-back PTP frame over a cable with a
 * delay, the one-stamp latch, and rates measured from the model's frame times. */
#include "harness.h"

static void ptp_frame(struct ixy_buf *b, uint16_t seq)
{
	memset(b->data, 0, 64);
	memset(b->data, 0xFF, 6);
	b->data[6] = 0x02;
	b->data[12] = 0x88;
	b->data[13] = 0xF7;
	b->data[14] = 0; /* Sync */
	b->data[15] = 2;
	b->data[14 + 30] = (uint8_t)(seq >> 8);
	b->data[14 + 31] = (uint8_t)seq;
	b->len = 64;
}

static void drain_rx(struct port *p, uint32_t want)
{
	struct ixy_buf *bufs[64];
	uint32_t got = 0;
	for (int i = 0; i < 100 && got < want; i++) {
		ixgbe_model_step(p->model);
		uint32_t n = ixy_rx_batch(p->dev, 0, bufs, 64);
		for (uint32_t k = 0; k < n; k++)
			ixy_buf_free(bufs[k]);
		got += n;
	}
	CHECK(got == want);
}

static void test_timesync(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, NULL);
	ixgbe_model_set_loopback(p.model, true);
	ixgbe_model_set_delay(p.model, 5000);
	struct ixy_mempool *pool = ixy_mempool_create(p.dev, 64, 0);
	CHECK(pool);
	uint64_t ns;
	uint16_t seq;
	/* Before enable: no clock, a message that says what to do. */
	CHECK(ixy_timesync_read_clock(p.dev) == 0);
	CHECK(strstr(ixy_last_error(), "ixy_timesync_enable"));
	CHECK(ixy_timesync_enable(p.dev) == 0);
	uint64_t c0 = ixy_timesync_read_clock(p.dev);
	ixgbe_model_advance(p.model, 10000 * IXGBE_MODEL_TICKS_PER_NS);
	uint64_t c1 = ixy_timesync_read_clock(p.dev);
	CHECK(c1 - c0 >= 9990 && c1 - c0 <= 10010);
	CHECK(!ixy_timesync_read_tx(p.dev, &ns) && !ixy_timesync_read_rx(p.dev, &ns, &seq));
	for (uint16_t k = 1; k <= 3; k++) {
		struct ixy_buf *b = ixy_buf_alloc(pool);
		CHECK(b);
		ptp_frame(b, (uint16_t)(0x100 * k + 1));
		CHECK(ixy_tx_stamped(p.dev, 0, b));
		drain_rx(&p, 1);
		uint64_t tx, rx;
		CHECK(ixy_timesync_read_tx(p.dev, &tx));
		CHECK(ixy_timesync_read_rx(p.dev, &rx, &seq));
		CHECK(seq == 0x100 * k + 1);
		printf("probe %u: tx %llu ns, rx %llu ns, latency %lld ns\n", k, (unsigned long long)tx,
		       (unsigned long long)rx, (long long)(rx - tx));
		CHECK(rx - tx >= 4993 && rx - tx <= 5007); /* the cable, within a 6.4 ns cycle */
		CHECK(!ixy_timesync_read_tx(p.dev, &ns) && !ixy_timesync_read_rx(p.dev, &ns, &seq));
		CHECK(ixy_tx_flush(p.dev, 100) == 0);
	}
	/* An ordinary send is not stamped. */
	struct ixy_buf *b = ixy_buf_alloc(pool);
	CHECK(b);
	ptp_frame(b, 9);
	CHECK(ixy_tx_batch(p.dev, 0, &b, 1) == 1);
	drain_rx(&p, 1);
	CHECK(!ixy_timesync_read_tx(p.dev, &ns));
	CHECK(ixy_timesync_read_rx(p.dev, &ns, &seq) && seq == 9); /* RX stamps every PTP event */
	CHECK(ixy_tx_flush(p.dev, 100) == 0);
	port_close(&p);
	ixy_mempool_destroy(pool);
}

static void test_tx_rate(struct ixgbe_bus *bus)
{
	struct port p;
	struct ixy_options opts = {.tx_queues = 2};
	port_open(&p, bus, 0, &opts);
	ixgbe_model_capture(p.model, true);
	struct ixy_mempool *pool = ixy_mempool_create(p.dev, 512, 0);
	CHECK(pool);
	/* Out of range, or no such queue: refused with the range in the message. */
	CHECK(ixy_set_tx_rate(p.dev, 0, 1000) == -1);
	CHECK(strstr(ixy_last_error(), "10000000 to 10000000000 bit/s"));
	CHECK(ixy_set_tx_rate(p.dev, 0, 20000000000ull) == -1);
	CHECK(ixy_set_tx_rate(p.dev, 2, 1000000000) == -1);
	CHECK(strstr(ixy_last_error(), "queue 2"));
	const uint64_t rates[] = {10000000, 333000000, 1000000000, 4000000000ull};
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		CHECK(ixy_set_tx_rate(p.dev, 1, rates[r]) == 0);
		struct ixy_buf *bufs[100];
		CHECK(ixy_buf_alloc_batch(pool, bufs, 100) == 100);
		for (int i = 0; i < 100; i++) {
			memset(bufs[i]->data, 0xFF, 6);
			memset(bufs[i]->data + 6, 0, 1508);
			bufs[i]->len = 1000;
		}
		CHECK(ixy_tx_batch(p.dev, 1, bufs, 100) == 100);
		ixgbe_model_step(p.model);
		uint8_t frame[2048];
		uint64_t first = 0, last = 0;
		for (int i = 0; i < 100; i++) {
			CHECK(ixgbe_model_captured_at(p.model, frame, sizeof(frame), i ? &last : &first) ==
			      1000);
		}
		double bps = 99.0 * 1004 * 8 / ((double)(last - first) / IXGBE_MODEL_TICKS_PER_NS / 1e9);
		printf("ixy_set_tx_rate %llu bit/s: model wire %.0f bit/s\n", (unsigned long long)rates[r],
		       bps);
		CHECK(bps > rates[r] * 0.99 && bps < rates[r] * 1.01);
		CHECK(ixy_tx_flush(p.dev, 100) == 0);
	}
	CHECK(ixy_set_tx_rate(p.dev, 1, 0) == 0); /* off again */
	port_close(&p);
	ixy_mempool_destroy(pool);
}

int main(int argc, char **argv)
{
	static const struct test_case cases[] = {{"timesync", test_timesync}, {"tx_rate", test_tx_rate}};
	return run_cases(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
