/* Driver for the Intel 82599 family. Init follows DS 4.6.3; the datapath runs advanced
 * descriptors (DS 7.1, 7.2) in batches with one tail write per batch. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "device.h"
#include "ixgbe_irq.h"
#include "ixgbe_regs.h"
#include "ixgbe_timesync.h"
#include "log.h"
#include "memory.h"
#include "mempool_cache.h"
#include "regs.h"

#define RX_BUF_SIZE 2048u /* data bytes per RX buffer; holds any non-jumbo frame */
#define RX_POOL_MIN 4096u
#define INIT_TIMEOUT_MS 1000u /* for every handshake the datasheet says completes quickly */
#define MASTER_DISABLE_TIMEOUT_MS 100u
#define SEMAPHORE_TIMEOUT_US 1000000u
#define RSS_MAX_QUEUES 16u
#define TX_DRAIN_TIMEOUT_MS 1000u
#define STAT_INDEXES 16u /* per-queue statistics registers (DS 8.2.3.23) */
/* Queues the driver runs: RX up to 16 (RSS), TX up to 64 (MTQC = 0, DS 8.2.3.9.15). */
#define MAX_QUEUES 64u
/* One packet buffer each way without DCB (DS 4.6.11.3.4, 8.2.3.8.9, 8.2.3.9.13). */
#define RX_PB_KB 512u
#define TX_PB_KB 160u
/* FCRTH: the Rx buffer minus 24 KB, set even with flow control off (DS 8.2.3.3.4). */
#define RX_FC_HEADROOM 0x6000u
/* TXPBTHRESH: the Tx buffer minus the largest frame, in KB (DS 8.2.3.9.16). */
#define TX_MAX_FRAME_KB 10u
#define CRC_LEN 4u
#define ETH_HEADER_LEN 14u   /* the shortest frame the datapath takes or hands out */
#define TX_MAX_FRAME 16383u  /* longest frame one descriptor sends (ixy.h); keeps len off the command bits */
#define RX_IDLE_CHECK 1024u  /* empty RX calls between two checks for a NIC out of step (rx_resync) */
#define TX_STALL_CHECK 1024u /* full-ring TX calls between two checks for a lost completion (tx_resync) */

struct rx_queue {
	volatile union ixgbe_rx_desc *ring;
	struct ixy_device *dev; /* its device and number, so the datapath's end needs only q */
	uint16_t index;
	struct ixy_mempool *pool;   /* the queue's pool, or its cache of the shared pool */
	struct ixy_mempool *shared; /* the shared pool (rx_pool_shared), else NULL */
	struct dma_mem ring_mem;
	uint16_t size;
	uint16_t next;                /* next descriptor to check; the NIC owns next .. next+size-2 */
	uint16_t idle;                /* calls in a row that found nothing to take (see rx_resync) */
	bool discard;                 /* inside a multi-descriptor frame being dropped */
	atomic_uint_least64_t errors; /* write-backs refused; written by the owner, read by stats */
	uint64_t errors_reported;     /* stats thread: errors already reported */
	struct ixy_buf *bufs[];       /* buffer behind each descriptor: write-back overwrites its address */
};

struct tx_queue {
	volatile struct ixgbe_tx_desc *ring;
	struct ixy_device *dev; /* its device and number, so the datapath's end needs only q */
	uint16_t index;
	struct dma_mem ring_mem;
	uint16_t size;
	uint16_t tail;                /* next descriptor to fill */
	uint16_t clean;               /* oldest descriptor not yet reclaimed */
	uint16_t used;                /* descriptors in flight: clean .. tail-1 */
	uint16_t clean_at;            /* in flight before ixgbe_tx_batch() reclaims: half the ring */
	struct ixy_mempool *pool;     /* the pool of the last frame queued */
	uint32_t len_limit;           /* its buffers' largest frame, minus 14 */
	bool mixed;                   /* descriptors in flight hold buffers of other pools too */
	bool suspect;                 /* tx_resync saw everything processed without DD once */
	uint16_t stalled;             /* calls that found the ring full (tx_resync) */
	atomic_uint_least64_t errors; /* refused frames, lost completions; written by the owner */
	struct ixy_buf *bufs[];
};

/* The clear-on-read counters, summed since init (DS 8.2.3.23): per statistics index (RX queue
 * q and TX queue q count in index q mod 16), and the device-wide ones. */
struct counters {
	uint64_t rx_packets[STAT_INDEXES];
	uint64_t rx_bytes[STAT_INDEXES];
	uint64_t rx_dropped[STAT_INDEXES];
	uint64_t tx_packets[STAT_INDEXES];
	uint64_t tx_bytes[STAT_INDEXES];
	uint64_t missed;
	uint64_t gptc;
	uint64_t gotc; /* with CRC */
};

struct ixgbe {
	struct rx_queue *rx[MAX_QUEUES];
	struct tx_queue *tx[MAX_QUEUES];
	struct counters sum;            /* everything read from the counters */
	struct ixy_stats dev_reported;  /* what ixy_read_stats() already reported */
	struct counters queue_reported; /* what ixy_read_queue_stats() already reported */
	struct ixgbe_timesync timesync;
};

static inline uint16_t ring_next(uint16_t i, uint16_t size)
{
	return ++i == size ? 0 : i;
}

/* ---- datapath ---- */

/* The descriptor word the NIC writes DD into, read with acquire ordering: what the NIC wrote
 * before it (the rest of the descriptor, the frame) is read after it (DS 7.1.9, 7.2.3.5). On
 * x86 a plain load; to ThreadSanitizer and a device model's DMA thread, the synchronisation. */
static inline uint32_t desc_status(const volatile uint32_t *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

/* Counts a write-back or a frame the datapath refused; off the fast path. One writer (the
 * queue's owner); relaxed loads and stores keep the stats reader race-free. */
static void count_error(atomic_uint_least64_t *counter)
{
	atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + 1,
	                      memory_order_relaxed);
}

/* Back to read format with the descriptor's own buffer (DS 7.1.6.1); hdr_addr 0 also clears DD. */
static inline void rx_rearm(volatile union ixgbe_rx_desc *desc, const struct ixy_buf *buf)
{
	desc->read.pkt_addr = buf->bus_addr;
	desc->read.hdr_addr = 0;
}

/* Re-arms descriptor i with its own buffer if the NIC wrote it back. Returns its status word,
 * 0 when it has no DD (the NIC has not got there). */
static uint32_t rx_give_back(struct rx_queue *q, uint32_t i)
{
	volatile union ixgbe_rx_desc *desc = &q->ring[i];
	uint32_t status = desc_status(&desc->wb.status_error);
	if (!(status & IXGBE_RXD_STAT_DD))
		return 0;
	rx_rearm(desc, q->bufs[i]);
	return status;
}

/* Drops the rest of a frame spread over several descriptors, up to its EOP: only frames over
 * 2 KB span descriptors, and the MAC drops those without jumbo frames (DS 7.1.6.2). Each
 * descriptor is re-armed with its own buffer. Walks at most *budget descriptors (the ones the
 * NIC owns), so an endless chain ends the call. Returns the next descriptor to check;
 * q->discard stays set while the chain's end is not written back yet. */
static uint32_t rx_drop_chain(struct rx_queue *q, uint32_t i, uint32_t *budget)
{
	for (; *budget; --*budget) {
		uint32_t status = rx_give_back(q, i);
		if (!status)
			return i;
		i = ring_next((uint16_t)i, q->size);
		if (status & IXGBE_RXD_STAT_EOP) {
			q->discard = false;
			--*budget;
			return i;
		}
	}
	return i;
}

/* Brings the driver back in step with a NIC that wrote back out of order (a skipped, replayed,
 * duplicated or invented write-back): called once nothing arrived for RX_IDLE_CHECK calls. A
 * well-behaved NIC writes back in ring order, so while `next` shows no DD its head (RDH, the
 * next descriptor it writes back, DS 8.2.3.8.4) is `next`. RDH elsewhere means the NIC went on
 * without us, or we took a descriptor it never wrote (then it owns none, RDH == RDT, and would
 * wait for good): every descriptor is re-armed with its own buffer and the driver follows RDH;
 * the tail write then hands the NIC all but one again. Frames the NIC wrote past a skipped
 * descriptor are lost; each resync counts one rx_error. RDH at `next` changes nothing: the NIC
 * may be writing there right now. Returns the descriptor to go on from. */
static uint32_t rx_resync(struct ixy_device *dev, uint16_t queue, struct rx_queue *q)
{
	uint32_t size = q->size, next = q->next;
	/* The read's completion comes after the NIC's earlier write-backs (PCIe ordering). */
	uint32_t head = reg_read(dev, IXGBE_RDH(queue));
	if ((desc_status(&q->ring[next].wb.status_error) & IXGBE_RXD_STAT_DD) || head >= size || head == next)
		return next; /* a frame waits for pool buffers, RDH means nothing, or in step */
	for (uint32_t j = 0; j < size; j++)
		rx_rearm(&q->ring[j], q->bufs[j]);
	count_error(&q->errors);
	q->discard = false;
	return head;
}

