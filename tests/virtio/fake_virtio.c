/* The fake virtio-net device: see fake_virtio.h. Section numbers are the virtio 1.1 spec's. */
#include "fake_virtio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAR 4
#define COMMON_OFF 0x0000
#define NOTIFY_OFF 0x1000
#define NOTIFY_MULT 4
#define ISR_OFF 0x2000
#define DEVICE_OFF 0x3000
#define NUM_QUEUES 3
#define MAX_REGIONS 64
#define MAX_DEBT 4096

#define F_MAC (1ull << 5)
#define F_STATUS (1ull << 16)
#define F_CTRL_VQ (1ull << 17)
#define F_CTRL_RX (1ull << 18)
#define F_CTRL_MAC (1ull << 23)
#define F_VERSION_1 (1ull << 32)
#define F_ACCESS_PLATFORM (1ull << 33)
#define F_RING_PACKED (1ull << 34)
#define F_ANY_LAYOUT (1ull << 27)
#define LEGACY_ALIGN 4096

#define D_NEXT 1u
#define D_WRITE 2u
#define P_AVAIL (1u << 7)
#define P_USED (1u << 15)

struct split_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct packed_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t id, flags;
};

/* A buffer the device used but answered with a corrupt id: it still owes its real return. */
struct debt {
	uint32_t id, len;
};

struct fq {
	uint16_t max, size, enabled;
	uint64_t desc, driver, device;
	uint16_t last_avail, used_idx; /* split */
	uint16_t avail_pos, used_pos;  /* packed */
	bool avail_wrap, used_wrap;    /* packed wrap counters (2.7.1) */
	uint32_t prev_id;              /* id of the last used entry */
	bool idx_bad;                  /* split: the used idx written last is a corrupt one */
	uint32_t held;                 /* buffers taken from avail, not yet returned */
	struct debt debts[MAX_DEBT];
	uint32_t ndebts;
};

struct fake_virtio {
	bool legacy;      /* legacy interface in I/O BAR 0 (4.1.4.8) instead of capabilities */
	uint32_t hdr_len; /* virtio-net header: 12 with VERSION_1, 10 legacy (5.1.6) */
	uint8_t cfg[256];
	uint64_t offered, driver_features;
	uint32_t dfsel, gfsel;
	uint8_t status;
	uint16_t qsel;
	struct fq q[NUM_QUEUES];
	uint8_t mac[6];
	bool promisc;
	struct fake_virtio *bus; /* who keeps the DMA mappings: itself, or a device on the same bus */
	struct {
		uint8_t *p;
		size_t len;
		uint64_t bus;
	} regions[MAX_REGIONS];
	int nregions;
	uint64_t next_bus; /* where the next mapping goes in bus address space (an IOMMU's IOVAs) */
	enum fake_corruption corrupt;
	enum fake_break broken;
	uint32_t violations;
	uint32_t rnd;
};

static void violation(struct fake_virtio *f, const char *what)
{
	if (f->violations++ < 5)
		fprintf(stderr, "fake_virtio: driver error: %s\n", what);
}

static uint32_t rnd(struct fake_virtio *f)
{
	f->rnd ^= f->rnd << 13;
	f->rnd ^= f->rnd >> 17;
	f->rnd ^= f->rnd << 5;
	return f->rnd;
}

/* DMA: only inside regions the library mapped (an IOMMU's view). */
static void *dma(struct fake_virtio *f, uint64_t bus, uint64_t len)
{
	const struct fake_virtio *m = f->bus;
	for (int i = 0; i < m->nregions; i++) {
		uint64_t start = m->regions[i].bus;
		if (bus >= start && bus + len <= start + m->regions[i].len && bus + len >= bus)
			return m->regions[i].p + (bus - start);
	}
	violation(f, "DMA outside the mapped regions");
	return NULL;
}

