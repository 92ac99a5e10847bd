/* Minimal correct bring-up by hand in step mode with loopback: frames round-trip, descriptors
 * carry DD/EOP/length, statistics are clear-on-read with L/H pairs, no violations. */
#include "model_util.h"

/* Rx stays off while SECRXCTRL.RX_DIS=1 (E1 sequence not finished): a wire frame is dropped
 * without counting; once RX_DIS is cleared frames are delivered. */
static void rx_dis_gate(void)
{
	struct env e;
	env_open(&e, 2, false);
	hw_reset(&e);
	rx_global(&e);
	rx_ring(&e);
	rx_enable_queue(&e);
	W(&e, SECRXCTRL, R(&e, SECRXCTRL) | 2u);
	wait_reg(&e, SECRXSTAT, 1, 1);
	W(&e, RXCTRL, R(&e, RXCTRL) | 1u); /* RX_DIS left at 1 */
	uint8_t f[60], g[60];
	make_frame(f, 60, BCAST, 1);
	CHECK(ixgbe_model_inject(e.m, f, 60));
	ixgbe_model_step(e.m);
	CHECK(!(rx_status(&e, 0) & 1) && R(&e, RDH(0)) == 0);
	CHECK(R(&e, GPRC) == 0 && R(&e, QPRDC0) == 0 && R(&e, MPC0) == 0);
	W(&e, SECRXCTRL, R(&e, SECRXCTRL) & ~2u);
	ixgbe_model_step(e.m);
	CHECK(!(rx_status(&e, 0) & 1)); /* the first frame was dropped, not kept */
	make_frame(g, 60, BCAST, 2);
	CHECK(ixgbe_model_inject(e.m, g, 60));
	ixgbe_model_step(e.m);
	CHECK((rx_status(&e, 0) & 3) == 3 && !memcmp(rx_buf(&e, 0), g, 60));
	CHECK(R(&e, RDH(0)) == 1 && R(&e, GPRC) == 1);
	expect_clean(&e);
	env_close(&e);
}

/* Driver-style ring use never trips the ownership check (V21): RDT = next-1 after processing,
 * including a completely filled ring; TDT advanced by up to N-1, in one or several writes. */
static void legal_rings(void)
{
	struct env e;
	env_open(&e, 3, false);
	bring_up(&e);
	ixgbe_model_capture(e.m, true);
	uint8_t f[60], got[128];
	const uint32_t batches[] = {1, 5, NDESC - 1, 7, NDESC - 1, 30, 40, 2, NDESC - 1};
	for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
		/* Rx: batch frames arrive (at most N-1 fit), software processes them all. */
		for (uint32_t k = 0; k < batches[b]; k++) {
			make_frame(f, 60, BCAST, k);
			CHECK(ixgbe_model_inject(e.m, f, 60));
		}
		ixgbe_model_step(e.m);
		uint32_t got_n = 0;
		while (rx_status(&e, e.rx_next) & 1) {
			uint64_t a = e.busa + RX_BUF_OFF + e.rx_next * BUF; /* re-post the buffer */
			memcpy(e.mem + RX_RING_OFF + 16 * e.rx_next, &a, 8);
			memset(e.mem + RX_RING_OFF + 16 * e.rx_next + 8, 0, 8);
			e.rx_next = (e.rx_next + 1) % NDESC;
			got_n++;
		}
		CHECK(got_n == batches[b]);
		W(&e, RDT(0), (e.rx_next + NDESC - 1) % NDESC);
		/* Tx: fill batch descriptors, handing them over in two tail writes. */
		uint32_t start = e.tdt;
		for (uint32_t k = 0; k < batches[b]; k++) {
			uint32_t i = (start + k) % NDESC;
			make_frame(f, 60, BCAST, k);
			memcpy(e.mem + TX_BUF_OFF + i * BUF, f, 60);
			uint64_t a = e.busa + TX_BUF_OFF + i * BUF;
			uint32_t cmd = 60 | (3u << 20) | (1u << 24) | (1u << 25) | (1u << 27) | (1u << 29);
			uint32_t olinfo = 60u << 14;
			memcpy(e.mem + TX_RING_OFF + 16 * i, &a, 8);
			memcpy(e.mem + TX_RING_OFF + 16 * i + 8, &cmd, 4);
			memcpy(e.mem + TX_RING_OFF + 16 * i + 12, &olinfo, 4);
		}
		e.tdt = (start + batches[b] / 2) % NDESC;
		W(&e, TDT(0), e.tdt);
		e.tdt = (start + batches[b]) % NDESC;
		W(&e, TDT(0), e.tdt);
		ixgbe_model_step(e.m);
		CHECK(R(&e, TDH(0)) == e.tdt);
		for (uint32_t k = 0; k < batches[b]; k++)
			CHECK(ixgbe_model_captured(e.m, got, sizeof(got)) == 60);
	}
	expect_clean(&e);
	env_close(&e);
}

