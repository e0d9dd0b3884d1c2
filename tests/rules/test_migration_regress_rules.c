/*-------------------------------------------------------------------------
 * test_migration_regress_rules.c
 *    The rules on the workload's plans (plan-regression,
 *    plan-improvement, new-index-unused) turn verdicts into findings:
 *    which verdicts, at which statement, with which severity and id, and
 *    what an ignore comment does to them.
 *
 * The verdicts are set by hand here (the judging itself, against a real
 * server, is tests/live/test_migration_regress.c): so every verdict,
 * unstable plans included, is seen to map as documented.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/live/migration_regress.h"
#include "tests/rules/migration_testing.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_plan_regression;
extern const rule rule_plan_improvement;
extern const rule rule_new_index_unused;

static regress_query queries[6];
static migration_regressions regressions;

/* A query with verdict v laid at statement i. */
static void
set_query(int k, regress_verdict v, int i, const char *query)
{
	regress_query *q = &queries[k];

	memset(q, 0, sizeof(*q));
	q->fingerprint = 0x1000 + (uint64_t) k;
	q->query = (char *) query;
	q->source = "log";
	q->verdict = v;
	q->statement = i;
	q->reason = (char *) "cost 1.00 -> 9.00 (x9.0)";
	q->before.ok = q->after.ok = v != REGRESS_NOT_PLANNED;
	q->after.ok = v != REGRESS_FAILS && v != REGRESS_NOT_PLANNED;
	q->before.cost = 1;
	q->after.cost = 9;
}

/* Run rule r on the last lint's migration with the regressions above; findings into *out. */
static void
run_rule(const rule *r, finding_list *out)
{
	const migration_gate_result *res = lint_last_result();
	migration_context mctx = {
		.migration = (migration *) &res->migration, .pg_version = 15, .regressions = &regressions,
	};
	rule_context ctx = {.scope = RULE_MIGRATION, .migration = &mctx, .out = out};

	r->check(&ctx);
}

static int
count_rule(const finding_list *l, const char *id)
{
	int			n = 0;

	for (int i = 0; i < l->count; i++)
		n += strcmp(l->items[i]->rule, id) == 0;
	return n;
}

static void
test_verdicts_to_findings(void)
{
	finding_list out = {0};

	lint_sql("CREATE TABLE a (id int);\nDROP INDEX big_k;\n", 15);
	set_query(0, REGRESS_SLOWER, 1, "SELECT * FROM big WHERE k = $1");
	set_query(1, REGRESS_FAILS, 1, "SELECT pad FROM big");
	set_query(2, REGRESS_FASTER, 0, "SELECT 1");
	set_query(3, REGRESS_UNSTABLE, 1, "SELECT 2");
	set_query(4, REGRESS_UNCHANGED, 1, "SELECT 3");
	set_query(5, REGRESS_SLOWER, -1, "SELECT 4");
	regressions = (migration_regressions) {.nqueries = 6, .queries = queries};

	run_rule(&rule_plan_regression, &out);
	/* slower and fails; not the unstable plan, nor one with no statement to lay it at */
	CU_ASSERT_EQUAL_FATAL(out.count, 2);
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_HIGH);
	CU_ASSERT_EQUAL(out.items[0]->location.line, 2);
	CU_ASSERT_EQUAL(out.items[1]->severity, FINDING_CRITICAL);
	CU_ASSERT_STRING_EQUAL(out.items[1]->title, "workload query fails after the migration");
	/* two queries at one statement: two ids */
	CU_ASSERT_STRING_NOT_EQUAL(out.items[0]->id, out.items[1]->id);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.items[0]->detail, "SELECT * FROM big WHERE k = $1"));
	CU_ASSERT_PTR_NOT_NULL(finding_metric_named(out.items[0], "cost"));
	CU_ASSERT_PTR_NULL(finding_metric_named(out.items[1], "cost"));	/* no plan after */

	run_rule(&rule_plan_improvement, &out);
	CU_ASSERT_EQUAL(count_rule(&out, "plan-improvement"), 1);
	CU_ASSERT_EQUAL(out.items[out.count - 1]->location.line, 1);
	CU_ASSERT_EQUAL(out.items[out.count - 1]->severity, FINDING_INFO);
	finding_list_free(&out);

	/* an ignore on the statement silences the regression there */
	lint_sql("CREATE TABLE a (id int);\n-- pgsift: ignore plan-regression  expected\nDROP INDEX big_k;\n", 15);
	run_rule(&rule_plan_regression, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static void
test_unused_indexes(void)
{
	finding_list out = {0};
	char	   *names[] = {(char *) "public.big_pad"};
	int			statements[] = {0};

	lint_sql("CREATE INDEX big_pad ON big (pad);\n", 15);
	set_query(0, REGRESS_UNCHANGED, 0, "SELECT 1");
	regressions = (migration_regressions) {
		.nqueries = 1, .queries = queries, .nunused = 1, .unused_indexes = names, .unused_statements = statements,
	};
	run_rule(&rule_new_index_unused, &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.items[0]->detail, "None of the 1 workload queries"));
	finding_list_free(&out);

	/* no query was planned after the migration: nothing to say about its indexes */
	queries[0].after.ok = 0;
	run_rule(&rule_new_index_unused, &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
	lint_free();
}

PGSIFT_TEST_SUITE(add_migration_regress_rules_suite)
{
	CU_pSuite	s = CU_add_suite("rules/migration_regress_rules", NULL, NULL);

	CU_add_test(s, "verdicts become findings at their statements", test_verdicts_to_findings);
	CU_add_test(s, "new indexes no query uses", test_unused_indexes);
}
