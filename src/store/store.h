/*-------------------------------------------------------------------------
 * store.h
 *    Persisting a workload model in an SQLite file, and resuming logs.
 *
 * `pgsift analyze --store FILE` loads the model saved by earlier runs,
 * reads only the part of each log file not read before, and saves the
 * grown model again; `pgsift report --store FILE` prints the report from
 * the file alone.  A log file is recognised by its content (a digest of
 * its first uncompressed bytes), not its name, so a rotated file that was
 * renamed or compressed since is resumed where the last run stopped.
 * The schema, the identity rule and the limits are in docs/store.md.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STORE_H
#define PGSIFT_STORE_H

#include "src/model/ingest.h"
#include "src/model/workload.h"

#include <stdint.h>

/* Uncompressed bytes at the start of a log file that identify it. */
#define STORE_IDENTITY_BYTES	4096

/* Length of an identity in hex digits (the buffer needs one more). */
#define STORE_IDENTITY_LEN		32

typedef struct store store;

/*
 * Open the store at path.  With create set, a missing or empty file
 * becomes a new store; an older schema is migrated in place.  Returns NULL
 * after reporting the reason (diag_error): the file is missing (create not
 * set), is not SQLite, is another application's database, was written by
 * a newer pgsift, or is locked by another run; without create, also
 * when no run was ever saved into it.  A file that is not a
 * pgsift store is never written to.
 */
store	   *store_open(const char *path, int create);

/* Close the store; NULL is allowed. */
void		store_close(store *s);

/*
 * Rebuild the stored model into w, which must be a fresh, empty model:
 * query statistics with their sketches, names, samples and plans, the
 * per-minute activity, session and event figures, the summary, and the
 * session-sequence tables (loops, insert runs, cache figures).  Open
 * sessions' statement windows and the cache's per-key entries are not
 * stored.  Warns (and goes on) when the sequence figures were kept with
 * other thresholds than w's.  Returns 0, or -1 after reporting the error
 * (w then holds part of the model; destroy it).
 */
int			store_load(store *s, workload *w);

/*
 * Replace the stored model with w, in one transaction (closing the
 * sequence runs still open in w's sessions first), and record for each
 * file that was opened (except standard input) its identity, path, format,
 * prefix, end_offset and line and record counts, so a later run resumes
 * it.  A file looked up with store_resume_offset before it was read is
 * recorded under the identity it had then, even if its path names another
 * file by now (rotated during the run).  Fails, reporting it, if another run saved to the store since this
 * one opened or loaded it (its data would otherwise be lost).  Returns 0
 * or -1; on -1 the store is unchanged.
 */
int			store_save(store *s, workload *w, const ingest_file *files, int nfiles);

/*
 * The identity of a log file: 32 hex digits (two 64-bit hashes) of its
 * first min(size, STORE_IDENTITY_BYTES) uncompressed bytes, read line by
 * line with '\n' between lines, so a compressed copy has the identity of
 * the plain file.  A file shorter than STORE_IDENTITY_BYTES gets another
 * identity once it grows; store_resume_offset still recognises it.
 * Returns 0, or -1 for standard input ("-") and for a file that cannot be
 * opened (not reported here: reading it will report it).
 */
int			store_file_identity(const char *path, char out[STORE_IDENTITY_LEN + 1]);

/*
 * Uncompressed bytes already ingested from the file with exactly that
 * identity; 0 if unknown (also after reporting a store error).  Prefer
 * store_resume_offset, which also finds a short log that has grown.
 */
uint64_t	store_ingested_offset(store *s, const char *identity);

/*
 * Uncompressed bytes already ingested from the log file at path, into
 * *offset: its identity is looked up, and if unknown, the files stored
 * while they were shorter than STORE_IDENTITY_BYTES whose content this
 * file begins with (a log that was still small and has grown since).
 * *offset is 0 if the file is unknown, cannot be read, or is standard
 * input.  The identity is remembered for store_save.  Returns 0, or -1
 * after reporting a store error.  This is the lookup the CLI should use
 * before ingesting a file.
 */
int			store_resume_offset(store *s, const char *path, uint64_t *offset);

#endif
