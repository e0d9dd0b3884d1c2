/*-------------------------------------------------------------------------
 * store_private.h
 *    What the store's source files share; not for use outside them.
 *
 * store.c opens the file and owns the schema and the transactions;
 * store_model.c writes and reads the model's rows, store_minute_latency.c
 * the minutes' latency histograms, store_sequences.c its session-sequence
 * tables; store_files.c computes file identities, keeps the files table
 * and remembers the files looked up during a run; all of them talk to
 * SQLite through store_sql.c.  Each function here runs
 * inside a transaction the caller (store.c) opened, and reports its own
 * errors.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STORE_PRIVATE_H
#define PGSIFT_STORE_PRIVATE_H

#include "src/store/store.h"

#include <sqlite3.h>

struct store
{
	sqlite3    *db;
	char	   *path;			/* as given, for messages (malloc'd) */
	int64_t		generation;		/* meta.generation when last opened, loaded or saved */
	struct store_seen *seen;	/* files looked up by store_resume_offset (store_files.c) */
};

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

/*
 * The minutes' latency histograms (store_minute_latency.c), as model_state
 * pairs: writing after the model_state rows were emptied, reading after
 * the minutes' rows.  0 or -1.
 */
int			store_minute_latency_write(store *s, workload *w);
int			store_minute_latency_read(store *s, workload *w);

/*
 * Each query's calls over time (store_query_series.c), as model_state
 * pairs: writing after the model_state rows were emptied, reading after
 * the queries' rows.  0 or -1.
 */
int			store_query_series_write(store *s, workload *w);
int			store_query_series_read(store *s, workload *w);

/* Record the opened files of a run in the files table; 0 or -1. */
int			store_files_write(store *s, const ingest_file *files, int nfiles);

/* Free the list of files looked up so far (store_close). */
void		store_files_forget(store *s);

#endif
