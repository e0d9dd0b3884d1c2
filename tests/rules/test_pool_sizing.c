/*-------------------------------------------------------------------------
 * test_pool_sizing.c
 *    End-to-end tests of the pool-sizing rule: churn, a pooled
 *    application, refusals, idle transactions (logged and live), and the
 *    concurrency sweep under --measure real.
 *
 * The log input comes from the throwaway server.  Its log_line_prefix
 * (%m [%p] %q%u@%d) has no %a, and per-session log_connections cannot log
 * the connection lines (they are written before the session's options
 * apply): so each scenario runs in a database of its own, named after
 * the process id (the suite runs twice against one server, plain and
 * sanitized), pgsift reads the log with --dbname, and the rate comes from
 * the disconnection lines.  The refusal cases use fixtures/workload.log,
 * whose prefix has %a and which logged every connection.
 *-------------------------------------------------------------------------
 */
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_OPTIONS "options='-c log_connections=on -c log_disconnections=on -c log_min_duration_statement=0"

static const char *const scenarios[] = {"churn", "pooled", "idle", "live", "sweep"};

/* The database of a scenario: pool_<scenario>_<pid> (static buffer per call site's use). */
static const char *
db_of(const char *scenario)
{
	static char buf[5][64];
	static int	next;
	char	   *b = buf[next++ % 5];

	snprintf(b, sizeof(buf[0]), "pool_%s_%d", scenario, (int) getpid());
	return b;
}

static int
suite_init(void)
{
	PGconn	   *admin;
	char		sql[256];
	int			ok = 1;

	if (!test_have_server())
		return 0;
	admin = pg_test_admin("postgres");
	if (admin == NULL)
		return 1;
	PQclear(PQexec(admin, "SET client_min_messages = warning"));
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
	{
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db_of(scenarios[i]));
		PQclear(PQexec(admin, sql));
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db_of(scenarios[i]));
		PGresult   *res = PQexec(admin, sql);

		ok &= PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
	}
	PQfinish(admin);
	return !ok;
}

static int
suite_clean(void)
{
	PGconn	   *admin;
	char		sql[256];

	if (!test_have_server() || (admin = pg_test_admin("postgres")) == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
	{
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db_of(scenarios[i]));
		PQclear(PQexec(admin, sql));
	}
	PQfinish(admin);
	return 0;
}

/* A session in db, logging everything, with extra options appended. */
static PGconn *
logged_session(const char *db, const char *app, const char *more_options)
{
	char		extra[512];
	char	   *dsn;
	PGconn	   *c;

	snprintf(extra, sizeof(extra), "dbname=%s application_name=%s " LOG_OPTIONS "%s'",
			 db, app, more_options ? more_options : "");
	dsn = pg_test_dsn(extra);
	c = PQconnectdb(dsn);
	free(dsn);
	CU_ASSERT_EQUAL(PQstatus(c), CONNECTION_OK);
	return c;
}

/* Wait until the server log holds n disconnections from db (the collector writes late). */
static void
wait_for_disconnections(const char *db, int n)
{
	char		cmd[1024];
	char	   *out = NULL;

	snprintf(cmd, sizeof(cmd), "for i in $(seq 100); do c=$(grep -c 'disconnection: .*database=%s ' "
			 "\"$PGSIFT_PG_LOGDIR/postgresql.log\"); [ \"$c\" -ge %d ] && break; sleep 0.1; done; echo $c", db, n);
	test_run(cmd, &out);
	CU_ASSERT(out && atoi(out) >= n);
	free(out);
}

/* `pgsift analyze --format json ARGS` on the server log, filtered to db. */
static json_t *
analyze_db(const char *db, const char *more)
{
	char		args[4096];
	json_t	   *j = NULL;

	snprintf(args, sizeof(args), "analyze -q --format json --dbname %s %s \"$PGSIFT_PG_LOGDIR/postgresql.log\"",
			 db, more ? more : "");
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(j);
	return j;
}

/* The pool-sizing finding whose title starts with title, or NULL. */
static json_t *
pool_finding(json_t *j, const char *title)
{
	size_t		i;
	json_t	   *f;

	json_array_foreach(json_object_get(j, "findings"), i, f)
	{
		const char *r = json_string_value(json_object_get(f, "rule"));
		const char *t = json_string_value(json_object_get(f, "title"));

		if (r && t && strcmp(r, "pool-sizing") == 0 && strncmp(t, title, strlen(title)) == 0)
			return f;
	}
	return NULL;
}

static const char *
field(json_t *f, const char *name)
{
	const char *s = json_string_value(json_object_get(f, name));

	return s ? s : "";
}

static const char *
fix_description(json_t *f)
{
	const char *s = json_string_value(json_object_get(json_object_get(f, "fix"), "description"));

	return s ? s : "";
}

