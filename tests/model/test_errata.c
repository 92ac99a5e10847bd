/* Errata knobs of the model: E10 (stuck PCIe master disable, flush, V22) and E13 (empty SFP+
 * cage: ESDP.SDP2 reads 0 while LINKS still shows a 10G link). */
#include "model_util.h"

#define MASTER_DIS (1u << 2)
#define RST (1u << 26)
#define MASTER_EN (1u << 19)
#define LPBK (1u << 15)
#define BUFFERS_CLEAR (1u << 30)
#define SDP2 (1u << 2)

static void reset_done(struct env *e)
{
	wait_reg(e, CTRL, RST, 0);
	wait_reg(e, EEC, 1u << 9, 1u << 9);
	wait_reg(e, RDRXCTL, 1u << 3, 1u << 3);
}

static struct ixgbe_model_config config(bool stuck, bool empty)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 0);
	CHECK(!cfg.stuck_master && !cfg.sfp_cage_empty); /* both off by default */
	cfg.quiet = true;
	cfg.stuck_master = stuck;
	cfg.sfp_cage_empty = empty;
	return cfg;
}

/* Default (stuck_master off): master disable clears STATUS.19 at once; V22 only for a reset of a
 * port with an enabled queue and no master disable. */
static void e10_default(void)
{
	struct env e;
	struct ixgbe_model_config cfg = config(false, false);
	env_open_cfg(&e, &cfg);
	/* Idle port (power-on): a reset without master disable is fine. */
	W(&e, CTRL, RST);
	reset_done(&e);
	CHECK(ixgbe_model_violations(e.m) == 0);
	CHECK(R(&e, STATUS) & MASTER_EN);
	/* An enabled queue, reset without master disable: V22. */
	W(&e, DMATXCTL, 1);
	W(&e, TXDCTL(0), ENABLE); /* ring not programmed: other violations, not counted here */
	unsigned before = ixgbe_model_rule_count(e.m, IXGBE_V22_RESET_PENDING);
	W(&e, CTRL, RST);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V22_RESET_PENDING) == before + 1);
	reset_done(&e);
	/* Master disable first, then reset: STATUS.19 reads 0 at once, no V22. */
	W(&e, DMATXCTL, 1);
	W(&e, TXDCTL(0), ENABLE);
	W(&e, CTRL, MASTER_DIS);
	CHECK(!(R(&e, STATUS) & MASTER_EN));
	before = ixgbe_model_rule_count(e.m, IXGBE_V22_RESET_PENDING);
	W(&e, CTRL, MASTER_DIS | RST);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V22_RESET_PENDING) == before);
	reset_done(&e);
	CHECK(R(&e, STATUS) & MASTER_EN); /* the reset ended the master disable */
	env_close(&e);
}

/* stuck_master: STATUS.19 stays 1 until the flush (GCR_EXT bit 30 with HLREG0.LPBK=1). */
static void e10_stuck(void)
{
	struct env e;
	struct ixgbe_model_config cfg = config(true, false);
	env_open_cfg(&e, &cfg);
	W(&e, CTRL, RST);
	reset_done(&e);
	CHECK(ixgbe_model_violations(e.m) == 0);
	W(&e, CTRL, MASTER_DIS);
	for (int i = 0; i < 100; i++)
		CHECK(R(&e, STATUS) & MASTER_EN);
	/* Resetting now (master disable started, not finished): V22 even with no queue enabled. */
	W(&e, CTRL, MASTER_DIS | RST);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V22_RESET_PENDING) == 1);
	reset_done(&e);
	/* Still stuck after that reset. */
	W(&e, CTRL, MASTER_DIS);
	CHECK(R(&e, STATUS) & MASTER_EN);
	/* Buffers_Clear_Func without LPBK is not the flush. */
	W(&e, GCR_EXT, BUFFERS_CLEAR);
	W(&e, GCR_EXT, 0);
	CHECK(R(&e, STATUS) & MASTER_EN);
	/* The flush: LPBK=1, Buffers_Clear_Func=1, then both cleared. */
	W(&e, HLREG0, R(&e, HLREG0) | LPBK);
	W(&e, RXCTRL, 0);
	W(&e, GCR_EXT, R(&e, GCR_EXT) | BUFFERS_CLEAR);
	CHECK(R(&e, GCR_EXT) & BUFFERS_CLEAR); /* GCR_EXT is RW */
	W(&e, GCR_EXT, R(&e, GCR_EXT) & ~BUFFERS_CLEAR);
	W(&e, HLREG0, R(&e, HLREG0) & ~LPBK);
	CHECK(!(R(&e, STATUS) & MASTER_EN));
	W(&e, CTRL, MASTER_DIS | RST);
	reset_done(&e);
	/* The second reset of the E10 sequence: master disable now completes. */
	W(&e, CTRL, MASTER_DIS);
	CHECK(!(R(&e, STATUS) & MASTER_EN));
	W(&e, CTRL, MASTER_DIS | RST);
	reset_done(&e);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V22_RESET_PENDING) == 1 && ixgbe_model_violations(e.m) == 1);
	env_close(&e);
}

static void wait_link(struct env *e)
{
	wait_reg(e, LINKS, (1u << 30) | (3u << 28), (1u << 30) | (3u << 28));
}

/* E13: SDP2 shows the module; LINKS comes up either way (crosstalk). */
static void e13(void)
{
	struct env e;
	struct ixgbe_model_config cfg = config(false, false);
	env_open_cfg(&e, &cfg);
	hw_reset(&e);
	CHECK(R(&e, ESDP) & SDP2);
	wait_link(&e);
	ixgbe_model_set_sfp_cage(e.m, false); /* unplug: SDP2 0, link still "up" */
	CHECK(!(R(&e, ESDP) & SDP2));
	CHECK(R(&e, LINKS) & (1u << 30));
	ixgbe_model_set_sfp_cage(e.m, true);
	CHECK(R(&e, ESDP) & SDP2);
	/* Writes to SDP2 as an input do not change what it reads. */
	W(&e, ESDP, 0);
	CHECK(R(&e, ESDP) & SDP2);
	CHECK(ixgbe_model_violations(e.m) == 0);
	env_close(&e);

	cfg = config(false, true);
	env_open_cfg(&e, &cfg);
	hw_reset(&e);
	CHECK(!(R(&e, ESDP) & SDP2));
	wait_link(&e);
	CHECK(!(R(&e, ESDP) & SDP2));
	ixgbe_model_set_sfp_cage(e.m, true);
	CHECK(R(&e, ESDP) & SDP2);
	CHECK(ixgbe_model_violations(e.m) == 0);
	env_close(&e);
}

int main(void)
{
	e10_default();
	e10_stuck();
	e13();
	printf("errata: ok\n");
	return 0;
}
