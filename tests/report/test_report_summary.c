/*-------------------------------------------------------------------------
 * test_report_summary.c
 *    The executive summary and the recommendations, on the model of
 *    fixtures/workload.log with findings built by hand.
 *
 * Scores are set as shares of the model's database time per hour, so
 * which side of the "immediate" threshold each falls on is fixed here.
 *-------------------------------------------------------------------------
 */
#include "src/report/report_summary.h"
#include "tests/report/report_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEQ_SCAN_PLAN "[{\"Plan\": {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"orders\", " \
	"\"Total Cost\": 100, \"Plan Rows\": 10, \"Actual Total Time\": 9.5, \"Actual Rows\": 10, \"Actual Loops\": 1}}]"

typedef struct fixture
{
	workload   *w;
	finding_list l;
	report_input in;
	double		db;				/* database ms per hour */
	double		p95[2];			/* of the two top queries */
	finding    *a, *b, *c, *d, *e, *f, *g;
} fixture;

static void
add_fingerprint_of(finding *f, const query_stats *q)
{
	finding_add_fingerprint(f, q->fingerprint);
}

static void
fixture_build(fixture *x)
{
	size_t		nq;
	query_stats **qs;

	memset(x, 0, sizeof(*x));
	x->w = report_test_workload();
	qs = workload_queries(x->w, &nq);
	CU_ASSERT_FATAL(nq >= 2 && qs[0]->calls > 0 && qs[1]->calls > 0);
	CU_ASSERT_FATAL(workload_span_hours(x->w) > 0);
	x->db = workload_get_summary(x->w)->total_duration_ms / workload_span_hours(x->w);
	x->p95[0] = query_stats_quantile(qs[0], 0.95);
	x->p95[1] = query_stats_quantile(qs[1], 0.95);

	x->a = report_test_finding("missing-index", 0.5 * x->db, "a", "CREATE INDEX CONCURRENTLY i ON public.orders (account_id);");
	x->a->measurement.method = MEASURE_MEASURED;
	x->a->measurement.before_ms = 10;
	x->a->measurement.after_ms = 2;
	x->a->measurement.before_plan = strdup(SEQ_SCAN_PLAN);
	add_fingerprint_of(x->a, qs[0]);
	x->b = report_test_finding("n-plus-one", 0, "b", NULL);
	finding_add_metric(x->b, "statements_per_request", 41, 2, "statements");
	x->c = report_test_finding("row-misestimate", 0.3 * x->db, "c", "ANALYZE public.orders;");
	x->d = report_test_finding("missing-index", 0.2 * x->db, "d", "CREATE INDEX ON public.orders (status);");
	x->g = report_test_finding("jit-overhead", 0.1 * x->db, "g", "SET jit = off;");
	x->g->measurement.method = MEASURE_HYPOTHETICAL;
	x->g->measurement.before_cost = 100;
	x->g->measurement.after_cost = 50;
	add_fingerprint_of(x->g, qs[1]);
	x->f = report_test_finding("unused-index", 0.05 * x->db, "f", "DROP INDEX public.orders_note_idx;");
	x->e = report_test_finding("disk-sort", 0.0001 * x->db, "e", "SET work_mem = '64MB';");

	finding    *all[] = {x->e, x->b, x->f, x->c, x->g, x->a, x->d};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		finding_list_add(&x->l, all[i]);
	findings_rank(&x->l);
	x->in = (report_input) {.model = x->w, .findings = &x->l, .top = 5};
}

static void
fixture_free(fixture *x)
{
	finding_list_free(&x->l);
	workload_destroy(x->w);
}

