/*-------------------------------------------------------------------------
 * test_sequence_live.c
 *    The session-sequence rules end to end where they meet a deployment:
 *    n-plus-one's group_by_transaction on a pooled backend's transactions,
 *    unbatched-insert measured under --measure real (and never executed
 *    without it), both measured for a simple-protocol session too (values
 *    inline in the text, no parameters logged), and n-plus-one's hint from
 *    pg_stat_statements alone.
 *
 * The suite has its own database, and pgsift reads only its sessions by
 * --dbname and --since (the harness's log_line_prefix has no %a, and
 * make check runs every suite twice against one server).  What pgsift
 * ran is seen from the server, in pg_stat_statements: it has no
 * application_name, and a tagged statement shares its entry with the
 * application's same statement (the query id ignores comments), so the
 * suite counts every execution of an INSERT into the table, which only
 * pgsift can add once the sessions are done.
 *-------------------------------------------------------------------------
 */
#include "tests/pg_testing.h"
#include "tests/rules/sequence_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB "seq_live_test"
#define LOG_ALL "-c log_min_duration_statement=0"
#define LOG_NONE "-c log_min_duration_statement=-1"
#define PARENT "SELECT id FROM carts WHERE customer_id = $1"
#define CHILD "SELECT sku FROM cart_lines WHERE cart_id = $1"
#define INSERT "INSERT INTO clicks (kind, payload) VALUES ($1, $2)"
#define ONE_ROW "SELECT name FROM accounts WHERE id = $1"
#define MANY_ROWS "SELECT id FROM accounts WHERE id <= $1"
#define LOGGED_ROWS 12

/* When this run's sessions began (UTC), for --since. */
static char since[64];

static int	planted;			/* the sessions ran and their lines reached the log */

/*
 * One backend serving two clients' transactions back to back, as
 * PgBouncer's transaction mode does: the first client's parent and 3
 * children, then another client's 3 children.
 */
static int
plant_pooled_backend(PGconn *c)
{
	int			ok = seq_test_run(c, "BEGIN", 0, NULL);

	ok &= seq_test_run1(c, PARENT, 1);
	for (int i = 1; i <= 3; i++)
		ok &= seq_test_run1(c, CHILD, i);
	ok &= seq_test_run(c, "COMMIT", 0, NULL) && seq_test_run(c, "BEGIN", 0, NULL);
	for (int i = 4; i <= 6; i++)
		ok &= seq_test_run1(c, CHILD, i);
	return ok && seq_test_run(c, "COMMIT", 0, NULL);
}

static int
plant_inserts(PGconn *c)
{
	int			ok = 1;

	for (int i = 0; i < LOGGED_ROWS; i++)
	{
		char		v[16];
		const char *values[2] = {"click", v};

		snprintf(v, sizeof(v), "%d", i);
		ok &= seq_test_run(c, INSERT, 2, values);
	}
	return ok;
}

/*
 * The simple protocol (PQexec, values inline, as psql and scripts send
 * them): a shelf, then one query per book on it, and single-row INSERTs.
 */
static int
plant_simple_protocol(PGconn *c)
{
	char		sql[256];
	int			ok = 1;

	ok &= seq_test_exec(c, "SELECT id FROM books WHERE shelf_id = 7");
	for (int i = 1; i <= 8; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT title FROM book_notes WHERE book_id = %d", i * 10 + 7);
		ok &= seq_test_exec(c, sql);
	}
	for (int i = 0; i < LOGGED_ROWS; i++)
	{
		snprintf(sql, sizeof(sql), "INSERT INTO taps (kind, payload) VALUES ('tap', 'it''s %d')", i);
		ok &= seq_test_exec(c, sql);
	}
	return ok;
}

/* Unlogged: 1000 calls of one row each, and 1000 of 50 rows each. */
static int
plant_pgss_only(PGconn *c)
{
	int			ok = 1;

	for (int i = 0; i < 1000; i++)
		ok &= seq_test_run1(c, ONE_ROW, 1 + i % 100) && seq_test_run1(c, MANY_ROWS, 50);
	return ok;
}