/* The write-back's status, error bits and length (DS 7.1.6.2), which the NIC writes together
 * after the frame, in one load with acquire ordering (see desc_status), rotated so that status
 * and errors sit above the length and masked to DD, EOP, the error bits 31:20 and the length. */
#define RX_WB_MASK ((uint64_t)(IXGBE_RXD_STAT_DD | IXGBE_RXD_STAT_EOP | IXGBE_RXD_ERR_MASK) << 32 | 0xFFFFu)
static inline uint64_t rx_wb(volatile union ixgbe_rx_desc *desc)
{
	uint64_t word = __atomic_load_n(&desc->wb_words.upper, __ATOMIC_ACQUIRE);
	return (word << 32 | word >> 32) & RX_WB_MASK;
}

/* One whole frame (DD and EOP), no error bit, 14 bytes to the buffer's size: with the error bits
 * above DD and EOP above the length, exactly the words from DD|EOP,14 to DD|EOP,2048: one
 * compare. The length is then the word's low 32 bits. */
#define RX_WB_GOOD ((uint64_t)(IXGBE_RXD_STAT_DD | IXGBE_RXD_STAT_EOP) << 32 | ETH_HEADER_LEN)
static inline bool rx_good(uint64_t wb)
{
	return wb - RX_WB_GOOD <= RX_BUF_SIZE - ETH_HEADER_LEN;
}

enum rx_verdict { RX_NOT_YET, RX_REFUSED, RX_GOOD_NOW };

/* Takes the write-back at descriptor i that the fast loop of ixgbe_rx_batch() stopped at. No
 * DD: the NIC has not got there. A good frame: the NIC wrote it since the loop looked; take it
 * again. Else it is refused: counted, re-armed with its own buffer, and a frame spread over
 * several descriptors is dropped whole. */
static enum rx_verdict rx_refuse(struct rx_queue *q, uint32_t i)
{
	volatile union ixgbe_rx_desc *desc = &q->ring[i];
	uint64_t wb = rx_wb(desc);
	uint32_t status = (uint32_t)(wb >> 32);
	if (!(status & IXGBE_RXD_STAT_DD))
		return RX_NOT_YET;
	if (rx_good(wb))
		return RX_GOOD_NOW;
	rx_rearm(desc, q->bufs[i]);
	count_error(&q->errors);
	q->discard = !(status & IXGBE_RXD_STAT_EOP); /* the rest of the chain goes at the loop's head */
	return RX_REFUSED;
}

/* Takes the frame at `desc` if it is one whole good frame: hands its buffer out (to *out) and
 * re-arms the descriptor with `armed`, a fresh buffer (DS 7.1.6.1). */
static inline bool rx_one(volatile union ixgbe_rx_desc *desc, struct ixy_buf **slot, struct ixy_buf **out,
                          struct ixy_buf *armed)
{
	uint64_t wb = rx_wb(desc);
	if (!rx_good(wb))
		return false; /* not written back yet, or for rx_refuse() */
	struct ixy_buf *buf = *slot;
	buf->len = (uint32_t)wb;
	/* Back to read format (DS 7.1.6.1); hdr_addr 0 also clears DD. */
	desc->read.pkt_addr = armed->bus_addr;
	desc->read.hdr_addr = 0;
	*slot = armed;
	*out = buf;
	return true;
}

/* Takes up to `run` frames from consecutive descriptors (no wrap), each exchanged for a fresh
 * buffer popped from below `fresh`; stops at the first descriptor that is not one whole good
 * frame. Returns the frames taken, written to out[]. Four frames per round, then two, then one:
 * a quarter of the loop's bookkeeping per frame. Always inlined: as a call it costs the small
 * batches more than its registers save the large ones. */
__attribute__((always_inline)) static inline uint32_t rx_run(volatile union ixgbe_rx_desc *desc,
                                                             struct ixy_buf **slot, struct ixy_buf **out,
                                                             struct ixy_buf **fresh, size_t run)
{
	struct ixy_buf **start = out, **end = out + run, **fours_end = out + (run & ~(size_t)3);
	for (; out != fours_end; desc += 4, slot += 4, out += 4, fresh -= 4) {
		if (!rx_one(desc, slot, out, fresh[-1]))
			return (uint32_t)(out - start);
		if (!rx_one(desc + 1, slot + 1, out + 1, fresh[-2]))
			return (uint32_t)(out + 1 - start);
		if (!rx_one(desc + 2, slot + 2, out + 2, fresh[-3]))
			return (uint32_t)(out + 2 - start);
		if (!rx_one(desc + 3, slot + 3, out + 3, fresh[-4]))
			return (uint32_t)(out + 3 - start);
	}
	if (end - out >= 2) {
		if (!rx_one(desc, slot, out, fresh[-1]))
			return (uint32_t)(out - start);
		if (!rx_one(desc + 1, slot + 1, out + 1, fresh[-2]))
			return (uint32_t)(out + 1 - start);
		desc += 2;
		slot += 2;
		out += 2;
		fresh -= 2;
	}
	if (out != end && rx_one(desc, slot, out, fresh[-1]))
		out++;
	return (uint32_t)(out - start);
}

/* Hands descriptors up to `next` back to the NIC: RDT points at the last one, `last` (DS 7.1.9). */
static inline void rx_hand_back(struct ixy_device *dev, uint16_t queue, struct rx_queue *q, uint32_t next,
                                uint32_t last)
{
	q->idle = 0;
	q->next = (uint16_t)next;
	atomic_thread_fence(memory_order_release);
	reg_write(dev, IXGBE_RDT(queue), last);
}

/* The descriptor before `next`. */
static inline uint32_t rx_last(const struct rx_queue *q, uint32_t next)
{
	return (next == 0 ? q->size : next) - 1u;
}

/* Nothing taken for RX_IDLE_CHECK calls: see whether the NIC is out of step (rx_resync). */
__attribute__((noinline)) static void rx_idle(struct ixy_device *dev, uint16_t queue, struct rx_queue *q)
{
	q->idle = 0;
	uint32_t next = rx_resync(dev, queue, q);
	if (next != q->next)
		rx_hand_back(dev, queue, q, next, rx_last(q, next));
}

/* The end of every ixgbe_rx_batch(): descriptors up to `next` (the one before it: `last`) go
 * back to the NIC, or, when nothing moved, the call counts as idle. Returns got. */
static inline uint32_t rx_finish(struct ixy_device *dev, uint16_t queue, struct rx_queue *q, bool moved,
                                 uint32_t next, uint32_t last, uint32_t got)
{
	if (moved)
		rx_hand_back(dev, queue, q, next, last);
	else if (++q->idle >= RX_IDLE_CHECK)
		rx_idle(dev, queue, q);
	return got;
}

/* The general case of ixgbe_rx_batch(), with `got` frames already taken from q->next on:
 * several runs around the ring's end, refused write-backs and chains, within the size-1
 * descriptors the NIC owns. Kept out of line so the usual case stays small. */
__attribute__((noinline)) static uint32_t rx_take(struct ixy_device *dev, uint16_t queue, struct rx_queue *q,
                                                  struct ixy_buf *bufs[], uint32_t got, uint32_t n)
{
	struct ixy_mempool *pool = q->pool;
	uint32_t size = q->size, top = pool->free_count, budget = size - 1u - got, i = q->next + got;
	if (i >= size)
		i -= size;
	while (got < n) {
		if (q->discard) {
			i = rx_drop_chain(q, i, &budget);
			if (q->discard)
				break; /* the chain's end is not written back yet */
		}
		uint32_t run = size - i;
		if (run > n - got)
			run = n - got;
		if (run > budget)
			run = budget;
		if (run > top)
			run = top; /* pool empty: frames stay in the ring until buffers come back */
		if (run == 0) {
			/* No free buffer: a cache of a shared pool refills from its store. */
			if (top || got == n || budget == 0 || !pool->shared)
				break;
			pool->free_count = top;
			if ((top = mempool_cache_refill(pool)) == 0)
				break;
			continue;
		}
		uint32_t k = rx_run(&q->ring[i], &q->bufs[i], &bufs[got], &pool->free_stack[top], run);
		got += k;
		top -= k;
		budget -= k;
		i += k;
		if (k < run) {
			enum rx_verdict v = rx_refuse(q, i);
			if (v == RX_NOT_YET)
				break; /* no DD: the NIC has not written further */
			if (v == RX_REFUSED) {
				budget--;
				i++;
			}
		}
		if (i == size)
			i = 0;
	}
	pool->free_count = top;
	return rx_finish(dev, queue, q, i != q->next, i, rx_last(q, i), got);
}

static uint32_t ixgbe_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n)
{
	struct rx_queue *q = ((struct ixgbe *)dev->driver)->rx[queue];
	struct ixy_mempool *pool = q->pool;
	uint32_t i = q->next, top = pool->free_count, size = q->size;
	/* The usual case: n descriptors up to the ring's end, and fewer than the size-1 the NIC owns
	 * from `next` on (DS 7.1.9: a DD outside them is never looked at), n fresh buffers in the
	 * pool, no chain being dropped; one run of good frames. Anything else: rx_take(). */
	if (i + n > size || n == size || n > top || q->discard)
		return rx_take(dev, queue, q, bufs, 0, n);
	uint32_t got = rx_run(&q->ring[i], &q->bufs[i], bufs, &pool->free_stack[top], n);
	/* From q again: fewer values kept across the loop. */
	q->pool->free_count -= got;
	i = q->next + got;
	if (got < n && (desc_status(&q->ring[i].wb.status_error) & IXGBE_RXD_STAT_DD))
		return rx_take(q->dev, q->index, q, bufs, got,
		               n); /* a write-back to refuse, or one just written */
	return rx_finish(q->dev, q->index, q, got != 0, i == q->size ? 0 : i, i - 1u, got);
}

