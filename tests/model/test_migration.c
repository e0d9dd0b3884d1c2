/*-------------------------------------------------------------------------
 * test_migration.c
 *    The migration model: statements located by file and line, their
 *    transactions and timeouts, relations, and ignore comments.
 *-------------------------------------------------------------------------
 */
#include "src/model/migration.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <string.h>

static migration m;

static void
load(const char *text, const migration_options *o)
{
	migration_free(&m);
	migration_init(&m, o);
	CU_ASSERT_EQUAL_FATAL(migration_add_text(&m, "m.sql", text, strlen(text)), 0);
}

static void
test_statements_and_lines(void)
{
	load("-- a header comment\n"
		 "CREATE TABLE t (id int);\n"
		 "\n"
		 "/* block /* nested */ comment */ CREATE FUNCTION f() RETURNS int\n"
		 "  LANGUAGE sql AS $$ SELECT 1; SELECT 2 $$;\n"
		 "INSERT INTO t VALUES (';');  SELECT\n"
		 "  1", NULL);
	CU_ASSERT_EQUAL_FATAL(m.nstatements, 4);
	CU_ASSERT_EQUAL(m.statements[0].line, 2);
	ASSERT_STR(m.statements[0].sql, "CREATE TABLE t (id int)");
	CU_ASSERT_EQUAL(m.statements[1].line, 4);
	CU_ASSERT_EQUAL(m.statements[1].end_line, 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.statements[1].sql, "SELECT 1; SELECT 2"));
	CU_ASSERT_EQUAL(m.statements[2].line, 6);
	ASSERT_STR(m.statements[2].sql, "INSERT INTO t VALUES (';')");
	CU_ASSERT_EQUAL(m.statements[3].line, 6);
	CU_ASSERT_EQUAL(m.statements[3].end_line, 7);
	for (int i = 0; i < m.nstatements; i++)
		CU_ASSERT_PTR_NOT_NULL(m.statements[i].node);
	ASSERT_STR(migration_statement_path(&m, 3), "m.sql");
}

static void
test_parse_error_kept(void)
{
	load("CREATE TABLE a (id int);\n"
		 "ALTER TABLE a ADD COLUMN;\n"
		 "CREATE INDEX ON a (id);\n", NULL);
	CU_ASSERT_EQUAL_FATAL(m.nstatements, 3);
	CU_ASSERT_PTR_NOT_NULL(m.statements[0].node);
	CU_ASSERT_PTR_NULL(m.statements[1].tree);
	CU_ASSERT_PTR_NOT_NULL(m.statements[1].error);
	CU_ASSERT_EQUAL(m.statements[1].error_line, 2);
	CU_ASSERT_PTR_NOT_NULL(m.statements[2].node);
	CU_ASSERT_EQUAL(m.statements[2].line, 3);
}

static void
test_meta_commands_blanked(void)
{
	load("\\set ON_ERROR_STOP on\n"
		 "  \\timing\n"
		 "SELECT 1;\n", NULL);
	CU_ASSERT_EQUAL_FATAL(m.nstatements, 1);
	CU_ASSERT_EQUAL(m.statements[0].line, 3);
	CU_ASSERT_PTR_NOT_NULL(m.statements[0].node);
}

static void
test_transactions(void)
{
	load("CREATE TABLE a (id int);\n"
		 "CREATE TABLE b (id int);\n"
		 "BEGIN;\n"
		 "ALTER TABLE a ADD COLUMN x int;\n"
		 "ALTER TABLE b ADD COLUMN x int;\n"
		 "COMMIT;\n"
		 "SELECT 1;\n", NULL);
	CU_ASSERT_EQUAL_FATAL(m.nstatements, 7);
	CU_ASSERT_NOT_EQUAL(m.statements[0].transaction, m.statements[1].transaction);
	CU_ASSERT_FALSE(m.statements[0].in_block);
	CU_ASSERT_FALSE(m.statements[2].in_block);	/* BEGIN itself */
	CU_ASSERT_TRUE(m.statements[3].in_block);
	CU_ASSERT_TRUE(m.statements[5].in_block);	/* COMMIT ends it */
	CU_ASSERT_EQUAL(m.statements[3].transaction, m.statements[4].transaction);
	CU_ASSERT_EQUAL(m.statements[4].transaction, m.statements[5].transaction);
	CU_ASSERT_FALSE(m.statements[6].in_block);
	CU_ASSERT_NOT_EQUAL(m.statements[6].transaction, m.statements[5].transaction);
}

