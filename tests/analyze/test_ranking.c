/*-------------------------------------------------------------------------
 * test_ranking.c
 *    Ranking: merging findings that share a fix, linking a missing index
 *    to the N+1 it serves, and the order.
 *
 * The findings are built by hand with known scores and fixes, so the
 * expected order is written down here, not computed by the code under
 * test.
 *-------------------------------------------------------------------------
 */
#include "src/core/finding.h"
#include "src/model/workload.h"
#include "tests/report/report_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static finding *
make(const char *rule, finding_severity sev, double score, const char *key, const char *fix)
{
	finding    *f = finding_new(rule, sev, key);

	f->score = score;
	finding_set_key(f, key);
	finding_set_detail(f, "detail of %s", key);
	finding_set_fix(f, fix, fix ? "fix it" : NULL);
	return f;
}

static int
has(char **items, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(items[i], s) == 0)
			return 1;
	return 0;
}

/* The same index, written five ways, has one key; other indexes do not. */
static void
test_fix_key(void)
{
	const char *same[] = {
		"CREATE INDEX CONCURRENTLY orders_account_id_idx ON public.orders (account_id);",
		"create index on public.orders(account_id)",
		"CREATE INDEX IF NOT EXISTS x ON public.\"orders\" USING btree (\"account_id\")",
		"CREATE  INDEX\n CONCURRENTLY ON public.orders ( account_id ) ;",
	};
	const char *different[] = {
		"CREATE INDEX ON public.orders (account_id DESC)",
		"CREATE INDEX ON public.orders (account_id, status)",
		"CREATE INDEX ON public.orders (account_id) WHERE status = 'open'",
		"CREATE INDEX ON public.orders (lower(note))",
		"CREATE INDEX ON public.accounts (account_id)",
		"CREATE UNIQUE INDEX ON public.orders (account_id)",
	};
	char	   *k0 = finding_fix_key(same[0]);

	CU_ASSERT_PTR_NOT_NULL_FATAL(k0);
	for (size_t i = 1; i < sizeof(same) / sizeof(same[0]); i++)
	{
		char	   *k = finding_fix_key(same[i]);

		ASSERT_STR(k, k0);
		free(k);
	}
	for (size_t i = 0; i < sizeof(different) / sizeof(different[0]); i++)
	{
		char	   *k = finding_fix_key(different[i]);

		CU_ASSERT_PTR_NOT_NULL(k);
		if (k)
			CU_ASSERT_STRING_NOT_EQUAL(k, k0);
		free(k);
	}
	free(k0);

	/* constants matter outside an index: a different work_mem is a different fix */
	char	   *w1 = finding_fix_key("SET work_mem = '64MB';");
	char	   *w2 = finding_fix_key("set work_mem='64MB'");
	char	   *w3 = finding_fix_key("SET work_mem = '128MB'");

	ASSERT_STR(w2, w1);
	CU_ASSERT_STRING_NOT_EQUAL(w1, w3);
	free(w1);
	free(w2);
	free(w3);
	/* text that does not parse is compared with white space folded */
	char	   *u = finding_fix_key("  not   sql at\tall ;");

	ASSERT_STR(u, "not sql at all");
	free(u);
	CU_ASSERT_PTR_NULL(finding_fix_key(NULL));
	CU_ASSERT_PTR_NULL(finding_fix_key("   "));
}

/*
 * A workload with a known order: scores 800, 500 (+200 merged), 300, 150,
 * 100, 50.
 */
static void
build_workload(finding_list *l)
{
	finding    *mi = make("missing-index", FINDING_MEDIUM, 500, "mi-account",
						  "CREATE INDEX CONCURRENTLY orders_account_id_idx ON public.orders (account_id);");
	finding    *fk = make("fk-without-index", FINDING_HIGH, 200, "fk-account",
						  "CREATE INDEX CONCURRENTLY ON public.orders (account_id);");
	finding    *np = make("n-plus-one", FINDING_MEDIUM, 300, "np", NULL);

	mi->measurement.method = MEASURE_HYPOTHETICAL;
	mi->measurement.before_cost = 1000;
	mi->measurement.after_cost = 10;
	finding_add_fingerprint(mi, 0x1);
	finding_add_fingerprint(mi, 0x2);
	finding_add_table(mi, "public.orders");
	fk->measurement.method = MEASURE_MEASURED;
	fk->measurement.before_ms = 10;
	fk->measurement.after_ms = 1;
	fk->measurement.before_plan = strdup("[{\"Plan\": {\"Node Type\": \"Seq Scan\"}}]");
	finding_add_fingerprint(fk, 0x3);
	finding_add_table(fk, "public.orders");
	finding_add_table(fk, "public.accounts");
	/* as rules/n_plus_one.c names them: the child first, then the parent */
	finding_add_fingerprint(np, 0x2);	/* the child, which the index serves */
	finding_add_fingerprint(np, 0x1);	/* the parent, which the index serves too */
	finding_add_metric(np, "statements_per_request", 41, 2, "statements");

	finding_list_add(l, make("disk-sort", FINDING_LOW, 50, "ds-128", "SET work_mem = '128MB';"));
	finding_list_add(l, fk);
	finding_list_add(l, make("missing-index", FINDING_MEDIUM, 100, "mi-status",
							 "CREATE INDEX CONCURRENTLY orders_status_idx ON public.orders (status);"));
	finding_list_add(l, np);
	finding_list_add(l, make("disk-sort", FINDING_LOW, 800, "ds-64", "SET work_mem = '64MB';"));
	finding_list_add(l, mi);
	finding_list_add(l, make("missing-index", FINDING_MEDIUM, 150, "mi-partial",
							 "CREATE INDEX ON public.orders (account_id) WHERE status = 'open';"));
}