#define NO_POOLER "many short sessions"
#define REFUSED "connections were refused"
#define IDLE "sessions sit idle"
#define POOL_SIZE "connection pool size"

static void
test_churn_fires(void)
{
	const char *db = db_of("churn");
	json_t	   *j,
			   *f;

	for (int i = 0; i < 30; i++)
	{
		PGconn	   *c = logged_session(db, "pool-churn", NULL);

		PQclear(PQexec(c, "SELECT 1"));
		PQfinish(c);
	}
	wait_for_disconnections(db, 30);
	j = analyze_db(db, "--server-cores 4");
	f = pool_finding(j, NO_POOLER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ASSERT_STR(field(f, "severity"), "medium");
	CU_ASSERT(json_number_value(json_object_get(f, "score")) > 0);
	/* no DSN: the set-up cost is assumed, and the pool is (2 x 4) + 1 */
	ASSERT_STR(json_string_value(json_object_get(json_object_get(f, "measurement"), "method")), "estimated");
	pg_test_assert_has(field(f, "detail"), "30 connections", 1);
	pg_test_assert_has(fix_description(f), "pool_mode = transaction, default_pool_size = 9", 1);
	f = pool_finding(j, POOL_SIZE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	pg_test_assert_has(field(f, "detail"), "Recommended pool size: 9 (estimated)", 1);
	pg_test_assert_has(fix_description(f), "max_connections = 22", 1);
	CU_ASSERT_PTR_NULL(pool_finding(j, REFUSED));
	json_decref(j);
}

/*
 * Twelve sessions open at once, many statements each, all lasting over a
 * second: the rate is high but the sessions are long, so no pooler is
 * missing.
 */
static void
test_pooled_quiet(void)
{
	const char *db = db_of("pooled");
	PGconn	   *c[12];
	json_t	   *j;

	for (int k = 0; k < 12; k++)
		c[k] = logged_session(db, "pool-pooled", NULL);
	for (int round = 0; round < 20; round++)
		for (int k = 0; k < 12; k++)
			PQclear(PQexec(c[k], "SELECT count(*) FROM pg_class"));
	usleep(1200 * 1000);
	for (int k = 0; k < 12; k++)
		PQfinish(c[k]);
	wait_for_disconnections(db, 12);
	j = analyze_db(db, NULL);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "summary"), "statements")), 240);
	CU_ASSERT_PTR_NULL(pool_finding(j, NO_POOLER));
	CU_ASSERT_PTR_NULL(pool_finding(j, REFUSED));
	json_decref(j);
}

