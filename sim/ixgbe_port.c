/* A virtual 82599 port: construction, its wires (loopback, peer, pcap, inject, capture), the
 * step that runs its DMA engines and the thread that repeats it, and its violation log. */
#include "ixgbe_port.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_once_t regs_once = PTHREAD_ONCE_INIT;

/* Delivers the frames waiting in the packet buffer as far as the Rx rings take them. */
static unsigned rx_drain(struct ixgbe_model *m, bool *empty)
{
	unsigned work = 0;
	pthread_mutex_lock(&m->in.lock);
	while (m->in.count) {
		struct frame *f = &m->in.slots[m->in.head];
		if (!ixgbe_rx_frame(m, f->data, f->len, f->bad_fcs, false))
			break;
		fifo_pop(&m->in);
		work++;
	}
	*empty = m->in.count == 0;
	pthread_mutex_unlock(&m->in.lock);
	return work;
}

/* Rx and Tx DMA run side by side, as on the device: with the port's Tx looped back into its own
 * packet buffer, one packet from each running Tx queue, then the buffer drains into Rx, and
 * again, so a burst larger than the packet buffer is not missed while Rx descriptors are free.
 * Otherwise Tx feeds another wire and runs in one go. A paced wire (cfg.line_rate_mbit) stops
 * Tx and the rx-pcap source until the last frame has left. */
static unsigned step_locked(struct ixgbe_model *m)
{
	unsigned work = 0, sent;
	unsigned budget = m->peer == m ? 1 : UINT_MAX;
	bool idle_in;
	if (in_reset(m))
		return 0;
	m->pace_until_ps = 0;
	if (m->cfg.line_rate_mbit && !m->manual_clock)
		m->now_ps = wire_now_ps();
	do {
		sent = 0;
		for (unsigned w = 0; w < 2; w++)
			for (uint64_t bits = m->tx_running[w]; bits; bits &= bits - 1)
				sent += ixgbe_tx_queue(m, w * 64 + (unsigned)__builtin_ctzll(bits), budget);
		work += sent + rx_drain(m, &idle_in);
	} while (sent);
	/* Lossless pcap source: a frame is consumed only once ixgbe_rx_frame() took it. Frames of
	 * 14 to 59 bytes arrive padded with zeros to 60, as the sending MAC pads them (IEEE 802.3
	 * minimum frame: 64 bytes with the FCS). */
	while (idle_in && m->pcap_in_next < m->pcap_in.count) {
		if (!wire_clock_ready(&m->rx_wire, m->now_ps)) {
			ixgbe_pace_wait(m, m->rx_wire.free_ps); /* its sender paces itself too */
			break;
		}
		const struct pcap_frame *f = &m->pcap_in.frames[m->pcap_in_next];
		const uint8_t *d = f->data;
		uint32_t len = f->len;
		uint8_t padded[60] = {0};
		if (len < sizeof(padded)) {
			memcpy(padded, d, len);
			d = padded;
			len = sizeof(padded);
		}
		if (!ixgbe_rx_frame(m, d, len, false, true))
			break;
		wire_clock_take(&m->rx_wire, m->now_ps, len);
		m->pcap_in_next++;
		work++;
	}
	return work;
}

unsigned ixgbe_model_step(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	unsigned w = step_locked(m);
	pthread_mutex_unlock(&m->lock);
	return w;
}

void ixgbe_pace_wait(struct ixgbe_model *m, uint64_t until_ps)
{
	if (!m->pace_until_ps || until_ps < m->pace_until_ps)
		m->pace_until_ps = until_ps;
}

void ixgbe_model_set_clock(struct ixgbe_model *m, uint64_t now_ps)
{
	pthread_mutex_lock(&m->lock);
	m->manual_clock = true;
	m->now_ps = now_ps;
	pthread_mutex_unlock(&m->lock);
}

