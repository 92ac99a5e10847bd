/* PCI layer against a fake sysfs tree: which devices are accepted, refused, and why. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ixy/ixy.h"
#include "pci.h"

static char root[256];

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

/* A function at `addr` with the given ids and class, a 128 KB resource0 and a bound driver. */
static void fake_device(const char *addr, uint16_t vendor, uint16_t device, uint8_t class_code)
{
	char dir[512], path[600];
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", root, addr);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/driver", dir);
	CHECK(system(cmd) == 0);
	uint8_t cfg[256] = {0};
	cfg[0] = (uint8_t)vendor;
	cfg[1] = (uint8_t)(vendor >> 8);
	cfg[2] = (uint8_t)device;
	cfg[3] = (uint8_t)(device >> 8);
	cfg[0x0B] = class_code;
	snprintf(path, sizeof(path), "%s/config", dir);
	write_file(path, cfg, sizeof(cfg));
	snprintf(path, sizeof(path), "%s/resource0", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && ftruncate(fd, 128 * 1024) == 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/driver/unbind", dir);
	write_file(path, "", 0);
}

static void fake_interface(const char *addr, const char *ifname, const char *flags)
{
	char path[600];
	snprintf(path, sizeof(path), "mkdir -p %s/bus/pci/devices/%s/net/%s", root, addr, ifname);
	CHECK(system(path) == 0);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/net/%s/flags", root, addr, ifname);
	write_file(path, flags, strlen(flags));
}

static struct ixy_device *try_open(const char *addr, bool force)
{
	struct ixy_options opts = {.sysfs_root = root, .force = force, .link_timeout_ms = 1};
	return ixy_open(addr, &opts);
}

static bool error_says(const char *what)
{
	return strstr(ixy_last_error(), what) != NULL;
}

