/*-------------------------------------------------------------------------
 * test_prefix_corpus.c
 *    A table-driven test of log_line_prefix reading on other people's
 *    lines: fixtures/corpus/pganalyze-prefix-cases.tsv holds the lines,
 *    prefixes and expected fields of pganalyze collector's log-parsing
 *    tests (facts only; see fixtures/corpus/README.md).
 *
 * Every case is read twice: with its prefix given (prefix_compile), and
 * with a prefix learned from the lines of the corpus that share it
 * (prefix_learn), which must yield the same fields.  Expected values use
 * "-" for "not stated" and "(empty)" for an empty value; pgsift reads
 * empty names and PostgreSQL's "[unknown]" as NULL, and an unknown pid as
 * -1.  Rows whose prefix is "(empty)" are syslog cases (the syslog reader
 * has its own tests) and are skipped here.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/prefix.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CASES	128
#define NCOLS		13

enum
{
	C_ID, C_PREFIX, C_LINE, C_PARSES, C_SEVERITY, C_USER, C_DATABASE, C_APP, C_HOST, C_PID,
	C_SESSION_LINE, C_TIME, C_MESSAGE
};

typedef struct corpus_case
{
	char	   *col[NCOLS];
} corpus_case;

static corpus_case cases[MAX_CASES];
static int	ncases;

/* Undo the file's \t, \n and \\ escapes in place. */
static void
unescape(char *s)
{
	char	   *w = s;

	for (; *s; s++)
	{
		if (s[0] == '\\' && (s[1] == 't' || s[1] == 'n' || s[1] == '\\'))
		{
			*w++ = s[1] == 't' ? '\t' : s[1] == 'n' ? '\n' : '\\';
			s++;
		}
		else
			*w++ = *s;
	}
	*w = '\0';
}

static int
load_corpus(void)
{
	char		path[4096];
	char		buf[16384];
	FILE	   *f;

	if (ncases > 0)
		return ncases;
	snprintf(path, sizeof(path), "%s/corpus/pganalyze-prefix-cases.tsv", test_fixture(""));
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(buf, sizeof(buf), f) && ncases < MAX_CASES)
	{
		corpus_case *c = &cases[ncases];
		char	   *p = buf;
		int			n = 0;

		buf[strcspn(buf, "\r\n")] = '\0';
		if (strncmp(buf, "id\t", 3) == 0)
			continue;
		while (p && n < NCOLS)
		{
			char	   *tab = strchr(p, '\t');

			if (tab)
				*tab = '\0';
			c->col[n] = strdup(p);
			unescape(c->col[n]);
			n++;
			p = tab ? tab + 1 : NULL;
		}
		if (n == NCOLS)
			ncases++;
	}
	fclose(f);
	return ncases;
}

static void
free_corpus(void)
{
	for (int i = 0; i < ncases; i++)
		for (int k = 0; k < NCOLS; k++)
			free(cases[i].col[k]);
	ncases = 0;
}

static int
stated(const char *v)
{
	return strcmp(v, "-") != 0;
}

