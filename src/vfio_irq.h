/* MSI-X vectors of a VFIO device routed to eventfds (VFIO_DEVICE_SET_IRQS; kernel documentation
 * Documentation/driver-api/vfio.rst). Takes the device fd the VFIO platform opened
 * (VFIO_GROUP_GET_DEVICE_FD) and the ioctl to use (the kernel's, or a test's fake). */
#ifndef IXY_VFIO_IRQ_H
#define IXY_VFIO_IRQ_H

#include <stdint.h>

/* Routes MSI-X vectors 0..count-1 to eventfds[0..count-1]: each interrupt adds 1 to its eventfd.
 * Checks first that the device has that many MSI-X vectors with eventfd support
 * (VFIO_DEVICE_GET_IRQ_INFO). Returns 0, or -1 with the error set (naming `name`). */
typedef int (*vfio_ioctl_fn)(int fd, unsigned long request, void *arg);
int vfio_irq_route_msix(vfio_ioctl_fn do_ioctl, int device_fd, const int *eventfds, uint32_t count,
                        const char *name);
/* Undoes vfio_irq_route_msix(): MSI-X off, the eventfds released by the kernel. */
int vfio_irq_unroute_msix(vfio_ioctl_fn do_ioctl, int device_fd, const char *name);

#endif
