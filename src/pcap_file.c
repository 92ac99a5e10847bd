/* Classic pcap reader and writer for the apps, the virtual 82599 and the tests (see
 * pcap_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcap_file.h"

#define MAGIC_USEC 0xA1B2C3D4u
#define MAGIC_NSEC 0xA1B23C4Du
#define MAGIC_PCAPNG 0x0A0D0D0Au
#define LINKTYPE_ETHERNET 1u
#define LINKTYPE_FCS_PRESENT 0x04000000u
#define GLOBAL_HDR 24u
#define RECORD_HDR 16u

struct global_hdr {
	uint32_t magic;
	uint16_t version_major;
	uint16_t version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct record_hdr {
	uint32_t ts_sec;
	uint32_t ts_frac; /* microseconds (or nanoseconds with MAGIC_NSEC) */
	uint32_t caplen;
	uint32_t origlen;
};

_Static_assert(sizeof(struct global_hdr) == GLOBAL_HDR, "pcap global header");
_Static_assert(sizeof(struct record_hdr) == RECORD_HDR, "pcap record header");

/* ---- files in use: an output must never be one of the inputs ---- */

#define FILES_IN_USE 64

struct file_use {
	dev_t dev;
	ino_t ino;
	const char *path;           /* the writer's or the input's copy */
	struct pcap_writer *writer; /* NULL: an input (its frames are in memory) */
	const struct pcap_frames *input;
};

/* Process-wide: a program may read and write pcap files from several threads (apps, virtual
 * ports), and the same file may hide behind two names (links, "./x" and "x"). */
static pthread_mutex_t use_lock = PTHREAD_MUTEX_INITIALIZER;
static struct file_use in_use[FILES_IN_USE];

/* Records a regular file in use; returns the entry that conflicts with it (a writer and any
 * other use of the same file), or NULL. With a conflict, nothing is recorded; `*full` tells a
 * full table apart. Devices and pipes (/dev/null, /dev/full) lose nothing and are not recorded.
 * Call with use_lock held. */
static struct file_use *use_file(const struct stat *st, struct pcap_writer *w,
                                 const struct pcap_frames *input, bool *full)
{
	struct file_use *free_slot = NULL;
	*full = false;
	if (!S_ISREG(st->st_mode))
		return NULL;
	for (int i = 0; i < FILES_IN_USE; i++) {
		struct file_use *u = &in_use[i];
		if (!u->path)
			free_slot = free_slot ? free_slot : u;
		else if (u->dev == st->st_dev && u->ino == st->st_ino && (w || u->writer))
			return u;
	}
	if (!free_slot) {
		*full = true;
		return NULL;
	}
	*free_slot = (struct file_use){st->st_dev, st->st_ino, w ? w->path : input->path, w, input};
	return NULL;
}

static void unuse_file(const struct pcap_writer *w, const struct pcap_frames *input)
{
	pthread_mutex_lock(&use_lock);
	for (int i = 0; i < FILES_IN_USE; i++) {
		if (in_use[i].path && ((w && in_use[i].writer == w) || (input && in_use[i].input == input)))
			memset(&in_use[i], 0, sizeof(in_use[i]));
	}
	pthread_mutex_unlock(&use_lock);
}

/* ---- writer ---- */

/* Writes buf[0, len) fully; returns the bytes written and sets *err to errno on failure. */
static size_t write_all(int fd, const uint8_t *buf, size_t len, int *err)
{
	size_t off = 0;
	*err = 0;
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n < 0 ? errno : ENOSPC;
			break;
		}
		off += (size_t)n;
	}
	return off;
}

/* After a failed write: drop a partly written record so the file ends on a record boundary. */
static void cut_to(struct pcap_writer *w, uint64_t size)
{
	struct stat st;
	if (fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size != size)
		(void)!ftruncate(w->fd, (off_t)size);
}

/* Replaces what the file held with the global header. Call with use_lock held. */
static int start_file(struct pcap_writer *w)
{
	if (w->conflict) {
		w->error = EEXIST;
		return -1;
	}
	struct stat st;
	if (fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)) {
		w->error = errno;
		return -1;
	}
	struct global_hdr h = {.magic = w->nanosecond ? MAGIC_NSEC : MAGIC_USEC,
	                       .version_major = 2,
	                       .version_minor = 4,
	                       .snaplen = PCAP_SNAPLEN,
	                       .linktype = LINKTYPE_ETHERNET};
	int e;
	if (write_all(w->fd, (const uint8_t *)&h, sizeof(h), &e) != sizeof(h)) {
		w->error = e;
		cut_to(w, 0);
		return -1;
	}
	w->on_disk = sizeof(h);
	w->started = true;
	return 0;
}

