/* What the apps share: opening real or virtual ports, signals, statistics output. */
#ifndef IXY_APP_H
#define IXY_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ixy/ixy.h"

struct app_port {
	struct ixy_device *dev;
	const char *name;
	bool sim;
	struct ixy_stats total;
	struct ixy_stats last;
	uint64_t last_ns;
};

/* The command-line options the apps share. Fields keep the caller's defaults unless given. */
struct app_args {
	uint64_t size;    /* --size, frame bytes 60..1514 */
	uint64_t batch;   /* --batch, 1..APP_MAX_BATCH */
	uint64_t count;   /* --count, 0 = no limit */
	uint64_t seconds; /* --seconds, 0 = no limit */
	const char *pcap; /* --pcap FILE */
	double rate;      /* --rate, Mbit/s on the wire (with preamble, SFD, gap); 0 = as fast as possible */
	const char *csv;  /* --csv FILE */
	const char *plot; /* --plot FILE */
	bool sw_stamps;   /* --sw-stamps */
	bool poll;        /* --poll: spin on the rings, never wait for interrupts */
	uint64_t threads; /* --threads, 1..16 worker threads, each with its own queue(s) */
	bool size_given;
	struct ixy_options opts; /* --force sets opts.force, --vfio/--sysfs opts.platform */
	const char *user;        /* --user NAME: drop to it once set up */
	bool sandbox;            /* --sandbox: seccomp filter once set up */
	char **args;             /* the positional arguments */
};

#define APP_MAX_BATCH 512u

/* Parses argv: the long options named in `accepted` (comma-separated, from size, batch, count,
 * seconds, pcap, poll, threads, rate, csv, plot, sw-stamps), --force, --vfio, --sysfs, --user,
 * --sandbox and --help (-h), and exactly `nargs` positional arguments (`arg_names` says which,
 * for the error). Returns -1 to go on; otherwise the exit status: 0 after --help, 2 after a usage
 * error (both print usage()). Also routes libixy's messages for an app: errors are left to the
 * app, which prints each failure once with ixy_last_error(). */
int app_parse_args(int argc, char **argv, const char *prog, const char *accepted, int nargs,
                   const char *arg_names, void (*usage)(FILE *), struct app_args *a);

/* The usage lines of the options every app takes (--vfio, --sysfs, --user, --sandbox). */
extern const char app_common_usage[];

/* --user and --sandbox, once every device is open and every pool allocated. Prints the error
 * and returns -1 on failure. */
int app_restrict(const struct app_args *a);

/* Set by SIGINT/SIGTERM. */
extern volatile sig_atomic_t app_stop;
void app_handle_signals(void);
uint64_t app_now_ns(void);
/* Parses a decimal number in [min, max]; prints "<prog>: <what> ..." and returns false if not. */
bool app_parse_u64(const char *prog, const char *what, const char *s, uint64_t min, uint64_t max,
                   uint64_t *out);

/* Ethernet / IPv4 / UDP, 10.0.0.1:42 -> 10.0.0.2:1337 to 02:00:00:00:00:FF, `size` bytes; the
 * payload (from byte 42) starts with a 32-bit sequence number (0 here). */
void app_build_udp_frame(uint8_t *f, uint32_t size, const uint8_t src_mac[6]);

/* Wire bits of a frame of `len` bytes (without CRC) on Ethernet: the frame, padded to 60, plus
 * CRC (4), preamble and SFD (8) and the inter-frame gap (12). */
static inline uint64_t app_wire_bits(uint32_t len)
{
	return ((uint64_t)(len < 60 ? 60 : len) + 24) * 8;
}

/* Software pacing for drivers without a rate limiter: frames go out when the CLOCK_MONOTONIC
 * schedule (on x86 read from the TSC through the vDSO) says so. After a stall (the app was
 * descheduled, or the device stopped draining the TX ring) the frames that fell due go out as
 * fast as the NIC takes them, up to 100 ms of them: exact on average, but not frame by frame. */
#define APP_PACER_CATCH_UP_NS 100e6
struct app_pacer {
	double ns_per_bit; /* 1000 / rate in Mbit/s */
	double next_ns;    /* when the next frame is due (CLOCK_MONOTONIC) */
};
void app_pacer_init(struct app_pacer *p, double rate_mbit);
/* How many of the frames lens[0..n) are due now; books them. */
uint32_t app_pacer_due(struct app_pacer *p, const uint32_t *lens, uint32_t n);
/* Unbooks the last n frames booked, lens[0..n), which were not sent after all (a full TX ring):
 * they are due again, so a device that stops draining for a while costs no rate. */
void app_pacer_unsent(struct app_pacer *p, const uint32_t *lens, uint32_t n);

/* Opens a PCI address or a "sim:..." virtual 82599; prints the error and returns -1 on failure. */
int app_open(struct app_port *port, const char *addr, const struct ixy_options *opts);
/* Reads the counters into port->total. */
void app_update_stats(struct app_port *port);
/* Prints the per-second line if a second has passed since the last one. */
void app_print_rate(struct app_port *port, uint64_t now_ns);
void app_print_total(const struct app_port *port);
/* The receive loop's idle policy: NULL with --poll (spin), else adaptive mode over the queues
 * (waits for interrupts while traffic is slow). Prints the error and exits on failure. */
struct ixy_adaptive *app_idle_policy(const struct app_args *a, const struct ixy_rx_queue_ref *queues,
                                     unsigned n);
/* Closes the port; returns -1 (and prints why) if a virtual port saw driver errors or could not
 * write its tx-pcap file. */
int app_close(struct app_port *port);

#endif
