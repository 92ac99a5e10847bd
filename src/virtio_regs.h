/* virtio-net, legacy (transitional) PCI interface: registers and shared-memory layouts.
 * Written from the virtio 1.0 specification (OASIS, 2016); section numbers in comments.
 * Legacy devices use guest-native byte order (little endian on every host we run on). */
#ifndef IXY_VIRTIO_REGS_H
#define IXY_VIRTIO_REGS_H

#include <stdint.h>

/* PCI ids (4.1.2.1): transitional network device. */
#define VIO_VENDOR_ID 0x1af4
#define VIO_DEVICE_NET_LEGACY 0x1000

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
/* The I/O BAR must reach the last byte the driver uses: config.status (5.1.4). */
#define VIO_BAR0_MIN_SIZE (VIO_REG_CONFIG + 8u)

/* Legacy queue address granularity (4.1.4.8: QUEUE_PFN) and ring alignment (2.4.2). */
#define VIO_LEGACY_ALIGN 4096u

/* Device status bits (2.1). Legacy devices have no FEATURES_OK step (3.1.2). */
#define VIO_STATUS_ACKNOWLEDGE 1u
#define VIO_STATUS_DRIVER 2u
#define VIO_STATUS_DRIVER_OK 4u
#define VIO_STATUS_FAILED 128u

/* Feature bits. Network device (5.1.3), reserved/transport bits (6, legacy 6.3). */
#define VIO_NET_F_MAC (1u << 5)            /* config.mac is valid */
#define VIO_NET_F_MRG_RXBUF (1u << 15)     /* not taken: keeps the header at 10 bytes */
#define VIO_NET_F_STATUS (1u << 16)        /* config.status is valid */
#define VIO_NET_F_CTRL_VQ (1u << 17)       /* control virtqueue exists */
#define VIO_NET_F_CTRL_RX (1u << 18)       /* ctrl class RX: promiscuous / allmulti */
#define VIO_NET_F_CTRL_MAC_ADDR (1u << 23) /* ctrl MAC_ADDR_SET */
#define VIO_F_ANY_LAYOUT (1u << 27)        /* header and frame may share a descriptor (legacy 5.1.6.6) */

/* virtio-net config space (5.1.4), byte offsets from VIO_REG_CONFIG. */
#define VIO_NET_CFG_MAC 0    /* 6 bytes */
#define VIO_NET_CFG_STATUS 6 /* 16 bit, needs VIO_NET_F_STATUS */
#define VIO_NET_S_LINK_UP 1u

/* Queue indices without VIRTIO_NET_F_MQ (5.1.2): receiveq1, transmitq1, controlq. */
#define VIO_NET_QUEUE_RX 0
#define VIO_NET_QUEUE_TX 1
#define VIO_NET_QUEUE_CTRL 2

/* Split virtqueue (2.4). Descriptor table entry (2.4.5). */
struct vio_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VIO_DESC_F_NEXT 1u  /* chained to desc.next */
#define VIO_DESC_F_WRITE 2u /* device writes this buffer (receive side) */

/* Available ring (2.4.6), written by the driver. A used_event field follows ring[size]. */
struct vio_avail {
	uint16_t flags;
	uint16_t idx; /* free-running: where the driver puts the next entry */
	uint16_t ring[];
};
#define VIO_AVAIL_F_NO_INTERRUPT 1u /* we poll; an interrupt would only wake an absent driver */

/* Used ring (2.4.8), written by the device. An avail_event field follows ring[size]. */
struct vio_used_elem {
	uint32_t id;  /* head descriptor of the completed chain */
	uint32_t len; /* bytes the device wrote into it (RX: header + frame) */
};
struct vio_used {
	uint16_t flags;
	uint16_t idx;
	struct vio_used_elem ring[];
};
#define VIO_USED_F_NO_NOTIFY 1u /* the device is polling: the driver may skip the notify (2.4.7.2) */

/* Legacy layout of one queue in contiguous memory (2.4.2): descriptor table, available ring,
 * padding to the next 4096-byte boundary, used ring. */
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

/* Per-packet header (5.1.6) without MRG_RXBUF and without VERSION_1: 10 bytes. All zero on
 * transmit means "no checksum offload, no segmentation" (flags 0, gso_type NONE). */
#define VIO_NET_HDR_LEN 10u

/* Control virtqueue (5.1.6.5): {u8 class; u8 command;} data... u8 ack (device-writable). */
#define VIO_NET_CTRL_RX 0
#define VIO_NET_CTRL_RX_PROMISC 0 /* data: u8 on/off (5.1.6.5.1) */
#define VIO_NET_CTRL_MAC 1
#define VIO_NET_CTRL_MAC_ADDR_SET 1 /* data: 6-byte MAC (5.1.6.5.2) */
#define VIO_NET_OK 0

#endif
