/*-------------------------------------------------------------------------
 * test_config.c
 *    Unit tests of pgsift.conf parsing (src/core/config.c) and of its check
 *    against the rule registry (rules_check_config, rule_param_value).
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/core/config.h"
#include "src/core/diag.h"
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const rule rule_sequence_exhaustion;

static void
test_parse_sections_and_comments(void)
{
	const char *path = test_write_file("ok.conf",
									"# pgsift.conf\n"
									"\n"
									"[sequence-exhaustion]\n"
									"  min_used_percent = 50   # lower\n"
									"enabled = true\n"
									"; a comment\n"
									"[seq-scan-filter]\n"
									"enabled=off\n"
									"[sequence-exhaustion]\n"
									"min_used_percent = 60\n");
	pgsift_config *c = config_load(path);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->count, 4);
	ASSERT_STR(config_lookup(c, "sequence-exhaustion", "min_used_percent")->value, "60");	/* last wins */
	CU_ASSERT_EQUAL(config_lookup(c, "sequence-exhaustion", "min_used_percent")->line, 10);
	CU_ASSERT_PTR_NULL(config_lookup(c, "sequence-exhaustion", "nothing"));
	CU_ASSERT_FALSE(config_rule_enabled(c, "seq-scan-filter"));
	CU_ASSERT_TRUE(config_rule_enabled(c, "sequence-exhaustion"));
	CU_ASSERT_TRUE(config_rule_enabled(c, "disk-sort"));
	CU_ASSERT_TRUE(config_rule_enabled(NULL, "disk-sort"));
	CU_ASSERT_EQUAL(rules_check_config(c), 0);

	/* thresholds: the override, and the descriptor's default without one */
	rule_context ctx = {.scope = RULE_CATALOG, .config = c};

	CU_ASSERT_DOUBLE_EQUAL(rule_param_value(&ctx, &rule_sequence_exhaustion, "min_used_percent"), 60, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rule_param_value(&ctx, &rule_sequence_exhaustion, "high_used_percent"), 90, 1e-9);
	ctx.config = NULL;
	CU_ASSERT_DOUBLE_EQUAL(rule_param_value(&ctx, &rule_sequence_exhaustion, "min_used_percent"), 75, 1e-9);
	config_free(c);
}

/* config_load of text must fail, and its message name file:line and contain want. */
static void
assert_load_fails(const char *text, int line, const char *want)
{
	const char *path = test_write_file("bad.conf", text);
	char		where[4200];

	pg_test_capture_begin();
	pgsift_config *c = config_load(path);
	char	   *err = pg_test_capture_end();

	CU_ASSERT_PTR_NULL(c);
	snprintf(where, sizeof(where), "%s:%d", path, line);
	pg_test_assert_has(err, where, 1);
	pg_test_assert_has(err, want, 1);
	config_free(c);
	free(err);
}

/* The file parses, but rules_check_config must refuse it at line, saying want. */
static void
assert_check_fails(const char *text, int line, const char *want)
{
	const char *path = test_write_file("bad-rule.conf", text);
	char		where[4200];
	pgsift_config *c = config_load(path);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pg_test_capture_begin();
	int			rc = rules_check_config(c);
	char	   *err = pg_test_capture_end();

	CU_ASSERT_EQUAL(rc, -1);
	snprintf(where, sizeof(where), "%s:%d", path, line);
	pg_test_assert_has(err, where, 1);
	pg_test_assert_has(err, want, 1);
	config_free(c);
	free(err);
}

static void
test_syntax_errors(void)
{
	assert_load_fails("min_repeats = 5\n", 1, "before any [rule-id] section");
	assert_load_fails("[disk-sort]\n\njust words\n", 3, "invalid line");
	assert_load_fails("[disk-sort\nenabled = false\n", 1, "invalid section header");
	assert_load_fails("[]\n", 1, "invalid section header");
	assert_load_fails("[ ]\nenabled = false\n", 1, "invalid section header");
}

static void
test_registry_errors(void)
{
	assert_check_fails("[no-such-rule]\nenabled = false\n", 2, "unknown rule \"no-such-rule\"");
	assert_check_fails("[sequence-exhaustion]\n\nmin_used = 3\n", 3, "min_used_percent, high_used_percent");
	assert_check_fails("[sequence-exhaustion]\nmin_used_percent = lots\n", 2, "invalid value \"lots\"");
	assert_check_fails("[sequence-exhaustion]\nmin_used_percent = -1\n", 2, "invalid value \"-1\"");
	assert_check_fails("[disk-sort]\nenabled = perhaps\n", 2, "Use true or false");
}

static void
test_missing_file(void)
{
	char		path[4096];

	snprintf(path, sizeof(path), "%s/absent.conf", test_tmpdir());
	pg_test_capture_begin();
	pgsift_config *c = config_load(path);
	char	   *err = pg_test_capture_end();

	/* a file given explicitly must exist */
	CU_ASSERT_PTR_NULL(c);
	pg_test_assert_has(err, "could not open configuration file", 1);
	free(err);
}

static void
test_values(void)
{
	double		v = 0;

	CU_ASSERT_EQUAL(config_parse_number("1e3", &v), 0);
	CU_ASSERT_DOUBLE_EQUAL(v, 1000, 1e-9);
	CU_ASSERT_EQUAL(config_parse_number("0.5", &v), 0);
	CU_ASSERT_DOUBLE_EQUAL(v, 0.5, 1e-9);
	CU_ASSERT_EQUAL(config_parse_number("5ms", &v), -1);
	CU_ASSERT_EQUAL(config_parse_number("", &v), -1);
	CU_ASSERT_EQUAL(config_parse_number("inf", &v), -1);
	CU_ASSERT_EQUAL(config_parse_bool("Yes"), 1);
	CU_ASSERT_EQUAL(config_parse_bool("OFF"), 0);
	CU_ASSERT_EQUAL(config_parse_bool("2"), -1);
}

/* Every rule's thresholds are named once, in snake_case, with a description. */
static void
test_every_rule_declares_its_thresholds(void)
{
	for (int i = 0; pgsift_rules[i]; i++)
		for (const rule_param *p = pgsift_rules[i]->params; p && p->name; p++)
		{
			CU_ASSERT_PTR_NOT_NULL(p->description);
			CU_ASSERT_EQUAL(strspn(p->name, "abcdefghijklmnopqrstuvwxyz0123456789_"), strlen(p->name));
			CU_ASSERT_NOT_EQUAL(strcmp(p->name, "enabled"), 0);
			for (const rule_param *q = p + 1; q->name; q++)
				CU_ASSERT_NOT_EQUAL(strcmp(p->name, q->name), 0);
		}
}

PGSIFT_TEST_SUITE(config_suite)
{
	CU_pSuite	s = CU_add_suite("src/config", NULL, NULL);

	CU_add_test(s, "sections, comments, overrides and defaults", test_parse_sections_and_comments);
	CU_add_test(s, "syntax errors name file:line", test_syntax_errors);
	CU_add_test(s, "unknown rules and thresholds are refused", test_registry_errors);
	CU_add_test(s, "a --config file must exist", test_missing_file);
	CU_add_test(s, "numbers and booleans", test_values);
	CU_add_test(s, "every rule declares its thresholds", test_every_rule_declares_its_thresholds);
}
