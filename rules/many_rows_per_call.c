/*-------------------------------------------------------------------------
 * many_rows_per_call.c
 *    many-rows-per-call: a SELECT that returns very many rows each time
 *    it runs.
 *
 * Tens of thousands of rows per call are rarely all shown to anyone: the
 * client usually pages, filters or aggregates them itself, after the
 * server produced and sent every one (and the client held them all in
 * memory: libpq reads a whole result before returning it).  Rows per
 * call is pg_stat_statements' rows / calls, so the rule needs it; an
 * EXPLAIN ANALYZE that the plan rules or the advisor already ran for the
 * same fingerprint (a finding's before_plan) adds the root's actual rows.
 * Only SELECTs: for DML the count is of rows changed, COPY and utility
 * statements are not queries to page, and pgsift's own statements are
 * left out of pg_stat_statements when it is read.
 *
 * The score is the share of the statement's time spent on the rows beyond
 * min_rows_per_call, taking time as proportional to rows: what a page of
 * that size would spend less, if the client used only that page.
 * docs/rules/many-rows-per-call.md.
 *-------------------------------------------------------------------------
 */
#include "rules/workload_query.h"
#include "src/lib/hashmap.h"
#include "src/live/pgss.h"
#include "src/model/workload.h"
#include "src/sql/statement_kind.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_many_rows_per_call;

static const rule_param params[] = {
	{"min_rows_per_call", 10000, "rows returned per call (pg_stat_statements rows / calls) that fire"},
	{NULL},
};

/*
 * The root's actual rows in an EXPLAIN ANALYZE of this fingerprint that
 * an earlier finding carries, or -1.
 */
static double
plan_rows(const workload_context *wc, uint64_t fingerprint)
{
	char		hex[17];

	fingerprint_hex(fingerprint, hex);
	for (int i = 0; wc->earlier && i < wc->earlier->count; i++)
	{
		const finding *f = wc->earlier->items[i];
		double		rows = -1;

		if (f->measurement.before_plan == NULL || f->nfingerprints == 0 || strcmp(f->fingerprints[0], hex) != 0)
			continue;

		plan	   *p = plan_parse_json(f->measurement.before_plan, NULL);

		if (p && p->root && p->root->analyzed)
			rows = p->root->actual_rows;
		plan_free(p);
		if (rows >= 0)
			return rows;
	}
	return -1;
}

/* Whether the statement is a query whose rows go to the client. */
static int
is_query(const char *sql)
{
	return strncmp(sql + strspn(sql, " \t\r\n"), PGSIFT_STATEMENT_TAG, strlen(PGSIFT_STATEMENT_TAG)) != 0 &&
		statement_classify(sql, NULL) == STMT_SELECT;
}

static void
set_fix(finding *f, const char *query, double min_rows)
{
	strbuf		sql,
				d;

	strbuf_init(&sql);
	strbuf_printf(&sql, "BEGIN;\nDECLARE pgsift_rows NO SCROLL CURSOR FOR %s;\nFETCH %.0f FROM pgsift_rows;\n"
				  "-- FETCH again until no rows come back\nCLOSE pgsift_rows;\nCOMMIT;", query, min_rows);
	strbuf_init(&d);
	strbuf_puts(&d, "return only what the caller uses: a page (keyset pagination with LIMIT), or a filter "
				"or aggregate in SQL; when every row is needed, stream them with a cursor (FETCH in "
				"batches, as above; in libpq, PQsetSingleRowMode or PQsetChunkedRowsMode) or export with "
				"COPY (...) TO STDOUT");
	finding_set_fix(f, sql.data, d.data);
	strbuf_free(&sql);
	strbuf_free(&d);
}

static void
report(const rule_context *ctx, const pgss_entry *e, const pgss_totals *t, double per_call,
	   double explained)
{
	const workload_context *wc = ctx->workload;
	double		min_rows = rule_param_value(ctx, &rule_many_rows_per_call, "min_rows_per_call");
	double		rows = explained > per_call ? explained : per_call;
	int			assumed;
	double		ms_per_hour = workload_rate(t->total_ms, wc->pgss_hours, &assumed);
	double		share = rows > min_rows ? (rows - min_rows) / rows : 0;
	finding    *f = workload_query_finding(&rule_many_rows_per_call, e->fingerprint, e->query,
										   share * ms_per_hour);
	strbuf		plan_note;

	strbuf_init(&plan_note);
	if (explained >= 0)
		strbuf_printf(&plan_note, " An EXPLAIN ANALYZE of it returned %.0f rows.", explained);
	if (rows >= 10 * min_rows)
		f->severity = FINDING_MEDIUM;
	finding_set_detail(f, "It returns %.0f rows per call on average (pg_stat_statements: %.0f rows in %.0f "
					   "calls, %.1f ms per call).%s If the client uses %.0f rows of each result, %.0f%% of "
					   "the statement's %.0f ms per hour is spent on rows it does not need.%s",
					   per_call, t->rows, t->calls, t->calls > 0 ? t->total_ms / t->calls : 0,
					   plan_note.data, min_rows, 100 * share, ms_per_hour, workload_rate_note(assumed));
	finding_set_hint(f, "The whole result is built, sent and held by the client before it sees the "
					 "first row.");
	set_fix(f, e->query, min_rows);
	strbuf_free(&plan_note);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const workload_context *wc = ctx->workload;
	double		min_rows = rule_param_value(ctx, &rule_many_rows_per_call, "min_rows_per_call");
	struct hashmap *index = workload_pgss_index(wc);
	hashmap    *done = hashmap_create(16);

	for (int i = 0; index && i < wc->pgss->count; i++)
	{
		const pgss_entry *e = &wc->pgss->entries[i];
		uint64_t	fp = e->fingerprint;
		int			inserted;
		const pgss_totals *t = workload_pgss_lookup(index, fp);
		double		explained,
					per_call;

		/* one finding per fingerprint: its rows summed over users and databases */
		hashmap_put(done, &fp, sizeof(fp), hash_mix64(fp), &inserted);
		if (!inserted || !e->parsed || t->calls <= 0)
			continue;
		per_call = t->rows / t->calls;
		explained = plan_rows(wc, fp);
		if ((per_call >= min_rows || explained >= min_rows) && is_query(e->query))
			report(ctx, e, t, per_call, explained);
	}
	hashmap_destroy(done);
	workload_pgss_index_free(index);
}

const rule	rule_many_rows_per_call = {
	.id = "many-rows-per-call",
	.title = "statement returns very many rows per call",
	.severity = FINDING_LOW,
	.scope = RULE_WORKLOAD,
	.summary = "SELECT returning >= min_rows_per_call rows per call (pg_stat_statements); page or stream it",
	.check = check,
	.params = params,
	.horizon = RULE_HORIZON_APPLICATION,
};
