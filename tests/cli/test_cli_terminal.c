/*-------------------------------------------------------------------------
 * test_cli_terminal.c
 *    pgsift on a terminal and off it, end to end: the text report's
 *    colours (--color, NO_COLOR, PG_COLOR, TERM), the coloured labels of
 *    messages, and progress and notices on stderr only when it is a
 *    terminal.
 *
 * A terminal is a pseudo-terminal from script(1) (util-linux, in Debian's
 * essential bsdutils).  Every run starts from an environment without
 * NO_COLOR, PG_COLOR and PG_COLORS, with TERM=xterm, so that the
 * developer's own settings do not decide the outcome.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLEAN_ENV "env -u NO_COLOR -u PG_COLOR -u PG_COLORS TERM=xterm"

/* `pgsift ARGS` (shell words) with env (VAR=value words) added; stdout into *out. */
static int
run_piped(const char *env, const char *args, char **out)
{
	char		cmd[16384];

	snprintf(cmd, sizeof(cmd), CLEAN_ENV " %s '%s' %s", env, test_pgsift_binary(), args);
	return test_run(cmd, out);
}

/*
 * `pgsift ARGS` in a pseudo-terminal, stdout and stderr both on it unless
 * ARGS redirects one; what the terminal received into *out, without the
 * carriage returns the terminal adds before each newline.
 */
