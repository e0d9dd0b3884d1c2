/*-------------------------------------------------------------------------
 * disk_sort.c
 *    disk-sort: a Sort that spilled to disk because work_mem was too small.
 *
 * An external merge sort writes and reads back the whole input in temp
 * files.  The fix is a per-query work_mem of about twice the disk space
 * the sort used (the on-disk format is more compact than memory), set for
 * the query rather than globally, since every sort node of every session
 * may take work_mem.  docs/rules/disk-sort.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#include <string.h>

/* An in-memory sort is assumed to take this share of the external one's time. */
#define DISK_SORT_SAVING 0.5

extern const rule rule_disk_sort;

static void
visit(void *arg, const plan_node *n, const plan_node *parent, int depth)
{
	const rule_context *ctx = arg;
	int64_t		mb;
	finding    *f;

	if (n->sort_space_type == NULL || strcmp(n->sort_space_type, "Disk") != 0 || n->sort_space_kb < 0)
		return;
	mb = rule_mb_ceil(2.0 * (double) n->sort_space_kb);

	f = rule_plan_finding(&rule_disk_sort, ctx, n, depth, DISK_SORT_SAVING * plan_node_self_ms(n));
	finding_set_detail(f, "%s used %lld kB of disk (%s).%s",
					   n->node_type, (long long) n->sort_space_kb,
					   n->sort_method ? n->sort_method : "external sort",
					   rule_rate_note(ctx->plan));
	if (ctx->plan->catalog)
		finding_set_hint(f, "The server's work_mem is %lld kB; this sort needs about %lld MB to stay in memory. "
						 "Set it for this query only (SET LOCAL in its transaction, or per role).",
						 (long long) ctx->plan->catalog->settings.work_mem_kb, (long long) mb);
	else
		finding_set_hint(f, "This sort needs about %lld MB to stay in memory. Set it for this query only "
						 "(SET LOCAL in its transaction, or per role).", (long long) mb);
	rule_set_work_mem_fix(f, mb, "raise work_mem for this query's session to about twice the disk space "
					"the sort used");
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	plan_walk(ctx->plan->plan, visit, (void *) ctx);
}

const rule	rule_disk_sort = {
	.id = "disk-sort",
	.title = "sort spilled to disk",
	.severity = FINDING_MEDIUM,
	.scope = RULE_PLAN,
	.summary = "Sort with Sort Space Type Disk; suggests work_mem of 2x the space used",
	.check = check,
};
