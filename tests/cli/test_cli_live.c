/*-------------------------------------------------------------------------
 * test_cli_live.c
 *    End-to-end tests of the live mode against the throwaway server:
 *    `pgsift analyze --dsn` and `pgsift explain`.
 *
 * The database mirrors the tables of the fixture workload (accounts,
 * orders, settings), so the statements logged in fixtures/workload.csv
 * can be explained with their real logged values.  The safety tests check
 * that nothing pgsift runs changes the data or the catalog.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB "cli_live_test"

static char *
psql(const char *sql)
{
	char		cmd[8192];
	char	   *out = NULL;

	snprintf(cmd, sizeof(cmd), "psql -X -q -t -A -d " DB " -c \"%s\" 2>&1", sql);
	test_run(cmd, &out);
	if (out)
		out[strcspn(out, "\n")] = '\0';
	return out;
}

static int
suite_init(void)
{
	if (test_run("psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS " DB "' -c 'CREATE DATABASE " DB "' >/dev/null 2>&1", NULL) != 0)
		return 1;
	const char *setup =
		"psql -X -q -v ON_ERROR_STOP=1 -d " DB " >/dev/null 2>&1 <<'SQL'\n"
		"CREATE EXTENSION IF NOT EXISTS pg_stat_statements;\n"
		"CREATE EXTENSION IF NOT EXISTS hypopg;\n"
		"CREATE TABLE accounts (id integer PRIMARY KEY, name text NOT NULL UNIQUE, email text, balance numeric NOT NULL DEFAULT 0, created_at timestamptz DEFAULT now());\n"
		"CREATE TABLE orders (id bigint PRIMARY KEY, account_id integer NOT NULL REFERENCES accounts(id), status text NOT NULL, amount numeric NOT NULL, note text, created_at timestamptz DEFAULT now());\n"
		"CREATE TABLE settings (key text PRIMARY KEY, value text);\n"
		"INSERT INTO accounts SELECT g, 'user' || g, 'u' || g || '@example.com', 1000 FROM generate_series(1, 1000) g;\n"
		"INSERT INTO orders SELECT g, 1 + g % 1000, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4], g % 500, NULL FROM generate_series(1, 200000) g;\n"
		"INSERT INTO settings VALUES ('theme', 'dark'), ('lang', 'en');\n"
		"VACUUM ANALYZE;\n"
		"SQL";

	return test_run(setup, NULL) != 0;
}

static int
suite_clean(void)
{
	test_run("psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS " DB " WITH (FORCE)' >/dev/null 2>&1", NULL);
	return 0;
}

/* A fingerprint of the data and of the catalog, to show nothing changed. */
static char *
state_digest(void)
{
	return psql("SELECT (SELECT sum(balance) FROM accounts) || '/' || (SELECT count(*) FROM orders) || '/' || "
				"(SELECT sum(amount) FROM orders) || '/' || (SELECT count(*) FROM pg_class) || '/' || "
				"(SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY indexrelid) FROM pg_index "
				"WHERE indrelid::regclass::text IN ('orders','accounts','settings'))");
}

/* Assert the data and catalog are as state_digest saw them in `before` (freed). */
static void
assert_unchanged_since(char *before)
{
	char	   *after = state_digest();

	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
}

static int
has_finding(json_t *j, const char *rule, const char *query_part)
{
	size_t		i;
	json_t	   *f;

	json_array_foreach(json_object_get(j, "findings"), i, f)
	{
		const char *r = json_string_value(json_object_get(f, "rule"));
		const char *q = json_string_value(json_object_get(f, "query"));
		int			from_rule = r && strcmp(r, rule) == 0;
		size_t		k;
		json_t	   *m;

		/* a finding folded into another one's fix is listed in its merged_rules */
		json_array_foreach(json_object_get(f, "merged_rules"), k, m)
			from_rule = from_rule || strcmp(json_string_value(m), rule) == 0;
		if (from_rule && (query_part == NULL || (q && strstr(q, query_part))))
			return 1;
	}
	return 0;
}

