/*-------------------------------------------------------------------------
 * sandbox.h
 *    The one way pgsift sends a statement to a user's database.
 *
 * Users point pgsift at production, so everything it runs goes through
 * here, and nothing else in the tree calls libpq's exec functions (a test
 * checks the source for it).  A sandbox is one connection under a policy
 * shared by every connection of a run:
 *
 *  - Every statement runs inside a sandbox transaction: BEGIN READ ONLY
 *    (or READ WRITE, only when the user asked for --measure real), with
 *    statement_timeout, lock_timeout and
 *    idle_in_transaction_session_timeout SET LOCAL, and it always ends in
 *    ROLLBACK.  Every text carries PGSIFT_STATEMENT_TAG and the session's
 *    application_name is pgsift, so pgsift leaves its own work out.
 *  - Statements taken from logs ("foreign" ones) must be a single SELECT
 *    or DML (never utility statements); before one is executed (EXPLAIN
 *    ANALYZE, or run as it is) the side-effect screen (screen.h) looks at
 *    every function it would call, and a statement that fails the screen
 *    is refused here, whatever the caller asked.  DML is executed only in
 *    a READ WRITE transaction.
 *  - pg_stat_statements is left as it was: where the role may, each
 *    session sets pg_stat_statements.track = none (and track_utility =
 *    off); where it may not, the number of distinct statements pgsift
 *    sends is bounded (SANDBOX_BUDGET_SHARE of pg_stat_statements.max) and
 *    the report says so.
 *
 * The policy is thread-safe: the --jobs connections share one.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SANDBOX_H
#define PGSIFT_SANDBOX_H

#include "src/live/pg_conn.h"

#include <jansson.h>

/* The one set of defaults for the limits of every sandbox transaction. */
#define SANDBOX_STATEMENT_TIMEOUT_MS	5000
#define SANDBOX_LOCK_TIMEOUT_MS			1000
#define SANDBOX_IDLE_TIMEOUT_MS			10000
/* The screen's own catalog reads get at least this statement_timeout. */
#define SANDBOX_SCREEN_TIMEOUT_MS		30000
/* Distinct statements pgsift may add to pg_stat_statements when it cannot stop tracking. */
#define SANDBOX_BUDGET_SHARE			0.05
#define SANDBOX_BUDGET_MIN				50

typedef struct sandbox_settings
{
	const char *dsn;			/* libpq conninfo, URI or database name; NULL: PG* */
	int			allow_writes;	/* --measure real: READ WRITE transactions, rolled back */
	int			execute_volatile;	/* pgsift explain --execute-volatile: no screen (dangerous) */
	int			statement_timeout_ms;	/* <= 0: SANDBOX_STATEMENT_TIMEOUT_MS */
	int			lock_timeout_ms;	/* <= 0: SANDBOX_LOCK_TIMEOUT_MS */
	int			idle_timeout_ms;	/* <= 0: SANDBOX_IDLE_TIMEOUT_MS */
} sandbox_settings;

typedef struct sandbox_policy sandbox_policy;
typedef struct sandbox sandbox;

/* What a sandbox transaction may do. */
typedef enum sandbox_access
{
	SANDBOX_READ_ONLY,			/* BEGIN READ ONLY */
	SANDBOX_SNAPSHOT,			/* BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY */
	SANDBOX_READ_WRITE			/* BEGIN READ WRITE: only with allow_writes */
} sandbox_access;

/* How a foreign statement is used by the text sent. */
typedef enum sandbox_use
{
	SANDBOX_PLAN,				/* planned only: EXPLAIN without ANALYZE, PREPARE */
	SANDBOX_EXECUTE				/* executed: EXPLAIN ANALYZE, or the statement itself */
} sandbox_use;

/*
 * A policy for one run (settings copied; the DSN too).  Never NULL.  Free
 * with sandbox_policy_free after every sandbox of it is closed.
 */
sandbox_policy *sandbox_policy_create(const sandbox_settings *settings);
void		sandbox_policy_free(sandbox_policy *p);

/* The policy's settings, with the defaults filled in. */
const sandbox_settings *sandbox_policy_settings(const sandbox_policy *p);

/*
 * The policy's account of what it did, for the report (caller
 * json_decref's it): whether pg_stat_statements was told to ignore
 * pgsift, the statement budget and what was sent of it, and every
 * foreign statement that was explained but not executed, with why.
 * docs/json-schema.md, "live.sandbox".
 */
json_t	   *sandbox_policy_report(sandbox_policy *p);

/*
 * Connect under p (pgc_connect: hints, redacted DSN), then set the
 * session up: pg_stat_statements tracking off where the role may.  NULL
 * after printing the error.  Close with sandbox_close.
 */
sandbox    *sandbox_connect(sandbox_policy *p);

/* Close the connection (rolling back an open transaction); NULL is allowed. */
void		sandbox_close(sandbox *s);

sandbox_policy *sandbox_get_policy(sandbox *s);

/* The connection, for what libpq knows of it (PQdb, PQuser, PQhost, escaping). */
pg_conn    *sandbox_conn(sandbox *s);

/* Whether the connection still works. */
int			sandbox_alive(sandbox *s);

/* Message and SQLSTATE of the last failure on s ("" when none; see pgc_last_error). */
const char *sandbox_last_error(sandbox *s);
const char *sandbox_last_sqlstate(sandbox *s);

/* Whether the last failure on s was a refusal by the sandbox itself (nothing sent). */
int			sandbox_last_refused(sandbox *s);