static void
test_single_transaction(void)
{
	migration_options o = {.single_transaction = 1};
	const char *b = "CREATE INDEX i ON a (id);\nSELECT 2;\n";

	load("SELECT 1;\nALTER TABLE a ADD COLUMN y int;\n", &o);
	CU_ASSERT_EQUAL_FATAL(migration_add_text(&m, "n.sql", b, strlen(b)), 0);
	CU_ASSERT_EQUAL_FATAL(m.nstatements, 4);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_TRUE(m.statements[i].in_block);
	CU_ASSERT_EQUAL(m.statements[0].transaction, m.statements[1].transaction);
	CU_ASSERT_EQUAL(m.statements[2].transaction, m.statements[3].transaction);
	CU_ASSERT_NOT_EQUAL(m.statements[1].transaction, m.statements[2].transaction);
	CU_ASSERT_EQUAL(m.statements[2].file, 1);
	CU_ASSERT_EQUAL(m.statements[2].line, 1);
}

static void
test_settings(void)
{
	migration_options o = {.initial = {.statement_timeout_ms = 60000}};

	load("SELECT 0;\n"
		 "SET lock_timeout = '2s';\n"
		 "SELECT 1;\n"
		 "BEGIN;\n"
		 "SET LOCAL lock_timeout TO 500;\n"
		 "SELECT 2;\n"
		 "COMMIT;\n"
		 "SELECT 3;\n"
		 "BEGIN;\n"
		 "SET statement_timeout = '1min';\n"
		 "SET lock_timeout = '1.5s';\n"
		 "ROLLBACK;\n"
		 "SELECT 4;\n"
		 "SET LOCAL lock_timeout = '9s';\n"
		 "RESET statement_timeout;\n"
		 "SET lock_timeout TO DEFAULT;\n"
		 "SELECT 5;\n", &o);
	CU_ASSERT_EQUAL_FATAL(m.nstatements, 17);
	CU_ASSERT_DOUBLE_EQUAL(m.statements[0].settings.lock_timeout_ms, 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(m.statements[0].settings.statement_timeout_ms, 60000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(m.statements[2].settings.lock_timeout_ms, 2000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(m.statements[5].settings.lock_timeout_ms, 500, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(m.statements[7].settings.lock_timeout_ms, 2000, 1e-9);	/* LOCAL ended */
	CU_ASSERT_DOUBLE_EQUAL(m.statements[11].settings.lock_timeout_ms, 1500, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(m.statements[12].settings.lock_timeout_ms, 2000, 1e-9);	/* rolled back */
	CU_ASSERT_DOUBLE_EQUAL(m.statements[12].settings.statement_timeout_ms, 60000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(m.statements[14].settings.lock_timeout_ms, 2000, 1e-9);	/* LOCAL outside a block */
	CU_ASSERT_DOUBLE_EQUAL(m.statements[16].settings.lock_timeout_ms, 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(m.statements[16].settings.statement_timeout_ms, 60000, 1e-9);
}

static void
test_relations(void)
{
	load("ALTER TABLE old ADD COLUMN x int;\n"
		 "CREATE TABLE app.fresh (id int);\n"
		 "CREATE INDEX fresh_id ON app.fresh (id);\n"
		 "ALTER TABLE old ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES app.fresh (id);\n", NULL);
	CU_ASSERT_EQUAL(migration_created_before(&m, "public.old", 4), -1);
	CU_ASSERT_EQUAL(migration_created_before(&m, "app.fresh", 1), -1);
	CU_ASSERT_EQUAL(migration_created_before(&m, "app.fresh", 2), 1);
	CU_ASSERT_EQUAL(migration_created_before(&m, "app.fresh_id", 3), 2);
	ASSERT_STR(migration_index_table(&m, "app.fresh_id"), "app.fresh");
	{
		int			n;
		const int  *at = migration_relation_statements(&m, "public.old", &n);

		CU_ASSERT_EQUAL_FATAL(n, 2);
		CU_ASSERT_EQUAL(at[0], 0);
		CU_ASSERT_EQUAL(at[1], 3);
		at = migration_relation_statements(&m, "app.fresh", &n);
		CU_ASSERT_EQUAL_FATAL(n, 2);	/* the index build and the FK's reference */
		CU_ASSERT_EQUAL(at[0], 2);
		CU_ASSERT_EQUAL(at[1], 3);
	}
}

static void
test_ignores(void)
{
	load("-- pgsift: ignore rule-a, rule-b  because we must\n"
		 "CREATE INDEX i ON t (a);\n"
		 "CREATE INDEX j ON t (b); -- pgsift: ignore rule-c\n"
		 "SELECT '-- pgsift: ignore not-a-comment';\n"
		 "/* PGSIFT: Ignore-File rule-d */\n"
		 "SELECT 1\n"
		 "  -- pgsift: ignore rule-e\n"
		 "  + 2;\n"
		 "-- pgsift: ignore rule-f\n", NULL);
	CU_ASSERT_EQUAL_FATAL(m.nignores, 6);
	ASSERT_STR(m.ignores[0].rule, "rule-a");
	CU_ASSERT_EQUAL(m.ignores[0].statement, 0);
	CU_ASSERT_EQUAL(m.ignores[0].line, 1);
	ASSERT_STR(m.ignores[1].rule, "rule-b");
	CU_ASSERT_EQUAL(m.ignores[1].statement, 0);
	ASSERT_STR(m.ignores[2].rule, "rule-c");
	CU_ASSERT_EQUAL(m.ignores[2].statement, 1);
	ASSERT_STR(m.ignores[3].rule, "rule-d");
	CU_ASSERT_TRUE(m.ignores[3].whole_file);
	ASSERT_STR(m.ignores[4].rule, "rule-e");
	CU_ASSERT_EQUAL(m.ignores[4].statement, 3);
	ASSERT_STR(m.ignores[5].rule, "rule-f");
	CU_ASSERT_EQUAL(m.ignores[5].statement, -1);
	CU_ASSERT_FALSE(m.ignores[0].used);
}

static void
test_unreadable_file(void)
{
	migration_free(&m);
	migration_init(&m, NULL);
	CU_ASSERT_EQUAL(migration_add_file(&m, "/nonexistent/pgsift-test.sql"), -1);
	CU_ASSERT_EQUAL(m.nfiles, 0);
	CU_ASSERT_EQUAL(migration_add_text(&m, "nul.sql", "SELECT 1;\0", 10), -1);
}

static int
cleanup(void)
{
	migration_free(&m);
	return 0;
}

PGSIFT_TEST_SUITE(add_migration_suite)
{
	CU_pSuite	s = CU_add_suite("model/migration", NULL, cleanup);

	CU_add_test(s, "statements located by line, bodies and strings kept whole", test_statements_and_lines);
	CU_add_test(s, "a statement that does not parse is kept with its error line", test_parse_error_kept);
	CU_add_test(s, "psql meta-commands are blanked, lines kept", test_meta_commands_blanked);
	CU_add_test(s, "autocommit and BEGIN ... COMMIT transactions", test_transactions);
	CU_add_test(s, "--single-transaction wraps each file", test_single_transaction);
	CU_add_test(s, "SET, SET LOCAL, ROLLBACK and RESET of the timeouts", test_settings);
	CU_add_test(s, "relations created and locked", test_relations);
	CU_add_test(s, "ignore comments tied to their statements", test_ignores);
	CU_add_test(s, "an unreadable file or a NUL byte is refused", test_unreadable_file);
}