static uint64_t fv_dma_map(void *ctx, void *virt, size_t len)
{
	struct fake_virtio *f = ((struct fake_virtio *)ctx)->bus;
	if (f->nregions == MAX_REGIONS)
		return 0;
	/* Low bus addresses, 2 MiB apart: the legacy queue register takes a 32-bit page number. */
	uint64_t bus = f->next_bus;
	f->next_bus += (len + (2u << 20) - 1) / (2u << 20) * (2u << 20);
	f->regions[f->nregions].p = virt;
	f->regions[f->nregions].bus = bus;
	f->regions[f->nregions++].len = len;
	return bus;
}

static int fv_config_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	struct fake_virtio *f = ctx;
	if (off + len > sizeof(f->cfg))
		return -1;
	memcpy(buf, f->cfg + off, len);
	return 0;
}

static void reset(struct fake_virtio *f)
{
	f->status = 0;
	f->driver_features = 0;
	for (int i = 0; i < NUM_QUEUES; i++) {
		uint16_t max = f->q[i].max;
		memset(&f->q[i], 0, sizeof(f->q[i]));
		f->q[i].max = max;
		f->q[i].size = max;
		f->q[i].avail_wrap = f->q[i].used_wrap = true;
	}
}

static bool packed(const struct fake_virtio *f)
{
	return f->driver_features & F_RING_PACKED;
}

/* ---- the device side of the rings ---- */

/* Takes the next available buffer: its head id, address and length (one descriptor, or a chain
 * of `*n` for the control queue). */
static bool take_avail(struct fake_virtio *f, struct fq *q, uint32_t *id, uint64_t *addr, uint32_t *len,
                       int *n)
{
	*n = 1;
	if (!q->enabled)
		return false;
	if (!packed(f)) {
		uint16_t *avail = dma(f, q->driver, 4 + 2u * q->size);
		struct split_desc *desc = dma(f, q->desc, 16u * q->size);
		if (!avail || !desc)
			return false;
		uint16_t idx = __atomic_load_n(&avail[1], __ATOMIC_ACQUIRE);
		if (idx == q->last_avail)
			return false;
		uint16_t head = avail[2 + q->last_avail % q->size];
		q->last_avail++;
		if (head >= q->size) {
			violation(f, "avail ring names a descriptor beyond the table");
			return false;
		}
		*id = head;
		*addr = desc[head].addr;
		*len = desc[head].len;
		for (uint16_t d = head; desc[d].flags & D_NEXT && *n < 8; d = desc[d].next % q->size)
			(*n)++;
		q->held++;
		return true;
	}
	struct packed_desc *ring = dma(f, q->desc, 16u * q->size);
	if (!ring)
		return false;
	struct packed_desc *d = &ring[q->avail_pos];
	uint16_t flags = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
	if (!!(flags & P_AVAIL) != q->avail_wrap || !!(flags & P_USED) == q->avail_wrap)
		return false;
	*addr = d->addr;
	*len = d->len;
	while (ring[(q->avail_pos + *n - 1) % q->size].flags & D_NEXT && *n < 8)
		(*n)++;
	*id = ring[(q->avail_pos + *n - 1) % q->size].id; /* the id is in the last (2.7.6) */
	q->avail_pos = (uint16_t)(q->avail_pos + *n);
	if (q->avail_pos >= q->size) {
		q->avail_pos = (uint16_t)(q->avail_pos - q->size);
		q->avail_wrap = !q->avail_wrap;
	}
	q->held++;
	return true;
}

