/* ixy-bench: the CPU cost of libixy per packet, measured against the virtual 82599 in step
 * mode (no NIC, no model thread). See docs/benchmark.md for what is measured and how.
 *
 * Three scenarios, each at batch sizes 1..256 (the burst passed to ixy_rx_batch/ixy_tx_batch):
 *   rx   the model injects frames into port A and steps; the library receives and frees them
 *   tx   the library allocates buffers and sends them on port B; the model steps B (no wire)
 *   fwd  port A receives injected frames, the library forwards them to port B's TX (the loop
 *        of apps/ixy-fwd.c), the model steps B
 *
 * Time accounting, in TSC cycles (__rdtsc, x86-64 only):
 *   model   every call into the model: the register/DMA callbacks the driver makes (wrapped
 *           here in timed ops passed to ixy_open_hw), and the step/inject calls the bench makes
 *   library rdtsc around each ixy_rx_batch/ixy_tx_batch/ixy_buf_* call, minus the model time
 *           spent inside it (the tail write goes through the wrapped write32)
 *   Both are corrected for the cost of reading the TSC itself (see timer_overhead()).
 *
 * --fixed N runs exactly N packets per scenario with no time-based loop: deterministic, for
 * callgrind (instructions per packet), strace (syscalls) and allocation counting.
 *
 * --device-thread runs each port's model in its own thread (ixgbe_model_start) instead of
 * stepping it: the device writes descriptors and frames from another thread, as DMA does, and
 * the bench polls like an app (sched_yield() after an empty poll or a full ring). For
 * callgrind's cache simulation (bench/callgrind-cache.sh); model time is then not measured. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <sched.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if !defined(__x86_64__)
#error "ixy-bench reads the TSC with __rdtsc(): x86-64 only"
#endif
#include <x86intrin.h>

#include "ixgbe_model.h"
#include "ixy/ixy.h"

#define MAX_BATCH 256u
#define MAX_ROUNDS 99u
#define FRAME_LEN 60u /* minimum Ethernet frame without FCS: the worst case per packet */

static const uint32_t batch_sizes[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};

/* ---- time accounting ---- */

static uint64_t model_cycles; /* raw TSC cycles inside model calls */
static uint64_t model_calls;  /* timed model calls (each one pair of TSC reads) */
static double tsc_cost;       /* cycles one TSC read adds to an interval */

static inline uint64_t tsc(void)
{
	return __rdtsc();
}

/* Runs `stmt` as model time. */
#define MODEL(stmt)                                                                                          \
	do {                                                                                                 \
		uint64_t t0_ = tsc();                                                                        \
		stmt;                                                                                        \
		model_cycles += tsc() - t0_;                                                                 \
		model_calls++;                                                                               \
	} while (0)

/* Library time: the raw interval and the model calls nested in it are accumulated separately
 * and combined in report(). */
struct lib_clock {
	uint64_t raw;          /* sum of the outer intervals */
	uint64_t model_inside; /* model cycles inside them */
	uint64_t intervals;    /* outer intervals */
	uint64_t nested;       /* model calls inside them */
};

#define LIB(clk, stmt)                                                                                       \
	do {                                                                                                 \
		uint64_t m0_ = model_cycles, c0_ = model_calls;                                              \
		uint64_t t0_ = tsc();                                                                        \
		stmt;                                                                                        \
		uint64_t t1_ = tsc();                                                                        \
		(clk)->raw += t1_ - t0_;                                                                     \
		(clk)->model_inside += model_cycles - m0_;                                                   \
		(clk)->nested += model_calls - c0_;                                                          \
		(clk)->intervals++;                                                                          \
	} while (0)

/* The model's seam callbacks, timed. ctx is the struct ixgbe_model. */
static uint32_t timed_read32(void *ctx, uint32_t reg)
{
	uint32_t v;
	MODEL(v = ixgbe_model_read32(ctx, reg));
	return v;
}

