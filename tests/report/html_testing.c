/*-------------------------------------------------------------------------
 * html_testing.c
 *    Helpers shared by the HTML report's suites.
 *-------------------------------------------------------------------------
 */
#include "tests/report/html_testing.h"
#include "src/analyze/analyze.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
html_run_open(html_run *r, const char *path)
{
	ingest_options o = {.format = LOG_FORMAT_AUTO, .jobs = 1, .syslog_year = 2026};
	analyze_options live = {.measure = MEASURE_MODE_HYPO};
	char		cwd[4096];
	int			relative = path[0] != '/';

	memset(r, 0, sizeof(*r));
	r->w = workload_create(NULL);
	r->file.path = path;
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	if (relative)
		CU_ASSERT_EQUAL_FATAL(chdir(PGSIFT_SOURCE_DIR), 0);
	CU_ASSERT(ingest_files(r->w, &r->file, 1, &o, &r->tally) > 0);
	if (relative)
		CU_ASSERT_EQUAL_FATAL(chdir(cwd), 0);
	analyze_offline(&live, r->w, &r->findings);
	r->in = (report_input) {
		.model = r->w, .files = &r->file, .nfiles = 1, .tally = &r->tally, .top = 50,
		.findings = &r->findings, .generated_ms = HTML_TEST_CLOCK_MS, .version = HTML_TEST_VERSION,
	};
}

char *
html_run_render(const html_run *r)
{
	char	   *text = NULL;
	size_t		len = 0;
	FILE	   *out = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(report_write(out, REPORT_HTML, &r->in), 0);
	fclose(out);
	return text;
}

void
html_run_close(html_run *r)
{
	finding_list_free(&r->findings);
	ingest_file_clear(&r->file);
	diag_tally_free(&r->tally);
	workload_destroy(r->w);
}

char *
html_test_section(const char *html, const char *id)
{
	char		open[128];

	snprintf(open, sizeof(open), "<section id=\"%s\">", id);
	return html_test_between(html, open, "</section>");
}

int
html_test_count(const char *s, const char *needle)
{
	int			n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

char *
html_test_between(const char *from, const char *open, const char *close)
{
	const char *a = strstr(from, open);
	const char *b;

	if (a == NULL || (b = strstr(a + strlen(open), close)) == NULL)
		return NULL;
	a += strlen(open);
	return strndup(a, (size_t) (b - a));
}
