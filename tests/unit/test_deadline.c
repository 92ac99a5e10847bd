/* The deadline helper every wait uses: its arithmetic exactly, and a 1 s register wait that
 * never succeeds ends after 1 s and well before 1.5 s (a generous bound, not a timing test: the
 * old sleep-counting wait took 1.7 s on a loaded machine). */
#include <stdint.h>

#include "check.h"
#include "deadline.h"
#include "device.h"

static uint32_t never_ready(void *ctx, uint32_t reg)
{
	(void)ctx;
	(void)reg;
	return 0;
}

int main(void)
{
	/* Arithmetic: ns after now; saturation instead of wrap-around. */
	CHECK(deadline_after(100, 1000000000u) == 1000000100u);
	CHECK(deadline_after(UINT64_MAX - 5, 10) == UINT64_MAX);
	CHECK(deadline_after(0, UINT64_MAX) == UINT64_MAX);
	uint64_t now = deadline_now_ns();
	CHECK(deadline_passed(now));
	CHECK(!deadline_passed(now + 60ull * 1000000000u));
	uint64_t end = deadline_in_ms(1000);
	CHECK(end >= now + 1000000000u && end < now + 1100000000u);
	CHECK(deadline_in_us(4294967295u) > deadline_now_ns() + 4294967295000ull - 1000000000u);
	/* Monotonic: never goes back. */
	for (int i = 0; i < 1000; i++) {
		uint64_t t = deadline_now_ns();
		CHECK(t >= now);
		now = t;
	}

	/* A real wait through the register seam. */
	struct ixy_hw_ops hw = {.name = "never", .read32 = never_ready};
	struct ixy_device dev = {.hw = &hw, .platform = &platform_model};
	uint64_t t0 = deadline_now_ns();
	CHECK(reg_wait(&dev, 0, 1, 1, 1000) == -1);
	uint64_t took = deadline_now_ns() - t0;
	printf("a 1000 ms register wait took %.1f ms\n", (double)took / 1e6);
	CHECK(took >= 1000000000u && took < 1500000000u);
	printf("deadline: ok\n");
	return 0;
}
