/*-------------------------------------------------------------------------
 * test_cli_input.c
 *    End-to-end tests of pgsift on awkward input: compressed and truncated
 *    files, garbage, empty and unreadable files, wrong prefixes, huge lines,
 *    invalid UTF-8, mixed formats, stdin, -j, filters and the store.
 *
 * The reference figure is the fixture's statement count from
 * fixtures/expected-counts.tsv (computed by make-fixtures.sh, not pgsift).
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Timed statements in the fixture: inline statements plus executes. */
static long
fixture_statements(void)
{
	char		cmd[4096];
	char	   *out = NULL;
	long		v = -1;

	snprintf(cmd, sizeof(cmd),
			 "awk -F'\\t' '$1==\"duration + statement\" || $1==\"duration + execute\" {s+=$2} END {print s}' '%s'",
			 test_fixture("expected-counts.tsv"));
	if (test_run(cmd, &out) == 0 && out)
		v = strtol(out, NULL, 10);
	free(out);
	return v;
}

static json_int_t
summary(json_t *j, const char *key)
{
	json_t	   *v = json_object_get(json_object_get(j, "summary"), key);

	return v ? json_integer_value(v) : -1;
}

static const char *
tmp(const char *name)
{
	static char buf[4][4096];
	static int	n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%s/%s", test_tmpdir(), name);
	return buf[n];
}

