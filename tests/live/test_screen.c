/*-------------------------------------------------------------------------
 * test_screen.c
 *    Tests for the side-effect screen against the throwaway server: the
 *    volatile built-ins it must stop wherever they hide in a statement,
 *    what it must let through, and what it must find behind views, SQL
 *    function bodies, triggers, defaults, foreign keys, operators, casts,
 *    policies and foreign tables.
 *
 * The scratch database holds one object for each case; the catalog is
 * loaded once for the suite, through a fetch callback over plain libpq
 * that counts what it sends, so that the tests can see the relation
 * cache at work.
 *-------------------------------------------------------------------------
 */
#include "src/live/screen.h"
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCREEN_DB "screen_test"

/* A connection for the screen's queries, counting them. */
typedef struct test_fetcher
{
	PGconn	   *conn;
	int			queries;
	int			relation_queries;	/* the ones with parameters */
	int			fail;			/* answer NULL to relation queries */
} test_fetcher;

static test_fetcher fetcher;
static screen_catalog *catalog;

static const char *const setup_sql[] = {
	"CREATE EXTENSION postgres_fdw",
	"CREATE EXTENSION dblink",
	"CREATE EXTENSION \"uuid-ossp\"",
	"CREATE SCHEMA crypto",
	"CREATE EXTENSION pgcrypto SCHEMA crypto",
	"CREATE TABLE items (id int PRIMARY KEY, x int, name text)",
	"CREATE TABLE t_cache (id int, x int)",
	"CREATE TABLE t_fail (id int)",
	"DO $$BEGIN FOR i IN 1..19 LOOP EXECUTE format('CREATE TABLE t_batch_%s (id int)', i); END LOOP; END$$",
	"CREATE FUNCTION vol_side() RETURNS int LANGUAGE plpgsql VOLATILE AS $$BEGIN"
	" PERFORM pg_notify('c', 'x'); PERFORM set_config('work_mem', '1GB', false); RETURN 1; END$$",
	"CREATE FUNCTION stable_side() RETURNS int LANGUAGE plpgsql STABLE AS $$BEGIN"
	" PERFORM pg_notify('c', 'x'); PERFORM set_config('work_mem', '1GB', false); RETURN 1; END$$",
	"CREATE FUNCTION sql_kill() RETURNS bool LANGUAGE sql STABLE AS 'SELECT pg_terminate_backend(0)'",
	"CREATE FUNCTION sql_atomic() RETURNS bool LANGUAGE sql STABLE BEGIN ATOMIC SELECT pg_cancel_backend(0); END",
	"CREATE FUNCTION sql_atomic_ok(int) RETURNS int LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT abs($1) + 1; END",
	"CREATE VIEW v_vol AS SELECT vol_side() AS a",
	"CREATE VIEW v_vol2 AS SELECT * FROM v_vol",
	"CREATE VIEW v_batch AS SELECT vol_side() AS a",
	"CREATE VIEW v_ok AS SELECT now() AS n, lower('A') AS l",
	"CREATE FUNCTION sql_view() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM v_vol'",
	"CREATE FUNCTION sql_atomic_view() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM v_vol; END",
	"CREATE FUNCTION sql_ok(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1; SELECT abs($1)'",
	"CREATE FUNCTION fact(int) RETURNS int LANGUAGE sql STABLE AS 'SELECT 1'",
	"CREATE OR REPLACE FUNCTION fact(int) RETURNS int LANGUAGE sql STABLE AS"
	" 'SELECT CASE WHEN $1 <= 1 THEN 1 ELSE $1 * fact($1 - 1) END'",
	"CREATE FUNCTION chain_0() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1'",
	"DO $$BEGIN FOR i IN 1..17 LOOP EXECUTE format("
	"'CREATE FUNCTION chain_%s() RETURNS int LANGUAGE sql STABLE AS ''SELECT chain_%s()''', i, i - 1);"
	" END LOOP; END$$",
	"CREATE FUNCTION public.random() RETURNS double precision LANGUAGE plpgsql VOLATILE AS $$BEGIN"
	" PERFORM pg_notify('c', 'x'); RETURN 4; END$$",
	"CREATE SEQUENCE s",
	"CREATE TABLE t_serial (id serial PRIMARY KEY, x int)",
	"CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
	" PERFORM pg_notify('audit', TG_OP); RETURN NEW; END$$",
	"CREATE TABLE t_trig (id int)",
	"CREATE TRIGGER t_audit BEFORE INSERT ON t_trig FOR EACH ROW EXECUTE FUNCTION audit()",
	"CREATE VIEW v_trig AS SELECT * FROM t_trig",
	"CREATE TABLE t_default (id int DEFAULT vol_side(), x int)",
	"CREATE TABLE t_check (x int CONSTRAINT x_small CHECK (x < vol_side()))",
	"CREATE TABLE parent (id int PRIMARY KEY)",
	"CREATE TABLE child (pid int REFERENCES parent ON DELETE CASCADE)",
	"CREATE TRIGGER c_audit BEFORE DELETE ON child FOR EACH ROW EXECUTE FUNCTION audit()",
	"CREATE FUNCTION vol_eq(int, int) RETURNS bool LANGUAGE plpgsql VOLATILE AS $$BEGIN"
	" PERFORM pg_notify('c', 'x'); RETURN $1 = $2; END$$",
	"CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = vol_eq)",
	"CREATE TYPE mood AS ENUM ('ok')",
	"CREATE FUNCTION to_mood(int) RETURNS mood LANGUAGE plpgsql VOLATILE AS $$BEGIN"
	" PERFORM pg_notify('c', 'x'); RETURN 'ok'; END$$",
	"CREATE CAST (int AS mood) WITH FUNCTION to_mood(int)",
	"CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', dbname 'nowhere')",
	"CREATE FOREIGN TABLE ft (id int) SERVER remote",
	"CREATE VIEW v_ft AS SELECT * FROM ft",
	"CREATE TABLE pt (id int) PARTITION BY RANGE (id)",
	"CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (10)",
	"CREATE TRIGGER pt1_audit BEFORE INSERT ON pt1 FOR EACH ROW EXECUTE FUNCTION audit()",
	"CREATE TABLE t_rls (id int)",
	"ALTER TABLE t_rls ENABLE ROW LEVEL SECURITY",
	"CREATE POLICY p_vol ON t_rls USING (vol_side() > 0)",
};

