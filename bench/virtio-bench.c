/* virtio-bench: the virtio driver's datapath against the fake virtio-net device of
 * tests/virtio (plain memory behind the hw seams), for callgrind's instruction counts
 * (bench/callgrind-per-packet.sh with BENCH_TARGET=virtio-bench). The scenarios of ixy-bench:
 *   rx   the fake device delivers `batch` frames into port A; the library receives and frees them
 *   tx   the library takes `batch` prefilled buffers of a pool and sends them on port B; the
 *        fake device completes B's transmits
 *   fwd  port A receives `batch` frames, the library forwards them to port B, the fake device
 *        completes B's transmits
 *
 *   virtio-bench --ring split|packed|legacy [--scenario rx|tx|fwd] [--batch N] --fixed N [--quiet]
 * (legacy: a legacy-only device, split rings through the I/O BAR registers) */
#include <getopt.h>
#include <stdbool.h>
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

enum scenario { SC_RX, SC_TX, SC_FWD };

/* One iteration moving `want` frames; returns the frames moved (want, unless something failed). */
static uint32_t iterate(enum scenario sc, struct port *a, struct port *b, struct ixy_mempool *txpool,
                        const uint8_t *frame, uint32_t want, uint64_t *bytes)
{
	struct ixy_buf *bufs[256];
	uint32_t got = 0, sent = 0;
	if (sc != SC_TX) {
		for (uint32_t i = 0; i < want; i++)
			fake_virtio_rx(a->fake, frame, FRAME_LEN);
		got = ixy_rx_batch(a->dev, 0, bufs, want);
	} else {
		got = ixy_buf_alloc_batch(txpool, bufs, want);
	}
	if (sc == SC_RX) {
		for (uint32_t i = 0; i < got; i++)
			ixy_buf_free(bufs[i]);
		return got;
	}
	sent = ixy_tx_batch(b->dev, 0, bufs, got);
	for (uint32_t i = sent; i < got; i++)
		ixy_buf_free(bufs[i]);
	fake_virtio_tx(b->fake, bytes);
	return got == want ? sent : got;
}

int main(int argc, char **argv)
{
	static const char *const names[] = {"rx", "tx", "fwd"};
	const char *ring = "split";
	enum scenario sc = SC_FWD;
	uint32_t batch = 32;
	uint64_t fixed = 0;
	static const struct option longopts[] = {
	    {"ring", required_argument, 0, 'r'},  {"scenario", required_argument, 0, 's'},
	    {"batch", required_argument, 0, 'b'}, {"fixed", required_argument, 0, 'f'},
	    {"quiet", no_argument, 0, 'q'},       {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'r') {
			ring = optarg;
		} else if (c == 's') {
			if (!strcmp(optarg, "rx"))
				sc = SC_RX;
			else if (!strcmp(optarg, "tx"))
				sc = SC_TX;
			else if (!strcmp(optarg, "fwd"))
				sc = SC_FWD;
			else
				return fprintf(stderr,
				               "virtio-bench: unknown scenario '%s' (rx, tx or fwd)\n",
				               optarg),
				       2;
		} else if (c == 'b') {
			batch = *optarg == '-' ? 0 : (uint32_t)strtoul(optarg, NULL, 10);
		} else if (c == 'f') {
			fixed = *optarg == '-' ? 0 : strtoull(optarg, NULL, 10);
		} else if (c == '?') {
			return 2;
		}
	}
	const char *bad = strcmp(ring, "split") && strcmp(ring, "packed") && strcmp(ring, "legacy")
	                      ? "--ring must be split, packed or legacy"
	                  : batch == 0 || batch > 256 ? "--batch must be 1..256"
	                  : !fixed                    ? "--fixed N (packets, >= 1) is required"
	                                              : NULL;
	if (bad) {
		fprintf(stderr,
		        "virtio-bench: %s\nusage: virtio-bench --ring split|packed|legacy "
		        "[--scenario rx|tx|fwd] [--batch 1..256] --fixed N\n",
		        bad);
		return 2;
	}
	struct port a, b;
	open_port(&a, "fake-a", ring, NULL);
	open_port(&b, "fake-b", ring, a.fake);
	uint8_t frame[FRAME_LEN] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};
	/* tx: a pool larger than B's ring, every buffer prefilled once (as a generator would). */
	struct ixy_mempool *txpool = NULL;
	if (sc == SC_TX) {
		static struct ixy_buf *all[2048];
		txpool = ixy_mempool_create(b.dev, 2048, 2048);
		uint32_t n = txpool ? ixy_buf_alloc_batch(txpool, all, 2048) : 0;
		if (n != 2048) {
			fprintf(stderr, "virtio-bench: cannot create the TX pool: %s\n", ixy_last_error());
			return 1;
		}
		for (uint32_t i = 0; i < n; i++) {
			memcpy(all[i]->data, frame, FRAME_LEN);
			all[i]->len = FRAME_LEN;
		}
		for (uint32_t i = 0; i < n; i++)
			ixy_buf_free(all[i]);
	}
	uint64_t moved = 0, bytes = 0;
	while (moved < fixed) {
		uint32_t want = fixed - moved < batch ? (uint32_t)(fixed - moved) : batch;
		uint32_t n = iterate(sc, &a, &b, txpool, frame, want, &bytes);
		if (n != want) {
			fprintf(stderr, "virtio-bench: %s moved %u of %u frames\n", names[sc], n, want);
			return 1;
		}
		moved += n;
	}
	/* B's TX ring may hold buffers of A's pool or of txpool: close B before either goes. */
	ixy_close(b.dev);
	ixy_mempool_destroy(txpool);
	ixy_close(a.dev);
	uint64_t want_bytes = sc == SC_RX ? 0 : moved * FRAME_LEN;
	unsigned violations = fake_virtio_violations(a.fake) + fake_virtio_violations(b.fake);
	bool ok = bytes == want_bytes && violations == 0;
	printf("%s %s: %llu frames, %llu bytes sent, %u driver errors seen by the devices: %s\n", ring,
	       names[sc], (unsigned long long)moved, (unsigned long long)bytes, violations,
	       ok ? "OK" : "FAILED");
	fake_virtio_free(b.fake);
	fake_virtio_free(a.fake);
	return ok ? 0 : 1;
}
