/*-------------------------------------------------------------------------
 * test_report_text.c
 *    The text report's findings: log text cannot reach the terminal as
 *    control sequences, and multi-line statements stay under the finding.
 *-------------------------------------------------------------------------
 */
#include "tests/report/report_testing.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>

static void
test_control_characters_are_shown_not_sent(void)
{
	workload   *w = report_test_workload();
	finding_list l = {0};
	finding    *f = report_test_finding("n-plus-one", 10, "loop \x1b]0;pwned\x07 here", "SELECT 1;\x1b[2J");
	char	   *text;

	finding_set_detail(f, "After SELECT a\n  FROM t\x1b[31m, the same session ran it 9 times.");
	finding_set_hint(f, "bell\x07 and\ttab");
	finding_list_add(&l, f);
	report_input in = {.model = w, .findings = &l, .top = 3};

	text = report_test_render(REPORT_TEXT, &in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NULL(strchr(text, '\x1b'));
	CU_ASSERT_PTR_NULL(strchr(text, '\x07'));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "n-plus-one: loop ?]0;pwned? here\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "     hint: bell? and tab\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "     fix: SELECT 1;?[2J\n"));
	/* the statement's second line is continued under the finding, not at column 0 */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "     After SELECT a\n         FROM t?[31m, the same"));
	free(text);
	finding_list_free(&l);
	workload_destroy(w);
}

PGSIFT_TEST_SUITE(report_text_suite)
{
	CU_pSuite	s = CU_add_suite("src/report_text", NULL, NULL);

	CU_add_test(s, "control characters are shown, not sent", test_control_characters_are_shown_not_sent);
}
