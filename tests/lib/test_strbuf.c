/*-------------------------------------------------------------------------
 * test_strbuf.c
 *    The string builder: appends, growth, formatting, reset and detach.
 *-------------------------------------------------------------------------
 */
#include "src/lib/strbuf.h"
#include "tests/test_registry.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void
test_appends(void)
{
	strbuf		sb;

	strbuf_init(&sb);
	CU_ASSERT_STRING_EQUAL(sb.data, "");
	CU_ASSERT_EQUAL(sb.len, 0);
	strbuf_puts(&sb, "ab");
	strbuf_putc(&sb, 'c');
	strbuf_append(&sb, "d\0e", 3);
	CU_ASSERT_EQUAL(sb.len, 6);
	CU_ASSERT_EQUAL(memcmp(sb.data, "abcd\0e", 6), 0);
	CU_ASSERT_EQUAL(sb.data[6], '\0');
	strbuf_free(&sb);
}

/* Growth far past the first capacity keeps every byte, in order. */
static void
test_growth(void)
{
	strbuf		sb;

	strbuf_init(&sb);
	for (int i = 0; i < 20000; i++)
		strbuf_putc(&sb, (char) ('a' + i % 26));
	strbuf_printf(&sb, "|%05d|%s", 42, "end");
	CU_ASSERT_EQUAL(sb.len, 20000 + 10);
	CU_ASSERT(sb.cap > sb.len);
	CU_ASSERT_EQUAL(sb.data[0], 'a');
	CU_ASSERT_EQUAL(sb.data[19999], 'a' + 19999 % 26);
	CU_ASSERT_STRING_EQUAL(sb.data + 20000, "|00042|end");
	strbuf_free(&sb);
}

static char *
format(const char *fmt,...) __attribute__((format(printf, 1, 2)));

static char *
format(const char *fmt,...)
{
	va_list		ap;
	char	   *s;

	va_start(ap, fmt);
	s = strbuf_vformat(fmt, ap);
	va_end(ap);
	return s;
}

static void
test_format_reset_detach(void)
{
	strbuf		sb;
	char	   *s = format("%s-%d-%.2f", "x", -7, 1.5);
	char	   *big = format("%5000d", 1);

	CU_ASSERT_STRING_EQUAL(s, "x--7-1.50");
	CU_ASSERT_EQUAL(strlen(big), 5000);
	free(s);
	free(big);

	strbuf_init(&sb);
	strbuf_puts(&sb, "something long enough to grow the buffer past its start");
	size_t		cap = sb.cap;

	strbuf_reset(&sb);
	CU_ASSERT_STRING_EQUAL(sb.data, "");
	CU_ASSERT_EQUAL(sb.cap, cap);
	strbuf_puts(&sb, "kept");
	s = strbuf_detach(&sb);
	CU_ASSERT_STRING_EQUAL(s, "kept");
	/* the buffer is the caller's now; the builder starts again from init */
	CU_ASSERT_PTR_NULL(sb.data);
	strbuf_init(&sb);
	strbuf_puts(&sb, "again");
	CU_ASSERT_STRING_EQUAL(sb.data, "again");
	free(s);
	strbuf_free(&sb);
}

PGSIFT_TEST_SUITE(add_strbuf_suite)
{
	CU_pSuite	s = CU_add_suite("lib/strbuf", NULL, NULL);

	CU_add_test(s, "appends, with NUL bytes", test_appends);
	CU_add_test(s, "growth keeps every byte", test_growth);
	CU_add_test(s, "format, reset and detach", test_format_reset_detach);
}