static void sh(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/* Run a shell command built like printf; it must succeed. */
static void
sh(const char *fmt,...)
{
	char		cmd[8192];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	CU_ASSERT_EQUAL(test_run(cmd, NULL), 0);
}

static void
test_compressed(void)
{
	const char *tools[] = {"gzip -c", "bzip2 -c", "zstd -q -c"};

	for (int i = 0; i < 3; i++)
	{
		char		args[4096];
		json_t	   *j;
		/* a misleading name: the format is found by magic bytes */
		const char *path = tmp(i == 0 ? "gz-named.log" : i == 1 ? "bz2-named.log" : "zst-named.log");

		sh("%s '%s' > '%s'", tools[i], test_fixture("workload.csv"), path);
		snprintf(args, sizeof(args), "analyze --format json '%s'", path);
		CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_EQUAL(summary(j, "statements"), fixture_statements());
		CU_ASSERT_EQUAL(summary(j, "malformed_lines"), 0);
		json_decref(j);
	}
}

static void
test_truncated_gzip(void)
{
	json_t	   *j;
	char	   *err = NULL;
	char		args[4096];

	sh("gzip -c '%s' | head -c 4000 > '%s'", test_fixture("workload.csv"), tmp("cut.csv.gz"));
	snprintf(args, sizeof(args), "analyze --format json '%s'", tmp("cut.csv.gz"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	/* what was read before the break is kept, and the break is reported */
	CU_ASSERT(summary(j, "statements") > 0);
	CU_ASSERT(summary(j, "statements") < fixture_statements());
	CU_ASSERT_TRUE(json_is_false(json_object_get(json_array_get(json_object_get(j, "inputs"), 0), "complete")));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "could not read log file"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "DETAIL:"));
	json_decref(j);
	free(err);
}

static void
test_nothing_readable(void)
{
	char	   *err = NULL;
	char		args[4096];

	/* binary garbage */
	sh("head -c 65536 /dev/urandom > '%s'", tmp("garbage.bin"));
	snprintf(args, sizeof(args), "analyze '%s'", tmp("garbage.bin"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, NULL, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nothing could be read"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "HINT:"));
	free(err);
	/* an empty file */
	sh(": > '%s'", tmp("empty.log"));
	snprintf(args, sizeof(args), "analyze '%s'", tmp("empty.log"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, NULL, &err), 3);
	free(err);
	/* a missing file */
	snprintf(args, sizeof(args), "analyze '%s'", tmp("no-such-file.log"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, NULL, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such-file.log"));
	free(err);
	/* a directory */
	snprintf(args, sizeof(args), "analyze '%s'", test_tmpdir());
	CU_ASSERT_EQUAL(test_pgsift_json(args, NULL, &err), 3);
	free(err);
}

static void
test_missing_file_among_good(void)
{
	json_t	   *j;
	char	   *err = NULL;
	char		args[4096];

	snprintf(args, sizeof(args), "analyze --format json '%s' '%s'", tmp("missing.log"), test_fixture("workload.json"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(summary(j, "statements"), fixture_statements());
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing.log"));
	json_decref(j);
	free(err);
}

static void
test_wrong_prefix(void)
{
	json_t	   *j;
	char	   *err = NULL;
	char		args[4096];

	snprintf(args, sizeof(args), "analyze --format json --prefix '%%t [%%p]: [%%l-1] ' '%s'", test_fixture("workload-debian.log"));
	int			st = test_pgsift_json(args, &j, &err);

	/*
	 * nothing matches: every line is still read from its time, pid and
	 * severity, the statements all counted, the names lost and said so
	 */
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(summary(j, "statements"), fixture_statements());
	CU_ASSERT_EQUAL(summary(j, "malformed_lines"), 0);
	json_t	   *in = json_array_get(json_object_get(j, "inputs"), 0);

	CU_ASSERT(json_integer_value(json_object_get(in, "fallback_lines")) > 200);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(json_array_get(json_object_get(j, "queries"), 0), "users")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "do not match log_line_prefix '%t [%p]: [%l-1] '"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "(the first is line 1)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "HINT:  Give the server's setting with --prefix"));
	json_decref(j);
	free(err);
}

static void
test_long_line_and_bad_utf8(void)
{
	json_t	   *j;
	char		args[4096];
	const char *path = tmp("odd.log");
	FILE	   *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("2024-01-02 03:04:05.000 UTC [10] LOG:  duration: 1.000 ms  statement: SELECT '", f);
	for (int i = 0; i < 2 * 1024 * 1024; i++)
		fputc('x', f);
	fputs("'\n", f);
	fputs("2024-01-02 03:04:06.000 UTC [10] LOG:  duration: 2.000 ms  statement: SELECT 'caf\xe9 \xff\xfe'\n", f);
	fputs("2024-01-02 03:04:07.000 UTC [10] LOG:  duration: 3.000 ms  statement: SELECT 1\n", f);
	fclose(f);
	snprintf(args, sizeof(args), "analyze --format json '%s'", path);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	/* the report is valid JSON even with invalid UTF-8 in the log */
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(summary(j, "statements"), 3);
	CU_ASSERT_EQUAL(summary(j, "malformed_lines"), 0);
	char	   *dump = json_dumps(j, 0);

	CU_ASSERT_PTR_NOT_NULL(strstr(dump, "caf\xef\xbf\xbd"));	/* U+FFFD stands for the bad byte */
	free(dump);
	json_decref(j);
}

static void
test_mixed_formats_and_stdin(void)
{
	json_t	   *j;
	char		args[4096];

	snprintf(args, sizeof(args), "analyze --format json '%s' '%s' '%s'", test_fixture("workload.csv"),
			 test_fixture("workload.json"), test_fixture("workload-syslog.log"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(summary(j, "statements"), 3 * fixture_statements());
	json_t	   *inputs = json_object_get(j, "inputs");

	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(inputs, 0), "format")), "csvlog");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(inputs, 1), "format")), "jsonlog");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(inputs, 2), "format")), "syslog");
	json_decref(j);

	snprintf(args, sizeof(args), "analyze --format json - < '%s'", test_fixture("workload.json"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(summary(j, "statements"), fixture_statements());
	json_decref(j);
}

/* A sample in report whose line is `line` and whose text contains statement_part, or NULL. */
static json_t *
sample_at_line(json_t *report, const char *statement_part, json_int_t line)
{
	json_t	   *queries = json_object_get(report, "queries");

	for (size_t i = 0; i < json_array_size(queries); i++)
	{
		json_t	   *samples = json_object_get(json_array_get(queries, i), "samples");

		for (size_t k = 0; k < json_array_size(samples); k++)
		{
			json_t	   *smp = json_array_get(samples, k);
			const char *text = json_string_value(json_object_get(smp, "query"));

			if (json_integer_value(json_object_get(smp, "line")) == line && text && strstr(text, statement_part))
				return smp;
		}
	}
	return NULL;
}

/*
 * -j 2 splits a large file and must give exactly what -j 1 gives: the
 * same figures, the same texts, and the same line numbers for what the
 * later part holds (its lines are numbered once the earlier part is read).
 * Two lines planted in the last quarter: a malformed one, and a copy of
 * the fixture's first timed statement made the slowest of the log.
 */
static void
test_parallel_equals_serial(void)
{
	json_t	   *a,
			   *b;
	char		args[4096];
	const char *copies = tmp("copies.log");
	const char *big = tmp("big.log");
	const char *slow = "SELECT 987654";

	sh("for i in $(seq 1 800); do cat '%s'; done > '%s'", test_fixture("workload-debian.log"), copies);
	sh("n=$(wc -l < '%s'); head -n $((n * 3 / 4)) '%s' > '%s' && echo '@@@ not a log line' >> '%s' && "
	   "grep -m1 'duration: .* ms  statement: ' '%s' | "
	   "sed -E 's/duration: [0-9.]+ ms  statement: .*/duration: 987654.321 ms  statement: %s/' >> '%s' && "
	   "tail -n +$((n * 3 / 4 + 1)) '%s' >> '%s'",
	   copies, copies, big, big, copies, slow, big, copies, big);

	json_int_t	planted = 0;
	FILE	   *lines = fopen(big, "r");
	char		buf[8192];

	CU_ASSERT_PTR_NOT_NULL_FATAL(lines);
	for (json_int_t n = 1; fgets(buf, sizeof(buf), lines); n++)
		if (strncmp(buf, "@@@", 3) == 0)
			planted = n;
	fclose(lines);
	CU_ASSERT_FATAL(planted > 200000);
	snprintf(args, sizeof(args), "analyze --format json -j 1 '%s'", big);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &a, NULL), 0);
	snprintf(args, sizeof(args), "analyze --format json -j 2 '%s'", big);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &b, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(summary(a, "statements"), 800 * fixture_statements() + 1);
	CU_ASSERT_EQUAL(summary(b, "statements"), 800 * fixture_statements() + 1);
	CU_ASSERT_EQUAL(summary(a, "records"), summary(b, "records"));
	CU_ASSERT_EQUAL(summary(a, "lines"), summary(b, "lines"));
	for (int k = 0; k < 2; k++)
	{
		json_t	   *r = k ? b : a;
		json_t	   *bad = json_array_get(json_object_get(r, "malformed"), 0);

		CU_ASSERT_EQUAL(summary(r, "malformed_lines"), 1);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(bad, "line")), planted);
		CU_ASSERT_PTR_NOT_NULL(sample_at_line(r, slow, planted + 1));
	}
	json_t	   *qa = json_object_get(a, "queries"),
			   *qb = json_object_get(b, "queries");

	CU_ASSERT_EQUAL_FATAL(json_array_size(qa), json_array_size(qb));
	for (size_t i = 0; i < json_array_size(qa); i++)
	{
		json_t	   *x = json_array_get(qa, i),
				   *y = json_array_get(qb, i);

		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(x, "fingerprint")),
							   json_string_value(json_object_get(y, "fingerprint")));
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(x, "calls")), json_integer_value(json_object_get(y, "calls")));
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(x, "query")),
							   json_string_value(json_object_get(y, "query")));
		CU_ASSERT(json_equal(json_object_get(x, "samples"), json_object_get(y, "samples")));
		CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(x, "p95_ms")),
							   json_number_value(json_object_get(y, "p95_ms")), 1e-9);
	}
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(a, "sessions"), "connections_authorized")),
					json_integer_value(json_object_get(json_object_get(b, "sessions"), "connections_authorized")));
	json_decref(a);
	json_decref(b);
}

