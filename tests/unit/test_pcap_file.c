/* The pcap module: round trip, /dev/full, and the same file as input and output (by any name),
 * which is refused without losing what the file holds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pcap_file.h"

static char dir[] = "/tmp/ixy-pcap-file-XXXXXX";
static char err[1024];

static const char *in_dir(const char *name)
{
	static char paths[4][600];
	static int next;
	char *p = paths[next++ % 4];
	snprintf(p, 600, "%s/%s", dir, name);
	return p;
}

static void frame(uint8_t *f, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed * 31 + i * 7);
}

/* Writes n frames of 14.. bytes; returns 0 or -1. */
static int write_frames(const char *path, uint32_t n)
{
	struct pcap_writer w;
	if (pcap_writer_open(&w, path, err, sizeof(err)) < 0)
		return -1;
	uint8_t f[PCAP_MAX_FRAME];
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = PCAP_MIN_FRAME + (i * 97) % (PCAP_MAX_FRAME - PCAP_MIN_FRAME + 1);
		frame(f, len, i);
		CHECK(pcap_writer_add(&w, f, len, 1000000000ull * i + 1000 * i) == 0);
	}
	return pcap_writer_close(&w);
}

static void check_frames(const char *path, uint32_t n)
{
	struct pcap_frames p;
	CHECK(pcap_read_all(&p, path, err, sizeof(err)) == 0);
	CHECK(p.count == n);
	uint8_t f[PCAP_MAX_FRAME];
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = PCAP_MIN_FRAME + (i * 97) % (PCAP_MAX_FRAME - PCAP_MIN_FRAME + 1);
		frame(f, len, i);
		CHECK(p.frames[i].len == len && memcmp(p.frames[i].data, f, len) == 0);
	}
	pcap_frames_free(&p);
}

static off_t size_of(const char *path)
{
	struct stat st;
	CHECK(stat(path, &st) == 0);
	return st.st_size;
}

int main(void)
{
	CHECK(mkdtemp(dir));

	/* Round trip, more than one 1 MiB buffer. */
	const char *a = in_dir("a.pcap");
	CHECK(write_frames(a, 3000) == 0);
	check_frames(a, 3000);

	/* /dev/full: refused at open, with the reason. */
	struct pcap_writer w;
	CHECK(pcap_writer_open(&w, "/dev/full", err, sizeof(err)) == -1);
	CHECK(strstr(err, "/dev/full") && strstr(err, "No space left on device"));

	/* An input is never written: not by its name, not through a hard link. */
	struct pcap_frames in;
	CHECK(pcap_read_all(&in, a, err, sizeof(err)) == 0);
	struct pcap_frames again; /* reading it twice is fine */
	CHECK(pcap_read_all(&again, a, err, sizeof(err)) == 0);
	pcap_frames_free(&again);
	const char *link_a = in_dir("link-to-a.pcap");
	CHECK(link(a, link_a) == 0);
	off_t size_a = size_of(a);
	CHECK(pcap_writer_open(&w, a, err, sizeof(err)) == -1);
	CHECK(strstr(err, "same file as the input") && strstr(err, "choose another file"));
	CHECK(pcap_writer_open(&w, link_a, err, sizeof(err)) == -1);
	CHECK(strstr(err, "same file as the input"));
	CHECK(size_of(a) == size_a);
	pcap_frames_free(&in);
	check_frames(a, 3000);

	/* An output opened first (an existing file: not replaced yet) is never read, and never
	 * replaced afterwards either: its old frames stay. */
	CHECK(pcap_writer_open(&w, link_a, err, sizeof(err)) == 0);
	CHECK(pcap_read_all(&in, a, err, sizeof(err)) == -1);
	CHECK(strstr(err, "same file as the output") && strstr(err, "choose another output file"));
	CHECK(pcap_writer_close(&w) == -1);
	pcap_writer_error(&w, err, sizeof(err));
	CHECK(strstr(err, "also an input"));
	check_frames(a, 3000);

	/* A program that fails before it writes leaves an existing file as it was. */
	CHECK(pcap_writer_open(&w, a, err, sizeof(err)) == 0);
	pcap_writer_abandon(&w);
	check_frames(a, 3000);
	/* ... and one that writes replaces it, even with no frames. */
	CHECK(pcap_writer_open(&w, a, err, sizeof(err)) == 0);
	CHECK(pcap_writer_close(&w) == 0);
	CHECK(size_of(a) == 24);

	/* A new output: written at once; reading it is refused, and so is a second writer. */
	const char *b = in_dir("b.pcap");
	CHECK(pcap_writer_open(&w, b, err, sizeof(err)) == 0);
	CHECK(size_of(b) == 24);
	CHECK(pcap_read_all(&in, b, err, sizeof(err)) == -1 && strstr(err, "same file as the output"));
	struct pcap_writer w2;
	CHECK(pcap_writer_open(&w2, b, err, sizeof(err)) == -1 && strstr(err, "same file as the output"));
	CHECK(pcap_writer_close(&w) == 0);
	/* Devices are not files with something to lose: two writers on /dev/null are fine. */
	CHECK(pcap_writer_open(&w, "/dev/null", err, sizeof(err)) == 0);
	CHECK(pcap_writer_open(&w2, "/dev/null", err, sizeof(err)) == 0);
	CHECK(pcap_writer_close(&w) == 0 && pcap_writer_close(&w2) == 0);

	/* Timestamps: microseconds by default, nanoseconds when asked (magic 0xa1b23c4d); the
	 * reader takes both. */
	const uint64_t ts = 1700000000ull * 1000000000u + 123456789u;
	for (int ns = 0; ns < 2; ns++) {
		CHECK(pcap_writer_open_res(&w, b, ns, err, sizeof(err)) == 0);
		uint8_t f[60] = {0};
		CHECK(pcap_writer_add(&w, f, sizeof(f), ts) == 0 && pcap_writer_close(&w) == 0);
		uint32_t hdr[10];
		FILE *fp = fopen(b, "rb");
		CHECK(fp && fread(hdr, 4, 10, fp) == 10);
		fclose(fp);
		CHECK(hdr[0] == (ns ? 0xA1B23C4Du : 0xA1B2C3D4u));
		CHECK(hdr[6] == 1700000000u && hdr[7] == (ns ? 123456789u : 123456u));
		CHECK(pcap_read_all(&in, b, err, sizeof(err)) == 0 && in.nanosecond == ns && in.count == 1);
		CHECK(in.frames[0].ts_ns == (ns ? ts : ts / 1000 * 1000));
		pcap_frames_free(&in);
	}

	unlink(a);
	unlink(link_a);
	unlink(b);
	rmdir(dir);
	printf("pcap file: ok\n");
	return 0;
}
