/*-------------------------------------------------------------------------
 * row_misestimate.c
 *    row-misestimate: the planner's row estimate for a node is off by 10x
 *    or more.
 *
 * A wrong row count makes the planner pick the wrong join method, join
 * order or scan, so it is the usual root cause behind the other plan
 * findings.  pev2's factors: 10x, 100x, 1000x (low, medium, high).  Tiny
 * nodes (under 100 rows both planned and actual) are left out: a 1-vs-20
 * miss changes no plan.  docs/rules/row-misestimate.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#include <math.h>

#define MISESTIMATE_FACTOR 10.0
#define MISESTIMATE_MIN_ROWS 100.0
/* The share of a node's time a better plan is assumed to save (score only). */
#define MISESTIMATE_SAVING 0.1

extern const rule rule_row_misestimate;

static void
set_fix(finding *f, const plan_node *n)
{
	strbuf		sql;

	if (n->relation == NULL)
	{
		finding_set_fix(f, NULL, "ANALYZE the tables below this node; raise their columns' statistics "
						"targets or CREATE STATISTICS on correlated columns");
		return;
	}
	strbuf_init(&sql);
	strbuf_puts(&sql, "ANALYZE ");
	sql_append_qualified(&sql, n->schema, n->relation);
	strbuf_putc(&sql, ';');
	finding_set_fix(f, sql.data, "refresh the table's statistics; if the estimate stays wrong, raise the "
					"filtered columns' statistics target or create extended statistics");
	strbuf_free(&sql);
}

static void
visit(void *arg, const plan_node *n, const plan_node *parent, int depth)
{
	const rule_context *ctx = arg;
	double		actual = n->actual_rows;
	double		planned = n->plan_rows;
	double		factor;
	finding    *f;

	if (!n->analyzed || !RULE_KNOWN(planned) || actual < 0 || n->actual_loops <= 0)
		return;
	if (actual < MISESTIMATE_MIN_ROWS && planned < MISESTIMATE_MIN_ROWS)
		return;
	factor = fmax(actual, planned) / fmax(fmin(actual, planned), 1.0);
	if (factor < MISESTIMATE_FACTOR)
		return;

	f = rule_plan_finding(&rule_row_misestimate, ctx, n, depth,
						  MISESTIMATE_SAVING * n->actual_total_ms * n->actual_loops);
	if (factor >= 1000)
		f->severity = FINDING_HIGH;
	else if (factor >= 100)
		f->severity = FINDING_MEDIUM;
	finding_set_detail(f, "%s%s%s was estimated at %.0f rows and returned %.0f (%s by %.0fx).%s",
					   n->node_type, n->relation ? " on " : "", n->relation ? n->relation : "",
					   planned, actual, actual > planned ? "under-estimated" : "over-estimated",
					   factor, rule_rate_note(ctx->plan));
	finding_set_hint(f, "Run ANALYZE on the table; if the estimate stays wrong, raise the statistics target "
					 "(ALTER TABLE ... ALTER COLUMN ... SET STATISTICS 1000) of the columns in %s, or "
					 "CREATE STATISTICS (dependencies, ndistinct, mcv) on columns that are correlated.",
					 n->filter ? n->filter : n->index_cond ? n->index_cond : "its conditions");
	set_fix(f, n);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	plan_walk(ctx->plan->plan, visit, (void *) ctx);
}

const rule	rule_row_misestimate = {
	.id = "row-misestimate",
	.title = "planner's row estimate is off by 10x or more",
	.severity = FINDING_LOW,
	.scope = RULE_PLAN,
	.summary = "actual and estimated rows differ >= 10x (100x medium, 1000x high) on a node of >= 100 rows",
	.check = check,
	.horizon = RULE_HORIZON_ARCHITECTURE,
};
