/* ixy-fwd: forwards frames in both directions between two ports, with one worker thread per
 * RSS queue pair (--threads N): worker i forwards RX queue i of each port to TX queue i of the
 * other, owning those four queues (the threading contract in ixy/ixy.h). */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "app.h"
#include "app_threads.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: ixy-fwd <device1> <device2> [--batch N] [--seconds S] [--threads N]\n"
	             "  <device>     PCI address (0000:03:00.0) or virtual 82599 (sim:0, see README)\n"
	             "  --batch      packets per RX/TX call, 1 to 512 (default 32)\n"
	             "  --seconds    stop after S seconds\n"
	             "  --threads    worker threads, 1 to 16 (default 1): N RSS queues per port, thread i\n"
	             "               pinned to a CPU, forwarding queue i both ways\n"
	             "  --force      take the devices even if their kernel interfaces are up\n");
	fputs(app_common_usage, out);
}

/* One direction of forwarding. Frames the TX ring cannot take yet wait here and go first next
 * time, so a full TX ring pushes back to the RX ring, where the NIC counts what it must drop. */
struct direction {
	struct ixy_device *from;
	struct ixy_device *to;
	uint16_t queue;
	uint32_t pending;
	uint64_t forwarded;
	struct ixy_buf *bufs[APP_MAX_BATCH];
};

struct worker {
	struct direction dirs[2];
	uint32_t batch;
	atomic_bool *running;
	pthread_t tid;
	int cpu; /* pinned to, or -1 */
};

static void forward(struct direction *d, uint32_t batch)
{
	if (d->pending == 0)
		d->pending = ixy_rx_batch(d->from, d->queue, d->bufs, batch);
	if (d->pending == 0)
		return;
	uint32_t sent = ixy_tx_batch(d->to, d->queue, d->bufs, d->pending);
	for (uint32_t i = sent; i < d->pending; i++)
		d->bufs[i - sent] = d->bufs[i];
	d->pending -= sent;
	d->forwarded += sent;
}

static void drop_pending(struct direction *d)
{
	for (uint32_t i = 0; i < d->pending; i++)
		ixy_buf_free(d->bufs[i]); /* a buffer of this thread's own RX queue */
	d->pending = 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	while (atomic_load_explicit(w->running, memory_order_relaxed)) {
		forward(&w->dirs[0], w->batch);
		forward(&w->dirs[1], w->batch);
	}
	drop_pending(&w->dirs[0]);
	drop_pending(&w->dirs[1]);
	return NULL;
}

int main(int argc, char **argv)
{
	struct app_args a = {.batch = 32, .threads = 1, .opts = {.promiscuous = true}};
	int status =
	    app_parse_args(argc, argv, "ixy-fwd", "batch,seconds,threads", 2, "two devices", usage, &a);
	if (status >= 0)
		return status;
	uint64_t seconds = a.seconds;
	unsigned threads = (unsigned)a.threads;
	a.opts.rx_queues = a.opts.tx_queues = (uint16_t)threads;

	app_handle_signals();
	struct app_port ports[2];
	if (app_open(&ports[0], a.args[0], &a.opts) < 0)
		return 1;
	if (app_open(&ports[1], a.args[1], &a.opts) < 0) {
		app_close(&ports[0]);
		return 1;
	}
	static struct worker workers[APP_MAX_THREADS];
	atomic_bool running = true;
	unsigned started = 0;
	for (; started < threads; started++) {
		struct worker *w = &workers[started];
		w->dirs[0] =
		    (struct direction){.from = ports[0].dev, .to = ports[1].dev, .queue = (uint16_t)started};
		w->dirs[1] =
		    (struct direction){.from = ports[1].dev, .to = ports[0].dev, .queue = (uint16_t)started};
		w->batch = (uint32_t)a.batch;
		w->running = &running;
		if (app_start_worker(&w->tid, &w->cpu, started, work, w) < 0)
			break;
	}
	int ret = started == threads ? 0 : 1;
	/* Privileges and the sandbox go once the workers run: the sandbox forbids starting threads. */
	if (!ret && app_restrict(&a) < 0)
		ret = 1;
	/* This thread only reads statistics, which the contract allows while workers run. */
	uint64_t start = app_now_ns();
	while (!app_stop && !ret) {
		usleep(10000);
		uint64_t now = app_now_ns();
		app_print_rate(&ports[0], now);
		app_print_rate(&ports[1], now);
		if (seconds && now - start >= seconds * 1000000000u)
			break;
	}
	atomic_store(&running, false);
	for (unsigned i = 0; i < started; i++)
		pthread_join(workers[i].tid, NULL);
	/* Both TX rings drain before either RX pool goes away: each holds the other's buffers. The
	 * workers are joined: this thread owns every queue now. */
	for (int i = 0; i < 2; i++) {
		if (ixy_tx_flush(ports[i].dev, 1000) < 0) {
			fprintf(stderr, "ixy-fwd: %s still had frames queued after 1 s: is its link up?\n",
			        ports[i].name);
			ret = 1;
		}
	}
	/* Per thread: frames forwarded from the first port to the second and back. */
	for (unsigned i = 0; i < started; i++)
		printf("thread %u cpu %d forwarded_0to1=%" PRIu64 " forwarded_1to0=%" PRIu64 "\n", i,
		       workers[i].cpu, workers[i].dirs[0].forwarded, workers[i].dirs[1].forwarded);
	for (int i = 0; i < 2; i++) {
		app_print_queue_stats(&ports[i]);
		app_update_stats(&ports[i]);
		app_print_total(&ports[i]);
	}
	for (int i = 1; i >= 0; i--) {
		if (app_close(&ports[i]) < 0)
			ret = 1;
	}
	return ret;
}
