/*-------------------------------------------------------------------------
 * test_libpq_loader.c
 *    pgsift on a machine without libpq (src/live/libpq_loader.c): what
 *    needs a database says why it cannot, with the loader's own reason and
 *    a hint, and exits 4; reading logs, HTML report included, does not
 *    need libpq at all.
 *
 * The machine without libpq is this one with build/no-libpq.so preloaded
 * (tests/harness/no-libpq.c), which fails pgsift's dlopen of libpq the
 * way a missing library does.  A sanitizer build needs its runtime first
 * in the preload list: it is taken from the binary's own ldd.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHIM		PGSIFT_BUILD_DIR "/no-libpq.so"
#define EXIT_DATABASE 4

/* LD_PRELOAD's value for the binary under test, into buf. */
static const char *
preload_list(char *buf, size_t size)
{
	char		cmd[8192];
	char	   *asan = NULL;

	snprintf(cmd, sizeof(cmd), "ldd '%s' | awk '/libasan/ { print $3 }'", test_pgsift_binary());
	test_run(cmd, &asan);
	if (asan)
		asan[strcspn(asan, "\n")] = '\0';
	snprintf(buf, size, "%s%s%s", asan && asan[0] ? asan : "", asan && asan[0] ? " " : "", SHIM);
	free(asan);
	return buf;
}

/* Run pgsift args with libpq missing; its exit status, stdout and stderr. */
static int
run_without_libpq(const char *args, char **out, char **err)
{
	char		cmd[16384];
	char		preload[4096];
	char		errfile[4096];
	int			st;

	CU_ASSERT_EQUAL_FATAL(access(SHIM, R_OK), 0);
	snprintf(errfile, sizeof(errfile), "%s/no-libpq-stderr.txt", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "LD_PRELOAD='%s' '%s' %s 2>'%s'", preload_list(preload, sizeof(preload)),
			 test_pgsift_binary(), args, errfile);
	st = test_run(cmd, out);
	snprintf(cmd, sizeof(cmd), "cat '%s'", errfile);
	test_run(cmd, err);
	return st;
}

/* stderr err is one error, PostgreSQL-style, for libpq missing when pgsift needs it to connect. */
static void
assert_libpq_missing(const char *err)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "pgsift: error: could not load libpq, which pgsift needs to connect to a database"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\nDETAIL:  libpq.so.5-not-installed: cannot open shared object file"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\nHINT:  Install PostgreSQL's client library"));
	CU_ASSERT_PTR_NULL(strstr(strstr(err, "error:") + 1, "error:"));
}

static void
test_dsn_without_libpq(void)
{
	char		args[4096];
	char	   *out = NULL,
			   *err = NULL;

	snprintf(args, sizeof(args), "analyze -q --dsn 'host=/nonexistent dbname=x' '%s'", test_fixture("workload.log"));
	CU_ASSERT_EQUAL(run_without_libpq(args, &out, &err), EXIT_DATABASE);
	assert_libpq_missing(err);
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run_without_libpq("explain --dsn 'host=/nonexistent' 'SELECT 1'", &out, &err), EXIT_DATABASE);
	assert_libpq_missing(err);
	free(out);
	free(err);
}

/* The preload fails libpq alone: the HTML report's libcrypto still loads, and logs need no libpq. */
static void
test_logs_without_libpq(void)
{
	char		args[8192];
	char		html[2048];
	char	   *out = NULL,
			   *err = NULL;

	snprintf(html, sizeof(html), "%s/no-libpq.html", test_tmpdir());
	snprintf(args, sizeof(args), "analyze -q -o '%s' '%s'", html, test_fixture("workload.log"));
	CU_ASSERT_EQUAL(run_without_libpq(args, &out, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "libpq") == NULL);
	free(out);
	free(err);
	char	   *page = test_read_file(html);

	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "sha256-"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "</html>"));
	free(page);
}

PGSIFT_TEST_SUITE(add_libpq_loader_suite)
{
	CU_pSuite	s = CU_add_suite("live/libpq_loader", NULL, NULL);

	CU_add_test(s, "without libpq, --dsn and explain: exit 4, the reason and a hint", test_dsn_without_libpq);
	CU_add_test(s, "without libpq, logs are read and the HTML report written", test_logs_without_libpq);
}
