/*-------------------------------------------------------------------------
 * test_cli_migration.c
 *    pgsift migration from the command line: exit statuses, formats,
 *    options, the [migration] section of pgsift.conf, and errors.
 *-------------------------------------------------------------------------
 */
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *risky;
static const char *safe;

static void
write_migrations(void)
{
	static char risky_path[1024],
				safe_path[1024];

	snprintf(risky_path, sizeof(risky_path), "%s",
			 test_write_file("risky.sql",
							 "CREATE INDEX orders_customer ON orders (customer_id);\n"
							 "ALTER TABLE orders ADD COLUMN note text;\n"));
	snprintf(safe_path, sizeof(safe_path), "%s",
			 test_write_file("safe.sql",
							 "SET lock_timeout = '2s';\n"
							 "CREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id);\n"
							 "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\n"));
	risky = risky_path;
	safe = safe_path;
}

static void
test_exit_status(void)
{
	char		args[4096];
	char	   *out = NULL,
			   *err = NULL;

	write_migrations();
	snprintf(args, sizeof(args), "migration %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, &err), 1);
	CU_ASSERT_TRUE(out && strstr(out, "risky.sql:1: high: index-without-concurrently"));
	CU_ASSERT_TRUE(out && strstr(out, "gate: FAILED (--fail-on high)"));
	free(out);
	free(err);

	snprintf(args, sizeof(args), "migration %s", safe);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	CU_ASSERT_TRUE(out && strstr(out, "no findings"));
	free(out);

	snprintf(args, sizeof(args), "migration --fail-on critical %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	snprintf(args, sizeof(args), "migration --fail-on none %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
}

static void
test_formats(void)
{
	char		args[4096];
	json_t	   *j = NULL;
	char	   *out = NULL;

	write_migrations();
	snprintf(args, sizeof(args), "migration --format json %s %s", safe, risky);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "files")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "statements")), 5);
	/* files in the order given: the safe file's statements come first */
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(json_array_get(json_object_get(j, "findings"), 0),
																	 "file")), "risky.sql"));
	json_decref(j);

	snprintf(args, sizeof(args), "migration --format sarif %s", risky);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	ASSERT_STR(json_string_value(json_object_get(j, "version")), "2.1.0");
	json_decref(j);

	snprintf(args, sizeof(args), "migration --format markdown %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 1);
	CU_ASSERT_TRUE(out && strncmp(out, "<!-- pgsift-migration-report -->", 32) == 0);
	free(out);

	snprintf(args, sizeof(args), "migration --format github -o %s/gh.txt %s", test_tmpdir(), risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 1);
	snprintf(args, sizeof(args), "grep -c '^::error file=' %s/gh.txt", test_tmpdir());
	CU_ASSERT_EQUAL(test_run(args, &out), 0);
	CU_ASSERT_TRUE(out && atoi(out) == 3);
	free(out);
}

