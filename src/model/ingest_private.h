/*-------------------------------------------------------------------------
 * ingest_private.h
 *    Between the files of ingestion (ingest.c, ingest_file.c); not for
 *    other modules.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_INGEST_PRIVATE_H
#define PGSIFT_INGEST_PRIVATE_H

#include "src/model/ingest.h"

/*
 * Detect format and prefix from the first lines of a file.  On success the
 * file's format/prefix are set; returns 0, or -1 when nothing fits (the
 * file is then read as stderr with PostgreSQL's default prefix, and every
 * line that does not match is counted as malformed).  A forced format or
 * prefix (opts) wins, with a warning when the lines look otherwise; stdin's
 * first lines are kept in f to be read again.
 */
int			ingest_detect_file(ingest_file *f, const ingest_options *opts);

/*
 * Warn about f, some of whose lines were read without its prefix: what
 * those lines lost (user, database, the prefix's other fields) and the
 * --prefix that keeps it.
 */
void		ingest_warn_fallback(const ingest_file *f);

#endif