static void
test_merge_and_order(void)
{
	finding_list l = {0};
	const char *titles[] = {"ds-64", "mi-account", "np", "mi-partial", "mi-status", "ds-128"};
	const double scores[] = {800, 500, 300, 150, 100, 50};

	build_workload(&l);
	findings_rank(&l);
	CU_ASSERT_EQUAL_FATAL(l.count, 6);
	for (int i = 0; i < 6; i++)
	{
		ASSERT_STR(l.items[i]->title, titles[i]);
		CU_ASSERT_DOUBLE_EQUAL(l.items[i]->score, scores[i], 1e-9);
	}

	const finding *m = l.items[1];

	/* one finding, both rules, the better-ranked one first */
	ASSERT_STR(m->rule, "missing-index");
	CU_ASSERT_EQUAL(m->nrules, 2);
	if (m->nrules == 2)
	{
		ASSERT_STR(m->rules[0], "missing-index");
		ASSERT_STR(m->rules[1], "fk-without-index");
	}
	CU_ASSERT(finding_has_rule(m, "fk-without-index"));
	/* score counted once (max, not 700), highest severity, best measurement */
	CU_ASSERT_DOUBLE_EQUAL(m->score, 500, 1e-9);
	CU_ASSERT_EQUAL(m->severity, FINDING_HIGH);
	CU_ASSERT_EQUAL(m->measurement.method, MEASURE_MEASURED);
	CU_ASSERT_DOUBLE_EQUAL(m->measurement.after_ms, 1, 1e-9);
	CU_ASSERT_PTR_NOT_NULL(m->measurement.before_plan);
	CU_ASSERT_EQUAL(m->nfingerprints, 3);
	CU_ASSERT(has(m->fingerprints, m->nfingerprints, "0000000000000003"));
	CU_ASSERT_EQUAL(m->ntables, 2);
	CU_ASSERT(has(m->tables, m->ntables, "public.accounts"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m->detail, "fk-without-index"));
	/* the unmerged findings list no merged rules */
	CU_ASSERT_EQUAL(l.items[0]->nrules, 0);
	finding_list_free(&l);
}

static void
test_n_plus_one_link(void)
{
	finding_list l = {0};

	build_workload(&l);
	findings_rank(&l);
	CU_ASSERT_EQUAL_FATAL(l.count, 6);

	const finding *ix = l.items[1];
	const finding *np = l.items[2];

	ASSERT_STR(np->rule, "n-plus-one");
	CU_ASSERT_EQUAL(ix->nrelated, 1);
	CU_ASSERT_EQUAL(np->nrelated, 1);
	if (ix->nrelated == 1 && np->nrelated == 1)
	{
		ASSERT_STR(ix->related[0], np->id);
		ASSERT_STR(np->related[0], ix->id);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(ix->detail, "One index fix serves both"));
	CU_ASSERT_PTR_NOT_NULL(strstr(np->detail, "One index fix serves both"));
	/* the other indexes serve no N+1 child */
	CU_ASSERT_EQUAL(l.items[3]->nrelated, 0);
	CU_ASSERT_EQUAL(l.items[4]->nrelated, 0);
	finding_list_free(&l);
}