static int
admin_sql(const char *sql)
{
	PGconn	   *admin = pg_test_setup_connect("postgres");
	int			rc = admin ? pg_test_setup_exec(admin, sql) : -1;

	PQfinish(admin);
	return rc;
}

static PGresult *
test_fetch(void *ctx, const char *sql, int nparams, const char *const *params)
{
	test_fetcher *f = ctx;
	PGresult   *r;

	f->queries++;
	if (nparams > 0)
	{
		f->relation_queries++;
		if (f->fail)
			return NULL;
	}
	r = PQexecParams(f->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		fprintf(stderr, "\nscreen query failed: %s", PQerrorMessage(f->conn));
		PQclear(r);
		return NULL;
	}
	return r;
}

static int
screen_init(void)
{
	if (admin_sql("DROP DATABASE IF EXISTS " SCREEN_DB) != 0 ||
		admin_sql("CREATE DATABASE " SCREEN_DB) != 0)
		return -1;
	fetcher.conn = pg_test_setup_connect(SCREEN_DB);
	if (fetcher.conn == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(setup_sql) / sizeof(setup_sql[0]); i++)
		if (pg_test_setup_exec(fetcher.conn, setup_sql[i]) != 0)
			return -1;
	catalog = screen_catalog_load(test_fetch, &fetcher);
	return catalog ? 0 : -1;
}

static int
screen_cleanup(void)
{
	screen_catalog_free(catalog);
	catalog = NULL;
	PQfinish(fetcher.conn);
	fetcher.conn = NULL;
	return admin_sql("DROP DATABASE IF EXISTS " SCREEN_DB);
}

static const char *
verdict_name(screen_verdict v)
{
	return v == SCREEN_SAFE ? "SAFE" : v == SCREEN_UNSAFE ? "UNSAFE" : "UNKNOWN";
}

/*
 * Screen sql and check the verdict, and that the reason contains want
 * (exactly equals it, with exact), or is NULL when want is.
 */