/* tx_reclaim for a ring holding buffers of several pools, or of a shared pool: each buffer goes
 * back on its own (ixy_buf_free_any). Out of line, so the usual loop keeps its registers. */
__attribute__((noinline)) static uint32_t tx_reclaim_any(struct tx_queue *q, uint32_t clean, uint32_t last)
{
	for (;; clean = ring_next((uint16_t)clean, q->size)) {
		ixy_buf_free_any(q->bufs[clean]);
		if (clean == last)
			break;
	}
	return ring_next((uint16_t)clean, q->size);
}

/* Hands the buffers of descriptors [clean, last] back to their pool, in ring order. Buffers all
 * from one single-thread pool (the usual case) go onto its stack without their headers being
 * read, in at most two runs without wrap check. Returns the new clean. */
static uint32_t tx_reclaim(struct tx_queue *q, uint32_t clean, uint32_t last)
{
	struct ixy_mempool *pool = q->pool;
	if (q->mixed || pool->shared) /* its stack is in its threads' caches */
		return tx_reclaim_any(q, clean, last);
	uint32_t size = q->size, top = pool->free_count;
	for (;;) {
		uint32_t stop = clean <= last ? last + 1 : size;
		uint32_t count = stop - clean;
		ixy_buf_ptrs_copy(&pool->free_stack[top], &q->bufs[clean], count);
		top += count;
		clean = stop == size ? 0 : stop;
		if (stop == last + 1)
			break;
	}
	pool->free_count = top;
	return clean;
}

static inline bool tx_done(const struct tx_queue *q, uint32_t i)
{
	return desc_status(&q->ring[i].olinfo_status) & IXGBE_TXD_STAT_DD;
}

/* Reclaims the buffers of descriptors the NIC reported done, in one run. Every descriptor
 * carries RS, and DD is looked at only on descriptors in flight (clean .. tail-1): a DD covers
 * that descriptor and every one before it (DS 7.2.3.5), so the newest is asked first (usually
 * all is done), else the oldest ones in order. A newest with DD behind an oldest without means
 * the NIC skipped a write-back: everything is done. Each descriptor is reclaimed once, whatever
 * the NIC writes. */
static void tx_clean(struct tx_queue *q)
{
	uint32_t size = q->size, clean = q->clean, tail = q->tail;
	if (clean == tail)
		return;
	uint32_t done = (tail == 0 ? size : tail) - 1;
	if (!tx_done(q, done)) {
		if (!tx_done(q, clean))
			return;
		done = clean;
		for (uint32_t i = ring_next((uint16_t)clean, (uint16_t)size); i != tail && tx_done(q, i);
		     i = ring_next((uint16_t)i, (uint16_t)size))
			done = i;
	}
	q->clean = (uint16_t)tx_reclaim(q, clean, done);
	q->used = (uint16_t)(tail >= q->clean ? tail - q->clean : tail + size - q->clean);
	if (q->clean == tail)
		q->mixed = false; /* empty: the next batch picks the pool */
}

/* Called for every ixgbe_tx_batch() that finds the ring full and every ixgbe_tx_flush() round
 * with frames pending. A NIC that left out the DD of the newest descriptor would keep the ring
 * full for good: every TX_STALL_CHECK such calls TDH is read, and when it shows, twice in a row, every
 * descriptor handed over as processed (TDH == TDT, DS 7.2.3.3) without that DD, the buffers in
 * flight are reclaimed (one tx_error). Twice, so a write-back still under way is not taken for a
 * missing one. */
static void tx_resync(struct ixy_device *dev, uint16_t queue, struct tx_queue *q)
{
	if (++q->stalled < TX_STALL_CHECK)
		return;
	q->stalled = 0;
	uint32_t tail = q->tail;
	bool done = q->clean != tail && reg_read(dev, IXGBE_TDH(queue)) == tail;
	if (!done || !q->suspect) {
		q->suspect = done;
		return;
	}
	q->suspect = false;
	count_error(&q->errors);
	q->clean = (uint16_t)tx_reclaim(q, q->clean, (tail == 0 ? q->size : tail) - 1u);
	q->used = 0;
	q->mixed = false;
}

/* The frame the fast loop of ixgbe_tx_batch() stopped at, with `queued` descriptors already
 * filled or in flight: a buffer of another pool than q->pool becomes q->pool (the ring now
 * holds several pools unless it is empty) and true is returned; a length outside 14 to the
 * buffer's size (and the most one descriptor carries) is counted and false returned. */
static bool tx_check_pool(struct tx_queue *q, const struct ixy_buf *buf, uint32_t queued)
{
	struct ixy_mempool *pool = buf->pool;
	uint32_t cap = pool->buf_size < TX_MAX_FRAME ? pool->buf_size : TX_MAX_FRAME;
	if (pool != q->pool && cap >= ETH_HEADER_LEN) {
		q->mixed |= queued != 0;
		q->pool = pool;
		q->len_limit = cap - ETH_HEADER_LEN;
		return true;
	}
	count_error(&q->errors);
	return false;
}

/* Queues `buf` at `desc` if it is a buffer of `pool` whose length minus 14 is at most `limit`
 * (so the length never reaches the command bits); anything else is for tx_check_pool(). */
static inline bool tx_one(volatile struct ixgbe_tx_desc *desc, struct ixy_buf **slot, struct ixy_buf *buf,
                          const struct ixy_mempool *pool, uint32_t limit)
{
	uint32_t len = buf->len;
	if (buf->pool != pool || len - ETH_HEADER_LEN > limit)
		return false;
	/* One advanced data descriptor per frame (DS 7.2.3.2.4), with RS: its DD (DS 7.2.3.5) needs
	 * no bookkeeping of which descriptors will have one. */
	desc->buffer_addr = buf->bus_addr;
	desc->cmd_type_len = IXGBE_TXD_CMD_DEXT | IXGBE_TXD_DTYP_DATA | IXGBE_TXD_CMD_EOP |
	                     IXGBE_TXD_CMD_IFCS | IXGBE_TXD_CMD_RS | len;
	desc->olinfo_status = len << IXGBE_TXD_PAYLEN_SHIFT;
	*slot = buf;
	return true;
}

/* Fills up to `run` consecutive descriptors (no wrap) with frames of `pool` whose length minus
 * 14 is at most `limit`; stops at the first other one. Returns the frames queued. Rounds of
 * four, two and one frame, as rx_run(); out of line (ixgbe_tx_batch() and tx_put() share it),
 * which measured cheaper than inlining here. */
__attribute__((noinline)) static uint32_t tx_run(volatile struct ixgbe_tx_desc *desc, struct ixy_buf **slot,
                                                 struct ixy_buf **in, size_t run,
                                                 const struct ixy_mempool *pool, uint32_t limit)
{
	struct ixy_buf **start = in, **end = in + run;
	for (; end - in >= 4; desc += 4, slot += 4, in += 4) {
		if (!tx_one(desc, slot, in[0], pool, limit))
			return (uint32_t)(in - start);
		if (!tx_one(desc + 1, slot + 1, in[1], pool, limit))
			return (uint32_t)(in + 1 - start);
		if (!tx_one(desc + 2, slot + 2, in[2], pool, limit))
			return (uint32_t)(in + 2 - start);
		if (!tx_one(desc + 3, slot + 3, in[3], pool, limit))
			return (uint32_t)(in + 3 - start);
	}
	if (end - in >= 2) {
		if (!tx_one(desc, slot, in[0], pool, limit))
			return (uint32_t)(in - start);
		if (!tx_one(desc + 1, slot + 1, in[1], pool, limit))
			return (uint32_t)(in + 1 - start);
		desc += 2;
		slot += 2;
		in += 2;
	}
	if (in != end && tx_one(desc, slot, in[0], pool, limit))
		in++;
	return (uint32_t)(in - start);
}

/* The general case of ixgbe_tx_batch(), with k of the n frames queued from q->tail on: runs
 * around the ring's end, buffers of another pool, bad lengths. Returns the frames queued. Kept
 * out of line so the usual case stays small. */
__attribute__((noinline)) static uint32_t tx_put(struct tx_queue *q, struct ixy_buf *bufs[], uint32_t k,
                                                 uint32_t n, uint32_t used)
{
	uint32_t size = q->size, i = q->tail + k; /* at most size */
	while (k < n) {
		if (i == size)
			i = 0; /* the ring's end: go on at its start */
		uint32_t run = size - i < n - k ? size - i : n - k;
		uint32_t j = tx_run(&q->ring[i], &q->bufs[i], &bufs[k], run, q->pool, q->len_limit);
		k += j;
		i += j;
		if (j < run && !tx_check_pool(q, bufs[k], used + k))
			break; /* a bad length ends the batch there, like a full ring */
	}
	return k;
}

