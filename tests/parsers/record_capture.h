/*-------------------------------------------------------------------------
 * record_capture.h
 *    Test helper: run a reader over text and keep copies of its records.
 *
 * Readers hand out records whose strings live only during the sink call;
 * the capture copies every string so tests can look at all records after
 * the reader is gone.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_RECORD_CAPTURE_H
#define PGSIFT_RECORD_CAPTURE_H

#include "parsers/reader.h"

typedef struct rcap
{
	log_record *recs;			/* copies; strings malloc'd */
	int			n;
	int			cap;
	diag_tally	tally;			/* malformed lines of the run */
} rcap;

/* A log_record_sink that appends a copy of rec to the rcap at ctx. */
void		rcap_sink(void *ctx, const log_record *rec);

/*
 * Feed text (lines separated by '\n'; a final newline is optional) to a
 * reader made by ops with the given prefix (NULL: the reader's default) and
 * syslog year, then finish it.  Records and malformed lines go to c, which
 * must be zeroed.  Returns 0, or -1 when the reader could not be created.
 */
int			rcap_run(const format_reader_ops *ops, const char *prefix, int syslog_year,
					 const char *text, rcap *c);

/* Feed a whole file the same way; -1 if it cannot be read. */
int			rcap_run_file(const format_reader_ops *ops, const char *prefix, const char *path,
						  rcap *c, uint64_t *lines);

void		rcap_free(rcap *c);

/*
 * Run a fresh reader of ops over text (file "test.log") into a new capture;
 * a reader that fails to start fails the test.  Free with rcap_done.
 */
rcap	   *rcap_read(const format_reader_ops *ops, const char *text);
void		rcap_done(rcap *c);

/*
 * The "entries" count of a column ("stderr", "rds", "syslog", ...) of
 * fixtures/expected-counts.tsv, or -1 when the file or column is missing.
 */
int			rcap_expected_entries(const char *column);

/* detect_log_format on the first 64 lines of text ('\n'-separated); *prefix gets its prefix. */
log_format	rcap_detect_text(const char *text, char **prefix);

#endif
