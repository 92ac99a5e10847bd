#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "ixy/sandbox.h"
#include "ixy/sim.h"

volatile sig_atomic_t app_stop;

const char app_common_usage[] =
    "  --vfio       open PCI devices only through VFIO (default: VFIO if bound to vfio-pci)\n"
    "  --sysfs      open PCI devices only through sysfs (root, no IOMMU protection)\n"
    "  --user NAME  become this user once the devices are open (from root)\n"
    "  --sandbox    then allow only the datapath's system calls (seccomp; see README)\n";

static void on_signal(int sig)
{
	(void)sig;
	app_stop = 1;
}

void app_handle_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

uint64_t app_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool app_parse_u64(const char *prog, const char *what, const char *s, uint64_t min, uint64_t max,
                   uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-') {
		fprintf(stderr, "%s: %s needs a number from %" PRIu64 " to %" PRIu64 "\n", prog, what, min,
		        max);
		return false;
	}
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v < min || v > max) {
		fprintf(stderr, "%s: %s '%s' is not a number from %" PRIu64 " to %" PRIu64 "\n", prog, what,
		        s, min, max);
		return false;
	}
	*out = v;
	return true;
}

/* Is `name` in the comma-separated list? */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

struct ixy_adaptive *app_idle_policy(const struct app_args *a, const struct ixy_rx_queue_ref *queues,
                                     unsigned n)
{
	if (a->poll)
		return NULL;
	struct ixy_adaptive *ad = ixy_adaptive_new(queues, n, NULL);
	if (!ad) {
		fprintf(stderr, "%s\n", ixy_last_error());
		exit(1);
	}
	return ad;
}

/* The apps report every failed call themselves, with the library's message (ixy_last_error())
 * and their context, so the library's own error lines would print each error twice. */
static void log_warnings_only(enum ixy_log_level level, const char *msg, void *ctx)
{
	if (level != IXY_LOG_ERROR)
		ixy_log_stderr(level, msg, ctx);
}

int app_parse_args(int argc, char **argv, const char *prog, const char *accepted, int nargs,
                   const char *arg_names, void (*usage)(FILE *), struct app_args *a)
{
	static const struct option all[] = {
	    {"size", required_argument, 0, 's'},  {"batch", required_argument, 0, 'b'},
	    {"count", required_argument, 0, 'c'}, {"seconds", required_argument, 0, 't'},
	    {"pcap", required_argument, 0, 'p'},  {"poll", no_argument, 0, 'P'},
	    {"force", no_argument, 0, 'f'},       {"threads", required_argument, 0, 'T'},
	    {"help", no_argument, 0, 'h'},        {"user", required_argument, 0, 'u'},
	    {"sandbox", no_argument, 0, 'x'},     {"vfio", no_argument, 0, 'V'},
	    {"sysfs", no_argument, 0, 'S'},       {"rate", required_argument, 0, 'r'},
	    {"csv", required_argument, 0, 'C'},   {"plot", required_argument, 0, 'L'},
	    {"sw-stamps", no_argument, 0, 'w'}};
	struct option longopts[sizeof(all) / sizeof(all[0]) + 1];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strchr("fhuxVS", all[i].val) || listed(accepted, all[i].name))
			longopts[n++] = all[i];
	}
	longopts[n] = (struct option){0, 0, 0, 0};
	ixy_set_log_handler(log_warnings_only, NULL);
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case 's':
			ok = app_parse_u64(prog, "--size", optarg, 60, 1514, &a->size);
			a->size_given = true;
			break;
		case 'b':
			ok = app_parse_u64(prog, "--batch", optarg, 1, APP_MAX_BATCH, &a->batch);
			break;
		case 'c':
			ok = app_parse_u64(prog, "--count", optarg, 1, UINT64_MAX, &a->count);
			break;
		case 't':
			ok = app_parse_u64(prog, "--seconds", optarg, 1, 1000000, &a->seconds);
			break;
		case 'p':
			a->pcap = optarg;
			break;
		case 'P':
			a->poll = true;
			break;
		case 'T':
			ok = app_parse_u64(prog, "--threads", optarg, 1, 16, &a->threads);
			break;
		case 'r': {
			char *end;
			a->rate = strtod(optarg, &end);
			ok =
			    optarg[0] >= '0' && optarg[0] <= '9' && !*end && a->rate > 0 && a->rate <= 100000;
			if (!ok)
				fprintf(
				    stderr,
				    "%s: --rate '%s' is not a rate in Mbit/s from 0.001 to 100000 (e.g. 2500 "
				    "or 0.5)\n",
				    prog, optarg);
			break;
		}
		case 'C':
			a->csv = optarg;
			break;
		case 'L':
			a->plot = optarg;
			break;
		case 'w':
			a->sw_stamps = true;
			break;
		case 'f':
			a->opts.force = true;
			break;
		case 'u':
			a->user = optarg;
			break;
		case 'x':
			a->sandbox = true;
			break;
		case 'V':
			a->opts.platform = IXY_PLATFORM_VFIO;
			break;
		case 'S':
			a->opts.platform = IXY_PLATFORM_SYSFS;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			ok = false;
		}
		if (!ok) {
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != nargs) {
		fprintf(stderr, "%s: expected %s, got %d argument(s)\n", prog, arg_names, argc - optind);
		usage(stderr);
		return 2;
	}
	a->args = argv + optind;
	return -1;
}

static uint16_t ip_checksum(const uint8_t *hdr, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)hdr[i] << 8 | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