/* Hands descriptors up to `tail` to the NIC, `used` now in flight; returns k. */
static inline uint32_t tx_hand_over(struct ixy_device *dev, uint16_t queue, struct tx_queue *q, uint32_t tail,
                                    uint32_t used, uint32_t k)
{
	q->tail = (uint16_t)tail;
	q->used = (uint16_t)used;
	/* Descriptors must be in memory before the NIC sees the tail (DS 7.2.3.4). */
	atomic_thread_fence(memory_order_release);
	reg_write(dev, IXGBE_TDT(queue), tail);
	return k;
}

/* Whether a call sending n frames reclaims first: once half the ring is in flight, for
 * room, when the caller sends nothing, or when the ring's pool runs low (fewer free buffers than
 * that half; always for a shared pool): at small batches one clean serves many calls, and a
 * small pool never waits for its buffers. n - 1 >= room is n > room, and true for n == 0. */
static inline bool tx_wants_clean(const struct tx_queue *q, uint32_t n)
{
	return q->used >= q->clean_at || n - 1u >= q->size - 1u - q->used ||
	       q->pool->free_count < q->clean_at;
}

/* The general case of ixgbe_tx_batch(), with k of the n frames already queued from q->tail on:
 * a reclaim first, a full ring, runs around the ring's end, buffers of another pool, bad
 * lengths. Kept out of line so the usual case stays small. */
__attribute__((noinline)) static uint32_t tx_general(struct ixy_device *dev, uint16_t queue,
                                                     struct tx_queue *q, struct ixy_buf *bufs[], uint32_t k,
                                                     uint32_t n)
{
	if (k == 0 && tx_wants_clean(q, n))
		tx_clean(q);
	uint32_t room = q->size - 1u - q->used; /* one slot stays empty: TDT == TDH means idle */
	if (n > room) {
		n = room;
		if (room == 0)
			tx_resync(dev, queue, q);
	}
	k = tx_put(q, bufs, k, n, q->used);
	if (k == 0)
		return 0;
	uint32_t i = q->tail + k;
	if (i >= q->size)
		i -= q->size;
	return tx_hand_over(dev, queue, q, i, q->used + k, k);
}

static uint32_t ixgbe_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_buf *bufs[], uint32_t n)
{
	struct tx_queue *q = ((struct ixgbe *)dev->driver)->tx[queue];
	uint32_t tail = q->tail, size = q->size;
	/* One frame (batch 1, latency first): straight-line. */
	if (n == 1 && !tx_wants_clean(q, 1) &&
	    tx_one(&q->ring[tail], &q->bufs[tail], bufs[0], q->pool, q->len_limit))
		return tx_hand_over(dev, queue, q, tail + 1u == size ? 0 : tail + 1u, q->used + 1u, 1);
	/* The usual case: n frames up to the ring's end, all good frames of the ring's pool: one
	 * run. Anything else: tx_general(). */
	if (tx_wants_clean(q, n) || tail + n > size)
		return tx_general(dev, queue, q, bufs, 0, n);
	uint32_t k = tx_run(&q->ring[tail], &q->bufs[tail], bufs, n, q->pool, q->len_limit);
	if (k < n)
		return tx_general(q->dev, q->index, q, bufs, k, n);
	tail = q->tail + n; /* from q again: fewer values kept across the loop */
	return tx_hand_over(q->dev, q->index, q, tail == q->size ? 0 : tail, q->used + n, n);
}

/* One frame whose departure the time-sync unit latches (DS 7.9): queued as ixgbe_tx_batch()
 * queues any frame, with the descriptor's 1588 bit set before the tail moves. Off the datapath. */
static uint32_t tx_stamped(struct ixy_device *dev, uint16_t queue, struct ixy_buf *buf)
{
	struct tx_queue *q = ((struct ixgbe *)dev->driver)->tx[queue];
	tx_clean(q);
	uint32_t tail = q->tail, used = q->used;
	if (used >= q->size - 1u || tx_put(q, &buf, 0, 1, used) != 1)
		return 0;
	q->ring[tail].cmd_type_len |= IXGBE_TXD_MAC_TSTAMP;
	return tx_hand_over(dev, queue, q, tail + 1u == q->size ? 0 : tail + 1u, used + 1u, 1);
}

/* ---- control path ---- */

/* For ixy_rx_wait(): a frame waits when the next descriptor has DD (DS 7.1.6.2). */
static bool ixgbe_rx_ready(struct ixy_device *dev, uint16_t queue)
{
	struct rx_queue *q = ((struct ixgbe *)dev->driver)->rx[queue];
	return desc_status(&q->ring[q->next].wb.status_error) & IXGBE_RXD_STAT_DD;
}

static int wait_step(struct ixy_device *dev, uint32_t reg, uint32_t mask, uint32_t want, const char *what)
{
	if (reg_wait(dev, reg, mask, want, INIT_TIMEOUT_MS) == 0)
		return 0;
	ixy_error("%s: %s did not happen within %u ms; the device does not respond as an 82599 should",
	          dev->name, what, INIT_TIMEOUT_MS);
	return -1;
}

static uint64_t read_counter64(struct ixy_device *dev, uint32_t low, uint32_t high)
{
	uint64_t v = reg_read(dev, low); /* low first: reading it latches the high half (DS 8.2.3.23) */
	return v | (uint64_t)reg_read(dev, high) << 32;
}

/* Adds every clear-on-read counter to drv->sum. */
static void read_counters(struct ixy_device *dev, struct counters *sum)
{
	for (uint32_t i = 0; i < STAT_INDEXES; i++) {
		sum->rx_packets[i] += reg_read(dev, IXGBE_QPRC(i));
		sum->rx_bytes[i] += read_counter64(dev, IXGBE_QBRC_L(i), IXGBE_QBRC_H(i));
		sum->rx_dropped[i] += reg_read(dev, IXGBE_QPRDC(i));
		sum->tx_packets[i] += reg_read(dev, IXGBE_QPTC(i));
		sum->tx_bytes[i] += read_counter64(dev, IXGBE_QBTC_L(i), IXGBE_QBTC_H(i));
	}
	for (uint32_t i = 0; i < IXGBE_PACKET_BUFFERS; i++)
		sum->missed += reg_read(dev, IXGBE_MPC(i));
	sum->gptc += reg_read(dev, IXGBE_GPTC);
	sum->gotc += read_counter64(dev, IXGBE_GOTCL, IXGBE_GOTCH);
}

static void ixgbe_read_stats(struct ixy_device *dev, struct ixy_stats *stats)
{
	struct ixgbe *drv = dev->driver;
	read_counters(dev, &drv->sum);
	/* RX from the per-queue counters: GPRC also counts missed packets (erratum E3, docs/82599.md). */
	struct ixy_stats now = {0};
	for (uint32_t i = 0; i < STAT_INDEXES; i++) {
		now.rx_packets += drv->sum.rx_packets[i];
		now.rx_bytes += drv->sum.rx_bytes[i];
		now.rx_dropped += drv->sum.rx_dropped[i];
	}
	now.rx_dropped += drv->sum.missed;
	now.tx_packets = drv->sum.gptc;
	/* GOTC counts the CRC the MAC appends (DS 8.2.3.23.25); the API counts frames without it. */
	now.tx_bytes = drv->sum.gotc - drv->sum.gptc * CRC_LEN;
	stats->rx_packets += now.rx_packets - drv->dev_reported.rx_packets;
	stats->rx_bytes += now.rx_bytes - drv->dev_reported.rx_bytes;
	stats->rx_dropped += now.rx_dropped - drv->dev_reported.rx_dropped;
	stats->tx_packets += now.tx_packets - drv->dev_reported.tx_packets;
	stats->tx_bytes += now.tx_bytes - drv->dev_reported.tx_bytes;
	/* What the datapath refused, counted in software. */
	for (uint32_t n = 0; n < MAX_QUEUES; n++) {
		if (drv->rx[n])
			now.rx_errors += atomic_load_explicit(&drv->rx[n]->errors, memory_order_relaxed);
		if (drv->tx[n])
			now.tx_errors += atomic_load_explicit(&drv->tx[n]->errors, memory_order_relaxed);
	}
	stats->rx_errors += now.rx_errors - drv->dev_reported.rx_errors;
	stats->tx_errors += now.tx_errors - drv->dev_reported.tx_errors;
	drv->dev_reported = now;
}

/* RX queue q counts in statistics index q (at most 16 RX queues); TX queue q in q mod 16, set in
 * RQSMR/TQSM at init. */
