/* The model's IEEE 1588 time-sync unit (DS 7.9), rule by rule (T1-T6, V31 in
 * sim/ixgbe_timesync.c), and the cable delay measured back with the unit's stamps. Step mode:
 * the model time moves only with ixgbe_model_advance() and the frames, so every value is exact. */
#include "model_util.h"

#define TSYNCRXCTL 0x05188
#define RXSTMPL 0x051E8
#define RXSTMPH 0x051A4
#define RXSATRH 0x051A8
#define RXMTRL 0x05120
#define ETQF(n) (0x05128 + 4 * (n))
#define TSYNCTXCTL 0x08C00
#define TXSTMPL 0x08C04
#define TXSTMPH 0x08C08
#define SYSTIML 0x08C0C
#define SYSTIMH 0x08C10
#define TIMINCA 0x08C14
#define TSAUXC 0x08C20
#define VALID 1u
#define EN (1u << 4)
#define TYPE_L2_L4_V2 (2u << 1)
#define TYPE_ALL (4u << 1)
#define TS (1u << 16)
#define TX_STAMP (1u << 19)
#define INC_10G 0x01CCCCCCu
#define CYCLE 64u /* ticks of 0.1 ns in one 6.4 ns clock cycle */

static uint64_t systim(struct env *e)
{
	uint64_t v = R(e, SYSTIML);
	return v | (uint64_t)R(e, SYSTIMH) << 32;
}

static void set_systim(struct env *e, uint64_t v)
{
	W(e, SYSTIML, (uint32_t)v);
	W(e, SYSTIMH, (uint32_t)(v >> 32));
}

/* T1, T2, T3: the clock. */
static void clock_rules(void)
{
	struct env e;
	env_open_rate(&e, 0, true, 10000);
	bring_up(&e);
	/* Reset: TIMINCA 0, the clock stands still. */
	ixgbe_model_advance(e.m, 100000);
	CHECK(systim(&e) == 0);
	/* T2: both halves are set by writes. */
	set_systim(&e, 0x0000000700000005ull);
	CHECK(systim(&e) == 0x0000000700000005ull);
	/* T1: IV every cycle from the TIMINCA write on. */
	set_systim(&e, 0);
	uint64_t t0 = ixgbe_model_time(e.m);
	W(&e, TIMINCA, INC_10G);
	ixgbe_model_advance(e.m, 10000); /* 1 us */
	uint64_t t1 = ixgbe_model_time(e.m);
	uint64_t cycles = t1 / CYCLE - t0 / CYCLE;
	CHECK(systim(&e) == cycles * 0xCCCCCCu);
	CHECK(cycles == 156 || cycles == 157); /* 1000 ns / 6.4 ns */
	CHECK((systim(&e) >> 21) >= 993 && (systim(&e) >> 21) <= 1006);
	/* IP = 2: IV every second cycle. */
	set_systim(&e, 0);
	W(&e, TIMINCA, 2u << 24 | 1u);
	ixgbe_model_advance(e.m, 64000); /* 1000 cycles */
	uint64_t v = systim(&e);
	CHECK(v >= 499 && v <= 501);
	/* TSAUXC.DISABLE_SYSTIME stops it. */
	W(&e, TSAUXC, 1u << 31);
	v = systim(&e);
	ixgbe_model_advance(e.m, 64000);
	CHECK(systim(&e) == v);
	W(&e, TSAUXC, 0);
	/* T3: SYSTIML latches SYSTIMH; the carry after that read shows only on the next pair. */
	W(&e, TIMINCA, 0);
	set_systim(&e, 0xFFFFFFF0ull);
	W(&e, TIMINCA, 1u << 24 | 1u);
	uint32_t low = R(&e, SYSTIML);
	ixgbe_model_advance(e.m, 100 * CYCLE);
	CHECK(low >= 0xFFFFFFF0u && R(&e, SYSTIMH) == 0);
	CHECK(systim(&e) >> 32 == 1);
	expect_clean(&e);
	env_close(&e);
}

/* An L2 PTP frame (EtherType 0x88F7) with message type `type` and sequenceId `seq`. */
static uint32_t ptp_frame(uint8_t *f, uint8_t type, uint16_t seq)
{
	memset(f, 0, 64);
	memcpy(f, BCAST, 6);
	f[6] = 0x02;
	f[12] = 0x88;
	f[13] = 0xF7;
	f[14] = type;
	f[15] = 2; /* PTP version 2 */
	f[14 + 30] = (uint8_t)(seq >> 8);
	f[14 + 31] = (uint8_t)seq;
	return 64;
}

