/* The VFIO platform (Linux Documentation/driver-api/vfio.rst): the device is bound to vfio-pci,
 * the IOMMU confines its DMA to the regions this process maps, and no root is needed once the
 * group's device node belongs to the user (setup-vfio.sh). Config space and BARs are regions of
 * the device file descriptor; DMA regions are mapped at IOVAs the library chooses. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "device.h"
#include "log.h"
#include "memory.h"
#include "pci.h"
#include "platform_vfio.h"

#define VFIO_BAR_REGIONS 6
#define IOVA_ALIGN HUGEPAGE_SIZE  /* every region starts on a 2 MiB IOVA: large IOMMU pages */
#define IOVA_FIRST (1ull << 32)   /* above the x86 MSI window at 0xfee00000 */
#define VFIO_DMA_MAX (1ull << 30) /* one allocation: contiguous in IOVA space */

static int sys_open(const char *path, int flags)
{
	return open(path, flags | O_CLOEXEC);
}

static int sys_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

const struct vfio_sys vfio_kernel = {
    .open = sys_open, .close = close, .ioctl = sys_ioctl, .pread = pread, .pwrite = pwrite, .mmap = mmap};

/* The process's one container: its IOMMU context. It lives while a device or a mapped DMA region
 * uses it, so a pool that outlives its device is still unmapped properly. */
struct vfio_container {
	struct dma_owner owner; /* first: dma_free() hands it back */
	const struct vfio_sys *sys;
	int fd;
	unsigned users; /* open devices plus mapped regions */
	uint64_t next_iova;
	uint64_t iova_end; /* end of the usable IOVA range (exclusive) */
};

static pthread_mutex_t container_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vfio_container *container; /* process-wide, not per device */

struct vfio_ctx {
	struct vfio_container *container;
	int group;  /* /dev/vfio/N */
	int device; /* from VFIO_GROUP_GET_DEVICE_FD; -1 until taken */
	int group_no;
	uint64_t config_off; /* offset of the config space region in the device fd */
	uint8_t *bar[VFIO_BAR_REGIONS];
	size_t bar_len[VFIO_BAR_REGIONS];
};

unsigned long long vfio_next_iova(void)
{
	pthread_mutex_lock(&container_lock);
	unsigned long long next = container ? container->next_iova : IOVA_FIRST;
	pthread_mutex_unlock(&container_lock);
	return next;
}

static void container_put_locked(struct vfio_container *c)
{
	if (--c->users)
		return;
	c->sys->close(c->fd);
	if (container == c)
		container = NULL;
	free(c);
}

static void container_unmap(struct dma_owner *owner, uint64_t iova, size_t len)
{
	struct vfio_container *c = (struct vfio_container *)owner;
	struct vfio_iommu_type1_dma_unmap unmap = {.argsz = sizeof(unmap), .iova = iova, .size = len};
	pthread_mutex_lock(&container_lock);
	if (c->sys->ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0)
		ixy_warn("VFIO could not unmap the DMA region at IOVA 0x%llx: %s", (unsigned long long)iova,
		         strerror(errno));
	container_put_locked(c);
	pthread_mutex_unlock(&container_lock);
}

/* The usable IOVA window: the first range of the IOMMU's IOVA_RANGE capability that holds at
 * least 1 GiB above IOVA_FIRST (vfio.h), or everything from IOVA_FIRST on without the capability. */
