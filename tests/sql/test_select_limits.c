/*-------------------------------------------------------------------------
 * test_select_limits.c
 *    LIMIT and OFFSET read from the JSON tree (src/sql/select_limits.c),
 *    and read the same as the typed tree reads them.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include "src/sql/query_tree.h"
#include "src/sql/select_limits.h"

#include <string.h>

/* The page as the typed (protobuf) tree gives it: the reading this replaces. */
static int
typed_page(const char *sql, const param_list *pl, select_limits *out)
{
	query_tree	t;
	int			ok = 0;

	memset(out, 0, sizeof(*out));
	if (query_tree_parse(sql, &t) == 0 && t.select->limit_offset && t.select->limit_count &&
		query_node_int_value(t.select->limit_offset, pl, &out->offset) &&
		query_node_int_value(t.select->limit_count, pl, &out->limit) && out->offset >= 0 && out->limit > 0)
	{
		const PgQuery__Node *o = query_node_uncast(t.select->limit_offset);

		out->offset_param = o->node_case == PG_QUERY__NODE__NODE_PARAM_REF ? o->param_ref->number : 0;
		ok = 1;
	}
	query_tree_free(&t);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}

static void
test_constants_and_params(void)
{
	select_limits l;
	char	   *values[] = {"7", "200", " 25 ", "x", NULL};
	param_list	pl = {5, values};

	CU_ASSERT_TRUE(select_limits_read("SELECT a FROM t ORDER BY a LIMIT 50 OFFSET 100", NULL, &l));
	CU_ASSERT_EQUAL(l.offset, 100);
	CU_ASSERT_EQUAL(l.limit, 50);
	CU_ASSERT_EQUAL(l.offset_param, 0);

	CU_ASSERT_TRUE(select_limits_read("SELECT a FROM t WHERE b = $1 LIMIT $3 OFFSET $2", &pl, &l));
	CU_ASSERT_EQUAL(l.offset, 200);
	CU_ASSERT_EQUAL(l.limit, 25);
	CU_ASSERT_EQUAL(l.offset_param, 2);

	/* a zero offset (which libpg_query writes as an empty ival), casts, FETCH FIRST, beyond 32 bits */
	CU_ASSERT_TRUE(select_limits_read("SELECT a FROM t LIMIT 10 OFFSET 0", NULL, &l));
	CU_ASSERT_EQUAL(l.offset, 0);
	CU_ASSERT_TRUE(select_limits_read("SELECT a FROM t LIMIT $1::int OFFSET $2::bigint", &pl, &l));
	CU_ASSERT_EQUAL(l.limit, 7);
	CU_ASSERT_EQUAL(l.offset, 200);
	CU_ASSERT_TRUE(select_limits_read("SELECT a FROM t OFFSET 5 ROWS FETCH FIRST 3 ROWS ONLY", NULL, &l));
	CU_ASSERT_EQUAL(l.offset, 5);
	CU_ASSERT_EQUAL(l.limit, 3);
	CU_ASSERT_TRUE(select_limits_read("SELECT a FROM t LIMIT 10 OFFSET 9999999999", NULL, &l));
	CU_ASSERT_EQUAL(l.offset, 9999999999LL);
}

static void
test_unknown_pages(void)
{
	select_limits l;
	char	   *values[] = {"x", NULL};
	param_list	pl = {2, values};

	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT 10", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t OFFSET 10", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT 0 OFFSET 10", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT ALL OFFSET 10", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT 10 OFFSET 1.5", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT 10 OFFSET $1", &pl, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT 10 OFFSET $2", &pl, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT 10 OFFSET $3", &pl, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT 10 OFFSET $1", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT 10 OFFSET (5 + 5)", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT 1 UNION SELECT 2 LIMIT 1 OFFSET 3", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a INTO u FROM t LIMIT 1 OFFSET 3", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT 1 LIMIT 1 OFFSET 3; SELECT 2", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("DELETE FROM t", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read("SELECT a FROM t LIMIT 10 OFFSET", NULL, &l));
	CU_ASSERT_FALSE(select_limits_read(NULL, NULL, &l));
	CU_ASSERT_EQUAL(l.offset, 0);
	CU_ASSERT_EQUAL(l.limit, 0);
}

/* Every statement reads the same from the JSON text as from the typed tree. */
static void
test_same_as_typed_tree(void)
{
	static const char *const statements[] = {
		"SELECT a FROM t ORDER BY a LIMIT 50 OFFSET 100",
		"SELECT a FROM t WHERE b = $1 LIMIT $3 OFFSET $2",
		"SELECT a FROM t LIMIT $2 OFFSET $1",
		"SELECT a FROM t LIMIT 10 OFFSET 0",
		"SELECT a FROM t LIMIT '10' OFFSET '20'",
		"SELECT a FROM t LIMIT 10::int OFFSET 20::int8",
		"SELECT a FROM t LIMIT 10 OFFSET 99999999999",
		"SELECT a FROM t LIMIT 99999999999 OFFSET 1",
		"SELECT a FROM t OFFSET 5 ROWS FETCH NEXT 3 ROWS ONLY",
		"SELECT a FROM t LIMIT 10",
		"SELECT a FROM (SELECT b FROM u LIMIT 5 OFFSET 9) s",
		"WITH c AS (SELECT 1) SELECT * FROM c LIMIT 2 OFFSET 4",
		"SELECT a FROM t LIMIT 10 OFFSET 1e3",
		"SELECT a FROM t LIMIT 10 OFFSET NULL",
		"SELECT 1 UNION ALL SELECT 2 LIMIT 1 OFFSET 1",
		"VALUES (1) LIMIT 1 OFFSET 1",
		"not sql at all",
	};
	char	   *values[] = {"30", "40", "50", NULL};
	param_list	pl = {4, values};

	for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
	{
		select_limits a,
					b;
		int			ra = select_limits_read(statements[i], &pl, &a);
		int			rb = typed_page(statements[i], &pl, &b);

		CU_ASSERT_EQUAL(ra, rb);
		CU_ASSERT_EQUAL(a.offset, b.offset);
		CU_ASSERT_EQUAL(a.limit, b.limit);
		CU_ASSERT_EQUAL(a.offset_param, b.offset_param);
		if (ra != rb || a.offset != b.offset || a.limit != b.limit || a.offset_param != b.offset_param)
			fprintf(stderr, "\n  differs: %s (json %d %lld/%lld, typed %d %lld/%lld)\n", statements[i],
					ra, (long long) a.offset, (long long) a.limit, rb, (long long) b.offset, (long long) b.limit);
	}
}

PGSIFT_TEST_SUITE(select_limits_suite)
{
	CU_pSuite	s = CU_add_suite("src/sql/select_limits", NULL, NULL);

	CU_add_test(s, "constant and parameter pages are read", test_constants_and_params);
	CU_add_test(s, "pages that are not known read as none", test_unknown_pages);
	CU_add_test(s, "the JSON text reads as the typed tree does", test_same_as_typed_tree);
}
