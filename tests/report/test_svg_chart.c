/*-------------------------------------------------------------------------
 * test_svg_chart.c
 *    The HTML report's charts (src/report/svg_chart.c): the same figures
 *    give the same bytes, coordinates carry one decimal at most, the time
 *    axis is labelled in the zone it is given (never the machine's), and
 *    every bucket has its tooltip.
 *
 * The expected labels are computed here by hand from the series' start
 * and zone: 05:00 UTC is 06:00 at UTC+01:00 and 02:00 at UTC-03:00.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_record.h"
#include "src/report/svg_chart.h"
#include "tests/test_registry.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define T0500 INT64_C(1704171600000)	/* 2024-01-02 05:00:00 UTC */
#define HOUR INT64_C(3600000)

static const double values[] = {3, 7.25, 0, NAN, 12.5, 1.0 / 3.0};

static char *
time_chart(svg_mark mark, int32_t zone, int n, int64_t bucket_ms)
{
	svg_time_series s = {
		.title = "Statements <per> second", .unit = "statements/s", .mark = mark,
		.start_ms = T0500, .bucket_ms = bucket_ms, .n = n, .values = values, .utc_offset_min = zone,
	};
	strbuf		sb;

	strbuf_init(&sb);
	svg_time_chart(&sb, &s);
	return strbuf_detach(&sb);
}

