/* Driver checks run inside the QEMU guest, through the public API only. The two virtio NICs
 * are wired back to back (each one's output is the other's input), so the program is both ends:
 *
 *   guest_check <nicA> <nicB> <macA> <macB> [ring]
 *
 * ring: the RX and TX ring size asked for (default 512; the driver reports what it chose).
 * Prints "check <what>: ok" per check; exits 1 at the first failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ixy/ixy.h"

#define BATCH 64
#define WINDOW 64 /* frames in flight between the NICs: QEMU's socket path must not overflow */

static struct ixy_mempool *pool;
static uint32_t rx_seen, rx_marker, rx_bad;
static uint64_t rx_bytes_seen;
static const uint8_t marker_type[2] = {0x88, 0xb5}; /* local experimental EtherType */

static void fail(const char *what)
{
	printf("check FAILED: %s (last error: %s)\n", what, ixy_last_error());
	fflush(stdout);
	exit(1);
}

static void ok(const char *what)
{
	printf("check %s: ok\n", what);
	fflush(stdout);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned m[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

static uint32_t frame_size(uint32_t seq)
{
	return 60 + (seq * 7919u) % (1514 - 60 + 1);
}

/* Frame `seq`: dst, a fixed source, EtherType 0x88b5 (or 0x88b6 for the marker), seq, pattern. */
static void fill(struct ixy_buf *b, const uint8_t dst[6], uint32_t seq, bool marker)
{
	uint32_t size = marker ? 60 : frame_size(seq);
	memcpy(b->data, dst, 6);
	memcpy(b->data + 6, (uint8_t[]){0x02, 0, 0, 0, 0x0a, 0x0a}, 6);
	b->data[12] = marker_type[0];
	b->data[13] = (uint8_t)(marker_type[1] + marker);
	memcpy(b->data + 14, &seq, 4);
	for (uint32_t i = 18; i < size; i++)
		b->data[i] = (uint8_t)(seq + i);
	b->len = size;
}

/* Receives whatever is waiting on `dev`, checking each frame's content. */
static void drain(struct ixy_device *dev)
{
	struct ixy_buf *bufs[BATCH];
	uint32_t n = ixy_rx_batch(dev, 0, bufs, BATCH);
	for (uint32_t i = 0; i < n; i++) {
		struct ixy_buf *b = bufs[i];
		uint32_t seq;
		memcpy(&seq, b->data + 14, 4);
		if (b->data[13] == marker_type[1] + 1) {
			rx_marker++;
		} else {
			bool good = b->len == frame_size(seq);
			for (uint32_t k = 18; good && k < b->len; k++)
				good = b->data[k] == (uint8_t)(seq + k);
			rx_bad += !good;
			rx_seen++;
			rx_bytes_seen += b->len;
		}
		ixy_buf_free(b);
	}
}

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void send_one(struct ixy_device *tx, const uint8_t dst[6], uint32_t seq, bool marker)
{
	struct ixy_buf *b = ixy_buf_alloc(pool);
	if (!b)
		fail("mempool exhausted");
	fill(b, dst, seq, marker);
	uint64_t start = now_ms();
	while (ixy_tx_batch(tx, 0, &b, 1) == 0) {
		if (now_ms() - start > 10000)
			fail("TX ring stayed full for 10 s");
	}
}

/* Sends `count` frames to `dst` from `tx` (bounded in-flight window while `expect_rx`), then a
 * marker frame to `marker_dst` that `rx` always accepts. Returns how many of the frames `rx` got:
 * once the marker is in, everything sent before it has been delivered or filtered (one path). */
static uint32_t exchange(struct ixy_device *tx, struct ixy_device *rx, const uint8_t dst[6], uint32_t count,
                         bool expect_rx, const uint8_t marker_dst[6])
{
	rx_seen = rx_marker = rx_bad = 0;
	rx_bytes_seen = 0;
	for (uint32_t seq = 0; seq < count; seq++) {
		uint64_t start = now_ms();
		while (expect_rx && seq - rx_seen >= WINDOW) {
			drain(rx);
			if (now_ms() - start > 10000)
				fail("frames stopped arriving for 10 s");
		}
		send_one(tx, dst, seq, false);
		drain(rx);
	}
	send_one(tx, marker_dst, 0, true);
	uint64_t start = now_ms();
	while (rx_marker == 0) {
		drain(rx);
		if (now_ms() - start > 10000)
			fail("the marker frame did not arrive within 10 s");
	}
	if (rx_bad)
		fail("received frames with wrong length or content");
	return rx_seen;
}

int main(int argc, char **argv)
{
	uint8_t mac_a[6], mac_b[6], mac[6];
	if (argc < 5 || argc > 6 || parse_mac(argv[3], mac_a) < 0 || parse_mac(argv[4], mac_b) < 0) {
		fprintf(stderr, "usage: guest_check <nicA> <nicB> <macA> <macB> [ring]\n");
		return 2;
	}
	uint16_t ring = argc == 6 ? (uint16_t)atoi(argv[5]) : 512;
	struct ixy_options opts = {.rx_queues = 2};
	if (ixy_open(argv[1], &opts))
		fail("2 RX queues accepted on virtio");
	if (!strstr(ixy_last_error(), "1 RX and 1 TX"))
		fail("2 RX queues refused without naming the limit");
	ok("2 RX queues refused with a clear error");

	opts = (struct ixy_options){.promiscuous = false, .rx_ring_size = ring, .tx_ring_size = ring};
	struct ixy_device *a = ixy_open(argv[1], &opts);
	struct ixy_device *b = a ? ixy_open(argv[2], &opts) : NULL;
	if (!b)
		fail("open");
	if (strcmp(ixy_driver_name(a), "virtio") || ixy_rx_queue_count(a) != 1 || ixy_tx_queue_count(a) != 1)
		fail("driver name / queue counts");
	ok("driver virtio, 1 RX + 1 TX queue");
	ixy_get_mac(a, mac);
	if (memcmp(mac, mac_a, 6))
		fail("MAC of NIC A differs from QEMU's mac=");
	ixy_get_mac(b, mac);
	if (memcmp(mac, mac_b, 6))
		fail("MAC of NIC B differs from QEMU's mac=");
	ok("MACs read from device config");
	if (ixy_link_speed(a) != 1000 || ixy_wait_for_link(b, 1000) != 1000)
		fail("link speed");
	ok("link up, 1000 Mbit/s nominal");
	pool = ixy_mempool_create(a, 2048, 0);
	if (!pool)
		fail("mempool");

	struct ixy_stats sa = {0}, sb = {0};
	ixy_read_stats(a, &sa); /* start from zero */
	ixy_read_stats(b, &sb);
	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));

	const uint32_t n = 4000;
	if (exchange(a, b, mac_b, n, true, mac_b) != n)
		fail("A -> B to B's MAC: not every frame arrived");
	uint64_t bytes = rx_bytes_seen + 60; /* + marker */
	ok("4000 frames A -> B, sizes 60..1514, content intact");
	if (ixy_tx_flush(a, 1000) < 0)
		fail("tx_flush");
	ixy_read_stats(a, &sa);
	ixy_read_stats(b, &sb);
	if (sa.tx_packets != n + 1 || sa.tx_bytes != bytes || sb.rx_packets != n + 1 ||
	    sb.rx_bytes != bytes || sb.rx_dropped != 0 || sa.rx_packets != 0)
		fail("statistics");
	printf("stats A tx_packets=%llu tx_bytes=%llu, B rx_packets=%llu rx_bytes=%llu rx_dropped=%llu\n",
	       (unsigned long long)sa.tx_packets, (unsigned long long)sa.tx_bytes,
	       (unsigned long long)sb.rx_packets, (unsigned long long)sb.rx_bytes,
	       (unsigned long long)sb.rx_dropped);
	ok("statistics match what was sent and received");

	if (exchange(b, a, mac_a, 500, true, mac_a) != 500)
		fail("B -> A");
	ok("500 frames B -> A");

	const uint8_t foreign[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
	if (ixy_get_promiscuous(b))
		fail("promiscuous reported on");
	if (exchange(a, b, foreign, 100, false, mac_b) != 0)
		fail("promiscuous off: frames to a foreign MAC were received");
	ok("promiscuous off: 100 frames to a foreign unicast MAC filtered");
	ixy_set_promiscuous(b, true);
	if (!ixy_get_promiscuous(b))
		fail("promiscuous reported off");
	if (exchange(a, b, foreign, 100, true, mac_b) != 100)
		fail("promiscuous on: frames to a foreign MAC were not all received");
	ok("promiscuous on: 100 frames to a foreign unicast MAC received");
	ixy_set_promiscuous(b, false);

	const uint8_t new_mac[6] = {0x02, 0x12, 0x34, 0x56, 0x78, 0x9a};
	ixy_set_mac(b, new_mac);
	ixy_get_mac(b, mac);
	if (memcmp(mac, new_mac, 6))
		fail("get_mac after set_mac");
	if (exchange(a, b, new_mac, 100, true, new_mac) != 100)
		fail("frames to the new MAC not received");
	if (exchange(a, b, mac_b, 100, false, new_mac) != 0)
		fail("frames to the old MAC still received");
	ok("set_mac: new MAC received, old MAC filtered");

	ixy_close(b);
	ixy_close(a);
	ixy_mempool_destroy(pool);
	/* Reopen: the reset at close must leave the device usable. */
	a = ixy_open(argv[1], &opts);
	b = a ? ixy_open(argv[2], &opts) : NULL;
	if (!b)
		fail("reopen");
	pool = ixy_mempool_create(a, 2048, 0);
	if (!pool || exchange(a, b, mac_b, 300, true, mac_b) != 300)
		fail("traffic after reopen");
	ok("close and reopen, 300 frames");
	ixy_close(b);
	ixy_close(a);
	ixy_mempool_destroy(pool);
	printf("check all passed\n");
	return 0;
}
