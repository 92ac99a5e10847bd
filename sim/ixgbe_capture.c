/* The capture files of a virtual 82599 port: tx-pcap (frames sent, at the time their first byte
 * left) and rx-capture (frames taken from the wire, at the time their first byte arrived). A
 * failed write (full disk) is reported once, and the file keeps the whole frames written before
 * it. Model features for tests and users, not 82599 behaviour. */
#include "ixgbe_port.h"

#include <stdio.h>
#include <time.h>

/* A record's time: the model time `at` (on the wall clock) when that is real time or the wire is
 * paced; else the wall clock's now. */
static uint64_t capture_time(struct ixgbe_model *m, uint64_t at, uint64_t n)
{
	if (m->cfg.fixed_pcap_time)
		return n * 1000u; /* record n at 0 s + n us */
	if (m->cfg.line_rate_mbit || !sim_clock_stepped(m->clock))
		return sim_clock_wall_ns(m->clock, at);
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int ixgbe_capture_open(struct ixgbe_model *m, struct capture *c, const char *what, const char *path,
                       char *err, size_t errlen)
{
	char why[600];
	if (c->on)
		pcap_writer_close(&c->w);
	*c = (struct capture){.what = what};
	int ret = pcap_writer_open_res(&c->w, path, m->pcap_ns, why, sizeof(why));
	c->on = ret == 0;
	if (ret < 0)
		snprintf(err, errlen, "%s: %s", what, why);
	return ret;
}

void ixgbe_capture_add(struct ixgbe_model *m, struct capture *c, const uint8_t *d, uint32_t len, uint64_t at)
{
	if (!c->on || c->failed)
		return;
	if (pcap_writer_add(&c->w, d, len, capture_time(m, at, c->n++)) < 0) {
		char err[600];
		pcap_writer_error(&c->w, err, sizeof(err));
		ixy_warn("%s: %s: %s; later frames are not recorded", m->name, c->what, err);
		c->failed = true;
	}
}

int ixgbe_capture_close(struct capture *c, char *err, size_t errlen)
{
	int ret = 0;
	if (c->on && pcap_writer_close(&c->w) < 0) {
		char why[600];
		pcap_writer_error(&c->w, why, sizeof(why));
		snprintf(err, errlen, "%s: %s", c->what, why);
		ret = -1;
	}
	c->on = false;
	return ret;
}
