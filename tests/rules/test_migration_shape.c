/*-------------------------------------------------------------------------
 * test_migration_shape.c
 *    The migration rules about changes to the shape of the schema and to
 *    how long locks are held: concurrent drops, reindexes and detaches;
 *    drops, renames, truncates and enum changes of existing objects;
 *    statement_timeout; locks held through a transaction; ALTER TABLEs
 *    that could be one.  Each on a migration that must fire it, on the
 *    safe forms that must not, across the versions it depends on, and
 *    silenced by an ignore comment.
 *-------------------------------------------------------------------------
 */
#include "tests/rules/migration_testing.h"
#include "tests/test_registry.h"

#include <string.h>

#define HAS(text, phrase) CU_ASSERT_PTR_NOT_NULL((text) ? strstr((text), (phrase)) : NULL)
#define LACKS(text, phrase) CU_ASSERT_PTR_NULL((text) ? strstr((text), (phrase)) : NULL)

static void
test_drop_index_without_concurrently(void)
{
	const char *rule = "drop-index-without-concurrently";
	const finding *f;

	lint_sql("DROP INDEX orders_customer;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->location.line, 1);
	CU_ASSERT_EQUAL(f->severity, FINDING_MEDIUM);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	ASSERT_STR(f->fix_sql, "DROP INDEX CONCURRENTLY orders_customer;");
	HAS(f->detail, "every read and write");

	/* several indexes: one concurrent statement each, IF EXISTS kept */
	lint_sql("DROP INDEX IF EXISTS orders_a, app.orders_b;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	ASSERT_STR(f->fix_sql, "DROP INDEX CONCURRENTLY IF EXISTS orders_a;\n"
			   "DROP INDEX CONCURRENTLY IF EXISTS app.orders_b;");
	HAS(f->detail, "orders_a, app.orders_b");
	HAS(f->hint, "one index per statement");

	/* CONCURRENTLY takes no CASCADE: no fix to write, a hint that says why */
	lint_sql("BEGIN;\nDROP INDEX orders_a CASCADE;\nCOMMIT;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->location.line, 2);
	CU_ASSERT_PTR_NULL(f->fix_sql);
	HAS(f->hint, "CASCADE");

	/* the safe forms: concurrently, or an index this migration built */
	lint_sql("DROP INDEX CONCURRENTLY orders_a;\n"
			 "CREATE INDEX orders_tmp ON orders (a);\n"
			 "DROP INDEX orders_tmp;\n"
			 "CREATE TABLE app.fresh (a int);\n"
			 "CREATE INDEX fresh_a ON app.fresh (a);\n"
			 "DROP INDEX app.fresh_a;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	lint_sql("-- pgsift: ignore drop-index-without-concurrently\n"
			 "DROP INDEX a;\n"
			 "DROP INDEX b;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 1);
	CU_ASSERT_EQUAL(lint_line(rule), 3);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static void
test_reindex_without_concurrently(void)
{
	const char *rule = "reindex-without-concurrently";
	const finding *f;

	lint_sql("REINDEX INDEX orders_pkey;\n", 12);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	ASSERT_STR(f->location.lock, "SHARE");
	ASSERT_STR(f->fix_sql, "REINDEX INDEX CONCURRENTLY orders_pkey;");
	HAS(f->detail, "ACCESS EXCLUSIVE on the index");

	/* before 12 there is no REINDEX CONCURRENTLY: the hint gives the manual swap */
	lint_sql("REINDEX INDEX orders_pkey;\n", 11);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	CU_ASSERT_PTR_NULL(f->fix_sql);
	HAS(f->hint, "PostgreSQL 11 has no REINDEX CONCURRENTLY");
	HAS(f->hint, "CREATE INDEX CONCURRENTLY");
	HAS(f->hint, "DROP INDEX CONCURRENTLY");

	/* the form 12 and 13 read, VERBOSE kept; schema, database, and system */
	lint_sql("REINDEX (VERBOSE) TABLE app.orders;\n"
			 "REINDEX SCHEMA app;\n"
			 "REINDEX DATABASE shop;\n"
			 "REINDEX SYSTEM shop;\n", 13);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 4);
	ASSERT_STR(lint_finding(rule, 0)->fix_sql, "REINDEX (VERBOSE) TABLE CONCURRENTLY app.orders;");
	ASSERT_STR(lint_finding(rule, 1)->fix_sql, "REINDEX SCHEMA CONCURRENTLY app;");
	HAS(lint_finding(rule, 1)->detail, "every table in the schema");
	ASSERT_STR(lint_finding(rule, 2)->fix_sql, "REINDEX DATABASE CONCURRENTLY shop;");
	f = lint_finding(rule, 3);
	CU_ASSERT_EQUAL(f->location.line, 4);
	CU_ASSERT_PTR_NULL(f->fix_sql);	/* catalogs cannot be reindexed concurrently */
	HAS(f->hint, "maintenance window");

	/* the safe forms, and targets this migration made */
	lint_sql("REINDEX INDEX CONCURRENTLY orders_pkey;\n"
			 "REINDEX (CONCURRENTLY) TABLE orders;\n"
			 "CREATE TABLE fresh (a int);\n"
			 "REINDEX TABLE fresh;\n"
			 "CREATE INDEX fresh_a ON fresh (a);\n"
			 "REINDEX INDEX fresh_a;\n"
			 "CREATE SCHEMA scratch;\n"
			 "REINDEX SCHEMA scratch;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	lint_sql("REINDEX TABLE a; -- pgsift: ignore reindex-without-concurrently\n"
			 "REINDEX TABLE b;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 1);
	CU_ASSERT_EQUAL(lint_line(rule), 2);
}

static void
test_detach_partition_without_concurrently(void)
{
	const char *rule = "detach-partition-without-concurrently";
	const char *sql = "ALTER TABLE events DETACH PARTITION events_2020;\n";
	const finding *f;

	lint_sql(sql, 14);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	ASSERT_STR(f->tables[0], "public.events");
	ASSERT_STR(f->fix_sql, "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;");
	HAS(f->hint, "FINALIZE");

	/* 13 has no CONCURRENTLY: nothing better to suggest, nothing reported */
	lint_sql(sql, 13);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	/* inside a block, the hint says the concurrent form needs its own migration */
	lint_sql("BEGIN;\nALTER TABLE events DETACH PARTITION events_2020;\nCOMMIT;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	HAS(lint_finding(rule, 0)->hint, "transaction block");

	lint_sql("ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;\n"
			 "CREATE TABLE p (a int) PARTITION BY RANGE (a);\n"
			 "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (10);\n"
			 "ALTER TABLE p DETACH PARTITION p1;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	lint_sql("-- pgsift: ignore detach-partition-without-concurrently\n" "ALTER TABLE events DETACH PARTITION e1;\n",
			 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static void
test_drop_object(void)
{
	const char *rule = "drop-object";
	const finding *f;

	lint_sql("DROP TABLE orders;\n"
			 "DROP TABLE IF EXISTS old_orders, app.legacy CASCADE;\n"
			 "ALTER TABLE accounts DROP COLUMN note, DROP COLUMN memo;\n"
			 "DROP VIEW order_totals;\n"
			 "DROP MATERIALIZED VIEW daily;\n"
			 "DROP SEQUENCE ticket_seq;\n"
			 "DROP TYPE mood CASCADE;\n"
			 "DROP SCHEMA archive;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 8);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	HAS(f->detail, "the table orders, which exists before the migration");
	HAS(f->detail, "rows are gone for good");
	LACKS(f->detail, "CASCADE");
	f = lint_finding(rule, 1);
	HAS(f->detail, "tables old_orders, app.legacy");
	HAS(f->detail, "CASCADE also drops");
	f = lint_finding(rule, 2);
	CU_ASSERT_EQUAL(f->location.line, 3);
	ASSERT_STR(f->tables[0], "public.accounts");
	HAS(f->detail, "columns note, memo of accounts");
	HAS(f->hint, "Expand and contract");
	HAS(lint_finding(rule, 5)->detail, "nextval");
	f = lint_finding(rule, 6);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	HAS(f->detail, "every column of the type");
	/* a schema dropped without CASCADE must be empty: nothing stored goes */
	f = lint_finding(rule, 7);
	CU_ASSERT_EQUAL(f->severity, FINDING_MEDIUM);
	HAS(f->detail, "unless the schema is empty");

	/* what this migration created (or renamed from something it created) */
	lint_sql("CREATE TABLE t (a int, b int);\n"
			 "ALTER TABLE t DROP COLUMN b;\n"
			 "DROP TABLE t;\n"
			 "CREATE TABLE staging (a int);\n"
			 "ALTER TABLE staging RENAME TO staging2;\n"
			 "DROP TABLE staging2;\n"
			 "CREATE SCHEMA scratch;\n"
			 "DROP SCHEMA scratch CASCADE;\n"
			 "CREATE TYPE mood AS ENUM ('ok');\n"
			 "DROP TYPE mood;\n"
			 "CREATE VIEW v AS SELECT 1;\n"
			 "DROP VIEW v;\n"
			 "ALTER TABLE accounts ADD COLUMN tmp int;\n"
			 "ALTER TABLE accounts DROP COLUMN tmp;\n"
			 "DROP INDEX accounts_note;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	/* only the old objects of a mixed list are named */
	lint_sql("CREATE TABLE fresh (a int);\nDROP TABLE fresh, orders;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	HAS(lint_finding(rule, 0)->detail, "the table orders,");
	LACKS(lint_finding(rule, 0)->detail, "fresh");

	lint_sql("DROP TABLE orders; -- pgsift: ignore drop-object\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static void
test_rename_object(void)
{
	const char *rule = "rename-object";
	const finding *f;

	lint_sql("ALTER TABLE orders RENAME TO purchases;\n"
			 "ALTER TABLE purchases RENAME COLUMN total TO amount;\n"
			 "ALTER SCHEMA billing RENAME TO invoicing;\n"
			 "ALTER VIEW order_totals RENAME TO purchase_totals;\n"
			 "ALTER TABLE purchases RENAME CONSTRAINT orders_total_check TO purchases_total_check;\n"
			 "ALTER INDEX orders_pkey RENAME TO purchases_pkey;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 5);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	HAS(f->detail, "the table orders, which exists before the migration, to purchases");
	ASSERT_STR(f->fix_sql, "BEGIN;\nALTER TABLE orders RENAME TO purchases;\n"
			   "CREATE VIEW orders AS SELECT * FROM purchases;\nCOMMIT;");
	f = lint_finding(rule, 1);
	HAS(f->detail, "column total of purchases");
	HAS(f->hint, "trigger");
	CU_ASSERT_PTR_NULL(f->fix_sql);
	HAS(lint_finding(rule, 2)->detail, "schema billing");
	HAS(lint_finding(rule, 3)->fix_sql, "CREATE VIEW order_totals AS SELECT * FROM purchase_totals;");
	f = lint_finding(rule, 4);
	CU_ASSERT_EQUAL(f->location.line, 5);
	CU_ASSERT_EQUAL(f->severity, FINDING_LOW);	/* only code naming the constraint notices */
	HAS(f->detail, "ON CONFLICT ON CONSTRAINT");

	/* the swap of a rebuilt table, a view kept under the old name, new tables */
	lint_sql("BEGIN;\n"
			 "ALTER TABLE orders RENAME TO orders_old;\n"
			 "ALTER TABLE orders_rebuilt RENAME TO orders;\n"
			 "COMMIT;\n"
			 "BEGIN;\n"
			 "ALTER TABLE customers RENAME TO clients;\n"
			 "CREATE VIEW customers AS SELECT * FROM clients;\n"
			 "COMMIT;\n"
			 "CREATE TABLE fresh (a int);\n"
			 "ALTER TABLE fresh RENAME TO fresher;\n"
			 "ALTER TABLE fresher RENAME COLUMN a TO b;\n"
			 "ALTER TABLE accounts ADD COLUMN nickname text;\n"
			 "ALTER TABLE accounts RENAME COLUMN nickname TO alias;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	/* outside a block the old name is missing between the two statements */
	lint_sql("ALTER TABLE orders RENAME TO orders_old;\n"
			 "CREATE VIEW orders AS SELECT * FROM orders_old;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 1);
	CU_ASSERT_EQUAL(lint_line(rule), 1);

	lint_sql("-- pgsift: ignore rename-object\nALTER TABLE orders RENAME TO purchases;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);
}

static void
test_truncate_table(void)
{
	const char *rule = "truncate-table";
	const finding *f;

	lint_sql("TRUNCATE orders;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	ASSERT_STR(f->tables[0], "public.orders");
	HAS(f->detail, "It empties orders, which exists before the migration");
	LACKS(f->detail, "CASCADE");

	/* CASCADE reaches tables the statement does not name; new tables are not named */
	lint_sql("CREATE TABLE fresh (a int);\nTRUNCATE fresh, orders, app.lines CASCADE;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->location.line, 2);
	HAS(f->detail, "It empties orders, app.lines, which exist");
	HAS(f->detail, "CASCADE also empties every table with a foreign key");
	HAS(f->detail, "does not name");
	LACKS(f->detail, "fresh");

	lint_sql("CREATE TABLE fresh (a int);\nTRUNCATE fresh;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	lint_sql("-- pgsift: ignore truncate-table\nTRUNCATE orders;\nTRUNCATE lines;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 1);
	CU_ASSERT_EQUAL(lint_line(rule), 3);
}

static void
test_enum_value_change(void)
{
	const char *rule = "enum-value-change";
	migration_gate_options wrapped = {.pg_version = 15, .model = {.single_transaction = 1}};
	const char *use_in_block = "BEGIN;\n"
		"ALTER TYPE order_status ADD VALUE 'archived';\n"
		"UPDATE orders SET status = 'archived' WHERE closed_at < now() - interval '1 year';\n"
		"COMMIT;\n";
	const finding *f;

	lint_sql("ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->severity, FINDING_MEDIUM);
	HAS(f->detail, "invalid input value for enum mood: \"sad\"");
	ASSERT_STR(f->fix_sql, "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'blue' AFTER 'sad';");

	/* a new value used in its own transaction, from 12 on */
	lint_sql(use_in_block, 12);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->location.line, 2);
	HAS(f->detail, "line 3");
	HAS(f->detail, "unsafe use of new value \"archived\"");
	/* before 12 the ADD VALUE itself fails in the block: the other rule says so */
	lint_sql(use_in_block, 11);
	CU_ASSERT_EQUAL(lint_count(rule), 0);
	CU_ASSERT_EQUAL(lint_count("concurrently-in-transaction"), 1);

	/* each value, once, even when one statement uses two */
	lint_sql("BEGIN;\n"
			 "ALTER TYPE s ADD VALUE 'a';\n"
			 "ALTER TYPE s ADD VALUE 'b';\n"
			 "UPDATE t SET x = 'a' WHERE y = 'b';\n"
			 "UPDATE t SET z = 'a';\n"
			 "COMMIT;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 2);
	CU_ASSERT_EQUAL(lint_finding(rule, 0)->location.line, 2);
	CU_ASSERT_EQUAL(lint_finding(rule, 1)->location.line, 3);
	HAS(lint_finding(rule, 1)->detail, "line 4");

	/* the migration tool's wrapping transaction counts too */
	lint_sql_with("ALTER TYPE s ADD VALUE 'a';\nALTER TABLE t ALTER COLUMN x SET DEFAULT 'a';\n", &wrapped);
	CU_ASSERT_EQUAL(lint_count(rule), 1);

	/* safe: committed before use, used nowhere, another value; a rename of a new enum */
	lint_sql("ALTER TYPE order_status ADD VALUE 'archived';\n"
			 "UPDATE orders SET status = 'archived';\n"
			 "BEGIN;\nALTER TYPE order_status ADD VALUE 'held';\nCOMMIT;\n"
			 "BEGIN;\nUPDATE orders SET status = 'held';\nCOMMIT;\n"
			 "BEGIN;\nALTER TYPE order_status ADD VALUE 'lost';\nUPDATE orders SET status = 'lose';\nCOMMIT;\n"
			 "CREATE TYPE mood AS ENUM ('sad');\n"
			 "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	lint_sql("ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'; -- pgsift: ignore enum-value-change\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static void
test_missing_statement_timeout(void)
{
	const char *rule = "missing-statement-timeout";
	migration_gate_options preset = {.pg_version = 15, .model = {.initial = {.statement_timeout_ms = 300000}}};
	migration_gate_options too_long = {.pg_version = 15, .model = {.initial = {.statement_timeout_ms = 3600000}}};
	const char *build = "CREATE INDEX orders_a ON orders (a);\n";
	const finding *f;

	lint_sql(build, 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	ASSERT_STR(f->location.lock, "SHARE");
	ASSERT_STR(f->fix_sql, "SET statement_timeout = '10min';");
	HAS(f->detail, "builds an index under SHARE on orders");
	HAS(f->detail, "no statement_timeout in effect");

	/* a timeout within the limit is enough; one over it counts as none */
	lint_sql_with(build, &preset);
	CU_ASSERT_EQUAL(lint_count(rule), 0);
	lint_sql_with(build, &too_long);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	HAS(lint_finding(rule, 0)->detail, "over the limit");
	lint_sql("SET statement_timeout = '5min';\nCREATE INDEX orders_a ON orders (a);\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	/* work that grows with the table: rewrites, validating scans, rebuilds */
	lint_sql("ALTER TABLE orders ALTER COLUMN total TYPE numeric;\n"
			 "ALTER TABLE orders ALTER COLUMN total SET NOT NULL;\n"
			 "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0);\n"
			 "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
			 "ALTER TABLE orders ADD COLUMN id2 bigint GENERATED ALWAYS AS IDENTITY;\n"
			 "VACUUM FULL orders;\n"
			 "CLUSTER orders USING orders_pkey;\n"
			 "REINDEX TABLE orders;\n"
			 "REFRESH MATERIALIZED VIEW daily;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 9);
	HAS(lint_finding(rule, 0)->detail, "may rewrite the table");
	HAS(lint_finding(rule, 1)->detail, "scans the table to check NOT NULL");
	HAS(lint_finding(rule, 2)->detail, "validate the constraint");
	HAS(lint_finding(rule, 4)->detail, "identity");
	CU_ASSERT_EQUAL(lint_finding(rule, 8)->location.line, 9);

	/* quick changes, weaker locks, new tables */
	lint_sql("ALTER TABLE orders ADD COLUMN note text;\n"
			 "ALTER TABLE orders ADD COLUMN flag boolean NOT NULL DEFAULT false;\n"
			 "ALTER TABLE orders ADD COLUMN seen timestamptz DEFAULT now();\n"
			 "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0) NOT VALID;\n"
			 "ALTER TABLE orders VALIDATE CONSTRAINT positive;\n"
			 "ALTER TABLE orders DROP COLUMN note;\n"
			 "CREATE INDEX CONCURRENTLY orders_b ON orders (b);\n"
			 "REINDEX TABLE CONCURRENTLY orders;\n"
			 "VACUUM orders;\n"
			 "REFRESH MATERIALIZED VIEW CONCURRENTLY daily;\n"
			 "CREATE TABLE fresh (a int);\n"
			 "CREATE INDEX fresh_a ON fresh (a);\n"
			 "ALTER TABLE fresh ALTER COLUMN a TYPE bigint;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	/* a default rewrote the table before 11 */
	lint_sql("ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false;\n", 10);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	HAS(lint_finding(rule, 0)->detail, "before PostgreSQL 11");

	/* inside a block: SET LOCAL */
	lint_sql("BEGIN;\nALTER TABLE orders ALTER COLUMN total TYPE numeric;\nCOMMIT;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	ASSERT_STR(lint_finding(rule, 0)->fix_sql, "SET LOCAL statement_timeout = '10min';");

	lint_sql("-- pgsift: ignore missing-statement-timeout\n" "CREATE INDEX orders_a ON orders (a);\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);
}

static void
test_statements_after_strong_lock(void)
{
	const char *rule = "statements-after-strong-lock";
	migration_gate_options wrapped = {.pg_version = 15, .model = {.single_transaction = 1}};
	const finding *f;

	lint_sql("BEGIN;\n"
			 "UPDATE settings SET v = 1;\n"
			 "ALTER TABLE orders ADD COLUMN region text;\n"
			 "SET LOCAL lock_timeout = '1s';\n"
			 "UPDATE orders SET region = 'eu';\n"
			 "ALTER TABLE customers ADD COLUMN region text;\n"
			 "ALTER TABLE orders ALTER COLUMN region SET NOT NULL;\n"
			 "COMMIT;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->location.line, 3);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	HAS(f->detail, "3 more statements follow");	/* the SET and the COMMIT do not count */
	HAS(f->detail, "the COMMIT at line 8");
	HAS(f->detail, "customers (line 6)");
	LACKS(f->detail, "orders (line");

	/* --single-transaction: the file is the transaction */
	lint_sql_with("ALTER TABLE orders ADD COLUMN region text;\nUPDATE orders SET region = 'eu';\n", &wrapped);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	HAS(f->detail, "1 more statement follows");
	HAS(f->detail, "end of the file");
	HAS(f->hint, "migration file of their own");

	/* one per transaction; ROLLBACK ends one too */
	lint_sql("BEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN x int;\nSELECT 1;\nCOMMIT;\n"
			 "BEGIN;\nLOCK TABLE c IN SHARE MODE;\nSELECT count(*) FROM c;\nROLLBACK;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 2);
	CU_ASSERT_EQUAL(lint_finding(rule, 0)->location.line, 2);
	HAS(lint_finding(rule, 1)->detail, "the ROLLBACK at line 9");

	/* the lock taken last, outside a block, weak locks, new tables */
	lint_sql("BEGIN;\nUPDATE orders SET region = 'eu';\nALTER TABLE orders ADD COLUMN x int;\nCOMMIT;\n"
			 "ALTER TABLE orders ADD COLUMN y int;\nUPDATE orders SET y = 0;\n"
			 "BEGIN;\nCREATE INDEX CONCURRENTLY i ON orders (y);\nALTER TABLE orders VALIDATE CONSTRAINT c;\n"
			 "SELECT 1;\nCOMMIT;\n"
			 "BEGIN;\nCREATE TABLE fresh (a int);\nALTER TABLE fresh ADD COLUMN b int;\n"
			 "INSERT INTO fresh VALUES (1, 2);\nCOMMIT;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	lint_sql("BEGIN;\n-- pgsift: ignore statements-after-strong-lock\n"
			 "ALTER TABLE orders ADD COLUMN x int;\nSELECT 1;\nCOMMIT;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static void
test_alters_could_combine(void)
{
	const char *rule = "alters-could-combine";
	migration_gate_options wrapped = {.pg_version = 15, .model = {.single_transaction = 1}};
	const finding *f;

	lint_sql("BEGIN;\n"
			 "ALTER TABLE orders ADD COLUMN region text;\n"
			 "SET LOCAL lock_timeout = '1s';\n"
			 "ALTER TABLE orders ADD COLUMN zone int;\n"
			 "ALTER TABLE orders ALTER COLUMN total SET NOT NULL;\n"
			 "COMMIT;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 1);
	f = lint_finding(rule, 0);
	CU_ASSERT_EQUAL(f->location.line, 4);	/* on the second */
	CU_ASSERT_EQUAL(f->severity, FINDING_LOW);
	HAS(f->detail, "Lines 2, 4 and 5 each alter orders");
	ASSERT_STR(f->fix_sql, "ALTER TABLE orders ADD COLUMN region text, ADD COLUMN zone int, "
			   "ALTER COLUMN total SET NOT NULL;");

	/* two runs in one wrapped file: one finding each */
	lint_sql_with("ALTER TABLE a ADD COLUMN x int;\nALTER TABLE a ADD COLUMN y int;\n"
				  "ALTER TABLE b ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\n", &wrapped);
	CU_ASSERT_EQUAL_FATAL(lint_count(rule), 2);
	CU_ASSERT_EQUAL(lint_finding(rule, 1)->location.line, 4);

	/* broken by a backfill, other tables, ONLY, separate transactions, a new table, a DETACH */
	lint_sql("BEGIN;\n"
			 "ALTER TABLE orders ADD COLUMN region text;\n"
			 "UPDATE orders SET region = 'eu';\n"
			 "ALTER TABLE orders ALTER COLUMN region SET NOT NULL;\n"
			 "ALTER TABLE customers ADD COLUMN region text;\n"
			 "ALTER TABLE ONLY customers ADD CONSTRAINT c CHECK (region <> '') NOT VALID;\n"
			 "CREATE TABLE fresh (a int);\n"
			 "ALTER TABLE fresh ADD COLUMN b int;\n"
			 "ALTER TABLE fresh ADD COLUMN c int;\n"
			 "ALTER TABLE events DETACH PARTITION e1;\n"
			 "ALTER TABLE events ADD COLUMN x int;\n"
			 "COMMIT;\n"
			 "ALTER TABLE orders ADD COLUMN a int;\n"
			 "ALTER TABLE orders ADD COLUMN b int;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);

	lint_sql("BEGIN;\nALTER TABLE a ADD COLUMN x int;\n-- pgsift: ignore alters-could-combine\n"
			 "ALTER TABLE a ADD COLUMN y int;\nCOMMIT;\n", 15);
	CU_ASSERT_EQUAL(lint_count(rule), 0);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static int
cleanup(void)
{
	lint_free();
	return 0;
}

PGSIFT_TEST_SUITE(add_migration_shape_suite)
{
	CU_pSuite	s = CU_add_suite("rules/migration shape", NULL, cleanup);

	CU_add_test(s, "drop-index-without-concurrently", test_drop_index_without_concurrently);
	CU_add_test(s, "reindex-without-concurrently", test_reindex_without_concurrently);
	CU_add_test(s, "detach-partition-without-concurrently", test_detach_partition_without_concurrently);
	CU_add_test(s, "drop-object", test_drop_object);
	CU_add_test(s, "rename-object", test_rename_object);
	CU_add_test(s, "truncate-table", test_truncate_table);
	CU_add_test(s, "enum-value-change", test_enum_value_change);
	CU_add_test(s, "missing-statement-timeout", test_missing_statement_timeout);
	CU_add_test(s, "statements-after-strong-lock", test_statements_after_strong_lock);
	CU_add_test(s, "alters-could-combine", test_alters_could_combine);
}
