/*-------------------------------------------------------------------------
 * event_text.h
 *    Scanners for the PostgreSQL message texts the event assembler knows.
 *
 * Private to the event assembler (events.c) and its tests.  Each scanner
 * reads the bytes [s, end) of one message (PostgreSQL 15 wording with
 * lc_messages=C), returns pointers into those bytes, and allocates only
 * into a strbuf the caller passes; none keeps state between calls.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_EVENT_TEXT_H
#define PGSIFT_EVENT_TEXT_H

#include "src/lib/strbuf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Whether [s, end) starts with the string literal lit. */
#define EVTEXT_STARTS(s, end, lit) \
	((size_t) ((end) - (s)) >= sizeof(lit) - 1 && memcmp((s), (lit), sizeof(lit) - 1) == 0)

/* The protocol phase a statement line reports. */
typedef enum stmt_phase
{
	STMT_PHASE_SIMPLE,			/* "statement: q" */
	STMT_PHASE_EXECUTE,			/* "execute name[/portal]: q", "execute fetch from ..." */
	STMT_PHASE_PARSE,			/* "parse name: q" */
	STMT_PHASE_BIND				/* "bind name[/portal]: q", old "bind name to portal: q" */
} stmt_phase;

/* A statement line split into its parts; every pointer is into the message. */
typedef struct stmt_line
{
	stmt_phase	phase;
	const char *name;			/* prepared statement ("<unnamed>"); NULL if simple */
	size_t		name_len;
	const char *portal;			/* portal after '/' or " to "; NULL if none */
	size_t		portal_len;
	int			is_fetch;		/* "execute fetch from": more rows of an open portal */
	const char *query;			/* runs to the end of the message */
	size_t		query_len;
} stmt_line;

/*
 * Parse a decimal "123" or "123.456" at s.  Returns the first byte after
 * it and sets *out (correctly rounded, like strtod), or NULL if s does not
 * start with a digit.
 */
const char *evtext_number(const char *s, const char *end, double *out);

/*
 * If the message starts with "duration: X ms", set *ms and return the
 * byte after " ms" (== end for a bare duration); else NULL.
 */
const char *evtext_duration(const char *s, const char *end, double *ms);

/*
 * Recognise a statement line (the text after "duration: X ms  ", or a
 * log_statement line).  Returns 1 and fills *out, or 0 if s is not one.
 */
int			evtext_stmt_line(const char *s, const char *end, stmt_line *out);

/*
 * Split an auto_explain body (the text after "plan:").  *plan gets the
 * plan: the whole JSON object (*is_json = 1) or the text from the first
 * line after the query.  The Query Text, unescaped for JSON and without
 * trailing blank space, is appended to query.  Returns 1 if a Query Text
 * was found, 0 if not (query is then left as it was).
 */
int			evtext_plan(const char *s, const char *end, strbuf *query,
						const char **plan, int *is_json);

/*
 * "disconnection: session time: H:MM:SS.mmm ...": the session time in
 * milliseconds (hours may exceed 24).  Returns 1, or 0 if not found.
 */
int			evtext_session_time(const char *s, const char *end, double *ms);

/* The milliseconds of the last " after X ms" in the message; 1 or 0. */
int			evtext_after_ms(const char *s, const char *end, double *ms);

/* "temporary file: path \"...\", size N": N; returns 1, or 0. */
int			evtext_temp_file_size(const char *s, const char *end, int64_t *bytes);

/*
 * Find " key=value" (key preceded by a space) in a connection message.
 * The value ends at the next space, or, if to_end, at the end of the
 * message less a trailing " SSL enabled (...)" or " GSS (...)" clause
 * (application_name may hold spaces).  Returns 1 and sets *val, *len.
 */
int			evtext_find_kv(const char *s, const char *end, const char *key,
						   int to_end, const char **val, size_t *len);

/*
 * The SQLSTATE PostgreSQL attaches to a well-known error message (e.g.
 * "57014" for a statement timeout), or NULL.  For formats that do not log
 * %e, so that errors can still be grouped by class.
 */
const char *evtext_infer_sqlstate(const char *s, const char *end);

#endif
