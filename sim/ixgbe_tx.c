/* The Tx engine of the virtual 82599 (DS 7.2): fetches whole packets from a running queue,
 * checks the descriptors, puts the frame on the wire (CRC insert, padding) and writes back. */
#include "ixgbe_port.h"

#include <string.h>

/* A transmitted frame, whose first byte left at model time `at`, leaves the port: into the
 * tx-pcap file, the capture queue and the packet buffer of the peer (itself for loopback), where
 * a full buffer counts it as missed. A cable with a delay holds it in the peer's cable FIFO
 * first; a socket wire sends it to the other process. */
static void wire_out(struct ixgbe_model *m, const uint8_t *d, uint32_t len, bool bad_fcs, uint64_t at)
{
	ixgbe_capture_add(m, &m->tx_pcap, d, len, at);
	if (m->capture_on) {
		pthread_mutex_lock(&m->cap.lock);
		fifo_push(&m->cap, d, len, bad_fcs, at);
		pthread_mutex_unlock(&m->cap.lock);
	}
	if (m->peer)
		fifo_offer(m->delay ? &m->peer->cable : &m->peer->in, d, len, bad_fcs, at + m->delay);
	if (socket_wire_on(&m->sock))
		socket_wire_send(&m->sock, d, len, bad_fcs, at + m->delay);
}

/* Write-back format (DS 7.2.3.2.4; docs/82599.md): bytes 0-7 are reserved afterwards, so the buffer address
 * is overwritten with a poison pattern (a driver reading addresses back from the ring breaks); DD is bit 0 of
 * byte 12, stored last with release order. */
#define TX_WB_POISON 0xDEADBEEFDEADBEEFull
static void tx_writeback(struct queue *q, uint32_t idx)
{
	uint8_t *desc = q->ring + 16 * idx;
	uint64_t poison = TX_WB_POISON;
	memcpy(desc, &poison, 8);
	__atomic_fetch_or(desc + 12, (uint8_t)1, __ATOMIC_RELEASE); /* DD */
}

void ixgbe_tx_flush_wb(struct queue *q)
{
	if (!q->ring || !q->size)
		return;
	while (q->wb_count) {
		tx_writeback(q, q->wb_next);
		q->wb_next = (q->wb_next + 1) % q->size;
		q->wb_count--;
	}
}

