/* Reset semantics: RST self-clears, ARD/DMAIDONE come up, RAR0 = MAC with AV, counters zero,
 * alias addresses decode to the same registers. */
#include "model_util.h"

int main(void)
{
	struct env e;
	env_open(&e, 3, false);
	/* Power-on: a reset is in progress; CTRL.RST reads set for a few reads, then clears. */
	W(&e, CTRL, (1u << 26) | (1u << 3));
	CHECK(R(&e, CTRL) & (1u << 26));
	wait_reg(&e, CTRL, (1u << 26) | (1u << 3), 0);
	CHECK(!(R(&e, CTRL) & (1u << 26)));
	wait_reg(&e, EEC, (1u << 9) | (1u << 8), (1u << 9) | (1u << 8));
	wait_reg(&e, RDRXCTL, 1u << 3, 1u << 3);
	/* Reset values */
	CHECK(R(&e, RAL0) == 0x00000002);
	CHECK(R(&e, RAH0) == (0x0300u | 0x80000000u));
	CHECK(R(&e, RAL0_ALIAS) == 0x00000002 && R(&e, RAH0_ALIAS) == R(&e, RAH0));
	CHECK(!(R(&e, RAH0 + 8) & 0x80000000u)); /* RAH(1).AV = 0 */
	CHECK((R(&e, HLREG0) & 0x403) == 0x403); /* TXCRCEN, RXCRCSTRP, TXPADEN */
	CHECK(!(R(&e, RDRXCTL) & 2) && (R(&e, RDRXCTL) & (0x1Fu << 17)));
	CHECK(R(&e, DCA_RXCTRL(0)) & (1u << 12));
	CHECK(R(&e, 0x0100C + 0x40 * 100 - 0x01000 + 0x0D000 - 0x40 * 64) & (1u << 12)); /* queue 100 */
	CHECK(R(&e, SRRCTL(0)) == 2);
	CHECK(R(&e, 0x03C00) == 0x00080000 && R(&e, 0x0CC00) == 0x00028000 && R(&e, 0x04950) == 0x96);
	CHECK(R(&e, 0x05088) == 0x8100);
	CHECK(R(&e, STATUS) & (1u << 19));
	/* Link comes up (10G) after a few reads. */
	wait_reg(&e, LINKS, (1u << 30) | (3u << 28), (1u << 30) | (3u << 28));
	W(&e, AUTOC, R(&e, AUTOC) | (1u << 12)); /* Restart_AN */
	CHECK(!(R(&e, LINKS) & (1u << 30)));
	wait_reg(&e, AUTOC, 1u << 12, 0);
	wait_reg(&e, LINKS, 1u << 30, 1u << 30);
	/* Counters are zero after reset. */
	static const uint32_t ctrs[] = {GPRC, GPTC, GORCL, GORCH, GOTCL,  GOTCH,
	                                TPR,  TPT,  BPRC,  QPRC0, 0x04000};
	for (size_t i = 0; i < sizeof(ctrs) / sizeof(ctrs[0]); i++)
		CHECK(R(&e, ctrs[i]) == 0);
	CHECK(R(&e, MPC0) == 0 && R(&e, QPRDC0) == 0);
	/* Aliases: SRRCTL written via 0x02100 reads back at 0x01014. */
	W(&e, SRRCTL_ALIAS(0), (1u << 25) | 4);
	CHECK(R(&e, SRRCTL(0)) == ((1u << 25) | 4));
	W(&e, 0x02200 + 4 * 5, 0x1234);
	CHECK(R(&e, DCA_RXCTRL(5)) == 0x1234);
	W(&e, 0x05818, 0x1); /* MRQC alias */
	CHECK(R(&e, 0x0EC80) == 1);
	/* EIMS is W1S, EIMC clears, reset clears. */
	W(&e, 0x00880, 0x5);
	W(&e, 0x00880, 0);
	CHECK(R(&e, 0x00880) == 5);
	W(&e, 0x00888, 1);
	CHECK(R(&e, 0x00880) == 4);
	/* Unknown offset: 0 and a warning, not a violation. */
	unsigned w = ixgbe_model_warnings(e.m);
	CHECK(R(&e, 0x00104) == 0);
	CHECK(ixgbe_model_warnings(e.m) == w + 1);
	/* A second reset restores what the first set and clears ENABLE bits and EIMS. */
	W(&e, RXDCTL(0), ENABLE);
	/* A queue is enabled: master disable first, poll STATUS.19, then reset (V22, E10). */
	W(&e, CTRL, R(&e, CTRL) | (1u << 2));
	wait_reg(&e, STATUS, 1u << 19, 0);
	W(&e, CTRL, (1u << 2) | (1u << 26));
	wait_reg(&e, CTRL, 1u << 26, 0);
	CHECK(R(&e, SRRCTL(0)) == 2 && !(R(&e, RXDCTL(0)) & ENABLE) && R(&e, 0x00880) == 0);
	/* The RXDCTL enable above was done on a ring never programmed (V8, V3), and the reset came
	 * while it was still enabled (V26): named violations, nothing else. */
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V8_ENABLE_UNPROGRAMMED) == 1);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V3_RING_LEN) == 1);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V26_RESET_QUEUE_ENABLED) == 1);
	CHECK(ixgbe_model_violations(e.m) == 3);
	/* V26: a queue must read disabled before the reset, not merely have ENABLE cleared. */
	ixgbe_model_clear_violations(e.m);
	bring_up(&e);
	W(&e, TXDCTL(0), 0);
	W(&e, RXDCTL(0), 0);
	W(&e, CTRL, (1u << 2));
	W(&e, CTRL, (1u << 2) | (1u << 26)); /* the disables have not taken effect yet */
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V26_RESET_QUEUE_ENABLED) == 1);
	wait_reg(&e, CTRL, 1u << 26, 0);
	bring_up(&e);
	W(&e, TXDCTL(0), 0);
	W(&e, RXDCTL(0), 0);
	wait_reg(&e, TXDCTL(0), ENABLE, 0);
	wait_reg(&e, RXDCTL(0), ENABLE, 0);
	W(&e, CTRL, (1u << 2));
	W(&e, CTRL, (1u << 2) | (1u << 26));
	wait_reg(&e, CTRL, 1u << 26, 0);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V26_RESET_QUEUE_ENABLED) == 1);
	CHECK(ixgbe_model_violations(e.m) == 1);
	printf("reset: ok\n");
	env_close(&e);
	return 0;
}
