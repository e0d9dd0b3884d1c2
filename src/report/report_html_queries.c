/*-------------------------------------------------------------------------
 * report_html_queries.c
 *    The query profile of the HTML report: one row per fingerprint by
 *    total time, each opening on its statement, names, slowest samples
 *    and plan.
 *
 * A row's id is "q-" and its fingerprint (its last column), so findings
 * link to it.  Each
 * numeric cell carries its value in data-v for the script's sort; the
 * table reads the same without the script, in order of total time.  The
 * fingerprints not listed (beyond --top) are summed in a "rest" row in
 * the table's foot, which sorting leaves in place.  Rows per call come
 * from pg_stat_statements in a live run, else from the root of the
 * query's logged auto_explain plan; the log itself has none.
 *-------------------------------------------------------------------------
 */
#include "src/report/html_escape.h"
#include "src/report/html_plan.h"
#include "src/report/report_html.h"
#include "src/report/svg_chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Width of a statement's one-line summary. */
#define SUMMARY_WIDTH 110

/* A numeric cell: data-v the value, the text a duration. */
static void
ms_cell(strbuf *out, double ms)
{
	if (isfinite(ms))
		strbuf_printf(out, "<td class=\"num\" data-v=\"%.3f\">", ms);
	else
		strbuf_puts(out, "<td class=\"num\" data-v=\"-1\">");
	html_ms_short(out, ms);
	strbuf_puts(out, "</td>");
}

static void
count_cell(strbuf *out, uint64_t n)
{
	strbuf_printf(out, "<td class=\"num\" data-v=\"%llu\">", (unsigned long long) n);
	html_count(out, n);
	strbuf_puts(out, "</td>");
}

/* Rows per call and where they come from (pg_stat_statements, a plan), or NAN. */
static double
rows_per_call(const html_report *r, const query_stats *q, const char **source)
{
	json_t	   *pgss = json_object_get(r->in->live, "pg_stat_statements");
	char		hex[17];
	size_t		i;
	json_t	   *e;

	fingerprint_hex(q->fingerprint, hex);
	json_array_foreach(pgss, i, e)
	{
		const char *fp = json_string_value(json_object_get(e, "fingerprint"));
		json_int_t	calls = json_integer_value(json_object_get(e, "calls"));

		if (fp && strcmp(fp, hex) == 0 && calls > 0)
		{
			*source = "pg_stat_statements";
			return (double) json_integer_value(json_object_get(e, "rows")) / (double) calls;
		}
	}
	if (q->plan && q->plan_is_json)
	{
		plan	   *p = plan_parse_json(q->plan, NULL);
		double		rows = p && p->root && p->root->analyzed ? p->root->actual_rows : NAN;

		plan_free(p);
		*source = "its slowest logged plan";
		return rows;
	}
	return NAN;
}

static void
rows_cell(strbuf *out, const html_report *r, const query_stats *q)
{
	const char *source = NULL;
	double		rows = rows_per_call(r, q, &source);

	if (!isfinite(rows))
	{
		strbuf_puts(out, "<td class=\"num\" data-v=\"-1\">-</td>");
		return;
	}
	strbuf_printf(out, "<td class=\"num\" data-v=\"%.1f\" title=\"from %s\">%.1f</td>", rows, source, rows);
}

/* "name (count), ..." of a name list. */
static void
names(strbuf *out, const char *label, const name_count *arr, int n)
{
	if (n == 0)
		return;
	strbuf_printf(out, "<dt>%s</dt><dd>", label);
	for (int i = 0; i < n; i++)
	{
		strbuf_puts(out, i ? ", <code>" : "<code>");
		html_escape(out, arr[i].name);
		strbuf_puts(out, "</code> ");
		html_count(out, arr[i].count);
	}
	strbuf_puts(out, "</dd>\n");
}

static void
samples(strbuf *out, const html_report *r, const query_stats *q)
{
	int			n = q->nsamples < r->samples ? q->nsamples : r->samples;

	if (n == 0)
		return;
	strbuf_printf(out, "<h4>Slowest executions (%d of %d kept)</h4>\n<ol class=\"samples\">\n", n, q->nsamples);
	for (int i = 0; i < n; i++)
	{
		const query_sample *s = &q->samples[i];

		strbuf_puts(out, "<li>");
		html_ms(out, s->duration_ms);
		strbuf_puts(out, " at ");
		html_time(out, r, s->ts_ms);
		if (s->file)
		{
			strbuf_puts(out, ", <code>");
			html_escape(out, s->file);
			strbuf_printf(out, ":%llu</code>", (unsigned long long) s->line);
		}
		if (s->user || s->database)
		{
			strbuf_puts(out, ", <code>");
			html_escape(out, s->user ? s->user : "?");
			strbuf_putc(out, '@');
			html_escape(out, s->database ? s->database : "?");
			strbuf_puts(out, "</code>");
		}
		strbuf_puts(out, "\n<pre><code class=\"sql\">");
		html_escape(out, s->query);
		strbuf_puts(out, "</code></pre>\n");
		if (s->params)
		{
			strbuf_puts(out, "<p class=\"note\">parameters: <code>");
			html_escape(out, s->params);
			strbuf_puts(out, "</code></p>\n");
		}
		strbuf_puts(out, "</li>\n");
	}
	strbuf_puts(out, "</ol>\n");
}

