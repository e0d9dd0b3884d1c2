/*-------------------------------------------------------------------------
 * test_cli_docs.c
 *    What pgsift says about itself cannot go stale: `--version` (GNU's
 *    first line, the Makefile's version, the libraries it runs with), the
 *    man page (renders without a groff warning, lists every long option
 *    of every command's --help), bash and zsh completion (offer every
 *    such option and the values pgsift accepts), and `make install`
 *    (puts the binary, the page and both completions where they belong).
 *
 * The options are read from the --help of the built binary; the values
 * from the parsers' own name functions.  zsh's completion is driven in a
 * pseudo-terminal by tests/cli/zsh_complete.zsh.
 *-------------------------------------------------------------------------
 */
#include "parsers/reader.h"
#include "src/core/color.h"
#include "src/core/finding.h"
#include "src/core/measure.h"
#include "src/report/report.h"
#include "tests/test_registry.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SRC PGSIFT_SOURCE_DIR
#define MAX_WORDS 256

static const char *const commands[] = {"analyze", "report", "explain", "migration"};

typedef struct word_set
{
	int			n;
	char	   *w[MAX_WORDS];
} word_set;

static void
words_free(word_set *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->w[i]);
	s->n = 0;
}

static int
words_has(const word_set *s, const char *w)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->w[i], w) == 0)
			return 1;
	return 0;
}

static void
words_add(word_set *s, const char *w, size_t len)
{
	char	   *copy = strndup(w, len);

	if (s->n < MAX_WORDS && !words_has(s, copy))
		s->w[s->n++] = copy;
	else
		free(copy);
}

/* The white-space separated words of text into s. */
static void
split_words(const char *text, word_set *s)
{
	for (const char *p = text ? text : ""; *p;)
	{
		size_t		n = strcspn(p, " \t\r\n");

		if (n > 0)
			words_add(s, p, n);
		p += n;
		p += strspn(p, " \t\r\n");
	}
}

/* The long options ("--name", without "=..." or "[=...]") that `pgsift CMD --help` names. */
static void
help_long_options(const char *cmd, word_set *s)
{
	char		args[256];
	char	   *out = NULL;

	snprintf(args, sizeof(args), "%s --help", cmd);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	for (const char *p = out ? strstr(out, "--") : NULL; p; p = strstr(p + 2, "--"))
	{
		size_t		n = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");

		while (n > 2 && p[n - 1] == '-')
			n--;
		if (n > 3 && (p == out || p[-1] == ' ' || p[-1] == '[' || p[-1] == '(' || p[-1] == '\n'))
			words_add(s, p, n);
	}
	free(out);
	CU_ASSERT(s->n >= 5);
}

/* The man page's text with roff's \- written as -, in a static buffer. */
static const char *
man_source(void)
{
	static char *text;
	char	   *raw = NULL;

	if (text)
		return text;
	CU_ASSERT_EQUAL(test_run("cat '" SRC "/man/pgsift.1'", &raw), 0);
	text = raw;
	char	   *w = text;

	for (const char *r = text; *r; r++)
		if (!(r[0] == '\\' && r[1] == '-'))
			*w++ = *r;
	*w = '\0';
	return text;
}

/* Whether text names option opt as a whole word (not as the start of a longer option). */
static int
names_option(const char *text, const char *opt)
{
	size_t		n = strlen(opt);

	for (const char *p = strstr(text, opt); p; p = strstr(p + 1, opt))
		if (!strchr("abcdefghijklmnopqrstuvwxyz-", p[n]) || p[n] == '\0')
			return 1;
	return 0;
}

