/* IPv4/IPv6 test frames for the RSS and thread tests, and an independent Toeplitz hash
 * (DS 7.1.2.8) to check the queue the NIC picks. */
#ifndef IXY_TEST_FRAMES_H
#define IXY_TEST_FRAMES_H

#include <stdint.h>
#include <string.h>

/* A flow: IPv4 (addresses in the low 4 bytes of src/dst) or IPv6, protocol 6 (TCP), 17 (UDP) or
 * anything else (addresses only). */
struct flow {
	int ipv6;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

/* Writes the frame of `flow` (broadcast, `len` >= 78 bytes) with seq at the payload's start;
 * returns the payload offset. */
static inline size_t flow_frame(uint8_t *f, size_t len, const struct flow *fl, uint32_t seq)
{
	memset(f, 0, len);
	memset(f, 0xFF, 6);
	f[6] = 0x02;
	f[11] = 0x55;
	size_t l4;
	if (fl->ipv6) {
		f[12] = 0x86;
		f[13] = 0xDD;
		f[14] = 0x60;
		uint16_t pl = (uint16_t)(len - 54);
		f[18] = (uint8_t)(pl >> 8);
		f[19] = (uint8_t)pl;
		f[20] = fl->proto;
		f[21] = 64;
		memcpy(f + 22, fl->src, 16);
		memcpy(f + 38, fl->dst, 16);
		l4 = 54;
	} else {
		f[12] = 0x08;
		f[14] = 0x45;
		uint16_t tl = (uint16_t)(len - 14);
		f[16] = (uint8_t)(tl >> 8);
		f[17] = (uint8_t)tl;
		f[22] = 64;
		f[23] = fl->proto;
		memcpy(f + 26, fl->src, 4);
		memcpy(f + 30, fl->dst, 4);
		l4 = 34;
	}
	f[l4] = (uint8_t)(fl->sport >> 8);
	f[l4 + 1] = (uint8_t)fl->sport;
	f[l4 + 2] = (uint8_t)(fl->dport >> 8);
	f[l4 + 3] = (uint8_t)fl->dport;
	memcpy(f + l4 + 20, &seq, 4);
	return l4 + 20;
}

/* The Toeplitz hash of the flow's addresses (and ports when with_ports) under the 40-byte key. */
static inline uint32_t flow_hash(const struct flow *fl, int with_ports, const uint8_t key[40])
{
	uint8_t in[36];
	size_t alen = fl->ipv6 ? 16 : 4, n = 2 * alen;
	memcpy(in, fl->src, alen);
	memcpy(in + alen, fl->dst, alen);
	if (with_ports) {
		in[n++] = (uint8_t)(fl->sport >> 8);
		in[n++] = (uint8_t)fl->sport;
		in[n++] = (uint8_t)(fl->dport >> 8);
		in[n++] = (uint8_t)fl->dport;
	}
	uint32_t hash = 0;
	for (size_t bit = 0; bit < 8 * n; bit++) {
		if (!(in[bit / 8] & (0x80 >> (bit % 8))))
			continue;
		uint32_t k = 0; /* key bits bit..bit+31 */
		for (size_t j = 0; j < 32; j++)
			k = k << 1 | ((key[(bit + j) / 8] >> (7 - (bit + j) % 8)) & 1u);
		hash ^= k;
	}
	return hash;
}

#endif
