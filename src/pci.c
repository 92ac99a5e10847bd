/* PCI access through sysfs. The sysfs root is a parameter so tests can use a fake tree. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pci.h"

/* PCI configuration space offsets (PCI Local Bus spec 3.0, 6.1; 82599 DS 9.3). */
#define PCI_CFG_VENDOR_ID 0x00
#define PCI_CFG_DEVICE_ID 0x02
#define PCI_CFG_COMMAND 0x04
#define PCI_CFG_STATUS 0x06
#define PCI_CFG_CLASS 0x0B
#define PCI_CFG_CAP_PTR 0x34          /* first capability (PCI 3.0, 6.7) */
#define PCI_STATUS_CAP_LIST (1u << 4) /* the capability list exists */
#define PCI_CFG_HEADER_END 0x40       /* capabilities live after the 64-byte header */
#define PCI_COMMAND_IO (1u << 0)      /* I/O Space Enable: an I/O BAR decodes (virtio legacy) */
#define PCI_COMMAND_MEMORY (1u << 1)  /* Memory Space Enable: BAR0 decodes (DS 9.3.3.3) */
#define PCI_COMMAND_MASTER (1u << 2)  /* Bus Master Enable: the NIC may DMA (DS 9.3.3.3) */

static void dev_path(char *out, size_t len, const char *root, const char *addr, const char *file)
{
	snprintf(out, len, "%s/bus/pci/devices/%s/%s", root, addr, file);
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
	          "virtual 82599 in the apps",
	          addr);
	return -1;
}

static int read_config(const char *root, const char *addr, uint8_t *cfg, size_t len)
{
	char path[512];
	dev_path(path, sizeof(path), root, addr, "config");
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		if (errno == ENOENT)
			ixy_error("no PCI device %s (%s missing): check the address with lspci -D", addr,
			          path);
		else
			ixy_error("cannot read %s: %s (run as root)", path, strerror(errno));
		return -1;
	}
	ssize_t got = pread(fd, cfg, len, 0);
	close(fd);
	if (got != (ssize_t)len) {
		ixy_error("short read of %s: run as root to read the full configuration space", path);
		return -1;
	}
	return 0;
}

int pci_read_config(const char *root, const char *addr, uint8_t *cfg, size_t len)
{
	return read_config(root, addr, cfg, len);
}

/* Walks the list through each entry's next pointer (PCI 3.0, 6.7): byte 0 the id, byte 1 the
 * next offset. A pointer into the header or past the end, or more entries than fit, is a
 * malformed (or looping) list. */
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

/* A network interface that is up is in use by the kernel: taking the device would cut it off. */
int pci_check_not_in_use(const char *root, const char *addr, bool force)
{
	char path[512];
	dev_path(path, sizeof(path), root, addr, "net");
	DIR *dir = opendir(path);
	if (!dir)
		return 0; /* no kernel network interface */
	struct dirent *e;
	int ret = 0;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		char flags_path[800], buf[32] = {0};
		snprintf(flags_path, sizeof(flags_path), "%s/%s/flags", path, e->d_name);
		FILE *f = fopen(flags_path, "r");
		if (!f)
			continue;
		unsigned long flags = 0;
		if (fgets(buf, sizeof(buf), f))
			flags = strtoul(buf, NULL, 0);
		fclose(f);
		if (!(flags & IFF_UP))
			continue;
		if (force) {
			ixy_warn("%s: interface %s is up; taking it anyway (force)", addr, e->d_name);
			continue;
		}
		ixy_error(
		    "%s is in use: its kernel interface %s is up. Taking it would cut that network off. "
		    "Run 'ip link set %s down' first, or pass force (--force) if you are sure",
		    addr, e->d_name, e->d_name);
		ret = -1;
		break;
	}
	closedir(dir);
	return ret;
}

int pci_unbind(const char *root, const char *addr)
{
	char path[512];
	dev_path(path, sizeof(path), root, addr, "driver/unbind");
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* no driver bound */
		ixy_error("cannot unbind the kernel driver of %s (%s: %s): run as root", addr, path,
		          strerror(errno));
		return -1;
	}
	ssize_t n = write(fd, addr, strlen(addr));
	close(fd);
	if (n != (ssize_t)strlen(addr)) {
		ixy_error("unbinding the kernel driver of %s failed: %s", addr, strerror(errno));
		return -1;
	}
	return 0;
}

int pci_enable_dma(const char *root, const char *addr, bool io_bar)
{
	char path[512];
	dev_path(path, sizeof(path), root, addr, "config");
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		ixy_error("cannot open %s for writing: %s (run as root)", path, strerror(errno));
		return -1;
	}
	uint16_t cmd;
	int ret = -1;
	if (pread(fd, &cmd, 2, PCI_CFG_COMMAND) == 2) {
		cmd |= (io_bar ? PCI_COMMAND_IO : 0) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
		if (pwrite(fd, &cmd, 2, PCI_CFG_COMMAND) == 2)
			ret = 0;
	}
	close(fd);
	if (ret < 0)
		ixy_error("cannot enable bus mastering on %s: %s", addr, strerror(errno));
	return ret;
}

int pci_map_bar0(const char *root, const char *addr, uint8_t **bar, size_t *len)
{
	return pci_map_bar(root, addr, 0, bar, len);
}

int pci_map_bar(const char *root, const char *addr, unsigned n, uint8_t **bar, size_t *len)
{
	char path[512], file[16];
	snprintf(file, sizeof(file), "resource%u", n);
	dev_path(path, sizeof(path), root, addr, file);
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		ixy_error("cannot open %s: %s (run as root)", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		ixy_error("%s has no size: BAR%u of %s is not a memory BAR", path, n, addr);
		close(fd);
		return -1;
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		ixy_error("cannot mmap %s: %s", path, strerror(errno));
		return -1;
	}
	*bar = p;
	*len = (size_t)st.st_size;
	return 0;
}

int pci_open_bar0(const char *root, const char *addr)
{
	char path[512];
	dev_path(path, sizeof(path), root, addr, "resource0");
	int fd = open(path, O_RDWR);
	if (fd < 0)
		ixy_error("cannot open %s: %s (run as root)", path, strerror(errno));
	return fd;
}
