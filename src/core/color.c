/*-------------------------------------------------------------------------
 * color.c
 *    The colour decision and the one table of escapes (color.h).
 *
 * Report colours are fixed: critical bold red, high red, medium yellow,
 * low cyan, info dim, headings bold, and the profile's bars red, yellow
 * or green by their share.  The stderr labels start from PostgreSQL's
 * defaults (error=01;31:warning=01;35:note=01;36:locus=01) and follow
 * PG_COLORS.
 *-------------------------------------------------------------------------
 */
#include "src/core/color.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SGR_MAX 32				/* an SGR parameter string and its NUL */

static const char *const default_sgr[COLOR__COUNT] = {
	[COLOR_HEADING] = "1",
	[COLOR_CRITICAL] = "01;31",
	[COLOR_HIGH] = "31",
	[COLOR_MEDIUM] = "33",
	[COLOR_LOW] = "36",
	[COLOR_INFO] = "2",
	[COLOR_SHARE_LARGE] = "31",
	[COLOR_SHARE_MEDIUM] = "33",
	[COLOR_SHARE_SMALL] = "32",
	[COLOR_DIAG_ERROR] = "01;31",
	[COLOR_DIAG_WARNING] = "01;35",
	[COLOR_DIAG_NOTE] = "01;36",
	[COLOR_DIAG_LOCUS] = "01",
};

/* "\033[" SGR "m" of each role, built from default_sgr and PG_COLORS. */
static char escapes[COLOR__COUNT][SGR_MAX + 4];
static int	escapes_built;

static int
is_set(const char *value)
{
	return value != NULL && value[0] != '\0';
}

int
color_when_from_name(const char *name)
{
	if (strcmp(name, "auto") == 0)
		return COLOR_WHEN_AUTO;
	if (strcmp(name, "always") == 0)
		return COLOR_WHEN_ALWAYS;
	if (strcmp(name, "never") == 0)
		return COLOR_WHEN_NEVER;
	return -1;
}

int
color_decide(color_when option, const char *no_color, const char *pg_color, const char *term, int is_tty)
{
	int			terminal = is_tty != 0;

	switch (option)
	{
		case COLOR_WHEN_ALWAYS:
			return 1;
		case COLOR_WHEN_NEVER:
			return 0;
		case COLOR_WHEN_AUTO:
			return terminal;
		case COLOR_WHEN_UNSET:
			break;
	}
	if (is_set(no_color))
		return 0;
	if (is_set(pg_color))
	{
		/* psql: always, or auto on a terminal; any other value means none */
		if (strcmp(pg_color, "always") == 0)
			return 1;
		return strcmp(pg_color, "auto") == 0 && terminal;
	}
	return terminal && !(is_set(term) && strcmp(term, "dumb") == 0);
}

int
color_decide_for_fd(color_when option, int fd)
{
	return color_decide(option, getenv("NO_COLOR"), getenv("PG_COLOR"), getenv("TERM"), isatty(fd));
}

/* Whether an SGR parameter string is digits and semicolons and fits. */
static int
valid_sgr(const char *s, size_t len)
{
	if (len == 0 || len >= SGR_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && s[i] != ';')
			return 0;
	return 1;
}

int
color_pg_colors_value(const char *spec, const char *key, char *buf, size_t size)
{
	size_t		keylen = strlen(key);
	int			found = 0;

	for (const char *p = spec ? spec : ""; *p;)
	{
		const char *end = strchr(p, ':');
		size_t		len = end ? (size_t) (end - p) : strlen(p);

		if (len > keylen && strncmp(p, key, keylen) == 0 && p[keylen] == '=' &&
			valid_sgr(p + keylen + 1, len - keylen - 1) && len - keylen - 1 < size)
		{
			memcpy(buf, p + keylen + 1, len - keylen - 1);
			buf[len - keylen - 1] = '\0';
			found = 1;
		}
		p += len;
		if (*p == ':')
			p++;
	}
	return found;
}

static void
set_escape(color_role role, const char *sgr)
{
	snprintf(escapes[role], sizeof(escapes[role]), "\033[%sm", sgr);
}

void
color_set_pg_colors(const char *spec)
{
	static const struct
	{
		color_role	role;
		const char *key;
	}			keys[] = {
		{COLOR_DIAG_ERROR, "error"}, {COLOR_DIAG_WARNING, "warning"},
		{COLOR_DIAG_NOTE, "note"}, {COLOR_DIAG_LOCUS, "locus"},
	};
	char		sgr[SGR_MAX];

	for (int r = 0; r < COLOR__COUNT; r++)
		set_escape((color_role) r, default_sgr[r]);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (color_pg_colors_value(spec, keys[i].key, sgr, sizeof(sgr)))
			set_escape(keys[i].role, sgr);
	escapes_built = 1;
}

const char *
color_start(int on, color_role role)
{
	if (!on || role < 0 || role >= COLOR__COUNT)
		return "";
	if (!escapes_built)
		color_set_pg_colors(NULL);
	return escapes[role];
}

const char *
color_end(int on)
{
	return on ? "\033[0m" : "";
}
