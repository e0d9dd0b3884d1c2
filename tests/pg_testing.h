/*-------------------------------------------------------------------------
 * pg_testing.h
 *    Helpers shared by the tests that talk to the throwaway server
 *    (test_pg_conn.c, test_pgss.c).
 *
 * The server is the one `make check` starts (PGHOST, PGPORT, PGUSER
 * postgres, trust authentication).  Besides pgsift's own connection, tests
 * use plain libpq connections ("admin" ones, as postgres) to set things up
 * and to look at the server from outside, untagged.  Messages pgsift
 * prints are checked by capturing stderr around the call.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_PG_TESTING_H
#define PGSIFT_PG_TESTING_H

#include <libpq-fe.h>

/* "host=$PGHOST port=$PGPORT " followed by extra (malloc'd). */
char	   *pg_test_dsn(const char *extra);

/* A port on 127.0.0.1 where nothing listens (bound, then released). */
int			pg_test_closed_port(void);

/*
 * For suite set-up, where CUnit's asserts may not run: a plain connection
 * as postgres to dbname with notices silenced, or NULL after printing the
 * error; and sql run on it, 0 or -1 after printing the error.
 */
PGconn	   *pg_test_setup_connect(const char *dbname);
int			pg_test_setup_exec(PGconn *conn, const char *sql);

/*
 * For suite set-up and clean-up: (re)create database name, empty (0, or
 * -1 after printing the error); drop it, its sessions with it.
 */
int			pg_test_create_database(const char *name);
void		pg_test_drop_database(const char *name);

/* A plain connection as postgres to dbname; asserts it works (NULL if not). */
PGconn	   *pg_test_admin(const char *dbname);

/* Run sql on conn; asserts success and returns 1, else prints the error and returns 0. */
int			pg_test_exec(PGconn *conn, const char *sql);

/* The first column of the first row of sql (malloc'd), or NULL. */
char	   *pg_test_value(PGconn *conn, const char *sql);

/* The throwaway server's stderr log file ($PGSIFT_PG_LOGDIR/postgresql.log; static). */
const char *pg_test_server_log(void);

/* The size of the file at path in bytes, or -1. */
long		pg_test_file_size(const char *path);

/* Send what is written to stderr from now on to a temporary file. */
void		pg_test_capture_begin(void);

/* Restore stderr; returns what was written meanwhile (malloc'd). */
char	   *pg_test_capture_end(void);

/* Assert that text contains (or, with want 0, lacks) needle; shows text if not. */
void		pg_test_assert_has(const char *text, const char *needle, int want);

#endif