/* The buckets every listed query's sparkline is drawn in (sparkline_buckets). */
typedef struct spark_buckets
{
	int64_t		from_ms;
	int64_t		width_ms;
	int			n;				/* < 2: no sparklines */
} spark_buckets;

/*
 * The log's period in buckets of an hour << k, no narrower than the widest
 * series listed, so that the sparklines line up and each series maps into
 * them exactly.
 */
static spark_buckets
sparkline_buckets(const html_report *r)
{
	spark_buckets b;
	int64_t		widest = 0;

	for (size_t i = 0; i < r->nlisted; i++)
		if (r->queries[i]->series && r->queries[i]->series->width_ms > widest)
			widest = r->queries[i]->series->width_ms;
	b.n = query_series_display_width(r->s->first_ts, r->s->last_ts, widest, &b.from_ms, &b.width_ms);
	return b;
}

/* A sparkline of q's calls per bucket over the log's period. */
static void
activity(strbuf *out, const spark_buckets *b, const query_stats *q)
{
	double		calls[QUERY_SERIES_BUCKETS];
	char		label[160];

	if (q->series == NULL || q->series->width_ms == 0 || b->n < 2)
		return;
	query_series_rebin(q->series, b->from_ms, b->width_ms, b->n, calls);
	if (b->width_ms == QUERY_SERIES_HOUR_MS)
		snprintf(label, sizeof(label), "calls per hour over the log's %d hours", b->n);
	else
		snprintf(label, sizeof(label), "calls per %lld hours over the log's period (%d buckets)",
				 (long long) (b->width_ms / QUERY_SERIES_HOUR_MS), b->n);
	strbuf_puts(out, "<dt>activity</dt><dd>");
	svg_sparkline(out, calls, b->n, label);
	strbuf_puts(out, " <span class=\"note\">");
	html_escape(out, label);
	strbuf_puts(out, "</span></dd>\n");
}

/* What the row opens on. */
static void
query_details(strbuf *out, const html_report *r, const spark_buckets *b, const query_stats *q, const char *hex)
{
	strbuf		line;

	strbuf_init(&line);
	report_one_line(q->normalized, SUMMARY_WIDTH, &line);
	strbuf_puts(out, "<details><summary><code>");
	html_escape(out, line.data);
	strbuf_puts(out, "</code></summary>\n<pre><code class=\"sql\">");
	html_escape(out, q->normalized);
	strbuf_puts(out, "</code></pre>\n");
	if (!q->parsed)
		strbuf_puts(out, "<p class=\"note\">libpg_query could not parse it: it is grouped by its text.</p>\n");
	strbuf_printf(out, "<dl class=\"facts\">\n<dt>fingerprint</dt><dd><code>%s</code></dd>\n", hex);
	names(out, "users", q->users, q->nusers);
	names(out, "databases", q->databases, q->ndatabases);
	names(out, "applications", q->apps, q->napps);
	strbuf_puts(out, "<dt>seen</dt><dd>");
	html_time(out, r, q->first_ts);
	strbuf_puts(out, " to ");
	html_time(out, r, q->last_ts);
	strbuf_puts(out, "</dd>\n");
	activity(out, b, q);
	if (q->error_ms > 0 || q->error_calls > 0)
	{
		/* what the bounded table may have missed of it before it was admitted */
		strbuf_puts(out, "<dt>error bound</dt><dd>up to ");
		html_ms(out, q->error_ms);
		strbuf_puts(out, " and ");
		html_count(out, q->error_calls);
		strbuf_puts(out, " statements more than listed (evicted before it was kept)</dd>\n");
	}
	if (q->untimed_calls || q->errors)
	{
		strbuf_puts(out, "<dt>also</dt><dd>");
		html_count(out, q->untimed_calls);
		strbuf_puts(out, " calls without a duration, ");
		html_count(out, q->errors);
		strbuf_puts(out, " failed</dd>\n");
	}
	strbuf_puts(out, "</dl>\n");
	samples(out, r, q);
	if (r->plans && q->plan)
	{
		strbuf_puts(out, "<h4>Slowest logged plan (auto_explain, ");
		html_ms(out, q->plan_ms);
		strbuf_puts(out, ")</h4>\n");
		html_plan_write(out, q->plan, q->plan_is_json);
	}
	strbuf_puts(out, "</details>");
	strbuf_free(&line);
}

