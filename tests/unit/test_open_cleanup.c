/* Failure injection at every allocation and mapping of ixy_open(): the Nth call of calloc,
 * malloc, realloc, mmap (wrapped at link time: -Wl,--wrap) or of the DMA translation fails, for
 * every N until the open succeeds. After each failed open nothing the library allocated or mapped
 * is left (counted here; LeakSanitizer checks the same in the sanitizer build), and no message
 * shows a wrapped-around count. Runs on a virtual 82599 and on a fake sysfs tree. */
#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "ixgbe_model.h"
#include "ixy/hw.h"
#include "ixy/ixy.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);

static long armed_at;  /* fail the call with this number (0: none) */
static long calls;     /* injection points passed since arming */
static long live;      /* allocations not freed */
static long live_maps; /* mappings not unmapped */

static bool inject(void)
{
	return armed_at > 0 && ++calls == armed_at;
}

void *__wrap_malloc(size_t n)
{
	void *p = inject() ? NULL : __real_malloc(n);
	live += armed_at > 0 && p != NULL;
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = inject() ? NULL : __real_calloc(n, size);
	live += armed_at > 0 && p != NULL;
	return p;
}

void *__wrap_realloc(void *old, size_t n)
{
	if (inject())
		return NULL;
	void *p = __real_realloc(old, n);
	live += armed_at > 0 && old == NULL && p != NULL;
	return p;
}

void __wrap_free(void *p)
{
	live -= armed_at > 0 && p != NULL;
	__real_free(p);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (inject())
		return MAP_FAILED;
	void *p = __real_mmap(addr, len, prot, flags, fd, off);
	live_maps += armed_at > 0 && p != MAP_FAILED;
	return p;
}

int __wrap_munmap(void *addr, size_t len)
{
	live_maps -= armed_at > 0;
	return __real_munmap(addr, len);
}

static struct ixy_hw_ops model_ops;

static uint64_t failing_dma_map(void *ctx, void *virt, size_t len)
{
	return inject() ? 0 : model_ops.dma_map(ctx, virt, len);
}

/* A decimal number of 10 or more digits in the captured messages is a wrapped-around count
 * (addresses are printed in hex: their digits follow an 'x' or a letter). */
static bool shows_huge_number(const char *path)
{
	FILE *f = fopen(path, "r");
	CHECK(f);
	int c, prev = ' ', run = 0;
	bool huge = false, decimal = false;
	while ((c = fgetc(f)) != EOF) {
		if (isdigit(c)) {
			if (run++ == 0)
				decimal = !isalnum(prev);
		} else {
			decimal = decimal && !isalpha(c);
			huge |= decimal && run >= 10;
			run = 0;
		}
		prev = c;
	}
	fclose(f);
	return huge;
}

/* Opens with every injection point failing in turn; returns the number of points. */
static long inject_everywhere(const char *what, struct ixy_device *(*open_once)(void))
{
	for (long n = 1;; n++) {
		long live0 = live, maps0 = live_maps;
		calls = 0;
		armed_at = n;
		struct ixy_device *dev = open_once();
		armed_at = 0;
		if (dev) {
			CHECK(calls < n); /* every point was failed once before */
			ixy_close(dev);
			printf("%s: %ld injection points, each failure cleaned up\n", what, n - 1);
			return n - 1;
		}
		if (live != live0 || live_maps != maps0) {
			fprintf(stderr, "%s: failing point %ld (%s) left %ld allocation(s), %ld mapping(s)\n",
			        what, n, ixy_last_error(), live - live0, live_maps - maps0);
			CHECK(0);
		}
		if (calls < n) { /* failed without reaching point n: where this path ends */
			printf("%s: %ld injection points, each failure cleaned up; then: %s\n", what, n - 1,
			       ixy_last_error());
			return n - 1;
		}
	}
}

static struct ixgbe_bus *bus;
static struct ixgbe_model *model;

static struct ixy_device *open_model(void)
{
	armed_at = -armed_at; /* the model's own allocations are not the library's */
	if (model)
		ixgbe_model_free(model);
	if (bus)
		ixgbe_bus_free(bus);
	bus = ixgbe_bus_new();
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 0);
	model = ixgbe_model_new(bus, &cfg);
	CHECK(bus && model);
	ixgbe_model_hw_ops(model, &model_ops, "sim:0");
	armed_at = -armed_at;
	static struct ixy_hw_ops ops;
	ops = model_ops;
	ops.dma_map = failing_dma_map;
	struct ixy_options o = {
	    .rx_queues = 2, .tx_queues = 2, .rx_ring_size = 64, .tx_ring_size = 64, .link_timeout_ms = 1};
	return ixy_open_hw(&ops, &o);
}

static char root[256];

static struct ixy_device *open_sysfs(void)
{
	struct ixy_options o = {.sysfs_root = root, .link_timeout_ms = 1};
	/* The file-backed BAR never finishes a reset: the open ends there once every earlier
	 * point passed. */
	return ixy_open("0000:03:00.0", &o);
}

int main(void)
{
	char log_path[] = "/tmp/ixy-test-cleanup-XXXXXX";
	int log_fd = mkstemp(log_path);
	CHECK(log_fd >= 0);
	printf("messages of the failed opens: %s\n", log_path);
	fflush(stdout);
	int saved_stderr = dup(2);
	CHECK(dup2(log_fd, 2) == 2);

	long points = inject_everywhere("model", open_model);

	/* A fake sysfs 82599 (driver bound, 128 KiB BAR0, hugepages free). */
	strcpy(root, "/tmp/ixy-test-cleanup-sysfs-XXXXXX");
	CHECK(mkdtemp(root));
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
	         "set -e; d=%s/bus/pci/devices/0000:03:00.0; mkdir -p $d %s/bus/pci/drivers/ixgbe "
	         "%s/kernel/mm/hugepages/hugepages-2048kB; touch %s/bus/pci/drivers/ixgbe/unbind; "
	         "ln -s ../../drivers/ixgbe $d/driver; echo 100 > "
	         "%s/kernel/mm/hugepages/hugepages-2048kB/free_hugepages; "
	         "printf '\\206\\200\\373\\020' > $d/config; head -c 60 /dev/zero >> $d/config; "
	         "printf '\\002' | dd of=$d/config bs=1 seek=11 conv=notrunc 2>/dev/null; "
	         "truncate -s 131072 $d/resource0",
	         root, root, root, root, root);
	CHECK(system(cmd) == 0);
	long sysfs_points = inject_everywhere("sysfs", open_sysfs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK(system(cmd) == 0);

	ixgbe_model_free(model);
	ixgbe_bus_free(bus);
	fflush(stderr);
	dup2(saved_stderr, 2);
	bool huge = shows_huge_number(log_path);
	if (!getenv("IXY_KEEP_LOG"))
		unlink(log_path);
	CHECK(points >= 10);      /* device, driver, queues, pools, rings, DMA maps */
	CHECK(sysfs_points >= 3); /* device, platform state, BAR0 mapping */
	CHECK(!huge);
	printf("open cleanup: ok\n");
	return 0;
}
