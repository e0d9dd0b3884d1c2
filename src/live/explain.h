/*-------------------------------------------------------------------------
 * explain.h
 *    Run EXPLAIN for a statement taken from a log, safely.
 *
 * Every step goes through the sandbox (src/live/sandbox.c): plain queries run
 * in a READ ONLY transaction with its limits; DML runs under EXPLAIN
 * ANALYZE only when the user asked (--measure real), and its transaction
 * is always rolled back.  Utility statements, several statements in one
 * string and unparsable text are refused without being sent.  A
 * statement that fails the side-effect screen (screen.h) is explained
 * without ANALYZE: estimated, never executed, and the result says why.
 * A statement with $n placeholders and no values (pg_stat_statements'
 * text) gets a generic plan instead.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_EXPLAIN_H
#define PGSIFT_EXPLAIN_H

#include "src/live/sandbox.h"
#include "src/sql/plan.h"

typedef struct explain_request
{
	const char *sql;
	int			nparams;
	const char *const *params;	/* values as text; NULL = SQL NULL */
	int			analyze;		/* 1: EXPLAIN (ANALYZE, BUFFERS) when the screen
								 * lets it run; 0: costs only */
} explain_request;

typedef struct explain_result
{
	plan	   *plan;			/* NULL unless explain_run returned 0 */
	int			generic;		/* generic plan: no values, estimates only */
	int			refused;		/* not run: see reason */
	char	   *reason;			/* why refused (malloc'd) */
	char	   *error;			/* server or parse error (malloc'd) */
	char	   *sqlstate;		/* the error's SQLSTATE, "" when not the server's */
	char	   *not_executed;	/* ANALYZE was asked, the screen said no: why,
								 * e.g. "calls volatile function f(): explained,
								 * not executed" (malloc'd); the plan is estimated */
} explain_result;

/*
 * Explain req->sql on s, which must be idle (not inside a transaction).
 * Returns 0 when out->plan was produced (out->not_executed says when it
 * is estimated although ANALYZE was asked), -1 when refused (out->refused,
 * out->reason) or failed (out->error, out->sqlstate).  Every transaction
 * it opens is rolled back, also after an error, so s is idle again on
 * return.  Never prints.  The caller frees out with explain_result_free.
 */
int			explain_run(sandbox *s, const explain_request *req, explain_result *out);

/*
 * explain_run inside the transaction open on s (a migration's trace):
 * the EXPLAIN runs in a savepoint that is always rolled back, so neither
 * a failure nor what ANALYZE wrote stays in the transaction.  The
 * transaction is still open on return.
 */
int			explain_in_transaction(sandbox *s, const explain_request *req, explain_result *out);

/* Free what explain_run put in r and zero it; NULL is allowed. */
void		explain_result_free(explain_result *r);

#endif
