/*-------------------------------------------------------------------------
 * test_json_out.c
 *    Tests of the JSON output helpers: text that is not UTF-8, figures.
 *-------------------------------------------------------------------------
 */
#include "src/lib/json_out.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/* json_write gives json_dumps's bytes, past its buffer too, and -1 on a full device. */
static void
test_write(void)
{
	json_t	   *doc = json_array();
	char	   *expected,
			   *got = NULL;
	size_t		got_len = 0;
	FILE	   *out = open_memstream(&got, &got_len);
	FILE	   *full = fopen("/dev/full", "w");

	for (int i = 0; i < 5000; i++)
		json_array_append_new(doc, json_pack("{s:i, s:s, s:f}", "i", i, "text", "a \"quoted\" value", "x", i / 7.0));
	/* one string longer than the 64 KiB buffer */
	char	   *long_text = calloc(100000, 1);

	memset(long_text, 'y', 99999);
	json_array_append_new(doc, json_string(long_text));
	expected = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(json_write(out, doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
	fclose(out);
	CU_ASSERT_FATAL(strlen(expected) > 200000);
	CU_ASSERT_EQUAL(got_len, strlen(expected));
	CU_ASSERT(got && memcmp(got, expected, got_len) == 0);
	if (full)
	{
		setvbuf(full, NULL, _IONBF, 0);
		CU_ASSERT_EQUAL(json_write(full, doc, JSON_INDENT(2)), -1);
		fclose(full);
	}
	free(long_text);
	free(expected);
	free(got);
	json_decref(doc);
}

PGSIFT_TEST_SUITE(json_out_suite)
{
	CU_pSuite	s = CU_add_suite("src/json_out", NULL, NULL);

	CU_add_test(s, "text that is not UTF-8", test_text);
	CU_add_test(s, "milliseconds", test_ms);
	CU_add_test(s, "json_write", test_write);
}