/* Compare a name field: "-" and "(empty)" mean none (NULL). */
static int
same_name(const char *want, const char *got)
{
	if (!stated(want) || strcmp(want, "(empty)") == 0)
		return got == NULL;
	return got != NULL && strcmp(want, got) == 0;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" as epoch ms (through pgsift's own parser, which tests check apart). */
static int64_t
iso_ms(const char *iso)
{
	char		text[64];
	int64_t		ms = 0;

	snprintf(text, sizeof(text), "%.10s %.12s UTC", iso, iso + 11);
	if (log_time_parse(NULL, text, strlen(text), &ms) == LOG_TIME_INVALID)
		return INT64_MIN;
	return ms;
}

static const char *
part_name(int part, const log_record *rec)
{
	static const char *const names[] = {"", "DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"};

	return part == PART_PRIMARY ? log_severity_name(rec->severity) : part > 0 && part < PART__COUNT ? names[part] : "?";
}

/*
 * Match case c with p and compare every stated field; a mismatch is
 * printed with how (given or learned).  Returns the number of mismatches.
 */
static int
check_case(const corpus_case *c, log_prefix *p, const char *how)
{
	const char *const *v = (const char *const *) c->col;
	log_record	rec;
	strbuf		store;
	size_t		msg = 0;
	int			bad = 0;
	int			part;
	char		why[512] = "";

	strbuf_init(&store);
	log_record_clear(&rec);
	part = p ? prefix_match(p, v[C_LINE], strlen(v[C_LINE]), &rec, &store, &msg) : -1;
	if (strcmp(v[C_PARSES], "no") == 0)
		bad = part >= 0 && strcmp(part_name(part, &rec), v[C_SEVERITY]) == 0;
	else if (part < 0)
		bad = 1, snprintf(why, sizeof(why), "no match");
	else
	{
#define FIELD_BAD(cond, name) do { if (cond) { bad++; strncat(why, name " ", sizeof(why) - strlen(why) - 1); } } while (0)
		FIELD_BAD(stated(v[C_SEVERITY]) && strcmp(part_name(part, &rec), v[C_SEVERITY]) != 0, "severity");
		FIELD_BAD(!same_name(v[C_USER], rec.user), "user");
		FIELD_BAD(!same_name(v[C_DATABASE], rec.dbname), "database");
		FIELD_BAD(!same_name(v[C_APP], rec.app), "application");
		FIELD_BAD(rec.pid != (stated(v[C_PID]) ? atoi(v[C_PID]) : -1), "pid");
		FIELD_BAD(stated(v[C_SESSION_LINE]) && rec.session_line != atoll(v[C_SESSION_LINE]), "session_line");
		FIELD_BAD(strcmp(v[C_TIME], "(empty)") == 0 && rec.ts_ms != LOG_TS_UNKNOWN, "time");
		FIELD_BAD(stated(v[C_TIME]) && strcmp(v[C_TIME], "(empty)") != 0 && rec.ts_ms != iso_ms(v[C_TIME]), "time");
		FIELD_BAD(stated(v[C_MESSAGE]) && strcmp(v[C_LINE] + msg, v[C_MESSAGE]) != 0, "message");
#undef FIELD_BAD
	}
	if (bad)
		fprintf(stderr, "\n  %s (%s prefix '%s'): %s\n    %s\n", v[C_ID], how, p ? prefix_text(p) : "(none)",
				why[0] ? why : "parsed, expected not to", v[C_LINE]);
	strbuf_free(&store);
	return bad;
}

static int
syslog_case(const corpus_case *c)
{
	return strcmp(c->col[C_PREFIX], "(empty)") == 0;
}

/* Each case with its own prefix given. */
static void
test_given_prefix(void)
{
	int			checked = 0,
				failed = 0;

	CU_ASSERT_FATAL(load_corpus() >= 40);
	for (int i = 0; i < ncases; i++)
	{
		log_prefix *p;

		if (syslog_case(&cases[i]))
			continue;
		p = prefix_compile(cases[i].col[C_PREFIX], NULL);
		CU_ASSERT_PTR_NOT_NULL(p);
		failed += check_case(&cases[i], p, "given") > 0;
		checked++;
		prefix_free(p);
	}
	CU_ASSERT(checked >= 40);
	CU_ASSERT_EQUAL(failed, 0);
}

/* Each group of cases sharing a prefix, read with a prefix learned from its lines alone. */
static void
test_learned_prefix(void)
{
	int			checked = 0,
				failed = 0;
	char		done[MAX_CASES] = {0};

	CU_ASSERT_FATAL(load_corpus() >= 40);
	for (int i = 0; i < ncases; i++)
	{
		const char *lines[MAX_CASES];
		size_t		lens[MAX_CASES];
		int			members[MAX_CASES];
		int			n = 0,
					matched = 0;
		char	   *learned;
		log_prefix *p;

		if (done[i] || syslog_case(&cases[i]))
			continue;
		for (int k = i; k < ncases; k++)
			if (strcmp(cases[k].col[C_PREFIX], cases[i].col[C_PREFIX]) == 0)
			{
				done[k] = 1;
				members[n] = k;
				lines[n] = cases[k].col[C_LINE];
				lens[n] = strlen(lines[n]);
				n++;
			}
		learned = prefix_learn(lines, lens, n, &matched);
		p = learned ? prefix_compile(learned, NULL) : NULL;
		for (int m = 0; m < n; m++)
		{
			failed += check_case(&cases[members[m]], p, "learned") > 0;
			checked++;
		}
		prefix_free(p);
		free(learned);
	}
	CU_ASSERT(checked >= 40);
	CU_ASSERT_EQUAL(failed, 0);
}

static int
clean_corpus(void)
{
	free_corpus();
	return 0;
}

PGSIFT_TEST_SUITE(add_prefix_corpus_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/prefix_corpus", NULL, clean_corpus);

	CU_add_test(s, "pganalyze's cases with their prefix given", test_given_prefix);
	CU_add_test(s, "pganalyze's cases with a learned prefix", test_learned_prefix);
}
