/*-------------------------------------------------------------------------
 * test_cli_config.c
 *    End-to-end tests of pgsift.conf and --fail-on: a rule disabled, a
 *    threshold raised, ./pgsift.conf found in the current directory, bad
 *    files refused with exit 2, and the CI gate's exit status.
 *
 * The database holds one sequence at 80% of its range, so
 * sequence-exhaustion (medium between 75% and 90%) fires on it.  Other
 * rules may fire too (the workload rules read the whole server's
 * pg_stat_statements and pg_stat_activity, shared with the other
 * suites), so the gate is checked against the highest severity the
 * report itself shows, and the configuration against this rule's
 * findings.
 *-------------------------------------------------------------------------
 */
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB "cli_config_test"
#define DSN "--dsn 'dbname=" DB "' --measure off"

static int
suite_init(void)
{
	if (!test_have_server())
		return 0;
	return test_run("psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS " DB "' -c 'CREATE DATABASE " DB "' "
					"&& psql -X -q -d " DB " -c 'CREATE SEQUENCE ticket_seq AS smallint' "
					"-c \"SELECT setval('ticket_seq', 26214)\" >/dev/null 2>&1", NULL) != 0;
}

static int
suite_clean(void)
{
	if (test_have_server())
		test_run("psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS " DB " WITH (FORCE)' >/dev/null 2>&1", NULL);
	return 0;
}

static const char *const severities[] = {"info", "low", "medium", "high", "critical"};

/*
 * How many findings of rule the JSON report of `analyze ARGS` has (-1 when
 * no report); *max_severity gets the highest severity of any finding (an
 * index of severities[], -1 for none) when not NULL.
 */
static int
count_rule_max(const char *args, const char *rule, int *status, int *max_severity)
{
	json_t	   *j = NULL;
	json_t	   *f;
	size_t		i;
	int			n = 0,
				max = -1;
	char		cmd[8192];

	snprintf(cmd, sizeof(cmd), "analyze -q --format json %s", args);
	*status = test_pgsift_json(cmd, &j, NULL);
	if (j == NULL)
		return -1;
	json_array_foreach(json_object_get(j, "findings"), i, f)
	{
		const char *sev = json_string_value(json_object_get(f, "severity"));

		n += strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0;
		for (int k = 0; sev && k < 5; k++)
			if (strcmp(sev, severities[k]) == 0 && k > max)
				max = k;
	}
	json_decref(j);
	if (max_severity)
		*max_severity = max;
	return n;
}

static int
count_rule(const char *args, const char *rule, int *status)
{
	return count_rule_max(args, rule, status, NULL);
}

static void
test_fail_on_gate(void)
{
	int			st,
				max;
	char	   *err = NULL;
	char		args[1024];

	CU_ASSERT_EQUAL(count_rule_max(DSN, "sequence-exhaustion", &st, &max), 1);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_FATAL(max >= 2);
	/* the medium finding fails a medium or lower gate, whatever else is found */
	CU_ASSERT_EQUAL(count_rule(DSN " --fail-on medium", "sequence-exhaustion", &st), 1);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_EQUAL(test_pgsift("analyze " DSN " --fail-on low -o /dev/null", NULL, &err), 1);
	pg_test_assert_has(err, "--fail-on", 1);
	free(err);
	/* the highest severity found fails its own gate and passes the next one */
	snprintf(args, sizeof(args), DSN " --fail-on %s", severities[max]);
	CU_ASSERT_EQUAL(count_rule(args, "sequence-exhaustion", &st), 1);
	CU_ASSERT_EQUAL(st, 1);
	if (max < 4)
	{
		snprintf(args, sizeof(args), DSN " --fail-on %s", severities[max + 1]);
		CU_ASSERT_EQUAL(count_rule(args, "sequence-exhaustion", &st), 1);
		CU_ASSERT_EQUAL(st, 0);
	}
	CU_ASSERT_EQUAL(test_pgsift("analyze " DSN " --fail-on severe", NULL, &err), 2);
	pg_test_assert_has(err, "unknown severity \"severe\"", 1);
	free(err);
}

static void
test_config_disables_and_tunes(void)
{
	int			st;
	char		args[8192];

	snprintf(args, sizeof(args), DSN " --config '%s'",
			 test_write_file("off.conf", "[sequence-exhaustion]\nenabled = false\n"));
	CU_ASSERT_EQUAL(count_rule(args, "sequence-exhaustion", &st), 0);
	CU_ASSERT_EQUAL(st, 0);
	/* 80% used is under a raised threshold, over a lowered high mark */
	snprintf(args, sizeof(args), DSN " --config '%s'",
			 test_write_file("raised.conf", "[sequence-exhaustion]\nmin_used_percent = 85\n"));
	CU_ASSERT_EQUAL(count_rule(args, "sequence-exhaustion", &st), 0);
	snprintf(args, sizeof(args), DSN " --fail-on high --config '%s'",
			 test_write_file("high.conf", "[sequence-exhaustion]\nhigh_used_percent = 79\n"));
	CU_ASSERT_EQUAL(count_rule(args, "sequence-exhaustion", &st), 1);
	CU_ASSERT_EQUAL(st, 1);
}

static void
test_config_in_current_directory(void)
{
	char		cmd[8192];
	char	   *out = NULL;

	test_write_file("pgsift.conf", "[sequence-exhaustion]\nenabled = no\n");
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' analyze -q --format json " DSN,
			 test_tmpdir(), test_pgsift_binary());
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	CU_ASSERT_PTR_NULL(out ? strstr(out, "sequence-exhaustion") : NULL);
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -f '%s/pgsift.conf'", test_tmpdir());
	test_run(cmd, NULL);
}

static void
test_bad_config_is_usage_error(void)
{
	char		args[8192];
	char	   *err = NULL;
	const char *path = test_write_file("typo.conf", "[sequence-exhaustion]\nmin_usd_percent = 80\n");

	snprintf(args, sizeof(args), "analyze --config '%s' '%s'", path, test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 2);
	pg_test_assert_has(err, "unknown threshold \"min_usd_percent\"", 1);
	pg_test_assert_has(err, "typo.conf:2", 1);
	free(err);
	snprintf(args, sizeof(args), "analyze --config '%s/none.conf' '%s'", test_tmpdir(), test_fixture("workload.log"));
	CU_ASSERT_EQUAL(test_pgsift(args, NULL, &err), 2);
	pg_test_assert_has(err, "could not open configuration file", 1);
	free(err);
}

static void
test_rules_page_lists_thresholds(void)
{
	char	   *out = NULL;

	CU_ASSERT_EQUAL(test_pgsift("rules sequence-exhaustion", &out, NULL), 0);
	pg_test_assert_has(out, "section [sequence-exhaustion]", 1);
	pg_test_assert_has(out, "min_used_percent = 75", 1);
	free(out);
}

PGSIFT_TEST_SUITE(cli_config_suite)
{
	CU_pSuite	s = CU_add_suite("cli/config", suite_init, suite_clean);

	test_add_server_test(s, "--fail-on exits 1 at or above the severity", test_fail_on_gate);
	test_add_server_test(s, "pgsift.conf disables a rule and moves thresholds", test_config_disables_and_tunes);
	test_add_server_test(s, "./pgsift.conf is read from the current directory", test_config_in_current_directory);
	CU_add_test(s, "a bad configuration is a usage error with file:line", test_bad_config_is_usage_error);
	CU_add_test(s, "pgsift rules ID lists its thresholds", test_rules_page_lists_thresholds);
}
