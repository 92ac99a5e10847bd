/* Model time, shared by the device models of one process (through their bus), in ticks of
 * 0.1 ns so that 10 Gbit/s byte times (8 ticks) and the 82599's 6.4 ns clock cycle (64 ticks)
 * are exact. Step mode (the default): time moves only forward, to the events the models process
 * (a frame starts on a wire, a frame arrives) or by sim_clock_advance(): deterministic. Real
 * time (once any model thread runs): time is CLOCK_MONOTONIC, so processes on one host agree,
 * and models wait for an event's time before processing it. Independent of the 82599. */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_TICKS_PER_NS 10u

struct sim_clock {
	_Atomic uint64_t now; /* ticks */
	atomic_bool realtime;
};

/* The current time (in real-time mode: read from CLOCK_MONOTONIC, never going back). */
uint64_t sim_clock_now(struct sim_clock *c);
/* Step mode: moves time forward to t (no-op if it is already later). Returns the new time. */
uint64_t sim_clock_reach(struct sim_clock *c, uint64_t t);
/* From now on time is real time. */
void sim_clock_realtime(struct sim_clock *c);

#endif
