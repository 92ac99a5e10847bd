/* VFIO platform (in progress). */
#include "device.h"
#include "log.h"

int platform_vfio_attach(struct ixy_device *dev, const char *root)
{
	(void)root;
	ixy_error("%s: VFIO is not supported yet", dev->name);
	return -1;
}
