/* pcap files as a model's wire: a lossless frame source (rx-pcap) and a sink (tx-pcap), classic
 * pcap, link type 1 (Ethernet), records without FCS. Independent of the 82599. */
#ifndef SIM_PCAP_IO_H
#define SIM_PCAP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wire.h"

struct pcap_reader {
	FILE *f; /* NULL: no source */
	bool swap, eof;
	uint32_t len; /* a record read but not yet delivered (lossless source) */
	uint8_t buf[WIRE_MAX_FRAME];
};

struct pcap_writer {
	FILE *f;         /* NULL: no sink */
	uint64_t n;      /* records written */
	bool fixed_time; /* record n gets timestamp 0 s, n us (for byte-exact tests) */
};

/* Opens path and checks its header; NULL with a message in err (errlen bytes). */
FILE *pcap_open_read(const char *path, bool *swap, char *err, size_t errlen);
/* Creates path and writes the header; NULL with a message in err. */
FILE *pcap_open_write(const char *path, char *err, size_t errlen);
/* Reads the next record into r->buf; returns its length, 0 at the end (then r->eof is set). A
 * broken record ends the input with a message on stderr (prefixed by who) unless quiet.
 * Timestamps are ignored. */
uint32_t pcap_reader_next(struct pcap_reader *r, const char *who, bool quiet);
/* Appends one record. */
void pcap_writer_put(struct pcap_writer *w, const uint8_t *d, uint32_t len);

#endif
