/* ixy-latency: the latency from one port to another, directly or through a device under test
 * (such as ixy-fwd), measured with IEEE 1588 probe frames sent among an optional load. With the
 * 82599's time-sync unit on both ports the NIC stamps each probe on the wire (DS 7.9); otherwise
 * the app stamps it in software, and says so. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "latency_stats.h"

#define POOL_SIZE 4096u
#define PROBE_LEN 64u
#define PROBE_TIMEOUT_NS 100000000u /* a probe not back within 100 ms is lost */
#define SYNC_ROUNDS 5u

static void usage(FILE *out)
{
	fprintf(out, "usage: ixy-latency <tx-device> <rx-device> [--count N] [--rate MBIT] [--size BYTES]\n"
	             "                   [--seconds S] [--csv FILE] [--plot FILE] [--sw-stamps] [--force]\n"
	             "  <device>     PCI address (0000:03:00.0) or virtual 82599 (sim:0, see README); the\n"
	             "               same device twice for a loop\n"
	             "  --count      probes to measure (default 1000), one in flight at a time\n"
	             "  --rate       load sent with the probes, Mbit/s on the wire (CRC, preamble, SFD and\n"
	             "               gap counted); default none\n"
	             "  --size       load frame size without CRC, 60 to 1514 (default 60)\n"
	             "  --seconds    stop after S seconds\n"
	             "  --csv        write every probe: probe,ptp_seq,tx_ns,rx_ns,latency_ns,result\n"
	             "  --plot       write the latency histogram as an SVG picture\n"
	             "  --sw-stamps  stamp in software even where the NICs have a clock (to compare)\n"
	             "  --force      take the devices even if their kernel interfaces are up\n");
	fputs(app_common_usage, out);
}

/* A PTP version 2 Sync message (an event message the NIC stamps) to the PTP multicast address,
 * EtherType 0x88F7, carrying the probe's sequenceId. */