static int start(struct pcap_writer *w)
{
	if (w->started)
		return 0;
	pthread_mutex_lock(&use_lock);
	int ret = start_file(w);
	pthread_mutex_unlock(&use_lock);
	return ret;
}

static void writer_free(struct pcap_writer *w)
{
	unuse_file(w, NULL);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->buf);
	w->buf = NULL;
}

int pcap_writer_open(struct pcap_writer *w, const char *path, char *err, size_t errlen)
{
	return pcap_writer_open_res(w, path, false, err, errlen);
}

int pcap_writer_open_res(struct pcap_writer *w, const char *path, bool nanosecond, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->nanosecond = nanosecond;
	snprintf(w->path, sizeof(w->path), "%s", path);
	/* Not O_TRUNC: the file may be one of the program's inputs. */
	w->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		writer_free(w);
		return -1;
	}
	struct stat st;
	if (fstat(w->fd, &st) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		writer_free(w);
		return -1;
	}
	w->buf = malloc(PCAP_WRITE_BUFFER);
	if (!w->buf) {
		snprintf(err, errlen, "cannot write %s: out of memory", path);
		writer_free(w);
		return -1;
	}
	pthread_mutex_lock(&use_lock);
	bool full;
	struct file_use *other = use_file(&st, w, NULL, &full);
	int ret = 0;
	if (other)
		snprintf(err, errlen,
		         "cannot write %s: it is the same file as the %s %s; choose another file", path,
		         other->writer ? "output" : "input", other->path);
	else if (full)
		snprintf(err, errlen, "cannot write %s: more than %d pcap files in use", path, FILES_IN_USE);
	/* A file with something to lose is replaced only once the program starts writing. */
	else if ((!S_ISREG(st.st_mode) || st.st_size == 0) && start_file(w) < 0)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(w->error));
	else
		ret = 1;
	pthread_mutex_unlock(&use_lock);
	if (ret == 1)
		return 0;
	writer_free(w);
	return -1;
}

int pcap_writer_flush(struct pcap_writer *w)
{
	if (w->error || start(w) < 0)
		return -1;
	if (w->used == 0)
		return 0;
	int e;
	size_t done = write_all(w->fd, w->buf, w->used, &e);
	if (!e) {
		w->on_disk += w->used;
		w->records_on_disk = w->records;
		w->used = 0;
		return 0;
	}
	/* Keep the whole records among the bytes that made it to the file, cut the rest. */
	w->error = e;
	size_t keep = 0;
	while (keep + RECORD_HDR <= done) {
		struct record_hdr r;
		memcpy(&r, w->buf + keep, sizeof(r));
		if (keep + RECORD_HDR + r.caplen > done)
			break;
		keep += RECORD_HDR + r.caplen;
		w->records_on_disk++;
	}
	w->on_disk += keep;
	cut_to(w, w->on_disk);
	w->records = w->records_on_disk;
	w->used = 0;
	return -1;
}

int pcap_writer_add(struct pcap_writer *w, const void *frame, uint32_t len, uint64_t ts_ns)
{
	if (w->error)
		return -1;
	uint32_t caplen = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
	if (w->used + RECORD_HDR + caplen > PCAP_WRITE_BUFFER && pcap_writer_flush(w) < 0)
		return -1;
	struct record_hdr r = {.ts_sec = (uint32_t)(ts_ns / 1000000000u),
	                       .ts_frac = (uint32_t)(ts_ns % 1000000000u / (w->nanosecond ? 1u : 1000u)),
	                       .caplen = caplen,
	                       .origlen = len};
	memcpy(w->buf + w->used, &r, sizeof(r));
	memcpy(w->buf + w->used + sizeof(r), frame, caplen);
	w->used += sizeof(r) + caplen;
	w->records++;
	return 0;
}

int pcap_writer_close(struct pcap_writer *w)
{
	if (w->fd < 0)
		return w->error ? -1 : 0;
	int ret = pcap_writer_flush(w);
	if (close(w->fd) < 0 && !w->error) {
		w->error = errno;
		ret = -1;
	}
	w->fd = -1;
	writer_free(w);
	return ret;
}

