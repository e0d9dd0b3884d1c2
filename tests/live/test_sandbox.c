/*-------------------------------------------------------------------------
 * test_sandbox.c
 *    Tests of the sandbox against the throwaway server: its transactions
 *    and their limits, the gate for statements taken from logs, prepared
 *    statements, pg_stat_statements left as it was (a superuser's
 *    sessions are not counted; a plain role's statements are bounded),
 *    and the privilege helpers.
 *
 * What the server saw is checked from an admin session (plain libpq),
 * never from the sandbox under test.
 *-------------------------------------------------------------------------
 */
#include "src/model/workload.h"
#include "tests/pg_testing.h"
#include "tests/sandbox_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SANDBOX_DB "sandbox_test"

static int
suite_init(void)
{
	if (!test_have_server())
		return 0;

	PGconn	   *admin;

	if (pg_test_create_database(SANDBOX_DB) != 0 || (admin = pg_test_setup_connect(SANDBOX_DB)) == NULL)
		return 1;
	pg_test_setup_exec(admin, "CREATE TABLE items (id int PRIMARY KEY, qty int)");
	pg_test_setup_exec(admin, "INSERT INTO items SELECT g, g % 10 FROM generate_series(1, 100) g");
	PQfinish(admin);
	return 0;
}

static int
suite_clean(void)
{
	if (test_have_server())
		pg_test_drop_database(SANDBOX_DB);
	return 0;
}

/* A sandbox on the suite's database as user (NULL: PGUSER). */
static sandbox *
open_as(const char *user, int allow_writes)
{
	char		extra[128];
	char	   *dsn;
	sandbox    *s;

	snprintf(extra, sizeof(extra), "dbname=" SANDBOX_DB "%s%s", user ? " user=" : "", user ? user : "");
	dsn = pg_test_dsn(extra);
	s = sandbox_test_open(dsn, allow_writes);
	free(dsn);
	return s;
}

/* The one value of sql run in a transaction of its own (malloc'd), or NULL. */
static char *
read_value(sandbox *s, const char *sql)
{
	PGresult   *res = sandbox_read(s, sql, 0, NULL);
	char	   *v = res && PQntuples(res) == 1 ? strdup(PQgetvalue(res, 0, 0)) : NULL;

	PQclear(res);
	return v;
}

static int
idle(sandbox *s)
{
	return PQtransactionStatus(pgc_raw(sandbox_conn(s))) == PQTRANS_IDLE;
}