unsigned ixgbe_tx_queue(struct ixgbe_model *m, unsigned n, unsigned max_packets)
{
	struct queue *q = &m->txq[n];
	uint32_t b = txq_base(n);
	uint32_t ctl = *reg(m, b + Q_CTL);
	if (!q_running(m, q, ctl) || !q->ring || !(*reg(m, R_DMATXCTL) & DMATXCTL_TE) ||
	    (*reg(m, R_RTTDCS) & RTTDCS_ARBDIS)) /* Tx arbiter off: nothing fetched (DS 4.6.8) */
		return 0;
	unsigned work = 0, packets = 0;
	uint32_t wthresh = (ctl >> 16) & 0x7F;
	uint32_t hl = *reg(m, R_HLREG0);
	uint32_t tdwbal = *reg(m, b + Q_TDWBAL);
	while (q->head != q->tail && packets++ < max_packets) {
		/* Find the end of the packet before touching anything: a packet is sent whole. */
		uint32_t i = q->head, cnt = 0;
		bool found = false;
		while (i != q->tail) {
			uint64_t w;
			memcpy(&w, q->ring + 16 * i + 8, 8);
			cnt++;
			i = (i + 1) % q->size;
			if ((uint32_t)w & (1u << 24)) { /* EOP */
				found = true;
				break;
			}
		}
		if (!found)
			break;
		/* The wire (paced: once the last frame has left) and the rate limiter say when it
		 * starts: in real or manual time it waits until then; in step mode time moves on to it. */
		uint64_t start = ixgbe_tx_start(m, n);
		if (!time_reached(m, start))
			break;
		uint32_t len = 0, paylen = 0, ndata = 0;
		bool first = true, ok = true, ifcs = false, stamp = false;
		for (uint32_t k = 0, idx = q->head; k < cnt; k++, idx = (idx + 1) % q->size) {
			uint8_t *desc = q->ring + 16 * idx;
			uint64_t addr;
			uint32_t cmd, olinfo;
			memcpy(&addr, desc, 8);
			memcpy(&cmd, desc + 8, 4);
			memcpy(&olinfo, desc + 12, 4);
			bool dext = cmd & (1u << 29);
			unsigned dtyp = (cmd >> 20) & 0xF;
			if (dext && dtyp == 2)
				continue; /* context descriptor: no data, offloads not modelled */
			if (dext && dtyp != 3) {
				rule_violation(
				    &m->log, IXGBE_V18_TX_DESC,
				    "Tx descriptor %u of ring %u has DEXT=1 and DTYP=%u: only 0011b "
				    "(data) and "
				    "0010b (context) exist (DS 7.2.3.2.4)",
				    idx, n, dtyp);
				ok = false;
				continue;
			}
			uint32_t dlen = cmd & 0xFFFF;
			if (first) {
				ifcs = cmd & (1u << 25);
				stamp = cmd & (1u << 19); /* 1588 time stamp (DS 7.9) */
				if (dext)
					paylen = olinfo >> 14;
			}
			if (!dlen) {
				rule_violation(&m->log, IXGBE_V18_TX_DESC,
				               "Tx descriptor %u of ring %u has DTALEN 0 (DS 7.2.3.2.4)", idx,
				               n);
				ok = false;
			}
			if (ok && len + dlen <= WIRE_MAX_FRAME) {
				const void *src = ixgbe_bus_translate(m->bus, addr, dlen);
				if (!src) {
					rule_violation(
					    &m->log, IXGBE_V12_DMA_FAULT,
					    "DMA fault: Tx buffer address 0x%llx + %u (descriptor %u of ring "
					    "%u) "
					    "is not inside a registered DMA region (a virtual address?)",
					    (unsigned long long)addr, dlen, idx, n);
					ok = false;
				} else {
					memcpy(m->scratch + len, src, dlen);
				}
			} else if (ok) {
				rule_violation(&m->log, IXGBE_V18_TX_DESC,
				               "Tx frame on ring %u longer than %u bytes (DS 7.2.3.2.2)", n,
				               WIRE_MAX_FRAME);
				ok = false;
			}
			len += dlen;
			ndata++;
			first = false;
		}
		if (ok && paylen && paylen != len)
			rule_violation(
			    &m->log, IXGBE_V18_TX_DESC,
			    "Tx packet at descriptor %u of ring %u: PAYLEN=%u but DTALENs sum to %u "
			    "(DS 7.2.3.2.4)",
			    q->head, n, paylen, len);
		if (ok && len < 14) {
			rule_violation(
			    &m->log, IXGBE_V18_TX_DESC,
			    "Tx packet at descriptor %u of ring %u is %u bytes, shorter than 14 (DS "
			    "7.2.3.2.4)",
			    q->head, n, len);
			ok = false;
		}
		if (cnt > 40 - (wthresh < 40 ? wthresh : 39))
			rule_violation(
			    &m->log, IXGBE_V18_TX_DESC,
			    "Tx packet on ring %u uses %u descriptors, more than 40 - WTHRESH (DS 7.2.3.4.1)",
			    n, cnt);
		unsigned si = (*reg(m, R_TQSM + 4 * (n / 4)) >> (8 * (n % 4))) & 0xF;
		if (ok) {
			uint32_t wlen = len;
			bool bad = false;
			bool crc = ifcs && (hl & HLREG0_TXCRCEN);
			if (crc && (hl & HLREG0_TXPADEN) && wlen < 60) {
				memset(m->scratch + wlen, 0, 60 - wlen);
				wlen = 60;
			}
			if (!crc) {
				/* Software supplied the FCS: the last 4 bytes are it. */
				uint32_t fcs;
				memcpy(&fcs, m->scratch + wlen - 4, 4);
				wlen -= 4;
				bad = fcs != wire_fcs32(m->scratch, wlen);
			}
			uint32_t onwire = wlen + 4;
			m->cnt[C_GPTC]++;
			m->cnt[C_TPT]++;
			m->cnt[C_GOTC] += onwire;
			m->cnt[C_PTC64 + size_bucket(onwire)]++;
			if (m->scratch[0] & 1) {
				static const uint8_t bc[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
				m->cnt[memcmp(m->scratch, bc, 6) ? C_MPTC : C_BPTC]++;
			}
			m->cnt[C_QPTC0 + si]++;
			m->cnt[C_QBTC0 + si] += len;
			m->cnt[C_TXDGPC]++;
			m->cnt[C_TXDGBC] += len;
			ixgbe_tx_booked(m, n, start, wlen);
			if (stamp)
				ixgbe_ts_tx(m, n, start);
			wire_out(m, m->scratch, wlen, bad, start);
		}
		(void)ndata;
		ixgbe_tx_fetched(m, n, q->head, cnt);
		/* Completion: DD write-back by RS (WTHRESH=0) or batched (WTHRESH>0), or head write-back. */
		for (uint32_t k = 0; k < cnt; k++) {
			uint32_t idx = q->head;
			if (!(tdwbal & 1)) {
				if (wthresh == 0) {
					uint32_t cmd;
					memcpy(&cmd, q->ring + 16 * idx + 8, 4);
					if ((cmd & (1u << 27)) && ixgbe_hostile_tx(&m->hostile, q, idx))
						tx_writeback(q, idx);
					q->wb_next = (idx + 1) % q->size;
				} else if (++q->wb_count >= wthresh) {
					ixgbe_tx_flush_wb(q);
				}
			}
			q->head = (q->head + 1) % q->size;
		}
		if (wthresh == 0)
			q->wb_count = 0;
		if (tdwbal & 1) {
			uint64_t wb = ((uint64_t)*reg(m, b + Q_TDWBAH) << 32) | (tdwbal & ~3u);
			uint32_t *p = ixgbe_bus_translate(m->bus, wb, 4);
			if (p)
				__atomic_store_n(p, q->head, __ATOMIC_RELEASE);
			else
				rule_violation(
				    &m->log, IXGBE_V12_DMA_FAULT,
				    "DMA fault: Tx head write-back address 0x%llx of ring %u (DS 7.2.3.5.2)",
				    (unsigned long long)wb, n);
		}
		work += cnt;
	}
	return work;
}
