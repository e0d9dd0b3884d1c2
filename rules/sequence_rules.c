/*-------------------------------------------------------------------------
 * sequence_rules.c
 *    Model options from the session-sequence rules' thresholds.
 *-------------------------------------------------------------------------
 */
#include "rules/sequence_rules.h"

extern const rule rule_n_plus_one;
extern const rule rule_unbatched_insert;
extern const rule rule_cacheable_query;

session_pattern_options
sequence_rules_pattern_options(const pgsift_config *config)
{
	rule_context ctx = {.config = config};
	session_pattern_options o;

	o.max_gap_ms = rule_param_value(&ctx, &rule_n_plus_one, "max_gap_ms");
	o.min_repeats = (int) rule_param_value(&ctx, &rule_n_plus_one, "min_repeats");
	o.min_distinct = (int) rule_param_value(&ctx, &rule_n_plus_one, "min_distinct");
	o.min_rows = (int) rule_param_value(&ctx, &rule_unbatched_insert, "min_rows");
	o.ttl_ms = 1000.0 * rule_param_value(&ctx, &rule_cacheable_query, "ttl_seconds");
	o.group_by_transaction = rule_param_value(&ctx, &rule_n_plus_one, "group_by_transaction") != 0;
	return o;
}

const char *
sequence_rule_database(const query_stats *q)
{
	return q && q->ndatabases > 0 ? q->databases[0].name : NULL;
}

int
sequence_rules_options_match(const rule_context *ctx)
{
	session_pattern_options want = sequence_rules_pattern_options(ctx->config);
	const session_pattern_options *have = session_patterns_options(workload_patterns(ctx->workload->model));

	return want.max_gap_ms == have->max_gap_ms && want.min_repeats == have->min_repeats &&
		want.min_distinct == have->min_distinct && want.min_rows == have->min_rows &&
		want.ttl_ms == have->ttl_ms && want.group_by_transaction == have->group_by_transaction;
}
