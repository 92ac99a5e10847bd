/* Wrong register sequences and descriptors: each case must be caught, by exactly the rules it
 * breaks and no others (asserted by rule id, not by message text). */
#include "model_util.h"

struct expect {
	enum ixgbe_rule rule;
	unsigned count;
};

struct neg_case {
	const char *what;
	void (*run)(struct env *e); /* the wrong steps, on a port opened quiet */
	struct expect want[4];      /* rule counts; the port sees no other violation */
};

static void deliver_one(struct env *e)
{
	uint8_t f[60];
	make_frame(f, 60, BCAST, 9);
	CHECK(ixgbe_model_inject(e->m, f, 60));
	ixgbe_model_step(e->m);
}

static void rdt_past_ring(struct env *e)
{
	bring_up(e);
	W(e, RDT(0), NDESC + 3);
	CHECK(R(e, RDT(0)) == NDESC - 1); /* ignored */
}

static void tdt_past_ring(struct env *e)
{
	bring_up(e);
	W(e, TDT(0), NDESC);
	CHECK(R(e, TDT(0)) == 0); /* ignored */
}

static uint8_t not_dma[4096];

static void rx_virtual_address(struct env *e)
{
	bring_up(e);
	uint64_t va = (uint64_t)(uintptr_t)not_dma;
	memcpy(e->mem + RX_RING_OFF, &va, 8);
	deliver_one(e);
	CHECK(rx_status(e, 0) & (1u << 29)); /* RXE reported */
}

static void tx_virtual_address(struct env *e)
{
	bring_up(e);
	uint8_t f[60];
	make_frame(f, 60, BCAST, 1);
	tx_send(e, f, 60);
	uint64_t va = (uint64_t)(uintptr_t)not_dma;
	memcpy(e->mem + TX_RING_OFF, &va, 8);
	ixgbe_model_step(e->m);
}

static void ring_regs_while_enabled(struct env *e)
{
	bring_up(e);
	W(e, RDBAL(0), (uint32_t)e->busa);
	W(e, SRRCTL(0), (1u << 25) | 2u);
	W(e, TDLEN(0), 2048);
}

static void tails_before_enable_reads_1(struct env *e)
{
	hw_reset(e);
	rx_global(e);
	rx_ring(e);
	W(e, RXDCTL(0), ENABLE);
	W(e, RDT(0), NDESC - 1); /* no poll */
	W(e, DMATXCTL, 1);
	W(e, TDBAL(0), (uint32_t)(e->busa + TX_RING_OFF));
	W(e, TDBAH(0), (uint32_t)((e->busa + TX_RING_OFF) >> 32));
	W(e, TDLEN(0), NDESC * 16);
	W(e, TXDCTL(0), ENABLE);
	W(e, TDT(0), 1);
}

static void ring_base_and_length(struct env *e)
{
	hw_reset(e);
	W(e, RDBAL(0), (uint32_t)e->busa + 64);
	W(e, RDLEN(0), 1000);
	W(e, TDBAL(0), 0x10);
}

static void dca_bit12_left_set(struct env *e) /* erratum E2 */
{
	hw_reset(e);
	rx_global(e);
	rx_ring(e);
	W(e, DCA_RXCTRL(0), 1u << 12);
	rx_enable_queue(e);
	rx_on(e);
	deliver_one(e);
	deliver_one(e); /* flagged once per queue */
}

static void crc_strip_bits_disagree(struct env *e) /* erratum E6 */
{
	hw_reset(e);
	rx_global(e);
	W(e, RDRXCTL, R(e, RDRXCTL) & ~2u); /* CRCSTRIP back to its reset value 0 */
	rx_ring(e);
	rx_enable_queue(e);
	rx_on(e);
}

static void bsize_larger_than_buffer(struct env *e)
{
	hw_reset(e);
	rx_global(e);
	rx_ring(e);
	W(e, SRRCTL(0), (1u << 25) | 4u | (1u << 28)); /* 4 KB buffers */
	uint64_t last = e->busa + REGION - 2048;       /* only 2 KB left in the region */
	memcpy(e->mem + RX_RING_OFF, &last, 8);
	rx_enable_queue(e);
	rx_on(e);
	deliver_one(e);
}

static void rxen_without_init_fixes(struct env *e) /* errata E1, E5, E6 */
{
	hw_reset(e);
	W(e, RXCTRL, 1);
}

static void tx_queue_enabled_unready(struct env *e)
{
	hw_reset(e);
	W(e, TXDCTL(1), ENABLE); /* TE clear, ring not programmed, TDLEN 0 */
}

