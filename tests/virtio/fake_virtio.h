/* A small fake virtio-net device in plain memory, behind the hardware seams (include/ixy/hw.h):
 * modern (1af4:1041: PCI config space with the virtio capabilities, the common configuration,
 * notify and device structures in BAR 4, split or packed virtqueues) or legacy (1af4:1000
 * without capabilities: registers in I/O BAR 0, split virtqueues), and DMA through a table of
 * the regions the library mapped (bus addresses from 1 GiB up, like an IOMMU's). It is driven in
 * step mode by the caller: fake_virtio_rx() delivers a frame into the next RX buffer,
 * fake_virtio_tx() completes what the driver queued. It can write corrupt used entries the way a
 * broken or hostile device would (fake_virtio_corrupt). Written from the virtio 1.1 spec. */
#ifndef FAKE_VIRTIO_H
#define FAKE_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "ixy/hw.h"

/* What the next used entry the device writes gets wrong. */
enum fake_corruption {
	FAKE_OK = 0,
	FAKE_ID_RANGE,    /* id >= queue size */
	FAKE_ID_REPLAY,   /* the id of the previous used entry (no longer the device's) */
	FAKE_LEN_ZERO,    /* RX length 0 */
	FAKE_LEN_SHORT,   /* RX length below header + 14 */
	FAKE_LEN_LONG,    /* RX length beyond the buffer */
	FAKE_LEN_MAX,     /* RX length 0xffffffff */
	FAKE_IDX_JUMP,    /* split: used idx far ahead (restored by the next good write) */
	FAKE_FLAGS_AHEAD, /* packed: used flags on a slot the driver did not make available */
	FAKE_CORRUPTIONS,
};

struct fake_virtio;

/* A device that cannot be driven: each must make ixy_open_hw() fail with a clear error. */
enum fake_break {
	FAKE_BREAK_NONE = 0,
	FAKE_BREAK_FEATURES_OK,  /* clears FEATURES_OK whatever the driver accepts */
	FAKE_BREAK_NO_VERSION_1, /* modern interface without VIRTIO_F_VERSION_1 */
	FAKE_BREAK_NO_CAPS,      /* 1af4:1041 without a capability list */
	FAKE_BREAK_CAP_LOOP,     /* a capability list that loops */
	FAKE_BREAK_NOTIFY_OFF,   /* queue_notify_off beyond the notification structure */
};

enum fake_interface {
	FAKE_MODERN,        /* modern, split virtqueues only */
	FAKE_MODERN_PACKED, /* modern, offers VIRTIO_F_RING_PACKED */
	FAKE_LEGACY,        /* transitional device without capabilities: the legacy interface */
};

/* qmax: the largest queue size the device allows (legacy: the size); kind: see above;
 * same_bus: NULL, or a device whose DMA mappings this one shares (forwarding between two). It
 * must outlive this one. */
struct fake_virtio *fake_virtio_new(uint16_t qmax, enum fake_interface kind, struct fake_virtio *same_bus);
void fake_virtio_free(struct fake_virtio *f);
/* Fills *ops (ctx = f) for ixy_open_hw(). */
void fake_virtio_hw_ops(struct fake_virtio *f, struct ixy_hw_ops *ops, const char *name);

/* Writes `len` bytes of `frame` into the next available RX buffer and returns it used.
 * Returns false if the driver has no buffer posted. */
bool fake_virtio_rx(struct fake_virtio *f, const uint8_t *frame, uint32_t len);
/* Completes every queued TX buffer; returns how many, adding their frame bytes to *bytes. */
uint32_t fake_virtio_tx(struct fake_virtio *f, uint64_t *bytes);
/* The next used entry written on either queue carries this corruption. */
void fake_virtio_corrupt(struct fake_virtio *f, enum fake_corruption c);
/* Breaks the device (before ixy_open_hw); its status register, 0 after a reset. */
void fake_virtio_break(struct fake_virtio *f, enum fake_break b);
uint8_t fake_virtio_status(const struct fake_virtio *f);
/* Protocol violations by the driver the device saw (bad addresses, bad ids in avail): 0 is good. */
uint32_t fake_virtio_violations(const struct fake_virtio *f);
/* Buffers the device currently holds (made available, not yet returned). */
uint32_t fake_virtio_rx_held(const struct fake_virtio *f);

#endif
