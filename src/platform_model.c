/* The device-model platform: registers and DMA translation come from include/ixy/hw.h. A model
 * has no config space or BARs of its own; DMA memory is ordinary memory. */
#include "device.h"
#include "log.h"
#include "memory.h"

static int model_config_read(const struct ixy_device *dev, uint32_t off, void *buf, size_t len)
{
	(void)off;
	(void)buf;
	(void)len;
	ixy_error("%s is a device model: it has no PCI configuration space", dev->name);
	return -1;
}

static int model_config_write(const struct ixy_device *dev, uint32_t off, const void *buf, size_t len)
{
	return model_config_read(dev, off, (void *)buf, len);
}

static int no_bars(const struct ixy_device *dev)
{
	ixy_error("%s is a device model: its registers are reached through ixy_hw_ops", dev->name);
	return -1;
}

static int model_map_bar(const struct ixy_device *dev, unsigned bar, uint8_t **virt, size_t *len)
{
	(void)bar;
	(void)virt;
	(void)len;
	return no_bars(dev);
}

static int model_io_read(const struct ixy_device *dev, unsigned bar, uint32_t off, void *buf, size_t len)
{
	(void)bar;
	(void)off;
	(void)buf;
	(void)len;
	return no_bars(dev);
}

static int model_io_write(const struct ixy_device *dev, unsigned bar, uint32_t off, const void *buf,
                          size_t len)
{
	return model_io_read(dev, bar, off, (void *)buf, len);
}

static uint64_t model_dma_map(const struct ixy_device *dev, void *virt, size_t len)
{
	uint64_t bus = dev->hw->dma_map(dev->hw->ctx, virt, len);
	if (bus == 0)
		ixy_error("no bus address for DMA memory at %p: the device model refused it", virt);
	return bus;
}

static int model_take(struct ixy_device *dev)
{
	(void)dev;
	return 0;
}

static void model_close(struct ixy_device *dev)
{
	(void)dev;
}

const struct platform_ops platform_model = {
    .name = "model",
    .config_read = model_config_read,
    .config_write = model_config_write,
    .take = model_take,
    .map_bar = model_map_bar,
    .io_read = model_io_read,
    .io_write = model_io_write,
    .dma_map = model_dma_map,
    .close = model_close,
    .dma_max = DMA_MAX_SIZE,
    .dma_plain_memory = true,
};

void platform_model_attach(struct ixy_device *dev)
{
	dev->platform = &platform_model;
}
