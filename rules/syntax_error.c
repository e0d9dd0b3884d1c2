/*-------------------------------------------------------------------------
 * syntax_error.c
 *    syntax-error: a migration statement PostgreSQL's parser rejects.
 *
 * The statement would fail, and with it the migration; pgsift checks
 * nothing else in it, so it says so rather than passing it silently.
 * The parser is PostgreSQL 15's, through libpg_query.
 * docs/rules/syntax-error.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"

extern const rule rule_syntax_error;

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int i = 0; i < m->nstatements; i++)
	{
		const migration_statement *s = &m->statements[i];
		finding    *f;

		if (s->tree != NULL || (f = migration_finding(&rule_syntax_error, ctx, i)) == NULL)
			continue;
		finding_set_detail(f, "PostgreSQL's parser rejects it: %s (line %d).", s->error ? s->error : "syntax error",
						   s->error_line);
		finding_set_hint(f, "Fix the statement: the migration would fail here, and pgsift checks nothing else in "
						 "it.  A psql meta-command must start its own line.");
		finding_list_add(ctx->out, f);
	}
}

const rule	rule_syntax_error = {
	.id = "syntax-error",
	.title = "statement does not parse",
	.severity = FINDING_CRITICAL,
	.scope = RULE_MIGRATION,
	.summary = "a migration statement that PostgreSQL's parser rejects",
	.check = check,
};
