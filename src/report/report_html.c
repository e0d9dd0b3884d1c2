/*-------------------------------------------------------------------------
 * report_html.c
 *    The HTML report: one self-contained UTF-8 page.
 *
 * The page is written whole into memory, section by section
 * (report_html_*.c), then to the output: so its size is known first, and
 * past in->html_max_bytes it is written again without the queries'
 * samples, then without plans, with a warning.  The head carries a
 * Content-Security-Policy that allows nothing but the page's one style
 * sheet and one script, named by their SHA-256 (html_assets.c): no
 * network access, no inline handler or style attribute, no other script,
 * even if log text slipped past escaping.  The table of contents lists
 * the sections the page has; a <script type="application/json"> block
 * gives the figures to programs (html_json_escape keeps it a data block).
 *
 * Sections, in order, with their ids (docs/html-report.md, the DOM
 * contract a browser test relies on): header, summary, findings,
 * figures, over-time, latency, queries, sessions, errors, locks,
 * temp-files, checkpoints, autovacuum, pooler, appendix.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_record.h"
#include "src/core/diag.h"
#include "src/lib/json_out.h"
#include "src/report/html_assets.h"
#include "src/report/html_escape.h"
#include "src/report/report_html.h"

#include <stdlib.h>
#include <string.h>

typedef void (*section_writer) (strbuf *out, const html_report *r);

static const struct
{
	const char *id;
	const char *toc;			/* its entry in the table of contents */
	section_writer write;
}			sections[] = {
	{"header", "Inputs", html_section_header},
	{"summary", "Executive summary", html_section_summary},
	{"findings", "Findings", html_section_findings},
	{"figures", "Key figures", html_section_figures},
	{"over-time", "Activity over time", html_section_over_time},
	{"latency", "Latency", html_section_latency},
	{"queries", "Queries", html_section_queries},
	{"sessions", "Sessions", html_section_sessions},
	{"errors", "Errors", html_section_errors},
	{"locks", "Locks", html_section_locks},
	{"temp-files", "Temporary files", html_section_temp_files},
	{"checkpoints", "Checkpoints", html_section_checkpoints},
	{"autovacuum", "Autovacuum", html_section_autovacuum},
	{"pooler", "Pooler", html_section_pooler},
	{"appendix", "How figures are computed", html_section_appendix},
};

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

void
html_section_appendix(strbuf *out, const html_report *r)
{
	html_open_section(out, "appendix", "How the figures are computed");
	strbuf_puts(out, "<dl class=\"facts\">\n"
				"<dt>statements</dt><dd>Timed executions: a statement logged with its duration "
				"(log_min_duration_statement, or log_statement with log_duration). Statements pgsift ran itself are "
				"left out.</dd>\n"
				"<dt>fingerprint</dt><dd>libpg_query's fingerprint of the statement: the same statement with other "
				"constants has the same one. The query table shows its normalized text, constants as $1, $2.</dd>\n"
				"<dt>total, %</dt><dd>The sum of a fingerprint's durations, and its share of every statement's.</dd>\n"
				"<dt>mean, p50, p95, p99, max</dt><dd>Over every timed execution of the fingerprint in the whole "
				"period: the mean and maximum exactly, the percentiles from a quantile sketch with a relative error "
				"under 1%.</dd>\n"
				"<dt>rows</dt><dd>Rows per call from pg_stat_statements in a live run (over its own period), "
				"else the rows of the query's slowest logged auto_explain plan; the log has no other count.</dd>\n"
				"<dt>rest</dt><dd>The fingerprints beyond the table (<code>--top</code>), summed: their total, "
				"share, calls and mean.</dd>\n"
				"<dt>activity over time</dt><dd>The log's minutes grouped into buckets of its zone: statements "
				"per second is a bucket's statements over its length, statement time per second the sum of their "
				"durations over its length (the mean number of statements running), errors the ERROR, FATAL and "
				"PANIC records in it. A statement counts in the minute it was logged, that is when it ended.</dd>\n"
				"<dt>p95 per bucket</dt><dd>Each minute keeps its timed statements' durations in a histogram "
				"of ten buckets per decade from 1 µs to 1000 s; a bucket of time adds up its minutes' histograms "
				"and takes the 95th percentile (the duration of the statement at rank 95% of its count), given as "
				"the geometric middle of the histogram bucket it falls in: within a factor of 10^0.05 (12%) of "
				"the exact p95. A bucket without a timed statement, or with minutes from a store written before "
				"the histograms were kept, has none.</dd>\n"
				"<dt>latency</dt><dd>Every timed statement in half-decade buckets of its duration (1 µs, "
				"3.16 µs, 10 µs, ...): exact counts.</dd>\n"
				"<dt>peak rate</dt><dd>The minute with the most statements, as statements per second.</dd>\n"
				"<dt>time at stake</dt><dd>A finding's score: the statement time per hour its fix would save, "
				"and its share of the log's statement time per hour.</dd>\n"
				"<dt>before, after</dt><dd>The executive summary's figures, as in the text and JSON reports: "
				"measured plans (EXPLAIN ANALYZE) or HypoPG what-if costs scale the log's p95 of each query a fix "
				"names.</dd>\n"
				"<dt>plans</dt><dd>Exclusive time is a node's actual time times its loops, less its children's; "
				"badges mark nodes with 10, 40 and 90% of the plan's time, and row estimates off by 10, 100 and "
				"1000 times.</dd>\n"
				"<dt>peak sessions</dt><dd>The highest running count of authorized sessions less disconnections, "
				"counting sessions open before the log began.</dd>\n"
				"</dl>\n");
	if (r->samples == 0 || !r->plans)
		strbuf_printf(out, "<p><strong>This report leaves out %s to stay under --html-max-bytes.</strong></p>\n",
					  r->plans ? "the queries' samples" : "the queries' samples and every plan");
	html_close_section(out);
}

