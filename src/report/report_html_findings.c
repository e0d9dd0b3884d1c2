/*-------------------------------------------------------------------------
 * report_html_findings.c
 *    The executive summary and the findings of the HTML report.
 *
 * The summary's rows and the recommendations are report_summary.c's, as
 * in the text, JSON and Markdown reports, so the formats cannot disagree;
 * the findings come in the ranking of the JSON report, one <article> each
 * (id "f-" and the finding's id), so their number in the page is the
 * length of the JSON report's "findings".  A finding's queries link to
 * their rows of the query table, its related findings to their articles;
 * its fix is copy-ready SQL, and a measured fix shows the plans before
 * and after as trees (html_plan.c).
 *-------------------------------------------------------------------------
 */
#include "src/report/html_escape.h"
#include "src/report/html_plan.h"
#include "src/report/report_html.h"

#include <math.h>

/* A summary figure in its unit, escaped. */
static void
put_figure(strbuf *out, double v, const char *unit)
{
	char		buf[48];

	html_escape(out, report_format_figure(v, unit, buf, sizeof(buf)));
}

static void
summary_table(strbuf *out, const html_report *r)
{
	const report_summary *s = &r->summary;
	char		d[32];

	strbuf_puts(out, "<div class=\"scroll\"><table class=\"data\"><thead><tr><th>finding</th><th>metric</th>"
				"<th class=\"num\">before</th><th class=\"num\">after</th><th class=\"num\">change</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < s->nrows; i++)
	{
		const summary_row *row = &s->rows[i];

		strbuf_puts(out, "<tr><td>");
		if (row->finding)
			html_finding_ref(out, r, row->finding);
		else
			strbuf_puts(out, "all measured fixes");
		strbuf_puts(out, "</td><td>");
		html_escape(out, row->metric);
		strbuf_puts(out, "</td><td class=\"num\">");
		put_figure(out, row->before, row->unit);
		strbuf_puts(out, "</td><td class=\"num\">");
		put_figure(out, row->after, row->unit);
		report_format_change(row->before, row->after, d, sizeof(d));
		strbuf_printf(out, "</td><td class=\"num\">%s</td></tr>\n", d[0] ? d : "-");
	}
	strbuf_puts(out, "</tbody></table></div>\n");
}

static void
recommendations(strbuf *out, const html_report *r)
{
	report_recommendations rec;

	report_recommendations_build(r->in, &r->summary, &rec);
	strbuf_puts(out, "<h3>Recommendations</h3>\n<div class=\"facts\">\n");
	for (int h = 0; h < REC__COUNT; h++)
	{
		strbuf_printf(out, "<dt>%s</dt><dd>", recommendation_horizon_title((recommendation_horizon) h));
		if (rec.count[h] == 0)
			strbuf_puts(out, "none");
		for (int i = 0; i < rec.count[h]; i++)
		{
			if (i)
				strbuf_puts(out, "; ");
			html_finding_ref(out, r, rec.items[h][i]);
		}
		strbuf_puts(out, "</dd>\n");
	}
	strbuf_puts(out, "</div>\n");
	report_recommendations_free(&rec);
}

void
html_section_summary(strbuf *out, const html_report *r)
{
	html_open_section(out, "summary", "Executive summary");
	if (r->in->findings == NULL)
		strbuf_puts(out, "<p>No rule ran.</p>\n");
	else if (r->summary.nrows == 0)
		strbuf_puts(out, "<p>No fix was measured and no finding carries before and after figures: run with "
					"<code>--dsn</code> to measure the fixes on a database.</p>\n");
	else
		summary_table(out, r);
	if (r->in->findings && r->in->findings->count > 0)
		recommendations(out, r);
	html_close_section(out);
}

/* "time at stake": the score and its share of the workload's statement time per hour. */
static void
time_at_stake(strbuf *out, const html_report *r, const finding *f)
{
	if (!isfinite(f->score) || f->score <= 0)
		return;
	strbuf_puts(out, "<dt>time at stake</dt><dd>");
	put_figure(out, f->score, "ms/h");
	if (isfinite(r->summary.db_ms_per_hour) && r->summary.db_ms_per_hour > 0)
	{
		strbuf_puts(out, ", ");
		html_percent(out, f->score, r->summary.db_ms_per_hour);
		strbuf_puts(out, " of the workload's statement time per hour");
	}
	strbuf_puts(out, "</dd>\n");
}

/* "dt" and the items of a list of names, each escaped in <code>. */
static void
code_list(strbuf *out, const char *label, char **items, int n)
{
	if (n == 0)
		return;
	strbuf_printf(out, "<dt>%s</dt><dd>", label);
	for (int i = 0; i < n; i++)
	{
		strbuf_puts(out, i ? ", <code>" : "<code>");
		html_escape(out, items[i]);
		strbuf_puts(out, "</code>");
	}
	strbuf_puts(out, "</dd>\n");
}

static void
facts(strbuf *out, const html_report *r, const finding *f)
{
	int			nrel = 0;

	strbuf_puts(out, "<dl class=\"facts\">\n<dt>rule</dt><dd><code>");
	html_escape(out, f->rule);
	strbuf_puts(out, "</code></dd>\n");
	if (f->nrules > 1)
		code_list(out, "found by", f->rules, f->nrules);
	time_at_stake(out, r, f);
	code_list(out, "tables", f->tables, f->ntables);
	if (f->nfingerprints > 0)
	{
		strbuf_puts(out, "<dt>queries</dt><dd>");
		for (int i = 0; i < f->nfingerprints; i++)
		{
			if (i)
				strbuf_puts(out, ", ");
			html_query_ref(out, r, f->fingerprints[i]);
		}
		strbuf_puts(out, "</dd>\n");
	}
	for (int i = 0; i < f->nrelated; i++)
	{
		const finding *o = html_finding_by_id(r, f->related[i]);

		if (o == NULL)
			continue;
		strbuf_puts(out, nrel++ ? "; " : "<dt>related</dt><dd>");
		html_finding_ref(out, r, o);
	}
	if (nrel)
		strbuf_puts(out, "</dd>\n");
	strbuf_puts(out, "<dt>id</dt><dd><code>");
	html_escape(out, f->id);
	strbuf_puts(out, "</code></dd>\n</dl>\n");
}

static void
measurement(strbuf *out, const html_report *r, const finding *f)
{
	const finding_measurement *m = &f->measurement;

	int			times = isfinite(m->before_ms) && isfinite(m->after_ms);
	int			costs = isfinite(m->before_cost) && isfinite(m->after_cost);

	if (m->method == MEASURE_NONE || (!times && !costs && m->before_plan == NULL && m->after_plan == NULL))
		return;
	strbuf_printf(out, "<h4>Measurement</h4>\n<p>%s: ", measurement_method_name(m->method));
	if (times)
	{
		put_figure(out, m->before_ms, "ms");
		strbuf_puts(out, " before, ");
		put_figure(out, m->after_ms, "ms");
		strbuf_puts(out, " after");
		if (isfinite(m->speedup) && m->speedup > 0)
			strbuf_printf(out, " (%.1f&times; faster)", m->speedup);
	}
	else if (costs)
		strbuf_printf(out, "planner cost %.0f before, %.0f after", m->before_cost, m->after_cost);
	else
		strbuf_puts(out, "plans only");
	strbuf_puts(out, "</p>\n");
	if (!r->plans || (m->before_plan == NULL && m->after_plan == NULL))
		return;
	strbuf_puts(out, "<div class=\"plans\">\n");
	if (m->before_plan)
	{
		strbuf_puts(out, "<figure><figcaption>Plan before</figcaption>\n");
		html_plan_write(out, m->before_plan, 1);
		strbuf_puts(out, "</figure>\n");
	}
	if (m->after_plan)
	{
		strbuf_puts(out, "<figure><figcaption>Plan after</figcaption>\n");
		html_plan_write(out, m->after_plan, 1);
		strbuf_puts(out, "</figure>\n");
	}
	strbuf_puts(out, "</div>\n");
}

static void
metrics(strbuf *out, const finding *f)
{
	char		d[32];

	if (f->nmetrics == 0)
		return;
	strbuf_puts(out, "<h4>Figures</h4>\n<table class=\"data\"><thead><tr><th>metric</th><th class=\"num\">before</th>"
				"<th class=\"num\">after</th><th class=\"num\">change</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < f->nmetrics; i++)
	{
		const finding_metric *m = &f->metrics[i];

		strbuf_puts(out, "<tr><td>");
		html_escape(out, m->name);
		strbuf_puts(out, "</td><td class=\"num\">");
		put_figure(out, m->before, m->unit ? m->unit : "");
		strbuf_puts(out, "</td><td class=\"num\">");
		put_figure(out, m->after, m->unit ? m->unit : "");
		report_format_change(m->before, m->after, d, sizeof(d));
		strbuf_printf(out, "</td><td class=\"num\">%s</td></tr>\n", d[0] ? d : "-");
	}
	strbuf_puts(out, "</tbody></table>\n");
}

static void
finding_article(strbuf *out, const html_report *r, int rank, const finding *f)
{
	const char *sev = finding_severity_name(f->severity);

	strbuf_puts(out, "<article class=\"finding sev-");
	html_escape(out, sev);
	strbuf_puts(out, "\" id=\"f-");
	html_escape(out, f->id);
	strbuf_printf(out, "\">\n<h3><span class=\"rank\">#%d</span> <span class=\"badge\">", rank);
	html_escape(out, sev);
	strbuf_puts(out, "</span> ");
	html_escape(out, f->title);
	strbuf_puts(out, "</h3>\n");
	facts(out, r, f);
	if (f->detail)
	{
		strbuf_puts(out, "<p class=\"evidence\">");
		html_escape(out, f->detail);
		strbuf_puts(out, "</p>\n");
	}
	if (f->hint)
	{
		strbuf_puts(out, "<p class=\"hint\">");
		html_escape(out, f->hint);
		strbuf_puts(out, "</p>\n");
	}
	if (f->query)
	{
		strbuf_puts(out, "<details><summary>Query</summary><pre><code class=\"sql\">");
		html_escape(out, f->query);
		strbuf_puts(out, "</code></pre></details>\n");
	}
	if (f->fix_sql || f->fix_description)
	{
		strbuf_puts(out, "<h4>Fix</h4>\n");
		if (f->fix_description)
		{
			strbuf_puts(out, "<p>");
			html_escape(out, f->fix_description);
			strbuf_puts(out, "</p>\n");
		}
		if (f->fix_sql)
			html_copyable_sql(out, f->fix_sql);
	}
	measurement(out, r, f);
	metrics(out, f);
	strbuf_puts(out, "</article>\n");
}

void
html_section_findings(strbuf *out, const html_report *r)
{
	const finding_list *l = r->in->findings;

	html_open_section(out, "findings", "Findings");
	if (l == NULL)
		strbuf_puts(out, "<p>No rule ran.</p>\n");
	else if (l->count == 0)
		strbuf_puts(out, "<p>No finding.</p>\n");
	else
		strbuf_printf(out, "<p class=\"note\">%d findings, ranked by the time their fix would save.</p>\n", l->count);
	for (int i = 0; l && i < l->count; i++)
		finding_article(out, r, i + 1, l->items[i]);
	html_close_section(out);
}
