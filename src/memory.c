/* DMA memory: hugepages from hugetlbfs or ordinary memory, mapped for the device by the
 * platform (pagemap, VFIO IOMMU, or the device model's translation). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "device.h"
#include "log.h"
#include "memory.h"

#define HUGETLBFS_MAGIC 0x958458f6 /* statfs(2) f_type of a hugetlbfs mount */

uint64_t pagemap_virt_to_phys(void *virt)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t addr = (uintptr_t)virt;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	uint64_t entry = 0;
	ssize_t n = pread(fd, &entry, sizeof(entry), (off_t)(addr / (uintptr_t)page * sizeof(entry)));
	close(fd);
	/* Bit 63: page present; bits 54:0: page frame number (zero without CAP_SYS_ADMIN). */
	if (n != sizeof(entry) || !(entry & (1ull << 63)))
		return 0;
	uint64_t pfn = entry & ((1ull << 55) - 1);
	if (pfn == 0)
		return 0;
	return pfn * (uint64_t)page + addr % (uintptr_t)page;
}

bool hugetlbfs_mounted(const char *mount)
{
	struct statfs fs;
	return statfs(mount, &fs) == 0 && fs.f_type == HUGETLBFS_MAGIC;
}

static void no_hugetlbfs(const char *mount)
{
	ixy_error("no hugetlbfs mounted at %s: run 'sudo ./setup-hugetlbfs.sh', which mounts it at "
	          "/mnt/huge and reserves 2 MiB pages (or point the hugetlbfs option at your mount)",
	          mount);
}

int dma_check_available(const struct ixy_device *dev, const char *root, unsigned pages)
{
	if (!dev->platform->dma_hugepages)
		return 0;
	if (!hugetlbfs_mounted(dev->hugetlbfs)) {
		no_hugetlbfs(dev->hugetlbfs);
		return -1;
	}
	char path[PATH_MAX], buf[32] = {0};
	snprintf(path, sizeof(path), "%s/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", root);
	FILE *f = fopen(path, "r");
	char *end = buf;
	unsigned long free_pages = 0;
	if (f && fgets(buf, sizeof(buf), f))
		free_pages = strtoul(buf, &end, 10);
	if (f)
		fclose(f);
	if (end == buf || (*end && *end != '\n')) {
		ixy_error("cannot read the number of free 2 MiB hugepages from %s: check that hugepages "
		          "are reserved (sudo ./setup-hugetlbfs.sh)",
		          path);
		return -1;
	}
	if (free_pages < pages) {
		ixy_error("%lu free 2 MiB hugepages, but opening %s needs at least %u: reserve more with "
		          "'sudo ./setup-hugetlbfs.sh %u' (or close other programs using them)",
		          free_pages, dev->name, pages, pages + 512);
		return -1;
	}
	return 0;
}

/* `size` (a multiple of 2 MiB) bytes of hugepages, one mapping, locked. */
static void *alloc_hugepages(const char *mount, size_t size, bool lock)
{
	if (!hugetlbfs_mounted(mount)) {
		no_hugetlbfs(mount);
		return NULL;
	}
	static atomic_uint serial;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/ixy-%d-%u", mount, (int)getpid(), atomic_fetch_add(&serial, 1));
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	if (fd < 0) {
		ixy_error("cannot create %s: %s (check %s with setup-hugetlbfs.sh, and that this user may "
		          "write there)",
		          path, strerror(errno), mount);
		return NULL;
	}
	void *p = MAP_FAILED;
	if (ftruncate(fd, (off_t)size) == 0)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_HUGETLB, fd, 0);
	int err = errno;
	close(fd);
	unlink(path); /* the mapping keeps the pages; nothing is left behind in the mount */
	if (p == MAP_FAILED) {
		ixy_error("no %zu free 2 MiB hugepage(s) in %s (%s): reserve more with 'sudo "
		          "./setup-hugetlbfs.sh 512'",
		          size / HUGEPAGE_SIZE, mount, strerror(err));
		return NULL;
	}
	/* Locked so the kernel never moves or swaps it while the NIC holds its address (VFIO pins
	 * the pages itself when it maps them). */
	if (lock && mlock(p, size) < 0) {
		ixy_error("cannot lock DMA memory: %s (run as root, or use VFIO)", strerror(errno));
		munmap(p, size);
		return NULL;
	}
	return p;
}

static void *alloc_plain(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		ixy_error("cannot allocate %zu bytes of DMA memory: %s", size, strerror(errno));
		return NULL;
	}
	return p;
}

int dma_alloc(const struct ixy_device *dev, size_t size, struct dma_mem *out)
{
	const struct platform_ops *p = dev->platform;
	if (size == 0 || size > p->dma_max) {
		ixy_error("DMA allocation of %zu bytes refused: one allocation must be 1 byte to %zu MiB "
		          "(the largest block contiguous for the device on the %s platform)",
		          size, p->dma_max >> 20, p->name);
		return -1;
	}
	bool huge = p->dma_hugepages || (!p->dma_plain_memory && hugetlbfs_mounted(dev->hugetlbfs));
	size_t granule = huge ? HUGEPAGE_SIZE : (size_t)sysconf(_SC_PAGESIZE);
	size_t mapped = (size + granule - 1) / granule * granule;
	void *virt = huge ? alloc_hugepages(dev->hugetlbfs, mapped, p->dma_hugepages) : alloc_plain(mapped);
	if (!virt && huge && !p->dma_hugepages) { /* VFIO: hugepages are only faster; go on without */
		mapped = (size + 4095) & ~(size_t)4095;
		virt = alloc_plain(mapped);
	}
	if (!virt)
		return -1;
	memset(virt, 0, mapped); /* also faults every page in before translation */
	uint64_t bus = p->dma_map(dev, virt, mapped);
	if (bus == 0) {
		munmap(virt, mapped);
		return -1;
	}
	*out = (struct dma_mem){.virt = virt, .bus = bus, .size = mapped, .owner = dev->dma_owner};
	return 0;
}

void dma_free(struct dma_mem *mem)
{
	if (!mem->virt)
		return;
	if (mem->owner)
		mem->owner->unmap(mem->owner, mem->bus, mem->size);
	munmap(mem->virt, mem->size);
	mem->virt = NULL;
}
