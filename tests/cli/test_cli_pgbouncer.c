/*-------------------------------------------------------------------------
 * test_cli_pgbouncer.c
 *    pgsift on a real pgBouncer log and its server's log of the same run
 *    (fixtures/pgbouncer/, tests/harness/make-pgbouncer-fixture.sh): both
 *    read in one run, the pooler section's figures equal to counts taken
 *    here from the fixture's lines, and the server's figures the same as
 *    with the server's log alone.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the fixture's lines say, counted by plain string search. */
typedef struct line_counts
{
	long		lines;
	long		warnings;
	long		logins;
	long		client_closes;
	long		server_connects;
	long		server_closes;
	long		pooler_errors;
	long		max_client_conn;
	long		stats;
	double		xacts_max;
	double		xacts_sum;
	double		wait_max;
} line_counts;

static line_counts
count_fixture(void)
{
	line_counts c = {0};
	FILE	   *f = fopen(test_fixture("pgbouncer/pgbouncer.log"), "r");
	char		line[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f))
	{
		const char *stats = strstr(line, " LOG stats: ");
		double		xacts,
					queries,
					in,
					out,
					xact,
					query,
					wait;

		c.lines++;
		c.warnings += strstr(line, "] WARNING ") != NULL;
		c.logins += strstr(line, " login attempt: ") != NULL;
		c.client_closes += strstr(line, " C-0x") && strstr(line, " closing because: ");
		c.server_closes += strstr(line, " S-0x") && strstr(line, " closing because: ");
		c.server_connects += strstr(line, " new connection to server ") != NULL;
		c.pooler_errors += strstr(line, " pooler error: ") != NULL;
		c.max_client_conn += strstr(line, " pooler error: no more connections allowed (max_client_conn)") != NULL;
		if (stats && sscanf(stats, " LOG stats: %lf xacts/s, %lf queries/s, in %lf B/s, out %lf B/s, "
							"xact %lf us, query %lf us, wait %lf us", &xacts, &queries, &in, &out, &xact,
							&query, &wait) == 7)
		{
			c.stats++;
			c.xacts_sum += xacts;
			if (xacts > c.xacts_max)
				c.xacts_max = xacts;
			if (wait > c.wait_max)
				c.wait_max = wait;
		}
	}
	fclose(f);
	return c;
}

static json_t *
analyze(const char *files)
{
	char		args[8192];
	json_t	   *j = NULL;
	char	   *err = NULL;

	snprintf(args, sizeof(args), "analyze --format json -q %s", files);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, &err), 0);
	free(err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	return j;
}

static long
int_at(json_t *j, const char *path)
{
	json_t	   *v = test_json_at(j, path);

	CU_ASSERT_PTR_NOT_NULL(v);
	return (long) json_integer_value(v);
}

static long
reason_count(json_t *j, const char *table, const char *reason)
{
	char		path[128];
	size_t		i;
	json_t	   *r;

	snprintf(path, sizeof(path), "pooler.%s.by_reason", table);
	json_array_foreach(test_json_at(j, path), i, r)
		if (strcmp(json_string_value(json_object_get(r, "reason")), reason) == 0)
		return (long) json_integer_value(json_object_get(r, "count"));
	return 0;
}

static char *
both_files(void)
{
	char	   *s = malloc(8192);

	snprintf(s, 8192, "'%s' '%s'", test_fixture("pgbouncer/postgresql.log"), test_fixture("pgbouncer/pgbouncer.log"));
	return s;
}

static void
test_pooler_figures(void)
{
	line_counts c = count_fixture();
	char	   *files = both_files();
	json_t	   *j = analyze(files);

	/* the load the harness drove made each of these happen */
	CU_ASSERT(c.logins > 10 && c.max_client_conn > 0 && c.stats > 1 && c.server_connects > 0);
	ASSERT_STR(json_string_value(test_json_at(json_array_get(json_object_get(j, "inputs"), 0), "format")), "stderr");
	ASSERT_STR(json_string_value(test_json_at(json_array_get(json_object_get(j, "inputs"), 1), "format")), "pgbouncer");
	CU_ASSERT_EQUAL(int_at(json_array_get(json_object_get(j, "inputs"), 1), "malformed_lines"), 0);
	CU_ASSERT_EQUAL(int_at(j, "pooler.records"), c.lines);
	CU_ASSERT_EQUAL(int_at(j, "pooler.warnings"), c.warnings);
	CU_ASSERT_EQUAL(int_at(j, "pooler.clients.login_attempts"), c.logins);
	CU_ASSERT_EQUAL(int_at(j, "pooler.clients.closed"), c.client_closes);
	CU_ASSERT_EQUAL(int_at(j, "pooler.servers.opened"), c.server_connects);
	CU_ASSERT_EQUAL(int_at(j, "pooler.servers.closed"), c.server_closes);
	CU_ASSERT_EQUAL(int_at(j, "pooler.by_kind.pooler_error"), c.pooler_errors);
	CU_ASSERT_EQUAL(int_at(j, "pooler.pooler_errors.total"), c.pooler_errors);
	CU_ASSERT_EQUAL(reason_count(j, "pooler_errors", "no more connections allowed (max_client_conn)"),
					c.max_client_conn);
	CU_ASSERT_EQUAL(int_at(j, "pooler.stats.lines"), c.stats);
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(test_json_at(j, "pooler.stats.xacts_per_s.max")), c.xacts_max, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(test_json_at(j, "pooler.stats.xacts_per_s.mean")), c.xacts_sum / c.stats, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(test_json_at(j, "pooler.stats.wait_us.max")), c.wait_max, 1e-9);
	CU_ASSERT_EQUAL(int_at(j, "events.by_kind.pooler"), c.lines);
	json_decref(j);
	free(files);
}

