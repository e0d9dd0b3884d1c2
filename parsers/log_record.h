/*-------------------------------------------------------------------------
 * log_record.h
 *    One PostgreSQL log message, as every reader delivers it.
 *
 * A record is a whole message: the primary line plus its continuation lines
 * and its DETAIL/HINT/CONTEXT/STATEMENT/QUERY parts, whatever the format.
 * Readers fill what their format carries and leave the rest NULL / -1.
 * Strings are NUL-terminated and owned by the reader: they are valid only
 * during the sink callback that receives the record.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_LOG_RECORD_H
#define PGSIFT_LOG_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define LOG_TS_UNKNOWN INT64_MIN

/* utc_offset_min of a time that carries no zone, or one not recognised (read as UTC). */
#define LOG_UTC_OFFSET_UNKNOWN INT32_MIN

typedef enum log_severity
{
	SEV_UNKNOWN = 0,
	SEV_DEBUG,
	SEV_INFO,
	SEV_NOTICE,
	SEV_WARNING,
	SEV_LOG,
	SEV_ERROR,
	SEV_FATAL,
	SEV_PANIC
} log_severity;

/* Who wrote a record: the server, or pgBouncer in front of it. */
typedef enum log_source
{
	LOG_SOURCE_SERVER = 0,
	LOG_SOURCE_PGBOUNCER		/* parsers/pgbouncer_reader.c */
} log_source;

typedef struct log_record
{
	/*
	 * pgBouncer's records (source LOG_SOURCE_PGBOUNCER) carry the socket's
	 * database, user and address in dbname, user, remote_host and
	 * remote_port, its side in backend_type ("client" or "server"; NULL for
	 * the pooler's own messages), and the text after the socket in message.
	 */
	log_source	source;

	/* where it came from */
	const char *file;			/* name as given on the command line */
	uint64_t	line;			/* first physical line, 1-based */

	/* when and who; unknown: LOG_TS_UNKNOWN, -1 or NULL */
	int64_t		ts_ms;			/* Unix epoch milliseconds, UTC */
	int32_t		utc_offset_min; /* the zone ts_ms was written in: minutes east
								 * of UTC, or LOG_UTC_OFFSET_UNKNOWN */
	int64_t		session_start_ms;
	int32_t		pid;
	int32_t		leader_pid;
	const char *session_id;		/* %c, "hex.hex" */
	int64_t		session_line;	/* %l */
	const char *user;
	const char *dbname;
	const char *app;
	const char *remote_host;
	const char *remote_port;
	const char *backend_type;
	const char *command_tag;	/* %i / ps */
	const char *vxid;			/* %v */
	int64_t		xid;			/* %x; 0 = none */
	int64_t		query_id;		/* %Q; 0 = none */
	char		sqlstate[6];	/* "" when unknown */

	/* what */
	log_severity severity;
	const char *message;		/* primary text; continuation lines joined by '\n' */
	size_t		message_len;
	const char *detail;
	const char *hint;
	const char *context;
	const char *statement;		/* the STATEMENT: part (query of an error) */
	const char *internal_query;
} log_record;

/* Called once per record, in log order.  ctx is the caller's. */
typedef void (*log_record_sink) (void *ctx, const log_record *rec);

/* Room for a session key built from a pid ("pid:" and up to 11 digits). */
#define LOG_SESSION_KEY_BUF 16

/*
 * The session a record belongs to: its %c session id when the log has one,
 * else "pid:N" (written into buf), else "" when nothing tells sessions
 * apart.  *len gets the key's length.  This is the one rule for keying
 * sessions: the event assembler and the workload model both use it.
 */
const char *log_record_session_key(const log_record *rec, char buf[LOG_SESSION_KEY_BUF], size_t *len);

/* Reset every field to "unknown". */
void		log_record_clear(log_record *rec);

/* "LOG", "ERROR", ... to a severity (SEV_UNKNOWN if not one); len bytes of s. */
log_severity log_severity_from_name(const char *s, size_t len);
const char *log_severity_name(log_severity sev);

#endif
