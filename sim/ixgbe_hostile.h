/* Hostile mode of the virtual 82599: it corrupts what the port writes back into the descriptor
 * rings the way a broken or malicious device would, so tests can show that the driver trusts
 * nothing the device writes. Off by default; frames and buffer contents are not touched, only
 * the write-back dwords (bytes 8-15 of an Rx descriptor, DD of a Tx descriptor), so the model's
 * own DMA stays where the driver pointed it. */
#ifndef SIM_IXGBE_HOSTILE_H
#define SIM_IXGBE_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ixgbe_model;
struct queue;

/* What to corrupt (any combination). Rx kinds act on the advanced write-back (DS 7.1.6.2). */
enum {
	IXGBE_HOSTILE_RX_LENGTH = 1u << 0,    /* PKT_LEN 0, 1, 13, 2049, 3000, 65535 or random */
	IXGBE_HOSTILE_RX_ERRORS = 1u << 1,    /* random error bits 31:20 set */
	IXGBE_HOSTILE_RX_UNPOSTED = 1u << 2,  /* DD|EOP on a descriptor the port does not own */
	IXGBE_HOSTILE_RX_REPLAY = 1u << 3,    /* an earlier write-back written again to its descriptor */
	IXGBE_HOSTILE_RX_DUPLICATE = 1u << 4, /* the write-back copied to the next descriptor too */
	IXGBE_HOSTILE_RX_CHAIN = 1u << 5,     /* no EOP on the next 1 to 2N write-backs (N: ring size) */
	IXGBE_HOSTILE_RX_SKIP = 1u << 6,      /* no write-back: the head moves on without DD */
	IXGBE_HOSTILE_TX_EARLY = 1u << 7,     /* DD on an RS descriptor not yet sent */
	IXGBE_HOSTILE_TX_MISSING = 1u << 8,   /* no DD on an RS descriptor that was sent */
	IXGBE_HOSTILE_TX_STRAY = 1u << 9,     /* DD on a descriptor outside head..tail */
	IXGBE_HOSTILE_ALL = (1u << 10) - 1,
};

/* Per-port state (inside struct ixgbe_model; zero = off). */
struct ixgbe_hostile {
	uint32_t kinds;
	uint32_t percent;     /* chance of a corruption at each write-back, 0..100 */
	uint64_t rng;         /* xorshift64 state */
	uint32_t chain_left;  /* Rx write-backs still to lose their EOP */
	bool saved;           /* a write-back kept for RX_REPLAY */
	uint32_t saved_queue; /* its Rx queue and descriptor */
	uint32_t saved_idx;
	uint8_t saved_wb[8];
	uint64_t done; /* corruptions made */
};

/* Turns hostile mode on for `kinds` at `percent` of the write-backs (kinds 0: off), with a
 * random sequence fixed by `seed`. Safe while the port runs. */
void ixgbe_model_set_hostile(struct ixgbe_model *m, uint32_t kinds, uint32_t percent, uint64_t seed);
/* Corruptions made since hostile mode was last turned on. */
uint64_t ixgbe_model_hostile_count(struct ixgbe_model *m);

/* The hooks, one at each write-back point of the Rx and Tx engines (model lock held).
 * Rx: descriptor idx of queue qn was just written back (q->head not yet advanced). */
void ixgbe_hostile_rx(struct ixgbe_hostile *h, struct queue *q, uint32_t qn, uint32_t idx);
/* Tx: descriptor idx (RS set, q->head == idx) is due for its DD; false: leave it out. */
bool ixgbe_hostile_tx(struct ixgbe_hostile *h, struct queue *q, uint32_t idx);

#ifdef __cplusplus
}
#endif
#endif
