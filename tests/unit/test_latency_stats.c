/* ixy-latency's histogram (apps/latency_stats.c): every sample from min to p99 lands in one of at
 * most HIST_BINS bins of a round width, also when rounding min down to the width adds a bin (a
 * span of 59 ns from 1001 ns takes width 5, not 2: 31 bins would not fit). */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "latency_stats.h"

static void check(uint64_t min, uint64_t span, uint64_t want_width)
{
	uint64_t s[1000];
	for (size_t i = 0; i < 1000; i++)
		s[i] = min + span * i / 989; /* s[989], the p99 by nearest rank, is min + span */
	struct histogram h;
	histogram_build(&h, s, 1000);
	uint64_t in_bins = 0;
	for (unsigned i = 0; i < h.bins; i++)
		in_bins += h.count[i];
	printf("min %llu span %llu: width %llu, %u bins, %llu beyond\n", (unsigned long long)min,
	       (unsigned long long)span, (unsigned long long)h.width, h.bins, (unsigned long long)h.above);
	CHECK(h.width == want_width);
	CHECK(h.bins >= 1 && h.bins <= HIST_BINS);
	CHECK(h.lo <= min && h.lo + h.bins * h.width > min + span);
	CHECK(in_bins >= 990 && in_bins + h.above == 1000);
}

int main(void)
{
	check(1001, 59, 5); /* width 2 would start at 1000 and need 31 bins */
	check(1000, 29, 1); /* 30 bins of 1 ns */
	check(1000, 30, 2);
	check(40000, 0, 1); /* all the same */
	check(12345, 987654, 50000);
	printf("latency stats: ok\n");
	return 0;
}