int main(void)
{
	strcpy(root, "/tmp/ixy-test-sysfs-XXXXXX");
	CHECK(mkdtemp(root));

	fake_device("0000:03:00.0", 0x8086, 0x10FB, 0x02); /* 82599ES */
	fake_device("0000:04:00.0", 0x10EC, 0x8168, 0x02); /* Realtek NIC */
	fake_device("0000:05:00.0", 0x8086, 0x1528, 0x02); /* X540: refused, see README */
	fake_device("0000:06:00.0", 0x8086, 0x10FB, 0x01); /* storage class with an 82599 id */
	fake_device("0000:07:00.0", 0x8086, 0x10ED, 0x02); /* 82599 virtual function */
	fake_device("0000:08:00.0", 0x8086, 0x10FB, 0x02); /* 82599 with an interface up */
	fake_interface("0000:08:00.0", "eth7", "0x1003\n");
	fake_device("0000:09:00.0", 0x8086, 0x10FB, 0x02); /* 82599 with an interface down */
	fake_interface("0000:09:00.0", "eth8", "0x1002\n");
	fake_device("0000:0a:01.0", 0x1AF4, 0x1041, 0x02); /* modern virtio-net, interface up */
	fake_interface("0000:0a:01.0", "ens4", "0x1003\n");

	/* Ids read from config space. */
	struct pci_info info;
	CHECK(pci_read_info(root, "0000:03:00.0", &info) == 0);
	CHECK(info.vendor_id == 0x8086 && info.device_id == 0x10FB && info.class_code == 0x02);

	/* Malformed and missing addresses. */
	CHECK(!try_open("03:00.0", false) && error_says("not a PCI address"));
	CHECK(!try_open("0000:0g:00.0", false) && error_says("not a PCI address"));
	CHECK(!try_open("0000:0a:00.0", false) && error_says("no PCI device 0000:0a:00.0"));

	/* Wrong vendor, unsupported device, wrong class: refused with the ids named, and the refusal
	 * lists what is supported. */
	CHECK(!try_open("0000:04:00.0", false) && error_says("10ec:8168") && error_says("does not drive"));
	CHECK(error_says("ixgbe 8086:10f7") && error_says(" 8086:10fb ") &&
	      error_says("virtio 1af4:1000 1af4:1041"));
	CHECK(!try_open("0000:05:00.0", false) && error_says("8086:1528"));
	CHECK(!try_open("0000:07:00.0", false) && error_says("8086:10ed"));
	CHECK(!try_open("0000:06:00.0", false) && error_says("not a network controller"));

	/* An interface that is up is refused unless forced; a down one is fine. */
	CHECK(!try_open("0000:08:00.0", false) && error_says("eth7 is up") && error_says("force"));
	CHECK(pci_check_not_in_use(root, "0000:08:00.0", true) == 0);
	CHECK(pci_check_not_in_use(root, "0000:09:00.0", false) == 0);
	/* A modern virtio NIC whose interface is up (like this host's own): refused before anything
	 * is unbound or written. */
	CHECK(!try_open("0000:0a:01.0", false) && error_says("ens4 is up") && error_says("force"));
	char vpath[600], vbuf[16] = {0};
	snprintf(vpath, sizeof(vpath), "%s/bus/pci/devices/0000:0a:01.0/driver/unbind", root);
	int vfd = open(vpath, O_RDONLY);
	CHECK(vfd >= 0 && read(vfd, vbuf, sizeof(vbuf)) == 0); /* nothing was unbound */
	close(vfd);
	uint8_t vcmd[2];
	snprintf(vpath, sizeof(vpath), "%s/bus/pci/devices/0000:0a:01.0/config", root);
	vfd = open(vpath, O_RDONLY);
	CHECK(vfd >= 0 && pread(vfd, vcmd, 2, 4) == 2 && vcmd[0] == 0); /* command register untouched */
	close(vfd);

	/* Capability list walking: in order, malformed (looping or out of range) lists refused. */
	uint8_t cfg[256] = {0}, caps[8];
	cfg[0x06] = 0x10;
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x09, cfg[0x41] = 0x50;
	cfg[0x50] = 0x05, cfg[0x51] = 0x60;
	cfg[0x60] = 0x09, cfg[0x61] = 0x00;
	CHECK(pci_find_caps(cfg, sizeof(cfg), 0x09, caps, 8) == 2 && caps[0] == 0x40 && caps[1] == 0x60);
	CHECK(pci_find_caps(cfg, sizeof(cfg), 0x11, caps, 8) == 0);
	cfg[0x61] = 0x40; /* loop */
	CHECK(pci_find_caps(cfg, sizeof(cfg), 0x09, caps, 8) < 0);
	cfg[0x61] = 0x20; /* into the header */
	CHECK(pci_find_caps(cfg, sizeof(cfg), 0x09, caps, 8) < 0);
	cfg[0x06] = 0; /* no list */
	CHECK(pci_find_caps(cfg, sizeof(cfg), 0x09, caps, 8) == 0);

	/* A supported 82599 passes every PCI step: the driver was unbound, memory space and bus
	 * mastering enabled, BAR0 mapped. The file-backed BAR never finishes a reset, so the
	 * driver then reports a device that does not respond. */
	CHECK(!try_open("0000:03:00.0", false));
	CHECK(error_says("reset") && error_says("does not respond"));
	char path[600], buf[64] = {0};
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:03:00.0/driver/unbind", root);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 12 && strcmp(buf, "0000:03:00.0") == 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:03:00.0/config", root);
	uint8_t cmd[2];
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, cmd, 2, 4) == 2);
	close(fd);
	CHECK((cmd[0] & 0x06) == 0x06);
	/* Forced open of the busy device gets just as far. */
	CHECK(!try_open("0000:08:00.0", true) && error_says("does not respond"));

	snprintf(path, sizeof(path), "rm -rf %s", root);
	CHECK(system(path) == 0);
	printf("pci: ok\n");
	return 0;
}
