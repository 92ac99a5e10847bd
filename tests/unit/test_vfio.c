/* The VFIO platform: every setup problem with its own message (fake sysfs trees through
 * ixy_open()), and the container, IOMMU mappings, regions and cleanup against a fake kernel behind
 * the platform's syscall table. Nothing here opens the host's /dev/vfio or any real device. */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "device.h"
#include "ixy/ixy.h"
#include "memory.h"
#include "platform_vfio.h"

static char root[256];

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	CHECK(system(cmd) == 0);
}

/* An 82599 at addr bound to `driver`, optionally in IOMMU group `group` (-1: no IOMMU). */
static void fake_device(const char *addr, const char *driver, int group)
{
	sh("set -e; d=%s/bus/pci/devices/%s; mkdir -p $d %s/bus/pci/drivers/%s; "
	   "ln -sfn ../../drivers/%s $d/driver; printf '\\206\\200\\373\\020' > $d/config; "
	   "head -c 60 /dev/zero >> $d/config; printf '\\002' | dd of=$d/config bs=1 seek=11 conv=notrunc "
	   "2>/dev/null; truncate -s 131072 $d/resource0",
	   root, addr, root, driver, driver);
	if (group >= 0)
		sh("set -e; mkdir -p %s/kernel/iommu_groups/%d/devices; ln -sfn "
		   "../../../kernel/iommu_groups/%d "
		   "%s/bus/pci/devices/%s/iommu_group; ln -sfn ../../../../bus/pci/devices/%s "
		   "%s/kernel/iommu_groups/%d/devices/%s",
		   root, group, group, root, addr, addr, root, group, addr);
}

static struct ixy_device *try_open(const char *addr, enum ixy_platform platform)
{
	struct ixy_options o = {.sysfs_root = root, .platform = platform, .link_timeout_ms = 1};
	return ixy_open(addr, &o);
}

static bool says(const char *what)
{
	if (strstr(ixy_last_error(), what))
		return true;
	fprintf(stderr, "expected '%s' in: %s\n", what, ixy_last_error());
	return false;
}

/* ---- a fake kernel ---- */
enum { FD_CONTAINER = 100, FD_GROUP = 200, FD_DEVICE = 300 };
static struct {
	bool viable;
	uint64_t memlock; /* bytes that may be pinned */
	uint64_t pinned;
	int open_fds;
	bool container_set, iommu_set;
	struct {
		uint64_t vaddr, iova, size;
	} maps[64];
	int nmaps;
	uint8_t config[256];
} k;

static int fake_open(const char *path, int flags)
{
	(void)flags;
	const char *base = strrchr(path, '/') + 1;
	k.open_fds++;
	return strcmp(base, "vfio") == 0 ? FD_CONTAINER : FD_GROUP + atoi(base);
}

static int fake_close(int fd)
{
	(void)fd;
	k.open_fds--;
	return 0;
}

