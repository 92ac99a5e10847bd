/* ixy-pktgen: sends UDP/IPv4 frames (or the frames of a pcap file, in a loop) as fast as the port
 * takes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "pcap_file.h"

#define POOL_SIZE 4096u

static void usage(FILE *out)
{
	fprintf(out, "usage: ixy-pktgen <device> [--size BYTES] [--batch N] [--count N] [--seconds S]\n"
	             "                  [--pcap FILE] [--force]\n"
	             "  <device>     PCI address (0000:03:00.0) or virtual 82599 (sim:0, see README)\n"
	             "  --size       frame size without CRC, 60 to 1514 (default 60)\n"
	             "  --batch      packets per TX call, 1 to 512 (default 64)\n"
	             "  --count      stop after sending N frames\n"
	             "  --seconds    stop after S seconds\n"
	             "  --pcap       send the frames of this pcap file in a loop instead (not with --size)\n"
	             "  --force      take the device even if its kernel interface is up\n");
	fputs(app_common_usage, out);
}

static uint16_t ip_checksum(const uint8_t *hdr, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)hdr[i] << 8 | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet / IPv4 / UDP, 10.0.0.1:42 -> 10.0.0.2:1337, the payload starts with a sequence number. */
static void build_frame(uint8_t *f, uint32_t size, const uint8_t src_mac[6])
{
	static const uint8_t dst_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xFF};
	memset(f, 0, size);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08; /* EtherType IPv4 */
	uint8_t *ip = f + 14;
	uint16_t ip_len = (uint16_t)(size - 14), udp_len = (uint16_t)(size - 34);
	ip[0] = 0x45; /* version 4, 20-byte header */
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[6] = 0x40; /* don't fragment */
	ip[8] = 64;   /* TTL */
	ip[9] = 17;   /* UDP */
	memcpy(ip + 12, (uint8_t[]){10, 0, 0, 1}, 4);
	memcpy(ip + 16, (uint8_t[]){10, 0, 0, 2}, 4);
	uint16_t sum = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	uint8_t *udp = ip + 20;
	udp[0] = 0;
	udp[1] = 42;
	udp[2] = 1337 >> 8;
	udp[3] = 1337 & 0xFF;
	udp[4] = (uint8_t)(udp_len >> 8);
	udp[5] = (uint8_t)udp_len; /* checksum 0: none, allowed over IPv4 (RFC 768) */
	for (uint32_t i = 42 + 4; i < size; i++)
		f[i] = (uint8_t)i;
}

int main(int argc, char **argv)
{
	struct app_args a = {.size = 60, .batch = 64, .opts = {.promiscuous = true}};
	int status = app_parse_args(argc, argv, "ixy-pktgen", "size,batch,count,seconds,pcap", 1,
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
	if (app_restrict(&a) < 0) {
		ixy_mempool_destroy(pool);
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
		build_frame(b->data, (uint32_t)size, mac);
		b->len = (uint32_t)size;
	}

	uint64_t start = app_now_ns(), sent = 0;
	uint32_t seq = 0;
	while (!app_stop) {
		uint32_t want = (uint32_t)batch;
		if (count && count - sent < want)
			want = (uint32_t)(count - sent);
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
