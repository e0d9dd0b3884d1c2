/*-------------------------------------------------------------------------
 * report_pooler.c
 *    The pooler section of the reports, from pgBouncer's figures.
 *
 * pgBouncer's clients are not server sessions: the section stands beside
 * "Sessions", never adds to it.  The times of the stats lines are
 * pgBouncer's own averages, weighted by their rate (src/model/pooler.c);
 * reasons are log text, cleaned for a terminal or escaped for Markdown.
 *-------------------------------------------------------------------------
 */
#include "src/lib/strbuf.h"
#include "src/report/markdown_text.h"
#include "src/report/report.h"
#include "src/report/report_pooler.h"
#include "src/report/report_summary.h"

#include <math.h>

#define REASON_WIDTH 72

/* A figure, or "-" when the figures have none (< 0). */
static const char *
fmt_num(double v, const char *unit, char *buf, size_t size)
{
	if (v < 0 || !isfinite(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, v >= 100 || v == floor(v) ? "%.0f%s" : "%.1f%s", v, unit);
	return buf;
}

/* Microseconds as report_format_figure writes milliseconds ("21.4 ms", "4.92 s"), "-" for none. */
static const char *
fmt_us(double us, char *buf, size_t size)
{
	if (us < 0 || !isfinite(us))
	{
		snprintf(buf, size, "-");
		return buf;
	}
	return report_format_figure(us / 1000.0, "ms", buf, size);
}

static double
mean_or_none(double sum, uint64_t n)
{
	return n ? sum / (double) n : -1;
}

/* The lines of one text: "  label: reason N, reason N, ..." */
static void
text_reasons(FILE *out, const char *label, const pooler_reasons *r, int markdown)
{
	strbuf		one,
				esc;

	if (r->n == 0)
		return;
	strbuf_init(&one);
	strbuf_init(&esc);
	fprintf(out, markdown ? "- %s:" : "  %s:", label);
	for (int i = 0; i < r->n; i++)
	{
		report_one_line(r->items[i].text, REASON_WIDTH, &one);
		if (markdown)
		{
			strbuf_reset(&esc);
			md_escape(&esc, one.data);
		}
		fprintf(out, "%s %s %llu", i ? "," : "", markdown ? esc.data : one.data,
				(unsigned long long) r->items[i].count);
	}
	if (r->other)
		fprintf(out, ", other %llu", (unsigned long long) r->other);
	fputc('\n', out);
	strbuf_free(&one);
	strbuf_free(&esc);
}

static uint64_t
reasons_total(const pooler_reasons *r)
{
	uint64_t	n = r->other;

	for (int i = 0; i < r->n; i++)
		n += r->items[i].count;
	return n;
}

/* The body shared by text and Markdown: one line (or list item) per fact. */
static void
write_body(FILE *out, const pooler_figures *p, int markdown)
{
	const uint64_t *k = p->by_kind;
	const char *item = markdown ? "- " : "  ";
	char		a[32],
				b[32],
				c[32],
				d[32],
				e[32];

	report_format_ts(p->first_ts, a);
	report_format_ts(p->last_ts, b);
	fprintf(out, "%srecords: %llu (%llu warnings, %llu errors), %s .. %s\n", item,
			(unsigned long long) p->records, (unsigned long long) p->warnings,
			(unsigned long long) p->errors, a[0] ? a : "?", b[0] ? b : "?");
	fprintf(out, "%sclients: %llu login attempts, %llu login failure%s, %llu closed (age: mean %s, max %s)\n",
			item, (unsigned long long) k[POOLER_LOGIN], (unsigned long long) k[POOLER_LOGIN_FAILED],
			k[POOLER_LOGIN_FAILED] == 1 ? "" : "s",
			(unsigned long long) k[POOLER_CLIENT_CLOSE],
			fmt_num(mean_or_none(p->client_age_s, k[POOLER_CLIENT_CLOSE]), " s", c, sizeof(c)),
			fmt_num(k[POOLER_CLIENT_CLOSE] ? p->client_age_max_s : -1, " s", d, sizeof(d)));
	fprintf(out, "%sserver connections: %llu opened, %llu closed (age: mean %s, max %s), %llu login failure%s\n",
			item, (unsigned long long) k[POOLER_SERVER_CONNECT], (unsigned long long) k[POOLER_SERVER_CLOSE],
			fmt_num(mean_or_none(p->server_age_s, k[POOLER_SERVER_CLOSE]), " s", c, sizeof(c)),
			fmt_num(k[POOLER_SERVER_CLOSE] ? p->server_age_max_s : -1, " s", d, sizeof(d)),
			(unsigned long long) k[POOLER_SERVER_LOGIN_FAILED], k[POOLER_SERVER_LOGIN_FAILED] == 1 ? "" : "s");
	fprintf(out, "%spooler errors sent to clients: %llu\n", item, (unsigned long long) k[POOLER_ERROR]);
	text_reasons(out, markdown ? "pooler errors by reason" : "  by reason", &p->reasons[POOLER_TABLE_ERRORS],
				 markdown);
	text_reasons(out, "client closes by reason", &p->reasons[POOLER_TABLE_CLIENT_CLOSE], markdown);
	text_reasons(out, "server closes by reason", &p->reasons[POOLER_TABLE_SERVER_CLOSE], markdown);
	if (k[POOLER_STATS] == 0)
		return;
	fprintf(out, "%sstats lines: %llu; xacts/s mean %s, peak %s; queries/s mean %s, peak %s\n", item,
			(unsigned long long) k[POOLER_STATS], fmt_num(pooler_mean_xacts_per_s(p), "", a, sizeof(a)),
			fmt_num(p->xacts_per_s_max, "", b, sizeof(b)), fmt_num(pooler_mean_queries_per_s(p), "", c, sizeof(c)),
			fmt_num(p->queries_per_s_max, "", d, sizeof(d)));
	fprintf(out, "%spooled times (pgBouncer's averages): xact %s, query %s, client wait %s (max %s)\n", item,
			fmt_us(pooler_mean_xact_us(p), a, sizeof(a)), fmt_us(pooler_mean_query_us(p), b, sizeof(b)),
			fmt_us(pooler_mean_wait_us(p), c, sizeof(c)),
			fmt_us(pooler_mean_wait_us(p) >= 0 ? p->wait_us_max : -1, e, sizeof(e)));
}

void
report_text_pooler(FILE *out, const workload *w, int color)
{
	const pooler_figures *p = workload_pooler(w);

	if (p->records == 0)
		return;
	report_text_heading(out, color, "Pooler (pgBouncer)");
	write_body(out, p, 0);
	fputc('\n', out);
}

void
report_markdown_pooler(FILE *out, const workload *w)
{
	const pooler_figures *p = workload_pooler(w);

	if (p->records == 0)
		return;
	fputs("## Pooler (pgBouncer)\n\n", out);
	write_body(out, p, 1);
	fputc('\n', out);
}

static json_t *
figure(double v)
{
	return v < 0 || !isfinite(v) ? json_null() : json_real(v);
}

static json_t *
ts_json(int64_t ts)
{
	char		buf[32];

	report_format_ts(ts, buf);
	return buf[0] ? json_string(buf) : json_null();
}

static json_t *
reasons_json(const pooler_reasons *r)
{
	json_t	   *a = json_array();

	for (int i = 0; i < r->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "reason", r->items[i].text,
										   "count", (json_int_t) r->items[i].count));
	return json_pack("{s:I, s:o, s:I}", "total", (json_int_t) reasons_total(r), "by_reason", a,
					 "other", (json_int_t) r->other);
}

