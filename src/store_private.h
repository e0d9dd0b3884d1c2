/*-------------------------------------------------------------------------
 * store_private.h
 *    What the store's source files share; not for use outside them.
 *
 * store.c opens the file, owns the schema and the transactions;
 * store_model.c writes and reads the model's rows; store_files.c computes
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

/* Bind helpers: 64-bit counters keep their bit pattern in a signed INTEGER. */
void		store_bind_u64(sqlite3_stmt *st, int col, uint64_t v);
uint64_t	store_column_u64(sqlite3_stmt *st, int col);

/* Write every row of the model (the tables are emptied first); 0 or -1. */
int			store_model_write(store *s, workload *w);

/* Read the stored rows into the empty model w; 0 or -1. */
int			store_model_read(store *s, workload *w);

/* Record the opened files of a run in the files table; 0 or -1. */
int			store_files_write(store *s, const ingest_file *files, int nfiles);

#endif