static void
test_filters(void)
{
	json_t	   *j;
	char		args[4096];

	snprintf(args, sizeof(args), "analyze --format json --since 2999-01-01 '%s'", test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(summary(j, "statements"), 0);
	CU_ASSERT(summary(j, "filtered_out") > 0);
	json_decref(j);
	snprintf(args, sizeof(args), "analyze --format json --app fixture-churn '%s'", test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	/* fixture-churn: 20 sessions of one query each (fixtures/README.md) */
	CU_ASSERT_EQUAL(summary(j, "statements"), 20);
	json_decref(j);
	snprintf(args, sizeof(args), "analyze --since yesterday '%s'", test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, NULL, NULL), 2);
}

static void
test_store_resume(void)
{
	json_t	   *j;
	char	   *err = NULL;
	char		args[8192];
	const char *db = tmp("run.db");
	const char *growing = tmp("growing.log");

	/* the first half of a log, then the whole of it under the same name */
	sh("head -n 200 '%s' > '%s'", test_fixture("workload-debian.log"), growing);
	snprintf(args, sizeof(args), "analyze --format json --store '%s' '%s'", db, growing);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_int_t	first = summary(j, "statements");

	CU_ASSERT(first > 0 && first < fixture_statements());
	json_decref(j);
	sh("cp '%s' '%s'", test_fixture("workload-debian.log"), growing);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	/* the store held the first part; only the rest was read again */
	CU_ASSERT_EQUAL(summary(j, "statements"), fixture_statements());
	/* saying so is a notice, for a terminal only (tests/cli/test_cli_terminal.c) */
	CU_ASSERT_PTR_NULL(strstr(err, "resuming"));
	json_decref(j);
	free(err);
	/* feeding the same file again adds nothing */
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_EQUAL(summary(j, "statements"), fixture_statements());
	json_decref(j);
	/* the report comes back without the logs */
	snprintf(args, sizeof(args), "report --format json --store '%s'", db);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(summary(j, "statements"), fixture_statements());
	json_decref(j);
	/* a file that is not a store */
	snprintf(args, sizeof(args), "report --store '%s'", test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, NULL, NULL), 5);
}

