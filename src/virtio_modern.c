/* The modern virtio PCI interface (virtio 1.1 4.1.4): vendor-specific capabilities name a BAR,
 * an offset and a length for each structure (common configuration, notifications, ISR status,
 * device configuration). The driver maps those memory BARs (through the platform: sysfs resourceN
 * or a VFIO region) and accesses every
 * field at its own width (4.1.3.1); with a device model the same accesses go through its
 * bar_read/bar_write. */
#include <stdio.h>

#include "log.h"
#include "pci.h"
#include "virtio.h"

#define CFG_SPACE 256 /* the PCI-compatible configuration space, where the capabilities are */
#define MAX_CAPS 48   /* as many 4-byte capabilities as fit after the header */

static uint32_t win_read(struct ixy_device *dev, const struct vio_window *w, uint32_t off, uint8_t width)
{
	if (dev->hw)
		return dev->hw->bar_read(dev->hw->ctx, w->bar, w->offset + off, width);
	volatile uint8_t *p = w->ptr + off;
	if (width == 1)
		return *p;
	if (width == 2)
		return *(volatile uint16_t *)p;
	return *(volatile uint32_t *)p;
}

static void win_write(struct ixy_device *dev, const struct vio_window *w, uint32_t off, uint8_t width,
                      uint32_t value)
{
	if (dev->hw) {
		dev->hw->bar_write(dev->hw->ctx, w->bar, w->offset + off, width, value);
		return;
	}
	volatile uint8_t *p = w->ptr + off;
	if (width == 1)
		*p = (uint8_t)value;
	else if (width == 2)
		*(volatile uint16_t *)p = (uint16_t)value;
	else
		*(volatile uint32_t *)p = value;
}

