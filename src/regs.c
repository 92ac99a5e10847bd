/* Polling a register (see regs.h). */
#include "regs.h"

#include <unistd.h>

#include "deadline.h"

int reg_wait(const struct ixy_device *dev, uint32_t reg, uint32_t mask, uint32_t want, uint32_t timeout_ms)
{
	for (uint64_t end = deadline_in_ms(timeout_ms);;) {
		if ((reg_read(dev, reg) & mask) == want)
			return 0;
		if (deadline_passed(end))
			return (reg_read(dev, reg) & mask) == want ? 0 : -1;
		usleep(100);
	}
}
