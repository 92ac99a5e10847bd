/* Where the model must behave like the device, not like a simpler machine: Rx and Tx DMA run
 * side by side (a looped-back burst larger than the packet buffer is not missed while Rx
 * descriptors are free), and every posted Rx buffer is checked against SRRCTL.BSIZEPACKET once. */
#include "model_util.h"

#define RXPBSIZE0 0x03C00

/* DS 8.2.3.8.9: packet buffer size in KB at bits 19:10. */
static void small_packet_buffer(struct env *e, uint32_t kb)
{
	W(e, RXPBSIZE0, kb << 10);
}

static void loopback_burst_beyond_packet_buffer(void)
{
	struct env e;
	env_open(&e, 0, true);
	ixgbe_model_set_loopback(e.m, true);
	hw_reset(&e);
	small_packet_buffer(&e, 8); /* room for 8 frames of 1000 bytes */
	rx_global(&e);
	rx_ring(&e);
	rx_enable_queue(&e); /* 63 descriptors free */
	rx_on(&e);
	tx_setup(&e);
	uint8_t f[1000];
	const uint32_t burst = 40;
	for (uint32_t k = 0; k < burst; k++) {
		make_frame(f, sizeof(f), BCAST, k);
		tx_send(&e, f, sizeof(f));
	}
	ixgbe_model_step(e.m); /* the whole burst in one step */
	CHECK(R(&e, MPC0) == 0);
	CHECK(R(&e, GPTC) == burst && R(&e, GPRC) == burst);
	for (uint32_t k = 0; k < burst; k++) {
		make_frame(f, sizeof(f), BCAST, k);
		CHECK((rx_status(&e, k) & 3u) == 3u && rx_len(&e, k) == sizeof(f));
		CHECK(memcmp(rx_buf(&e, k), f, sizeof(f)) == 0);
	}
	/* Once the Rx ring is full, frames are lost, as on the device (dropped here, SRRCTL.DROP_EN):
	 * 63 descriptors were posted, 40 are used, 23 remain. */
	for (uint32_t k = 0; k < burst; k++) {
		make_frame(f, sizeof(f), BCAST, burst + k);
		tx_send(&e, f, sizeof(f));
	}
	ixgbe_model_step(e.m);
	CHECK(R(&e, GPRC) == 23);
	CHECK(R(&e, MPC0) + R(&e, QPRDC0) == burst - 23);
	expect_clean(&e);
	env_close(&e);
	printf("loopback burst beyond the packet buffer: ok\n");
}

static void repost(struct env *e, uint32_t i, uint64_t addr)
{
	uint64_t z = 0;
	memcpy(e->mem + RX_RING_OFF + 16 * i, &addr, 8);
	memcpy(e->mem + RX_RING_OFF + 16 * i + 8, &z, 8);
}

static void deliver(struct env *e, uint32_t n)
{
	uint8_t f[60];
	for (uint32_t k = 0; k < n; k++) {
		make_frame(f, sizeof(f), BCAST, k);
		CHECK(ixgbe_model_inject(e->m, f, sizeof(f)));
	}
	ixgbe_model_step(e->m);
}

static void every_posted_buffer_checked_once(void)
{
	struct env e;
	env_open(&e, 0, true);
	hw_reset(&e);
	rx_global(&e);
	rx_ring(&e);
	W(&e, SRRCTL(0), (1u << 25) | 4u | (1u << 28)); /* 4 KB buffers */
	const uint64_t bad_a = e.busa + REGION - 2048, bad_b = e.busa + REGION - 1024;
	repost(&e, 3, bad_a);
	repost(&e, 7, bad_b);
	rx_enable_queue(&e); /* posts descriptors 0..62 */
	/* Both are named when posted, before any frame arrives. */
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V11_RX_BUF_SIZE) == 2);
	rx_on(&e);
	deliver(&e, 10); /* descriptors 0..9: the small frames fit, nothing new */
	CHECK(R(&e, RDH(0)) == 10);
	/* The same buffers posted again and written again: not named again. */
	for (uint32_t i = 0; i < 10; i++)
		repost(&e, i, i == 3 ? bad_a : i == 7 ? bad_b : e.busa + RX_BUF_OFF + i * BUF);
	W(&e, RDT(0), 9);
	deliver(&e, 63);
	CHECK(R(&e, RDH(0)) == 9);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V11_RX_BUF_SIZE) == 2);
	CHECK(ixgbe_model_violations(e.m) == 2);
	env_close(&e);
	printf("every posted buffer checked once: ok\n");
}

int main(void)
{
	loopback_burst_beyond_packet_buffer();
	every_posted_buffer_checked_once();
	printf("fidelity: ok\n");
	return 0;
}