void pcap_writer_abandon(struct pcap_writer *w)
{
	writer_free(w);
}

uint64_t pcap_writer_records_on_disk(const struct pcap_writer *w)
{
	return w->records_on_disk;
}

void pcap_writer_error(const struct pcap_writer *w, char *err, size_t errlen)
{
	if (w->conflict) {
		snprintf(err, errlen,
		         "not writing %s: it is also an input of this program; choose another file", w->path);
		return;
	}
	snprintf(err, errlen,
	         "cannot write %s: %s (the file holds the %" PRIu64 " whole frames written before)", w->path,
	         strerror(w->error), w->records_on_disk);
}

/* ---- reader ---- */

static uint32_t swap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

/* Reads all of fd into *out (at most PCAP_MAX_BYTES); returns the length or -1 (errno set,
 * EFBIG when the file is over the limit). */
static int64_t slurp(int fd, uint8_t **out)
{
	size_t cap = 1 << 16, len = 0;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > PCAP_MAX_BYTES) {
			errno = EFBIG;
			return -1;
		}
		cap = (size_t)st.st_size + 1; /* +1: see the file's end in one read */
	}
	uint8_t *buf = malloc(cap);
	if (!buf)
		return -1;
	for (;;) {
		if (len == cap) {
			if (cap > PCAP_MAX_BYTES) {
				free(buf);
				errno = EFBIG;
				return -1;
			}
			uint8_t *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				return -1;
			}
			buf = b;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > PCAP_MAX_BYTES) {
		free(buf);
		errno = EFBIG;
		return -1;
	}
	*out = buf;
	return (int64_t)len;
}

