/*-------------------------------------------------------------------------
 * store_sql.h
 *    The store's SQLite helpers: statements, steps, column conversions and
 *    error reports, shared by every store file.
 *
 * The bottom of the store: it knows the SQLite handle and the file's name
 * (struct store, store_private.h) and nothing of the model.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STORE_SQL_H
#define PGSIFT_STORE_SQL_H

#include "src/store/store_private.h"

#include <sqlite3.h>
#include <stdint.h>

/* How long a store locked by another run is waited for. */
#define STORE_BUSY_TIMEOUT_MS	5000

/*
 * Report the last SQLite error on s as "could not <doing> store": a busy
 * database as locked, a full disk, a read-only or damaged file each with
 * their hint.
 */
void		store_report_sql(const store *s, const char *doing);

/* Prepare sql; NULL after reporting. */
sqlite3_stmt *store_prepare(store *s, const char *sql, const char *doing);

/* Step a statement that returns no row, then reset it; 0 or -1 (reported). */
int			store_step_done(store *s, sqlite3_stmt *st, const char *doing);

/* Step a SELECT: 1 a row, 0 done, -1 error (reported). */
int			store_step_row(store *s, sqlite3_stmt *st);

/* Bind helpers: 64-bit counters keep their bit pattern in a signed INTEGER. */
void		store_bind_u64(sqlite3_stmt *st, int col, uint64_t v);
uint64_t	store_column_u64(sqlite3_stmt *st, int col);

/* A non-finite double (a query's min_ms before any timed call) is stored as NULL. */
void		store_bind_real(sqlite3_stmt *st, int col, double v);
double		store_column_real(sqlite3_stmt *st, int col, double if_null);

/* LOG_TS_UNKNOWN is stored as NULL. */
void		store_bind_ts(sqlite3_stmt *st, int col, int64_t ts);
int64_t		store_column_ts(sqlite3_stmt *st, int col);

/* NULL binds SQL NULL; SQLite copies nothing, so text must outlive the step. */
void		store_bind_text(sqlite3_stmt *st, int col, const char *text);

/* A malloc'd copy of a text column; NULL for SQL NULL. */
char	   *store_column_strdup(sqlite3_stmt *st, int col);

/* Report that a stored value (what: "duration sketch of a query") does not decode. */
void		store_report_damaged(const store *s, const char *what);

#endif
