/*-------------------------------------------------------------------------
 * prefix.h
 *    log_line_prefix: compiled once into a pattern, matched on every line.
 *
 * The stderr, RDS and syslog readers all see lines of the shape
 *
 *     <log_line_prefix expanded>SEVERITY:  text
 *
 * prefix_compile() turns a log_line_prefix (the server setting, with every
 * PostgreSQL 15 escape and the %-10u padding forms) into one anchored PCRE2
 * pattern, JIT-compiled, that also takes the severity word.  prefix_match()
 * runs it and fills the record fields the prefix carries.  Timestamps go
 * through log_time.h, whose one-entry cache makes the usual case (the same
 * second as the line before) two short compares.
 *
 * prefix_learn() infers a prefix from sample lines when none of the known
 * ones fits (detect.c calls it).
 *
 * A compiled prefix holds its match buffer and timestamp caches, so it is
 * used by one thread at a time; each reader compiles its own.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_PREFIX_H
#define PGSIFT_PREFIX_H

#include "parsers/log_record.h"
#include "src/lib/strbuf.h"

#include <stddef.h>

/* What the severity word of a line makes of it. */
typedef enum prefix_part
{
	PART_PRIMARY = 0,			/* DEBUG, INFO, NOTICE, WARNING, LOG, ERROR, FATAL,
								 * PANIC: starts a record */
	PART_DETAIL,
	PART_HINT,
	PART_CONTEXT,
	PART_STATEMENT,
	PART_QUERY,					/* internal query */
	PART_LOCATION,				/* log_error_verbosity = verbose; not kept */
	PART__COUNT
} prefix_part;

typedef struct log_prefix log_prefix;

/*
 * Compile a log_line_prefix.  Escapes PostgreSQL ignores (an unknown letter,
 * a lone trailing '%') are ignored here too, so any string compiles unless
 * the resulting pattern is beyond PCRE2's limits.  Returns the compiled
 * prefix (free with prefix_free), or NULL with *errmsg set to a malloc'd
 * reason (when errmsg is not NULL).
 */
log_prefix *prefix_compile(const char *prefix, char **errmsg);

void		prefix_free(log_prefix *p);

/* The log_line_prefix the pattern was compiled from. */
const char *prefix_text(const log_prefix *p);

/* Whether the prefix has an escape giving a time (%t, %m or %n) / the pid (%p). */
int			prefix_has_time(const log_prefix *p);
int			prefix_has_pid(const log_prefix *p);

/*
 * Match the start of line (len bytes, no newline needed) against the prefix
 * followed by "SEVERITY:  ".  Returns the line's prefix_part, or -1 when it
 * does not match.  On a match *msg_start is the offset of the text after
 * the severity.
 *
 * When rec is not NULL, the fields the prefix carries are stored in it
 * (others are left alone, so clear rec first) and rec->severity is set for
 * a primary line.  String fields are appended to store, NUL-terminated, and
 * point into it: they stay valid until store is next changed.  Empty
 * values and PostgreSQL's "[unknown]" user, database and application give
 * NULL.  A time in an unknown zone abbreviation is read as UTC; the first
 * such zone is reported once per process as a warning.
 */
int			prefix_match(log_prefix *p, const char *line, size_t len,
						 log_record *rec, strbuf *store, size_t *msg_start);

/* Where one escape's value is in a line: offset (-1: not written, after a %q) and length. */
typedef struct prefix_value
{
	char		esc;			/* the escape's letter */
	long		start;
	size_t		len;			/* without padding spaces */
} prefix_value;

/*
 * Match line as prefix_match does, and store in values[0..max) where the
 * value of each escape that captures (%q, %% and ignored escapes do not)
 * is, in the order of the prefix; a %r's value runs through its "(port)".
 * *prefix_end is the offset of the severity word.  Returns the number of
 * values stored, or -1 when the line does not match.  For learning padded
 * prefixes, which needs the values' exact places.
 */
int			prefix_match_values(log_prefix *p, const char *line, size_t len, prefix_value *values,
								int max, size_t *prefix_end);

/*
 * Read a line that p does not match from what any prefix leaves to find:
 * the "SEVERITY:  " marker in its first PREFIX_MAX_BYTES bytes, a time at
 * its start ("YYYY-MM-DD HH:MM:SS[.fff] zone") and the first bracketed
 * number or "pid=N" before the marker as the pid.  Returns the line's
 * prefix_part (-1: no marker) and *msg_start as prefix_match does; in rec
 * (when not NULL) only the severity, the time and the pid are set (pid -1
 * when none was found): user, database and the rest stay unknown.
 */
int			prefix_match_fallback(log_prefix *p, const char *line, size_t len, log_record *rec,
								  size_t *msg_start);

/*
 * How many escapes of the log_line_prefix text prefix are of a letter in
 * set (in_set) or not in it (!in_set); padding ("%-10u") is skipped, "%%"
 * is the letter '%'.  For the learner's variants and for telling which
 * fields a prefix carries.
 */
int			prefix_count_escapes(const char *prefix, const char *set, int in_set);

/* How far into a line detection and learning look for the severity. */
#define PREFIX_MAX_BYTES 512

/*
 * Offset of the severity word in a line that has a "SEVERITY:  " marker
 * (LOG:  , ERROR:  , DETAIL:  ...) starting in its first max_prefix bytes,
 * or -1.  Used to find the prefix text when learning one.
 */
long		prefix_find_severity(const char *line, size_t len, size_t max_prefix);

/*
 * Infer a log_line_prefix from lines[0..n-1] (those without a severity
 * marker are ignored): the text before the severity of a few lines is read
 * as escapes (timestamps as %m/%t/%n, "[digits]" as [%p], "user@db" as
 * %u@%d, "hex.hex" as %c, "user=..." keywords, host(port) as %r, ...), and
 * the variants (with %q, with a word read as %a, with runs of spaces read
 * as padding) are verified against all lines.  Returns the malloc'd prefix that matches the most lines and sets
 * *matched to that count, or returns NULL when no line has a marker.
 */
char	   *prefix_learn(const char *const *lines, const size_t *lens, int n, int *matched);

/* Lines of lines[0..n-1] that p matches (any part). */
int			prefix_count_matches(log_prefix *p, const char *const *lines, const size_t *lens, int n);

#endif
