/* DMA memory from real hugepages, translated through /proc/self/pagemap (needs root and
 * setup-hugetlbfs.sh, as the README's test command arranges). */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "device.h"
#include "memory.h"

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_memory needs root (pagemap frame numbers and hugetlbfs)\n");
		return 1;
	}
	struct ixy_device dev = {.hugetlbfs = "/mnt/huge", .platform = &platform_sysfs};
	struct dma_mem a, b;
	CHECK(dma_alloc(&dev, 4096, &a) == 0);
	CHECK(dma_alloc(&dev, DMA_MAX_SIZE, &b) == 0);
	/* Non-zero, hugepage-aligned, stable across reads, distinct for distinct pages. */
	CHECK(a.bus != 0 && b.bus != 0);
	CHECK(a.bus % DMA_MAX_SIZE == 0 && b.bus % DMA_MAX_SIZE == 0);
	CHECK(a.bus != b.bus);
	CHECK(pagemap_virt_to_phys(a.virt) == a.bus);
	CHECK(pagemap_virt_to_phys(a.virt) == a.bus);
	/* Contiguous within the page: an address 1 MiB in translates to base + 1 MiB. */
	CHECK(pagemap_virt_to_phys((uint8_t *)a.virt + (1 << 20) + 8) == a.bus + (1 << 20) + 8);
	memset(b.virt, 0xAB, DMA_MAX_SIZE);
	CHECK(pagemap_virt_to_phys(b.virt) == b.bus);
	dma_free(&a);
	dma_free(&b);

	/* Above 2 MiB: refused, and the message says why. */
	CHECK(dma_alloc(&dev, DMA_MAX_SIZE + 1, &a) < 0);
	CHECK(strstr(ixy_last_error(), "2 MiB"));

	/* No hugetlbfs at the mount point: the error names the fix. */
	dev.hugetlbfs = "/tmp";
	CHECK(dma_alloc(&dev, 4096, &a) < 0);
	CHECK(strstr(ixy_last_error(), "no hugetlbfs mounted at /tmp"));
	CHECK(strstr(ixy_last_error(), "setup-hugetlbfs.sh"));
	printf("memory: ok\n");
	return 0;
}
