/*-------------------------------------------------------------------------
 * test_advisor.c
 *    The index advisor against the throwaway server: the index it must
 *    propose where the right one is known, nothing where none may be
 *    proposed, the workload-wide choice, --measure real, and the safety
 *    rules (the catalog is the same after hypo and real runs).
 *
 * The database advisor_test holds a million orders so that the what-if
 * costs and the measured times are those of a real table; each case runs
 * the advisor on a workload of one or two queries.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/advisor/advisor.h"
#include "tests/pg_testing.h"
#include "tests/sandbox_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB "advisor_test"

static sandbox *conn;
static catalog_snapshot *cat;

static int
suite_init(void)
{
	if (!test_have_server())
		return 0;
	if (test_run("psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS " DB "' -c 'CREATE DATABASE " DB "' >/dev/null 2>&1", NULL) != 0)
		return 1;
	const char *setup =
		"psql -X -q -v ON_ERROR_STOP=1 -d " DB " >/dev/null 2>&1 <<'SQL'\n"
		"CREATE EXTENSION hypopg;\n"
		"CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL);\n"
		"INSERT INTO customers SELECT g, 'User' || g || '@Example.com', 'name' || g FROM generate_series(1, 200000) g;\n"
		"CREATE INDEX customers_name_idx ON customers (name);\n"
		"CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, created_at timestamptz NOT NULL,"
		" status text NOT NULL, flag boolean NOT NULL, region int NOT NULL, amount int NOT NULL, shop_id int NOT NULL);\n"
		"INSERT INTO orders SELECT g, 1 + (g::bigint * 7919) % 100000, '2024-01-01'::timestamptz + g * interval '1 minute',"
		" CASE WHEN g % 1000 = 0 THEN 'failed' ELSE (ARRAY['new','paid','shipped'])[1 + g % 3] END,"
		" g % 2 = 0, g % 500, g % 1000, g % 200 FROM generate_series(1, 1000000) g;\n"
		"CREATE INDEX orders_region_amount_idx ON orders (region, amount);\n"
		"CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL, qty int NOT NULL);\n"
		"INSERT INTO order_items SELECT g, 1 + (g::bigint * 13) % 1000000, 1 FROM generate_series(1, 500000) g;\n"
		"CREATE TABLE settings (id int PRIMARY KEY, key text NOT NULL, value text);\n"
		"INSERT INTO settings SELECT g, 'k' || g, 'v' FROM generate_series(1, 100) g;\n"
		"VACUUM ANALYZE;\n"
		"SQL";

	if (test_run(setup, NULL) != 0)
		return 1;
	/* --measure real may build indexes: this policy allows writes, with time to build them */
	sandbox_settings settings = {.dsn = "dbname=" DB, .allow_writes = 1, .statement_timeout_ms = 30000};

	conn = sandbox_connect(sandbox_policy_create(&settings));
	cat = conn ? catalog_snapshot_take(conn) : NULL;
	return cat == NULL;
}

static int
suite_clean(void)
{
	catalog_snapshot_free(cat);
	sandbox_test_close(conn);
	if (test_have_server())
		test_run("psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS " DB " WITH (FORCE)' >/dev/null 2>&1", NULL);
	return 0;
}

/* pg_class and pg_index rows, seen from another session. */
static char *
catalog_digest(void)
{
	PGconn	   *admin = pg_test_admin(DB);
	char	   *v = admin ? pg_test_value(admin, "SELECT (SELECT count(*) FROM pg_class) || '/' || "
										  "(SELECT string_agg(indexrelid::text, ',' ORDER BY indexrelid) FROM pg_index)") : NULL;

	PQfinish(admin);
	return v;
}

/*
 * The advisor on q[0..n), then the RULE_ADVISOR rules on its advice, as
 * the driver runs them: findings into out.  advisor_run's result.
 */
static int
advise_findings(const advisor_options *o, const advisor_query *q, int n, finding_list *out)
{
	advisor_advice advice;
	int			chosen = advisor_run(conn, o, q, n, cat, &advice);
	plan_context pc = {.catalog = cat, .advice = &advice};
	rule_context rc = {.scope = RULE_ADVISOR, .plan = &pc, .catalog = cat, .out = out};

	rules_run(&rc);
	advisor_advice_free(&advice);
	return chosen;
}

