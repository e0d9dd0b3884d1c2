/*-------------------------------------------------------------------------
 * html_testing.h
 *    Helpers shared by the HTML report's suites (test_report_html.c,
 *    test_report_html_hostile.c): a log read and analysed as `pgsift
 *    analyze` does without a database, the page rendered with a fixed
 *    clock and version, and pieces of the page looked up.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_HTML_TESTING_H
#define PGSIFT_HTML_TESTING_H

#include "src/report/report.h"

/* The clock and version of every page rendered here (the golden file's). */
#define HTML_TEST_CLOCK_MS	INT64_C(1767225600000)	/* 2026-01-01 00:00 UTC */
#define HTML_TEST_VERSION	"0.0.0-test"

typedef struct html_run
{
	workload   *w;
	ingest_file file;
	diag_tally	tally;
	finding_list findings;
	report_input in;
} html_run;

/*
 * Read the log at path (relative: to the source tree, as given on a
 * command line run there, so the page names it so) with the format
 * detected, run the rules as analyze does without --dsn, and set r->in
 * up for the HTML report (fixed clock and version, --top 50).
 */
void		html_run_open(html_run *r, const char *path);

/* The page as a malloc'd string (asserts the write succeeds). */
char	   *html_run_render(const html_run *r);

void		html_run_close(html_run *r);

/* The <section id="id"> of html, malloc'd, or NULL when the page has none. */
char	   *html_test_section(const char *html, const char *id);

/* How many times needle occurs in s. */
int			html_test_count(const char *s, const char *needle);

/* The text between the first "open" at or after from and the next "close", malloc'd, or NULL. */
char	   *html_test_between(const char *from, const char *open, const char *close);

#endif
