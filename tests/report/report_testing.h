/*-------------------------------------------------------------------------
 * report_testing.h
 *    Helpers shared by the report tests (test_report_summary.c,
 *    test_report_markdown.c, test_report_json_ahead.c).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_REPORT_TESTING_H
#define PGSIFT_REPORT_TESTING_H

#include "src/report/report.h"

/* A new model of fixtures/workload.log, read as `pgsift analyze` reads it. */
workload   *report_test_workload(void);

/* The same of another file of fixtures/. */
workload   *report_test_workload_of(const char *fixture);

/*
 * A new finding of rule with a score, a title (also its key) and a fix
 * SQL (may be NULL).
 */
finding    *report_test_finding(const char *rule, double score, const char *title, const char *fix_sql);

/* The report in format fmt as a malloc'd string (asserts the write succeeds). */
char	   *report_test_render(report_format fmt, const report_input *in);

#endif