static void
test_analyze_live_with_log(void)
{
	json_t	   *j;
	char		args[4096];
	char	   *before = state_digest();

	snprintf(args, sizeof(args), "analyze -q --format json --dsn 'dbname=" DB "' '%s'", test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_t	   *live = json_object_get(j, "live");

	CU_ASSERT_TRUE(json_is_true(json_object_get(live, "catalog")));
	CU_ASSERT_TRUE(json_is_true(json_object_get(live, "pg_stat_statements_available")));
	CU_ASSERT(json_integer_value(json_object_get(live, "explained")) >= 5);
	/* the log's DDL, DML and maintenance statements are refused, never run */
	CU_ASSERT(json_integer_value(json_object_get(live, "explain_refused")) >= 5);
	/* planted: a filter on orders.account_id with no index, and the unindexed FK */
	CU_ASSERT_TRUE(has_finding(j, "seq-scan-filter", "FROM orders WHERE account_id = $1"));
	CU_ASSERT_TRUE(has_finding(j, "fk-without-index", NULL));
	/* findings are ranked by score */
	json_t	   *fs = json_object_get(j, "findings");

	for (size_t i = 1; i < json_array_size(fs); i++)
		CU_ASSERT(json_number_value(json_object_get(json_array_get(fs, i - 1), "score")) >=
				  json_number_value(json_object_get(json_array_get(fs, i), "score")));
	json_decref(j);

	/* the logged UPDATEs, INSERT ... SELECT and DDL changed nothing */
	assert_unchanged_since(before);
}

static void
test_measure_real_rolls_back(void)
{
	char	   *before = state_digest();
	char		args[4096];
	json_t	   *j;

	snprintf(args, sizeof(args), "analyze -q --format json --measure real --dsn 'dbname=" DB "' '%s'",
			 test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	/* DML was explained with ANALYZE, inside transactions that were rolled back */
	assert_unchanged_since(before);
}

/*
 * The server "goes away" mid-run: pgsift's backend is terminated while it
 * waits between two pg_stat_statements snapshots.  It must say so, keep
 * what it had (the log profile), and not crash.  Its stderr is a terminal
 * (script), where it says when it starts sampling: a notice, which a
 * redirected stderr would not get.
 */
static void
test_connection_lost_midrun(void)
{
	char		cmd[4096];
	char	   *out = NULL;

	snprintf(cmd, sizeof(cmd),
			 "d='%s'; script -qfec \"'%s' analyze --format json --interval 3 --dsn 'dbname=" DB "' '%s' > '$d/lost.json'\" "
			 "\"$d/lost.err\" > /dev/null & p=$!; "
			 "for i in $(seq 300); do grep -q sampling \"$d/lost.err\" && break; sleep 0.1; done; "
			 "psql -X -q -d postgres -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgsift'\" > /dev/null; "
			 "wait $p; echo \"exit=$?\"; cat \"$d/lost.err\"",
			 test_tmpdir(), test_pgsift_binary(), test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "exit=0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lost the connection"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "HINT:"));
	free(out);

	json_t	   *j = NULL;

	snprintf(cmd, sizeof(cmd), "cat '%s/lost.json'", test_tmpdir());
	test_run(cmd, &out);
	j = json_loads(out ? out : "", 0, NULL);
	free(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	/* the log analysis is all there */
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "summary"), "statements")), 78);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "live"), "explained")), 0);
	json_decref(j);
}

/* Finding ids, sorted and joined, to compare two runs. */
static char *
finding_ids(json_t *j)
{
	char	  **ids = NULL;
	size_t		n = json_array_size(json_object_get(j, "findings"));
	size_t		i;
	json_t	   *f;
	char	   *all = calloc(n * 64 + 1, 1);

	ids = calloc(n + 1, sizeof(char *));
	json_array_foreach(json_object_get(j, "findings"), i, f)
		ids[i] = (char *) json_string_value(json_object_get(f, "id"));
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			if (strcmp(ids[a], ids[b]) > 0)
			{
				char	   *t = ids[a];

				ids[a] = ids[b];
				ids[b] = t;
			}
	for (i = 0; i < n; i++)
		strcat(strcat(all, ids[i]), ",");
	free(ids);
	return all;
}

/* --jobs 2 spreads EXPLAIN work over two connections with the same result. */
static void
test_jobs_same_result(void)
{
	json_t	   *a,
			   *b;
	char		args[4096];

	snprintf(args, sizeof(args), "analyze -q --format json --measure off --dsn 'dbname=" DB "' '%s'", test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &a, NULL), 0);
	snprintf(args, sizeof(args), "analyze -q --format json --measure off --jobs 2 --dsn 'dbname=" DB "' '%s'", test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &b, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	json_t	   *la = json_object_get(a, "live"),
			   *lb = json_object_get(b, "live");

	CU_ASSERT_EQUAL(json_integer_value(json_object_get(la, "explained")), json_integer_value(json_object_get(lb, "explained")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(la, "explain_refused")), json_integer_value(json_object_get(lb, "explain_refused")));
	CU_ASSERT(json_integer_value(json_object_get(lb, "explained")) >= 5);
	/* plans are reported in candidate order whatever thread explained them */
	for (size_t i = 0; i < json_array_size(json_object_get(la, "plans")); i++)
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(json_object_get(la, "plans"), i), "fingerprint")),
							   json_string_value(json_object_get(json_array_get(json_object_get(lb, "plans"), i), "fingerprint")));
	char	   *ia = finding_ids(a),
			   *ib = finding_ids(b);

	CU_ASSERT_STRING_EQUAL(ia, ib);
	free(ia);
	free(ib);
	json_decref(a);
	json_decref(b);
}