/* How many times needle occurs in s. */
static int
count(const char *s, const char *needle)
{
	int			n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Whether a number with two decimals or more appears in an attribute or path of s. */
static int
has_long_decimal(const char *svg)
{
	regex_t		re;
	int			found;

	CU_ASSERT_EQUAL_FATAL(regcomp(&re, "(x|y|x1|x2|y1|y2|width|height|d)=\"[^\"]*[0-9]\\.[0-9][0-9]", REG_EXTENDED), 0);
	found = regexec(&re, svg, 0, NULL, 0) == 0;
	regfree(&re);
	return found;
}

static void
test_deterministic(void)
{
	for (int mark = SVG_BARS; mark <= SVG_LINE; mark++)
	{
		char	   *a = time_chart((svg_mark) mark, 60, 6, HOUR);
		char	   *b = time_chart((svg_mark) mark, 60, 6, HOUR);

		CU_ASSERT_STRING_EQUAL(a, b);
		CU_ASSERT_FALSE(has_long_decimal(a));
		CU_ASSERT_PTR_NULL(strstr(a, "-0.0"));
		CU_ASSERT_PTR_NULL(strstr(a, "nan"));
		CU_ASSERT_PTR_NULL(strstr(a, "inf"));
		CU_ASSERT_PTR_NOT_NULL(strstr(a, "<svg class=\"chart\""));
		/* the title escaped, in the accessible name and the text */
		CU_ASSERT_EQUAL(count(a, "Statements &lt;per&gt; second"), 3);
		CU_ASSERT_PTR_NULL(strstr(a, "<per>"));
		/* one tooltip per bucket, the missing one said */
		CU_ASSERT_EQUAL(count(a, "<rect class=\"hit\""), 6);
		CU_ASSERT_EQUAL(count(a, ": no data</title>"), 1);
		free(a);
		free(b);
	}
}

/* The tick labels of a chart, in order, joined by '|'. */
static void
ticks(const char *svg, char *out, size_t size)
{
	const char *p = svg;

	out[0] = '\0';
	while ((p = strstr(p, "<text class=\"tick\"")) != NULL)
	{
		const char *gt = strchr(p, '>');
		const char *end = strstr(gt, "</text>");
		size_t		len = strlen(out);

		snprintf(out + len, size - len, "%s%.*s", len ? "|" : "", (int) (end - gt - 1), gt + 1);
		p = end;
	}
}

static void
test_zone_labels(void)
{
	char	   *plus = time_chart(SVG_BARS, 60, 4, HOUR);
	char	   *minus = time_chart(SVG_BARS, -180, 4, HOUR);
	char	   *utc = time_chart(SVG_BARS, LOG_UTC_OFFSET_UNKNOWN, 4, HOUR);
	char		t[512];

	/* y ticks first (0 to 10 for a maximum of 7.25), then the hours of the zone */
	ticks(plus, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "0|2|4|6|8|06:00|07:00|08:00|09:00|10:00");
	ticks(minus, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "0|2|4|6|8|02:00|03:00|04:00|05:00|06:00");
	ticks(utc, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "0|2|4|6|8|05:00|06:00|07:00|08:00|09:00");
	CU_ASSERT_PTR_NOT_NULL(strstr(plus, "time (UTC+01:00)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(minus, "time (UTC-03:00)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(utc, "time (UTC)"));
	/* tooltips in the zone too */
	CU_ASSERT_PTR_NOT_NULL(strstr(plus, "<title>2024-01-02 06:00 to 07:00 UTC+01:00: 3 statements/s</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(minus, "<title>2024-01-02 02:00 to 03:00 UTC-03:00: 3 statements/s</title>"));
	free(plus);
	free(minus);
	free(utc);
}

static void
test_day_labels(void)
{
	/*
	 * six buckets of 12 hours from 06:00 local (05:00 UTC at UTC+01:00):
	 * ticks every 12 hours of the zone, the date where it changes
	 */
	char	   *c = time_chart(SVG_LINE, 60, 6, 12 * HOUR);
	char		t[512];

	ticks(c, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "0|5|10|15|01-02 12:00|01-03 00:00|12:00|01-04 00:00|12:00|01-05 00:00");
	CU_ASSERT_PTR_NOT_NULL(strstr(c, "<path class=\"line\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(c, "<path class=\"area\""));
	free(c);
}

static void
test_zone_names(void)
{
	char		buf[32];

	CU_ASSERT_STRING_EQUAL(svg_zone_name(0, buf), "UTC");
	CU_ASSERT_STRING_EQUAL(svg_zone_name(LOG_UTC_OFFSET_UNKNOWN, buf), "UTC");
	CU_ASSERT_STRING_EQUAL(svg_zone_name(60, buf), "UTC+01:00");
	CU_ASSERT_STRING_EQUAL(svg_zone_name(345, buf), "UTC+05:45");
	CU_ASSERT_STRING_EQUAL(svg_zone_name(-570, buf), "UTC-09:30");
	CU_ASSERT_STRING_EQUAL(svg_local_time(T0500 + 123, 345, SVG_TIME_MILLI, buf), "2024-01-02 10:45:00.123");
	CU_ASSERT_STRING_EQUAL(svg_local_time(T0500, -300, SVG_TIME_MINUTE, buf), "2024-01-02 00:00");
	CU_ASSERT_STRING_EQUAL(svg_local_time(T0500, -301, SVG_TIME_MINUTE, buf), "2024-01-01 23:59");
}

static void
test_histogram_and_sparkline(void)
{
	static const uint64_t counts[] = {1, 0, 30, 5};
	static const char *const edges[] = {"1 ms", NULL, "10 ms", NULL, "100 ms"};
	static const char *const ranges[] = {"a", "b", "c <d>", "e"};
	svg_histogram h = {.title = "By duration", .unit = "statements", .n = 4, .counts = counts,
	.edges = edges, .ranges = ranges};
	strbuf		sb;

	strbuf_init(&sb);
	svg_histogram_chart(&sb, &h);
	CU_ASSERT_EQUAL(count(sb.data, "<rect class=\"bar\""), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, "<title>c &lt;d&gt;: 30 statements (83.3%)</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, ">10 ms</text>"));
	CU_ASSERT_FALSE(has_long_decimal(sb.data));
	strbuf_reset(&sb);
	svg_sparkline(&sb, values, 6, "rate");
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, "<svg class=\"spark\""));
	CU_ASSERT_EQUAL(count(sb.data, " L"), 5);
	CU_ASSERT_FALSE(has_long_decimal(sb.data));
	strbuf_free(&sb);
}

PGSIFT_TEST_SUITE(svg_chart_suite)
{
	CU_pSuite	s = CU_add_suite("report/svg_chart", NULL, NULL);

	CU_add_test(s, "same figures, same bytes", test_deterministic);
	CU_add_test(s, "time labels in the given zone", test_zone_labels);
	CU_add_test(s, "day labels", test_day_labels);
	CU_add_test(s, "zone names and local times", test_zone_names);
	CU_add_test(s, "histogram and sparkline", test_histogram_and_sparkline);
}
