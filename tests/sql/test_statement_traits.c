/*-------------------------------------------------------------------------
 * test_statement_traits.c
 *    The sequence detectors' classification of statements, and the JSON
 *    tree text reader it stands on.
 *-------------------------------------------------------------------------
 */
#include "src/sql/statement_traits.h"
#include "src/sql/tree_text.h"
#include "tests/test_registry.h"

#include <string.h>

typedef struct traits_case
{
	const char *sql;
	seq_kind	kind;
	int			width;			/* for single inserts */
} traits_case;

static const traits_case cases[] = {
	{"SELECT * FROM orders WHERE id = $1", SEQ_KIND_CACHEABLE, 0},
	{"SELECT o.id FROM orders o JOIN items i ON i.order_id = o.id WHERE o.id IN ($1, $2)", SEQ_KIND_CACHEABLE, 0},
	{"SELECT \"RangeVar\", 'FuncCall' FROM t WHERE \"now\" = $1", SEQ_KIND_CACHEABLE, 0},
	{"SELECT $1", SEQ_KIND_OTHER, 0},	/* reads no table */
	{"SELECT now(), a FROM t", SEQ_KIND_OTHER, 0},
	{"SELECT a FROM t WHERE b IN (SELECT b FROM u WHERE c < pg_catalog.clock_timestamp())", SEQ_KIND_OTHER, 0},
	{"SELECT a FROM t WHERE d > CURRENT_TIMESTAMP", SEQ_KIND_OTHER, 0},
	{"SELECT a FROM t WHERE id = $1 FOR UPDATE", SEQ_KIND_OTHER, 0},
	{"SELECT a INTO copy FROM t", SEQ_KIND_OTHER, 0},
	{"WITH gone AS (DELETE FROM t WHERE id = $1 RETURNING a) SELECT a FROM gone", SEQ_KIND_OTHER, 0},
	{"SELECT lower(name) FROM users WHERE email = $1", SEQ_KIND_CACHEABLE, 0},
	{"INSERT INTO t (a, b, c) VALUES ($1, $2, $3)", SEQ_KIND_SINGLE_INSERT, 3},
	{"INSERT INTO t VALUES ($1, $2), ($3, $4)", SEQ_KIND_SINGLE_INSERT, 2},
	{"INSERT INTO t (a) SELECT a FROM u", SEQ_KIND_OTHER, 0},
	{"WITH x AS (SELECT 1) INSERT INTO t (a) VALUES ($1)", SEQ_KIND_OTHER, 0},
	{"BEGIN", SEQ_KIND_BEGIN, 0},
	{"START TRANSACTION ISOLATION LEVEL SERIALIZABLE", SEQ_KIND_BEGIN, 0},
	{"COMMIT", SEQ_KIND_END, 0},
	{"END", SEQ_KIND_END, 0},
	{"ROLLBACK", SEQ_KIND_END, 0},
	{"ABORT", SEQ_KIND_END, 0},
	{"PREPARE TRANSACTION 'tx1'", SEQ_KIND_END, 0},
	{"ROLLBACK TO SAVEPOINT s1", SEQ_KIND_OTHER, 0},
	{"COMMIT PREPARED 'tx1'", SEQ_KIND_OTHER, 0},
	{"UPDATE t SET a = $1 WHERE id = $2", SEQ_KIND_OTHER, 0},
	{"SELECT 1 FROM t; SELECT 2 FROM t", SEQ_KIND_OTHER, 0},
	{"SELEKT a FROM t", SEQ_KIND_OTHER, 0},
	{"", SEQ_KIND_OTHER, 0},
};

static void
test_classify(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int			width = -1;
		seq_kind	got = statement_traits_classify(cases[i].sql, &width);

		if (got != cases[i].kind)
			CU_FAIL(cases[i].sql);
		if (cases[i].kind == SEQ_KIND_SINGLE_INSERT)
			CU_ASSERT_EQUAL(width, cases[i].width);
	}
}

static int
count_keys(void *ctx, const char *key, size_t keylen, const char *value)
{
	int		   *n = ctx;

	(*n)++;
	return keylen == 4 && memcmp(key, "stop", 4) == 0;
}

static void
test_tree_text(void)
{
	const char *doc = "{\"a\": 1, \"b\\\"\": \"x\\\"y:\", \"c\": [true, {\"d\": null}, [], \"e\"], \"f\": {},"
		" \"g\": -1.5e3}";
	const char *key;
	size_t		keylen;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tree_text_first(doc, &key, &keylen));
	CU_ASSERT_EQUAL(keylen, 1);
	CU_ASSERT_EQUAL(key[0], 'a');
	/* a key with an escaped quote is one key; a value holding ':' is no key */
	CU_ASSERT_PTR_NULL(tree_text_member(doc, "y"));
	CU_ASSERT_EQUAL(tree_text_length(tree_text_member(doc, "c")), 4);
	CU_ASSERT_PTR_NOT_NULL(tree_text_member(tree_text_element(tree_text_member(doc, "c"), 1), "d"));
	CU_ASSERT_TRUE(tree_text_string_is(tree_text_element(tree_text_member(doc, "c"), 3), "e"));
	CU_ASSERT_FALSE(tree_text_string_is(tree_text_element(tree_text_member(doc, "c"), 3), "ee"));
	CU_ASSERT_EQUAL(tree_text_length(tree_text_element(tree_text_member(doc, "c"), 2)), 0);
	CU_ASSERT_PTR_NOT_NULL(tree_text_member(doc, "g"));
	CU_ASSERT_PTR_NULL(tree_text_element(tree_text_member(doc, "c"), 4));
	CU_ASSERT_PTR_NULL(tree_text_first(tree_text_member(doc, "f"), &key, &keylen));

	/* the members in one pass: a, b", c, f, g, and nothing after g */
	const char *v = tree_text_first(doc, &key, &keylen);
	char		keys[8] = "";

	for (int i = 0; v && i < 7; v = tree_text_next(v, &key, &keylen), i++)
		keys[i] = key[0];
	CU_ASSERT_STRING_EQUAL(keys, "abcfg");
	CU_ASSERT_PTR_NULL(tree_text_next(NULL, &key, &keylen));

	int			n = 0;

	tree_text_walk(doc, count_keys, &n);
	CU_ASSERT_EQUAL(n, 6);		/* a, b", c, d, f, g */
	n = 0;
	tree_text_walk("{\"x\": {\"stop\": 1, \"after\": 2}}", count_keys, &n);
	CU_ASSERT_EQUAL(n, 2);
	/* what is not JSON gives nothing, and nothing is read past its end */
	CU_ASSERT_PTR_NULL(tree_text_skip("{\"a\": [1, 2"));
	CU_ASSERT_PTR_NULL(tree_text_skip("\"open"));
	CU_ASSERT_PTR_NULL(tree_text_member("{\"a\" 1}", "a"));
	CU_ASSERT_PTR_NULL(tree_text_member("[1]", "a"));
	CU_ASSERT_EQUAL(tree_text_length("{}"), 0);
}

PGSIFT_TEST_SUITE(statement_traits_suite)
{
	CU_pSuite	s = CU_add_suite("src/statement_traits", NULL, NULL);

	CU_add_test(s, "statements classified for the sequence detectors", test_classify);
	CU_add_test(s, "reading the JSON tree as text", test_tree_text);
}
