/*-------------------------------------------------------------------------
 * test_advisor_candidates.c
 *    Candidate extraction from parse trees, on a catalog snapshot built by
 *    hand (no server): key order, aliases, directions, INCLUDE, partial
 *    indexes, quoting, and what is left out.
 *-------------------------------------------------------------------------
 */
#include "src/advisor/advisor.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <string.h>

static char *order_cols[] = {"id", "customer_id", "created_at", "status", "total", "Amount"};
static char *tiny_cols[] = {"id", "x"};
static char *pk_cols[] = {"id"};

static catalog_table tables[] = {
	{.oid = 100, .schema = "public", .name = "orders", .reltuples = 1e6, .relpages = 10000,
	.size_bytes = 80000000, .ncolumns = 6, .columns = order_cols},
	{.oid = 200, .schema = "public", .name = "tiny", .reltuples = 100, .relpages = 1,
	.size_bytes = 8192, .ncolumns = 2, .columns = tiny_cols},
};

static catalog_column_stats stats[] = {
	{.schema = "public", .table = "orders", .column = "customer_id", .n_distinct = -0.1},
	{.schema = "public", .table = "orders", .column = "status", .n_distinct = 4, .most_common_freq = 0.33},
	/* 2 distinct values among the 1e6 rows, as a fraction */
	{.schema = "public", .table = "orders", .column = "total", .n_distinct = -0.000002, .most_common_freq = 0.5},
};

static catalog_index indexes[] = {
	{.oid = 101, .table_oid = 100, .schema = "public", .name = "orders_pkey", .table = "orders",
	.method = "btree", .nkeys = 1, .ncolumns = 1, .columns = pk_cols, .valid = 1},
};

static const catalog_snapshot snapshot = {
	.ntables = 2, .tables = tables, .nindexes = 1, .indexes = indexes, .nstats = 3, .stats = stats,
};

/* The candidates' definitions joined by " | ". */
static void
expect(const char *sql, int want_count, const char *want)
{
	advisor_candidate_list l = {0};
	char		got[4096] = "";
	int			n = advisor_candidates(sql, &snapshot, &l);

	for (int i = 0; i < l.count; i++)
	{
		strncat(got, i ? " | " : "", sizeof(got) - strlen(got) - 1);
		strncat(got, l.items[i].definition, sizeof(got) - strlen(got) - 1);
	}
	if (n != want_count || strcmp(got, want) != 0)
		fprintf(stderr, "\n  %s\n  got %d: %s\n  want %d: %s\n", sql, n, got, want_count, want);
	CU_ASSERT_EQUAL(n, want_count);
	CU_ASSERT_STRING_EQUAL(got, want);
	advisor_candidate_list_free(&l);
}

static void
test_equality_then_order(void)
{
	expect("SELECT o.id, o.total FROM orders o WHERE o.customer_id = $1 ORDER BY o.created_at DESC NULLS LAST LIMIT 5", 3,
		   "CREATE INDEX ON public.orders (customer_id)"
		   " | CREATE INDEX ON public.orders (customer_id, created_at DESC NULLS LAST)"
		   " | CREATE INDEX ON public.orders (customer_id, created_at DESC NULLS LAST) INCLUDE (id, total)");
}

static void
test_in_and_between(void)
{
	expect("SELECT * FROM orders WHERE customer_id IN (1, 2) AND created_at BETWEEN $1 AND $2", 2,
		   "CREATE INDEX ON public.orders (customer_id) | CREATE INDEX ON public.orders (customer_id, created_at)");
}

static void
test_expression_and_quoting(void)
{
	expect("SELECT * FROM orders WHERE lower(status) = 'x' AND \"Amount\" > 5", 2,
		   "CREATE INDEX ON public.orders (lower(status)) | CREATE INDEX ON public.orders (lower(status), \"Amount\")");
	/* a function of the parameter is a value too: the login lookup of the demo */
	expect("SELECT id FROM orders WHERE lower(status) = lower($1)", 2,
		   "CREATE INDEX ON public.orders (lower(status)) | CREATE INDEX ON public.orders (lower(status)) INCLUDE (id)");
	/* a function of a column is not */
	expect("SELECT id FROM orders WHERE lower(status) = lower(note)", 0, "");
}