static void ixgbe_read_queue_stats(struct ixy_device *dev, struct ixy_queue_stats rx[],
                                   struct ixy_queue_stats tx[])
{
	struct ixgbe *drv = dev->driver;
	struct counters *sum = &drv->sum, *seen = &drv->queue_reported;
	read_counters(dev, sum);
	for (uint16_t q = 0; rx && q < dev->rx_queues; q++) {
		rx[q].packets += sum->rx_packets[q] - seen->rx_packets[q];
		rx[q].bytes += sum->rx_bytes[q] - seen->rx_bytes[q];
		rx[q].dropped += sum->rx_dropped[q] - seen->rx_dropped[q];
		uint64_t errors = atomic_load_explicit(&drv->rx[q]->errors, memory_order_relaxed);
		rx[q].errors += errors - drv->rx[q]->errors_reported;
		drv->rx[q]->errors_reported = errors;
	}
	for (uint16_t q = 0; tx && q < dev->tx_queues && q < STAT_INDEXES; q++) {
		tx[q].packets += sum->tx_packets[q] - seen->tx_packets[q];
		tx[q].bytes += sum->tx_bytes[q] - seen->tx_bytes[q];
	}
	/* Only the indexes reported move on: with rx NULL the RX counts wait for the next call. */
	if (rx) {
		memcpy(seen->rx_packets, sum->rx_packets, sizeof(sum->rx_packets));
		memcpy(seen->rx_bytes, sum->rx_bytes, sizeof(sum->rx_bytes));
		memcpy(seen->rx_dropped, sum->rx_dropped, sizeof(sum->rx_dropped));
	}
	if (tx) {
		memcpy(seen->tx_packets, sum->tx_packets, sizeof(sum->tx_packets));
		memcpy(seen->tx_bytes, sum->tx_bytes, sizeof(sum->tx_bytes));
	}
}

/* Statistics index of each queue: RX queue q -> q, TX queue q -> q mod 16 (DS 8.2.3.23). */
static void init_queue_stat_map(struct ixy_device *dev)
{
	for (uint32_t n = 0; n < IXGBE_QSM_COUNT; n++) {
		uint32_t map = 0;
		for (uint32_t k = 0; k < 4; k++)
			map = field_set(map, IXGBE_QSM_QUEUE(k), (4 * n + k) % STAT_INDEXES);
		reg_write(dev, IXGBE_RQSMR(n), map);
		reg_write(dev, IXGBE_TQSM(n), map);
	}
}

/* Turns the receiver on with the Rx-DMA-hang workaround (erratum E1, docs/82599.md, DS 4.6.7). */
static int rx_enable(struct ixy_device *dev)
{
	reg_set_bits(dev, IXGBE_SECRXCTRL, IXGBE_SECRXCTRL_RX_DIS);
	if (wait_step(dev, IXGBE_SECRXSTAT, IXGBE_SECRXSTAT_RDY, IXGBE_SECRXSTAT_RDY,
	              "Rx security block idle (SECRXSTAT.SECRX_RDY)") < 0)
		return -1;
	reg_set_bits(dev, IXGBE_RXCTRL, IXGBE_RXCTRL_RXEN);
	reg_clear_bits(dev, IXGBE_SECRXCTRL, IXGBE_SECRXCTRL_RX_DIS);
	return 0;
}

static void ixgbe_set_promiscuous(struct ixy_device *dev, bool on)
{
	/* Receive filters change only while RXEN is clear (DS 8.2.3.7.1). */
	reg_clear_bits(dev, IXGBE_RXCTRL, IXGBE_RXCTRL_RXEN);
	if (on)
		reg_set_bits(dev, IXGBE_FCTRL, IXGBE_FCTRL_UPE | IXGBE_FCTRL_MPE);
	else
		reg_clear_bits(dev, IXGBE_FCTRL, IXGBE_FCTRL_UPE | IXGBE_FCTRL_MPE);
	if (rx_enable(dev) < 0)
		ixy_warn("%s: the receiver did not come back on after the filter change", dev->name);
}

static void ixgbe_get_mac(struct ixy_device *dev, uint8_t mac[6])
{
	/* RAL(0) holds bytes 0-3, RAH(0) bits 15:0 bytes 4-5 (DS 8.2.3.7.9). */
	uint32_t low = reg_read(dev, IXGBE_RAL(0)), high = reg_read(dev, IXGBE_RAH(0));
	for (int i = 0; i < 4; i++)
		mac[i] = (uint8_t)(low >> (8 * i));
	mac[4] = (uint8_t)high;
	mac[5] = (uint8_t)(high >> 8);
}

