/*-------------------------------------------------------------------------
 * test_migration_locks.c
 *    The migration rules about index builds, transaction blocks, lock
 *    timeouts, parse errors and ignore comments: each on a migration
 *    that must fire it and on the safe form that must not.
 *-------------------------------------------------------------------------
 */
#include "tests/rules/migration_testing.h"
#include "tests/test_registry.h"

#include <string.h>

static void
test_index_without_concurrently(void)
{
	const finding *f;

	lint_sql("CREATE INDEX orders_customer ON orders (customer_id);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("index-without-concurrently"), 1);
	f = lint_finding("index-without-concurrently", 0);
	CU_ASSERT_EQUAL(f->location.line, 1);
	ASSERT_STR(f->location.lock, "SHARE");
	CU_ASSERT_EQUAL(f->location.rewrite, 0);
	ASSERT_STR(f->tables[0], "public.orders");
	ASSERT_STR(f->fix_sql, "CREATE INDEX CONCURRENTLY orders_customer ON orders USING btree (customer_id);");
	CU_ASSERT_PTR_NOT_NULL(strstr(f->detail, "blocks every INSERT, UPDATE and DELETE"));

	/* the safe forms: concurrently, or a table this migration creates */
	lint_sql("CREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id);\n"
			 "CREATE TABLE fresh (id int, v int);\n"
			 "CREATE INDEX ON fresh (v);\n", 15);
	CU_ASSERT_EQUAL(lint_count("index-without-concurrently"), 0);
}

static void
test_concurrently_in_transaction(void)
{
	migration_gate_options wrapped = {.model = {.single_transaction = 1}};
	const finding *f;

	lint_sql("SELECT 1;\n"
			 "BEGIN;\n"
			 "CREATE INDEX CONCURRENTLY i ON t (a);\n"
			 "DROP INDEX CONCURRENTLY j;\n"
			 "REINDEX INDEX CONCURRENTLY k;\n"
			 "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;\n"
			 "VACUUM t;\n"
			 "COMMIT;\n"
			 "CREATE INDEX CONCURRENTLY i2 ON t (b);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("concurrently-in-transaction"), 5);
	f = lint_finding("concurrently-in-transaction", 0);
	CU_ASSERT_EQUAL(f->location.line, 3);
	CU_ASSERT_EQUAL(f->severity, FINDING_CRITICAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->detail, "opened at line 2"));
	CU_ASSERT_EQUAL(lint_finding("concurrently-in-transaction", 4)->location.line, 7);

	/* the migration tool's wrapping transaction counts too */
	lint_sql_with("CREATE INDEX CONCURRENTLY i ON t (a);\n", &wrapped);
	CU_ASSERT_EQUAL(lint_count("concurrently-in-transaction"), 1);

	/* ADD VALUE is refused in a block before 12 only */
	lint_sql("BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;\n", 11);
	CU_ASSERT_EQUAL(lint_count("concurrently-in-transaction"), 1);
	lint_sql("BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;\n", 12);
	CU_ASSERT_EQUAL(lint_count("concurrently-in-transaction"), 0);
}

static void
test_lock_without_timeout(void)
{
	migration_gate_options preset = {.model = {.initial = {.lock_timeout_ms = 3000}}};
	const finding *f;

	lint_sql("ALTER TABLE accounts ADD COLUMN note text;\n"
			 "SET lock_timeout = '2s';\n"
			 "ALTER TABLE accounts ADD COLUMN note2 text;\n"
			 "SET lock_timeout = '1min';\n"
			 "ALTER TABLE accounts ADD COLUMN note3 text;\n"
			 "RESET lock_timeout;\n"
			 "CREATE TABLE fresh (id int);\n"
			 "ALTER TABLE fresh ADD COLUMN v int;\n"
			 "CREATE INDEX CONCURRENTLY i ON accounts (note);\n"
			 "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES fresh (id) NOT VALID;\n"
			 "ALTER TABLE fresh ADD CONSTRAINT fk2 FOREIGN KEY (id) REFERENCES customers (id);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("lock-without-timeout"), 4);
	f = lint_finding("lock-without-timeout", 0);
	CU_ASSERT_EQUAL(f->location.line, 1);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	ASSERT_STR(f->fix_sql, "SET lock_timeout = '2s';");
	CU_ASSERT_EQUAL(lint_finding("lock-without-timeout", 1)->location.line, 5);	/* 1 min is over the limit */
	CU_ASSERT_EQUAL(lint_finding("lock-without-timeout", 2)->location.line, 10);
	f = lint_finding("lock-without-timeout", 3);
	CU_ASSERT_EQUAL(f->location.line, 11);	/* the referenced table is locked too */
	CU_ASSERT_PTR_NOT_NULL(strstr(f->detail, "customers"));

	lint_sql("BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE a DROP COLUMN b;\nCOMMIT;\n"
			 "ALTER TABLE a DROP COLUMN c;\n", 15);
	CU_ASSERT_EQUAL(lint_count("lock-without-timeout"), 1);
	CU_ASSERT_EQUAL(lint_line("lock-without-timeout"), 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(lint_finding("lock-without-timeout", 0)->fix_sql, "SET lock_timeout"));

	lint_sql_with("ALTER TABLE a DROP COLUMN c;\n", &preset);
	CU_ASSERT_EQUAL(lint_count("lock-without-timeout"), 0);

	/* in one block, a table already locked as strongly waits for nothing: reported once */
	lint_sql("BEGIN;\nALTER TABLE a ADD COLUMN x int;\nCREATE INDEX ON a (x);\nALTER TABLE b ADD COLUMN y int;\n"
			 "ALTER TABLE a ADD COLUMN z int;\nCOMMIT;\nALTER TABLE a ADD COLUMN w int;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("lock-without-timeout"), 3);
	CU_ASSERT_EQUAL(lint_finding("lock-without-timeout", 0)->location.line, 2);
	CU_ASSERT_EQUAL(lint_finding("lock-without-timeout", 1)->location.line, 4);
	CU_ASSERT_EQUAL(lint_finding("lock-without-timeout", 2)->location.line, 7);
	/* a weaker lock first does not cover a stronger one */
	lint_sql("BEGIN;\nCREATE INDEX ON a (x);\nALTER TABLE a ADD COLUMN z int;\nCOMMIT;\n", 15);
	CU_ASSERT_EQUAL(lint_count("lock-without-timeout"), 2);
}

static void
test_syntax_error(void)
{
	const finding *f;

	lint_sql("CREATE TABLE a (id int);\n"
			 "ALTER TABLE a ADD COLUMN;\n"
			 "CREATE INDEX ON b (id);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("syntax-error"), 1);
	f = lint_finding("syntax-error", 0);
	CU_ASSERT_EQUAL(f->location.line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->detail, "syntax error"));
	CU_ASSERT_EQUAL(lint_count("index-without-concurrently"), 1);	/* the rest is still checked */
}

static void
test_ignores(void)
{
	lint_sql("-- pgsift: ignore index-without-concurrently\n"
			 "CREATE INDEX a ON t (a);\n"
			 "CREATE INDEX b ON t (b); -- pgsift: ignore index-without-concurrently, lock-without-timeout\n"
			 "CREATE INDEX c ON t (c);\n"
			 "-- pgsift: ignore no-such-rule\n"
			 "-- pgsift: ignore missing-index\n"
			 "-- pgsift: ignore index-without-concurrently stale\n"
			 "SELECT 1;\n", 15);
	CU_ASSERT_EQUAL(lint_count("index-without-concurrently"), 1);
	CU_ASSERT_EQUAL(lint_line("index-without-concurrently"), 4);
	CU_ASSERT_EQUAL(lint_count("lock-without-timeout"), 2);	/* a and c: b's ignore names it */
	CU_ASSERT_EQUAL_FATAL(lint_count("unmatched-ignore"), 3);
	CU_ASSERT_EQUAL(lint_finding("unmatched-ignore", 0)->location.line, 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(lint_finding("unmatched-ignore", 0)->detail, "no rule of pgsift"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lint_finding("unmatched-ignore", 1)->detail, "not a migration rule"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lint_finding("unmatched-ignore", 2)->detail, "reports nothing there"));

	lint_sql("-- pgsift: ignore-file index-without-concurrently\n"
			 "CREATE INDEX a ON t (a);\nCREATE INDEX b ON t (b);\n", 15);
	CU_ASSERT_EQUAL(lint_count("index-without-concurrently"), 0);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static void
test_order(void)
{
	const migration_gate_result *r;
	const finding_list *l;

	r = lint_sql("CREATE INDEX a ON t (a);\nBEGIN;\nCREATE INDEX CONCURRENTLY b ON t (b);\nCOMMIT;\n"
				 "DROP TABLE gone;\n", 15);
	l = &r->findings;
	CU_ASSERT_TRUE_FATAL(l->count >= 4);
	/* line by line; on one line the graver first; ids differ */
	for (int i = 1; i < l->count; i++)
	{
		const finding *a = l->items[i - 1];
		const finding *b = l->items[i];

		CU_ASSERT_TRUE(a->location.line <= b->location.line);
		if (a->location.line == b->location.line)
			CU_ASSERT_TRUE(a->severity >= b->severity);
		CU_ASSERT_NOT_EQUAL(strcmp(a->id, b->id), 0);
	}
	CU_ASSERT_EQUAL(l->items[0]->location.line, 1);
	CU_ASSERT_EQUAL(lint_line("concurrently-in-transaction"), 3);
	CU_ASSERT_EQUAL(l->items[l->count - 1]->location.line, 5);
}

static int
cleanup(void)
{
	lint_free();
	return 0;
}

PGSIFT_TEST_SUITE(add_migration_lock_suite)
{
	CU_pSuite	s = CU_add_suite("rules/migration locks", NULL, cleanup);

	CU_add_test(s, "index-without-concurrently", test_index_without_concurrently);
	CU_add_test(s, "concurrently-in-transaction", test_concurrently_in_transaction);
	CU_add_test(s, "lock-without-timeout", test_lock_without_timeout);
	CU_add_test(s, "syntax-error", test_syntax_error);
	CU_add_test(s, "ignores, ignore-file and unmatched-ignore", test_ignores);
	CU_add_test(s, "findings in migration order", test_order);
}
