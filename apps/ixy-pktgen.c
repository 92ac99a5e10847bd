/* ixy-pktgen: sends UDP/IPv4 frames (or the frames of a pcap file, in a loop) as fast as the port
 * takes them, or at a constant bit rate (--rate): through the 82599's transmit rate limiters, or
 * paced in software on other NICs; from one worker thread per TX queue (--threads N). */
#include <inttypes.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "app_threads.h"
#include "pcap_file.h"

#define POOL_SIZE 8192u
#define RATE_RING 4096u /* with --rate: frames queued ahead, so a descheduled app does not gap */

static void usage(FILE *out)
{
	fprintf(out, "usage: ixy-pktgen <device> [--size BYTES] [--batch N] [--count N] [--seconds S]\n"
	             "                  [--rate MBIT] [--pcap FILE] [--threads N] [--force]\n"
	             "  <device>     PCI address (0000:03:00.0) or virtual 82599 (sim:0, see README)\n"
	             "  --size       frame size without CRC, 60 to 1514 (default 60)\n"
	             "  --batch      packets per TX call, 1 to 512 (default 64)\n"
	             "  --count      stop after sending N frames\n"
	             "  --seconds    stop after S seconds\n"
	             "  --rate       send at MBIT Mbit/s on the wire, counting CRC, preamble, SFD and\n"
	             "               inter-frame gap (10000 = 10GbE line rate; fractions allowed; with\n"
	             "               --threads shared equally among the queues)\n"
	             "  --pcap       send the frames of this pcap file in a loop instead (not with --size)\n"
	             "  --threads    worker threads, 1 to 16 (default 1): N TX queues, thread i pinned to a\n"
	             "               CPU, sending on queue i (--count is shared out among them)\n"
	             "  --force      take the device even if its kernel interface is up\n");
	fputs(app_common_usage, out);
}

/* The lengths of the next n frames (file frames from index seq, or all `size`) into lens. */
static const uint32_t *next_lens(uint32_t *lens, const struct pcap_frames *replay, uint32_t seq, uint32_t n,
                                 uint32_t size)
{
	for (uint32_t i = 0; i < n; i++)
		lens[i] = replay->count ? replay->frames[(seq + i) % replay->count].len : size;
	return lens;
}

/* --rate through the NIC's rate limiters on queues 0..threads-1, if it has them and they take
 * the rate: each queue gets its share, as the limiter's frame rate (CRC counted, preamble, SFD
 * and gap not) for the mean frame size. Returns false when software pacing must do it. */
static bool rate_limit(struct app_port *port, const struct app_args *a, const struct pcap_frames *replay,
                       unsigned threads)
{
	double len = (double)a->size;
	if (replay->count) {
		uint64_t sum = 0;
		for (uint32_t i = 0; i < replay->count; i++)
			sum += replay->frames[i].len < 60 ? 60 : replay->frames[i].len;
		len = (double)sum / replay->count;
	}
	double frame_bps = a->rate * 1e6 * (len + 4) / (len + 24) / threads;
	double pps = a->rate * 1e6 / ((len + 24) * 8);
	uint32_t link = ixy_link_speed(port->dev);
	bool nic =
	    strcmp(ixy_driver_name(port->dev), "ixgbe") == 0 && link && frame_bps >= 10e6 && a->rate <= link;
	unsigned set = 0;
	while (nic && set < threads &&
	       ixy_set_tx_rate(port->dev, (uint16_t)set, (uint64_t)(frame_bps + 0.5)) == 0)
		set++;
	if (nic && set == threads) {
		printf("rate: %.3f Mbit/s on the wire (%.0f frames/s of %.0f bytes), by the NIC's rate "
		       "limiter on %u queue(s)\n",
		       a->rate, pps, len, threads);
		return true;
	}
	while (set) /* the queues limited before one refused */
		ixy_set_tx_rate(port->dev, (uint16_t)--set, 0);
	printf("rate: %.3f Mbit/s on the wire (%.0f frames/s of %.0f bytes), paced in software from "
	       "CLOCK_MONOTONIC: exact on average, not frame by frame\n",
	       a->rate, pps, len);
	return false;
}

