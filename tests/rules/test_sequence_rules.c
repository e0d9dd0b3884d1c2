/*-------------------------------------------------------------------------
 * test_sequence_rules.c
 *    The session-sequence rules (n-plus-one, unbatched-insert,
 *    cacheable-query) end to end, on a log the throwaway server wrote.
 *
 * Sessions run against the server through libpq's extended protocol
 * (PQexecParams, so the log carries DETAIL parameters), each logging
 * every statement (options -c log_min_duration_statement=0) under its own
 * application_name.  The harness's log_line_prefix has no %a, so pgsift
 * reads only this suite's sessions by their database (--dbname).  Each
 * pattern is planted once, next to its look-alikes: a loop of 3, a loop
 * with one id repeated, already-batched inserts, and a long session
 * doing varied work.
 *-------------------------------------------------------------------------
 */
#include "tests/pg_testing.h"
#include "tests/rules/sequence_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <string.h>

#define DB "seq_rules_test"
#define LOG_ALL "-c log_min_duration_statement=0"

/* When this run's sessions began (UTC), for --since. */
static char since[64];

static int	planted;			/* the sessions ran and their lines reached the log */

/* The N+1: 3 customers' orders, then 8 items queries per customer. */
static int
plant_n_plus_one(PGconn *c)
{
	int			ok = 1;

	for (int cust = 1; cust <= 3; cust++)
	{
		ok &= seq_test_run1(c, "SELECT id FROM orders WHERE customer_id = $1", cust);
		for (int o = 0; o < 8; o++)
			ok &= seq_test_run1(c, "SELECT sku, qty FROM order_items WHERE order_id = $1", cust * 10 + o);
	}
	/* look-alikes: a loop of 3, and one id ten times (cacheable, not N+1) */
	ok &= seq_test_run1(c, "SELECT customer_id FROM orders WHERE id = $1", 1);
	for (int i = 0; i < 3; i++)
		ok &= seq_test_run1(c, "SELECT qty FROM order_items WHERE id = $1", i + 1);
	ok &= seq_test_run1(c, "SELECT count(*) FROM orders WHERE customer_id = $1", 2);
	for (int i = 0; i < 25; i++)
	{
		const char *key[1] = {"theme"};

		ok &= seq_test_run(c, "SELECT value FROM settings WHERE key = $1", 1, key);
	}
	return ok;
}

/* 12 single-row INSERTs, then 12 two-row ones (the same fingerprint). */
static int
plant_inserts(PGconn *c)
{
	int			ok = 1;

	for (int i = 0; i < 12; i++)
	{
		char		v[16];
		const char *values[2] = {"click", v};

		snprintf(v, sizeof(v), "%d", i);
		ok &= seq_test_run(c, "INSERT INTO events (kind, payload) VALUES ($1, $2)", 2, values);
	}
	ok &= seq_test_run1(c, "SELECT count(*) FROM events WHERE payload = $1", 0);
	for (int i = 0; i < 12; i++)
	{
		const char *values[4] = {"view", "1", "view", "2"};

		ok &= seq_test_run(c, "INSERT INTO events (kind, payload) VALUES ($1, $2), ($3, $4)", 4, values);
	}
	return ok;
}

/* A pooled application session: varied work, nothing repeated in a row. */
static int
plant_pooled(PGconn *c)
{
	int			ok = 1;

	for (int i = 0; i < 30; i++)
	{
		ok &= seq_test_run1(c, "SELECT customer_id FROM orders WHERE id = $1", 100 + i);
		ok &= seq_test_run1(c, "UPDATE orders SET customer_id = customer_id WHERE id = $1", 100 + i);
		ok &= seq_test_run1(c, "SELECT sku FROM order_items WHERE id = $1", 500 + i);
	}
	return ok;
}

static int
suite_init(void)
{
	const char *setup =
		SEQ_TEST_SHOP_SCHEMA
		"INSERT INTO settings VALUES ('theme', 'dark');\n";
	PGconn	   *a,
			   *b,
			   *p;

	if (!test_have_server())
		return 0;
	if (seq_test_create_database(DB, setup) != 0)
		return 1;
	/* the server log is shared with earlier runs of this suite (make check runs it twice) */
	if (seq_test_utc_now(since, sizeof(since)) != 0)
		return 1;
	a = seq_test_session(DB, "seq-nplusone", LOG_ALL);
	b = seq_test_session(DB, "seq-inserts", LOG_ALL);
	p = seq_test_session(DB, "seq-pooled", LOG_ALL);
	planted = a && b && p && plant_n_plus_one(a) && plant_inserts(b) && plant_pooled(p) &&
		seq_test_run(p, "SELECT 'seq-rules-planted'", 0, NULL);
	PQfinish(a);
	PQfinish(b);
	PQfinish(p);
	planted = planted && seq_test_wait_for_log("seq-rules-planted");
	return 0;
}

