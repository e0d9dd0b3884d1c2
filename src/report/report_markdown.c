/*-------------------------------------------------------------------------
 * report_markdown.c
 *    The report as Markdown, for pull-request comments: the executive
 *    summary, the bottlenecks by score, the recommendations, the top
 *    queries, and the pooler's figures when a pgBouncer log was read.
 *
 * Log text is attacker-controlled (a client chooses its query text and
 * application_name; table names come from the database).  Every string
 * that is not pgsift's own goes through md_escape, which makes it one
 * line of plain text (Markdown metacharacters backslash-escaped, '<', '>'
 * and '&' as entities, so no raw HTML passes), or into a fenced code
 * block whose fence is longer than any run of backticks inside it, so the
 * text cannot close it.  Rule ids and finding ids are pgsift's own
 * (kebab-case and hex digits) and go in code spans as they are.  The figures and the grouping come from
 * src/report/report_summary.c, shared with the text and JSON reports.
 *-------------------------------------------------------------------------
 */
#include "src/lib/strbuf.h"
#include "src/report/markdown_text.h"
#include "src/report/report.h"
#include "src/report/report_pooler.h"
#include "src/report/report_summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MD_QUERY_WIDTH 120

/* md_escape of s into a reused buffer; valid until the next call with sb. */
static const char *
esc(strbuf *sb, const char *s)
{
	strbuf_reset(sb);
	md_escape(sb, s);
	return sb->data;
}

/* s verbatim in a fenced code block that nothing in s can close. */
static void
write_fenced(FILE *out, const char *info, const char *s)
{
	strbuf		sb;

	strbuf_init(&sb);
	md_fenced(&sb, info, s);
	fputs(sb.data, out);
	strbuf_free(&sb);
}

static int
rank_of(const finding_list *l, const finding *f)
{
	for (int i = 0; i < l->count; i++)
		if (l->items[i] == f)
			return i + 1;
	return 0;
}

static void
write_summary(FILE *out, const report_input *in, const report_summary *s)
{
	strbuf		sb;
	char		b[32],
				a[32],
				d[32];

	fputs("## Executive summary\n\n", out);
	if (s->nrows == 0)
	{
		fputs("No fix was measured; run with `--dsn` to measure the fixes.\n\n", out);
		return;
	}
	strbuf_init(&sb);
	fputs("| finding | metric | before | after | Δ |\n|---|---|---|---|---|\n", out);
	for (int i = 0; i < s->nrows; i++)
	{
		const summary_row *r = &s->rows[i];

		report_format_change(r->before, r->after, d, sizeof(d));
		if (r->finding)
			fprintf(out, "| #%d `%s` ", rank_of(in->findings, r->finding), r->finding->rule);
		else
			fputs("| all measured fixes ", out);
		fprintf(out, "| %s ", esc(&sb, r->metric));
		/* a rule names the unit: escaped like any text that is not pgsift's */
		fprintf(out, "| %s ", esc(&sb, report_format_figure(r->before, r->unit, b, sizeof(b))));
		fprintf(out, "| %s ", esc(&sb, report_format_figure(r->after, r->unit, a, sizeof(a))));
		fprintf(out, "| %s |\n", esc(&sb, d));
	}
	fputc('\n', out);
	strbuf_free(&sb);
}

/* "- **label:** a, b" with every item escaped; nothing when n is 0. */
static void
write_item_list(FILE *out, strbuf *sb, const char *label, char **items, int n)
{
	if (n == 0)
		return;
	fprintf(out, "- **%s:** ", label);
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", esc(sb, items[i]));
	fputc('\n', out);
}

static void
write_measurement(FILE *out, strbuf *sb, const finding_measurement *m)
{
	char		a[32],
				b[32];
	char	   *before = report_plan_line(m->before_plan);
	char	   *after = report_plan_line(m->after_plan);

	if (m->method != MEASURE_NONE && isfinite(m->before_ms) && isfinite(m->after_ms))
		fprintf(out, "- **%s:** %s → %s\n", measurement_method_name(m->method),
				report_format_figure(m->before_ms, "ms", b, sizeof(b)),
				report_format_figure(m->after_ms, "ms", a, sizeof(a)));
	else if (m->method != MEASURE_NONE && isfinite(m->before_cost) && isfinite(m->after_cost))
		fprintf(out, "- **%s:** cost %.0f → %.0f\n", measurement_method_name(m->method), m->before_cost,
				m->after_cost);
	if (before && *before)
		fprintf(out, "- **plan before:** %s\n", esc(sb, before));
	if (after && *after)
		fprintf(out, "- **plan after:** %s\n", esc(sb, after));
	free(before);
	free(after);
}

static void
write_bottleneck(FILE *out, strbuf *sb, int rank, const finding *f)
{
	fprintf(out, "### %d\\. [%s] ", rank, finding_severity_name(f->severity));
	fprintf(out, "%s\n\n", esc(sb, f->title));
	fprintf(out, "- **rule:** `%s`\n", f->rule);
	fprintf(out, "- **id:** `%s`\n", f->id ? f->id : "");
	write_item_list(out, sb, "found by", f->rules, f->nrules);
	if (isfinite(f->score) && f->score > 0)
		fprintf(out, "- **score:** %.1f ms saved per hour\n", f->score);
	if (f->detail)
		fprintf(out, "- **evidence:** %s\n", esc(sb, f->detail));
	write_item_list(out, sb, "fingerprints", f->fingerprints, f->nfingerprints);
	write_item_list(out, sb, "tables", f->tables, f->ntables);
	if (f->hint)
		fprintf(out, "- **hint:** %s\n", esc(sb, f->hint));
	write_measurement(out, sb, &f->measurement);
	write_item_list(out, sb, "related", f->related, f->nrelated);
	fputc('\n', out);
	if (f->query)
	{
		fputs("Query:\n\n", out);
		write_fenced(out, "sql", f->query);
	}
	if (f->fix_sql || f->fix_description)
		fprintf(out, "Fix: %s\n\n", esc(sb, f->fix_description ? f->fix_description : ""));
	if (f->fix_sql)
		write_fenced(out, "sql", f->fix_sql);
}

