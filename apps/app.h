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
	uint64_t threads; /* --threads, 1..16 worker threads, each with its own queue(s) */
	bool size_given;
	struct ixy_options opts; /* --force sets opts.force, --vfio/--sysfs opts.platform */
	const char *user;        /* --user NAME: drop to it once set up */
	bool sandbox;            /* --sandbox: seccomp filter once set up */
	char **args;             /* the positional arguments */
};

#define APP_MAX_BATCH 512u

/* Parses argv: the long options named in `accepted` (comma-separated, from size, batch, count,
 * seconds, pcap, threads), --force, --vfio, --sysfs, --user, --sandbox and --help (-h), and
 * exactly `nargs` positional arguments (`arg_names` says which, for the error). Returns -1 to go
 * on; otherwise the exit status: 0 after --help, 2 after a usage error (both print usage()). Also
 * routes libixy's messages for an app: errors are left to the app, which prints each failure once
 * with ixy_last_error(). */
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

/* Opens a PCI address or a "sim:..." virtual 82599; prints the error and returns -1 on failure. */
int app_open(struct app_port *port, const char *addr, const struct ixy_options *opts);
/* Reads the counters into port->total. */
void app_update_stats(struct app_port *port);
/* Prints the per-second line if a second has passed since the last one. */
void app_print_rate(struct app_port *port, uint64_t now_ns);
void app_print_total(const struct app_port *port);
/* Closes the port; returns -1 (and prints why) if a virtual port saw driver errors or could not
 * write its tx-pcap file. */
int app_close(struct app_port *port);

#endif
