/*-------------------------------------------------------------------------
 * test_migration_safe.c
 *    The safe recipes, together: a migration written the way the rules'
 *    pages recommend draws no finding from any migration rule, and the
 *    same file judged for an older server draws exactly the ones that
 *    version makes true.
 *-------------------------------------------------------------------------
 */
#include "tests/rules/migration_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <string.h>

static const char *const safe_migration =
	"SET lock_timeout = '2s';\n"
	"SET statement_timeout = '5min';\n"
	"CREATE TABLE fresh (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id), note varchar(10));\n"
	"CREATE INDEX fresh_customer ON fresh (customer_id);\n"
	"ALTER TABLE fresh ALTER COLUMN note TYPE text;\n"
	"ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';\n"
	"ALTER TABLE orders ADD COLUMN note varchar(10);\n"
	"ALTER TABLE orders ALTER COLUMN note TYPE text;\n"
	"ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n"
	"ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;\n"
	"ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;\n"
	"ALTER TABLE orders VALIDATE CONSTRAINT orders_status_nn;\n"
	"ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n"
	"ALTER TABLE orders DROP CONSTRAINT orders_status_nn;\n"
	"CREATE UNIQUE INDEX CONCURRENTLY orders_ref_idx ON orders (id, status);\n"
	"ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE USING INDEX orders_ref_idx;\n"
	"CREATE INDEX CONCURRENTLY orders_status ON orders (status);\n"
	"BEGIN;\n"
	"SET LOCAL lock_timeout = '1s';\n"
	"ALTER TABLE orders ADD COLUMN shipped timestamptz;\n"
	"COMMIT;\n";

static void
test_safe_recipes(void)
{
	const migration_gate_result *r = lint_sql(safe_migration, 15);

	for (int i = 0; i < r->findings.count; i++)
		fprintf(stderr, "\n  unexpected: line %d %s", r->findings.items[i]->location.line,
				r->findings.items[i]->rule);
	CU_ASSERT_EQUAL(r->migration.nstatements, 21);
	CU_ASSERT_EQUAL(r->findings.count, 0);
}

static void
test_older_servers(void)
{
	/* 11 and 12 change two answers: a constant default rewrites before 11, the CHECK helps from 12 */
	lint_sql(safe_migration, 10);
	CU_ASSERT_EQUAL(lint_count("add-column-rewrites"), 1);
	CU_ASSERT_EQUAL(lint_line("add-column-rewrites"), 6);
	CU_ASSERT_EQUAL(lint_count("set-not-null-scans"), 1);
	CU_ASSERT_EQUAL(lint_line("set-not-null-scans"), 13);
	CU_ASSERT_EQUAL(lint_last_result()->findings.count, 2);
	lint_sql(safe_migration, 11);
	CU_ASSERT_EQUAL(lint_count("add-column-rewrites"), 0);
	CU_ASSERT_EQUAL(lint_count("set-not-null-scans"), 1);
	lint_sql(safe_migration, 12);
	CU_ASSERT_EQUAL(lint_last_result()->findings.count, 0);
}

static int
cleanup(void)
{
	lint_free();
	return 0;
}

PGSIFT_TEST_SUITE(add_migration_safe_suite)
{
	CU_pSuite	s = CU_add_suite("rules/migration safe recipes", NULL, cleanup);

	CU_add_test(s, "the recommended recipes draw no finding", test_safe_recipes);
	CU_add_test(s, "PostgreSQL 10, 11 and 12 change what is true", test_older_servers);
}