static void
check_screen(const char *sql, int read_write, screen_verdict verdict, const char *want, int exact)
{
	char	   *reason = (char *) "unset";
	screen_verdict got = screen_statement(catalog, sql, read_write, test_fetch, &fetcher, &reason);
	int			ok = got == verdict;

	if (want == NULL)
		ok = ok && reason == NULL;
	else
		ok = ok && reason != NULL && (exact ? strcmp(reason, want) == 0 : strstr(reason, want) != NULL);
	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr, "\n%s\n  got %s: %s\n  want %s: %s\n", sql, verdict_name(got),
				reason ? reason : "(null)", verdict_name(verdict), want ? want : "(null)");
	free(reason);
}

#define EXPECT_SAFE(sql) check_screen((sql), 0, SCREEN_SAFE, NULL, 0)
#define EXPECT_SAFE_RW(sql) check_screen((sql), 1, SCREEN_SAFE, NULL, 0)
#define EXPECT_UNSAFE(sql, reason) check_screen((sql), 0, SCREEN_UNSAFE, (reason), 1)
#define EXPECT_UNSAFE_RW(sql, reason) check_screen((sql), 1, SCREEN_UNSAFE, (reason), 1)
#define EXPECT_UNKNOWN(sql, part) check_screen((sql), 0, SCREEN_UNKNOWN, (part), 0)

static void
test_harmless_list(void)
{
	CU_ASSERT_TRUE(screen_harmless_volatile("pg_catalog", "random", NULL));
	CU_ASSERT_TRUE(screen_harmless_volatile("pg_catalog", "pg_current_wal_lsn", NULL));
	CU_ASSERT_TRUE(screen_harmless_volatile("public", "uuid_generate_v4", "uuid-ossp"));
	CU_ASSERT_TRUE(screen_harmless_volatile("crypto", "gen_random_bytes", "pgcrypto"));
	/* a shadowing function of the same name is not harmless */
	CU_ASSERT_FALSE(screen_harmless_volatile("public", "random", NULL));
	CU_ASSERT_FALSE(screen_harmless_volatile("public", "uuid_generate_v4", NULL));
	CU_ASSERT_FALSE(screen_harmless_volatile("public", "gen_random_bytes", "uuid-ossp"));
	CU_ASSERT_FALSE(screen_harmless_volatile("pg_catalog", "setseed", NULL));
	CU_ASSERT_FALSE(screen_harmless_volatile("pg_catalog", "nextval", NULL));
	CU_ASSERT_FALSE(screen_harmless_volatile("pg_catalog", "pg_terminate_backend", NULL));
}

