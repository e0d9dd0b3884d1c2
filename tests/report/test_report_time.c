/*-------------------------------------------------------------------------
 * test_report_time.c
 *    The reports' timestamps (report_format_ts): the same text as
 *    gmtime_r + strftime give, which it replaces, from 1970 back and
 *    forth across leap days, centuries and negative times.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include "src/report/report.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* What report_format_ts gave before: the C library's formatting. */
static void
libc_format(int64_t ts_ms, char buf[64])
{
	int64_t		secs = ts_ms >= 0 ? ts_ms / 1000 : (ts_ms - 999) / 1000;
	time_t		t = (time_t) secs;
	struct tm	tm;
	size_t		n;

	gmtime_r(&t, &tm);
	n = strftime(buf, 64, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 64 - n, ".%03dZ", (int) (ts_ms - secs * 1000));
}

static void
expect_same(int64_t ts_ms)
{
	char		mine[32],
				libc[64];

	report_format_ts(ts_ms, mine);
	libc_format(ts_ms, libc);
	CU_ASSERT_STRING_EQUAL(mine, libc);
	if (strcmp(mine, libc) != 0)
		fprintf(stderr, "\n  %lld: %s, libc %s\n", (long long) ts_ms, mine, libc);
}

static void
test_known_times(void)
{
	char		buf[32];

	report_format_ts(0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "1970-01-01T00:00:00.000Z");
	report_format_ts(951782400123LL, buf);	/* a leap day of a century year */
	CU_ASSERT_STRING_EQUAL(buf, "2000-02-29T00:00:00.123Z");
	report_format_ts(-1, buf);
	CU_ASSERT_STRING_EQUAL(buf, "1969-12-31T23:59:59.999Z");
	report_format_ts(LOG_TS_UNKNOWN, buf);
	CU_ASSERT_STRING_EQUAL(buf, "");
}

static void
test_same_as_libc(void)
{
	/* every day from 1899 to 2101 at a varying time of day, and some ms */
	for (int64_t day = -25568; day < 48000; day++)
		expect_same(day * 86400000LL + (day * 7919 % 86400) * 1000 + (day % 1000 + 1000) % 1000);
	for (int64_t ms = -5000; ms < 5000; ms += 7)
		expect_same(ms);
	/* a year past 9999 takes the library's way */
	expect_same(253402300800000LL);
}

PGSIFT_TEST_SUITE(report_time_suite)
{
	CU_pSuite	s = CU_add_suite("src/report/report_format_ts", NULL, NULL);

	CU_add_test(s, "known times", test_known_times);
	CU_add_test(s, "the same text as gmtime_r and strftime", test_same_as_libc);
}
