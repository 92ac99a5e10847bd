/* Host side of the QEMU guest test. QEMU's "-netdev socket,udp=..." carries each Ethernet frame
 * as one UDP datagram, so plain UDP sockets on 127.0.0.1 are the wire.
 *
 *   host_tool freeports N                    print N currently free UDP ports on 127.0.0.1
 *   host_tool sink PORT SECONDS OUT.pcap     store every frame arriving on PORT (until SIGTERM or SECONDS)
 *   host_tool inject PORT COUNT DSTMAC SEED OUT.pcap
 *                                            send COUNT UDP/IPv4 frames of varied sizes to PORT,
 *                                            and store them (what the guest should see)
 *   host_tool exchange TO_PORT FROM_PORT COUNT DSTMAC SEED SENT.pcap RECEIVED.pcap
 *                                            like inject into TO_PORT, while receiving on FROM_PORT
 *                                            what the guest forwards, with at most WINDOW frames in
 *                                            flight (flow control: loss-free however slow the guest)
 *   host_tool ping TO_PORT FROM_PORT COUNT GAP_MS DSTMAC
 *                                            one frame at a time into TO_PORT, timed until the guest
 *                                            forwards it out of FROM_PORT; GAP_MS between frames;
 *                                            prints the round trips' p50/p99/max (a benchmark)
 *   host_tool pcap-count FILE                print the number of frames and their total bytes
 *   host_tool pcap-cmp A B                   exit 0 if both hold the same frames in the same order
 *   host_tool pktgen-check FILE N SIZE       exit 0 if FILE holds exactly N valid ixy-pktgen UDP
 *                                            frames of SIZE bytes carrying sequence numbers 0..N-1
 *   host_tool pktgen-rate FILE FIRST N SIZE MBIT PERMILLE
 *                                            frames FIRST.. FIRST+N-1 of FILE are N valid ixy-pktgen
 *                                            frames of SIZE bytes, sequence numbers 0..N-1 in order,
 *                                            sent at MBIT Mbit/s on the wire (CRC, preamble, SFD and
 *                                            gap counted) within PERMILLE / 1000, as the slope of
 *                                            the capture's timestamps says: exit 0 if so; prints it
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pcap_file.h"

#define MAX_FRAME 65536

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int udp_socket(uint16_t bind_port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(bind_port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "host_tool: bind 127.0.0.1:%u: %s\n", bind_port, strerror(errno));
		exit(1);
	}
	return fd;
}

/* ---- pcap: libixy's one reader and writer (src/pcap_file.h) ---- */

static void pcap_fail(const struct pcap_writer *w)
{
	char err[512];
	pcap_writer_error(w, err, sizeof(err));
	fprintf(stderr, "host_tool: %s\n", err);
	exit(1);
}

static void pcap_create(struct pcap_writer *w, const char *path)
{
	char err[512];
	if (pcap_writer_open(w, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "host_tool: %s\n", err);
		exit(1);
	}
}

static void pcap_write(struct pcap_writer *w, const uint8_t *frame, uint32_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (pcap_writer_add(w, frame, len, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) < 0)
		pcap_fail(w);
}

static void pcap_close(struct pcap_writer *w)
{
	if (pcap_writer_close(w) < 0)
		pcap_fail(w);
}

/* The whole file, validated (a truncated or corrupt one is an error). */
static void pcap_read(struct pcap_frames *p, const char *path)
{
	char err[512];
	if (pcap_read_all(p, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "host_tool: %s\n", err);
		exit(1);
	}
}

/* ---- frames ---- */

