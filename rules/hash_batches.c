/*-------------------------------------------------------------------------
 * hash_batches.c
 *    hash-batches: a Hash node split its table into batches on disk.
 *
 * With more than one batch, a hash join writes both inputs to temp files
 * and joins them batch by batch.  Memory for the whole hash table is about
 * the peak memory of one batch times the number of batches.  A hash table
 * may use work_mem × hash_mem_multiplier (2.0 by default since PostgreSQL
 * 15), so the work_mem suggested is that total divided by 2.
 * docs/rules/hash-batches.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#include <string.h>

#define HASH_MEM_MULTIPLIER_DEFAULT 2.0
/* A single-batch join is assumed to take this share of the batched one's time. */
#define HASH_BATCHES_SAVING 0.5

extern const rule rule_hash_batches;

static void
visit(void *arg, const plan_node *n, const plan_node *parent, int depth)
{
	const rule_context *ctx = arg;
	double		needed_kb;
	double		ms;
	int64_t		mb;
	finding    *f;

	if (strcmp(n->node_type, "Hash") != 0 || n->hash_batches <= 1 || n->peak_memory_kb < 0)
		return;
	needed_kb = (double) n->peak_memory_kb * (double) n->hash_batches;
	mb = rule_mb_ceil(needed_kb / HASH_MEM_MULTIPLIER_DEFAULT);
	ms = plan_node_self_ms(n) + (parent ? plan_node_self_ms(parent) : 0);

	f = rule_plan_finding(&rule_hash_batches, ctx, n, depth, HASH_BATCHES_SAVING * ms);
	finding_set_detail(f, "Hash%s%s used %lld batches (%lld planned) with a peak of %lld kB each: "
					   "about %.0f kB for the whole table.%s",
					   n->relation ? " on " : "", n->relation ? n->relation : "",
					   (long long) n->hash_batches, (long long) n->original_hash_batches,
					   (long long) n->peak_memory_kb, needed_kb, rule_rate_note(ctx->plan));
	finding_set_hint(f, "Hash tables may use work_mem x hash_mem_multiplier. Raise work_mem to %lld MB for "
					 "this query (with hash_mem_multiplier 2.0), or raise hash_mem_multiplier, which "
					 "leaves sorts alone.", (long long) mb);
	rule_set_work_mem_fix(f, mb, "give the hash table room for every batch at once: peak memory x batches, "
					"divided by hash_mem_multiplier (2.0 by default)");
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	plan_walk(ctx->plan->plan, visit, (void *) ctx);
}

const rule	rule_hash_batches = {
	.id = "hash-batches",
	.title = "hash join spilled to disk in batches",
	.severity = FINDING_MEDIUM,
	.scope = RULE_PLAN,
	.summary = "Hash with Hash Batches > 1; suggests work_mem from peak memory x batches",
	.check = check,
};
