/*-------------------------------------------------------------------------
 * report_html_activity.c
 *    Activity over time and the latency histogram of the HTML report.
 *
 * The model keeps activity per UTC minute (minute_stats).  The charts
 * group minutes into buckets of the log's zone, of the first size in
 * BUCKET_SIZES that gives at most MAX_BUCKETS over the period (a day of
 * log: 15 minutes; a month: 6 hours), aligned on round local times, so a
 * bucket of an hour starts on the hour of the log's clock.  Each chart
 * shows what each bucket holds: statements per second (the bucket's
 * count over its length), statement time per second (the sum of the
 * durations over the bucket's length: the mean number of statements
 * running), errors, and the p95 of the statements' durations: the
 * minutes' latency histograms (src/model/minute_latency.h) of the
 * bucket added up, and their 95th percentile taken, to within one of
 * their buckets' ratio (10^0.1).  A bucket whose statements were not all
 * counted in histograms (minutes from a store written before they were
 * kept) has no p95 rather than a wrong one.
 *
 * The latency histogram counts every timed statement in half-decade
 * buckets (src/model/latency.c), drawn from the first bucket holding a
 * statement to the last, and given as a table too.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_record.h"
#include "src/lib/arena.h"
#include "src/report/html_escape.h"
#include "src/report/report_html.h"

#include <math.h>
#include <stdlib.h>

#define MAX_BUCKETS 120

static const int64_t bucket_minutes[] = {1, 5, 10, 15, 30, 60, 180, 360, 720, 1440};

/* floor(a / b) for b > 0. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/*
 * r->p95_ms from the minutes' histograms, once r->statements holds each
 * bucket's count: a bucket's p95 is known when its histograms count every
 * one of its timed statements.
 */
static void
build_p95(html_report *r, const minute_stats *m, size_t n)
{
	minute_latency *h = xcalloc((size_t) r->nbuckets, sizeof(minute_latency));

	r->p95_ms = xcalloc((size_t) r->nbuckets, sizeof(double));
	r->p95_unknown = 0;
	for (size_t i = 0; i < n; i++)
		minute_latency_merge(&h[(m[i].minute * 60000 - r->start_ms) / r->bucket_ms], &m[i].latency);
	for (int b = 0; b < r->nbuckets; b++)
	{
		int			known = r->statements[b] > 0 &&
			(double) minute_latency_count(&h[b]) == r->statements[b];

		r->p95_ms[b] = known ? minute_latency_quantile(&h[b], 0.95) : NAN;
		r->p95_unknown += r->statements[b] > 0 && !known;
	}
	free(h);
}

void
html_activity_build(html_report *r)
{
	size_t		n;
	minute_stats *m = workload_minutes(r->in->model, &n);
	int64_t		offset_ms = r->zone == LOG_UTC_OFFSET_UNKNOWN ? 0 : (int64_t) r->zone * 60000;
	size_t		k = 0;
	int64_t		first,
				last;

	r->nbuckets = 0;
	if (n == 0)
		return;
	first = m[0].minute * 60000;
	last = m[n - 1].minute * 60000 + 60000;
	for (;;)
	{
		r->bucket_ms = bucket_minutes[k] * 60000;
		r->start_ms = floor_div(first + offset_ms, r->bucket_ms) * r->bucket_ms - offset_ms;
		r->nbuckets = (int) ((last - r->start_ms + r->bucket_ms - 1) / r->bucket_ms);
		if (r->nbuckets <= MAX_BUCKETS || k + 1 == sizeof(bucket_minutes) / sizeof(bucket_minutes[0]))
			break;
		k++;
	}
	r->statements = xcalloc((size_t) r->nbuckets, sizeof(double));
	r->db_seconds = xcalloc((size_t) r->nbuckets, sizeof(double));
	r->errors = xcalloc((size_t) r->nbuckets, sizeof(double));
	for (size_t i = 0; i < n; i++)
	{
		int			b = (int) ((m[i].minute * 60000 - r->start_ms) / r->bucket_ms);

		r->statements[b] += (double) m[i].statements;
		r->db_seconds[b] += m[i].total_ms / 1000.0;
		r->errors[b] += (double) m[i].errors;
	}
	build_p95(r, m, n);
	for (int b = 0; b < r->nbuckets; b++)
	{
		r->statements[b] /= (double) r->bucket_ms / 1000.0;
		r->db_seconds[b] /= (double) r->bucket_ms / 1000.0;
	}
}

void
html_activity_free(html_report *r)
{
	free(r->statements);
	free(r->db_seconds);
	free(r->errors);
	free(r->p95_ms);
	r->statements = r->db_seconds = r->errors = r->p95_ms = NULL;
}

/* "15 minutes", "1 hour", "1 day" of a bucket length. */
static void
put_bucket_length(strbuf *out, int64_t ms)
{
	int64_t		min = ms / 60000;

	if (min % 1440 == 0)
		strbuf_printf(out, "%lld day%s", (long long) (min / 1440), min == 1440 ? "" : "s");
	else if (min % 60 == 0)
		strbuf_printf(out, "%lld hour%s", (long long) (min / 60), min == 60 ? "" : "s");
	else
		strbuf_printf(out, "%lld minute%s", (long long) min, min == 1 ? "" : "s");
}

static void
chart(strbuf *out, const html_report *r, const char *title, const char *unit, const double *values,
	  svg_mark mark, const char *bar_class)
{
	svg_time_series s = {
		.title = title, .unit = unit, .bar_class = bar_class, .mark = mark,
		.start_ms = r->start_ms, .bucket_ms = r->bucket_ms, .n = r->nbuckets, .values = values,
		.utc_offset_min = r->zone,
	};

	svg_time_chart(out, &s);
}

