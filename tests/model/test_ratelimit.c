/* The model's wire timing and per-queue transmit rate limiter (DS 7.7.2.2): frame times on a
 * 10 Gbit/s wire, RTTDQSEL selecting the queue RTTBCNRC belongs to, the achieved rate measured
 * from the model's frame times (step mode: deterministic), and the limiter's violations. */
#include "model_util.h"

#define RTTDQSEL 0x04904
#define RTTBCNRC 0x04984
#define RS_ENA (1u << 31)
#define FRAME 60u
#define FRAMES 40u

/* Sends FRAMES frames of FRAME bytes on queue 0 in one step; returns the achieved rate in bit/s
 * (frame bytes with CRC) and checks the spacing is the same for every frame. */
static double measure(struct env *e, uint64_t *gap_out)
{
	uint8_t f[FRAME];
	make_frame(f, FRAME, BCAST, 1);
	for (unsigned i = 0; i < FRAMES; i++)
		tx_send(e, f, FRAME);
	ixgbe_model_step(e->m);
	uint64_t first = 0, prev = 0, gap = 0, at;
	uint8_t buf[2048];
	for (unsigned i = 0; i < FRAMES; i++) {
		CHECK(ixgbe_model_captured_at(e->m, buf, sizeof(buf), &at) == FRAME);
		if (i == 0)
			first = at;
		else if (i == 1)
			gap = at - prev;
		else
			CHECK(at - prev >= gap - 1 && at - prev <= gap + 1); /* one tick of rounding */
		prev = at;
	}
	CHECK(ixgbe_model_captured(e->m, buf, sizeof(buf)) == 0);
	*gap_out = gap;
	double seconds = (double)(prev - first) / IXGBE_MODEL_TICKS_PER_NS / 1e9;
	return (double)(FRAMES - 1) * (FRAME + 4) * 8 / seconds;
}

static void set_rate(struct env *e, unsigned queue, double bps)
{
	uint32_t factor = (uint32_t)(10e9 / bps * 16384 + 0.5);
	W(e, RTTDQSEL, queue);
	W(e, RTTBCNRC, RS_ENA | factor);
}

int main(void)
{
	struct env e;
	env_open_rate(&e, 0, true, 10000);
	bring_up(&e);
	ixgbe_model_set_loopback(e.m, false);
	ixgbe_model_capture(e.m, true);

	/* Unlimited: back to back on the wire, (60 + 4 + 20) bytes * 0.8 ns = 67.2 ns a frame. */
	uint64_t gap;
	measure(&e, &gap);
	CHECK(gap == (FRAME + 4 + 20) * 8);

	/* RTTDQSEL picks the queue whose RTTBCNRC is read and written. */
	W(&e, RTTDQSEL, 5);
	W(&e, RTTBCNRC, RS_ENA | 3u << 14);
	W(&e, RTTDQSEL, 0);
	CHECK(R(&e, RTTBCNRC) == 0);
	W(&e, RTTDQSEL, 5);
	CHECK(R(&e, RTTBCNRC) == (RS_ENA | 3u << 14));

	/* Rates from 10 Mbit/s to 9 Gbit/s, each within 1 % (from the model's frame times). Above
	 * 64/84 of 10 Gbit/s, 64-byte frames fill the wire: the wire rate is what comes out. */
	const double rates[] = {10e6, 100e6, 1e9, 2.5e9, 7e9, 9e9};
	const double wire = 10e9 * (FRAME + 4) / (FRAME + 4 + 20);
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		set_rate(&e, 0, rates[i]);
		double got = measure(&e, &gap), want = rates[i] < wire ? rates[i] : wire;
		printf("rate limit %.0f bit/s: measured %.0f bit/s (frame every %.1f ns)\n", rates[i], got,
		       (double)gap / IXGBE_MODEL_TICKS_PER_NS);
		CHECK(got > want * 0.99 && got < want * 1.01);
	}
	/* Only queue 0's limiter counts for queue 0; clearing RS_ENA restores the wire rate. */
	W(&e, RTTDQSEL, 0);
	W(&e, RTTBCNRC, 0);
	measure(&e, &gap);
	CHECK(gap == (FRAME + 4 + 20) * 8);
	expect_clean(&e);

	/* Violations: a factor below 1 (faster than the link), a queue that does not exist. */
	W(&e, RTTDQSEL, 0);
	W(&e, RTTBCNRC, RS_ENA | 0x2000u);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V33_RATE_FACTOR) == 1);
	CHECK(ixgbe_model_count_matching(e.m, "rate factor below 1") == 1);
	W(&e, RTTDQSEL, 128);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V32_RTTDQSEL_QUEUE) == 1);
	CHECK(ixgbe_model_count_matching(e.m, "names no Tx queue") == 1);
	CHECK(ixgbe_model_violations(e.m) == 2);
	env_close(&e);
	printf("ratelimit: ok\n");
	return 0;
}
