/*-------------------------------------------------------------------------
 * test_cli.c
 *    End-to-end tests of `pgsift analyze` and `pgsift report` on the real
 *    log fixtures.
 *
 * Expected counts come from fixtures/expected-counts.tsv, which
 * make-fixtures.sh computes with its own Perl counter over the raw files,
 * not from pgsift.  The same workload must give the same counts in every
 * format.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* expected-counts.tsv columns, in order: stderr csv json rds debian syslog syslog2 logstatement */
#define NCOLS 8
static const char *column_files[NCOLS] = {
	"workload.log", "workload.csv", "workload.json", "workload-rds.log", "workload-debian.log",
	"workload-syslog.log", "workload-syslog2.log", "workload-logstatement.log"
};

/* Value of row `event` in column `col` of expected-counts.tsv, or -1. */
static long
expected(const char *event, int col)
{
	FILE	   *f = fopen(test_fixture("expected-counts.tsv"), "r");
	char		line[512];
	long		v = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
	{
		char	   *tab = strchr(line, '\t');

		if (tab == NULL || (size_t) (tab - line) != strlen(event) || strncmp(line, event, strlen(event)) != 0)
			continue;
		char	   *p = tab + 1;

		for (int i = 0; i < col && p; i++)
			p = strchr(p, '\t') ? strchr(p, '\t') + 1 : NULL;
		if (p)
			v = strtol(p, NULL, 10);
	}
	fclose(f);
	return v;
}

/* Run pgsift with args (shell words), return parsed stdout JSON and status. */
static json_t *
run_json(const char *args, int *status)
{
	char		cmd[8192];
	char	   *out = NULL;

	snprintf(cmd, sizeof(cmd), "%s analyze --format json -q %s 2>/dev/null", test_pgsift_binary(), args);
	*status = test_run(cmd, &out);
	json_t	   *j = json_loads(out ? out : "", 0, NULL);

	free(out);
	return j;
}

static json_int_t
jint(json_t *root, const char *path)
{
	char		buf[256];
	json_t	   *cur = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
		cur = json_object_get(cur, tok);
	return cur && json_is_integer(cur) ? json_integer_value(cur) : -1;
}

static json_int_t
sqlstate_count(json_t *root, const char *state)
{
	json_t	   *arr = json_object_get(json_object_get(root, "events"), "sqlstates");
	size_t		i;
	json_t	   *v;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(json_object_get(v, "sqlstate")), state) == 0)
		return json_integer_value(json_object_get(v, "count"));
	return 0;
}

