/* Latency samples as people read them: percentiles, a histogram in the terminal and as an SVG
 * picture. */
#ifndef IXY_LATENCY_STATS_H
#define IXY_LATENCY_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HIST_BINS 30u

struct latency_summary {
	size_t n;
	uint64_t min, p50, p90, p99, p999, max; /* ns, nearest-rank percentiles */
	double mean;
};

struct histogram {
	uint64_t lo, width; /* ns: bin i holds [lo + i * width, lo + (i + 1) * width) */
	unsigned bins;
	uint64_t count[HIST_BINS];
	uint64_t above; /* samples past the last bin (the tail beyond p99) */
};

/* Sorts samples[0..n) (ns) and summarises them; n > 0. */
void latency_summarise(uint64_t *samples, size_t n, struct latency_summary *s);
/* Bins sorted samples from min to p99 in at most HIST_BINS bins of a round width (1, 2 or 5 x 10^k
 * ns); the rest of the tail is counted in `above` (the percentiles say how far it goes). */
void histogram_build(struct histogram *h, const uint64_t *sorted, size_t n);
void latency_print(FILE *out, const struct latency_summary *s, const char *clock);
/* Bars of '#', scaled to the fullest bin. */
void histogram_print(FILE *out, const struct histogram *h);
/* The histogram with the percentiles marked, into f (opened for writing by the caller, closed
 * here; path names it in err); 0, or -1 with a message in err. */
int histogram_write_svg(FILE *f, const char *path, const struct histogram *h, const struct latency_summary *s,
                        const char *title, char *err, size_t errlen);

#endif
