/* Thread mode: the model's own thread runs the DMA engines; a frame sent is received via
 * loopback within a timeout, many times, with the driver side polling concurrently. */
#include <time.h>

#include "model_util.h"

int main(void)
{
	struct env e;
	env_open(&e, 4, false);
	ixgbe_model_set_loopback(e.m, true);
	CHECK(ixgbe_model_start(e.m) == 0);
	bring_up(&e);
	uint8_t f[128];
	uint32_t received = 0;
	for (uint32_t k = 0; k < 500; k++) {
		make_frame(f, sizeof(f), BCAST, k);
		tx_send(&e, f, sizeof(f));
		struct timespec t0, t;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		uint32_t i = e.rx_next;
		while (!(rx_status(&e, i) & 1)) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			CHECK(t.tv_sec - t0.tv_sec < 5);
		}
		CHECK((rx_status(&e, i) & 3) == 3 && rx_len(&e, i) == sizeof(f) &&
		      !memcmp(rx_buf(&e, i), f, sizeof(f)));
		uint64_t a = e.busa + RX_BUF_OFF + i * BUF, z = 0;
		memcpy(e.mem + RX_RING_OFF + 16 * i, &a, 8);
		memcpy(e.mem + RX_RING_OFF + 16 * i + 8, &z, 8);
		e.rx_next = (i + 1) % NDESC;
		W(&e, RDT(0), i);
		received++;
	}
	ixgbe_model_stop(e.m);
	CHECK(received == 500);
	CHECK(R(&e, GPRC) == 500 && R(&e, GPTC) == 500);
	expect_clean(&e);
	printf("thread: ok\n");
	env_close(&e);
	return 0;
}
