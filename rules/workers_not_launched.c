/*-------------------------------------------------------------------------
 * workers_not_launched.c
 *    workers-not-launched: a parallel plan ran with fewer workers than
 *    planned.
 *
 * Workers come from a server-wide pool (max_parallel_workers, itself
 * within max_worker_processes); when it is empty the Gather runs with what
 * it gets, down to the leader alone, and a plan costed for N workers runs
 * about N+1 times slower.  docs/rules/workers-not-launched.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

extern const rule rule_workers_not_launched;

static void
visit(void *arg, const plan_node *n, const plan_node *parent, int depth)
{
	const rule_context *ctx = arg;
	double		missing_share;
	finding    *f;

	if (n->workers_planned <= 0 || n->workers_launched < 0 || n->workers_launched >= n->workers_planned)
		return;
	/* the leader works too: a plan for N workers divides the work N+1 ways */
	missing_share = (double) (n->workers_planned - n->workers_launched) / (n->workers_planned + 1);

	f = rule_plan_finding(&rule_workers_not_launched, ctx, n, depth,
						  n->analyzed ? missing_share * n->actual_total_ms * n->actual_loops : 0);
	if (n->workers_launched == 0)
		f->severity = FINDING_MEDIUM;
	finding_set_detail(f, "%s planned %d workers and launched %d.%s", n->node_type,
					   n->workers_planned, n->workers_launched, rule_rate_note(ctx->plan));
	finding_set_hint(f, "The server ran out of parallel workers: raise max_parallel_workers (and "
					 "max_worker_processes, which needs a restart), or lower "
					 "max_parallel_workers_per_gather so concurrent queries share them.");
	finding_set_fix(f, NULL, "raise max_parallel_workers and max_worker_processes, or plan for fewer workers");
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	plan_walk(ctx->plan->plan, visit, (void *) ctx);
}

const rule	rule_workers_not_launched = {
	.id = "workers-not-launched",
	.title = "parallel workers were planned but not launched",
	.severity = FINDING_LOW,
	.scope = RULE_PLAN,
	.summary = "Gather with Workers Launched < Workers Planned (medium when none launched)",
	.check = check,
	.horizon = RULE_HORIZON_ARCHITECTURE,
};
