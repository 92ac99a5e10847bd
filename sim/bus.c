/* The IOMMU-like DMA bus (see bus.h). Regions are never unmapped (a region freed by the library
 * stays in the table). */
#include "bus.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct bus_slot {
	void *virt;
	_Atomic size_t len; /* published last */
};

struct ixgbe_bus {
	pthread_mutex_t lock;
	unsigned used;
	struct bus_slot *slots;
	struct sim_clock clock;
};

struct ixgbe_bus *ixgbe_bus_new(void)
{
	struct ixgbe_bus *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->slots = calloc(IXGBE_BUS_SLOTS, sizeof(*b->slots));
	if (!b->slots) {
		free(b);
		return NULL;
	}
	pthread_mutex_init(&b->lock, NULL);
	sim_clock_init(&b->clock);
	return b;
}

void ixgbe_bus_free(struct ixgbe_bus *b)
{
	if (!b)
		return;
	pthread_mutex_destroy(&b->lock);
	free(b->slots);
	free(b);
}

uint64_t ixgbe_bus_map(struct ixgbe_bus *b, void *virt, size_t len)
{
	if (!len || !virt)
		return 0;
	uint64_t nslots = (len + IXGBE_BUS_SLOT - 1) / IXGBE_BUS_SLOT;
	uint64_t bus = 0;
	pthread_mutex_lock(&b->lock);
	if (b->used + nslots <= IXGBE_BUS_SLOTS) {
		unsigned k = b->used;
		b->used += (unsigned)nslots;
		/* A region larger than a slot occupies several; only the first holds it. */
		b->slots[k].virt = virt;
		atomic_store_explicit(&b->slots[k].len, len, memory_order_release);
		bus = IXGBE_BUS_BASE + k * IXGBE_BUS_SLOT;
	}
	pthread_mutex_unlock(&b->lock);
	return bus;
}

void *ixgbe_bus_translate(struct ixgbe_bus *b, uint64_t addr, size_t len)
{
	if (addr < IXGBE_BUS_BASE)
		return NULL;
	uint64_t rel = addr - IXGBE_BUS_BASE;
	uint64_t k = rel / IXGBE_BUS_SLOT;
	/* Walk back to the first slot of a multi-slot region. */
	for (uint64_t i = 0; i <= k && i < 1024; i++) {
		uint64_t s = k - i;
		if (s >= IXGBE_BUS_SLOTS)
			return NULL;
		size_t rlen = atomic_load_explicit(&b->slots[s].len, memory_order_acquire);
		if (!rlen)
			continue;
		uint64_t off = rel - s * IXGBE_BUS_SLOT;
		if (off >= rlen || len > rlen - off)
			return NULL;
		return (uint8_t *)b->slots[s].virt + off;
	}
	return NULL;
}

struct sim_clock *ixgbe_bus_clock(struct ixgbe_bus *b)
{
	return &b->clock;
}
