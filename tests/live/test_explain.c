/*-------------------------------------------------------------------------
 * test_explain.c
 *    Tests for the EXPLAIN runner against the throwaway server: what runs,
 *    what is refused, that nothing is ever changed, and that the
 *    connection is idle and usable after every call.
 *-------------------------------------------------------------------------
 */
#include "src/live/explain.h"
#include "tests/sandbox_testing.h"
#include "tests/test_registry.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EXPLAIN_DB "explain_test"

/* A read-only policy, one that allows writes (--measure real), one with a short timeout. */
static sandbox *conn;
static sandbox *conn_rw;
static sandbox *conn_short;

static void
quiet_notice(void *arg, const char *message)
{
}

static int
admin_exec(const char *sql)
{
	PGconn	   *admin = PQconnectdb("dbname=postgres");
	int			ok = PQstatus(admin) == CONNECTION_OK;

	PQsetNoticeProcessor(admin, quiet_notice, NULL);
	if (ok)
	{
		PGresult   *r = PQexec(admin, sql);

		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	PQfinish(admin);
	return ok ? 0 : -1;
}

/* Run setup SQL on the test connection itself, around the sandbox. */
static int
setup_exec(const char *sql)
{
	PGresult   *r = pgc_query(sandbox_conn(conn), sql, 0, NULL);

	PQclear(r);
	return r ? 0 : -1;
}

static int
explain_init(void)
{
	if (admin_exec("DROP DATABASE IF EXISTS " EXPLAIN_DB) != 0 ||
		admin_exec("CREATE DATABASE " EXPLAIN_DB) != 0)
		return -1;
	sandbox_settings short_timeout = {.dsn = "dbname=" EXPLAIN_DB, .statement_timeout_ms = 100};

	conn = sandbox_test_open("dbname=" EXPLAIN_DB, 0);
	conn_rw = sandbox_test_open("dbname=" EXPLAIN_DB, 1);
	conn_short = sandbox_connect(sandbox_policy_create(&short_timeout));
	if (conn == NULL || conn_rw == NULL || conn_short == NULL)
		return -1;
	if (setup_exec("CREATE TABLE items (id int PRIMARY KEY, qty int, note text)") != 0 ||
		setup_exec("INSERT INTO items SELECT g, g % 10, 'n' || g FROM generate_series(1, 1000) g") != 0 ||
		setup_exec("ANALYZE items") != 0)
		return -1;
	return 0;
}

static int
explain_cleanup(void)
{
	sandbox_test_close(conn);
	sandbox_test_close(conn_rw);
	sandbox_test_close(conn_short);
	conn = conn_rw = conn_short = NULL;
	return admin_exec("DROP DATABASE IF EXISTS " EXPLAIN_DB);
}

static int
idle(void)
{
	return PQtransactionStatus(pgc_raw(sandbox_conn(conn))) == PQTRANS_IDLE &&
		PQtransactionStatus(pgc_raw(sandbox_conn(conn_rw))) == PQTRANS_IDLE;
}

/* A single integer from a query on the test connection (-1 on error). */
static long
scalar(const char *sql)
{
	PGresult   *r = pgc_query(sandbox_conn(conn), sql, 0, NULL);
	long		v = -1;

	if (r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		v = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static long
item_count(void)
{
	return scalar("SELECT count(*) FROM items");
}

static int
run(const char *sql, int analyze, int allow_dml, explain_result *out)
{
	explain_request req = {.sql = sql, .analyze = analyze};

	return explain_run(allow_dml ? conn_rw : conn, &req, out);
}

static void
test_select_literal(void)
{
	explain_result r;

	CU_ASSERT_EQUAL(run("SELECT * FROM items WHERE qty = 3", 1, 0, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	CU_ASSERT_FALSE(r.generic);
	CU_ASSERT_FALSE(r.refused);
	ASSERT_STR(r.plan->root->node_type, "Seq Scan");
	CU_ASSERT_TRUE(r.plan->root->analyzed);
	CU_ASSERT_EQUAL(r.plan->root->actual_rows, 100);
	CU_ASSERT_TRUE(r.plan->root->buffers.shared_hit >= 0);
	CU_ASSERT_FALSE(isnan(r.plan->execution_ms));
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);
	CU_ASSERT_PTR_NULL(r.plan);

	/* costs only: nothing executed */
	CU_ASSERT_EQUAL(run("SELECT * FROM items WHERE qty = 3", 0, 0, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	CU_ASSERT_FALSE(r.plan->root->analyzed);
	CU_ASSERT_TRUE(isnan(r.plan->execution_ms));
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);
}

static void
test_select_with_params(void)
{
	const char *params[] = {"42", NULL};
	explain_request req = {
		.sql = "SELECT * FROM items WHERE id = $1 OR note = $2",
		.nparams = 2, .params = params, .analyze = 1,
	};
	explain_result r;

	CU_ASSERT_EQUAL(explain_run(conn, &req, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	CU_ASSERT_FALSE(r.generic);
	CU_ASSERT_TRUE(r.plan->root->analyzed);
	/* id = 42 matches; note = NULL matches nothing */
	CU_ASSERT_EQUAL(r.plan->root->actual_rows, 1);
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);
}

static void
test_generic_plan(void)
{
	explain_result r;

	CU_ASSERT_EQUAL(run("SELECT * FROM items WHERE id = $1 AND qty < $2", 1, 0, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	CU_ASSERT_TRUE(r.generic);
	CU_ASSERT_FALSE(r.plan->root->analyzed);
	CU_ASSERT_TRUE(isnan(r.plan->root->actual_total_ms));
	CU_ASSERT_TRUE(isnan(r.plan->execution_ms));
	/* a generic plan keeps the parameters: the index condition shows $1 */
	CU_ASSERT_TRUE(r.plan->root->index_cond != NULL && strstr(r.plan->root->index_cond, "$1") != NULL);
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);
	/* the prepared statement was deallocated: a second run can PREPARE again */
	CU_ASSERT_EQUAL(scalar("SELECT count(*) FROM pg_prepared_statements"), 0);
	CU_ASSERT_EQUAL(run("DELETE FROM items WHERE id = $1", 1, 0, &r), 0);
	CU_ASSERT_TRUE(r.generic);
	CU_ASSERT_EQUAL(item_count(), 1000);
	explain_result_free(&r);

	/* a failing generic statement is deallocated too */
	CU_ASSERT_EQUAL(run("SELECT * FROM items WHERE id = $1 AND missing_column = 1", 1, 0, &r), -1);
	ASSERT_STR(r.sqlstate, "42703");
	CU_ASSERT_EQUAL(scalar("SELECT count(*) FROM pg_prepared_statements"), 0);
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);
}

static void
test_dml_refused_without_measure_real(void)
{
	explain_result r;

	CU_ASSERT_EQUAL(run("DELETE FROM items WHERE id <= 100", 1, 0, &r), -1);
	CU_ASSERT_TRUE(r.refused);
	ASSERT_STR(r.reason, "DML is explained only under --measure real");
	CU_ASSERT_PTR_NULL(r.plan);
	CU_ASSERT_EQUAL(item_count(), 1000);
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);

	/* plain EXPLAIN does not execute, so it needs no --measure real */
	CU_ASSERT_EQUAL(run("DELETE FROM items WHERE id <= 100", 0, 0, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	ASSERT_STR(r.plan->root->node_type, "ModifyTable");
	CU_ASSERT_FALSE(r.plan->root->analyzed);
	CU_ASSERT_EQUAL(item_count(), 1000);
	explain_result_free(&r);
}

static void
test_dml_measured_and_rolled_back(void)
{
	explain_result r;

	CU_ASSERT_EQUAL(run("DELETE FROM items WHERE id <= 100", 1, 1, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	ASSERT_STR(r.plan->root->node_type, "ModifyTable");
	CU_ASSERT_EQUAL_FATAL(r.plan->root->nchildren, 1);
	CU_ASSERT_EQUAL(r.plan->root->children[0]->actual_rows, 100);
	CU_ASSERT_EQUAL(item_count(), 1000);
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);

	CU_ASSERT_EQUAL(run("WITH d AS (UPDATE items SET qty = -1 RETURNING id) SELECT count(*) FROM d", 1, 1, &r), 0);
	CU_ASSERT_EQUAL(scalar("SELECT count(*) FROM items WHERE qty = -1"), 0);
	explain_result_free(&r);
}

static void
test_utility_refused(void)
{
	static const char *const utility[] = {
		"CREATE TABLE made (a int)",
		"DROP TABLE items",
		"CREATE TABLE made AS SELECT * FROM items",
		"SELECT * INTO made FROM items",
		"VACUUM items",
		"COPY items TO STDOUT",
		"TRUNCATE items",
		"EXPLAIN ANALYZE DELETE FROM items",
		"SET statement_timeout = 0",
	};

	for (size_t i = 0; i < sizeof(utility) / sizeof(utility[0]); i++)
	{
		explain_result r;

		CU_ASSERT_EQUAL(run(utility[i], 1, 1, &r), -1);
		CU_ASSERT_TRUE(r.refused);
		CU_ASSERT_PTR_NOT_NULL(r.reason);
		CU_ASSERT_PTR_NULL(r.plan);
		CU_ASSERT_TRUE(idle());
		explain_result_free(&r);
	}
	CU_ASSERT_EQUAL(item_count(), 1000);
	CU_ASSERT_EQUAL(scalar("SELECT count(*) FROM pg_class WHERE relname = 'made'"), 0);
}

static void
test_multiple_and_unparsable_refused(void)
{
	explain_result r;

	CU_ASSERT_EQUAL(run("SELECT 1; DELETE FROM items", 1, 1, &r), -1);
	CU_ASSERT_TRUE(r.refused);
	CU_ASSERT_TRUE(r.reason != NULL && strstr(r.reason, "more than one statement") != NULL);
	explain_result_free(&r);
	CU_ASSERT_EQUAL(run("SELEC 1", 1, 0, &r), -1);
	CU_ASSERT_TRUE(r.refused);
	explain_result_free(&r);
	CU_ASSERT_EQUAL(item_count(), 1000);
	CU_ASSERT_TRUE(idle());
}

static void
test_statement_timeout(void)
{
	explain_request req = {.sql = "SELECT count(*) FROM generate_series(1, 200000000)", .analyze = 1};
	explain_result r;

	CU_ASSERT_EQUAL(explain_run(conn_short, &req, &r), -1);
	CU_ASSERT_FALSE(r.refused);
	ASSERT_STR(r.sqlstate, "57014");
	CU_ASSERT_PTR_NOT_NULL(r.error);
	CU_ASSERT_PTR_NULL(r.plan);
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);

	/* the timeout was local to that transaction: the session's own is off again */
	CU_ASSERT_EQUAL(PQtransactionStatus(pgc_raw(sandbox_conn(conn_short))), PQTRANS_IDLE);

	PGresult   *res = pgc_query(sandbox_conn(conn_short), "SHOW statement_timeout", 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	ASSERT_STR(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
	req.sql = "SELECT count(*) FROM generate_series(1, 1000)";
	CU_ASSERT_EQUAL(explain_run(conn_short, &req, &r), 0);
	CU_ASSERT_PTR_NOT_NULL(r.plan);
	explain_result_free(&r);
}

static void
test_server_errors(void)
{
	explain_result r;

	CU_ASSERT_EQUAL(run("SELECT * FROM gone_table", 1, 0, &r), -1);
	ASSERT_STR(r.sqlstate, "42P01");
	CU_ASSERT_TRUE(r.error != NULL && strstr(r.error, "gone_table") != NULL);
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);

	/* FOR UPDATE cannot run read-only: reported, not worked around */
	CU_ASSERT_EQUAL(run("SELECT * FROM items WHERE id = 1 FOR UPDATE", 1, 0, &r), -1);
	ASSERT_STR(r.sqlstate, "25006");
	CU_ASSERT_TRUE(idle());
	explain_result_free(&r);

	CU_ASSERT_EQUAL(run("SELECT count(*) FROM items", 1, 0, &r), 0);
	CU_ASSERT_EQUAL(r.plan->root->actual_rows, 1);
	explain_result_free(&r);
}

/*
 * A statement that would call a volatile function gets a costs-only plan
 * and says why; the function never ran (its advisory lock would outlive
 * the rollback, held by the session until it closes).
 */
static void
test_volatile_explained_not_executed(void)
{
	explain_result r;

	CU_ASSERT_EQUAL(run("SELECT pg_advisory_lock(4711), qty FROM items WHERE id = 1", 1, 0, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	CU_ASSERT_FALSE(r.plan->root->analyzed);
	CU_ASSERT_TRUE(isnan(r.plan->execution_ms));
	CU_ASSERT_TRUE(r.not_executed && strstr(r.not_executed, "calls volatile function pg_advisory_lock(bigint)") &&
				   strstr(r.not_executed, ": explained, not executed"));
	explain_result_free(&r);
	CU_ASSERT_EQUAL(scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), 0);

	/* the same under --measure real, in a DML statement */
	CU_ASSERT_EQUAL(run("UPDATE items SET note = pg_advisory_lock(4712)::text WHERE id = 2", 1, 1, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	CU_ASSERT_FALSE(r.plan->root->analyzed);
	CU_ASSERT_PTR_NOT_NULL(r.not_executed);
	explain_result_free(&r);
	CU_ASSERT_EQUAL(scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), 0);

	/* a view hides it no better */
	CU_ASSERT_EQUAL(setup_exec("CREATE VIEW locking_items AS SELECT id, pg_try_advisory_lock(id) AS got FROM items"), 0);
	CU_ASSERT_EQUAL(run("SELECT * FROM locking_items WHERE id = 3", 1, 0, &r), 0);
	CU_ASSERT_TRUE(r.not_executed && strstr(r.not_executed, "reads view public.locking_items"));
	explain_result_free(&r);
	CU_ASSERT_EQUAL(scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), 0);

	/* a view over stable functions runs as before */
	CU_ASSERT_EQUAL(setup_exec("CREATE VIEW stable_items AS SELECT id, lower(note) AS note, now() AS at FROM items"), 0);
	CU_ASSERT_EQUAL(run("SELECT * FROM stable_items WHERE id = 3", 1, 0, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	CU_ASSERT_TRUE(r.plan->root->analyzed);
	CU_ASSERT_PTR_NULL(r.not_executed);
	explain_result_free(&r);

	/* harmless volatile functions still run */
	CU_ASSERT_EQUAL(run("SELECT random(), clock_timestamp(), qty FROM items WHERE id = 4", 1, 0, &r), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.plan);
	CU_ASSERT_TRUE(r.plan->root->analyzed);
	CU_ASSERT_PTR_NULL(r.not_executed);
	explain_result_free(&r);
	CU_ASSERT_TRUE(idle());
}

static void
test_refuses_inside_open_transaction(void)
{
	explain_result r;

	CU_ASSERT_EQUAL_FATAL(setup_exec("BEGIN"), 0);
	CU_ASSERT_EQUAL(run("SELECT 1", 1, 0, &r), -1);
	CU_ASSERT_PTR_NOT_NULL(r.error);
	/* the caller's transaction is left alone */
	CU_ASSERT_EQUAL(PQtransactionStatus(pgc_raw(sandbox_conn(conn))), PQTRANS_INTRANS);
	explain_result_free(&r);
	CU_ASSERT_EQUAL(setup_exec("ROLLBACK"), 0);
}

PGSIFT_SERVER_TEST_SUITE(explain_suite)
{
	CU_pSuite	s = CU_add_suite("src/explain", explain_init, explain_cleanup);

	CU_add_test(s, "SELECT with literals gives an analyzed plan", test_select_literal);
	CU_add_test(s, "SELECT with $n values gives an analyzed plan", test_select_with_params);
	CU_add_test(s, "$n without values gives a generic plan", test_generic_plan);
	CU_add_test(s, "DML is refused without --measure real", test_dml_refused_without_measure_real);
	CU_add_test(s, "DML under --measure real is rolled back", test_dml_measured_and_rolled_back);
	CU_add_test(s, "utility statements are refused, nothing changes", test_utility_refused);
	CU_add_test(s, "several statements and bad syntax are refused", test_multiple_and_unparsable_refused);
	CU_add_test(s, "statement timeout is reported, connection still works", test_statement_timeout);
	CU_add_test(s, "missing table and read-only violations are reported", test_server_errors);
	CU_add_test(s, "a volatile function is explained, not executed", test_volatile_explained_not_executed);
	CU_add_test(s, "an open transaction is not touched", test_refuses_inside_open_transaction);
}
