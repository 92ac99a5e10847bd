/* pcap wire: frames from an rx-pcap file arrive in the Rx ring of a port with no loopback,
 * losslessly even when the ring is full; frames sent again land in a tx-pcap file that is
 * byte-identical to the input. Also reads a big-endian, nanosecond pcap. */
#include "model_util.h"

#define NFRAMES 150

static uint32_t frame_len(uint32_t i)
{
	return 60 + (i * 37) % 1455;
}

static void write_pcap(const char *path, bool swap, bool ns)
{
	FILE *f = fopen(path, "wb");
	CHECK(f);
	uint32_t h[6] = {ns ? 0xa1b23c4d : 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	for (int k = 0; k < 6; k++)
		if (swap)
			h[k] = __builtin_bswap32(h[k]);
	if (swap) { /* version is two 16-bit fields: swap each */
		uint16_t v[2] = {__builtin_bswap16(2), __builtin_bswap16(4)};
		memcpy(&h[1], v, 4);
	}
	fwrite(h, sizeof(h), 1, f);
	uint8_t fr[1514];
	for (uint32_t i = 0; i < NFRAMES; i++) {
		uint32_t len = frame_len(i);
		make_frame(fr, len, BCAST, i);
		uint32_t r[4] = {0, i, len, len};
		for (int k = 0; k < 4 && swap; k++)
			r[k] = __builtin_bswap32(r[k]);
		fwrite(r, sizeof(r), 1, f);
		fwrite(fr, 1, len, f);
	}
	fclose(f);
}

/* Takes received frames off the ring, re-arms the descriptors, returns how many. */
static uint32_t rx_drain(struct env *e, uint8_t (*out)[1514], uint32_t *lens, uint32_t max)
{
	uint32_t n = 0;
	while (n < max && (rx_status(e, e->rx_next) & 1)) {
		uint32_t i = e->rx_next;
		CHECK(rx_status(e, i) & 2);
		lens[n] = rx_len(e, i);
		memcpy(out[n], rx_buf(e, i), lens[n]);
		uint64_t a = e->busa + RX_BUF_OFF + i * BUF, z = 0;
		memcpy(e->mem + RX_RING_OFF + 16 * i, &a, 8);
		memcpy(e->mem + RX_RING_OFF + 16 * i + 8, &z, 8);
		e->rx_next = (i + 1) % NDESC;
		n++;
	}
	if (n)
		W(e, RDT(0), (e->rx_next + NDESC - 1) % NDESC);
	return n;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	CHECK(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(*len);
	CHECK(b && fread(b, 1, *len, f) == *len);
	fclose(f);
	return b;
}

static uint8_t got[NFRAMES][1514];
static uint32_t lens[NFRAMES];

static void run(const char *in, const char *outp, bool compare)
{
	struct env e;
	char err[256];
	env_open(&e, 2, false);
	CHECK(ixgbe_model_rx_pcap(e.m, in, err, sizeof(err)) == 0);
	CHECK(ixgbe_model_tx_pcap(e.m, outp, err, sizeof(err)) == 0);
	bring_up(&e);
	uint32_t n = 0;
	ixgbe_model_step(e.m);
	/* The ring holds NDESC-1 frames; the source waits instead of dropping. */
	uint32_t first = rx_drain(&e, got, lens, NFRAMES);
	CHECK(first == NDESC - 1);
	n = first;
	for (int it = 0; it < 100 && n < NFRAMES; it++) {
		ixgbe_model_step(e.m);
		n += rx_drain(&e, got + n, lens + n, NFRAMES - n);
	}
	CHECK(n == NFRAMES);
	CHECK(ixgbe_model_rx_pcap_done(e.m));
	CHECK(R(&e, QPRDC0) == 0 && R(&e, MPC0) == 0);
	uint8_t fr[1514];
	for (uint32_t i = 0; i < NFRAMES; i++) {
		make_frame(fr, frame_len(i), BCAST, i);
		CHECK(lens[i] == frame_len(i) && !memcmp(got[i], fr, lens[i]));
	}
	/* Send them all back out; TX ring of 64 => send in chunks. */
	for (uint32_t i = 0; i < NFRAMES; i++) {
		tx_send(&e, got[i], lens[i]);
		if (i % 32 == 31)
			ixgbe_model_step(e.m);
	}
	ixgbe_model_step(e.m);
	CHECK(R(&e, GPTC) == NFRAMES);
	expect_clean(&e);
	env_close(&e); /* flushes tx-pcap */
	if (compare) {
		size_t la, lb;
		uint8_t *a = slurp(in, &la), *b = slurp(outp, &lb);
		CHECK(la == lb && !memcmp(a, b, la));
		free(a);
		free(b);
	}
}

int main(void)
{
	write_pcap("model_in.pcap", false, false);
	run("model_in.pcap", "model_out.pcap", true);
	write_pcap("model_in_be_ns.pcap", true, true);
	run("model_in_be_ns.pcap", "model_out2.pcap", false);
	/* Bad files are refused with a message. */
	struct env e;
	char err[256];
	env_open(&e, 2, true);
	CHECK(ixgbe_model_rx_pcap(e.m, "does-not-exist.pcap", err, sizeof(err)) == -1 &&
	      strstr(err, "cannot open"));
	FILE *f = fopen("model_bad.pcap", "wb");
	fputs("this is not a pcap file at all", f);
	fclose(f);
	CHECK(ixgbe_model_rx_pcap(e.m, "model_bad.pcap", err, sizeof(err)) == -1 &&
	      strstr(err, "not a pcap"));
	env_close(&e);
	printf("pcap: ok\n");
	return 0;
}
