/*-------------------------------------------------------------------------
 * test_migration_rewrites.c
 *    The migration rules about columns and rewrites: a NOT NULL column
 *    without a default, ADD COLUMN that rewrites, column type changes,
 *    and the statements that rewrite a whole table; each on migrations
 *    that must fire it, the safe forms that must not, the versions where
 *    the answer changes, and an ignore comment.  Also the type and
 *    default helpers of rules/migration_columns.c on their own.
 *
 * The rewrite verdicts asserted here were checked on PostgreSQL 15: the
 * table's relfilenode changes exactly when it is rewritten.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_columns.h"
#include "src/sql/sql_tree.h"
#include "tests/rules/migration_testing.h"
#include "tests/test_registry.h"

#include <string.h>

#define NN "add-column-not-null-without-default"
#define AR "add-column-rewrites"
#define CT "column-type-rewrite"
#define TR "table-rewrite"

static int
has(const char *text, const char *phrase)
{
	return text && strstr(text, phrase) != NULL;
}

static void
test_not_null_fires(void)
{
	const finding *f;

	lint_sql("SELECT 1;\nALTER TABLE accounts ADD COLUMN plan text NOT NULL;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(NN), 1);
	f = lint_finding(NN, 0);
	CU_ASSERT_EQUAL(f->location.line, 2);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	CU_ASSERT_EQUAL(f->location.rewrite, 0);	/* it fails before writing anything */
	ASSERT_STR(f->tables[0], "public.accounts");
	CU_ASSERT(has(f->detail, "column contains null values"));
	CU_ASSERT(has(f->detail, "column plan to accounts"));
	/* the first step of the recipe is the statement itself, nullable; the rest points on */
	CU_ASSERT(has(f->fix_sql, "ALTER TABLE accounts ADD COLUMN plan text;\n"));
	CU_ASSERT(has(f->fix_sql, "docs/rules/set-not-null-scans.md"));
	CU_ASSERT(has(f->hint, "catalog-only"));

	/* a PRIMARY KEY is NOT NULL too, DEFAULT NULL is no default; one finding per statement */
	lint_sql("ALTER TABLE accounts ADD COLUMN a int PRIMARY KEY, ADD COLUMN b int NOT NULL DEFAULT NULL,\n"
			 "  ADD COLUMN c int NOT NULL DEFAULT 0;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(NN), 1);
	f = lint_finding(NN, 0);
	CU_ASSERT(has(f->detail, "columns a, b to accounts"));
	/* only the two columns lose their NOT NULL and PRIMARY KEY */
	CU_ASSERT(has(f->fix_sql, "ALTER TABLE accounts ADD COLUMN a int, ADD COLUMN b int, "
				  "ADD COLUMN c int NOT NULL DEFAULT 0;\n"));
}

