/* PCI functions as sysfs shows them. Read-only: taking a device is the platform's job. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pci.h"

/* PCI configuration space offsets (PCI Local Bus spec 3.0, 6.1; 82599 DS 9.3). */
#define PCI_CFG_VENDOR_ID 0x00
#define PCI_CFG_DEVICE_ID 0x02
#define PCI_CFG_STATUS 0x06
#define PCI_CFG_CLASS 0x0B
#define PCI_CFG_CAP_PTR 0x34          /* first capability (PCI 3.0, 6.7) */
#define PCI_STATUS_CAP_LIST (1u << 4) /* the capability list exists */
#define PCI_CFG_HEADER_END 0x40       /* capabilities live after the 64-byte header */

int pci_path(char *out, size_t len, const char *root, const char *addr, const char *file)
{
	int n = snprintf(out, len, "%s/bus/pci/devices/%s/%s", root, addr, file);
	if (n < 0 || (size_t)n >= len) {
		ixy_error("sysfs path too long: the path of %s's '%s' passes %zu bytes; use a shorter sysfs "
		          "root than '%s'",
		          addr, file, len - 1, root);
		return -1;
	}
	return 0;
}

/* "dddd:bb:dd.f" with hex digits, as lspci -D prints it. */
static int check_address(const char *addr)
{
	const char *form = "hhhh:hh:hh.h";
	size_t n = strlen(form);
	if (strlen(addr) != n)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (form[i] == 'h' ? !isxdigit((unsigned char)addr[i]) : addr[i] != form[i])
			goto bad;
	}
	return 0;
bad:
	ixy_error("'%s' is not a PCI address: use the form 0000:03:00.0 (see lspci -D), or sim:0 for a "
	          "virtual 82599",
	          addr);
	return -1;
}