/* Run the advisor on one or two queries (values as text, NULL-ended). */
static int
advise(measure_mode mode, int64_t max_build, const char *sql1, const char *const *params1,
	   const char *sql2, finding_list *out)
{
	advisor_options o = {.mode = mode, .mode_given = 1, .max_build_bytes = max_build};
	advisor_query q[2] = {
		{.fingerprint = 0x1111, .normalized = sql1, .sql = sql1, .mean_ms = 50, .calls_per_hour = 100},
		{.fingerprint = 0x2222, .normalized = sql2, .sql = sql2, .mean_ms = 50, .calls_per_hour = 100},
	};

	for (int i = 0; params1 && params1[i]; i++)
		q[0].nparams = q[1].nparams = i + 1;
	q[0].params = q[1].params = params1;
	memset(out, 0, sizeof(*out));
	return advise_findings(&o, q, sql2 ? 2 : 1, out);
}

/* Assert that exactly the index want (fix SQL without CONCURRENTLY name) is proposed. */
static void
expect_index(const char *sql, const char *const *params, const char *want_fix)
{
	finding_list out;

	CU_ASSERT_EQUAL(advise(MEASURE_MODE_HYPO, 0, sql, params, NULL, &out), 1);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	if (strcmp(out.items[0]->fix_sql, want_fix) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", out.items[0]->fix_sql, want_fix);
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, want_fix);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "missing-index");
	CU_ASSERT_EQUAL(out.items[0]->measurement.method, MEASURE_HYPOTHETICAL);
	CU_ASSERT(out.items[0]->measurement.after_cost < 0.7 * out.items[0]->measurement.before_cost);
	CU_ASSERT(out.items[0]->score > 0);
	finding_list_free(&out);
}

static void
expect_nothing(const char *sql, const char *const *params)
{
	finding_list out;

	CU_ASSERT_EQUAL(advise(MEASURE_MODE_HYPO, 0, sql, params, NULL, &out), 0);
	for (int i = 0; i < out.count; i++)
		fprintf(stderr, "\n  unexpected: %s\n", out.items[i]->fix_sql);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static const char *const customer_42[] = {"42", NULL};
static const char *const shop_7[] = {"7", NULL};

static void
test_equality(void)
{
	expect_index("SELECT * FROM orders WHERE customer_id = $1", customer_42,
				 "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);");
}

static void
test_equality_order_limit(void)
{
	expect_index("SELECT * FROM orders WHERE shop_id = $1 ORDER BY created_at DESC LIMIT 10", shop_7,
				 "CREATE INDEX CONCURRENTLY orders_shop_id_created_at_idx ON public.orders (shop_id, created_at DESC);");
}

static void
test_expression(void)
{
	static const char *const email[] = {"user42@example.com", NULL};

	expect_index("SELECT * FROM customers WHERE lower(email) = $1", email,
				 "CREATE INDEX CONCURRENTLY customers_lower_email_idx ON public.customers (lower(email));");
}

/* A login query whose comparand is built from parameters: still a value, so still an index. */
static void
test_built_comparand(void)
{
	static const char *const parts[] = {"example.com", "user42", "@", NULL};

	expect_index("SELECT id FROM customers WHERE email = $2 || $3 || $1", parts,
				 "CREATE INDEX CONCURRENTLY customers_email_idx ON public.customers (email) INCLUDE (id);");
	expect_index("SELECT * FROM customers WHERE lower(email) = lower($2 || $3 || $1)", parts,
				 "CREATE INDEX CONCURRENTLY customers_lower_email_idx ON public.customers (lower(email));");
}

static void
test_partial(void)
{
	expect_index("SELECT * FROM orders WHERE status = 'failed'", NULL,
				 "CREATE INDEX CONCURRENTLY orders_status_partial_idx ON public.orders (status) WHERE status = 'failed';");
}

static void
test_join_key(void)
{
	static const char *const order[] = {"4242", NULL};

	expect_index("SELECT * FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = $1", order,
				 "CREATE INDEX CONCURRENTLY order_items_order_id_idx ON public.order_items (order_id);");
}

static void
test_nothing_to_propose(void)
{
	static const char *const key[] = {"k7", NULL};
	static const char *const name[] = {"name42", NULL};
	static const char *const region[] = {"7", NULL};

	expect_nothing("SELECT * FROM settings WHERE key = $1", key);	/* tiny table */
	expect_nothing("SELECT * FROM orders WHERE flag = true", NULL);	/* 50/50 flag */
	expect_nothing("SELECT * FROM customers WHERE name = $1", name);	/* indexed */
	expect_nothing("SELECT * FROM orders WHERE region = $1", region);	/* prefix of (region, amount) */
	/* GROUP BY a 4-value column once proposed orders (status) */
	expect_nothing("SELECT status, count(*) FROM orders WHERE id <= 1000 GROUP BY status ORDER BY status", NULL);
}

/* Two fingerprints, one index: counted once, both listed. */
static void
test_workload_choice(void)
{
	finding_list out;

	CU_ASSERT_EQUAL(advise(MEASURE_MODE_HYPO, 0, "SELECT * FROM orders WHERE shop_id = $1", shop_7,
						   "SELECT * FROM orders WHERE shop_id = $1 ORDER BY created_at DESC LIMIT 10", &out), 1);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->title, "index on public.orders (shop_id, created_at DESC)");
	CU_ASSERT_EQUAL(out.items[0]->nfingerprints, 2);
	finding_list_free(&out);
}