/* The figures for programs, as JSON inside the page. */
static json_t *
data_json(const html_report *r)
{
	const finding_list *l = r->in->findings;
	json_t	   *o = json_object();
	json_t	   *fs = json_array();
	json_t	   *qs = json_array();
	json_t	   *lat = json_array();
	char		z[16],
				hex[17];

	json_object_set_new(o, "pgsift_version", json_text(r->in->version ? r->in->version : PGSIFT_VERSION));
	json_object_set_new(o, "zone", json_string(svg_zone_name(r->zone, z)));
	json_object_set_new(o, "utc_offset_minutes",
						r->zone == LOG_UTC_OFFSET_UNKNOWN ? json_null() : json_integer(r->zone));
	for (int i = 0; l && i < l->count; i++)
		json_array_append_new(fs, json_pack("{s:o, s:o, s:s, s:o, s:o}", "id", json_text_or_null(l->items[i]->id),
											"rule", json_text(l->items[i]->rule),
											"severity", finding_severity_name(l->items[i]->severity),
											"title", json_text(l->items[i]->title),
											"score", json_ms(l->items[i]->score)));
	for (size_t i = 0; i < r->nlisted; i++)
	{
		fingerprint_hex(r->queries[i]->fingerprint, hex);
		json_array_append_new(qs, json_pack("{s:s, s:I, s:o, s:o}", "fingerprint", hex,
											"calls", (json_int_t) r->queries[i]->calls,
											"total_ms", json_ms(r->queries[i]->total_ms),
											"query", json_text(r->queries[i]->normalized)));
	}
	for (int i = 0; i < LATENCY_BUCKETS; i++)
		json_array_append_new(lat, json_integer((json_int_t) r->s->latency[i]));
	json_object_set_new(o, "findings", fs);
	json_object_set_new(o, "queries", qs);
	json_object_set_new(o, "latency_buckets", lat);
	json_object_set_new(o, "bucket_ms", json_integer(r->nbuckets ? r->bucket_ms : 0));
	return o;
}

static void
write_data_block(strbuf *out, const html_report *r)
{
	json_t	   *data = data_json(r);
	char	   *text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));

	strbuf_puts(out, "<script type=\"application/json\" id=\"report-data\">");
	html_json_escape(out, text);
	strbuf_puts(out, "</script>\n");
	free(text);
	json_decref(data);
}