/* The index advisor proposes the planted index and proves it, rolled back. */
static void
test_missing_index_measured(void)
{
	json_t	   *j;
	char		args[4096];
	char	   *before = state_digest();
	size_t		i;
	json_t	   *f;
	int			found = 0;

	snprintf(args, sizeof(args), "analyze -q --format json --measure real --dsn 'dbname=" DB "' '%s'",
			 test_fixture("workload.csv"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_array_foreach(json_object_get(j, "findings"), i, f)
	{
		const char *rule = json_string_value(json_object_get(f, "rule"));
		const char *sql = json_string_value(json_object_get(json_object_get(f, "fix"), "sql"));
		json_t	   *m = json_object_get(f, "measurement");

		if (strcmp(rule, "missing-index") != 0 || sql == NULL || strstr(sql, "ON public.orders (account_id") == NULL)
			continue;
		found = 1;
		CU_ASSERT_PTR_NOT_NULL(strstr(sql, "CREATE INDEX CONCURRENTLY"));
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "method")), "measured");
		CU_ASSERT(json_number_value(json_object_get(m, "after_ms")) < json_number_value(json_object_get(m, "before_ms")));
		CU_ASSERT(json_integer_value(json_object_get(m, "after_buffers")) < json_integer_value(json_object_get(m, "before_buffers")));
		CU_ASSERT_TRUE(json_is_array(json_object_get(m, "before_plan")));	/* EXPLAIN's own JSON */
		CU_ASSERT_TRUE(json_is_array(json_object_get(m, "after_plan")));
	}
	CU_ASSERT_TRUE(found);
	json_decref(j);
	/* the index was built inside a rolled-back transaction: it is gone */
	assert_unchanged_since(before);
}

