/*-------------------------------------------------------------------------
 * explain.h
 *    Run EXPLAIN for a statement taken from a log, safely.
 *
 * Only plain queries run, in a READ ONLY transaction with statement and
 * lock timeouts; DML runs under EXPLAIN ANALYZE only when the user asked
 * (--measure real), and its transaction is always rolled back.  Utility
 * statements, several statements in one string and unparsable text are
 * refused without being sent.  A statement with $n placeholders and no
 * values (pg_stat_statements' text) gets a generic plan instead.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_EXPLAIN_H
#define PGSIFT_EXPLAIN_H

#include "pg_conn.h"
#include "plan.h"

typedef struct explain_request
{
	const char *sql;
	int			nparams;
	const char *const *params;	/* values as text; NULL = SQL NULL */
	int			analyze;		/* 1: EXPLAIN (ANALYZE, BUFFERS); 0: costs only */
	int			allow_dml;		/* --measure real */
	int			statement_timeout_ms;	/* <= 0: 5000 */
	int			lock_timeout_ms;	/* <= 0: 1000 */
} explain_request;

typedef struct explain_result
{
	plan	   *plan;			/* NULL unless explain_run returned 0 */
	int			generic;		/* generic plan: no values, estimates only */
	int			refused;		/* not run: see reason */
	char	   *reason;			/* why refused (malloc'd) */
	char	   *error;			/* server or parse error (malloc'd) */
	char	   *sqlstate;		/* the error's SQLSTATE, "" when not the server's */
} explain_result;

/*
 * Explain req->sql on c, which must be idle (not inside a transaction).
 * Returns 0 when out->plan was produced, -1 when refused (out->refused,
 * out->reason) or failed (out->error, out->sqlstate).  Every transaction
 * it opens is rolled back, also after an error, so c is idle again on
 * return.  Never prints.  The caller frees out with explain_result_free.
 */
int			explain_run(pg_conn *c, const explain_request *req, explain_result *out);

/* Free what explain_run put in r and zero it; NULL is allowed. */
void		explain_result_free(explain_result *r);

#endif