/* Writes one used entry (with this round's corruption, if any). */
static void put_used_raw(struct fake_virtio *f, struct fq *q, uint32_t id, uint32_t len, int n,
                         enum fake_corruption c)
{
	if (!packed(f)) {
		struct {
			uint16_t flags, idx;
			struct {
				uint32_t id, len;
			} ring[];
		} *used = dma(f, q->device, 4 + 8u * q->size);
		if (!used)
			return;
		used->ring[q->used_idx % q->size].id = id;
		used->ring[q->used_idx % q->size].len = len;
		q->used_idx++;
		uint16_t idx =
		    c == FAKE_IDX_JUMP ? (uint16_t)(q->used_idx + q->size + 1 + rnd(f) % 1000) : q->used_idx;
		q->idx_bad = c == FAKE_IDX_JUMP;
		__atomic_store_n(&used->idx, idx, __ATOMIC_RELEASE);
		return;
	}
	struct packed_desc *ring = dma(f, q->desc, 16u * q->size);
	if (!ring)
		return;
	struct packed_desc *d = &ring[q->used_pos];
	d->id = (uint16_t)id;
	d->len = len;
	__atomic_store_n(&d->flags, (uint16_t)(q->used_wrap ? P_AVAIL | P_USED : 0), __ATOMIC_RELEASE);
	q->used_pos = (uint16_t)(q->used_pos + n);
	if (q->used_pos >= q->size) {
		q->used_pos = (uint16_t)(q->used_pos - q->size);
		q->used_wrap = !q->used_wrap;
	}
	if (c == FAKE_FLAGS_AHEAD) {
		/* "Used" flags and a plausible id on the first slot not made available. */
		struct packed_desc *ahead = &ring[q->avail_pos];
		uint16_t fl = __atomic_load_n(&ahead->flags, __ATOMIC_ACQUIRE);
		if (!(!!(fl & P_AVAIL) == q->avail_wrap && !!(fl & P_USED) != q->avail_wrap)) {
			ahead->id = 0;
			ahead->len = 64;
			__atomic_store_n(&ahead->flags, (uint16_t)(q->used_wrap ? P_AVAIL | P_USED : 0),
			                 __ATOMIC_RELEASE);
		}
	}
}

/* Returns a buffer; a corrupt id leaves the real return owed (paid at the next operation). */
static void put_used(struct fake_virtio *f, struct fq *q, uint32_t id, uint32_t len, int n, bool rx)
{
	enum fake_corruption c = f->corrupt;
	f->corrupt = FAKE_OK;
	uint32_t uid = id, ulen = len;
	switch (c) {
	case FAKE_ID_RANGE:
		uid = q->size + rnd(f) % 60000;
		break;
	case FAKE_ID_REPLAY:
		uid = q->prev_id;
		break;
	case FAKE_LEN_ZERO:
		ulen = rx ? 0 : ulen;
		break;
	case FAKE_LEN_SHORT:
		ulen = rx ? rnd(f) % (f->hdr_len + 14) : ulen;
		break;
	case FAKE_LEN_LONG:
		ulen = rx ? f->hdr_len + 2048 + 1 + rnd(f) % 70000 : ulen;
		break;
	case FAKE_LEN_MAX:
		ulen = rx ? UINT32_MAX : ulen;
		break;
	default:
		break;
	}
	if ((c == FAKE_ID_RANGE || c == FAKE_ID_REPLAY) && q->ndebts < MAX_DEBT)
		q->debts[q->ndebts++] = (struct debt){id, len};
	else
		q->held--;
	q->prev_id = uid;
	put_used_raw(f, q, uid, ulen, n, c);
}

/* Puts right what the last call left wrong: a corrupt used index is rewritten; and pays what the
 * device owes: split, a used entry each; packed, each needs a slot, so the next
 * available buffer is taken (and owed) in its place. */
static void pay_debts(struct fake_virtio *f, struct fq *q)
{
	if (q->idx_bad) { /* behaving again: the true index */
		uint16_t *used = dma(f, q->device, 4);
		if (used)
			__atomic_store_n(&used[1], q->used_idx, __ATOMIC_RELEASE);
		q->idx_bad = false;
	}
	if (packed(f)) {
		for (uint32_t i = 0; i < q->ndebts; i++) {
			struct debt d = q->debts[i];
			uint32_t id, len;
			uint64_t addr;
			int n;
			if (!take_avail(f, q, &id, &addr, &len, &n))
				return;
			q->held--;
			/* The taken buffer is owed in its place, as a minimal zeroed frame. */
			uint8_t *p = len >= f->hdr_len + 60 ? dma(f, addr, f->hdr_len + 60) : NULL;
			if (p)
				memset(p, 0, f->hdr_len + 60);
			q->debts[i] = (struct debt){id, f->hdr_len + 60};
			put_used_raw(f, q, d.id, d.len, 1, FAKE_OK);
			q->prev_id = d.id;
		}
		return;
	}
	while (q->ndebts) {
		struct debt d = q->debts[--q->ndebts];
		q->held--;
		put_used_raw(f, q, d.id, d.len, 1, FAKE_OK);
		q->prev_id = d.id;
	}
}

