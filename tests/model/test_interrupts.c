/* Interrupt delivery of the virtual 82599 (DS 7.3), driven by hand-written register sequences:
 * an RX burst raises one message, none while masked, EITR throttles, EIAC/EIAM auto-clear and
 * auto-mask, and the interrupt rules V27-V30 are caught. Step mode: 1 us of model time per step. */
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "model_util.h"

#define EICR 0x00800
#define EICS 0x00808
#define EIAC 0x00810
#define EITR(n) (0x00820 + 4 * (n))
#define EIMS 0x00880
#define EIMC 0x00888
#define EIAM 0x00890
#define GPIE 0x00898
#define GPIE_MSIX (1u << 4)
#define GPIE_EIAME (1u << 30)
#define GPIE_PBA (1u << 31)
#define IVAR(n) (0x00900 + 4 * (n))
#define VALID 0x80u

/* Eventfd value consumed (0 if nothing was signalled). */
static uint64_t drain(int fd)
{
	uint64_t v = 0;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void inject(struct env *e, uint32_t seq)
{
	uint8_t f[60];
	make_frame(f, 60, BCAST, seq);
	CHECK(ixgbe_model_inject(e->m, f, 60));
}

/* Hands the RX descriptors back (the test does not read the frames). */
static void rx_recycle(struct env *e)
{
	for (uint32_t i = 0; i < NDESC; i++) {
		uint64_t a = e->busa + RX_BUF_OFF + i * BUF, z = 0;
		memcpy(e->mem + RX_RING_OFF + 16 * i, &a, 8);
		memcpy(e->mem + RX_RING_OFF + 16 * i + 8, &z, 8);
	}
	uint32_t head = R(e, RDH(0));
	W(e, RDT(0), (head + NDESC - 1) % NDESC);
}

/* MSI-X with RX queue 0 on vector `vec`, auto-clear and auto-mask, EITR(vec) = eitr. */
static void msix_setup(struct env *e, unsigned vec, uint32_t eitr)
{
	W(e, GPIE, GPIE_MSIX | GPIE_EIAME | GPIE_PBA);
	W(e, IVAR(0), VALID | vec);
	W(e, EITR(vec), eitr);
	W(e, EIAC, 1u << vec);
	W(e, EIAM, 1u << vec);
}

static void test_burst_and_mask(void)
{
	struct env e;
	env_open(&e, 0, false);
	bring_up(&e);
	int fd = eventfd(0, EFD_NONBLOCK);
	CHECK(fd >= 0);
	CHECK(e.ops.set_irq && e.ops.set_irq(e.ops.ctx, 2, fd) == 0);
	CHECK(e.ops.set_irq(e.ops.ctx, 16, fd) == -1);
	msix_setup(&e, 2, 0);

	/* Masked: frames arrive, EICR latches the cause, no message. */
	for (uint32_t i = 0; i < 8; i++)
		inject(&e, i);
	ixgbe_model_step(e.m);
	CHECK(rx_status(&e, 7) & 1u);
	CHECK(ixgbe_model_peek32(e.m, EICR) & (1u << 2));
	CHECK(ixgbe_model_irqs(e.m, 2) == 0 && drain(fd) == 0);

	/* Enabling the vector signals the cause that waited: one message, auto-clear, auto-mask. */
	W(&e, EIMS, 1u << 2);
	CHECK(drain(fd) == 1);
	CHECK(!(ixgbe_model_peek32(e.m, EICR) & (1u << 2))); /* EIAC */
	CHECK(!(R(&e, EIMS) & (1u << 2)));                   /* EIAM with GPIE.EIAME */

	/* Auto-masked: the next burst raises nothing until the vector is enabled again. */
	for (uint32_t i = 8; i < 16; i++)
		inject(&e, i);
	ixgbe_model_step(e.m);
	CHECK(drain(fd) == 0);
	W(&e, EICR, 1u << 2); /* drop the old cause, as a driver arming for the next wait does */
	W(&e, EIMS, 1u << 2);
	CHECK(drain(fd) == 0);
	ixgbe_model_step(e.m);
	CHECK(drain(fd) == 0);
	/* One burst of 8 frames while enabled: exactly one message. */
	for (uint32_t i = 16; i < 24; i++)
		inject(&e, i);
	ixgbe_model_step(e.m);
	CHECK(drain(fd) == 1);
	ixgbe_model_step(e.m);
	CHECK(drain(fd) == 0);
	CHECK(ixgbe_model_irqs(e.m, 2) == 2);

	/* EIMC masks: no message while masked. */
	W(&e, EIMS, 1u << 2);
	W(&e, EIMC, 1u << 2);
	inject(&e, 99);
	ixgbe_model_step(e.m);
	CHECK(drain(fd) == 0 && ixgbe_model_irqs(e.m, 2) == 2);
	ixgbe_model_set_irq(e.m, 2, -1);
	expect_clean(&e);
	close(fd);
	env_close(&e);
	printf("ok: RX burst raises one message; none while masked; auto-clear and auto-mask\n");
}

/* EITR: messages at most once per interval, counted in steps (1 us each). */
static void test_throttle(void)
{
	struct env e;
	env_open(&e, 0, false);
	bring_up(&e);
	/* 20 us: bits 11:3 = 10 units of 2 us. No auto-mask: the vector stays enabled. */
	W(&e, GPIE, GPIE_MSIX | GPIE_PBA);
	W(&e, IVAR(0), VALID | 0);
	W(&e, EITR(0), 10u << 3);
	W(&e, EIAC, 1);
	W(&e, EIMS, 1);
	unsigned first = 0, count = 0;
	uint64_t before = ixgbe_model_irqs(e.m, 0);
	for (unsigned step = 1; step <= 100; step++) {
		inject(&e, step); /* a frame every step: a cause event every microsecond */
		ixgbe_model_step(e.m);
		uint64_t now = ixgbe_model_irqs(e.m, 0);
		if (now != before) {
			CHECK(now == before + 1);
			if (count)
				CHECK(step - first == 20 * count); /* exactly every 20 steps */
			else
				first = step;
			count++;
			before = now;
		}
		if (step % 32 == 0)
			rx_recycle(&e);
	}
	CHECK(first == 1 && count == 5); /* steps 1, 21, 41, 61, 81 */

	/* Interval 0: a message for every cause event (every step). */
	W(&e, EITR(0), 0);
	ixgbe_model_step(e.m); /* step 101 ends the last 20 us interval: the waiting cause goes out */
	uint64_t base = ixgbe_model_irqs(e.m, 0);
	for (unsigned step = 0; step < 10; step++) {
		inject(&e, 200 + step);
		ixgbe_model_step(e.m);
	}
	CHECK(ixgbe_model_irqs(e.m, 0) - base == 10);
	expect_clean(&e);
	env_close(&e);
	printf("ok: EITR interval honoured (one message per 20 us at a frame per us)\n");
}

/* Without MSI-X mode every queue cause is the one MSI vector 0. */
static void test_msi_mode(void)
{
	struct env e;
	env_open(&e, 0, false);
	bring_up(&e);
	W(&e, GPIE, 0);
	W(&e, IVAR(0), VALID | 5); /* RX queue 0 -> EICR bit 5 */
	W(&e, EIMS, 1u << 5);
	inject(&e, 1);
	ixgbe_model_step(e.m);
	CHECK(ixgbe_model_irqs(e.m, 0) == 1 && ixgbe_model_irqs(e.m, 5) == 0);
	CHECK(R(&e, EICR) & (1u << 5)); /* no auto-clear outside MSI-X; the read clears */
	CHECK(!(R(&e, EICR) & (1u << 5)));
	expect_clean(&e);
	env_close(&e);
	printf("ok: MSI mode signals vector 0\n");
}

static void test_rules(void)
{
	struct env e;
	env_open(&e, 0, true);
	bring_up(&e);
	W(&e, GPIE, GPIE_MSIX | GPIE_EIAME | GPIE_PBA);
	/* V27: a vector enabled that no IVAR entry maps to. */
	W(&e, IVAR(0), VALID | 1);
	W(&e, EIMS, 1u << 3);
	CHECK(ixgbe_model_count_matching(e.m, "EIMS enables MSI-X vector 3, but no valid IVAR") == 1);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V27_IRQ_VECTOR_UNMAPPED) == 1);
	CHECK(ixgbe_model_count_matching(e.m, "vector 1,") == 0);
	/* V28: an IVAR entry naming a vector without its valid bit; the cause goes nowhere. */
	W(&e, IVAR(0), 0x04);
	CHECK(ixgbe_model_count_matching(e.m, "IVAR(0) byte 0 = 0x04 names vector 4 for RX queue 0") == 1);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V28_IVAR_NOT_VALID) == 1);
	W(&e, EIMS, 1u << 4);
	inject(&e, 1);
	ixgbe_model_step(e.m);
	CHECK(ixgbe_model_irqs(e.m, 4) == 0 && !(ixgbe_model_peek32(e.m, EICR) & (1u << 4)));
	/* V29: EITR reserved bits (an interval written in microseconds, not in bits 11:3). */
	W(&e, EITR(0), 10);
	CHECK(ixgbe_model_count_matching(e.m, "EITR(0) = 0x0000000a has bits 2:0 set") == 1);
	W(&e, 0x12300 + 4 * 6, 3); /* EITR(30) */
	CHECK(ixgbe_model_count_matching(e.m, "EITR(30) = 0x00000003") == 1);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V29_EITR_RESERVED) == 2);
	/* V30: vectors above 15 are not modelled. */
	W(&e, IVAR(1), (VALID | 20) << 16);
	CHECK(ixgbe_model_count_matching(e.m, "maps RX queue 3 to vector 20") == 1);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V30_IVAR_VECTOR_RANGE) == 1);
	/* Enabling vector 4, which only the invalid entry names, was V27 too. */
	CHECK(ixgbe_model_count_matching(e.m, "EIMS enables MSI-X vector 4, but no valid IVAR") == 1);
	CHECK(ixgbe_model_rule_count(e.m, IXGBE_V27_IRQ_VECTOR_UNMAPPED) == 2);
	CHECK(ixgbe_model_violations(e.m) == 6);
	env_close(&e);
	printf("ok: rules V27-V30 caught, each once\n");
}

int main(void)
{
	test_burst_and_mask();
	test_throttle();
	test_msi_mode();
	test_rules();
	return 0;
}
