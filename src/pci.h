/* PCI functions as sysfs shows them: identity, kernel driver, network interfaces, IOMMU group.
 * Every call reads only; the sysfs root is a parameter so tests can use a fake tree. */
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
/* Walks the capability list of config space `cfg` (`len` bytes) and stores the offsets of up to
 * `max` capabilities with id `cap_id`, in list order. Returns how many it stored (0 without a
 * list), or -1 if the list is malformed. */
int pci_find_caps(const uint8_t *cfg, size_t len, uint8_t cap_id, uint8_t *offsets, int max);
/* Fails closed: 0 only if every kernel network interface of the device is positively down
 * (or it has none); -1 with an error naming what is up or what could not be read.
 * With force, an interface that is up or unreadable is only warned about. */
int pci_check_not_in_use(const char *sysfs_root, const char *addr, bool force);
/* The name of the bound kernel driver into out ("" if none). -1 with an error if unreadable. */
int pci_driver_name(const char *sysfs_root, const char *addr, char *out, size_t len);
/* The IOMMU group number of the device; -1 with an error if it has none (no IOMMU). */
int pci_iommu_group(const char *sysfs_root, const char *addr);
/* The size of BAR `bar` from its sysfs resource file (0: absent), read without touching the
 * device or needing root. -1 with an error if it cannot be read. */
int pci_bar_size(const char *sysfs_root, const char *addr, unsigned bar, uint64_t *size);
/* sysfs_root/bus/pci/devices/addr/file into out; -1 with an error if it does not fit. */
int pci_path(char *out, size_t len, const char *sysfs_root, const char *addr, const char *file);

#endif
