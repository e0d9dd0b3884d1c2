/*-------------------------------------------------------------------------
 * test_catalog_rules.c
 *    Each catalog rule on a snapshot built to trigger it and on a near
 *    miss, with snapshots assembled by hand from the catalog.h structs.
 *-------------------------------------------------------------------------
 */
#include "test_registry.h"
#include "rule.h"

#include <string.h>

#define MB (1024LL * 1024)

static char *cols_id[] = {"customer_id"};
static char *cols_id_date[] = {"customer_id", "created_at"};
static char *cols_pk[] = {"id"};

static catalog_index
index_on(const char *name, char **columns, int nkeys, int64_t size)
{
	catalog_index ix = {0};

	ix.schema = "public";
	ix.name = (char *) name;
	ix.table = "orders";
	ix.table_oid = 100;
	ix.method = "btree";
	ix.columns = columns;
	ix.nkeys = ix.ncolumns = nkeys;
	ix.valid = 1;
	ix.size_bytes = size;
	ix.idx_scan = 10;
	ix.definition = "CREATE INDEX ...";
	return ix;
}

static void
run_rule(const char *id, const catalog_snapshot *s, finding_list *out)
{
	const rule *r = rule_find(id);
	rule_context ctx = {.scope = RULE_CATALOG, .catalog = s, .out = out};

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->scope, RULE_CATALOG);
	memset(out, 0, sizeof(*out));
	r->check(&ctx);
}

static int
contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

static void
test_unused_index(void)
{
	catalog_index ix[2];
	catalog_snapshot s = {0};
	finding_list out;

	ix[0] = index_on("orders_customer_idx", cols_id, 1, 64 * MB);
	ix[0].idx_scan = 0;
	ix[1] = index_on("orders_pkey", cols_pk, 1, 64 * MB);
	ix[1].idx_scan = 0;
	ix[1].primary = ix[1].unique = ix[1].backs_constraint = 1;
	s.indexes = ix;
	s.nindexes = 2;
	s.settings.stats_reset = "2024-05-01 10:00:00+00";
	run_rule("unused-index", &s, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);	/* the primary key is left alone */
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "unused-index");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_LOW);
	CU_ASSERT(contains(out.items[0]->detail, "64.0 MB"));
	CU_ASSERT(contains(out.items[0]->detail, "2024-05-01"));
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "DROP INDEX CONCURRENTLY public.orders_customer_idx;");
	finding_list_free(&out);

	/* under 10 MB */
	ix[0].size_bytes = 9 * MB;
	run_rule("unused-index", &s, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static void
test_duplicate_index(void)
{
	catalog_index ix[3];
	catalog_snapshot s = {0};
	finding_list out;

	ix[0] = index_on("orders_customer_idx", cols_id, 1, 20 * MB);
	ix[1] = index_on("orders_customer_date_idx", cols_id_date, 2, 30 * MB);
	ix[2] = index_on("orders_pkey", cols_pk, 1, 10 * MB);
	ix[2].primary = ix[2].unique = ix[2].backs_constraint = 1;
	s.indexes = ix;
	s.nindexes = 3;
	run_rule("duplicate-index", &s, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "duplicate-index");
	CU_ASSERT(contains(out.items[0]->detail, "covered by public.orders_customer_date_idx"));
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "DROP INDEX CONCURRENTLY public.orders_customer_idx;");
	finding_list_free(&out);

	/* a partial index answers other queries */
	ix[0].predicate = "(status = 'open'::text)";
	run_rule("duplicate-index", &s, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);

	/* a unique index enforces something the longer one does not */
	ix[0].predicate = NULL;
	ix[0].unique = 1;
	run_rule("duplicate-index", &s, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static void
test_invalid_index(void)
{
	catalog_index ix[1];
	catalog_snapshot s = {0};
	finding_list out;

	ix[0] = index_on("Orders Idx", cols_id, 1, 5 * MB);
	ix[0].valid = 0;
	s.indexes = ix;
	s.nindexes = 1;
	run_rule("invalid-index", &s, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "invalid-index");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "is invalid"));
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "REINDEX INDEX CONCURRENTLY public.\"Orders Idx\";");
	finding_list_free(&out);

	ix[0].valid = 1;
	run_rule("invalid-index", &s, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static void
test_fk_without_index(void)
{
	catalog_index ix[1];
	catalog_table t[1] = {{0}};
	catalog_fk fk = {0};
	catalog_snapshot s = {0};
	finding_list out;

	t[0].schema = "public";
	t[0].name = "customers";
	t[0].n_tup_del = 42;
	fk.name = "orders_customer_id_fkey";
	fk.schema = "public";
	fk.table = "orders";
	fk.ref_table = "public.customers";
	fk.columns = cols_id;
	fk.ncolumns = 1;
	ix[0] = index_on("orders_pkey", cols_pk, 1, 10 * MB);
	s.tables = t;
	s.ntables = 1;
	s.fks = &fk;
	s.nfks = 1;
	s.indexes = ix;
	s.nindexes = 1;
	run_rule("fk-without-index", &s, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "fk-without-index");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "42 deletes"));
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);");
	finding_list_free(&out);

	/* no deletes on the referenced table: low */
	t[0].n_tup_del = 0;
	run_rule("fk-without-index", &s, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_LOW);
	finding_list_free(&out);

	/* a two-column index starting with the key's column covers it */
	ix[0] = index_on("orders_customer_date_idx", cols_id_date, 2, 30 * MB);
	run_rule("fk-without-index", &s, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static void
test_sequence_exhaustion(void)
{
	catalog_sequence seq = {0};
	catalog_snapshot s = {0};
	finding_list out;

	seq.schema = "public";
	seq.name = "orders_id_seq";
	seq.type = "integer";
	seq.max_value = 2147483647;
	seq.increment = 1;
	seq.last_value = 2000000000;
	s.sequences = &seq;
	s.nsequences = 1;
	run_rule("sequence-exhaustion", &s, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "sequence-exhaustion");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_HIGH);
	CU_ASSERT(contains(out.items[0]->detail, "93.1% used"));
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "ALTER SEQUENCE public.orders_id_seq AS bigint;");
	finding_list_free(&out);

	seq.last_value = 1700000000;	/* 79% */
	run_rule("sequence-exhaustion", &s, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	finding_list_free(&out);

	seq.last_value = 1073741823;	/* 50% */
	run_rule("sequence-exhaustion", &s, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

/* Identifiers in fix SQL: keywords, capitals and quotes get quoted. */
static void
test_identifier_quoting(void)
{
	strbuf		sb;

	strbuf_init(&sb);
	rule_append_qualified(&sb, "public", "user");
	strbuf_putc(&sb, ' ');
	rule_append_ident(&sb, "say \"hi\"");
	strbuf_putc(&sb, ' ');
	rule_append_ident(&sb, "order_items2");
	CU_ASSERT_STRING_EQUAL(sb.data, "public.\"user\" \"say \"\"hi\"\"\" order_items2");
	strbuf_free(&sb);
}

PGSIFT_TEST_SUITE(add_catalog_rule_tests)
{
	CU_pSuite	s = CU_add_suite("catalog rules", NULL, NULL);

	CU_add_test(s, "unused-index", test_unused_index);
	CU_add_test(s, "duplicate-index", test_duplicate_index);
	CU_add_test(s, "invalid-index", test_invalid_index);
	CU_add_test(s, "fk-without-index", test_fk_without_index);
	CU_add_test(s, "sequence-exhaustion", test_sequence_exhaustion);
	CU_add_test(s, "identifier quoting", test_identifier_quoting);
}
