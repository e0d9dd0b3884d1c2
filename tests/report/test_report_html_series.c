/*-------------------------------------------------------------------------
 * test_report_html_series.c
 *    Each listed query's calls over time in the HTML report (its sparkline,
 *    src/model/query_series.c), kept by the store; and the bounded table's
 *    "other" row under the query table.  A generated 12-hour log: two
 *    queries all along, a third only in the first six hours.
 *-------------------------------------------------------------------------
 */
#include "tests/report/html_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSTATEMENTS 6000
#define STEP_S		7			/* a statement every 7 s: 11.7 hours */
#define HOURS		12

static const char *
write_log(void)
{
	static char path[4096];
	size_t		cap = NSTATEMENTS * 128,
				len = 0;
	char	   *text;

	if (path[0])
		return path;
	text = malloc(cap);
	for (int i = 0; i < NSTATEMENTS; i++)
	{
		int			s = i * STEP_S;

		if (i % 3 == 2 && s > 6 * 3600)
			continue;
		len += (size_t) snprintf(text + len, cap - len,
								 "2025-12-01 %02d:%02d:%02d.%03d UTC [%d] app@shop LOG:  duration: %.3f ms  statement: %s%d\n",
								 s / 3600, s / 60 % 60, s % 60, i % 1000, 100 + i % 7, 1.0 + i % 13,
								 i % 3 == 0 ? "SELECT * FROM a WHERE id = " :
								 i % 3 == 1 ? "SELECT * FROM b WHERE id = " : "UPDATE c SET v = 1 WHERE id = ", i);
	}
	snprintf(path, sizeof(path), "%s", test_write_file("series-12h.log", text));
	free(text);
	return path;
}

/* The model's series: every call in the bucket of its hour, none after the third query stopped. */
static void
test_series_in_the_model(void)
{
	html_run	r;
	size_t		n;
	query_stats **qs;
	int			seen_update = 0;

	html_run_open(&r, write_log());
	qs = workload_queries(r.w, &n);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	for (size_t i = 0; i < n; i++)
	{
		double		hourly[QUERY_SERIES_BUCKETS],
					sum = 0;
		int64_t		from,
					width;
		int			nb;

		CU_ASSERT_PTR_NOT_NULL_FATAL(qs[i]->series);
		nb = query_series_display_width(qs[i]->first_ts, qs[i]->last_ts, qs[i]->series->width_ms, &from, &width);
		CU_ASSERT_EQUAL(width, QUERY_SERIES_HOUR_MS);
		query_series_rebin(qs[i]->series, from, width, nb, hourly);
		for (int k = 0; k < nb; k++)
			sum += hourly[k];
		CU_ASSERT_DOUBLE_EQUAL(sum, (double) (qs[i]->calls + qs[i]->untimed_calls), 1e-9);
		if (strncmp(qs[i]->normalized, "UPDATE", 6) == 0)
		{
			seen_update = 1;
			CU_ASSERT(nb == 6 || nb == 7);	/* 00:00 to about 06:00 */
			CU_ASSERT(hourly[nb - 1] > 0);
			/* 3600 / 7 / 3 calls an hour, give or take one */
			CU_ASSERT(hourly[0] >= 170 && hourly[0] <= 172);
		}
		else
			CU_ASSERT_EQUAL(nb, HOURS);
	}
	CU_ASSERT_TRUE(seen_update);
	html_run_close(&r);
}

/* The <svg class="spark"...</svg> after the query row of fingerprint hex, malloc'd. */
static char *
sparkline_of(const char *html, const char *hex)
{
	char		row[64];
	const char *at;

	snprintf(row, sizeof(row), "<tr id=\"q-%s\"", hex);
	at = html ? strstr(html, row) : NULL;
	return at ? html_test_between(at, "<svg class=\"spark\"", "</svg>") : NULL;
}

