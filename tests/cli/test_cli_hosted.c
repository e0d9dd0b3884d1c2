/*-------------------------------------------------------------------------
 * test_cli_hosted.c
 *    Hosted services' log formats: each fixture of fixtures/hosted/ is a
 *    real server's log put in a service's envelope
 *    (tests/harness/make-hosted-fixtures.sh), and must be recognised as
 *    that format and give the very figures of the log it was made from.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
analyze(const char *file)
{
	char		args[8192];
	json_t	   *j = NULL;
	char	   *err = NULL;

	snprintf(args, sizeof(args), "analyze --format json -q '%s/hosted/%s'", test_fixture(""), file);
	CU_ASSERT_EQUAL(test_pgsift_json(args, &j, &err), 0);
	free(err);
	return j;
}

/* Each query's fingerprint and calls, in the report's order, as one string. */
static char *
query_calls(json_t *j)
{
	json_t	   *a = json_array();
	size_t		i;
	json_t	   *q;
	char	   *s;

	json_array_foreach(json_object_get(j, "queries"), i, q)
		json_array_append_new(a, json_pack("[O, O]", json_object_get(q, "fingerprint"), json_object_get(q, "calls")));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* hosted must read as format, with source's figures. */
static void
check_pair(const char *source, const char *hosted, const char *format)
{
	static const char *const same[] = {
		"summary.statements", "summary.total_duration_ms", "summary.fingerprints", "summary.first_timestamp",
		"summary.last_timestamp", "events.by_kind", "events.by_severity", "events.sqlstates", "sessions",
	};
	json_t	   *a = analyze(source),
			   *b = analyze(hosted);

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	ASSERT_STR(json_string_value(test_json_at(json_array_get(json_object_get(b, "inputs"), 0), "format")), format);
	CU_ASSERT_EQUAL(json_integer_value(test_json_at(json_array_get(json_object_get(b, "inputs"), 0), "malformed_lines")), 0);
	CU_ASSERT_EQUAL(json_integer_value(test_json_at(json_array_get(json_object_get(b, "inputs"), 0), "fallback_lines")), 0);
	CU_ASSERT(json_integer_value(test_json_at(a, "summary.statements")) > 50);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
	{
		int			eq = json_equal(test_json_at(a, same[i]), test_json_at(b, same[i]));

		if (!eq)
			fprintf(stderr, "\n  %s: %s differs from %s\n", hosted, same[i], source);
		CU_ASSERT(eq);
	}

	char	   *qa = query_calls(a),
			   *qb = query_calls(b);

	ASSERT_STR(qb, qa);
	free(qa);
	free(qb);
	json_decref(a);
	json_decref(b);
}

static void
test_heroku_logplex(void)
{
	check_pair("heroku-source.log", "heroku-logplex.log", "logplex");
}

static void
test_cnpg(void)
{
	check_pair("cnpg-source.json", "cnpg.log", "cnpg");
}

static void
test_cloudsql(void)
{
	check_pair("cloudsql-source.log", "cloudsql.json", "cloudsql");
}

PGSIFT_TEST_SUITE(add_cli_hosted_suite)
{
	CU_pSuite	s = CU_add_suite("cli/hosted", NULL, NULL);

	CU_add_test(s, "Heroku logplex: the figures of its source log", test_heroku_logplex);
	CU_add_test(s, "CloudNativePG JSON lines: the figures of its source jsonlog", test_cnpg);
	CU_add_test(s, "Cloud SQL's Cloud Logging export: the figures of its source log", test_cloudsql);
}
