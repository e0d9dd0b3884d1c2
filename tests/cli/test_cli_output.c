/*-------------------------------------------------------------------------
 * test_cli_output.c
 *    Honest failures: every command whose output cannot be written (a
 *    full device, a -o in a missing directory) says so with the path and
 *    a hint and exits PGSIFT_EXIT_WRITE (6); a store that no run was ever
 *    saved into is refused by `pgsift report` (exit 5).
 *
 * /dev/full fails every write with ENOSPC, as a full disk does.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_WRITE 6

/* Run args; assert exit 6 and that stderr names where and why, with a hint. */
static void
assert_write_error(const char *args, const char *where, const char *why)
{
	char	   *out = NULL,
			   *err = NULL;
	int			st = test_pgsift(args, &out, &err);

	if (st != EXIT_WRITE)
		fprintf(stderr, "\n  pgsift %s: exit %d, stderr: %s\n", args, st, err ? err : "");
	CU_ASSERT_EQUAL(st, EXIT_WRITE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, where));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\nHINT:  "));
	/* one message, not one from the command and another at exit */
	CU_ASSERT_PTR_NULL(strstr(strstr(err, "error:") + 1, "error:"));
	free(out);
	free(err);
}

static void
test_stdout_full(void)
{
	char		args[4096];

	assert_write_error("--help >/dev/full", "could not write to standard output", "No space left on device");
	assert_write_error("--version >/dev/full", "could not write to standard output", "No space left on device");
	assert_write_error("rules >/dev/full", "could not write to standard output", "No space left on device");
	assert_write_error("rules seq-scan-filter >/dev/full", "could not write to standard output",
					   "No space left on device");
	assert_write_error("analyze --help >/dev/full", "could not write to standard output", "No space left on device");
	assert_write_error("migration --help >/dev/full", "could not write to standard output",
					   "No space left on device");
	/* reports larger than stdio's buffer: the failure happens mid-report, its errno is kept */
	snprintf(args, sizeof(args), "analyze -q '%s' >/dev/full", test_fixture("workload.log"));
	assert_write_error(args, "could not write to standard output", "No space left on device");
	snprintf(args, sizeof(args), "analyze -q --format json '%s' >/dev/full", test_fixture("workload.log"));
	assert_write_error(args, "could not write to standard output", "No space left on device");
	snprintf(args, sizeof(args), "migration --fail-on none '%s' >/dev/full",
			 test_write_file("full.sql", "CREATE INDEX i ON t (c);\nALTER TABLE t DROP COLUMN d;\n"));
	assert_write_error(args, "could not write to standard output", "No space left on device");
}

static void
test_output_file_full(void)
{
	char		args[4096];
	const char *sql = test_write_file("full-o.sql", "CREATE INDEX i ON t (c);\n");

	snprintf(args, sizeof(args), "analyze -q -o /dev/full '%s'", test_fixture("workload.log"));
	assert_write_error(args, "could not write to file \"/dev/full\"", "No space left on device");
	snprintf(args, sizeof(args), "analyze -q --format markdown -o /dev/full '%s'", test_fixture("workload.csv"));
	assert_write_error(args, "could not write to file \"/dev/full\"", "No space left on device");
	snprintf(args, sizeof(args), "migration --format sarif -o /dev/full '%s'", sql);
	assert_write_error(args, "could not write to file \"/dev/full\"", "No space left on device");
	/* a directory that is not there: the path and the reason, before anything is lost */
	snprintf(args, sizeof(args), "analyze -q -o '%s/no/such/dir/r.txt' '%s'", test_tmpdir(),
			 test_fixture("workload.log"));
	assert_write_error(args, "could not open output file", "No such file or directory");
	snprintf(args, sizeof(args), "migration -o '%s/no/such/dir/r.json' '%s'", test_tmpdir(), sql);
	assert_write_error(args, "/no/such/dir/r.json", "No such file or directory");
}