static void header_split_ring_outside_dma(struct env *e) /* erratum E8 */
{
	hw_reset(e);
	W(e, SRRCTL(2), (2u << 25) | 2u);
	W(e, RDBAL(2), 0x1000);
	W(e, RDLEN(2), 1024);
	W(e, RXDCTL(2), ENABLE);
}

static void bad_tx_descriptors(struct env *e)
{
	ixgbe_model_set_loopback(e->m, true);
	bring_up(e);
	uint8_t f[60];
	make_frame(f, 60, BCAST, 1);
	tx_send(e, f, 60);
	uint32_t ol = 50u << 14; /* PAYLEN 50, DTALEN 60 */
	memcpy(e->mem + TX_RING_OFF + 12, &ol, 4);
	ixgbe_model_step(e->m);
	tx_send(e, f, 60);
	uint32_t bad = 60 | (5u << 20) | (1u << 24) | (1u << 29); /* DTYP=5 */
	memcpy(e->mem + TX_RING_OFF + 16 + 8, &bad, 4);
	ixgbe_model_step(e->m);
}

/* Flagged, and nothing is sent until ARBDIS is cleared (DS 4.6.8, 7.2.1.2.1). */
static void tdt_moved_while_arbdis(struct env *e)
{
	bring_up(e);
	ixgbe_model_capture(e->m, true);
	W(e, RTTDCS, R(e, RTTDCS) | ARBDIS);
	W(e, TDT(0), 0); /* not moved: no violation */
	CHECK(ixgbe_model_violations(e->m) == 0);
	uint8_t f[60], got[128];
	make_frame(f, 60, BCAST, 11);
	tx_send(e, f, 60);
	ixgbe_model_step(e->m);
	CHECK(R(e, TDH(0)) == 0 && !(e->mem[TX_RING_OFF + 12] & 1));
	CHECK(ixgbe_model_captured(e->m, got, sizeof(got)) == 0);
	W(e, RTTDCS, R(e, RTTDCS) & ~ARBDIS);
	ixgbe_model_step(e->m);
	CHECK(R(e, TDH(0)) == 1 && (e->mem[TX_RING_OFF + 12] & 1));
	CHECK(ixgbe_model_captured(e->m, got, sizeof(got)) == 60);
}

/* DS 7.1.9: the tail may not move into the part of the ring the hardware owns. */
static void rdt_forward_past_rdh(struct env *e)
{
	bring_up(e); /* RDT = 63, RDH = 0 */
	deliver_one(e);
	deliver_one(e);
	CHECK(R(e, RDH(0)) == 2);
	W(e, RDT(0), 1); /* 63 -> 1 hands over 63 and 0 only, which software owns: legal */
	CHECK(ixgbe_model_violations(e->m) == 0 && R(e, RDT(0)) == 1);
	W(e, RDT(0), NDESC - 1);          /* 1 -> 63 passes RDH=2 */
	CHECK(R(e, RDT(0)) == NDESC - 1); /* flagged, but the register takes the value */
}

static void rdt_backwards_past_rdh(struct env *e)
{
	bring_up(e);
	deliver_one(e);
	deliver_one(e);
	W(e, RDT(0), 10); /* 63 -> 10 with RDH=2: takes back 10..62 */
	CHECK(R(e, RDT(0)) == 10);
}

/* From an empty ring (TDH = TDT = 3) software hands over N-1 descriptors (TDT = 2, legal), then
 * bumps TDT again so that it wraps past TDH (DS 7.2.3.3). */
static void tdt_overruns_tdh(struct env *e)
{
	bring_up(e);
	uint8_t f[60];
	for (uint32_t k = 0; k < 3; k++) {
		make_frame(f, 60, BCAST, k);
		tx_send(e, f, 60);
	}
	ixgbe_model_step(e->m);
	CHECK(R(e, TDH(0)) == 3 && R(e, TDT(0)) == 3);
	W(e, TDT(0), 2);
	CHECK(ixgbe_model_violations(e->m) == 0);
	W(e, TDT(0), 4);
	CHECK(R(e, TDT(0)) == 4);
}

/* RDH/TDH beyond the ring while the queue is disabled: ignored. */
static void heads_beyond_ring(struct env *e)
{
	hw_reset(e);
	rx_global(e);
	rx_ring(e);
	W(e, RDH(0), NDESC);
	CHECK(R(e, RDH(0)) == 0);
	W(e, TDLEN(0), NDESC * 16);
	W(e, TDH(0), NDESC + 1);
	CHECK(R(e, TDH(0)) == 0);
	W(e, TDH(0), NDESC - 1); /* inside the ring: legal while disabled */
	W(e, TDH(1), 1000);      /* TDLEN(1) = 0: length unknown, not checked */
}

