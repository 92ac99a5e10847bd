/* What every platform shares. */
#include "device.h"

/* PCI Local Bus 3.0, 6.2.2 (82599 DS 9.3.3.3): the command register. */
#define PCI_CFG_COMMAND 0x04
#define PCI_COMMAND_IO (1u << 0)     /* I/O Space Enable: an I/O BAR decodes (virtio legacy) */
#define PCI_COMMAND_MEMORY (1u << 1) /* Memory Space Enable: memory BARs decode */
#define PCI_COMMAND_MASTER (1u << 2) /* Bus Master Enable: the device may DMA */

int platform_enable_dma(const struct ixy_device *dev, bool io_bar)
{
	uint16_t cmd;
	if (dev->platform->config_read(dev, PCI_CFG_COMMAND, &cmd, 2) < 0)
		return -1;
	cmd |= (uint16_t)((io_bar ? PCI_COMMAND_IO : 0) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return dev->platform->config_write(dev, PCI_CFG_COMMAND, &cmd, 2);
}
