/*-------------------------------------------------------------------------
 * test_json_out.c
 *    Tests of the JSON output helpers: text that is not UTF-8, figures.
 *-------------------------------------------------------------------------
 */
#include "src/lib/json_out.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdint.h>
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

/* What json_write_indented writes of v: json_dumps's bytes, every line after the first `indent` deeper. */
static char *
jansson_bytes(const json_t *v, size_t flags, int indent)
{
	char	   *dump = json_dumps(v, flags);
	size_t		n = strlen(dump),
				lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += dump[i] == '\n';

	char	   *out = malloc(n + lines * (size_t) indent + 1),
			   *o = out;

	for (size_t i = 0; i < n; i++)
	{
		*o++ = dump[i];
		if (dump[i] == '\n')
			for (int k = 0; k < indent; k++)
				*o++ = ' ';
	}
	*o = '\0';
	free(dump);
	return out;
}

static void
assert_like_jansson(const json_t *v, size_t flags, int indent)
{
	char	   *expected = jansson_bytes(v, flags, indent),
			   *got = NULL;
	size_t		got_len = 0;
	FILE	   *out = open_memstream(&got, &got_len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(json_write_indented(out, v, flags, indent), 0);
	fclose(out);
	CU_ASSERT_EQUAL(got_len, strlen(expected));
	if (got_len != strlen(expected) || memcmp(got, expected, got_len) != 0)
	{
		size_t		at = 0;

		while (at < got_len && got[at] == expected[at])
			at++;
		fprintf(stderr, "\nflags %#zx indent %d: differs at byte %zu: \"%.40s\" against jansson's \"%.40s\"\n",
				flags, indent, at, got + at, expected + at);
		CU_FAIL("bytes differ from jansson's");
	}
	free(expected);
	free(got);
}

/*
 * json_write_indented writes the reports' flags itself: the same bytes as
 * jansson for every kind of value, reals of every magnitude (the
 * thousandths of json_ms and any other), every control character,
 * quotes, backslashes and UTF-8, empty and nested containers.
 */
static void
test_own_writer_like_jansson(void)
{
	json_t	   *doc = json_object();
	json_t	   *reals = json_array(),
			   *strings = json_array(),
			   *nested = json_array();
	static const double fixed[] = {0.0, -0.0, 1.0, -1.0, 0.001, 0.05, 0.5, 7736.939, 999999999.999, 1e9, 1e9 + 0.5,
		123456789012.0, 1e15, 1e16, 1e17, 1e21, 1e100, 1e300, 1e-3, 1e-4, 1e-5, 1e-7, 1e-300, 4.9e-324,
		2.2250738585072014e-308, 0.1, 0.2, 0.30000000000000004, 1.0 / 3.0, 2.0 / 3.0, 100.0, 1234.5, -0.001,
	-999999999.999, 12345678.9};
	uint64_t	state = 0x9E3779B97F4A7C15ULL;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
	{
		json_array_append_new(reals, json_real(fixed[i]));
		json_array_append_new(reals, json_ms(fixed[i]));
	}
	for (int i = 0; i < 20000; i++)
	{
		state ^= state << 13, state ^= state >> 7, state ^= state << 17;

		/* magnitudes from 10^-6 to 10^12, and a sign */
		double		v = (double) (state >> 11) / 9007199254740992.0 * pow(10.0, (double) (state % 19) - 6.0);

		if (state & 0x100000)
			v = -v;
		json_array_append_new(reals, json_ms(v));
		json_array_append_new(reals, json_real(v));
		json_array_append_new(reals, json_integer((json_int_t) (state >> 1) * ((state & 2) ? -1 : 1)));
	}
	char		controls[40];

	for (int c = 1; c < 32; c++)
		controls[c - 1] = (char) c;
	memcpy(controls + 31, "\"\\/\x7f", 5);
	json_array_append_new(strings, json_stringn(controls, 36));
	json_array_append_new(strings, json_stringn("nul \0 inside", 13));
	json_array_append_new(strings, json_string(""));
	json_array_append_new(strings, json_string("caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8 SELECT \"t\".\"id\" FROM \"t\" WHERE a = 'x'"));
	/* strings with escapes: past the size written in one go, and many across the buffer's end */
	char	   *mixed = malloc(30001);

	for (int i = 0; i < 30000; i++)
		mixed[i] = "ab\"c\\\n\x01" "def"[i % 10];
	mixed[30000] = '\0';
	json_array_append_new(strings, json_string(mixed));
	for (int i = 0; i < 3000; i++)
		json_array_append_new(strings, json_stringn(mixed + i % 10, (size_t) (i % 97)));
	free(mixed);
	json_array_append_new(nested, json_object());
	json_array_append_new(nested, json_array());
	json_array_append_new(nested, json_pack("{s:{s:[i,{},[]]}, s:n, s:b, s:b}", "a", "b", 1, "null", "yes", 1, "no", 0));
	json_object_set_new(doc, "reals", reals);
	json_object_set_new(doc, "strings", strings);
	json_object_set_new(doc, "nested", nested);
	json_object_set_new(doc, "empty", json_object());
	json_object_set_new(doc, "key \"with\" \\ escapes\n", json_true());

	for (int indent = 0; indent <= 4; indent += 2)
	{
		assert_like_jansson(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12), indent);
		assert_like_jansson(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER, indent);
		assert_like_jansson(doc, JSON_INDENT(4) | JSON_REAL_PRECISION(12), indent);
		assert_like_jansson(doc, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(5), indent);
	}
	/* a scalar needs JSON_ENCODE_ANY, as with jansson */
	json_t	   *scalar = json_real(2.5);

	assert_like_jansson(scalar, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(12), 2);

	FILE	   *sink = fopen("/dev/null", "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(sink);
	CU_ASSERT_EQUAL(json_write(sink, scalar, JSON_INDENT(2)), -1);
	fclose(sink);
	json_decref(scalar);
	json_decref(doc);
}

PGSIFT_TEST_SUITE(json_out_suite)
{
	CU_pSuite	s = CU_add_suite("src/json_out", NULL, NULL);

	CU_add_test(s, "text that is not UTF-8", test_text);
	CU_add_test(s, "milliseconds", test_ms);
	CU_add_test(s, "json_write", test_write);
	CU_add_test(s, "the reports' own writer gives jansson's bytes", test_own_writer_like_jansson);
}