static int
suite_init(void)
{
	const char *setup =
		"CREATE TABLE carts (id integer PRIMARY KEY, customer_id integer NOT NULL);\n"
		"CREATE TABLE cart_lines (id integer PRIMARY KEY, cart_id integer NOT NULL, sku text);\n"
		"CREATE INDEX ON cart_lines (cart_id);\n"
		"CREATE TABLE clicks (id serial PRIMARY KEY, kind text, payload text);\n"
		"CREATE TABLE accounts (id integer PRIMARY KEY, name text);\n"
		"INSERT INTO carts SELECT g, g % 10 FROM generate_series(1, 100) g;\n"
		"INSERT INTO cart_lines SELECT g, g % 100, 'sku' || g FROM generate_series(1, 1000) g;\n"
		"INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 100) g;\n"
		"CREATE TABLE books (id integer PRIMARY KEY, shelf_id integer NOT NULL);\n"
		"CREATE TABLE book_notes (id integer PRIMARY KEY, book_id integer NOT NULL, title text);\n"
		"CREATE TABLE taps (id serial PRIMARY KEY, kind text, payload text);\n"
		"INSERT INTO books SELECT g, g % 10 FROM generate_series(1, 100) g;\n"
		"INSERT INTO book_notes SELECT g, g % 100, 'note ' || g FROM generate_series(1, 1000) g;\n";
	PGconn	   *pooled,
			   *ins,
			   *simple,
			   *quiet;

	if (!test_have_server())
		return 0;
	if (seq_test_create_database(DB, setup) != 0 || seq_test_utc_now(since, sizeof(since)) != 0)
		return 1;
	pooled = seq_test_session(DB, "seq-live-pooled", LOG_ALL);
	ins = seq_test_session(DB, "seq-live-inserts", LOG_ALL);
	quiet = seq_test_session(DB, "seq-live-quiet", LOG_NONE);
	simple = seq_test_session(DB, "seq-live-simple", LOG_ALL);
	planted = pooled && ins && quiet && simple && plant_pooled_backend(pooled) && plant_inserts(ins) &&
		plant_simple_protocol(simple) && plant_pgss_only(quiet) &&
		seq_test_run(ins, "SELECT 'seq-live-planted'", 0, NULL);
	PQfinish(pooled);
	PQfinish(ins);
	PQfinish(simple);
	PQfinish(quiet);
	planted = planted && seq_test_wait_for_log("seq-live-planted");
	return 0;
}

static int
suite_clean(void)
{
	seq_test_drop_database(DB);
	return 0;
}

/* pgsift analyze on this run's log lines of DB, with extra options. */
static json_t *
analyze_log(const char *extra)
{
	char		args[1024];
	json_t	   *j = NULL;

	snprintf(args, sizeof(args), "analyze -q --format json --dbname " DB " --since '%s' %s "
			 "\"$PGSIFT_PG_LOGDIR/postgresql.log\"", since, extra);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	return j;
}

/* analyze_log with a pgsift.conf whose [n-plus-one] section is body. */
static json_t *
analyze_with_config(const char *name, const char *body)
{
	char		path[512],
				extra[600];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "[n-plus-one]\n%s", body);
	fclose(f);
	snprintf(extra, sizeof(extra), "--config '%s'", path);
	return analyze_log(extra);
}

/* The findings of rule whose query holds text, their count in *n. */
static json_t *
findings_on(json_t *j, const char *rule, const char *text, size_t *n)
{
	size_t		all,
				i;
	json_t	   *fs = seq_test_findings(j, rule, &all);
	json_t	   *out = json_array();
	json_t	   *f;

	json_array_foreach(fs, i, f)
		if (strstr(seq_test_field(f, "query"), text))
			json_array_append(out, f);
	json_decref(fs);
	*n = json_array_size(out);
	return out;
}

/* want n-plus-one findings on CHILD under this configuration, the first with detail (NULL: none expected). */
static void
expect_loop(const char *conf, const char *body, size_t want, const char *detail)
{
	json_t	   *j = analyze_with_config(conf, body);
	size_t		n;
	json_t	   *fs = findings_on(j, "n-plus-one", CHILD, &n);

	CU_ASSERT_EQUAL(n, want);
	if (n > 0 && detail)
	{
		pg_test_assert_has(seq_test_field(json_array_get(fs, 0), "detail"), "After " PARENT ",", 1);
		pg_test_assert_has(seq_test_field(json_array_get(fs, 0), "detail"), detail, 1);
	}
	json_decref(fs);
	json_decref(j);
}

