/*-------------------------------------------------------------------------
 * jit_overhead.c
 *    jit-overhead: JIT compilation costs more than it can win on a short
 *    query.
 *
 * The planner turns JIT on by cost (jit_above_cost, 100000 by default),
 * and costs overestimate often enough that short queries pay tens of
 * milliseconds compiling.  The rule fires when JIT took over 10% of the
 * execution time of a query that ran under a second: past that, compiled
 * expressions can pay for themselves.  docs/rules/jit-overhead.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#define JIT_MIN_SHARE 0.10
#define JIT_MAX_EXECUTION_MS 1000.0

extern const rule rule_jit_overhead;

static void
check(const rule_context *ctx)
{
	const plan *p = ctx->plan->plan;
	double		share;
	finding    *f;

	if (!p->jit.present || p->root == NULL || !RULE_KNOWN(p->jit.total_ms) || !RULE_KNOWN(p->execution_ms))
		return;
	if (p->execution_ms <= 0 || p->execution_ms >= JIT_MAX_EXECUTION_MS)
		return;
	share = p->jit.total_ms / p->execution_ms;
	if (share <= JIT_MIN_SHARE)
		return;

	f = rule_plan_finding(&rule_jit_overhead, ctx, p->root, 0, p->jit.total_ms);
	finding_set_detail(f, "JIT took %.1f ms of a %.1f ms execution (%.0f%%) compiling %lld functions; the "
					   "plan's cost of %.0f is above jit_above_cost.%s", p->jit.total_ms, p->execution_ms,
					   100.0 * share, (long long) p->jit.functions, p->root->total_cost,
					   rule_rate_note(ctx->plan));
	finding_set_hint(f, "Turn JIT off for this query's sessions, or raise jit_above_cost above %.0f "
					 "(per role or database) so plans of this size are no longer compiled.",
					 p->root->total_cost);
	finding_set_fix(f, "SET jit = off;", "skip JIT compilation for this query's session");
	finding_list_add(ctx->out, f);
}

const rule	rule_jit_overhead = {
	.id = "jit-overhead",
	.title = "JIT compilation outweighs a short query",
	.severity = FINDING_MEDIUM,
	.scope = RULE_PLAN,
	.summary = "JIT time > 10% of an execution under 1 s",
	.check = check,
};