static int
suite_clean(void)
{
	seq_test_drop_database(DB);
	return 0;
}

static json_t *
analyze(const char *extra)
{
	char		args[1024];
	json_t	   *j = NULL;

	snprintf(args, sizeof(args), "analyze -q --format json --dbname " DB " --since '%s' %s \"$PGSIFT_PG_LOGDIR/postgresql.log\"",
			 since, extra);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	return j;
}

static void
test_n_plus_one_planted_only(void)
{
	if (!planted)
	{
		CU_ASSERT_TRUE(!test_have_server());
		return;
	}
	json_t	   *j = analyze("");
	size_t		n;
	json_t	   *fs = seq_test_findings(j, "n-plus-one", &n);
	json_t	   *f = json_array_get(fs, 0);

	CU_ASSERT_EQUAL(n, 1);
	pg_test_assert_has(seq_test_field(f, "query"), "FROM order_items WHERE order_id = $1", 1);
	pg_test_assert_has(seq_test_field(f, "detail"), "After SELECT id FROM orders WHERE customer_id = $1", 1);
	pg_test_assert_has(seq_test_field(f, "detail"), "8.0 times on average (3 occurrences, 24 executions", 1);
	pg_test_assert_has(seq_test_field(json_object_get(f, "fix"), "sql"), "order_id = ANY($1)", 1);
	ASSERT_STR(seq_test_field(json_object_get(f, "measurement"), "method"), "estimated");
	json_decref(fs);
	json_decref(j);
}

static void
test_unbatched_and_cacheable(void)
{
	if (!planted)
		return;
	json_t	   *j = analyze("");
	size_t		n;
	json_t	   *ins = seq_test_findings(j, "unbatched-insert", &n);
	json_t	   *f = json_array_get(ins, 0);

	CU_ASSERT_EQUAL(n, 1);
	pg_test_assert_has(seq_test_field(f, "query"), "INSERT INTO events", 1);
	/* the two-row INSERTs share the fingerprint and are not counted */
	pg_test_assert_has(seq_test_field(f, "detail"), "1 runs of single-row INSERTs, 12.0 rows per run", 1);
	pg_test_assert_has(seq_test_field(f, "detail"), "each row was its own transaction", 1);
	pg_test_assert_has(seq_test_field(json_object_get(f, "fix"), "sql"), "VALUES ($1, $2), ($3, $4), ($5, $6)", 1);
	json_decref(ins);

	json_t	   *cache = seq_test_findings(j, "cacheable-query", &n);

	f = json_array_get(cache, 0);
	CU_ASSERT_EQUAL(n, 1);
	pg_test_assert_has(seq_test_field(f, "query"), "FROM settings WHERE key = $1", 1);
	pg_test_assert_has(seq_test_field(f, "detail"), "24 of 25 executions (96%)", 1);
	json_decref(cache);
	json_decref(j);
}

/* With a connection the batched statement runs: measured, and faster. */
static void
test_n_plus_one_measured(void)
{
	if (!planted)
		return;
	json_t	   *j = analyze("--dsn 'dbname=" DB "'");
	size_t		n;
	json_t	   *fs = seq_test_findings(j, "n-plus-one", &n);
	json_t	   *f = NULL;
	size_t		i;
	json_t	   *x;

	json_array_foreach(fs, i, x)
		if (strstr(seq_test_field(x, "query"), "order_items WHERE order_id"))
			f = x;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);

	json_t	   *m = json_object_get(f, "measurement");

	ASSERT_STR(seq_test_field(m, "method"), "measured");
	CU_ASSERT(json_number_value(json_object_get(m, "after_ms")) > 0);
	CU_ASSERT(json_number_value(json_object_get(m, "before_ms")) > json_number_value(json_object_get(m, "after_ms")));
	json_decref(fs);
	json_decref(j);
}

PGSIFT_SERVER_TEST_SUITE(sequence_rules_suite)
{
	CU_pSuite	s = CU_add_suite("sequence_rules", suite_init, suite_clean);

	CU_add_test(s, "n-plus-one fires on the planted loop only", test_n_plus_one_planted_only);
	CU_add_test(s, "unbatched-insert and cacheable-query where planted", test_unbatched_and_cacheable);
	CU_add_test(s, "n-plus-one measured with --dsn", test_n_plus_one_measured);
}
