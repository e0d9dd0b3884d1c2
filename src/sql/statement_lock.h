/*-------------------------------------------------------------------------
 * statement_lock.h
 *    The table lock a DDL statement takes, read from its parse tree.
 *
 * PostgreSQL's documentation ("Explicit Locking", and each command's
 * page) says which of the eight table lock modes every command takes;
 * this module is that table, for the statements migrations are made of.
 * It knows the statement alone: what a lock costs (the table's size, the
 * traffic it blocks) is for the migration rules and the trace.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STATEMENT_LOCK_H
#define PGSIFT_STATEMENT_LOCK_H

#include <pg_query/pg_query.pb-c.h>

/* PostgreSQL's table lock modes, weakest first (lock.h's numbering). */
typedef enum lock_mode
{
	LOCK_NONE = 0,
	LOCK_ACCESS_SHARE,
	LOCK_ROW_SHARE,
	LOCK_ROW_EXCLUSIVE,
	LOCK_SHARE_UPDATE_EXCLUSIVE,
	LOCK_SHARE,
	LOCK_SHARE_ROW_EXCLUSIVE,
	LOCK_EXCLUSIVE,
	LOCK_ACCESS_EXCLUSIVE
} lock_mode;

/* "ACCESS EXCLUSIVE", ..., "" for LOCK_NONE.  Static text. */
const char *lock_mode_name(lock_mode mode);

/*
 * The mode named as pg_locks names it ("AccessExclusiveLock") or as SQL
 * does ("ACCESS EXCLUSIVE", any case); LOCK_NONE when it is neither.
 */
lock_mode	lock_mode_parse(const char *name);

/* Whether mode conflicts with ROW EXCLUSIVE: INSERT, UPDATE, DELETE wait. */
int			lock_mode_blocks_writes(lock_mode mode);

/* Whether mode conflicts with ACCESS SHARE: even SELECT waits. */
int			lock_mode_blocks_reads(lock_mode mode);

/*
 * What a statement locks: its target (an ALTER TABLE's table, an index's
 * table, a dropped object) in mode, and for a foreign key the table it
 * references in other_mode.  Both relations point into the tree; either
 * may be NULL: DROP and RENAME of some objects name them by name lists,
 * not RangeVars, and the rules read those themselves.
 */
typedef struct statement_lock
{
	lock_mode	mode;
	const PgQuery__RangeVar *relation;	/* NULL when the target is not a RangeVar */
	lock_mode	other_mode;
	const PgQuery__RangeVar *other; /* a referenced table, or NULL */
} statement_lock;

/*
 * Fill *out with the strongest lock stmt takes on an existing relation.
 * Statements that lock nothing outside themselves (CREATE TABLE, SET,
 * BEGIN) and plain DML (ROW EXCLUSIVE or weaker) give LOCK_NONE and
 * LOCK_ROW_EXCLUSIVE / LOCK_ACCESS_SHARE as PostgreSQL takes them.
 * pg_version is the server's major version (11, 12, ..., 15): a few
 * modes changed across releases.
 */
void		statement_lock_of(const PgQuery__Node *stmt, int pg_version, statement_lock *out);

/* The mode an ALTER TABLE subcommand takes on its table (the FK case included). */
lock_mode	alter_table_cmd_lock(const PgQuery__AlterTableCmd *cmd, int pg_version);

/* The Constraint an ADD CONSTRAINT subcommand adds, or NULL. */
const PgQuery__Constraint *alter_table_cmd_constraint(const PgQuery__AlterTableCmd *cmd);

/* Whether a DefElem list (REINDEX's params, VACUUM's options) holds name. */
int			statement_option_set(size_t n, PgQuery__Node *const *options, const char *name);

#endif