static void
query_row(strbuf *out, const html_report *r, const spark_buckets *b, size_t rank, const query_stats *q)
{
	char		hex[17];
	double		total = r->s->total_duration_ms;

	fingerprint_hex(q->fingerprint, hex);
	strbuf_printf(out, "<tr id=\"q-%s\"><td class=\"num\" data-v=\"%zu\">%zu</td><td class=\"q\">", hex, rank, rank);
	query_details(out, r, b, q, hex);
	strbuf_puts(out, "</td>");
	ms_cell(out, q->total_ms);
	strbuf_printf(out, "<td class=\"num\" data-v=\"%.3f\">", total > 0 ? 100.0 * q->total_ms / total : 0.0);
	html_percent(out, q->total_ms, total);
	strbuf_puts(out, "</td>");
	count_cell(out, q->calls);
	ms_cell(out, q->calls ? q->total_ms / (double) q->calls : NAN);
	ms_cell(out, query_stats_quantile(q, 0.50));
	ms_cell(out, query_stats_quantile(q, 0.95));
	ms_cell(out, query_stats_quantile(q, 0.99));
	ms_cell(out, q->calls ? q->max_ms : NAN);
	rows_cell(out, r, q);
	strbuf_printf(out, "<td><code class=\"fp\">%s</code></td></tr>\n", hex);
}

/* The fingerprints beyond the table, summed, and those the bound evicted. */
static void
rest_rows(strbuf *out, const html_report *r)
{
	const workload_other *o = workload_other_row(r->in->model);
	double		total = 0;
	uint64_t	calls = 0;

	if (r->nlisted >= r->nqueries && o->fingerprints_evicted == 0)
		return;
	strbuf_puts(out, "<tfoot>");
	if (r->nlisted < r->nqueries)
	{
		for (size_t i = r->nlisted; i < r->nqueries; i++)
		{
			total += r->queries[i]->total_ms;
			calls += r->queries[i]->calls;
		}
		strbuf_puts(out, "<tr class=\"rest\"><td></td><td>rest: ");
		html_count(out, (uint64_t) (r->nqueries - r->nlisted));
		strbuf_puts(out, " other fingerprints</td>");
		ms_cell(out, total);
		strbuf_puts(out, "<td class=\"num\">");
		html_percent(out, total, r->s->total_duration_ms);
		strbuf_puts(out, "</td>");
		count_cell(out, calls);
		ms_cell(out, calls ? total / (double) calls : NAN);
		strbuf_puts(out, "<td></td><td></td><td></td><td></td><td></td><td></td></tr>\n");
	}
	if (o->fingerprints_evicted > 0)
	{
		strbuf_puts(out, "<tr class=\"rest other\"><td></td><td>other: ");
		html_count(out, o->fingerprints_evicted);
		strbuf_printf(out, " fingerprints evicted past <code>--max-fingerprints %llu</code></td>",
					  (unsigned long long) o->max_fingerprints);
		ms_cell(out, o->total_ms);
		strbuf_puts(out, "<td class=\"num\">");
		html_percent(out, o->total_ms, r->s->total_duration_ms);
		strbuf_puts(out, "</td>");
		count_cell(out, o->statements);
		ms_cell(out, o->statements ? o->total_ms / (double) o->statements : NAN);
		strbuf_puts(out, "<td></td><td></td><td></td><td></td><td></td><td></td></tr>\n");
	}
	strbuf_puts(out, "</tfoot>\n");
}

/* The bounded table's sentence under the query table: what "other" holds and the largest error. */
static void
other_note(strbuf *out, const html_report *r)
{
	strbuf		line;

	strbuf_init(&line);
	if (report_other_sentence(r->in->model, &line))
	{
		strbuf_puts(out, "<p class=\"note\" id=\"other-row\">");
		html_escape(out, line.data);
		strbuf_puts(out, ". A listed query's own bound is under \"error bound\" when it has one.</p>\n");
	}
	strbuf_free(&line);
}

void
html_section_queries(strbuf *out, const html_report *r)
{
	html_open_section(out, "queries", "Queries");
	if (r->nqueries == 0)
	{
		strbuf_puts(out, "<p>No statement was logged.</p>\n");
		html_close_section(out);
		return;
	}
	strbuf_puts(out, "<p class=\"note\">The ");
	html_count(out, r->nlisted);
	strbuf_puts(out, " costliest of ");
	html_count(out, r->nqueries);
	strbuf_puts(out, " fingerprints by total time (<code>--top</code> sets how many). Click a heading to sort, "
				"a statement to open it.</p>\n<p><input type=\"search\" id=\"query-filter\" "
				"placeholder=\"Filter: words of the statement, users, databases\" aria-label=\"Filter the queries\" "
				"hidden></p>\n<div class=\"scroll\"><table class=\"data sortable\" id=\"query-table\"><thead><tr>"
				"<th class=\"num\">#</th><th data-type=\"text\">statement</th><th class=\"num\">total</th>"
				"<th class=\"num\">%</th><th class=\"num\">calls</th><th class=\"num\">mean</th>"
				"<th class=\"num\">p50</th><th class=\"num\">p95</th><th class=\"num\">p99</th>"
				"<th class=\"num\">max</th><th class=\"num\">rows</th><th data-type=\"text\">fingerprint</th>"
				"</tr></thead>\n<tbody>\n");
	spark_buckets b = sparkline_buckets(r);

	for (size_t i = 0; i < r->nlisted; i++)
		query_row(out, r, &b, i + 1, r->queries[i]);
	strbuf_puts(out, "</tbody>\n");
	rest_rows(out, r);
	strbuf_puts(out, "</table></div>\n");
	other_note(out, r);
	html_close_section(out);
}
