/* The one way the library waits: a deadline on CLOCK_MONOTONIC, so a wait ends when its time is
 * up however long each poll or sleep took (counting sleeps overshoots: a "1 s" wait took 1.7 s).
 *
 *     uint64_t end = deadline_in_ms(timeout_ms);
 *     while (!done()) { if (deadline_passed(end)) return -1; usleep(100); }
 */
#ifndef IXY_DEADLINE_H
#define IXY_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t deadline_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The deadline `timeout_ns` after `now_ns`; saturates instead of wrapping around. */
static inline uint64_t deadline_after(uint64_t now_ns, uint64_t timeout_ns)
{
	return timeout_ns > UINT64_MAX - now_ns ? UINT64_MAX : now_ns + timeout_ns;
}

static inline uint64_t deadline_in_ms(uint32_t timeout_ms)
{
	return deadline_after(deadline_now_ns(), (uint64_t)timeout_ms * 1000000u);
}

static inline uint64_t deadline_in_us(uint32_t timeout_us)
{
	return deadline_after(deadline_now_ns(), (uint64_t)timeout_us * 1000u);
}

/* True once CLOCK_MONOTONIC has reached `deadline`. */
static inline bool deadline_passed(uint64_t deadline)
{
	return deadline_now_ns() >= deadline;
}

#endif
