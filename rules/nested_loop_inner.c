/*-------------------------------------------------------------------------
 * nested_loop_inner.c
 *    nested-loop-inner: a Nested Loop runs its inner side thousands of
 *    times, and that is a large share of the query.
 *
 * A nested loop is right when the inner side is a cheap index probe run a
 * few times.  Run 1000+ times and taking 10%+ of the query (40%+: high,
 * pev2's bands), either the inner side lacks an index on the join key or
 * the planner expected few outer rows (a hash join would read the inner
 * side once).  docs/rules/nested-loop-inner.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#include <math.h>
#include <string.h>

#define NESTED_LOOP_MIN_LOOPS 1000.0
#define NESTED_LOOP_MIN_SHARE 0.10
#define NESTED_LOOP_HIGH_SHARE 0.40
/* The share of the inner side's time an index or a hash join is assumed to save. */
#define NESTED_LOOP_SAVING 0.5

extern const rule rule_nested_loop_inner;

/* The inner child: the one marked "Inner", else the second. */
static const plan_node *
inner_child(const plan_node *n)
{
	for (int i = 0; i < n->nchildren; i++)
		if (n->children[i]->parent_relationship &&
			strcmp(n->children[i]->parent_relationship, "Inner") == 0)
			return n->children[i];
	return n->nchildren >= 2 ? n->children[1] : NULL;
}

static double
query_ms(const plan *p)
{
	if (RULE_KNOWN(p->execution_ms) && p->execution_ms > 0)
		return p->execution_ms;
	return p->root ? p->root->actual_total_ms * p->root->actual_loops : NAN;
}

static void
visit(void *arg, const plan_node *n, const plan_node *parent, int depth)
{
	const rule_context *ctx = arg;
	const plan_node *inner;
	double		inner_ms;
	double		share;
	const char *key;
	finding    *f;

	if (strcmp(n->node_type, "Nested Loop") != 0 || !n->analyzed || (inner = inner_child(n)) == NULL)
		return;
	if (!inner->analyzed || inner->actual_loops < NESTED_LOOP_MIN_LOOPS)
		return;
	inner_ms = inner->actual_total_ms * inner->actual_loops;
	share = inner_ms / query_ms(ctx->plan->plan);
	if (!(share >= NESTED_LOOP_MIN_SHARE))
		return;

	key = inner->index_cond ? inner->index_cond : inner->filter ? inner->filter :
		n->join_filter ? n->join_filter : "(not shown)";
	f = rule_plan_finding(&rule_nested_loop_inner, ctx, n, depth, NESTED_LOOP_SAVING * inner_ms);
	if (share >= NESTED_LOOP_HIGH_SHARE)
		f->severity = FINDING_HIGH;
	finding_set_detail(f, "The inner side (%s%s%s) ran %.0f times for %.1f ms in all, %.0f%% of the "
					   "query.%s", inner->node_type, inner->relation ? " on " : "",
					   inner->relation ? inner->relation : "", inner->actual_loops, inner_ms,
					   100.0 * share, rule_rate_note(ctx->plan));
	finding_set_hint(f, "Index the inner table on the join key (%s) so each loop is one probe, or, when "
					 "the outer side returns many rows, let the planner choose a hash join (check its "
					 "row estimates).", key);
	finding_set_fix(f, NULL, "an index on the inner join key, if the index advisor (missing-index) finds one that pays");
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	plan_walk(ctx->plan->plan, visit, (void *) ctx);
}

const rule	rule_nested_loop_inner = {
	.id = "nested-loop-inner",
	.title = "nested loop repeats its inner side thousands of times",
	.severity = FINDING_MEDIUM,
	.scope = RULE_PLAN,
	.summary = "Nested Loop whose inner side loops >= 1000 times and takes >= 10% of the query",
	.check = check,
	.answered_by_index = RULE_ANSWERED_BY_QUERY,
};