static void choose_iova_window(struct vfio_container *c)
{
	c->next_iova = IOVA_FIRST;
	c->iova_end = 1ull << 39; /* every IOMMU of the last decade has at least 39 address bits */
	uint8_t buf[4096] __attribute__((aligned(8))) = {0};
	struct vfio_iommu_type1_info *info = (struct vfio_iommu_type1_info *)buf;
	info->argsz = sizeof(buf);
	if (c->sys->ioctl(c->fd, VFIO_IOMMU_GET_INFO, info) < 0 || !(info->flags & VFIO_IOMMU_INFO_CAPS) ||
	    info->argsz > sizeof(buf))
		return;
	for (uint32_t off = info->cap_offset;
	     off && off + sizeof(struct vfio_info_cap_header) <= sizeof(buf);) {
		struct vfio_info_cap_header *h = (struct vfio_info_cap_header *)(buf + off);
		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *r = (void *)h;
			for (uint32_t i = 0;
			     i < r->nr_iovas &&
			     off + sizeof(*r) + (i + 1) * sizeof(r->iova_ranges[0]) <= sizeof(buf);
			     i++) {
				uint64_t start = r->iova_ranges[i].start < IOVA_FIRST
				                     ? IOVA_FIRST
				                     : r->iova_ranges[i].start;
				start = (start + IOVA_ALIGN - 1) & ~(uint64_t)(IOVA_ALIGN - 1);
				uint64_t end = r->iova_ranges[i].end; /* inclusive */
				if (end > start && end - start >= VFIO_DMA_MAX) {
					c->next_iova = start;
					c->iova_end = end + 1 == 0 ? end : end + 1;
					return;
				}
			}
			c->iova_end = 0; /* no usable range: every map fails with a clear error */
			return;
		}
		if (h->next <= off)
			break;
		off = h->next;
	}
}

/* A new container with the type1 IOMMU, once the first group is in it. */
static struct vfio_container *container_new(const char *dev_dir, const struct vfio_sys *sys)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/vfio", dev_dir);
	int fd = sys->open(path, O_RDWR);
	if (fd < 0) {
		if (errno == ENOENT)
			ixy_error(
			    "%s is missing: the VFIO driver is not loaded. Run 'sudo modprobe vfio-pci' "
			    "(setup-vfio.sh does)",
			    path);
		else
			ixy_error("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (sys->ioctl(fd, VFIO_GET_API_VERSION, NULL) != VFIO_API_VERSION ||
	    (sys->ioctl(fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) <= 0 &&
	     sys->ioctl(fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1_IOMMU) <= 0)) {
		ixy_error("the kernel's VFIO (%s) offers no type1 IOMMU: enable the IOMMU (intel_iommu=on "
		          "or amd_iommu=on on the kernel command line) and load vfio_iommu_type1",
		          path);
		sys->close(fd);
		return NULL;
	}
	struct vfio_container *c = calloc(1, sizeof(*c));
	if (!c) {
		ixy_error("out of memory");
		sys->close(fd);
		return NULL;
	}
	c->owner.unmap = container_unmap;
	c->sys = sys;
	c->fd = fd;
	return c;
}

