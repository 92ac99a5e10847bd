/* pcap files as a model's wire (see pcap_io.h). */
#include "pcap_io.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static uint32_t sw32(uint32_t v, bool swap)
{
	return swap ? __builtin_bswap32(v) : v;
}

FILE *pcap_open_read(const char *path, bool *swap, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open rx-pcap file '%s': %s", path, strerror(errno));
		return NULL;
	}
	uint32_t h[6];
	if (fread(h, sizeof(h), 1, f) != 1) {
		snprintf(err, errlen, "rx-pcap file '%s' is too short for a pcap header", path);
		fclose(f);
		return NULL;
	}
	switch (h[0]) {
	case 0xa1b2c3d4:
		*swap = false;
		break;
	case 0xd4c3b2a1:
		*swap = true;
		break;
	case 0xa1b23c4d:
		*swap = false;
		break;
	case 0x4d3cb2a1:
		*swap = true;
		break;
	default:
		snprintf(err, errlen, "rx-pcap file '%s' is not a pcap file (magic 0x%08x)", path, h[0]);
		fclose(f);
		return NULL;
	}
	if ((sw32(h[5], *swap) & 0xFFFF) != 1) {
		snprintf(err, errlen, "rx-pcap file '%s' has link type %u, only 1 (Ethernet) is supported",
		         path, sw32(h[5], *swap) & 0xFFFF);
		fclose(f);
		return NULL;
	}
	return f;
}

FILE *pcap_open_write(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot create tx-pcap file '%s': %s", path, strerror(errno));
		return NULL;
	}
	const uint32_t h[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	fwrite(h, sizeof(h), 1, f);
	return f;
}

uint32_t pcap_reader_next(struct pcap_reader *r, const char *who, bool quiet)
{
	uint32_t h[4];
	if (r->eof || !r->f)
		return 0;
	if (fread(h, sizeof(h), 1, r->f) != 1) {
		r->eof = true;
		return 0;
	}
	uint32_t incl = sw32(h[2], r->swap);
	if (incl == 0 || incl > WIRE_MAX_FRAME || fread(r->buf, 1, incl, r->f) != incl) {
		if (!quiet)
			fprintf(stderr, "%s: rx-pcap: empty, truncated or oversized record, input ends\n",
			        who);
		r->eof = true;
		return 0;
	}
	return incl;
}

void pcap_writer_put(struct pcap_writer *w, const uint8_t *d, uint32_t len)
{
	uint32_t h[4];
	if (w->fixed_time) {
		h[0] = (uint32_t)(w->n / 1000000);
		h[1] = (uint32_t)(w->n % 1000000);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		h[0] = (uint32_t)ts.tv_sec;
		h[1] = (uint32_t)(ts.tv_nsec / 1000);
	}
	w->n++;
	h[2] = h[3] = len;
	fwrite(h, sizeof(h), 1, w->f);
	fwrite(d, 1, len, w->f);
}
