/* ixy-pktgen: sends UDP/IPv4 frames (or the frames of a pcap file, in a loop) as fast as the port
 * takes them, or at a constant bit rate (--rate): through the 82599's transmit rate limiter, or
 * paced in software on other NICs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "pcap_file.h"

#define POOL_SIZE 8192u
#define RATE_RING 4096u /* with --rate: frames queued ahead, so a descheduled app does not gap */

static void usage(FILE *out)
{
	fprintf(out, "usage: ixy-pktgen <device> [--size BYTES] [--batch N] [--count N] [--seconds S]\n"
	             "                  [--rate MBIT] [--pcap FILE] [--force]\n"
	             "  <device>     PCI address (0000:03:00.0) or virtual 82599 (sim:0, see README)\n"
	             "  --size       frame size without CRC, 60 to 1514 (default 60)\n"
	             "  --batch      packets per TX call, 1 to 512 (default 64)\n"
	             "  --count      stop after sending N frames\n"
	             "  --seconds    stop after S seconds\n"
	             "  --rate       send at MBIT Mbit/s on the wire, counting CRC, preamble, SFD and\n"
	             "               inter-frame gap (10000 = 10GbE line rate; fractions allowed)\n"
	             "  --pcap       send the frames of this pcap file in a loop instead (not with --size)\n"
	             "  --force      take the device even if its kernel interface is up\n");
}

/* The lengths of the next n frames (file frames from index seq, or all `size`). */
static const uint32_t *next_lens(const struct pcap_frames *replay, uint32_t seq, uint32_t n, uint32_t size)
{
	static uint32_t lens[APP_MAX_BATCH];
	for (uint32_t i = 0; i < n; i++)
		lens[i] = replay->count ? replay->frames[(seq + i) % replay->count].len : size;
	return lens;
}

/* --rate through the NIC's rate limiter on queue 0, if it has one that takes the rate: the wire
 * rate becomes the limiter's frame rate (CRC counted, preamble, SFD and gap not) for the mean
 * frame size. Returns false when software pacing must do it. */
static bool rate_limit(struct app_port *port, const struct app_args *a, const struct pcap_frames *replay)
{
	double len = (double)a->size;
	if (replay->count) {
		uint64_t sum = 0;
		for (uint32_t i = 0; i < replay->count; i++)
			sum += replay->frames[i].len < 60 ? 60 : replay->frames[i].len;
		len = (double)sum / replay->count;
	}
	double frame_bps = a->rate * 1e6 * (len + 4) / (len + 24);
	double pps = a->rate * 1e6 / ((len + 24) * 8);
	uint32_t link = ixy_link_speed(port->dev);
	if (strcmp(ixy_driver_name(port->dev), "ixgbe") == 0 && link && frame_bps >= 10e6 &&
	    a->rate <= link && ixy_set_tx_rate(port->dev, 0, (uint64_t)(frame_bps + 0.5)) == 0) {
		printf("rate: %.3f Mbit/s on the wire (%.0f frames/s of %.0f bytes), by the NIC's rate "
		       "limiter on queue 0\n",
		       a->rate, pps, len);
		return true;
	}
	printf("rate: %.3f Mbit/s on the wire (%.0f frames/s of %.0f bytes), paced in software from "
	       "CLOCK_MONOTONIC: exact on average, not frame by frame\n",
	       a->rate, pps, len);
	return false;
}

int main(int argc, char **argv)
{
	struct app_args a = {.size = 60, .batch = 64, .opts = {.promiscuous = true}};
	int status = app_parse_args(argc, argv, "ixy-pktgen", "size,batch,count,seconds,pcap,rate", 1,
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
	struct ixy_mempool *pool = ixy_mempool_create(port.dev, POOL_SIZE, 0);
	if (!pool) {
		fprintf(stderr, "ixy-pktgen: %s\n", ixy_last_error());
		app_close(&port);
		pcap_frames_free(&replay);
		return 1;
	}
	/* Every buffer carries the frame from the start; the loop only writes the sequence number
	 * (or, with --pcap, copies the next file frame into each buffer). */
	uint8_t mac[6];
	ixy_get_mac(port.dev, mac);
	struct ixy_buf *bufs[APP_MAX_BATCH];
	for (uint32_t i = 0; i < POOL_SIZE && !replay.count; i++) {
		struct ixy_buf *b = pool->free_stack[i];
		app_build_udp_frame(b->data, (uint32_t)size, mac);
		b->len = (uint32_t)size;
	}

	struct app_pacer pacer;
	bool paced = a.rate > 0 && !rate_limit(&port, &a, &replay);
	if (paced)
		app_pacer_init(&pacer, a.rate);

	uint64_t start = app_now_ns(), sent = 0;
	uint32_t seq = 0;
	while (!app_stop) {
		uint32_t want = (uint32_t)batch;
		if (count && count - sent < want)
			want = (uint32_t)(count - sent);
		if (paced)
			want = app_pacer_due(&pacer, next_lens(&replay, seq, want, (uint32_t)size), want);
		uint32_t n = ixy_buf_alloc_batch(pool, bufs, want);
		if (replay.count) {
			/* seq is the index of the next file frame; frames shorter than 60 bytes go
			 * as they are (the NIC pads them). */
			uint32_t k = seq;
			for (uint32_t i = 0; i < n; i++) {
				const struct pcap_frame *f = &replay.frames[k];
				memcpy(bufs[i]->data, f->data, f->len);
				bufs[i]->len = f->len;
				if (++k == replay.count)
					k = 0;
			}
		} else {
			for (uint32_t i = 0; i < n; i++)
				memcpy(bufs[i]->data + 42, &(uint32_t){seq + i}, 4);
		}
		uint32_t done = ixy_tx_batch(port.dev, 0, bufs, n);
		for (uint32_t i = done; i < n; i++)
			ixy_buf_free(bufs[i]);
		seq += done;
		if (replay.count)
			seq %= replay.count;
		sent += done;
		/* Drain RX so a looped-back port keeps receiving. */
		uint32_t got = ixy_rx_batch(port.dev, 0, bufs, APP_MAX_BATCH);
		for (uint32_t i = 0; i < got; i++)
			ixy_buf_free(bufs[i]);
		uint64_t now = app_now_ns();
		app_print_rate(&port, now);
		if ((count && sent >= count) || (seconds && now - start >= seconds * 1000000000u))
			break;
	}
	/* Let the NIC finish: every frame sent and counted (bounded waits). */
	int ret = 0;
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
	app_update_stats(&port);
	app_print_total(&port);
	if (app_close(&port) < 0)
		ret = 1;
	ixy_mempool_destroy(pool);
	pcap_frames_free(&replay);
	return ret;
}