int main(void)
{
	rx_dis_gate();
	legal_rings();

	struct env e;
	env_open(&e, 1, false);
	ixgbe_model_set_loopback(e.m, true);
	bring_up(&e);
	expect_clean(&e);

	uint8_t f[1514];
	make_frame(f, 100, BCAST, 1);
	tx_send(&e, f, 100);
	CHECK(ixgbe_model_step(e.m) > 0);
	/* Tx write-back: DD on the RS descriptor, TDH advanced. */
	CHECK(e.mem[TX_RING_OFF + 12] & 1);
	CHECK(R(&e, TDH(0)) == 1);
	/* Bytes 0-7 are reserved after write-back (DS 7.2.3.2.4): the posted address is gone. */
	{
		uint64_t posted = e.busa + TX_BUF_OFF, now;
		memcpy(&now, e.mem + TX_RING_OFF, 8);
		CHECK(now != posted && now == 0xDEADBEEFDEADBEEFull);
	}
	/* Rx: descriptor 0 has DD|EOP, length 100 (CRC stripped), data intact, RDH advanced. */
	CHECK((rx_status(&e, 0) & 3) == 3);
	CHECK(rx_len(&e, 0) == 100);
	CHECK(!memcmp(rx_buf(&e, 0), f, 100));
	CHECK(R(&e, RDH(0)) == 1);
	CHECK(!(rx_status(&e, 1) & 1));

	/* Short frame: padded to 60 on Tx (TXPADEN + IFCS). */
	make_frame(f, 42, BCAST, 2);
	tx_send(&e, f, 42);
	ixgbe_model_step(e.m);
	CHECK((rx_status(&e, 1) & 3) == 3 && rx_len(&e, 1) == 60);
	CHECK(!memcmp(rx_buf(&e, 1), f, 42) && rx_buf(&e, 1)[59] == 0);

	/* Jumbo-less 1514-byte frame fits one 2 KB buffer. */
	make_frame(f, 1514, BCAST, 3);
	tx_send(&e, f, 1514);
	ixgbe_model_step(e.m);
	CHECK((rx_status(&e, 2) & 3) == 3 && rx_len(&e, 2) == 1514);

	/* Statistics: 3 frames, bytes counted with the 4-byte CRC (100+60+1514 + 3*4). */
	uint64_t bytes = 100 + 60 + 1514 + 12;
	CHECK(R(&e, GPTC) == 3 && R(&e, GPTC) == 0);
	CHECK(R(&e, GPRC) == 3 && R(&e, GPRC) == 0);
	CHECK(R(&e, BPRC) == 3);
	CHECK(R(&e, GOTCL) == bytes && R(&e, GOTCH) == 0);
	CHECK(R(&e, GOTCL) == 0);
	CHECK(R(&e, GORCL) == bytes && R(&e, GORCH) == 0);
	CHECK(R(&e, TPR) == 3 && R(&e, TPT) == 3);
	CHECK(R(&e, QPRC0) == 3 && R(&e, QBRCL0) == 100 + 60 + 1514);

	/* Frame spread over several descriptors when longer than BSIZEPACKET: 1 KB buffers needs
	 * the queue off while SRRCTL changes. Instead test with jumbo frames enabled. */
	W(&e, HLREG0, R(&e, HLREG0) | (1u << 2)); /* JUMBOEN */
	W(&e, 0x04268, 9018u << 16);              /* MAXFRS */
	make_frame(f, 1514, BCAST, 4);
	static uint8_t big[5000];
	make_frame(big, sizeof(big), BCAST, 5);
	tx_send(&e, big, 1000); /* 1000-byte buffer plus a second descriptor */
	/* Second frame built from two descriptors: first without EOP. */
	{
		uint32_t i = e.tdt;
		memcpy(e.mem + TX_BUF_OFF + i * BUF, big, 2000);
		memcpy(e.mem + TX_BUF_OFF + (i + 1) * BUF, big + 2000, 2000);
		uint64_t a0 = e.busa + TX_BUF_OFF + i * BUF, a1 = a0 + BUF;
		uint32_t c0 = 2000 | (3u << 20) | (1u << 25) | (1u << 29), o0 = 4000u << 14;
		uint32_t c1 = 2000 | (3u << 20) | (1u << 24) | (1u << 25) | (1u << 27) | (1u << 29), o1 = 0;
		memcpy(e.mem + TX_RING_OFF + 16 * i, &a0, 8);
		memcpy(e.mem + TX_RING_OFF + 16 * i + 8, &c0, 4);
		memcpy(e.mem + TX_RING_OFF + 16 * i + 12, &o0, 4);
		memcpy(e.mem + TX_RING_OFF + 16 * (i + 1), &a1, 8);
		memcpy(e.mem + TX_RING_OFF + 16 * (i + 1) + 8, &c1, 4);
		memcpy(e.mem + TX_RING_OFF + 16 * (i + 1) + 12, &o1, 4);
		/* Tail only covers the first descriptor: nothing is sent (no EOP yet). */
		W(&e, TDT(0), i + 1);
		ixgbe_model_step(e.m);
		CHECK(R(&e, TDH(0)) == i);
		e.tdt = i + 2;
		W(&e, TDT(0), e.tdt);
	}
	ixgbe_model_step(e.m);
	CHECK((rx_status(&e, 3) & 3) == 3 && rx_len(&e, 3) == 1000);
	/* 4000 bytes over 2 KB buffers: descriptors 4 (2048, no EOP), 5 (1952, EOP). */
	CHECK((rx_status(&e, 4) & 3) == 1 && rx_len(&e, 4) == 2048);
	CHECK((rx_status(&e, 5) & 3) == 3 && rx_len(&e, 5) == 1952);
	CHECK(!memcmp(rx_buf(&e, 4), big, 2048) && !memcmp(rx_buf(&e, 5), big + 2048, 1952));

	/* L/H pair: a counter above 2^32 (many bytes) keeps its high half across the L read. */
	for (int k = 0; k < 3; k++) {
		tx_send(&e, big, 1000);
		ixgbe_model_step(e.m);
	}
	R(&e, GOTCH);
	CHECK(R(&e, GOTCL) > 0 && R(&e, GOTCH) == 0 && R(&e, GOTCL) == 0);

	/* No free descriptors with DROP_EN: dropped and counted in QPRDC, not GPRC. */
	R(&e, GPRC);
	uint32_t head = R(&e, RDH(0)), tail = R(&e, RDT(0));
	uint32_t free_desc = (tail + NDESC - head) % NDESC;
	for (uint32_t k = 0; k < free_desc + 5; k++)
		CHECK(ixgbe_model_inject(e.m, f, 60));
	ixgbe_model_step(e.m);
	CHECK(R(&e, GPRC) == free_desc);
	CHECK(R(&e, QPRDC0) == 5);
	CHECK(R(&e, RDH(0)) == R(&e, RDT(0)));

	expect_clean(&e);
	printf("roundtrip: ok\n");
	env_close(&e);
	return 0;
}
