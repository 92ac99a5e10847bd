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

/* Receives a batch on `from` and sends it on `to`; what `to` cannot take is dropped. */
static void forward(struct ixy_device *from, struct ixy_device *to, uint32_t batch)
{
	struct ixy_buf *bufs[MAX_BATCH];
	uint32_t got = ixy_rx_batch(from, 0, bufs, batch);
	if (got == 0)
		return;
	uint32_t sent = ixy_tx_batch(to, 0, bufs, got);
	for (uint32_t i = sent; i < got; i++)
		ixy_buf_free(bufs[i]);
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
	uint64_t start = app_now_ns();
	while (!app_stop) {
		forward(ports[0].dev, ports[1].dev, (uint32_t)batch);
		forward(ports[1].dev, ports[0].dev, (uint32_t)batch);
		uint64_t now = app_now_ns();
		app_print_rate(&ports[0], now);
		app_print_rate(&ports[1], now);
		if (seconds && now - start >= seconds * 1000000000u)
			break;
	}
	int ret = 0;
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