static int
run_tty(const char *env, const char *args, char **out)
{
	char		cmd[16384];

	snprintf(cmd, sizeof(cmd), CLEAN_ENV " %s script -qec \"'%s' %s\" /dev/null", env, test_pgsift_binary(),
			 args);
	int			st = test_run(cmd, out);
	char	   *w = *out;

	for (const char *r = *out; *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	*w = '\0';
	return st;
}

/* s without its SGR escapes (ESC [ ... m), in place. */
static char *
strip_sgr(char *s)
{
	char	   *w = s;

	for (const char *r = s; *r;)
	{
		if (r[0] == '\033' && r[1] == '[')
		{
			size_t		n = 2 + strspn(r + 2, "0123456789;");

			if (r[n] == 'm')
			{
				r += n + 1;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
	return s;
}

/*
 * Whether s holds an SGR escape (a colour).  The erase-line escape that
 * ends a progress line on a terminal is not one.
 */
static int
has_escape(const char *s)
{
	for (const char *p = s ? strstr(s, "\033[") : NULL; p; p = strstr(p + 1, "\033["))
		if (p[2 + strspn(p + 2, "0123456789;")] == 'm')
			return 1;
	return 0;
}

/* The report's text coloured: headings, a severity, a bar; without the escapes, the plain report. */
static void
test_colour_only_adds_escapes(void)
{
	char		args[4096];
	char	   *plain = NULL,
			   *colour = NULL,
			   *bare = NULL;

	snprintf(args, sizeof(args), "analyze -q '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(run_piped("", args, &plain), 0);
	CU_ASSERT_FALSE(has_escape(plain));
	snprintf(args, sizeof(args), "analyze -q --color=always '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(run_piped("", args, &colour), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(colour, "\033[1mProfile (top "));
	CU_ASSERT_PTR_NOT_NULL(strstr(colour, "\033[1mBottlenecks ("));
	CU_ASSERT_PTR_NOT_NULL(strstr(colour, "\033[1mSessions\033[0m\n"));
	/* the fixture's refused connections are a high finding */
	CU_ASSERT_PTR_NOT_NULL(strstr(colour, "[\033[31mhigh\033[0m] pool-sizing"));
	CU_ASSERT(strstr(colour, "\033[31m█") || strstr(colour, "\033[33m█") || strstr(colour, "\033[32m█"));
	/* --color alone is always */
	snprintf(args, sizeof(args), "analyze -q --color '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(run_piped("", args, &bare), 0);
	ASSERT_STR(bare, colour);
	ASSERT_STR(strip_sgr(colour), plain);
	free(plain);
	free(colour);
	free(bare);
}

/* JSON, Markdown and -o files are never coloured, even with --color=always. */
static void
test_colour_never_in_files_or_other_formats(void)
{
	char		args[4096],
				path[2048];
	char	   *out = NULL;

	snprintf(args, sizeof(args), "analyze -q --color=always --format json '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(run_piped("", args, &out), 0);
	CU_ASSERT_FALSE(has_escape(out));
	free(out);
	snprintf(args, sizeof(args), "analyze -q --color=always --format markdown '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(run_piped("", args, &out), 0);
	CU_ASSERT_FALSE(has_escape(out));
	free(out);
	/* a text file, even while the terminal gets colour */
	snprintf(path, sizeof(path), "%s/never-coloured.txt", test_tmpdir());
	snprintf(args, sizeof(args), "analyze -q -o '%s' -o - '%s' 2>/dev/null", path, test_fixture("workload.log"));
	CU_ASSERT_EQUAL(run_tty("", args, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\033[1mProfile (top "));
	free(out);
	snprintf(args, sizeof(args), "cat '%s'", path);
	CU_ASSERT_EQUAL(test_run(args, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Profile (top "));
	CU_ASSERT_FALSE(has_escape(out));
	free(out);
}

/* The precedence end to end: --color > NO_COLOR > PG_COLOR > a terminal. */
static void
test_colour_environment(void)
{
	static const struct
	{
		int			tty;
		const char *env;
		const char *option;
		int			coloured;
	}			cases[] = {
		{1, "", "", 1},
		{0, "", "", 0},
		{1, "NO_COLOR=1", "", 0},
		{1, "NO_COLOR=", "", 1},
		{1, "PG_COLOR=never", "", 0},
		{1, "TERM=dumb", "", 0},
		{0, "PG_COLOR=always", "", 1},
		{0, "PG_COLOR=auto", "", 0},
		{1, "NO_COLOR=1 PG_COLOR=always", "", 0},
		{1, "NO_COLOR=1", "--color=always", 1},
		{0, "NO_COLOR=1", "--color=always", 1},
		{1, "PG_COLOR=always", "--color=never", 0},
		{0, "PG_COLOR=always", "--color=auto", 0},
	};
	char		args[4096];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *out = NULL;

		snprintf(args, sizeof(args), "analyze %s '%s' 2>/dev/null", cases[i].option, test_fixture("workload.csv"));
		int			st = cases[i].tty ? run_tty(cases[i].env, args, &out) : run_piped(cases[i].env, args, &out);

		CU_ASSERT_EQUAL(st, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "Profile (top "));
		if (has_escape(out) != cases[i].coloured)
			fprintf(stderr, "\n  %s, %s %s: colour %d, want %d\n", cases[i].tty ? "terminal" : "pipe",
					cases[i].env, cases[i].option, has_escape(out), cases[i].coloured);
		CU_ASSERT_EQUAL(has_escape(out), cases[i].coloured);
		free(out);
	}
}

/* The labels of messages on stderr: coloured as psql colours them, PG_COLORS honoured. */
static void
test_message_labels(void)
{
	char		args[4096];
	char	   *err = NULL;
	char	   *tty = NULL;

	snprintf(args, sizeof(args), "analyze '%s/no-such.log'", test_tmpdir());
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "pgsift: error: could not open log file"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\nHINT:  "));
	CU_ASSERT_FALSE(has_escape(err));
	free(err);

	snprintf(args, sizeof(args), "analyze '%s/no-such.log' >/dev/null", test_tmpdir());
	CU_ASSERT_EQUAL(run_tty("", args, &tty), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "\033[01mpgsift:\033[0m \033[01;31merror:\033[0m could not open log file"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "\033[01;36mHINT:\033[0m  "));
	free(tty);
	CU_ASSERT_EQUAL(run_tty("PG_COLORS='error=4:note=7'", args, &tty), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "\033[4merror:\033[0m could not open log file"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "\033[7mHINT:\033[0m  "));
	free(tty);
	CU_ASSERT_EQUAL(run_tty("NO_COLOR=1", args, &tty), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "pgsift: error: could not open log file"));
	CU_ASSERT_FALSE(has_escape(tty));
	free(tty);
	/* --color=never on a terminal, --color=always into a file */
	snprintf(args, sizeof(args), "analyze --color=never '%s/no-such.log' >/dev/null", test_tmpdir());
	CU_ASSERT_EQUAL(run_tty("", args, &tty), 3);
	CU_ASSERT_FALSE(has_escape(tty));
	free(tty);
	snprintf(args, sizeof(args), "analyze --color=always '%s/no-such.log' 2>&1 >/dev/null", test_tmpdir());
	CU_ASSERT_EQUAL(run_piped("", args, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\033[01;31merror:\033[0m"));
	free(err);
}

/* A log long enough for the progress line (it is drawn every 65,536 lines). */
static const char *
long_log(void)
{
	static char path[2048];
	char		cmd[8192];

	snprintf(path, sizeof(path), "%s/long-for-progress.log", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "for i in $(seq 200); do cat '%s'; done > '%s'", test_fixture("workload.log"), path);
	CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
	return path;
}

/* stderr to a file or a pipe holds warnings and errors only; on a terminal, progress and notices too. */
static void
test_progress_only_on_a_terminal(void)
{
	const char *log = long_log();
	char		args[4096];
	char	   *err = NULL,
			   *tty = NULL;

	for (int jobs = 1; jobs <= 2; jobs++)
	{
		snprintf(args, sizeof(args), "analyze -j %d '%s' >/dev/null", jobs, log);
		CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(err);
		if (err[0] != '\0')
			fprintf(stderr, "\n  stderr to a file, -j %d: %s\n", jobs, err);
		ASSERT_STR(err, "");
		free(err);
	}
	/* the same run on a terminal draws progress and names the format it found */
	snprintf(args, sizeof(args), "analyze '%s' >/dev/null", log);
	CU_ASSERT_EQUAL(run_tty("", args, &tty), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "\rpgsift: read "));
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "MB/s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "stderr, using log_line_prefix '"));
	free(tty);
	/* a file fed to a store again is resumed, and a terminal is told */
	snprintf(args, sizeof(args), "analyze --store '%s/resume-notice.db' '%s' >/dev/null", test_tmpdir(), log);
	CU_ASSERT_EQUAL(run_tty("", args, &tty), 0);
	CU_ASSERT_PTR_NULL(strstr(tty, "resuming there"));
	free(tty);
	CU_ASSERT_EQUAL(run_tty("", args, &tty), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "long-for-progress.log\" was read up to byte "));
	CU_ASSERT_PTR_NOT_NULL(strstr(tty, "; resuming there\n"));
	free(tty);
	/* and --quiet keeps it silent there too */
	snprintf(args, sizeof(args), "analyze -q '%s' >/dev/null", log);
	CU_ASSERT_EQUAL(run_tty("", args, &tty), 0);
	ASSERT_STR(tty, "");
	free(tty);
	/* warnings still reach a file: a forced format that does not fit */
	snprintf(args, sizeof(args), "analyze -f csvlog '%s' >/dev/null", test_fixture("workload.log"));
	test_pgsift(args, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "pgsift: warning: "));
	CU_ASSERT_PTR_NULL(err && strstr(err, "pgsift: read "));
	free(err);
}

PGSIFT_TEST_SUITE(add_cli_terminal_suite)
{
	CU_pSuite	s = CU_add_suite("cli/terminal", NULL, NULL);

	CU_add_test(s, "colour only adds escapes to the text report", test_colour_only_adds_escapes);
	CU_add_test(s, "never colour in JSON, Markdown or -o files", test_colour_never_in_files_or_other_formats);
	CU_add_test(s, "--color > NO_COLOR > PG_COLOR > a terminal", test_colour_environment);
	CU_add_test(s, "coloured message labels, PG_COLORS", test_message_labels);
	CU_add_test(s, "progress and notices only on a terminal", test_progress_only_on_a_terminal);
}
