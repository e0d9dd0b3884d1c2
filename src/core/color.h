/*-------------------------------------------------------------------------
 * color.h
 *    Whether pgsift colours what it writes to a terminal, and with which
 *    escapes.
 *
 * The decision is one pure function of the --color option, the
 * environment (NO_COLOR, PG_COLOR, TERM) and whether the stream is a
 * terminal, so that every combination can be tested; the precedence is
 * --color > NO_COLOR (no-color.org: any non-empty value) > PG_COLOR (as
 * psql reads it) > auto (a terminal whose TERM is not "dumb").
 *
 * Every escape sequence pgsift writes comes from color_start/color_end:
 * a role (a heading, a severity, a stderr label) maps to an SGR
 * parameter string such as "01;31".  The roles of stderr messages take
 * their SGR from PG_COLORS, as PostgreSQL's programs do (keys error,
 * warning, note, locus).  Only the text report and stderr are coloured;
 * JSON, Markdown and files written with -o never are.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_COLOR_H
#define PGSIFT_COLOR_H

#include <stddef.h>

/* The --color option; COLOR_WHEN_UNSET when it was not given. */
typedef enum color_when
{
	COLOR_WHEN_UNSET = -1,
	COLOR_WHEN_AUTO = 0,		/* on a terminal */
	COLOR_WHEN_ALWAYS,
	COLOR_WHEN_NEVER
} color_when;

/* What is coloured. */
typedef enum color_role
{
	COLOR_HEADING = 0,			/* a report section's heading */
	COLOR_CRITICAL,				/* finding severities */
	COLOR_HIGH,
	COLOR_MEDIUM,
	COLOR_LOW,
	COLOR_INFO,
	COLOR_SHARE_LARGE,			/* a profile bar: half the time or more */
	COLOR_SHARE_MEDIUM,			/* a tenth or more */
	COLOR_SHARE_SMALL,
	COLOR_DIAG_ERROR,			/* stderr: "error:" (PG_COLORS key error) */
	COLOR_DIAG_WARNING,			/* "warning:" (warning) */
	COLOR_DIAG_NOTE,			/* "DETAIL:", "HINT:" (note) */
	COLOR_DIAG_LOCUS,			/* "pgsift:" (locus) */
	COLOR__COUNT
} color_role;

/* "auto", "always", "never" to a color_when; -1 if unknown. */
int			color_when_from_name(const char *name);

/*
 * Whether to colour a stream: option is --color (COLOR_WHEN_UNSET when
 * not given); no_color, pg_color and term are the values of NO_COLOR,
 * PG_COLOR and TERM (NULL when unset; an empty value counts as unset);
 * is_tty whether the stream is a terminal.  An explicit --color decides
 * alone (auto: a terminal).  Otherwise a set NO_COLOR means no colour;
 * then PG_COLOR as psql reads it: "always" colours, "auto" colours a
 * terminal, any other value none; with neither, a terminal is coloured
 * unless TERM is "dumb".  Returns 1 or 0.
 */
int			color_decide(color_when option, const char *no_color, const char *pg_color,
						 const char *term, int is_tty);

/* color_decide with this process's environment and isatty(fd). */
int			color_decide_for_fd(color_when option, int fd);

/*
 * The escape that starts role's colour, or "" when on is 0.  The string
 * is static (stderr roles: until the next color_set_pg_colors).
 */
const char *color_start(int on, color_role role);

/* The escape that ends any colour ("\033[0m"), or "" when on is 0. */
const char *color_end(int on);

/*
 * Parse PG_COLORS (key=SGR pairs separated by colons, e.g.
 * "error=01;31:warning=01;35:note=01;36:locus=01") into the SGR of the
 * stderr roles; NULL restores PostgreSQL's defaults, which are also what
 * a key not given keeps.  A value that is not digits and semicolons (or
 * is longer than 31 characters) is ignored, so the variable cannot
 * inject other escapes; unknown keys are ignored, as psql does.
 */
void		color_set_pg_colors(const char *spec);

/*
 * Find key in a PG_COLORS spec: copy its SGR value into buf (size bytes)
 * and return 1, or return 0 when the key is absent or its value invalid
 * (the rules of color_set_pg_colors).  The last valid occurrence wins.
 */
int			color_pg_colors_value(const char *spec, const char *key, char *buf, size_t size);

#endif
