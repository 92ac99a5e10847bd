/* PCI access through sysfs: identify, unbind, enable bus mastering, map BAR0. */
#ifndef IXY_PCI_H
#define IXY_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pci_info {
	uint16_t vendor_id;
	uint16_t device_id;
	uint8_t class_code; /* config byte 0x0B: 0x02 = network controller */
};

/* Checks the address syntax ("dddd:bb:dd.f") and reads the ids from config space.
 * Returns 0, or -1 with a clear error (missing device, unreadable config). */
int pci_read_info(const char *sysfs_root, const char *addr, struct pci_info *info);
/* Reads the first `len` bytes of config space (256 need root: others see 64). */
int pci_read_config(const char *sysfs_root, const char *addr, uint8_t *cfg, size_t len);
/* Walks the capability list of config space `cfg` (`len` bytes) and stores the offsets of up to
 * `max` capabilities with id `cap_id`, in list order. Returns how many it stored (0 without a
 * list), or -1 if the list is malformed. */
int pci_find_caps(const uint8_t *cfg, size_t len, uint8_t cap_id, uint8_t *offsets, int max);
/* -1 with an error if the device has a network interface that is up (unless force). */
int pci_check_not_in_use(const char *sysfs_root, const char *addr, bool force);
/* Unbinds the kernel driver, if any. */
int pci_unbind(const char *sysfs_root, const char *addr);
/* Sets Bus Master Enable and Memory Space Enable (and I/O Space Enable for an I/O-port BAR)
 * in the command register. */
int pci_enable_dma(const char *sysfs_root, const char *addr, bool io_bar);
/* mmaps resource0 (memory BAR). */
int pci_map_bar0(const char *sysfs_root, const char *addr, uint8_t **bar, size_t *len);
/* mmaps resource<n> (memory BAR n). */
int pci_map_bar(const char *sysfs_root, const char *addr, unsigned n, uint8_t **bar, size_t *len);
/* Opens resource0 for pread/pwrite (I/O-port BAR, virtio legacy). Returns the fd or -1. */
int pci_open_bar0(const char *sysfs_root, const char *addr);

#endif
