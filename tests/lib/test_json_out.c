/*-------------------------------------------------------------------------
 * test_json_out.c
 *    Tests of the JSON output helpers: text that is not UTF-8, figures.
 *-------------------------------------------------------------------------
 */
#include "src/lib/json_out.h"
#include "tests/test_registry.h"

#include <math.h>
#include <string.h>

static void
assert_text(const char *in, const char *want)
{
	json_t	   *j = json_text(in);

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	ASSERT_STR(json_string_value(j), want);
	json_decref(j);
}

static void
test_text(void)
{
	assert_text("plain", "plain");
	assert_text("caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80");	/* valid: kept */
	assert_text("caf\xe9!", "caf\xef\xbf\xbd!");	/* a Latin-1 byte */
	assert_text("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");	/* overlong '/' */
	assert_text("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");	/* a surrogate */
	assert_text("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");	/* past U+10FFFF */
	assert_text("\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd");	/* cut short */

	json_t	   *n = json_text_or_null(NULL);

	CU_ASSERT_TRUE(json_is_null(n));
	json_decref(n);
}

static void
test_ms(void)
{
	json_t	   *j = json_ms(1.23456789);

	CU_ASSERT_DOUBLE_EQUAL(json_real_value(j), 1.235, 1e-12);
	json_decref(j);
	j = json_ms(NAN);
	CU_ASSERT_TRUE(json_is_null(j));
	json_decref(j);
	j = json_ms(INFINITY);
	CU_ASSERT_TRUE(json_is_null(j));
	json_decref(j);
}

PGSIFT_TEST_SUITE(json_out_suite)
{
	CU_pSuite	s = CU_add_suite("src/json_out", NULL, NULL);

	CU_add_test(s, "text that is not UTF-8", test_text);
	CU_add_test(s, "milliseconds", test_ms);
}
