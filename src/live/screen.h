/*-------------------------------------------------------------------------
 * screen.h
 *    The side-effect screen: would running this statement do anything
 *    that a rolled-back transaction does not undo?
 *
 * A READ ONLY transaction stops writes to tables, not the functions whose
 * effects live outside them (pg_terminate_backend, pg_stat_reset,
 * pg_advisory_lock, set_config, dblink, ...).  Before pgsift executes a
 * statement taken from a log (EXPLAIN ANALYZE, the pool sweep, the
 * measured inserts) the sandbox asks this module.  The screen walks the
 * statement's parse tree for every function it would call: function
 * calls (in the select list, WHERE, FROM, CTEs, subqueries), operators
 * (through pg_operator.oprcode) and casts to types whose cast or input
 * function is volatile; and it follows what the statement reaches
 * indirectly: the rewrite rules of views (recursively), the bodies of SQL
 * functions, row-level security policies, and for the relations a DML
 * statement writes their triggers, rules, column defaults, CHECK
 * constraints, partitions and the tables whose foreign keys act on them.
 * Every function found is resolved against the connected server's
 * catalog by schema, name and argument count; one that does not resolve,
 * or whose candidates include a volatile one, counts as volatile.
 * Immutable and stable functions pass, and so does a short list of
 * harmless volatile ones (see screen.c and docs/safety.md); nextval
 * passes only in a read-write transaction (--measure real), since a
 * sequence is the one thing such a measurement may leave changed.
 * Foreign tables never pass: the remote side cannot be screened.
 *
 * The screen reads the catalog through a fetch callback, so it sends
 * nothing itself: the sandbox (src/live/sandbox.c) runs every query, inside
 * its own guarded transaction.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SCREEN_H
#define PGSIFT_SCREEN_H

#include <libpq-fe.h>

/*
 * Run one catalog query written by the screen (constant text, values as
 * $n text parameters) on the connection being screened for; the result
 * when it succeeded (the caller PQclear's it), else NULL.
 */
typedef PGresult *(*screen_fetch_fn) (void *ctx, const char *sql, int nparams,
									  const char *const *params);

typedef struct screen_catalog screen_catalog;

/*
 * Load what the screen needs of the connected database's catalog once:
 * functions (schema, name, argument counts, volatility, language, SQL
 * bodies of user functions, the extension a function belongs to),
 * operators, types with a volatile input or cast function, and the
 * schemas of the session's search path.  NULL when a query failed.  The
 * catalog may be shared by the threads of one run (it locks its caches);
 * free with screen_catalog_free.
 */
screen_catalog *screen_catalog_load(screen_fetch_fn fetch, void *ctx);

/* Free a catalog; NULL is allowed. */
void		screen_catalog_free(screen_catalog *cat);

/* What screen_statement decided. */
typedef enum screen_verdict
{
	SCREEN_SAFE = 1,			/* nothing it calls has an effect outside its transaction */
	SCREEN_UNSAFE = 0,			/* it would call a volatile function (or read a foreign table) */
	SCREEN_UNKNOWN = -1			/* it could not be screened: treat as unsafe */
} screen_verdict;

/*
 * Screen one SQL statement (a single SELECT or DML; $n placeholders are
 * fine).  read_write says whether it would run in a read-write
 * transaction (only then may nextval pass).  fetch/ctx run the catalog
 * queries the statement needs (the relations it reads and writes); they
 * are cached in cat, per relation.  On SCREEN_UNSAFE and SCREEN_UNKNOWN,
 * *reason receives a malloc'd phrase naming the first cause found, e.g.
 * "calls volatile function pg_terminate_backend(integer,bigint)",
 * "reads view public.v, whose definition calls volatile function
 * public.f()", "writes table public.t, whose trigger t_audit calls
 * volatile function public.audit()", "reads foreign table public.ft",
 * "calls function public.nope(), which is not in the catalog"; on
 * SCREEN_SAFE *reason is NULL.  Thread-safe for one cat shared by
 * several connections.
 */
screen_verdict screen_statement(screen_catalog *cat, const char *sql, int read_write,
								screen_fetch_fn fetch, void *ctx, char **reason);

/*
 * Screen one statement of a migration that pgsift traces (--measure plan
 * or real), in a read-write transaction: SELECT and DML as
 * screen_statement does; CREATE TABLE AS and CREATE MATERIALIZED VIEW by
 * their query; any other (DDL) statement by the expressions it evaluates
 * (column defaults, CHECK and index expressions, ALTER TYPE's USING) and
 * the types it converts values to.  What a statement may be at all (no
 * DO, CALL, COPY, ...) is the sandbox's decision (sandbox_migration), not
 * this one's.  As screen_statement otherwise.
 */
screen_verdict screen_migration_statement(screen_catalog *cat, const char *sql,
										  screen_fetch_fn fetch, void *ctx, char **reason);

/*
 * Whether the volatile function name (in schema, belonging to extension
 * extname or NULL) is on the screen's list of harmless ones.  Exposed for
 * the tests and for docs/safety.md's list.
 */
int			screen_harmless_volatile(const char *schema, const char *name, const char *extname);

#endif
