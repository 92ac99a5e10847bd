/* SW/FW semaphore of the model (SWSM 0x10140, SW_FW_SYNC/GSSR 0x10160; V23, V24) and erratum E12
 * (cfg.lesm_firmware: AUTOC writes need SW_FW_SYNC.MAC_CSR, V25; firmware holding MAC_CSR). */
#include "model_util.h"

#define SWSM 0x10140
#define GSSR 0x10160
#define SMBI (1u << 0)
#define SWESMBI (1u << 1)
#define MAC_CSR (1u << 3)
#define FW_MAC_CSR (1u << 8)

static struct ixgbe_model_config config(bool lesm)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, 0);
	CHECK(!cfg.lesm_firmware); /* off by default */
	cfg.quiet = true;
	cfg.lesm_firmware = lesm;
	return cfg;
}

/* ISC's swsm acquire: SMBI by a read that finds it 0, then SWESMBI by read-modify-write. */
static void swsm_acquire(struct env *e)
{
	CHECK(!(R(e, SWSM) & SMBI));
	W(e, SWSM, R(e, SWSM) | SWESMBI);
	CHECK(R(e, SWSM) & SWESMBI);
}

static void swsm_release(struct env *e)
{
	W(e, SWSM, R(e, SWSM) & ~(SMBI | SWESMBI));
}

static void smbi_read_to_set(void)
{
	struct env e;
	struct ixgbe_model_config cfg = config(false);
	env_open_cfg(&e, &cfg);
	hw_reset(&e);
	CHECK(ixgbe_model_peek32(e.m, SWSM) == 0);
	CHECK(ixgbe_model_peek32(e.m, SWSM) == 0); /* a peek does not take it */
	CHECK((R(&e, SWSM) & SMBI) == 0);          /* the read that finds 0 takes it ... */
	CHECK((R(&e, SWSM) & SMBI) == SMBI);       /* ... so the next read finds it 1 */
	CHECK((R(&e, SWSM) & SMBI) == SMBI);
	W(&e, SWSM, 0); /* writing 0 releases */
	CHECK(ixgbe_model_peek32(e.m, SWSM) == 0);
	W(&e, SWSM, SMBI); /* writing 1 does not set it */
	CHECK(ixgbe_model_peek32(e.m, SWSM) == 0);
	CHECK((R(&e, SWSM) & SMBI) == 0);
	/* A reset does not drop the semaphore (model choice). */
	hw_reset(&e);
	CHECK(ixgbe_model_peek32(e.m, SWSM) & SMBI);
	W(&e, SWSM, 0);
	CHECK(ixgbe_model_violations(e.m) == 0);
	env_close(&e);
}

static void swesmbi(void)
{
	struct env e;
	struct ixgbe_model_config cfg = config(false);
	env_open_cfg(&e, &cfg);
	hw_reset(&e);
	W(&e, SWSM, SWESMBI);
	CHECK(R(&e, SWSM) & SWESMBI);
	CHECK(R(&e, SWSM) == (SMBI | SWESMBI)); /* the read above took SMBI too */
	W(&e, SWSM, SMBI);                      /* SWESMBI written 0: cleared; SMBI kept */
	CHECK(ixgbe_model_peek32(e.m, SWSM) == SMBI);
	W(&e, SWSM, 0);
	CHECK(ixgbe_model_peek32(e.m, SWSM) == 0);
	CHECK(ixgbe_model_violations(e.m) == 0);
	env_close(&e);
}

static void gssr_needs_swesmbi(void)
{
	struct env e;
	struct ixgbe_model_config cfg = config(false);
	env_open_cfg(&e, &cfg);
	hw_reset(&e);
	W(&e, GSSR, MAC_CSR); /* without SWESMBI: V23, the write still takes effect */
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V23_SWFW_NO_SWESMBI) == 1);
	CHECK(R(&e, GSSR) == MAC_CSR);
	/* Under the semaphore: fine; firmware bits 9:5 are not writable by software. */
	swsm_acquire(&e);
	W(&e, GSSR, 0x3FF);
	CHECK(R(&e, GSSR) == 0x1F);
	W(&e, GSSR, 0);
	swsm_release(&e);
	CHECK(R(&e, GSSR) == 0);
	CHECK(ixgbe_model_violations(e.m) == 1);
	/* Without lesm_firmware AUTOC stays unchecked. */
	W(&e, AUTOC, R(&e, AUTOC) | (1u << 12));
	CHECK(ixgbe_model_violations(e.m) == 1);
	env_close(&e);
}