static void
test_config_section(void)
{
	char		args[4096];
	char	   *err = NULL;
	const char *conf;

	write_migrations();
	/* the migration tool sets lock_timeout, and index builds are accepted */
	conf = test_write_file("gate.conf", "[migration]\nlock_timeout = 3s\n\n"
						   "[index-without-concurrently]\nenabled = false\n");
	snprintf(args, sizeof(args), "migration --config %s %s", conf, risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);

	conf = test_write_file("bad.conf", "[migration]\nlock_timeout = soon\n");
	snprintf(args, sizeof(args), "migration --config %s %s", conf, risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 2);
	CU_ASSERT_TRUE(err && strstr(err, "invalid value \"soon\" for migration.lock_timeout at"));
	CU_ASSERT_TRUE(err && strstr(err, "bad.conf:2"));
	free(err);

	conf = test_write_file("typo.conf", "[migration]\nlock_timeuot = 2s\n");
	snprintf(args, sizeof(args), "migration --config %s %s", conf, risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 2);
	CU_ASSERT_TRUE(err && strstr(err, "unknown key \"lock_timeuot\""));
	free(err);

	/* analyze reads the same file and leaves [migration] alone */
	conf = test_write_file("shared.conf", "[migration]\nsingle_transaction = true\n");
	snprintf(args, sizeof(args), "analyze -q --config %s %s", conf, test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
}

static void
test_errors(void)
{
	char		args[4096];
	char	   *err = NULL;

	write_migrations();
	CU_ASSERT_EQUAL(test_pgsift("migration", NULL, &err), 2);
	CU_ASSERT_TRUE(err && strstr(err, "no migration file given"));
	free(err);
	CU_ASSERT_EQUAL(test_pgsift("migration /nonexistent/x.sql", NULL, &err), 3);
	CU_ASSERT_TRUE(err && strstr(err, "could not open migration file \"/nonexistent/x.sql\""));
	free(err);
	snprintf(args, sizeof(args), "migration --pg-version 9 %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 2);
	CU_ASSERT_TRUE(err && strstr(err, "invalid --pg-version"));
	free(err);
	snprintf(args, sizeof(args), "migration --format xml %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 2);
	CU_ASSERT_EQUAL(test_pgsift("migration --help", NULL, NULL), 0);
}

static void
test_single_transaction(void)
{
	char		args[4096];
	char	   *out = NULL;
	const char *f = test_write_file("cic.sql", "CREATE INDEX CONCURRENTLY i ON t (a);\n");

	snprintf(args, sizeof(args), "migration %s", f);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	snprintf(args, sizeof(args), "migration --single-transaction %s", f);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 1);
	CU_ASSERT_TRUE(out && strstr(out, "critical: concurrently-in-transaction"));
	free(out);
}

static void
test_database_options(void)
{
	char	   *err = NULL;
	char		args[4096];

	write_migrations();
	snprintf(args, sizeof(args), "migration --measure plan %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 2);
	pg_test_assert_has(err, "need --dsn", 1);
	free(err);
	snprintf(args, sizeof(args), "migration --dsn dbname=x --workload /nonexistent.log %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 2);
	pg_test_assert_has(err, "--workload needs --measure plan or real", 1);
	free(err);
	snprintf(args, sizeof(args), "migration --dsn dbname=x --measure sometimes %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 2);
	pg_test_assert_has(err, "unknown measure mode", 1);
	free(err);
	/* an unreachable database: exit 4, PostgreSQL's style, no password */
	snprintf(args, sizeof(args), "migration --dsn 'postgresql://u:Sup3rS3cret@127.0.0.1:1/nowhere' %s", risky);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 4);
	pg_test_assert_has(err, "HINT:", 1);
	pg_test_assert_has(err, "Sup3rS3cret", 0);
	free(err);
}

/* The trace from the command line, against the server: text and JSON. */
static void
test_traced_run(void)
{
	PGconn	   *admin = pg_test_admin("postgres");
	char	   *dsn,
			   *out = NULL,
			   *err = NULL;
	char		args[4096];
	json_t	   *j = NULL;
	const char *path;

	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	pg_test_exec(admin, "DROP DATABASE IF EXISTS cli_migration_trace");
	pg_test_exec(admin, "CREATE DATABASE cli_migration_trace");
	PQfinish(admin);
	admin = pg_test_admin("cli_migration_trace");
	CU_ASSERT_PTR_NOT_NULL_FATAL(admin);
	pg_test_exec(admin, "CREATE TABLE orders (id int PRIMARY KEY, customer_id int)");
	pg_test_exec(admin, "INSERT INTO orders SELECT g, g % 50 FROM generate_series(1, 1000) g");
	PQfinish(admin);
	path = test_write_file("traced.sql", "CREATE INDEX orders_customer ON orders (customer_id);\n"
						   "ALTER TABLE orders ALTER COLUMN customer_id TYPE bigint;\n"
						   "VACUUM orders;\n");
	dsn = pg_test_dsn("dbname=cli_migration_trace");
	snprintf(args, sizeof(args), "migration --dsn '%s' --measure plan --fail-on none %s", dsn, path);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, &err), 0);
	pg_test_assert_has(out, "trace (one transaction, rolled back):", 1);
	pg_test_assert_has(out, "traced.sql:1: ran: ", 1);
	pg_test_assert_has(out, "took SHARE on public.orders (1,000 rows", 1);
	pg_test_assert_has(out, "rewrote public.orders", 1);
	pg_test_assert_has(out, "traced.sql:3: refused: ", 1);
	free(out);
	free(err);
	snprintf(args, sizeof(args), "migration --dsn '%s' --measure plan --format json --fail-on none %s", dsn, path);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	{
		json_t	   *db = json_object_get(j, "database");
		json_t	   *trace = json_object_get(db, "trace");
		json_t	   *second = json_array_get(trace, 1);

		CU_ASSERT_TRUE(json_is_true(json_object_get(db, "traced")));
		CU_ASSERT_EQUAL(json_array_size(trace), 3);
		ASSERT_STR(json_string_value(json_object_get(second, "step")), "ran");
		ASSERT_STR(json_string_value(json_object_get(json_array_get(json_object_get(second, "changes"), 0), "change")),
				   "rewritten");
		ASSERT_STR(json_string_value(json_object_get(json_array_get(trace, 2), "step")), "refused");
	}
	json_decref(j);
	free(dsn);
	admin = pg_test_admin("postgres");
	pg_test_exec(admin, "DROP DATABASE cli_migration_trace");
	PQfinish(admin);
}

PGSIFT_TEST_SUITE(add_cli_migration_suite)
{
	CU_pSuite	s = CU_add_suite("cli/migration", NULL, NULL);

	CU_add_test(s, "exit status follows --fail-on", test_exit_status);
	CU_add_test(s, "json, sarif, markdown and github output", test_formats);
	CU_add_test(s, "the [migration] section and rule switches of pgsift.conf", test_config_section);
	CU_add_test(s, "usage errors and unreadable files", test_errors);
	CU_add_test(s, "--single-transaction", test_single_transaction);
	CU_add_test(s, "--dsn, --measure and --workload: usage and an unreachable database", test_database_options);
	test_add_server_test(s, "--measure plan traces the migration: text and JSON", test_traced_run);
}
