/*-------------------------------------------------------------------------
 * test_migration_regress.c
 *    The workload's plans before and after a migration, on the
 *    throwaway server: a dropped index a query used, a new index a query
 *    now uses, a renamed column a query reads, and a migration that
 *    touches nothing the workload reads.
 *
 * The workload is what the suite's database really ran: queries sent by
 * an admin session, which pg_stat_statements counts and the server log
 * (log_min_duration_statement = 0 for that session) records with their
 * values; the log part is handed to the gate as a --workload file.
 *-------------------------------------------------------------------------
 */
#include "src/live/migration_regress.h"
#include "tests/pg_testing.h"
#include "tests/rules/migration_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REGRESS_DB "migration_regress_test"
#define LOG_MARKER "pgsift-regress-log-end"

static char *dsn;
static char log_copy[4096];		/* the workload's part of the server log */
static const char *workload_logs[2] = {log_copy, NULL};

/* The server log from byte from until it holds LOG_MARKER (malloc'd), or NULL after 10 s. */
static char *
log_since(long from)
{
	for (int tries = 0; tries < 200; tries++)
	{
		long		to = pg_test_file_size(pg_test_server_log());
		FILE	   *f = fopen(pg_test_server_log(), "r");
		char	   *buf;
		size_t		n;

		if (f && to > from && fseek(f, from, SEEK_SET) == 0)
		{
			buf = malloc((size_t) (to - from) + 1);
			n = fread(buf, 1, (size_t) (to - from), f);
			buf[n] = '\0';
			fclose(f);
			if (strstr(buf, LOG_MARKER))
				return buf;
			free(buf);
		}
		else if (f)
			fclose(f);
		usleep(50 * 1000);
	}
	return NULL;
}

/* The application: queries by k (index big_k), by w (no index) and on small. */
static void
play(PGconn *c)
{
	for (int i = 0; i < 5; i++)
	{
		char		sql[160];

		snprintf(sql, sizeof(sql), "SELECT pad FROM big WHERE k = %d", 40 + i);
		pg_test_setup_exec(c, sql);
		snprintf(sql, sizeof(sql), "SELECT id FROM big WHERE w = %d", 7 + i);
		pg_test_setup_exec(c, sql);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM big WHERE k = %d AND id > 0", 5 + i);
		pg_test_setup_exec(c, sql);
	}
}

