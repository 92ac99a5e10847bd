/* Waiting for frames: one eventfd per RX queue's interrupt vector (routed by the platform: VFIO,
 * or a device model's set_irq), ixy_rx_wait() over one or more queues, and the adaptive mode that
 * switches between polling and waiting with the rate. The driver unmasks a vector only for the
 * length of a wait (irq_arm/irq_disarm). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "log.h"

#define FALLBACK_SLEEP_US 100u /* between looks at the ring when a queue has no interrupt */
#define CHECK_EVERY 1024u      /* polling: loop iterations between clock reads under load */

int irq_attach(struct ixy_device *dev, uint16_t vectors)
{
	if (!dev->platform->irq_route || vectors == 0)
		return 0; /* no interrupts here: waits sleep and poll */
	for (uint16_t v = 0; v < vectors; v++) {
		dev->irq_fd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dev->irq_fd[v] < 0) {
			ixy_error(
			    "%s: cannot create an eventfd for interrupt vector %u: %s (raise the open-file "
			    "limit, ulimit -n)",
			    dev->name, v, strerror(errno));
			while (v--)
				close(dev->irq_fd[v]);
			return -1;
		}
	}
	if (dev->platform->irq_route(dev, dev->irq_fd, vectors) < 0) {
		/* Not fatal: the port works, waits poll. The error says why. */
		ixy_warn("%s: no interrupts (%s); ixy_rx_wait() sleeps and polls instead", dev->name,
		         ixy_last_error());
		for (uint16_t v = 0; v < vectors; v++)
			close(dev->irq_fd[v]);
		return 0;
	}
	dev->irq_vectors = vectors;
	return 0;
}

void irq_detach(struct ixy_device *dev)
{
	if (!dev->irq_vectors)
		return;
	dev->platform->irq_unroute(dev, dev->irq_vectors); /* the device stops signalling first */
	for (uint16_t v = 0; v < dev->irq_vectors; v++)
		close(dev->irq_fd[v]);
	dev->irq_vectors = 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int count_ready(const struct ixy_rx_queue_ref *q, unsigned n)
{
	int ready = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct ixy_ctrl_ops *ctrl = q[i].dev->ctrl;
		/* A driver that cannot tell says "ready": the caller then polls, as without waits. */
		ready += !ctrl->rx_ready || ctrl->rx_ready(q[i].dev, q[i].queue);
	}
	return ready;
}

static bool has_irq(const struct ixy_rx_queue_ref *q)
{
	return q->dev->ctrl->irq_arm && q->queue < q->dev->irq_vectors;
}

/* Without interrupts: look at the rings every FALLBACK_SLEEP_US until frames or the timeout. */
static int wait_sleeping(const struct ixy_rx_queue_ref *q, unsigned n, uint32_t timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		struct timespec ts = {0, FALLBACK_SLEEP_US * 1000};
		if (nanosleep(&ts, NULL) < 0 && errno == EINTR)
			return count_ready(q, n);
		int ready = count_ready(q, n);
		if (ready || now_ns() >= end)
			return ready;
	}
}

int ixy_rx_wait_any(const struct ixy_rx_queue_ref *q, unsigned n, uint32_t timeout_ms)
{
	if (n == 0 || n > 256) {
		ixy_error("ixy_rx_wait_any: %u queues given: pass 1 to 256", n);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!q[i].dev || q[i].queue >= q[i].dev->rx_queues) {
			ixy_error("ixy_rx_wait: entry %u names RX queue %u of a device with %u: use 0 to %u",
			          i, q[i].queue, q[i].dev ? q[i].dev->rx_queues : 0,
			          q[i].dev ? q[i].dev->rx_queues - 1 : 0);
			return -1;
		}
	}
	int ready = count_ready(q, n);
	if (ready || timeout_ms == 0)
		return ready;
	bool all_irq = true;
	for (unsigned i = 0; i < n; i++)
		all_irq &= has_irq(&q[i]);
	if (!all_irq)
		return wait_sleeping(q, n, timeout_ms);
	struct pollfd pfd[256];
	for (unsigned i = 0; i < n; i++) {
		uint64_t stale;
		pfd[i] = (struct pollfd){.fd = q[i].dev->irq_fd[q[i].queue], .events = POLLIN};
		/* A signal left from an earlier wait would end this one at once. */
		if (read(pfd[i].fd, &stale, sizeof(stale)) < 0 && errno != EAGAIN)
			ixy_warn("%s: reading the interrupt eventfd failed: %s", q[i].dev->name,
			         strerror(errno));
		q[i].dev->ctrl->irq_arm(q[i].dev, q[i].queue);
	}
	/* A frame that arrived before the vector was unmasked is seen here, not lost. */
	ready = count_ready(q, n);
	if (!ready) {
		int timeout = timeout_ms > INT32_MAX ? INT32_MAX : (int)timeout_ms;
		poll(pfd, n, timeout); /* EINTR: a signal for the caller; the rings tell the rest */
	}
	for (unsigned i = 0; i < n; i++)
		q[i].dev->ctrl->irq_disarm(q[i].dev, q[i].queue);
	return count_ready(q, n);
}

