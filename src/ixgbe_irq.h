/* MSI-X interrupts of the 82599 (DS 7.3), one vector per RX queue. */
#ifndef IXY_IXGBE_IRQ_H
#define IXY_IXGBE_IRQ_H

#include "device.h"

/* Programs GPIE, IVAR, EITR, EIAC and EIAM for RX queues 0..rx_queues-1 (vector q for queue q,
 * all masked) and attaches an eventfd per vector. Returns 0 or -1 with the error set. */
int ixgbe_irq_init(struct ixy_device *dev);
void ixgbe_irq_arm(struct ixy_device *dev, uint16_t queue);
void ixgbe_irq_disarm(struct ixy_device *dev, uint16_t queue);
/* Masks every vector and detaches the eventfds. */
void ixgbe_irq_close(struct ixy_device *dev);

#endif