static void
test_volatile_builtins(void)
{
	static const char *const cases[][2] = {
		{"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'nobody'",
		"pg_terminate_backend(integer,bigint)"},
		{"SELECT pg_cancel_backend(1)", "pg_cancel_backend(integer)"},
		{"SELECT pg_reload_conf()", "pg_reload_conf()"},
		{"SELECT pg_rotate_logfile()", "pg_rotate_logfile()"},
		{"SELECT pg_stat_reset()", "pg_stat_reset()"},
		{"SELECT pg_stat_reset_shared('bgwriter')", "pg_stat_reset_shared(text)"},
		{"SELECT pg_stat_statements_reset()", "public.pg_stat_statements_reset(oid,oid,bigint)"},
		{"SELECT pg_advisory_lock(1)", "pg_advisory_lock(bigint)"},
		{"SELECT pg_try_advisory_xact_lock(1)", "pg_try_advisory_xact_lock(bigint)"},
		{"SELECT set_config('work_mem', '1GB', false)", "set_config(text,text,boolean)"},
		{"SELECT pg_notify('c', 'x')", "pg_notify(text,text)"},
		{"SELECT lo_create(0)", "lo_create(oid)"},
		{"SELECT pg_switch_wal()", "pg_switch_wal()"},
		{"SELECT pg_create_physical_replication_slot('s')",
		"pg_create_physical_replication_slot(name,boolean,boolean)"},
		{"SELECT pg_sleep(1)", "pg_sleep(double precision)"},
		{"SELECT pg_read_file('x')", "pg_read_file(text)"},
		{"SELECT * FROM dblink('dbname=x', 'SELECT 1') AS t(a int)", "public.dblink(text,"},
		{"SELECT setseed(0.5)", "setseed(double precision)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char		want[256];

		/* a substring: of dblink's overloads with two arguments, either may be named */
		snprintf(want, sizeof(want), "calls volatile function %s", cases[i][1]);
		check_screen(cases[i][0], 0, SCREEN_UNSAFE, want, 0);
	}
}

static void
test_volatile_anywhere(void)
{
	static const char *const cases[] = {
		"WITH x AS (SELECT pg_terminate_backend(1) AS k) SELECT * FROM x",
		"SELECT * FROM items WHERE id IN (SELECT id FROM items WHERE pg_terminate_backend(id))",
		"SELECT * FROM (SELECT * FROM pg_terminate_backend(1)) s",
		"SELECT * FROM pg_terminate_backend(1)",
		"SELECT CASE WHEN x > 1 THEN pg_terminate_backend(x) END FROM items",
		"SELECT * FROM items ORDER BY pg_terminate_backend(id)",
		"SELECT count(*) FILTER (WHERE pg_terminate_backend(id)) FROM items",
		"SELECT id FROM items GROUP BY id HAVING pg_terminate_backend(id)",
		"UPDATE items SET x = 1 WHERE pg_terminate_backend(id)",
		"SELECT EXISTS (SELECT 1 FROM items WHERE pg_catalog.pg_terminate_backend(id))",
		"SELECT x FROM items UNION SELECT pg_terminate_backend(1)::int",
		"SELECT * FROM items i, LATERAL (SELECT pg_terminate_backend(i.id)) l",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_screen(cases[i], 1, SCREEN_UNSAFE,
					 "calls volatile function pg_terminate_backend(integer,bigint)", 1);
}

static void
test_plpgsql_trusted_by_label(void)
{
	EXPECT_UNSAFE("SELECT vol_side()", "calls volatile function public.vol_side()");
	/*
	 * The same body labelled STABLE passes: PL/pgSQL bodies are not
	 * followed, the label is trusted (docs/safety.md says so).
	 */
	EXPECT_SAFE("SELECT stable_side()");
}

static void
test_sql_function_bodies(void)
{
	EXPECT_UNSAFE("SELECT sql_kill()",
				  "calls function public.sql_kill(), whose body calls volatile function "
				  "pg_terminate_backend(integer,bigint)");
	EXPECT_UNSAFE("SELECT sql_atomic()",
				  "calls function public.sql_atomic(), whose body calls volatile function "
				  "pg_cancel_backend(integer)");
	EXPECT_UNSAFE("SELECT sql_view()",
				  "calls function public.sql_view(), whose body reads view public.v_vol, "
				  "whose definition calls volatile function public.vol_side()");
	EXPECT_UNSAFE("SELECT sql_atomic_view()",
				  "calls function public.sql_atomic_view(), whose body reads view public.v_vol, "
				  "whose definition calls volatile function public.vol_side()");
	EXPECT_SAFE("SELECT sql_ok(1), sql_atomic_ok(2)");
	/* a recursive function's body is screened once */
	EXPECT_SAFE("SELECT fact(5)");
	EXPECT_SAFE("SELECT chain_12()");
	EXPECT_UNKNOWN("SELECT chain_17()", "SQL functions nest more than 16 deep");
}

static void
test_views(void)
{
	EXPECT_UNSAFE("SELECT * FROM v_vol",
				  "reads view public.v_vol, whose definition calls volatile function public.vol_side()");
	EXPECT_UNSAFE("SELECT a FROM public.v_vol2 WHERE a > 0",
				  "reads view public.v_vol2, which reads view public.v_vol, "
				  "whose definition calls volatile function public.vol_side()");
	EXPECT_SAFE("SELECT * FROM v_ok");
	EXPECT_SAFE("SELECT count(*) FROM pg_stat_activity");
	/* a CTE's name is not a relation */
	EXPECT_SAFE("WITH v_x AS (SELECT 1 AS a) SELECT * FROM v_x");
	EXPECT_UNSAFE("SELECT * FROM t_rls",
				  "reads table public.t_rls, whose policy p_vol calls volatile function public.vol_side()");
}

static void
test_harmless_statements(void)
{
	static const char *const cases[] = {
		"SELECT random()",
		"SELECT clock_timestamp(), timeofday()",
		"SELECT gen_random_uuid()",
		"SELECT uuid_generate_v4(), crypto.gen_random_bytes(4), crypto.gen_random_uuid()",
		"SELECT now(), lower(name) FROM items",
		"SELECT count(*) FROM items",
		"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM items",
		"SELECT EXTRACT(year FROM now())",
		"SELECT SUBSTRING(name FROM 1 FOR 2) FROM items",
		"SELECT * FROM items WHERE x BETWEEN 1 AND 2",
		"SELECT * FROM items WHERE name LIKE 'a%' OR name ILIKE 'b%' OR name SIMILAR TO 'c%'",
		"SELECT * FROM items WHERE x IN (1, 2) AND x IS DISTINCT FROM 3 AND NULLIF(x, 4) = -x",
		"SELECT COALESCE(name, 'none'), GREATEST(x, 1) FROM items",
		"SELECT '1'::int, $1::text, CAST(x AS numeric), ARRAY[x]::bigint[] FROM items",
		"SELECT CURRENT_TIMESTAMP, CURRENT_USER, CURRENT_DATE",
		"SELECT * FROM items WHERE x = ANY ($1::int[]) AND id = ANY (SELECT id FROM items)",
		"SELECT * FROM items WHERE id OPERATOR(pg_catalog.=) 1",
		"SELECT string_agg(name, ',' ORDER BY id), row_number() OVER () FROM items",
		"SELECT * FROM generate_series(1, 3) g, pg_catalog.pg_relation_size('items') s",
		"SELECT currval('s'), lastval(), pg_is_in_recovery(), pg_current_wal_lsn()",
		"SELECT format('%s-%s', 1, 2), concat('a', 'b', 'c')",
		"SELECT * FROM items WHERE id = $1 FOR UPDATE",
		"SELECT * FROM items ORDER BY x USING >",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_SAFE(cases[i]);
}

static void
test_shadowing_and_unknown(void)
{
	EXPECT_UNSAFE("SELECT public.random()", "calls volatile function public.random()");
	/* unqualified, pg_catalog.random() comes first in the path and hides it */
	EXPECT_SAFE("SELECT random()");
	/* a function that does not resolve counts as volatile: UNSAFE, not UNKNOWN */
	EXPECT_UNSAFE("SELECT nope()", "calls function nope(), which is not in the catalog");
	EXPECT_UNSAFE("SELECT public.nope(1)", "calls function public.nope(), which is not in the catalog");
	EXPECT_UNSAFE("SELECT lower()", "calls function lower(), which is not in the catalog");
	EXPECT_UNSAFE("SELECT \"Odd\".\"No Such\"()", "calls function \"Odd\".\"No Such\"(), which is not in the catalog");
	EXPECT_UNSAFE("SELECT 1 #### 2", "uses operator ####, which is not in the catalog");
}

static void
test_sequences_and_writes(void)
{
	EXPECT_UNSAFE("SELECT nextval('s')", "calls nextval(regclass), which would draw a value from a sequence");
	EXPECT_SAFE_RW("SELECT nextval('s')");
	EXPECT_SAFE_RW("INSERT INTO t_serial (x) VALUES (1)");
	EXPECT_UNSAFE("INSERT INTO t_serial (x) VALUES (1)",
				  "writes table public.t_serial, whose default of column id calls nextval(regclass), "
				  "which would draw a value from a sequence");
	EXPECT_UNSAFE_RW("INSERT INTO t_trig VALUES (1)",
					 "writes table public.t_trig, whose trigger t_audit calls volatile function public.audit()");
	EXPECT_SAFE_RW("SELECT * FROM t_trig");
	EXPECT_UNSAFE_RW("WITH n AS (INSERT INTO t_trig VALUES (1) RETURNING id) SELECT * FROM n",
					 "writes table public.t_trig, whose trigger t_audit calls volatile function public.audit()");
	EXPECT_UNSAFE_RW("INSERT INTO v_trig VALUES (1)",
					 "writes view public.v_trig, which writes table public.t_trig, "
					 "whose trigger t_audit calls volatile function public.audit()");
	EXPECT_UNSAFE_RW("INSERT INTO t_default (x) VALUES (1)",
					 "writes table public.t_default, whose default of column id calls volatile function "
					 "public.vol_side()");
	EXPECT_UNSAFE_RW("UPDATE t_check SET x = 1",
					 "writes table public.t_check, whose check constraint x_small calls volatile function "
					 "public.vol_side()");
	EXPECT_UNSAFE_RW("DELETE FROM parent WHERE id = 1",
					 "writes table public.parent, which writes table public.child, "
					 "whose trigger c_audit calls volatile function public.audit()");
	EXPECT_SAFE_RW("DELETE FROM items");
	/* a trigger counts whatever event it fires on: t_audit is BEFORE INSERT only */
	EXPECT_UNSAFE_RW("UPDATE t_trig SET id = 2",
					 "writes table public.t_trig, whose trigger t_audit calls volatile function public.audit()");
	EXPECT_UNSAFE_RW("INSERT INTO pt VALUES (1)",
					 "writes partitioned table public.pt, which writes table public.pt1, "
					 "whose trigger pt1_audit calls volatile function public.audit()");
	EXPECT_SAFE_RW("UPDATE items SET x = x + 1 FROM t_trig WHERE items.id = t_trig.id");
}

static void
test_operators_and_casts(void)
{
	EXPECT_UNSAFE("SELECT * FROM items WHERE x === 1",
				  "uses operator public.===, which calls volatile function public.vol_eq(integer,integer)");
	EXPECT_UNSAFE("SELECT * FROM items WHERE x OPERATOR(public.===) 1",
				  "uses operator public.===, which calls volatile function public.vol_eq(integer,integer)");
	EXPECT_UNSAFE("SELECT 1::mood",
				  "casts to type public.mood, which calls volatile function public.to_mood(integer)");
	/* the source type is not known, so any cast to the type counts, arrays of it too */
	EXPECT_UNSAFE("SELECT '{ok}'::public.mood[]",
				  "casts to type public.mood, which calls volatile function public.to_mood(integer)");
}

static void
test_foreign_tables(void)
{
	EXPECT_UNSAFE("SELECT * FROM ft", "reads foreign table public.ft");
	EXPECT_UNSAFE_RW("DELETE FROM ft", "writes foreign table public.ft");
	EXPECT_UNSAFE("SELECT * FROM v_ft", "reads view public.v_ft, which reads foreign table public.ft");
}

static void
test_not_one_statement(void)
{
	EXPECT_UNKNOWN("SELECT 1; SELECT 2", "it holds 2 statements, not one");
	EXPECT_UNKNOWN("", "it holds 0 statements, not one");
	EXPECT_UNKNOWN("SELEC 1", "could not parse the statement: syntax error at or near \"SELEC\"");
	EXPECT_UNKNOWN("COPY (SELECT 1) TO PROGRAM 'true'", "it is not a SELECT or DML statement");
	EXPECT_UNKNOWN("EXPLAIN ANALYZE SELECT 1", "it is not a SELECT or DML statement");
}

static void
test_relation_cache(void)
{
	int			before;

	before = fetcher.relation_queries;
	EXPECT_SAFE("SELECT * FROM items JOIN t_cache USING (x) WHERE items.name = 'cache'");
	CU_ASSERT_EQUAL(fetcher.relation_queries, before + 1);
	EXPECT_SAFE("SELECT * FROM items JOIN t_cache USING (x) WHERE items.name = 'cache'");
	CU_ASSERT_EQUAL(fetcher.relation_queries, before + 1);
	/* the same relation written is another entry */
	EXPECT_SAFE_RW("UPDATE t_cache SET x = 2");
	CU_ASSERT_EQUAL(fetcher.relation_queries, before + 2);
	EXPECT_SAFE_RW("UPDATE t_cache SET x = 3");
	CU_ASSERT_EQUAL(fetcher.relation_queries, before + 2);

	/* more relations than one query takes: two queries, and the second batch is judged too */
	before = fetcher.relation_queries;
	EXPECT_UNSAFE("SELECT * FROM t_batch_1, t_batch_2, t_batch_3, t_batch_4, t_batch_5, t_batch_6,"
				  " t_batch_7, t_batch_8, t_batch_9, t_batch_10, t_batch_11, t_batch_12, t_batch_13,"
				  " t_batch_14, t_batch_15, t_batch_16, t_batch_17, t_batch_18, t_batch_19, v_batch",
				  "reads view public.v_batch, whose definition calls volatile function public.vol_side()");
	CU_ASSERT_EQUAL(fetcher.relation_queries, before + 2);

	/* a failed query gives UNKNOWN and caches nothing */
	fetcher.fail = 1;
	EXPECT_UNKNOWN("SELECT * FROM t_fail",
				   "could not screen the statement: the catalog query on the relations it uses failed");
	fetcher.fail = 0;
	before = fetcher.relation_queries;
	EXPECT_SAFE("SELECT * FROM t_fail");
	CU_ASSERT_EQUAL(fetcher.relation_queries, before + 1);
}

static PGresult *
failing_fetch(void *ctx, const char *sql, int nparams, const char *const *params)
{
	return NULL;
}

static void
test_catalog_load_failure(void)
{
	CU_ASSERT_PTR_NULL(screen_catalog_load(failing_fetch, NULL));
	screen_catalog_free(NULL);
}

/* Threads sharing one catalog, each with its own connection. */
typedef struct screen_thread
{
	screen_catalog *cat;
	int			failures;
} screen_thread;

static void *
screen_thread_main(void *arg)
{
	static const struct
	{
		const char *sql;
		screen_verdict verdict;
	}			cases[] = {
		{"SELECT * FROM v_vol2", SCREEN_UNSAFE},
		{"SELECT * FROM v_ok, items", SCREEN_SAFE},
		{"INSERT INTO t_trig VALUES (1)", SCREEN_UNSAFE},
		{"SELECT * FROM t_trig", SCREEN_SAFE},
		{"SELECT sql_view()", SCREEN_UNSAFE},
		{"DELETE FROM parent", SCREEN_UNSAFE},
	};
	screen_thread *t = arg;
	test_fetcher f = {.conn = pg_test_setup_connect(SCREEN_DB)};

	if (f.conn == NULL)
	{
		t->failures++;
		return NULL;
	}
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			char	   *reason;

			if (screen_statement(t->cat, cases[i].sql, 1, test_fetch, &f, &reason) != cases[i].verdict)
				t->failures++;
			free(reason);
		}
	PQfinish(f.conn);
	return NULL;
}

static void
test_shared_between_threads(void)
{
	enum
	{
		NTHREADS = 4
	};
	pthread_t	threads[NTHREADS];
	screen_thread state[NTHREADS];
	screen_catalog *cat;

	/* a fresh catalog, so that the threads fill its cache together */
	cat = screen_catalog_load(test_fetch, &fetcher);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cat);
	for (int i = 0; i < NTHREADS; i++)
	{
		state[i] = (screen_thread) {.cat = cat};
		CU_ASSERT_EQUAL(pthread_create(&threads[i], NULL, screen_thread_main, &state[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
	{
		pthread_join(threads[i], NULL);
		CU_ASSERT_EQUAL(state[i].failures, 0);
	}
	screen_catalog_free(cat);
}

PGSIFT_TEST_SUITE(screen_suite)
{
	CU_pSuite	unit = CU_add_suite("src/screen", NULL, NULL);

	CU_add_test(unit, "the harmless list holds by schema or extension", test_harmless_list);
	CU_add_test(unit, "a catalog that cannot be read is NULL", test_catalog_load_failure);
}

PGSIFT_SERVER_TEST_SUITE(screen_server_suite)
{
	CU_pSuite	s = CU_add_suite("src/screen (server)", screen_init, screen_cleanup);

	CU_add_test(s, "volatile built-ins are unsafe", test_volatile_builtins);
	CU_add_test(s, "wherever they are in the statement", test_volatile_anywhere);
	CU_add_test(s, "PL/pgSQL functions are judged by their label", test_plpgsql_trusted_by_label);
	CU_add_test(s, "SQL function bodies are followed", test_sql_function_bodies);
	CU_add_test(s, "views and policies are followed", test_views);
	CU_add_test(s, "stable, immutable and harmless calls pass", test_harmless_statements);
	CU_add_test(s, "shadowing and unknown functions", test_shadowing_and_unknown);
	CU_add_test(s, "sequences, triggers, defaults, checks, foreign keys", test_sequences_and_writes);
	CU_add_test(s, "volatile operators and casts", test_operators_and_casts);
	CU_add_test(s, "foreign tables never pass", test_foreign_tables);
	CU_add_test(s, "several statements, utility and bad syntax are unknown", test_not_one_statement);
	CU_add_test(s, "relations are cached per name and written flag", test_relation_cache);
	CU_add_test(s, "one catalog serves several threads", test_shared_between_threads);
}