static void
write_head(strbuf *out, const html_report *r)
{
	strbuf_printf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
				  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '%s'; "
				  "script-src '%s'; base-uri 'none'; form-action 'none'\">\n"
				  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
				  "<meta name=\"generator\" content=\"pgsift ", html_assets_css_hash(), html_assets_js_hash());
	html_escape(out, r->in->version ? r->in->version : PGSIFT_VERSION);
	strbuf_puts(out, "\">\n<title>pgsift report: ");
	html_count(out, r->s->statements);
	strbuf_puts(out, " statements");
	if (r->s->first_ts != LOG_TS_UNKNOWN)
	{
		strbuf_puts(out, " from ");
		html_time(out, r, r->s->first_ts);
	}
	strbuf_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<div class=\"page\">\n", html_assets_css());
}

static void
write_toc(strbuf *out, const strbuf *parts)
{
	strbuf_puts(out, "<nav id=\"toc\" aria-label=\"Contents\">\n<p class=\"brand\">pgsift</p>\n<ul>\n");
	for (size_t i = 0; i < NSECTIONS; i++)
		if (parts[i].len > 0)
			strbuf_printf(out, "<li><a href=\"#%s\">%s</a></li>\n", sections[i].id, sections[i].toc);
	strbuf_puts(out, "</ul>\n</nav>\n");
}

/* The whole page as r says (samples, plans) into doc. */
static void
render(strbuf *doc, const html_report *r)
{
	strbuf		parts[NSECTIONS];

	for (size_t i = 0; i < NSECTIONS; i++)
	{
		strbuf_init(&parts[i]);
		sections[i].write(&parts[i], r);
	}
	write_head(doc, r);
	write_toc(doc, parts);
	strbuf_puts(doc, "<main>\n");
	for (size_t i = 0; i < NSECTIONS; i++)
	{
		strbuf_append(doc, parts[i].data, parts[i].len);
		strbuf_free(&parts[i]);
	}
	strbuf_puts(doc, "</main>\n</div>\n");
	write_data_block(doc, r);
	strbuf_printf(doc, "<script>%s</script>\n</body>\n</html>\n", html_assets_js());
}

/* Render r into doc, leaving out samples, then plans, while doc is over max. */
static void
render_within(strbuf *doc, html_report *r, size_t max)
{
	size_t		full;

	render(doc, r);
	full = doc->len;
	while (doc->len > max && (r->samples > 0 || r->plans))
	{
		if (r->samples > 0)
			r->samples = 0;
		else
			r->plans = 0;
		strbuf_reset(doc);
		render(doc, r);
	}
	if (full == doc->len)
		return;
	diag_detail("The whole report would be %zu bytes; --html-max-bytes is %zu. It is %zu bytes without them.",
				full, max, doc->len);
	diag_hint("Give a larger --html-max-bytes, or fewer queries with --top.");
	diag_warning("the HTML report leaves out %s", r->plans ? "the queries' samples" : "the queries' samples and the plans");
	if (doc->len > max)
	{
		diag_hint("Give a larger --html-max-bytes, or fewer queries with --top.");
		diag_warning("the HTML report is %zu bytes, over --html-max-bytes even so", doc->len);
	}
}

int
report_write_html(FILE *out, const report_input *in)
{
	html_report r = {.in = in, .samples = HTML_SAMPLES, .plans = 1};
	size_t		max = in->html_max_bytes ? in->html_max_bytes : REPORT_HTML_MAX_BYTES_DEFAULT;
	report_summary empty = {0};
	strbuf		doc;
	int			rc;

	r.s = workload_get_summary(in->model);
	r.zone = r.s->utc_offset_min;
	r.queries = workload_queries(in->model, &r.nqueries);
	r.nlisted = in->top > 0 && (size_t) in->top < r.nqueries ? (size_t) in->top : r.nqueries;
	if (in->findings)
		report_summary_build(in, &r.summary);
	else
		r.summary = empty;
	html_activity_build(&r);
	strbuf_init(&doc);
	render_within(&doc, &r, max);
	rc = fwrite(doc.data, 1, doc.len, out) == doc.len ? 0 : -1;
	strbuf_free(&doc);
	html_activity_free(&r);
	if (in->findings)
		report_summary_free(&r.summary);
	return rc || ferror(out) ? -1 : 0;
}