void
html_section_over_time(strbuf *out, const html_report *r)
{
	strbuf		title;
	char		z[16];

	if (r->nbuckets == 0)
		return;
	strbuf_init(&title);
	html_open_section(out, "over-time", "Activity over time");
	strbuf_puts(out, "<p class=\"note\">In buckets of ");
	put_bucket_length(out, r->bucket_ms);
	strbuf_printf(out, ", labelled in %s (the log's zone).</p>\n", svg_zone_name(r->zone, z));
	chart(out, r, "Statements per second", "statements/s", r->statements, SVG_BARS, NULL);
	chart(out, r, "Statement time per second (mean statements running)", "s/s", r->db_seconds, SVG_LINE, NULL);
	strbuf_puts(&title, "Errors per ");
	put_bucket_length(&title, r->bucket_ms);
	chart(out, r, title.data, "errors", r->errors, SVG_BARS, "err");
	chart(out, r, "Statement duration, p95 (ms)", "ms", r->p95_ms, SVG_BARS, NULL);
	if (r->p95_unknown > 0)
		strbuf_printf(out, "<p class=\"note\">%d bucket%s no p95: %s statements were read from a store written "
					  "before pgsift kept durations per minute.</p>\n", r->p95_unknown,
					  r->p95_unknown == 1 ? " has" : "s have", r->p95_unknown == 1 ? "its" : "their");
	html_close_section(out);
	strbuf_free(&title);
}

/* A duration bound for a label: "1 µs", "31.6 ms", "10 s". */
static void
put_bound(strbuf *out, double ms)
{
	if (ms < 1)
		strbuf_printf(out, "%.3g µs", ms * 1000);
	else if (ms < 1000)
		strbuf_printf(out, "%.3g ms", ms);
	else
		strbuf_printf(out, "%.3g s", ms / 1000);
}

/* The text of bucket i: "10–31.6 ms" style, with open ends. */
static void
put_range(strbuf *out, int i)
{
	if (i == 0)
	{
		strbuf_puts(out, "under ");
		put_bound(out, latency_bucket_upper(0));
	}
	else if (i == LATENCY_BUCKETS - 1)
	{
		put_bound(out, latency_bucket_lower(i));
		strbuf_puts(out, " and more");
	}
	else
	{
		put_bound(out, latency_bucket_lower(i));
		strbuf_puts(out, " to ");
		put_bound(out, latency_bucket_upper(i));
	}
}

static void
latency_table(strbuf *out, const uint64_t *c, int lo, int hi, uint64_t total)
{
	uint64_t	cum = 0;

	strbuf_puts(out, "<details><summary>The histogram as a table</summary>\n<table class=\"data\"><thead><tr>"
				"<th>duration</th><th class=\"num\">statements</th><th class=\"num\">share</th>"
				"<th class=\"num\">cumulative</th></tr></thead>\n<tbody>\n");
	for (int i = lo; i <= hi; i++)
	{
		cum += c[i];
		strbuf_puts(out, "<tr><td>");
		put_range(out, i);
		strbuf_puts(out, "</td><td class=\"num\">");
		html_count(out, c[i]);
		strbuf_puts(out, "</td><td class=\"num\">");
		html_percent(out, (double) c[i], (double) total);
		strbuf_puts(out, "</td><td class=\"num\">");
		html_percent(out, (double) cum, (double) total);
		strbuf_puts(out, "</td></tr>\n");
	}
	strbuf_puts(out, "</tbody></table></details>\n");
}

void
html_section_latency(strbuf *out, const html_report *r)
{
	const uint64_t *c = r->s->latency;
	int			lo = 0,
				hi = LATENCY_BUCKETS - 1;
	uint64_t	total = 0;
	strbuf		texts;
	size_t		at[2 * LATENCY_BUCKETS + 1];
	const char *edges[LATENCY_BUCKETS + 1];
	const char *ranges[LATENCY_BUCKETS];

	for (int i = 0; i < LATENCY_BUCKETS; i++)
		total += c[i];
	if (total == 0)
		return;
	while (c[lo] == 0)
		lo++;
	while (c[hi] == 0)
		hi--;
	/* whole decades on both sides, so the axis starts and ends on a labelled bound */
	lo = lo > 0 ? lo - (lo % 2 == 0) : 0;
	hi = hi < LATENCY_BUCKETS - 1 ? hi + (hi % 2 == 1) : hi;
	strbuf_init(&texts);
	for (int i = lo; i <= hi + 1; i++)
	{
		at[i - lo] = texts.len;
		/* bucket i starts at a power of ten when i is odd */
		if (i % 2 == 1 && i < LATENCY_BUCKETS)
			put_bound(&texts, latency_bucket_lower(i));
		strbuf_putc(&texts, '\0');
	}
	for (int i = lo; i <= hi; i++)
	{
		at[hi - lo + 2 + i - lo] = texts.len;
		put_range(&texts, i);
		strbuf_putc(&texts, '\0');
	}
	for (int i = 0; i <= hi - lo + 1; i++)
		edges[i] = texts.data[at[i]] ? texts.data + at[i] : NULL;
	for (int i = 0; i <= hi - lo; i++)
		ranges[i] = texts.data + at[hi - lo + 2 + i];

	svg_histogram h = {
		.title = "Statements by duration (log scale)", .unit = "statements", .n = hi - lo + 1,
		.counts = c + lo, .edges = edges, .ranges = ranges,
	};

	html_open_section(out, "latency", "Latency");
	strbuf_puts(out, "<p class=\"note\">Every timed statement, in half-decade buckets of its duration.</p>\n");
	svg_histogram_chart(out, &h);
	latency_table(out, c, lo, hi, total);
	html_close_section(out);
	strbuf_free(&texts);
}
