/*-------------------------------------------------------------------------
 * test_migration_trace.c
 *    The trace of a migration on the throwaway server (pgsift migration
 *    --measure plan): what each statement really did, what the sandbox
 *    refuses to run, and the database left exactly as it was.
 *
 * Each case traces a migration held in a string (tests/rules/
 * migration_testing.h) on the suite's database, whose table t has 2,000
 * rows.  A digest of the catalog and the data, read from an admin
 * session, must be the same after every trace as before the first.
 *-------------------------------------------------------------------------
 */
#include "src/live/migration_trace.h"
#include "tests/pg_testing.h"
#include "tests/rules/migration_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_DB "migration_trace_test"

static char *dsn;
static char *digest_at_start;

static const char *const digest_sql =
"SELECT md5(string_agg(x, ',' ORDER BY x)) FROM ("
" SELECT format('r %s %s %s %s', c.oid, c.relname, c.relfilenode, c.relkind) AS x FROM pg_class c"
"  WHERE c.relnamespace = 'public'::regnamespace"
" UNION ALL SELECT format('a %s %s %s %s', a.attrelid, a.attname, a.atttypid, a.attnotnull) FROM pg_attribute a"
"  JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0"
" UNION ALL SELECT format('k %s %s', conname, convalidated) FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
" UNION ALL SELECT format('p %s %s', proname, provolatile) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
" UNION ALL SELECT format('g %s', tgname) FROM pg_trigger WHERE NOT tgisinternal"
" UNION ALL SELECT format('e %s', evtname) FROM pg_event_trigger"
" UNION ALL SELECT format('t %s %s %s', count(*), sum(n), count(v)) FROM t"
" UNION ALL SELECT format('n %s', count(c)) FROM nulls) s";

static int
suite_init(void)
{
	PGconn	   *admin;

	if (!test_have_server())
		return 0;
	if (pg_test_create_database(TRACE_DB) != 0 || (admin = pg_test_setup_connect(TRACE_DB)) == NULL)
		return 1;
	pg_test_setup_exec(admin, "CREATE TABLE t (id int PRIMARY KEY, n int, v varchar(10), c int)");
	pg_test_setup_exec(admin, "INSERT INTO t SELECT g, g, 'x' || g % 100, g FROM generate_series(1, 2000) g");
	pg_test_setup_exec(admin, "CREATE TABLE nulls (id int PRIMARY KEY, c int)");
	pg_test_setup_exec(admin, "INSERT INTO nulls SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE g END"
					   " FROM generate_series(1, 100) g");
	/* a volatile function with an effect no rollback undoes: it ends another session */
	pg_test_setup_exec(admin, "CREATE FUNCTION mig_kill() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
					   " PERFORM pg_terminate_backend(pid) FROM pg_stat_activity"
					   "  WHERE application_name = 'pgsift_trace_victim'; RETURN 1; END $$");
	pg_test_setup_exec(admin, "CREATE FUNCTION mig_stable() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1'");
	pg_test_setup_exec(admin, "ANALYZE");
	digest_at_start = pg_test_value(admin, digest_sql);
	PQfinish(admin);
	dsn = pg_test_dsn("dbname=" TRACE_DB);
	return digest_at_start == NULL;
}

static int
suite_clean(void)
{
	lint_free();
	if (test_have_server())
		pg_test_drop_database(TRACE_DB);
	free(dsn);
	free(digest_at_start);
	return 0;
}

/* Trace sql with --measure plan. */
static const migration_gate_result *
trace(const char *sql)
{
	migration_gate_options o = {.dsn = dsn, .measure = MIGRATION_MEASURE_PLAN};

	return lint_sql_with(sql, &o);
}

/* The step of the statement on line (1-based) of the last trace, or NULL. */
static const statement_trace *
step_at(int line)
{
	const migration_gate_result *r = lint_last_result();

	for (int i = 0; r && i < r->migration.nstatements; i++)
		if (r->migration.statements[i].line == line)
			return migration_trace_step(&r->trace, i);
	return NULL;
}

