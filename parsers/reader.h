/*-------------------------------------------------------------------------
 * reader.h
 *    Log format readers: lines in, log_records out.
 *
 * Each format (stderr, csvlog, jsonlog, syslog, syslog2, rds, the hosted
 * ones, and pgBouncer's log) implements
 * the same line-fed interface, so the driver (read_log) can feed lines from
 * any input and parallel ingestion can feed a byte range of a file.  A
 * reader holds at most one incomplete record at a time; finish() flushes it.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_READER_H
#define PGSIFT_READER_H

#include "parsers/log_record.h"
#include "src/core/diag.h"

#include <stddef.h>
#include <stdint.h>

typedef enum log_format
{
	LOG_FORMAT_AUTO = 0,
	LOG_FORMAT_STDERR,
	LOG_FORMAT_CSVLOG,
	LOG_FORMAT_JSONLOG,
	LOG_FORMAT_SYSLOG,			/* "Mon DD HH:MM:SS host postgres[pid]: [N-M] ..." */
	LOG_FORMAT_SYSLOG2,			/* ISO timestamp variant */
	LOG_FORMAT_RDS,				/* stderr with prefix %t:%r:%u@%d:[%p]: */
	LOG_FORMAT_LOGPLEX,			/* Heroku: "TIME app[postgres.N]: [COLOR] [N-M] ..." */
	LOG_FORMAT_CNPG,			/* CloudNativePG: JSON lines, csvlog's fields under "record" */
	LOG_FORMAT_CLOUDSQL,		/* Cloud SQL: Cloud Logging entries, the line in "textPayload" */
	LOG_FORMAT_PGBOUNCER		/* pgBouncer's own log (its logfile, or through syslog) */
} log_format;

/* "stderr" etc. to a format; -1 if unknown.  "auto" gives LOG_FORMAT_AUTO. */
int			log_format_from_name(const char *name);
const char *log_format_name(log_format f);

typedef struct reader_config
{
	const char *file;			/* for records and malformed-line reports */
	const char *prefix;			/* log_line_prefix (stderr/syslog/rds); NULL: default */
	int			syslog_year;	/* year for syslog timestamps; 0: current */
	diag_tally *tally;			/* malformed lines are counted here */
	log_record_sink sink;
	void	   *sink_ctx;
} reader_config;

typedef struct format_reader format_reader;

typedef struct format_reader_ops
{
	log_format	format;
	/* NULL on error (e.g. a prefix that does not compile; reported). */
	format_reader *(*create) (const reader_config *cfg);
	/* One physical line, without newline; lineno is 1-based. */
	void		(*feed) (format_reader *r, const char *line, size_t len, uint64_t lineno);
	/* Flush the pending record, if any. */
	void		(*finish) (format_reader *r);
	void		(*destroy) (format_reader *r);
	/* Whether a line begins a new record (for splitting a file in chunks). */
	int			(*starts_record) (format_reader *r, const char *line, size_t len);
} format_reader_ops;

extern const format_reader_ops stderr_reader_ops;	/* also used for RDS */
extern const format_reader_ops rds_reader_ops;
extern const format_reader_ops csvlog_reader_ops;
extern const format_reader_ops jsonlog_reader_ops;
extern const format_reader_ops syslog_reader_ops;
extern const format_reader_ops syslog2_reader_ops;
extern const format_reader_ops logplex_reader_ops;
extern const format_reader_ops cnpg_reader_ops;
extern const format_reader_ops cloudsql_reader_ops;
extern const format_reader_ops pgbouncer_reader_ops;

/* The ops for a concrete format (not AUTO). */
const format_reader_ops *format_reader_for(log_format f);

/*
 * Guess the format, and for stderr-like formats the log_line_prefix, from
 * the first lines of a file (lines[0..n-1]).  *prefix_out gets a malloc'd
 * prefix (or NULL when the format carries no prefix).  Returns the format,
 * or LOG_FORMAT_AUTO when nothing fits.
 */
log_format	detect_log_format(const char *const *lines, const size_t *lens, int n, char **prefix_out);

#endif
