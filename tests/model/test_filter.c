/* L2 filtering: own MAC accepted, other unicast dropped, broadcast needs BAM (or MPE),
 * multicast needs MPE, UPE accepts all. */
#include "model_util.h"

static unsigned offer(struct env *e, const uint8_t dst[6])
{
	uint8_t f[60];
	make_frame(f, 60, dst, 1);
	CHECK(ixgbe_model_inject(e->m, f, 60));
	ixgbe_model_step(e->m);
	return R(e, GPRC);
}

int main(void)
{
	struct env e;
	env_open(&e, 5, false);
	bring_up(&e);
	R(&e, GPRC);
	const uint8_t own[6] = {0x02, 0, 0, 0, 0, 5};
	const uint8_t other[6] = {0x02, 0, 0, 0, 0, 6};
	const uint8_t mcast[6] = {0x01, 0x00, 0x5E, 0, 0, 1};
	CHECK(offer(&e, own) == 1);
	CHECK(offer(&e, other) == 0);
	CHECK(offer(&e, mcast) == 0);
	CHECK(offer(&e, BCAST) == 1); /* BAM set by bring-up */
	W(&e, FCTRL, R(&e, FCTRL) & ~(1u << 10));
	CHECK(offer(&e, BCAST) == 0);
	W(&e, FCTRL, R(&e, FCTRL) | (1u << 8)); /* MPE: multicast and broadcast */
	CHECK(offer(&e, BCAST) == 1);
	CHECK(offer(&e, mcast) == 1);
	CHECK(offer(&e, other) == 0);
	W(&e, FCTRL, R(&e, FCTRL) | (1u << 9)); /* UPE */
	CHECK(offer(&e, other) == 1);
	W(&e, FCTRL, 0);
	/* RAR entry 1 with AV accepts a second address; without AV it does not. */
	W(&e, RAL0 + 8, 0x00000002);
	W(&e, RAH0 + 8, 0x0600);
	CHECK(offer(&e, other) == 0);
	W(&e, RAH0 + 8, 0x0600 | 0x80000000u);
	CHECK(offer(&e, other) == 1);
	/* RAH(0) written without AV (IXY's set_mac bug) invalidates the own address. */
	W(&e, RAH0_ALIAS, 0x0500);
	CHECK(offer(&e, own) == 0);
	expect_clean(&e);
	printf("filter: ok\n");
	env_close(&e);
	return 0;
}
