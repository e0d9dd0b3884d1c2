/*-------------------------------------------------------------------------
 * report_testing.c
 *    Helpers shared by the report tests: a model read from a fixture,
 *    findings built by hand, a report rendered to a string.
 *-------------------------------------------------------------------------
 */
#include "tests/report/report_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>

workload *
report_test_workload(void)
{
	return report_test_workload_of("workload.log");
}

workload *
report_test_workload_of(const char *fixture)
{
	workload   *w = workload_create(NULL);
	ingest_file f = {.path = test_fixture(fixture)};
	ingest_options o = {.format = LOG_FORMAT_AUTO, .jobs = 1};
	diag_tally	t = {0};

	CU_ASSERT(ingest_files(w, &f, 1, &o, &t) > 0);
	ingest_file_clear(&f);
	diag_tally_free(&t);
	return w;
}

finding *
report_test_finding(const char *rule, double score, const char *title, const char *fix_sql)
{
	finding    *f = finding_new(rule, FINDING_MEDIUM, title);

	f->score = score;
	finding_set_key(f, title);
	finding_set_fix(f, fix_sql, fix_sql ? "apply the fix" : NULL);
	return f;
}

char *
report_test_render(report_format fmt, const report_input *in)
{
	char	   *text = NULL;
	size_t		len = 0;
	FILE	   *out = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(report_write(out, fmt, in), 0);
	fclose(out);
	return text;
}