static int parse(struct pcap_frames *p, const uint8_t *data, size_t len, const char *path, char *err,
                 size_t errlen)
{
	if (len == 0) {
		snprintf(err, errlen, "%s: empty file, not a pcap file", path);
		return -1;
	}
	if (len < GLOBAL_HDR) {
		snprintf(err, errlen, "%s: %zu bytes, too short for a pcap file header (24 bytes)", path,
		         len);
		return -1;
	}
	struct global_hdr h;
	memcpy(&h, data, sizeof(h));
	bool swap;
	if (h.magic == MAGIC_USEC || h.magic == MAGIC_NSEC) {
		swap = false;
	} else if (h.magic == swap32(MAGIC_USEC) || h.magic == swap32(MAGIC_NSEC)) {
		swap = true;
	} else if (h.magic == MAGIC_PCAPNG) {
		snprintf(err, errlen,
		         "%s: a pcapng file; only classic pcap is read (convert it: editcap -F pcap IN OUT)",
		         path);
		return -1;
	} else {
		snprintf(err, errlen, "%s: bad magic 0x%08" PRIx32 ", not a pcap file", path, h.magic);
		return -1;
	}
	uint32_t magic = swap ? swap32(h.magic) : h.magic;
	uint16_t major = swap ? __builtin_bswap16(h.version_major) : h.version_major;
	uint32_t linktype = swap ? swap32(h.linktype) : h.linktype;
	p->nanosecond = magic == MAGIC_NSEC;
	if (major != 2) {
		snprintf(err, errlen, "%s: pcap format version %u, only version 2 is read", path, major);
		return -1;
	}
	if ((linktype & 0xFFFFu) != LINKTYPE_ETHERNET) {
		snprintf(err, errlen, "%s: link type %" PRIu32 ", only Ethernet (link type 1) can be sent",
		         path, linktype & 0xFFFFu);
		return -1;
	}
	if ((linktype & LINKTYPE_FCS_PRESENT) && (linktype >> 28)) {
		snprintf(err, errlen, "%s: the frames include their FCS; only frames without FCS can be sent",
		         path);
		return -1;
	}

	uint32_t cap = 1024;
	p->frames = malloc(cap * sizeof(*p->frames));
	if (!p->frames) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	size_t off = GLOBAL_HDR;
	while (off < len) {
		uint64_t n = (uint64_t)p->count + 1; /* 1-based, as tshark/Wireshark number frames */
		if (len - off < RECORD_HDR) {
			snprintf(err, errlen,
			         "%s: record %" PRIu64
			         " at byte %zu is cut short: %zu of its 16 header bytes (truncated file)",
			         path, n, off, len - off);
			return -1;
		}
		struct record_hdr r;
		memcpy(&r, data + off, sizeof(r));
		uint32_t caplen = swap ? swap32(r.caplen) : r.caplen;
		uint32_t origlen = swap ? swap32(r.origlen) : r.origlen;
		if (caplen > origlen) {
			snprintf(err, errlen,
			         "%s: record %" PRIu64 " at byte %zu: captured length %" PRIu32
			         " is larger than the frame length %" PRIu32 " (corrupt file)",
			         path, n, off, caplen, origlen);
			return -1;
		}
		if (caplen > PCAP_MAX_FRAME) {
			snprintf(err, errlen,
			         "%s: record %" PRIu64 " at byte %zu: %" PRIu32
			         " bytes, longer than %u (the longest frame without FCS; no jumbo frames)",
			         path, n, off, caplen, PCAP_MAX_FRAME);
			return -1;
		}
		if (caplen < PCAP_MIN_FRAME) {
			snprintf(err, errlen,
			         "%s: record %" PRIu64 " at byte %zu: %" PRIu32
			         " bytes, shorter than an Ethernet header (%u bytes)",
			         path, n, off, caplen, PCAP_MIN_FRAME);
			return -1;
		}
		if (len - off - RECORD_HDR < caplen) {
			snprintf(err, errlen,
			         "%s: record %" PRIu64 " at byte %zu is cut short: %zu of its %" PRIu32
			         " frame bytes (truncated file)",
			         path, n, off, len - off - RECORD_HDR, caplen);
			return -1;
		}
		if (p->count == PCAP_MAX_FRAMES) {
			snprintf(err, errlen, "%s: more than %u frames, the most that is loaded", path,
			         PCAP_MAX_FRAMES);
			return -1;
		}
		if (p->count == cap) {
			struct pcap_frame *f = realloc(p->frames, (size_t)cap * 2 * sizeof(*f));
			if (!f) {
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			p->frames = f;
			cap *= 2;
		}
		uint32_t sec = swap ? swap32(r.ts_sec) : r.ts_sec,
		         frac = swap ? swap32(r.ts_frac) : r.ts_frac;
		p->frames[p->count++] = (struct pcap_frame){
		    .data = data + off + RECORD_HDR,
		    .len = caplen,
		    .ts_ns = (uint64_t)sec * 1000000000u + (uint64_t)frac * (p->nanosecond ? 1u : 1000u)};
		p->bytes += caplen;
		off += RECORD_HDR + caplen;
	}
	if (p->count == 0) {
		snprintf(err, errlen, "%s: no frames in the file (only a pcap header)", path);
		return -1;
	}
	return 0;
}

/* Records the input; refuses a file the program writes (and keeps that writer from starting,
 * so what the file holds is not lost). */
static int use_input(struct pcap_frames *p, int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&use_lock);
	bool full;
	struct file_use *other = use_file(&st, NULL, p, &full);
	if (other) {
		snprintf(err, errlen, "%s is the same file as the output %s; choose another output file",
		         path, other->path);
		if (!other->writer->started)
			other->writer->conflict = true;
	} else if (full)
		snprintf(err, errlen, "cannot read %s: more than %d pcap files in use", path, FILES_IN_USE);
	pthread_mutex_unlock(&use_lock);
	return other || full ? -1 : 0;
}

int pcap_read_all(struct pcap_frames *p, const char *path, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		pcap_frames_free(p);
		return -1;
	}
	if (use_input(p, fd, path, err, errlen) < 0) {
		close(fd);
		pcap_frames_free(p);
		return -1;
	}
	int64_t len = slurp(fd, &p->file);
	int e = errno;
	close(fd);
	if (len < 0) {
		if (e == EFBIG)
			snprintf(err, errlen, "%s: larger than %llu MiB, the most that is loaded", path,
			         PCAP_MAX_BYTES >> 20);
		else
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		pcap_frames_free(p);
		return -1;
	}
	if (parse(p, p->file, (size_t)len, path, err, errlen) < 0) {
		pcap_frames_free(p);
		return -1;
	}
	return 0;
}

void pcap_frames_free(struct pcap_frames *p)
{
	unuse_file(NULL, p);
	free(p->frames);
	free(p->file);
	memset(p, 0, sizeof(*p));
}
