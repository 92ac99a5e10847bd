/* The sysfs platform: config space and BARs through /sys/bus/pci/devices/ADDR/{config,
 * resourceN}, bus addresses from /proc/self/pagemap. Needs root for its whole setup, and the
 * device can reach any physical address: VFIO (platform_vfio.c) is the safer way. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device.h"
#include "log.h"
#include "memory.h"
#include "pci.h"

#define PCI_BARS 6

struct sysfs_ctx {
	const char *root;
	int io_fd[PCI_BARS]; /* resourceN opened for I/O-port access, or -1 */
	uint8_t *bar[PCI_BARS];
	size_t bar_len[PCI_BARS];
};

static int file_path(const struct ixy_device *dev, char *out, size_t len, const char *file)
{
	struct sysfs_ctx *c = dev->platform_ctx;
	return pci_path(out, len, c->root, dev->name, file);
}

static int resource_path(const struct ixy_device *dev, unsigned bar, char *out, size_t len)
{
	char file[16];
	snprintf(file, sizeof(file), "resource%u", bar);
	return file_path(dev, out, len, file);
}

static int config_access(const struct ixy_device *dev, uint32_t off, void *buf, size_t len, bool write)
{
	char path[PATH_MAX];
	if (file_path(dev, path, sizeof(path), "config") < 0)
		return -1;
	int fd = open(path, write ? O_RDWR : O_RDONLY);
	ssize_t n = -1;
	if (fd >= 0) {
		n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
		close(fd);
	}
	if (n != (ssize_t)len) {
		ixy_error("cannot %s %zu bytes at offset 0x%x of %s: %s (run as root)",
		          write ? "write" : "read", len, off, path, n < 0 ? strerror(errno) : "short");
		return -1;
	}
	return 0;
}

static int sysfs_config_read(const struct ixy_device *dev, uint32_t off, void *buf, size_t len)
{
	return config_access(dev, off, buf, len, false);
}

static int sysfs_config_write(const struct ixy_device *dev, uint32_t off, const void *buf, size_t len)
{
	return config_access(dev, off, (void *)buf, len, true);
}

static int sysfs_map_bar(const struct ixy_device *dev, unsigned bar, uint8_t **virt, size_t *len)
{
	struct sysfs_ctx *c = dev->platform_ctx;
	char path[PATH_MAX];
	if (bar >= PCI_BARS || resource_path(dev, bar, path, sizeof(path)) < 0)
		return -1;
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		ixy_error("cannot open %s: %s (run as root)", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		ixy_error("%s has no size: BAR%u of %s is not a memory BAR", path, bar, dev->name);
		close(fd);
		return -1;
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		ixy_error("cannot mmap %s: %s", path, strerror(errno));
		return -1;
	}
	c->bar[bar] = p;
	c->bar_len[bar] = (size_t)st.st_size;
	*virt = p;
	*len = (size_t)st.st_size;
	return 0;
}

/* The kernel turns a 1/2/4-byte pread/pwrite of an I/O resource file into one port access. */
static int io_fd(const struct ixy_device *dev, unsigned bar)
{
	struct sysfs_ctx *c = dev->platform_ctx;
	if (bar >= PCI_BARS)
		return -1;
	if (c->io_fd[bar] < 0) {
		char path[PATH_MAX];
		if (resource_path(dev, bar, path, sizeof(path)) < 0)
			return -1;
		c->io_fd[bar] = open(path, O_RDWR);
		if (c->io_fd[bar] < 0)
			ixy_error("cannot open %s: %s (run as root)", path, strerror(errno));
	}
	return c->io_fd[bar];
}

static int sysfs_io_read(const struct ixy_device *dev, unsigned bar, uint32_t off, void *buf, size_t len)
{
	int fd = io_fd(dev, bar);
	return fd >= 0 && pread(fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

static int sysfs_io_write(const struct ixy_device *dev, unsigned bar, uint32_t off, const void *buf,
                          size_t len)
{
	int fd = io_fd(dev, bar);
	return fd >= 0 && pwrite(fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

static uint64_t sysfs_dma_map(const struct ixy_device *dev, void *virt, size_t len)
{
	(void)dev;
	(void)len; /* one hugepage: physically contiguous */
	uint64_t bus = pagemap_virt_to_phys(virt);
	if (bus == 0)
		ixy_error("no bus address for DMA memory at %p: /proc/self/pagemap gave no frame number "
		          "(run as root, or use VFIO)",
		          virt);
	return bus;
}

static void sysfs_close(struct ixy_device *dev)
{
	struct sysfs_ctx *c = dev->platform_ctx;
	if (!c)
		return;
	for (unsigned i = 0; i < PCI_BARS; i++) {
		if (c->bar[i])
			munmap(c->bar[i], c->bar_len[i]);
		if (c->io_fd[i] >= 0)
			close(c->io_fd[i]);
	}
	free(c);
	dev->platform_ctx = NULL;
}

static int sysfs_take(struct ixy_device *dev)
{
	char path[PATH_MAX];
	if (file_path(dev, path, sizeof(path), "driver/unbind") < 0)
		return -1;
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* no driver bound */
		ixy_error("cannot unbind the kernel driver of %s (%s: %s): run as root", dev->name, path,
		          strerror(errno));
		return -1;
	}
	ssize_t n = write(fd, dev->name, strlen(dev->name));
	int err = errno;
	close(fd);
	if (n != (ssize_t)strlen(dev->name)) {
		ixy_error("unbinding the kernel driver of %s failed: %s", dev->name, strerror(err));
		return -1;
	}
	return 0;
}

const struct platform_ops platform_sysfs = {
    .name = "sysfs",
    .config_read = sysfs_config_read,
    .config_write = sysfs_config_write,
    .take = sysfs_take,
    .map_bar = sysfs_map_bar,
    .io_read = sysfs_io_read,
    .io_write = sysfs_io_write,
    .dma_map = sysfs_dma_map,
    .close = sysfs_close,
    .dma_max = DMA_MAX_SIZE,
    .dma_hugepages = true,
};

int platform_sysfs_attach(struct ixy_device *dev, const char *root)
{
	struct sysfs_ctx *c = calloc(1, sizeof(*c));
	if (!c) {
		ixy_error("out of memory");
		return -1;
	}
	c->root = root;
	for (unsigned i = 0; i < PCI_BARS; i++)
		c->io_fd[i] = -1;
	dev->platform = &platform_sysfs;
	dev->platform_ctx = c;
	return 0;
}
