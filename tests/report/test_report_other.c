/*-------------------------------------------------------------------------
 * test_report_other.c
 *    What the reports say of the bounded fingerprint table: the "other"
 *    row of evicted fingerprints and the largest error of a listed
 *    figure, in the text, JSON and Markdown reports, and nothing of it
 *    when nothing was evicted.
 *
 * The model is fed by hand: 40 distinct statements of known durations
 * into a table of 4, then the first, evicted long since, again: every
 * expected figure comes from the statements.
 *-------------------------------------------------------------------------
 */
#include "tests/model/workload_testing.h"
#include "tests/report/report_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1704164645000LL
#define NSTATEMENTS 41

/*
 * 40 statements of distinct fingerprints, statement k taking k + 1 ms,
 * then statement 0 again, taking 1000 ms, into a table of max.
 */
static workload *
fed_model(size_t max, double *total)
{
	workload_filter f = {.since_ms = LOG_TS_UNKNOWN, .until_ms = LOG_TS_UNKNOWN, .max_fingerprints = max};
	workload   *w = workload_create(&f);
	char		sql[64];
	const char	letters[] = "abcdefghijklmnopqrstuvwxyz";

	*total = 0;
	for (int i = 0; i < NSTATEMENTS; i++)
	{
		int			k = i % 40;
		double		ms = i < 40 ? k + 1.0 : 1000.0;

		snprintf(sql, sizeof(sql), "SELECT v FROM t_%c%c WHERE id = %d", letters[k % 26], letters[k / 26], i);
		/* one session ending each statement's run, so nothing stays pinned but the last two */
		workload_test_statement(w, T0 + i, 10, sql, NULL, ms);
		*total += ms;
	}
	return w;
}

static void
test_json(void)
{
	double		total;
	workload   *w = fed_model(4, &total);
	report_input in = {.model = w};
	json_t	   *root = report_build_json(&in);
	json_t	   *summary = json_object_get(root, "summary");
	json_t	   *other = json_object_get(summary, "other");
	json_t	   *queries = json_object_get(root, "queries");
	double		listed_ms = 0,
				max_error = 0;
	json_int_t	listed_calls = 0;
	size_t		i;
	json_t	   *q;

	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	CU_ASSERT_TRUE(json_array_size(queries) <= 4);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(summary, "fingerprints")), (json_int_t) json_array_size(queries));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(summary, "max_fingerprints")), 4);
	json_array_foreach(queries, i, q)
	{
		CU_ASSERT_PTR_NOT_NULL(json_object_get(q, "error_bound_ms"));
		CU_ASSERT_PTR_NOT_NULL(json_object_get(q, "error_bound_calls"));
		listed_calls += json_integer_value(json_object_get(q, "calls"));
		listed_ms += json_number_value(json_object_get(q, "total_ms"));
		max_error = fmax(max_error, json_number_value(json_object_get(q, "error_bound_ms")));
	}
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(other, "statements")), NSTATEMENTS - listed_calls);
	/* the first, evicted and back, is counted in both: its first statement evicted, its second listed */
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(other, "fingerprints_evicted")), NSTATEMENTS - listed_calls);
	q = json_array_get(queries, 0);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(q, "total_ms")), 1000.0, 1e-9);
	CU_ASSERT_TRUE(json_number_value(json_object_get(q, "error_bound_ms")) >= 1.0);
	CU_ASSERT_TRUE(json_integer_value(json_object_get(q, "error_bound_calls")) >= 1);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(other, "total_ms")), total - listed_ms, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(other, "percent")),
						   100.0 * (total - listed_ms) / total, 1e-3);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(summary, "max_error_ms")), max_error, 1e-9);
	/* the others were never evicted: exact */
	CU_ASSERT_DOUBLE_EQUAL(max_error, json_number_value(json_object_get(q, "error_bound_ms")), 1e-9);
	CU_ASSERT_TRUE(json_number_value(json_object_get(other, "unlisted_max_ms")) >= max_error);
	json_decref(root);
	workload_destroy(w);
}

static void
test_text_and_markdown(void)
{
	double		total;
	workload   *w = fed_model(4, &total);
	report_input in = {.model = w, .top = 20};
	const workload_other *o = workload_other_row(w);
	char		want[96];
	char	   *text = report_test_render(REPORT_TEXT, &in),
			   *md = report_test_render(REPORT_MARKDOWN, &in);

	snprintf(want, sizeof(want), "  Other: %llu statements, ", (unsigned long long) o->statements);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "evicted past --max-fingerprints 4; a listed figure may miss up to "));
	CU_ASSERT_PTR_NOT_NULL_FATAL(md);
	CU_ASSERT_PTR_NOT_NULL(strstr(md, want + 2));
	/* under the table of top queries */
	CU_ASSERT_TRUE(strstr(md, want + 2) > strstr(md, "## Top queries"));
	free(text);
	free(md);
	workload_destroy(w);
}

/* Nothing evicted: no other row in text or Markdown, zeros in JSON. */
static void
test_nothing_evicted(void)
{
	double		total;
	workload   *w = fed_model(WORKLOAD_UNBOUNDED, &total);
	report_input in = {.model = w, .top = 20};
	char	   *text = report_test_render(REPORT_TEXT, &in),
			   *md = report_test_render(REPORT_MARKDOWN, &in);
	json_t	   *root = report_build_json(&in);
	json_t	   *summary = json_object_get(root, "summary");

	CU_ASSERT_PTR_NULL(strstr(text, "Other:"));
	CU_ASSERT_PTR_NULL(strstr(md, "Other:"));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(summary, "fingerprints")), 40);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(summary, "max_fingerprints")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(summary, "other"), "fingerprints_evicted")), 0);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(summary, "max_error_ms")), 0, 0);
	json_decref(root);
	free(text);
	free(md);
	workload_destroy(w);
}

PGSIFT_TEST_SUITE(report_other_suite)
{
	CU_pSuite	s = CU_add_suite("src/report_other", NULL, NULL);

	CU_add_test(s, "JSON: the other row and the error bounds", test_json);
	CU_add_test(s, "text and Markdown: the other row under the queries", test_text_and_markdown);
	CU_add_test(s, "nothing evicted, nothing said", test_nothing_evicted);
}
