/* The legacy virtio PCI interface (virtio 1.1 4.1.4.8): a register block in I/O BAR 0, reached
 * with pread/pwrite of the access's width on sysfs resource0 (the kernel turns each into one
 * in/out instruction), or through the device model's bar_read/bar_write. */
#include <unistd.h>

#include "log.h"
#include "virtio.h"

static uint32_t io_read(struct ixy_device *dev, uint32_t reg, uint8_t width)
{
	if (dev->hw)
		return dev->hw->bar_read(dev->hw->ctx, 0, reg, width);
	uint32_t v = 0;
	if (dev->platform->io_read(dev, 0, reg, &v, width) < 0)
		return UINT32_MAX; /* reads as a device that is gone */
	return v;
}

static void io_write(struct ixy_device *dev, uint32_t reg, uint8_t width, uint32_t value)
{
	if (dev->hw) {
		dev->hw->bar_write(dev->hw->ctx, 0, reg, width, value);
		return;
	}
	if (dev->platform->io_write(dev, 0, reg, &value, width) < 0)
		return; /* the status read-back after each step reports a device that does not answer */
}

static uint8_t legacy_get_status(struct ixy_device *dev)
{
	return (uint8_t)io_read(dev, VIO_REG_DEVICE_STATUS, 1);
}

static void legacy_set_status(struct ixy_device *dev, uint8_t status)
{
	io_write(dev, VIO_REG_DEVICE_STATUS, 1, status);
}

static uint64_t legacy_get_features(struct ixy_device *dev)
{
	return io_read(dev, VIO_REG_DEVICE_FEATURES, 4); /* bits 0..31 only (6.3) */
}

static void legacy_set_features(struct ixy_device *dev, uint64_t features)
{
	io_write(dev, VIO_REG_DRIVER_FEATURES, 4, (uint32_t)features);
}

static uint16_t legacy_queue_max(struct ixy_device *dev, uint16_t index)
{
	io_write(dev, VIO_REG_QUEUE_SELECT, 2, index);
	return (uint16_t)io_read(dev, VIO_REG_QUEUE_SIZE, 2);
}

/* The queue's page number (4.1.4.8: QUEUE_PFN); the layout is fixed (2.6.2). */
static int legacy_queue_enable(struct ixy_device *dev, struct vio_queue *q)
{
	if (q->desc_bus % VIO_LEGACY_ALIGN || q->desc_bus / VIO_LEGACY_ALIGN > UINT32_MAX) {
		ixy_error("%s: DMA memory at bus address 0x%llx is beyond what the legacy virtio queue "
		          "register (32-bit page number) can address",
		          dev->name, (unsigned long long)q->desc_bus);
		return -1;
	}
	io_write(dev, VIO_REG_QUEUE_SELECT, 2, q->index);
	io_write(dev, VIO_REG_QUEUE_PFN, 4, (uint32_t)(q->desc_bus / VIO_LEGACY_ALIGN));
	return 0;
}

static void legacy_notify(struct ixy_device *dev, const struct vio_queue *q)
{
	io_write(dev, VIO_REG_QUEUE_NOTIFY, 2, q->index);
}

static void legacy_config_read(struct ixy_device *dev, uint32_t off, void *buf, uint32_t len)
{
	uint8_t *p = buf;
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)io_read(dev, VIO_REG_CONFIG + off + i, 1);
}

static void legacy_config_write8(struct ixy_device *dev, uint32_t off, uint8_t value)
{
	io_write(dev, VIO_REG_CONFIG + off, 1, value);
}

const struct vio_transport vio_legacy_transport = {
    .name = "legacy",
    .get_status = legacy_get_status,
    .set_status = legacy_set_status,
    .get_features = legacy_get_features,
    .set_features = legacy_set_features,
    .queue_max = legacy_queue_max,
    .size_choice = false,
    .queue_enable = legacy_queue_enable,
    .notify = legacy_notify,
    .config_read = legacy_config_read,
    .config_write8 = legacy_config_write8,
};