static void
check_row(const summary_row *r, const finding *f, const char *metric, double before, double after)
{
	CU_ASSERT_PTR_EQUAL(r->finding, f);
	ASSERT_STR(r->metric, metric);
	CU_ASSERT_DOUBLE_EQUAL(r->before, before, 1e-6 * fabs(before) + 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(r->after, after, 1e-6 * fabs(after) + 1e-9);
}

static void
test_executive_summary(void)
{
	fixture		x;
	report_summary s;
	char		name[64];

	fixture_build(&x);
	report_summary_build(&x.in, &s);
	CU_ASSERT_DOUBLE_EQUAL(s.db_ms_per_hour, x.db, 1e-6 * x.db);
	CU_ASSERT_EQUAL_FATAL(s.nrows, 6);
	/* both measured fixes together: their scores summed */
	check_row(&s.rows[0], NULL, "database time per hour, all measured fixes", x.db, 0.4 * x.db);
	/* a: measured 10 -> 2 ms, so the log's p95 scales by 0.2 */
	snprintf(name, sizeof(name), "p95 of %s", x.a->fingerprints[0]);
	check_row(&s.rows[1], x.a, name, x.p95[0], 0.2 * x.p95[0]);
	check_row(&s.rows[2], x.a, "database time per hour", x.db, 0.5 * x.db);
	/* g: a what-if, cost 100 -> 50 */
	snprintf(name, sizeof(name), "p95 of %s", x.g->fingerprints[0]);
	check_row(&s.rows[3], x.g, name, x.p95[1], 0.5 * x.p95[1]);
	check_row(&s.rows[4], x.g, "database time per hour", x.db, 0.9 * x.db);
	/* b was not measured, but its rule gave statements per request */
	check_row(&s.rows[5], x.b, "statements per request", 41, 2);
	ASSERT_STR(s.rows[5].unit, "statements");
	report_summary_free(&s);
	fixture_free(&x);
}

static void
test_recommendations(void)
{
	fixture		x;
	report_summary s;
	report_recommendations r;

	fixture_build(&x);
	report_summary_build(&x.in, &s);
	report_recommendations_build(&x.in, &s, &r);
	CU_ASSERT_EQUAL_FATAL(r.count[REC_IMMEDIATE], 2);
	CU_ASSERT_PTR_EQUAL(r.items[REC_IMMEDIATE][0], x.a);
	CU_ASSERT_PTR_EQUAL(r.items[REC_IMMEDIATE][1], x.g);
	/* not CONCURRENTLY, a DROP, too small a saving, an application change */
	CU_ASSERT_EQUAL_FATAL(r.count[REC_NEXT], 4);
	CU_ASSERT_PTR_EQUAL(r.items[REC_NEXT][0], x.d);
	CU_ASSERT_PTR_EQUAL(r.items[REC_NEXT][1], x.f);
	CU_ASSERT_PTR_EQUAL(r.items[REC_NEXT][2], x.e);
	CU_ASSERT_PTR_EQUAL(r.items[REC_NEXT][3], x.b);
	/* statistics are long term even with a ready ANALYZE */
	CU_ASSERT_EQUAL_FATAL(r.count[REC_LONG_TERM], 1);
	CU_ASSERT_PTR_EQUAL(r.items[REC_LONG_TERM][0], x.c);
	report_recommendations_free(&r);
	report_summary_free(&s);
	fixture_free(&x);
}

static void
test_json(void)
{
	fixture		x;

	fixture_build(&x);
	json_t	   *j = report_build_json(&x.in);
	json_t	   *rec = json_object_get(j, "recommendations");
	json_t	   *rows = json_object_get(j, "executive_summary");
	json_t	   *m = json_object_get(json_array_get(json_object_get(j, "findings"), 0), "measurement");

	/* the log summary keeps its key; the executive summary is beside it */
	CU_ASSERT(json_is_integer(json_object_get(json_object_get(j, "summary"), "statements")));
	CU_ASSERT_EQUAL(json_array_size(rows), 6);
	CU_ASSERT(json_is_null(json_object_get(json_array_get(rows, 0), "finding")));
	ASSERT_STR(json_string_value(json_object_get(json_array_get(rows, 1), "finding")), x.a->id);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(json_array_get(rows, 2), "change_percent")), -50, 1e-3);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(rec, "immediate")), 2);
	ASSERT_STR(json_string_value(json_array_get(json_object_get(rec, "immediate"), 0)), x.a->id);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(rec, "next")), 4);
	ASSERT_STR(json_string_value(json_array_get(json_object_get(rec, "long_term"), 0)), x.c->id);
	/* the plans' one-line summaries beside the plans */
	const char *before = json_string_value(json_object_get(m, "before_plan_summary"));

	CU_ASSERT_PTR_NOT_NULL(before);
	CU_ASSERT(before && strstr(before, "Seq Scan on orders") != NULL);
	CU_ASSERT(json_is_null(json_object_get(m, "after_plan_summary")));
	json_decref(j);
	fixture_free(&x);
}

/*
 * The JSON report is written a query at a time; its bytes must be those
 * of one dump of the whole tree, with every query, some, or none listed.
 */
static void
test_json_streamed(void)
{
	fixture		x;

	fixture_build(&x);
	for (int top = -1; top <= 2; top++)
	{
		x.in.top = top < 0 ? 0 : top;

		json_t	   *j = report_build_json(&x.in);
		char	   *whole = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
		char	   *streamed = report_test_render(REPORT_JSON, &x.in);

		CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
		CU_ASSERT_PTR_NOT_NULL_FATAL(streamed);
		CU_ASSERT_EQUAL(strlen(streamed), strlen(whole) + 1);
		CU_ASSERT(strncmp(streamed, whole, strlen(whole)) == 0);
		size_t		all;

		(void) workload_queries(x.in.model, &all);
		CU_ASSERT_FATAL(all > 2);
		CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "queries")), x.in.top > 0 ? (size_t) x.in.top : all);
		free(whole);
		free(streamed);
		json_decref(j);
	}
	fixture_free(&x);
}

static void
test_text(void)
{
	fixture		x;

	fixture_build(&x);
	char	   *t = report_test_render(REPORT_TEXT, &x.in);
	const char *sections[] = {"Executive summary", "Bottlenecks (7 findings", "Recommendations",
	"Immediate", "Long term", "Profile (top"};
	const char *prev = t;

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
	{
		const char *at = strstr(prev, sections[i]);

		CU_ASSERT_PTR_NOT_NULL(at);
		if (at)
			prev = at;
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "plan before: Seq Scan on orders"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "statements per request"));
	free(t);
	fixture_free(&x);
}

PGSIFT_TEST_SUITE(report_summary_suite)
{
	CU_pSuite	s = CU_add_suite("report_summary", NULL, NULL);

	CU_add_test(s, "executive summary", test_executive_summary);
	CU_add_test(s, "recommendations", test_recommendations);
	CU_add_test(s, "json", test_json);
	CU_add_test(s, "json written a query at a time", test_json_streamed);
	CU_add_test(s, "text", test_text);
}
