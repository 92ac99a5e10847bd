/* Wrong register sequences and descriptors: each must be caught and named by the model. */
#include "model_util.h"

static void expect(struct env *e, const char *needle, const char *what)
{
	if (ixgbe_model_count_matching(e->m, needle) == 0) {
		fprintf(stderr, "negative case '%s' not caught (no violation containing '%s')\n", what,
		        needle);
		exit(1);
	}
	printf("caught: %s\n", what);
}

static void deliver_one(struct env *e)
{
	uint8_t f[60];
	make_frame(f, 60, BCAST, 9);
	CHECK(ixgbe_model_inject(e->m, f, 60));
	ixgbe_model_step(e->m);
}

int main(void)
{
	struct env e;

	/* 1. tail past the ring */
	env_open(&e, 0, true);
	bring_up(&e);
	W(&e, RDT(0), NDESC + 3);
	expect(&e, "RDT(0)=67 is beyond the ring", "RDT past the ring");
	CHECK(R(&e, RDT(0)) == NDESC - 1); /* ignored */
	W(&e, TDT(0), NDESC);
	expect(&e, "TDT(0)=64 is beyond the ring", "TDT past the ring");
	env_close(&e);

	/* 2. a virtual address posted as an Rx buffer, and as a Tx buffer */
	env_open(&e, 0, true);
	bring_up(&e);
	static uint8_t not_dma[4096];
	uint64_t va = (uint64_t)(uintptr_t)not_dma;
	memcpy(e.mem + RX_RING_OFF, &va, 8);
	deliver_one(&e);
	expect(&e, "DMA fault: Rx buffer address", "virtual address in an Rx descriptor");
	CHECK(rx_status(&e, 0) & (1u << 29)); /* RXE reported */
	uint8_t f[60];
	make_frame(f, 60, BCAST, 1);
	tx_send(&e, f, 60);
	memcpy(e.mem + TX_RING_OFF, &va, 8);
	ixgbe_model_step(e.m);
	expect(&e, "DMA fault: Tx buffer address", "virtual address in a Tx descriptor");
	env_close(&e);

	/* 3. ring register written while enabled */
	env_open(&e, 0, true);
	bring_up(&e);
	W(&e, RDBAL(0), (uint32_t)e.busa);
	expect(&e, "RDBAL(0) written while RXDCTL(0).ENABLE is set", "RDBAL while enabled");
	W(&e, SRRCTL(0), (1u << 25) | 2u);
	expect(&e, "SRRCTL(0) written while RXDCTL(0).ENABLE is set", "SRRCTL while enabled");
	W(&e, TDLEN(0), 2048);
	expect(&e, "TDLEN(0) written while TXDCTL(0).ENABLE is set", "TDLEN while enabled");
	env_close(&e);

	/* 4. tail written before the queue reads enabled (no poll) */
	env_open(&e, 0, true);
	hw_reset(&e);
	rx_global(&e);
	rx_ring(&e);
	W(&e, RXDCTL(0), ENABLE);
	W(&e, RDT(0), NDESC - 1);
	expect(&e, "RDT(0) written before RXDCTL(0).ENABLE reads 1 (DS 4.6.7)", "RDT before ENABLE reads 1");
	W(&e, DMATXCTL, 1);
	W(&e, TDBAL(0), (uint32_t)(e.busa + TX_RING_OFF));
	W(&e, TDBAH(0), (uint32_t)((e.busa + TX_RING_OFF) >> 32));
	W(&e, TDLEN(0), NDESC * 16);
	W(&e, TXDCTL(0), ENABLE);
	W(&e, TDT(0), 1);
	expect(&e, "TDT(0) written before TXDCTL(0).ENABLE reads 1 (DS 4.6.8)", "TDT before ENABLE reads 1");
	env_close(&e);

	/* 5. ring base not 128-byte aligned; 6. RDLEN not a multiple of 128 */
	env_open(&e, 0, true);
	hw_reset(&e);
	W(&e, RDBAL(0), (uint32_t)e.busa + 64);
	expect(&e, "RDBAL(0)=", "ring base not 128-byte aligned");
	CHECK(ixgbe_model_count_matching(e.m, "not 128-byte aligned (DS 8.2.3.8.1)") == 1);
	W(&e, RDLEN(0), 1000);
	expect(&e, "RDLEN(0)=1000 is not a multiple of 128 bytes", "RDLEN not a multiple of 128");
	W(&e, TDBAL(0), 0x10);
	expect(&e, "TDBAL(0)=0x00000010 is not 128-byte aligned", "TDBAL not aligned");
	env_close(&e);

	/* 7. DCA_RXCTRL bit 12 left set */
	env_open(&e, 0, true);
	hw_reset(&e);
	rx_global(&e);
	rx_ring(&e);
	W(&e, DCA_RXCTRL(0), 1u << 12);
	rx_enable_queue(&e);
	rx_on(&e);
	deliver_one(&e);
	expect(&e, "DCA_RXCTRL(0) bit 12 is still 1", "DCA_RXCTRL bit 12 left set (E2)");
	env_close(&e);

	/* 8. CRC strip bits that disagree (RDRXCTL.CRCSTRIP left at its reset value 0) */
	env_open(&e, 0, true);
	hw_reset(&e);
	rx_global(&e);
	W(&e, RDRXCTL, R(&e, RDRXCTL) & ~2u);
	rx_ring(&e);
	rx_enable_queue(&e);
	rx_on(&e);
	expect(&e, "HLREG0.RXCRCSTRP=1 but RDRXCTL.CRCSTRIP=0", "CRC strip bits disagree (E6)");
	env_close(&e);

	/* 9. SRRCTL buffer size larger than the posted buffer's region */
	env_open(&e, 0, true);
	hw_reset(&e);
	rx_global(&e);
	rx_ring(&e);
	W(&e, SRRCTL(0), (1u << 25) | 4u | (1u << 28)); /* 4 KB buffers */
	uint64_t last = e.busa + REGION - 2048;         /* only 2 KB left in the region */
	memcpy(e.mem + RX_RING_OFF, &last, 8);
	rx_enable_queue(&e);
	rx_on(&e);
	deliver_one(&e);
	expect(&e, "SRRCTL(0).BSIZEPACKET=4 KB but the buffer posted", "BSIZEPACKET larger than the buffer");
	CHECK(ixgbe_model_count_matching(e.m, "DMA fault") == 0);
	env_close(&e);

	/* 10. more: RSC defaults (E5), RXEN without RX_DIS handshake (E1), TE clear at Tx enable,
	 * ring enabled unprogrammed, header split, bad Tx descriptor type and PAYLEN, ring outside DMA */
	env_open(&e, 0, true);
	hw_reset(&e);
	W(&e, RXCTRL, 1);
	expect(&e, "RDRXCTL=0x", "RSC defaults not fixed (E5)");
	expect(&e, "without the SECRXCTRL.RX_DIS=1", "RXEN without the RX_DIS handshake (E1)");
	W(&e, TXDCTL(1), ENABLE);
	expect(&e, "TXDCTL(1).ENABLE set while DMATXCTL.TE is 0", "Tx queue enabled with TE clear");
	expect(&e, "TXDCTL(1).ENABLE set before TDBAL/TDLEN(1) were programmed", "Tx queue not programmed");
	W(&e, SRRCTL(2), (2u << 25) | 2u);
	W(&e, RDBAL(2), 0x1000);
	W(&e, RDLEN(2), 1024);
	W(&e, RXDCTL(2), ENABLE);
	expect(&e, "header split", "header split DESCTYPE (E8)");
	expect(&e, "DMA fault: Rx ring 2", "ring outside any DMA region");
	env_close(&e);

	env_open(&e, 0, true);
	ixgbe_model_set_loopback(e.m, true);
	bring_up(&e);
	make_frame(f, 60, BCAST, 1);
	tx_send(&e, f, 60);
	uint32_t bad = 60 | (3u << 20) | (1u << 24) | (1u << 25) | (1u << 27) | (1u << 29), ol = 50u << 14;
	memcpy(e.mem + TX_RING_OFF + 12, &ol, 4);
	ixgbe_model_step(e.m);
	expect(&e, "PAYLEN=50 but DTALENs sum to 60", "PAYLEN mismatch");
	tx_send(&e, f, 60);
	bad = 60 | (5u << 20) | (1u << 24) | (1u << 29);
	memcpy(e.mem + TX_RING_OFF + 16 + 8, &bad, 4);
	ixgbe_model_step(e.m);
	expect(&e, "DTYP=5", "bad Tx descriptor type");
	env_close(&e);

	/* 11. TDT moved while the Tx arbiter is off (RTTDCS.ARBDIS=1): flagged, and nothing is sent
	 * until ARBDIS is cleared (DS 4.6.8, 7.2.1.2.1). */
	env_open(&e, 0, true);
	bring_up(&e);
	ixgbe_model_capture(e.m, true);
	W(&e, RTTDCS, R(&e, RTTDCS) | ARBDIS);
	W(&e, TDT(0), 0); /* not moved: no violation */
	CHECK(ixgbe_model_violations(e.m) == 0);
	make_frame(f, 60, BCAST, 11);
	tx_send(&e, f, 60);
	expect(&e, "TDT(0) moved from 0 to 1 while RTTDCS.ARBDIS=1", "TDT moved while ARBDIS=1");
	CHECK(ixgbe_model_count_matching(e.m, "DS 4.6.8, 7.2.1.2.1") == 1);
	ixgbe_model_step(e.m);
	uint8_t got[128];
	CHECK(R(&e, TDH(0)) == 0 && !(e.mem[TX_RING_OFF + 12] & 1));
	CHECK(ixgbe_model_captured(e.m, got, sizeof(got)) == 0);
	W(&e, RTTDCS, R(&e, RTTDCS) & ~ARBDIS);
	ixgbe_model_step(e.m);
	CHECK(R(&e, TDH(0)) == 1 && (e.mem[TX_RING_OFF + 12] & 1));
	CHECK(ixgbe_model_captured(e.m, got, sizeof(got)) == 60);
	CHECK(ixgbe_model_violations(e.m) == 1);
	env_close(&e);

	/* 12. RDT moved backwards into the part of the ring the hardware owns (DS 7.1.9). */
	env_open(&e, 0, true);
	bring_up(&e); /* RDT = 63, RDH = 0 */
	deliver_one(&e);
	deliver_one(&e);
	CHECK(R(&e, RDH(0)) == 2);
	W(&e, RDT(0), 1); /* 63 -> 1 hands over 63 and 0 only, which software owns: legal */
	CHECK(ixgbe_model_violations(e.m) == 0 && R(&e, RDT(0)) == 1);
	W(&e, RDT(0), NDESC - 1); /* 1 -> 63 passes RDH=2 */
	expect(&e, "RDT(0) moved from 1 to 63 past RDH=2: it takes back descriptors the hardware owns",
	       "RDT moved past RDH");
	CHECK(R(&e, RDT(0)) == NDESC - 1); /* flagged, but the register takes the value */
	env_close(&e);
	env_open(&e, 0, true);
	bring_up(&e);
	deliver_one(&e);
	deliver_one(&e);
	W(&e, RDT(0), 10); /* 63 -> 10 with RDH=2: takes back 10..62 */
	expect(&e, "RDT(0) moved from 63 to 10 past RDH=2: it takes back", "RDT moved backwards past RDH");
	CHECK(ixgbe_model_count_matching(e.m, "allowed; DS 7.1.9)") == 1);
	CHECK(R(&e, RDT(0)) == 10);
	env_close(&e);

	/* 13. TDT overrunning TDH: from an empty ring (TDH = TDT = 3) software hands over N-1
	 * descriptors (TDT = 2, legal), then bumps TDT again so that it wraps past TDH. */
	env_open(&e, 0, true);
	bring_up(&e);
	for (int k = 0; k < 3; k++) {
		make_frame(f, 60, BCAST, (uint32_t)k);
		tx_send(&e, f, 60);
	}
	ixgbe_model_step(e.m);
	CHECK(R(&e, TDH(0)) == 3 && R(&e, TDT(0)) == 3);
	W(&e, TDT(0), 2);
	CHECK(ixgbe_model_violations(e.m) == 0);
	W(&e, TDT(0), 4);
	expect(&e, "TDT(0) moved from 2 to 4 past TDH=3: it overruns TDH", "TDT overruns TDH");
	CHECK(ixgbe_model_count_matching(e.m, "allowed; DS 7.2.3.3)") == 1);
	CHECK(R(&e, TDT(0)) == 4);
	env_close(&e);

	/* 14. RDH/TDH written beyond the ring (V5), while the queue is disabled */
	env_open(&e, 0, true);
	hw_reset(&e);
	rx_global(&e);
	rx_ring(&e);
	W(&e, RDH(0), NDESC);
	expect(&e, "RDH(0)=64 is beyond the ring of 64 descriptors", "RDH beyond the ring");
	CHECK(R(&e, RDH(0)) == 0);
	W(&e, TDLEN(0), NDESC * 16);
	W(&e, TDH(0), NDESC + 1);
	expect(&e, "TDH(0)=65 is beyond the ring of 64 descriptors", "TDH beyond the ring");
	CHECK(R(&e, TDH(0)) == 0);
	W(&e, TDH(0), NDESC - 1); /* inside the ring: legal while disabled */
	W(&e, TDH(1), 1000);      /* TDLEN(1) = 0: length unknown, not checked */
	CHECK(ixgbe_model_violations(e.m) == 2);
	env_close(&e);

	printf("negative: ok\n");
	return 0;
}
