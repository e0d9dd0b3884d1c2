/*-------------------------------------------------------------------------
 * report_summary.c
 *    The executive summary and the recommendations, shared by the text,
 *    JSON and Markdown reports.
 *
 * Executive summary.  For each measured fix (measurement method measured
 * or hypothetical), in ranking order:
 *   - the p95 of every query it names that the log has timings for, before
 *     and after; "after" scales the log's p95 by the measured ratio
 *     after_ms / before_ms (or, for a HypoPG what-if, after_cost /
 *     before_cost).  The ratio is measured on the finding's query and
 *     assumed for the other queries it names;
 *     (not for the rules whose fix changes how often a query runs rather
 *     than how fast, rule.fix_cuts_calls: n-plus-one, unbatched-insert,
 *     cacheable-query);
 *   - the database time per hour: the log's total statement time over its
 *     span, and that minus the finding's score;
 * then one row of the database time per hour with every measured fix,
 * and for any finding the named metrics its rule attached (e.g.
 * statements per request of an N+1: children per parent + 1, and 2 once
 * batched).  Two fixes often speed up the same query (an index and the
 * batching of an N+1 on it), so the all-fixes row does not sum scores: a
 * finding's saving is spread over the queries it names in proportion to
 * their time, and on each query the fixes compound (what one leaves, the
 * next cuts by its share), so the total never exceeds the queries' time.
 * Savings on no timed query of the log (connection set-up) are left out
 * of that row: they are not statement time.
 *
 * Recommendations.  Each rule's descriptor says what kind of change its
 * fix asks for (rule.horizon): application changes (N+1 batching,
 * caching, batched inserts, pagination) go under "next", architecture
 * (pooling, pool sizing, statistics, server settings, key widths) under
 * "long term".  Every other finding is a database fix: "immediate" when
 * its fix is ready SQL of low risk (CREATE INDEX / REINDEX CONCURRENTLY,
 * SET, RESET, ANALYZE, VACUUM without FULL) and it saves at least
 * REPORT_IMMEDIATE_SHARE of the database time per hour (any saving when
 * that time is unknown); else "next".
 *-------------------------------------------------------------------------
 */
#include "src/report/report_summary.h"
#include "rules/rule.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/sql/plan.h"
#include "src/sql/sql_tree.h"

#include <math.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/* Whether f's fix makes its queries run less often rather than faster (its rule says). */
static int
fix_cuts_calls(const finding *f)
{
	const rule *r = rule_find(f->rule);

	return r && r->fix_cuts_calls;
}

static void
add_row(report_summary *s, const finding *f, const char *metric, double before, double after,
		const char *unit)
{
	summary_row *r;

	s->rows = xrealloc(s->rows, (size_t) (s->nrows + 1) * sizeof(summary_row));
	r = &s->rows[s->nrows++];
	r->finding = f;
	r->metric = xstrdup(metric);
	r->before = before;
	r->after = after;
	r->unit = unit;
}

/* after / before of a measurement: measured times, else planner costs. */
static double
measured_ratio(const finding_measurement *m)
{
	if (isfinite(m->before_ms) && isfinite(m->after_ms) && m->before_ms > 0)
		return m->after_ms / m->before_ms;
	if (isfinite(m->before_cost) && isfinite(m->after_cost) && m->before_cost > 0)
		return m->after_cost / m->before_cost;
	return NAN;
}

/* The position in qs of the fingerprint in hex, or nq when absent. */
static size_t
query_index(query_stats **qs, size_t nq, const char *hex)
{
	char	   *end;
	uint64_t	fp = strtoull(hex, &end, 16);
	size_t		i = 0;

	if (*end != '\0')
		return nq;
	while (i < nq && qs[i]->fingerprint != fp)
		i++;
	return i;
}

/* The log's statistics of the fingerprint in hex, or NULL. */
static const query_stats *
stats_of(query_stats **qs, size_t nq, const char *hex)
{
	size_t		i = query_index(qs, nq, hex);

	return i < nq ? qs[i] : NULL;
}