/* --interval: only statements run during the interval are candidates. */
static void
test_interval(void)
{
	char		cmd[4096];
	char	   *out = NULL;

	/*
	 * The probe runs 30 times in one session, started only once pgsift says
	 * it took its first snapshot, and well inside the interval.  It says so
	 * on a terminal only: its stderr is one (script).
	 */
	char		probe[2048] = "";

	for (int k = 0; k < 30; k++)
		strcat(probe, " -c \"SELECT value FROM settings WHERE key = 'interval-probe'\"");
	snprintf(cmd, sizeof(cmd),
			 "d='%s'; script -qfec \"'%s' analyze --format json --interval 5 --dsn 'dbname=" DB "' > '$d/interval.json'\" "
			 "\"$d/interval.err\" > /dev/null & p=$!; "
			 "for i in $(seq 300); do grep -q sampling \"$d/interval.err\" && break; sleep 0.1; done; "
			 "psql -X -q -d " DB "%s > /dev/null; wait $p && cat \"$d/interval.json\"",
			 test_tmpdir(), test_pgsift_binary(), probe);
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	json_t	   *j = json_loads(out ? out : "", 0, NULL);

	free(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_t	   *top = json_object_get(json_object_get(j, "live"), "pg_stat_statements");
	size_t		i;
	json_t	   *e;
	json_int_t	probe_calls = -1;

	json_array_foreach(top, i, e)
	{
		const char *q = json_string_value(json_object_get(e, "query"));

		if (q && strstr(q, "FROM settings WHERE key = $1"))
			probe_calls = json_integer_value(json_object_get(e, "calls"));
	}
	/* the delta counts exactly the interval's calls, not the whole history */
	CU_ASSERT_EQUAL(probe_calls, 30);
	json_decref(j);
}

static void
test_explain_command(void)
{
	char	   *out = NULL;
	char	   *err = NULL;
	char		cmd[4096];
	char	   *before = psql("SELECT count(*) FROM orders WHERE account_id = 7");

	snprintf(cmd, sizeof(cmd), "%s explain --dsn 'dbname=" DB "' --param 7 'SELECT count(*), sum(amount) FROM orders WHERE account_id = $1'",
			 test_pgsift_binary());
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "measured with EXPLAIN ANALYZE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "seq-scan-filter"));
	free(out);
	/* a DELETE is refused without --measure real, and runs rolled back with it */
	CU_ASSERT_EQUAL(test_pgsift_json("explain --dsn 'dbname=" DB "' 'DELETE FROM orders WHERE account_id = 7'", NULL, &err), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not explained"));
	free(err);
	CU_ASSERT_EQUAL(test_pgsift_json("explain --measure real --dsn 'dbname=" DB "' 'DELETE FROM orders WHERE account_id = 7'", NULL, NULL), 0);
	/* DDL is never run */
	CU_ASSERT_EQUAL(test_pgsift_json("explain --measure real --dsn 'dbname=" DB "' 'DROP TABLE settings'", NULL, NULL), 1);
	char	   *after = psql("SELECT count(*) FROM orders WHERE account_id = 7");
	char	   *settings = psql("SELECT count(*) FROM settings");

	CU_ASSERT_STRING_EQUAL(before, after);
	CU_ASSERT_STRING_EQUAL(settings, "2");
	free(before);
	free(after);
	free(settings);
}

/*
 * A statement of another database of the server, costly enough to rank
 * first in pg_stat_statements, is not explained in this one: it would fail
 * there (its table does not exist) or plan against the wrong table.
 */
static void
test_other_database_not_explained(void)
{
	json_t	   *j;
	json_t	   *p;
	size_t		i;
	int			explained = 0;

	CU_ASSERT_EQUAL_FATAL(test_run("psql -X -q -d postgres -c 'CREATE TABLE IF NOT EXISTS cli_live_elsewhere (id int)' "
								   "-c 'SELECT pg_sleep(0.3), count(*) FROM cli_live_elsewhere' >/dev/null 2>&1", NULL), 0);
	CU_ASSERT_EQUAL(test_pgsift_json("analyze -q --format json --measure off --explain-top 200 --dsn 'dbname=" DB "'",
									 &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_array_foreach(json_object_get(json_object_get(j, "live"), "plans"), i, p)
	{
		const char *reason = json_string_value(json_object_get(p, "reason"));

		CU_ASSERT_PTR_NULL(reason ? strstr(reason, "cli_live_elsewhere") : NULL);
		explained += strcmp(json_string_value(json_object_get(p, "kind")), "generic") == 0;
	}
	/* this database's own statements still are */
	CU_ASSERT(explained > 0);
	json_decref(j);
	test_run("psql -X -q -d postgres -c 'DROP TABLE IF EXISTS cli_live_elsewhere' >/dev/null 2>&1", NULL);
}

static void
test_unreachable_and_password(void)
{
	char	   *err = NULL;

	CU_ASSERT_EQUAL(test_pgsift_json("analyze --dsn 'postgresql://postgres:Sup3rS3cret@127.0.0.1:1/nowhere'", NULL, &err), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "could not connect"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "HINT:"));
	CU_ASSERT_PTR_NULL(strstr(err, "Sup3rS3cret"));
	free(err);
	CU_ASSERT_EQUAL(test_pgsift_json("analyze --dsn 'host=127.0.0.1 port=1 password=Sup3rS3cret'", NULL, &err), 4);
	CU_ASSERT_PTR_NULL(strstr(err, "Sup3rS3cret"));
	free(err);
}

PGSIFT_SERVER_TEST_SUITE(cli_live_suite)
{
	CU_pSuite	s = CU_add_suite("cli/live", suite_init, suite_clean);

	CU_add_test(s, "analyze --dsn with a log: plans, rules, nothing changed", test_analyze_live_with_log);
	CU_add_test(s, "--measure real: DML explained and rolled back", test_measure_real_rolls_back);
	CU_add_test(s, "missing-index proposed and measured, rolled back", test_missing_index_measured);
	CU_add_test(s, "--interval: pg_stat_statements deltas", test_interval);
	CU_add_test(s, "--jobs 2: same plans and findings", test_jobs_same_result);
	CU_add_test(s, "connection lost mid-run: warned, log kept", test_connection_lost_midrun);
	CU_add_test(s, "explain: plan, refusals, DDL never run", test_explain_command);
	CU_add_test(s, "another database's statements are not explained", test_other_database_not_explained);
	CU_add_test(s, "unreachable DSN: exit 4, hint, no password", test_unreachable_and_password);
}
