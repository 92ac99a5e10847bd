/* Classic pcap files (libpcap format, link type 1 = Ethernet): the one reader and the one writer
 * of the apps, the virtual 82599 (rx-pcap, tx-pcap) and the C tests. Private to libixy.
 *
 * Writer: the global header is written (and checked) when the file is opened; records are
 * collected in a 1 MiB buffer and written with write(2) only when it fills, on
 * pcap_writer_flush() and on close -- never one syscall per packet. The buffer only ever
 * holds whole records, and when a write fails (full disk, I/O error) the file is truncated
 * back to the end of the last whole record on disk, so what was written is always a valid
 * pcap file. Timestamps are microseconds (magic 0xa1b2c3d4, the format every pcap reader
 * accepts), or nanoseconds (magic 0xa1b23c4d) when opened so; snaplen 65535. An existing
 * non-empty file is replaced only when the first write
 * (flush or close) happens, so a program that fails before it captures anything loses nothing.
 *
 * Reader: loads a whole file into memory (at most PCAP_MAX_BYTES bytes and PCAP_MAX_FRAMES
 * frames) and validates every record before returning, so a truncated or corrupt file is
 * refused before anything is done with it. Accepts both byte orders and the microsecond and
 * nanosecond magics; only Ethernet (link type 1) without FCS; every frame 14..1514 bytes.
 *
 * Same file: while a writer is open or an input's frames are loaded, the process refuses to
 * write a file it reads or reads a file it writes (the same st_dev/st_ino, whatever the names).
 * A reader refused that way also keeps the writer from ever replacing the file. So an open
 * pcap_writer and a loaded pcap_frames must stay where they are (the process keeps their
 * addresses) until pcap_writer_close()/_abandon() or pcap_frames_free().
 */
#ifndef IXY_PCAP_FILE_H
#define IXY_PCAP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAP_MAX_FRAME 1514u          /* longest Ethernet frame without FCS (no jumbo) */
#define PCAP_MIN_FRAME 14u            /* an Ethernet header */
#define PCAP_MAX_FRAMES (1u << 20)    /* reader limit: 1 Mi frames */
#define PCAP_MAX_BYTES (256ull << 20) /* reader limit: 256 MiB file */
#define PCAP_WRITE_BUFFER (1u << 20)  /* writer buffer: 1 MiB */
#define PCAP_SNAPLEN 65535u

struct pcap_writer {
	int fd;
	char path[4096];
	uint8_t *buf;             /* PCAP_WRITE_BUFFER bytes of whole records */
	size_t used;              /* bytes in buf */
	uint64_t on_disk;         /* bytes in the file: header + whole records */
	uint64_t records;         /* records in the file + in buf */
	uint64_t records_on_disk; /* whole records in the file */
	int error;                /* errno of the first failed write (the writer then refuses more) */
	bool started;             /* the file holds our header (what it held before is gone) */
	bool conflict;            /* the file is also an input: never start */
	bool nanosecond;          /* nanosecond timestamps (else microseconds) */
};

/* Creates path (or opens it to be replaced) and writes the global header, or for an existing
 * non-empty file defers that to the first write. Returns 0, or -1 with a message naming the
 * file and the reason in err (also when the file is an input of this process). */
int pcap_writer_open(struct pcap_writer *w, const char *path, char *err, size_t errlen);
/* The same, with nanosecond timestamps if `nanosecond`. */
int pcap_writer_open_res(struct pcap_writer *w, const char *path, bool nanosecond, char *err, size_t errlen);
/* Appends one record (caplen = len, truncated to the snaplen). ts_ns: wall-clock time in ns
 * since the epoch. Returns 0, or -1 once a write has failed (see pcap_writer_error()). */
int pcap_writer_add(struct pcap_writer *w, const void *frame, uint32_t len, uint64_t ts_ns);
/* Writes the buffered records to the file. Returns 0 or -1 (see pcap_writer_error()). */
int pcap_writer_flush(struct pcap_writer *w);
/* Flushes and closes; returns 0, or -1 if any write (or close) failed. Safe to call twice. */
int pcap_writer_close(struct pcap_writer *w);
/* Closes without writing what is buffered: for a program that fails before it captures. */
void pcap_writer_abandon(struct pcap_writer *w);
/* Records known to be complete in the file (after a failure: those kept). */
uint64_t pcap_writer_records_on_disk(const struct pcap_writer *w);
/* "cannot write FILE: REASON (kept N whole frames)" after a failure (or that the file is also
 * an input). */
void pcap_writer_error(const struct pcap_writer *w, char *err, size_t errlen);

struct pcap_frame {
	const uint8_t *data;
	uint32_t len;
	uint64_t ts_ns; /* the record's timestamp, ns since the epoch */
};

struct pcap_frames {
	char path[4096];
	uint8_t *file;             /* the whole file */
	struct pcap_frame *frames; /* point into file */
	uint32_t count;
	uint64_t bytes;  /* sum of frame lengths */
	bool nanosecond; /* timestamp precision of the file */
};

/* Reads and validates all of path. Returns 0, or -1 with a message naming the file, the record
 * and the problem in err (nothing is kept). */
int pcap_read_all(struct pcap_frames *p, const char *path, char *err, size_t errlen);
void pcap_frames_free(struct pcap_frames *p);

#endif