static void e12_unprotected_autoc(void)
{
	struct env e;
	struct ixgbe_model_config cfg = config(true);
	env_open_cfg(&e, &cfg);
	hw_reset(&e);
	CHECK(ixgbe_model_violations(e.m) == 0);
	W(&e, AUTOC, R(&e, AUTOC) | (1u << 12)); /* what IXY and SNB do */
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V25_AUTOC_LESM) == 1);
	CHECK(ixgbe_model_violations(e.m) == 1);
	env_close(&e);
}

/* The ISC protocol: no violation. */
static void e12_protocol(void)
{
	struct env e;
	struct ixgbe_model_config cfg = config(true);
	env_open_cfg(&e, &cfg);
	hw_reset(&e);
	swsm_acquire(&e);
	uint32_t sync = R(&e, GSSR);
	CHECK(!(sync & FW_MAC_CSR));
	W(&e, GSSR, sync | MAC_CSR);
	swsm_release(&e);
	uint32_t autoc = R(&e, AUTOC);
	W(&e, AUTOC, autoc | (1u << 12));
	W(&e, AUTOC, autoc); /* more writes while holding MAC_CSR are fine */
	swsm_acquire(&e);
	W(&e, GSSR, R(&e, GSSR) & ~MAC_CSR);
	swsm_release(&e);
	CHECK(R(&e, GSSR) == 0 && R(&e, SWSM) == 0);
	W(&e, SWSM, 0);
	CHECK(ixgbe_model_violations(e.m) == 0);
	/* After the release, an AUTOC write is flagged again. */
	W(&e, AUTOC, autoc);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V25_AUTOC_LESM) == 1);
	env_close(&e);
}

static void firmware_hold(void)
{
	struct env e;
	struct ixgbe_model_config cfg = config(true);
	env_open_cfg(&e, &cfg);
	hw_reset(&e);
	CHECK(!(R(&e, GSSR) & FW_MAC_CSR));
	ixgbe_model_firmware_hold_mac_csr(e.m, 5);
	CHECK(ixgbe_model_peek32(e.m, GSSR) & FW_MAC_CSR);
	(void)R(&e, STATUS);        /* any register read counts: read 1 */
	for (int i = 0; i < 4; i++) /* 2..5 */
		CHECK(R(&e, GSSR) == FW_MAC_CSR);
	CHECK(R(&e, GSSR) == 0); /* read 6: released */
	CHECK(ixgbe_model_peek32(e.m, GSSR) == 0);
	ixgbe_model_firmware_hold_mac_csr(e.m, 0);
	CHECK(R(&e, GSSR) == 0);
	/* A driver that waits: acquire, see the firmware bit, release, retry. */
	ixgbe_model_firmware_hold_mac_csr(e.m, 20);
	unsigned tries = 0;
	for (;;) {
		tries++;
		CHECK(tries < 100);
		swsm_acquire(&e);
		uint32_t sync = R(&e, GSSR);
		if (!(sync & FW_MAC_CSR)) {
			W(&e, GSSR, sync | MAC_CSR);
			swsm_release(&e);
			break;
		}
		swsm_release(&e);
	}
	CHECK(tries > 1);
	W(&e, AUTOC, R(&e, AUTOC));
	CHECK(ixgbe_model_violations(e.m) == 0);
	/* Setting the software bit over the firmware bit: V24 (and a write without SWESMBI: V23). */
	swsm_acquire(&e);
	W(&e, GSSR, 0);
	ixgbe_model_firmware_hold_mac_csr(e.m, 3);
	W(&e, GSSR, MAC_CSR);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V24_SWFW_FW_OWNED) == 1);
	CHECK(ixgbe_model_violations(e.m) == 1);
	swsm_release(&e);
	env_close(&e);
}

int main(void)
{
	smbi_read_to_set();
	swesmbi();
	gssr_needs_swesmbi();
	e12_unprotected_autoc();
	e12_protocol();
	firmware_hold();
	printf("semaphore: ok\n");
	return 0;
}
