/* virtio interrupts against the fake device: the RX queue's used-buffer notifications on MSI-X
 * vector 0 (queue_msix_vector, checked against NO_VECTOR, virtio 1.1 4.1.5.1.2), enabled only
 * while ixy_rx_wait() waits (2.6.7 split, 2.7.10 packed); a device that refuses the vector and
 * a legacy device fall back to sleeping between looks at the ring. Bounds on time are generous
 * upper limits that only catch a hang. */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fake_virtio.h"
#include "ixy/ixy.h"

enum mode { SPLIT, PACKED, LEGACY };

struct rig {
	struct fake_virtio *fake;
	struct ixy_hw_ops ops;
	struct ixy_device *dev;
};

static void rig_open(struct rig *r, enum mode m, bool refuse)
{
	r->fake = fake_virtio_new(256, m == LEGACY ? FAKE_LEGACY : FAKE_MODERN_PACKED, NULL);
	CHECK(r->fake);
	fake_virtio_refuse_vectors(r->fake, refuse);
	fake_virtio_hw_ops(r->fake, &r->ops, "fake");
	struct ixy_options o = {.link_timeout_ms = 1, .virtio_ring = m == PACKED ? "packed" : "split"};
	r->dev = ixy_open_hw(&r->ops, &o);
	CHECK(r->dev);
}

static void rig_close(struct rig *r)
{
	ixy_close(r->dev);
	CHECK(fake_virtio_violations(r->fake) == 0);
	fake_virtio_free(r->fake);
}

static void deliver(struct rig *r, uint32_t seq)
{
	uint8_t f[64];
	memset(f, 0xff, 6);
	memset(f + 6, (int)seq, sizeof(f) - 6);
	CHECK(fake_virtio_rx(r->fake, f, sizeof(f)));
}

static uint32_t drain(struct rig *r)
{
	struct ixy_buf *bufs[64];
	uint32_t n = ixy_rx_batch(r->dev, 0, bufs, 64);
	for (uint32_t i = 0; i < n; i++)
		ixy_buf_free(bufs[i]);
	return n;
}

static void *deliver_later(void *arg)
{
	usleep(50000);
	deliver(arg, 99);
	return NULL;
}

static void test_interrupts(enum mode m)
{
	struct rig r;
	rig_open(&r, m, false);
	CHECK(fake_virtio_queue_vector(r.fake, 0) == 0);      /* RX on vector 0 */
	CHECK(fake_virtio_queue_vector(r.fake, 1) == 0xffff); /* TX raises nothing */
	/* Polling: frames arrive without a single notification. */
	for (uint32_t i = 0; i < 8; i++)
		deliver(&r, i);
	CHECK(fake_virtio_interrupts(r.fake) == 0);
	CHECK(ixy_rx_wait(r.dev, 0, 0) == 1 && drain(&r) == 8);
	CHECK(ixy_rx_wait(r.dev, 0, 0) == 0);
	/* Waiting: the frame's notification wakes the wait. */
	pthread_t t;
	CHECK(pthread_create(&t, NULL, deliver_later, &r) == 0);
	CHECK(ixy_rx_wait(r.dev, 0, 20000) == 1);
	pthread_join(t, NULL);
	CHECK(fake_virtio_interrupts(r.fake) == 1);
	CHECK(drain(&r) == 1);
	/* Off again after the wait; a wait with nothing coming times out. */
	deliver(&r, 100);
	CHECK(fake_virtio_interrupts(r.fake) == 1);
	CHECK(drain(&r) == 1);
	CHECK(ixy_rx_wait(r.dev, 0, 20) == 0);
	CHECK(fake_virtio_interrupts(r.fake) == 1);
	rig_close(&r);
}

/* No vector (refused, or the legacy interface): the wait sleeps between looks and still sees a
 * frame that comes; no notification is ever asked for. */
static void test_fallback(enum mode m, bool refuse)
{
	struct rig r;
	rig_open(&r, m, refuse);
	CHECK(fake_virtio_queue_vector(r.fake, 0) == 0xffff);
	CHECK(ixy_rx_wait(r.dev, 0, 20) == 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, deliver_later, &r) == 0);
	CHECK(ixy_rx_wait(r.dev, 0, 20000) == 1);
	pthread_join(t, NULL);
	CHECK(drain(&r) == 1 && fake_virtio_interrupts(r.fake) == 0);
	rig_close(&r);
}

int main(void)
{
	test_interrupts(SPLIT);
	test_interrupts(PACKED);
	test_fallback(SPLIT, true);
	test_fallback(LEGACY, false);
	printf("virtio interrupts: ok\n");
	return 0;
}