static const struct vio_window *common(struct ixy_device *dev)
{
	return &((struct virtio_dev *)dev->driver)->modern.common;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_config_space(struct ixy_device *dev, uint8_t *cfg)
{
	if (!dev->hw)
		return dev->platform->config_read(dev, 0, cfg, CFG_SPACE);
	if (!dev->hw->config_read || dev->hw->config_read(dev->hw->ctx, 0, cfg, CFG_SPACE) < 0) {
		ixy_error("%s: the device model gives no PCI configuration space (config_read): a virtio "
		          "model needs it for its capabilities",
		          dev->name);
		return -1;
	}
	return 0;
}

/* Maps the BAR behind window w (once per BAR) and checks the window lies inside it. */
static int map_window(struct ixy_device *dev, struct vio_modern *m, struct vio_window *w, const char *what)
{
	if (dev->hw)
		return 0;
	if (!m->bar[w->bar] && dev->platform->map_bar(dev, w->bar, &m->bar[w->bar], &m->bar_len[w->bar]) < 0)
		return -1;
	if ((uint64_t)w->offset + w->length > m->bar_len[w->bar]) {
		ixy_error("%s: the virtio %s structure (BAR%u, offset 0x%x, %u bytes) lies outside the "
		          "%zu-byte BAR: the device's capability is wrong",
		          dev->name, what, w->bar, w->offset, w->length, m->bar_len[w->bar]);
		return -1;
	}
	w->ptr = m->bar[w->bar] + w->offset;
	return 0;
}

int vio_modern_probe(struct ixy_device *dev, struct virtio_dev *v)
{
	uint8_t cfg[CFG_SPACE] = {0}, caps[MAX_CAPS];
	if (read_config_space(dev, cfg) < 0)
		return -1;
	int n = pci_find_caps(cfg, sizeof(cfg), PCI_CAP_ID_VENDOR, caps, MAX_CAPS);
	if (n < 0) {
		ixy_error("%s: the PCI capability list is malformed (loops or points outside config space)",
		          dev->name);
		return -1;
	}
	struct vio_modern *m = &v->modern;
	for (int i = 0; i < n; i++) {
		const uint8_t *c = cfg + caps[i];
		uint8_t cap_len = c[2], type = c[VIO_CAP_CFG_TYPE], bar = c[VIO_CAP_BAR];
		/* 4.1.4.1: ignore capabilities with a reserved BAR or type; use the first of each type. */
		if (cap_len < VIO_CAP_LEN_MIN || caps[i] + cap_len > CFG_SPACE || bar >= VIO_PCI_BARS)
			continue;
		struct vio_window *w = type == VIO_PCI_CAP_COMMON_CFG   ? &m->common
		                       : type == VIO_PCI_CAP_NOTIFY_CFG ? &m->notify
		                       : type == VIO_PCI_CAP_ISR_CFG    ? &m->isr
		                       : type == VIO_PCI_CAP_DEVICE_CFG ? &m->device
		                                                        : NULL;
		if (!w || w->length)
			continue;
		if (type == VIO_PCI_CAP_NOTIFY_CFG) {
			if (cap_len < VIO_CAP_NOTIFY_LEN_MIN)
				continue;
			m->notify_mult = le32_at(c + VIO_CAP_NOTIFY_MULT);
		}
		*w = (struct vio_window){bar, le32_at(c + VIO_CAP_OFFSET), le32_at(c + VIO_CAP_LENGTH), NULL};
	}
	if (!m->common.length)
		return 0; /* no modern interface: legacy only */
	/* 4.1.4: a network device presents all four; we read MAC and status (8 bytes, 5.1.4). */
	if (m->common.length < VIO_COMMON_LEN || !m->notify.length || !m->isr.length ||
	    m->device.length < 8) {
		ixy_error("%s: the virtio capabilities are incomplete (common %u bytes, notify %u, ISR %u, "
		          "device %u): expected common >= %u, notify, ISR and device >= 8",
		          dev->name, m->common.length, m->notify.length, m->isr.length, m->device.length,
		          VIO_COMMON_LEN);
		return -1;
	}
	if (map_window(dev, m, &m->common, "common configuration") < 0 ||
	    map_window(dev, m, &m->notify, "notification") < 0 ||
	    map_window(dev, m, &m->isr, "ISR status") < 0 ||
	    map_window(dev, m, &m->device, "device configuration") < 0)
		return -1;
	return 1;
}

/* The platform unmaps the BARs when the device closes; here they are only forgotten. */
void vio_modern_unmap(struct virtio_dev *v)
{
	for (int i = 0; i < VIO_PCI_BARS; i++)
		v->modern.bar[i] = NULL;
}

static uint8_t modern_get_status(struct ixy_device *dev)
{
	return (uint8_t)win_read(dev, common(dev), VIO_COMMON_STATUS, 1);
}

static void modern_set_status(struct ixy_device *dev, uint8_t status)
{
	win_write(dev, common(dev), VIO_COMMON_STATUS, 1, status);
}

/* 64 feature bits in two 32-bit halves chosen by the select registers (4.1.4.3). */
static uint64_t modern_get_features(struct ixy_device *dev)
{
	win_write(dev, common(dev), VIO_COMMON_DFSELECT, 4, 0);
	uint64_t lo = win_read(dev, common(dev), VIO_COMMON_DF, 4);
	win_write(dev, common(dev), VIO_COMMON_DFSELECT, 4, 1);
	uint64_t hi = win_read(dev, common(dev), VIO_COMMON_DF, 4);
	return lo | hi << 32;
}

static void modern_set_features(struct ixy_device *dev, uint64_t features)
{
	win_write(dev, common(dev), VIO_COMMON_GFSELECT, 4, 0);
	win_write(dev, common(dev), VIO_COMMON_GF, 4, (uint32_t)features);
	win_write(dev, common(dev), VIO_COMMON_GFSELECT, 4, 1);
	win_write(dev, common(dev), VIO_COMMON_GF, 4, (uint32_t)(features >> 32));
}

static uint16_t modern_queue_max(struct ixy_device *dev, uint16_t index)
{
	if (index >= win_read(dev, common(dev), VIO_COMMON_NUMQ, 2))
		return 0;
	win_write(dev, common(dev), VIO_COMMON_Q_SELECT, 2, index);
	return (uint16_t)win_read(dev, common(dev), VIO_COMMON_Q_SIZE, 2);
}

/* 4.1.5.1.3: size, the three ring addresses, the notify address, then queue_enable. */
static int modern_queue_enable(struct ixy_device *dev, struct vio_queue *q)
{
	struct vio_modern *m = &((struct virtio_dev *)dev->driver)->modern;
	const struct vio_window *c = &m->common;
	win_write(dev, c, VIO_COMMON_Q_SELECT, 2, q->index);
	win_write(dev, c, VIO_COMMON_Q_SIZE, 2, q->size);
	win_write(dev, c, VIO_COMMON_Q_DESCLO, 4, (uint32_t)q->desc_bus);
	win_write(dev, c, VIO_COMMON_Q_DESCHI, 4, (uint32_t)(q->desc_bus >> 32));
	win_write(dev, c, VIO_COMMON_Q_AVAILLO, 4, (uint32_t)q->driver_bus);
	win_write(dev, c, VIO_COMMON_Q_AVAILHI, 4, (uint32_t)(q->driver_bus >> 32));
	win_write(dev, c, VIO_COMMON_Q_USEDLO, 4, (uint32_t)q->device_bus);
	win_write(dev, c, VIO_COMMON_Q_USEDHI, 4, (uint32_t)(q->device_bus >> 32));
	/* 4.1.4.4: cap.offset + queue_notify_off * notify_off_multiplier, inside the structure. */
	uint64_t off = (uint64_t)win_read(dev, c, VIO_COMMON_Q_NOFF, 2) * m->notify_mult;
	if (off + 2 > m->notify.length) {
		ixy_error("%s: virtqueue %u's notify address (offset %llu) lies outside the %u-byte "
		          "notification structure: the device is inconsistent",
		          dev->name, q->index, (unsigned long long)off, m->notify.length);
		return -1;
	}
	q->notify_off = (uint32_t)off;
	q->notify = dev->hw ? NULL : (volatile uint16_t *)(m->notify.ptr + off);
	win_write(dev, c, VIO_COMMON_Q_ENABLE, 2, 1);
	return 0;
}

static void modern_notify(struct ixy_device *dev, const struct vio_queue *q)
{
	win_write(dev, &((struct virtio_dev *)dev->driver)->modern.notify, q->notify_off, 2, q->index);
}

/* Reads device configuration until config_generation is the same before and after (2.4.1), so
 * a multi-byte field is never torn. 16-bit fields at even offsets are read at their width. */
static void modern_config_read(struct ixy_device *dev, uint32_t off, void *buf, uint32_t len)
{
	const struct vio_window *d = &((struct virtio_dev *)dev->driver)->modern.device;
	uint8_t *p = buf;
	for (int tries = 0; tries < 100; tries++) {
		uint32_t gen = win_read(dev, common(dev), VIO_COMMON_CFGGEN, 1);
		if (len == 2 && !(off & 1)) {
			uint16_t v = (uint16_t)win_read(dev, d, off, 2);
			p[0] = (uint8_t)v;
			p[1] = (uint8_t)(v >> 8);
		} else {
			for (uint32_t i = 0; i < len; i++)
				p[i] = (uint8_t)win_read(dev, d, off + i, 1);
		}
		if (gen == win_read(dev, common(dev), VIO_COMMON_CFGGEN, 1))
			return;
	}
}

const struct vio_transport vio_modern_transport = {
    .name = "modern",
    .get_status = modern_get_status,
    .set_status = modern_set_status,
    .get_features = modern_get_features,
    .set_features = modern_set_features,
    .queue_max = modern_queue_max,
    .size_choice = true,
    .queue_enable = modern_queue_enable,
    .notify = modern_notify,
    .config_read = modern_config_read,
    .config_write8 = NULL, /* the driver must not write device configuration (5.1.4.2) */
};