static void
test_refused_fixture(void)
{
	char		args[4096];
	json_t	   *j,
			   *f;

	snprintf(args, sizeof(args), "analyze -q --format json '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	f = pool_finding(j, REFUSED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ASSERT_STR(field(f, "severity"), "high");
	/* fixtures/expected-counts.tsv: one of each refusal */
	pg_test_assert_has(field(f, "detail"), "1 connection was refused with \"sorry, too many clients already\" and 1 with", 1);
	CU_ASSERT(json_number_value(json_object_get(f, "score")) > 0);
	json_decref(j);

	/* the churn sessions alone: 20 short sessions, nothing refused */
	snprintf(args, sizeof(args), "analyze -q --format json --app fixture-churn '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NULL(pool_finding(j, REFUSED));
	CU_ASSERT_PTR_NOT_NULL(pool_finding(j, NO_POOLER));
	json_decref(j);
}

/* The server ends a session idle in its transaction: FATAL 25P03 in the log. */
static void
test_idle_timeout_logged(void)
{
	const char *db = db_of("idle");
	PGconn	   *c;
	json_t	   *j,
			   *f;

	c = logged_session(db, "pool-idle", " -c idle_in_transaction_session_timeout=100");
	PQclear(PQexec(c, "BEGIN"));
	PQclear(PQexec(c, "SELECT 1"));
	usleep(500 * 1000);
	PQfinish(c);
	wait_for_disconnections(db, 1);
	j = analyze_db(db, NULL);
	f = pool_finding(j, IDLE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	pg_test_assert_has(field(f, "detail"), "1 sessions terminated by idle_in_transaction_session_timeout", 1);
	pg_test_assert_has(field(json_object_get(f, "fix"), "sql"), "idle_in_transaction_session_timeout = '60s'", 1);
	json_decref(j);
}

static void
test_idle_live(void)
{
	const char *db = db_of("live");
	char		extra[256];
	char		args[8192];
	char	   *dsn;
	PGconn	   *c;
	json_t	   *j,
			   *f;

	snprintf(extra, sizeof(extra), "dbname=%s application_name=pool-idle-live", db);
	dsn = pg_test_dsn(extra);
	c = PQconnectdb(dsn);
	free(dsn);
	CU_ASSERT_EQUAL_FATAL(PQstatus(c), CONNECTION_OK);
	pg_test_exec(c, "BEGIN");
	pg_test_exec(c, "SELECT 1");
	snprintf(args, sizeof(args), "analyze -q --format json --config '%s' --dsn 'dbname=%s'",
			 test_write_file("pool-live.conf", "[pool-sizing]\nidle_in_transaction_min_s = 0\n"), db);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	PQfinish(c);
	f = pool_finding(j, IDLE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	pg_test_assert_has(field(f, "detail"), "Now 1 sessions are idle in a transaction", 1);
	pg_test_assert_has(field(f, "detail"), "application \"pool-idle-live\"", 1);
	/* the live figures: by state and application, and the pool size */
	f = pool_finding(j, POOL_SIZE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	pg_test_assert_has(field(f, "detail"), "idle in transaction \"pool-idle-live\": 1", 1);
	pg_test_assert_has(field(f, "detail"), "of max_connections", 1);
	json_decref(j);
}

/* The recommended size out of the detail, or -1. */
static int
recommended_size(const char *detail)
{
	const char *p = strstr(detail, "Recommended pool size: ");

	return p ? atoi(p + strlen("Recommended pool size: ")) : -1;
}

static void
test_sweep_measured(void)
{
	const char *db = db_of("sweep");
	char		args[8192];
	PGconn	   *c;
	json_t	   *j,
			   *f;
	long		nproc = sysconf(_SC_NPROCESSORS_ONLN);
	int			bound = 2 * (int) (nproc > 2 ? nproc : 2) < 32 ? 2 * (int) (nproc > 2 ? nproc : 2) : 32;

	c = logged_session(db, "pool-sweep", NULL);
	pg_test_exec(c, "CREATE TABLE items (id integer PRIMARY KEY, name text)");
	pg_test_exec(c, "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g");
	for (int i = 1; i <= 5; i++)
	{
		char		v[16];
		const char *values[] = {v};

		snprintf(v, sizeof(v), "%d", i * 10);
		PQclear(PQexecParams(c, "SELECT name FROM items WHERE id = $1", 1, NULL, values, NULL, NULL, 0));
		PQclear(PQexec(c, "SELECT count(*) FROM items WHERE name LIKE 'item 1%'"));
	}
	/* the statement with the most time, all of it sleep: not what a pool size is measured with */
	PQclear(PQexec(c, "SELECT pg_sleep(0.2), count(*) FROM items"));
	PQfinish(c);
	wait_for_disconnections(db, 1);
	snprintf(args, sizeof(args), "--measure real --server-cores 2 --config '%s' --dsn 'dbname=%s'",
			 test_write_file("pool-sweep.conf", "[pool-sizing]\nsweep_seconds = 0.3\n"), db);
	j = analyze_db(db, args);
	f = pool_finding(j, POOL_SIZE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ASSERT_STR(json_string_value(json_object_get(json_object_get(f, "measurement"), "method")), "measured");
	pg_test_assert_has(field(f, "detail"), "size  statements/s  p95 ms\n     1  ", 1);
	pg_test_assert_has(field(f, "detail"), "\n     2  ", 1);
	/* the mix, by share of the time, without the sleeping statement */
	pg_test_assert_has(field(f, "detail"), "statements that sleep (pg_sleep) left out. The mix: ", 1);
	{
		const char *mix = strstr(field(f, "detail"), "The mix: ");
		const char *end = mix ? strstr(mix, "\n") : NULL;
		char	   *m = mix && end ? strndup(mix, (size_t) (end - mix)) : NULL;

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		pg_test_assert_has(m, " SELECT name FROM items WHERE id = $1", 1);
		pg_test_assert_has(m, " SELECT count(*) FROM items WHERE name LIKE $1", 1);
		pg_test_assert_has(m, "% ", 1);
		CU_ASSERT_PTR_NULL(strstr(m, "pg_sleep"));
		free(m);
	}
	CU_ASSERT(recommended_size(field(f, "detail")) >= 1);
	CU_ASSERT(recommended_size(field(f, "detail")) <= bound);
	pg_test_assert_has(fix_description(f), "default_pool_size = ", 1);
	json_decref(j);
}

PGSIFT_SERVER_TEST_SUITE(pool_sizing_suite)
{
	CU_pSuite	s = CU_add_suite("rules/pool_sizing", suite_init, suite_clean);

	CU_add_test(s, "connection churn: the no-pooler finding", test_churn_fires);
	CU_add_test(s, "a pooled application: no finding", test_pooled_quiet);
	CU_add_test(s, "refused connections in the fixture, and none without", test_refused_fixture);
	CU_add_test(s, "idle-in-transaction timeouts in the log", test_idle_timeout_logged);
	CU_add_test(s, "a live session idle in a transaction", test_idle_live);
	CU_add_test(s, "the concurrency sweep under --measure real", test_sweep_measured);
}
