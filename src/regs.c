/* Polling a register (see regs.h). */
#include "regs.h"

#include <time.h>
#include <unistd.h>

int reg_wait(const struct ixy_device *dev, uint32_t reg, uint32_t mask, uint32_t want, uint32_t timeout_ms)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if ((reg_read(dev, reg) & mask) == want)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms > timeout_ms)
			return (reg_read(dev, reg) & mask) == want ? 0 : -1;
		usleep(100);
	}
}
