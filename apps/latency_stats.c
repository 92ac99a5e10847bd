/* Percentiles, terminal histogram and SVG plot of latency samples (see latency_stats.h). */
#include "latency_stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least p per mille of the samples at or below it. */
static uint64_t rank(const uint64_t *sorted, size_t n, unsigned per_mille)
{
	size_t k = ((size_t)per_mille * n + 999) / 1000;
	return sorted[k ? k - 1 : 0];
}

void latency_summarise(uint64_t *samples, size_t n, struct latency_summary *s)
{
	qsort(samples, n, sizeof(*samples), cmp_u64);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)samples[i];
	*s = (struct latency_summary){
	    .n = n,
	    .min = samples[0],
	    .p50 = rank(samples, n, 500),
	    .p90 = rank(samples, n, 900),
	    .p99 = rank(samples, n, 990),
	    .p999 = rank(samples, n, 999),
	    .max = samples[n - 1],
	    .mean = sum / (double)n,
	};
}

void histogram_build(struct histogram *h, const uint64_t *sorted, size_t n)
{
	memset(h, 0, sizeof(*h));
	uint64_t hi = rank(sorted, n, 990);
	uint64_t width = 0;
	/* The smallest round width whose bins, starting at min rounded down to it, reach p99 within
	 * HIST_BINS bins. */
	static const uint64_t steps[] = {1, 2, 5};
	for (uint64_t decade = 1; !width; decade *= 10)
		for (size_t k = 0; k < 3 && !width; k++) {
			uint64_t w = steps[k] * decade;
			if ((hi - sorted[0] / w * w) / w < HIST_BINS)
				width = w;
		}
	h->width = width;
	h->lo = sorted[0] / width * width;
	h->bins = (unsigned)((hi - h->lo) / width + 1);
	for (size_t i = 0; i < n; i++) {
		uint64_t bin = (sorted[i] - h->lo) / width;
		if (bin < h->bins)
			h->count[bin]++;
		else
			h->above++;
	}
}

void latency_print(FILE *out, const struct latency_summary *s, const char *clock)
{
	fprintf(out,
	        "latency (%s), %zu samples, in us:\n"
	        "  min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (mean %.3f)\n",
	        clock, s->n, s->min / 1e3, s->p50 / 1e3, s->p90 / 1e3, s->p99 / 1e3, s->p999 / 1e3,
	        s->max / 1e3, s->mean / 1e3);
}

void histogram_print(FILE *out, const struct histogram *h)
{
	uint64_t top = 1;
	for (unsigned i = 0; i < h->bins; i++)
		if (h->count[i] > top)
			top = h->count[i];
	fprintf(out, "histogram (us, bins of %.3f us):\n", h->width / 1e3);
	for (unsigned i = 0; i < h->bins; i++) {
		char bar[51];
		size_t len = (size_t)((h->count[i] * 50 + top - 1) / top);
		memset(bar, '#', len);
		bar[len] = '\0';
		fprintf(out, "  %12.3f | %-50s %llu\n", (h->lo + i * h->width) / 1e3, bar,
		        (unsigned long long)h->count[i]);
	}
	if (h->above)
		fprintf(out, "  %12.3f + %llu more, up to the max\n", (h->lo + h->bins * h->width) / 1e3,
		        (unsigned long long)h->above);
}

/* SVG geometry: plot area inside margins. */
#define SVG_W 800
#define SVG_H 420
#define LEFT 70
#define RIGHT 20
#define TOP 40
#define BOTTOM 60

int histogram_write_svg(FILE *f, const char *path, const struct histogram *h, const struct latency_summary *s,
                        const char *title, char *err, size_t errlen)
{
	uint64_t top = 1;
	for (unsigned i = 0; i < h->bins; i++)
		if (h->count[i] > top)
			top = h->count[i];
	double pw = SVG_W - LEFT - RIGHT, ph = SVG_H - TOP - BOTTOM;
	double bw = pw / h->bins;
	double span = (double)h->bins * (double)h->width;
	fprintf(f,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "font-family=\"sans-serif\" font-size=\"12\">\n"
	        "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	        "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>\n",
	        SVG_W, SVG_H, LEFT, title);
	for (unsigned i = 0; i < h->bins; i++) {
		double bh = ph * (double)h->count[i] / (double)top;
		fprintf(f,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4682b4\">"
		        "<title>%.3f us: %llu</title></rect>\n",
		        LEFT + i * bw + 0.5, TOP + ph - bh, bw - 1, bh, (h->lo + i * h->width) / 1e3,
		        (unsigned long long)h->count[i]);
	}
	/* Axes, ticks every fifth bin, count at the top. */
	fprintf(f,
	        "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" stroke=\"black\"/>\n"
	        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.0f\" stroke=\"black\"/>\n"
	        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%llu</text>\n"
	        "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">0</text>\n"
	        "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">latency (us)</text>\n"
	        "<text x=\"18\" y=\"%.0f\" transform=\"rotate(-90 18 %.0f)\" "
	        "text-anchor=\"middle\">probes</text>\n",
	        LEFT, TOP + ph, SVG_W - RIGHT, TOP + ph, LEFT, TOP, LEFT, TOP + ph, LEFT - 6, TOP + 4,
	        (unsigned long long)top, LEFT - 6, TOP + ph, LEFT + pw / 2, SVG_H - 12, TOP + ph / 2,
	        TOP + ph / 2);
	for (unsigned i = 0; i <= h->bins; i += 5)
		fprintf(f,
		        "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"black\"/>"
		        "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.3f</text>\n",
		        LEFT + i * bw, TOP + ph, LEFT + i * bw, TOP + ph + 5, LEFT + i * bw, TOP + ph + 20,
		        (h->lo + i * h->width) / 1e3);
	if (h->above)
		fprintf(
		    f,
		    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">+ %llu beyond %.3f us (max %.3f)</text>\n",
		    SVG_W - RIGHT, TOP - 4, (unsigned long long)h->above, (h->lo + h->bins * h->width) / 1e3,
		    s->max / 1e3);
	/* Percentile markers inside the plot. */
	const struct {
		const char *name;
		uint64_t v;
		const char *color;
	} marks[] = {{"p50", s->p50, "#2e8b57"}, {"p99", s->p99, "#ff8c00"}, {"p99.9", s->p999, "#b22222"}};
	for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
		if (marks[k].v >= h->lo + span)
			continue;
		double x = LEFT + pw * (double)(marks[k].v - h->lo) / span;
		fprintf(f,
		        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"%s\" "
		        "stroke-dasharray=\"4 3\"/>\n"
		        "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">%s %.3f</text>\n",
		        x, TOP, x, TOP + ph, marks[k].color, x + 3, TOP + 12 + 14 * (int)k, marks[k].color,
		        marks[k].name, marks[k].v / 1e3);
	}
	fprintf(f, "</svg>\n");
	if (fclose(f) != 0) {
		snprintf(err, errlen, "cannot write plot file '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