static void timed_write32(void *ctx, uint32_t reg, uint32_t value)
{
	MODEL(ixgbe_model_write32(ctx, reg, value));
}

static uint64_t timed_dma_map(void *ctx, void *virt, size_t len)
{
	uint64_t bus;
	MODEL(bus = ixgbe_model_dma_map(ctx, virt, len));
	return bus;
}

/* Cycles an empty timed interval measures: the median of many back-to-back TSC reads. An
 * interval around code X measures X + tsc_cost; a nested timed interval adds two reads to the
 * outer one and measures its own body + tsc_cost. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static double timer_overhead(void)
{
	enum { SAMPLES = 10001 };
	static uint64_t d[SAMPLES];
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = tsc();
		uint64_t t1 = tsc();
		d[i] = t1 - t0;
	}
	qsort(d, SAMPLES, sizeof(d[0]), cmp_u64);
	return (double)d[SAMPLES / 2];
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per second, from a 100 ms sleep timed by both clocks (a fixed number of syscalls). */
static double tsc_hz_estimate(void)
{
	uint64_t n0 = now_ns(), t0 = tsc();
	struct timespec req = {0, 100000000};
	nanosleep(&req, NULL);
	uint64_t n1 = now_ns(), t1 = tsc();
	return (double)(t1 - t0) * 1e9 / (double)(n1 - n0);
}

/* ---- ports ---- */

struct port {
	struct ixgbe_model *model;
	struct ixy_hw_ops ops;
	struct ixy_device *dev;
	uint8_t mac[6];
	char name[16];
};

static bool port_open(struct port *p, struct ixgbe_bus *bus, unsigned n)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, n);
	cfg.line_rate_mbit = 0; /* rate=unlimited: the library's cost, not a 10 Gbit/s wire, is measured */
	memcpy(p->mac, cfg.mac, 6);
	p->model = ixgbe_model_new(bus, &cfg);
	if (!p->model) {
		fprintf(stderr, "ixy-bench: cannot create virtual 82599 port %u\n", n);
		return false;
	}
	snprintf(p->name, sizeof(p->name), "sim:%u", n);
	ixgbe_model_hw_ops(p->model, &p->ops, p->name);
	p->ops.read32 = timed_read32;
	p->ops.write32 = timed_write32;
	p->ops.dma_map = timed_dma_map;
	struct ixy_options o = {.promiscuous = true, .link_timeout_ms = 2000};
	p->dev = ixy_open_hw(&p->ops, &o);
	if (!p->dev) {
		fprintf(stderr, "ixy-bench: cannot open %s: %s\n", p->name, ixy_last_error());
		return false;
	}
	return true;
}

/* Returns the number of model violations seen on the port. */
static unsigned port_close(struct port *p)
{
	unsigned v = 0;
	if (p->dev) {
		ixgbe_model_step(p->model);
		ixy_close(p->dev);
	}
	if (p->model) {
		v = ixgbe_model_violations(p->model);
		char msg[512];
		for (unsigned i = 0; i < v && ixgbe_model_violation(p->model, i, msg, sizeof(msg)); i++)
			fprintf(stderr, "%s violation: %s\n", p->name, msg);
		ixgbe_model_free(p->model);
	}
	return v;
}

/* ---- scenarios ---- */

enum scenario { SC_RX, SC_TX, SC_FWD, SC_COUNT };
static const char *const scenario_names[] = {"rx", "tx", "fwd"};

struct bench {
	struct port a, b;           /* a receives (rx, fwd), b sends (tx, fwd) */
	bool device_thread;         /* the models run in their threads: poll, do not step */
	struct ixy_mempool *txpool; /* buffers for the tx scenario, prefilled with a frame */
	uint8_t frame[FRAME_LEN];
	bool ok;
};

struct result {
	uint64_t packets;
	uint64_t total; /* TSC cycles of the whole measured loop */
	double lib;     /* corrected library cycles */
	double model;   /* corrected model cycles */
};

