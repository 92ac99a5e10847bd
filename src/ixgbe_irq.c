/* MSI-X interrupts of the 82599 (DS 7.3): RX queue q raises vector q. Every vector stays masked
 * except during an ixy_rx_wait(), and masks itself again when it fires, so a polling app sees
 * no interrupts and pays nothing for them. */
#include "ixgbe_irq.h"

#include "ixgbe_regs.h"

int ixgbe_irq_init(struct ixy_device *dev)
{
	if (irq_attach(dev, dev->rx_queues) < 0)
		return -1;
	if (dev->irq_vectors == 0)
		return 0; /* no interrupts on this device: waits sleep and poll */
	/* MSI-X mode, auto-mask on send, pending-bit array (DS 7.3.1, 8.2.3.5.17). */
	reg_write(dev, IXGBE_GPIE, IXGBE_GPIE_MSIX_MODE | IXGBE_GPIE_EIAME | IXGBE_GPIE_PBA_SUPPORT);
	uint32_t vectors = 0;
	for (uint16_t q = 0; q < dev->rx_queues; q++) {
		/* RX queue q raises vector q, with the entry's valid bit (DS 7.3.4, 8.2.3.5.15). */
		uint32_t ivar = reg_read(dev, IXGBE_IVAR(q / 2));
		reg_write(dev, IXGBE_IVAR(q / 2), field_set(ivar, IXGBE_IVAR_RX(q), IXGBE_IVAR_VALID | q));
		/* Moderation: the interval in 2 us units (DS 7.3.3, 8.2.3.5.12). */
		reg_write(dev, IXGBE_EITR(q), field_set(0, IXGBE_EITR_INTERVAL, dev->irq_throttle_us / 2u));
		vectors |= 1u << q;
	}
	/* The message clears its cause and masks its vector: the ISR needs no register access, and
	 * the next interrupt waits for the next ixy_rx_wait() (DS 8.2.3.5.5, 8.2.3.5.6). */
	reg_write(dev, IXGBE_EIAC, vectors);
	reg_write(dev, IXGBE_EIAM, vectors);
	return 0;
}

void ixgbe_irq_arm(struct ixy_device *dev, uint16_t queue)
{
	/* Drop a cause left from frames already received, then unmask (DS 8.2.3.5.1, 8.2.3.5.3); a
	 * frame racing with this is caught by the caller's look at the ring after arming. */
	reg_write(dev, IXGBE_EICR, 1u << queue);
	reg_write(dev, IXGBE_EIMS, 1u << queue);
}

void ixgbe_irq_disarm(struct ixy_device *dev, uint16_t queue)
{
	reg_write(dev, IXGBE_EIMC, 1u << queue); /* DS 8.2.3.5.4 */
}

void ixgbe_irq_close(struct ixy_device *dev)
{
	if (dev->irq_vectors)
		reg_write(dev, IXGBE_EIMC, IXGBE_EIMC_ALL);
	irq_detach(dev);
}
