/*-------------------------------------------------------------------------
 * report_findings.c
 *    The findings part of the text report: the executive summary of the
 *    measured fixes, the bottlenecks by score, and the recommendations.
 *
 * The figures and the grouping come from src/report/report_summary.c, which the
 * JSON and Markdown reports use too; this file only lays them out, with
 * the severities and headings coloured for a terminal (in->color).
 *-------------------------------------------------------------------------
 */
#include "src/core/color.h"
#include "src/report/report_summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QUERY_WIDTH 72

/* "#3 missing-index" for a row's finding, "all" for the overall row. */
static void
row_label(const finding_list *l, const finding *f, char *buf, size_t size)
{
	if (f == NULL)
	{
		snprintf(buf, size, "all");
		return;
	}
	for (int i = 0; i < l->count; i++)
		if (l->items[i] == f)
		{
			snprintf(buf, size, "#%d %s", i + 1, f->rule);
			return;
		}
	snprintf(buf, size, "%s", f->rule);
}

static void
write_summary(FILE *out, const report_input *in, const report_summary *s)
{
	char		who[64],
				b[32],
				a[32],
				d[32];

	report_text_heading(out, in->color, "Executive summary (measured fixes)");
	if (s->nrows == 0)
	{
		fputs("  no fix was measured; run with --dsn to measure the fixes\n\n", out);
		return;
	}
	fprintf(out, "  %-22s %-44s %14s %14s %8s\n", "Finding", "Metric", "Before", "After", "Change");
	for (int i = 0; i < s->nrows; i++)
	{
		const summary_row *r = &s->rows[i];

		row_label(in->findings, r->finding, who, sizeof(who));
		report_format_change(r->before, r->after, d, sizeof(d));
		fprintf(out, "  %-22s %-44s %14s %14s %8s\n", who, r->metric,
				report_format_figure(r->before, r->unit, b, sizeof(b)),
				report_format_figure(r->after, r->unit, a, sizeof(a)), d);
	}
	fputc('\n', out);
}

/* The measured (or estimated) before/after, and one line per plan. */
static void
write_measurement(FILE *out, const finding_measurement *m)
{
	char		a[32],
				b[32];
	char	   *before = report_plan_line(m->before_plan);
	char	   *after = report_plan_line(m->after_plan);

	if (m->method != MEASURE_NONE && isfinite(m->before_ms) && isfinite(m->after_ms))
		fprintf(out, "     %s: %s -> %s\n", measurement_method_name(m->method),
				report_format_figure(m->before_ms, "ms", b, sizeof(b)),
				report_format_figure(m->after_ms, "ms", a, sizeof(a)));
	else if (m->method != MEASURE_NONE && isfinite(m->before_cost) && isfinite(m->after_cost))
		fprintf(out, "     %s: cost %.0f -> %.0f\n", measurement_method_name(m->method), m->before_cost,
				m->after_cost);
	if (before && *before)
		fprintf(out, "       plan before: %s\n", before);
	if (after && *after)
		fprintf(out, "       plan after:  %s\n", after);
	free(before);
	free(after);
}

void
report_put_clean(FILE *out, const char *text, const char *indent)
{
	for (const unsigned char *p = (const unsigned char *) (text ? text : ""); *p; p++)
	{
		if (*p == '\n')
		{
			fputc('\n', out);
			fputs(indent, out);
		}
		else if (*p < 0x20 || *p == 0x7f)
			fputc(*p == '\t' ? ' ' : '?', out);
		else
			fputc(*p, out);
	}
}

/* text continued under the findings' indent (report_put_clean). */
static void
put_clean(FILE *out, const char *text)
{
	report_put_clean(out, text, "       ");
}

/* "     label: text" (put_clean's text). */
static void
write_block(FILE *out, const char *label, const char *text)
{
	fprintf(out, "     %s%s", label ? label : "", label ? ": " : "");
	put_clean(out, text);
	fputc('\n', out);
}

