/* ixy_open() against a fake sysfs tree: which devices are accepted, refused, and why. Every
 * fail-closed case is one row of a table; a refused device is never unbound or touched. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "ixy/ixy.h"
#include "pci.h"

static char root[4096];

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), fmt, a, b);
	CHECK(system(cmd) == 0);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

static void dev_file(char *out, size_t len, const char *addr, const char *file)
{
	snprintf(out, len, "%s/bus/pci/devices/%s/%s", root, addr, file);
}

/* A function at `addr` with the given ids and class, a resource0 of `bar_size` bytes and the
 * kernel driver "ixgbe" bound (its own driver directory, so each device's unbind is seen). */
static void fake_device_bar(const char *addr, uint16_t vendor, uint16_t device, uint8_t class_code,
                            off_t bar_size)
{
	char dir[4200], path[4300];
	dev_file(dir, sizeof(dir), addr, "");
	sh("mkdir -p '%s'%s", dir, "");
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/ixgbe-%s", root, addr);
	sh("mkdir -p '%s' && touch '%s/unbind'", path, path);
	snprintf(path, sizeof(path), "ln -s ../../drivers/ixgbe-%s '%s/driver'", addr, dir);
	CHECK(system(path) == 0);
	uint8_t cfg[256] = {0};
	cfg[0] = (uint8_t)vendor;
	cfg[1] = (uint8_t)(vendor >> 8);
	cfg[2] = (uint8_t)device;
	cfg[3] = (uint8_t)(device >> 8);
	cfg[0x0B] = class_code;
	dev_file(path, sizeof(path), addr, "config");
	write_file(path, cfg, sizeof(cfg));
	dev_file(path, sizeof(path), addr, "resource0");
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && ftruncate(fd, bar_size) == 0);
	close(fd);
}

static void fake_device(const char *addr, uint16_t vendor, uint16_t device, uint8_t class_code)
{
	fake_device_bar(addr, vendor, device, class_code, 128 * 1024);
}

/* A modern virtio-net function: the virtio capabilities (virtio 1.1 4.1.4) name structures in
 * BAR 4, whose resource4 file is `bar4_size` bytes of zeros (a device that offers no features). */
static void fake_virtio_modern(const char *addr, size_t bar4_size)
{
	fake_device(addr, 0x1AF4, 0x1041, 0x02);
	uint8_t cfg[256] = {0xF4, 0x1A, 0x41, 0x10};
	cfg[0x06] = 0x10; /* capability list */
	cfg[0x0B] = 0x02;
	cfg[0x34] = 0x40;
	const struct {
		uint8_t pos, next, len, type;
		uint32_t off, length;
	} caps[] = {{0x40, 0x50, 16, 1, 0x0000, 0x38},
	            {0x50, 0x64, 20, 2, 0x1000, 0x1000},
	            {0x64, 0x74, 16, 3, 0x2000, 4},
	            {0x74, 0x00, 16, 4, 0x3000, 8}};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		uint8_t *c = cfg + caps[i].pos;
		c[0] = 0x09, c[1] = caps[i].next, c[2] = caps[i].len, c[3] = caps[i].type, c[4] = 4;
		memcpy(c + 8, &caps[i].off, 4);
		memcpy(c + 12, &caps[i].length, 4);
	}
	cfg[0x50 + 16] = 4; /* notify_off_multiplier */
	char path[8192];
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/config", root, addr);
	write_file(path, cfg, sizeof(cfg));
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/resource4", root, addr);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && ftruncate(fd, (off_t)bar4_size) == 0);
	close(fd);
}

static void fake_interface(const char *addr, const char *ifname, const char *flags)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/net/%s", root, addr, ifname);
	sh("mkdir -p '%s'%s", path, "");
	strcat(path, "/flags");
	write_file(path, flags, strlen(flags));
}

static void free_hugepages(const char *text)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/kernel/mm/hugepages/hugepages-2048kB", root);
	sh("mkdir -p '%s'%s", path, "");
	strcat(path, "/free_hugepages");
	write_file(path, text, strlen(text));
}

static const char *hugetlbfs = "/mnt/huge";

static struct ixy_device *try_open(const char *addr, bool force)
{
	struct ixy_options opts = {
	    .sysfs_root = root, .force = force, .link_timeout_ms = 1, .hugetlbfs = hugetlbfs};
	return ixy_open(addr, &opts);
}

static bool error_says(const char *what)
{
	return strstr(ixy_last_error(), what) != NULL;
}

/* The device was left alone: its driver not unbound, its command register untouched. */
static bool untouched(const char *addr)
{
	char path[4300], buf[64] = {0};
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/ixgbe-%s/unbind", root, addr);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	uint8_t cmd[2];
	dev_file(path, sizeof(path), addr, "config");
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, cmd, 2, 4) == 2);
	close(fd);
	return n == 0 && cmd[0] == 0 && cmd[1] == 0;
}

/* The interface check of `addr` run as user nobody (root reads every file). */
static int check_as_nobody(const char *addr)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		_exit(pci_check_not_in_use(root, addr, false) < 0 && error_says("Permission denied") ? 0 : 1);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	return WEXITSTATUS(status);
}

