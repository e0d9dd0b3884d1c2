/*-------------------------------------------------------------------------
 * test_params.c
 *    param_list_parse on the DETAIL text of logged bind parameters.
 *
 * Values are quoted with doubled quotes, may hold newlines, commas and
 * text that looks like the next parameter; NULL is unquoted; anything
 * else is not a parameter list.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_event.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <string.h>

static void
test_basic(void)
{
	param_list	pl;

	CU_ASSERT_EQUAL_FATAL(param_list_parse("$1 = '1', $2 = 'it''s', $3 = NULL, $4 = 'multi\nline'",
										   &pl), 0);
	CU_ASSERT_EQUAL_FATAL(pl.count, 4);
	CU_ASSERT_STRING_EQUAL(pl.values[0], "1");
	CU_ASSERT_STRING_EQUAL(pl.values[1], "it's");
	CU_ASSERT_PTR_NULL(pl.values[2]);
	CU_ASSERT_STRING_EQUAL(pl.values[3], "multi\nline");
	param_list_free(&pl);
	CU_ASSERT_EQUAL(pl.count, 0);
	CU_ASSERT_PTR_NULL(pl.values);
}

static void
test_tricky_values(void)
{
	param_list	pl;

	/* what looks like the next parameter is inside the quotes */
	CU_ASSERT_EQUAL_FATAL(param_list_parse("$1 = 'a'', $2 = ''b', $2 = 'c, d'", &pl), 0);
	CU_ASSERT_EQUAL_FATAL(pl.count, 2);
	CU_ASSERT_STRING_EQUAL(pl.values[0], "a', $2 = 'b");
	CU_ASSERT_STRING_EQUAL(pl.values[1], "c, d");
	param_list_free(&pl);

	/* empty, all quotes, the word NULL quoted, a truncated value */
	CU_ASSERT_EQUAL_FATAL(param_list_parse("$1 = '', $2 = '''''', $3 = 'NULL', $4 = 'abc...'",
										   &pl), 0);
	CU_ASSERT_EQUAL_FATAL(pl.count, 4);
	CU_ASSERT_STRING_EQUAL(pl.values[0], "");
	CU_ASSERT_STRING_EQUAL(pl.values[1], "''");
	CU_ASSERT_STRING_EQUAL(pl.values[2], "NULL");
	CU_ASSERT_STRING_EQUAL(pl.values[3], "abc...");
	param_list_free(&pl);

	/* the DETAIL's own prefix, and a trailing newline, are accepted */
	CU_ASSERT_EQUAL_FATAL(param_list_parse("parameters: $1 = NULL\n", &pl), 0);
	CU_ASSERT_EQUAL(pl.count, 1);
	CU_ASSERT_PTR_NULL(pl.values[0]);
	param_list_free(&pl);
}

static void
test_many(void)
{
	char		text[1024];
	size_t		len = 0;
	param_list	pl;

	for (int i = 1; i <= 12; i++)
		len += (size_t) snprintf(text + len, sizeof(text) - len, "%s$%d = 'v%d'",
								 i > 1 ? ", " : "", i, i);
	CU_ASSERT_EQUAL_FATAL(param_list_parse(text, &pl), 0);
	CU_ASSERT_EQUAL_FATAL(pl.count, 12);
	CU_ASSERT_STRING_EQUAL(pl.values[9], "v10");
	CU_ASSERT_STRING_EQUAL(pl.values[11], "v12");
	param_list_free(&pl);
}

static void
test_not_a_list(void)
{
	static const char *const bad[] = {
		"",
		"prepare: SELECT 1",
		"$1 = 'unterminated",
		"$2 = '1'",				/* does not start at $1 */
		"$1 = '1', $3 = '3'",	/* skips $2 */
		"$1 = 1",				/* unquoted */
		"$1 = 'a' and more",
		"$1 = 'a',$2 = 'b'",
		"$1 = 'a', ",
		"$1 = NULLX",
		"$ = 'a'",
		"$1='a'",
	};
	param_list	pl;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		pl.count = 99;
		pl.values = (char **) bad;
		CU_ASSERT_EQUAL(param_list_parse(bad[i], &pl), -1);
		CU_ASSERT_EQUAL(pl.count, 0);
		CU_ASSERT_PTR_NULL(pl.values);
	}
	CU_ASSERT_EQUAL(param_list_parse(NULL, &pl), -1);
	param_list_free(NULL);
}

PGSIFT_TEST_SUITE(params_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/params", NULL, NULL);

	CU_add_test(s, "quotes, NULL, newlines", test_basic);
	CU_add_test(s, "values that look like separators", test_tricky_values);
	CU_add_test(s, "more than nine parameters", test_many);
	CU_add_test(s, "texts that are not parameter lists", test_not_a_list);
}