static int
suite_init(void)
{
	PGconn	   *admin;
	long		from;
	char	   *text;

	if (!test_have_server())
		return 0;
	if (pg_test_create_database(REGRESS_DB) != 0 || (admin = pg_test_setup_connect(REGRESS_DB)) == NULL)
		return 1;
	pg_test_setup_exec(admin, "CREATE TABLE big (id int PRIMARY KEY, k int, w int, pad text)");
	pg_test_setup_exec(admin, "INSERT INTO big SELECT g, g % 1000, g % 997, repeat('x', 200)"
					   " FROM generate_series(1, 50000) g");
	pg_test_setup_exec(admin, "CREATE INDEX big_k ON big (k)");
	pg_test_setup_exec(admin, "VACUUM ANALYZE big");
	from = pg_test_file_size(pg_test_server_log());
	pg_test_setup_exec(admin, "SET log_min_duration_statement = 0");
	play(admin);
	pg_test_setup_exec(admin, "SELECT '" LOG_MARKER "'");
	PQfinish(admin);
	if ((text = log_since(from)) == NULL)
		return 1;
	{
		/* test_write_file asserts, which a suite's set-up may not */
		FILE	   *f;

		snprintf(log_copy, sizeof(log_copy), "%s/regress-workload.log", test_tmpdir());
		if ((f = fopen(log_copy, "w")) == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		{
			free(text);
			return 1;
		}
	}
	free(text);
	dsn = pg_test_dsn("dbname=" REGRESS_DB);
	return 0;
}

static int
suite_clean(void)
{
	lint_free();
	if (test_have_server())
		pg_test_drop_database(REGRESS_DB);
	free(dsn);
	return 0;
}

static const migration_gate_result *
gate(const char *sql, int with_log)
{
	migration_gate_options o = {
		.dsn = dsn, .measure = MIGRATION_MEASURE_PLAN, .workload = with_log ? workload_logs : NULL,
	};

	return lint_sql_with(sql, &o);
}

/* The compared query whose text holds needle and came from source, or NULL. */
static const regress_query *
query_like(const migration_gate_result *r, const char *needle, const char *source)
{
	for (int i = 0; i < r->regressions.nqueries; i++)
		if (strstr(r->regressions.queries[i].query, needle) && strcmp(r->regressions.queries[i].source, source) == 0)
			return &r->regressions.queries[i];
	return NULL;
}

static void
test_dropped_index(void)
{
	const migration_gate_result *r = gate("CREATE TABLE notes (id int);\nDROP INDEX big_k;\n", 0);
	const regress_query *q = query_like(r, "WHERE k = ", "pg_stat_statements");
	const finding *f;

	CU_ASSERT_EQUAL_FATAL(r->compared, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(q->verdict, REGRESS_SLOWER);
	CU_ASSERT_TRUE(q->before.ok && q->after.ok && q->after.cost > q->before.cost);
	pg_test_assert_has(q->reason, "used index big_k, which the migration drops", 1);
	CU_ASSERT_TRUE(lint_count("plan-regression") >= 1);
	f = lint_finding("plan-regression", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->location.line, 2);	/* the DROP, not the CREATE TABLE */
	pg_test_assert_has(f->detail, "Before: ", 1);
	pg_test_assert_has(f->detail, "After: ", 1);
	CU_ASSERT_PTR_NOT_NULL(finding_metric_named(f, "cost"));
	CU_ASSERT_EQUAL(lint_count("plan-improvement"), 0);
}

static void
test_new_index_used(void)
{
	const migration_gate_result *r = gate("CREATE INDEX big_w ON big (w);\n", 0);
	const regress_query *q = query_like(r, "WHERE w = ", "pg_stat_statements");

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(q->verdict, REGRESS_FASTER);
	pg_test_assert_has(q->reason, "uses new index big_w", 1);
	CU_ASSERT_EQUAL(lint_count("plan-improvement"), 1);
	CU_ASSERT_EQUAL(lint_line("plan-improvement"), 1);
	CU_ASSERT_EQUAL(lint_count("plan-regression"), 0);
	CU_ASSERT_EQUAL(lint_count("new-index-unused"), 0);
}

static void
test_unrelated_migration(void)
{
	const migration_gate_result *r = gate("CREATE TABLE other (id int, note text);\n"
										  "CREATE INDEX other_note ON other (note);\n"
										  "CREATE INDEX big_pad ON big (pad);\n"
										  "CREATE UNIQUE INDEX big_id_k ON big (id, k);\n", 1);

	CU_ASSERT_EQUAL_FATAL(r->compared, 1);
	for (int i = 0; i < r->regressions.nqueries; i++)
	{
		const regress_query *q = &r->regressions.queries[i];

		CU_ASSERT_TRUE(q->verdict == REGRESS_UNCHANGED || q->verdict == REGRESS_NOT_PLANNED);
	}
	CU_ASSERT_EQUAL(lint_count("plan-regression"), 0);
	CU_ASSERT_EQUAL(lint_count("plan-improvement"), 0);
	/*
	 * an index nothing in the workload reads: cost without benefit; not
	 * the new table's (no query can read it yet), nor a unique one
	 */
	CU_ASSERT_EQUAL(lint_count("new-index-unused"), 1);
	CU_ASSERT_EQUAL(lint_line("new-index-unused"), 3);
}

static void
test_logged_values(void)
{
	const migration_gate_result *r = gate("DROP INDEX big_k;\n", 1);
	const regress_query *q = query_like(r, "AND id > ", "log");

	/* the log's query, with the values it ran with, is compared too */
	CU_ASSERT_TRUE(r->workload_statements > 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_FALSE(q->before.generic);
	CU_ASSERT_EQUAL(q->verdict, REGRESS_SLOWER);
}

static void
test_renamed_column(void)
{
	const migration_gate_result *r = gate("ALTER TABLE big RENAME COLUMN pad TO body;\n", 0);
	const regress_query *q = query_like(r, "SELECT pad FROM big", "pg_stat_statements");
	const finding *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(q->verdict, REGRESS_FAILS);
	pg_test_assert_has(q->reason, "column \"pad\" does not exist", 1);
	f = lint_finding("plan-regression", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->severity, FINDING_CRITICAL);
}

PGSIFT_SERVER_TEST_SUITE(add_migration_regress_suite)
{
	CU_pSuite	s = CU_add_suite("src/live/migration_regress", suite_init, suite_clean);

	CU_add_test(s, "dropping an index a query uses is a regression", test_dropped_index);
	CU_add_test(s, "an index a query now uses is an improvement", test_new_index_used);
	CU_add_test(s, "an unrelated migration changes no plan", test_unrelated_migration);
	CU_add_test(s, "logged queries are compared with their values", test_logged_values);
	CU_add_test(s, "a query that fails after the migration", test_renamed_column);
}