static uint16_t ip_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* UDP/IPv4 frame of `size` bytes: 10.1.0.1 -> 10.1.0.2, seq at offset 42, pseudo-random payload. */
static void build_frame(uint8_t *f, uint32_t size, const uint8_t dst[6], uint32_t seq, uint32_t *rnd)
{
	static const uint8_t src[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};
	memset(f, 0, size);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	uint16_t ip_len = (uint16_t)(size - 14), udp_len = (uint16_t)(size - 34);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (uint8_t[]){10, 1, 0, 1}, 4);
	memcpy(ip + 16, (uint8_t[]){10, 1, 0, 2}, 4);
	uint16_t sum = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	uint8_t *udp = ip + 20;
	udp[0] = 0x30;
	udp[1] = 0x39;
	udp[2] = 0x30;
	udp[3] = 0x3a;
	udp[4] = (uint8_t)(udp_len >> 8);
	udp[5] = (uint8_t)udp_len;
	memcpy(f + 42, &seq, 4);
	for (uint32_t i = 46; i < size; i++)
		f[i] = (uint8_t)xorshift(rnd);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned m[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

/* ---- commands ---- */

static int cmd_freeports(int n)
{
	int fds[16];
	for (int i = 0; i < n && i < 16; i++) {
		fds[i] = udp_socket(0);
		struct sockaddr_in a;
		socklen_t len = sizeof(a);
		getsockname(fds[i], (struct sockaddr *)&a, &len);
		printf("%u\n", ntohs(a.sin_port));
	}
	for (int i = 0; i < n && i < 16; i++)
		close(fds[i]);
	return 0;
}

static int cmd_sink(uint16_t port, int seconds, const char *out)
{
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	int fd = udp_socket(port);
	int rcvbuf = 8 << 20; /* FORCE works as root and beats rmem_max; plain RCVBUF otherwise */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct pcap_writer f;
	pcap_create(&f, out);
	static uint8_t buf[MAX_FRAME];
	time_t end = time(NULL) + seconds;
	uint32_t count = 0;
	while (!stop && time(NULL) < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n;
		while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			pcap_write(&f, buf, (uint32_t)n);
			count++;
		}
		if (pcap_writer_flush(&f) < 0) /* on disk as they come, as a capture tool does */
			pcap_fail(&f);
	}
	pcap_close(&f);
	fprintf(stderr, "host_tool sink %u: %u frames\n", port, count);
	return 0;
}

