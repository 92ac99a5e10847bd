/* Interrupt delivery of the virtual 82599 (DS 7.3): queue causes mapped through IVAR into EICR,
 * EIMS/EIMC masking, GPIE modes, EIAC auto-clear and EIAM auto-mask, EITR moderation, and the
 * message itself: an 8-byte write of 1 to the eventfd the library attached to the vector through
 * the set_irq seam (include/ixy/hw.h), as VFIO does for a real MSI-X vector. See ixgbe_model.h. */
#include "ixgbe_port.h"

#include <stdint.h>
#include <time.h>
#include <unistd.h>

static bool msix_mode(struct ixgbe_model *m)
{
	return *reg(m, R_GPIE) & GPIE_MSIX_MODE;
}

uint64_t ixgbe_irq_time_ns(struct ixgbe_model *m)
{
	if (!m->realtime)
		return m->now_ns;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ixgbe_irq_tick(struct ixgbe_model *m)
{
	if (!m->realtime)
		m->now_ns += m->cfg.step_ns;
}

void ixgbe_irq_reset(struct ixgbe_model *m)
{
	m->irq_latch = 0;
	for (unsigned v = 0; v < IRQ_VECTORS; v++)
		m->irq_next_ns[v] = 0;
}

/* The EITR register of vector v (DS 8.2.3.5.12): EITR(0..23) at 0x00820, the rest at 0x12300. */
static uint32_t eitr(struct ixgbe_model *m, unsigned v)
{
	return *reg(m, v < 24 ? R_EITR + 4 * v : R_EITR_HI + 4 * (v - 24));
}

/* Sends the messages EITR allows (DS 7.3.3): a vector with a cause event not yet signalled, its
 * EICR bit set and enabled in EIMS fires once the interval since its last message has passed.
 * MSI-X: EIAC bits auto-clear EICR, and with GPIE.EIAME the EIAM bits auto-mask EIMS. Without
 * MSI-X mode every queue cause goes out as the one MSI vector 0 (EIAC/EIAM do not apply). */
void ixgbe_irq_deliver(struct ixgbe_model *m)
{
	uint32_t ready = m->irq_latch & *reg(m, R_EICR) & *reg(m, R_EIMS) & IRQ_QUEUE_BITS;
	if (!ready)
		return;
	bool msix = msix_mode(m);
	uint64_t now = ixgbe_irq_time_ns(m);
	for (; ready; ready &= ready - 1) {
		unsigned bit = (unsigned)__builtin_ctz(ready), v = msix ? bit : 0;
		if (now < m->irq_next_ns[v])
			continue;
		/* The interval counts from this message (DS 7.3.3): bits 11:3 in 2 us units. */
		m->irq_next_ns[v] = now + ((eitr(m, v) >> 3) & 0x1FFu) * 2000u;
		m->irq_sent[v]++;
		if (msix) {
			m->irq_latch &= ~(1u << bit);
			*reg(m, R_EICR) &= ~(*reg(m, R_EIAC) & (1u << bit));
			if (*reg(m, R_GPIE) & GPIE_EIAME)
				*reg(m, R_EIMS) &= ~(*reg(m, R_EIAM) & (1u << bit));
		} else {
			m->irq_latch &= ~IRQ_QUEUE_BITS; /* one message covers every cause */
		}
		if (m->irq_fd[v] >= 0) {
			uint64_t one = 1;
			/* An eventfd only fails at a counter of 2^64-1: then the vector is pending anyway. */
			if (write(m->irq_fd[v], &one, sizeof(one)) < 0)
				m->irq_write_errors++;
		}
		if (!msix)
			break;
	}
}

/* A queue cause (DS 7.3.4): RX or TX queue n, through its IVAR byte (queue n in IVAR(n/2), byte
 * 0 RX / 1 TX of the even queue, 2 / 3 of the odd one), sets EICR bit (vector) if the byte is
 * valid; an entry without its valid bit maps the cause nowhere. */
void ixgbe_irq_cause(struct ixgbe_model *m, unsigned n, bool tx)
{
	uint32_t byte = (*reg(m, R_IVAR + 4 * (n / 2)) >> (16 * (n & 1) + (tx ? 8 : 0))) & 0xFFu;
	if (!(byte & IVAR_VALID) || (byte & IVAR_VECTOR) >= IRQ_VECTORS)
		return;
	uint32_t bit = 1u << (byte & IVAR_VECTOR);
	*reg(m, R_EICR) |= bit;
	m->irq_latch |= bit;
}

/* Is EICR bit / vector b the target of some valid IVAR entry? */
static bool vector_mapped(struct ixgbe_model *m, unsigned b)
{
	for (unsigned i = 0; i < 64; i++) {
		uint32_t v = *reg(m, R_IVAR + 4 * i);
		for (unsigned k = 0; k < 4; k++) {
			uint32_t byte = (v >> (8 * k)) & 0xFFu;
			if ((byte & IVAR_VALID) && (byte & IVAR_VECTOR) == b)
				return true;
		}
	}
	/* IVAR_MISC: byte 0 the TCP timer, byte 1 the other causes (DS 8.2.3.5.16). */
	uint32_t misc = *reg(m, R_IVAR_MISC);
	for (unsigned k = 0; k < 2; k++) {
		uint32_t byte = (misc >> (8 * k)) & 0xFFu;
		if ((byte & IVAR_VALID) && (byte & IVAR_VECTOR) == b)
			return true;
	}
	return false;
}

static void check_ivar(struct ixgbe_model *m, unsigned i, uint32_t v)
{
	for (unsigned k = 0; k < 4; k++) {
		uint32_t byte = (v >> (8 * k)) & 0xFFu;
		unsigned queue = 2 * i + k / 2;
		const char *dir = k & 1 ? "TX" : "RX";
		if (byte && !(byte & IVAR_VALID))
			rule_violation(
			    &m->log, IXGBE_V28_IVAR_NOT_VALID,
			    "IVAR(%u) byte %u = 0x%02x names vector %u for %s queue %u without the "
			    "valid bit 7: the cause is mapped nowhere (DS 7.3.4, 8.2.3.5.15)",
			    i, k, byte, byte & IVAR_VECTOR, dir, queue);
		else if ((byte & IVAR_VALID) && (byte & IVAR_VECTOR) >= IRQ_VECTORS)
			rule_violation(
			    &m->log, IXGBE_V30_IVAR_VECTOR_RANGE,
			    "IVAR(%u) maps %s queue %u to vector %u: the model has vectors 0..%u only "
			    "(EICS/EIMS/EIMC/EIAM_EX are not modelled)",
			    i, dir, queue, byte & IVAR_VECTOR, IRQ_VECTORS - 1);
	}
}

uint32_t ixgbe_irq_read_eicr(struct ixgbe_model *m, bool side)
{
	uint32_t v = *reg(m, R_EICR);
	/* A read clears EICR; with GPIE.OCD only the other causes, bits 31:16 (DS 8.2.3.5.1). */
	if (side)
		*reg(m, R_EICR) &= (*reg(m, R_GPIE) & GPIE_OCD) ? IRQ_QUEUE_BITS : 0;
	pthread_mutex_lock(&m->in.lock);
	if (m->in.miss_irq)
		v |= EICR_RX_MISS;
	if (side)
		m->in.miss_irq = false;
	pthread_mutex_unlock(&m->in.lock);
	return v;
}

bool ixgbe_irq_write(struct ixgbe_model *m, uint32_t r, uint32_t v)
{
	if (r >= R_IVAR && r < R_IVAR + 4 * 64) {
		check_ivar(m, (r - R_IVAR) / 4, v);
		*reg(m, r) = v;
		return true;
	}
	if ((r >= R_EITR && r < R_EITR + 4 * 24) || (r >= R_EITR_HI && r < R_EITR_HI + 4 * 104)) {
		unsigned n = r >= R_EITR_HI ? 24 + (r - R_EITR_HI) / 4 : (r - R_EITR) / 4;
		if (v & 7u)
			rule_violation(&m->log, IXGBE_V29_EITR_RESERVED,
			               "EITR(%u) = 0x%08x has bits 2:0 set: they are reserved (write 0); the "
			               "interval is bits 11:3 in 2 us units (DS 8.2.3.5.12)",
			               n, v);
		*reg(m, r) = v;
		return true;
	}
	switch (r) {
	case R_EICR: /* write 1 to clear */
		*reg(m, r) &= ~v;
		if (v & EICR_RX_MISS) {
			pthread_mutex_lock(&m->in.lock);
			m->in.miss_irq = false;
			pthread_mutex_unlock(&m->in.lock);
		}
		return true;
	case R_EICS: /* software sets causes: each is a new event (DS 8.2.3.5.2) */
		*reg(m, R_EICR) |= v;
		m->irq_latch |= v & IRQ_QUEUE_BITS;
		ixgbe_irq_deliver(m);
		return true;
	case R_EIMS: { /* write 1 to set, 0 has no effect (DS 8.2.3.5.3) */
		uint32_t added = v & ~*reg(m, r) & IRQ_QUEUE_BITS;
		/* In MSI-X mode an enabled vector is one the driver waits on: it must be mapped. */
		for (uint32_t bits = msix_mode(m) ? added : 0; bits; bits &= bits - 1) {
			unsigned b = (unsigned)__builtin_ctz(bits);
			if (!vector_mapped(m, b))
				rule_violation(
				    &m->log, IXGBE_V27_IRQ_VECTOR_UNMAPPED,
				    "EIMS enables MSI-X vector %u, but no valid IVAR entry maps a queue to "
				    "it: "
				    "program IVAR (vector and valid bit 7) first (DS 7.3.4, 8.2.3.5.3)",
				    b);
		}
		*reg(m, r) |= v;
		/* A cause that waited while masked is signalled once enabled. */
		m->irq_latch |= added & *reg(m, R_EICR);
		ixgbe_irq_deliver(m);
		return true;
	}
	case R_EIMC:
		*reg(m, R_EIMS) &= ~v;
		return true;
	default:
		return false;
	}
}

int ixgbe_model_set_irq(void *ctx, uint16_t vector, int eventfd)
{
	struct ixgbe_model *m = ctx;
	if (vector >= IRQ_VECTORS)
		return -1;
	pthread_mutex_lock(&m->lock);
	m->irq_fd[vector] = eventfd;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

uint64_t ixgbe_model_irqs(struct ixgbe_model *m, unsigned vector)
{
	pthread_mutex_lock(&m->lock);
	uint64_t n = vector < IRQ_VECTORS ? m->irq_sent[vector] : 0;
	pthread_mutex_unlock(&m->lock);
	return n;
}
