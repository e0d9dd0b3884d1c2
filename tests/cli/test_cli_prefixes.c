/*-------------------------------------------------------------------------
 * test_cli_prefixes.c
 *    Prefix learning on real logs: fixtures/prefixes/ holds one PostgreSQL
 *    log per log_line_prefix (tests/harness/make-prefix-fixtures.sh), and
 *    pgsift, given none, must read each as prefixes.tsv says: the setting
 *    itself, or a documented reading.
 *
 * Every file must give all its statements (the test counts the
 * "duration: " lines itself), no malformed line and no line read without
 * the prefix; where the prefix has %u and is read exactly, the user too.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines of path that hold "duration: " (each a timed statement). */
static long
count_duration_lines(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[65536];
	long		n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "LOG:  duration: ") != NULL;
	fclose(f);
	return n;
}

static json_int_t
json_int_at(json_t *o, const char *key)
{
	json_t	   *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* Whether any query of the report ran under user name. */
static int
has_user(json_t *report, const char *name)
{
	size_t		i,
				k;
	json_t	   *q,
			   *u;

	json_array_foreach(json_object_get(report, "queries"), i, q)
		json_array_foreach(json_object_get(q, "users"), k, u)
		if (strcmp(json_string_value(json_object_get(u, "name")) ? json_string_value(json_object_get(u, "name")) : "",
				   name) == 0)
		return 1;
	return 0;
}

/* One row of prefixes.tsv: file, setting, reading, why. */
static void
check_row(const char *file, const char *setting, const char *reads)
{
	char		path[4096],
				args[8192];
	json_t	   *j = NULL;
	char	   *err = NULL;

	snprintf(path, sizeof(path), "%s/prefixes/%s", test_fixture(""), file);
	snprintf(args, sizeof(args), "analyze --format json -q '%s'", path);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);

	json_t	   *in = json_array_get(json_object_get(j, "inputs"), 0);
	const char *learned = json_string_value(json_object_get(in, "prefix"));
	long		want = count_duration_lines(path);
	json_int_t	got = json_int_at(json_object_get(j, "summary"), "statements");

	if (learned == NULL || strcmp(learned, reads) != 0 || got != want)
		fprintf(stderr, "\n  %s: log_line_prefix '%s' read as '%s', %lld of %ld statements\n", file, setting,
				learned ? learned : "(none)", (long long) got, want);
	CU_ASSERT(want >= 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(learned);
	CU_ASSERT_STRING_EQUAL(learned, reads);
	CU_ASSERT_EQUAL(got, want);
	CU_ASSERT_EQUAL(json_int_at(in, "malformed_lines"), 0);
	CU_ASSERT_EQUAL(json_int_at(in, "fallback_lines"), 0);
	if (strstr(setting, "%u") && strcmp(setting, reads) == 0)
		CU_ASSERT(has_user(j, "postgres"));
	json_decref(j);
	free(err);
}

static void
test_every_prefix(void)
{
	char		path[4096],
				line[4096];
	FILE	   *f;
	int			rows = 0;

	snprintf(path, sizeof(path), "%s/prefixes/prefixes.tsv", test_fixture(""));
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f))
	{
		char	   *cols[4] = {0};
		char	   *p = line;

		line[strcspn(line, "\n")] = '\0';
		for (int c = 0; c < 4 && p; c++)
		{
			cols[c] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (strcmp(cols[0], "file") == 0 || cols[2] == NULL)
			continue;
		check_row(cols[0], cols[1], cols[2]);
		rows++;
	}
	fclose(f);
	CU_ASSERT(rows >= 15);
}

PGSIFT_TEST_SUITE(add_cli_prefixes_suite)
{
	CU_pSuite	s = CU_add_suite("cli/prefixes", NULL, NULL);

	CU_add_test(s, "every log_line_prefix of fixtures/prefixes is learned", test_every_prefix);
}
