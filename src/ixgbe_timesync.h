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

/* What ixgbe.c's timing calls do; the device's state and link speed come from there, so this
 * file calls nothing above it. Each returns what the ixy_timesync_* / ixy_set_tx_rate() call of
 * the same purpose returns (ixy.h). */
int ixgbe_timesync_enable(struct ixy_device *dev, struct ixgbe_timesync *ts, uint32_t link_mbps);
/* false with ixy_last_error() set while the clock is off. */
bool ixgbe_timesync_on(struct ixy_device *dev, const struct ixgbe_timesync *ts);
uint64_t ixgbe_timesync_clock(struct ixy_device *dev, const struct ixgbe_timesync *ts);
bool ixgbe_timesync_tx(struct ixy_device *dev, const struct ixgbe_timesync *ts, uint64_t *ns);
bool ixgbe_timesync_rx(struct ixy_device *dev, const struct ixgbe_timesync *ts, uint64_t *ns,
                       uint16_t *ptp_seq);
int ixgbe_set_queue_rate(struct ixy_device *dev, uint16_t queue, uint64_t bits_per_s, uint32_t link_mbps);

#endif