/*
 * Comparands built of parameters, constants and stable functions are
 * values: operators over them, casts, now(), CURRENT_DATE, COALESCE,
 * CASE; = ANY of a parameter or an array.  A volatile call (random()) or a
 * column of the table is not.
 */
static void
test_expression_comparands(void)
{
	const char *one = "CREATE INDEX ON public.orders (customer_id)";
	const char *with_id = "CREATE INDEX ON public.orders (customer_id) | CREATE INDEX ON public.orders (customer_id) INCLUDE (id)";

	expect("SELECT * FROM orders WHERE customer_id = $2 || $1 || $3", 1, one);
	expect("SELECT * FROM orders WHERE customer_id = 'user' || $1 || '@x'", 1, one);
	expect("SELECT * FROM orders WHERE customer_id = $1::int + 1", 1, one);
	expect("SELECT * FROM orders WHERE customer_id = -$1", 1, one);
	expect("SELECT * FROM orders WHERE customer_id = COALESCE($1, 0)", 1, one);
	expect("SELECT * FROM orders WHERE customer_id = CASE WHEN $1 > 0 THEN $1 ELSE 0 END", 1, one);
	expect("SELECT id FROM orders WHERE customer_id = ANY ($1)", 2, with_id);
	expect("SELECT id FROM orders WHERE customer_id = ANY (ARRAY[1, 2, $1])", 2, with_id);
	expect("SELECT * FROM orders WHERE created_at > now() - interval '1 day'", 1,
		   "CREATE INDEX ON public.orders (created_at)");
	expect("SELECT * FROM orders WHERE created_at >= CURRENT_DATE - 7", 1,
		   "CREATE INDEX ON public.orders (created_at)");
	expect("SELECT * FROM orders WHERE customer_id = abs($1) + length('x')", 1, one);
	/* computed per row: no index condition */
	expect("SELECT * FROM orders WHERE customer_id = random() * 10", 0, "");
	expect("SELECT * FROM orders WHERE customer_id = $1 + customer_id", 0, "");
	expect("SELECT * FROM orders WHERE customer_id = count(*) OVER ()", 0, "");
}

static void
test_partial_for_constant(void)
{
	advisor_candidate_list l = {0};

	CU_ASSERT_EQUAL(advisor_candidates("SELECT * FROM orders WHERE status = 'it''s'", &snapshot, &l), 1);
	CU_ASSERT_EQUAL_FATAL(l.count, 1);
	CU_ASSERT_STRING_EQUAL(l.items[0].definition, "CREATE INDEX ON public.orders (status) WHERE status = 'it''s'");
	CU_ASSERT_STRING_EQUAL(l.items[0].rare_column, "status");
	CU_ASSERT_STRING_EQUAL(l.items[0].rare_value, "it's");
	/* a parameter is not always the same constant: nothing for status */
	CU_ASSERT_EQUAL(advisor_candidates("SELECT * FROM orders WHERE status = $1", &snapshot, &l), 0);
	advisor_candidate_list_free(&l);
}

static void
test_left_out(void)
{
	expect("SELECT * FROM tiny WHERE x = 1", 0, "");
	expect("SELECT * FROM orders WHERE id = $1", 0, "");
	expect("SELECT * FROM orders WHERE customer_id = 1 OR total = 2", 0, "");
	expect("UPDATE orders SET total = 1 WHERE customer_id = 2", 0, "");
	expect("SELECT * FROM orders t1, orders t2 WHERE customer_id = 1", 0, "");
	expect("SELEC nonsense", -1, "");
}

/*
 * Regression: GROUP BY status proposed orders (status) for a 4-value
 * column, because ordering keys skipped the distinct-values check.  They
 * may follow an equality key, but not lead.
 */
