/*-------------------------------------------------------------------------
 * report_html_header.c
 *    The HTML report's header (what was read, when, in which zone, and
 *    what the logs could not tell) and its key figures.
 *
 * "What the logs do not tell" is read from the inputs and the model, not
 * guessed from warnings: a log_line_prefix without %u leaves every user
 * unknown, a log without connection lines has no sessions, a log whose
 * fastest statement took 250 ms was written with a
 * log_min_duration_statement near that and holds no faster statement.
 * Each limit is said once, with what it costs the report.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_record.h"
#include "src/live/pg_conn.h"
#include "src/report/html_escape.h"
#include "src/report/report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Below this many timed statements the fastest one says nothing of the log's threshold. */
#define THRESHOLD_MIN_STATEMENTS 20
/* A fastest statement at least this slow (ms) points at log_min_duration_statement. */
#define THRESHOLD_MIN_MS 5.0

/* Whether log_line_prefix p has escape c (padding such as %-10u allowed; %% is not one). */
static int
prefix_has(const char *p, char c)
{
	for (size_t i = 0; p[i]; i++)
	{
		size_t		j;

		if (p[i] != '%')
			continue;
		j = i + 1;
		while (p[j] == '-' || (p[j] >= '0' && p[j] <= '9'))
			j++;
		if (p[j] == c)
			return 1;
		if (p[j] == '\0')
			break;
		i = j;
	}
	return 0;
}

static void
gap_item(strbuf *out, int *n, const char *html)
{
	if ((*n)++ == 0)
		strbuf_puts(out, "<h3>What the logs do not tell</h3>\n<ul class=\"gaps\">\n");
	strbuf_printf(out, "<li>%s</li>\n", html);
}

/* The limits of one input's log_line_prefix. */
static void
prefix_gaps(strbuf *out, int *n, const ingest_file *f)
{
	static const struct
	{
		char		escape;
		const char *costs;
	}			fields[] = {
		{'u', "users are unknown"},
		{'d', "databases are unknown"},
		{'a', "applications are unknown"},
	};
	strbuf		item;

	strbuf_init(&item);
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
	{
		if (prefix_has(f->prefix, fields[k].escape))
			continue;
		strbuf_reset(&item);
		strbuf_puts(&item, "<code>");
		html_escape(&item, f->path);
		strbuf_puts(&item, "</code>: log_line_prefix <code>");
		html_escape(&item, f->prefix);
		strbuf_printf(&item, "</code> has no %%%c: %s", fields[k].escape, fields[k].costs);
		gap_item(out, n, item.data);
	}
	if (f->format == LOG_FORMAT_STDERR && !prefix_has(f->prefix, 'm') && !prefix_has(f->prefix, 't') &&
		!prefix_has(f->prefix, 'n'))
	{
		strbuf_reset(&item);
		strbuf_puts(&item, "<code>");
		html_escape(&item, f->path);
		strbuf_puts(&item, "</code>: log_line_prefix has no %m, %t or %n: its lines have no time, so the period, "
					"rates and charts leave them out");
		gap_item(out, n, item.data);
	}
	if (f->format == LOG_FORMAT_STDERR && !prefix_has(f->prefix, 'p') && !prefix_has(f->prefix, 'c'))
	{
		strbuf_reset(&item);
		strbuf_puts(&item, "<code>");
		html_escape(&item, f->path);
		strbuf_puts(&item, "</code>: log_line_prefix has no %p or %c: sessions cannot be told apart, "
					"so no session patterns (N+1 loops, insert runs) are found");
		gap_item(out, n, item.data);
	}
	if (f->fallback_lines)
	{
		strbuf_reset(&item);
		html_count(&item, f->fallback_lines);
		strbuf_puts(&item, " lines of <code>");
		html_escape(&item, f->path);
		strbuf_printf(&item, "</code> do not match its log_line_prefix (the first is line %llu): they were read "
					  "from their time, pid and severity alone", (unsigned long long) f->fallback_first);
		gap_item(out, n, item.data);
	}
	strbuf_free(&item);
}

/* The fastest timed statement of the model, NAN when none. */
static double
fastest_statement(const html_report *r)
{
	double		min = NAN;

	for (size_t i = 0; i < r->nqueries; i++)
		if (r->queries[i]->calls > 0 && (isnan(min) || r->queries[i]->min_ms < min))
			min = r->queries[i]->min_ms;
	return min;
}

