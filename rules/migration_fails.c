/*-------------------------------------------------------------------------
 * migration_fails.c
 *    migration-fails: a statement of the migration failed when the
 *    trace ran it on the database given (--measure plan or real).
 *
 * A statement that fails on a staging copy of the data fails in
 * production too: NULLs where SET NOT NULL wants none, duplicates under a
 * new unique index, rows that break a new CHECK or FOREIGN KEY, an object
 * the migration expects that the database does not have.  The migration
 * stops there; inside a transaction, everything before it is rolled back
 * with it.  A timeout is reported too: the statement needs longer than
 * the trace allowed on this data.  docs/rules/migration-fails.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"
#include "src/live/migration_trace.h"

#include <string.h>

extern const rule rule_migration_fails;

/* What to do about an error of class sqlstate (static). */
static const char *
hint_for(const char *sqlstate)
{
	if (sqlstate == NULL || sqlstate[0] == '\0')
		return "Run the migration by hand on a copy of the database and read the error.";
	if (strcmp(sqlstate, "23502") == 0)
		return "Backfill the NULLs first (UPDATE in batches), then add the constraint; or give the column a default.";
	if (strcmp(sqlstate, "23505") == 0)
		return "Find and resolve the duplicate keys first (SELECT key, count(*) ... GROUP BY key HAVING count(*) > 1).";
	if (strcmp(sqlstate, "23514") == 0)
		return "Fix the rows that break the CHECK first, or add it NOT VALID and VALIDATE it once they are fixed.";
	if (strcmp(sqlstate, "23503") == 0)
		return "Delete or repair the rows that reference missing keys first, or add the key NOT VALID and VALIDATE it "
			"once they are repaired.";
	if (strcmp(sqlstate, "57014") == 0)
		return "It needs longer than the trace's statement_timeout on this data (--statement-timeout): plan for that "
			"time under its lock in production, or use the safe recipe of the rule that flags the statement.";
	if (strcmp(sqlstate, "55P03") == 0)
		return "Another session held a lock that the statement waits for: in production it would wait too, and every "
			"query queues behind it. Keep lock_timeout set and retry.";
	if (strncmp(sqlstate, "42", 2) == 0)
		return "The statement names an object or column this database does not have (or has already): is the "
			"database at the schema the migration expects?";
	return "Run the migration by hand on a copy of the database and read the error.";
}

/* The last statement before step k that the trace refused to run, or NULL. */
static const statement_trace *
refused_before(const migration_trace *t, int k)
{
	for (int i = k - 1; i >= 0; i--)
		if (t->steps[i].step == SANDBOX_STEP_REFUSED)
			return &t->steps[i];
	return NULL;
}

static void
check(const rule_context *ctx)
{
	const migration_trace *t = ctx->migration->trace;

	for (int k = 0; t && k < t->nsteps; k++)
	{
		const statement_trace *st = &t->steps[k];
		const statement_trace *refused;
		finding    *f;

		if (st->step != SANDBOX_STEP_FAILED ||
			(f = migration_finding(&rule_migration_fails, ctx, st->statement)) == NULL)
			continue;
		finding_set_detail(f, "On %s the statement fails: %s%s%s%s. The migration stops here; in a transaction "
						   "block, everything before it is rolled back with it.",
						   t->database ? t->database : "the database", st->error ? st->error : "",
						   st->sqlstate && st->sqlstate[0] ? " (SQLSTATE " : "",
						   st->sqlstate ? st->sqlstate : "", st->sqlstate && st->sqlstate[0] ? ")" : "");
		finding_set_hint(f, "%s", hint_for(st->sqlstate));
		if ((refused = refused_before(t, k)) != NULL)
		{
			/* the failure may be the trace's: what the statement needed was not sent */
			f->severity = FINDING_HIGH;
			finding_append_detail(f, "The trace did not run the statement at %s:%d (%s), which may be what "
								  "this one needed.", migration_statement_path(MIGRATION(ctx), refused->statement),
								  MIGRATION(ctx)->statements[refused->statement].line,
								  refused->note ? refused->note : "refused");
		}
		finding_list_add(ctx->out, f);
	}
}

const rule	rule_migration_fails = {
	.id = "migration-fails",
	.title = "statement fails on the database",
	.severity = FINDING_CRITICAL,
	.scope = RULE_MIGRATION,
	.summary = "a statement failed when the trace ran it (--measure plan|real): it fails in production too",
	.check = check,
};