/* The advice of a three-query workload costed over jobs connections. */
static int
advise_three(int jobs, finding_list *out)
{
	static const char *const order[] = {"4242", NULL};
	advisor_options o = {.mode = MEASURE_MODE_HYPO, .mode_given = 1, .jobs = jobs};
	advisor_query q[3] = {
		{.fingerprint = 0x1111, .sql = "SELECT * FROM orders WHERE customer_id = $1",
		.nparams = 1, .params = customer_42, .mean_ms = 50, .calls_per_hour = 100},
		{.fingerprint = 0x2222, .sql = "SELECT * FROM orders WHERE shop_id = $1 ORDER BY created_at DESC LIMIT 10",
		.nparams = 1, .params = shop_7, .mean_ms = 20, .calls_per_hour = 100},
		{.fingerprint = 0x3333, .sql = "SELECT * FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = $1",
		.nparams = 1, .params = order, .mean_ms = 5, .calls_per_hour = 100},
	};

	for (int i = 0; i < 3; i++)
		q[i].normalized = q[i].sql;
	memset(out, 0, sizeof(*out));
	return advise_findings(&o, q, 3, out);
}

/* Several connections give the advice one gives: same indexes, figures, order. */
static void
test_jobs_same_advice(void)
{
	finding_list one,
				three;

	CU_ASSERT_EQUAL(advise_three(1, &one), 3);
	CU_ASSERT_EQUAL(advise_three(3, &three), 3);
	CU_ASSERT_EQUAL_FATAL(one.count, three.count);
	for (int i = 0; i < one.count; i++)
	{
		CU_ASSERT_STRING_EQUAL(one.items[i]->fix_sql, three.items[i]->fix_sql);
		CU_ASSERT_DOUBLE_EQUAL(one.items[i]->score, three.items[i]->score, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(one.items[i]->measurement.after_cost, three.items[i]->measurement.after_cost, 1e-9);
		CU_ASSERT_STRING_EQUAL(one.items[i]->detail, three.items[i]->detail);
	}
	CU_ASSERT_TRUE(sandbox_alive(conn));
	finding_list_free(&one);
	finding_list_free(&three);
}

static void
test_hypo_changes_nothing(void)
{
	finding_list out;

	char	   *before = catalog_digest();

	advise(MEASURE_MODE_HYPO, 0, "SELECT * FROM orders WHERE customer_id = $1", customer_42, NULL, &out);
	finding_list_free(&out);

	char	   *after = catalog_digest();

	CU_ASSERT_PTR_NOT_NULL(before);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
}

static void
test_measure_real(void)
{
	finding_list out;

	char	   *before = catalog_digest();

	CU_ASSERT_EQUAL(advise(MEASURE_MODE_REAL, 0, "SELECT * FROM orders WHERE customer_id = $1", customer_42, NULL, &out), 1);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);

	finding_measurement *m = &out.items[0]->measurement;

	CU_ASSERT_EQUAL(m->method, MEASURE_MEASURED);
	CU_ASSERT(m->after_ms < m->before_ms);
	CU_ASSERT(m->after_buffers >= 0 && m->after_buffers < m->before_buffers);
	CU_ASSERT_PTR_NOT_NULL(m->before_plan);
	CU_ASSERT_PTR_NOT_NULL(m->after_plan);
	printf("\n    measured: %.2f ms -> %.3f ms, buffers %lld -> %lld, cost %.0f -> %.0f ",
		   m->before_ms, m->after_ms, (long long) m->before_buffers, (long long) m->after_buffers,
		   m->before_cost, m->after_cost);
	finding_list_free(&out);

	char	   *after = catalog_digest();

	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
}

