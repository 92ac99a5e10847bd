/* Virtual 82599 ports by device string: spec parsing and a process-wide registry of open ports
 * (syntax: include/ixy/sim.h). */
#include "ixy_sim.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ixgbe_model.h"
#include "ixy/hw.h"
#include "ixy/sim.h"
#include "log.h"

#define SIM_PORTS 8
#define SIM_MAX_MBIT 10000u /* the link speed the model reports (LINKS: 10G) */
#define SYNTAX                                                                                               \
	"sim:N[,loopback|,peer=M|,null][,wire=NAME][,delay=US][,rx-pcap=FILE[,rx-pcap-delay=MS]]"            \
	"[,tx-pcap=FILE][,rx-capture=FILE][,pcap-ns][,rate=unlimited|MBIT] with N, M in 0..7"
#define DELAY_MAX_US 50000u /* what the cable FIFO holds at 10 Gbit/s */

struct sim_port {
	struct ixgbe_model *model;
	struct ixy_device *dev;
	struct ixy_hw_ops ops; /* must outlive dev */
	char name[16];
	int port;
	int peer;          /* -1: none */
	bool peer_seen;    /* the peer was open at some time */
	int *close_result; /* set by ixy_sim_close(): where the close reports */
};

/* Process-wide registry: one bus (IOMMU table) shared by all ports, so a forwarder can send on B
 * what it received on A. Guarded by reg_lock. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ixgbe_bus *reg_bus;
static struct sim_port *reg_ports[SIM_PORTS];

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

/* "unlimited" -> 0; a number of Mbit/s 1..SIM_MAX_MBIT. */
static bool parse_rate(const char *s, uint32_t *mbit)
{
	if (!strcmp(s, "unlimited")) {
		*mbit = 0;
		return true;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < 1 || v > SIM_MAX_MBIT)
		return false;
	*mbit = (uint32_t)v;
	return true;
}

struct spec {
	int port, peer;
	bool loop, null, pcap_ns;
	uint32_t rate_mbit;
	unsigned rx_delay_ms;
	uint64_t delay_us;
	const char *rx, *tx, *wire, *rx_cap;
};

