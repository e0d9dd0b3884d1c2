/*-------------------------------------------------------------------------
 * test_cli_migration.c
 *    pgsift migration from the command line: exit statuses, formats,
 *    options, the [migration] section of pgsift.conf, and errors.
 *-------------------------------------------------------------------------
 */
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

PGSIFT_TEST_SUITE(add_cli_migration_suite)
{
	CU_pSuite	s = CU_add_suite("cli/migration", NULL, NULL);

	CU_add_test(s, "exit status follows --fail-on", test_exit_status);
	CU_add_test(s, "json, sarif, markdown and github output", test_formats);
	CU_add_test(s, "the [migration] section and rule switches of pgsift.conf", test_config_section);
	CU_add_test(s, "usage errors and unreadable files", test_errors);
	CU_add_test(s, "--single-transaction", test_single_transaction);
}