/* Names the devices of IOMMU group `group` still bound to a kernel driver other than vfio-pci. */
static void list_group_blockers(const char *root, int group, char *out, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices", root, group);
	out[0] = '\0';
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	size_t used = 0;
	while ((e = readdir(d))) {
		char driver[64];
		if (e->d_name[0] == '.' || pci_driver_name(root, e->d_name, driver, sizeof(driver)) < 0 ||
		    !driver[0] || !strcmp(driver, "vfio-pci"))
			continue;
		int n = snprintf(out + used, len - used, "%s%s (%s)", used ? ", " : "", e->d_name, driver);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	closedir(d);
}

static int open_group(struct ixy_device *dev, struct vfio_ctx *x, const char *root, const char *dev_dir,
                      const struct vfio_sys *sys)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%d", dev_dir, x->group_no);
	x->group = sys->open(path, O_RDWR);
	if (x->group < 0) {
		if (errno == EACCES || errno == EPERM) {
			struct passwd *pw = getpwuid(geteuid());
			ixy_error("no permission on %s (IOMMU group of %s): run 'sudo ./setup-vfio.sh %s %s' "
			          "to hand the group to this user",
			          path, dev->name, dev->name, pw ? pw->pw_name : "$USER");
		} else if (errno == EBUSY)
			ixy_error("%s is busy: another process (another libixy program, QEMU) has IOMMU "
			          "group %d of %s open",
			          path, x->group_no, dev->name);
		else if (errno == ENOENT)
			ixy_error("%s is missing although %s is bound to vfio-pci: check 'ls -l /dev/vfio' "
			          "and run 'sudo ./setup-vfio.sh %s'",
			          path, dev->name, dev->name);
		else
			ixy_error("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	struct vfio_group_status status = {.argsz = sizeof(status)};
	if (sys->ioctl(x->group, VFIO_GROUP_GET_STATUS, &status) < 0) {
		ixy_error("VFIO_GROUP_GET_STATUS on %s failed: %s", path, strerror(errno));
		return -1;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		char blockers[512];
		list_group_blockers(root, x->group_no, blockers, sizeof(blockers));
		ixy_error("IOMMU group %d of %s is not viable: every device of the group must be bound to "
		          "vfio-pci (or to no driver), but a kernel driver holds %s. Run setup-vfio.sh for "
		          "each of them, or put the NIC in a slot with its own group",
		          x->group_no, dev->name, blockers[0] ? blockers : "another device of it");
		return -1;
	}
	return 0;
}

/* Puts the group into the process's container (made on first use, then the IOMMU set). */
static int join_container(struct ixy_device *dev, struct vfio_ctx *x, const char *dev_dir,
                          const struct vfio_sys *sys)
{
	pthread_mutex_lock(&container_lock);
	struct vfio_container *c = container;
	bool fresh = !c;
	if (fresh && !(c = container_new(dev_dir, sys)))
		goto fail;
	if (c->sys != sys) {
		ixy_error("%s: all VFIO devices of a process share one container and kernel interface",
		          dev->name);
		goto fail;
	}
	if (sys->ioctl(x->group, VFIO_GROUP_SET_CONTAINER, &c->fd) < 0) {
		ixy_error("cannot add IOMMU group %d of %s to the VFIO container: %s", x->group_no, dev->name,
		          strerror(errno));
		goto fail;
	}
	if (fresh) {
		int type = sys->ioctl(c->fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) > 0
		               ? VFIO_TYPE1v2_IOMMU
		               : VFIO_TYPE1_IOMMU;
		if (sys->ioctl(c->fd, VFIO_SET_IOMMU, (void *)(uintptr_t)type) < 0) {
			ixy_error("cannot set the type1 IOMMU for %s: %s", dev->name, strerror(errno));
			goto fail;
		}
		choose_iova_window(c);
		container = c;
	}
	c->users++;
	x->container = c;
	pthread_mutex_unlock(&container_lock);
	return 0;
fail:
	if (fresh && c) {
		sys->close(c->fd);
		free(c);
	}
	pthread_mutex_unlock(&container_lock);
	return -1;
}

static const struct vfio_sys *sys_of(const struct ixy_device *dev)
{
	return ((struct vfio_ctx *)dev->platform_ctx)->container->sys;
}

static int region_info(const struct ixy_device *dev, unsigned index, struct vfio_region_info *info)
{
	struct vfio_ctx *x = dev->platform_ctx;
	*info = (struct vfio_region_info){.argsz = sizeof(*info), .index = index};
	if (sys_of(dev)->ioctl(x->device, VFIO_DEVICE_GET_REGION_INFO, info) < 0) {
		ixy_error("%s: VFIO has no region %u: %s", dev->name, index, strerror(errno));
		return -1;
	}
	return 0;
}

static int vfio_take(struct ixy_device *dev)
{
	struct vfio_ctx *x = dev->platform_ctx;
	const struct vfio_sys *sys = sys_of(dev);
	x->device = sys->ioctl(x->group, VFIO_GROUP_GET_DEVICE_FD, dev->name);
	if (x->device < 0) {
		ixy_error("VFIO would not hand out %s from IOMMU group %d: %s", dev->name, x->group_no,
		          strerror(errno));
		return -1;
	}
	struct vfio_device_info info = {.argsz = sizeof(info)};
	if (sys->ioctl(x->device, VFIO_DEVICE_GET_INFO, &info) < 0 || !(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		ixy_error("%s: VFIO does not describe it as a PCI device with a config space region",
		          dev->name);
		return -1;
	}
	struct vfio_region_info cfg;
	if (region_info(dev, VFIO_PCI_CONFIG_REGION_INDEX, &cfg) < 0)
		return -1;
	x->config_off = cfg.offset;
	return 0;
}

static int vfio_config_access(const struct ixy_device *dev, uint32_t off, void *buf, size_t len, bool write)
{
	struct vfio_ctx *x = dev->platform_ctx;
	const struct vfio_sys *sys = sys_of(dev);
	off_t at = (off_t)(x->config_off + off);
	ssize_t n = write ? sys->pwrite(x->device, buf, len, at) : sys->pread(x->device, buf, len, at);
	if (n != (ssize_t)len) {
		ixy_error("%s: cannot %s config space at 0x%x through VFIO: %s", dev->name,
		          write ? "write" : "read", off, n < 0 ? strerror(errno) : "short access");
		return -1;
	}
	return 0;
}

static int vfio_config_read(const struct ixy_device *dev, uint32_t off, void *buf, size_t len)
{
	return vfio_config_access(dev, off, buf, len, false);
}

static int vfio_config_write(const struct ixy_device *dev, uint32_t off, const void *buf, size_t len)
{
	return vfio_config_access(dev, off, (void *)buf, len, true);
}

static int vfio_map_bar(const struct ixy_device *dev, unsigned bar, uint8_t **virt, size_t *len)
{
	struct vfio_ctx *x = dev->platform_ctx;
	struct vfio_region_info r;
	if (bar >= VFIO_BAR_REGIONS || region_info(dev, bar, &r) < 0)
		return -1;
	if (!r.size || !(r.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		ixy_error("%s: BAR%u cannot be mapped through VFIO (%s)", dev->name, bar,
		          r.size ? "the region does not allow mmap" : "it does not exist");
		return -1;
	}
	void *p =
	    sys_of(dev)->mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, x->device, (off_t)r.offset);
	if (p == MAP_FAILED) {
		ixy_error("%s: cannot mmap BAR%u through VFIO: %s", dev->name, bar, strerror(errno));
		return -1;
	}
	x->bar[bar] = p;
	x->bar_len[bar] = r.size;
	*virt = p;
	*len = r.size;
	return 0;
}

static int vfio_io_access(const struct ixy_device *dev, unsigned bar, uint32_t off, void *buf, size_t len,
                          bool write)
{
	struct vfio_ctx *x = dev->platform_ctx;
	struct vfio_region_info r;
	if (bar >= VFIO_BAR_REGIONS || region_info(dev, bar, &r) < 0 || off + len > r.size)
		return -1;
	const struct vfio_sys *sys = sys_of(dev);
	off_t at = (off_t)(r.offset + off);
	ssize_t n = write ? sys->pwrite(x->device, buf, len, at) : sys->pread(x->device, buf, len, at);
	return n == (ssize_t)len ? 0 : -1;
}

static int vfio_io_read(const struct ixy_device *dev, unsigned bar, uint32_t off, void *buf, size_t len)
{
	return vfio_io_access(dev, bar, off, buf, len, false);
}

static int vfio_io_write(const struct ixy_device *dev, unsigned bar, uint32_t off, const void *buf,
                         size_t len)
{
	return vfio_io_access(dev, bar, off, (void *)buf, len, true);
}

/* Maps [virt, virt + len) at the next free IOVA; the IOMMU pins the pages (charged to
 * RLIMIT_MEMLOCK unless the process has CAP_IPC_LOCK). */
static uint64_t vfio_dma_map(const struct ixy_device *dev, void *virt, size_t len)
{
	struct vfio_container *c = ((struct vfio_ctx *)dev->platform_ctx)->container;
	pthread_mutex_lock(&container_lock);
	uint64_t iova = c->next_iova;
	uint64_t size = ((uint64_t)len + IOVA_ALIGN - 1) & ~(uint64_t)(IOVA_ALIGN - 1);
	if (iova >= c->iova_end || c->iova_end - iova < size) {
		pthread_mutex_unlock(&container_lock);
		ixy_error("%s: the IOMMU has no IOVA space left for %zu more bytes of DMA memory", dev->name,
		          len);
		return 0;
	}
	struct vfio_iommu_type1_dma_map map = {.argsz = sizeof(map),
	                                       .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	                                       .vaddr = (uint64_t)(uintptr_t)virt,
	                                       .iova = iova,
	                                       .size = len};
	if (c->sys->ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map) < 0) {
		int err = errno;
		pthread_mutex_unlock(&container_lock);
		if (err == ENOMEM)
			ixy_error(
			    "%s: VFIO cannot pin %zu more bytes of DMA memory: the locked-memory limit "
			    "(RLIMIT_MEMLOCK, 'ulimit -l') is too low. Raise it (e.g. 'ulimit -l unlimited' "
			    "as root before dropping privileges, or memlock in "
			    "/etc/security/limits.conf)",
			    dev->name, len);
		else
			ixy_error("%s: VFIO_IOMMU_MAP_DMA of %zu bytes failed: %s", dev->name, len,
			          strerror(err));
		return 0;
	}
	c->next_iova = iova + size;
	c->users++;
	pthread_mutex_unlock(&container_lock);
	return iova;
}

static void vfio_close(struct ixy_device *dev)
{
	struct vfio_ctx *x = dev->platform_ctx;
	if (!x)
		return;
	const struct vfio_sys *sys = x->container ? x->container->sys : NULL;
	for (unsigned i = 0; i < VFIO_BAR_REGIONS; i++) {
		if (x->bar[i])
			munmap(x->bar[i], x->bar_len[i]);
	}
	if (sys && x->device >= 0)
		sys->close(x->device);
	if (x->container) {
		pthread_mutex_lock(&container_lock);
		sys->ioctl(x->group, VFIO_GROUP_UNSET_CONTAINER, NULL);
		container_put_locked(x->container);
		pthread_mutex_unlock(&container_lock);
	}
	if (x->group >= 0 && sys)
		sys->close(x->group);
	free(x);
	dev->platform_ctx = NULL;
	dev->dma_owner = NULL;
}

const struct platform_ops platform_vfio = {
    .name = "vfio",
    .config_read = vfio_config_read,
    .config_write = vfio_config_write,
    .take = vfio_take,
    .map_bar = vfio_map_bar,
    .io_read = vfio_io_read,
    .io_write = vfio_io_write,
    .dma_map = vfio_dma_map,
    .close = vfio_close,
    .dma_max = VFIO_DMA_MAX,
};

int platform_vfio_attach_with(struct ixy_device *dev, const char *root, const char *dev_dir,
                              const struct vfio_sys *sys)
{
	char driver[64];
	if (pci_driver_name(root, dev->name, driver, sizeof(driver)) < 0)
		return -1;
	if (strcmp(driver, "vfio-pci") != 0) {
		ixy_error("%s is %s%s, not to vfio-pci: run 'sudo ./setup-vfio.sh %s [user]' to bind it (or "
		          "open it through sysfs as root)",
		          dev->name, driver[0] ? "bound to " : "bound to no driver", driver, dev->name);
		return -1;
	}
	int group = pci_iommu_group(root, dev->name);
	if (group < 0)
		return -1;
	struct vfio_ctx *x = calloc(1, sizeof(*x));
	if (!x) {
		ixy_error("out of memory");
		return -1;
	}
	x->group = -1;
	x->device = -1;
	x->group_no = group;
	dev->platform = &platform_vfio;
	dev->platform_ctx = x;
	if (open_group(dev, x, root, dev_dir, sys) < 0 || join_container(dev, x, dev_dir, sys) < 0) {
		if (x->group >= 0)
			sys->close(x->group);
		x->group = -1;
		return -1; /* ixy_open() frees x through vfio_close() */
	}
	dev->dma_owner = &x->container->owner;
	return 0;
}

int platform_vfio_attach(struct ixy_device *dev, const char *root)
{
	/* A fake sysfs tree brings its own device nodes: never the host's /dev/vfio. */
	char dev_dir[PATH_MAX];
	if (strcmp(root, "/sys") == 0)
		snprintf(dev_dir, sizeof(dev_dir), "/dev/vfio");
	else if (snprintf(dev_dir, sizeof(dev_dir), "%s/dev/vfio", root) >= (int)sizeof(dev_dir)) {
		ixy_error("sysfs path too long: '%s'", root);
		return -1;
	}
	return platform_vfio_attach_with(dev, root, dev_dir, &vfio_kernel);
}
