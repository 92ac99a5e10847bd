/* vfio_irq.c without a VFIO device: a file that is not one is refused with a message that names
 * the problem, and nothing else happens. (Routing real vectors needs a VFIO device: the QEMU guest.) */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "check.h"
#include "ixy/ixy.h"
#include "vfio_irq.h"

static int kernel_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

int main(void)
{
	int fd = open("/dev/null", O_RDWR);
	CHECK(fd >= 0);
	int efd[2] = {-1, -1};
	CHECK(vfio_irq_route_msix(kernel_ioctl, fd, efd, 2, "test") == -1);
	CHECK(strstr(ixy_last_error(), "VFIO_DEVICE_GET_IRQ_INFO") && strstr(ixy_last_error(), "vfio-pci"));
	CHECK(vfio_irq_unroute_msix(kernel_ioctl, fd, "test") == -1);
	CHECK(strstr(ixy_last_error(), "VFIO_DEVICE_SET_IRQS"));
	close(fd);
	return 0;
}
