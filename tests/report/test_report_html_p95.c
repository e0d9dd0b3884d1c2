/*-------------------------------------------------------------------------
 * test_report_html_p95.c
 *    The p95 per bucket of the HTML report's "Activity over time"
 *    (report_html_activity.c): a generated log of two minutes of very
 *    different latencies, a minute without a timed statement and one
 *    without any record, and the chart's values checked against the exact
 *    p95 of the durations written and against the model's histograms.
 *-------------------------------------------------------------------------
 */
#include "tests/report/html_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPER 200
#define CHART_LABEL "aria-label=\"Statement duration, p95 (ms)\""

/* Duration i of minute m: 1 to 3 ms in the first, 40 to 140 ms in the second, shuffled. */
static double
duration_of(int m, int i)
{
	return m == 0 ? 1.0 + (i * 37 % NPER) / 100.0 : 40.0 + (i * 53 % NPER) * 0.5;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* The nearest-rank p95 of minute m's durations. */
static double
exact_p95(int m)
{
	double		d[NPER];

	for (int i = 0; i < NPER; i++)
		d[i] = duration_of(m, i);
	qsort(d, NPER, sizeof(double), cmp_double);
	return d[(int) ceil(0.95 * NPER) - 1];
}

/* 10:00 and 10:01 with statements, 10:02 with nothing, 10:03 with an error only. */
static const char *
write_log(void)
{
	size_t		cap = 2 * NPER * 120 + 256,
				len = 0;
	char	   *text = malloc(cap);
	const char *path;

	for (int m = 0; m < 2; m++)
		for (int i = 0; i < NPER; i++)
			len += (size_t) snprintf(text + len, cap - len,
									 "2026-03-02 10:%02d:%02d.%03d UTC [%d] LOG:  duration: %.3f ms  "
									 "statement: SELECT %d FROM t\n",
									 m, i * 60 / NPER, i % 1000, 500 + i % 7, duration_of(m, i), i);
	snprintf(text + len, cap - len,
			 "2026-03-02 10:03:30.000 UTC [600] ERROR:  relation \"nowhere\" does not exist at character 15\n");
	path = test_write_file("p95-two-minutes.log", text);
	free(text);
	return path;
}

static void
test_p95_per_bucket(void)
{
	html_run	r;
	char	   *html,
			   *section,
			   *chart;
	const char *p;
	size_t		n;
	minute_stats *m;
	double		got[4];
	int			have[4],
				nb = 0;

	html_run_open(&r, write_log());
	html = html_run_render(&r);
	section = html_test_section(html, "over-time");
	CU_ASSERT_PTR_NOT_NULL_FATAL(section);
	/* labelled like the other charts: an svg chart with tick labels, in the log's zone */
	chart = html_test_between(section, CHART_LABEL, "</svg>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(chart);
	CU_ASSERT_PTR_NOT_NULL(strstr(section, "<svg class=\"chart\" viewBox=\"0 0 720 200\" width=\"720\" "
								  "height=\"200\" role=\"img\" " CHART_LABEL));
	CU_ASSERT(html_test_count(chart, "<text class=\"tick\"") >= 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(chart, "time (UTC)"));
	/* one bucket per minute: 10:00 to 10:04; the two without timed statements draw nothing */
	CU_ASSERT_EQUAL(html_test_count(chart, "<rect class=\"hit\""), 4);
	CU_ASSERT_EQUAL(html_test_count(chart, "<rect class=\"bar\""), 2);
	CU_ASSERT_EQUAL(html_test_count(chart, "UTC: no data</title>"), 2);
	for (p = chart; nb < 4 && (p = strstr(p, "<rect class=\"hit\"")) != NULL; p++, nb++)
	{
		const char *v = strstr(p, " UTC: ");

		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		have[nb] = strncmp(v + 6, "no data", 7) != 0;
		got[nb] = have[nb] ? strtod(v + 6, NULL) : NAN;
	}
	CU_ASSERT_EQUAL_FATAL(nb, 4);
	CU_ASSERT(have[0] && have[1] && !have[2] && !have[3]);
	/* the second minute is slower, and each p95 is within one histogram bucket's ratio of the exact one */
	CU_ASSERT(got[1] > 10 * got[0]);
	for (int b = 0; b < 2; b++)
	{
		double		exact = exact_p95(b),
					half = sqrt(MINUTE_LATENCY_RATIO) * 1.001;	/* and the tooltip's 4 digits */

		CU_ASSERT(got[b] / half <= exact && exact <= got[b] * half);
	}
	/* the values are the model's: each minute's histogram, its 95th percentile */
	m = workload_minutes(r.w, &n);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	for (int b = 0; b < 2; b++)
	{
		char		want[64],
					tip[64];

		CU_ASSERT_EQUAL(minute_latency_count(&m[b].latency), NPER);
		snprintf(want, sizeof(want), "%.4g ms</title>", minute_latency_quantile(&m[b].latency, 0.95));
		snprintf(tip, sizeof(tip), "%.4g ms</title>", got[b]);
		ASSERT_STR(tip, want);
		CU_ASSERT_PTR_NOT_NULL(strstr(chart, want));
	}
	free(chart);
	free(section);
	free(html);
	html_run_close(&r);
}

PGSIFT_TEST_SUITE(report_html_p95_suite)
{
	CU_pSuite	s = CU_add_suite("src/report/report_html_p95", NULL, NULL);

	CU_add_test(s, "p95 per bucket from the minutes' histograms", test_p95_per_bucket);
}
