/* virtio-net over PCI: the legacy and the modern (virtio 1.x) interface, split and packed
 * virtqueues. Written from the virtio 1.1 specification (OASIS, 2019); section numbers in
 * comments (the legacy parts are the same in 1.0). Modern devices are little endian, legacy ones
 * use the guest's byte order: libixy runs on little-endian hosts only (checked below). */
#ifndef IXY_VIRTIO_REGS_H
#define IXY_VIRTIO_REGS_H

#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "virtio structures are little endian");

/* PCI ids (4.1.2): 0x1041 is a modern-only network device, 0x1000 a transitional one. */
#define VIO_DEVICE_NET_MODERN 0x1041

/* Legacy register block in BAR0, an I/O-port BAR (4.1.4.8). Widths matter: the kernel's
 * resource0 file turns a 1/2/4-byte pread/pwrite into one inb/inw/inl (outb/outw/outl). */
#define VIO_REG_DEVICE_FEATURES 0x00 /* 32 bit, R: feature bits 0..31 the device offers */
#define VIO_REG_DRIVER_FEATURES 0x04 /* 32 bit, RW: the subset the driver accepts */
#define VIO_REG_QUEUE_PFN 0x08       /* 32 bit, RW: bus address of the selected queue >> 12 */
#define VIO_REG_QUEUE_SIZE 0x0c      /* 16 bit, R: size of the selected queue (0: absent) */
#define VIO_REG_QUEUE_SELECT 0x0e    /* 16 bit, RW */
#define VIO_REG_QUEUE_NOTIFY 0x10    /* 16 bit, RW: write a queue index to kick it */
#define VIO_REG_DEVICE_STATUS 0x12   /* 8 bit, RW: 0 resets the device */
#define VIO_REG_ISR_STATUS 0x13      /* 8 bit, R */
/* Device-specific config follows at 0x14 while MSI-X is off (it is: no kernel driver enabled it);
 * with MSI-X two vector registers would push it to 0x18. */
#define VIO_REG_CONFIG 0x14

/* Legacy queue address granularity (4.1.4.8: QUEUE_PFN) and ring alignment (2.4.2). */
#define VIO_LEGACY_ALIGN 4096u

/* Device status bits (2.1). Legacy devices have no FEATURES_OK step (3.1.2). */
#define VIO_STATUS_ACKNOWLEDGE 1u
#define VIO_STATUS_DRIVER 2u
#define VIO_STATUS_DRIVER_OK 4u
#define VIO_STATUS_FEATURES_OK 8u
#define VIO_STATUS_NEEDS_RESET 64u
#define VIO_STATUS_FAILED 128u

/* Modern interface: vendor-specific PCI capabilities (4.1.4) point at structures in memory BARs.
 * struct virtio_pci_cap: cap_vndr, cap_next, cap_len, cfg_type, bar, padding[3], le32 offset,
 * le32 length; the notify capability adds le32 notify_off_multiplier (4.1.4.4). */
#define PCI_CAP_ID_VENDOR 0x09
#define VIO_CAP_CFG_TYPE 3
#define VIO_CAP_BAR 4
#define VIO_CAP_OFFSET 8
#define VIO_CAP_LENGTH 12
#define VIO_CAP_NOTIFY_MULT 16
#define VIO_CAP_LEN_MIN 16        /* cap_len of a struct virtio_pci_cap */
#define VIO_CAP_NOTIFY_LEN_MIN 20 /* cap_len of a struct virtio_pci_notify_cap */
#define VIO_PCI_CAP_COMMON_CFG 1
#define VIO_PCI_CAP_NOTIFY_CFG 2
#define VIO_PCI_CAP_ISR_CFG 3
#define VIO_PCI_CAP_DEVICE_CFG 4
#define VIO_PCI_BARS 6 /* BAR 0..5; other values are reserved (4.1.4) */

/* Common configuration structure (4.1.4.3), byte offsets; each field accessed at its own width. */
#define VIO_COMMON_DFSELECT 0x00 /* le32 device_feature_select */
#define VIO_COMMON_DF 0x04       /* le32 device_feature (R) */
#define VIO_COMMON_GFSELECT 0x08 /* le32 driver_feature_select */
#define VIO_COMMON_GF 0x0c       /* le32 driver_feature */
#define VIO_COMMON_NUMQ 0x12     /* le16 num_queues (R) */
#define VIO_COMMON_STATUS 0x14   /* u8 device_status */
#define VIO_COMMON_CFGGEN 0x15   /* u8 config_generation (R) */
#define VIO_COMMON_Q_SELECT 0x16 /* le16 queue_select */
#define VIO_COMMON_Q_SIZE 0x18   /* le16 queue_size: the maximum on reset, the driver may lower it */
#define VIO_COMMON_Q_ENABLE 0x1c /* le16 queue_enable */
#define VIO_COMMON_Q_NOFF 0x1e   /* le16 queue_notify_off (R) */
#define VIO_COMMON_Q_DESCLO 0x20 /* le64 queue_desc, written as two 32-bit halves (4.1.3.1) */
#define VIO_COMMON_Q_DESCHI 0x24
#define VIO_COMMON_Q_AVAILLO 0x28 /* le64 queue_driver (split: available ring; packed: driver event) */
#define VIO_COMMON_Q_AVAILHI 0x2c
#define VIO_COMMON_Q_USEDLO 0x30 /* le64 queue_device (split: used ring; packed: device event) */
#define VIO_COMMON_Q_USEDHI 0x34
#define VIO_COMMON_LEN 0x38

