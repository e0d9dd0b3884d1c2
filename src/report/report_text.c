/*-------------------------------------------------------------------------
 * report_text.c
 *    The text report: the findings (executive summary, bottlenecks and
 *    recommendations, src/report/report_findings.c), a profile like
 *    pt-query-digest's, then sessions, the pooler's figures when a
 *    pgBouncer log was read (src/report/report_pooler.c), errors and events.
 *
 * Queries are shown on one line each, white space folded and cut to fit;
 * the full normalized text and samples are in the JSON report.  Each
 * query's share of the time is also drawn as a bar.
 *
 * On a terminal (in->color, decided by the command: src/core/color.h) the
 * headings are bold, the severities coloured and the bars coloured by
 * their size; colour only adds escapes, so the text without them is the
 * plain report, character for character.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_event.h"
#include "src/core/color.h"
#include "src/lib/strbuf.h"
#include "src/report/report.h"
#include "src/report/report_pooler.h"
#include "src/report/report_summary.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#define QUERY_WIDTH 72
#define BAR_CELLS 10			/* a bar of 100% */

void
report_text_heading(FILE *out, int color, const char *fmt,...)
{
	va_list		ap;

	fputs(color_start(color, COLOR_HEADING), out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fprintf(out, "%s\n", color_end(color));
}

/*
 * share (0 to 1) as a bar of BAR_CELLS cells, in eighths of a cell, padded
 * with spaces to BAR_CELLS; red from half the time, yellow from a tenth,
 * green below when color is on.
 */
static void
put_share_bar(FILE *out, double share, int color)
{
	static const char *const eighths[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
	long		n = isfinite(share) ? lround(share * BAR_CELLS * 8) : 0;
	color_role	role = share >= 0.5 ? COLOR_SHARE_LARGE : share >= 0.1 ? COLOR_SHARE_MEDIUM : COLOR_SHARE_SMALL;
	int			on = color && n > 0;

	n = n < 0 ? 0 : n > BAR_CELLS * 8 ? BAR_CELLS * 8 : n;
	fputs(color_start(on, role), out);
	for (long i = 0; i < n / 8; i++)
		fputs("█", out);
	fputs(eighths[n % 8], out);
	fputs(color_end(on), out);
	for (long i = n / 8 + (n % 8 != 0); i < BAR_CELLS; i++)
		fputc(' ', out);
}

/* Milliseconds for a table column: 3 decimals while they fit. */
static const char *
fmt_ms(double v, char *buf, size_t size)
{
	if (!isfinite(v))
		snprintf(buf, size, "-");
	else if (v >= 1000000)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.3f", v);
	return buf;
}

static const char *
fmt_bytes(uint64_t b, char *buf, size_t size)
{
	const char *units[] = {"B", "kB", "MB", "GB", "TB"};
	double		v = (double) b;
	int			u = 0;

	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

static void
write_overview(FILE *out, const report_input *in)
{
	const workload_summary *s = workload_get_summary(in->model);
	char		a[32],
				b[32];
	size_t		nq;

	workload_queries(in->model, &nq);
	report_format_ts(s->first_ts, a);
	report_format_ts(s->last_ts, b);
	report_text_heading(out, in->color, "pgsift %s — log analysis", PGSIFT_VERSION);
	fputc('\n', out);
	for (int i = 0; i < in->nfiles; i++)
	{
		const ingest_file *f = &in->files[i];

		if (!f->opened)
			continue;
		fprintf(out, "Input: %s (%s%s%s%s%s%s), %llu lines, %llu records\n", f->path, log_format_name(f->format),
				f->compression ? ", " : "", f->compression ? input_compression_name(f->compression) : "",
				f->prefix ? ", log_line_prefix '" : "", f->prefix ? f->prefix : "", f->prefix ? "'" : "",
				(unsigned long long) f->lines, (unsigned long long) f->records);
		if (f->fallback_lines)
			fprintf(out, "  %llu lines did not match the prefix, from line %llu: read from time, pid and "
					"severity alone, their user and database unknown\n",
					(unsigned long long) f->fallback_lines, (unsigned long long) f->fallback_first);
	}
	if (in->store_path)
		fprintf(out, "Store: %s\n", in->store_path);
	fprintf(out, "Period: %s .. %s\n", a[0] ? a : "?", b[0] ? b : "?");
	fprintf(out, "Statements: %llu timed (%s in total), %llu untimed, %zu fingerprints, %llu unparsable\n",
			(unsigned long long) s->statements, report_format_figure(s->total_duration_ms, "ms", a, sizeof(a)),
			(unsigned long long) s->untimed_statements, nq, (unsigned long long) s->parse_errors);
	if (s->malformed_lines)
		fprintf(out, "Malformed lines: %llu\n", (unsigned long long) s->malformed_lines);
	for (int i = 0; in->tally && i < in->tally->nsamples; i++)
		fprintf(out, "  %s:%llu: %s\n", in->tally->samples[i].file,
				(unsigned long long) in->tally->samples[i].line, in->tally->samples[i].reason);
	fputc('\n', out);
}

static void
write_profile(FILE *out, const report_input *in)
{
	size_t		nq;
	query_stats **qs = workload_queries(in->model, &nq);
	double		total = workload_get_summary(in->model)->total_duration_ms;
	size_t		limit = in->top > 0 && (size_t) in->top < nq ? (size_t) in->top : nq;
	strbuf		q;
	char		t[32],
				m[32],
				p[32],
				x[32],
				hex[17];

	strbuf_init(&q);
	report_text_heading(out, in->color, "Profile (top %zu of %zu by total time)", limit, nq);
	fprintf(out, "%4s  %-16s %10s %6s %-*s %8s %9s %9s %9s  %s\n", "Rank", "Fingerprint", "Total ms", "%",
			BAR_CELLS, "", "Calls", "Mean ms", "p95 ms", "Max ms", "Query");
	for (size_t i = 0; i < limit; i++)
	{
		const query_stats *s = qs[i];
		double		share = total > 0 ? s->total_ms / total : 0.0;

		fingerprint_hex(s->fingerprint, hex);
		report_one_line(s->normalized, QUERY_WIDTH, &q);
		fprintf(out, "%4zu  %-16s %10s %5.1f%% ", i + 1, hex, fmt_ms(s->total_ms, t, sizeof(t)), 100.0 * share);
		put_share_bar(out, share, in->color);
		fprintf(out, " %8llu %9s %9s %9s  %s%s\n", (unsigned long long) s->calls,
				fmt_ms(s->calls ? s->total_ms / (double) s->calls : NAN, m, sizeof(m)),
				fmt_ms(query_stats_quantile(s, 0.95), p, sizeof(p)),
				fmt_ms(s->calls ? s->max_ms : NAN, x, sizeof(x)), s->parsed ? "" : "[unparsed] ", q.data);
	}
	if (report_other_sentence(in->model, &q))
		fprintf(out, "  %s.\n", q.data);
	strbuf_free(&q);
	fputc('\n', out);
}

static void
write_sessions(FILE *out, const report_input *in)
{
	const session_figures *s = workload_sessions(in->model);
	uint64_t	n = sketch_count(s->duration);
	char		a[32],
				b[32],
				c[32];

	report_text_heading(out, in->color, "Sessions");
	fprintf(out, "  connections: %llu received, %llu authorized, %llu disconnections\n",
			(unsigned long long) s->received, (unsigned long long) s->authorized,
			(unsigned long long) s->disconnections);
	fprintf(out, "  refused: %llu too many clients, %llu reserved slots\n",
			(unsigned long long) s->refused_too_many, (unsigned long long) s->refused_reserved);
	fprintf(out, "  peak concurrent sessions: %lld\n", (long long) workload_peak_sessions(in->model));
	if (n)
		fprintf(out, "  session time: p50 %s, p95 %s, max %s (%llu sessions)\n",
				report_format_figure(sketch_quantile(s->duration, 0.5), "ms", a, sizeof(a)),
				report_format_figure(sketch_quantile(s->duration, 0.95), "ms", b, sizeof(b)),
				report_format_figure(sketch_quantile(s->duration, 1.0), "ms", c, sizeof(c)), (unsigned long long) n);
	if (n)
	{
		static const double bounds[] = {100, 1000, 10000, 60000, 600000, 3600000};
		static const char *const labels[] = {"<100ms", "<1s", "<10s", "<1min", "<10min", "<1h"};
		uint64_t	below = 0;

		fputs("  session time distribution:", out);
		for (int i = 0; i < 6; i++)
		{
			uint64_t	upto = sketch_count_at_most(s->duration, nextafter(bounds[i], 0));

			fprintf(out, " %s %llu,", labels[i], (unsigned long long) (upto - below));
			below = upto;
		}
		fprintf(out, " >=1h %llu\n", (unsigned long long) (n - below));
	}
	fputc('\n', out);
}

static void
write_events(FILE *out, const report_input *in)
{
	const event_figures *e = workload_events(in->model);
	char		a[32],
				b[32];
	strbuf		msg;

	strbuf_init(&msg);
	report_text_heading(out, in->color, "Errors by SQLSTATE");
	if (e->nsqlstates == 0)
		fputs("  none\n", out);
	for (int i = 0; i < e->nsqlstates; i++)
	{
		report_one_line(e->sqlstates[i].example ? e->sqlstates[i].example : "", QUERY_WIDTH, &msg);
		fprintf(out, "  %-5s %8llu  %s\n", e->sqlstates[i].sqlstate,
				(unsigned long long) e->sqlstates[i].count, msg.data);
	}
	strbuf_free(&msg);
	fputc('\n', out);
	report_text_heading(out, in->color, "Events");
	for (int k = 0; k < EV__COUNT; k++)
		if (e->by_kind[k])
			fprintf(out, "  %-22s %10llu\n", log_event_kind_name((log_event_kind) k),
					(unsigned long long) e->by_kind[k]);
	if (e->by_kind[EV_LOCK_WAIT] || e->by_kind[EV_LOCK_ACQUIRED])
		fprintf(out, "  lock waits: longest %s\n", report_format_figure(e->lock_wait_max_ms, "ms", a, sizeof(a)));
	if (e->by_kind[EV_TEMP_FILE])
		fprintf(out, "  temp files: %s in total, largest %s\n", fmt_bytes(e->temp_file_bytes, a, sizeof(a)),
				fmt_bytes(e->temp_file_max_bytes, b, sizeof(b)));
}

int
report_write_text(FILE *out, const report_input *in)
{
	write_overview(out, in);
	report_text_findings(out, in);
	report_text_live(out, in);
	write_profile(out, in);
	write_sessions(out, in);
	report_text_pooler(out, in->model, in->color);
	write_events(out, in);
	return ferror(out) ? -1 : 0;
}

int
report_format_from_name(const char *name)
{
	if (strcmp(name, "text") == 0)
		return REPORT_TEXT;
	if (strcmp(name, "json") == 0)
		return REPORT_JSON;
	if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
		return REPORT_MARKDOWN;
	if (strcmp(name, "html") == 0)
		return REPORT_HTML;
	return -1;
}

int
report_default_top(report_format fmt)
{
	return fmt == REPORT_JSON ? 0 : fmt == REPORT_HTML ? 50 : 20;
}

int
report_write(FILE *out, report_format fmt, const report_input *in)
{
	switch (fmt)
	{
		case REPORT_JSON:
			return report_write_json(out, in);
		case REPORT_MARKDOWN:
			return report_write_markdown(out, in);
		case REPORT_HTML:
			return report_write_html(out, in);
		case REPORT_TEXT:
			break;
	}
	return report_write_text(out, in);
}