static void build_probe(struct ixy_buf *b, const uint8_t src[6], uint16_t seq)
{
	static const uint8_t ptp_mc[6] = {0x01, 0x1B, 0x19, 0x00, 0x00, 0x00};
	uint8_t *f = b->data;
	memset(f, 0, PROBE_LEN);
	memcpy(f, ptp_mc, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xF7;
	f[14] = 0x00; /* messageType Sync */
	f[15] = 0x02; /* versionPTP 2 */
	f[16] = 0;
	f[17] = 44; /* messageLength */
	f[14 + 30] = (uint8_t)(seq >> 8);
	f[14 + 31] = (uint8_t)seq;
	b->len = PROBE_LEN;
}

static bool is_probe(const struct ixy_buf *b, uint16_t seq)
{
	const uint8_t *f = b->data;
	return b->len >= PROBE_LEN && f[12] == 0x88 && f[13] == 0xF7 && f[14 + 30] == (uint8_t)(seq >> 8) &&
	       f[14 + 31] == (uint8_t)seq;
}

/* rx clock - tx clock in ns, from reads bracketing each other; the round with the narrowest
 * bracket wins. *error gets half of that bracket, rounded up (the offset is taken from its
 * middle, rounded down). */
static int64_t clock_offset(struct ixy_device *tx, struct ixy_device *rx, uint64_t *error)
{
	int64_t best = 0;
	uint64_t window = UINT64_MAX;
	for (unsigned i = 0; i < SYNC_ROUNDS; i++) {
		uint64_t a1 = ixy_timesync_read_clock(tx);
		uint64_t b = ixy_timesync_read_clock(rx);
		uint64_t a2 = ixy_timesync_read_clock(tx);
		if (a2 - a1 < window) {
			window = a2 - a1;
			best = (int64_t)b - (int64_t)(a1 + (a2 - a1) / 2);
		}
	}
	*error = (window + 1) / 2;
	return best;
}

struct run {
	struct app_port ports[2];
	struct ixy_device *tx, *rx;
	bool hw; /* NIC stamps on both ports */
	FILE *csv;
	FILE *plot; /* opened before the sandbox, written at the end */
	uint64_t *samples;
	size_t measured, lost, unstamped, negative;
	uint64_t sync_error_max;
	uint64_t rx_dropped;
};

enum result { OK, LOST, UNSTAMPED, NEGATIVE };

static void record(struct run *r, uint64_t probe, uint16_t seq, uint64_t tx_ns, uint64_t rx_ns,
                   enum result res)
{
	static const char *names[] = {"ok", "lost", "unstamped", "negative"};
	int64_t lat = (int64_t)(rx_ns - tx_ns);
	if (res == OK && lat < 0)
		res = NEGATIVE;
	if (res == OK)
		r->samples[r->measured++] = (uint64_t)lat;
	else if (res == LOST)
		r->lost++;
	else if (res == UNSTAMPED)
		r->unstamped++;
	else
		r->negative++;
	if (r->csv)
		fprintf(r->csv, "%" PRIu64 ",%u,%" PRIu64 ",%" PRIu64 ",%" PRId64 ",%s\n", probe, seq, tx_ns,
		        res == LOST || res == UNSTAMPED ? 0 : rx_ns,
		        res == LOST || res == UNSTAMPED ? (int64_t)0 : lat, names[res]);
}

/* Load frames, as many as the ring takes (or the software pacer allows). */
static void send_load(struct run *r, struct ixy_mempool *pool, struct app_pacer *pacer, uint32_t size)
{
	struct ixy_buf *bufs[64];
	uint32_t want = 64, lens[64];
	if (pacer) {
		for (uint32_t i = 0; i < 64; i++)
			lens[i] = size;
		want = app_pacer_due(pacer, lens, want);
	}
	uint32_t n = ixy_buf_alloc_batch(pool, bufs, want);
	uint32_t done = ixy_tx_batch(r->tx, 0, bufs, n);
	for (uint32_t i = done; i < n; i++)
		ixy_buf_free(bufs[i]);
	if (pacer)
		app_pacer_unsent(pacer, lens + done, want - done);
}

static void drain(struct ixy_device *dev)
{
	struct ixy_buf *bufs[64];
	uint32_t n;
	while ((n = ixy_rx_batch(dev, 0, bufs, 64)) > 0)
		for (uint32_t i = 0; i < n; i++)
			ixy_buf_free(bufs[i]);
}

static int setup_load(struct run *r, const struct app_args *a, struct ixy_mempool *pool,
                      struct app_pacer *pacer, bool *paced)
{
	uint8_t mac[6];
	ixy_get_mac(r->tx, mac);
	for (uint32_t i = 0; i < POOL_SIZE; i++) {
		struct ixy_buf *b = pool->free_stack[i];
		app_build_udp_frame(b->data, (uint32_t)a->size, mac);
		b->len = (uint32_t)a->size;
	}
	*paced = false;
	if (a->rate <= 0)
		return 0;
	double len = (double)a->size;
	double frame_bps = a->rate * 1e6 * (len + 4) / (len + 24);
	uint32_t link = ixy_link_speed(r->tx);
	if (r->hw && link && a->rate <= link && frame_bps >= 10e6 &&
	    ixy_set_tx_rate(r->tx, 0, (uint64_t)(frame_bps + 0.5)) == 0) {
		printf("load: %.3f Mbit/s on the wire in %u-byte frames, by the NIC's rate limiter\n",
		       a->rate, (unsigned)a->size);
		return 0;
	}
	app_pacer_init(pacer, a->rate);
	*paced = true;
	printf("load: %.3f Mbit/s on the wire in %u-byte frames, paced in software\n", a->rate,
	       (unsigned)a->size);
	return 0;
}

static int measure(struct run *r, const struct app_args *a, uint64_t count)
{
	struct ixy_mempool *load = ixy_mempool_create(r->tx, POOL_SIZE, 0);
	struct ixy_mempool *probes = ixy_mempool_create(r->tx, 64, 0);
	/* Privileges and the sandbox go once every device is open and every pool allocated. */
	if (!load || !probes || app_restrict(a) < 0) {
		if (!load || !probes)
			fprintf(stderr, "ixy-latency: %s\n", ixy_last_error());
		ixy_mempool_destroy(load);
		ixy_mempool_destroy(probes);
		return -1;
	}
	struct app_pacer pacer;
	bool paced;
	setup_load(r, a, load, &pacer, &paced);
	uint8_t mac[6];
	ixy_get_mac(r->tx, mac);
	bool same = r->tx == r->rx;
	uint64_t start = app_now_ns(), sent = 0;
	int64_t offset = 0;
	while (!app_stop && sent < count &&
	       !(a->seconds && app_now_ns() - start >= a->seconds * 1000000000u)) {
		uint16_t seq = (uint16_t)sent;
		uint64_t tx_ns = 0, rx_ns = 0, junk;
		uint16_t junk_seq;
		if (r->hw) {
			if (!same) {
				uint64_t err;
				offset = clock_offset(r->tx, r->rx, &err);
				if (err > r->sync_error_max)
					r->sync_error_max = err;
			}
			/* A stamp left from a frame that was not ours would block the latch. */
			ixy_timesync_read_rx(r->rx, &junk, &junk_seq);
			ixy_timesync_read_tx(r->tx, &junk);
		}
		struct ixy_buf *b = ixy_buf_alloc(probes);
		if (!b && (ixy_tx_flush(r->tx, 100) != 0 || !(b = ixy_buf_alloc(probes)))) {
			fprintf(stderr,
			        "ixy-latency: sent probes do not come back from the TX ring (link down?)\n");
			break;
		}
		build_probe(b, mac, seq);
		for (;;) { /* the ring may be full of load */
			if (!r->hw)
				tx_ns = app_now_ns();
			if (r->hw ? ixy_tx_stamped(r->tx, 0, b) : ixy_tx_batch(r->tx, 0, &b, 1) == 1)
				break;
			drain(r->rx);
		}
		sent++;
		bool arrived = false, tx_done = !r->hw;
		uint64_t deadline = app_now_ns() + PROBE_TIMEOUT_NS;
		while (!(arrived && tx_done) && app_now_ns() < deadline && !app_stop) {
			if (a->rate > 0)
				send_load(r, load, paced ? &pacer : NULL, (uint32_t)a->size);
			struct ixy_buf *bufs[64];
			uint32_t n = ixy_rx_batch(r->rx, 0, bufs, 64);
			uint64_t now = r->hw ? 0 : app_now_ns();
			for (uint32_t i = 0; i < n; i++) {
				if (!arrived && is_probe(bufs[i], seq)) {
					arrived = true;
					rx_ns = now;
				}
				ixy_buf_free(bufs[i]);
			}
			if (!tx_done)
				tx_done = ixy_timesync_read_tx(r->tx, &tx_ns);
		}
		if (!arrived || !tx_done) {
			record(r, sent, seq, tx_ns, 0, LOST);
			continue;
		}
		if (r->hw) {
			uint16_t got_seq;
			if (!ixy_timesync_read_rx(r->rx, &rx_ns, &got_seq) || got_seq != seq) {
				record(r, sent, seq, tx_ns, 0, UNSTAMPED);
				continue;
			}
			rx_ns = (uint64_t)((int64_t)rx_ns - offset); /* into the TX port's clock */
		}
		record(r, sent, seq, tx_ns, rx_ns, OK);
	}
	if (r->hw)
		ixy_set_tx_rate(r->tx, 0, 0);
	struct ixy_stats st = {0};
	ixy_read_stats(r->rx, &st);
	r->rx_dropped = st.rx_dropped;
	/* Whatever is still queued goes out and comes back before the pools go. */
	ixy_tx_flush(r->tx, 1000);
	for (int i = 0; i < 20; i++)
		drain(r->rx);
	ixy_mempool_destroy(load);
	ixy_mempool_destroy(probes);
	return 0;
}

static int report(struct run *r, const struct app_args *a, uint64_t sent)
{
	printf("probes: %" PRIu64 " sent, %zu measured, %zu lost, %zu unstamped, %zu negative\n", sent,
	       r->measured, r->lost, r->unstamped, r->negative);
	if (r->lost + r->unstamped)
		printf("  (lost: not back within %u ms; unstamped: back, but the NIC's latch held another "
		       "frame's stamp; the receiving port dropped %" PRIu64 " frames)\n",
		       PROBE_TIMEOUT_NS / 1000000, r->rx_dropped);
	if (r->hw && r->tx != r->rx)
		printf("clock sync: each probe's offset known to within %.3f us\n",
		       (double)r->sync_error_max / 1e3);
	if (!r->measured) {
		fprintf(stderr, "ixy-latency: no probe came back: is %s cabled to %s (through the DUT)?\n",
		        a->args[0], a->args[1]);
		return 1;
	}
	const char *clock = r->hw ? "hardware timestamps: 82599 IEEE 1588 unit, 6.4 ns resolution"
	                          : "software timestamps: CLOCK_MONOTONIC at the app's send call and "
	                            "receive poll, includes driver and polling time";
	struct latency_summary s;
	latency_summarise(r->samples, r->measured, &s);
	struct histogram h;
	histogram_build(&h, r->samples, r->measured);
	latency_print(stdout, &s, clock);
	histogram_print(stdout, &h);
	if (r->plot) {
		char err[512], title[256];
		snprintf(title, sizeof(title), "%s to %s: %zu probes, %s", a->args[0], a->args[1],
		         r->measured, r->hw ? "hardware timestamps" : "software timestamps");
		int w = histogram_write_svg(r->plot, a->plot, &h, &s, title, err, sizeof(err));
		r->plot = NULL;
		if (w < 0) {
			fprintf(stderr, "ixy-latency: %s\n", err);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* A long RX ring: the load keeps coming while the app is descheduled. */
	struct app_args a = {.size = 60, .count = 1000, .opts = {.promiscuous = true, .rx_ring_size = 4096}};
	int status = app_parse_args(argc, argv, "ixy-latency", "size,count,seconds,rate,csv,plot,sw-stamps",
	                            2, "<tx-device> <rx-device>", usage, &a);
	if (status >= 0)
		return status;
	struct run r = {0};
	r.samples = calloc(a.count, sizeof(*r.samples));
	if (!r.samples) {
		fprintf(stderr,
		        "ixy-latency: not enough memory for %" PRIu64 " samples: use a smaller --count\n",
		        a.count);
		return 1;
	}
	if (a.csv) {
		r.csv = fopen(a.csv, "w");
		if (!r.csv) {
			perror(a.csv);
			free(r.samples);
			return 1;
		}
		fprintf(r.csv, "probe,ptp_seq,tx_ns,rx_ns,latency_ns,result\n");
	}
	if (a.plot && !(r.plot = fopen(a.plot, "w"))) {
		fprintf(stderr, "ixy-latency: cannot create plot file '%s': %s\n", a.plot, strerror(errno));
		if (r.csv)
			fclose(r.csv);
		free(r.samples);
		return 1;
	}
	app_handle_signals();
	int ret = 1;
	bool same = strcmp(a.args[0], a.args[1]) == 0;
	if (app_open(&r.ports[0], a.args[0], &a.opts) < 0)
		goto out;
	if (!same && app_open(&r.ports[1], a.args[1], &a.opts) < 0)
		goto out;
	r.tx = r.ports[0].dev;
	r.rx = same ? r.tx : r.ports[1].dev;
	/* Hardware stamps only when both ports have the unit; otherwise the app's clock for both. */
	r.hw = !a.sw_stamps && strcmp(ixy_driver_name(r.tx), "ixgbe") == 0 &&
	       strcmp(ixy_driver_name(r.rx), "ixgbe") == 0 && ixy_timesync_enable(r.tx) == 0 &&
	       (same || ixy_timesync_enable(r.rx) == 0);
	if (measure(&r, &a, a.count) == 0)
		ret = report(&r, &a, r.measured + r.lost + r.unstamped + r.negative);
out:
	if (r.plot)
		fclose(r.plot);
	if (r.csv && fclose(r.csv) != 0) {
		perror(a.csv);
		ret = 1;
	}
	for (int i = 1; i >= 0; i--)
		if (app_close(&r.ports[i]) < 0)
			ret = 1;
	free(r.samples);
	return ret;
}