bool fake_virtio_rx(struct fake_virtio *f, const uint8_t *frame, uint32_t len)
{
	struct fq *q = &f->q[0];
	pay_debts(f, q);
	uint32_t id, cap;
	uint64_t addr;
	int n;
	if (!take_avail(f, q, &id, &addr, &cap, &n)) {
		f->corrupt = FAKE_OK;
		return false;
	}
	uint8_t *p = cap >= f->hdr_len + len ? dma(f, addr, f->hdr_len + len) : NULL;
	if (!p) {
		violation(f, "RX buffer too small or outside DMA memory");
		put_used(f, q, id, 0, n, true);
		return false;
	}
	memset(p, 0, f->hdr_len);
	memcpy(p + f->hdr_len, frame, len);
	put_used(f, q, id, f->hdr_len + len, n, true);
	f->corrupt = FAKE_OK;
	return true;
}

uint32_t fake_virtio_tx(struct fake_virtio *f, uint64_t *bytes)
{
	struct fq *q = &f->q[1];
	pay_debts(f, q);
	uint32_t id, len, done = 0;
	uint64_t addr;
	int n;
	while (take_avail(f, q, &id, &addr, &len, &n)) {
		if (len < f->hdr_len + 14 || !dma(f, addr, len))
			violation(f, "TX buffer too short or outside DMA memory");
		else
			*bytes += len - f->hdr_len;
		put_used(f, q, id, 0, n, false);
		done++;
	}
	f->corrupt = FAKE_OK; /* a corruption applies within one call */
	return done;
}

/* The control queue, answered at once when notified (5.1.6.5): class, command, data, ack. */
static void ctrl_process(struct fake_virtio *f)
{
	struct fq *q = &f->q[2];
	uint32_t id, len;
	uint64_t addr;
	int n;
	while (take_avail(f, q, &id, &addr, &len, &n)) {
		uint8_t *hdr = dma(f, addr, 2);
		/* The driver's layout: header, data at +16, ack at +63 of one scratch block. */
		uint8_t *blk = dma(f, addr, 64);
		uint8_t ack = 1;
		if (hdr && blk && n == 3) {
			if (hdr[0] == 0 && hdr[1] == 0) { /* RX class, PROMISC */
				f->promisc = blk[16];
				ack = 0;
			} else if (hdr[0] == 1 && hdr[1] == 1) { /* MAC class, ADDR_SET */
				memcpy(f->mac, blk + 16, 6);
				ack = 0;
			}
			blk[63] = ack;
		} else {
			violation(f, "malformed control command");
		}
		enum fake_corruption c = f->corrupt;
		f->corrupt = FAKE_OK;
		q->held--;
		put_used_raw(f, q, id, 1, n, FAKE_OK);
		f->corrupt = c;
	}
}

/* ---- registers ---- */

/* Each field at its own width (4.1.3.1). */
static bool width_ok(struct fake_virtio *f, uint32_t off, uint8_t width)
{
	static const uint8_t widths[0x38] = {
	    [0x00] = 4, [0x04] = 4, [0x08] = 4, [0x0c] = 4, [0x10] = 2, [0x12] = 2, [0x14] = 1,
	    [0x15] = 1, [0x16] = 2, [0x18] = 2, [0x1a] = 2, [0x1c] = 2, [0x1e] = 2, [0x20] = 4,
	    [0x24] = 4, [0x28] = 4, [0x2c] = 4, [0x30] = 4, [0x34] = 4};
	if (off < 0x38 && widths[off] == width)
		return true;
	violation(f, "common configuration access of the wrong width or offset");
	return false;
}

