/*-------------------------------------------------------------------------
 * migration_regress_rules.h
 *    What the three rules on the workload's plans share
 *    (plan-regression, plan-improvement, new-index-unused).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_REGRESS_RULES_H
#define PGSIFT_MIGRATION_REGRESS_RULES_H

#include "rules/migration_rules.h"
#include "src/live/migration_regress.h"

/*
 * A finding of rule r about query q, laid at the statement its verdict
 * names (NULL when an ignore comment silences it, or q has no
 * statement): keyed on q's fingerprint, with the query, its weight in
 * the workload, the reason, both plans' summaries and the cost (and
 * time) before and after as metrics.
 */
finding    *migration_query_finding(const rule *r, const rule_context *ctx, const regress_query *q);

#endif
