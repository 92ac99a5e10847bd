/* Apps glue for the virtual 82599: spec parsing and a process-wide registry of open ports. */
#include "ixy_sim.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ixgbe_model.h"
#include "ixy/hw.h"

#define SIM_PORTS 8
#define SYNTAX                                                                                               \
	"sim:N[,loopback|,peer=M|,null][,rx-pcap=FILE[,rx-pcap-delay=MS]][,tx-pcap=FILE] with N, M in "      \
	"0..7"

struct sim_port {
	struct ixgbe_model *model;
	struct ixy_device *dev;
	struct ixy_hw_ops ops; /* must outlive dev */
	char name[16];
	int peer; /* -1: none */
};

/* Process-wide registry: one bus (IOMMU table) shared by all ports, so a forwarder can send on B
 * what it received on A. Guarded by reg_lock. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ixgbe_bus *reg_bus;
static struct sim_port *reg_ports[SIM_PORTS];
static _Thread_local char last_error[512];

static void sim_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sim_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ixy-sim: %s\n", last_error);
}

const char *ixy_sim_last_error(void)
{
	return last_error;
}

bool ixy_sim_is_spec(const char *addr)
{
	return addr && strncmp(addr, "sim:", 4) == 0;
}

static bool parse_port(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '7' || s[1] != '\0')
		return false;
	*out = s[0] - '0';
	return true;
}

struct ixy_device *ixy_sim_open(const char *spec, const struct ixy_options *opts)
{
	if (!ixy_sim_is_spec(spec)) {
		sim_error("'%s' is not a sim device; syntax: %s", spec ? spec : "(null)", SYNTAX);
		return NULL;
	}
	char buf[1024];
	if (strlen(spec) >= sizeof(buf)) {
		sim_error("sim spec too long; syntax: %s", SYNTAX);
		return NULL;
	}
	strcpy(buf, spec + 4);
	int port = -1, peer = -1;
	bool loop = false, null = false;
	const char *rx = NULL, *tx = NULL;
	unsigned long rx_delay = 0;
	char *save = NULL;
	char *tok = strtok_r(buf, ",", &save);
	if (!tok || !parse_port(tok, &port)) {
		sim_error("bad port number '%s' in '%s'; syntax: %s", tok ? tok : "", spec, SYNTAX);
		return NULL;
	}
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strcmp(tok, "loopback")) {
			loop = true;
		} else if (!strcmp(tok, "null")) {
			null = true;
		} else if (!strncmp(tok, "peer=", 5)) {
			if (!parse_port(tok + 5, &peer) || peer == port) {
				sim_error(
				    "bad option '%s' in '%s': peer must be another port 0..7; syntax: %s",
				    tok, spec, SYNTAX);
				return NULL;
			}
		} else if (!strncmp(tok, "rx-pcap=", 8) && tok[8]) {
			rx = tok + 8;
		} else if (!strncmp(tok, "rx-pcap-delay=", 14)) {
			char *end;
			rx_delay = strtoul(tok + 14, &end, 10);
			if (!tok[14] || *end || tok[14] == '-' || rx_delay > 3600000) {
				sim_error("bad option '%s' in '%s': rx-pcap-delay takes milliseconds, 0 to "
				          "3600000; syntax: %s",
				          tok, spec, SYNTAX);
				return NULL;
			}
		} else if (!strncmp(tok, "tx-pcap=", 8) && tok[8]) {
			tx = tok + 8;
		} else {
			sim_error("unknown option '%s' in '%s'; syntax: %s", tok, spec, SYNTAX);
			return NULL;
		}
	}
	if ((int)loop + (int)null + (peer >= 0) > 1) {
		sim_error("'%s': loopback, peer= and null exclude each other; syntax: %s", spec, SYNTAX);
		return NULL;
	}
	if (!null && peer < 0 && !rx && !tx)
		loop = true;
	if (rx_delay && !rx) {
		sim_error("'%s': rx-pcap-delay needs rx-pcap=FILE; syntax: %s", spec, SYNTAX);
		return NULL;
	}

	pthread_mutex_lock(&reg_lock);
	if (reg_ports[port]) {
		pthread_mutex_unlock(&reg_lock);
		sim_error("'%s': port %d is already open in this process", spec, port);
		return NULL;
	}
	if (!reg_bus && !(reg_bus = ixgbe_bus_new())) {
		pthread_mutex_unlock(&reg_lock);
		sim_error("'%s': out of memory", spec);
		return NULL;
	}
	struct sim_port *sp = calloc(1, sizeof(*sp));
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, (unsigned)port);
	if (sp)
		sp->model = ixgbe_model_new(reg_bus, &cfg);
	if (!sp || !sp->model) {
		free(sp);
		pthread_mutex_unlock(&reg_lock);
		sim_error("'%s': out of memory", spec);
		return NULL;
	}
	sp->peer = peer;
	snprintf(sp->name, sizeof(sp->name), "sim:%d", port);
	char err[400];
	if ((rx && ixgbe_model_rx_pcap(sp->model, rx, err, sizeof(err))) ||
	    (tx && ixgbe_model_tx_pcap(sp->model, tx, err, sizeof(err)))) {
		ixgbe_model_free(sp->model);
		free(sp);
		pthread_mutex_unlock(&reg_lock);
		sim_error("'%s': %s", spec, err);
		return NULL;
	}
	if (rx_delay)
		ixgbe_model_rx_pcap_delay(sp->model, (unsigned)rx_delay);
	if (loop)
		ixgbe_model_set_loopback(sp->model, true);
	if (peer >= 0 && reg_ports[peer]) {
		if (reg_ports[peer]->peer != port) {
			ixgbe_model_free(sp->model);
			free(sp);
			pthread_mutex_unlock(&reg_lock);
			sim_error("'%s': port %d is open but not cabled to port %d (give it peer=%d)", spec,
			          peer, port, port);
			return NULL;
		}
		ixgbe_model_connect(sp->model, reg_ports[peer]->model);
	}
	ixgbe_model_hw_ops(sp->model, &sp->ops, sp->name);
	reg_ports[port] = sp; /* visible to a peer opened concurrently */
	int e = ixgbe_model_start(sp->model);
	pthread_mutex_unlock(&reg_lock);
	if (e) {
		sim_error("'%s': cannot start the model thread: %s", spec, strerror(e));
		ixgbe_model_disconnect(sp->model);
		goto fail;
	}
	sp->dev = ixy_open_hw(&sp->ops, opts);
	if (!sp->dev) {
		sim_error("'%s': %s", spec, ixy_last_error());
		goto fail;
	}
	return sp->dev;
fail:
	pthread_mutex_lock(&reg_lock);
	reg_ports[port] = NULL;
	pthread_mutex_unlock(&reg_lock);
	ixgbe_model_free(sp->model);
	free(sp);
	return NULL;
}

unsigned ixy_sim_close(struct ixy_device *dev)
{
	if (!dev)
		return 0;
	struct sim_port *sp = NULL;
	int port = -1;
	pthread_mutex_lock(&reg_lock);
	for (int i = 0; i < SIM_PORTS; i++)
		if (reg_ports[i] && reg_ports[i]->dev == dev) {
			sp = reg_ports[i];
			port = i;
		}
	pthread_mutex_unlock(&reg_lock);
	if (!sp) {
		ixy_close(dev);
		return 0;
	}
	ixy_close(dev);
	ixgbe_model_stop(sp->model);
	unsigned v = ixgbe_model_violations(sp->model);
	pthread_mutex_lock(&reg_lock);
	reg_ports[port] = NULL;
	ixgbe_model_free(sp->model); /* disconnects the peer under the registry lock */
	free(sp);
	/* The bus stays for the life of the process: mempools mapped through it may outlive ports. */
	pthread_mutex_unlock(&reg_lock);
	return v;
}