static uint32_t common_read(struct fake_virtio *f, uint32_t off, uint8_t width)
{
	struct fq *q = &f->q[f->qsel < NUM_QUEUES ? f->qsel : 0];
	bool sel_ok = f->qsel < NUM_QUEUES;
	if (!width_ok(f, off, width))
		return 0;
	switch (off) {
	case 0x00:
		return f->dfsel;
	case 0x04:
		return f->dfsel == 0   ? (uint32_t)f->offered
		       : f->dfsel == 1 ? (uint32_t)(f->offered >> 32)
		                       : 0;
	case 0x08:
		return f->gfsel;
	case 0x0c:
		return f->gfsel == 0   ? (uint32_t)f->driver_features
		       : f->gfsel == 1 ? (uint32_t)(f->driver_features >> 32)
		                       : 0;
	case 0x10:
		return 0xffff;
	case 0x12:
		return NUM_QUEUES;
	case 0x14:
		return f->status;
	case 0x15:
		return 0;
	case 0x16:
		return f->qsel;
	case 0x18:
		return sel_ok ? q->size : 0;
	case 0x1a:
		return 0xffff;
	case 0x1c:
		return sel_ok ? q->enabled : 0;
	case 0x1e:
		return f->broken == FAKE_BREAK_NOTIFY_OFF ? 100 : f->qsel;
	case 0x20:
		return (uint32_t)q->desc;
	case 0x24:
		return (uint32_t)(q->desc >> 32);
	case 0x28:
		return (uint32_t)q->driver;
	case 0x2c:
		return (uint32_t)(q->driver >> 32);
	case 0x30:
		return (uint32_t)q->device;
	default:
		return (uint32_t)(q->device >> 32);
	}
}

static void set_half(uint64_t *v, bool hi, uint32_t value)
{
	*v = hi ? (*v & 0xffffffffull) | (uint64_t)value << 32 : (*v & ~0xffffffffull) | value;
}

static void common_write(struct fake_virtio *f, uint32_t off, uint8_t width, uint32_t value)
{
	if (!width_ok(f, off, width))
		return;
	struct fq *q = &f->q[f->qsel < NUM_QUEUES ? f->qsel : 0];
	switch (off) {
	case 0x00:
		f->dfsel = value;
		break;
	case 0x08:
		f->gfsel = value;
		break;
	case 0x0c:
		if (f->gfsel < 2)
			set_half(&f->driver_features, f->gfsel == 1, value);
		break;
	case 0x14:
		if (value == 0) {
			reset(f);
			break;
		}
		/* FEATURES_OK only for a subset of what we offer, with VERSION_1 (3.1.1, 6). */
		if ((value & 8) && !(f->status & 8) &&
		    ((f->driver_features & ~f->offered) || !(f->driver_features & F_VERSION_1) ||
		     f->broken == FAKE_BREAK_FEATURES_OK))
			value &= ~8u;
		f->status = (uint8_t)value;
		break;
	case 0x16:
		f->qsel = (uint16_t)value;
		break;
	case 0x18:
		if (value == 0 || value > q->max || (!packed(f) && (value & (value - 1))))
			violation(f, "queue_size not a power of two up to the maximum");
		else
			q->size = (uint16_t)value;
		break;
	case 0x1c:
		q->enabled = (uint16_t)value;
		break;
	case 0x20:
	case 0x24:
		set_half(&q->desc, off == 0x24, value);
		break;
	case 0x28:
	case 0x2c:
		set_half(&q->driver, off == 0x2c, value);
		break;
	case 0x30:
	case 0x34:
		set_half(&q->device, off == 0x34, value);
		break;
	default:
		violation(f, "write to a read-only common configuration field");
	}
}

/* The legacy register block (4.1.4.8): the queue's rings at QUEUE_PFN * 4096 in the legacy
 * layout (2.6.2). */