/* The same runs to a writable place succeed: the failures above are the device's. */
static void
test_writable_output_succeeds(void)
{
	char		args[4096];
	char	   *out = NULL;

	CU_ASSERT_EQUAL(test_pgsift("--version", &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "pgsift "));
	free(out);
	snprintf(args, sizeof(args), "analyze -q -o '%s/ok.txt' '%s'", test_tmpdir(), test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	snprintf(args, sizeof(args), "%s/ok.txt", test_tmpdir());
	FILE	   *f = fopen(args, "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	CU_ASSERT(ftell(f) > 1000);
	fclose(f);
}

/* Size of the file at path, or -1. */
static long
file_size(const char *path)
{
	FILE	   *f = fopen(path, "r");
	long		size;

	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	return size;
}

/*
 * A report written over a longer previous file (it is written over in
 * place, not truncated on opening) is the new report alone: the old
 * tail is cut, so the JSON parses whole and the text report is as long
 * as one written to a new file; a device is written without a cut.
 */
static void
test_longer_previous_report_cut(void)
{
	char		args[4096];
	char		fresh[1024],
				over_json[1024],
				over_txt[1024];
	char	   *junk = malloc(400001);
	json_error_t jerr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(junk);
	memset(junk, 'x', 400000);
	junk[400000] = '\0';
	snprintf(over_json, sizeof(over_json), "%s", test_write_file("over.json", junk));
	snprintf(over_txt, sizeof(over_txt), "%s", test_write_file("over.txt", junk));

	free(junk);
	snprintf(args, sizeof(args), "analyze -q -o '%s' -o '%s' '%s'", over_json, over_txt, test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	json_t	   *j = json_load_file(over_json, 0, &jerr);

	if (j == NULL)
		fprintf(stderr, "\n  %s: %s at line %d\n", over_json, jerr.text, jerr.line);
	CU_ASSERT_PTR_NOT_NULL(j);
	CU_ASSERT(json_array_size(test_json_at(j, "queries")) > 0);
	json_decref(j);
	snprintf(fresh, sizeof(fresh), "%s/fresh.txt", test_tmpdir());
	remove(fresh);
	snprintf(args, sizeof(args), "analyze -q -o '%s' '%s'", fresh, test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	CU_ASSERT(file_size(fresh) > 1000);
	CU_ASSERT(file_size(fresh) < 400000);
	CU_ASSERT_EQUAL(file_size(over_txt), file_size(fresh));
	snprintf(args, sizeof(args), "analyze -q -o /dev/null '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
}

/*
 * With -j 2 two threads render the JSON report's blocks of 16 queries, a
 * second one from before the rules run: the bytes are a serial run's, and
 * a full device mid-queries is still exit 6.  The fixture has more than
 * two blocks of queries.
 */
static void
test_queries_by_two_threads(void)
{
	char		args[4096];
	char	   *one = NULL,
			   *two = NULL;
	json_t	   *j = NULL;

	snprintf(args, sizeof(args), "analyze -q --format json '%s'", test_fixture("workload-logstatement.log"));
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT(json_array_size(test_json_at(j, "queries")) > 32);
	json_decref(j);
	CU_ASSERT_EQUAL(test_pgsift(args, &one, NULL), 0);
	snprintf(args, sizeof(args), "analyze -q -j 2 --format json '%s'", test_fixture("workload-logstatement.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, &two, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	CU_ASSERT_PTR_NOT_NULL_FATAL(two);
	CU_ASSERT_STRING_EQUAL(one, two);
	free(one);
	free(two);
	snprintf(args, sizeof(args), "analyze -q -j 2 --format json -o /dev/full '%s'",
			 test_fixture("workload-logstatement.log"));
	assert_write_error(args, "could not write to file \"/dev/full\"", "No space left on device");
}

/* A store created by a run that stopped before its first save holds no run. */
static void
test_store_without_run(void)
{
	char		args[8192];
	char	   *err = NULL;
	char		store[2048];

	snprintf(store, sizeof(store), "%s/never-saved.db", test_tmpdir());
	snprintf(args, sizeof(args), "analyze -q --store '%s' '%s/missing.log'", store, test_tmpdir());
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 3);
	snprintf(args, sizeof(args), "report --store '%s'", store);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "holds no saved run"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "DETAIL:  It was created by a run that stopped before its first save"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "HINT:  Run \"pgsift analyze --store"));
	free(err);
	/* and analyze can still fill it, after which report reads it */
	snprintf(args, sizeof(args), "analyze -q --store '%s' '%s'", store, test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
	snprintf(args, sizeof(args), "report --store '%s' --format json >/dev/null", store);
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, NULL), 0);
}

PGSIFT_TEST_SUITE(add_cli_output_suite)
{
	CU_pSuite	s = CU_add_suite("cli/output", NULL, NULL);

	CU_add_test(s, "a full stdout: exit 6 with the reason, for every command", test_stdout_full);
	CU_add_test(s, "a full or missing -o file: exit 6 with its path", test_output_file_full);
	CU_add_test(s, "the same runs to a writable place succeed", test_writable_output_succeeds);
	CU_add_test(s, "a longer previous report is cut to the new one", test_longer_previous_report_cut);
	CU_add_test(s, "report --store on a store no run was saved into: exit 5", test_store_without_run);
	CU_add_test(s, "-j 2: queries written by two threads are a serial run's bytes", test_queries_by_two_threads);
}