struct fail_closed_row {
	const char *addr;
	const char *what; /* the fault the fake tree has */
	void (*setup)(const char *addr);
	const char *says; /* the refusal names it */
	bool force_opens; /* --force takes the device anyway (interface doubts only) */
};

static void iface_up(const char *a)
{
	fake_interface(a, "eth7", "0x1003\n");
}
static void flags_empty(const char *a)
{
	fake_interface(a, "eth1", "");
}
static void flags_newline(const char *a)
{
	fake_interface(a, "eth1", "\n");
}
static void flags_word(const char *a)
{
	fake_interface(a, "eth1", "up\n");
}
static void flags_trailing(const char *a)
{
	fake_interface(a, "eth1", "0x1002 junk\n");
}
static void flags_negative(const char *a)
{
	fake_interface(a, "eth1", "-1\n");
}
static void flags_huge(const char *a)
{
	fake_interface(a, "eth1", "0x1ffffffffffffffffffff\n");
}
static void one_of_two_up(const char *a)
{
	fake_interface(a, "eth1", "0x1002\n");
	fake_interface(a, "eth2", "0x1003\n");
}
static void flags_missing(const char *a)
{
	char p[4300];
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/net/eth1", root, a);
	sh("mkdir -p '%s'%s", p, "");
}
static void flags_directory(const char *a)
{
	char p[4300];
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/net/eth1/flags", root, a);
	sh("mkdir -p '%s'%s", p, "");
}
static void flags_loop(const char *a)
{
	char p[4300];
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/net/eth1", root, a);
	sh("mkdir -p '%s' && ln -s flags '%s/flags'", p, p);
}
static void net_loop(const char *a)
{
	char p[4300];
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s", root, a);
	sh("ln -s net '%s/net'%s", p, "");
}
static void net_file(const char *a)
{
	char p[4300];
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/net", root, a);
	write_file(p, "eth0", 4);
}
static void bar_small(const char *a)
{
	char p[4300];
	dev_file(p, sizeof(p), a, "resource0");
	CHECK(truncate(p, 4096) == 0);
}
static void bar_missing(const char *a)
{
	char p[4300];
	dev_file(p, sizeof(p), a, "resource0");
	CHECK(unlink(p) == 0);
}
static void bar_directory(const char *a)
{
	char p[4300];
	dev_file(p, sizeof(p), a, "resource0");
	CHECK(unlink(p) == 0 && mkdir(p, 0755) == 0);
}
static void driver_not_link(const char *a)
{
	char p[4300];
	dev_file(p, sizeof(p), a, "driver");
	CHECK(unlink(p) == 0 && mkdir(p, 0755) == 0);
}
static void pages_few(const char *a)
{
	(void)a;
	free_hugepages("3\n");
}
static void pages_garbage(const char *a)
{
	(void)a;
	free_hugepages("lots\n");
}
static void pages_unknown(const char *a)
{
	(void)a;
	char p[4300];
	snprintf(p, sizeof(p), "%s/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", root);
	CHECK(unlink(p) == 0);
}
static void no_hugetlbfs(const char *a)
{
	(void)a;
	hugetlbfs = "/tmp";
}