/*
 * Open a sandbox transaction (with the policy's limits SET LOCAL).  0, or
 * -1 when it could not be opened, a transaction is already open, or
 * READ_WRITE was asked without allow_writes (refused, nothing sent).
 */
int			sandbox_begin(sandbox *s, sandbox_access access);

/*
 * End the transaction with ROLLBACK, always, then deallocate what
 * sandbox_prepare made.  0, or -1 when the rollback failed (the
 * connection is then broken: it is closed).  A no-op without a
 * transaction.
 */
int			sandbox_end(sandbox *s);

/* Turn the open READ WRITE transaction read-only (SET TRANSACTION READ ONLY). */
int			sandbox_make_read_only(sandbox *s);

/*
 * pgsift's own statement (its constant text, or one it built from
 * catalog identifiers), inside the open transaction; refused without
 * one.  The result when it succeeded (caller PQclear's it), else NULL.
 */
PGresult   *sandbox_query(sandbox *s, const char *sql, int nparams, const char *const *params);

/* sandbox_query without a result: 0 or -1. */
int			sandbox_exec(sandbox *s, const char *sql);

/*
 * sandbox_query in a transaction of its own (READ ONLY, rolled back) when
 * none is open, else in the open one.
 */
PGresult   *sandbox_read(sandbox *s, const char *sql, int nparams, const char *const *params);

/*
 * A statement taken from a log, sent as prefix + stmt (prefix e.g.
 * "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ", or "" to run it), inside
 * the open transaction.  Refused (NULL, sandbox_last_refused) when stmt
 * is not one SELECT or DML statement; when use is SANDBOX_EXECUTE and the
 * screen does not pass it (the reason is recorded for the report), or it
 * is DML outside a READ WRITE transaction; or when the statement budget
 * is spent.  Else as sandbox_query.
 */
PGresult   *sandbox_foreign(sandbox *s, sandbox_use use, const char *prefix, const char *stmt,
							int nparams, const char *const *params);

/*
 * PREPARE name AS stmt (a foreign statement, planned only) in the open
 * transaction; sandbox_end deallocates it (prepared statements outlive a
 * rollback).  0 or -1.
 */
int			sandbox_prepare(sandbox *s, const char *name, const char *stmt);

/* DEALLOCATE what sandbox_prepare made under name, now, in the open transaction; 0 or -1. */
int			sandbox_deallocate(sandbox *s, const char *name);

/*
 * Whether foreign stmt may be executed in a transaction of the given
 * access: 1 yes; 0 no, with *reason (malloc'd) saying why, e.g. "calls
 * volatile function pg_terminate_backend(integer,bigint)".  Verdicts are
 * cached per text for the run; a statement refused here is recorded for
 * the report.  With execute_volatile it is always 1 (a warning says what
 * the statement calls).  Runs its catalog queries in the open
 * transaction, or in one of its own.
 */
int			sandbox_screen(sandbox *s, const char *stmt, sandbox_access access, char **reason);

/*
 * Open a savepoint in the open transaction, so that what follows can
 * fail without aborting it; sandbox_release(s, 0) releases it,
 * sandbox_release(s, 1) rolls back to it first (after a failure).  They
 * nest.  0 or -1.  sandbox_end forgets open ones.
 */
int			sandbox_savepoint(sandbox *s);
int			sandbox_release(sandbox *s, int roll_back);

/* What became of one migration statement sent to sandbox_migration. */
typedef enum sandbox_step
{
	SANDBOX_STEP_RAN,			/* it ran (in its savepoint, released) */
	SANDBOX_STEP_FAILED,		/* the server raised an error; rolled back to the savepoint */
	SANDBOX_STEP_SKIPPED,		/* not sent: transaction control, SET (the trace keeps its own) */
	SANDBOX_STEP_REFUSED		/* not sent: a kind the trace never runs, or the screen said no */
} sandbox_step;

typedef struct sandbox_step_result
{
	sandbox_step step;
	char	   *sent;			/* the text sent when it is not the statement (CONCURRENTLY dropped), or NULL */
	char	   *note;			/* why it was skipped or refused, or how it was changed, or NULL */
	char	   *error;			/* FAILED: the server's message */
	char	   *sqlstate;		/* FAILED: its SQLSTATE */
} sandbox_step_result;

/*
 * A statement of the user's migration (pgsift migration --measure plan
 * or real), in the open READ WRITE transaction, inside a savepoint.  The
 * sandbox decides what may be sent (sandbox_migration.c: an allowlist of
 * DDL, and the migration's DML; never DO, CALL, COPY, CREATE EXTENSION,
 * event triggers, foreign servers, ...), refuses everything while the
 * database has an enabled event trigger, and screens what the statement
 * evaluates (screen_migration_statement) against the catalog as the
 * migration has changed it so far.  CONCURRENTLY is dropped (it cannot
 * run in a transaction block), and *out says so.  Returns out->step;
 * free *out with sandbox_step_result_free.
 */
sandbox_step sandbox_migration(sandbox *s, const char *stmt, sandbox_step_result *out);
void		sandbox_step_result_free(sandbox_step_result *r);

/* Whether the policy allows READ WRITE transactions (--measure real). */
int			sandbox_writes_allowed(const sandbox *s);

/* Whether extension name is installed in the connected database. */
int			sandbox_has_extension(sandbox *s, const char *name);

/*
 * Whether the current role is superuser or a member of role (0 also when
 * the role does not exist or the query failed).
 */
int			sandbox_has_role(sandbox *s, const char *role);

#endif
