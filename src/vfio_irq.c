/* MSI-X vectors of a VFIO device routed to eventfds, see vfio_irq.h. The interrupt setup of the
 * device itself (for the 82599: GPIE, IVAR, EIMS, DS 7.3) is the driver's; this only tells the
 * kernel where each vector's message goes. */
#include "vfio_irq.h"

#include <errno.h>
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MAX_VECTORS 2048u /* the PCI limit of an MSI-X table */

int vfio_irq_route_msix(vfio_ioctl_fn do_ioctl, int device_fd, const int *eventfds, uint32_t count,
                        const char *name)
{
	struct vfio_irq_info info = {.argsz = sizeof(info), .index = VFIO_PCI_MSIX_IRQ_INDEX};
	if (do_ioctl(device_fd, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0) {
		ixy_error("%s: VFIO_DEVICE_GET_IRQ_INFO (MSI-X) failed: %s; is the fd a VFIO device "
		          "(vfio-pci bound)?",
		          name, strerror(errno));
		return -1;
	}
	if (count == 0 || count > MAX_VECTORS || info.count < count ||
	    !(info.flags & VFIO_IRQ_INFO_EVENTFD)) {
		ixy_error("%s: %u MSI-X vectors needed, the device offers %u%s: use fewer RX queues", name,
		          count, info.count,
		          info.flags & VFIO_IRQ_INFO_EVENTFD ? "" : " without eventfd support");
		return -1;
	}
	/* The header is followed by one s32 eventfd per vector (DATA_EVENTFD). */
	size_t size = sizeof(struct vfio_irq_set) + count * sizeof(int32_t);
	struct vfio_irq_set *set = calloc(1, size);
	if (!set) {
		ixy_error("out of memory");
		return -1;
	}
	set->argsz = (uint32_t)size;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSIX_IRQ_INDEX;
	set->start = 0;
	set->count = count;
	for (uint32_t i = 0; i < count; i++) {
		int32_t fd = eventfds[i];
		memcpy(set->data + i * sizeof(fd), &fd, sizeof(fd));
	}
	int rc = do_ioctl(device_fd, VFIO_DEVICE_SET_IRQS, set);
	int err = errno;
	free(set);
	if (rc < 0) {
		ixy_error(
		    "%s: VFIO_DEVICE_SET_IRQS (MSI-X, %u vectors) failed: %s; check dmesg for the vfio-pci "
		    "message",
		    name, count, strerror(err));
		return -1;
	}
	return 0;
}

int vfio_irq_unroute_msix(vfio_ioctl_fn do_ioctl, int device_fd, const char *name)
{
	struct vfio_irq_set set = {.argsz = sizeof(set),
	                           .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
	                           .index = VFIO_PCI_MSIX_IRQ_INDEX,
	                           .start = 0,
	                           .count = 0};
	if (do_ioctl(device_fd, VFIO_DEVICE_SET_IRQS, &set) < 0) {
		ixy_error("%s: VFIO_DEVICE_SET_IRQS (MSI-X off) failed: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}
