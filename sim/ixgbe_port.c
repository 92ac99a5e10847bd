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

/* The MAC takes a frame from the wire: ixgbe_rx_frame(), and the rx-capture record once it is
 * consumed (a lossless source's frame may have to wait). */
static int rx_take(struct ixgbe_model *m, const uint8_t *d, uint32_t len, bool bad_fcs, bool lossless,
                   uint64_t at)
{
	int took = ixgbe_rx_frame(m, d, len, bad_fcs, lossless, at);
	if (took)
		ixgbe_capture_add(m, &m->rx_cap, d, len, at);
	return took;
}

/* Delivers the frames waiting on a delaying cable (or from a socket wire) and in the packet
 * buffer as far as the Rx rings take them, each once its last byte has arrived. */
static unsigned rx_drain(struct ixgbe_model *m, bool *empty)
{
	unsigned work = 0;
	if (socket_wire_on(&m->sock))
		work += socket_wire_receive(&m->sock, &m->cable, m->scratch);
	/* The cable's lock is a leaf: the frame is copied out before the packet buffer is taken. */
	for (;;) {
		pthread_mutex_lock(&m->cable.lock);
		struct frame *f = m->cable.count ? &m->cable.slots[m->cable.head] : NULL;
		if (!f || !time_reached(m, frame_end(m, f->at, f->len))) {
			pthread_mutex_unlock(&m->cable.lock);
			break;
		}
		uint32_t len = f->len;
		bool bad = f->bad_fcs;
		uint64_t at = f->at;
		memcpy(m->scratch, f->data, len);
		fifo_pop(&m->cable);
		pthread_mutex_unlock(&m->cable.lock);
		fifo_offer(&m->in, m->scratch, len, bad, at);
		work++;
	}
	pthread_mutex_lock(&m->in.lock);
	while (m->in.count) {
		struct frame *f = &m->in.slots[m->in.head];
		if (!time_reached(m, frame_end(m, f->at, f->len)) ||
		    !rx_take(m, f->data, f->len, f->bad_fcs, false, f->at))
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
 * Otherwise Tx feeds another wire and runs in one go. A frame due later than the model time
 * (a paced wire, the rate limiter, a cable) stays where it is until then. */
static unsigned step_locked(struct ixgbe_model *m)
{
	unsigned work = 0, sent;
	unsigned budget = m->peer == m ? 1 : UINT_MAX;
	bool idle_in;
	ixgbe_irq_tick(m);
	if (in_reset(m))
		return 0;
	m->pace_until = 0;
	if (!sim_clock_stepped(m->clock))
		m->now = sim_clock_now(m->clock);
	do {
		sent = 0;
		for (unsigned w = 0; w < 2; w++)
			for (uint64_t bits = m->tx_running[w]; bits; bits &= bits - 1) {
				unsigned n = w * 64 + (unsigned)__builtin_ctzll(bits);
				unsigned done = ixgbe_tx_queue(m, n, budget);
				if (done)
					ixgbe_irq_cause(m, n, true); /* descriptors completed (DS 7.3.4) */
				sent += done;
			}
		work += sent + rx_drain(m, &idle_in);
	} while (sent);
	/* Lossless pcap source: a frame is consumed only once ixgbe_rx_frame() took it. Frames of
	 * 14 to 59 bytes arrive padded with zeros to 60, as the sending MAC pads them (IEEE 802.3
	 * minimum frame: 64 bytes with the FCS). Its sender paces itself like our transmitter. It
	 * starts pcap_delay_ns after the first step (rx-pcap-delay). */
	if (m->pcap_in.count && !m->pcap_start_known) {
		m->pcap_start_ns = ixgbe_irq_time_ns(m) + m->pcap_delay_ns;
		m->pcap_start_known = true;
	}
	while (idle_in && m->pcap_in_next < m->pcap_in.count && ixgbe_irq_time_ns(m) >= m->pcap_start_ns) {
		uint64_t now = model_now(m);
		uint64_t start = m->rx_wire_free ? wire_start(m->rx_wire_free, now) : now;
		if (!time_reached(m, start))
			break;
		const struct pcap_frame *f = &m->pcap_in.frames[m->pcap_in_next];
		const uint8_t *d = f->data;
		uint32_t len = f->len;
		uint8_t padded[60] = {0};
		if (len < sizeof(padded)) {
			memcpy(padded, d, len);
			d = padded;
			len = sizeof(padded);
		}
		if (!rx_take(m, d, len, false, true, start))
			break;
		m->rx_wire_free = start + wire_ticks(m, len);
		m->pcap_in_next++;
		work++;
	}
	ixgbe_irq_deliver(m);
	return work;
}

unsigned ixgbe_model_step(struct ixgbe_model *m)
{
	pthread_mutex_lock(&m->lock);
	unsigned w = step_locked(m);
	pthread_mutex_unlock(&m->lock);
	return w;
}

void ixgbe_model_set_clock(struct ixgbe_model *m, uint64_t now_ps)
{
	sim_clock_set(m->clock, now_ps / SIM_PS_PER_TICK);
}

static void *model_thread(void *arg)
{
	struct ixgbe_model *m = arg;
	unsigned idle = 0;
	while (!atomic_load_explicit(&m->stop, memory_order_relaxed)) {
		/* pace_until is read under the lock: ixgbe_model_step() may run in another thread. */
		pthread_mutex_lock(&m->lock);
		unsigned work = step_locked(m);
		uint64_t until = m->pace_until;
		pthread_mutex_unlock(&m->lock);
		if (work) {
			idle = 0;
			continue;
		}
		/* A frame waits for its time: spin if it is due within 100 us (10 Gbit/s: at most
		 * 1.2 us), else sleep until shortly before, at most 1 ms (frames may arrive). */
		if (until) {
			idle = 0;
			uint64_t now = sim_clock_now(m->clock);
			if (until > now + 100000u * SIM_TICKS_PER_NS) {
				uint64_t ns = (until - now) / SIM_TICKS_PER_NS - 50000u;
				struct timespec ts = {0, (long)(ns < 1000000u ? ns : 1000000u)};
				nanosleep(&ts, NULL);
			}
			continue;
		}
		/* Idle: spin a little, then sleep 20 us, and 1 ms once idle for about 500 sleeps, so an
		 * idle port costs the process next to nothing (frames then wait up to 1 ms). */
		if (++idle > 64) {
			struct timespec ts = {0, idle > 64 + 500 ? 1000000 : 20000};
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
	sim_clock_realtime(m->clock);
	pthread_mutex_lock(&m->lock);
	m->realtime = true;
	pthread_mutex_unlock(&m->lock);
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
	/* Back to step mode: model time goes on from the clock's value. */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_mutex_lock(&m->lock);
	m->now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	m->realtime = false;
	pthread_mutex_unlock(&m->lock);
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
	cfg->step_ns = 1000;
}

struct ixgbe_model *ixgbe_model_new(struct ixgbe_bus *bus, const struct ixgbe_model_config *cfg)
{
	pthread_once(&regs_once, ixgbe_regs_init);
	struct ixgbe_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->bus = bus;
	m->clock = ixgbe_bus_clock(bus);
	m->sock.fd = m->sock.conn = -1;
	m->cfg = *cfg;
	snprintf(m->name, sizeof(m->name), "sim:%u", cfg->port);
	snprintf(m->who, sizeof(m->who), "ixgbe-model[%s]", m->name);
	rule_log_init(&m->log, m->who, cfg->quiet, ixgbe_rules, IXGBE_NRULES);
	pthread_mutex_init(&m->lock, NULL);
	fifo_init(&m->in);
	fifo_init(&m->cap);
	fifo_init(&m->cable);
	m->cap.limit = (size_t)64 << 20;
	m->cable.limit = (size_t)64 << 20; /* 50 ms of a 10 Gbit/s cable */
	for (unsigned v = 0; v < IRQ_VECTORS; v++)
		m->irq_fd[v] = -1;
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
	m->pcap_start_known = false;
	int ret = pcap_read_all(&m->pcap_in, path, why, sizeof(why));
	pthread_mutex_unlock(&m->lock);
	if (ret < 0)
		snprintf(err, errlen, "rx-pcap: %s", why);
	return ret;
}

int ixgbe_model_tx_pcap(struct ixgbe_model *m, const char *path, char *err, size_t errlen)
{
	pthread_mutex_lock(&m->lock);
	int ret = ixgbe_capture_open(m, &m->tx_pcap, "tx-pcap", path, err, errlen);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int ixgbe_model_rx_capture(struct ixgbe_model *m, const char *path, char *err, size_t errlen)
{
	pthread_mutex_lock(&m->lock);
	int ret = ixgbe_capture_open(m, &m->rx_cap, "rx-capture", path, err, errlen);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

void ixgbe_model_pcap_ns(struct ixgbe_model *m, bool on)
{
	pthread_mutex_lock(&m->lock);
	m->pcap_ns = on;
	pthread_mutex_unlock(&m->lock);
}

int ixgbe_model_close_pcap(struct ixgbe_model *m, char *err, size_t errlen)
{
	pthread_mutex_lock(&m->lock);
	int ret = ixgbe_capture_close(&m->tx_pcap, err, errlen);
	if (ixgbe_capture_close(&m->rx_cap, err, ret ? 0 : errlen) < 0)
		ret = -1;
	pcap_frames_free(&m->pcap_in);
	m->pcap_in_next = 0;
	pthread_mutex_unlock(&m->lock);
	return ret;
}

void ixgbe_model_rx_pcap_delay(struct ixgbe_model *m, unsigned ms)
{
	pthread_mutex_lock(&m->lock);
	m->pcap_delay_ns = (uint64_t)ms * 1000000u;
	m->pcap_start_known = false;
	pthread_mutex_unlock(&m->lock);
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
	return fifo_offer(&m->in, frame, (uint32_t)len, false, sim_clock_now(m->clock));
}

uint64_t ixgbe_model_time(struct ixgbe_model *m)
{
	return sim_clock_now(m->clock);
}

void ixgbe_model_advance(struct ixgbe_model *m, uint64_t ticks)
{
	sim_clock_reach(m->clock, sim_clock_now(m->clock) + ticks);
}

void ixgbe_model_set_delay(struct ixgbe_model *m, uint64_t ns)
{
	pthread_mutex_lock(&m->lock);
	m->delay = ns * SIM_TICKS_PER_NS;
	pthread_mutex_unlock(&m->lock);
}

int ixgbe_model_wire(struct ixgbe_model *m, const char *name, char *err, size_t errlen)
{
	pthread_mutex_lock(&m->lock);
	socket_wire_close(&m->sock);
	int r = socket_wire_open(&m->sock, name, err, errlen);
	pthread_mutex_unlock(&m->lock);
	return r;
}

void ixgbe_model_capture(struct ixgbe_model *m, bool on)
{
	pthread_mutex_lock(&m->lock);
	m->capture_on = on;
	pthread_mutex_unlock(&m->lock);
}

size_t ixgbe_model_captured(struct ixgbe_model *m, void *buf, size_t cap)
{
	return ixgbe_model_captured_at(m, buf, cap, NULL);
}

size_t ixgbe_model_captured_at(struct ixgbe_model *m, void *buf, size_t cap, uint64_t *at)
{
	size_t len = 0;
	pthread_mutex_lock(&m->cap.lock);
	if (m->cap.count) {
		struct frame *f = &m->cap.slots[m->cap.head];
		len = f->len;
		if (at)
			*at = f->at;
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
	socket_wire_close(&m->sock);
	rule_log_free(&m->log);
	fifo_destroy(&m->in);
	fifo_destroy(&m->cap);
	fifo_destroy(&m->cable);
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
