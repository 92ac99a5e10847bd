/* ixy-fwd: forwards frames in both directions between two ports. */
#include <stdio.h>

#include "app.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: ixy-fwd <device1> <device2> [--batch N] [--seconds S] [--poll]\n"
	             "  <device>     PCI address (0000:03:00.0) or virtual 82599 (sim:0, see README)\n"
	             "  --batch      packets per RX/TX call, 1 to 512 (default 32)\n"
	             "  --seconds    stop after S seconds\n"
	             "  --poll       spin on the rings even when idle (default: adaptive, sleeps while\n"
	             "               traffic is slow and waits for the RX interrupts)\n"
	             "  --force      take the devices even if their kernel interfaces are up\n");
	fputs(app_common_usage, out);
}

/* One direction of forwarding. Frames the TX ring cannot take yet wait here and go first next
 * time, so a full TX ring pushes back to the RX ring, where the NIC counts what it must drop. */
struct direction {
	struct ixy_device *from;
	struct ixy_device *to;
	uint32_t pending;
	struct ixy_buf *bufs[APP_MAX_BATCH];
};

/* Returns the frames received, plus 1 while frames wait for TX room (the loop must not sleep). */
static uint32_t forward(struct direction *d, uint32_t batch)
{
	uint32_t got = 0;
	if (d->pending == 0)
		got = d->pending = ixy_rx_batch(d->from, 0, d->bufs, batch);
	if (d->pending == 0)
		return 0;
	uint32_t sent = ixy_tx_batch(d->to, 0, d->bufs, d->pending);
	for (uint32_t i = sent; i < d->pending; i++)
		d->bufs[i - sent] = d->bufs[i];
	d->pending -= sent;
	return got + (d->pending != 0);
}

static void drop_pending(struct direction *d)
{
	for (uint32_t i = 0; i < d->pending; i++)
		ixy_buf_free(d->bufs[i]);
	d->pending = 0;
}

int main(int argc, char **argv)
{
	struct app_args a = {.batch = 32, .opts = {.promiscuous = true}};
	int status = app_parse_args(argc, argv, "ixy-fwd", "batch,seconds,poll", 2, "two devices", usage, &a);
	if (status >= 0)
		return status;
	uint64_t batch = a.batch, seconds = a.seconds;

	app_handle_signals();
	struct app_port ports[2];
	if (app_open(&ports[0], a.args[0], &a.opts) < 0)
		return 1;
	if (app_open(&ports[1], a.args[1], &a.opts) < 0) {
		app_close(&ports[0]);
		return 1;
	}
	if (app_restrict(&a) < 0) {
		app_close(&ports[1]);
		app_close(&ports[0]);
		return 1;
	}
	static struct direction dirs[2];
	dirs[0].from = dirs[1].to = ports[0].dev;
	dirs[0].to = dirs[1].from = ports[1].dev;
	struct ixy_rx_queue_ref queues[2] = {{ports[0].dev, 0}, {ports[1].dev, 0}};
	struct ixy_adaptive *idle = app_idle_policy(&a, queues, 2);
	uint64_t start = app_now_ns();
	while (!app_stop) {
		uint32_t got = forward(&dirs[0], (uint32_t)batch);
		got += forward(&dirs[1], (uint32_t)batch);
		if (idle)
			ixy_adaptive_after_rx(idle, got); /* may sleep until frames come */
		uint64_t now = app_now_ns();
		app_print_rate(&ports[0], now);
		app_print_rate(&ports[1], now);
		if (seconds && now - start >= seconds * 1000000000u)
			break;
	}
	int ret = 0;
	ixy_adaptive_free(idle);
	drop_pending(&dirs[0]);
	drop_pending(&dirs[1]);
	/* Both TX rings drain before either RX pool goes away: each holds the other's buffers. */
	for (int i = 0; i < 2; i++) {
		if (ixy_tx_flush(ports[i].dev, 1000) < 0) {
			fprintf(stderr, "ixy-fwd: %s still had frames queued after 1 s: is its link up?\n",
			        ports[i].name);
			ret = 1;
		}
	}
	for (int i = 0; i < 2; i++) {
		app_update_stats(&ports[i]);
		app_print_total(&ports[i]);
	}
	for (int i = 1; i >= 0; i--) {
		if (app_close(&ports[i]) < 0)
			ret = 1;
	}
	return ret;
}
