/*-------------------------------------------------------------------------
 * test_html_escape.c
 *    The HTML report's escaping (src/report/html_escape.c): markup
 *    characters, invalid UTF-8 and control characters in element content
 *    and attributes, and JSON inside a <script type="application/json">.
 *
 * Expected strings are written out by hand from the HTML and UTF-8
 * rules, not produced by the code under test.
 *-------------------------------------------------------------------------
 */
#include "src/report/html_escape.h"
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define FFFD "\xEF\xBF\xBD"

/* html_escape_n of len bytes at s, as a malloc'd string. */
static char *
escaped_n(const char *s, size_t len)
{
	strbuf		sb;

	strbuf_init(&sb);
	html_escape_n(&sb, s, len);
	return strbuf_detach(&sb);
}

static void
check(const char *in, const char *want)
{
	char	   *got = escaped_n(in, strlen(in));

	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nhtml_escape(\"%s\") = \"%s\", want \"%s\"\n", in, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void
test_markup(void)
{
	check("", "");
	check("SELECT 1", "SELECT 1");
	check("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d");
	check("</script><img src=x onerror=alert(1)>", "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
	check("\"'><svg onload=alert(1)>", "&quot;&#39;&gt;&lt;svg onload=alert(1)&gt;");
	check("-->", "--&gt;");
	check("&amp;", "&amp;amp;");
	/* line breaks and tabs are text; a NULL adds nothing */
	check("a\n\tb", "a\n\tb");
	{
		strbuf		sb;

		strbuf_init(&sb);
		html_escape(&sb, NULL);
		CU_ASSERT_EQUAL(sb.len, 0);
		strbuf_free(&sb);
	}
}

static void
test_utf8(void)
{
	/* valid characters of 2, 3 and 4 bytes pass */
	check("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x90\x98", "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x90\x98");
	/* a byte that starts nothing, a lone continuation byte */
	check("a\xFF" "b\x80" "c", "a" FFFD "b" FFFD "c");
	/* overlong '/' (C0 AF) and overlong NUL: each byte replaced */
	check("\xC0\xAF", FFFD FFFD);
	check("\xE0\x80\xAF", FFFD FFFD FFFD);
	/* a surrogate (U+D800) and a code point past U+10FFFF */
	check("\xED\xA0\x80", FFFD FFFD FFFD);
	check("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	/* cut short at the end */
	check("x\xE2\x82", "x" FFFD FFFD);
	/* U+2028 is valid UTF-8 and harmless in HTML text */
	check("a\xE2\x80\xA8" "b", "a\xE2\x80\xA8" "b");
}

static void
test_controls(void)
{
	/* C0 (but \n and \t), DEL and C1 (U+0085, U+009B) */
	check("a\x01" "b\x1B[31mc\rd\x7F" "e", "a" FFFD "b" FFFD "[31mc" FFFD "d" FFFD "e");
	check("\xC2\x85\xC2\x9B\xC2\xA0", FFFD FFFD "\xC2\xA0");
	{
		/* a NUL inside a counted text */
		char	   *got = escaped_n("a\0b", 3);

		CU_ASSERT_STRING_EQUAL(got, "a" FFFD "b");
		free(got);
	}
}

/* html_json_escape of the JSON text of value; checks it parses back to value. */
static void
check_json(json_t *value, const char *want)
{
	char	   *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
	strbuf		sb;
	json_t	   *back;

	strbuf_init(&sb);
	html_json_escape(&sb, text);
	if (want)
		CU_ASSERT_STRING_EQUAL(sb.data, want);
	CU_ASSERT_PTR_NULL(strchr(sb.data, '<'));
	CU_ASSERT_PTR_NULL(strchr(sb.data, '>'));
	CU_ASSERT_PTR_NULL(strchr(sb.data, '&'));
	CU_ASSERT_PTR_NULL(strstr(sb.data, "\xE2\x80\xA8"));
	CU_ASSERT_PTR_NULL(strstr(sb.data, "\xE2\x80\xA9"));
	back = json_loads(sb.data, JSON_DECODE_ANY, NULL);
	CU_ASSERT_PTR_NOT_NULL(back);
	CU_ASSERT_TRUE(json_equal(back, value));
	json_decref(back);
	free(text);
	strbuf_free(&sb);
}

static void
test_json(void)
{
	json_t	   *v;

	v = json_string("</script><!-- a & b -->");
	check_json(v, "\"\\u003c/script\\u003e\\u003c!-- a \\u0026 b --\\u003e\"");
	json_decref(v);
	v = json_string("line\xE2\x80\xA8sep\xE2\x80\xA9para");
	check_json(v, "\"line\\u2028sep\\u2029para\"");
	json_decref(v);
	v = json_pack("{s:s, s:[i, s]}", "q", "SELECT '<b>'", "x", 1, "\xC3\xA9");
	check_json(v, NULL);
	json_decref(v);
	{
		/* invalid UTF-8 in the text (jansson never writes it): replaced */
		strbuf		sb;

		strbuf_init(&sb);
		html_json_escape(&sb, "\"a\xFF\"");
		CU_ASSERT_STRING_EQUAL(sb.data, "\"a" FFFD "\"");
		strbuf_free(&sb);
	}
}

PGSIFT_TEST_SUITE(html_escape_suite)
{
	CU_pSuite	s = CU_add_suite("report/html_escape", NULL, NULL);

	CU_add_test(s, "markup characters", test_markup);
	CU_add_test(s, "invalid UTF-8 replaced", test_utf8);
	CU_add_test(s, "control characters replaced", test_controls);
	CU_add_test(s, "JSON in a script data block", test_json);
}