/* With the pooler's log beside it, the server's figures are what its log alone gives. */
static void
test_server_figures_untouched(void)
{
	static const char *const same[] = {
		"summary.statements", "summary.total_duration_ms", "summary.fingerprints", "summary.first_timestamp",
		"summary.last_timestamp", "events.by_severity", "events.sqlstates", "sessions", "queries",
	};
	char	   *files = both_files();
	char		alone[4096];
	json_t	   *a,
			   *b;

	snprintf(alone, sizeof(alone), "'%s'", test_fixture("pgbouncer/postgresql.log"));
	a = analyze(alone);
	b = analyze(files);
	CU_ASSERT(json_is_null(json_object_get(a, "pooler")));
	CU_ASSERT(json_is_object(json_object_get(b, "pooler")));
	CU_ASSERT(int_at(a, "summary.statements") > 100);
	CU_ASSERT(int_at(a, "sessions.connections_authorized") > 0);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
	{
		int			eq = json_equal(test_json_at(a, same[i]), test_json_at(b, same[i]));

		if (!eq)
			fprintf(stderr, "\n  %s differs with the pgBouncer log beside the server's\n", same[i]);
		CU_ASSERT(eq);
	}
	json_decref(a);
	json_decref(b);
	free(files);
}

/* The section in text and Markdown, only when a pgBouncer log was read; -f pgbouncer. */
static void
test_sections(void)
{
	char	   *files = both_files();
	char		args[8192];
	char	   *out = NULL;
	line_counts c = count_fixture();
	char		want[128];

	snprintf(args, sizeof(args), "analyze -q %s", files);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nPooler (pgBouncer)\n"));
	snprintf(want, sizeof(want), "clients: %ld login attempts", c.logins);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	/* after the server's sessions, before the errors */
	CU_ASSERT(strstr(out, "\nSessions\n") < strstr(out, "\nPooler (pgBouncer)\n"));
	CU_ASSERT(strstr(out, "\nPooler (pgBouncer)\n") < strstr(out, "\nErrors by SQLSTATE\n"));
	free(out);

	snprintf(args, sizeof(args), "analyze -q --format markdown %s", files);
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "## Pooler (pgBouncer)\n"));
	free(out);

	snprintf(args, sizeof(args), "analyze -q '%s'", test_fixture("pgbouncer/postgresql.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, &out, NULL), 0);
	CU_ASSERT_PTR_NULL(out ? strstr(out, "Pooler") : "no output");
	free(out);

	/* given explicitly, and stdin (no name to go by) */
	snprintf(args, sizeof(args), "analyze -q -f pgbouncer --format json - < '%s'",
			 test_fixture("pgbouncer/pgbouncer.log"));
	json_t	   *j = NULL;

	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, NULL), 0);
	CU_ASSERT_EQUAL(int_at(j, "pooler.records"), c.lines);
	json_decref(j);
	free(files);
}

/* A store keeps the pooler summary: the stored report's "pooler" is the run's, and -j 2 gives it too. */
static void
test_store_keeps_pooler(void)
{
	char	   *files = both_files();
	char		args[8192];
	char		db[4096];
	json_t	   *run = NULL,
			   *stored = NULL;

	snprintf(db, sizeof(db), "%s/pgbouncer.db", test_tmpdir());
	remove(db);
	snprintf(args, sizeof(args), "analyze -q -j 2 --format json --store '%s' %s", db, files);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &run, NULL), 0);
	snprintf(args, sizeof(args), "report --store '%s' --format json", db);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &stored, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(run);
	CU_ASSERT_PTR_NOT_NULL_FATAL(stored);
	CU_ASSERT(json_is_object(json_object_get(run, "pooler")));
	CU_ASSERT(int_at(run, "pooler.pooler_errors.total") > 0);
	CU_ASSERT(json_equal(json_object_get(run, "pooler"), json_object_get(stored, "pooler")));
	CU_ASSERT(json_equal(json_object_get(run, "sessions"), json_object_get(stored, "sessions")));
	json_decref(run);
	json_decref(stored);
	remove(db);
	free(files);
}

PGSIFT_TEST_SUITE(add_cli_pgbouncer_suite)
{
	CU_pSuite	s = CU_add_suite("cli/pgbouncer", NULL, NULL);

	CU_add_test(s, "pooler figures match the fixture's lines", test_pooler_figures);
	CU_add_test(s, "server figures as with the server's log alone", test_server_figures_untouched);
	CU_add_test(s, "text and Markdown sections, -f pgbouncer", test_sections);
	CU_add_test(s, "a store keeps the pooler summary", test_store_keeps_pooler);
}