static void ixgbe_set_mac(struct ixy_device *dev, const uint8_t mac[6])
{
	uint32_t low =
	    (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24;
	uint32_t high = (uint32_t)mac[4] | (uint32_t)mac[5] << 8;
	/* A receive filter: changed with RXEN clear (DS 8.2.3.7.1). Address Valid off while the two
	 * halves change, on again with the high half (DS 8.2.3.7.9). */
	reg_clear_bits(dev, IXGBE_RXCTRL, IXGBE_RXCTRL_RXEN);
	uint32_t rah = reg_read(dev, IXGBE_RAH(0)) & ~IXGBE_RAH_AV;
	reg_write(dev, IXGBE_RAH(0), rah);
	reg_write(dev, IXGBE_RAL(0), low);
	reg_write(dev, IXGBE_RAH(0), field_set(rah, IXGBE_RAH_ADDR, high) | IXGBE_RAH_AV);
	if (rx_enable(dev) < 0)
		ixy_warn("%s: the receiver did not come back on after the MAC change", dev->name);
}

/* SFP+ parts can show a link with an empty cage (crosstalk, erratum E13, docs/82599.md). */
static bool has_sfp_cage(uint16_t device_id)
{
	return device_id == 0x10FB || device_id == 0x1507 || device_id == 0x1529 || device_id == 0x154A ||
	       device_id == 0x154D || device_id == 0x1557;
}

static uint32_t ixgbe_link_speed(struct ixy_device *dev)
{
	uint32_t links = reg_read(dev, IXGBE_LINKS); /* DS 8.2.3.22.20 */
	if (!(links & IXGBE_LINKS_UP))
		return 0;
	/* SDP2 tells whether a module sits in the cage (DS 8.2.3.1.4): no module, no link (erratum E13,
	 * docs/82599.md). */
	if (has_sfp_cage(dev->device_id) && !(reg_read(dev, IXGBE_ESDP) & IXGBE_ESDP_SDP2))
		return 0;
	switch (field_get(links, IXGBE_LINKS_SPEED)) {
	case 1:
		return 100;
	case 2:
		return 1000;
	case 3:
		return 10000;
	default:
		return 0;
	}
}

static void free_rx_queue(struct ixy_device *dev, struct rx_queue *q)
{
	if (!q)
		return;
	dma_free(&q->ring_mem);
	struct ixy_mempool *pool = q->pool;
	if (q->shared) {
		mempool_cache_free(q->pool);
		pool = q->shared;
	}
	/* The ring holds the buffers in q->bufs (all of them once filled, none if the open failed
	 * before); any other missing one is still in use (an app holds it, or another port's TX ring
	 * does): then the pool must outlive this device. */
	uint32_t on_ring = 0;
	for (uint16_t i = 0; i < q->size; i++)
		on_ring += q->bufs[i] != NULL;
	if (pool && ixy_mempool_in_use(pool) != on_ring) {
		ixy_warn("%s: %u receive buffers are still in use; their memory is not freed", dev->name,
		         ixy_mempool_in_use(pool) - on_ring);
	} else {
		ixy_mempool_destroy(pool);
	}
	free(q);
}

static void free_tx_queue(struct tx_queue *q)
{
	if (!q)
		return;
	dma_free(&q->ring_mem);
	free(q);
}

static int init_rx_queue(struct ixy_device *dev, struct ixgbe *drv, uint16_t n)
{
	uint16_t size = dev->rx_ring_size;
	struct rx_queue *q = calloc(1, sizeof(*q) + size * sizeof(q->bufs[0]));
	if (q) {
		q->dev = dev;
		q->index = n;
	}
	if (!q) {
		ixy_error("out of memory for RX queue %u", n);
		return -1;
	}
	drv->rx[n] = q;
	q->size = size;
	uint32_t pool_size = 2u * size + 2u * dev->tx_ring_size;
	if (pool_size < RX_POOL_MIN)
		pool_size = RX_POOL_MIN;
	if (dev->rx_pool_shared) {
		/* Threads' caches hold some buffers: room for a full cache per possible thread. */
		q->shared =
		    ixy_mempool_create_shared(dev, pool_size + 8u * IXY_MEMPOOL_CACHE_SIZE, RX_BUF_SIZE);
		if (!q->shared || !(q->pool = mempool_cache_new(q->shared)))
			return -1;
	} else {
		q->pool = ixy_mempool_create(dev, pool_size, RX_BUF_SIZE);
	}
	/* The ring: 128-byte aligned (page aligned here), length a multiple of 128 (DS 8.2.3.8.1, .3). */
	if (!q->pool || dma_alloc(dev, size * sizeof(union ixgbe_rx_desc), &q->ring_mem) < 0)
		return -1;
	q->ring = q->ring_mem.virt;
	reg_write(dev, IXGBE_RDBAL(n), (uint32_t)q->ring_mem.bus);
	reg_write(dev, IXGBE_RDBAH(n), (uint32_t)(q->ring_mem.bus >> 32));
	reg_write(dev, IXGBE_RDLEN(n), size * (uint32_t)sizeof(union ixgbe_rx_desc));
	/* Advanced one-buffer descriptors, 2 KB buffers, drop when the ring is full so one
	 * stalled queue cannot block the others (DS 8.2.3.8.7, erratum E7, docs/82599.md). */
	uint32_t srrctl = field_set(IXGBE_SRRCTL_DROP_EN, IXGBE_SRRCTL_BSIZEPACKET, RX_BUF_SIZE / 1024);
	reg_write(dev, IXGBE_SRRCTL(n),
	          field_set(srrctl, IXGBE_SRRCTL_DESCTYPE, IXGBE_SRRCTL_DESCTYPE_ADV_ONEBUF));
	reg_write(dev, IXGBE_RDH(n), 0); /* head and tail start at 0 while disabled (DS 4.6.7) */
	reg_write(dev, IXGBE_RDT(n), 0);
	for (uint16_t i = 0; i < size; i++) {
		struct ixy_buf *buf = ixy_buf_alloc(q->pool);
		q->ring[i].read.pkt_addr = buf->bus_addr;
		q->ring[i].read.hdr_addr = 0;
		q->bufs[i] = buf;
	}
	/* Bit 12 resets to 1 and must be 0 (erratum E2, docs/82599.md); relaxed ordering of write-backs off
	 * (erratum E4, docs/82599.md). */
	reg_clear_bits(dev, IXGBE_DCA_RXCTRL(n),
	               IXGBE_DCA_RXCTRL_BIT12 | IXGBE_DCA_RXCTRL_DATA_RO | IXGBE_DCA_RXCTRL_HEAD_RO);
	reg_set_bits(dev, IXGBE_RXDCTL(n), IXGBE_RXDCTL_ENABLE);
	if (wait_step(dev, IXGBE_RXDCTL(n), IXGBE_RXDCTL_ENABLE, IXGBE_RXDCTL_ENABLE,
	              "RX queue enable (RXDCTL.ENABLE)") < 0)
		return -1;
	/* Only now may the tail move: hand the NIC all descriptors but one (DS 4.6.7). */
	reg_write(dev, IXGBE_RDT(n), size - 1u);
	return 0;
}

/* RSS spreads IPv4 and IPv6 flows over the RX queues (DS 7.1.2.8; registers DS 8.2.3.7.12 to
 * 8.2.3.7.14): a Toeplitz hash of the addresses,
 * and of the ports for TCP and UDP, picks one of 128 RETA entries, each naming a queue. The key
 * repeats 0x6D5A, which hashes both directions of a flow alike. Set while RXEN is clear. */
static void init_rss(struct ixy_device *dev)
{
	for (uint32_t i = 0; i < IXGBE_RSSRK_COUNT; i++)
		reg_write(dev, IXGBE_RSSRK(i), 0x5A6D5A6Du); /* key bytes 6D 5A 6D 5A ... (DS 8.2.3.7.14) */
	for (uint32_t i = 0; i < IXGBE_RETA_COUNT; i++) {
		uint32_t entries = 0;
		for (uint32_t k = 0; k < 4; k++)
			entries = field_set(entries, IXGBE_RETA_ENTRY(k), (4 * i + k) % dev->rx_queues);
		reg_write(dev, IXGBE_RETA(i), entries); /* entry 4i+k in byte k (DS 8.2.3.7.13) */
	}
	/* Hash types (DS 7.1.2.8): addresses of IPv4 and IPv6 frames, plus the ports for TCP and UDP. */
	reg_write(dev, IXGBE_MRQC,
	          IXGBE_MRQC_RSS | IXGBE_MRQC_IPV4 | IXGBE_MRQC_IPV4_TCP | IXGBE_MRQC_IPV4_UDP |
	              IXGBE_MRQC_IPV6 | IXGBE_MRQC_IPV6_TCP | IXGBE_MRQC_IPV6_UDP);
}

/* DS 4.6.7 */
static int init_rx(struct ixy_device *dev, struct ixgbe *drv)
{
	reg_clear_bits(dev, IXGBE_RXCTRL, IXGBE_RXCTRL_RXEN);
	/* One 512 KB packet buffer without DCB; flow-control threshold set even with flow control
	 * off (DS 4.6.11.3.4, 8.2.3.3.4). */
	reg_write(dev, IXGBE_RXPBSIZE(0), field_set(0, IXGBE_RXPBSIZE_SIZE, RX_PB_KB));
	for (uint32_t i = 1; i < IXGBE_PACKET_BUFFERS; i++)
		reg_write(dev, IXGBE_RXPBSIZE(i), 0);
	reg_write(dev, IXGBE_FCRTH(0),
	          field_set(0, IXGBE_FCRTH_RTH, (RX_PB_KB * 1024 - RX_FC_HEADROOM) / 32));
	/* CRC strip in both places that control it (erratum E6, docs/82599.md), RSC defaults fixed (erratum
	 * E5, docs/82599.md). */
	reg_set_bits(dev, IXGBE_HLREG0, IXGBE_HLREG0_RXCRCSTRP);
	uint32_t rdrxctl = reg_read(dev, IXGBE_RDRXCTL) & ~IXGBE_RDRXCTL_RSCFRSTSIZE;
	reg_write(dev, IXGBE_RDRXCTL,
	          rdrxctl | IXGBE_RDRXCTL_CRCSTRIP | IXGBE_RDRXCTL_RSCACKC | IXGBE_RDRXCTL_FCOE_WRFIX);
	/* Filter tables must be initialised before use (DS 8.2.3.7.7, 8.2.3.7.10, 8.2.3.27.12);
	 * RAR0 goes to pool 0. */
	for (uint32_t i = 0; i < IXGBE_MTA_COUNT; i++)
		reg_write(dev, IXGBE_MTA(i), 0);
	for (uint32_t i = 0; i < IXGBE_PFUTA_COUNT; i++)
		reg_write(dev, IXGBE_PFUTA(i), 0);
	for (uint32_t i = 0; i < IXGBE_MPSAR_COUNT; i++)
		reg_write(dev, IXGBE_MPSAR(i), i == 0);
	for (uint32_t i = 0; i < IXGBE_PFVLVF_COUNT; i++)
		reg_write(dev, IXGBE_PFVLVF(i), 0); /* VLAN pool filters (DS 8.2.3.27.15, .16) */
	for (uint32_t i = 0; i < IXGBE_PFVLVFB_COUNT; i++)
		reg_write(dev, IXGBE_PFVLVFB(i), 0);
	uint32_t fctrl = reg_read(dev, IXGBE_FCTRL) | IXGBE_FCTRL_BAM;
	if (dev->promiscuous)
		fctrl |= IXGBE_FCTRL_UPE | IXGBE_FCTRL_MPE;
	else
		fctrl &= ~(IXGBE_FCTRL_UPE | IXGBE_FCTRL_MPE);
	reg_write(dev, IXGBE_FCTRL, fctrl);
	if (dev->rx_queues > 1)
		init_rss(dev);
	for (uint16_t n = 0; n < dev->rx_queues; n++) {
		if (init_rx_queue(dev, drv, n) < 0)
			return -1;
	}
	/* No-snoop off: descriptor and data writes stay coherent (last step of DS 4.6.7). */
	reg_set_bits(dev, IXGBE_CTRL_EXT, IXGBE_CTRL_EXT_NS_DIS);
	return rx_enable(dev); /* the receiver goes on last, after every queue (DS 4.6.7) */
}

/* The pool of a TX queue that has queued nothing yet: no buffers, so the first frame's pool
 * takes its place (tx_check_pool). Never written. */
static struct ixy_mempool no_pool;

static int init_tx_queue(struct ixy_device *dev, struct ixgbe *drv, uint16_t n)
{
	uint16_t size = dev->tx_ring_size;
	struct tx_queue *q = calloc(1, sizeof(*q) + size * sizeof(q->bufs[0]));
	if (q) {
		q->dev = dev;
		q->index = n;
	}
	if (!q) {
		ixy_error("out of memory for TX queue %u", n);
		return -1;
	}
	drv->tx[n] = q;
	q->size = size;
	q->clean_at = size / 2u;
	q->pool = &no_pool;
	if (dma_alloc(dev, size * sizeof(struct ixgbe_tx_desc), &q->ring_mem) < 0)
		return -1;
	q->ring = q->ring_mem.virt;
	/* The ring: 128-byte aligned (page aligned here), length a multiple of 128 (DS 8.2.3.9.5, .7). */
	reg_write(dev, IXGBE_TDBAL(n), (uint32_t)q->ring_mem.bus);
	reg_write(dev, IXGBE_TDBAH(n), (uint32_t)(q->ring_mem.bus >> 32));
	reg_write(dev, IXGBE_TDLEN(n), size * (uint32_t)sizeof(struct ixgbe_tx_desc));
	reg_write(dev, IXGBE_TDH(n), 0); /* head and tail start at 0 while disabled (DS 4.6.8) */
	reg_write(dev, IXGBE_TDT(n), 0);
	/* Prefetch 32, host 1, write-back 0: DD only on RS descriptors (DS 8.2.3.9.10, 7.2.3.5). */
	uint32_t txdctl = field_set(0, IXGBE_TXDCTL_PTHRESH, 32);
	txdctl = field_set(txdctl, IXGBE_TXDCTL_HTHRESH, 1);
	reg_write(dev, IXGBE_TXDCTL(n), field_set(txdctl, IXGBE_TXDCTL_WTHRESH, 0));
	reg_clear_bits(dev, IXGBE_DCA_TXCTRL(n), IXGBE_DCA_TXCTRL_WB_RO); /* erratum E4, docs/82599.md */
	return 0;
}

/* DS 4.6.8 */
static int init_tx(struct ixy_device *dev, struct ixgbe *drv)
{
	reg_set_bits(dev, IXGBE_HLREG0, IXGBE_HLREG0_TXCRCEN | IXGBE_HLREG0_TXPADEN);
	/* The arbiter is off while the queue layout is written (DS 4.6.8, 7.2.1.2.1). */
	reg_set_bits(dev, IXGBE_RTTDCS, IXGBE_RTTDCS_ARBDIS);
	reg_write(dev, IXGBE_MTQC, 0); /* 64 queues, one packet buffer */
	reg_write(dev, IXGBE_DTXMXSZRQ, field_set(0, IXGBE_DTXMXSZRQ_MAX_BYTES, 0xFFF)); /* the most: 1 MB */
	reg_write(dev, IXGBE_TXPBSIZE(0), field_set(0, IXGBE_TXPBSIZE_SIZE, TX_PB_KB));
	reg_write(dev, IXGBE_TXPBTHRESH(0),
	          field_set(0, IXGBE_TXPBTHRESH_THRESH, TX_PB_KB - TX_MAX_FRAME_KB));
	for (uint32_t i = 1; i < IXGBE_PACKET_BUFFERS; i++) {
		reg_write(dev, IXGBE_TXPBSIZE(i), 0);
		reg_write(dev, IXGBE_TXPBTHRESH(i), 0);
	}
	reg_clear_bits(dev, IXGBE_RTTDCS, IXGBE_RTTDCS_ARBDIS);
	for (uint16_t n = 0; n < dev->tx_queues; n++) {
		if (init_tx_queue(dev, drv, n) < 0)
			return -1;
	}
	/* TE once, before any queue is enabled (DS 4.6.8). */
	reg_set_bits(dev, IXGBE_DMATXCTL, IXGBE_DMATXCTL_TE);
	for (uint16_t n = 0; n < dev->tx_queues; n++) {
		reg_set_bits(dev, IXGBE_TXDCTL(n), IXGBE_TXDCTL_ENABLE);
		if (wait_step(dev, IXGBE_TXDCTL(n), IXGBE_TXDCTL_ENABLE, IXGBE_TXDCTL_ENABLE,
		              "TX queue enable (TXDCTL.ENABLE)") < 0)
			return -1;
	}
	return 0;
}

/* The software/firmware semaphore (DS 10.5.4): SWSM.SMBI, then SWSM.SWESMBI, guard the
 * SW_FW_SYNC resource bits, which firmware mirrors five bits higher. */
static int swsm_acquire(struct ixy_device *dev)
{
	for (uint64_t end = deadline_in_us(SEMAPHORE_TIMEOUT_US); !deadline_passed(end);) {
		if (!(reg_read(dev, IXGBE_SWSM) & IXGBE_SWSM_SMBI)) { /* the read took it */
			reg_set_bits(dev, IXGBE_SWSM, IXGBE_SWSM_SWESMBI);
			if (reg_read(dev, IXGBE_SWSM) & IXGBE_SWSM_SWESMBI)
				return 0;
			reg_clear_bits(dev, IXGBE_SWSM, IXGBE_SWSM_SMBI);
		}
		usleep(50);
	}
	return -1;
}

static void swsm_release(struct ixy_device *dev)
{
	reg_clear_bits(dev, IXGBE_SWSM, IXGBE_SWSM_SMBI | IXGBE_SWSM_SWESMBI);
}

/* Takes a SW_FW_SYNC resource; firmware may hold it for a while. */
static int swfw_acquire(struct ixy_device *dev, uint32_t resource, const char *what)
{
	for (uint64_t end = deadline_in_us(SEMAPHORE_TIMEOUT_US); !deadline_passed(end);) {
		if (swsm_acquire(dev) < 0)
			break;
		uint32_t sync = reg_read(dev, IXGBE_SW_FW_SYNC);
		bool free = !(sync & (resource | resource << 5));
		if (free)
			reg_write(dev, IXGBE_SW_FW_SYNC, sync | resource);
		swsm_release(dev);
		if (free)
			return 0;
		usleep(1000);
	}
	ixy_error("%s: firmware did not release %s within %u ms (SWSM / SW_FW_SYNC); try again, or "
	          "reset the NIC",
	          dev->name, what, SEMAPHORE_TIMEOUT_US / 1000);
	return -1;
}

static void swfw_release(struct ixy_device *dev, uint32_t resource)
{
	if (swsm_acquire(dev) == 0) {
		reg_clear_bits(dev, IXGBE_SW_FW_SYNC, resource);
		swsm_release(dev);
	}
}

/* Stops every queue the device has, whoever enabled it, and waits until each reads stopped: no
 * DMA may be left when the master disable starts (DS 4.6.7.1, 4.6.8.1, 5.2.5.3.2). */
static int stop_all_queues(struct ixy_device *dev)
{
	for (uint32_t n = 0; n < IXGBE_QUEUES; n++) {
		reg_clear_bits(dev, IXGBE_RXDCTL(n), IXGBE_RXDCTL_ENABLE);
		reg_clear_bits(dev, IXGBE_TXDCTL(n), IXGBE_TXDCTL_ENABLE);
	}
	int err = 0;
	for (uint32_t n = 0; n < IXGBE_QUEUES && !err; n++) {
		err =
		    wait_step(dev, IXGBE_RXDCTL(n), IXGBE_RXDCTL_ENABLE, 0, "RX queue stop (RXDCTL.ENABLE)");
		if (!err)
			err = wait_step(dev, IXGBE_TXDCTL(n), IXGBE_TXDCTL_ENABLE, 0,
			                "TX queue stop (TXDCTL.ENABLE)");
	}
	return err;
}

/* Queues stopped, master disable, then global reset (DS 4.6.3.2, 5.2.5.3.2, 8.2.3.1.1). If PCIe
 * transactions stay pending, flush the internal buffers and reset twice (erratum E10, docs/82599.md). */
static int reset(struct ixy_device *dev)
{
	if (stop_all_queues(dev) < 0)
		return -1;
	for (int round = 0, rounds = 1; round < rounds; round++) {
		reg_set_bits(dev, IXGBE_CTRL, IXGBE_CTRL_MASTER_DISABLE);
		if (reg_wait(dev, IXGBE_STATUS, IXGBE_STATUS_MASTER_ENABLE, 0, MASTER_DISABLE_TIMEOUT_MS) <
		    0) {
			ixy_warn("%s: PCIe transactions still pending after master disable: flushing, then "
			         "resetting twice (erratum E10, docs/82599.md)",
			         dev->name);
			reg_set_bits(dev, IXGBE_HLREG0, IXGBE_HLREG0_LPBK);
			reg_clear_bits(dev, IXGBE_RXCTRL, IXGBE_RXCTRL_RXEN);
			reg_set_bits(dev, IXGBE_GCR_EXT, IXGBE_GCR_EXT_BUFFERS_CLEAR);
			usleep(20);
			reg_clear_bits(dev, IXGBE_GCR_EXT, IXGBE_GCR_EXT_BUFFERS_CLEAR);
			reg_clear_bits(dev, IXGBE_HLREG0, IXGBE_HLREG0_LPBK);
			rounds = 2;
		}
		/* RST, not LRST: a link reset could disturb a PHY that firmware shares (erratum E11,
		 * docs/82599.md). */
		reg_set_bits(dev, IXGBE_CTRL, IXGBE_CTRL_RST);
		usleep(1000); /* no register access for 1 ms after RST (DS 8.2.3.1.1) */
		if (wait_step(dev, IXGBE_CTRL, IXGBE_CTRL_RST, 0, "reset (CTRL.RST self-clear)") < 0)
			return -1;
		usleep(10000); /* at least 10 ms after a global reset (DS 4.6.3.2) */
	}
	return 0;
}

static void clear_stats(struct ixy_device *dev)
{
	struct counters discard = {0};
	read_counters(dev, &discard); /* clear on read (DS 4.6.5) */
}

static int ixgbe_tx_flush(struct ixy_device *dev, uint32_t timeout_ms)
{
	struct ixgbe *drv = dev->driver;
	for (uint64_t end = deadline_in_ms(timeout_ms);;) {
		bool pending = false;
		for (uint16_t n = 0; n < dev->tx_queues; n++) {
			struct tx_queue *q = drv->tx[n];
			if (q && q->ring) {
				tx_clean(q);
				if (q->clean != q->tail) {
					tx_resync(dev, n, q);
					pending = true;
				}
			}
		}
		if (!pending)
			return 0;
		if (deadline_passed(end))
			return -1;
		usleep(100);
	}
}

static void ixgbe_close(struct ixy_device *dev)
{
	struct ixgbe *drv = dev->driver;
	if (!drv)
		return;
	ixgbe_irq_close(dev);
	/* Stop TX once sent, then RX; memory is freed only after the queues read disabled
	 * (DS 4.6.7.1.2, 4.6.8). A queue that does not stop keeps its memory: freeing it could let
	 * the NIC DMA into memory that is reused. */
	if (ixgbe_tx_flush(dev, TX_DRAIN_TIMEOUT_MS) < 0)
		ixy_warn("%s: TX still had packets after %u ms (link down?); dropping them", dev->name,
		         TX_DRAIN_TIMEOUT_MS);
	bool stopped = true;
	for (uint16_t n = 0; n < MAX_QUEUES; n++) {
		if (!drv->tx[n])
			continue;
		reg_clear_bits(dev, IXGBE_TXDCTL(n), IXGBE_TXDCTL_ENABLE); /* DS 8.2.3.9.10 */
		stopped &= reg_wait(dev, IXGBE_TXDCTL(n), IXGBE_TXDCTL_ENABLE, 0, INIT_TIMEOUT_MS) == 0;
	}
	reg_clear_bits(dev, IXGBE_RXCTRL, IXGBE_RXCTRL_RXEN); /* DS 8.2.3.8.10 */
	for (uint16_t n = 0; n < MAX_QUEUES; n++) {
		if (!drv->rx[n])
			continue;
		reg_clear_bits(dev, IXGBE_RXDCTL(n), IXGBE_RXDCTL_ENABLE); /* DS 4.6.7.1.2 */
		stopped &= reg_wait(dev, IXGBE_RXDCTL(n), IXGBE_RXDCTL_ENABLE, 0, INIT_TIMEOUT_MS) == 0;
	}
	usleep(100); /* pending descriptor fetches finish after ENABLE reads 0 (DS 4.6.7.1.2) */
	reg_clear_bits(dev, IXGBE_CTRL_EXT, IXGBE_CTRL_EXT_DRV_LOAD); /* no driver any more (DS 8.2.3.1.3) */
	if (!stopped) {
		ixy_warn("%s: a queue did not stop within %u ms; its DMA memory is not freed", dev->name,
		         INIT_TIMEOUT_MS);
		return;
	}
	for (uint16_t n = 0; n < MAX_QUEUES; n++) {
		free_rx_queue(dev, drv->rx[n]);
		free_tx_queue(drv->tx[n]);
	}
	free(drv);
	dev->driver = NULL;
}

static const struct ixy_driver_ops ixgbe_ops = {
    .rx_batch = ixgbe_rx_batch,
    .tx_batch = ixgbe_tx_batch,
};

/* ---- time sync and rate limits (ixgbe_timesync.c does the work) ---- */

static struct ixgbe_timesync *timesync_of(struct ixy_device *dev)
{
	return &((struct ixgbe *)dev->driver)->timesync;
}

static int ixgbe_ts_enable(struct ixy_device *dev)
{
	return ixgbe_timesync_enable(dev, timesync_of(dev), ixgbe_link_speed(dev));
}

static uint64_t ixgbe_ts_clock(struct ixy_device *dev)
{
	return ixgbe_timesync_clock(dev, timesync_of(dev));
}

static bool ixgbe_ts_tx(struct ixy_device *dev, uint64_t *ns)
{
	return ixgbe_timesync_tx(dev, timesync_of(dev), ns);
}

static bool ixgbe_ts_rx(struct ixy_device *dev, uint64_t *ns, uint16_t *ptp_seq)
{
	return ixgbe_timesync_rx(dev, timesync_of(dev), ns, ptp_seq);
}

static bool ixgbe_tx_stamped(struct ixy_device *dev, uint16_t queue, struct ixy_buf *buf)
{
	return ixgbe_timesync_on(dev, timesync_of(dev)) && queue < dev->tx_queues &&
	       tx_stamped(dev, queue, buf) == 1;
}

static int ixgbe_tx_rate(struct ixy_device *dev, uint16_t queue, uint64_t bits_per_s)
{
	return ixgbe_set_queue_rate(dev, queue, bits_per_s, ixgbe_link_speed(dev));
}

static const struct ixy_timing_ops ixgbe_timing = {
    .timesync_enable = ixgbe_ts_enable,
    .read_clock = ixgbe_ts_clock,
    .read_tx = ixgbe_ts_tx,
    .read_rx = ixgbe_ts_rx,
    .tx_stamped = ixgbe_tx_stamped,
    .set_tx_rate = ixgbe_tx_rate,
};

static const struct ixy_ctrl_ops ixgbe_ctrl = {
    .driver_name = "ixgbe",
    .close = ixgbe_close,
    .tx_flush = ixgbe_tx_flush,
    .read_stats = ixgbe_read_stats,
    .read_queue_stats = ixgbe_read_queue_stats,
    .set_promiscuous = ixgbe_set_promiscuous,
    .get_mac = ixgbe_get_mac,
    .set_mac = ixgbe_set_mac,
    .link_speed = ixgbe_link_speed,
    .timing = &ixgbe_timing,
    .rx_ready = ixgbe_rx_ready,
    .irq_arm = ixgbe_irq_arm,
    .irq_disarm = ixgbe_irq_disarm,
};

/* DS 4.6.3 */
int ixgbe_init(struct ixy_device *dev)
{
	dev->head.ops = &ixgbe_ops;
	dev->ctrl = &ixgbe_ctrl;
	if (dev->rx_queues > RSS_MAX_QUEUES) {
		ixy_error("%s: %u RX queues asked for, but RSS spreads frames over at most %u (4-bit RETA "
		          "entries): use 1 to %u RX queues (TX queues: up to 64)",
		          dev->name, dev->rx_queues, RSS_MAX_QUEUES, RSS_MAX_QUEUES);
		return -1;
	}
	if (reg_read(dev, IXGBE_STATUS) == 0xFFFFFFFFu) { /* DS 8.2.3.1.2: never all ones on a live device */
		ixy_error("%s reads all ones: the device does not answer (powered down, or removed)",
		          dev->name);
		return -1;
	}
	struct ixgbe *drv = calloc(1, sizeof(*drv));
	if (!drv) {
		ixy_error("out of memory");
		return -1;
	}
	dev->driver = drv;
	/* A reset from power-on or an earlier user may still run: no writes until it is done (DS 8.2.3.1.1).
	 */
	if (wait_step(dev, IXGBE_CTRL, IXGBE_CTRL_RST, 0, "earlier reset (CTRL.RST self-clear)") < 0)
		goto fail;
	reg_write(dev, IXGBE_EIMC, IXGBE_EIMC_ALL); /* interrupts off (DS 4.6.3.1) */
	if (reset(dev) < 0)
		goto fail;
	reg_write(dev, IXGBE_EIMC, IXGBE_EIMC_ALL); /* again: reset re-enables nothing, but be sure */
	reg_read(dev, IXGBE_EICR);                  /* drop pending causes */
	if (wait_step(dev, IXGBE_EEC, IXGBE_EEC_ARD, IXGBE_EEC_ARD, "EEPROM auto-read (EEC.ARD)") < 0 ||
	    wait_step(dev, IXGBE_RDRXCTL, IXGBE_RDRXCTL_DMAIDONE, IXGBE_RDRXCTL_DMAIDONE,
	              "DMA init (RDRXCTL.DMAIDONE)") < 0)
		goto fail;
	reg_set_bits(dev, IXGBE_CTRL_EXT,
	             IXGBE_CTRL_EXT_DRV_LOAD); /* a driver runs the port (DS 8.2.3.1.3) */
	/* The EEPROM must be there with a valid checksum, or the MAC and link setup are defaults
	 * (DS 8.2.3.2.1, 8.2.3.4.10). */
	if (!(reg_read(dev, IXGBE_EEC) & IXGBE_EEC_PRES) ||
	    (reg_read(dev, IXGBE_FWSM) & IXGBE_FWSM_EXT_ERR_IND))
		ixy_warn("%s: no valid EEPROM image (EEC.PRES / FWSM.EXT_ERR_IND): MAC address and link "
		         "settings may be wrong",
		         dev->name);
	/* Link: keep the EEPROM's AUTOC mode (correct for SFP+, KR and KX4 alike) and restart
	 * auto-negotiation (DS 4.6.4), holding MAC_CSR: manageability firmware may own the link
	 * (erratum E12, docs/82599.md). */
	if (swfw_acquire(dev, IXGBE_SW_FW_SYNC_MAC_CSR, "the MAC registers (MAC_CSR)") < 0)
		goto fail;
	reg_set_bits(dev, IXGBE_AUTOC, IXGBE_AUTOC_RESTART_AN);
	swfw_release(dev, IXGBE_SW_FW_SYNC_MAC_CSR);
	clear_stats(dev);
	init_queue_stat_map(dev);
	if (init_rx(dev, drv) < 0 || init_tx(dev, drv) < 0 || ixgbe_irq_init(dev) < 0)
		goto fail;
	/* LINKS.LINK_UP, then what the link is worth (an empty SFP+ cage: nothing, E13). */
	reg_wait(dev, IXGBE_LINKS, IXGBE_LINKS_UP, IXGBE_LINKS_UP, dev->link_timeout_ms);
	uint32_t speed = ixgbe_link_speed(dev);
	if (speed)
		ixy_info("%s: ixgbe link up at %u Mbit/s", dev->name, speed);
	else
		ixy_warn("%s: link still down after %u ms; check the cable or module", dev->name,
		         dev->link_timeout_ms);
	return 0;
fail:
	ixgbe_close(dev);
	return -1;
}
