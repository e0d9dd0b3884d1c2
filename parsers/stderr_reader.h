/*-------------------------------------------------------------------------
 * stderr_reader.h
 *    Message assembly shared by the stderr, RDS and syslog readers.
 *
 * All three see the same logical lines once the syslog envelope is taken
 * off: "<prefix>SEVERITY:  text", where a primary severity (LOG, ERROR,
 * ...) starts a message, DETAIL/HINT/CONTEXT/STATEMENT/QUERY/LOCATION lines
 * of the same process add parts to it, and lines starting with a tab
 * continue the last part.  A msg_assembler turns such lines into
 * log_records and hands each to the sink when the next message starts or
 * at finish.  It holds one open record; its buffers are reused.
 *
 * This header is internal to the stderr family (stderr_reader.c,
 * syslog_reader.c, detect.c); the rest of pgsift uses reader.h.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_STDERR_READER_H
#define PGSIFT_STDERR_READER_H

#include "parsers/prefix.h"
#include "parsers/reader.h"

typedef struct msg_assembler msg_assembler;

/*
 * An assembler for cfg (copied; cfg->file must outlive it) reading lines
 * with cfg->prefix, or default_prefix when that is NULL.  Returns NULL
 * after reporting an error when the prefix does not compile.
 */
msg_assembler *msg_assembler_create(const reader_config *cfg, const char *default_prefix);

/*
 * One logical line (without newline) that began at physical line lineno.
 * pid, ts_ms and its utc_offset_min come from an envelope around the line
 * (syslog's header) and are used when the prefix carries none; pass -1,
 * LOG_TS_UNKNOWN and LOG_UTC_OFFSET_UNKNOWN when there is no envelope.  A
 * line that fits nothing is counted malformed.
 */
void		msg_assembler_line(msg_assembler *a, const char *line, size_t len, uint64_t lineno,
							   int32_t pid, int64_t ts_ms, int32_t utc_offset_min);

/* Deliver the open record, if any. */
void		msg_assembler_finish(msg_assembler *a);

void		msg_assembler_destroy(msg_assembler *a);

/* The part a logical line starts (PART_PRIMARY, PART_DETAIL, ...), or -1. */
int			msg_assembler_classify(msg_assembler *a, const char *line, size_t len);

/*
 * Whether line is a syslog line (kind 0: classic, 1: syslog2's ISO 8601
 * time, 2: Heroku's logplex envelope) from a program with a pid; if so
 * *payload is the text after "ident[pid]: " (logplex: after the dyno and
 * "[COLOR] ") and its "[N-M] " part number, still with the daemon's "#011"
 * escapes.  For format detection (syslog_reader.c).
 */
int			syslog_line_payload(int kind, const char *line, size_t len,
								const char **payload, size_t *payload_len);

/*
 * Whether line is a Cloud Logging entry with a textPayload; if so *text
 * gets the payload's first line (malloc'd), the server's log line with its
 * prefix.  For format detection (cloudsql_reader.c).
 */
int			cloudsql_line_payload(const char *line, size_t len, char **text);

/*
 * Whether line is pgBouncer's: 1 for its logfile's "TIME [PID] LEVEL ...",
 * 2 for a syslog line of a "pgbouncer[PID]:" program, 0 otherwise.  For
 * format detection (pgbouncer_reader.c).
 */
int			pgbouncer_line_shape(const char *line, size_t len);

#endif
