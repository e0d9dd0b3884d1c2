/*-------------------------------------------------------------------------
 * test_finding.c
 *    Findings: stable ids, ranking, and the JSON shape.
 *-------------------------------------------------------------------------
 */
#include "src/core/finding.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static finding *
scored(const char *rule, finding_severity sev, double score, const char *key)
{
	finding    *f = finding_new(rule, sev, "t");

	f->score = score;
	finding_set_key(f, key);
	return f;
}

static void
test_key_is_stable(void)
{
	finding    *a = scored("unused-index", FINDING_LOW, 0, "public.a");
	finding    *b = scored("unused-index", FINDING_LOW, 0, "public.a");
	finding    *c = scored("unused-index", FINDING_LOW, 0, "public.b");

	CU_ASSERT_STRING_EQUAL(a->id, b->id);
	CU_ASSERT_STRING_NOT_EQUAL(a->id, c->id);
	CU_ASSERT_EQUAL(strlen(a->id), strlen("unused-index-") + 12);
	CU_ASSERT_EQUAL(strspn(a->id + strlen("unused-index-"), "0123456789abcdef"), 12);
	finding_list l = {0};

	finding_list_add(&l, a);
	finding_list_add(&l, b);
	finding_list_add(&l, c);
	finding_list_free(&l);
	CU_ASSERT_EQUAL(l.count, 0);
}

static void
test_sort(void)
{
	finding_list l = {0};

	finding_list_add(&l, scored("r", FINDING_LOW, 10, "low10"));
	finding_list_add(&l, scored("r", FINDING_HIGH, 10, "high10"));
	finding_list_add(&l, scored("r", FINDING_INFO, 50, "info50"));
	finding_list_add(&l, scored("a", FINDING_LOW, 10, "low10"));
	finding_list_sort(&l);
	CU_ASSERT_EQUAL(l.items[0]->score, 50);
	CU_ASSERT_EQUAL(l.items[1]->severity, FINDING_HIGH);
	/* equal score and severity: by id */
	CU_ASSERT(strcmp(l.items[2]->id, l.items[3]->id) < 0);
	finding_list_free(&l);
}

static void
test_severity_names(void)
{
	CU_ASSERT_STRING_EQUAL(finding_severity_name(FINDING_CRITICAL), "critical");
	CU_ASSERT_EQUAL(finding_severity_from_name("Medium"), FINDING_MEDIUM);
	CU_ASSERT_EQUAL(finding_severity_from_name("bogus"), -1);
	CU_ASSERT_STRING_EQUAL(measurement_method_name(MEASURE_HYPOTHETICAL), "hypothetical");
}

static void
test_json(void)
{
	finding    *f = finding_new("disk-sort", FINDING_MEDIUM, "sort spilled to disk");
	json_t	   *j,
			   *m;

	finding_set_key(f, "x");
	finding_set_detail(f, "used %d kB", 25000);
	finding_set_fix(f, "SET work_mem = '49MB';", NULL);
	finding_add_fingerprint(f, 0xabcULL);
	finding_add_fingerprint(f, 0xabcULL);
	finding_add_table(f, "public.orders");
	f->score = 12.5;
	f->measurement.method = MEASURE_MEASURED;
	f->measurement.before_ms = 80;
	f->measurement.before_plan = strdup("[{\"Plan\": {\"Node Type\": \"Sort\"}}]");
	f->measurement.after_plan = strdup("Sort  (cost=1..2)");
	j = finding_to_json(f);

	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "rule")), "disk-sort");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "severity")), "medium");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "score")), 12.5, 1e-9);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "detail")), "used 25000 kB");
	CU_ASSERT(json_is_null(json_object_get(j, "hint")));
	CU_ASSERT(json_is_null(json_object_get(j, "query")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "fingerprints")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(j, "fingerprints"), 0)),
						   "0000000000000abc");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(j, "tables"), 0)), "public.orders");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(j, "fix"), "sql")),
						   "SET work_mem = '49MB';");
	CU_ASSERT(json_is_null(json_object_get(json_object_get(j, "fix"), "description")));
	m = json_object_get(j, "measurement");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "method")), "measured");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(m, "before_ms")), 80, 1e-9);
	CU_ASSERT(json_is_null(json_object_get(m, "after_ms")));
	CU_ASSERT(json_is_null(json_object_get(m, "speedup")));
	CU_ASSERT(json_is_null(json_object_get(m, "before_buffers")));
	CU_ASSERT(json_is_array(json_object_get(m, "before_plan")));
	CU_ASSERT(json_is_string(json_object_get(m, "after_plan")));
	/* nothing merged: it came from its own rule; no related finding, no metric */
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "merged_rules")), 1);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "related")), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "metrics")), 0);
	CU_ASSERT_EQUAL(json_object_size(j), 15);
	CU_ASSERT_EQUAL(json_object_size(m), 10);
	json_decref(j);

	finding_list l = {0};

	finding_list_add(&l, f);
	finding_list_free(&l);
}

PGSIFT_TEST_SUITE(add_finding_tests)
{
	CU_pSuite	s = CU_add_suite("finding", NULL, NULL);

	CU_add_test(s, "key is stable", test_key_is_stable);
	CU_add_test(s, "sort", test_sort);
	CU_add_test(s, "severity names", test_severity_names);
	CU_add_test(s, "json", test_json);
}
