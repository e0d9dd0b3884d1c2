/*-------------------------------------------------------------------------
 * new_index_unused.c
 *    new-index-unused: an index the migration creates that none of the
 *    workload's queries uses once it exists.
 *
 * An index costs every INSERT and every non-HOT UPDATE of its table, and
 * its space, from the day it is built; one that no query the workload
 * sends uses after the migration ran brings that cost and nothing else.
 * Reported only when some queries were compared (--workload or
 * pg_stat_statements) and the index is a plain CREATE INDEX (those of
 * constraints enforce them).  docs/rules/new-index-unused.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/live/migration_regress.h"

extern const rule rule_new_index_unused;

static void
check(const rule_context *ctx)
{
	const migration_regressions *r = ctx->migration->regressions;
	int			compared = 0;

	for (int i = 0; r && i < r->nqueries; i++)
		compared += r->queries[i].after.ok;
	for (int i = 0; r && compared > 0 && i < r->nunused; i++)
	{
		finding    *f = migration_finding(&rule_new_index_unused, ctx, r->unused_statements[i]);

		if (f == NULL)
			continue;
		finding_set_detail(f, "None of the %d workload queries planned after the migration uses %s. It costs every "
						   "write to its table and its space on disk, for no read it speeds up.", compared,
						   r->unused_indexes[i]);
		finding_set_hint(f, "Check that the query it is meant for is in the workload (--workload logs, "
						 "pg_stat_statements) and that it can use the index (column order, operator, "
						 "expression); leave the index out if nothing needs it.");
		finding_list_add(ctx->out, f);
	}
}

const rule	rule_new_index_unused = {
	.id = "new-index-unused",
	.title = "new index no workload query uses",
	.severity = FINDING_LOW,
	.scope = RULE_MIGRATION,
	.summary = "an index the migration creates that no workload query uses after it ran",
	.check = check,
};