static uint64_t lib_rx, lib_tx; /* packets the library received on A and sent on B, all runs */

/* Device thread: receives (rx) or sends bufs[0..n) on the port, yielding to the device thread
 * while it is behind (no frame yet, or a full ring); returns how many. */
static uint32_t poll_port(struct bench *bn, bool rx, struct ixy_buf **bufs, uint32_t n, struct lib_clock *clk)
{
	uint32_t done = 0;
	for (unsigned polls = 0; done < n && polls < 1000000; polls++) {
		uint32_t k = 0;
		if (rx)
			LIB(clk, k = ixy_rx_batch(bn->a.dev, 0, bufs + done, n - done));
		else
			LIB(clk, k = ixy_tx_batch(bn->b.dev, 0, bufs + done, n - done));
		done += k;
		if (done < n)
			sched_yield();
	}
	return done;
}

/* One iteration with the models in their threads (--device-thread). */
static uint32_t iterate_threaded(struct bench *bn, enum scenario sc, uint32_t want, struct lib_clock *clk)
{
	struct ixy_buf *bufs[MAX_BATCH];
	uint32_t got = 0, sent = 0;
	if (sc != SC_TX) {
		for (uint32_t k = 0; k < want; k++)
			ixgbe_model_inject(bn->a.model, bn->frame, FRAME_LEN);
		got = poll_port(bn, true, bufs, want, clk);
		lib_rx += got;
	}
	if (sc == SC_RX) {
		LIB(clk, for (uint32_t i = 0; i < got; i++) ixy_buf_free(bufs[i]));
		return got;
	}
	if (sc == SC_TX)
		LIB(clk, got = ixy_buf_alloc_batch(bn->txpool, bufs, want));
	sent = poll_port(bn, false, bufs, got, clk);
	LIB(clk, for (uint32_t i = sent; i < got; i++) ixy_buf_free(bufs[i]));
	lib_tx += sent;
	return sent;
}

/* One iteration of a scenario moving up to `want` packets; returns the packets moved. */
static uint32_t iterate(struct bench *bn, enum scenario sc, uint32_t want, struct lib_clock *clk)
{
	struct ixy_buf *bufs[MAX_BATCH];
	uint32_t got = 0, sent = 0;
	if (bn->device_thread)
		return iterate_threaded(bn, sc, want, clk);
	switch (sc) {
	case SC_RX:
		MODEL(for (uint32_t k = 0; k < want; k++)
		          ixgbe_model_inject(bn->a.model, bn->frame, FRAME_LEN));
		MODEL(ixgbe_model_step(bn->a.model));
		LIB(clk, got = ixy_rx_batch(bn->a.dev, 0, bufs, want);
		    for (uint32_t i = 0; i < got; i++) ixy_buf_free(bufs[i]));
		lib_rx += got;
		return got;
	case SC_TX:
		LIB(clk, got = ixy_buf_alloc_batch(bn->txpool, bufs, want);
		    sent = ixy_tx_batch(bn->b.dev, 0, bufs, got);
		    for (uint32_t i = sent; i < got; i++) ixy_buf_free(bufs[i]));
		MODEL(ixgbe_model_step(bn->b.model));
		lib_tx += sent;
		return sent;
	case SC_FWD:
		MODEL(for (uint32_t k = 0; k < want; k++)
		          ixgbe_model_inject(bn->a.model, bn->frame, FRAME_LEN));
		MODEL(ixgbe_model_step(bn->a.model));
		LIB(clk, got = ixy_rx_batch(bn->a.dev, 0, bufs, want);
		    sent = ixy_tx_batch(bn->b.dev, 0, bufs, got);
		    for (uint32_t i = sent; i < got; i++) ixy_buf_free(bufs[i]));
		MODEL(ixgbe_model_step(bn->b.model));
		lib_rx += got;
		lib_tx += sent;
		return sent;
	default:
		return 0;
	}
}

