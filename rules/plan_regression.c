/*-------------------------------------------------------------------------
 * plan_regression.c
 *    plan-regression: a query of the workload is slower, or fails,
 *    once the migration ran (--measure plan|real with a workload).
 *
 * The queries are the workload's heaviest (--workload logs,
 * pg_stat_statements), planned before and after the migration's
 * statements in the trace's transaction (src/live/migration_regress.c
 * judges them): an index the plan used is dropped, a table over
 * seq_scan_pages is now read sequentially, the cost (or, measured, the
 * time) grows by ratio or more, the buffers double, a sort or hash
 * spills; or the query fails (a column dropped or renamed under the
 * application).  docs/rules/plan-regression.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_regress_rules.h"
#include "src/lib/arena.h"

#include <stdlib.h>

extern const rule rule_plan_regression;

static void
check(const rule_context *ctx)
{
	const migration_regressions *r = ctx->migration->regressions;

	for (int i = 0; r && i < r->nqueries; i++)
	{
		const regress_query *q = &r->queries[i];
		finding    *f;

		if (q->verdict != REGRESS_SLOWER && q->verdict != REGRESS_FAILS)
			continue;
		if ((f = migration_query_finding(&rule_plan_regression, ctx, q)) == NULL)
			continue;
		if (q->verdict == REGRESS_FAILS)
		{
			f->severity = FINDING_CRITICAL;
			free(f->title);
			f->title = xstrdup("workload query fails after the migration");
			finding_set_hint(f, "The application sends this query: keep what it needs (the column, the table) "
							 "until a release that no longer uses it is deployed, and drop it in a later migration.");
		}
		else
			finding_set_hint(f, "Keep the index or add one this query can use in the same migration, and check "
							 "the plan again; if the slower plan is expected, say so with "
							 "-- pgsift: ignore plan-regression on the statement.");
		finding_list_add(ctx->out, f);
	}
}

static const rule_param params[] = {
	{"ratio", 1.5, "cost (or measured time) growth that is a regression, as a factor"},
	{"seq_scan_pages", 1280, "a new sequential scan matters on a table of at least this many pages (8 kB each)"},
	{"top", 200, "workload queries compared, the heaviest by total time"},
	{NULL, 0, NULL}
};

const rule	rule_plan_regression = {
	.id = "plan-regression",
	.title = "workload query slower after the migration",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "a workload query's plan gets worse, or the query fails, once the migration ran",
	.check = check,
	.params = params,
};