/* A PTP-over-UDP/IPv4 frame to `port`. */
static uint32_t udp_ptp_frame(uint8_t *f, uint16_t port, uint8_t type)
{
	memset(f, 0, 90);
	memcpy(f, BCAST, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[23] = 17;
	f[14 + 20 + 2] = (uint8_t)(port >> 8);
	f[14 + 20 + 3] = (uint8_t)port;
	f[14 + 28] = type;
	return 90;
}

/* Sends one frame through the loopback; returns the Rx status of the descriptor it landed in. */
static uint32_t loop_one(struct env *e, const uint8_t *f, uint32_t len, uint32_t extra_cmd)
{
	tx_send_cmd(e, f, len, extra_cmd);
	ixgbe_model_step(e->m);
	uint32_t i = e->rx_next;
	uint32_t st = rx_status(e, i);
	CHECK(st & 1u);
	/* Hand the descriptor back (read format, DD clear). */
	uint64_t a = e->busa + RX_BUF_OFF + i * BUF, z = 0;
	memcpy(e->mem + RX_RING_OFF + 16 * i, &a, 8);
	memcpy(e->mem + RX_RING_OFF + 16 * i + 8, &z, 8);
	W(e, RDT(0), i);
	e->rx_next = (i + 1) % NDESC;
	return st;
}

/* Returns the model time at which the clock started from 0. */
static uint64_t stamp_on(struct env *e)
{
	set_systim(e, 0);
	uint64_t t0 = ixgbe_model_time(e->m);
	W(e, TIMINCA, INC_10G);
	W(e, ETQF(3), 0x88F7u | 1u << 30 | 1u << 31);
	W(e, RXMTRL, 319u << 16);
	W(e, TSYNCRXCTL, EN | TYPE_L2_L4_V2);
	W(e, TSYNCTXCTL, EN);
	return t0;
}

static uint64_t read_stamp(struct env *e, uint32_t low, uint32_t high)
{
	uint64_t v = R(e, low);
	return v | (uint64_t)R(e, high) << 32;
}

/* T4, T5, T6: which frames are stamped, the latch and its release. */
static void stamp_rules(void)
{
	struct env e;
	env_open_rate(&e, 0, true, 10000);
	bring_up(&e);
	ixgbe_model_set_loopback(e.m, true);
	ixgbe_model_capture(e.m, true);
	uint8_t f[128], cap[2048];
	/* Off: nothing stamped. */
	CHECK(!(loop_one(&e, f, ptp_frame(f, 0, 1), TX_STAMP) & TS));
	CHECK(!(R(&e, TSYNCRXCTL) & VALID) && !(R(&e, TSYNCTXCTL) & VALID));
	while (ixgbe_model_captured(e.m, cap, sizeof(cap)))
		;
	uint64_t t0 = stamp_on(&e);
	/* T4: a Sync (event message) is stamped, its sequenceId lands in RXSATRH in wire order. */
	ixgbe_model_advance(e.m, 12345);
	uint32_t st = loop_one(&e, f, ptp_frame(f, 0, 0x1234), TX_STAMP);
	CHECK(st & TS);
	CHECK(R(&e, TSYNCRXCTL) & VALID);
	CHECK(R(&e, RXSATRH) >> 16 == (0x12u | 0x34u << 8));
	/* T5: the TX stamp is SYSTIM when the frame's first byte left; with no delay the RX stamp
	 * is the same instant. */
	uint64_t at;
	CHECK(ixgbe_model_captured_at(e.m, cap, sizeof(cap), &at) == 64);
	CHECK(R(&e, TSYNCTXCTL) & VALID);
	uint64_t tx = read_stamp(&e, TXSTMPL, TXSTMPH), rx = read_stamp(&e, RXSTMPL, RXSTMPH);
	CHECK(tx == rx);
	CHECK((tx >> 21) + 7 >= (at - t0) / 10 && (tx >> 21) <= (at - t0) / 10 + 7);
	/* T6: reading the high halves released both latches. */
	CHECK(!(R(&e, TSYNCRXCTL) & VALID) && !(R(&e, TSYNCTXCTL) & VALID));
	/* T6: while a stamp is held, later frames are not stamped and the stamp stays. */
	CHECK(loop_one(&e, f, ptp_frame(f, 1, 7), TX_STAMP) & TS);
	uint64_t held_rx = R(&e, RXSTMPL), held_tx = R(&e, TXSTMPL);
	unsigned warnings = ixgbe_model_warnings(e.m);
	ixgbe_model_advance(e.m, 100000);
	CHECK(!(loop_one(&e, f, ptp_frame(f, 1, 8), TX_STAMP) & TS));
	CHECK(R(&e, RXSTMPL) == held_rx && R(&e, TXSTMPL) == held_tx);
	CHECK(R(&e, RXSATRH) >> 16 == 7u << 8);
	CHECK(ixgbe_model_warnings(e.m) == warnings + 1); /* the lost TX stamp */
	read_stamp(&e, RXSTMPL, RXSTMPH);
	read_stamp(&e, TXSTMPL, TXSTMPH);
	/* T4: not stamped: general messages (Follow_Up = 8), other EtherTypes, unmarked TX. */
	CHECK(!(loop_one(&e, f, ptp_frame(f, 8, 9), 0) & TS));
	make_frame(f, 64, BCAST, 3);
	CHECK(!(loop_one(&e, f, 64, 0) & TS));
	CHECK(!(R(&e, TSYNCRXCTL) & VALID) && !(R(&e, TSYNCTXCTL) & VALID));
	/* T4: PTP over UDP to the RXMTRL port is stamped, to another port not. */
	CHECK(!(loop_one(&e, f, udp_ptp_frame(f, 320, 0), 0) & TS));
	CHECK(loop_one(&e, f, udp_ptp_frame(f, 319, 0), 0) & TS);
	read_stamp(&e, RXSTMPL, RXSTMPH);
	/* T4: without the ETQF filter's 1588 bit, L2 PTP is not stamped. */
	W(&e, ETQF(3), 0x88F7u | 1u << 31);
	CHECK(!(loop_one(&e, f, ptp_frame(f, 0, 1), 0) & TS));
	/* T4: type 100b stamps every frame. */
	W(&e, TSYNCRXCTL, EN | TYPE_ALL);
	make_frame(f, 64, BCAST, 4);
	CHECK(loop_one(&e, f, 64, 0) & TS);
	read_stamp(&e, RXSTMPL, RXSTMPH);
	while (ixgbe_model_captured(e.m, cap, sizeof(cap)))
		;
	expect_clean(&e);
	/* V31: a reserved type. */
	W(&e, TSYNCRXCTL, EN | 3u << 1);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V31_TSYNC_RX_TYPE) == 1);
	CHECK(ixgbe_model_count_matching(e.m, "is reserved") == 1);
	env_close(&e);
}

