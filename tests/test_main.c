/*-------------------------------------------------------------------------
 * test_main.c
 *    CUnit runner for every suite in tests/.
 *
 * Suites register themselves (test_registry.h).  A suite name given on the
 * command line restricts the run to suites whose name contains it.  The
 * exit status is non-zero if any test failed or any suite could not run.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SUITES 256

static struct
{
	test_suite_adder fn;
	int			needs_server;
}			adders[MAX_SUITES];
static int	nadders = 0;
static unsigned skipped = 0;	/* tests not run: for want of a server, or by choice */
static const char *skip_reason;	/* the last test_skip_test reason, for the summary */

void
test_register_suite(test_suite_adder fn, int needs_server)
{
	if (nadders == MAX_SUITES)
	{
		/* a constructor: no test has run, so say it and stop */
		fprintf(stderr, "test_main: more than %d suite adders: raise MAX_SUITES in tests/test_main.c\n",
				MAX_SUITES);
		exit(2);
	}
	adders[nadders].fn = fn;
	adders[nadders].needs_server = needs_server;
	nadders++;
}

CU_pTest
test_add_server_test(CU_pSuite s, const char *name, CU_TestFunc fn)
{
	CU_pTest	t = CU_add_test(s, name, fn);

	if (t && !test_have_server())
	{
		CU_set_test_active(t, CU_FALSE);
		skipped++;
	}
	return t;
}
void
test_skip_test(CU_pTest t, const char *why)
{
	if (t == NULL)
		return;
	CU_set_test_active(t, CU_FALSE);
	skipped++;
	skip_reason = why;
}

/* Run every adder; without a server, leave the server adders' suites inactive. */
static void
add_suites(void)
{
	for (int i = 0; i < nadders; i++)
	{
		CU_pSuite	last = NULL;

		for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
			last = s;
		adders[i].fn();
		if (!adders[i].needs_server || test_have_server())
			continue;
		for (CU_pSuite s = last ? last->pNext : CU_get_registry()->pSuite; s; s = s->pNext)
		{
			CU_set_suite_active(s, CU_FALSE);
			skipped += s->uiNumberOfTests;
		}
	}
}

const char *
test_fixture(const char *name)
{
	/* a few buffers, so that one call's result survives the next ones */
	static char buf[8][4096];
	static int	next;

	next = (next + 1) % 8;
	snprintf(buf[next], sizeof(buf[next]), "%s/%s", PGSIFT_FIXTURES_DIR, name);
	return buf[next];
}

const char *
test_pgsift_binary(void)
{
	static char buf[4096];
	const char *env = getenv("PGSIFT_BIN");

	snprintf(buf, sizeof(buf), "%s", env ? env : PGSIFT_BUILD_DIR "/pgsift");
	return buf;
}

int
test_have_server(void)
{
	return getenv("PGHOST") != NULL && getenv("PGPORT") != NULL;
}

const char *
test_tmpdir(void)
{
	static char dir[4096];

	if (dir[0] == '\0')
	{
		const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

		snprintf(dir, sizeof(dir), "%s/pgsift-test-XXXXXX", base);
		if (mkdtemp(dir) == NULL)
		{
			perror("mkdtemp");
			exit(2);
		}
	}
	return dir;
}

const char *
test_write_file(const char *name, const char *text)
{
	static char path[4096];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	return path;
}

char *
test_read_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	char	   *text;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t) (n > 0 ? n : 0) + 1);
	if (n < 0 || fread(text, 1, (size_t) n, f) != (size_t) n)
		n = 0;
	text[n] = '\0';
	fclose(f);
	return text;
}

int
test_run(const char *cmd, char **out)
{
	FILE	   *p = popen(cmd, "r");

	if (p == NULL)
		return -1;
	size_t		cap = 4096,
				len = 0;
	char	   *buf = malloc(cap);
	size_t		n;

	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0)
	{
		len += n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	int			st = pclose(p);

	if (out)
		*out = buf;
	else
		free(buf);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
test_pgsift(const char *args, char **out, char **err)
{
	char		cmd[16384];
	char		errfile[4096];

	snprintf(errfile, sizeof(errfile), "%s/pgsift-stderr.txt", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "%s %s 2>'%s'", test_pgsift_binary(), args, errfile);
	int			st = test_run(cmd, out);

	if (err)
	{
		snprintf(cmd, sizeof(cmd), "cat '%s'", errfile);
		test_run(cmd, err);
	}
	return st;
}

int
test_pgsift_json(const char *args, json_t **j, char **err)
{
	char	   *out = NULL;
	int			st = test_pgsift(args, &out, err);

	if (j)
		*j = json_loads(out ? out : "", 0, NULL);
	free(out);
	return st;
}

json_t *
test_json_at(json_t *j, const char *path)
{
	char		buf[256];
	char	   *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok_r(buf, ".", &save); tok && j; tok = strtok_r(NULL, ".", &save))
		j = json_object_get(j, tok);
	return j;
}

int
main(int argc, char **argv)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_set_fail_on_inactive(CU_FALSE);
	add_suites();

	if (argc > 1)
	{
		/* deactivate suites that do not match the filter */
		for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
			if (strstr(s->pName, argv[1]) == NULL)
				CU_set_suite_active(s, CU_FALSE);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned	failed = CU_get_number_of_failures();
	unsigned	suites_failed = CU_get_number_of_suites_failed();
	unsigned	tests_run = CU_get_number_of_tests_run();

	CU_cleanup_registry();
	if (skipped > 0 && skip_reason)
		printf("skipped: %u tests (no test server: PGHOST/PGPORT unset; or %s)\n", skipped, skip_reason);
	else if (skipped > 0)
		printf("skipped: %u tests (no test server: PGHOST/PGPORT unset)\n", skipped);
	return (failed || suites_failed || tests_run == 0) ? 1 : 0;
}