static void
test_json_keys(void)
{
	finding_list l = {0};

	build_workload(&l);
	findings_rank(&l);
	json_t	   *merged = finding_to_json(l.items[1]);
	json_t	   *plain = finding_to_json(l.items[0]);
	json_t	   *np = finding_to_json(l.items[2]);

	CU_ASSERT_EQUAL(json_array_size(json_object_get(merged, "merged_rules")), 2);
	ASSERT_STR(json_string_value(json_array_get(json_object_get(merged, "merged_rules"), 1)), "fk-without-index");
	ASSERT_STR(json_string_value(json_array_get(json_object_get(merged, "related"), 0)), l.items[2]->id);
	/* an unmerged finding came from its own rule only */
	CU_ASSERT_EQUAL(json_array_size(json_object_get(plain, "merged_rules")), 1);
	ASSERT_STR(json_string_value(json_array_get(json_object_get(plain, "merged_rules"), 0)), "disk-sort");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(plain, "related")), 0);

	json_t	   *metric = json_array_get(json_object_get(np, "metrics"), 0);

	ASSERT_STR(json_string_value(json_object_get(metric, "name")), "statements_per_request");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(metric, "before")), 41, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(metric, "after")), 2, 1e-9);
	json_decref(merged);
	json_decref(plain);
	json_decref(np);
	finding_list_free(&l);
}

/* Findings without fix SQL are never merged, even with equal titles. */
static void
test_no_fix_no_merge(void)
{
	finding_list l = {0};

	finding_list_add(&l, make("seq-scan-filter", FINDING_LOW, 10, "a", NULL));
	finding_list_add(&l, make("seq-scan-filter", FINDING_LOW, 20, "b", NULL));
	findings_rank(&l);
	CU_ASSERT_EQUAL(l.count, 2);
	ASSERT_STR(l.items[0]->title, "b");
	finding_list_free(&l);
}

/*
 * A seq-scan-filter on a query and table the missing index serves, and a
 * foreign key's index whose columns lead the missing index's (in any
 * order: the key's lookups need only the set), fold into it; a scan of
 * another query, a key on a column that does not lead and a partial index
 * do not.
 */
static void
test_answered_by_index(void)
{
	finding_list l = {0};
	finding    *mi = make("missing-index", FINDING_MEDIUM, 100, "mi",
						  "CREATE INDEX CONCURRENTLY t_a_b_idx ON public.t (a, b) INCLUDE (c);");
	finding    *scan = make("seq-scan-filter", FINDING_HIGH, 900, "scan", NULL);
	finding    *other_scan = make("seq-scan-filter", FINDING_HIGH, 80, "other-scan", NULL);
	finding    *fk = make("fk-without-index", FINDING_LOW, 0, "fk", "CREATE INDEX CONCURRENTLY ON public.t (a);");
	finding    *fk_ba = make("fk-without-index", FINDING_LOW, 0, "fk-ba", "CREATE INDEX ON public.t (b, a);");
	finding    *fk_b = make("fk-without-index", FINDING_LOW, 0, "fk-b", "CREATE INDEX ON public.t (b);");
	finding    *partial = make("fk-without-index", FINDING_LOW, 0, "partial",
							   "CREATE INDEX ON public.t (a) WHERE a > 0;");

	finding_add_fingerprint(mi, 0x10);
	finding_add_table(mi, "public.t");
	finding_add_fingerprint(scan, 0x10);
	finding_add_table(scan, "t");	/* plans name no schema */
	finding_add_fingerprint(other_scan, 0x11);
	finding_add_table(other_scan, "t");
	finding_list_add(&l, scan);
	finding_list_add(&l, fk);
	finding_list_add(&l, mi);
	finding_list_add(&l, other_scan);
	finding_list_add(&l, fk_ba);
	finding_list_add(&l, fk_b);
	finding_list_add(&l, partial);
	findings_rank(&l);
	CU_ASSERT_EQUAL_FATAL(l.count, 4);
	/* the merged finding keeps the index's fix and id, and the scan's higher score and severity */
	ASSERT_STR(l.items[0]->rule, "missing-index");
	ASSERT_STR(l.items[0]->fix_sql, "CREATE INDEX CONCURRENTLY t_a_b_idx ON public.t (a, b) INCLUDE (c);");
	CU_ASSERT_DOUBLE_EQUAL(l.items[0]->score, 900, 1e-9);
	CU_ASSERT_EQUAL(l.items[0]->severity, FINDING_HIGH);
	CU_ASSERT(finding_has_rule(l.items[0], "seq-scan-filter"));
	CU_ASSERT(finding_has_rule(l.items[0], "fk-without-index"));
	/* missing-index, seq-scan-filter and fk-without-index (two of its findings, one entry) */
	CU_ASSERT_EQUAL(l.items[0]->nrules, 3);
	ASSERT_STR(l.items[1]->rule, "seq-scan-filter");	/* 0x11: another query */
	for (int i = 1; i < l.count; i++)
		CU_ASSERT_EQUAL(l.items[i]->nrules, 0);
	finding_list_free(&l);
}