static void
test_not_null_safe_and_versions(void)
{
	/* every existing row gets a value, or the table is new, or the column may be NULL */
	lint_sql("ALTER TABLE accounts ADD COLUMN a text NOT NULL DEFAULT 'free';\n"
			 "ALTER TABLE accounts ADD COLUMN b bigint NOT NULL GENERATED ALWAYS AS IDENTITY;\n"
			 "ALTER TABLE accounts ADD COLUMN c serial NOT NULL;\n"
			 "ALTER TABLE accounts ADD COLUMN d int NOT NULL GENERATED ALWAYS AS (id + 1) STORED;\n"
			 "ALTER TABLE accounts ADD COLUMN e int;\n"
			 "CREATE TABLE fresh (id int);\n"
			 "ALTER TABLE fresh ADD COLUMN v int NOT NULL;\n", 15);
	CU_ASSERT_EQUAL(lint_count(NN), 0);

	/* before 11 a DEFAULT rewrites: the hint does not offer it */
	lint_sql("ALTER TABLE accounts ADD COLUMN plan text NOT NULL;\n", 10);
	CU_ASSERT_EQUAL_FATAL(lint_count(NN), 1);
	CU_ASSERT(has(lint_finding(NN, 0)->hint, "before PostgreSQL 11 a DEFAULT in ADD COLUMN rewrites"));
	CU_ASSERT(!has(lint_finding(NN, 0)->hint, "catalog-only"));

	lint_sql("-- pgsift: ignore add-column-not-null-without-default\n"
			 "ALTER TABLE accounts ADD COLUMN plan text NOT NULL;\n"
			 "ALTER TABLE accounts ADD COLUMN tier text NOT NULL;\n", 15);
	CU_ASSERT_EQUAL(lint_count(NN), 1);
	CU_ASSERT_EQUAL(lint_line(NN), 3);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static void
test_add_column_volatile(void)
{
	const finding *f;

	lint_sql("ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
			 "ALTER TABLE accounts ADD COLUMN r int DEFAULT (random() * 10)::int;\n"
			 "ALTER TABLE accounts ADD COLUMN t timestamptz DEFAULT clock_timestamp();\n"
			 "ALTER TABLE accounts ADD COLUMN u uuid DEFAULT extensions.uuid_generate_v4();\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(AR), 4);
	f = lint_finding(AR, 0);
	CU_ASSERT_EQUAL(f->location.line, 1);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	CU_ASSERT_EQUAL(f->location.rewrite, 1);
	CU_ASSERT(has(f->detail, "volatile DEFAULT, gen_random_uuid()"));
	CU_ASSERT(has(f->fix_sql, "ALTER TABLE accounts ADD COLUMN token uuid;\n"
				  "ALTER TABLE accounts ALTER COLUMN token SET DEFAULT gen_random_uuid();\n"));
	CU_ASSERT(has(f->fix_sql, "UPDATE accounts SET token = DEFAULT WHERE token IS NULL"));
	CU_ASSERT(!has(f->fix_sql, "set-not-null-scans"));	/* it was not NOT NULL */
	CU_ASSERT(has(lint_finding(AR, 1)->detail, "random()"));	/* inside a cast and an operator */
	CU_ASSERT(has(lint_finding(AR, 3)->detail, "uuid_generate_v4()"));	/* an extension, any schema */

	/* two rewriting columns, one statement: one finding, on the first */
	lint_sql("ALTER TABLE a ADD COLUMN x int, ADD COLUMN y float8 DEFAULT random(), "
			 "ADD COLUMN z uuid NOT NULL DEFAULT gen_random_uuid();\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(AR), 1);
	CU_ASSERT(has(lint_finding(AR, 0)->detail, "Column y"));
}

static void
test_add_column_generated_values(void)
{
	const finding *f;

	lint_sql("ALTER TABLE app.accounts ADD COLUMN n bigserial;\n"
			 "ALTER TABLE accounts ADD COLUMN i bigint GENERATED ALWAYS AS IDENTITY;\n"
			 "ALTER TABLE accounts ADD COLUMN g int GENERATED ALWAYS AS (a + 1) STORED;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(AR), 3);
	f = lint_finding(AR, 0);
	CU_ASSERT_EQUAL(f->location.rewrite, 1);
	CU_ASSERT(has(f->detail, "serial"));
	/* serial becomes its integer and a sequence gives the values */
	CU_ASSERT(has(f->fix_sql, "ALTER TABLE app.accounts ADD COLUMN n bigint;\n"
				  "CREATE SEQUENCE app.accounts_n_seq AS bigint OWNED BY app.accounts.n;\n"
				  "ALTER TABLE app.accounts ALTER COLUMN n SET DEFAULT nextval('app.accounts_n_seq');\n"));
	CU_ASSERT(has(f->fix_sql, "set-not-null-scans"));	/* serial is NOT NULL */
	f = lint_finding(AR, 1);
	CU_ASSERT(has(f->detail, "identity column"));
	CU_ASSERT(has(f->fix_sql, "ALTER TABLE accounts ADD COLUMN i bigint;\n"));
	f = lint_finding(AR, 2);
	CU_ASSERT(has(f->detail, "STORED generated column"));
	CU_ASSERT(has(f->fix_sql, "ALTER TABLE accounts ADD COLUMN g int;\n"));
	CU_ASSERT(has(f->fix_sql, "trigger"));
}

static void
test_add_column_unknown_and_safe(void)
{
	const finding *f;

	lint_sql("ALTER TABLE accounts ADD COLUMN h int DEFAULT my_func(1);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(AR), 1);
	f = lint_finding(AR, 0);
	CU_ASSERT_EQUAL(f->severity, FINDING_MEDIUM);
	CU_ASSERT_EQUAL(f->location.rewrite, -1);
	CU_ASSERT(has(f->detail, "cannot tell without the catalog whether my_func() is volatile"));

	/* not volatile: evaluated once and kept in the catalog from 11 */
	lint_sql("ALTER TABLE accounts ADD COLUMN a int DEFAULT 0;\n"
			 "ALTER TABLE accounts ADD COLUMN b timestamptz DEFAULT now();\n"
			 "ALTER TABLE accounts ADD COLUMN c timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP;\n"
			 "ALTER TABLE accounts ADD COLUMN d text DEFAULT lower('X')::text;\n"
			 "ALTER TABLE accounts ADD COLUMN e bigint DEFAULT txid_current();\n"
			 "ALTER TABLE accounts ADD COLUMN f jsonb DEFAULT '{}'::jsonb;\n"
			 "ALTER TABLE accounts ADD COLUMN g int DEFAULT NULL;\n"
			 "ALTER TABLE accounts ADD COLUMN h int;\n"
			 "CREATE TABLE fresh (id int);\n"
			 "ALTER TABLE fresh ADD COLUMN token uuid DEFAULT gen_random_uuid();\n", 15);
	CU_ASSERT_EQUAL(lint_count(AR), 0);

	lint_sql("-- pgsift: ignore add-column-rewrites\n"
			 "ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();\n", 15);
	CU_ASSERT_EQUAL(lint_count(AR), 0);
	CU_ASSERT_EQUAL(lint_count("unmatched-ignore"), 0);
}

static void
test_add_column_versions(void)
{
	const char *sql = "ALTER TABLE accounts ADD COLUMN a int DEFAULT 0;\n"
		"ALTER TABLE accounts ADD COLUMN b int DEFAULT NULL;\n"
		"ALTER TABLE accounts ADD COLUMN c int DEFAULT my_func();\n";

	/* before 11 any default but NULL rewrites, known function or not */
	lint_sql(sql, 10);
	CU_ASSERT_EQUAL_FATAL(lint_count(AR), 2);
	CU_ASSERT_EQUAL(lint_finding(AR, 0)->location.line, 1);
	CU_ASSERT_EQUAL(lint_finding(AR, 0)->location.rewrite, 1);
	CU_ASSERT(has(lint_finding(AR, 0)->detail, "Before PostgreSQL 11"));
	CU_ASSERT_EQUAL(lint_finding(AR, 1)->location.line, 3);
	CU_ASSERT_EQUAL(lint_finding(AR, 1)->severity, FINDING_HIGH);
	CU_ASSERT_EQUAL(lint_finding(AR, 1)->location.rewrite, 1);

	lint_sql(sql, 11);
	CU_ASSERT_EQUAL_FATAL(lint_count(AR), 1);
	CU_ASSERT_EQUAL(lint_line(AR), 3);
	CU_ASSERT_EQUAL(lint_finding(AR, 0)->location.rewrite, -1);
}

static void
test_type_change_known(void)
{
	const finding *f;

	lint_sql("ALTER TABLE orders ADD COLUMN qty int, ADD COLUMN a int, ADD COLUMN note varchar(10),\n"
			 "  ADD COLUMN name varchar(20), ADD COLUMN price numeric(10,2);\n"
			 "ALTER TABLE orders ALTER COLUMN qty TYPE bigint;\n"
			 "ALTER TABLE orders ALTER COLUMN a TYPE integer;\n"
			 "ALTER TABLE orders ALTER COLUMN note TYPE text;\n"
			 "ALTER TABLE orders ALTER COLUMN name TYPE varchar(30);\n"
			 "ALTER TABLE orders ALTER COLUMN price TYPE numeric(12,2);\n"
			 "ALTER TABLE orders ALTER COLUMN name TYPE varchar(10);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(CT), 2);
	f = lint_finding(CT, 0);
	CU_ASSERT_EQUAL(f->location.line, 3);	/* int -> bigint */
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
	CU_ASSERT_EQUAL(f->location.rewrite, 1);
	CU_ASSERT(has(f->detail, "from integer to bigint"));
	CU_ASSERT(has(f->fix_sql, "ALTER TABLE orders ADD COLUMN qty_new bigint;\n"));
	CU_ASSERT(has(f->fix_sql, "UPDATE orders SET qty_new = qty WHERE qty_new IS NULL"));
	/* varchar(30) -> varchar(10): a check constraint instead of the type */
	f = lint_finding(CT, 1);
	CU_ASSERT_EQUAL(f->location.line, 8);
	CU_ASSERT_EQUAL(f->location.rewrite, 1);
	CU_ASSERT(has(f->detail, "from varchar(30) to varchar(10)"));
	ASSERT_STR(f->fix_sql, "ALTER TABLE orders ADD CONSTRAINT orders_name_length CHECK (char_length(name) <= 10) "
			   "NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_name_length;");
}

static void
test_type_change_using_and_history(void)
{
	const finding *f;

	lint_sql("ALTER TABLE t ADD COLUMN v varchar(10);\n"
			 "ALTER TABLE t ALTER COLUMN v TYPE varchar(20) USING v::varchar(20);\n"
			 "ALTER TABLE t ALTER COLUMN v TYPE varchar(20) USING lower(v);\n"
			 "ALTER TABLE t RENAME COLUMN v TO w;\n"
			 "ALTER TABLE t ALTER COLUMN w TYPE text;\n"
			 "ALTER TABLE t ALTER COLUMN w TYPE int USING w::int;\n"
			 "ALTER TABLE t DROP COLUMN w;\n"
			 "ALTER TABLE t ADD COLUMN w bigint;\n"
			 "ALTER TABLE t ALTER COLUMN w TYPE int8;\n", 15);
	/* the USING that is the column itself changes nothing; lower(v) computes every row */
	CU_ASSERT_EQUAL_FATAL(lint_count(CT), 2);
	f = lint_finding(CT, 0);
	CU_ASSERT_EQUAL(f->location.line, 3);
	CU_ASSERT_EQUAL(f->location.rewrite, 1);
	CU_ASSERT(has(f->detail, "USING expression"));
	CU_ASSERT(has(f->fix_sql, "<the USING expression>"));
	/* the type follows the rename: varchar(20) -> text is free, text -> int is not */
	f = lint_finding(CT, 1);
	CU_ASSERT_EQUAL(f->location.line, 6);
	CU_ASSERT(has(f->detail, "from text to integer"));
}

static void
test_type_change_unknown(void)
{
	const finding *f;

	lint_sql("ALTER TABLE t ALTER COLUMN a TYPE text;\n"
			 "ALTER TABLE t ALTER COLUMN b TYPE numeric;\n"
			 "ALTER TABLE u ALTER COLUMN c TYPE bigint;\n"
			 "ALTER TABLE u ALTER COLUMN d TYPE bigint USING d::bigint;\n"
			 "ALTER TABLE u ALTER COLUMN e TYPE text USING e || '';\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(CT), 5);
	f = lint_finding(CT, 0);
	CU_ASSERT_EQUAL(f->severity, FINDING_MEDIUM);
	CU_ASSERT_EQUAL(f->location.rewrite, -1);
	CU_ASSERT(has(f->detail, "catalog-only change if it is varchar or text now"));
	CU_ASSERT(has(lint_finding(CT, 1)->detail, "if it is numeric now"));
	f = lint_finding(CT, 2);
	CU_ASSERT_EQUAL(f->severity, FINDING_HIGH);
	CU_ASSERT_EQUAL(f->location.rewrite, -1);
	CU_ASSERT(has(f->detail, "unless the change is binary coercible"));
	/* a cast of the column to the new type is what ALTER TYPE does anyway: still unknown */
	CU_ASSERT_EQUAL(lint_finding(CT, 3)->location.rewrite, -1);
	/* any other USING rewrites, whatever the old type */
	CU_ASSERT_EQUAL(lint_finding(CT, 4)->location.rewrite, 1);
	CU_ASSERT_EQUAL(lint_finding(CT, 4)->severity, FINDING_HIGH);

	/* a new table is not reported; an ignore silences one */
	lint_sql("CREATE TABLE n (a int);\nALTER TABLE n ALTER COLUMN a TYPE bigint;\n"
			 "ALTER TABLE t ALTER COLUMN a TYPE bigint; -- pgsift: ignore column-type-rewrite\n"
			 "ALTER TABLE t ALTER COLUMN b TYPE bigint;\n", 15);
	CU_ASSERT_EQUAL(lint_count(CT), 1);
	CU_ASSERT_EQUAL(lint_line(CT), 4);
}

static void
test_type_change_time_zone(void)
{
	const char *sql = "ALTER TABLE t ADD COLUMN at timestamp;\nALTER TABLE t ALTER COLUMN at TYPE timestamptz;\n";

	lint_sql(sql, 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(CT), 1);
	CU_ASSERT_EQUAL(lint_finding(CT, 0)->location.rewrite, 1);
	CU_ASSERT(has(lint_finding(CT, 0)->detail, "TimeZone is UTC, PostgreSQL 12 and later"));
	lint_sql(sql, 11);
	CU_ASSERT_EQUAL_FATAL(lint_count(CT), 1);
	CU_ASSERT(!has(lint_finding(CT, 0)->detail, "UTC"));
}

static void
test_table_rewrite(void)
{
	const finding *f;

	lint_sql("ALTER TABLE orders SET TABLESPACE fast;\n"
			 "ALTER TABLE orders SET ACCESS METHOD heap2;\n"
			 "ALTER TABLE orders SET LOGGED;\n"
			 "ALTER TABLE orders SET UNLOGGED;\n"
			 "VACUUM FULL orders;\n"
			 "CLUSTER orders USING orders_pkey;\n"
			 "REFRESH MATERIALIZED VIEW daily_totals;\n"
			 "VACUUM (FULL, ANALYZE);\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(TR), 8);
	for (int k = 0; k < 8; k++)
	{
		f = lint_finding(TR, k);
		CU_ASSERT_EQUAL(f->location.line, k + 1);
		ASSERT_STR(f->location.lock, "ACCESS EXCLUSIVE");
		CU_ASSERT_EQUAL(f->location.rewrite, 1);
		CU_ASSERT_EQUAL(f->severity, k == 6 ? FINDING_MEDIUM : FINDING_HIGH);
	}
	CU_ASSERT(has(lint_finding(TR, 0)->fix_sql, "pg_repack --tablespace=fast --moveidx --table=orders"));
	CU_ASSERT(has(lint_finding(TR, 2)->detail, "WAL"));
	CU_ASSERT_PTR_NULL(lint_finding(TR, 2)->fix_sql);	/* no online form */
	CU_ASSERT(has(lint_finding(TR, 4)->fix_sql, "pg_repack --no-order --table=orders"));
	CU_ASSERT(has(lint_finding(TR, 5)->fix_sql, "ALTER TABLE orders CLUSTER ON orders_pkey;\n"));
	CU_ASSERT(has(lint_finding(TR, 6)->fix_sql, "\nREFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;"));
	CU_ASSERT(has(lint_finding(TR, 6)->hint, "unique index"));
	CU_ASSERT(has(lint_finding(TR, 7)->detail, "every table of the database"));
}

static void
test_table_rewrite_safe(void)
{
	lint_sql("VACUUM orders;\n"
			 "VACUUM (FULL false) orders;\n"
			 "VACUUM ANALYZE orders;\n"
			 "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;\n"
			 "ALTER TABLE orders SET (fillfactor = 90);\n"
			 "CREATE TABLE fresh (id int PRIMARY KEY);\n"
			 "VACUUM FULL fresh;\n"
			 "CLUSTER fresh USING fresh_pkey;\n"
			 "ALTER TABLE fresh SET UNLOGGED;\n"
			 "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;\n"
			 "REFRESH MATERIALIZED VIEW mv;\n", 15);
	CU_ASSERT_EQUAL(lint_count(TR), 0);

	/* one existing table among new ones is enough; the ignore silences one statement */
	lint_sql("CREATE TABLE fresh (id int);\nVACUUM FULL fresh, orders;\n"
			 "-- pgsift: ignore table-rewrite\nCLUSTER orders;\n", 15);
	CU_ASSERT_EQUAL_FATAL(lint_count(TR), 1);
	CU_ASSERT_EQUAL(lint_line(TR), 2);
	CU_ASSERT(has(lint_finding(TR, 0)->detail, "rewrites orders"));
	CU_ASSERT(!has(lint_finding(TR, 0)->detail, "fresh"));
}

/* The column type of "ALTER TABLE t ALTER c TYPE <type>", read by column_type_read. */
static column_type
type_of(const char *type)
{
	char		sql[256];
	PgQuery__ParseResult *tree;
	column_type t;

	memset(&t, 0, sizeof(t));
	snprintf(sql, sizeof(sql), "ALTER TABLE t ALTER c TYPE %s", type);
	tree = sql_tree_parse(sql, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
	column_type_read(tree->stmts[0]->stmt->alter_table_stmt->cmds[0]->alter_table_cmd->def->column_def->type_name,
					 &t);
	sql_tree_free(tree);
	return t;
}

static column_change
change(const char *from, const char *to)
{
	column_type a = type_of(from),
				b = type_of(to);

	return column_type_change(&a, &b);
}

static void
test_type_helpers(void)
{
	column_type t = type_of("pg_catalog.int4");
	char		buf[64];

	ASSERT_STR(t.name, "int4");
	CU_ASSERT(t.builtin);
	t = type_of("character varying(5)[]");
	column_type_format(&t, buf, sizeof(buf));
	ASSERT_STR(buf, "varchar(5)[]");
	t = type_of("public.citext");
	CU_ASSERT(!t.builtin);
	ASSERT_STR(t.name, "public.citext");

	CU_ASSERT_EQUAL(change("int", "int4"), COLUMN_CHANGE_NONE);
	CU_ASSERT_EQUAL(change("smallint", "integer"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("numeric(10)", "numeric(12,0)"), COLUMN_CHANGE_NONE);
	CU_ASSERT_EQUAL(change("numeric(10,2)", "numeric(12)"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("numeric(10,2)", "decimal"), COLUMN_CHANGE_NONE);
	CU_ASSERT_EQUAL(change("numeric", "numeric(10,2)"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("varbit(4)", "bit varying(8)"), COLUMN_CHANGE_NONE);
	CU_ASSERT_EQUAL(change("text", "varchar"), COLUMN_CHANGE_NONE);
	CU_ASSERT_EQUAL(change("text", "varchar(10)"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("char(10)", "char(20)"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("char(10)", "text"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("cidr", "inet"), COLUMN_CHANGE_NONE);
	CU_ASSERT_EQUAL(change("inet", "cidr"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("timestamp(3)", "timestamp(6)"), COLUMN_CHANGE_NONE);
	CU_ASSERT_EQUAL(change("timestamp", "timestamp(3)"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("timestamp", "timestamp with time zone"), COLUMN_CHANGE_TIME_ZONE);
	CU_ASSERT_EQUAL(change("varchar(10)[]", "text[]"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("json", "jsonb"), COLUMN_CHANGE_REWRITE);
	CU_ASSERT_EQUAL(change("text", "public.citext"), COLUMN_CHANGE_UNKNOWN);
	CU_ASSERT_EQUAL(change("public.citext", "public.citext"), COLUMN_CHANGE_NONE);
}

static void
test_tracker_create_table(void)
{
	migration	m;
	column_tracker *types = column_tracker_new();
	const char *sql = "CREATE TABLE app.n (a varchar(10), b int);\nALTER TABLE app.n RENAME COLUMN b TO c;\n";
	const PgQuery__TypeName *tn;
	column_type t;

	migration_init(&m, NULL);
	CU_ASSERT_EQUAL_FATAL(migration_add_text(&m, "m.sql", sql, strlen(sql)), 0);
	CU_ASSERT_EQUAL_FATAL(m.nstatements, 2);
	CU_ASSERT_PTR_NULL(column_tracker_type(types, "app.n", "a"));
	column_tracker_note(types, &m.statements[0]);
	tn = column_tracker_type(types, "app.n", "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tn);
	column_type_read(tn, &t);
	ASSERT_STR(t.name, "varchar");
	CU_ASSERT_EQUAL(t.typmods[0], 10);
	column_tracker_note(types, &m.statements[1]);
	CU_ASSERT_PTR_NULL(column_tracker_type(types, "app.n", "b"));
	CU_ASSERT_PTR_NOT_NULL(column_tracker_type(types, "app.n", "c"));
	CU_ASSERT_PTR_NULL(column_tracker_type(types, "public.n", "c"));
	column_tracker_free(types);
	migration_free(&m);
}

static void
test_volatility(void)
{
	PgQuery__ParseResult *tree = sql_tree_parse("SELECT coalesce(my_f(), 1) + length(gen_random_uuid()::text)",
												NULL);
	const PgQuery__Node *e;
	const char *fn = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
	e = tree->stmts[0]->stmt->select_stmt->target_list[0]->res_target->val;
	/* a known volatile call outweighs an unknown one before it */
	CU_ASSERT_EQUAL(column_expr_volatility(e, &fn), EXPR_VOLATILE);
	ASSERT_STR(fn, "gen_random_uuid");
	sql_tree_free(tree);
	tree = sql_tree_parse("SELECT pg_catalog.now() + interval '1 day', myschema.lower('x')", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
	e = tree->stmts[0]->stmt->select_stmt->target_list[0]->res_target->val;
	CU_ASSERT_EQUAL(column_expr_volatility(e, &fn), EXPR_NOT_VOLATILE);
	CU_ASSERT_PTR_NULL(fn);
	/* a built-in name in another schema is someone else's function */
	e = tree->stmts[0]->stmt->select_stmt->target_list[1]->res_target->val;
	CU_ASSERT_EQUAL(column_expr_volatility(e, &fn), EXPR_VOLATILITY_UNKNOWN);
	ASSERT_STR(fn, "lower");
	sql_tree_free(tree);
}

static int
cleanup(void)
{
	lint_free();
	return 0;
}

PGSIFT_TEST_SUITE(add_migration_rewrite_suite)
{
	CU_pSuite	s = CU_add_suite("rules/migration rewrites", NULL, cleanup);

	CU_add_test(s, "add-column-not-null-without-default fires", test_not_null_fires);
	CU_add_test(s, "add-column-not-null-without-default: safe forms, PG 10, ignore",
				test_not_null_safe_and_versions);
	CU_add_test(s, "add-column-rewrites: volatile defaults", test_add_column_volatile);
	CU_add_test(s, "add-column-rewrites: serial, identity, generated", test_add_column_generated_values);
	CU_add_test(s, "add-column-rewrites: unknown function, safe forms, ignore", test_add_column_unknown_and_safe);
	CU_add_test(s, "add-column-rewrites: PG 10 and 11", test_add_column_versions);
	CU_add_test(s, "column-type-rewrite: old type known", test_type_change_known);
	CU_add_test(s, "column-type-rewrite: USING, rename, drop", test_type_change_using_and_history);
	CU_add_test(s, "column-type-rewrite: old type unknown, new table, ignore", test_type_change_unknown);
	CU_add_test(s, "column-type-rewrite: timestamp to timestamptz", test_type_change_time_zone);
	CU_add_test(s, "table-rewrite fires", test_table_rewrite);
	CU_add_test(s, "table-rewrite: safe forms, ignore", test_table_rewrite_safe);
	CU_add_test(s, "column types and their changes", test_type_helpers);
	CU_add_test(s, "column tracker: CREATE TABLE and RENAME COLUMN", test_tracker_create_table);
	CU_add_test(s, "default volatility", test_volatility);
}