#define CONFIG_OFF (7ull << 40)

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return (uintptr_t)arg == VFIO_TYPE1v2_IOMMU;
	case VFIO_GROUP_GET_STATUS:
		CHECK(fd > FD_GROUP && fd < FD_DEVICE);
		((struct vfio_group_status *)arg)->flags = k.viable ? VFIO_GROUP_FLAGS_VIABLE : 0;
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		CHECK(*(int *)arg == FD_CONTAINER);
		k.container_set = true;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		return 0;
	case VFIO_SET_IOMMU:
		CHECK(k.container_set && (uintptr_t)arg == VFIO_TYPE1v2_IOMMU); /* group first (vfio.rst) */
		k.iommu_set = true;
		return 0;
	case VFIO_IOMMU_GET_INFO: {
		struct vfio_iommu_type1_info *info = arg;
		uint32_t need = sizeof(*info) + sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
		                2 * sizeof(struct vfio_iova_range);
		CHECK(info->argsz >= need);
		info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
		info->cap_offset = sizeof(*info);
		struct vfio_iommu_type1_info_cap_iova_range *r = (void *)((uint8_t *)arg + sizeof(*info));
		r->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
		r->header.next = 0;
		r->nr_iovas = 2; /* as QEMU's intel-iommu reports them: below and above the MSI window */
		r->iova_ranges[0] = (struct vfio_iova_range){0, 0xfedfffff};
		r->iova_ranges[1] = (struct vfio_iova_range){0xfef00000, 0x7fffffffff};
		return 0;
	}
	case VFIO_IOMMU_MAP_DMA: {
		struct vfio_iommu_type1_dma_map *m = arg;
		CHECK(k.iommu_set && m->flags == (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
		if (k.pinned + m->size > k.memlock) {
			errno = ENOMEM;
			return -1;
		}
		k.pinned += m->size;
		k.maps[k.nmaps].vaddr = m->vaddr;
		k.maps[k.nmaps].iova = m->iova;
		k.maps[k.nmaps++].size = m->size;
		return 0;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfio_iommu_type1_dma_unmap *u = arg;
		for (int i = 0; i < k.nmaps; i++) {
			if (k.maps[i].iova == u->iova && k.maps[i].size == u->size) {
				k.pinned -= u->size;
				k.maps[i] = k.maps[--k.nmaps];
				return 0;
			}
		}
		errno = EINVAL;
		return -1;
	}
	case VFIO_GROUP_GET_DEVICE_FD:
		CHECK(strcmp(arg, "0000:05:00.0") == 0 && k.iommu_set);
		k.open_fds++;
		return FD_DEVICE;
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *i = arg;
		i->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		i->num_regions = VFIO_PCI_NUM_REGIONS;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO: {
		struct vfio_region_info *r = arg;
		r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		if (r->index == VFIO_PCI_CONFIG_REGION_INDEX) {
			r->offset = CONFIG_OFF;
			r->size = sizeof(k.config);
		} else if (r->index == 0) {
			r->offset = 0;
			r->size = 128 * 1024;
			r->flags |= VFIO_REGION_INFO_FLAG_MMAP;
		} else {
			r->size = 0;
		}
		return 0;
	}
	}
	errno = ENOTTY;
	return -1;
}

static ssize_t fake_pread(int fd, void *buf, size_t len, off_t off)
{
	CHECK(fd == FD_DEVICE && (uint64_t)off >= CONFIG_OFF && (uint64_t)off + len <= CONFIG_OFF + 256);
	memcpy(buf, k.config + (off - CONFIG_OFF), len);
	return (ssize_t)len;
}

static ssize_t fake_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	CHECK(fd == FD_DEVICE && (uint64_t)off >= CONFIG_OFF && (uint64_t)off + len <= CONFIG_OFF + 256);
	memcpy(k.config + (off - CONFIG_OFF), buf, len);
	return (ssize_t)len;
}

static void *fake_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	CHECK(fd == FD_DEVICE && off == 0 && flags == MAP_SHARED);
	return mmap(addr, len, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

static const struct vfio_sys fake = {.open = fake_open,
                                     .close = fake_close,
                                     .ioctl = fake_ioctl,
                                     .pread = fake_pread,
                                     .pwrite = fake_pwrite,
                                     .mmap = fake_mmap};

static int open_as_nobody(const char *addr)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		_exit(!try_open(addr, IXY_PLATFORM_AUTO) && says("no permission on") && says("setup-vfio.sh")
		          ? 0
		          : 1);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	return WEXITSTATUS(status);
}