json_t *
report_json_pooler(const workload *w)
{
	const pooler_figures *p = workload_pooler(w);
	const uint64_t *k = p->by_kind;
	json_t	   *o,
			   *kinds = json_object();

	if (p->records == 0)
	{
		json_decref(kinds);
		return json_null();
	}
	for (int i = POOLER_NONE + 1; i < POOLER__COUNT; i++)
		json_object_set_new(kinds, pooler_kind_name((pooler_kind) i), json_integer((json_int_t) k[i]));
	o = json_pack("{s:I, s:I, s:I, s:o, s:o, s:o}", "records", (json_int_t) p->records,
				  "warnings", (json_int_t) p->warnings, "errors", (json_int_t) p->errors,
				  "first", ts_json(p->first_ts), "last", ts_json(p->last_ts), "by_kind", kinds);
	json_object_set_new(o, "clients", json_pack("{s:I, s:I, s:I, s:{s:o, s:o}}",
												"login_attempts", (json_int_t) k[POOLER_LOGIN],
												"login_failures", (json_int_t) k[POOLER_LOGIN_FAILED],
												"closed", (json_int_t) k[POOLER_CLIENT_CLOSE], "age_s",
												"mean", figure(mean_or_none(p->client_age_s, k[POOLER_CLIENT_CLOSE])),
												"max", figure(k[POOLER_CLIENT_CLOSE] ? p->client_age_max_s : -1)));
	json_object_set_new(o, "servers", json_pack("{s:I, s:I, s:I, s:{s:o, s:o}}",
												"opened", (json_int_t) k[POOLER_SERVER_CONNECT],
												"closed", (json_int_t) k[POOLER_SERVER_CLOSE],
												"login_failures", (json_int_t) k[POOLER_SERVER_LOGIN_FAILED], "age_s",
												"mean", figure(mean_or_none(p->server_age_s, k[POOLER_SERVER_CLOSE])),
												"max", figure(k[POOLER_SERVER_CLOSE] ? p->server_age_max_s : -1)));
	for (int t = 0; t < POOLER_TABLE__COUNT; t++)
		json_object_set_new(o, pooler_table_name((pooler_reason_table) t), reasons_json(&p->reasons[t]));
	json_object_set_new(o, "stats", json_pack("{s:I, s:{s:o, s:o}, s:{s:o, s:o}, s:o, s:o, s:{s:o, s:o}, s:o, s:o}",
											  "lines", (json_int_t) k[POOLER_STATS],
											  "xacts_per_s", "mean", figure(pooler_mean_xacts_per_s(p)),
											  "max", figure(k[POOLER_STATS] ? p->xacts_per_s_max : -1),
											  "queries_per_s", "mean", figure(pooler_mean_queries_per_s(p)),
											  "max", figure(k[POOLER_STATS] ? p->queries_per_s_max : -1),
											  "xact_us", figure(pooler_mean_xact_us(p)),
											  "query_us", figure(pooler_mean_query_us(p)),
											  "wait_us", "mean", figure(pooler_mean_wait_us(p)),
											  "max", figure(k[POOLER_STATS] ? p->wait_us_max : -1),
											  "in_bytes_per_s", figure(mean_or_none(p->in_bytes_per_s_sum, k[POOLER_STATS])),
											  "out_bytes_per_s", figure(mean_or_none(p->out_bytes_per_s_sum, k[POOLER_STATS]))));
	return o;
}