static void
check_fixture(int col)
{
	char		args[4096];
	int			st;

	snprintf(args, sizeof(args), "'%s'", test_fixture(column_files[col]));
	json_t	   *j = run_json(args, &st);

	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(jint(j, "summary.records"), expected("entries", col));
	CU_ASSERT_EQUAL(jint(j, "summary.malformed_lines"), 0);
	if (col != 7)
	{
		CU_ASSERT_EQUAL(jint(j, "summary.statements"),
						expected("duration + statement", col) + expected("duration + execute", col));
		CU_ASSERT_EQUAL(jint(j, "events.by_kind.parse"), expected("duration + parse", col));
		CU_ASSERT_EQUAL(jint(j, "events.by_kind.bind"), expected("duration + bind", col));
	}
	CU_ASSERT_EQUAL(jint(j, "sessions.connections_received"), expected("connection received", col));
	CU_ASSERT_EQUAL(jint(j, "sessions.connections_authorized"), expected("connection authorized", col));
	CU_ASSERT_EQUAL(jint(j, "sessions.disconnections"), expected("disconnection", col));
	CU_ASSERT_EQUAL(jint(j, "sessions.refused.reserved_slots"), expected("refused: reserved slots", col));
	CU_ASSERT_EQUAL(jint(j, "sessions.refused.too_many_clients"), expected("refused: too many clients", col));
	/* the refused part fills the server: max_connections=10 (fixtures/README.md) */
	CU_ASSERT_EQUAL(jint(j, "sessions.peak_concurrent"), 10);
	CU_ASSERT_EQUAL(jint(j, "events.by_kind.lock_wait"), expected("lock: still waiting", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_kind.lock_acquired"), expected("lock: acquired", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_kind.temp_file"), expected("temporary file", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_kind.plan"),
					expected("duration + plan (text)", col) + expected("duration + plan (json)", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_kind.checkpoint_starting"), expected("checkpoint starting", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_kind.checkpoint_complete"), expected("checkpoint complete", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_kind.statement_timeout"), expected("statement timeout", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_severity.ERROR"), expected("severity ERROR", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_severity.FATAL"), expected("severity FATAL", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_severity.WARNING"), expected("severity WARNING", col));
	CU_ASSERT_EQUAL(jint(j, "events.by_severity.LOG"), expected("severity LOG", col));
	const char *states[] = {"22012", "22P02", "23505", "25P02", "42601", "42P01", "57014"};

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
	{
		char		row[32];

		snprintf(row, sizeof(row), "ERROR %s", states[i]);
		CU_ASSERT_EQUAL(sqlstate_count(j, states[i]), expected(row, col));
	}
	CU_ASSERT_EQUAL(sqlstate_count(j, "53300"), expected("FATAL 53300", col));
	CU_ASSERT_EQUAL(sqlstate_count(j, "25P01"), expected("WARNING 25P01", col));
	json_decref(j);
}

static void test_stderr(void) { check_fixture(0); }
static void test_csvlog(void) { check_fixture(1); }
static void test_jsonlog(void) { check_fixture(2); }
static void test_rds(void) { check_fixture(3); }
static void test_debian(void) { check_fixture(4); }
static void test_syslog(void) { check_fixture(5); }
static void test_syslog2(void) { check_fixture(6); }

static void
test_logstatement(void)
{
	char		args[4096];
	int			st;

	check_fixture(7);
	snprintf(args, sizeof(args), "'%s'", test_fixture(column_files[7]));
	json_t	   *j = run_json(args, &st);

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	/* every statement line is either paired with its duration or untimed */
	CU_ASSERT_EQUAL(jint(j, "summary.statements") + jint(j, "summary.untimed_statements"),
					expected("statement (log_statement)", 7) + expected("execute (log_statement)", 7));
	/* the same workload: as many timed executions as the run with durations inline */
	CU_ASSERT_EQUAL(jint(j, "summary.statements"),
					expected("duration + statement", 0) + expected("duration + execute", 0));
	json_decref(j);
}

/* The three native formats of one run give the same query profile. */
static void
test_native_formats_agree(void)
{
	json_t	   *j[3];
	int			st;

	for (int c = 0; c < 3; c++)
	{
		char		args[4096];

		snprintf(args, sizeof(args), "'%s'", test_fixture(column_files[c]));
		j[c] = run_json(args, &st);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j[c]);
	}
	json_t	   *q0 = json_object_get(j[0], "queries");

	for (int c = 1; c < 3; c++)
	{
		json_t	   *qc = json_object_get(j[c], "queries");

		CU_ASSERT_EQUAL_FATAL(json_array_size(qc), json_array_size(q0));
		for (size_t i = 0; i < json_array_size(q0); i++)
		{
			json_t	   *a = json_array_get(q0, i),
					   *b = json_array_get(qc, i);

			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "fingerprint")),
								   json_string_value(json_object_get(b, "fingerprint")));
			CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "calls")),
							json_integer_value(json_object_get(b, "calls")));
			CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(a, "total_ms")),
								   json_number_value(json_object_get(b, "total_ms")), 1e-6);
		}
	}
	for (int c = 0; c < 3; c++)
		json_decref(j[c]);
}

/* Parameters with quotes and newlines reach the samples intact. */
static void
test_parameters_in_samples(void)
{
	char		args[4096];
	int			st;
	int			found_quote = 0,
				found_newline = 0;

	snprintf(args, sizeof(args), "'%s'", test_fixture("workload.csv"));
	json_t	   *j = run_json(args, &st);
	size_t		i,
				k;
	json_t	   *q,
			   *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_array_foreach(json_object_get(j, "queries"), i, q)
		json_array_foreach(json_object_get(q, "samples"), k, s)
	{
		const char *p = json_string_value(json_object_get(s, "parameters"));

		if (p && strstr(p, "'O''Brien'"))
			found_quote = 1;
		if (p && strchr(p, '\n'))
			found_newline = 1;
	}
	CU_ASSERT_TRUE(found_quote);
	CU_ASSERT_TRUE(found_newline);
	json_decref(j);
}

PGSIFT_TEST_SUITE(cli_fixture_suite)
{
	CU_pSuite	s = CU_add_suite("cli/fixtures", NULL, NULL);

	CU_add_test(s, "stderr fixture counts", test_stderr);
	CU_add_test(s, "csvlog fixture counts", test_csvlog);
	CU_add_test(s, "jsonlog fixture counts", test_jsonlog);
	CU_add_test(s, "rds fixture counts", test_rds);
	CU_add_test(s, "debian-prefix fixture counts", test_debian);
	CU_add_test(s, "syslog fixture counts", test_syslog);
	CU_add_test(s, "syslog2 fixture counts", test_syslog2);
	CU_add_test(s, "log_statement + log_duration pairing", test_logstatement);
	CU_add_test(s, "stderr, csvlog and jsonlog agree", test_native_formats_agree);
	CU_add_test(s, "parameters with quotes and newlines", test_parameters_in_samples);
}