/* Parses spec into s (strings point into buf); ixy_error and false on a bad spec. */
static bool parse_spec(const char *spec, char *buf, size_t buflen, struct spec *s)
{
	*s = (struct spec){.port = -1, .peer = -1, .rate_mbit = SIM_MAX_MBIT};
	if (strlen(spec) >= buflen) {
		ixy_error("sim spec too long; syntax: %s", SYNTAX);
		return false;
	}
	strcpy(buf, spec + 4);
	char *save = NULL;
	char *tok = strtok_r(buf, ",", &save);
	if (!tok || !parse_port(tok, &s->port)) {
		ixy_error("bad port number '%s'; syntax: %s", tok ? tok : "", SYNTAX);
		return false;
	}
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strcmp(tok, "loopback")) {
			s->loop = true;
		} else if (!strcmp(tok, "null")) {
			s->null = true;
		} else if (!strncmp(tok, "peer=", 5)) {
			if (!parse_port(tok + 5, &s->peer) || s->peer == s->port) {
				ixy_error("bad option '%s': peer must be another port 0..7; syntax: %s", tok,
				          SYNTAX);
				return false;
			}
		} else if (!strncmp(tok, "wire=", 5) && tok[5]) {
			s->wire = tok + 5;
		} else if (!strncmp(tok, "delay=", 6)) {
			char *end;
			s->delay_us = strtoull(tok + 6, &end, 10);
			if (tok[6] < '0' || tok[6] > '9' || *end || s->delay_us > DELAY_MAX_US) {
				ixy_error(
				    "bad option '%s': the cable delay is 0 to %u microseconds; syntax: %s",
				    tok, DELAY_MAX_US, SYNTAX);
				return false;
			}
		} else if (!strncmp(tok, "rx-pcap=", 8) && tok[8]) {
			s->rx = tok + 8;
		} else if (!strncmp(tok, "rx-pcap-delay=", 14)) {
			char *end;
			errno = 0;
			unsigned long ms = strtoul(tok + 14, &end, 10);
			if (errno || !tok[14] || *end || tok[14] == '-' || ms > 3600000) {
				ixy_error("bad option '%s': rx-pcap-delay takes milliseconds, 0 to 3600000; "
				          "syntax: %s",
				          tok, SYNTAX);
				return false;
			}
			s->rx_delay_ms = (unsigned)ms;
		} else if (!strncmp(tok, "tx-pcap=", 8) && tok[8]) {
			s->tx = tok + 8;
		} else if (!strncmp(tok, "rx-capture=", 11) && tok[11]) {
			s->rx_cap = tok + 11;
		} else if (!strcmp(tok, "pcap-ns")) {
			s->pcap_ns = true;
		} else if (!strncmp(tok, "rate=", 5)) {
			if (!parse_rate(tok + 5, &s->rate_mbit)) {
				ixy_error("bad option '%s': rate is 'unlimited' or Mbit/s from 1 to %u", tok,
				          SIM_MAX_MBIT);
				return false;
			}
		} else {
			ixy_error("unknown option '%s'; syntax: %s", tok, SYNTAX);
			return false;
		}
	}
	if ((int)s->loop + (int)s->null + (s->peer >= 0) > 1) {
		ixy_error("loopback, peer= and null exclude each other; syntax: %s", SYNTAX);
		return false;
	}
	if (!s->null && s->peer < 0 && !s->rx && !s->tx && !s->wire)
		s->loop = true;
	if (s->rx_delay_ms && !s->rx) {
		ixy_error("rx-pcap-delay needs rx-pcap=FILE; syntax: %s", SYNTAX);
		return false;
	}
	return true;
}

/* The seam's close hook (ixy_close(), after the driver stopped the port): stops the model,
 * reports what went wrong, frees the port. */
static void sim_port_close(void *model)
{
	struct sim_port *sp = NULL;
	pthread_mutex_lock(&reg_lock);
	for (int i = 0; i < SIM_PORTS; i++)
		if (reg_ports[i] && reg_ports[i]->model == model)
			sp = reg_ports[i];
	pthread_mutex_unlock(&reg_lock);
	if (!sp)
		return;
	ixgbe_model_stop(sp->model);
	unsigned violations = ixgbe_model_violations(sp->model);
	char err[700];
	bool write_failed = ixgbe_model_close_pcap(sp->model, err, sizeof(err)) < 0;
	pthread_mutex_lock(&reg_lock);
	bool lonely = sp->peer >= 0 && !sp->peer_seen;
	reg_ports[sp->port] = NULL;
	ixgbe_model_free(sp->model); /* disconnects the peer under the registry lock */
	/* The bus stays for the life of the process: mempools mapped through it may outlive ports. */
	pthread_mutex_unlock(&reg_lock);
	if (lonely)
		ixy_warn("%s: its peer sim:%d was never opened, so every frame it sent went nowhere: open "
		         "sim:%d,peer=%d in the same program, or use loopback or null",
		         sp->name, sp->peer, sp->peer, sp->port);
	int result = 0;
	if (violations) {
		ixy_error("%s: the virtual 82599 saw %u driver error(s), logged as they happened", sp->name,
		          violations);
		result = -1;
	}
	if (write_failed) {
		ixy_error("%s: %s", sp->name, err);
		result = -1;
	}
	if (sp->close_result)
		*sp->close_result = result;
	free(sp);
}

struct ixy_device *ixy_sim_open(const char *spec, const struct ixy_options *opts)
{
	char buf[1024];
	struct spec s;
	if (!ixy_sim_is_spec(spec)) {
		ixy_error("'%s' is not a sim device; syntax: %s", spec ? spec : "(null)", SYNTAX);
		return NULL;
	}
	if (!parse_spec(spec, buf, sizeof(buf), &s))
		return NULL;

