/*-------------------------------------------------------------------------
 * pg_conn.h
 *    pgsift's connection to a live PostgreSQL: connect, tag, query, report.
 *
 * Every statement pgsift sends starts with PGSIFT_STATEMENT_TAG and the
 * session runs with application_name=pgsift, so the workload model (and
 * pg_stat_statements readers) can leave pgsift's own work out.  Errors are
 * reported in PostgreSQL's style with a hint for the usual causes (server
 * down, authentication, missing privilege or extension).  Passwords never
 * appear in any message: DSNs are shown through pgc_redact_dsn.
 *
 * Nothing is sent at connect time: the sandbox (src/live/sandbox.c) sets the
 * session up and owns every statement.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_PG_CONN_H
#define PGSIFT_PG_CONN_H

#include <libpq-fe.h>
#include <stdint.h>

typedef struct pg_conn pg_conn;

/* Oldest server pgsift connects to (server_version_num). */
#define PGC_MIN_SERVER_VERSION 120000

/*
 * Connect to a libpq conninfo string or URI, or a bare database name (NULL
 * or "": PG* variables, .pgpass and service files as libpq does).  The
 * session's application_name is always pgsift: it wins over an
 * application_name in the DSN, in PGAPPNAME and in options='-c ...'.
 * Checks the server version (12 or later).  On failure prints the error
 * (primary/detail/hint, password redacted) and returns NULL.  The result is
 * freed with pgc_close.
 */
pg_conn    *pgc_connect(const char *dsn);

/* Close the connection and free c; NULL is allowed. */
void		pgc_close(pg_conn *c);

/* server_version_num, e.g. 150018. */
int			pgc_server_version(const pg_conn *c);

/* The underlying libpq connection (for PQescape*, PQdb and the like). */
PGconn	   *pgc_raw(pg_conn *c);

/*
 * Send one tagged statement (PGSIFT_STATEMENT_TAG and a space are
 * prepended here) with optional text parameters ($1...; PQexecParams when
 * nparams > 0, else PQexec).  Returns the result when its status is
 * COMMAND_OK or TUPLES_OK (caller PQclear's it), else NULL; the error is
 * then available from pgc_last_error/pgc_last_sqlstate and is NOT printed.
 *
 * Only the sandbox (src/live/sandbox.c) calls this: it owns the transaction,
 * the limits and the screen around every statement pgsift sends, and a
 * test fails when any other file sends one.
 */
PGresult   *pgc_query(pg_conn *c, const char *sql, int nparams, const char *const *params);

/*
 * Primary message and SQLSTATE of the last failed pgc_query (""
 * when none failed yet; the SQLSTATE is "" for client-side failures such as
 * a lost connection).  Valid until the next failure or pgc_close.
 */
const char *pgc_last_error(const pg_conn *c);
const char *pgc_last_sqlstate(const pg_conn *c);

/* Whether the connection still works (after a failure: server gone?). */
int			pgc_alive(pg_conn *c);


/*
 * A copy of dsn with every password (password= and sslpassword=, in
 * key=value form or as URI query parameters, and the user:password@ part of
 * a URI) replaced by "********" (malloc'd).  NULL gives NULL.
 */
char	   *pgc_redact_dsn(const char *dsn);

#endif
