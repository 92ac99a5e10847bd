/* ixy-pcap: writes every frame the port receives into a pcap file (microsecond timestamps). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "pcap_file.h"

#define BATCH 64u

static void usage(FILE *out)
{
	fprintf(out, "usage: ixy-pcap <device> <file> [--count N] [--seconds S] [--force]\n"
	             "  <device>     PCI address (0000:03:00.0) or virtual 82599 (sim:0, see README)\n"
	             "  <file>       pcap file to write (microsecond timestamps; replaced if it exists,\n"
	             "               refused if it is the port's rx-pcap input)\n"
	             "  --count      stop after capturing N frames\n"
	             "  --seconds    stop after S seconds\n"
	             "  --force      take the device even if its kernel interface is up\n");
	fputs(app_common_usage, out);
}

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct app_args a = {.opts = {.promiscuous = true}};
	int status = app_parse_args(argc, argv, "ixy-pcap", "count,seconds", 2, "<device> <file>", usage, &a);
	if (status >= 0)
		return status;
	uint64_t count = a.count, seconds = a.seconds;
	const char *dev_name = a.args[0], *path = a.args[1];

	/* The file first: an unwritable path or a full disk fails before the port is touched. */
	char err[512];
	struct pcap_writer w;
	if (pcap_writer_open(&w, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "ixy-pcap: %s\n", err);
		return 1;
	}
	app_handle_signals();
	struct app_port port;
	if (app_open(&port, dev_name, &a.opts) < 0) {
		pcap_writer_abandon(&w); /* an existing file keeps what it held */
		return 1;
	}

	if (app_restrict(&a) < 0) {
		app_close(&port);
		pcap_writer_close(&w);
		return 1;
	}
	struct ixy_buf *bufs[BATCH];
	uint64_t start = app_now_ns(), last_flush = start, captured = 0;
	bool write_failed = false;
	while (!app_stop) {
		uint32_t n = ixy_rx_batch(port.dev, 0, bufs, BATCH);
		if (n) {
			uint64_t ts = wall_ns(); /* one timestamp per batch: clock_gettime is a vDSO call */
			for (uint32_t i = 0; i < n; i++) {
				if (!write_failed && (!count || captured < count)) {
					if (pcap_writer_add(&w, bufs[i]->data, bufs[i]->len, ts) < 0)
						write_failed = true;
					else
						captured++;
				}
				ixy_buf_free(bufs[i]);
			}
		}
		uint64_t now = app_now_ns();
		app_print_rate(&port, now);
		if (!write_failed && now - last_flush >= 1000000000u) {
			/* Once a second, so the file follows the capture even when traffic is slow. */
			write_failed = pcap_writer_flush(&w) < 0;
			last_flush = now;
		}
		if (write_failed || (count && captured >= count) ||
		    (seconds && now - start >= seconds * 1000000000u))
			break;
	}

	app_update_stats(&port);
	app_print_total(&port);
	int ret = app_close(&port) < 0 ? 1 : 0;
	if (pcap_writer_close(&w) < 0) {
		pcap_writer_error(&w, err, sizeof(err));
		fprintf(stderr, "ixy-pcap: %s\n", err);
		ret = 1;
	} else {
		fprintf(stderr, "ixy-pcap: %llu frames written to %s\n",
		        (unsigned long long)pcap_writer_records_on_disk(&w), path);
	}
	return ret;
}
