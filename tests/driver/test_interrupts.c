/* The driver's interrupts against the virtual 82599: MSI-X setup (DS 7.3), ixy_rx_wait() woken
 * by an RX burst, no interrupt while polling, the timeout, and the adaptive mode switching both
 * ways without losing a frame. The waiting cases run the model in thread mode (the model thread
 * delivers frames and interrupts while the test sleeps); bounds on time are generous upper limits
 * that only catch a hang, never a slow machine.
 * usage: test_interrupts <case> */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define GPIE 0x00898
#define IVAR(n) (0x00900 + 4 * (n))
#define EITR(n) (0x00820 + 4 * (n))
#define EIAC 0x00810
#define EIAM 0x00890
#define EIMS 0x00880

static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

static uint64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void inject(struct port *p, uint32_t seq)
{
	uint8_t f[64];
	make_frame(f, sizeof(f), broadcast, seq);
	CHECK(ixgbe_model_inject(p->model, f, sizeof(f)));
}

/* Receives frames with consecutive sequence numbers from *next on, as many as rx_batch gives. */
static uint32_t receive(struct port *p, uint32_t *next)
{
	struct ixy_buf *bufs[64];
	uint32_t n = ixy_rx_batch(p->dev, 0, bufs, 64);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t seq;
		memcpy(&seq, bufs[i]->data + 14, 4);
		CHECK(bufs[i]->len == 64 && seq == *next); /* in order: none lost, none twice */
		(*next)++;
		ixy_buf_free(bufs[i]);
	}
	return n;
}

static void test_setup(struct ixgbe_bus *bus)
{
	struct port p;
	struct ixy_options o = {.rx_queues = 3};
	port_open(&p, bus, 0, &o);
	CHECK(ixgbe_model_peek32(p.model, GPIE) == ((1u << 4) | (1u << 30) | (1u << 31)));
	/* RX queues 0, 1, 2 on vectors 0, 1, 2 with their valid bits; TX causes unmapped. */
	CHECK(ixgbe_model_peek32(p.model, IVAR(0)) == (0x80u | 0x81u << 16));
	CHECK(ixgbe_model_peek32(p.model, IVAR(1)) == 0x82u);
	CHECK(ixgbe_model_peek32(p.model, EITR(0)) == 5u << 3); /* default 10 us */
	CHECK(ixgbe_model_peek32(p.model, EITR(2)) == 5u << 3);
	CHECK(ixgbe_model_peek32(p.model, EIAC) == 7 && ixgbe_model_peek32(p.model, EIAM) == 7);
	CHECK(ixgbe_model_peek32(p.model, EIMS) == 0); /* masked until a wait */
	port_close(&p);

	o = (struct ixy_options){.irq_throttle_us = 100};
	port_open(&p, bus, 1, &o);
	CHECK(ixgbe_model_peek32(p.model, EITR(0)) == 50u << 3);
	port_close(&p);

	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 2);
	o = (struct ixy_options){.irq_throttle_us = 7};
	port_try_open(&p, bus, &cfg, &o);
	CHECK(!p.dev && strstr(ixy_last_error(), "irq_throttle_us 7"));
	ixgbe_model_free(p.model);
}

struct injector {
	struct port *p;
	uint32_t first, n;
	unsigned delay_ms;
};

static void *inject_later(void *arg)
{
	struct injector *in = arg;
	usleep(in->delay_ms * 1000u);
	for (uint32_t i = 0; i < in->n; i++)
		inject(in->p, in->first + i);
	return NULL;
}

static void test_wait(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, NULL);
	CHECK(ixgbe_model_start(p.model) == 0);
	uint32_t next = 0;
	CHECK(ixy_rx_wait(p.dev, 0, 0) == 0);
	CHECK(ixy_rx_wait(p.dev, 1, 0) == -1 && strstr(ixy_last_error(), "RX queue 1"));

	/* An RX burst while waiting: woken by its interrupt, one message for the burst. */
	pthread_t t;
	struct injector in = {&p, 0, 32, 50};
	CHECK(pthread_create(&t, NULL, inject_later, &in) == 0);
	uint64_t start = ms_now();
	CHECK(ixy_rx_wait(p.dev, 0, 20000) == 1);
	CHECK(ms_now() - start < 20000);
	pthread_join(t, NULL);
	while (next < 32) {
		if (!receive(&p, &next))
			CHECK(ixy_rx_wait(p.dev, 0, 20000) == 1);
	}
	uint64_t irqs = ixgbe_model_irqs(p.model, 0);
	CHECK(irqs >= 1 && irqs <= 2); /* the burst may reach the ring in two model steps */
	CHECK(ixgbe_model_peek32(p.model, EIMS) == 0);

	/* Polling: frames flow, no interrupt (the vector is masked). */
	for (uint32_t i = 32; i < 1032; i++) {
		inject(&p, i);
		if (i % 64 == 0)
			while (next < i)
				receive(&p, &next);
	}
	uint64_t start_poll = ms_now();
	while (next < 1032 && ms_now() - start_poll < 20000)
		receive(&p, &next);
	CHECK(next == 1032);
	CHECK(ixgbe_model_irqs(p.model, 0) == irqs);

	/* Nothing comes: the wait times out and leaves the vector masked. */
	CHECK(ixy_rx_wait(p.dev, 0, 30) == 0);
	CHECK(ixgbe_model_peek32(p.model, EIMS) == 0);
	CHECK(ixgbe_model_irqs(p.model, 0) == irqs);
	ixgbe_model_stop(p.model);
	port_close(&p);
}