int ixy_rx_wait(struct ixy_device *dev, uint16_t queue, uint32_t timeout_ms)
{
	struct ixy_rx_queue_ref q = {dev, queue};
	return ixy_rx_wait_any(&q, 1, timeout_ms);
}

/* ---- adaptive mode ---- */

struct ixy_adaptive {
	struct ixy_adaptive_params p;
	struct ixy_adaptive_stats stats;
	uint64_t window_start; /* ns */
	uint64_t frames;       /* in this window */
	uint32_t iterations;
	unsigned n;
	struct ixy_rx_queue_ref queues[];
};

struct ixy_adaptive *ixy_adaptive_new(const struct ixy_rx_queue_ref *queues, unsigned n,
                                      const struct ixy_adaptive_params *params)
{
	struct ixy_adaptive_params p = params ? *params : (struct ixy_adaptive_params){0};
	p.sleep_below_pps = p.sleep_below_pps ? p.sleep_below_pps : 10000;
	p.poll_above_pps = p.poll_above_pps ? p.poll_above_pps : 50000;
	p.window_us = p.window_us ? p.window_us : 10000;
	p.max_wait_ms = p.max_wait_ms ? p.max_wait_ms : 100;
	if (p.poll_above_pps <= p.sleep_below_pps) {
		ixy_error("adaptive mode: poll_above_pps (%u) must be greater than sleep_below_pps (%u), or "
		          "the mode flaps",
		          p.poll_above_pps, p.sleep_below_pps);
		return NULL;
	}
	if (n == 0 || n > 256) {
		ixy_error("adaptive mode: %u queues given: pass 1 to 256", n);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!queues[i].dev || queues[i].queue >= queues[i].dev->rx_queues) {
			ixy_error("adaptive mode: entry %u names an RX queue the device does not have", i);
			return NULL;
		}
	}
	struct ixy_adaptive *a = calloc(1, sizeof(*a) + n * sizeof(a->queues[0]));
	if (!a) {
		ixy_error("out of memory");
		return NULL;
	}
	a->p = p;
	a->n = n;
	for (unsigned i = 0; i < n; i++)
		a->queues[i] = queues[i];
	a->stats.polling = true;
	a->window_start = now_ns();
	return a;
}

/* Ends the window once it is window_us long and switches by its rate. */
static void end_window(struct ixy_adaptive *a)
{
	uint64_t now = now_ns(), span = now - a->window_start;
	if (span < (uint64_t)a->p.window_us * 1000u)
		return;
	uint64_t pps = a->frames * 1000000000u / span;
	if (a->stats.polling && pps < a->p.sleep_below_pps) {
		a->stats.polling = false;
		a->stats.to_wait++;
	} else if (!a->stats.polling && pps > a->p.poll_above_pps) {
		a->stats.polling = true;
		a->stats.to_poll++;
	}
	a->window_start = now;
	a->frames = 0;
}

void ixy_adaptive_after_rx(struct ixy_adaptive *a, uint32_t received)
{
	a->frames += received;
	if (received == 0 || ++a->iterations % CHECK_EVERY == 0)
		end_window(a);
	if (a->stats.polling || received)
		return;
	a->stats.waits++;
	if (ixy_rx_wait_any(a->queues, a->n, a->p.max_wait_ms) > 0)
		a->stats.wakeups++;
}

void ixy_adaptive_get_stats(const struct ixy_adaptive *a, struct ixy_adaptive_stats *stats)
{
	*stats = a->stats;
}

void ixy_adaptive_free(struct ixy_adaptive *a)
{
	free(a);
}