static void
add_measured_rows(report_summary *s, workload *w, const finding *f)
{
	size_t		nq;
	query_stats **qs = workload_queries(w, &nq);
	double		ratio = measured_ratio(&f->measurement);
	strbuf		name;
	int			timed = 0;

	strbuf_init(&name);
	for (int i = 0; i < f->nfingerprints && !fix_cuts_calls(f); i++)
	{
		const query_stats *q = stats_of(qs, nq, f->fingerprints[i]);

		if (q == NULL || q->calls == 0)
			continue;
		strbuf_reset(&name);
		strbuf_printf(&name, "p95 of %s", f->fingerprints[i]);
		add_row(s, f, name.data, query_stats_quantile(q, 0.95),
				query_stats_quantile(q, 0.95) * ratio, "ms");
	}
	strbuf_free(&name);
	/* a saving on no timed query (connection set-up) is not statement time */
	for (int i = 0; i < f->nfingerprints && !timed; i++)
		timed = stats_of(qs, nq, f->fingerprints[i]) != NULL;
	if (timed && isfinite(s->db_ms_per_hour) && isfinite(f->score))
		add_row(s, f, "database time per hour", s->db_ms_per_hour,
				fmax(0, s->db_ms_per_hour - fmax(0, f->score)), "ms/h");
}

static void
add_metric_rows(report_summary *s, const finding *f)
{
	strbuf		name;

	strbuf_init(&name);
	for (int i = 0; i < f->nmetrics; i++)
	{
		strbuf_reset(&name);
		for (const char *p = f->metrics[i].name; *p; p++)
			strbuf_putc(&name, *p == '_' ? ' ' : *p);
		add_row(s, f, name.data, f->metrics[i].before, f->metrics[i].after,
				f->metrics[i].unit ? f->metrics[i].unit : "");
	}
	strbuf_free(&name);
}

static int
is_measured(const finding *f)
{
	return f->measurement.method == MEASURE_MEASURED || f->measurement.method == MEASURE_HYPOTHETICAL;
}

/*
 * The statement time per hour that every measured fix of l together saves,
 * compounding on each query (see the file comment); *counted gets how many
 * findings contributed.
 */
static double
compounded_saving(const finding_list *l, workload *w, double hours, int *counted)
{
	size_t		nq;
	query_stats **qs = workload_queries(w, &nq);
	double	   *left = xcalloc(nq + 1, sizeof(double));	/* share of each query's time left */
	double		saved = 0;

	*counted = 0;
	for (size_t k = 0; k < nq; k++)
		left[k] = 1;
	for (int i = 0; l && i < l->count; i++)
	{
		const finding *f = l->items[i];
		double		named = 0;

		if (!is_measured(f) || !isfinite(f->score) || f->score <= 0)
			continue;
		for (int j = 0; j < f->nfingerprints; j++)
		{
			size_t		k = query_index(qs, nq, f->fingerprints[j]);

			named += k < nq ? qs[k]->total_ms / hours : 0;
		}
		if (named <= 0)
			continue;
		(*counted)++;
		for (int j = 0; j < f->nfingerprints; j++)
		{
			size_t		k = query_index(qs, nq, f->fingerprints[j]);

			if (k < nq)
				left[k] *= 1 - fmin(1, f->score / named);
		}
	}
	for (size_t k = 0; k < nq; k++)
		saved += qs[k]->total_ms / hours * (1 - left[k]);
	free(left);
	return saved;
}

/*
 * Fill out from in (see the file comment); out owns its rows' metric
 * names, borrows the findings.  With no findings there are no rows.
 */