static void
test_version(void)
{
	char	   *out = NULL,
			   *sub = NULL,
			   *makefile = NULL;
	char		want[64];

	CU_ASSERT_EQUAL(test_pgsift("--version", &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	snprintf(want, sizeof(want), "pgsift %s\n", PGSIFT_VERSION);
	CU_ASSERT_EQUAL(strncmp(out, want, strlen(want)), 0);
	/* the Makefile's VERSION is the one compiled in */
	CU_ASSERT_EQUAL(test_run("sed -n 's/^VERSION *:= *//p' '" SRC "/Makefile'", &makefile), 0);
	snprintf(want, sizeof(want), "%s\n", PGSIFT_VERSION);
	ASSERT_STR(makefile, want);
	/* the libraries, as they report themselves at run time */
	snprintf(want, sizeof(want), "\nSQLite %s\n", sqlite3_libversion());
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	snprintf(want, sizeof(want), "\nzlib %s\n", zlibVersion());
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nlibpg_query "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nlibpq "));
	/* and the commands that take --version say the same */
	for (int i = 0; i < 2; i++)
	{
		char		args[64];

		snprintf(args, sizeof(args), "%s --version", commands[i]);
		CU_ASSERT_EQUAL(test_pgsift(args, &sub, NULL), 0);
		ASSERT_STR(sub, out);
		free(sub);
	}
	CU_ASSERT_EQUAL(test_pgsift("analyze -V", &sub, NULL), 0);
	ASSERT_STR(sub, out);
	free(sub);
	free(out);
	free(makefile);
}

static void
test_man_page_renders(void)
{
	char	   *out = NULL;
	char		want[64];

	/* groff's warnings of every kind (-ww), nothing written (-z) */
	CU_ASSERT_EQUAL(test_run("groff -man -ww -z '" SRC "/man/pgsift.1' 2>&1", &out), 0);
	ASSERT_STR(out, "");
	free(out);
	CU_ASSERT_EQUAL(test_run("MANWIDTH=80 man -l '" SRC "/man/pgsift.1' 2>&1", &out), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "EXIT STATUS"));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "ENVIRONMENT"));
	free(out);
	snprintf(want, sizeof(want), "\"pgsift %s\"", PGSIFT_VERSION);
	CU_ASSERT_PTR_NOT_NULL(strstr(man_source(), want));
}