static void
write_list(FILE *out, const char *label, char **items, int n)
{
	if (n == 0)
		return;
	fprintf(out, "     %s:", label);
	for (int i = 0; i < n; i++)
		fprintf(out, "%s %s", i ? "," : "", items[i]);
	fputc('\n', out);
}

/* The colour of a severity: critical and high red, medium yellow, low cyan, info dim. */
static color_role
severity_role(finding_severity s)
{
	switch (s)
	{
		case FINDING_CRITICAL:
			return COLOR_CRITICAL;
		case FINDING_HIGH:
			return COLOR_HIGH;
		case FINDING_MEDIUM:
			return COLOR_MEDIUM;
		case FINDING_LOW:
			return COLOR_LOW;
		case FINDING_INFO:
			break;
	}
	return COLOR_INFO;
}

static void
write_bottleneck(FILE *out, int rank, const finding *f, strbuf *q, int color)
{
	fprintf(out, "%3d. [%s%s%s] %s: ", rank, color_start(color, severity_role(f->severity)),
			finding_severity_name(f->severity), color_end(color), f->rule);
	put_clean(out, f->title ? f->title : "");
	fputc('\n', out);
	fprintf(out, "     id: %s\n", f->id ? f->id : "-");
	write_list(out, "found by", f->rules, f->nrules);
	if (isfinite(f->score) && f->score > 0)
		fprintf(out, "     score: %.1f ms saved per hour\n", f->score);
	if (f->detail)
		write_block(out, NULL, f->detail);
	write_list(out, "fingerprints", f->fingerprints, f->nfingerprints);
	if (f->query)
	{
		report_one_line(f->query, QUERY_WIDTH, q);
		fprintf(out, "     query: %s\n", q->data);
	}
	if (f->hint)
		write_block(out, "hint", f->hint);
	if (f->fix_sql)
		write_block(out, "fix", f->fix_sql);
	if (f->fix_description && f->fix_sql)
	{
		/* under the SQL it describes */
		fputs("          ", out);
		put_clean(out, f->fix_description);
		fputc('\n', out);
	}
	else if (f->fix_description)
		write_block(out, "fix", f->fix_description);
	write_measurement(out, &f->measurement);
	write_list(out, "related", f->related, f->nrelated);
}

static void
write_bottlenecks(FILE *out, const finding_list *l, int color)
{
	strbuf		q;

	strbuf_init(&q);
	report_text_heading(out, color, "Bottlenecks (%d findings, by time saved)", l->count);
	if (l->count == 0)
		fputs("  none\n", out);
	for (int i = 0; i < l->count; i++)
		write_bottleneck(out, i + 1, l->items[i], &q, color);
	strbuf_free(&q);
	fputc('\n', out);
}

static void
write_recommendations(FILE *out, const report_recommendations *r, int color)
{
	char		immediate[96];
	const char *why[REC__COUNT] = {immediate, "application and reviewed changes",
	"architecture and configuration"};

	snprintf(immediate, sizeof(immediate), "ready SQL of low risk, saving at least %g%% of database time",
			 100 * REPORT_IMMEDIATE_SHARE);

	report_text_heading(out, color, "Recommendations");
	for (int h = 0; h < REC__COUNT; h++)
	{
		fprintf(out, "  %s (%s): %d\n", recommendation_horizon_title((recommendation_horizon) h), why[h],
				r->count[h]);
		for (int i = 0; i < r->count[h]; i++)
		{
			fprintf(out, "    - %s: ", r->items[h][i]->id ? r->items[h][i]->id : r->items[h][i]->rule);
			put_clean(out, r->items[h][i]->title ? r->items[h][i]->title : "");
			fputc('\n', out);
		}
	}
	fputc('\n', out);
}

void
report_text_findings(FILE *out, const report_input *in)
{
	report_summary s;
	report_recommendations r;

	if (in->findings == NULL)
		return;
	report_summary_build(in, &s);
	report_recommendations_build(in, &s, &r);
	write_summary(out, in, &s);
	write_bottlenecks(out, in->findings, in->color);
	write_recommendations(out, &r, in->color);
	report_recommendations_free(&r);
	report_summary_free(&s);
}