void
report_summary_build(const report_input *in, report_summary *out)
{
	const finding_list *l = in->findings;
	double		hours = workload_span_hours(in->model);
	double		saved = 0;
	int			measured = 0;

	memset(out, 0, sizeof(*out));
	out->db_ms_per_hour = hours > 0 ? workload_get_summary(in->model)->total_duration_ms / hours : NAN;
	if (hours > 0)
		saved = compounded_saving(l, in->model, hours, &measured);
	if (measured > 0 && isfinite(out->db_ms_per_hour))
		add_row(out, NULL, "database time per hour, all measured fixes", out->db_ms_per_hour,
				fmax(0, out->db_ms_per_hour - saved), "ms/h");
	for (int i = 0; l && i < l->count; i++)
	{
		if (is_measured(l->items[i]))
			add_measured_rows(out, in->model, l->items[i]);
		add_metric_rows(out, l->items[i]);
	}
}

void
report_summary_free(report_summary *s)
{
	for (int i = 0; i < s->nrows; i++)
		free(s->rows[i].metric);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

void
report_format_change(double before, double after, char *buf, size_t size)
{
	if (!isfinite(before) || !isfinite(after) || before == 0)
		snprintf(buf, size, "%s", "");
	else
		snprintf(buf, size, "%+.1f%%", 100.0 * (after - before) / before);
}

/* Whether one parsed statement is a fix that takes no lock that blocks writes. */
static int
low_risk_statement(json_t *stmt)
{
	json_t	   *n;
	size_t		i;
	json_t	   *opt;

	if ((n = json_object_get(stmt, "IndexStmt")) != NULL)
		return json_is_true(json_object_get(n, "concurrent"));
	if (json_object_get(stmt, "VariableSetStmt") != NULL)
		return 1;
	if ((n = json_object_get(stmt, "VacuumStmt")) != NULL)
	{
		json_array_foreach(json_object_get(n, "options"), i, opt)
		{
			const char *name = json_string_value(json_object_get(json_object_get(opt, "DefElem"), "defname"));

			if (name && strcmp(name, "full") == 0)
				return 0;
		}
		return 1;
	}
	if ((n = json_object_get(stmt, "ReindexStmt")) != NULL)
	{
		json_array_foreach(json_object_get(n, "params"), i, opt)
		{
			const char *name = json_string_value(json_object_get(json_object_get(opt, "DefElem"), "defname"));

			if (name && strcmp(name, "concurrently") == 0)
				return 1;
		}
	}
	return 0;
}

/* Whether sql parses and every statement in it is of low risk. */
static int
low_risk_fix(const char *sql)
{
	json_t	   *tree;
	json_t	   *stmts;
	json_t	   *item;
	size_t		i;
	int			ok;

	if (sql == NULL)
		return 0;
	tree = sql_tree_json(sql, NULL);
	stmts = json_object_get(tree, "stmts");
	ok = json_array_size(stmts) > 0;
	json_array_foreach(stmts, i, item)
		ok = ok && low_risk_statement(json_object_get(item, "stmt"));
	json_decref(tree);
	return ok;
}

static recommendation_horizon
horizon_of(const finding *f, double db_ms_per_hour)
{
	double		need = isfinite(db_ms_per_hour) ? REPORT_IMMEDIATE_SHARE * db_ms_per_hour : 0;

	const rule *r = rule_find(f->rule);

	if (r && r->horizon == RULE_HORIZON_APPLICATION)
		return REC_NEXT;
	if (r && r->horizon == RULE_HORIZON_ARCHITECTURE)
		return REC_LONG_TERM;
	if (isfinite(f->score) && f->score > 0 && f->score >= need && low_risk_fix(f->fix_sql))
		return REC_IMMEDIATE;
	return REC_NEXT;
}

/* Every finding of in under one horizon, in ranking order (see the file comment). */
void
report_recommendations_build(const report_input *in, const report_summary *s, report_recommendations *out)
{
	const finding_list *l = in->findings;
	int			n = l ? l->count : 0;

	memset(out, 0, sizeof(*out));
	for (int h = 0; h < REC__COUNT; h++)
		out->items[h] = xcalloc((size_t) n + 1, sizeof(finding *));
	for (int i = 0; i < n; i++)
	{
		recommendation_horizon h = horizon_of(l->items[i], s->db_ms_per_hour);

		out->items[h][out->count[h]++] = l->items[i];
	}
}

void
report_recommendations_free(report_recommendations *r)
{
	for (int h = 0; h < REC__COUNT; h++)
		free(r->items[h]);
	memset(r, 0, sizeof(*r));
}

const char *
recommendation_horizon_key(recommendation_horizon h)
{
	static const char *const keys[] = {"immediate", "next", "long_term"};

	return h < REC__COUNT ? keys[h] : "unknown";
}

const char *
recommendation_horizon_title(recommendation_horizon h)
{
	static const char *const titles[] = {"Immediate", "Next", "Long term"};

	return h < REC__COUNT ? titles[h] : "Unknown";
}

const char *
report_format_figure(double v, const char *unit, char *buf, size_t size)
{
	int			per_hour = unit && strcmp(unit, "ms/h") == 0;

	if (!isfinite(v))
		snprintf(buf, size, "-");
	else if (unit == NULL || (strcmp(unit, "ms") != 0 && !per_hour))
		snprintf(buf, size, "%g%s%s", v, unit && *unit ? " " : "", unit ? unit : "");
	else if (fabs(v) >= 3600000)
		snprintf(buf, size, "%.1f h%s", v / 3600000, per_hour ? "/h" : "");
	else if (fabs(v) >= 60000)
		snprintf(buf, size, "%.1f min%s", v / 60000, per_hour ? "/h" : "");
	else if (fabs(v) >= 1000)
		snprintf(buf, size, "%.2f s%s", v / 1000, per_hour ? "/h" : "");
	else
		snprintf(buf, size, "%.3f ms%s", v, per_hour ? "/h" : "");
	return buf;
}

int
report_other_sentence(workload *w, strbuf *out)
{
	const workload_other *o = workload_other_row(w);
	double		total = workload_get_summary(w)->total_duration_ms,
				max_ms;
	uint64_t	max_calls;
	char		t[32],
				e[32];

	strbuf_reset(out);
	if (o->fingerprints_evicted == 0)
		return 0;
	workload_max_error(w, &max_ms, &max_calls);
	strbuf_printf(out, "Other: %llu statements, %s (%.1f%% of the time), in %llu fingerprints evicted"
				  " past --max-fingerprints %llu; a listed figure may miss up to %s and %llu statements",
				  (unsigned long long) (o->statements + o->untimed_statements),
				  report_format_figure(o->total_ms, "ms", t, sizeof(t)), total > 0 ? 100.0 * o->total_ms / total : 0.0,
				  (unsigned long long) o->fingerprints_evicted, (unsigned long long) o->max_fingerprints,
				  report_format_figure(max_ms, "ms", e, sizeof(e)), (unsigned long long) max_calls);
	return 1;
}

void
report_one_line(const char *s, size_t width, strbuf *out)
{
	int			space = 0;

	strbuf_reset(out);
	for (; *s && out->len < width; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
		{
			space = out->len > 0;
			continue;
		}
		if (space)
			strbuf_putc(out, ' ');
		space = 0;
		strbuf_putc(out, (char) (c < 0x20 ? '?' : c));
	}
	if (*s)
	{
		/* do not cut a UTF-8 sequence in half */
		while (out->len > 0 && ((unsigned char) out->data[out->len - 1] & 0xC0) == 0x80)
			out->len--;
		if (out->len > 0 && (unsigned char) out->data[out->len - 1] >= 0xC0)
			out->len--;
		out->data[out->len] = '\0';
		strbuf_puts(out, "...");
	}
}

char *
report_plan_line(const char *plan_json)
{
	plan	   *p;
	char	   *line;

	if (plan_json == NULL)
		return NULL;
	p = plan_parse_json(plan_json, NULL);
	if (p == NULL)
		return NULL;
	line = plan_summary(p);
	plan_free(p);
	return line;
}