	pthread_mutex_lock(&reg_lock);
	if (reg_ports[s.port]) {
		pthread_mutex_unlock(&reg_lock);
		ixy_error("sim:%d is already open in this process", s.port);
		return NULL;
	}
	if (!reg_bus && !(reg_bus = ixgbe_bus_new())) {
		pthread_mutex_unlock(&reg_lock);
		ixy_error("out of memory for a virtual port");
		return NULL;
	}
	struct sim_port *sp = calloc(1, sizeof(*sp));
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, (unsigned)s.port);
	cfg.line_rate_mbit = s.rate_mbit;
	if (sp)
		sp->model = ixgbe_model_new(reg_bus, &cfg);
	if (!sp || !sp->model) {
		free(sp);
		pthread_mutex_unlock(&reg_lock);
		ixy_error("out of memory for a virtual port");
		return NULL;
	}
	sp->port = s.port;
	sp->peer = s.peer;
	snprintf(sp->name, sizeof(sp->name), "sim:%d", s.port);
	char err[700];
	ixgbe_model_pcap_ns(sp->model, s.pcap_ns);
	if ((s.rx && ixgbe_model_rx_pcap(sp->model, s.rx, err, sizeof(err))) ||
	    (s.tx && ixgbe_model_tx_pcap(sp->model, s.tx, err, sizeof(err))) ||
	    (s.rx_cap && ixgbe_model_rx_capture(sp->model, s.rx_cap, err, sizeof(err))) ||
	    (s.wire && ixgbe_model_wire(sp->model, s.wire, err, sizeof(err)))) {
		ixgbe_model_free(sp->model);
		free(sp);
		pthread_mutex_unlock(&reg_lock);
		ixy_error("%s", err);
		return NULL;
	}
	if (s.rx_delay_ms)
		ixgbe_model_rx_pcap_delay(sp->model, s.rx_delay_ms);
	if (s.loop)
		ixgbe_model_set_loopback(sp->model, true);
	ixgbe_model_set_delay(sp->model, s.delay_us * 1000u);
	if (s.peer >= 0 && reg_ports[s.peer]) {
		struct sim_port *other = reg_ports[s.peer];
		if (other->peer != s.port) {
			ixgbe_model_free(sp->model);
			free(sp);
			pthread_mutex_unlock(&reg_lock);
			ixy_error("sim:%d is open but not cabled to sim:%d (give it peer=%d)", s.peer, s.port,
			          s.port);
			return NULL;
		}
		ixgbe_model_connect(sp->model, other->model);
		sp->peer_seen = other->peer_seen = true;
	}
	ixgbe_model_hw_ops(sp->model, &sp->ops, sp->name);
	sp->ops.close = sim_port_close;
	reg_ports[s.port] = sp; /* visible to a peer opened concurrently */
	int e = ixgbe_model_start(sp->model);
	pthread_mutex_unlock(&reg_lock);
	if (e) {
		ixy_error("cannot start the thread of virtual port sim:%d: %s", s.port, strerror(e));
		goto fail;
	}
	sp->dev = ixy_open_hw(&sp->ops, opts); /* its error names the port */
	if (!sp->dev)
		goto fail;
	return sp->dev;
fail:
	pthread_mutex_lock(&reg_lock);
	reg_ports[s.port] = NULL;
	pthread_mutex_unlock(&reg_lock);
	ixgbe_model_free(sp->model);
	free(sp);
	return NULL;
}

int ixy_sim_close(struct ixy_device *dev)
{
	if (!dev)
		return 0;
	int result = 0;
	pthread_mutex_lock(&reg_lock);
	for (int i = 0; i < SIM_PORTS; i++)
		if (reg_ports[i] && reg_ports[i]->dev == dev)
			reg_ports[i]->close_result = &result;
	pthread_mutex_unlock(&reg_lock);
	ixy_close(dev); /* runs sim_port_close() for a virtual port */
	return result;
}
