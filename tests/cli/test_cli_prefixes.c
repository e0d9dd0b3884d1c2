/*-------------------------------------------------------------------------
 * test_cli_prefixes.c
 *    Prefix learning on real logs: fixtures/prefixes/ holds one PostgreSQL
 *    log per log_line_prefix (tests/harness/make-prefix-fixtures.sh), and
 *    pgsift, given none, must read each as prefixes.tsv says: the setting
 *    itself, or a documented reading.
 *
 * Every file must give all its statements (the test counts the
 * "duration: " lines itself), no malformed line and no line read without
 * the prefix.  A reading other than the setting must say why; one that
 * "reads as the setting" (padding no line shows) must read every line's
 * fields as the setting does.  Where the prefix has %u and is read
 * exactly or as the setting, the user must be found too.  The logs of
 * servers with a log_timezone carry %n beside %m or %t: on every line,
 * the time read from the zone must be the epoch the server wrote.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/prefix.h"
#include "tests/parsers/prefix_testing.h"
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES	32

/* The lines of path (malloc'd, NUL-terminated each) into lines[0..max); their count. */
static int
read_lines(const char *path, char **lines, int max)
{
	FILE	   *f = fopen(path, "r");
	char		buf[65536];
	int			n = 0;

	if (f == NULL)
		return 0;
	while (n < max && fgets(buf, sizeof(buf), f))
	{
		buf[strcspn(buf, "\n")] = '\0';
		lines[n++] = strdup(buf);
	}
	fclose(f);
	return n;
}

static void
free_lines(char **lines, int n)
{
	for (int i = 0; i < n; i++)
		free(lines[i]);
}

/* Lines of path that prefix learned does not read as setting does; each is printed. */
static int
count_other_readings(const char *path, const char *setting, const char *learned)
{
	char	   *lines[4096];
	size_t		lens[4096];
	int			n = read_lines(path, lines, 4096),
				bad;

	for (int i = 0; i < n; i++)
		lens[i] = strlen(lines[i]);
	bad = prefix_test_different_readings(setting, learned, (const char *const *) lines, lens, n, 0);
	free_lines(lines, n);
	return bad;
}

/* "secs.mmm" of %n as epoch milliseconds. */
static int64_t
epoch_ms(const char *s, size_t n)
{
	int64_t		ms = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] != '.')
			ms = ms * 10 + (s[i] - '0');
	return ms;
}

/*
 * Check every line of path, whose prefix setting has %m or %t and %n:
 * the time read from the zone is the epoch (for %t, its second or the
 * one before), and the zone is not UTC.  Returns the number of lines
 * checked.
 */
static int
check_zone_times(const char *path, const char *setting)
{
	char	   *lines[4096];
	int			n = read_lines(path, lines, 4096),
				checked = 0;
	log_prefix *p = prefix_compile(setting, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (int i = 0; i < n; i++)
	{
		prefix_value v[MAX_VALUES];
		size_t		end;
		int			got = prefix_match_values(p, lines[i], strlen(lines[i]), v, MAX_VALUES, &end);
		const prefix_value *zoned = NULL,
				   *epoch = NULL;
		int64_t		ms = 0,
					want;

		for (int k = 0; k < got; k++)
			if (v[k].esc == 'm' || v[k].esc == 't')
				zoned = &v[k];
			else if (v[k].esc == 'n')
				epoch = &v[k];
		if (zoned == NULL || epoch == NULL)
			continue;
		want = epoch_ms(lines[i] + epoch->start, epoch->len);
		CU_ASSERT_EQUAL(log_time_parse(NULL, lines[i] + zoned->start, zoned->len, &ms), LOG_TIME_OK);
		/* %m and %n print one clock reading; %t reads the clock again, just before */
		if (zoned->esc == 't' && ms < want && ms >= want - want % 1000 - 1000)
			want = ms;
		if (ms != want)
			fprintf(stderr, "\n  %s: '%.*s' read as %lld ms, written %lld\n", path, (int) zoned->len,
					lines[i] + zoned->start, (long long) ms, (long long) want);
		CU_ASSERT_EQUAL(ms, want);
		CU_ASSERT(memmem(lines[i] + zoned->start, zoned->len, " UTC", 4) == NULL);
		checked++;
	}
	prefix_free(p);
	free_lines(lines, n);
	return checked;
}

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

/* One row of prefixes.tsv: file, setting, reading, why, other settings. */
static void
check_row(const char *file, const char *setting, const char *reads, const char *why, const char *settings)
{
	bool		as_setting = strcmp(setting, reads) == 0 || strncmp(why, "reads as the setting", 20) == 0;

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
	/* another reading says why; one said to read as the setting does so on every line */
	if (strcmp(setting, reads) != 0)
		CU_ASSERT(why[0] != '\0');
	if (as_setting && strcmp(setting, learned) != 0)
		CU_ASSERT_EQUAL(count_other_readings(path, setting, learned), 0);
	if (strstr(setting, "%u") && as_setting)
		CU_ASSERT(has_user(j, "postgres"));
	if (strstr(settings, "log_timezone=") != NULL)
		CU_ASSERT(check_zone_times(path, setting) >= 30);
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
		char	   *cols[5] = {0};
		char	   *p = line;

		line[strcspn(line, "\n")] = '\0';
		for (int c = 0; c < 5 && p; c++)
		{
			cols[c] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (strcmp(cols[0], "file") == 0 || cols[2] == NULL)
			continue;
		check_row(cols[0], cols[1], cols[2], cols[3] ? cols[3] : "", cols[4] ? cols[4] : "");
		rows++;
	}
	fclose(f);
	CU_ASSERT(rows >= 25);
}

PGSIFT_TEST_SUITE(add_cli_prefixes_suite)
{
	CU_pSuite	s = CU_add_suite("cli/prefixes", NULL, NULL);

	CU_add_test(s, "every log_line_prefix of fixtures/prefixes is learned", test_every_prefix);
}