/* Runs a scenario for `seconds`, or exactly `fixed` packets. */
static struct result run_once(struct bench *bn, enum scenario sc, uint32_t batch, double seconds,
                              uint64_t fixed, double tsc_hz)
{
	struct lib_clock clk = {0};
	struct result r = {0};
	uint64_t m0 = model_cycles, c0 = model_calls;
	uint64_t start = tsc(), deadline = start + (uint64_t)(seconds * tsc_hz), now = start;
	uint32_t stalls = 0;
	for (;;) {
		uint32_t want = batch;
		if (fixed) {
			if (r.packets >= fixed)
				break;
			if (fixed - r.packets < want)
				want = (uint32_t)(fixed - r.packets);
		} else if ((r.packets & 0xFFF) < batch && (now = tsc()) >= deadline) {
			break;
		}
		uint32_t moved = iterate(bn, sc, want, &clk);
		r.packets += moved;
		if (moved != want && ++stalls > 1000) {
			fprintf(stderr,
			        "ixy-bench: %s batch %u: the library moved %u of %u packets, repeatedly\n",
			        scenario_names[sc], batch, moved, want);
			bn->ok = false;
			break;
		}
	}
	r.total = tsc() - start;
	double ovh = tsc_cost;
	uint64_t mcalls = model_calls - c0;
	r.model = (double)(model_cycles - m0) - ovh * (double)mcalls;
	r.lib = (double)clk.raw - (double)clk.model_inside - ovh * (double)(clk.intervals + clk.nested);
	if (r.model < 0)
		r.model = 0;
	if (r.lib < 0)
		r.lib = 0;
	return r;
}

static int cmp_result(const void *a, const void *b)
{
	const struct result *x = a, *y = b;
	double cx = (double)x->total / (double)(x->packets ? x->packets : 1);
	double cy = (double)y->total / (double)(y->packets ? y->packets : 1);
	return cx < cy ? -1 : cx > cy;
}

/* Fixed work: one run. Time-based: a warm-up, then `rounds` runs of seconds/rounds each; the
 * round with the median total cycles per packet is reported (robust against other load on
 * the machine, which only ever makes a round slower). */