static void adaptive_until(struct port *p, struct ixy_adaptive *a, bool polling, uint32_t *next,
                           uint32_t *sent, bool load)
{
	struct ixy_adaptive_stats st;
	uint64_t start = ms_now();
	do {
		CHECK(ms_now() - start < 20000);
		if (load && *next == *sent) { /* one batch in flight: the ring never overflows */
			for (uint32_t i = 0; i < 32; i++)
				inject(p, (*sent)++);
		}
		ixy_adaptive_after_rx(a, receive(p, next));
		ixy_adaptive_get_stats(a, &st);
	} while (st.polling != polling);
}

static void test_adaptive(struct ixgbe_bus *bus)
{
	struct port p;
	port_open(&p, bus, 0, NULL);
	CHECK(ixgbe_model_start(p.model) == 0);
	struct ixy_rx_queue_ref q = {p.dev, 0};
	struct ixy_adaptive_params bad = {.sleep_below_pps = 5000, .poll_above_pps = 5000};
	CHECK(!ixy_adaptive_new(&q, 1, &bad) && strstr(ixy_last_error(), "must be greater"));
	/* 5 ms windows; waits below 2000 frames/s, polls above 20000 frames/s. */
	struct ixy_adaptive_params prm = {
	    .sleep_below_pps = 2000, .poll_above_pps = 20000, .window_us = 5000};
	struct ixy_adaptive *a = ixy_adaptive_new(&q, 1, &prm);
	CHECK(a);
	uint32_t next = 0, sent = 0;
	struct ixy_adaptive_stats st;

	adaptive_until(&p, a, false, &next, &sent, false); /* idle: polling -> waiting */
	adaptive_until(&p, a, true, &next, &sent, true);   /* load: waiting -> polling */
	ixy_adaptive_get_stats(a, &st);
	CHECK(st.to_wait == 1 && st.to_poll == 1 && st.wakeups >= 1);
	adaptive_until(&p, a, false, &next, &sent, false); /* idle again: polling -> waiting */
	/* Every frame sent arrived in order, across both switches, and the NIC dropped none. */
	uint64_t start = ms_now();
	while (next < sent && ms_now() - start < 20000)
		ixy_adaptive_after_rx(a, receive(&p, &next));
	CHECK(next == sent && sent >= 32);
	struct ixy_stats s = {0};
	ixy_read_stats(p.dev, &s);
	CHECK(s.rx_dropped == 0 && s.rx_packets == sent);
	ixy_adaptive_get_stats(a, &st);
	CHECK(st.to_wait == 2 && st.to_poll == 1);
	printf("adaptive: %u frames, %llu waits, %llu wake-ups by frames\n", sent,
	       (unsigned long long)st.waits, (unsigned long long)st.wakeups);
	ixy_adaptive_free(a);
	ixgbe_model_stop(p.model);
	port_close(&p);
}

int main(int argc, char **argv)
{
	const char *name = argc == 2 ? argv[1] : "";
	void (*fn)(struct ixgbe_bus *) = !strcmp(name, "setup")      ? test_setup
	                                 : !strcmp(name, "wait")     ? test_wait
	                                 : !strcmp(name, "adaptive") ? test_adaptive
	                                                             : NULL;
	if (!fn) {
		fprintf(stderr, "usage: test_interrupts setup|wait|adaptive\n");
		return 2;
	}
	struct ixgbe_bus *bus = ixgbe_bus_new();
	CHECK(bus);
	fn(bus);
	ixgbe_bus_free(bus);
	printf("%s: ok\n", name);
	return 0;
}
