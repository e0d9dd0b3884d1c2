/*-------------------------------------------------------------------------
 * test_registry.c
 *    Every rule is one file, one line of rules/rules.def and one page.
 *
 * For every registered rule: its descriptor is complete, its id is
 * unique and kebab-case, docs/rules/<id>.md exists, `pgsift rules` lists
 * it and `pgsift rules ID` prints its page; and every page of docs/rules
 * belongs to a registered rule.  No server is needed.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "tests/test_registry.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
kebab_case(const char *id)
{
	if (id == NULL || id[0] < 'a' || id[0] > 'z')
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p == '-' && p[1] && p[1] != '-')))
			return 0;
	return 1;
}

static void
test_descriptors(void)
{
	int			n = 0;

	for (int i = 0; pgsift_rules[i]; i++, n++)
	{
		const rule *r = pgsift_rules[i];

		CU_ASSERT_TRUE(kebab_case(r->id));
		CU_ASSERT_PTR_NOT_NULL(r->title);
		CU_ASSERT_PTR_NOT_NULL(r->summary);
		CU_ASSERT_PTR_NOT_NULL(r->check);
		CU_ASSERT(r->scope >= RULE_PLAN && r->scope <= RULE_MIGRATION);
		CU_ASSERT_PTR_EQUAL(rule_find(r->id), r);
		for (int j = 0; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(pgsift_rules[j]->id, r->id);
		for (const rule_param *p = r->params; p && p->name; p++)
			CU_ASSERT(p->description != NULL && p->default_value >= 0);
	}
	CU_ASSERT(n >= 22);
	CU_ASSERT_PTR_NULL(rule_find("no-such-rule"));
}

/* The registry and docs/rules/ hold the same ids. */
static void
test_one_page_per_rule(void)
{
	char		path[4096];
	DIR		   *d;
	struct dirent *e;
	int			pages = 0;

	for (int i = 0; pgsift_rules[i]; i++)
	{
		snprintf(path, sizeof(path), "%s/rules/%s.md", PGSIFT_DOCS_DIR, pgsift_rules[i]->id);
		CU_ASSERT_EQUAL(access(path, R_OK), 0);
		if (access(path, R_OK) != 0)
			fprintf(stderr, "\n  no page %s", path);
	}
	snprintf(path, sizeof(path), "%s/rules", PGSIFT_DOCS_DIR);
	d = opendir(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL)
	{
		size_t		len = strlen(e->d_name);
		char		id[256];

		if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0 || len - 3 >= sizeof(id))
			continue;
		memcpy(id, e->d_name, len - 3);
		id[len - 3] = '\0';
		pages++;
		CU_ASSERT_PTR_NOT_NULL(rule_find(id));
		if (rule_find(id) == NULL)
			fprintf(stderr, "\n  docs/rules/%s has no rule", e->d_name);
	}
	closedir(d);
	CU_ASSERT(pages >= 22);
}

/* `pgsift rules` lists every rule; `pgsift rules ID` prints each page. */
static void
test_rules_command(void)
{
	char	   *out = NULL;
	char		cmd[4096];

	snprintf(cmd, sizeof(cmd), "%s rules", test_pgsift_binary());
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	for (int i = 0; pgsift_rules[i]; i++)
	{
		char		line[128];

		snprintf(line, sizeof(line), "\n%s ", pgsift_rules[i]->id);
		CU_ASSERT_PTR_NOT_NULL(out && strstr(out, line));
	}
	free(out);
	for (int i = 0; pgsift_rules[i]; i++)
	{
		snprintf(cmd, sizeof(cmd), "%s rules %s", test_pgsift_binary(), pgsift_rules[i]->id);
		CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
		CU_ASSERT_PTR_NOT_NULL(out && strstr(out, pgsift_rules[i]->id));
		CU_ASSERT_PTR_NULL(out && strstr(out, "no documentation page found") ? out : NULL);
		free(out);
	}
	snprintf(cmd, sizeof(cmd), "%s rules disk-sort", test_pgsift_binary());
	CU_ASSERT_EQUAL(test_run(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "work_mem"));
	free(out);
	CU_ASSERT_EQUAL(test_pgsift("rules no-such-rule", NULL, NULL), 2);
}

/* docs/migration.md's table links every migration rule's page. */
static void
test_migration_page_lists_rules(void)
{
	char	   *out = NULL;
	char		cmd[4096];

	snprintf(cmd, sizeof(cmd), "cat %s/migration.md", PGSIFT_DOCS_DIR);
	CU_ASSERT_EQUAL_FATAL(test_run(cmd, &out), 0);
	for (int i = 0; pgsift_rules[i]; i++)
	{
		char		link[160];

		if (pgsift_rules[i]->scope != RULE_MIGRATION)
			continue;
		snprintf(link, sizeof(link), "| [%s](rules/%s.md) |", pgsift_rules[i]->id, pgsift_rules[i]->id);
		if (out == NULL || strstr(out, link) == NULL)
			fprintf(stderr, "\n  docs/migration.md does not list %s", pgsift_rules[i]->id);
		CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, link) : NULL);
	}
	free(out);
}

PGSIFT_TEST_SUITE(add_rule_registry_suite)
{
	CU_pSuite	s = CU_add_suite("rules/registry", NULL, NULL);

	CU_add_test(s, "descriptors are complete and ids unique", test_descriptors);
	CU_add_test(s, "one docs/rules page per rule, and no other", test_one_page_per_rule);
	CU_add_test(s, "pgsift rules lists every rule and prints every page", test_rules_command);
	CU_add_test(s, "docs/migration.md lists every migration rule", test_migration_page_lists_rules);
}
