/*-------------------------------------------------------------------------
 * store_private.h
 *    What the store's source files share; not for use outside them.
 *
 * store.c opens the file, owns the schema and the transactions, and has
 * the column helpers; store_model.c writes and reads the model's rows,
 * store_sequences.c its session-sequence tables; store_files.c computes
 * file identities and keeps the files table.  Each function here runs
 * inside a transaction the caller (store.c) opened, and reports its own
 * errors.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STORE_PRIVATE_H
#define PGSIFT_STORE_PRIVATE_H

#include "store.h"

#include <sqlite3.h>

/*
 * A log file as store_resume_offset saw it before it was read, so that the
 * save records that file even if its path names another one by then (a
 * log rotated during the run).
 */
typedef struct store_seen_file
{
	char	   *path;			/* malloc'd */
	char		identity[STORE_IDENTITY_LEN + 1];
	size_t		head_len;
} store_seen_file;

struct store
{
	sqlite3    *db;
	char	   *path;			/* as given, for messages (malloc'd) */
	int64_t		generation;		/* meta.generation when last opened, loaded or saved */
	store_seen_file *seen;		/* files looked up by store_resume_offset */
	int			nseen;
	int			seen_cap;
};

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

/* Write every row of the model (the tables are emptied first); 0 or -1. */
int			store_model_write(store *s, workload *w);

/* Read the stored rows into the empty model w; 0 or -1. */
int			store_model_read(store *s, workload *w);

/*
 * The session-sequence tables (store_sequences.c), after the queries' rows
 * (they refer to them): writing closes the runs still open in w; reading
 * warns when the stored figures were kept with other thresholds than w's.
 * 0 or -1.
 */
int			store_sequences_write(store *s, workload *w);
int			store_sequences_read(store *s, workload *w);

/* Record the opened files of a run in the files table; 0 or -1. */
int			store_files_write(store *s, const ingest_file *files, int nfiles);

#endif
