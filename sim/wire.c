/* Wires: frame FIFO, FCS and pacing (see wire.h). */
#include "wire.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void fifo_init(struct fifo *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
}

void fifo_destroy(struct fifo *f)
{
	for (unsigned i = 0; i < f->cap; i++)
		free(f->slots[i].data);
	free(f->slots);
	pthread_mutex_destroy(&f->lock);
}

/* Caller holds f->lock. Returns false when the limit (bytes or allocation) is hit. */
bool fifo_push(struct fifo *f, const uint8_t *data, uint32_t len, bool bad_fcs)
{
	size_t limit = f->limit;
	if (f->bytes + len > limit)
		return false;
	if (f->count == f->cap) {
		unsigned ncap = f->cap ? f->cap * 2 : 256;
		struct frame *ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return false;
		for (unsigned i = 0; i < f->count; i++)
			ns[i] = f->slots[(f->head + i) % f->cap];
		free(f->slots);
		f->slots = ns;
		f->cap = ncap;
		f->head = 0;
	}
	struct frame *s = &f->slots[(f->head + f->count) % f->cap];
	if (s->cap < len) {
		uint8_t *nd = realloc(s->data, len);
		if (!nd)
			return false;
		s->data = nd;
		s->cap = len;
	}
	memcpy(s->data, data, len);
	s->len = len;
	s->bad_fcs = bad_fcs;
	f->count++;
	f->bytes += len;
	return true;
}

void fifo_pop(struct fifo *f)
{
	f->bytes -= f->slots[f->head].len;
	f->head = (f->head + 1) % f->cap;
	f->count--;
}

bool fifo_offer(struct fifo *f, const uint8_t *data, uint32_t len, bool bad_fcs)
{
	pthread_mutex_lock(&f->lock);
	bool ok = fifo_push(f, data, len, bad_fcs);
	if (!ok) {
		f->missed++;
		f->miss_irq = true;
	}
	pthread_mutex_unlock(&f->lock);
	return ok;
}

/* ---- CRC-32 (IEEE 802.3), for FCS insert/check ---- */
static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void build_crc(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t wire_fcs32(const uint8_t *p, size_t n)
{
	pthread_once(&crc_once, build_crc);
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return ~c;
}

/* ---- pacing ---- */
uint64_t wire_now_ps(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) * 1000u;
}

uint64_t wire_frame_ps(uint32_t rate_mbit, uint32_t len)
{
	uint64_t bytes = (len + 4 < 64 ? 64 : len + 4) + 8 + 12;
	return bytes * 8 * 1000000u / rate_mbit; /* 1 bit at 1 Mbit/s = 10^6 ps */
}

uint64_t wire_clock_take(struct wire_clock *c, uint64_t now_ps, uint32_t len)
{
	if (!c->rate_mbit)
		return now_ps;
	uint64_t start = c->free_ps;
	if (!start) /* first frame */
		start = now_ps;
	else if (start + WIRE_CATCH_UP_PS < now_ps)
		start = now_ps - WIRE_CATCH_UP_PS;
	c->free_ps = start + wire_frame_ps(c->rate_mbit, len);
	return start;
}