static uint32_t legacy_read(struct fake_virtio *f, uint32_t off, uint8_t width)
{
	struct fq *q = &f->q[f->qsel < NUM_QUEUES ? f->qsel : 0];
	if (off == 0x00 && width == 4)
		return (uint32_t)f->offered;
	if (off == 0x04 && width == 4)
		return (uint32_t)f->driver_features;
	if (off == 0x08 && width == 4)
		return (uint32_t)(q->desc / LEGACY_ALIGN);
	if (off == 0x0c && width == 2)
		return f->qsel < NUM_QUEUES ? q->size : 0;
	if (off == 0x0e && width == 2)
		return f->qsel;
	if (off == 0x12 && width == 1)
		return f->status;
	if (off == 0x13 && width == 1)
		return 0;
	if (off >= 0x14 && off + width <= 0x14 + 8) {
		uint8_t dev_cfg[8] = {f->mac[0], f->mac[1], f->mac[2], f->mac[3], f->mac[4], f->mac[5], 1, 0};
		uint32_t v = 0;
		memcpy(&v, dev_cfg + off - 0x14, width);
		return v;
	}
	violation(f, "legacy register read of the wrong width or offset");
	return 0;
}

static void legacy_write(struct fake_virtio *f, uint32_t off, uint8_t width, uint32_t value)
{
	struct fq *q = &f->q[f->qsel < NUM_QUEUES ? f->qsel : 0];
	if (off == 0x04 && width == 4) {
		f->driver_features = value;
	} else if (off == 0x08 && width == 4) {
		q->desc = (uint64_t)value * LEGACY_ALIGN;
		q->driver = q->desc + 16u * q->size;
		q->device = (q->driver + 6 + 2u * q->size + LEGACY_ALIGN - 1) / LEGACY_ALIGN * LEGACY_ALIGN;
		q->enabled = value != 0;
	} else if (off == 0x0e && width == 2) {
		f->qsel = (uint16_t)value;
	} else if (off == 0x10 && width == 2) {
		if (!(f->status & 4))
			violation(f, "notify before DRIVER_OK");
		if (value == 2)
			ctrl_process(f);
	} else if (off == 0x12 && width == 1) {
		if (value == 0)
			reset(f);
		else
			f->status = (uint8_t)value;
	} else if (off >= 0x14 && off < 0x14 + 6 && width == 1) {
		f->mac[off - 0x14] = (uint8_t)value; /* legacy drivers may set the MAC here */
	} else {
		violation(f, "legacy register write of the wrong width or offset");
	}
}

static uint32_t fv_bar_read(void *ctx, uint8_t bar, uint32_t off, uint8_t width)
{
	struct fake_virtio *f = ctx;
	if (f->legacy && bar == 0)
		return legacy_read(f, off, width);
	if (bar != BAR || f->legacy) {
		violation(f, "access to a BAR without virtio structures");
		return 0;
	}
	if (off < COMMON_OFF + 0x38)
		return common_read(f, off - COMMON_OFF, width);
	if (off >= ISR_OFF && off < ISR_OFF + 4)
		return 0;
	if (off >= DEVICE_OFF && off + width <= DEVICE_OFF + 8) {
		uint8_t dev_cfg[8] = {f->mac[0], f->mac[1], f->mac[2], f->mac[3], f->mac[4], f->mac[5], 1, 0};
		uint32_t v = 0;
		memcpy(&v, dev_cfg + off - DEVICE_OFF, width);
		return v;
	}
	violation(f, "read outside the virtio structures");
	return 0;
}

static void fv_bar_write(void *ctx, uint8_t bar, uint32_t off, uint8_t width, uint32_t value)
{
	struct fake_virtio *f = ctx;
	if (f->legacy && bar == 0) {
		legacy_write(f, off, width, value);
		return;
	}
	if (bar != BAR || f->legacy) {
		violation(f, "access to a BAR without virtio structures");
		return;
	}
	if (off < COMMON_OFF + 0x38) {
		common_write(f, off - COMMON_OFF, width, value);
		return;
	}
	if (off >= NOTIFY_OFF && off < NOTIFY_OFF + NUM_QUEUES * NOTIFY_MULT && width == 2) {
		if ((off - NOTIFY_OFF) / NOTIFY_MULT != value)
			violation(f, "notify of one queue at another queue's address");
		if (!(f->status & 4))
			violation(f, "notify before DRIVER_OK");
		if (value == 2)
			ctrl_process(f);
		return;
	}
	violation(f, "write outside the writable virtio structures");
}