static void
test_unselective_ordering(void)
{
	expect("SELECT status, count(*) FROM orders WHERE id <= 1000 GROUP BY status ORDER BY status", 0, "");
	expect("SELECT id FROM orders ORDER BY status LIMIT 5", 0, "");
	expect("SELECT total, count(*) FROM orders GROUP BY total", 0, "");
	/* the range key serves instead */
	expect("SELECT status, count(*) FROM orders WHERE created_at > $1 GROUP BY status", 1,
		   "CREATE INDEX ON public.orders (created_at)");
	expect("SELECT * FROM orders WHERE customer_id = $1 ORDER BY status LIMIT 5", 2,
		   "CREATE INDEX ON public.orders (customer_id) | CREATE INDEX ON public.orders (customer_id, status)");
}

/* SELECTs nested in WITH, FROM (subquery) and UNION are read on their own. */
static void
test_nested_selects(void)
{
	expect("WITH recent AS (SELECT * FROM orders WHERE customer_id = $1) SELECT * FROM recent", 1,
		   "CREATE INDEX ON public.orders (customer_id)");
	expect("SELECT count(*) FROM (SELECT * FROM orders o WHERE o.created_at > $1) s", 1,
		   "CREATE INDEX ON public.orders (created_at)");
	expect("SELECT * FROM orders WHERE customer_id = $1 UNION ALL SELECT * FROM orders WHERE created_at > $2", 2,
		   "CREATE INDEX ON public.orders (customer_id) | CREATE INDEX ON public.orders (created_at)");
	/* nested twice: a subquery inside a CTE */
	expect("WITH x AS (SELECT * FROM (SELECT * FROM orders WHERE created_at < $1) y) SELECT * FROM x", 1,
		   "CREATE INDEX ON public.orders (created_at)");
	/* a CTE named like a table hides the table */
	expect("WITH orders AS (SELECT * FROM tiny) SELECT * FROM orders WHERE customer_id = 1", 0, "");
	/* a WITH holding DML is not a query the advisor explains */
	expect("WITH d AS (DELETE FROM tiny RETURNING *) SELECT * FROM orders WHERE customer_id = $1", 0, "");
	expect("SELECT * INTO copy FROM orders WHERE customer_id = $1", 0, "");
}

static void
test_join_keys_and_dedupe(void)
{
	advisor_candidate_list l = {0};

	/* o.id is the primary key: only the other side is proposed, once */
	CU_ASSERT_EQUAL(advisor_candidates("SELECT * FROM orders o JOIN orders p ON p.customer_id = o.id", &snapshot, &l), 1);
	CU_ASSERT_EQUAL(advisor_candidates("SELECT * FROM orders WHERE customer_id = $1", &snapshot, &l), 0);
	CU_ASSERT_EQUAL_FATAL(l.count, 1);
	CU_ASSERT_STRING_EQUAL(l.items[0].definition, "CREATE INDEX ON public.orders (customer_id)");
	advisor_candidate_list_free(&l);
}

PGSIFT_TEST_SUITE(advisor_candidates_suite)
{
	CU_pSuite	s = CU_add_suite("src/advisor_candidates", NULL, NULL);

	CU_add_test(s, "comparands: operators, casts and stable functions of values", test_expression_comparands);
	CU_add_test(s, "equality, then ORDER BY ... LIMIT with directions, INCLUDE", test_equality_then_order);
	CU_add_test(s, "IN is equality, BETWEEN a range", test_in_and_between);
	CU_add_test(s, "expression keys, quoted identifiers", test_expression_and_quoting);
	CU_add_test(s, "rare constant of a low-cardinality column: partial index", test_partial_for_constant);
	CU_add_test(s, "tiny, indexed, OR, DML, ambiguous, unparsable: nothing", test_left_out);
	CU_add_test(s, "join keys, and one definition once", test_join_keys_and_dedupe);
	CU_add_test(s, "no ordering key leads with an unselective column", test_unselective_ordering);
	CU_add_test(s, "SELECTs in WITH, FROM (subquery), UNION", test_nested_selects);
}
