/* Hostile mode of the virtual 82599 (ixgbe_hostile.h). */
#include "ixgbe_hostile.h"

#include <string.h>

#include "ixgbe_port.h"

#define RX_DD 1u
#define RX_EOP 2u
#define RX_ERRORS 0xFFF00000u /* extended errors (DS 7.1.6.2) */
#define TX_RS (1u << 27)

static uint64_t next_random(struct ixgbe_hostile *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return h->rng;
}

static uint32_t below(struct ixgbe_hostile *h, uint32_t n)
{
	return (uint32_t)(next_random(h) % n);
}

/* One of the enabled kinds within `mask`, or 0 if none is enabled. */
static uint32_t pick(struct ixgbe_hostile *h, uint32_t mask)
{
	uint32_t kinds = h->kinds & mask;
	if (!kinds)
		return 0;
	uint32_t nth = below(h, (uint32_t)__builtin_popcount(kinds));
	while (nth--)
		kinds &= kinds - 1;
	return kinds & -kinds;
}

void ixgbe_model_set_hostile(struct ixgbe_model *m, uint32_t kinds, uint32_t percent, uint64_t seed)
{
	pthread_mutex_lock(&m->lock);
	memset(&m->hostile, 0, sizeof(m->hostile));
	m->hostile.kinds = kinds & IXGBE_HOSTILE_ALL;
	m->hostile.percent = percent > 100 ? 100 : percent;
	m->hostile.rng = seed ? seed : 0x9E3779B97F4A7C15ull; /* xorshift needs a non-zero state */
	pthread_mutex_unlock(&m->lock);
}

uint64_t ixgbe_model_hostile_count(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	uint64_t n = m->hostile.done;
	pthread_mutex_unlock(&m->lock);
	return n;
}

static uint32_t wb_status(const uint8_t *desc)
{
	uint32_t v;
	memcpy(&v, desc + 8, 4);
	return v;
}

/* Status and length in one store, as ixgbe_rx.c writes them (VLAN 0). */
static void wb_set(uint8_t *desc, uint32_t status, uint16_t len)
{
	__atomic_store_n((uint64_t *)(void *)(desc + 8), (uint64_t)len << 32 | status, __ATOMIC_RELEASE);
}

/* Writes a saved or copied write-back's status and length (8 bytes at `from`) into `desc`, as one
 * store. */
static void wb_copy(uint8_t *desc, const uint8_t *from)
{
	uint64_t upper;
	memcpy(&upper, from, 8);
	__atomic_store_n((uint64_t *)(void *)(desc + 8), upper, __ATOMIC_RELEASE);
}

void ixgbe_hostile_rx(struct ixgbe_hostile *h, struct queue *q, uint32_t qn, uint32_t idx)
{
	if (!h->kinds)
		return;
	uint32_t n = q->size;
	uint8_t *desc = q->ring + 16 * idx;
	uint16_t len;
	memcpy(&len, desc + 12, 2);
	if (h->chain_left) {
		h->chain_left--;
		wb_set(desc, wb_status(desc) & ~RX_EOP, len);
		h->done++;
		return;
	}
	if (below(h, 100) >= h->percent) {
		if (!h->saved || below(h, 4) == 0) { /* keep a write-back to replay later */
			h->saved = true;
			h->saved_queue = qn;
			h->saved_idx = idx;
			memcpy(h->saved_wb, desc + 8, 8);
		}
		return;
	}
	h->done++;
	switch (pick(h, IXGBE_HOSTILE_RX_LENGTH | IXGBE_HOSTILE_RX_ERRORS | IXGBE_HOSTILE_RX_UNPOSTED |
	                    IXGBE_HOSTILE_RX_REPLAY | IXGBE_HOSTILE_RX_DUPLICATE | IXGBE_HOSTILE_RX_CHAIN |
	                    IXGBE_HOSTILE_RX_SKIP)) {
	case IXGBE_HOSTILE_RX_LENGTH: {
		static const uint16_t chosen[] = {0, 1, 13, 2049, 3000, 65535};
		uint32_t c = below(h, 7);
		wb_set(desc, wb_status(desc), c < 6 ? chosen[c] : (uint16_t)next_random(h));
		break;
	}
	case IXGBE_HOSTILE_RX_ERRORS:
		wb_set(desc, wb_status(desc) | (((uint32_t)next_random(h) | 1u << 29) & RX_ERRORS), len);
		break;
	case IXGBE_HOSTILE_RX_UNPOSTED: {
		/* Not owned once this write-back is done: tail .. idx (the head moves to idx+1). */
		uint32_t unowned = (idx + n - q->tail) % n;
		if (unowned)
			wb_set(q->ring + 16 * ((q->tail + below(h, unowned)) % n), RX_DD | RX_EOP,
			       (uint16_t)(60 + below(h, 1455)));
		break;
	}
	case IXGBE_HOSTILE_RX_REPLAY:
		if (h->saved && h->saved_queue == qn)
			wb_copy(q->ring + 16 * h->saved_idx, h->saved_wb);
		break;
	case IXGBE_HOSTILE_RX_DUPLICATE:
		wb_copy(q->ring + 16 * ((idx + 1) % n), desc + 8);
		break;
	case IXGBE_HOSTILE_RX_CHAIN:
		wb_set(desc, wb_status(desc) & ~RX_EOP, len);
		h->chain_left = below(h, 2 * n) + 1;
		break;
	case IXGBE_HOSTILE_RX_SKIP:
		wb_set(desc, 0, 0);
		break;
	default:
		h->done--;
		break;
	}
}

bool ixgbe_hostile_tx(struct ixgbe_hostile *h, struct queue *q, uint32_t idx)
{
	if (!h->kinds || below(h, 100) >= h->percent)
		return true;
	uint32_t n = q->size;
	h->done++;
	switch (pick(h, IXGBE_HOSTILE_TX_EARLY | IXGBE_HOSTILE_TX_MISSING | IXGBE_HOSTILE_TX_STRAY)) {
	case IXGBE_HOSTILE_TX_EARLY:
		/* The first RS descriptor after idx still waiting to be sent. */
		for (uint32_t i = (idx + 1) % n; i != q->tail; i = (i + 1) % n) {
			uint32_t cmd;
			memcpy(&cmd, q->ring + 16 * i + 8, 4);
			if (cmd & TX_RS) {
				__atomic_fetch_or(q->ring + 16 * i + 12, (uint8_t)1, __ATOMIC_RELEASE);
				break;
			}
		}
		return true;
	case IXGBE_HOSTILE_TX_MISSING:
		return false;
	case IXGBE_HOSTILE_TX_STRAY: {
		uint32_t outside = (q->head + n - q->tail) % n; /* tail .. head-1 */
		if (outside)
			__atomic_fetch_or(q->ring + 16 * ((q->tail + below(h, outside)) % n) + 12, (uint8_t)1,
			                  __ATOMIC_RELEASE);
		return true;
	}
	default:
		h->done--;
		return true;
	}
}