int main(void)
{
	strcpy(root, "/tmp/ixy-test-vfio-XXXXXX");
	CHECK(mkdtemp(root) && chmod(root, 0755) == 0);
	sh("mkdir -p %s/kernel/mm/hugepages/hugepages-2048kB && echo 100 > "
	   "%s/kernel/mm/hugepages/hugepages-2048kB/free_hugepages",
	   root, root);

	/* VFIO required, but the device is bound to its kernel driver. */
	fake_device("0000:01:00.0", "ixgbe", 1);
	CHECK(!try_open("0000:01:00.0", IXY_PLATFORM_VFIO) && says("bound to ixgbe, not to vfio-pci") &&
	      says("setup-vfio.sh 0000:01:00.0"));
	/* Bound to vfio-pci (so opened through VFIO automatically), but no IOMMU. */
	fake_device("0000:02:00.0", "vfio-pci", -1);
	CHECK(!try_open("0000:02:00.0", IXY_PLATFORM_AUTO) && says("no IOMMU group") &&
	      says("intel_iommu=on") && says("amd_iommu=on"));
	/* The group's device node is missing. */
	fake_device("0000:03:00.0", "vfio-pci", 3);
	CHECK(!try_open("0000:03:00.0", IXY_PLATFORM_AUTO) && says("dev/vfio/3 is missing"));
	/* The group's node belongs to root: an ordinary user is told how to get it. */
	fake_device("0000:04:00.0", "vfio-pci", 4);
	sh("mkdir -p %s/dev/vfio && touch %s/dev/vfio/4 %s/dev/vfio/vfio && chmod 600 %s/dev/vfio/4", root,
	   root, root, root);
	CHECK(open_as_nobody("0000:04:00.0") == 0);
	/* sysfs required on a vfio-pci device: the VFIO path is not taken (it fails later, at the
	 * driver: the fake BAR never finishes a reset). */
	CHECK(!try_open("0000:04:00.0", IXY_PLATFORM_SYSFS) && says("does not respond"));
	printf("vfio: setup errors named\n");

	/* The fake kernel: a group that is not viable names the device that blocks it. */
	fake_device("0000:05:00.0", "vfio-pci", 5);
	fake_device("0000:05:00.1", "ixgbe", 5);
	struct ixy_device dev = {.name = "0000:05:00.0", .hugetlbfs = "/mnt/huge"};
	char dev_dir[300];
	snprintf(dev_dir, sizeof(dev_dir), "%s/dev/vfio", root);
	CHECK(platform_vfio_attach_with(&dev, root, dev_dir, &fake) < 0);
	CHECK(says("group 5 of 0000:05:00.0 is not viable") && says("0000:05:00.1 (ixgbe)"));
	dev.platform->close(&dev);
	CHECK(k.open_fds == 0);

	/* Viable: container, group, IOMMU, device; config space and BAR0 through regions. */
	k.viable = true;
	k.memlock = 64ull << 20;
	CHECK(platform_vfio_attach_with(&dev, root, dev_dir, &fake) == 0 && dev.platform == &platform_vfio);
	CHECK(dev.platform->take(&dev) == 0);
	CHECK(platform_enable_dma(&dev, false) == 0 && (k.config[4] & 0x06) == 0x06);
	CHECK(dev.platform->map_bar(&dev, 0, &dev.bar0, &dev.bar0_len) == 0 && dev.bar0_len == 128 * 1024);
	CHECK(dev.platform->map_bar(&dev, 2, &dev.bar0, &dev.bar0_len) < 0 && says("BAR2"));

	/* DMA: IOVAs chosen above 4 GiB in the IOMMU's range, 2 MiB aligned, contiguous for an
	 * allocation larger than 2 MiB; hugepages when mounted, else ordinary memory. */
	struct dma_mem a, b, c;
	CHECK(dma_alloc(&dev, 3u << 20, &a) == 0);
	CHECK(a.bus == 1ull << 32 && a.size >= 3u << 20 && k.nmaps == 1 && k.maps[0].iova == a.bus &&
	      k.maps[0].vaddr == (uintptr_t)a.virt && k.maps[0].size == a.size);
	memset(a.virt, 0x5a, 3u << 20); /* all of it is ours */
	CHECK(dma_alloc(&dev, 4096, &b) == 0 &&
	      b.bus == a.bus + ((a.size + (2u << 20) - 1) & ~((2ull << 20) - 1)));
	CHECK(b.bus % (2u << 20) == 0);
	dev.hugetlbfs = "/tmp"; /* not mounted: ordinary memory, page-sized */
	CHECK(dma_alloc(&dev, 4096, &c) == 0 && c.size == 4096);
	dma_free(&c);
	CHECK(k.nmaps == 2);
	/* Over the locked-memory limit: the error says which limit and how to raise it. */
	k.memlock = k.pinned + 4096;
	CHECK(dma_alloc(&dev, 1u << 20, &c) < 0 && says("RLIMIT_MEMLOCK") && says("ulimit -l"));
	CHECK(k.nmaps == 2);
	/* Larger than one allocation may be. */
	CHECK(dma_alloc(&dev, (1u << 30) + 1, &c) < 0 && says("1024 MiB"));

	/* Close with one region still mapped (a pool an application still holds): the device's fds
	 * close, the container stays until that region is freed, then everything is unmapped. */
	dma_free(&a);
	dev.platform->close(&dev);
	CHECK(k.open_fds == 1 && k.nmaps == 1); /* the container, for b */
	dma_free(&b);
	CHECK(k.open_fds == 0 && k.nmaps == 0 && k.pinned == 0);
	printf("vfio: container, regions, IOMMU mappings and cleanup ok\n");

	sh("rm -rf %s", root);
	printf("vfio: ok\n");
	return 0;
}