/* Each listed query opens on its sparkline, over the log's 12 hours; the store keeps them. */
static void
test_sparklines_and_store(void)
{
	char		args[16384],
				page[4096],
				again[4096],
				store[4096];
	char	   *one,
			   *two;
	json_t	   *j = NULL;

	snprintf(page, sizeof(page), "%s/series.html", test_tmpdir());
	snprintf(again, sizeof(again), "%s/series-store.html", test_tmpdir());
	snprintf(store, sizeof(store), "%s/series.db", test_tmpdir());
	snprintf(args, sizeof(args), "analyze -q --format json -o '%s' -o - --store '%s' '%s'", page, store, write_log());
	CU_ASSERT_EQUAL_FATAL(test_pgsift_json(args, &j, NULL), 0);
	snprintf(args, sizeof(args), "report -q --store '%s' -o '%s'", store, again);
	CU_ASSERT_EQUAL_FATAL(test_pgsift(args, NULL, NULL), 0);
	one = test_read_file(page);
	two = test_read_file(again);
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	CU_ASSERT_PTR_NOT_NULL_FATAL(two);
	CU_ASSERT_EQUAL(html_test_count(one, "<dt>activity</dt>"), 3);
	/* per query: the sparkline's name, its tooltip and the note beside it */
	CU_ASSERT_EQUAL(html_test_count(one, "calls per hour over the log&#39;s 12 hours"), 9);
	CU_ASSERT_EQUAL(html_test_count(one, "<tr class=\"rest other\">"), 0);

	json_t	   *queries = test_json_at(j, "queries");

	CU_ASSERT_EQUAL(json_array_size(queries), 3);
	for (size_t i = 0; i < json_array_size(queries); i++)
	{
		const char *hex = json_string_value(json_object_get(json_array_get(queries, i), "fingerprint"));
		char	   *a = sparkline_of(one, hex),
				   *b = sparkline_of(two, hex);

		CU_ASSERT_PTR_NOT_NULL(a);
		CU_ASSERT_PTR_NOT_NULL(b);
		if (a && b)
			CU_ASSERT_STRING_EQUAL(a, b);
		free(a);
		free(b);
	}
	json_decref(j);
	free(one);
	free(two);
}

/* The 12-hour log and 300 statements of as many fingerprints in one session after it. */
static const char *
write_bounded_log(void)
{
	static char path[4096];
	char	   *text = test_read_file(write_log());
	size_t		len = strlen(text),
				cap = len + 300 * 100;

	text = realloc(text, cap);
	/* tables named by letters: libpg_query's fingerprint leaves out a relation name's digits */
	for (int i = 0; i < 300; i++)
		len += (size_t) snprintf(text + len, cap - len,
								 "2025-12-01 11:50:%02d.%03d UTC [900] app@shop LOG:  duration: 0.5 ms  "
								 "statement: SELECT v FROM t_%c%c\n", i / 10, i % 1000, 'a' + i / 26, 'a' + i % 26);
	snprintf(path, sizeof(path), "%s", test_write_file("series-bounded.log", text));
	free(text);
	return path;
}

/* Past --max-fingerprints, the page has the other row, with the JSON report's figures. */
static void
test_other_row(void)
{
	char		args[16384],
				page[4096],
				expect[128];
	char	   *html;
	json_t	   *j = NULL;

	snprintf(page, sizeof(page), "%s/series-bounded.html", test_tmpdir());
	snprintf(args, sizeof(args), "analyze -q --max-fingerprints 50 --format json -o '%s' -o - '%s'", page,
			 write_bounded_log());
	CU_ASSERT_EQUAL_FATAL(test_pgsift_json(args, &j, NULL), 0);
	html = test_read_file(page);
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);

	json_int_t	evicted = json_integer_value(test_json_at(j, "summary.other.fingerprints_evicted"));
	json_int_t	statements = json_integer_value(test_json_at(j, "summary.other.statements"));

	CU_ASSERT(evicted >= 1);
	CU_ASSERT(statements >= 1);
	CU_ASSERT_EQUAL(html_test_count(html, "<tr class=\"rest other\">"), 1);
	snprintf(expect, sizeof(expect), "Other: %lld statements", (long long) statements);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, expect));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "past <code>--max-fingerprints 50</code>"));
	json_decref(j);
	free(html);
}

PGSIFT_TEST_SUITE(report_html_series_suite)
{
	CU_pSuite	s = CU_add_suite("report/html_series", NULL, NULL);

	CU_add_test(s, "each query's calls over time, hour by hour, in the model", test_series_in_the_model);
	CU_add_test(s, "a sparkline per listed query, the same from the store", test_sparklines_and_store);
	CU_add_test(s, "past --max-fingerprints: the other row with the JSON's figures", test_other_row);
}