/* Every transaction has the limits, is read-only unless asked, and is rolled back. */
static void
test_transactions(void)
{
	sandbox    *s = open_as(NULL, 0);
	char	   *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	v = read_value(s, "SELECT current_setting('statement_timeout') || ' ' || current_setting('lock_timeout') || ' ' || "
				   "current_setting('idle_in_transaction_session_timeout') || ' ' || current_setting('transaction_read_only')");
	ASSERT_STR(v, "5s 1s 10s on");
	free(v);
	CU_ASSERT_TRUE(idle(s));

	/* nothing is sent outside a sandbox transaction: a bug, said loudly */
	pg_test_capture_begin();
	CU_ASSERT_PTR_NULL(sandbox_query(s, "SELECT 1", 0, NULL));
	v = pg_test_capture_end();
	CU_ASSERT_TRUE(sandbox_last_refused(s));
	pg_test_assert_has(v, "statement sent outside a sandbox transaction", 1);
	free(v);

	/* no read-write transaction without --measure real; nothing was sent */
	CU_ASSERT_EQUAL(sandbox_begin(s, SANDBOX_READ_WRITE), -1);
	CU_ASSERT_TRUE(sandbox_last_refused(s));
	CU_ASSERT_TRUE(idle(s));

	/* read-only means read-only, and a second BEGIN is refused */
	CU_ASSERT_EQUAL_FATAL(sandbox_begin(s, SANDBOX_READ_ONLY), 0);
	CU_ASSERT_EQUAL(sandbox_begin(s, SANDBOX_READ_ONLY), -1);
	CU_ASSERT_EQUAL(sandbox_exec(s, "CREATE TABLE made_read_only (x int)"), -1);
	ASSERT_STR(sandbox_last_sqlstate(s), "25006");
	CU_ASSERT_EQUAL(sandbox_end(s), 0);
	CU_ASSERT_TRUE(idle(s));
	sandbox_test_close(s);

	/* under --measure real a write happens, and is rolled back */
	s = open_as(NULL, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(sandbox_begin(s, SANDBOX_READ_WRITE), 0);
	CU_ASSERT_EQUAL(sandbox_exec(s, "CREATE TABLE made_read_write (x int)"), 0);
	CU_ASSERT_EQUAL(sandbox_make_read_only(s), 0);
	CU_ASSERT_EQUAL(sandbox_exec(s, "INSERT INTO made_read_write VALUES (1)"), -1);
	CU_ASSERT_EQUAL(sandbox_end(s), 0);
	v = read_value(s, "SELECT count(*) FROM pg_class WHERE relname LIKE 'made_read_%'");
	ASSERT_STR(v, "0");
	free(v);
	sandbox_test_close(s);
}

/* What a statement taken from a log may do. */
static void
test_foreign_gate(void)
{
	sandbox    *s = open_as(NULL, 1);
	PGresult   *res;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(sandbox_begin(s, SANDBOX_READ_ONLY), 0);
	/* utility statements and several statements: never, not even planned */
	CU_ASSERT_PTR_NULL(sandbox_foreign(s, SANDBOX_PLAN, "EXPLAIN ", "CREATE TABLE t (x int)", 0, NULL));
	CU_ASSERT_TRUE(sandbox_last_refused(s));
	pg_test_assert_has(sandbox_last_error(s), "utility statement is not run", 1);
	CU_ASSERT_PTR_NULL(sandbox_foreign(s, SANDBOX_EXECUTE, "", "SELECT 1; DELETE FROM items", 0, NULL));
	CU_ASSERT_TRUE(sandbox_last_refused(s));
	/* DML is planned, but executed only in a read-write transaction */
	res = sandbox_foreign(s, SANDBOX_PLAN, "EXPLAIN ", "DELETE FROM items", 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(res);
	PQclear(res);
	CU_ASSERT_PTR_NULL(sandbox_foreign(s, SANDBOX_EXECUTE, "", "DELETE FROM items", 0, NULL));
	pg_test_assert_has(sandbox_last_error(s), "DML is executed only under --measure real", 1);
	/* a volatile function: planned, never executed */
	res = sandbox_foreign(s, SANDBOX_PLAN, "EXPLAIN ", "SELECT pg_stat_reset()", 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(res);
	PQclear(res);
	CU_ASSERT_PTR_NULL(sandbox_foreign(s, SANDBOX_EXECUTE, "", "SELECT pg_stat_reset()", 0, NULL));
	CU_ASSERT_TRUE(sandbox_last_refused(s));
	pg_test_assert_has(sandbox_last_error(s), "calls volatile function pg_stat_reset(): explained, not executed", 1);
	/* a plain query runs, with its parameters */
	const char *params[] = {"7"};

	res = sandbox_foreign(s, SANDBOX_EXECUTE, "", "SELECT qty FROM items WHERE id = $1", 1, params);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	ASSERT_STR(PQgetvalue(res, 0, 0), "7");
	PQclear(res);
	CU_ASSERT_EQUAL(sandbox_end(s), 0);

	/* a DML statement runs in a read-write transaction, and is rolled back */
	CU_ASSERT_EQUAL_FATAL(sandbox_begin(s, SANDBOX_READ_WRITE), 0);
	res = sandbox_foreign(s, SANDBOX_EXECUTE, "", "DELETE FROM items WHERE id > 50", 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(res);
	ASSERT_STR(res ? PQcmdTuples(res) : "", "50");
	PQclear(res);
	CU_ASSERT_EQUAL(sandbox_end(s), 0);

	char	   *n = read_value(s, "SELECT count(*) FROM items");

	ASSERT_STR(n, "100");
	free(n);

	/* the report lists the statement the screen stopped, with why */
	json_t	   *rep = sandbox_policy_report(sandbox_get_policy(s));
	json_t	   *ne = json_object_get(rep, "not_executed");

	CU_ASSERT_EQUAL(json_array_size(ne), 1);
	ASSERT_STR(json_string_value(json_object_get(json_array_get(ne, 0), "query")), "SELECT pg_stat_reset()");
	ASSERT_STR(json_string_value(json_object_get(json_array_get(ne, 0), "reason")),
			   "calls volatile function pg_stat_reset()");
	CU_ASSERT_TRUE(json_is_true(json_object_get(rep, "writes_allowed")));
	json_decref(rep);
	sandbox_test_close(s);
}

/* A prepared statement does not outlive its sandbox transaction. */
static void
test_prepare_deallocated(void)
{
	sandbox    *s = open_as(NULL, 0);
	char	   *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(sandbox_begin(s, SANDBOX_READ_ONLY), 0);
	CU_ASSERT_EQUAL(sandbox_prepare(s, "pgsift_probe", "SELECT qty FROM items WHERE id = $1"), 0);
	v = read_value(s, "SELECT count(*) FROM pg_prepared_statements");
	ASSERT_STR(v, "1");
	free(v);
	/* an error aborts the transaction: the rollback and the deallocation still happen */
	CU_ASSERT_EQUAL(sandbox_exec(s, "SELECT 1/0"), -1);
	CU_ASSERT_EQUAL(sandbox_end(s), 0);
	v = read_value(s, "SELECT count(*) FROM pg_prepared_statements");
	ASSERT_STR(v, "0");
	free(v);
	/* a utility statement is not prepared either */
	CU_ASSERT_EQUAL_FATAL(sandbox_begin(s, SANDBOX_READ_ONLY), 0);
	CU_ASSERT_EQUAL(sandbox_prepare(s, "pgsift_probe", "VACUUM items"), -1);
	CU_ASSERT_EQUAL(sandbox_end(s), 0);
	sandbox_test_close(s);
}

/* pg_stat_statements entries whose text holds probe (a count, as text). */
static char *
pgss_count(PGconn *admin, const char *probe)
{
	char		sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_stat_statements WHERE query LIKE '%%%s%%'", probe);
	return pg_test_value(admin, sql);
}

/* A superuser's sessions set pg_stat_statements.track = none: nothing of pgsift is counted. */
static void
test_pgss_untracked(void)
{
	PGconn	   *admin = pg_test_admin(SANDBOX_DB);
	sandbox    *s = open_as(NULL, 0);
	char	   *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	v = read_value(s, "SELECT 'pgsift_untracked_probe'");
	ASSERT_STR(v, "pgsift_untracked_probe");
	free(v);
	CU_ASSERT_EQUAL_FATAL(sandbox_begin(s, SANDBOX_READ_ONLY), 0);
	PQclear(sandbox_foreign(s, SANDBOX_PLAN, "EXPLAIN ", "SELECT qty AS pgsift_untracked_probe FROM items", 0, NULL));
	sandbox_end(s);
	v = pgss_count(admin, "pgsift_untracked_probe");
	ASSERT_STR(v, "0");
	free(v);

	json_t	   *rep = sandbox_policy_report(sandbox_get_policy(s));
	json_t	   *pgss = json_object_get(rep, "pg_stat_statements");

	CU_ASSERT_TRUE(json_is_true(json_object_get(pgss, "tracking_off")));
	CU_ASSERT_TRUE(json_is_null(json_object_get(pgss, "budget")));
	pg_test_assert_has(json_string_value(json_object_get(pgss, "note")), "pg_stat_statements.track = none", 1);
	json_decref(rep);
	sandbox_test_close(s);
	PQfinish(admin);
}

/*
 * A plain role may not switch tracking off: its statements are counted,
 * and no more than the budget of distinct ones is sent.
 */
static void
test_pgss_budget(void)
{
	char		role[64],
				sql[256];

	PGconn	   *admin = pg_test_admin(SANDBOX_DB);

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	snprintf(role, sizeof(role), "pgsift_budget_%d", (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN", role);
	pg_test_exec(admin, sql);
	snprintf(sql, sizeof(sql), "GRANT SELECT ON items TO %s", role);
	pg_test_exec(admin, sql);

	sandbox    *s = open_as(role, 0);
	int			sent = 0,
				refused = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(sandbox_begin(s, SANDBOX_READ_ONLY), 0);
	for (int i = 0; i < 300; i++)
	{
		char		stmt[96];
		PGresult   *res;

		snprintf(stmt, sizeof(stmt), "SELECT qty AS pgsift_budget_probe_%d FROM items", i);
		res = sandbox_foreign(s, SANDBOX_PLAN, "EXPLAIN ", stmt, 0, NULL);
		sent += res != NULL;
		refused += res == NULL && sandbox_last_refused(s);
		PQclear(res);
	}
	sandbox_end(s);

	json_t	   *rep = sandbox_policy_report(sandbox_get_policy(s));
	json_t	   *pgss = json_object_get(rep, "pg_stat_statements");
	json_int_t	budget = json_integer_value(json_object_get(pgss, "budget"));

	/* 5% of pg_stat_statements.max = 5000 */
	CU_ASSERT_EQUAL(budget, 250);
	CU_ASSERT_FALSE(json_is_true(json_object_get(pgss, "tracking_off")));
	json_int_t	distinct = json_integer_value(json_object_get(pgss, "distinct_sent"));

	CU_ASSERT_EQUAL(distinct, budget);
	CU_ASSERT_EQUAL(refused, 300 - sent);
	CU_ASSERT(sent > 200 && sent < 250);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(pgss, "refused_over_budget")), refused);
	pg_test_assert_has(json_string_value(json_object_get(pgss, "note")), "within its budget of 250", 1);
	json_decref(rep);
	sandbox_test_close(s);

	/* the view holds exactly what the sandbox counted of the role: the budget */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_stat_statements WHERE userid = '%s'::regrole", role);

	char	   *v = pg_test_value(admin, sql);

	CU_ASSERT(v && atoll(v) == (long long) distinct);
	if (v && atoll(v) != (long long) distinct)
		fprintf(stderr, "\n  the view holds %s entries of the role, the sandbox counted %lld", v, (long long) distinct);
	free(v);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_stat_statements WHERE userid = '%s'::regrole "
			 "AND query LIKE '%%pgsift_budget_probe_%%'", role);
	v = pg_test_value(admin, sql);
	CU_ASSERT(v && atoi(v) == sent);
	free(v);
	snprintf(sql, sizeof(sql), "REVOKE ALL ON items FROM %s", role);
	pg_test_exec(admin, sql);
	snprintf(sql, sizeof(sql), "DROP ROLE %s", role);
	pg_test_exec(admin, sql);
	PQfinish(admin);
}

static void
test_extension_and_roles(void)
{
	char		role[64],
				sql[256];

	sandbox    *s = open_as(NULL, 0);
	PGconn	   *admin = pg_test_admin("postgres");

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	CU_ASSERT_EQUAL(sandbox_has_extension(s, "pg_stat_statements"), 1);
	CU_ASSERT_EQUAL(sandbox_has_extension(s, "pgsift_no_such_extension"), 0);
	CU_ASSERT_EQUAL(sandbox_has_role(s, "pg_read_all_stats"), 1);	/* superuser */
	sandbox_test_close(s);

	snprintf(role, sizeof(role), "pgsift_plain_%d", (int) getpid());
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN", role);
	pg_test_exec(admin, sql);
	s = open_as(role, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sandbox_has_role(s, "pg_read_all_stats"), 0);
	CU_ASSERT_EQUAL(sandbox_has_role(s, "pgsift_no_such_role"), 0);
	snprintf(sql, sizeof(sql), "GRANT pg_monitor TO %s", role);
	pg_test_exec(admin, sql);
	CU_ASSERT_EQUAL(sandbox_has_role(s, "pg_read_all_stats"), 1);	/* through pg_monitor */
	sandbox_test_close(s);
	snprintf(sql, sizeof(sql), "DROP ROLE %s", role);
	pg_test_exec(admin, sql);
	PQfinish(admin);
}

PGSIFT_SERVER_TEST_SUITE(add_sandbox_suite)
{
	CU_pSuite	s = CU_add_suite("src/sandbox", suite_init, suite_clean);

	CU_add_test(s, "transactions, limits and rollback", test_transactions);
	CU_add_test(s, "the gate for statements from logs", test_foreign_gate);
	CU_add_test(s, "prepared statements are deallocated", test_prepare_deallocated);
	CU_add_test(s, "a superuser's sessions are not counted by pg_stat_statements", test_pgss_untracked);
	CU_add_test(s, "a plain role's statements stay within the budget", test_pgss_budget);
	CU_add_test(s, "extensions and roles", test_extension_and_roles);
}
