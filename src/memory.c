/* DMA memory. On a real NIC: 2 MiB hugepages from hugetlbfs, locked, translated through
 * /proc/self/pagemap. On a device model: plain memory, translated by the model's IOMMU. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
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

uint64_t virt_to_bus(const struct ixy_device *dev, void *virt, size_t len)
{
	if (dev->hw)
		return dev->hw->dma_map(dev->hw->ctx, virt, len);
	return pagemap_virt_to_phys(virt);
}

static void *alloc_model_memory(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		ixy_error("cannot allocate %zu bytes of memory for the device model: %s", size,
		          strerror(errno));
		return NULL;
	}
	return p;
}

static void *alloc_hugepage(const char *mount)
{
	struct statfs fs;
	if (statfs(mount, &fs) < 0 || fs.f_type != HUGETLBFS_MAGIC) {
		ixy_error("no hugetlbfs mounted at %s: run 'sudo ./setup-hugetlbfs.sh', which mounts it at "
		          "/mnt/huge and reserves 2 MiB pages (or point the hugetlbfs option at your mount)",
		          mount);
		return NULL;
	}
	static atomic_uint serial;
	char path[512];
	snprintf(path, sizeof(path), "%s/ixy-%d-%u", mount, (int)getpid(), atomic_fetch_add(&serial, 1));
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	if (fd < 0) {
		ixy_error("cannot create %s: %s (run as root, and check %s with setup-hugetlbfs.sh)", path,
		          strerror(errno), mount);
		return NULL;
	}
	void *p = MAP_FAILED;
	if (ftruncate(fd, DMA_MAX_SIZE) == 0)
		p = mmap(NULL, DMA_MAX_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_HUGETLB, fd, 0);
	int err = errno;
	close(fd);
	unlink(path); /* the mapping keeps the page; nothing is left behind in the mount */
	if (p == MAP_FAILED) {
		ixy_error(
		    "no free 2 MiB hugepage in %s (%s): reserve more with 'sudo ./setup-hugetlbfs.sh 512'",
		    mount, strerror(err));
		return NULL;
	}
	/* Locked so the kernel never moves or swaps it while the NIC holds its address. */
	if (mlock(p, DMA_MAX_SIZE) < 0) {
		ixy_error("cannot lock DMA memory: %s (run as root)", strerror(errno));
		munmap(p, DMA_MAX_SIZE);
		return NULL;
	}
	return p;
}

int dma_alloc(const struct ixy_device *dev, size_t size, struct dma_mem *out)
{
	if (size == 0 || size > DMA_MAX_SIZE) {
		ixy_error("DMA allocation of %zu bytes refused: one allocation must be 1 byte to 2 MiB (one "
		          "hugepage, the largest physically contiguous block)",
		          size);
		return -1;
	}
	size_t mapped = dev->hw ? (size + 4095) & ~(size_t)4095 : DMA_MAX_SIZE;
	void *virt = dev->hw ? alloc_model_memory(mapped) : alloc_hugepage(dev->hugetlbfs);
	if (!virt)
		return -1;
	memset(virt, 0, mapped); /* also faults every page in before translation */
	uint64_t bus = virt_to_bus(dev, virt, mapped);
	if (bus == 0) {
		ixy_error("no bus address for DMA memory at %p: %s", virt,
		          dev->hw ? "the device model refused it"
		                  : "/proc/self/pagemap gave no frame number (run as root)");
		munmap(virt, mapped);
		return -1;
	}
	out->virt = virt;
	out->bus = bus;
	out->size = mapped;
	return 0;
}

void dma_free(struct dma_mem *mem)
{
	if (mem->virt)
		munmap(mem->virt, mem->size);
	mem->virt = NULL;
}
