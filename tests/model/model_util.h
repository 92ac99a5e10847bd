/* Helpers for model-level tests: drive the virtual 82599 directly through the seam callbacks
 * with hand-written register sequences (no driver involved). */
#ifndef MODEL_UTIL_H
#define MODEL_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ixgbe_model.h"

#define CHECK(c)                                                                                             \
	do {                                                                                                 \
		if (!(c)) {                                                                                  \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);                \
			exit(1);                                                                             \
		}                                                                                            \
	} while (0)

/* Register offsets used by the tests (DS 8.2.3). */
#define CTRL 0x00000
#define STATUS 0x00008
#define ESDP 0x00020
#define GCR_EXT 0x11050
#define EEC 0x10010
#define RDRXCTL 0x02F00
#define RXCTRL 0x03000
#define HLREG0 0x04240
#define FCTRL 0x05080
#define SECRXCTRL 0x08D00
#define SECRXSTAT 0x08D04
#define DMATXCTL 0x04A80
#define RTTDCS 0x04900
#define ARBDIS (1u << 6)
#define AUTOC 0x042A0
#define LINKS 0x042A4
#define RAL0 0x0A200
#define RAH0 0x0A204
#define RAL0_ALIAS 0x05400
#define RAH0_ALIAS 0x05404
#define RDBAL(n) (0x01000 + 0x40 * (n))
#define RDBAH(n) (0x01004 + 0x40 * (n))
#define RDLEN(n) (0x01008 + 0x40 * (n))
#define DCA_RXCTRL(n) (0x0100C + 0x40 * (n))
#define RDH(n) (0x01010 + 0x40 * (n))
#define SRRCTL(n) (0x01014 + 0x40 * (n))
#define RDT(n) (0x01018 + 0x40 * (n))
#define RXDCTL(n) (0x01028 + 0x40 * (n))
#define SRRCTL_ALIAS(n) (0x02100 + 4 * (n))
#define TDBAL(n) (0x06000 + 0x40 * (n))
#define TDBAH(n) (0x06004 + 0x40 * (n))
#define TDLEN(n) (0x06008 + 0x40 * (n))
#define TDH(n) (0x06010 + 0x40 * (n))
#define TDT(n) (0x06018 + 0x40 * (n))
#define TXDCTL(n) (0x06028 + 0x40 * (n))
#define GPRC 0x04074
#define GPTC 0x04080
#define GORCL 0x04088
#define GORCH 0x0408C
#define GOTCL 0x04090
#define GOTCH 0x04094
#define TPR 0x040D0
#define TPT 0x040D4
#define BPRC 0x04078
#define QPRC0 0x01030
#define QBRCL0 0x01034
#define QPRDC0 0x01430
#define MPC0 0x03FA0

#define ENABLE (1u << 25)
#define NDESC 64u
#define REGION (2u << 20)
#define RX_RING_OFF 0
#define TX_RING_OFF 4096
#define RX_BUF_OFF (64u << 10)
#define TX_BUF_OFF (512u << 10)
#define BUF 2048u

struct env {
	struct ixgbe_bus *bus;
	struct ixgbe_model *m;
	struct ixy_hw_ops ops;
	uint8_t *mem;  /* one 2 MiB DMA region */
	uint64_t busa; /* its bus address */
	uint32_t tdt;  /* next Tx descriptor */
	uint32_t rx_next;
};

static inline uint32_t R(struct env *e, uint32_t reg)
{
	return e->ops.read32(e->ops.ctx, reg);
}

static inline void W(struct env *e, uint32_t reg, uint32_t v)
{
	e->ops.write32(e->ops.ctx, reg, v);
}

/* Polls until (reg & mask) == want; fails the test after 1000 reads. */
static inline void wait_reg(struct env *e, uint32_t reg, uint32_t mask, uint32_t want)
{
	for (int i = 0; i < 1000; i++)
		if ((R(e, reg) & mask) == want)
			return;
	fprintf(stderr, "register 0x%05x never reached 0x%x under mask 0x%x\n", reg, want, mask);
	exit(1);
}

/* Opens a port with the given configuration (see env_open for the usual defaults). */
static inline void env_open_cfg(struct env *e, const struct ixgbe_model_config *cfg)
{
	memset(e, 0, sizeof(*e));
	e->bus = ixgbe_bus_new();
	CHECK(e->bus);
	e->m = ixgbe_model_new(e->bus, cfg);
	CHECK(e->m);
	ixgbe_model_hw_ops(e->m, &e->ops, "sim:test");
	CHECK(e->ops.vendor_id == 0x8086 && e->ops.device_id == 0x10FB);
	e->mem = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(e->mem != MAP_FAILED);
	e->busa = e->ops.dma_map(e->ops.ctx, e->mem, REGION);
	CHECK(e->busa >= (1ull << 48));
	CHECK(e->busa != (uint64_t)(uintptr_t)e->mem);
}

static inline void env_open(struct env *e, unsigned port, bool quiet)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, port);
	cfg.quiet = quiet;
	cfg.fixed_pcap_time = true;
	env_open_cfg(e, &cfg);
}

static inline void env_close(struct env *e)
{
	ixgbe_model_free(e->m);
	ixgbe_bus_free(e->bus);
	munmap(e->mem, REGION);
}

/* DS 4.6.3: disable interrupts, global reset, wait for EEPROM and DMA init. */
static inline void hw_reset(struct env *e)
{
	W(e, 0x00888, 0x7FFFFFFF); /* EIMC */
	W(e, CTRL, (1u << 26) | (1u << 3));
	wait_reg(e, CTRL, (1u << 26) | (1u << 3), 0);
	W(e, 0x00888, 0x7FFFFFFF);
	wait_reg(e, EEC, 1u << 9, 1u << 9);
	wait_reg(e, RDRXCTL, 1u << 3, 1u << 3);
}

