/*-------------------------------------------------------------------------
 * test_cli_multi_output.c
 *    Several outputs from one read: -o is repeatable, each output takes
 *    the format of its extension (--format for the others and for
 *    standard output), and each is the very report a single-format run
 *    writes.
 *
 * Reading standard input shows that the log is read once: a second read
 * would find it empty.
 *-------------------------------------------------------------------------
 */
#include "src/report/report.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The contents of test_tmpdir()/name (malloc'd), or NULL when it cannot be read. */
static char *
tmp_contents(const char *name)
{
	char		path[4096];

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	return test_read_file(path);
}

static void
assert_same_file(const char *name, const char *want)
{
	char	   *got = tmp_contents(name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT(strlen(want) > 500);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  %s differs from the single-format run's report\n", name);
	ASSERT_STR(got, want);
	free(got);
}

/* Three files and stdout from one run equal four single-format runs. */
static void
test_outputs_equal_single_runs(void)
{
	const char *d = test_tmpdir();
	const char *log = test_fixture("workload.log");
	char		args[8192];
	char	   *json = NULL,
			   *md = NULL,
			   *text = NULL,
			   *out = NULL;

	snprintf(args, sizeof(args), "analyze -q --format json '%s'", log);
	CU_ASSERT_EQUAL(test_pgsift(args, &json, NULL), 0);
	snprintf(args, sizeof(args), "analyze -q --format markdown '%s'", log);
	CU_ASSERT_EQUAL(test_pgsift(args, &md, NULL), 0);
	snprintf(args, sizeof(args), "analyze -q '%s'", log);
	CU_ASSERT_EQUAL(test_pgsift(args, &text, NULL), 0);

	snprintf(args, sizeof(args), "analyze -q -o '%s/multi.json' -o '%s/multi.md' -o '%s/multi.txt' -o - '%s'", d, d,
			 d, log);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	assert_same_file("multi.json", json);
	assert_same_file("multi.md", md);
	assert_same_file("multi.txt", text);
	ASSERT_STR(out, text);
	free(out);
	/* upper-case and long extensions; --format for the name that says nothing and for stdout */
	snprintf(args, sizeof(args), "analyze -q --format json -o '%s/multi.MARKDOWN' -o '%s/multi-noext' '%s'", d, d,
			 log);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	ASSERT_STR(out, "");
	free(out);
	assert_same_file("multi.MARKDOWN", md);
	assert_same_file("multi-noext", json);
	snprintf(args, sizeof(args), "analyze -q --format markdown -o '%s/multi2.json' -o - '%s'", d, log);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	ASSERT_STR(out, md);
	assert_same_file("multi2.json", json);
	free(out);
	free(json);
	free(md);
	free(text);
}

/* From a pipe: the outputs of one read of stdin equal single runs on the same input. */
static void
test_stdin_read_once(void)
{
	const char *d = test_tmpdir();
	const char *log = test_fixture("workload.csv");
	char		args[8192];
	char	   *json = NULL,
			   *text = NULL;

	snprintf(args, sizeof(args), "analyze -q --format json - < '%s'", log);
	CU_ASSERT_EQUAL(test_pgsift(args, &json, NULL), 0);
	snprintf(args, sizeof(args), "analyze -q - < '%s'", log);
	CU_ASSERT_EQUAL(test_pgsift(args, &text, NULL), 0);
	snprintf(args, sizeof(args), "analyze -q -o '%s/stdin.json' -o '%s/stdin.txt' - < '%s'", d, d, log);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	assert_same_file("stdin.json", json);
	assert_same_file("stdin.txt", text);
	free(json);
	free(text);
}

/* .html: written by a build with the HTML report, refused before reading by one without. */
static void
test_html_extension(void)
{
	char		args[8192];
	char	   *err = NULL;
	char	   *html;

	snprintf(args, sizeof(args), "analyze -q -o '%s/r.html' -o '%s/r.json' '%s'", test_tmpdir(), test_tmpdir(),
			 test_fixture("workload.log"));
	int			st = test_pgsift(args, NULL, &err);

	html = tmp_contents("r.html");
	if (report_format_from_name("html") >= 0)
	{
		CU_ASSERT_EQUAL(st, 0);
		CU_ASSERT(html != NULL && strlen(html) > 500);
	}
	else
	{
		CU_ASSERT_EQUAL(st, 2);
		CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "pgsift: error: unknown report format for \""));
		CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "/r.html\"\nHINT:  "));
		/* refused before anything was read or written */
		CU_ASSERT_PTR_NULL(html);
		CU_ASSERT_PTR_NULL(tmp_contents("r.json"));
	}
	free(html);
	free(err);
}

static void
test_bad_outputs(void)
{
	char		args[8192];
	char	   *err = NULL;
	char	   *json;

	/* the same output twice */
	snprintf(args, sizeof(args), "analyze -o '%s/twice.txt' -o '%s/twice.txt' '%s'", test_tmpdir(), test_tmpdir(),
			 test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "given twice"));
	free(err);
	snprintf(args, sizeof(args), "analyze -o - -o - '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 2);
	/* one output fails (a full device): exit 6 naming it, the others are still written */
	snprintf(args, sizeof(args), "analyze -q -o /dev/full -o '%s/beside-full.json' '%s'", test_tmpdir(),
			 test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 6);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "could not write to file \"/dev/full\": No space left on device"));
	free(err);
	json = tmp_contents("beside-full.json");
	json_t	   *j = json_loads(json ? json : "", 0, NULL);

	CU_ASSERT_PTR_NOT_NULL(j);
	CU_ASSERT_PTR_NOT_NULL(test_json_at(j, "summary.statements"));
	json_decref(j);
	free(json);
}

/* pgsift report takes several -o too. */
static void
test_report_outputs(void)
{
	const char *d = test_tmpdir();
	char		args[8192];
	char	   *json = NULL,
			   *text = NULL;

	snprintf(args, sizeof(args), "analyze -q --store '%s/multi.db' '%s' >/dev/null", d, test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	snprintf(args, sizeof(args), "report --store '%s/multi.db' --format json", d);
	CU_ASSERT_EQUAL(test_pgsift(args, &json, NULL), 0);
	snprintf(args, sizeof(args), "report --store '%s/multi.db'", d);
	CU_ASSERT_EQUAL(test_pgsift(args, &text, NULL), 0);
	snprintf(args, sizeof(args), "report --store '%s/multi.db' -o '%s/report.json' -o '%s/report.txt'", d, d, d);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	assert_same_file("report.json", json);
	assert_same_file("report.txt", text);
	free(json);
	free(text);
}

PGSIFT_TEST_SUITE(add_cli_multi_output_suite)
{
	CU_pSuite	s = CU_add_suite("cli/multi_output", NULL, NULL);

	CU_add_test(s, "-o a.json -o a.md -o a.txt -o - equal single-format runs", test_outputs_equal_single_runs);
	CU_add_test(s, "stdin read once for every output", test_stdin_read_once);
	CU_add_test(s, "a .html output: by name, refused without the HTML report", test_html_extension);
	CU_add_test(s, "an output twice; one failing output among others", test_bad_outputs);
	CU_add_test(s, "pgsift report -o -o", test_report_outputs);
}