static const struct fail_closed_row rows[] = {
    {"0000:10:00.0", "interface up", iface_up, "eth7 is up", true},
    {"0000:11:00.0", "flags empty", flags_empty, "holds ''", true},
    {"0000:12:00.0", "flags only a newline", flags_newline, "holds ''", true},
    {"0000:13:00.0", "flags not a number", flags_word, "holds 'up', not interface flags", true},
    {"0000:14:00.0", "flags with trailing text", flags_trailing, "not interface flags", true},
    {"0000:15:00.0", "flags negative", flags_negative, "not interface flags", true},
    {"0000:16:00.0", "flags overflow", flags_huge, "not interface flags", true},
    {"0000:17:00.0", "flags missing", flags_missing, "No such file or directory", true},
    {"0000:18:00.0", "flags a directory", flags_directory, "flags is not a file", true},
    {"0000:19:00.0", "flags a symlink loop", flags_loop, "Too many levels of symbolic links", true},
    {"0000:1a:00.0", "net a symlink loop", net_loop, "Too many levels of symbolic links", true},
    {"0000:1b:00.0", "net a file", net_file, "Not a directory", true},
    {"0000:1d:00.0", "one of two interfaces up", one_of_two_up, "eth2 is up", true},
    {"0000:1e:00.0", "driver link not a link", driver_not_link, "which kernel driver", false},
    {"0000:1f:00.0", "BAR0 smaller than the registers", bar_small, "BAR0 is 4096 bytes", false},
    {"0000:20:00.0", "BAR0 missing", bar_missing, "BAR0 is 0 bytes", false},
    {"0000:21:00.0", "BAR0 not a file", bar_directory, "is not a file", false},
    {"0000:22:00.0", "too few free hugepages", pages_few, "3 free 2 MiB hugepages", false},
    {"0000:23:00.0", "free hugepages not a number", pages_garbage, "cannot read the number of free", false},
    {"0000:24:00.0", "free hugepages unknown", pages_unknown, "cannot read the number of free", false},
    {"0000:25:00.0", "no hugetlbfs mounted", no_hugetlbfs, "no hugetlbfs mounted at /tmp", false},
};

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_pci needs root (it checks refusals as another user)\n");
		return 1;
	}
	strcpy(root, "/tmp/ixy-test-sysfs-XXXXXX");
	CHECK(mkdtemp(root) && chmod(root, 0755) == 0);
	free_hugepages("100\n");

	fake_device("0000:03:00.0", 0x8086, 0x10FB, 0x02); /* 82599ES */
	fake_device("0000:04:00.0", 0x10EC, 0x8168, 0x02); /* Realtek NIC */
	fake_device("0000:05:00.0", 0x8086, 0x1528, 0x02); /* X540: refused, see README */
	fake_device("0000:06:00.0", 0x8086, 0x10FB, 0x01); /* storage class with an 82599 id */
	fake_device("0000:07:00.0", 0x8086, 0x10ED, 0x02); /* 82599 virtual function */
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

	/* Fail closed: one row per case. Each is refused, its message names what could not be
	 * established, and the device is left bound and untouched. */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct fail_closed_row *r = &rows[i];
		fake_device(r->addr, 0x8086, 0x10FB, 0x02);
		r->setup(r->addr);
		bool refused = !try_open(r->addr, false);
		if (!refused || !error_says(r->says) || !untouched(r->addr)) {
			fprintf(stderr, "row '%s': refused %d, error '%s', expected '%s'\n", r->what, refused,
			        ixy_last_error(), r->says);
			CHECK(0);
		}
		/* Forced, an interface doubt is only a warning: the open gets as far as the driver. */
		if (r->force_opens)
			CHECK(!try_open(r->addr, true) && error_says("does not respond") &&
			      !untouched(r->addr));
		free_hugepages("100\n");
		hugetlbfs = "/mnt/huge";
		printf("fail closed: %-36s refused\n", r->what);
	}
	/* Unreadable flags (root reads every file, so this one runs as nobody). */
	fake_device("0000:30:00.0", 0x8086, 0x10FB, 0x02);
	fake_interface("0000:30:00.0", "eth9", "0x1002\n");
	char path[4300];
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:30:00.0/net/eth9/flags", root);
	CHECK(chmod(path, 0600) == 0);
	CHECK(check_as_nobody("0000:30:00.0") == 0);
	printf("fail closed: %-36s refused\n", "flags unreadable");
	/* A path too long: under a sysfs root of 3850 bytes, net/<250-byte name>/flags passes
	 * PATH_MAX (the interface directory is made by relative steps). */
	char saved[4096];
	strcpy(saved, root);
	while (strlen(root) < 3850)
		strcat(root, "/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	fake_device("0000:31:00.0", 0x8086, 0x10FB, 0x02);
	char ifname[251];
	memset(ifname, 'i', 250);
	ifname[250] = '\0';
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:31:00.0", root);
	sh("cd '%s' && mkdir -p net/%s", path, ifname);
	CHECK(!try_open("0000:31:00.0", false) && error_says("too long") && untouched("0000:31:00.0"));
	strcpy(root, saved);
	printf("fail closed: %-36s refused\n", "flags path too long");
	/* A sysfs root so long that no device path fits. */
	char long_root[5000];
	memset(long_root, 'r', 4200);
	long_root[4200] = '\0';
	struct ixy_options lo = {.sysfs_root = long_root};
	CHECK(!ixy_open("0000:03:00.0", &lo) && error_says("too long"));

	/* A down interface, and no interface at all, are positively not in use. */
	CHECK(pci_check_not_in_use(root, "0000:09:00.0", false) == 0);
	CHECK(pci_check_not_in_use(root, "0000:03:00.0", false) == 0);
	/* A modern virtio NIC whose interface is up (like this host's own): refused before anything
	 * is unbound or written. */
	CHECK(!try_open("0000:0a:01.0", false) && error_says("ens4 is up") && error_says("force"));
	CHECK(untouched("0000:0a:01.0"));

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
	char buf[64] = {0};
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

	/* A modern virtio NIC whose interface is down: capabilities walked in the sysfs config
	 * file, BAR 4 mapped through resource4 and checked to hold every structure; this file-backed
	 * "device" offers no features, so the driver stops there, naming VERSION_1. */
	fake_virtio_modern("0000:0b:00.0", 16 * 1024);
	CHECK(!try_open("0000:0b:00.0", false) && error_says("VIRTIO_F_VERSION_1"));
	/* A BAR too small for the structures its capabilities name: refused before any access. */
	fake_virtio_modern("0000:0c:00.0", 8 * 1024);
	CHECK(!try_open("0000:0c:00.0", false) && error_says("lies outside the") && error_says("BAR4"));

	snprintf(path, sizeof(path), "rm -rf %s", root);
	CHECK(system(path) == 0);
	printf("pci: ok\n");
	return 0;
}