static void
test_measure_real_refuses_large_table(void)
{
	finding_list out;

	pg_test_capture_begin();
	advise(MEASURE_MODE_REAL, 8192, "SELECT * FROM orders WHERE customer_id = $1", customer_42, NULL, &out);

	char	   *err = pg_test_capture_end();

	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_EQUAL(out.items[0]->measurement.method, MEASURE_HYPOTHETICAL);
	pg_test_assert_has(out.items[0]->detail, "over the limit", 1);
	pg_test_assert_has(err, "not built: table too large", 1);
	free(err);
	finding_list_free(&out);
}

static void
test_without_hypopg(void)
{
	finding_list out;
	PGconn	   *admin;

	if (!test_have_server() || (admin = pg_test_admin(DB)) == NULL)
		return;
	pg_test_exec(admin, "DROP EXTENSION hypopg");
	pg_test_capture_begin();
	CU_ASSERT_EQUAL(advise(MEASURE_MODE_HYPO, 0, "SELECT * FROM orders WHERE customer_id = $1", customer_42, NULL, &out), -1);

	char	   *err = pg_test_capture_end();

	CU_ASSERT_EQUAL(out.count, 0);
	pg_test_assert_has(err, "extension \"hypopg\" is not installed", 1);
	pg_test_assert_has(err, "HINT:  Install the hypopg package for your server and run CREATE EXTENSION hypopg", 1);
	CU_ASSERT_TRUE(sandbox_alive(conn));
	free(err);
	finding_list_free(&out);
	pg_test_exec(admin, "CREATE EXTENSION hypopg");
	PQfinish(admin);
}

PGSIFT_SERVER_TEST_SUITE(advisor_suite)
{
	CU_pSuite	s = CU_add_suite("src/advisor", suite_init, suite_clean);

	CU_add_test(s, "equality: single-column index", test_equality);
	CU_add_test(s, "equality + ORDER BY DESC LIMIT: two columns", test_equality_order_limit);
	CU_add_test(s, "lower(email) = ...: expression index", test_expression);
	CU_add_test(s, "email = $2 || $3 || $1: a built comparand is a value", test_built_comparand);
	CU_add_test(s, "rare constant: partial index", test_partial);
	CU_add_test(s, "join key: the inner table's column", test_join_key);
	CU_add_test(s, "tiny, unselective, indexed, prefix-covered: nothing", test_nothing_to_propose);
	CU_add_test(s, "one index for two fingerprints counts once", test_workload_choice);
	CU_add_test(s, "--jobs 3 gives the advice of one connection", test_jobs_same_advice);
	CU_add_test(s, "--measure hypo leaves the catalog unchanged", test_hypo_changes_nothing);
	CU_add_test(s, "--measure real measures and rolls back", test_measure_real);
	CU_add_test(s, "--measure real refuses a table over the size limit", test_measure_real_refuses_large_table);
	CU_add_test(s, "without hypopg: a clear message, nothing proposed", test_without_hypopg);
}
