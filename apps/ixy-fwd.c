/* ixy-fwd: forwards frames in both directions between two ports. */
#include <getopt.h>
#include <stdio.h>

#include "app.h"

#define MAX_BATCH 512u

static void usage(FILE *out)
{
	fprintf(out, "usage: ixy-fwd <device1> <device2> [--batch N] [--seconds S]\n"
		     "  <device>     PCI address (0000:03:00.0) or virtual 82599 (sim:0, see README)\n"
		     "  --batch      packets per RX/TX call, 1 to 512 (default 32)\n"
		     "  --seconds    stop after S seconds\n"
		     "  --force      take the devices even if their kernel interfaces are up\n");
}

/* One direction of forwarding. Frames the TX ring cannot take yet wait here and go first next
 * time, so a full TX ring pushes back to the RX ring, where the NIC counts what it must drop. */
struct direction {
	struct ixy_device *from;
	struct ixy_device *to;
	uint32_t pending;
	struct ixy_buf *bufs[MAX_BATCH];
};

static void forward(struct direction *d, uint32_t batch)
{
	if (d->pending == 0)
		d->pending = ixy_rx_batch(d->from, 0, d->bufs, batch);
	if (d->pending == 0)
		return;
	uint32_t sent = ixy_tx_batch(d->to, 0, d->bufs, d->pending);
	for (uint32_t i = sent; i < d->pending; i++)
		d->bufs[i - sent] = d->bufs[i];
	d->pending -= sent;
}

static void drop_pending(struct direction *d)
{
	for (uint32_t i = 0; i < d->pending; i++)
		ixy_buf_free(d->bufs[i]);
	d->pending = 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"batch", required_argument, 0, 'b'},
						 {"seconds", required_argument, 0, 't'},
						 {"force", no_argument, 0, 'f'},
						 {"help", no_argument, 0, 'h'},
						 {0, 0, 0, 0}};
	uint64_t batch = 32, seconds = 0;
	struct ixy_options opts = {.promiscuous = true};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case 'b':
			ok = app_parse_u64("ixy-fwd", "--batch", optarg, 1, MAX_BATCH, &batch);
			break;
		case 't':
			ok = app_parse_u64("ixy-fwd", "--seconds", optarg, 1, 1000000, &seconds);
			break;
		case 'f':
			opts.force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			ok = false;
		}
		if (!ok) {
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "ixy-fwd: two devices needed, %d given\n", argc - optind);
		usage(stderr);
		return 2;
	}

	app_handle_signals();
	struct app_port ports[2];
	if (app_open(&ports[0], argv[optind], &opts) < 0)
		return 1;
	if (app_open(&ports[1], argv[optind + 1], &opts) < 0) {
		app_close(&ports[0]);
		return 1;
	}
	static struct direction dirs[2];
	dirs[0].from = dirs[1].to = ports[0].dev;
	dirs[0].to = dirs[1].from = ports[1].dev;
	uint64_t start = app_now_ns();
	while (!app_stop) {
		forward(&dirs[0], (uint32_t)batch);
		forward(&dirs[1], (uint32_t)batch);
		uint64_t now = app_now_ns();
		app_print_rate(&ports[0], now);
		app_print_rate(&ports[1], now);
		if (seconds && now - start >= seconds * 1000000000u)
			break;
	}
	int ret = 0;
	drop_pending(&dirs[0]);
	drop_pending(&dirs[1]);
	/* Both TX rings drain before either RX pool goes away: each holds the other's buffers. */
	for (int i = 0; i < 2; i++)
		ixy_tx_flush(ports[i].dev, 1000);
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