static void *model_thread(void *arg)
{
	struct ixgbe_model *m = arg;
	unsigned idle = 0;
	while (!atomic_load_explicit(&m->stop, memory_order_relaxed)) {
		if (ixgbe_model_step(m)) {
			idle = 0;
			continue;
		}
		/* A frame waits for a paced wire: spin if it is due within 100 us (10 Gbit/s: at most
		 * 1.2 us), else sleep until shortly before, at most 1 ms (frames may arrive). */
		uint64_t until = m->pace_until_ps;
		if (until) {
			idle = 0;
			uint64_t now = wire_now_ps();
			if (until > now + 100000000u) {
				uint64_t ns = (until - now) / 1000u - 50000u;
				struct timespec ts = {0, (long)(ns < 1000000u ? ns : 1000000u)};
				nanosleep(&ts, NULL);
			}
			continue;
		}
		if (++idle > 64) {
			struct timespec ts = {0, 20000};
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

int ixgbe_model_start(struct ixgbe_model *m)
{
	if (m->thread_on)
		return 0;
	atomic_store(&m->stop, false);
	int e = pthread_create(&m->thread, NULL, model_thread, m);
	if (!e)
		m->thread_on = true;
	return e;
}

void ixgbe_model_stop(struct ixgbe_model *m)
{
	if (!m->thread_on)
		return;
	atomic_store(&m->stop, true);
	pthread_join(m->thread, NULL);
	m->thread_on = false;
}

/* ---- construction, wires ---- */
void ixgbe_model_default_config(struct ixgbe_model_config *cfg, unsigned port)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = port;
	const uint8_t mac[6] = {0x02, 0, 0, 0, 0, (uint8_t)port};
	memcpy(cfg->mac, mac, 6);
	cfg->reset_reads = 2;
	cfg->eeprom_reads = 2;
	cfg->dmainit_reads = 2;
	cfg->enable_reads = 2;
	cfg->link_reads = 4;
	cfg->check_secrx = true;
	cfg->stuck_master = false;
	cfg->sfp_cage_empty = false;
	cfg->lesm_firmware = false;
}

struct ixgbe_model *ixgbe_model_new(struct ixgbe_bus *bus, const struct ixgbe_model_config *cfg)
{
	pthread_once(&regs_once, ixgbe_regs_init);
	struct ixgbe_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->bus = bus;
	m->cfg = *cfg;
	snprintf(m->name, sizeof(m->name), "sim:%u", cfg->port);
	snprintf(m->who, sizeof(m->who), "ixgbe-model[%s]", m->name);
	rule_log_init(&m->log, m->who, cfg->quiet, ixgbe_rules, IXGBE_NRULES);
	m->tx_wire.rate_mbit = m->rx_wire.rate_mbit = cfg->line_rate_mbit;
	struct timespec mono, real;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	m->realtime_offset_ns = ((int64_t)real.tv_sec - (int64_t)mono.tv_sec) * 1000000000 +
	                        ((int64_t)real.tv_nsec - (int64_t)mono.tv_nsec);
	pthread_mutex_init(&m->lock, NULL);
	fifo_init(&m->in);
	fifo_init(&m->cap);
	m->cap.limit = (size_t)64 << 20;
	ixgbe_regs_reset(m);
	/* Power-on reset and EEPROM auto-read have finished by the time software looks. */
	m->rst_done = m->ard_due = m->dmai_due = 0;
	return m;
}

void ixgbe_model_disconnect(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	struct ixgbe_model *p = m->peer;
	m->peer = NULL;
	pthread_mutex_unlock(&m->lock);
	if (p && p != m) {
		pthread_mutex_lock(&p->lock);
		if (p->peer == m)
			p->peer = NULL;
		pthread_mutex_unlock(&p->lock);
	}
}

void ixgbe_model_set_sfp_cage(struct ixgbe_model *m, bool full)
{
	pthread_mutex_lock(&m->lock);
	m->cfg.sfp_cage_empty = !full;
	pthread_mutex_unlock(&m->lock);
}

void ixgbe_model_firmware_hold_mac_csr(struct ixgbe_model *m, unsigned reads)
{
	pthread_mutex_lock(&m->lock);
	m->fw_hold_end = m->reads + reads;
	pthread_mutex_unlock(&m->lock);
}

void ixgbe_model_set_loopback(struct ixgbe_model *m, bool on)
{
	ixgbe_model_disconnect(m);
	pthread_mutex_lock(&m->lock);
	m->peer = on ? m : NULL;
	pthread_mutex_unlock(&m->lock);
}

void ixgbe_model_connect(struct ixgbe_model *a, struct ixgbe_model *b)
{
	ixgbe_model_disconnect(a);
	ixgbe_model_disconnect(b);
	pthread_mutex_lock(&a->lock);
	a->peer = b;
	pthread_mutex_unlock(&a->lock);
	pthread_mutex_lock(&b->lock);
	b->peer = a;
	pthread_mutex_unlock(&b->lock);
}

/* Both open in place: the pcap module keeps the address of an open reader or writer. */
int ixgbe_model_rx_pcap(struct ixgbe_model *m, const char *path, char *err, size_t errlen)
{
	char why[600];
	pthread_mutex_lock(&m->lock);
	pcap_frames_free(&m->pcap_in);
	m->pcap_in_next = 0;
	int ret = pcap_read_all(&m->pcap_in, path, why, sizeof(why));
	pthread_mutex_unlock(&m->lock);
	if (ret < 0)
		snprintf(err, errlen, "rx-pcap: %s", why);
	return ret;
}

int ixgbe_model_tx_pcap(struct ixgbe_model *m, const char *path, char *err, size_t errlen)
{
	char why[600];
	pthread_mutex_lock(&m->lock);
	if (m->pcap_out_on)
		pcap_writer_close(&m->pcap_out);
	m->pcap_out_failed = false;
	m->pcap_out_n = 0;
	int ret = pcap_writer_open(&m->pcap_out, path, why, sizeof(why));
	m->pcap_out_on = ret == 0;
	pthread_mutex_unlock(&m->lock);
	if (ret < 0)
		snprintf(err, errlen, "tx-pcap: %s", why);
	return ret;
}

int ixgbe_model_close_pcap(struct ixgbe_model *m, char *err, size_t errlen)
{
	pthread_mutex_lock(&m->lock);
	int ret = 0;
	if (m->pcap_out_on && pcap_writer_close(&m->pcap_out) < 0) {
		char why[600];
		pcap_writer_error(&m->pcap_out, why, sizeof(why));
		snprintf(err, errlen, "tx-pcap: %s", why);
		ret = -1;
	}
	m->pcap_out_on = false;
	pcap_frames_free(&m->pcap_in);
	m->pcap_in_next = 0;
	pthread_mutex_unlock(&m->lock);
	return ret;
}

bool ixgbe_model_rx_pcap_done(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	bool d = m->pcap_in_next == m->pcap_in.count;
	pthread_mutex_unlock(&m->lock);
	return d;
}

bool ixgbe_model_inject(struct ixgbe_model *m, const void *frame, size_t len)
{
	if (len > WIRE_MAX_FRAME)
		return false;
	return fifo_offer(&m->in, frame, (uint32_t)len, false);
}

void ixgbe_model_capture(struct ixgbe_model *m, bool on)
{
	pthread_mutex_lock(&m->lock);
	m->capture_on = on;
	pthread_mutex_unlock(&m->lock);
}

size_t ixgbe_model_captured(struct ixgbe_model *m, void *buf, size_t cap)
{
	size_t len = 0;
	pthread_mutex_lock(&m->cap.lock);
	if (m->cap.count) {
		struct frame *f = &m->cap.slots[m->cap.head];
		len = f->len;
		memcpy(buf, f->data, len < cap ? len : cap);
		fifo_pop(&m->cap);
	}
	pthread_mutex_unlock(&m->cap.lock);
	return len;
}

void ixgbe_model_free(struct ixgbe_model *m)
{
	if (!m)
		return;
	ixgbe_model_stop(m);
	ixgbe_model_disconnect(m);
	char err[16];
	ixgbe_model_close_pcap(m, err, sizeof(err)); /* a caller who wants the result closed it */
	rule_log_free(&m->log);
	fifo_destroy(&m->in);
	fifo_destroy(&m->cap);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

unsigned ixgbe_model_violations(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	unsigned n = m->log.nviol;
	pthread_mutex_unlock(&m->lock);
	return n;
}

bool ixgbe_model_violation(struct ixgbe_model *m, unsigned i, char *buf, size_t len)
{
	pthread_mutex_lock(&m->lock);
	bool ok = rule_message(&m->log, i, buf, len);
	pthread_mutex_unlock(&m->lock);
	return ok;
}

unsigned ixgbe_model_count_matching(struct ixgbe_model *m, const char *needle)
{
	pthread_mutex_lock(&m->lock);
	unsigned n = rule_count_matching(&m->log, needle);
	pthread_mutex_unlock(&m->lock);
	return n;
}

unsigned ixgbe_model_rule_count(struct ixgbe_model *m, enum ixgbe_rule rule)
{
	pthread_mutex_lock(&m->lock);
	unsigned n = rule_count(&m->log, (unsigned)rule);
	pthread_mutex_unlock(&m->lock);
	return n;
}

unsigned ixgbe_model_warnings(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	unsigned n = m->log.nwarn;
	pthread_mutex_unlock(&m->lock);
	return n;
}

void ixgbe_model_clear_violations(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	rule_log_clear(&m->log);
	pthread_mutex_unlock(&m->lock);
}
