/* The VFIO platform's kernel interface as a table, so tests can put a fake kernel behind it
 * (tests/unit/test_vfio.c); the library always uses vfio_kernel. */
#ifndef IXY_PLATFORM_VFIO_H
#define IXY_PLATFORM_VFIO_H

#include <stddef.h>
#include <sys/types.h>

struct ixy_device;

struct vfio_sys {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long request, void *arg);
	ssize_t (*pread)(int fd, void *buf, size_t len, off_t off);
	ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
};

extern const struct vfio_sys vfio_kernel;

/* platform_vfio_attach() with the VFIO device nodes in `dev_dir` (normally /dev/vfio) and the
 * kernel interface `sys`. All devices of a process share one container: a pool allocated for one
 * port is mapped for every port (ixy-fwd forwards one port's buffers out of the other). */
int platform_vfio_attach_with(struct ixy_device *dev, const char *sysfs_root, const char *dev_dir,
                              const struct vfio_sys *sys);

/* The IOVA at which the next DMA region will be mapped (tests check the allocator). */
unsigned long long vfio_next_iova(void);

#endif
