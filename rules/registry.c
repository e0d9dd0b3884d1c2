/*-------------------------------------------------------------------------
 * registry.c
 *    The list of every rule, and running them.
 *
 * A new rule is one line here (and its file and docs page).  The order is
 * the order of `pgsift rules`: plan rules, then catalog rules.
 *-------------------------------------------------------------------------
 */
#include "rule.h"

#include <string.h>

extern const rule rule_seq_scan_filter;
extern const rule rule_row_misestimate;
extern const rule rule_disk_sort;
extern const rule rule_hash_batches;
extern const rule rule_nested_loop_inner;
extern const rule rule_lossy_bitmap;
extern const rule rule_heap_fetches;
extern const rule rule_jit_overhead;
extern const rule rule_workers_not_launched;
extern const rule rule_unused_index;
extern const rule rule_duplicate_index;
extern const rule rule_invalid_index;
extern const rule rule_fk_without_index;
extern const rule rule_sequence_exhaustion;
extern const rule rule_missing_index;

const rule *const pgsift_rules[] = {
	&rule_seq_scan_filter,
	&rule_row_misestimate,
	&rule_disk_sort,
	&rule_hash_batches,
	&rule_nested_loop_inner,
	&rule_lossy_bitmap,
	&rule_heap_fetches,
	&rule_jit_overhead,
	&rule_workers_not_launched,
	&rule_unused_index,
	&rule_duplicate_index,
	&rule_invalid_index,
	&rule_fk_without_index,
	&rule_sequence_exhaustion,
	&rule_missing_index,
	NULL
};

const rule *
rule_find(const char *id)
{
	for (int i = 0; pgsift_rules[i]; i++)
		if (strcmp(pgsift_rules[i]->id, id) == 0)
			return pgsift_rules[i];
	return NULL;
}

/* A plan context without a plan runs no plan rule: nothing to look at. */
void
rules_run(const rule_context *ctx)
{
	if (ctx->scope == RULE_PLAN && (ctx->plan == NULL || ctx->plan->plan == NULL))
		return;
	if (ctx->scope == RULE_CATALOG && ctx->catalog == NULL)
		return;
	for (int i = 0; pgsift_rules[i]; i++)
		if (pgsift_rules[i]->scope == ctx->scope)
			pgsift_rules[i]->check(ctx);
}
