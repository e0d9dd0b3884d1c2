/*-------------------------------------------------------------------------
 * plan_improvement.c
 *    plan-improvement: a query of the workload is faster once the
 *    migration ran: the good news, with the plans to show it.
 *
 * Judged as plan-regression judges (the same ratio, read from that
 * rule's settings): the cost, or measured time, falls by the ratio or
 * more; the finding names the new index the plan now uses, if any.
 * docs/rules/plan-improvement.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_regress_rules.h"

extern const rule rule_plan_improvement;

static void
check(const rule_context *ctx)
{
	const migration_regressions *r = ctx->migration->regressions;

	for (int i = 0; r && i < r->nqueries; i++)
	{
		const regress_query *q = &r->queries[i];
		finding    *f;

		if (q->verdict != REGRESS_FASTER || (f = migration_query_finding(&rule_plan_improvement, ctx, q)) == NULL)
			continue;
		finding_set_hint(f, "Nothing to do: the migration helps this query.");
		finding_list_add(ctx->out, f);
	}
}

const rule	rule_plan_improvement = {
	.id = "plan-improvement",
	.title = "workload query faster after the migration",
	.severity = FINDING_INFO,
	.scope = RULE_MIGRATION,
	.summary = "a workload query's plan gets cheaper once the migration ran (a new index it uses)",
	.check = check,
};