/*
 * Off, the two transactions are one loop of 6; grouped, two runs of 3 (no
 * loop at 5 repeats); at 3 repeats only the first, which has its parent.
 */
static void
test_group_by_transaction(void)
{
	if (!planted)
	{
		CU_ASSERT_TRUE(!test_have_server());
		return;
	}
	expect_loop("seq-live-off.conf", "min_total_ms = 0\n", 1,
				"6.0 times on average (1 occurrences, 6 executions, 6 distinct parameter sets)");
	expect_loop("seq-live-on.conf", "min_total_ms = 0\ngroup_by_transaction = 1\n", 0, NULL);
	expect_loop("seq-live-on3.conf", "min_total_ms = 0\ngroup_by_transaction = 1\nmin_repeats = 3\n"
				"min_distinct = 3\n", 1,
				"3.0 times on average (1 occurrences, 3 executions, 3 distinct parameter sets)");
}

/* Rows in clicks, and values drawn from its id sequence (one per row ever inserted). */
static void
clicks_state(long *rows, long *inserts)
{
	PGconn	   *c = pg_test_admin(DB);
	char	   *r = c ? pg_test_value(c, "SELECT count(*) FROM clicks") : NULL;
	/* pgsift's sessions are not counted by pg_stat_statements: the sequence tells what ran */
	char	   *p = c ? pg_test_value(c, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM clicks_id_seq") : NULL;

	*rows = r ? atol(r) : -1;
	*inserts = p ? atol(p) : -1;
	free(r);
	free(p);
	PQfinish(c);
}

/* The one unbatched-insert finding on clicks, checked and measured; its measurement. */
static json_t *
unbatched_measurement(json_t *j)
{
	size_t		n;
	json_t	   *fs = findings_on(j, "unbatched-insert", "INSERT INTO clicks", &n);
	json_t	   *m = json_object_get(json_array_get(fs, 0), "measurement");

	CU_ASSERT_EQUAL(n, 1);
	json_incref(m);
	json_decref(fs);
	return m;
}

/* Without --measure real the INSERTs are estimated, and pgsift never runs them. */
static void
test_unbatched_estimated(void)
{
	long		rows,
				calls,
				rows_after,
				calls_after;

	if (!planted)
		return;
	clicks_state(&rows, &calls);
	CU_ASSERT_EQUAL(rows, LOGGED_ROWS);
	CU_ASSERT_EQUAL(calls, LOGGED_ROWS);	/* the application's */

	json_t	   *j = analyze_log("--dsn 'dbname=" DB "'");
	json_t	   *m = unbatched_measurement(j);

	ASSERT_STR(seq_test_field(m, "method"), "estimated");
	clicks_state(&rows_after, &calls_after);
	CU_ASSERT_EQUAL(rows_after, LOGGED_ROWS);
	CU_ASSERT_EQUAL(calls_after, calls);
	json_decref(m);
	json_decref(j);
}

static int
finite_number(json_t *m, const char *name)
{
	json_t	   *v = json_object_get(m, name);

	return json_is_number(v) && isfinite(json_number_value(v));
}

/* --measure real inserts the logged rows one by one and batched, then rolls back. */
static void
test_unbatched_measured(void)
{
	long		rows,
				calls,
				rows_after,
				calls_after;

	if (!planted)
		return;
	clicks_state(&rows, &calls);

	json_t	   *j = analyze_log("--dsn 'dbname=" DB "' --measure real");
	json_t	   *m = unbatched_measurement(j);

	ASSERT_STR(seq_test_field(m, "method"), "measured");
	CU_ASSERT_TRUE(finite_number(m, "before_ms"));
	CU_ASSERT_TRUE(finite_number(m, "after_ms"));
	clicks_state(&rows_after, &calls_after);
	CU_ASSERT_EQUAL(rows_after, rows);
	/*
	 * it did run them (which the estimated test's count would show): each
	 * row, then the batch, each drawing from the sequence, which keeps the
	 * values as after any rolled-back INSERT
	 */
	CU_ASSERT(calls_after >= calls + 2 * LOGGED_ROWS);
	json_decref(m);
	json_decref(j);
}

/*
 * The simple protocol logs no parameters: the values in the text stand
 * for them, so --measure real measures the batched loop and the batched
 * INSERT as it does for the extended protocol, and says where the values
 * came from; nothing is left behind.
 */
static void
test_simple_protocol_measured(void)
{
	char		conf[512],
				extra[700];
	FILE	   *f;
	size_t		n;
	long		rows;
	PGconn	   *c;
	char	   *count;

	if (!planted)
		return;
	snprintf(conf, sizeof(conf), "%s/seq-live-simple.conf", test_tmpdir());
	f = fopen(conf, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("[n-plus-one]\nmin_total_ms = 0\n", f);
	fclose(f);
	snprintf(extra, sizeof(extra), "--config '%s' --dsn 'dbname=" DB "' --measure real", conf);

	json_t	   *j = analyze_log(extra);
	json_t	   *loops = findings_on(j, "n-plus-one", "FROM book_notes", &n);
	json_t	   *m = json_object_get(json_array_get(loops, 0), "measurement");

	CU_ASSERT_EQUAL(n, 1);
	ASSERT_STR(seq_test_field(m, "method"), "measured");
	CU_ASSERT_TRUE(finite_number(m, "before_ms"));
	CU_ASSERT_TRUE(finite_number(m, "after_ms"));
	pg_test_assert_has(seq_test_field(json_array_get(loops, 0), "detail"),
					   "read from the statements' text (simple protocol", 1);
	pg_test_assert_has(seq_test_field(json_array_get(loops, 0), "detail"), "17", 1);
	json_decref(loops);

	json_t	   *ins = findings_on(j, "unbatched-insert", "INSERT INTO taps", &n);

	m = json_object_get(json_array_get(ins, 0), "measurement");
	CU_ASSERT_EQUAL(n, 1);
	ASSERT_STR(seq_test_field(m, "method"), "measured");
	pg_test_assert_has(seq_test_field(json_array_get(ins, 0), "detail"),
					   "their values read from the statements' text (simple protocol", 1);
	json_decref(ins);
	json_decref(j);
	c = pg_test_admin(DB);
	count = c ? pg_test_value(c, "SELECT count(*) FROM taps") : NULL;
	rows = count ? atol(count) : -1;
	CU_ASSERT_EQUAL(rows, LOGGED_ROWS);
	free(count);
	PQfinish(c);
}

/* pg_stat_statements alone, no log: the single-row statement gets the low hint. */
static void
test_pgss_only_hint(void)
{
	json_t	   *j = NULL;
	size_t		n;

	if (!planted)
		return;
	CU_ASSERT_EQUAL(test_pgsift_json("analyze -q --format json --dsn 'dbname=" DB "'", &j, NULL), 0);

	json_t	   *hints = findings_on(j, "n-plus-one", ONE_ROW, &n);
	json_t	   *f = json_array_get(hints, 0);

	CU_ASSERT_EQUAL(n, 1);
	ASSERT_STR(seq_test_field(f, "severity"), "low");
	pg_test_assert_has(seq_test_field(f, "title"), "a hint from pg_stat_statements only", 1);
	pg_test_assert_has(seq_test_field(f, "detail"), "A hint from pg_stat_statements only, no loop was seen in the log", 1);
	pg_test_assert_has(seq_test_field(f, "detail"), "returning 1.00 rows each", 1);
	json_decref(hints);
	json_decref(findings_on(j, "n-plus-one", MANY_ROWS, &n));
	CU_ASSERT_EQUAL(n, 0);
	json_decref(j);
}

PGSIFT_SERVER_TEST_SUITE(sequence_live_suite)
{
	CU_pSuite	s = CU_add_suite("sequence_live", suite_init, suite_clean);

	CU_add_test(s, "group_by_transaction on a pooled backend", test_group_by_transaction);
	CU_add_test(s, "unbatched-insert estimated, nothing executed", test_unbatched_estimated);
	CU_add_test(s, "unbatched-insert measured under --measure real, rolled back", test_unbatched_measured);
	CU_add_test(s, "n-plus-one hint from pg_stat_statements only", test_pgss_only_hint);
	CU_add_test(s, "simple protocol: values from the text, measured", test_simple_protocol_measured);
}
