/*-------------------------------------------------------------------------
 * diag.h
 *    Messages in PostgreSQL's style, and the tally of malformed input.
 *
 * Every user-facing problem is a primary message (lower case, no trailing
 * period), an optional DETAIL and an optional HINT, printed to stderr as
 *
 *     pgsift: error: could not open log file "x.log": No such file or directory
 *     DETAIL:  ...
 *     HINT:  ...
 *
 * As with PostgreSQL's errdetail and errhint, the detail and the hint are
 * formats of their own, given (by diag_detail, diag_hint) before the
 * primary message that prints them: diag_error or diag_warning.  The
 * errno text goes in the primary message, as %m.
 *
 * Malformed input is never fatal: readers call diag_malformed(), which
 * counts the line and keeps the first few locations for the report.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_DIAG_H
#define PGSIFT_DIAG_H

#include <stdint.h>
#include <stdio.h>

/* Exit codes of the pgsift command; documented in docs/cli.md. */
#define PGSIFT_EXIT_OK			0	/* success */
#define PGSIFT_EXIT_FINDINGS	1	/* --fail-on threshold reached */
#define PGSIFT_EXIT_NOT_EXPLAINED 1	/* pgsift explain: the statement was refused or failed */
#define PGSIFT_EXIT_USAGE		2	/* bad command line */
#define PGSIFT_EXIT_NOINPUT		3	/* nothing could be read */
#define PGSIFT_EXIT_DATABASE	4	/* database connection or query failure */
#define PGSIFT_EXIT_STORE		5	/* the --store file could not be used */
#define PGSIFT_EXIT_WRITE		6	/* a report could not be written (-o, stdout) */
#define PGSIFT_EXIT_INTERNAL	70	/* a bug: please report it */

/* How many malformed-line locations are kept for the report. */
#define DIAG_MAX_SAMPLES 10

typedef struct diag_location
{
	char	   *file;			/* malloc'd */
	uint64_t	line;
	char	   *reason;			/* malloc'd */
} diag_location;

typedef struct diag_tally
{
	uint64_t	malformed;		/* malformed lines seen */
	uint64_t	fallback;		/* lines read without their prefix (time, pid, severity only) */
	uint64_t	fallback_first; /* line number of the first of them (0: none) */
	int			nsamples;
	diag_location samples[DIAG_MAX_SAMPLES];
} diag_tally;

/* Global switch set by --quiet: suppresses warnings and notices, never errors. */
extern int	diag_quiet;

/*
 * Whether the labels of messages ("pgsift:", "error:", "warning:",
 * "DETAIL:", "HINT:") are coloured (src/core/color.h); the command sets
 * it from --color and the environment for stderr.  Off by default.
 */
extern int	diag_color;

/*
 * Whether notices are printed: what pgsift says about its work that is
 * neither a warning nor an error (the format it found in a file, a file
 * resumed from a store).  The command sets it when stderr is a terminal,
 * so that a redirected or piped stderr holds warnings and errors only.
 * Off by default.
 */
extern int	diag_notices;

/*
 * The DETAIL (the facts) and the HINT (what to do) of this thread's next
 * diag_error or diag_warning, which prints and forgets them.  Each is a
 * printf format; diag_detail("%s", text) with a NULL text gives none, as
 * does a NULL fmt.  errno is left as it was, for a %m that follows.
 */
void		diag_detail(const char *fmt,...) __attribute__((format(printf, 1, 2)));
void		diag_hint(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/*
 * Print an error, or a warning (unless --quiet), with the detail and hint
 * given before it.  fmt is the primary message: printf, and %m for
 * strerror(errno).
 */
void		diag_error(const char *fmt,...) __attribute__((format(printf, 1, 2)));
void		diag_warning(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/*
 * Print "pgsift: " and the message (printf, %m) when diag_notices is on
 * and --quiet is not; a detail or hint staged is left for the next
 * warning or error.
 */
void		diag_notice(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/* Count one line of a file read without its log_line_prefix, at line (1-based). */
void		diag_fallback(diag_tally *t, uint64_t line);

/* Count one malformed line of file at line (1-based); reason is a short phrase. */
void		diag_malformed(diag_tally *t, const char *file, uint64_t line, const char *reason);

/* Add src's counts and samples (while room) into dst. */
void		diag_tally_merge(diag_tally *dst, const diag_tally *src);

/* Add offset to every line number t holds (t counted a part of a file numbered from its start). */
void		diag_tally_shift_lines(diag_tally *t, uint64_t offset);

void		diag_tally_free(diag_tally *t);

#endif