/*
 * A scan finding that leaves its index to the advisor: merged, it has the
 * index; left alone, its fix says why there is none (the advisor ran and
 * found none worth it, or did not run), never that one will come.
 */
static void
test_index_promises_settled(void)
{
	for (int ran = 0; ran < 2; ran++)
	{
		finding_list l = {0};
		finding    *scan = make("seq-scan-filter", FINDING_HIGH, 10, "scan", NULL);
		finding    *loop = make("nested-loop-inner", FINDING_MEDIUM, 5, "loop", NULL);
		finding    *other = make("large-offset", FINDING_LOW, 1, "offset", NULL);

		finding_set_fix(scan, NULL, "an index for the filter (a = 1)");
		finding_set_fix(loop, NULL, "an index on the inner join key");
		finding_set_fix(other, NULL, "use keyset pagination");
		finding_list_add(&l, scan);
		finding_list_add(&l, loop);
		finding_list_add(&l, other);
		findings_rank(&l);
		findings_settle_index_promises(&l, ran);
		CU_ASSERT_EQUAL_FATAL(l.count, 3);
		for (int i = 0; i < 2; i++)
		{
			const char *d = l.items[i]->fix_description;

			CU_ASSERT_PTR_NULL(l.items[i]->fix_sql);
			CU_ASSERT_PTR_NULL(strstr(d, "looks for one"));
			CU_ASSERT_PTR_NOT_NULL(strstr(d, ran ? ": none is proposed. " : ": the index advisor did not run here"));
		}
		ASSERT_STR(l.items[0]->fix_description, ran ?
				   "an index for the filter (a = 1): none is proposed. The advisor's candidates for this query "
				   "cost no less by HypoPG's estimate, or none could be made: the table is under its size "
				   "floor, the filtered columns have few distinct values, or the comparands are computed per "
				   "row (docs/rules/missing-index.md)" :
				   "an index for the filter (a = 1): the index advisor did not run here; pgsift analyze --dsn "
				   "proposes one and measures it (HypoPG), when an index pays");
		ASSERT_STR(l.items[2]->fix_description, "use keyset pagination");
		finding_list_free(&l);
	}
}

/* A score above its queries' time per hour in the log is cut to it, and said. */
static void
test_scores_capped_by_query_time(void)
{
	workload   *w = report_test_workload();
	size_t		nq;
	query_stats **qs = workload_queries(w, &nq);
	double		hours = workload_span_hours(w);
	finding_list l = {0};
	finding    *big,
			   *small,
			   *unknown;

	CU_ASSERT_FATAL(nq > 0 && hours > 0);
	double		ceiling = qs[0]->total_ms / hours;

	big = make("seq-scan-filter", FINDING_HIGH, ceiling * 3, "big", NULL);
	small = make("seq-scan-filter", FINDING_HIGH, ceiling / 2, "small", NULL);
	unknown = make("pool-sizing", FINDING_HIGH, ceiling * 3, "pool", NULL);
	finding_add_fingerprint(big, qs[0]->fingerprint);
	finding_add_fingerprint(small, qs[0]->fingerprint);
	finding_add_fingerprint(unknown, 0x123456789abcdefULL);	/* not in the log: not capped */
	finding_list_add(&l, big);
	finding_list_add(&l, small);
	finding_list_add(&l, unknown);
	findings_cap_scores(&l, w);
	CU_ASSERT_DOUBLE_EQUAL(big->score, ceiling, ceiling * 1e-9);
	CU_ASSERT_PTR_NOT_NULL(strstr(big->detail, "capped"));
	CU_ASSERT_DOUBLE_EQUAL(small->score, ceiling / 2, ceiling * 1e-9);
	CU_ASSERT_PTR_NULL(strstr(small->detail, "capped"));
	CU_ASSERT_DOUBLE_EQUAL(unknown->score, ceiling * 3, ceiling * 1e-9);
	finding_list_free(&l);
	workload_destroy(w);
}

PGSIFT_TEST_SUITE(ranking_suite)
{
	CU_pSuite	s = CU_add_suite("ranking", NULL, NULL);

	CU_add_test(s, "fix key", test_fix_key);
	CU_add_test(s, "an index left to the advisor: merged, or its absence explained", test_index_promises_settled);
	CU_add_test(s, "merge and order", test_merge_and_order);
	CU_add_test(s, "n-plus-one link", test_n_plus_one_link);
	CU_add_test(s, "json keys", test_json_keys);
	CU_add_test(s, "no fix, no merge", test_no_fix_no_merge);
	CU_add_test(s, "findings an index answers fold into it", test_answered_by_index);
	CU_add_test(s, "scores are capped by their queries' time", test_scores_capped_by_query_time);
}