static void
test_usage_and_text(void)
{
	char	   *out = NULL;
	char		cmd[4096];

	CU_ASSERT_EQUAL(test_pgsift_json("--version", NULL, NULL), 0);
	CU_ASSERT_EQUAL(test_pgsift_json("--help", NULL, NULL), 0);
	CU_ASSERT_EQUAL(test_pgsift_json("analyze --help", NULL, NULL), 0);
	CU_ASSERT_EQUAL(test_pgsift_json("frobnicate", NULL, NULL), 2);
	CU_ASSERT_EQUAL(test_pgsift_json("analyze", NULL, NULL), 2);
	CU_ASSERT_EQUAL(test_pgsift_json("analyze --format xml x", NULL, NULL), 2);
	snprintf(cmd, sizeof(cmd), "%s analyze -q --top 3 '%s'", test_pgsift_binary(), test_fixture("workload.json"));
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Profile (top 3 of"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Errors by SQLSTATE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "53300"));
	free(out);
}

PGSIFT_TEST_SUITE(cli_input_suite)
{
	CU_pSuite	s = CU_add_suite("cli/input", NULL, NULL);

	CU_add_test(s, "gzip, bzip2 and zstd by magic bytes", test_compressed);
	CU_add_test(s, "truncated .gz keeps what was read", test_truncated_gzip);
	CU_add_test(s, "garbage, empty, missing, directory", test_nothing_readable);
	CU_add_test(s, "a missing file among good ones", test_missing_file_among_good);
	CU_add_test(s, "a wrong --prefix", test_wrong_prefix);
	CU_add_test(s, "2 MiB line and invalid UTF-8", test_long_line_and_bad_utf8);
	CU_add_test(s, "mixed formats in one run, and stdin", test_mixed_formats_and_stdin);
	CU_add_test(s, "-j 2 equals -j 1", test_parallel_equals_serial);
	CU_add_test(s, "time and name filters", test_filters);
	CU_add_test(s, "store: resume, no double counting, report", test_store_resume);
	CU_add_test(s, "usage, exit codes and the text report", test_usage_and_text);
}