/* The limits the model shows whatever the inputs. */
static void
model_gaps(strbuf *out, int *n, const html_report *r)
{
	const session_figures *ss = workload_sessions(r->in->model);
	double		fastest = fastest_statement(r);
	strbuf		item;

	strbuf_init(&item);
	if (r->s->statements == 0 && r->s->untimed_statements > 0)
		gap_item(out, n, "no statement has a duration (log_statement without log_duration or "
				 "log_min_duration_statement): the query profile has calls but no times");
	if (r->s->statements >= THRESHOLD_MIN_STATEMENTS && fastest >= THRESHOLD_MIN_MS)
	{
		strbuf_puts(&item, "the fastest statement logged took ");
		html_ms(&item, fastest);
		strbuf_puts(&item, ": the server seems to log only statements slower than a log_min_duration_statement "
					"near that, so faster statements are not seen and the totals are those of the slow ones");
		gap_item(out, n, item.data);
	}
	if (r->s->statements + r->s->untimed_statements > 0 && ss->received == 0 && ss->authorized == 0)
		gap_item(out, n, "no connection lines (log_connections = off): sessions, connection churn and pool "
				 "sizing are unknown");
	else if (ss->authorized > 0 && ss->disconnections == 0)
		gap_item(out, n, "no disconnection lines (log_disconnections = off): session times are unknown");
	if (r->s->parse_errors > 0)
	{
		strbuf_reset(&item);
		html_count(&item, r->s->parse_errors);
		strbuf_puts(&item, " statements could not be parsed: they are grouped by their text, not by fingerprint");
		gap_item(out, n, item.data);
	}
	strbuf_free(&item);
}

