/*-------------------------------------------------------------------------
 * test_pool_sweep.c
 *    Tests of the concurrency sweep: its bound, its knee, and a run
 *    against the throwaway server.
 *
 * The bound and the knee are pure functions, checked on made-up steps.
 * The run uses a small table of its own database (named after the
 * process id: the suite runs twice against one server) and asserts the
 * shape of the result, never a timing.
 *-------------------------------------------------------------------------
 */
#include "src/live/pool_sweep.h"
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
test_bound(void)
{
	/* 2 x the larger core count */
	CU_ASSERT_EQUAL(pool_sweep_bound(4, 2, 0, 0, 0), 8);
	CU_ASSERT_EQUAL(pool_sweep_bound(0, 3, 0, 0, 0), 6);
	/* never above 32 */
	CU_ASSERT_EQUAL(pool_sweep_bound(64, 8, 0, 0, 0), POOL_SWEEP_MAX_SIZE);
	/* never above the free slots: 20 - 12 used - 3 reserved */
	CU_ASSERT_EQUAL(pool_sweep_bound(8, 8, 20, 12, 3), 5);
	/* no slot free */
	CU_ASSERT_EQUAL(pool_sweep_bound(8, 8, 10, 9, 3), 0);
}

static pool_sweep_step
step(int size, double throughput, double p95)
{
	return (pool_sweep_step) {.size = size, .statements = 100, .seconds = 1, .throughput = throughput, .p95_ms = p95};
}

static void
test_knee(void)
{
	/* throughput flattens at 4: within 90% of the best (8's) */
	pool_sweep_step flat[] = {step(1, 100, 1), step(2, 190, 1.05), step(4, 350, 1.1), step(8, 380, 2.1)};
	/* latency grows 3x while throughput grows 1.2x at 4: the knee is 2 */
	pool_sweep_step steep[] = {step(1, 100, 1), step(2, 190, 1.05), step(4, 228, 3.2), step(8, 240, 6.5)};
	pool_sweep_step none[] = {step(1, 0, NAN)};

	CU_ASSERT_EQUAL(pool_sweep_knee(flat, 4, 0.9), 2);
	CU_ASSERT_EQUAL(pool_sweep_knee(flat, 4, 0.5), 1);
	CU_ASSERT_EQUAL(pool_sweep_knee(steep, 4, 0.9), 1);
	none[0].statements = 0;
	CU_ASSERT_EQUAL(pool_sweep_knee(none, 1, 0.9), -1);
	CU_ASSERT_EQUAL(pool_sweep_knee(flat, 0, 0.9), -1);
}

static const char *
db_name(void)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "pool_sweep_unit_%d", (int) getpid());
	return buf;
}

static char *
sweep_dsn(void)
{
	char		extra[128];

	snprintf(extra, sizeof(extra), "dbname=%s", db_name());
	return pg_test_dsn(extra);
}

static void
test_run_on_server(void)
{
	PGconn	   *admin;
	char		sql[256];
	char	   *dsn;
	const char *values[] = {"42"};
	pool_sweep_statement stmts[] = {
		{"SELECT name FROM items WHERE id = $1", 1, values, 1},
		{"SELECT count(*) FROM items", 0, NULL, 1},
	};
	pool_sweep_options o = {.max_size = 3, .step_seconds = 0.2, .max_statements = 2000};
	pool_sweep_result r;

	admin = pg_test_admin("postgres");
	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	pg_test_exec(admin, "SET client_min_messages = warning");
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db_name());
	PQclear(PQexec(admin, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db_name());
	pg_test_exec(admin, sql);
	PGconn	   *c = pg_test_admin(db_name());

	pg_test_exec(c, "CREATE TABLE items (id integer PRIMARY KEY, name text)");
	pg_test_exec(c, "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g");
	pg_test_exec(c, "CREATE SEQUENCE s");
	dsn = sweep_dsn();

	sandbox_settings settings = {.dsn = dsn};

	o.policy = sandbox_policy_create(&settings);

	/* sizes 1, 2 and the bound 3 */
	CU_ASSERT_EQUAL(pool_sweep_run(&o, stmts, 2, 0.9, &r), 0);
	CU_ASSERT_EQUAL_FATAL(r.nsteps, 3);
	CU_ASSERT_EQUAL(r.steps[0].size, 1);
	CU_ASSERT_EQUAL(r.steps[1].size, 2);
	CU_ASSERT_EQUAL(r.steps[2].size, 3);
	for (int i = 0; i < r.nsteps; i++)
	{
		CU_ASSERT(r.steps[i].statements > 0);
		CU_ASSERT(r.steps[i].statements <= 2000);
		CU_ASSERT_EQUAL(r.steps[i].errors, 0);
		CU_ASSERT(r.steps[i].throughput > 0);
		CU_ASSERT(r.steps[i].p95_ms > 0);
	}
	CU_ASSERT(r.knee >= 0 && r.knee < 3);
	CU_ASSERT_PTR_NULL(r.stopped);
	pool_sweep_result_free(&r);

	/* a statement that would advance a sequence is refused by the sandbox: nothing completes */
	pool_sweep_statement writes[] = {{"SELECT nextval('s')", 0, NULL, 1}};

	o.max_size = 2;
	CU_ASSERT_EQUAL(pool_sweep_run(&o, writes, 1, 0.9, &r), 0);
	CU_ASSERT_EQUAL(r.nsteps, 1);
	CU_ASSERT_EQUAL(r.steps[0].statements, 0);
	CU_ASSERT(r.steps[0].errors > 0);
	CU_ASSERT_EQUAL(r.knee, -1);
	CU_ASSERT_PTR_NOT_NULL(r.stopped);
	pool_sweep_result_free(&r);
	char	   *value = pg_test_value(c, "SELECT last_value || '/' || is_called FROM s");

	ASSERT_STR(value, "1/false");
	free(value);

	/* statements run in proportion to their weight: 9 scans of a for 1 of b */
	pg_test_exec(c, "CREATE TABLE a (x int)");
	pg_test_exec(c, "CREATE TABLE b (x int)");

	pool_sweep_statement weighted[] = {
		{"SELECT count(*) FROM a", 0, NULL, 900},
		{"SELECT count(*) FROM b", 0, NULL, 100},
	};

	o.max_size = 1;
	CU_ASSERT_EQUAL(pool_sweep_run(&o, weighted, 2, 0.9, &r), 0);
	CU_ASSERT(r.steps[0].statements >= 100);
	pool_sweep_result_free(&r);
	/* the sweep's sessions report their counters as they exit */
	usleep(1500 * 1000);
	value = pg_test_value(c, "SELECT (SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'a')::float8 / "
						  "greatest((SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'b'), 1)");
	CU_ASSERT(value && atof(value) > 7 && atof(value) < 11);
	if (value && (atof(value) <= 7 || atof(value) >= 11))
		fprintf(stderr, "\n  scans of a per scan of b: %s\n", value);
	free(value);

	sandbox_policy_free(o.policy);
	free(dsn);
	PQfinish(c);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db_name());
	pg_test_exec(admin, sql);
	PQfinish(admin);
}

PGSIFT_TEST_SUITE(pool_sweep_suite)
{
	CU_pSuite	s = CU_add_suite("src/pool_sweep", NULL, NULL);

	CU_add_test(s, "the bound on the sizes", test_bound);
	CU_add_test(s, "the knee", test_knee);
	test_add_server_test(s, "a sweep against the server", test_run_on_server);
}
