/*-------------------------------------------------------------------------
 * sequence_rules.h
 *    What the session-sequence rules (n-plus-one, unbatched-insert,
 *    cacheable-query) share.
 *
 * Their per-run thresholds decide at ingestion time which runs the model
 * keeps (src/model/session_patterns.h), so the configuration must reach the
 * model before the log is read: sequence_rules_pattern_options gives the
 * options for workload_filter.patterns.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SEQUENCE_RULES_H
#define PGSIFT_SEQUENCE_RULES_H

#include "rules/rule.h"
#include "src/model/session_patterns.h"
#include "src/model/workload.h"

/*
 * The model options from the rules' thresholds in config (NULL: the
 * defaults): n-plus-one's max_gap_ms, min_repeats, min_distinct and
 * group_by_transaction (any value but 0 is on), unbatched-insert's
 * min_rows, cacheable-query's ttl_seconds.
 */
session_pattern_options sequence_rules_pattern_options(const pgsift_config *config);

/* The first database a fingerprint ran in (interned), or NULL. */
const char *sequence_rule_database(const query_stats *q);

/*
 * Whether the model was built with the thresholds this configuration
 * asks for; when not (the options were not passed to workload_create),
 * the rules still run on what the model kept, and say so in the detail.
 */
int			sequence_rules_options_match(const rule_context *ctx);

#endif