static int cmd_inject(uint16_t port, uint32_t count, const char *mac_s, uint32_t seed, const char *out)
{
	uint8_t dst[6];
	if (parse_mac(mac_s, dst) < 0) {
		fprintf(stderr, "host_tool: bad MAC %s\n", mac_s);
		return 2;
	}
	int fd = udp_socket(0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct pcap_writer f;
	pcap_create(&f, out);
	uint32_t rnd = seed ? seed : 1;
	static uint8_t frame[1514];
	for (uint32_t i = 0; i < count; i++) {
		uint32_t size = 60 + xorshift(&rnd) % (1514 - 60 + 1);
		build_frame(frame, size, dst, i, &rnd);
		if (sendto(fd, frame, size, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)size) {
			fprintf(stderr, "host_tool: sendto port %u: %s\n", port, strerror(errno));
			return 1;
		}
		pcap_write(&f, frame, size);
		/* Pace: QEMU stops reading the socket while the guest's RX ring is full, and the
		 * kernel's socket buffer must not overflow meanwhile. */
		if (i % 32 == 31)
			usleep(2000);
	}
	pcap_close(&f);
	return 0;
}

#define WINDOW 32             /* frames in flight: well below what a default socket buffer holds */
#define STALL_TIMEOUT_MS 5000 /* no progress for this long: give up and report the shortfall */

static int cmd_exchange(uint16_t to_port, uint16_t from_port, uint32_t count, const char *mac_s,
                        uint32_t seed, const char *sent_path, const char *recv_path)
{
	uint8_t dst[6];
	if (parse_mac(mac_s, dst) < 0) {
		fprintf(stderr, "host_tool: bad MAC %s\n", mac_s);
		return 2;
	}
	int out = udp_socket(0), in = udp_socket(from_port);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(to_port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct pcap_writer fs, fr;
	pcap_create(&fs, sent_path);
	pcap_create(&fr, recv_path);
	uint32_t rnd = seed ? seed : 1, sent = 0, got = 0;
	static uint8_t frame[1514], buf[MAX_FRAME];
	struct timespec last, now;
	clock_gettime(CLOCK_MONOTONIC, &last);
	while (got < count) {
		while (sent < count && sent - got < WINDOW) {
			uint32_t size = 60 + xorshift(&rnd) % (1514 - 60 + 1);
			build_frame(frame, size, dst, sent, &rnd);
			if (sendto(out, frame, size, 0, (struct sockaddr *)&to, sizeof(to)) !=
			    (ssize_t)size) {
				fprintf(stderr, "host_tool: sendto port %u: %s\n", to_port, strerror(errno));
				return 1;
			}
			pcap_write(&fs, frame, size);
			sent++;
		}
		struct pollfd p = {.fd = in, .events = POLLIN};
		if (poll(&p, 1, 100) > 0) {
			ssize_t n;
			while ((n = recv(in, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
				pcap_write(&fr, buf, (uint32_t)n);
				got++;
				clock_gettime(CLOCK_MONOTONIC, &last);
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 >
		    STALL_TIMEOUT_MS) {
			fprintf(stderr, "host_tool: %u -> %u: stalled: %u sent, %u received back\n", to_port,
			        from_port, sent, got);
			break;
		}
	}
	pcap_close(&fs);
	pcap_close(&fr);
	fprintf(stderr, "host_tool: %u -> %u: %u frames sent, %u received\n", to_port, from_port, sent, got);
	return got == count ? 0 : 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static int cmd_ping(uint16_t to_port, uint16_t from_port, uint32_t count, uint32_t gap_ms, const char *mac_s)
{
	uint8_t dst[6];
	if (parse_mac(mac_s, dst) < 0 || count == 0) {
		fprintf(stderr, "host_tool: bad MAC %s or count 0\n", mac_s);
		return 2;
	}
	int out = udp_socket(0), in = udp_socket(from_port);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(to_port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uint64_t *rtt = calloc(count, sizeof(*rtt));
	static uint8_t frame[60], buf[MAX_FRAME];
	uint32_t rnd = 7, back = 0;
	for (uint32_t seq = 0; seq < count && !stop; seq++) {
		build_frame(frame, sizeof(frame), dst, seq, &rnd);
		uint64_t t0 = now_us();
		if (sendto(out, frame, sizeof(frame), 0, (struct sockaddr *)&to, sizeof(to)) !=
		    sizeof(frame)) {
			fprintf(stderr, "host_tool: sendto port %u: %s\n", to_port, strerror(errno));
			return 1;
		}
		/* Its own frame back (a late one from before is skipped), within a second. */
		while (now_us() - t0 < 1000000u) {
			struct pollfd p = {.fd = in, .events = POLLIN};
			if (poll(&p, 1, 10) <= 0)
				continue;
			ssize_t n = recv(in, buf, sizeof(buf), MSG_DONTWAIT);
			if (n == (ssize_t)sizeof(frame) && !memcmp(buf, frame, sizeof(frame))) {
				rtt[back++] = now_us() - t0;
				break;
			}
		}
		struct timespec gap = {gap_ms / 1000, (long)(gap_ms % 1000) * 1000000};
		nanosleep(&gap, NULL);
	}
	qsort(rtt, back, sizeof(*rtt), cmp_u64);
	if (back)
		printf("round trip over %u of %u frames: p50 %llu us, p99 %llu us, max %llu us\n", back,
		       count, (unsigned long long)rtt[back / 2], (unsigned long long)rtt[(back * 99) / 100],
		       (unsigned long long)rtt[back - 1]);
	else
		printf("round trip: none of %u frames came back\n", count);
	free(rtt);
	return back == count ? 0 : 1;
}

static int cmd_pcap_cmp(const char *a, const char *b)
{
	struct pcap_frames pa, pb;
	pcap_read(&pa, a);
	pcap_read(&pb, b);
	int ret = 0;
	if (pa.count != pb.count) {
		fprintf(stderr, "host_tool: %s has %u frames, %s has %u\n", a, pa.count, b, pb.count);
		ret = 1;
	}
	for (uint32_t i = 0; !ret && i < pa.count; i++) {
		const struct pcap_frame *x = &pa.frames[i], *y = &pb.frames[i];
		if (x->len != y->len || memcmp(x->data, y->data, x->len)) {
			fprintf(stderr, "host_tool: frame %u differs (%u vs %u bytes)\n", i, x->len, y->len);
			ret = 1;
		}
	}
	if (!ret)
		printf("%u frames identical\n", pa.count);
	pcap_frames_free(&pa);
	pcap_frames_free(&pb);
	return ret;
}

/* A valid ixy-pktgen frame of `size` bytes (UDP over IPv4, header checksum right): its sequence
 * number, or -1. */
static int64_t pktgen_seq(const struct pcap_frame *fr, uint32_t size)
{
	const uint8_t *f = fr->data;
	if (fr->len != size || f[12] != 0x08 || f[13] != 0x00 || f[14] != 0x45 || f[23] != 17 ||
	    ip_checksum(f + 14, 20) != 0)
		return -1;
	uint32_t seq;
	memcpy(&seq, f + 42, 4);
	return seq;
}

static int cmd_pktgen_check(const char *path, uint32_t n, uint32_t size)
{
	struct pcap_frames p;
	pcap_read(&p, path);
	uint8_t *seen = calloc(n ? n : 1, 1);
	uint32_t valid = 0, bad = 0, dup = 0;
	for (uint32_t i = 0; i < p.count; i++) {
		int64_t seq = pktgen_seq(&p.frames[i], size);
		if (seq < 0 || seq >= n) {
			bad++;
			continue;
		}
		if (seen[seq]++)
			dup++;
		else
			valid++;
	}
	printf(
	    "%s: %u frames, %u valid UDP frames with distinct sequence numbers, %u invalid, %u duplicates\n",
	    path, p.count, valid, bad, dup);
	int ret = (p.count == n && valid == n) ? 0 : 1;
	free(seen);
	pcap_frames_free(&p);
	return ret;
}

static int cmd_pktgen_rate(const char *path, uint32_t first, uint32_t n, uint32_t size, double mbit,
                           double permille)
{
	struct pcap_frames p;
	pcap_read(&p, path);
	int ret = 1;
	if (n < 2 || first + n > p.count) {
		printf("%s: %u frames, not %u from frame %u on\n", path, p.count, n, first);
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (pktgen_seq(&p.frames[first + i], size) != i) {
			printf("%s: frame %u is not ixy-pktgen's frame %u of %u bytes\n", path, first + i, i,
			       size);
			goto out;
		}
	}
	/* The rate the frames keep: the least-squares slope of their capture times over the wire
	 * bits sent before each (every frame holds the wire for its bits), so that the capture's lag
	 * behind a frame's due time, which varies frame by frame, averages out. The first to the
	 * last frame's average is printed too. */
	double bits = ((size < 60 ? 60 : size) + 24) * 8.0, mx = (n - 1) / 2.0, my = 0, sxy = 0, sxx = 0;
	for (uint32_t i = 0; i < n; i++)
		my += (double)(p.frames[first + i].ts_ns - p.frames[first].ts_ns) / n;
	for (uint32_t i = 0; i < n; i++) {
		double y = (double)(p.frames[first + i].ts_ns - p.frames[first].ts_ns) - my;
		sxy += (i - mx) * bits * y;
		sxx += (i - mx) * bits * (i - mx) * bits;
	}
	double got = sxy > 0 ? 1e3 * sxx / sxy : 0; /* Mbit/s: 1000 / (ns per bit) */
	uint64_t span = p.frames[first + n - 1].ts_ns - p.frames[first].ts_ns;
	double avg = span ? (n - 1) * bits * 1e3 / (double)span : 0;
	double off = (got / mbit - 1) * 1e3;
	printf("%s: frames %u..%u: %u frames of %u bytes in %.6f s: %.4f Mbit/s on the wire (first to "
	       "last: %.4f), %+.2f permille from %.4f (allowed %.1f)\n",
	       path, first, first + n - 1, n, size, (double)span / 1e9, got, avg, off, mbit, permille);
	ret = off <= permille && off >= -permille ? 0 : 1;
out:
	pcap_frames_free(&p);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "freeports"))
		return cmd_freeports(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "sink"))
		return cmd_sink((uint16_t)atoi(argv[2]), atoi(argv[3]), argv[4]);
	if (argc == 7 && !strcmp(argv[1], "inject"))
		return cmd_inject((uint16_t)atoi(argv[2]), (uint32_t)strtoul(argv[3], NULL, 0), argv[4],
		                  (uint32_t)strtoul(argv[5], NULL, 0), argv[6]);
	if (argc == 9 && !strcmp(argv[1], "exchange"))
		return cmd_exchange((uint16_t)atoi(argv[2]), (uint16_t)atoi(argv[3]),
		                    (uint32_t)strtoul(argv[4], NULL, 0), argv[5],
		                    (uint32_t)strtoul(argv[6], NULL, 0), argv[7], argv[8]);
	if (argc == 3 && !strcmp(argv[1], "pcap-count")) {
		struct pcap_frames p;
		pcap_read(&p, argv[2]);
		printf("%u %llu\n", p.count, (unsigned long long)p.bytes);
		pcap_frames_free(&p);
		return 0;
	}
	if (argc == 7 && !strcmp(argv[1], "ping"))
		return cmd_ping((uint16_t)atoi(argv[2]), (uint16_t)atoi(argv[3]),
		                (uint32_t)strtoul(argv[4], NULL, 0), (uint32_t)strtoul(argv[5], NULL, 0),
		                argv[6]);
	if (argc == 4 && !strcmp(argv[1], "pcap-cmp"))
		return cmd_pcap_cmp(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "pktgen-check"))
		return cmd_pktgen_check(argv[2], (uint32_t)strtoul(argv[3], NULL, 0),
		                        (uint32_t)strtoul(argv[4], NULL, 0));
	if (argc == 8 && !strcmp(argv[1], "pktgen-rate"))
		return cmd_pktgen_rate(
		    argv[2], (uint32_t)strtoul(argv[3], NULL, 0), (uint32_t)strtoul(argv[4], NULL, 0),
		    (uint32_t)strtoul(argv[5], NULL, 0), strtod(argv[6], NULL), strtod(argv[7], NULL));
	fprintf(stderr, "usage: see the comment at the top of tests/qemu/host_tool.c\n");
	return 2;
}
