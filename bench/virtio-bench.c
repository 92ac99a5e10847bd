/* virtio-bench: the virtio driver's datapath against the fake virtio-net device of
 * tests/virtio (plain memory behind the hw seams), for callgrind's instruction counts
 * (bench/callgrind-per-packet.sh with BENCH_TARGET=virtio-bench). Only the fwd scenario of
 * ixy-bench: port A receives `batch` frames the fake device delivers, the library forwards them
 * to port B, the fake device completes B's transmits.
 *
 *   virtio-bench --ring split|packed|legacy [--scenario fwd] [--batch N] --fixed N [--quiet]
 * (legacy: a legacy-only device, split rings through the I/O BAR registers) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_virtio.h"
#include "ixy/ixy.h"

#define FRAME_LEN 60u
#define QSIZE 512u

struct port {
	struct fake_virtio *fake;
	struct ixy_hw_ops ops;
	struct ixy_device *dev;
};

static void open_port(struct port *p, const char *name, const char *ring, struct fake_virtio *same_bus)
{
	p->fake = fake_virtio_new(QSIZE, strcmp(ring, "legacy") ? FAKE_MODERN_PACKED : FAKE_LEGACY, same_bus);
	fake_virtio_hw_ops(p->fake, &p->ops, name);
	struct ixy_options o = {.rx_ring_size = QSIZE,
	                        .tx_ring_size = QSIZE,
	                        .link_timeout_ms = 1,
	                        .virtio_ring = strcmp(ring, "packed") ? "split" : "packed"};
	p->dev = p->fake ? ixy_open_hw(&p->ops, &o) : NULL;
	if (!p->dev) {
		fprintf(stderr, "virtio-bench: cannot open the fake device: %s\n", ixy_last_error());
		exit(1);
	}
}

int main(int argc, char **argv)
{
	const char *ring = "split";
	uint32_t batch = 32;
	uint64_t fixed = 0;
	static const struct option longopts[] = {
	    {"ring", required_argument, 0, 'r'},  {"scenario", required_argument, 0, 's'},
	    {"batch", required_argument, 0, 'b'}, {"fixed", required_argument, 0, 'f'},
	    {"quiet", no_argument, 0, 'q'},       {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'r')
			ring = optarg;
		else if (c == 's' && strcmp(optarg, "fwd"))
			return fprintf(stderr, "virtio-bench: only the fwd scenario\n"), 2;
		else if (c == 'b')
			batch = (uint32_t)strtoul(optarg, NULL, 0);
		else if (c == 'f')
			fixed = strtoull(optarg, NULL, 0);
		else if (c == '?')
			return 2;
	}
	if (!fixed || batch == 0 || batch > 256) {
		fprintf(stderr,
		        "usage: virtio-bench --ring split|packed|legacy [--batch 1..256] --fixed N\n");
		return 2;
	}
	struct port a, b;
	open_port(&a, "fake-a", ring, NULL);
	open_port(&b, "fake-b", ring, a.fake);
	uint8_t frame[FRAME_LEN] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};
	struct ixy_buf *bufs[256];
	uint64_t moved = 0, bytes = 0;
	while (moved < fixed) {
		uint32_t want = fixed - moved < batch ? (uint32_t)(fixed - moved) : batch;
		for (uint32_t i = 0; i < want; i++)
			fake_virtio_rx(a.fake, frame, FRAME_LEN);
		uint32_t n = ixy_rx_batch(a.dev, 0, bufs, want);
		uint32_t sent = ixy_tx_batch(b.dev, 0, bufs, n);
		for (uint32_t i = sent; i < n; i++)
			ixy_buf_free(bufs[i]);
		fake_virtio_tx(b.fake, &bytes);
		if (n != want || sent != n) {
			fprintf(stderr, "virtio-bench: moved %u of %u frames\n", sent, want);
			return 1;
		}
		moved += n;
	}
	ixy_close(b.dev); /* B's TX ring holds buffers of A's pool: close it first */
	ixy_close(a.dev);
	printf("%s: %llu frames forwarded, %llu bytes, %u driver errors seen by the devices: %s\n", ring,
	       (unsigned long long)moved, (unsigned long long)bytes,
	       fake_virtio_violations(a.fake) + fake_virtio_violations(b.fake),
	       bytes == moved * FRAME_LEN ? "OK" : "FAILED");
	fake_virtio_free(b.fake);
	fake_virtio_free(a.fake);
	return 0;
}