static void
test_man_page_lists_every_option(void)
{
	const char *man = man_source();

	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
	{
		word_set	opts = {0};

		help_long_options(commands[c], &opts);
		for (int i = 0; i < opts.n; i++)
		{
			if (!names_option(man, opts.w[i]))
				fprintf(stderr, "\n  man/pgsift.1 does not name %s of pgsift %s --help\n", opts.w[i], commands[c]);
			CU_ASSERT_TRUE(names_option(man, opts.w[i]));
		}
		words_free(&opts);
	}
	/* every exit status of the README's table */
	for (const char *code = "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "70\0"; *code; code += strlen(code) + 1)
	{
		char		entry[32];

		snprintf(entry, sizeof(entry), ".TP\n.B %s\n", code);
		CU_ASSERT_PTR_NOT_NULL(strstr(man, entry));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(man, "NO_COLOR"));
	CU_ASSERT_PTR_NOT_NULL(strstr(man, "PG_COLOR\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(man, "PG_COLORS"));
}

/* What completion/pgsift.bash offers for the words of line (the last one being completed). */
static void
bash_complete(const char *line, word_set *s)
{
	char		cmd[8192];
	char	   *out = NULL;

	snprintf(cmd, sizeof(cmd),
			 "PATH='%s/build':\"$PATH\" bash -c 'source \"$1\"; read -ra COMP_WORDS <<< \"$2\"; "
			 "case $2 in *\" \") COMP_WORDS+=(\"\");; esac; COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
			 "_pgsift; printf \"%%s\\n\" \"${COMPREPLY[@]}\"' x '" SRC "/completion/pgsift.bash' '%s'",
			 SRC, line);
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	split_words(out, s);
	free(out);
}

/* What completion/_pgsift offers in zsh for line. */
static void
zsh_complete(const char *line, word_set *s)
{
	char		cmd[8192];
	char	   *out = NULL;

	snprintf(cmd, sizeof(cmd), "PATH='%s/build':\"$PATH\" timeout 60 zsh -f '%s/tests/cli/zsh_complete.zsh' "
			 "'%s/completion' '%s'", SRC, SRC, SRC, line);
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	split_words(out, s);
	free(out);
}

typedef void (*completer) (const char *line, word_set *s);

/* Every long option of every command's --help is offered after "pgsift CMD --". */
static void
check_options_offered(completer complete, const char *shell)
{
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
	{
		word_set	opts = {0},
					offered = {0};
		char		line[64];

		help_long_options(commands[c], &opts);
		snprintf(line, sizeof(line), "pgsift %s --", commands[c]);
		complete(line, &offered);
		for (int i = 0; i < opts.n; i++)
		{
			if (!words_has(&offered, opts.w[i]))
				fprintf(stderr, "\n  %s completion does not offer %s of pgsift %s\n", shell, opts.w[i], commands[c]);
			CU_ASSERT_TRUE(words_has(&offered, opts.w[i]));
		}
		words_free(&opts);
		words_free(&offered);
	}
}

/* The values offered after line are exactly want (n of them). */
static void
check_values(completer complete, const char *shell, const char *line, const char *const *want, int n)
{
	word_set	offered = {0};

	complete(line, &offered);
	for (int i = 0; i < n; i++)
	{
		if (!words_has(&offered, want[i]))
			fprintf(stderr, "\n  %s completion of \"%s\" lacks %s, which pgsift accepts\n", shell, line, want[i]);
		CU_ASSERT_TRUE(words_has(&offered, want[i]));
	}
	for (int i = 0; i < offered.n; i++)
	{
		int			known = 0;

		for (int k = 0; k < n; k++)
			known |= strcmp(offered.w[i], want[k]) == 0;
		if (!known)
			fprintf(stderr, "\n  %s completion of \"%s\" offers %s, which pgsift refuses\n", shell, line,
					offered.w[i]);
		CU_ASSERT_TRUE(known);
	}
	words_free(&offered);
}

/* The option values pgsift accepts, from its own parsers, checked against a completion. */
static void
check_all_values(completer complete, const char *shell, const char *color_line, const char *format_line)
{
	const char *formats[8];
	const char *log_formats[LOG_FORMAT_PGBOUNCER + 1];
	const char *colors[] = {"auto", "always", "never"};
	const char *measures[] = {"off", "hypo", "real"};
	const char *severities[FINDING_CRITICAL + 1];
	int			nformats = 0;

	/* the report formats under their main names ("md" is an alias) */
	for (const char *f = "text\0json\0markdown\0html\0"; *f; f += strlen(f) + 1)
		if (report_format_from_name(f) >= 0)
			formats[nformats++] = f;
	check_values(complete, shell, format_line, formats, nformats);
	for (int i = 0; i <= LOG_FORMAT_PGBOUNCER; i++)
	{
		log_formats[i] = log_format_name((log_format) i);
		CU_ASSERT_EQUAL(log_format_from_name(log_formats[i]), i);
	}
	check_values(complete, shell, "pgsift analyze --log-format ", log_formats, LOG_FORMAT_PGBOUNCER + 1);
	for (int i = 0; i < 3; i++)
		CU_ASSERT(color_when_from_name(colors[i]) >= 0 && measure_mode_from_name(measures[i]) >= 0);
	check_values(complete, shell, color_line, colors, 3);
	check_values(complete, shell, "pgsift analyze --measure ", measures, 3);
	for (int i = 0; i <= FINDING_CRITICAL; i++)
		severities[i] = finding_severity_name((finding_severity) i);
	check_values(complete, shell, "pgsift analyze --fail-on ", severities, FINDING_CRITICAL + 1);
}

static void
test_bash_completion(void)
{
	word_set	w = {0};

	check_options_offered(bash_complete, "bash");
	/* bash splits --color=WHEN at "=" */
	check_all_values(bash_complete, "bash", "pgsift analyze --color = ", "pgsift analyze --format ");
	bash_complete("pgsift ", &w);
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		CU_ASSERT_TRUE(words_has(&w, commands[c]));
	CU_ASSERT_TRUE(words_has(&w, "rules") && words_has(&w, "--version"));
	words_free(&w);
	/* rule ids, from pgsift rules itself */
	bash_complete("pgsift rules seq-scan", &w);
	CU_ASSERT_TRUE(words_has(&w, "seq-scan-filter"));
	words_free(&w);
	/* files after -o and for the logs */
	bash_complete("pgsift analyze -o " SRC "/man/pgsift", &w);
	CU_ASSERT_TRUE(words_has(&w, SRC "/man/pgsift.1"));
	words_free(&w);
	bash_complete("pgsift analyze " SRC "/completion/pgsift.b", &w);
	CU_ASSERT_TRUE(words_has(&w, SRC "/completion/pgsift.bash"));
	words_free(&w);
}

static void
test_zsh_completion(void)
{
	char	   *out = NULL;
	word_set	w = {0};

	CU_ASSERT_EQUAL(test_run("zsh -n '" SRC "/completion/_pgsift' 2>&1", &out), 0);
	ASSERT_STR(out, "");
	free(out);
	check_options_offered(zsh_complete, "zsh");
	check_all_values(zsh_complete, "zsh", "pgsift analyze --color=", "pgsift analyze --format=");
	zsh_complete("pgsift ", &w);
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		CU_ASSERT_TRUE(words_has(&w, commands[c]));
	words_free(&w);
	zsh_complete("pgsift rules seq-scan", &w);
	CU_ASSERT_TRUE(words_has(&w, "seq-scan-filter"));
	words_free(&w);
}

/* make install into a scratch DESTDIR: everything in its place, the completions unchanged. */
static void
test_make_install(void)
{
	char		cmd[8192];
	char	   *out = NULL;
	const char *files[] = {"bin/pgsift", "share/man/man1/pgsift.1", "share/bash-completion/completions/pgsift",
	"share/zsh/site-functions/_pgsift", "share/doc/pgsift/cli.md"};

	/* -o: the binary is make check's, never rebuilt here */
	snprintf(cmd, sizeof(cmd), "make -s -C '" SRC "' -o build/pgsift install DESTDIR='%s/destdir' PREFIX=/usr 2>&1",
			 test_tmpdir());
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	free(out);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
	{
		snprintf(cmd, sizeof(cmd), "test -s '%s/destdir/usr/%s'", test_tmpdir(), files[i]);
		if (test_run(cmd, NULL) != 0)
			fprintf(stderr, "\n  make install did not install %s\n", files[i]);
		CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
	}
	snprintf(cmd, sizeof(cmd), "cmp '%s/destdir/usr/share/bash-completion/completions/pgsift' '" SRC
			 "/completion/pgsift.bash' && cmp '%s/destdir/usr/share/man/man1/pgsift.1' '" SRC "/man/pgsift.1'",
			 test_tmpdir(), test_tmpdir());
	CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
}

PGSIFT_TEST_SUITE(add_cli_docs_suite)
{
	CU_pSuite	s = CU_add_suite("cli/docs", NULL, NULL);

	CU_add_test(s, "--version: GNU's first line, the Makefile's version, the libraries", test_version);
	CU_add_test(s, "man page renders without a warning", test_man_page_renders);
	CU_add_test(s, "man page lists every option of every --help", test_man_page_lists_every_option);
	CU_add_test(s, "bash completion: every option, the accepted values, files, rules", test_bash_completion);
	CU_add_test(s, "zsh completion: reads, every option, the accepted values", test_zsh_completion);
	CU_add_test(s, "make install: binary, man page, completions, docs", test_make_install);
}
