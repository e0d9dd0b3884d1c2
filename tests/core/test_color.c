/*-------------------------------------------------------------------------
 * test_color.c
 *    The colour decision over every combination of --color, NO_COLOR,
 *    PG_COLOR, TERM and a terminal; the --color names; PG_COLORS; the
 *    escapes.
 *
 * The exhaustive test asserts the documented rules as properties (each
 * layer of the precedence on its own), and a table pins the cases the
 * documentation gives as examples.
 *-------------------------------------------------------------------------
 */
#include "src/core/color.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <string.h>

static const color_when options[] = {COLOR_WHEN_UNSET, COLOR_WHEN_AUTO, COLOR_WHEN_ALWAYS, COLOR_WHEN_NEVER};
static const char *const no_colors[] = {NULL, "", "1", "0", "false"};
static const char *const pg_colors[] = {NULL, "", "always", "auto", "never", "yes", "ALWAYS"};
static const char *const terms[] = {NULL, "", "xterm-256color", "dumb"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int
set(const char *v)
{
	return v != NULL && *v != '\0';
}

/* Every combination, each rule of color.h checked where it applies. */
static void
test_decide_exhaustive(void)
{
	int			combinations = 0;

	for (size_t o = 0; o < N(options); o++)
		for (size_t n = 0; n < N(no_colors); n++)
			for (size_t p = 0; p < N(pg_colors); p++)
				for (size_t t = 0; t < N(terms); t++)
					for (int tty = 0; tty <= 1; tty++)
					{
						const char *nc = no_colors[n],
								   *pg = pg_colors[p],
								   *term = terms[t];
						int			got = color_decide(options[o], nc, pg, term, tty);

						combinations++;
						CU_ASSERT(got == 0 || got == 1);
						/* an explicit --color decides alone */
						if (options[o] == COLOR_WHEN_ALWAYS)
							CU_ASSERT_EQUAL(got, 1);
						if (options[o] == COLOR_WHEN_NEVER)
							CU_ASSERT_EQUAL(got, 0);
						if (options[o] == COLOR_WHEN_AUTO)
							CU_ASSERT_EQUAL(got, tty);
						if (options[o] != COLOR_WHEN_UNSET)
							continue;
						/* empty values are unset values */
						CU_ASSERT_EQUAL(got, color_decide(options[o], set(nc) ? nc : NULL, set(pg) ? pg : NULL,
														  set(term) ? term : NULL, tty));
						/* then NO_COLOR, whatever its value */
						if (set(nc))
						{
							CU_ASSERT_EQUAL(got, 0);
							continue;
						}
						/* then PG_COLOR as psql reads it, TERM no longer asked */
						if (set(pg))
						{
							int			psql = strcmp(pg, "always") == 0 || (strcmp(pg, "auto") == 0 && tty);

							CU_ASSERT_EQUAL(got, psql);
							continue;
						}
						/* then a terminal that is not dumb */
						CU_ASSERT_EQUAL(got, tty && !(term && strcmp(term, "dumb") == 0));
					}
	CU_ASSERT_EQUAL(combinations, (int) (N(options) * N(no_colors) * N(pg_colors) * N(terms) * 2));
}

/* Colour never reaches a file or a pipe unless something asks for it by name. */
static void
test_no_colour_off_a_terminal_by_default(void)
{
	for (size_t n = 0; n < N(no_colors); n++)
		for (size_t p = 0; p < N(pg_colors); p++)
			for (size_t t = 0; t < N(terms); t++)
			{
				int			asked = pg_colors[p] && strcmp(pg_colors[p], "always") == 0 && !set(no_colors[n]);

				CU_ASSERT_EQUAL(color_decide(COLOR_WHEN_UNSET, no_colors[n], pg_colors[p], terms[t], 0), asked);
			}
}

static void
test_decide_examples(void)
{
	static const struct
	{
		color_when	option;
		const char *no_color,
				   *pg_color,
				   *term;
		int			tty,
					want;
	}			cases[] = {
		{COLOR_WHEN_UNSET, NULL, NULL, "xterm", 1, 1},	/* a terminal */
		{COLOR_WHEN_UNSET, NULL, NULL, "xterm", 0, 0},	/* a pipe */
		{COLOR_WHEN_UNSET, NULL, NULL, NULL, 1, 1},	/* no TERM: still a terminal */
		{COLOR_WHEN_UNSET, NULL, NULL, "dumb", 1, 0},
		{COLOR_WHEN_UNSET, "1", NULL, "xterm", 1, 0},	/* no-color.org */
		{COLOR_WHEN_UNSET, "", NULL, "xterm", 1, 1},	/* empty: unset */
		{COLOR_WHEN_UNSET, "1", "always", "xterm", 1, 0},	/* NO_COLOR > PG_COLOR */
		{COLOR_WHEN_UNSET, NULL, "always", NULL, 0, 1},	/* psql: always, even to a pipe */
		{COLOR_WHEN_UNSET, NULL, "auto", "dumb", 1, 1},	/* psql's auto asks only isatty */
		{COLOR_WHEN_UNSET, NULL, "never", "xterm", 1, 0},
		{COLOR_WHEN_UNSET, NULL, "sometimes", "xterm", 1, 0},	/* psql: otherwise not used */
		{COLOR_WHEN_ALWAYS, "1", "never", "dumb", 0, 1},	/* --color > everything */
		{COLOR_WHEN_NEVER, NULL, "always", "xterm", 1, 0},
		{COLOR_WHEN_AUTO, "1", "never", "dumb", 1, 1},	/* an explicit auto overrides the environment */
		{COLOR_WHEN_AUTO, NULL, "always", "xterm", 0, 0},
	};

	for (size_t i = 0; i < N(cases); i++)
	{
		int			got = color_decide(cases[i].option, cases[i].no_color, cases[i].pg_color, cases[i].term,
									   cases[i].tty);

		if (got != cases[i].want)
			fprintf(stderr, "\n  case %zu: got %d, want %d\n", i, got, cases[i].want);
		CU_ASSERT_EQUAL(got, cases[i].want);
	}
}

static void
test_when_names(void)
{
	CU_ASSERT_EQUAL(color_when_from_name("auto"), COLOR_WHEN_AUTO);
	CU_ASSERT_EQUAL(color_when_from_name("always"), COLOR_WHEN_ALWAYS);
	CU_ASSERT_EQUAL(color_when_from_name("never"), COLOR_WHEN_NEVER);
	CU_ASSERT_EQUAL(color_when_from_name(""), -1);
	CU_ASSERT_EQUAL(color_when_from_name("Always"), -1);
	CU_ASSERT_EQUAL(color_when_from_name("yes"), -1);
}

static void
test_pg_colors_values(void)
{
	char		buf[32];

	CU_ASSERT_TRUE(color_pg_colors_value("error=01;31:warning=4", "warning", buf, sizeof(buf)));
	ASSERT_STR(buf, "4");
	CU_ASSERT_TRUE(color_pg_colors_value("error=01;31:warning=4", "error", buf, sizeof(buf)));
	ASSERT_STR(buf, "01;31");
	/* the last of a key counts; a key is matched whole */
	CU_ASSERT_TRUE(color_pg_colors_value("error=1:error=2", "error", buf, sizeof(buf)));
	ASSERT_STR(buf, "2");
	CU_ASSERT_FALSE(color_pg_colors_value("errors=1:xerror=1:err=1", "error", buf, sizeof(buf)));
	CU_ASSERT_FALSE(color_pg_colors_value(NULL, "error", buf, sizeof(buf)));
	CU_ASSERT_FALSE(color_pg_colors_value("", "error", buf, sizeof(buf)));
	CU_ASSERT_FALSE(color_pg_colors_value("::error", "error", buf, sizeof(buf)));
	/* an empty or non-SGR value is ignored: the variable cannot inject escapes */
	CU_ASSERT_FALSE(color_pg_colors_value("error=", "error", buf, sizeof(buf)));
	CU_ASSERT_FALSE(color_pg_colors_value("error=1m\033]0;owned\007", "error", buf, sizeof(buf)));
	CU_ASSERT_FALSE(color_pg_colors_value("error=31 ", "error", buf, sizeof(buf)));
	CU_ASSERT_FALSE(color_pg_colors_value("error=1;2;3;4;5;6;7;8;9;10;11;12;13;14", "error", buf, sizeof(buf)));
	/* an invalid later value leaves the earlier valid one */
	CU_ASSERT_TRUE(color_pg_colors_value("error=35:error=x", "error", buf, sizeof(buf)));
	ASSERT_STR(buf, "35");
	/* a value that does not fit the caller's buffer is not cut */
	CU_ASSERT_FALSE(color_pg_colors_value("error=01;31", "error", buf, 3));
}

/* An escape is ESC [ digits and semicolons m. */
static int
is_sgr(const char *s)
{
	size_t		n = strlen(s);

	if (n < 4 || strncmp(s, "\033[", 2) != 0 || s[n - 1] != 'm')
		return 0;
	return strspn(s + 2, "0123456789;") == n - 3;
}

static void
test_escapes(void)
{
	color_set_pg_colors(NULL);
	for (int r = 0; r < COLOR__COUNT; r++)
	{
		CU_ASSERT_TRUE(is_sgr(color_start(1, (color_role) r)));
		ASSERT_STR(color_start(0, (color_role) r), "");
	}
	ASSERT_STR(color_end(1), "\033[0m");
	ASSERT_STR(color_end(0), "");
	/* PostgreSQL's defaults for the message labels */
	ASSERT_STR(color_start(1, COLOR_DIAG_ERROR), "\033[01;31m");
	ASSERT_STR(color_start(1, COLOR_DIAG_WARNING), "\033[01;35m");
	ASSERT_STR(color_start(1, COLOR_DIAG_NOTE), "\033[01;36m");
	ASSERT_STR(color_start(1, COLOR_DIAG_LOCUS), "\033[01m");
	/* severities as documented: critical and high red, medium yellow */
	CU_ASSERT_PTR_NOT_NULL(strstr(color_start(1, COLOR_CRITICAL), "31"));
	CU_ASSERT_PTR_NOT_NULL(strstr(color_start(1, COLOR_HIGH), "31"));
	CU_ASSERT_PTR_NOT_NULL(strstr(color_start(1, COLOR_MEDIUM), "33"));

	/* PG_COLORS changes the labels it names, and only those */
	const char *heading = color_start(1, COLOR_HEADING);
	char		saved_heading[32];

	snprintf(saved_heading, sizeof(saved_heading), "%s", heading);
	color_set_pg_colors("warning=4:locus=bogus\033:unknown=1:error=07");
	ASSERT_STR(color_start(1, COLOR_DIAG_WARNING), "\033[4m");
	ASSERT_STR(color_start(1, COLOR_DIAG_ERROR), "\033[07m");
	ASSERT_STR(color_start(1, COLOR_DIAG_LOCUS), "\033[01m");
	ASSERT_STR(color_start(1, COLOR_DIAG_NOTE), "\033[01;36m");
	ASSERT_STR(color_start(1, COLOR_HEADING), saved_heading);
	color_set_pg_colors(NULL);
	ASSERT_STR(color_start(1, COLOR_DIAG_WARNING), "\033[01;35m");
}

PGSIFT_TEST_SUITE(add_color_suite)
{
	CU_pSuite	s = CU_add_suite("core/color", NULL, NULL);

	CU_add_test(s, "every combination of --color, NO_COLOR, PG_COLOR, TERM, tty", test_decide_exhaustive);
	CU_add_test(s, "off a terminal only when asked for by name", test_no_colour_off_a_terminal_by_default);
	CU_add_test(s, "the documented examples", test_decide_examples);
	CU_add_test(s, "--color=WHEN names", test_when_names);
	CU_add_test(s, "PG_COLORS values: whole keys, last wins, SGR only", test_pg_colors_values);
	CU_add_test(s, "the escapes, and PG_COLORS on the message labels", test_escapes);
}
