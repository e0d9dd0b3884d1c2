/*-------------------------------------------------------------------------
 * test_catalog_rules.c
 *    Each catalog rule on a snapshot built to trigger it and on a near
 *    miss, with snapshots assembled by hand from the catalog.h structs.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/live/pgss.h"
#include "src/model/workload.h"
#include "tests/model/workload_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
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

/* Run one catalog rule; wc (the workload it may consult) may be NULL. */
static void
run_rule_in(const char *id, const catalog_snapshot *s, const workload_context *wc, finding_list *out)
{
	const rule *r = rule_find(id);
	rule_context ctx = {.scope = RULE_CATALOG, .catalog = s, .workload = wc, .out = out};

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->scope, RULE_CATALOG);
	memset(out, 0, sizeof(*out));
	r->check(&ctx);
}

static void
run_rule(const char *id, const catalog_snapshot *s, finding_list *out)
{
	run_rule_in(id, s, NULL, out);
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

static char *customer_cols[] = {"id", "name", "email"};
static char *order_cols[] = {"id", "customer_id", "created_at"};

/* fk-without-index on a workload of one statement from pg_stat_statements. */
static void
run_fk_with_statement(const catalog_snapshot *s, const char *sql, finding_list *out)
{
	pgss_entry	e = {.fingerprint = 0xabcdef12, .parsed = 1, .query = (char *) sql, .calls = 7};
	pgss_snapshot pgss = {.available = 1, .count = 1, .entries = &e};
	workload_context wc = {.pgss = &pgss};

	run_rule_in("fk-without-index", s, &wc, out);
}

/*
 * orders.customer_id references customers (id); only orders_pkey on
 * orders.  customers also has a unique name, listed first: the key may
 * reference either.
 */
static void
fk_snapshot(catalog_snapshot *s, catalog_table *t, catalog_index *ix, catalog_fk *fk)
{
	static char *cols_name[] = {"name"};

	memset(s, 0, sizeof(*s));
	memset(fk, 0, sizeof(*fk));
	t[0] = (catalog_table) {.oid = 200, .schema = "public", .name = "customers", .ncolumns = 3, .columns = customer_cols};
	t[1] = (catalog_table) {.oid = 100, .schema = "public", .name = "orders", .ncolumns = 3, .columns = order_cols};
	fk->name = "orders_customer_id_fkey";
	fk->schema = "public";
	fk->table = "orders";
	fk->ref_table = "public.customers";
	fk->columns = cols_id;
	fk->ncolumns = 1;
	ix[0] = index_on("orders_pkey", cols_pk, 1, 10 * MB);
	ix[0].primary = ix[0].unique = ix[0].backs_constraint = 1;
	ix[1] = index_on("customers_name_key", cols_name, 1, 10 * MB);
	ix[1].table = "customers";
	ix[1].table_oid = 200;
	ix[1].unique = ix[1].backs_constraint = 1;
	ix[2] = ix[1];
	ix[2].name = "customers_pkey";
	ix[2].columns = cols_pk;
	ix[2].primary = 1;
	s->tables = t;
	s->ntables = 2;
	s->fks = fk;
	s->nfks = 1;
	s->indexes = ix;
	s->nindexes = 3;
}

/* The catalog's delete count is evidence: medium. */
static void
test_fk_without_index(void)
{
	catalog_index ix[3];
	catalog_table t[2];
	catalog_fk	fk;
	catalog_snapshot s;
	finding_list out;

	fk_snapshot(&s, t, ix, &fk);
	t[0].n_tup_del = 42;
	run_rule("fk-without-index", &s, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "fk-without-index");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "42 deletes"));
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);");
	finding_list_free(&out);

	/* no deletes and no workload: no evidence that the key is used */
	t[0].n_tup_del = 0;
	run_rule("fk-without-index", &s, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);

	/* a two-column index starting with the key's column covers it, deletes or not */
	t[0].n_tup_del = 42;
	ix[0] = index_on("orders_customer_date_idx", cols_id_date, 2, 30 * MB);
	run_rule("fk-without-index", &s, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

/* A workload statement that deletes, key-updates or joins through the key. */
static void
test_fk_workload_evidence(void)
{
	catalog_index ix[3];
	catalog_table t[2];
	catalog_fk	fk;
	catalog_snapshot s;
	finding_list out;

	fk_snapshot(&s, t, ix, &fk);
	run_fk_with_statement(&s, "DELETE FROM customers WHERE id = $1", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "the workload deletes from public.customers"));
	CU_ASSERT(contains(out.items[0]->detail, "fingerprint 00000000abcdef12, 7 calls in pg_stat_statements"));
	CU_ASSERT_EQUAL_FATAL(out.items[0]->nfingerprints, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->fingerprints[0], "00000000abcdef12");
	CU_ASSERT_STRING_EQUAL(out.items[0]->query, "DELETE FROM customers WHERE id = $1");
	finding_list_free(&out);

	run_fk_with_statement(&s, "UPDATE public.customers SET id = $1 WHERE id = $2", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "updates the key columns of public.customers"));
	finding_list_free(&out);

	/* a join alone is low */
	run_fk_with_statement(&s, "SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
						  "WHERE o.created_at > $1", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_LOW);
	CU_ASSERT(contains(out.items[0]->detail, "joins public.orders to public.customers through the key"));
	finding_list_free(&out);

	/* WHERE a.col = b.col, unqualified and correlated, inside a CTE */
	run_fk_with_statement(&s, "WITH x AS (SELECT name FROM customers c WHERE EXISTS "
						  "(SELECT 1 FROM orders WHERE customer_id = c.id)) SELECT * FROM x", &out);
	CU_ASSERT_EQUAL(out.count, 1);
	finding_list_free(&out);

	/*
	 * with the constraint's referenced columns known (id), a join on the
	 * other unique key (name) is not through this key, and one on id is
	 */
	static char *ref_id[] = {"id"};

	fk.ref_columns = ref_id;
	run_fk_with_statement(&s, "SELECT 1 FROM orders o JOIN customers c ON c.name = o.customer_id", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
	run_fk_with_statement(&s, "SELECT 1 FROM orders o JOIN customers c ON c.id = o.customer_id", &out);
	CU_ASSERT_EQUAL(out.count, 1);
	finding_list_free(&out);
	fk.ref_columns = NULL;

	/* the key indexed: the same delete is no finding */
	ix[0] = index_on("orders_customer_idx", cols_id, 1, 30 * MB);
	run_fk_with_statement(&s, "DELETE FROM customers WHERE id = $1", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

/* Statements that touch the tables without going through the key. */
static void
test_fk_no_evidence(void)
{
	static const char *const unrelated[] = {
		"SELECT * FROM orders WHERE customer_id = $1",
		"UPDATE customers SET email = $1 WHERE id = $2",
		"DELETE FROM orders WHERE id = $1",
		"SELECT * FROM orders o JOIN customers c ON c.name = o.created_at",
		"SELECT * FROM orders o, customers c WHERE o.id = c.id",
		"SELEC nonsense",
	};
	catalog_index ix[3];
	catalog_table t[2];
	catalog_fk	fk;
	catalog_snapshot s;
	finding_list out;

	fk_snapshot(&s, t, ix, &fk);
	for (size_t i = 0; i < sizeof(unrelated) / sizeof(unrelated[0]); i++)
	{
		run_fk_with_statement(&s, unrelated[i], &out);
		if (out.count != 0)
			fprintf(stderr, "\n  fired on: %s\n", unrelated[i]);
		CU_ASSERT_EQUAL(out.count, 0);
		finding_list_free(&out);
	}
}

/* The log model is read too: a statement fed as a log event. */
static void
test_fk_log_evidence(void)
{
	catalog_index ix[3];
	catalog_table t[2];
	catalog_fk	fk;
	catalog_snapshot s;
	finding_list out;
	workload_context wc = {.model = workload_create(NULL)};

	workload_test_statement(wc.model, 1704164645000LL, 10, "DELETE FROM customers WHERE id = 5", NULL, 1.5);
	fk_snapshot(&s, t, ix, &fk);
	run_rule_in("fk-without-index", &s, &wc, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "1 call in the log"));
	finding_list_free(&out);
	workload_destroy(wc.model);
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
	sql_append_qualified(&sb, "public", "user");
	strbuf_putc(&sb, ' ');
	sql_append_ident(&sb, "say \"hi\"");
	strbuf_putc(&sb, ' ');
	sql_append_ident(&sb, "order_items2");
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
	CU_add_test(s, "fk-without-index: workload deletes, key updates, joins", test_fk_workload_evidence);
	CU_add_test(s, "fk-without-index: no use of the key in the workload", test_fk_no_evidence);
	CU_add_test(s, "fk-without-index: evidence from the log model", test_fk_log_evidence);
	CU_add_test(s, "sequence-exhaustion", test_sequence_exhaustion);
	CU_add_test(s, "identifier quoting", test_identifier_quoting);
}
