/*-------------------------------------------------------------------------
 * test_migration_constraints.c
 *    The migration rules about constraints, NOT NULL, partitions and
 *    foreign key indexes: each on a migration that must fire it, on the
 *    safe forms that must not, and on the versions where it differs.
 *
 * The fixes asserted here were run on PostgreSQL 15: the NOT VALID and
 * USING INDEX forms are accepted, the constraint names are the ones the
 * server gives, and the CHECK written from a partition bound lets ATTACH
 * PARTITION skip its scan.
 *-------------------------------------------------------------------------
 */
#include "tests/rules/migration_testing.h"
#include "tests/test_registry.h"

#include <string.h>

#define HAS(text, part) CU_ASSERT_PTR_NOT_NULL((text) ? strstr((text), (part)) : NULL)

static void
test_constraint_without_not_valid(void)
{
	const finding *f;

	lint_sql("ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n"
			 "ALTER TABLE orders ADD CHECK (amount > 0);\n"
			 "ALTER TABLE orders ADD COLUMN shop_id bigint DEFAULT 1 REFERENCES shops (id), ADD COLUMN note text;\n",
			 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("constraint-without-not-valid"), 3);
	f = lint_finding("constraint-without-not-valid", 0);
	CU_ASSERT_EQUAL(f->location.line, 1);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	ASSERT_STR(f->location.lock, "SHARE ROW EXCLUSIVE");
	CU_ASSERT_EQUAL(f->location.rewrite, 0);
	CU_ASSERT_EQUAL_FATAL(f->ntables, 2);
	ASSERT_STR(f->tables[0], "public.orders");
	ASSERT_STR(f->tables[1], "public.customers");
	HAS(f->detail, "holds SHARE ROW EXCLUSIVE on both tables");
	ASSERT_STR(f->fix_sql, "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) "
			   "REFERENCES customers (id) NOT VALID;\n"
			   "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;");

	/* a CHECK holds ACCESS EXCLUSIVE; unnamed, the fix gives it the server's name */
	f = lint_finding("constraint-without-not-valid", 1);
	CU_ASSERT_EQUAL(f->location.line, 2);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	HAS(f->detail, "blocks every read and write");
	HAS(f->hint, "has no name: the fix names it orders_amount_check");
	ASSERT_STR(f->fix_sql, "ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > 0) NOT VALID;\n"
			   "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_check;");

	/* a column's REFERENCES cannot be NOT VALID: it becomes a table constraint */
	f = lint_finding("constraint-without-not-valid", 2);
	CU_ASSERT_EQUAL(f->location.line, 3);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	HAS(f->detail, "shops is held in SHARE ROW EXCLUSIVE");
	ASSERT_STR(f->fix_sql, "ALTER TABLE orders ADD COLUMN shop_id bigint DEFAULT 1, ADD COLUMN note text, "
			   "ADD CONSTRAINT orders_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES shops (id) NOT VALID;\n"
			   "ALTER TABLE orders VALIDATE CONSTRAINT orders_shop_id_fkey;");

	/* a column CHECK scans too */
	lint_sql("ALTER TABLE orders ADD COLUMN qty int CONSTRAINT qty_positive CHECK (qty > 0);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("constraint-without-not-valid"), 1);
	ASSERT_STR(lint_finding("constraint-without-not-valid", 0)->fix_sql,
			   "ALTER TABLE orders ADD COLUMN qty int, ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;\n"
			   "ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;");

	/* two unnamed CHECKs on one column: numbered as the server numbers them */
	lint_sql("ALTER TABLE orders ADD CHECK (amount > 0), ADD CHECK (amount < 1000);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("constraint-without-not-valid"), 1);
	ASSERT_STR(lint_finding("constraint-without-not-valid", 0)->fix_sql,
			   "ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > 0) NOT VALID, "
			   "ADD CONSTRAINT orders_amount_check1 CHECK (amount < 1000) NOT VALID;\n"
			   "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_check;\n"
			   "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_check1;");

	/*
	 * The safe forms: NOT VALID; a new column without a default (NULL in
	 * every row: PostgreSQL skips the check); a table this migration creates.
	 */
	lint_sql("ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) "
			 "NOT VALID;\n"
			 "ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > 0) NOT VALID;\n"
			 "ALTER TABLE orders ADD COLUMN shop_id bigint REFERENCES shops (id);\n"
			 "CREATE TABLE fresh (id int, v int);\n"
			 "ALTER TABLE fresh ADD CHECK (v > 0), ADD FOREIGN KEY (id) REFERENCES customers;\n", 15);
	CU_ASSERT_EQUAL(lint_count("constraint-without-not-valid"), 0);
}

static void
test_validate_in_same_transaction(void)
{
	migration_gate_options wrapped = {.model = {.single_transaction = 1}};
	const finding *f;

	lint_sql("BEGIN;\n"
			 "ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > 0) NOT VALID;\n"
			 "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_check;\n"
			 "ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\n"
			 "ALTER TABLE customers VALIDATE CONSTRAINT orders_customer_id_fkey;\n"
			 "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;\n"
			 "COMMIT;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("validate-in-same-transaction"), 2);
	f = lint_finding("validate-in-same-transaction", 0);
	CU_ASSERT_EQUAL(f->location.line, 3);
	CU_ASSERT_EQUAL(f->severity, FINDING_MEDIUM);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");	/* the ADD's, held to COMMIT */
	CU_ASSERT_EQUAL(f->location.rewrite, 0);
	HAS(f->detail, "the transaction opened at line 1");
	HAS(f->detail, "NOT VALID at line 2");
	ASSERT_STR(f->fix_sql, "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_check;");
	/* the unnamed key is validated by the name the server gives it; customers has no such constraint */
	f = lint_finding("validate-in-same-transaction", 1);
	CU_ASSERT_EQUAL(f->location.line, 6);
	ASSERT_STR(f->location.lock, "SHARE ROW EXCLUSIVE");

	/* one statement doing both is one transaction too */
	lint_sql("ALTER TABLE orders ADD CONSTRAINT c CHECK (amount > 0) NOT VALID, VALIDATE CONSTRAINT c;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("validate-in-same-transaction"), 1);
	HAS(lint_finding("validate-in-same-transaction", 0)->detail, "in the statement that adds the constraint");

	/* the migration tool's transaction around the file counts */
	lint_sql_with("ALTER TABLE orders ADD CONSTRAINT c CHECK (amount > 0) NOT VALID;\n"
				  "ALTER TABLE orders VALIDATE CONSTRAINT c;\n", &wrapped);
	CU_ASSERT_EQUAL(lint_count("validate-in-same-transaction"), 1);

	/* the safe forms: autocommit statements, two blocks, a new table */
	lint_sql("ALTER TABLE orders ADD CONSTRAINT c CHECK (amount > 0) NOT VALID;\n"
			 "ALTER TABLE orders VALIDATE CONSTRAINT c;\n"
			 "BEGIN;\nALTER TABLE orders ADD CONSTRAINT d CHECK (amount < 9) NOT VALID;\nCOMMIT;\n"
			 "BEGIN;\nALTER TABLE orders VALIDATE CONSTRAINT d;\nCOMMIT;\n"
			 "BEGIN;\nCREATE TABLE fresh (v int);\n"
			 "ALTER TABLE fresh ADD CONSTRAINT e CHECK (v > 0) NOT VALID;\n"
			 "ALTER TABLE fresh VALIDATE CONSTRAINT e;\nCOMMIT;\n", 15);
	CU_ASSERT_EQUAL(lint_count("validate-in-same-transaction"), 0);
}

static void
test_unique_constraint_builds_index(void)
{
	const finding *f;

	lint_sql("ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE (ref, shop_id) INCLUDE (total);\n"
			 "ALTER TABLE orders ADD PRIMARY KEY (id);\n"
			 "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);\n",
			 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("unique-constraint-builds-index"), 3);
	f = lint_finding("unique-constraint-builds-index", 0);
	CU_ASSERT_EQUAL(f->location.line, 1);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	CU_ASSERT_EQUAL(f->location.rewrite, 0);
	HAS(f->detail, "builds its unique index on orders while ALTER TABLE holds ACCESS EXCLUSIVE");
	ASSERT_STR(f->fix_sql, "CREATE UNIQUE INDEX CONCURRENTLY orders_ref_idx ON orders (ref, shop_id) INCLUDE (total);\n"
			   "ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE USING INDEX orders_ref_idx;");
	f = lint_finding("unique-constraint-builds-index", 1);
	ASSERT_STR(f->fix_sql, "CREATE UNIQUE INDEX CONCURRENTLY orders_pkey_idx ON orders (id);\n"
			   "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_pkey_idx;");
	HAS(f->hint, "must already be NOT NULL");
	/* EXCLUDE has no USING INDEX form: reported, no fix */
	f = lint_finding("unique-constraint-builds-index", 2);
	CU_ASSERT_EQUAL(f->location.line, 3);
	CU_ASSERT_PTR_NULL(f->fix_sql);
	HAS(f->hint, "no USING INDEX form");

	/* in a transaction block the concurrent build must move out of it */
	lint_sql("BEGIN;\nALTER TABLE orders ADD UNIQUE (ref);\nCOMMIT;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("unique-constraint-builds-index"), 1);
	HAS(lint_finding("unique-constraint-builds-index", 0)->hint, "outside the transaction block");
	HAS(lint_finding("unique-constraint-builds-index", 0)->fix_sql, "orders_ref_key_idx ON orders (ref)");

	/* the safe forms: USING INDEX, and a table this migration creates */
	lint_sql("CREATE UNIQUE INDEX CONCURRENTLY orders_ref_idx ON orders (ref);\n"
			 "ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE USING INDEX orders_ref_idx;\n"
			 "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_pkey_idx;\n"
			 "CREATE TABLE fresh (id int, v int);\n"
			 "ALTER TABLE fresh ADD PRIMARY KEY (id), ADD UNIQUE (v);\n", 15);
	CU_ASSERT_EQUAL(lint_count("unique-constraint-builds-index"), 0);
}

static void
test_set_not_null_scans(void)
{
	/* validated CHECKs: one added valid, one NOT VALID then validated; one never validated, one dropped */
	static const char *const proved =
		"ALTER TABLE orders ADD CONSTRAINT a_nn CHECK (a IS NOT NULL);\n"
		"ALTER TABLE orders ADD CONSTRAINT b_nn CHECK (b IS NOT NULL) NOT VALID;\n"
		"ALTER TABLE orders VALIDATE CONSTRAINT b_nn;\n"
		"ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;\n"
		"ALTER TABLE orders ADD CONSTRAINT d_nn CHECK (d IS NOT NULL);\n"
		"ALTER TABLE orders DROP CONSTRAINT d_nn;\n"
		"ALTER TABLE orders ALTER COLUMN a SET NOT NULL, ALTER COLUMN b SET NOT NULL;\n"
		"ALTER TABLE orders ALTER COLUMN c SET NOT NULL;\n"
		"ALTER TABLE orders ALTER COLUMN d SET NOT NULL;\n"
		"ALTER TABLE other ALTER COLUMN a SET NOT NULL;\n";
	const finding *f;

	lint_sql("ALTER TABLE orders ALTER COLUMN amount SET NOT NULL;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("set-not-null-scans"), 1);
	f = lint_finding("set-not-null-scans", 0);
	CU_ASSERT_EQUAL(f->location.line, 1);
	CU_ASSERT_EQUAL(f->severity, FINDING_MEDIUM);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	CU_ASSERT_EQUAL(f->location.rewrite, 0);
	HAS(f->detail, "reads every row of the table");
	ASSERT_STR(f->fix_sql, "ALTER TABLE orders ADD CONSTRAINT orders_amount_not_null CHECK (amount IS NOT NULL) NOT VALID;\n"
			   "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_not_null;\n"
			   "ALTER TABLE orders ALTER COLUMN amount SET NOT NULL;\n"
			   "ALTER TABLE orders DROP CONSTRAINT orders_amount_not_null;");

	/* from 12 a validated CHECK spares the scan: c (never validated), d (dropped), other's a */
	lint_sql(proved, 12);
	CU_ASSERT_EQUAL_FATAL(lint_count("set-not-null-scans"), 3);
	CU_ASSERT_EQUAL(lint_finding("set-not-null-scans", 0)->location.line, 8);
	CU_ASSERT_EQUAL(lint_finding("set-not-null-scans", 1)->location.line, 9);
	CU_ASSERT_EQUAL(lint_finding("set-not-null-scans", 2)->location.line, 10);

	/* before 12 nothing does: the two columns of line 7 too, and the fix is the CHECK alone */
	lint_sql(proved, 11);
	CU_ASSERT_EQUAL_FATAL(lint_count("set-not-null-scans"), 4);
	f = lint_finding("set-not-null-scans", 0);
	CU_ASSERT_EQUAL(f->location.line, 7);
	HAS(f->detail, "columns a, b of orders");
	HAS(f->detail, "Before PostgreSQL 12");
	HAS(f->fix_sql, "ALTER TABLE orders VALIDATE CONSTRAINT orders_b_not_null;");
	CU_ASSERT_PTR_NULL(strstr(f->fix_sql, "SET NOT NULL"));

	/* a table this migration creates is not reported */
	lint_sql("CREATE TABLE fresh (v int);\nALTER TABLE fresh ALTER COLUMN v SET NOT NULL;\n", 15);
	CU_ASSERT_EQUAL(lint_count("set-not-null-scans"), 0);
}

static void
test_attach_partition_without_check(void)
{
	const finding *f;

	lint_sql("CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);\n"
			 "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n",
			 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("attach-partition-without-check"), 1);
	f = lint_finding("attach-partition-without-check", 0);
	CU_ASSERT_EQUAL(f->location.line, 2);
	CU_ASSERT_EQUAL(f->severity, FINDING_MEDIUM);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	CU_ASSERT_EQUAL(f->location.rewrite, 0);
	CU_ASSERT_EQUAL_FATAL(f->ntables, 2);
	ASSERT_STR(f->tables[1], "public.events_2024");
	HAS(f->detail, "ACCESS EXCLUSIVE on events_2024");
	HAS(f->detail, "The parent events is only held in SHARE UPDATE EXCLUSIVE");
	ASSERT_STR(f->fix_sql, "ALTER TABLE events_2024 ADD CONSTRAINT events_2024_bound CHECK (at IS NOT NULL AND "
			   "at >= '2024-01-01' AND at < '2025-01-01') NOT VALID;\n"
			   "ALTER TABLE events_2024 VALIDATE CONSTRAINT events_2024_bound;\n"
			   "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
			   "ALTER TABLE events_2024 DROP CONSTRAINT events_2024_bound;");

	/* before 12 the parent is locked too: high */
	lint_sql("ALTER TABLE codes ATTACH PARTITION codes_a FOR VALUES IN ('a', NULL);\n"
			 "ALTER TABLE codes ATTACH PARTITION codes_other DEFAULT;\n", 11);
	CU_ASSERT_EQUAL_FATAL(lint_count("attach-partition-without-check"), 2);
	f = lint_finding("attach-partition-without-check", 0);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	HAS(f->detail, "Before PostgreSQL 12 it also holds ACCESS EXCLUSIVE on the parent codes");
	/* the key of a parent the migration does not create is unknown */
	HAS(f->fix_sql, "CHECK (partition_key IS NULL OR partition_key IN ('a')) NOT VALID");
	HAS(f->fix_description, "write the parent's partition key for partition_key");
	CU_ASSERT_PTR_NULL(lint_finding("attach-partition-without-check", 1)->fix_sql);	/* DEFAULT */

	/* the safe forms: a validated CHECK on the child first, or a child this migration creates */
	lint_sql("ALTER TABLE events_2024 ADD CONSTRAINT b CHECK (at >= '2024-01-01') NOT VALID;\n"
			 "ALTER TABLE events_2023 ADD CONSTRAINT b CHECK (at >= '2023-01-01') NOT VALID;\n"
			 "ALTER TABLE events_2024 VALIDATE CONSTRAINT b;\n"
			 "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
			 "ALTER TABLE events ATTACH PARTITION events_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');\n"
			 "CREATE TABLE events_2025 (id int, at date);\n"
			 "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n",
			 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("attach-partition-without-check"), 1);
	CU_ASSERT_EQUAL(lint_line("attach-partition-without-check"), 5);	/* events_2023's CHECK is NOT VALID */
}

static void
test_foreign_key_without_index(void)
{
	const finding *f;

	lint_sql("CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders,\n"
			 "  sku_id int REFERENCES skus, shop_id int, FOREIGN KEY (shop_id, sku_id) REFERENCES shop_skus);\n"
			 "CREATE INDEX items_sku ON items (sku_id, shop_id);\n"
			 "ALTER TABLE items ADD COLUMN owner_id int REFERENCES users, ADD CONSTRAINT items_parent FOREIGN KEY (id) "
			 "REFERENCES parents;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("foreign-key-without-index"), 2);
	f = lint_finding("foreign-key-without-index", 0);
	CU_ASSERT_EQUAL(f->location.line, 1);
	CU_ASSERT_EQUAL(f->severity, FINDING_MEDIUM);
	ASSERT_STR(f->location.lock, "SHARE ROW EXCLUSIVE");
	CU_ASSERT_EQUAL(f->location.rewrite, 0);
	HAS(f->detail, "Foreign key items_order_id_fkey on items (order_id) references orders");
	HAS(f->detail, "sequential scan of items");
	ASSERT_STR(f->fix_sql, "CREATE INDEX ON items (order_id);");
	f = lint_finding("foreign-key-without-index", 1);
	CU_ASSERT_EQUAL(f->location.line, 4);
	ASSERT_STR(f->fix_sql, "CREATE INDEX ON items (owner_id);");

	/* one finding per key, each with its own id */
	lint_sql("CREATE TABLE links (a int REFERENCES nodes, b int REFERENCES nodes);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count("foreign-key-without-index"), 2);
	CU_ASSERT_NOT_EQUAL(strcmp(lint_finding("foreign-key-without-index", 0)->id,
							   lint_finding("foreign-key-without-index", 1)->id), 0);

	/* a partial index or one led by an expression does not cover the key */
	lint_sql("CREATE TABLE e (a int REFERENCES t);\n"
			 "CREATE INDEX ON e (a) WHERE a > 0;\nCREATE INDEX ON e ((a + 1), a);\n", 15);
	CU_ASSERT_EQUAL(lint_count("foreign-key-without-index"), 1);

	/*
	 * The safe forms, and what is not judged: an index created later;
	 * an existing table; a table made with LIKE.
	 */
	lint_sql("CREATE TABLE lines (id int, order_id int REFERENCES orders);\n"
			 "CREATE INDEX CONCURRENTLY ON lines (order_id);\n"
			 "ALTER TABLE old_lines ADD CONSTRAINT k FOREIGN KEY (order_id) REFERENCES orders NOT VALID;\n"
			 "CREATE TABLE copy (LIKE lines INCLUDING ALL, x int REFERENCES xs);\n", 15);
	CU_ASSERT_EQUAL(lint_count("foreign-key-without-index"), 0);
}

static void
test_ignore(void)
{
	lint_sql("-- pgsift: ignore constraint-without-not-valid\n"
			 "ALTER TABLE orders ADD CHECK (amount > 0);\n"
			 "ALTER TABLE orders ADD CHECK (amount < 1000);\n", 15);
	CU_ASSERT_EQUAL(lint_count("constraint-without-not-valid"), 1);
	CU_ASSERT_EQUAL(lint_line("constraint-without-not-valid"), 3);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static int
cleanup(void)
{
	lint_free();
	return 0;
}

PGSIFT_TEST_SUITE(add_migration_constraint_suite)
{
	CU_pSuite	s = CU_add_suite("rules/migration constraints", NULL, cleanup);

	CU_add_test(s, "constraint-without-not-valid", test_constraint_without_not_valid);
	CU_add_test(s, "validate-in-same-transaction", test_validate_in_same_transaction);
	CU_add_test(s, "unique-constraint-builds-index", test_unique_constraint_builds_index);
	CU_add_test(s, "set-not-null-scans", test_set_not_null_scans);
	CU_add_test(s, "attach-partition-without-check", test_attach_partition_without_check);
	CU_add_test(s, "foreign-key-without-index", test_foreign_key_without_index);
	CU_add_test(s, "ignore comments silence a constraint rule", test_ignore);
}