/* One worker: its own pool, its own TX queue. */
struct worker {
	struct ixy_device *dev;
	uint16_t queue;
	struct ixy_mempool *pool;
	const struct pcap_frames *replay;
	uint32_t batch, size;
	uint64_t quota; /* frames to send, 0 = no limit */
	uint64_t sent;
	atomic_bool *running;
	atomic_bool *go; /* every worker is ready: start sending together */
	atomic_uint *finished;
	pthread_t tid;
	int cpu;     /* pinned to, or -1 */
	double rate; /* --rate in software: the worker's share in Mbit/s (0: none) */
	struct app_pacer pacer;
	uint32_t lens[APP_MAX_BATCH];
};

static void *send_loop(void *arg)
{
	struct worker *w = arg;
	const struct pcap_frames *replay = w->replay;
	struct ixy_buf *bufs[APP_MAX_BATCH];
	uint32_t seq = 0;
	while (!atomic_load(w->go) && atomic_load_explicit(w->running, memory_order_relaxed))
		sched_yield();
	if (w->rate > 0)
		app_pacer_init(&w->pacer, w->rate); /* from the first frame on */
	while (atomic_load_explicit(w->running, memory_order_relaxed) && (!w->quota || w->sent < w->quota)) {
		uint32_t want = w->batch;
		if (w->quota && w->quota - w->sent < want)
			want = (uint32_t)(w->quota - w->sent);
		const uint32_t *lens = NULL;
		if (w->rate > 0) {
			lens = next_lens(w->lens, replay, seq, want, w->size);
			want = app_pacer_due(&w->pacer, lens, want);
		}
		uint32_t n = ixy_buf_alloc_batch(w->pool, bufs, want);
		if (replay->count) {
			/* seq is the index of the next file frame; frames shorter than 60 bytes go
			 * as they are (the NIC pads them). */
			uint32_t k = seq;
			for (uint32_t i = 0; i < n; i++) {
				const struct pcap_frame *f = &replay->frames[k];
				memcpy(bufs[i]->data, f->data, f->len);
				bufs[i]->len = f->len;
				if (++k == replay->count)
					k = 0;
			}
		} else {
			for (uint32_t i = 0; i < n; i++)
				memcpy(bufs[i]->data + 42, &(uint32_t){seq + i}, 4);
		}
		uint32_t done = ixy_tx_batch(w->dev, w->queue, bufs, n);
		for (uint32_t i = done; i < n; i++)
			ixy_buf_free(bufs[i]);
		if (lens)
			app_pacer_unsent(&w->pacer, lens + done, want - done);
		seq += done;
		if (replay->count)
			seq %= replay->count;
		w->sent += done;
	}
	atomic_fetch_add(w->finished, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	struct app_args a = {.size = 60, .batch = 64, .threads = 1, .opts = {.promiscuous = true}};
	int status = app_parse_args(argc, argv, "ixy-pktgen", "size,batch,count,seconds,pcap,threads,rate", 1,
	                            "one <device>", usage, &a);
	if (status >= 0)
		return status;
	if (a.pcap && a.size_given) {
		fprintf(stderr, "ixy-pktgen: --size and --pcap exclude each other "
		                "(the file's frames keep their sizes)\n");
		usage(stderr);
		return 2;
	}
	uint64_t size = a.size, batch = a.batch, count = a.count, seconds = a.seconds;
	unsigned threads = (unsigned)a.threads;
	a.opts.tx_queues = (uint16_t)threads;

	/* The whole file is loaded and checked before the port is opened: a bad file sends nothing. */
	struct pcap_frames replay = {0};
	if (a.pcap) {
		char err[512];
		if (pcap_read_all(&replay, a.pcap, err, sizeof(err)) < 0) {
			fprintf(stderr, "ixy-pktgen: %s\n", err);
			return 1;
		}
	}

	app_handle_signals();
	struct app_port port;
	if (a.rate > 0)
		a.opts.tx_ring_size = RATE_RING;
	if (app_open(&port, a.args[0], &a.opts) < 0) {
		pcap_frames_free(&replay);
		return 1;
	}
	/* Every buffer carries the frame from the start; the loop only writes the sequence number
	 * (or, with --pcap, copies the next file frame into each buffer). */
	uint8_t mac[6];
	ixy_get_mac(port.dev, mac);
	bool paced = a.rate > 0 && !rate_limit(&port, &a, &replay, threads);
	static struct worker workers[APP_MAX_THREADS];
	atomic_bool running = true, go = false;
	atomic_uint finished = 0;
	int ret = 0;
	unsigned started = 0;
	for (; started < threads; started++) {
		struct worker *w = &workers[started];
		*w = (struct worker){.dev = port.dev,
		                     .queue = (uint16_t)started,
		                     .replay = &replay,
		                     .batch = (uint32_t)batch,
		                     .size = (uint32_t)size,
		                     .rate = paced ? a.rate / threads : 0,
		                     .running = &running,
		                     .go = &go,
		                     .finished = &finished};
		/* --count shared out: the first count % threads workers send one more. */
		if (count)
			w->quota = count / threads + (started < count % threads);
		if (count && !w->quota) {
			atomic_fetch_add(&finished, 1);
			continue;
		}
		w->pool = ixy_mempool_create(port.dev, POOL_SIZE, 0);
		if (!w->pool) {
			fprintf(stderr, "ixy-pktgen: %s\n", ixy_last_error());
			ret = 1;
			break;
		}
		for (uint32_t i = 0; i < POOL_SIZE && !replay.count; i++) {
			struct ixy_buf *b = w->pool->free_stack[i];
			app_build_udp_frame(b->data, (uint32_t)size, mac);
			b->len = (uint32_t)size;
		}
		if (app_start_worker(&w->tid, &w->cpu, started, send_loop, w) < 0) {
			ixy_mempool_destroy(w->pool);
			w->pool = NULL;
			ret = 1;
			break;
		}
	}
	atomic_store(&go, true);
	/* Privileges and the sandbox go once the workers run: the sandbox forbids starting threads. */
	if (!ret && app_restrict(&a) < 0)
		ret = 1;
	/* This thread owns RX queue 0 (drained so a looped-back port keeps receiving) and reads the
	 * statistics while the workers send. */
	struct ixy_buf *bufs[APP_MAX_BATCH];
	uint64_t start = app_now_ns();
	while (!app_stop && !ret && atomic_load(&finished) < threads) {
		uint32_t got = ixy_rx_batch(port.dev, 0, bufs, APP_MAX_BATCH);
		for (uint32_t i = 0; i < got; i++)
			ixy_buf_free(bufs[i]);
		if (!got)
			usleep(100);
		uint64_t now = app_now_ns();
		app_print_rate(&port, now);
		if (seconds && now - start >= seconds * 1000000000u)
			break;
	}
	atomic_store(&running, false);
	uint64_t sent = 0;
	for (unsigned i = 0; i < started; i++) {
		if (workers[i].pool)
			pthread_join(workers[i].tid, NULL);
		sent += workers[i].sent;
	}
	/* Let the NIC finish: every frame sent and counted (bounded waits). The workers are joined:
	 * this thread owns every queue now. */
	if (ixy_tx_flush(port.dev, 1000) < 0) {
		fprintf(stderr, "ixy-pktgen: frames still queued after 1 s: is the link up?\n");
		ret = 1;
	}
	for (int i = 0; i < 200 && port.total.tx_packets < sent; i++) {
		uint32_t got = ixy_rx_batch(port.dev, 0, bufs, APP_MAX_BATCH);
		for (uint32_t k = 0; k < got; k++)
			ixy_buf_free(bufs[k]);
		app_update_stats(&port);
		usleep(10000);
	}
	for (unsigned i = 0; i < started; i++)
		printf("thread %u cpu %d tx_packets=%" PRIu64 "\n", i, workers[i].cpu, workers[i].sent);
	app_print_queue_stats(&port);
	app_update_stats(&port);
	app_print_total(&port);
	if (app_close(&port) < 0)
		ret = 1;
	for (unsigned i = 0; i < started; i++)
		ixy_mempool_destroy(workers[i].pool);
	pcap_frames_free(&replay);
	return ret;
}