void app_build_udp_frame(uint8_t *f, uint32_t size, const uint8_t src_mac[6])
{
	static const uint8_t dst_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xFF};
	memset(f, 0, size);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08; /* EtherType IPv4 */
	uint8_t *ip = f + 14;
	uint16_t ip_len = (uint16_t)(size - 14), udp_len = (uint16_t)(size - 34);
	ip[0] = 0x45; /* version 4, 20-byte header */
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[6] = 0x40; /* don't fragment */
	ip[8] = 64;   /* TTL */
	ip[9] = 17;   /* UDP */
	memcpy(ip + 12, (uint8_t[]){10, 0, 0, 1}, 4);
	memcpy(ip + 16, (uint8_t[]){10, 0, 0, 2}, 4);
	uint16_t sum = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	uint8_t *udp = ip + 20;
	udp[0] = 0;
	udp[1] = 42;
	udp[2] = 1337 >> 8;
	udp[3] = 1337 & 0xFF;
	udp[4] = (uint8_t)(udp_len >> 8);
	udp[5] = (uint8_t)udp_len; /* checksum 0: none, allowed over IPv4 (RFC 768) */
	for (uint32_t i = 42 + 4; i < size; i++)
		f[i] = (uint8_t)i;
}

void app_pacer_init(struct app_pacer *p, double rate_mbit)
{
	p->ns_per_bit = 1000.0 / rate_mbit;
	p->next_ns = (double)app_now_ns();
}

uint32_t app_pacer_due(struct app_pacer *p, const uint32_t *lens, uint32_t n)
{
	double now = (double)app_now_ns();
	if (now > p->next_ns + APP_PACER_CATCH_UP_NS)
		p->next_ns = now - APP_PACER_CATCH_UP_NS; /* a long stall is not made up */
	uint32_t due = 0;
	while (due < n && p->next_ns <= now)
		p->next_ns += p->ns_per_bit * (double)app_wire_bits(lens[due++]);
	return due;
}

void app_pacer_unsent(struct app_pacer *p, const uint32_t *lens, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		p->next_ns -= p->ns_per_bit * (double)app_wire_bits(lens[i]);
}

/* A sandboxed process ends here: what runs after exit handlers (a sanitizer's leak check)
 * needs system calls the filter forbids. */
static void end_in_sandbox(int status, void *arg)
{
	(void)arg;
	fflush(NULL);
	_exit(status);
}

int app_restrict(const struct app_args *a)
{
	if (a->user && ixy_drop_privileges(a->user) < 0) {
		fprintf(stderr, "--user %s: %s\n", a->user, ixy_last_error());
		return -1;
	}
	if (a->sandbox && ixy_enter_sandbox() < 0) {
		fprintf(stderr, "--sandbox: %s\n", ixy_last_error());
		return -1;
	}
	if (a->sandbox)
		on_exit(end_in_sandbox, NULL);
	fflush(stdout); /* stdout's buffer is set up before the filter, not inside it */
	return 0;
}

int app_open(struct app_port *port, const char *addr, const struct ixy_options *opts)
{
	memset(port, 0, sizeof(*port));
	port->name = addr;
	port->dev = ixy_open(addr, opts);
	if (!port->dev) {
		fprintf(stderr, "cannot open %s: %s\n", addr, ixy_last_error());
		return -1;
	}
	port->sim = ixy_is_virtual(port->dev);
	port->last_ns = app_now_ns();
	return 0;
}

void app_update_stats(struct app_port *port)
{
	ixy_read_stats(port->dev, &port->total);
}

static void print_rate_line(const struct app_port *port, const struct ixy_stats *a, const struct ixy_stats *b,
                            double seconds)
{
	double rx_mpps = (double)(b->rx_packets - a->rx_packets) / seconds / 1e6;
	double tx_mpps = (double)(b->tx_packets - a->tx_packets) / seconds / 1e6;
	double rx_mbit = (double)(b->rx_bytes - a->rx_bytes) * 8 / seconds / 1e6;
	double tx_mbit = (double)(b->tx_bytes - a->tx_bytes) * 8 / seconds / 1e6;
	printf("[%s] RX: %.2f Mpps, %.1f Mbit/s | TX: %.2f Mpps, %.1f Mbit/s%s\n", port->name, rx_mpps,
	       rx_mbit, tx_mpps, tx_mbit, port->sim ? " (virtual)" : "");
	fflush(stdout);
}

void app_print_rate(struct app_port *port, uint64_t now_ns)
{
	if (now_ns - port->last_ns < 1000000000u)
		return;
	app_update_stats(port);
	print_rate_line(port, &port->last, &port->total, (double)(now_ns - port->last_ns) / 1e9);
	port->last = port->total;
	port->last_ns = now_ns;
}

void app_print_total(const struct app_port *port)
{
	const struct ixy_stats *s = &port->total;
	printf("total %s rx_packets=%" PRIu64 " rx_bytes=%" PRIu64 " tx_packets=%" PRIu64 " tx_bytes=%" PRIu64
	       " rx_dropped=%" PRIu64 "\n",
	       port->name, s->rx_packets, s->rx_bytes, s->tx_packets, s->tx_bytes, s->rx_dropped);
	fflush(stdout);
}

int app_close(struct app_port *port)
{
	if (!port->dev)
		return 0;
	int ret = 0;
	if (port->sim) {
		if (ixy_sim_close(port->dev) < 0) {
			fprintf(stderr, "%s\n", ixy_last_error());
			ret = -1;
		}
	} else {
		ixy_close(port->dev);
	}
	port->dev = NULL;
	return ret;
}
