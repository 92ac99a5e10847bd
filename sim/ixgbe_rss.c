/* Receive-side scaling of the virtual 82599 (DS 7.1.2.8; MRQC DS 8.2.3.7.12): with MRQC.MRQE =
 * 0001 the Toeplitz hash of a frame's addresses (and ports), keyed by RSSRK, picks RETA entry
 * hash & 0x7F, whose low 4 bits are the queue. Key byte 4i+j is RSSRK(i) bits 8j+7:8j.
 *
 * Hash input, by MRQC enable bit:
 *   IPv4 (17):      source and destination address (8 bytes)
 *   IPv4 TCP (16), IPv4 UDP (22): the addresses, then source and destination port (12 bytes),
 *                   for an unfragmented IPv4 frame whose protocol is TCP/UDP
 *   IPv6 (20):      source and destination address (32 bytes)
 *   IPv6 TCP (21), IPv6 UDP (23): the addresses, then the ports (36 bytes), for an IPv6 frame
 *                   whose Next Header is TCP/UDP (no extension header)
 * A TCP/UDP frame whose port hash is off takes the address hash if that is on. The "IPv6 Ex"
 * types (18, 19, 24: addresses from extension headers) are not modelled: an IPv6 frame with
 * extension headers takes the address hash. Frames no enabled type covers, and every other MRQE
 * mode, go to queue 0. */
#include "ixgbe_port.h"

#include <string.h>

#define MRQC_IPV4_TCP (1u << 16)
#define MRQC_IPV4 (1u << 17)
#define MRQC_IPV6 (1u << 20)
#define MRQC_IPV6_TCP (1u << 21)
#define MRQC_IPV4_UDP (1u << 22)
#define MRQC_IPV6_UDP (1u << 23)

/* Toeplitz: for every set input bit (most significant first), XOR in the 32 key bits starting
 * at that bit's position. */
static uint32_t toeplitz(struct ixgbe_model *m, const uint8_t *in, size_t n)
{
	uint8_t key[40];
	for (unsigned i = 0; i < 40; i++)
		key[i] = (uint8_t)(*reg(m, R_RSSRK + 4 * (i / 4)) >> (8 * (i % 4)));
	uint32_t hash = 0, window = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	for (size_t bit = 0; bit < n * 8; bit++) {
		if (in[bit / 8] & (0x80 >> (bit % 8)))
			hash ^= window;
		size_t next = bit + 32; /* the key bit that slides into the window */
		window = window << 1 | (next < 320 ? (key[next / 8] >> (7 - next % 8)) & 1u : 0);
	}
	return hash;
}

/* The hash input of a frame under MRQC; returns its length, 0 when no enabled type covers it. */
static size_t hash_input(uint32_t mrqc, const uint8_t *d, uint32_t len, uint8_t in[36])
{
	uint32_t ethertype = (uint32_t)d[12] << 8 | d[13];
	if (ethertype == 0x0800 && len >= 34 && d[14] >> 4 == 4) {
		uint32_t ihl = (d[14] & 0xFu) * 4;
		bool fragment = (d[20] & 0x3F) || d[21];
		memcpy(in, d + 26, 8);
		bool tcp = d[23] == 6 && (mrqc & MRQC_IPV4_TCP), udp = d[23] == 17 && (mrqc & MRQC_IPV4_UDP);
		if ((tcp || udp) && !fragment && len >= 14 + ihl + 4) {
			memcpy(in + 8, d + 14 + ihl, 4);
			return 12;
		}
		return mrqc & MRQC_IPV4 ? 8 : 0;
	}
	if (ethertype == 0x86DD && len >= 54 && d[14] >> 4 == 6) {
		memcpy(in, d + 22, 32); /* source and destination address */
		bool tcp = d[20] == 6 && (mrqc & MRQC_IPV6_TCP), udp = d[20] == 17 && (mrqc & MRQC_IPV6_UDP);
		if ((tcp || udp) && len >= 54 + 4) {
			memcpy(in + 32, d + 54, 4);
			return 36;
		}
		return mrqc & MRQC_IPV6 ? 32 : 0;
	}
	return 0;
}

unsigned ixgbe_rss_queue(struct ixgbe_model *m, const uint8_t *d, uint32_t len)
{
	uint32_t mrqc = *reg(m, R_MRQC);
	uint8_t in[36];
	size_t n;
	if ((mrqc & 0xF) != 1 || len < 14 || (n = hash_input(mrqc, d, len, in)) == 0)
		return 0;
	unsigned entry = toeplitz(m, in, n) & 0x7F;
	return (*reg(m, R_RETA + 4 * (entry / 4)) >> (8 * (entry % 4))) & 0xF;
}