static const struct neg_case cases[] = {
    {"RDT past the ring", rdt_past_ring, {{IXGBE_V6_TAIL_RANGE, 1}}},
    {"TDT past the ring", tdt_past_ring, {{IXGBE_V6_TAIL_RANGE, 1}}},
    {"virtual address in an Rx descriptor", rx_virtual_address, {{IXGBE_V12_DMA_FAULT, 1}}},
    {"virtual address in a Tx descriptor", tx_virtual_address, {{IXGBE_V12_DMA_FAULT, 1}}},
    {"RDBAL, SRRCTL, TDLEN while enabled", ring_regs_while_enabled, {{IXGBE_V4_RING_REG_ENABLED, 3}}},
    {"RDT, TDT before ENABLE reads 1", tails_before_enable_reads_1, {{IXGBE_V7_TAIL_BEFORE_ENABLE, 2}}},
    {"ring base not aligned, RDLEN not a multiple of 128",
     ring_base_and_length,
     {{IXGBE_V2_BASE_ALIGN, 2}, {IXGBE_V3_RING_LEN, 1}}},
    {"DCA_RXCTRL bit 12 left set (E2)", dca_bit12_left_set, {{IXGBE_V13_DCA_BIT12, 1}}},
    {"CRC strip bits disagree (E6)", crc_strip_bits_disagree, {{IXGBE_V14_CRC_STRIP, 1}}},
    {"BSIZEPACKET larger than the buffer", bsize_larger_than_buffer, {{IXGBE_V11_RX_BUF_SIZE, 1}}},
    {"RXEN without RSC fixes (E5), CRC strip (E6) and RX_DIS handshake (E1)",
     rxen_without_init_fixes,
     {{IXGBE_V15_RDRXCTL_RSC, 1}, {IXGBE_V14_CRC_STRIP, 1}, {IXGBE_V16_SECRX, 1}}},
    {"Tx queue enabled with TE clear and no ring",
     tx_queue_enabled_unready,
     {{IXGBE_V17_TE_FIRST, 1}, {IXGBE_V8_ENABLE_UNPROGRAMMED, 1}, {IXGBE_V3_RING_LEN, 1}}},
    {"header split (E8), ring outside any DMA region",
     header_split_ring_outside_dma,
     {{IXGBE_V10_SRRCTL, 1}, {IXGBE_V9_RING_DMA, 1}}},
    {"PAYLEN mismatch, bad descriptor type", bad_tx_descriptors, {{IXGBE_V18_TX_DESC, 2}}},
    {"TDT moved while ARBDIS=1", tdt_moved_while_arbdis, {{IXGBE_V20_TAIL_ARBDIS, 1}}},
    {"RDT moved forward past RDH", rdt_forward_past_rdh, {{IXGBE_V21_TAIL_OWNED, 1}}},
    {"RDT moved backwards past RDH", rdt_backwards_past_rdh, {{IXGBE_V21_TAIL_OWNED, 1}}},
    {"TDT overruns TDH", tdt_overruns_tdh, {{IXGBE_V21_TAIL_OWNED, 1}}},
    {"RDH, TDH beyond the ring", heads_beyond_ring, {{IXGBE_V5_HEAD_WRITE, 2}}},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct neg_case *c = &cases[i];
		struct env e;
		env_open(&e, 0, true);
		c->run(&e);
		unsigned total = 0;
		bool ok = true;
		for (const struct expect *x = c->want; x < c->want + 4 && x->count; x++) {
			unsigned got = ixgbe_model_rule_count(e.m, x->rule);
			if (got != x->count) {
				fprintf(stderr, "negative case '%s': %s seen %u times, expected %u\n",
				        c->what, ixgbe_rules[x->rule].id, got, x->count);
				ok = false;
			}
			total += x->count;
		}
		if (ixgbe_model_violations(e.m) != total) {
			char msg[400];
			fprintf(stderr, "negative case '%s': %u violations, expected %u:\n", c->what,
			        ixgbe_model_violations(e.m), total);
			for (unsigned k = 0; ixgbe_model_violation(e.m, k, msg, sizeof(msg)); k++)
				fprintf(stderr, "  %s\n", msg);
			ok = false;
		}
		CHECK(ok);
		printf("caught: %s\n", c->what);
		env_close(&e);
	}
	printf("negative: ok\n");
	return 0;
}
