/*-------------------------------------------------------------------------
 * migration_rules.h
 *    What the migration rules share: findings located on a statement and
 *    silenced by ignore comments, the new-table test, and fixes written
 *    by editing the statement's own tree.
 *
 * A migration rule walks ctx->migration->migration's statements (see
 * src/model/migration.h) and reports through migration_finding, which
 * returns NULL where a "-- pgsift: ignore" comment silences the rule: so
 * no rule handles ignores itself, and rules/unmatched_ignore.c can tell
 * the ignores that silenced nothing.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_RULES_H
#define PGSIFT_MIGRATION_RULES_H

#include "rules/rule.h"
#include "src/model/migration.h"
#include "src/sql/statement_lock.h"

/* The migration of a RULE_MIGRATION context. */
#define MIGRATION(ctx) ((ctx)->migration->migration)

/*
 * A new finding of rule r about statement i, or NULL when an ignore
 * comment silences r there (that ignore is then marked used).  Filled
 * in: the location (file, line, statement text), the lock the statement
 * takes and the table it takes it on (statement_lock_of, for ctx's
 * version), rewrite unknown, and an id keyed on r, the file and the
 * statement's text, so it stays when lines above it move.  The caller
 * sets detail, hint, fix (and the rewrite it knows), then adds it to
 * ctx->out.
 */
finding    *migration_finding(const rule *r, const rule_context *ctx, int i);

/*
 * Whether a finding already in ctx->out is about statement i and says
 * the statement rewrites its table (location.rewrite is 1).
 */
int			migration_finding_says_rewrite(const rule_context *ctx, int i);

/* Whether a finding of rule id about statement i is already in ctx->out. */
int			migration_statement_has_finding(const rule_context *ctx, int i, const char *id);

/*
 * What the trace saw statement i do to the tables that exist before the
 * migration: 1 it rewrote one, 0 it ran and rewrote none, -1 not known
 * (no trace, or the statement did not run).  Rules that cannot tell a
 * rewrite statically ask this first.
 */
int			migration_traced_rewrite(const rule_context *ctx, int i);


/*
 * Whether the relation rv was created earlier in the migration than
 * statement i: new, empty and unused, so locks on it harm nobody.
 */
int			migration_is_new(const rule_context *ctx, const PgQuery__RangeVar *rv, int i);

/*
 * Whether what statement i locks was created earlier in the migration:
 * its RangeVar target, or every object a DROP names (an index, by the
 * table it was built on).  0 when it names nothing.
 */
int			migration_target_is_new(const rule_context *ctx, int i);

/*
 * The lock statement i takes that blocks writes on a relation that
 * exists before the migration: on its target, else on the table a
 * foreign key references; LOCK_NONE when it takes none.  *on is that
 * relation (NULL when a DROP names its target by name).
 */
lock_mode	migration_blocking_lock(const rule_context *ctx, int i, const PgQuery__RangeVar **on);

/*
 * The line of the statement that opened the transaction statement i runs
 * in (its BEGIN, or the first of a wrapped file); 0 outside a block.
 */
int			migration_block_start_line(const migration *m, int i);

/* rv as written, quoted where needed ("orders", app."Order"), into a static buffer. */
const char *migration_relation_name(const PgQuery__RangeVar *rv);

/*
 * What a lock in mode stops while it is held, for a detail: "reads and
 * writes", "writes", "other schema changes and VACUUM", ...  Static text.
 */
const char *migration_lock_blocks(lock_mode mode);

/* The statement's ALTER TABLE, or NULL when it is something else. */
const PgQuery__AlterTableStmt *migration_alter_table(const migration_statement *s);

/* Subcommand k of a, or NULL when it is not an AlterTableCmd. */
const PgQuery__AlterTableCmd *migration_alter_cmd(const PgQuery__AlterTableStmt *a, size_t k);

/*
 * Statement s's SQL with one change: s is parsed again, edit changes the
 * new tree's statement, and the tree is deparsed (libpg_query writes
 * canonical SQL).  edit may change scalar fields and lists it keeps
 * the nodes of (the tree is freed by protobuf-c afterwards).  NULL when
 * it cannot be.  Malloc'd.
 */
char	   *migration_edited_sql(const migration_statement *s,
								 void (*edit) (PgQuery__Node *stmt, void *arg), void *arg);

#endif
