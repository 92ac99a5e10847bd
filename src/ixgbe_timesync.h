/* The 82599's IEEE 1588 time-sync unit (DS 7.9) and per-queue transmit rate limiter (DS 7.7.2),
 * behind the timing calls of ixy.h. */
#ifndef IXY_IXGBE_TIMESYNC_H
#define IXY_IXGBE_TIMESYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"

struct ixgbe_timesync {
	uint32_t shift; /* ns = SYSTIM >> shift; 0 while the clock is off */
};

extern const struct ixy_timing_ops ixgbe_timing_ops;

/* In ixgbe.c: the device's time-sync state, and the stamped send. */
struct ixgbe_timesync *ixgbe_timesync_of(struct ixy_device *dev);
bool ixgbe_tx_stamped(struct ixy_device *dev, uint16_t queue, struct ixy_buf *buf);

#endif