/* Feature bits. Network device (5.1.3), reserved/transport bits (6, legacy 6.3). Bits 32 and up
 * exist on the modern interface only (feature select 1). */
#define VIO_NET_F_MAC (1u << 5)            /* config.mac is valid */
#define VIO_NET_F_MRG_RXBUF (1u << 15)     /* not taken: keeps the header at 10 bytes */
#define VIO_NET_F_STATUS (1u << 16)        /* config.status is valid */
#define VIO_NET_F_CTRL_VQ (1u << 17)       /* control virtqueue exists */
#define VIO_NET_F_CTRL_RX (1u << 18)       /* ctrl class RX: promiscuous / allmulti */
#define VIO_NET_F_CTRL_MAC_ADDR (1u << 23) /* ctrl MAC_ADDR_SET */
#define VIO_F_ANY_LAYOUT (1u << 27)        /* header and frame may share a descriptor (legacy 5.1.6.6) */
#define VIO_F_VERSION_1 (1ull << 32)       /* the modern interface: required of a modern driver (6) */
#define VIO_F_ACCESS_PLATFORM (1ull << 33) /* DMA goes through the platform's IOMMU (6) */
#define VIO_F_RING_PACKED (1ull << 34)     /* packed virtqueues (2.7) */

/* virtio-net config space (5.1.4), byte offsets from VIO_REG_CONFIG. */
#define VIO_NET_CFG_MAC 0    /* 6 bytes */
#define VIO_NET_CFG_STATUS 6 /* 16 bit, needs VIO_NET_F_STATUS */
#define VIO_NET_S_LINK_UP 1u

/* Queue indices without VIRTIO_NET_F_MQ (5.1.2): receiveq1, transmitq1, controlq. */
#define VIO_NET_QUEUE_RX 0
#define VIO_NET_QUEUE_TX 1
#define VIO_NET_QUEUE_CTRL 2

/* Split virtqueue (2.6). Descriptor table entry (2.6.5). */
struct vio_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VIO_DESC_F_NEXT 1u  /* chained to desc.next */
#define VIO_DESC_F_WRITE 2u /* device writes this buffer (receive side) */

/* Available ring (2.6.6), written by the driver. A used_event field follows ring[size]. */
struct vio_avail {
	uint16_t flags;
	uint16_t idx; /* free-running: where the driver puts the next entry */
	uint16_t ring[];
};
#define VIO_AVAIL_F_NO_INTERRUPT 1u /* we poll; an interrupt would only wake an absent driver */

/* Used ring (2.6.8), written by the device. An avail_event field follows ring[size]. */
struct vio_used_elem {
	uint32_t id;  /* head descriptor of the completed chain */
	uint32_t len; /* bytes the device wrote into it (RX: header + frame) */
};
struct vio_used {
	uint16_t flags;
	uint16_t idx;
	struct vio_used_elem ring[];
};
#define VIO_USED_F_NO_NOTIFY 1u /* the device is polling: the driver may skip the notify (2.6.10) */

/* Packed virtqueue (2.7): one ring of descriptors (2.7.13) that the device overwrites in place
 * with used ones, and two event suppression structures (2.7.14). */
struct vio_packed_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t id; /* buffer id: the device returns it in the used descriptor */
	uint16_t flags;
};
#define VIO_PACKED_F_AVAIL (1u << 7) /* equal to the driver's wrap counter: available (2.7.1) */
#define VIO_PACKED_F_USED (1u << 15) /* both equal to the wrap counter: used */
struct vio_packed_event {
	uint16_t desc;
	uint16_t flags;
};
#define VIO_PACKED_EVENT_DISABLE 1u /* "no notifications, please" (2.7.14) */

/* Split queue layout in contiguous memory, as the legacy interface requires (2.6.2) and any
 * modern one accepts: descriptor table, available ring, padding to the next 4096-byte boundary,
 * used ring. */
static inline uint32_t vio_align(uint32_t x)
{
	return (x + VIO_LEGACY_ALIGN - 1) & ~(VIO_LEGACY_ALIGN - 1);
}
static inline uint32_t vio_used_offset(uint32_t size)
{
	return vio_align(16u * size + 2u * (3u + size));
}
static inline uint32_t vio_queue_bytes(uint32_t size)
{
	return vio_used_offset(size) + vio_align(2u * 3u + 8u * size);
}

/* Packed queue layout: descriptor ring, then the driver and device event structures. */
static inline uint32_t vio_packed_bytes(uint32_t size)
{
	return vio_align(16u * size + 2u * (uint32_t)sizeof(struct vio_packed_event));
}

/* Per-packet header (5.1.6): 10 bytes on the legacy interface without MRG_RXBUF, 12 with
 * VERSION_1 (num_buffers is always there). All zero on transmit means "no checksum offload, no
 * segmentation" (flags 0, gso_type NONE). */
#define VIO_NET_HDR_LEN_LEGACY 10u
#define VIO_NET_HDR_LEN_MODERN 12u

/* Control virtqueue (5.1.6.5): {u8 class; u8 command;} data... u8 ack (device-writable). */
#define VIO_NET_CTRL_RX 0
#define VIO_NET_CTRL_RX_PROMISC 0 /* data: u8 on/off (5.1.6.5.1) */
#define VIO_NET_CTRL_MAC 1
#define VIO_NET_CTRL_MAC_ADDR_SET 1 /* data: 6-byte MAC (5.1.6.5.2) */
#define VIO_NET_OK 0

#endif