/* The first 64 bytes of config space are readable by every user (the rest needs root). */
static int read_config(const char *root, const char *addr, uint8_t *cfg, size_t len)
{
	char path[PATH_MAX];
	if (pci_path(path, sizeof(path), root, addr, "config") < 0)
		return -1;
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		if (errno == ENOENT)
			ixy_error("no PCI device %s (%s missing): check the address with lspci -D", addr,
			          path);
		else
			ixy_error("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	ssize_t got = pread(fd, cfg, len, 0);
	close(fd);
	if (got != (ssize_t)len) {
		ixy_error("short read of %s (%zd of %zu bytes): not a PCI configuration space", path, got,
		          len);
		return -1;
	}
	return 0;
}

int pci_read_info(const char *root, const char *addr, struct pci_info *info)
{
	uint8_t cfg[64];
	if (check_address(addr) < 0 || read_config(root, addr, cfg, sizeof(cfg)) < 0)
		return -1;
	info->vendor_id = (uint16_t)(cfg[PCI_CFG_VENDOR_ID] | cfg[PCI_CFG_VENDOR_ID + 1] << 8);
	info->device_id = (uint16_t)(cfg[PCI_CFG_DEVICE_ID] | cfg[PCI_CFG_DEVICE_ID + 1] << 8);
	info->class_code = cfg[PCI_CFG_CLASS];
	return 0;
}

int pci_find_caps(const uint8_t *cfg, size_t len, uint8_t cap_id, uint8_t *offsets, int max)
{
	if (len < PCI_CFG_HEADER_END || !(cfg[PCI_CFG_STATUS] & PCI_STATUS_CAP_LIST))
		return 0;
	int found = 0;
	uint8_t pos = cfg[PCI_CFG_CAP_PTR] & 0xFC; /* the low two bits are reserved */
	for (size_t steps = 0; pos; steps++) {
		if (pos < PCI_CFG_HEADER_END || pos + 2u > len || steps >= (len - PCI_CFG_HEADER_END) / 4)
			return -1;
		if (cfg[pos] == cap_id && found < max)
			offsets[found++] = pos;
		pos = cfg[pos + 1] & 0xFC;
	}
	return found;
}

/* A doubt about the interface state: a refusal, or with force a warning. */
static int doubt(bool force, const char *addr, const char *fmt, ...)
{
	char what[PATH_MAX + 200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (force) {
		ixy_warn("%s: %s; taking it anyway (force)", addr, what);
		return 0;
	}
	ixy_error("%s: %s, so libixy cannot tell whether a kernel network interface of it is up and "
	          "refuses to take it. Check 'ip link' and sysfs, or pass force (--force) if you are "
	          "sure the device is not in use",
	          addr, what);
	return -1;
}

static void say(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

/* Reads an interface's flags file (a number such as "0x1003\n", IFF_* bits). */
static int read_flags(const char *path, unsigned long *flags, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		say(why, whylen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		say(why, whylen, "%s is not a file", path);
		return -1;
	}
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int err = errno;
	close(fd);
	if (n < 0) {
		say(why, whylen, "cannot read %s: %s", path, strerror(err));
		return -1;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	char *end = buf;
	errno = 0;
	if (n > 0 && isxdigit((unsigned char)buf[0]))
		*flags = strtoul(buf, &end, 0);
	if (n == 0 || end == buf || *end || errno) {
		say(why, whylen, "%s holds '%s', not interface flags (a number such as 0x1003)", path, buf);
		return -1;
	}
	return 0;
}

int pci_check_not_in_use(const char *root, const char *addr, bool force)
{
	char dir[PATH_MAX];
	if (pci_path(dir, sizeof(dir), root, addr, "net") < 0)
		return force ? 0 : -1;
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0; /* the kernel has no network interface on this device */
		return doubt(force, addr, "cannot read %s: %s", dir, strerror(errno));
	}
	int ret = 0;
	struct dirent *e;
	for (errno = 0; ret == 0 && (e = readdir(d)); errno = 0) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char path[PATH_MAX], why[PATH_MAX + 100];
		int n = snprintf(path, sizeof(path), "%s/%s/flags", dir, e->d_name);
		unsigned long flags = 0;
		if (n < 0 || (size_t)n >= sizeof(path)) {
			ret = doubt(force, addr, "the path of interface %s's flags is too long", e->d_name);
		} else if (read_flags(path, &flags, why, sizeof(why)) < 0) {
			ret = doubt(force, addr, "%s", why);
		} else if (flags & IFF_UP) {
			if (force) {
				ixy_warn("%s: interface %s is up; taking it anyway (force)", addr, e->d_name);
				continue;
			}
			ixy_error("%s is in use: its kernel interface %s is up. Taking it would cut that "
			          "network off. Run 'ip link set %s down' first, or pass force (--force) if "
			          "you are sure",
			          addr, e->d_name, e->d_name);
			ret = -1;
		}
	}
	if (ret == 0 && errno)
		ret = doubt(force, addr, "cannot list %s: %s", dir, strerror(errno));
	closedir(d);
	return ret;
}

/* The last path component of a sysfs link, e.g. "vfio-pci" or "12". */
static int read_link_name(const char *root, const char *addr, const char *file, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	if (pci_path(path, sizeof(path), root, addr, file) < 0)
		return -1;
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	snprintf(out, len, "%s", base ? base + 1 : target);
	return 0;
}

int pci_driver_name(const char *root, const char *addr, char *out, size_t len)
{
	if (read_link_name(root, addr, "driver", out, len) == 0)
		return 0;
	if (errno == ENOENT) {
		snprintf(out, len, "%s", "");
		return 0;
	}
	ixy_error("cannot tell which kernel driver %s is bound to: reading its sysfs 'driver' link "
	          "failed (%s)",
	          addr, strerror(errno));
	return -1;
}

int pci_iommu_group(const char *root, const char *addr)
{
	char name[64];
	if (read_link_name(root, addr, "iommu_group", name, sizeof(name)) < 0) {
		if (errno == ENOENT)
			ixy_error("%s has no IOMMU group: the IOMMU is off. Enable VT-d (Intel) or AMD-Vi in "
			          "the firmware setup and boot Linux with intel_iommu=on (Intel) or "
			          "amd_iommu=on (AMD) on the kernel command line, then run setup-vfio.sh",
			          addr);
		else
			ixy_error("cannot read the IOMMU group link of %s: %s", addr, strerror(errno));
		return -1;
	}
	char *end;
	long group = strtol(name, &end, 10);
	if (!*name || *end || group < 0 || group > INT_MAX) {
		ixy_error("the IOMMU group of %s is '%s', not a number", addr, name);
		return -1;
	}
	return (int)group;
}

int pci_bar_size(const char *root, const char *addr, unsigned bar, uint64_t *size)
{
	char file[16], path[PATH_MAX];
	struct stat st;
	snprintf(file, sizeof(file), "resource%u", bar);
	if (pci_path(path, sizeof(path), root, addr, file) < 0)
		return -1;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT) {
			ixy_error("cannot read the size of BAR%u of %s from %s: %s", bar, addr, path,
			          strerror(errno));
			return -1;
		}
		*size = 0;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		ixy_error("cannot read the size of BAR%u of %s: %s is not a file", bar, addr, path);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}
