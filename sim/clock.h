/* Model time, shared by the device models of one process (through their bus), in ticks of
 * 0.1 ns so that 10 Gbit/s byte times (8 ticks) and the 82599's 6.4 ns clock cycle (64 ticks)
 * are exact. Three modes:
 *   step (the default): time moves only forward, to the events the models process (a frame
 *     starts on a wire, a frame arrives) or by sim_clock_reach(): deterministic;
 *   real time (once any model thread runs): time is CLOCK_MONOTONIC, so processes on one host
 *     agree, and models wait for an event's time before processing it;
 *   manual (sim_clock_set(), for tests): time is what was last set, and models wait for it as in
 *     real time.
 * Independent of the 82599. */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_TICKS_PER_NS 10u
#define SIM_PS_PER_TICK 100u

enum sim_clock_mode { SIM_CLOCK_STEP, SIM_CLOCK_REALTIME, SIM_CLOCK_MANUAL };

struct sim_clock {
	_Atomic uint64_t now;   /* ticks */
	_Atomic int mode;       /* enum sim_clock_mode */
	int64_t wall_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC when the clock was made */
};

/* A new clock (zeroed memory): step mode at 0; notes the wall clock's offset, so that every port
 * of a process turns model time into wall-clock time (capture files) alike. */
void sim_clock_init(struct sim_clock *c);
/* Model time t (ticks, real-time scale) as wall-clock ns since the epoch, truncated. */
static inline uint64_t sim_clock_wall_ns(const struct sim_clock *c, uint64_t t)
{
	return (uint64_t)((int64_t)(t / SIM_TICKS_PER_NS) + c->wall_offset_ns);
}

/* The current time (in real-time mode: read from CLOCK_MONOTONIC, never going back). */
uint64_t sim_clock_now(struct sim_clock *c);
/* Moves time forward to t (no-op if it is already later). Returns the new time. */
uint64_t sim_clock_reach(struct sim_clock *c, uint64_t t);
/* From now on time is real time (unless it is manual). */
void sim_clock_realtime(struct sim_clock *c);
/* From now on time is manual, and now t (it may go back: a test starting over). */
void sim_clock_set(struct sim_clock *c, uint64_t t);
/* Does time move only to the events processed (step mode)? */
static inline bool sim_clock_stepped(struct sim_clock *c)
{
	return atomic_load_explicit(&c->mode, memory_order_relaxed) == SIM_CLOCK_STEP;
}

#endif