static void
inputs_table(strbuf *out, const html_report *r)
{
	const report_input *in = r->in;

	strbuf_puts(out, "<h3>Inputs</h3>\n<div class=\"scroll\"><table class=\"data\"><thead><tr><th>file</th>"
				"<th>format</th><th>log_line_prefix</th><th class=\"num\">lines</th><th class=\"num\">records</th>"
				"<th class=\"num\">malformed</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < in->nfiles; i++)
	{
		const ingest_file *f = &in->files[i];

		strbuf_puts(out, "<tr><td><code>");
		html_escape(out, f->path);
		strbuf_puts(out, "</code>");
		if (!f->opened)
			strbuf_puts(out, " <span class=\"note\">(could not be opened)</span>");
		else if (f->read_error)
			strbuf_puts(out, " <span class=\"note\">(read up to an error)</span>");
		strbuf_printf(out, "</td><td>%s%s%s</td><td>", log_format_name(f->format), f->compression ? ", " : "",
					  f->compression ? input_compression_name(f->compression) : "");
		if (f->prefix)
		{
			strbuf_puts(out, "<code>");
			html_escape(out, f->prefix);
			strbuf_puts(out, "</code>");
		}
		strbuf_puts(out, "</td><td class=\"num\">");
		html_count(out, f->lines);
		strbuf_puts(out, "</td><td class=\"num\">");
		html_count(out, f->records);
		strbuf_puts(out, "</td><td class=\"num\">");
		html_count(out, f->malformed);
		strbuf_puts(out, "</td></tr>\n");
	}
	strbuf_puts(out, "</tbody></table></div>\n");
}

static void
malformed_samples(strbuf *out, const diag_tally *t)
{
	if (t == NULL || t->nsamples == 0)
		return;
	strbuf_puts(out, "<p class=\"note\">Malformed lines, the first of them:</p>\n<ul class=\"note\">\n");
	for (int i = 0; i < t->nsamples; i++)
	{
		strbuf_puts(out, "<li><code>");
		html_escape(out, t->samples[i].file);
		strbuf_printf(out, ":%llu</code>: ", (unsigned long long) t->samples[i].line);
		html_escape(out, t->samples[i].reason);
		strbuf_puts(out, "</li>\n");
	}
	strbuf_puts(out, "</ul>\n");
}

/* Period, lines, store and database. */
static void
facts_table(strbuf *out, const html_report *r)
{
	const workload_summary *s = r->s;

	strbuf_puts(out, "<table class=\"kv\">\n<tr><th>Period</th><td>");
	html_time(out, r, s->first_ts);
	strbuf_puts(out, " to ");
	html_time(out, r, s->last_ts);
	if (s->first_ts != LOG_TS_UNKNOWN && s->last_ts > s->first_ts)
	{
		strbuf_puts(out, " (");
		html_ms(out, (double) (s->last_ts - s->first_ts));
		strbuf_putc(out, ')');
	}
	strbuf_puts(out, "</td></tr>\n<tr><th>Lines</th><td>");
	html_count(out, s->lines);
	strbuf_puts(out, " read, ");
	html_count(out, s->malformed_lines);
	strbuf_puts(out, " malformed; ");
	html_count(out, s->records);
	strbuf_puts(out, " records");
	if (s->filtered_out)
	{
		strbuf_puts(out, "; ");
		html_count(out, s->filtered_out);
		strbuf_puts(out, " events left out by --since, --until, --dbname, --user or --app");
	}
	strbuf_puts(out, "</td></tr>\n");
	if (r->in->store_path)
	{
		strbuf_puts(out, "<tr><th>Store</th><td><code>");
		html_escape(out, r->in->store_path);
		strbuf_puts(out, "</code></td></tr>\n");
	}
	if (r->in->dsn)
	{
		char	   *redacted = pgc_redact_dsn(r->in->dsn);

		strbuf_puts(out, "<tr><th>Database</th><td><code>");
		html_escape(out, redacted);
		strbuf_puts(out, "</code> (passwords left out)</td></tr>\n");
		free(redacted);
	}
	strbuf_puts(out, "</table>\n");
}

void
html_section_header(strbuf *out, const html_report *r)
{
	const report_input *in = r->in;
	int			ngaps = 0;

	strbuf_puts(out, "<section id=\"header\">\n<h1>pgsift report</h1>\n<p class=\"muted\">pgsift ");
	html_escape(out, in->version ? in->version : PGSIFT_VERSION);
	if (in->generated_ms > 0)
	{
		char		buf[32];

		strbuf_printf(out, ", made %s UTC", svg_local_time(in->generated_ms, 0, SVG_TIME_MINUTE, buf));
	}
	strbuf_puts(out, "</p>\n<p>");
	html_zone_sentence(out, r);
	strbuf_puts(out, "</p>\n");
	facts_table(out, r);
	if (in->nfiles > 0)
		inputs_table(out, r);
	malformed_samples(out, in->tally);
	for (int i = 0; i < in->nfiles; i++)
		if (in->files[i].opened && in->files[i].prefix)
			prefix_gaps(out, &ngaps, &in->files[i]);
	model_gaps(out, &ngaps, r);
	if (ngaps)
		strbuf_puts(out, "</ul>\n");
	html_close_section(out);
}

/* One key figure: its name, value (pgsift's HTML) and an optional line under it. */
static void
figure(strbuf *out, const char *name, const char *value, const char *sub)
{
	strbuf_printf(out, "<div class=\"figure\"><dt>%s</dt><dd>%s", name, value);
	if (sub && *sub)
		strbuf_printf(out, "<span class=\"sub\">%s</span>", sub);
	strbuf_puts(out, "</dd></div>\n");
}

/* The busiest minute: its rate per second and start. */
static void
peak_rate(const html_report *r, strbuf *value, strbuf *sub)
{
	size_t		n;
	minute_stats *m = workload_minutes(r->in->model, &n);
	size_t		best = 0;

	for (size_t i = 1; i < n; i++)
		if (m[i].statements > m[best].statements)
			best = i;
	if (n == 0)
	{
		strbuf_puts(value, "-");
		return;
	}
	strbuf_printf(value, "%.1f/s", (double) m[best].statements / 60.0);
	strbuf_puts(sub, "in the minute from ");
	html_minute(sub, r, m[best].minute * 60000);
}

void
html_section_figures(strbuf *out, const html_report *r)
{
	const event_figures *e = workload_events(r->in->model);
	const session_figures *ss = workload_sessions(r->in->model);
	strbuf		v,
				sub;
	uint64_t	errors = e->by_severity[SEV_ERROR] + e->by_severity[SEV_FATAL] + e->by_severity[SEV_PANIC];

	strbuf_init(&v);
	strbuf_init(&sub);
	html_open_section(out, "figures", "Key figures");
	strbuf_puts(out, "<dl class=\"figures\">\n");
	html_count(&v, r->s->statements);
	html_count(&sub, r->s->untimed_statements);
	strbuf_puts(&sub, " without a duration");
	if (r->nbuckets > 1)
		svg_sparkline(&sub, r->statements, r->nbuckets, "statements per second over the period");
	figure(out, "Statements", v.data, sub.data);
	strbuf_reset(&v), strbuf_reset(&sub);
	html_count(&v, r->nqueries);
	figure(out, "Fingerprints", v.data, "distinct normalized statements");
	strbuf_reset(&v);
	html_ms(&v, r->s->total_duration_ms);
	if (r->nqueries > 0)
	{
		html_percent(&sub, r->queries[0]->total_ms, r->s->total_duration_ms);
		strbuf_puts(&sub, " in the costliest query");
	}
	figure(out, "Statement time", v.data, sub.data);
	strbuf_reset(&v), strbuf_reset(&sub);
	peak_rate(r, &v, &sub);
	figure(out, "Peak rate", v.data, sub.data);
	strbuf_reset(&v), strbuf_reset(&sub);
	html_count(&v, errors);
	html_count(&sub, (uint64_t) e->nsqlstates);
	strbuf_puts(&sub, " SQLSTATEs");
	figure(out, "Errors", v.data, sub.data);
	strbuf_reset(&v), strbuf_reset(&sub);
	html_bytes(&v, e->temp_file_bytes);
	html_count(&sub, e->by_kind[EV_TEMP_FILE]);
	strbuf_puts(&sub, " temporary files");
	figure(out, "Temp files", v.data, sub.data);
	strbuf_reset(&v), strbuf_reset(&sub);
	html_count(&v, (uint64_t) (workload_peak_sessions(r->in->model) > 0 ? workload_peak_sessions(r->in->model) : 0));
	if (ss->peak_ts)
	{
		strbuf_puts(&sub, "at ");
		html_time(&sub, r, ss->peak_ts);
	}
	figure(out, "Peak sessions", v.data, sub.data);
	strbuf_puts(out, "</dl>\n");
	html_close_section(out);
	strbuf_free(&v);
	strbuf_free(&sub);
}
