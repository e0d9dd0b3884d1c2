/*-------------------------------------------------------------------------
 * traced_rewrite.c
 *    traced-rewrite: the trace saw a statement rewrite a table that
 *    exists before the migration, and no other rule said it would.
 *
 * The static rules know the common rewrites (a volatile default, a type
 * change that is not binary-coercible, SET ACCESS METHOD...), but not
 * every one: a cast of a domain, an extension's type, a version's
 * special case.  The trace knows: the table's relfilenode changed, so
 * every row was copied under ACCESS EXCLUSIVE.  Reported only where no
 * finding already says the statement rewrites its table.
 * docs/rules/traced-rewrite.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/live/migration_trace.h"

extern const rule rule_traced_rewrite;

static void
check(const rule_context *ctx)
{
	const migration_trace *t = ctx->migration->trace;

	for (int k = 0; t && k < t->nsteps; k++)
	{
		const statement_trace *st = &t->steps[k];
		const trace_change *table = NULL;
		finding    *f;
		int			indexes = 0;

		for (int c = 0; c < st->nchanges; c++)
		{
			const trace_change *x = &st->changes[c];

			if (x->kind != TRACE_REWRITTEN || !x->existed)
				continue;
			if (x->relkind == 'r' || x->relkind == 'm')
				table = table ? table : x;
			else if (x->relkind == 'i')
				indexes++;
		}
		if (table == NULL || migration_finding_says_rewrite(ctx, st->statement) ||
			(f = migration_finding(&rule_traced_rewrite, ctx, st->statement)) == NULL)
			continue;
		finding_set_lock(f, "ACCESS EXCLUSIVE", 1);
		finding_add_table(f, table->object);
		finding_set_detail(f, "The trace saw %s rewritten (a new relfilenode%s): every row is copied while ACCESS "
						   "EXCLUSIVE blocks all reads and writes of it, for as long as the copy takes on "
						   "production's data.", table->object,
						   indexes ? ", and its indexes rebuilt" : "");
		finding_set_hint(f, "Look for a form that does not rewrite: a binary-coercible type, a constant default, "
						 "or a new column filled in batches and swapped in.");
		finding_list_add(ctx->out, f);
	}
}

const rule	rule_traced_rewrite = {
	.id = "traced-rewrite",
	.title = "table rewritten (seen by the trace)",
	.severity = FINDING_HIGH,
	.scope = RULE_MIGRATION,
	.summary = "the trace saw a table that exists get a new relfilenode: a rewrite under ACCESS EXCLUSIVE",
	.check = check,
};