/* Whether st saw change kind on object (schema.name[.part]). */
static int
changed(const statement_trace *st, trace_change_kind kind, const char *object)
{
	for (int i = 0; st && i < st->nchanges; i++)
		if (st->changes[i].kind == kind && strcmp(st->changes[i].object, object) == 0)
			return 1;
	return 0;
}

/* Whether st took mode on relation (new for it: an earlier statement did not hold it). */
static int
took(const statement_trace *st, const char *relation, const char *mode)
{
	for (int i = 0; st && i < st->nlocks; i++)
		if (strcmp(st->locks[i].relation, relation) == 0)
			return strcmp(st->locks[i].mode, mode) == 0;
	return 0;
}

/* The database is as it was before the suite traced anything. */
static void
assert_unchanged(void)
{
	PGconn	   *admin = pg_test_admin(TRACE_DB);
	char	   *now = admin ? pg_test_value(admin, digest_sql) : NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(now);
	CU_ASSERT_STRING_EQUAL(now, digest_at_start);
	free(now);
	PQfinish(admin);
}

static void
test_index_build(void)
{
	const statement_trace *st;

	CU_ASSERT_EQUAL_FATAL(trace("CREATE INDEX t_n ON t (n);\n")->traced, 1);
	st = step_at(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(st->step, SANDBOX_STEP_RAN);
	CU_ASSERT_TRUE(took(st, "public.t", "ShareLock"));
	CU_ASSERT_TRUE(changed(st, TRACE_CREATED, "public.t_n"));
	CU_ASSERT_FALSE(changed(st, TRACE_REWRITTEN, "public.t"));
	CU_ASSERT_EQUAL(st->locks[0].existed, 1);
	CU_ASSERT_TRUE(st->locks[0].tuples >= 2000);
	/* the static finding carries what the trace saw */
	CU_ASSERT_PTR_NOT_NULL_FATAL(lint_finding("index-without-concurrently", 0));
	pg_test_assert_has(lint_finding("index-without-concurrently", 0)->detail,
					   "took SHARE on public.t (2,000 rows", 1);
	assert_unchanged();
}

static void
test_rewrites(void)
{
	const statement_trace *st;

	trace("ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();\n"
		  "ALTER TABLE t ALTER COLUMN n TYPE bigint;\n"
		  "ALTER TABLE t ALTER COLUMN c TYPE int;\n"
		  "ALTER TABLE t ALTER COLUMN v TYPE text;\n");
	st = step_at(1);
	CU_ASSERT_TRUE(changed(st, TRACE_REWRITTEN, "public.t"));
	CU_ASSERT_TRUE(took(st, "public.t", "AccessExclusiveLock"));
	st = step_at(2);
	CU_ASSERT_TRUE(changed(st, TRACE_REWRITTEN, "public.t"));
	CU_ASSERT_TRUE(changed(st, TRACE_COLUMN_TYPE, "public.t.n"));
	st = step_at(3);
	CU_ASSERT_EQUAL(st->step, SANDBOX_STEP_RAN);
	CU_ASSERT_FALSE(changed(st, TRACE_REWRITTEN, "public.t"));
	CU_ASSERT_FALSE(changed(st, TRACE_COLUMN_TYPE, "public.t.c"));
	st = step_at(4);
	CU_ASSERT_EQUAL(st->step, SANDBOX_STEP_RAN);
	CU_ASSERT_FALSE(changed(st, TRACE_REWRITTEN, "public.t"));
	CU_ASSERT_TRUE(changed(st, TRACE_COLUMN_TYPE, "public.t.v"));
	/* the rules agree with the trace: rewrites where it saw them, none where it did not */
	CU_ASSERT_EQUAL(lint_count("add-column-rewrites"), 1);
	CU_ASSERT_EQUAL(lint_finding("add-column-rewrites", 0)->location.rewrite, 1);
	CU_ASSERT_EQUAL(lint_count("column-type-rewrite"), 1);
	CU_ASSERT_EQUAL(lint_finding("column-type-rewrite", 0)->location.line, 2);
	CU_ASSERT_EQUAL(lint_finding("column-type-rewrite", 0)->location.rewrite, 1);
	CU_ASSERT_EQUAL(lint_count("traced-rewrite"), 0);
	assert_unchanged();
}

static void
test_not_null(void)
{
	const statement_trace *st;

	trace("ALTER TABLE t ADD CONSTRAINT t_c_nn CHECK (c IS NOT NULL) NOT VALID;\n"
		  "ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\n"
		  "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n"
		  "ALTER TABLE nulls ALTER COLUMN c SET NOT NULL;\n");
	st = step_at(1);
	CU_ASSERT_EQUAL(st->step, SANDBOX_STEP_RAN);
	CU_ASSERT_FALSE(changed(st, TRACE_VALIDATED, "public.t.t_c_nn"));
	CU_ASSERT_TRUE(took(st, "public.t", "AccessExclusiveLock"));
	CU_ASSERT_TRUE(changed(step_at(2), TRACE_VALIDATED, "public.t.t_c_nn"));
	CU_ASSERT_EQUAL(step_at(2)->nlocks, 0);	/* held since line 1 */
	st = step_at(3);
	CU_ASSERT_EQUAL(st->step, SANDBOX_STEP_RAN);
	CU_ASSERT_TRUE(changed(st, TRACE_COLUMN_NOT_NULL, "public.t.c"));
	CU_ASSERT_FALSE(changed(st, TRACE_REWRITTEN, "public.t"));
	/* the NULLs of nulls.c make the statement fail: on production too */
	CU_ASSERT_EQUAL(step_at(4)->step, SANDBOX_STEP_FAILED);
	st = step_at(4);
	CU_ASSERT_EQUAL(st->step, SANDBOX_STEP_FAILED);
	CU_ASSERT_STRING_EQUAL(st->sqlstate, "23502");
	CU_ASSERT_EQUAL(lint_count("migration-fails"), 1);
	CU_ASSERT_EQUAL(lint_line("migration-fails"), 4);
	CU_ASSERT_EQUAL(lint_finding("migration-fails", 0)->severity, FINDING_CRITICAL);
	assert_unchanged();
}

static void
test_failure_after_refusal(void)
{
	const finding *f;

	trace("CREATE EXTENSION IF NOT EXISTS pgsift_no_such_extension;\n"
		  "ALTER TABLE t ADD COLUMN e int DEFAULT pgsift_from_that_extension();\n");
	CU_ASSERT_EQUAL(step_at(1)->step, SANDBOX_STEP_REFUSED);
	/* the screen cannot resolve the function: refused too, not failed */
	CU_ASSERT_EQUAL(step_at(2)->step, SANDBOX_STEP_REFUSED);
	trace("CREATE EXTENSION IF NOT EXISTS pgsift_no_such_extension;\n"
		  "ALTER TABLE pgsift_extension_table ADD COLUMN e int;\n");
	CU_ASSERT_EQUAL(step_at(2)->step, SANDBOX_STEP_FAILED);
	f = lint_finding("migration-fails", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	pg_test_assert_has(f->detail, "did not run the statement at m.sql:1", 1);
	assert_unchanged();
}

static void
test_concurrently_and_skips(void)
{
	const statement_trace *st;

	trace("SET lock_timeout = '2s';\n"
		  "BEGIN;\n"
		  "COMMIT;\n"
		  "CREATE INDEX CONCURRENTLY t_c ON t (c);\n"
		  "DROP INDEX CONCURRENTLY t_c;\n"
		  "CREATE SCHEMA app;\n"
		  "SET search_path = app, public;\n"
		  "CREATE TABLE t (id int);\n"
		  "INSERT INTO public.t (id, n) VALUES (-1, -1);\n");
	CU_ASSERT_EQUAL(step_at(1)->step, SANDBOX_STEP_SKIPPED);
	CU_ASSERT_EQUAL(step_at(2)->step, SANDBOX_STEP_SKIPPED);
	CU_ASSERT_EQUAL(step_at(3)->step, SANDBOX_STEP_SKIPPED);
	st = step_at(4);
	CU_ASSERT_EQUAL(st->step, SANDBOX_STEP_RAN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->sent);
	CU_ASSERT_PTR_NULL(strstr(st->sent, "CONCURRENTLY"));
	pg_test_assert_has(st->note, "without CONCURRENTLY", 1);
	CU_ASSERT_TRUE(changed(st, TRACE_CREATED, "public.t_c"));
	CU_ASSERT_EQUAL(step_at(5)->step, SANDBOX_STEP_RAN);
	CU_ASSERT_TRUE(changed(step_at(5), TRACE_DROPPED, "public.t_c"));
	/* search_path is followed (as SET LOCAL): the new t is app's, public.t is the old one */
	CU_ASSERT_EQUAL(step_at(7)->step, SANDBOX_STEP_RAN);
	pg_test_assert_has(step_at(7)->sent, "SET LOCAL", 1);
	CU_ASSERT_TRUE(changed(step_at(8), TRACE_CREATED, "app.t"));
	CU_ASSERT_EQUAL(step_at(9)->step, SANDBOX_STEP_RAN);
	assert_unchanged();
}

/* Whether the victim session is still connected. */
static int
victim_alive(PGconn *victim)
{
	PGresult   *r = PQexec(victim, "SELECT 1");
	int			ok = PQresultStatus(r) == PGRES_TUPLES_OK;

	PQclear(r);
	return ok;
}

static PGconn *
open_victim(void)
{
	char	   *vdsn = pg_test_dsn("dbname=" TRACE_DB " application_name=pgsift_trace_victim");
	PGconn	   *victim = PQconnectdb(vdsn);

	free(vdsn);
	CU_ASSERT_EQUAL(PQstatus(victim), CONNECTION_OK);
	return victim;
}

static void
test_refusals(void)
{
	PGconn	   *victim = open_victim();

	trace("DO $$ BEGIN PERFORM mig_kill(); END $$;\n"
		  "COPY t TO STDOUT;\n"
		  "CREATE EXTENSION IF NOT EXISTS dblink;\n"
		  "ALTER TABLE t ADD COLUMN k int DEFAULT mig_kill();\n"
		  "UPDATE t SET n = n WHERE id = 2;\n"
		  "CREATE FUNCTION mig_trg() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN PERFORM mig_kill(); RETURN NEW; END $f$;\n"
		  "CREATE TRIGGER mig_tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION mig_trg();\n"
		  "UPDATE t SET n = n WHERE id = 1;\n"
		  "CREATE FUNCTION mig_c() RETURNS int LANGUAGE c AS 'pgsift_nothing', 'f';\n"
		  "SELECT mig_kill();\n");
	for (int line = 1; line <= 4; line++)
		CU_ASSERT_EQUAL(step_at(line)->step, SANDBOX_STEP_REFUSED);
	CU_ASSERT_EQUAL(lint_count("migration-fails"), 0);
	pg_test_assert_has(step_at(4)->note, "mig_kill", 1);
	/* t's closure is screened (and cached) before the migration adds a trigger to it */
	CU_ASSERT_EQUAL(step_at(5)->step, SANDBOX_STEP_RAN);
	CU_ASSERT_EQUAL(step_at(6)->step, SANDBOX_STEP_RAN);
	CU_ASSERT_EQUAL(step_at(7)->step, SANDBOX_STEP_RAN);
	/* the trigger the migration added is seen: the screen's catalog is read again */
	CU_ASSERT_EQUAL(step_at(8)->step, SANDBOX_STEP_REFUSED);
	pg_test_assert_has(step_at(8)->note, "mig_trg", 1);
	CU_ASSERT_EQUAL(step_at(9)->step, SANDBOX_STEP_REFUSED);
	CU_ASSERT_EQUAL(step_at(10)->step, SANDBOX_STEP_REFUSED);
	CU_ASSERT_TRUE(victim_alive(victim));
	PQfinish(victim);
	assert_unchanged();
}

static void
test_event_trigger_stops_the_trace(void)
{
	PGconn	   *admin = pg_test_admin(TRACE_DB);
	PGconn	   *victim = open_victim();
	char	   *digest;

	pg_test_exec(admin, "CREATE FUNCTION mig_evt() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN"
				 " PERFORM mig_kill(); END $$");
	pg_test_exec(admin, "CREATE EVENT TRIGGER mig_evt ON ddl_command_start EXECUTE FUNCTION mig_evt()");
	digest = pg_test_value(admin, digest_sql);
	trace("CREATE INDEX t_n ON t (n);\nALTER TABLE t ADD COLUMN z int;\n");
	CU_ASSERT_EQUAL(step_at(1)->step, SANDBOX_STEP_REFUSED);
	CU_ASSERT_EQUAL(step_at(2)->step, SANDBOX_STEP_REFUSED);
	pg_test_assert_has(step_at(1)->note, "event trigger mig_evt", 1);
	CU_ASSERT_TRUE(victim_alive(victim));
	{
		char	   *now = pg_test_value(admin, digest_sql);

		CU_ASSERT_TRUE(now && digest && strcmp(now, digest) == 0);
		free(now);
	}
	pg_test_exec(admin, "DROP EVENT TRIGGER mig_evt");
	pg_test_exec(admin, "DROP FUNCTION mig_evt()");
	free(digest);
	PQfinish(victim);
	PQfinish(admin);
	assert_unchanged();
}

static void
test_catalog_only_without_measure(void)
{
	migration_gate_options o = {.dsn = dsn};
	const migration_gate_result *r = lint_sql_with("CREATE INDEX t_n ON t (n);\n", &o);

	CU_ASSERT_EQUAL(r->connected, 1);
	CU_ASSERT_EQUAL(r->traced, 0);
	CU_ASSERT_EQUAL(r->server_version, 15);
	CU_ASSERT_EQUAL(r->pg_version, 15);
	CU_ASSERT_PTR_NOT_NULL(r->catalog);
	CU_ASSERT_EQUAL(lint_count("index-without-concurrently"), 1);
	CU_ASSERT_PTR_NULL(strstr(lint_finding("index-without-concurrently", 0)->detail, "Traced"));
	pg_test_assert_has(lint_finding("index-without-concurrently", 0)->detail,
					   "On the database of --dsn, public.t has 2,000 rows, ", 1);
	/* the catalog settles what the static rules cannot: current types, functions' volatility */
	lint_sql_with("ALTER TABLE t ALTER COLUMN n TYPE bigint;\n"
				  "ALTER TABLE t ALTER COLUMN v TYPE text;\n"
				  "ALTER TABLE t ADD COLUMN a int DEFAULT mig_stable();\n"
				  "ALTER TABLE t ADD COLUMN b int DEFAULT mig_kill();\n", &o);
	CU_ASSERT_EQUAL(lint_count("column-type-rewrite"), 1);
	CU_ASSERT_EQUAL(lint_line("column-type-rewrite"), 1);
	CU_ASSERT_EQUAL(lint_finding("column-type-rewrite", 0)->location.rewrite, 1);
	pg_test_assert_has(lint_finding("column-type-rewrite", 0)->detail, "from integer to bigint", 1);
	CU_ASSERT_EQUAL(lint_count("add-column-rewrites"), 1);
	CU_ASSERT_EQUAL(lint_line("add-column-rewrites"), 4);
	CU_ASSERT_EQUAL(lint_finding("add-column-rewrites", 0)->severity, FINDING_HIGH);
	/* the timeout finding follows them: a known rewrite, no "may"; none for the text change or the stable default */
	CU_ASSERT_EQUAL(lint_count("missing-statement-timeout"), 2);
	pg_test_assert_has(lint_finding("missing-statement-timeout", 0)->detail, "It rewrites the table (", 1);
	CU_ASSERT_PTR_NULL(strstr(lint_finding("missing-statement-timeout", 0)->detail, "may rewrite"));
	CU_ASSERT_EQUAL(lint_finding("missing-statement-timeout", 1)->location.line, 4);
	/* int -> oid: pgsift's own table does not know it, the server's pg_cast says it only relabels */
	lint_sql_with("ALTER TABLE t ALTER COLUMN c TYPE oid;\n", &o);
	CU_ASSERT_EQUAL(lint_count("column-type-rewrite"), 0);
	CU_ASSERT_EQUAL(lint_count("missing-statement-timeout"), 0);
	lint_sql("ALTER TABLE t ALTER COLUMN c TYPE oid;\n", 15);
	CU_ASSERT_EQUAL(lint_count("column-type-rewrite"), 1);
	CU_ASSERT_EQUAL(lint_count("missing-statement-timeout"), 1);
	/* a foreign key on an existing table: the catalog's indexes (t_pkey) and the migration's count */
	lint_sql_with("ALTER TABLE t ADD CONSTRAINT t_c_fk FOREIGN KEY (c) REFERENCES nulls (id) NOT VALID;\n"
				  "ALTER TABLE t ADD CONSTRAINT t_id_fk FOREIGN KEY (id) REFERENCES nulls (id) NOT VALID;\n", &o);
	CU_ASSERT_EQUAL(lint_count("foreign-key-without-index"), 1);
	CU_ASSERT_EQUAL(lint_line("foreign-key-without-index"), 1);
	lint_sql_with("CREATE INDEX CONCURRENTLY t_c ON t (c);\n"
				  "ALTER TABLE t ADD CONSTRAINT t_c_fk FOREIGN KEY (c) REFERENCES nulls (id) NOT VALID;\n", &o);
	CU_ASSERT_EQUAL(lint_count("foreign-key-without-index"), 0);
	lint_sql("ALTER TABLE t ADD CONSTRAINT t_c_fk FOREIGN KEY (c) REFERENCES nulls (id) NOT VALID;\n", 15);
	CU_ASSERT_EQUAL(lint_count("foreign-key-without-index"), 0);	/* without the catalog: not judged */
	/* without the catalog the same migration leaves both open */
	lint_sql("ALTER TABLE t ALTER COLUMN v TYPE text;\nALTER TABLE t ADD COLUMN a int DEFAULT mig_stable();\n", 15);
	CU_ASSERT_EQUAL(lint_count("column-type-rewrite"), 1);
	CU_ASSERT_EQUAL(lint_count("add-column-rewrites"), 1);
	/* an explicit --pg-version wins over the server's */
	o.pg_version = 11;
	CU_ASSERT_EQUAL(lint_sql_with("SELECT 1;\n", &o)->pg_version, 11);
	assert_unchanged();
}

PGSIFT_SERVER_TEST_SUITE(add_migration_trace_suite)
{
	CU_pSuite	s = CU_add_suite("src/live/migration_trace", suite_init, suite_clean);

	CU_add_test(s, "an index build: SHARE on the table, no rewrite", test_index_build);
	CU_add_test(s, "rewrites seen by relfilenode, and none for binary-coercible changes", test_rewrites);
	CU_add_test(s, "SET NOT NULL with and without a valid CHECK, and one that fails", test_not_null);
	CU_add_test(s, "CONCURRENTLY traced without it; BEGIN, COMMIT and SET not sent; search_path followed",
				test_concurrently_and_skips);
	CU_add_test(s, "a failure after a refused statement is not blamed on the migration alone",
				test_failure_after_refusal);
	CU_add_test(s, "DO, COPY, extensions, volatile defaults and new triggers are refused", test_refusals);
	CU_add_test(s, "an event trigger stops the trace", test_event_trigger_stops_the_trace);
	CU_add_test(s, "--dsn alone: the catalog's types, volatility and version; nothing traced",
				test_catalog_only_without_measure);
}
