/* Model time (see clock.h). */
#include "clock.h"

#include <time.h>

void sim_clock_init(struct sim_clock *c)
{
	struct timespec mono, real;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	c->wall_offset_ns = ((int64_t)real.tv_sec - (int64_t)mono.tv_sec) * 1000000000 +
	                    ((int64_t)real.tv_nsec - (int64_t)mono.tv_nsec);
}

uint64_t sim_clock_reach(struct sim_clock *c, uint64_t t)
{
	uint64_t cur = atomic_load(&c->now);
	while (cur < t && !atomic_compare_exchange_weak(&c->now, &cur, t))
		;
	return cur < t ? t : cur;
}

uint64_t sim_clock_now(struct sim_clock *c)
{
	if (atomic_load_explicit(&c->mode, memory_order_relaxed) != SIM_CLOCK_REALTIME)
		return atomic_load(&c->now);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return sim_clock_reach(c,
	                       ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) * SIM_TICKS_PER_NS);
}

void sim_clock_realtime(struct sim_clock *c)
{
	int step = SIM_CLOCK_STEP;
	atomic_compare_exchange_strong(&c->mode, &step, SIM_CLOCK_REALTIME);
}

void sim_clock_set(struct sim_clock *c, uint64_t t)
{
	atomic_store(&c->mode, SIM_CLOCK_MANUAL);
	atomic_store(&c->now, t);
}