/* DS 4.6.7 global part up to (not including) RXEN. */
static inline void rx_global(struct env *e)
{
	W(e, RXCTRL, 0);
	uint32_t v = R(e, RDRXCTL);
	v &= ~(0x1Fu << 17);               /* RSCFRSTSIZE := 0 (E5) */
	v |= (1u << 25) | (1u << 26) | 2u; /* RSCACKC, FCOE_WRFIX, CRCSTRIP (E5, E6) */
	W(e, RDRXCTL, v);
	W(e, FCTRL, R(e, FCTRL) | (1u << 10)); /* BAM */
}

/* Per-queue Rx ring programming (queue 0), buffers posted but tail not written. */
static inline void rx_ring(struct env *e)
{
	W(e, RDBAL(0), (uint32_t)(e->busa + RX_RING_OFF));
	W(e, RDBAH(0), (uint32_t)((e->busa + RX_RING_OFF) >> 32));
	W(e, RDLEN(0), NDESC * 16);
	W(e, SRRCTL(0), (1u << 25) | 2u | (1u << 28)); /* advanced one-buffer, 2 KB, DROP_EN */
	W(e, RDH(0), 0);
	W(e, RDT(0), 0);
	for (uint32_t i = 0; i < NDESC; i++) {
		uint64_t a = e->busa + RX_BUF_OFF + i * BUF, z = 0;
		memcpy(e->mem + RX_RING_OFF + 16 * i, &a, 8);
		memcpy(e->mem + RX_RING_OFF + 16 * i + 8, &z, 8);
	}
	W(e, DCA_RXCTRL(0), R(e, DCA_RXCTRL(0)) & ~(1u << 12)); /* E2 */
}

static inline void rx_enable_queue(struct env *e)
{
	W(e, RXDCTL(0), R(e, RXDCTL(0)) | ENABLE);
	wait_reg(e, RXDCTL(0), ENABLE, ENABLE);
	W(e, RDT(0), NDESC - 1);
}

/* RXEN with the SECRXCTRL handshake (E1). */
static inline void rx_on(struct env *e)
{
	W(e, SECRXCTRL, R(e, SECRXCTRL) | 2u);
	wait_reg(e, SECRXSTAT, 1, 1);
	W(e, RXCTRL, R(e, RXCTRL) | 1u);
	W(e, SECRXCTRL, R(e, SECRXCTRL) & ~2u);
}

/* DS 4.6.8 for queue 0. */
static inline void tx_setup(struct env *e)
{
	W(e, DMATXCTL, R(e, DMATXCTL) | 1u);
	W(e, TDBAL(0), (uint32_t)(e->busa + TX_RING_OFF));
	W(e, TDBAH(0), (uint32_t)((e->busa + TX_RING_OFF) >> 32));
	W(e, TDLEN(0), NDESC * 16);
	W(e, TDH(0), 0);
	W(e, TDT(0), 0);
	W(e, TXDCTL(0), ENABLE);
	wait_reg(e, TXDCTL(0), ENABLE, ENABLE);
}

static inline void bring_up(struct env *e)
{
	hw_reset(e);
	rx_global(e);
	rx_ring(e);
	rx_enable_queue(e);
	rx_on(e);
	tx_setup(e);
}

/* Queues one frame in one advanced data descriptor (RS, IFCS, EOP) and bumps TDT. */
static inline void tx_send(struct env *e, const void *frame, uint32_t len)
{
	uint32_t i = e->tdt;
	memcpy(e->mem + TX_BUF_OFF + i * BUF, frame, len);
	uint64_t a = e->busa + TX_BUF_OFF + i * BUF;
	uint32_t cmd = len | (3u << 20) | (1u << 24) | (1u << 25) | (1u << 27) | (1u << 29);
	uint32_t olinfo = len << 14;
	memcpy(e->mem + TX_RING_OFF + 16 * i, &a, 8);
	memcpy(e->mem + TX_RING_OFF + 16 * i + 8, &cmd, 4);
	memcpy(e->mem + TX_RING_OFF + 16 * i + 12, &olinfo, 4);
	e->tdt = (i + 1) % NDESC;
	W(e, TDT(0), e->tdt);
}

/* Status dword / length of Rx descriptor i (advanced write-back format). */
static inline uint32_t rx_status(struct env *e, uint32_t i)
{
	return __atomic_load_n((uint32_t *)(void *)(e->mem + RX_RING_OFF + 16 * i + 8), __ATOMIC_ACQUIRE);
}

static inline uint16_t rx_len(struct env *e, uint32_t i)
{
	uint16_t l;
	memcpy(&l, e->mem + RX_RING_OFF + 16 * i + 12, 2);
	return l;
}

static inline uint8_t *rx_buf(struct env *e, uint32_t i)
{
	return e->mem + RX_BUF_OFF + i * BUF;
}

static inline void make_frame(uint8_t *f, uint32_t len, const uint8_t dst[6], uint32_t seq)
{
	static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x42};
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xB5;
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
}

static const uint8_t BCAST[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

static inline void expect_clean(struct env *e)
{
	unsigned v = ixgbe_model_violations(e->m);
	char msg[400];
	for (unsigned i = 0; i < v && ixgbe_model_violation(e->m, i, msg, sizeof(msg)); i++)
		fprintf(stderr, "unexpected violation: %s\n", msg);
	CHECK(v == 0);
}
#endif