/* ---- construction ---- */

static void put_cap(uint8_t *cfg, uint8_t pos, uint8_t next, uint8_t len, uint8_t type, uint32_t off,
                    uint32_t length)
{
	cfg[pos] = 0x09;
	cfg[pos + 1] = next;
	cfg[pos + 2] = len;
	cfg[pos + 3] = type;
	cfg[pos + 4] = BAR;
	memcpy(cfg + pos + 8, &off, 4);
	memcpy(cfg + pos + 12, &length, 4);
}

struct fake_virtio *fake_virtio_new(uint16_t qmax, enum fake_interface kind, struct fake_virtio *same_bus)
{
	struct fake_virtio *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->bus = same_bus ? same_bus->bus : f;
	f->next_bus = 1u << 30;
	f->legacy = kind == FAKE_LEGACY;
	f->hdr_len = f->legacy ? 10 : 12;
	bool packed_ring = kind == FAKE_MODERN_PACKED;
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xfa, 0xce, 0x01};
	memcpy(f->mac, mac, 6);
	f->rnd = 0x9e3779b9;
	f->offered =
	    F_MAC | F_STATUS | F_CTRL_VQ | F_CTRL_RX | F_CTRL_MAC |
	    (f->legacy ? F_ANY_LAYOUT : F_VERSION_1 | F_ACCESS_PLATFORM | (packed_ring ? F_RING_PACKED : 0));
	for (int i = 0; i < NUM_QUEUES; i++)
		f->q[i].max = qmax;
	reset(f);
	/* Config space (4.1.2, 4.1.4): ids, class, the capability list with the four structures. */
	uint8_t *c = f->cfg;
	c[0] = 0xf4, c[1] = 0x1a, c[2] = 0x41, c[3] = 0x10;
	c[0x0b] = 0x02;
	if (f->legacy) {
		c[2] = 0x00; /* 1af4:1000, transitional, without capabilities: legacy only */
		return f;
	}
	c[0x06] = 0x10; /* capability list */
	c[0x34] = 0x40;
	put_cap(c, 0x40, 0x50, 16, 1, COMMON_OFF, 0x38);
	put_cap(c, 0x50, 0x64, 20, 2, NOTIFY_OFF, NUM_QUEUES * NOTIFY_MULT);
	uint32_t mult = NOTIFY_MULT;
	memcpy(c + 0x50 + 16, &mult, 4);
	put_cap(c, 0x64, 0x74, 16, 3, ISR_OFF, 4);
	put_cap(c, 0x74, 0x00, 16, 4, DEVICE_OFF, 8);
	return f;
}

void fake_virtio_free(struct fake_virtio *f)
{
	free(f);
}

void fake_virtio_hw_ops(struct fake_virtio *f, struct ixy_hw_ops *ops, const char *name)
{
	*ops = (struct ixy_hw_ops){.ctx = f,
	                           .name = name,
	                           .vendor_id = 0x1af4,
	                           .device_id = f->legacy ? 0x1000 : 0x1041,
	                           .dma_map = fv_dma_map,
	                           .config_read = fv_config_read,
	                           .bar_read = fv_bar_read,
	                           .bar_write = fv_bar_write};
}

void fake_virtio_corrupt(struct fake_virtio *f, enum fake_corruption c)
{
	f->corrupt = c;
}

void fake_virtio_break(struct fake_virtio *f, enum fake_break b)
{
	f->broken = b;
	if (b == FAKE_BREAK_NO_VERSION_1)
		f->offered &= ~F_VERSION_1;
	else if (b == FAKE_BREAK_NO_CAPS)
		f->cfg[0x06] = 0;
	else if (b == FAKE_BREAK_CAP_LOOP)
		f->cfg[0x74 + 1] = 0x40;
}

uint8_t fake_virtio_status(const struct fake_virtio *f)
{
	return f->status;
}

uint32_t fake_virtio_violations(const struct fake_virtio *f)
{
	return f->violations;
}

uint32_t fake_virtio_rx_held(const struct fake_virtio *f)
{
	return f->q[0].held;
}