static void
write_bottlenecks(FILE *out, const finding_list *l)
{
	strbuf		sb;

	strbuf_init(&sb);
	fprintf(out, "## Bottlenecks (%d, by time saved)\n\n", l->count);
	if (l->count == 0)
		fputs("None.\n\n", out);
	for (int i = 0; i < l->count; i++)
		write_bottleneck(out, &sb, i + 1, l->items[i]);
	strbuf_free(&sb);
}

static void
write_recommendations(FILE *out, const finding_list *l, const report_recommendations *r)
{
	strbuf		sb;

	strbuf_init(&sb);
	fputs("## Recommendations\n\n", out);
	for (int h = 0; h < REC__COUNT; h++)
	{
		fprintf(out, "### %s\n\n", recommendation_horizon_title((recommendation_horizon) h));
		if (r->count[h] == 0)
			fputs("None.\n", out);
		for (int i = 0; i < r->count[h]; i++)
		{
			fprintf(out, "- %d\\. ", rank_of(l, r->items[h][i]));
			fprintf(out, "`%s`: ", r->items[h][i]->rule);
			fprintf(out, "%s\n", esc(&sb, r->items[h][i]->title));
		}
		fputc('\n', out);
	}
	strbuf_free(&sb);
}

static void
write_queries(FILE *out, const report_input *in)
{
	size_t		nq;
	query_stats **qs = workload_queries(in->model, &nq);
	size_t		limit = in->top > 0 && (size_t) in->top < nq ? (size_t) in->top : nq;
	strbuf		line,
				sb;
	char		hex[17],
				t[32],
				p[32];

	fprintf(out, "## Top queries (%zu of %zu by total time)\n\n", limit, nq);
	if (limit == 0)
	{
		fputs("None.\n\n", out);
		return;
	}
	strbuf_init(&line);
	strbuf_init(&sb);
	fputs("| # | fingerprint | calls | total | p95 | query |\n|---|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < limit; i++)
	{
		fingerprint_hex(qs[i]->fingerprint, hex);
		report_one_line(qs[i]->normalized ? qs[i]->normalized : "", MD_QUERY_WIDTH, &line);
		fprintf(out, "| %zu | %s | %llu ", i + 1, hex, (unsigned long long) qs[i]->calls);
		fprintf(out, "| %s ", report_format_figure(qs[i]->total_ms, "ms", t, sizeof(t)));
		fprintf(out, "| %s ", report_format_figure(query_stats_quantile(qs[i], 0.95), "ms", p, sizeof(p)));
		fprintf(out, "| %s |\n", esc(&sb, line.data));
	}
	fputc('\n', out);
	if (report_other_sentence(in->model, &line))
		fprintf(out, "%s.\n\n", esc(&sb, line.data));
	strbuf_free(&sb);
	strbuf_free(&line);
}

/* What the side-effect screen kept from running, and how pg_stat_statements was spared. */
static void
write_live(FILE *out, const report_input *in)
{
	json_t	   *sandbox = json_object_get(in->live, "sandbox");
	json_t	   *list = json_object_get(sandbox, "not_executed");
	const char *note = json_string_value(json_object_get(json_object_get(sandbox, "pg_stat_statements"), "note"));
	strbuf		sb,
				line;
	size_t		i;
	json_t	   *e;

	if (in->live == NULL)
		return;
	strbuf_init(&sb);
	strbuf_init(&line);
	fputs("## Live database\n\n", out);
	if (note)
		fprintf(out, "%s\n\n", esc(&sb, note));
	if (json_array_size(list) > 0)
	{
		fputs("Explained, not executed (the side-effect screen, docs/safety.md):\n\n"
			  "| Statement | Why |\n|---|---|\n", out);
		json_array_foreach(list, i, e)
		{
			report_one_line(json_string_value(json_object_get(e, "query")), MD_QUERY_WIDTH, &line);
			fprintf(out, "| %s ", esc(&sb, line.data));
			fprintf(out, "| %s: explained, not executed |\n", esc(&sb, json_string_value(json_object_get(e, "reason"))));
		}
		fputc('\n', out);
	}
	strbuf_free(&sb);
	strbuf_free(&line);
}

int
report_write_markdown(FILE *out, const report_input *in)
{
	const workload_summary *s = workload_get_summary(in->model);
	char		total[32];

	fputs("# pgsift report\n\n", out);
	fprintf(out, "%llu statements, %s in total", (unsigned long long) s->statements,
			report_format_figure(s->total_duration_ms, "ms", total, sizeof(total)));
	if (in->findings)
		fprintf(out, "; %d findings", in->findings->count);
	fputs(".\n\n", out);
	if (in->findings)
	{
		report_summary sum;
		report_recommendations rec;

		report_summary_build(in, &sum);
		report_recommendations_build(in, &sum, &rec);
		write_summary(out, in, &sum);
		write_bottlenecks(out, in->findings);
		write_recommendations(out, in->findings, &rec);
		report_recommendations_free(&rec);
		report_summary_free(&sum);
	}
	write_live(out, in);
	write_queries(out, in);
	report_markdown_pooler(out, in->model);
	return ferror(out) ? -1 : 0;
}