static struct result run(struct bench *bn, enum scenario sc, uint32_t batch, double seconds, uint64_t fixed,
                         double tsc_hz, unsigned rounds)
{
	if (fixed)
		return run_once(bn, sc, batch, 0, fixed, tsc_hz);
	struct lib_clock warm = {0};
	for (int i = 0; i < 2000; i++)
		iterate(bn, sc, batch, &warm);
	struct result r[MAX_ROUNDS];
	for (unsigned i = 0; i < rounds; i++)
		r[i] = run_once(bn, sc, batch, seconds / rounds, 0, tsc_hz);
	qsort(r, rounds, sizeof(r[0]), cmp_result);
	return r[rounds / 2];
}

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: ixy-bench [--scenario rx|tx|fwd|all] [--batch N] [--seconds S] [--rounds R] [--fixed N]\n"
	    "                 [--cpu C] [--device-thread] [--quiet]\n"
	    "  --scenario  which scenario (default all)\n"
	    "  --batch     one batch size 1..%u (default: 1 2 4 8 16 32 64 128 256)\n"
	    "  --seconds   measured time per scenario and batch size (default 1)\n"
	    "  --rounds    split it into R rounds and report the median round (default 9)\n"
	    "  --cpu       pin the process to CPU C first\n"
	    "  --fixed     exactly N packets per scenario and batch size, no timing loop (for\n"
	    "              callgrind/strace: deterministic work)\n"
	    "  --device-thread  run each port's model in its own thread instead of stepping it\n"
	    "              (for callgrind's cache simulation; model time is not measured)\n"
	    "  --quiet     print only the summary line\n",
	    MAX_BATCH);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"scenario", required_argument, 0, 's'}, {"batch", required_argument, 0, 'b'},
	    {"seconds", required_argument, 0, 't'},  {"fixed", required_argument, 0, 'n'},
	    {"rounds", required_argument, 0, 'r'},   {"cpu", required_argument, 0, 'c'},
	    {"quiet", no_argument, 0, 'q'},          {"device-thread", no_argument, 0, 'd'},
	    {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
	int only = -1;
	uint32_t batch = 0;
	double seconds = 1;
	unsigned rounds = 9;
	long cpu = -1;
	uint64_t fixed = 0;
	bool quiet = false, device_thread = false;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 's':
			if (strcmp(optarg, "all") == 0) {
				only = -1;
				break;
			}
			only = -2;
			for (int i = 0; i < SC_COUNT; i++) {
				if (strcmp(optarg, scenario_names[i]) == 0)
					only = i;
			}
			if (only == -2) {
				fprintf(stderr, "ixy-bench: unknown scenario '%s'\n", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'b': {
			unsigned long v = strtoul(optarg, &end, 10);
			if (*optarg == '-' || *end || v < 1 || v > MAX_BATCH) {
				fprintf(stderr, "ixy-bench: --batch needs 1..%u\n", MAX_BATCH);
				return 2;
			}
			batch = (uint32_t)v;
			break;
		}
		case 't':
			seconds = strtod(optarg, &end);
			if (*end || !(seconds > 0 && seconds <= 3600)) {
				fprintf(stderr, "ixy-bench: --seconds needs a number in (0, 3600]\n");
				return 2;
			}
			break;
		case 'n': {
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*optarg == '-' || *end || v < 1 || v > (1ull << 40)) {
				fprintf(stderr, "ixy-bench: --fixed needs a packet count >= 1\n");
				return 2;
			}
			fixed = v;
			break;
		}
		case 'r': {
			unsigned long v = strtoul(optarg, &end, 10);
			if (*optarg == '-' || *end || v < 1 || v > MAX_ROUNDS) {
				fprintf(stderr, "ixy-bench: --rounds needs 1..%u\n", MAX_ROUNDS);
				return 2;
			}
			rounds = (unsigned)v;
			break;
		}
		case 'c':
			cpu = strtol(optarg, &end, 10);
			if (*optarg == '-' || *end || cpu < 0 || cpu >= CPU_SETSIZE) {
				fprintf(stderr, "ixy-bench: --cpu needs a CPU number\n");
				return 2;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'd':
			device_thread = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET((int)cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			perror("ixy-bench: sched_setaffinity");
			return 1;
		}
	}
	double tsc_hz = tsc_hz_estimate();
	tsc_cost = timer_overhead();

	static struct bench bn;
	bn.ok = true;
	struct ixgbe_bus *bus = ixgbe_bus_new();
	if (!bus || !port_open(&bn.a, bus, 0) || !port_open(&bn.b, bus, 1))
		return 1;
	/* Frames to A's MAC; nothing is connected to either port's wire (B's frames vanish). */
	memset(bn.frame, 0, sizeof(bn.frame));
	memcpy(bn.frame, bn.a.mac, 6);
	memcpy(bn.frame + 6, bn.b.mac, 6);
	bn.frame[12] = 0x88;
	bn.frame[13] = 0xB5;
	bn.txpool = ixy_mempool_create(bn.b.dev, 4096, 2048);
	if (!bn.txpool) {
		fprintf(stderr, "ixy-bench: %s\n", ixy_last_error());
		return 1;
	}
	/* Prefill every TX buffer once (as a generator would): the loop only allocates and sends. */
	{
		static struct ixy_buf *all[4096];
		uint32_t n = ixy_buf_alloc_batch(bn.txpool, all, 4096);
		for (uint32_t i = 0; i < n; i++) {
			memcpy(all[i]->data, bn.frame, FRAME_LEN);
			all[i]->len = FRAME_LEN;
		}
		for (uint32_t i = 0; i < n; i++)
			ixy_buf_free(all[i]);
	}
	if (device_thread) {
		int e = ixgbe_model_start(bn.a.model);
		if (!e)
			e = ixgbe_model_start(bn.b.model);
		if (e) {
			fprintf(stderr, "ixy-bench: cannot start a model thread: %s\n", strerror(e));
			return 1;
		}
		bn.device_thread = true;
	}

	if (!quiet) {
		printf("# ixy-bench: virtual 82599, %s, %u-byte frames; TSC %.3f GHz (estimate), "
		       "TSC read %.0f cycles (subtracted)\n",
		       device_thread ? "device threads (model time not measured)" : "step mode", FRAME_LEN,
		       tsc_hz / 1e9, tsc_cost);
		if (fixed)
			printf("# fixed work: %" PRIu64
			       " packets per line, one run (cycles indicative only)\n",
			       fixed);
		else
			printf("# time-based: %.2f s per line in %u rounds, median round shown\n", seconds,
			       rounds);
		printf("| scenario | batch | Mpps (whole loop) | cycles/pkt: total | library | model | "
		       "bench+timer | "
		       "Mpps at library cost alone |\n");
		printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	}
	uint64_t all_packets = 0;
	for (int sc = 0; sc < SC_COUNT; sc++) {
		if (only >= 0 && sc != only)
			continue;
		for (size_t k = 0; k < sizeof(batch_sizes) / sizeof(batch_sizes[0]); k++) {
			uint32_t b = batch ? batch : batch_sizes[k];
			struct result r = run(&bn, (enum scenario)sc, b, seconds, fixed, tsc_hz, rounds);
			all_packets += r.packets;
			if (!quiet && r.packets) {
				double p = (double)r.packets, tot = (double)r.total / p, lib = r.lib / p,
				       mod = r.model / p;
				printf("| %s | %u | %.2f | %.1f | %.1f | %.1f | %.1f | %.1f |\n",
				       scenario_names[sc], b, tsc_hz / tot / 1e6, tot, lib, mod,
				       tot - lib - mod, lib > 0 ? tsc_hz / lib / 1e6 : 0.0);
			}
			if (batch)
				break;
		}
	}
	/* Back to step mode: the device has finished what it was given (the final step below). */
	if (device_thread) {
		ixgbe_model_stop(bn.a.model);
		ixgbe_model_stop(bn.b.model);
		ixgbe_model_step(bn.b.model);
	}
	/* Cross-check with the device's own counters: every packet counted was really received
	 * and sent (the statistics registers are cleared at open). */
	struct ixy_stats sa = {0}, sb = {0};
	ixy_read_stats(bn.a.dev, &sa);
	ixy_read_stats(bn.b.dev, &sb);
	if (sa.rx_packets != lib_rx || sb.tx_packets != lib_tx || sa.rx_dropped || sb.rx_dropped) {
		fprintf(stderr,
		        "ixy-bench: counters disagree: A rx %" PRIu64 " (library got %" PRIu64
		        "), B tx %" PRIu64 " (library sent %" PRIu64 "), dropped %" PRIu64 "\n",
		        sa.rx_packets, lib_rx, sb.tx_packets, lib_tx, sa.rx_dropped + sb.rx_dropped);
		bn.ok = false;
	}
	/* The TX pool's buffers must all be back before it is freed: drain B first. */
	for (int i = 0; i < 100 && ixy_tx_flush(bn.b.dev, 0) < 0; i++)
		ixgbe_model_step(bn.b.model);
	ixy_mempool_destroy(bn.txpool);
	unsigned v = port_close(&bn.b) + port_close(&bn.a);
	ixgbe_bus_free(bus);
	printf("packets=%" PRIu64 " violations=%u %s\n", all_packets, v, bn.ok && v == 0 ? "OK" : "FAILED");
	return bn.ok && v == 0 ? 0 : 1;
}
