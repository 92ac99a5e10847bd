/* Register access for the drivers: seam 1 (a volatile 32-bit load/store on BAR0, or a device
 * model's callback), read-modify-write of bits, named fields (field_set, field_get), and polling. It sits below
 * device.c: the drivers call it, device.c only opens devices and picks their driver. */
#ifndef IXY_REGS_H
#define IXY_REGS_H

#include <stdint.h>

#include "device.h"

/* Seam 1: register access. A volatile 32-bit load/store on BAR0, or the model's callback.
 * The branch is taken the same way for the life of the device, so it predicts perfectly. */
static inline uint32_t reg_read(const struct ixy_device *dev, uint32_t reg)
{
	if (dev->hw)
		return dev->hw->read32(dev->hw->ctx, reg);
	return *(volatile uint32_t *)(dev->bar0 + reg);
}

static inline void reg_write(const struct ixy_device *dev, uint32_t reg, uint32_t value)
{
	if (dev->hw) {
		dev->hw->write32(dev->hw->ctx, reg, value);
		return;
	}
	*(volatile uint32_t *)(dev->bar0 + reg) = value;
}

static inline void reg_set_bits(const struct ixy_device *dev, uint32_t reg, uint32_t bits)
{
	reg_write(dev, reg, reg_read(dev, reg) | bits);
}

static inline void reg_clear_bits(const struct ixy_device *dev, uint32_t reg, uint32_t bits)
{
	reg_write(dev, reg, reg_read(dev, reg) & ~bits);
}

/* A multi-bit field of a register: bits shift .. shift + width - 1, named where the register is
 * defined (for example IXGBE_TXDCTL_PTHRESH). */
struct reg_field {
	uint8_t shift;
	uint8_t width;
};

static inline uint32_t field_mask(struct reg_field f)
{
	return (f.width >= 32 ? 0xFFFFFFFFu : (1u << f.width) - 1u) << f.shift;
}

/* value with field f replaced by x (x must fit the field). */
static inline uint32_t field_set(uint32_t value, struct reg_field f, uint32_t x)
{
	return (value & ~field_mask(f)) | ((x << f.shift) & field_mask(f));
}

static inline uint32_t field_get(uint32_t value, struct reg_field f)
{
	return (value & field_mask(f)) >> f.shift;
}

/* Polls `reg` every interval_us until (value & mask) == want or timeout_ms passes.
 * Returns 0, or -1 on timeout (the caller names the step that failed). */
int reg_wait(const struct ixy_device *dev, uint32_t reg, uint32_t mask, uint32_t want, uint32_t timeout_ms);

#endif
