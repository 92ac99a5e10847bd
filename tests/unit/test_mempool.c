/* Mempool: every buffer handed out once, exhaustion is an empty answer, round trips work,
 * bus addresses come from the translation seam. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "device.h"

#define BUS_OFFSET (1ull << 48)

static uint64_t fake_map(void *ctx, void *virt, size_t len)
{
	(void)len;
	++*(int *)ctx;
	return (uint64_t)(uintptr_t)virt + BUS_OFFSET;
}

int main(void)
{
	int maps = 0;
	struct ixy_hw_ops hw = {.ctx = &maps, .name = "fake", .dma_map = fake_map};
	struct ixy_device dev = {.hw = &hw, .platform = &platform_model};
	const uint32_t n = 3000; /* 993 buffers of 64 + 2048 bytes fit in 2 MiB: four regions */
	struct ixy_mempool *pool = ixy_mempool_create(&dev, n, 0);
	CHECK(pool && pool->count == n && pool->free_count == n && pool->buf_size == 2048);
	CHECK(maps == 4);

	static struct ixy_buf *bufs[3000];
	CHECK(ixy_buf_alloc_batch(pool, bufs, 1000) == 1000);
	CHECK(ixy_buf_alloc_batch(pool, bufs + 1000, 5000) == 2000); /* only what is left */
	CHECK(ixy_buf_alloc(pool) == NULL);
	CHECK(ixy_buf_alloc_batch(pool, bufs, 1) == 0);
	/* No buffer twice; each is 64-byte aligned, big enough, inside its own region. */
	static uint8_t seen[3000];
	for (uint32_t i = 0; i < n; i++) {
		struct ixy_buf *b = bufs[i];
		CHECK(b->pool == pool && b->index < n && !seen[b->index]);
		seen[b->index] = 1;
		CHECK((uintptr_t)b->data % 64 == 0);
		CHECK(b->bus_addr == (uint64_t)(uintptr_t)b->data + BUS_OFFSET);
		memset(b->data, (int)i, 2048); /* ASan would catch an overlap with the next buffer */
	}
	for (uint32_t i = 0; i < n; i++)
		CHECK(bufs[i]->data[0] == (uint8_t)i && bufs[i]->data[2047] == (uint8_t)i);
	/* Round trips. */
	for (uint32_t i = 0; i < n; i++)
		ixy_buf_free(bufs[i]);
	CHECK(pool->free_count == n);
	for (int round = 0; round < 100; round++) {
		struct ixy_buf *b = ixy_buf_alloc(pool);
		CHECK(b);
		ixy_buf_free(b);
	}
	CHECK(ixy_buf_alloc_batch(pool, bufs, n) == n);
	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < n; i++) {
		CHECK(!seen[bufs[i]->index]);
		seen[bufs[i]->index] = 1;
	}
	for (uint32_t i = 0; i < n; i++)
		ixy_buf_free(bufs[i]);
	ixy_mempool_destroy(pool);

	/* Bad sizes are refused with a reason. */
	CHECK(ixy_mempool_create(&dev, 0, 0) == NULL && strstr(ixy_last_error(), "mempool"));
	CHECK(ixy_mempool_create(&dev, 10, 4u << 20) == NULL);
	printf("mempool: ok\n");
	return 0;
}
