/* Runs in the QEMU guest, as an ordinary user, on a NIC bound to vfio-pci: the IOMMU isolation
 * demo. The test-only hook is here, outside the driver: one buffer's bus address is replaced by
 * an IOVA the library never mapped before it is handed to ixy_tx_batch(). The device's DMA read
 * must be blocked by the IOMMU (the guest kernel logs a DMAR fault; the host checks that none of the
 * buffer's bytes reached the wire), a canary buffer of ours must stay unchanged, and
 * ixy_tx_flush() must come back within its timeout instead of hanging. Prints "ISOLATION ..." lines the host
 * checks.
 *
 *   vfio_isolation <pci-address> */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ixy/ixy.h"

#define UNMAPPED_IOVA 0x7000000000ull /* inside the IOMMU's range, far above what libixy maps */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: vfio_isolation <pci-address>\n");
		return 2;
	}
	struct ixy_options opts = {.platform = IXY_PLATFORM_VFIO, .link_timeout_ms = 2000};
	struct ixy_device *dev = ixy_open(argv[1], &opts);
	if (!dev) {
		printf("ISOLATION open failed: %s\n", ixy_last_error());
		return 1;
	}
	struct ixy_mempool *pool = ixy_mempool_create(dev, 64, 0);
	if (!pool) {
		printf("ISOLATION mempool failed: %s\n", ixy_last_error());
		ixy_close(dev);
		return 1;
	}
	struct ixy_buf *canary = ixy_buf_alloc(pool), *bad = ixy_buf_alloc(pool);
	if (!canary || !bad)
		return 1;
	memset(canary->data, 0xA5, pool->buf_size);
	memset(bad->data, 0x5A, 60);
	bad->len = 60;
	bad->bus_addr = UNMAPPED_IOVA; /* the hook: an address no DMA mapping covers */
	uint32_t taken = ixy_tx_batch(dev, 0, &bad, 1);
	double t0 = now_s();
	int flushed = ixy_tx_flush(dev, 1000);
	double took = now_s() - t0;
	size_t changed = 0;
	for (uint32_t i = 0; i < pool->buf_size; i++)
		changed += canary->data[i] != 0xA5;
	printf("ISOLATION taken=%u flush=%d seconds=%.2f canary_changed=%zu\n", taken, flushed, took,
	       changed);
	struct ixy_stats st = {0};
	ixy_read_stats(dev, &st);
	printf("ISOLATION tx_packets=%llu\n", (unsigned long long)st.tx_packets);
	fflush(stdout);
	ixy_close(dev); /* resets the device: it may still hold the bad descriptor */
	return 0;
}