/* T6: a frame stamped on arrival but dropped for lack of descriptors keeps the latch taken, so the
 * next frame goes unstamped until software reads the stamp. */
static void dropped_keeps_latch(void)
{
	struct env e;
	env_open_rate(&e, 0, true, 10000);
	hw_reset(&e);
	rx_global(&e);
	rx_ring(&e);
	W(&e, RXDCTL(0), R(&e, RXDCTL(0)) | ENABLE);
	wait_reg(&e, RXDCTL(0), ENABLE, ENABLE); /* RDT stays 0: no descriptor for the NIC */
	rx_on(&e);
	ixgbe_model_set_loopback(e.m, true);
	stamp_on(&e);
	uint8_t f[128];
	ixgbe_model_inject(e.m, f, ptp_frame(f, 0, 0x0101));
	ixgbe_model_step(e.m);
	CHECK(R(&e, QPRDC0) == 1);
	CHECK(R(&e, TSYNCRXCTL) & VALID);
	W(&e, RDT(0), NDESC - 1);
	ixgbe_model_inject(e.m, f, ptp_frame(f, 0, 0x0202));
	ixgbe_model_step(e.m);
	CHECK((rx_status(&e, 0) & 1u) && !(rx_status(&e, 0) & TS));
	CHECK(R(&e, RXSATRH) >> 16 == 0x0101u); /* still the dropped frame's */
	read_stamp(&e, RXSTMPL, RXSTMPH);
	CHECK(!(R(&e, TSYNCRXCTL) & VALID));
	expect_clean(&e);
	env_close(&e);
}

/* A cable delay comes back as the difference of the RX and TX stamps, within one clock cycle. */
static void delay_measured(void)
{
	const uint64_t delays_ns[] = {0, 1000, 25000, 1000000};
	for (size_t k = 0; k < sizeof(delays_ns) / sizeof(delays_ns[0]); k++) {
		struct env e;
		env_open_rate(&e, 0, true, 10000);
		bring_up(&e);
		ixgbe_model_set_loopback(e.m, true);
		ixgbe_model_set_delay(e.m, delays_ns[k]);
		stamp_on(&e);
		uint8_t f[128];
		uint64_t before = ixgbe_model_time(e.m);
		CHECK(loop_one(&e, f, ptp_frame(f, 0, 1), TX_STAMP) & TS);
		/* Step mode: the step took time to the frame's last byte at the far end. */
		CHECK(ixgbe_model_time(e.m) - before >= delays_ns[k] * 10 + 68 * 8);
		uint64_t tx = read_stamp(&e, TXSTMPL, TXSTMPH), rx = read_stamp(&e, RXSTMPL, RXSTMPH);
		double ns = (double)(rx - tx) / (1u << 21) * 1.00000006; /* 0xCCCCCC is 60 ppb short */
		printf("cable delay %llu ns: stamps differ by %.1f ns\n", (unsigned long long)delays_ns[k],
		       ns);
		CHECK(ns > (double)delays_ns[k] - 6.5 && ns < (double)delays_ns[k] + 6.5);
		expect_clean(&e);
		env_close(&e);
	}
}

int main(void)
{
	clock_rules();
	stamp_rules();
	dropped_keeps_latch();
	delay_measured();
	printf("timesync: ok\n");
	return 0;
}
