/*-------------------------------------------------------------------------
 * test_plan.c
 *    Tests for plan.c: hand-written EXPLAIN JSON for the edge cases, and
 *    plans captured live from the test server for every node shape the
 *    rules look at (filters, sorts on disk, hash batches, lossy bitmaps,
 *    heap fetches, loops).
 *-------------------------------------------------------------------------
 */
#include "src/sql/plan.h"
#include "tests/test_registry.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_DB "plan_test"

/* String equality that fails, rather than crashes, on NULL. */
/* ---- helpers ---- */

typedef struct find_ctx
{
	const char *type;
	const plan_node *found;
	const plan_node *parent;
} find_ctx;

static void
find_visit(void *vctx, const plan_node *n, const plan_node *parent, int depth)
{
	find_ctx   *ctx = vctx;

	if (ctx->found == NULL && strcmp(n->node_type, ctx->type) == 0)
	{
		ctx->found = n;
		ctx->parent = parent;
	}
}

/* The first node of the given type, parents first; NULL when none. */
static const plan_node *
find_node(const plan *p, const char *type)
{
	find_ctx	ctx = {type, NULL, NULL};

	plan_walk(p, find_visit, &ctx);
	return ctx.found;
}

static void
sum_self_visit(void *vctx, const plan_node *n, const plan_node *parent, int depth)
{
	*(double *) vctx += plan_node_self_ms(n);
}

/* ---- hand-written JSON ---- */

static const char *auto_explain_json =
"{\"Query Text\": \"select * from a join b using (id)\",\n"
" \"Plan\": {\"Node Type\": \"Hash Join\", \"Join Type\": \"Inner\",\n"
"   \"Startup Cost\": 1.5, \"Total Cost\": 100.25, \"Plan Rows\": 10, \"Plan Width\": 8,\n"
"   \"Actual Startup Time\": 0.5, \"Actual Total Time\": 10.0, \"Actual Rows\": 5, \"Actual Loops\": 1,\n"
"   \"Hash Cond\": \"(a.id = b.id)\", \"Some Future Key\": [1, 2],\n"
"   \"Plans\": [\n"
"     {\"Node Type\": \"Seq Scan\", \"Parent Relationship\": \"Outer\", \"Relation Name\": \"a\",\n"
"      \"Total Cost\": 50, \"Actual Total Time\": 2.0, \"Actual Rows\": 10, \"Actual Loops\": 3,\n"
"      \"Filter\": \"(x > 1)\", \"Rows Removed by Filter\": 90},\n"
"     {\"Node Type\": \"Hash\", \"Parent Relationship\": \"Inner\", \"Total Cost\": 30,\n"
"      \"Actual Total Time\": 1.0, \"Actual Rows\": 4, \"Actual Loops\": 1,\n"
"      \"Hash Buckets\": 1024, \"Hash Batches\": 1, \"Original Hash Batches\": 1, \"Peak Memory Usage\": 9,\n"
"      \"Plans\": [{\"Node Type\": \"Seq Scan\", \"Relation Name\": \"b\", \"Total Cost\": 25,\n"
"                 \"Actual Total Time\": 0.75, \"Actual Rows\": 4, \"Actual Loops\": 1}]}\n"
"   ]}}";

static void
test_auto_explain_form(void)
{
	char	   *err = NULL;
	plan	   *p = plan_parse_json(auto_explain_json, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NULL(err);
	ASSERT_STR(p->query_text, "select * from a join b using (id)");
	ASSERT_STR(p->root->node_type, "Hash Join");
	ASSERT_STR(p->root->hash_cond, "(a.id = b.id)");
	CU_ASSERT_EQUAL(p->root->nchildren, 2);
	ASSERT_STR(p->root->children[0]->parent_relationship, "Outer");
	CU_ASSERT_EQUAL(p->root->children[0]->rows_removed_by_filter, 90);
	CU_ASSERT_EQUAL(p->root->children[1]->hash_buckets, 1024);
	CU_ASSERT_EQUAL(p->root->children[1]->peak_memory_kb, 9);
	ASSERT_STR(p->root->children[1]->children[0]->relation, "b");
	/* no top-level timing in auto_explain's object */
	CU_ASSERT_TRUE(isnan(p->planning_ms));
	CU_ASSERT_FALSE(p->jit.present);
	ASSERT_STR(p->json, auto_explain_json);
	plan_free(p);
}

static void
test_missing_keys_are_absent(void)
{
	plan	   *p = plan_parse_json("[{\"Plan\": {\"Node Type\": \"Result\"}}]", NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	plan_node  *n = p->root;

	CU_ASSERT_PTR_NULL(n->relation);
	CU_ASSERT_PTR_NULL(n->filter);
	CU_ASSERT_TRUE(isnan(n->total_cost));
	CU_ASSERT_TRUE(isnan(n->actual_total_ms));
	CU_ASSERT_TRUE(isnan(n->rows_removed_by_filter));
	CU_ASSERT_FALSE(n->analyzed);
	CU_ASSERT_EQUAL(n->plan_width, -1);
	CU_ASSERT_EQUAL(n->buffers.shared_hit, -1);
	CU_ASSERT_EQUAL(n->buffers.temp_written, -1);
	CU_ASSERT_EQUAL(n->hash_batches, -1);
	CU_ASSERT_EQUAL(n->heap_fetches, -1);
	CU_ASSERT_EQUAL(n->workers_launched, -1);
	CU_ASSERT_EQUAL(n->nsort_keys, 0);
	CU_ASSERT_EQUAL(n->nchildren, 0);
	CU_ASSERT_TRUE(isnan(p->execution_ms));
	CU_ASSERT_EQUAL(plan_total_buffers(p), -1);
	CU_ASSERT_TRUE(isnan(plan_node_self_ms(n)));
	plan_free(p);
}

static void
test_jit_and_top_level_times(void)
{
	plan	   *p = plan_parse_json(
		"[{\"Plan\": {\"Node Type\": \"Seq Scan\", \"Shared Hit Blocks\": 7, \"Shared Read Blocks\": 3,"
		"  \"Sort Key\": [\"a\", \"b DESC\"]},"
		" \"Planning Time\": 0.25, \"Execution Time\": 12.5,"
		" \"JIT\": {\"Functions\": 4, \"Options\": {\"Inlining\": false},"
		"  \"Timing\": {\"Generation\": 1.5, \"Inlining\": 0.0, \"Optimization\": 2.0,"
		"   \"Emission\": 3.0, \"Total\": 6.5}}}]", NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_DOUBLE_EQUAL(p->planning_ms, 0.25, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->execution_ms, 12.5, 1e-9);
	CU_ASSERT_TRUE(p->jit.present);
	CU_ASSERT_EQUAL(p->jit.functions, 4);
	CU_ASSERT_DOUBLE_EQUAL(p->jit.generation_ms, 1.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->jit.optimization_ms, 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->jit.emission_ms, 3.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->jit.total_ms, 6.5, 1e-9);
	CU_ASSERT_EQUAL(plan_total_buffers(p), 10);
	CU_ASSERT_EQUAL_FATAL(p->root->nsort_keys, 2);
	ASSERT_STR(p->root->sort_keys[1], "b DESC");
	CU_ASSERT_PTR_NULL(p->query_text);
	plan_free(p);
}

static void
test_malformed_input(void)
{
	const char *bad[] = {
		"[{\"Plan\": {\"Node Type\": \"Seq Scan\"",	/* truncated */
		"",
		"[]",
		"[{\"Planning Time\": 1}]",
		"{\"Plan\": \"Seq Scan\"}",
		"[{\"Plan\": {\"Node Type\": \"Limit\", \"Plans\": [{\"Total Cost\": 1}]}}]",
		"42",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		char	   *err = NULL;
		plan	   *p = plan_parse_json(bad[i], &err);

		CU_ASSERT_PTR_NULL(p);
		CU_ASSERT_PTR_NOT_NULL(err);
		free(err);
		plan_free(p);
	}

	char	   *err = NULL;

	CU_ASSERT_PTR_NULL(plan_parse_json("{\"Plan\": ", &err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not valid JSON"));
	free(err);
	plan_free(NULL);
}

typedef struct walk_log
{
	int			n;
	char		order[8][32];
	int			depth[8];
	int			parent_ok;
} walk_log;

static void
log_visit(void *vctx, const plan_node *n, const plan_node *parent, int depth)
{
	walk_log   *log = vctx;

	if (log->n < 8)
	{
		snprintf(log->order[log->n], sizeof(log->order[0]), "%s", n->relation ? n->relation : n->node_type);
		log->depth[log->n] = depth;
		log->n++;
	}
	if ((depth == 0) != (parent == NULL))
		log->parent_ok = 0;
}

static void
test_walk_and_self_time(void)
{
	plan	   *p = plan_parse_json(auto_explain_json, NULL);
	walk_log	log = {.parent_ok = 1};

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	plan_walk(p, log_visit, &log);
	CU_ASSERT_EQUAL(log.n, 4);
	ASSERT_STR(log.order[0], "Hash Join");
	ASSERT_STR(log.order[1], "a");
	ASSERT_STR(log.order[2], "Hash");
	ASSERT_STR(log.order[3], "b");
	CU_ASSERT_EQUAL(log.depth[3], 2);
	CU_ASSERT_TRUE(log.parent_ok);

	/* 10 - (2 × 3 loops) - 1 = 3; Hash: 1 - 0.75 */
	CU_ASSERT_DOUBLE_EQUAL(plan_node_self_ms(p->root), 3.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(plan_node_self_ms(p->root->children[0]), 6.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(plan_node_self_ms(p->root->children[1]), 0.25, 1e-9);

	char	   *s = plan_summary(p);

	ASSERT_STR(s, "Seq Scan on a: 6.0 ms (rows 30 of 300 read, 3 loops); "
						   "Hash Join: 3.0 ms (rows 5); Seq Scan on b: 0.8 ms (rows 4)");
	free(s);
	plan_free(p);
}

static void
test_self_time_floor_and_gather(void)
{
	plan	   *p = plan_parse_json(
		"[{\"Plan\": {\"Node Type\": \"Gather\", \"Workers Planned\": 2, \"Workers Launched\": 2,"
		"  \"Actual Total Time\": 10.0, \"Actual Rows\": 3, \"Actual Loops\": 1,"
		"  \"Plans\": [{\"Node Type\": \"Nested Loop\", \"Actual Total Time\": 8.0, \"Actual Rows\": 1,"
		"   \"Actual Loops\": 3, \"Plans\": [{\"Node Type\": \"Seq Scan\", \"Actual Total Time\": 9.0,"
		"   \"Actual Rows\": 1, \"Actual Loops\": 3}]}]}}]", NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->root->workers_planned, 2);
	CU_ASSERT_EQUAL(p->root->workers_launched, 2);
	/* the Gather waits for its workers' average, not their sum */
	CU_ASSERT_DOUBLE_EQUAL(plan_node_self_ms(p->root), 2.0, 1e-9);
	/* rounding can make a child look slower than its parent: floored */
	CU_ASSERT_DOUBLE_EQUAL(plan_node_self_ms(p->root->children[0]), 0.0, 1e-9);
	plan_free(p);
}

static void
test_summary_without_analyze(void)
{
	plan	   *p = plan_parse_json(
		"[{\"Plan\": {\"Node Type\": \"Sort\", \"Total Cost\": 150, \"Plan Rows\": 100,"
		" \"Plans\": [{\"Node Type\": \"Seq Scan\", \"Relation Name\": \"t\", \"Total Cost\": 100,"
		" \"Plan Rows\": 100}]}}]", NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	char	   *s = plan_summary(p);

	ASSERT_STR(s, "Seq Scan on t: cost 100.0 (rows 100 estimated); "
						   "Sort: cost 50.0 (rows 100 estimated)");
	free(s);
	plan_free(p);
	s = plan_summary(NULL);
	ASSERT_STR(s, "");
	free(s);
}

/* ---- plans captured from the server ---- */

static PGconn *live;

static int
live_exec(const char *sql)
{
	PGresult   *r = PQexec(live, sql);
	int			ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "test_plan: %s: %s", sql, PQerrorMessage(live));
	PQclear(r);
	return ok ? 0 : -1;
}

static void
quiet_notice(void *arg, const char *message)
{
}

static int
live_init(void)
{
	PGconn	   *admin = PQconnectdb("dbname=postgres");

	if (PQstatus(admin) != CONNECTION_OK)
		return -1;
	PQsetNoticeProcessor(admin, quiet_notice, NULL);
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS " LIVE_DB));
	PQclear(PQexec(admin, "CREATE DATABASE " LIVE_DB));
	PQfinish(admin);
	live = PQconnectdb("dbname=" LIVE_DB);
	if (PQstatus(live) != CONNECTION_OK)
		return -1;
	/* one by one: VACUUM cannot run in the implicit multi-statement block */
	static const char *const setup[] = {
		"SET max_parallel_workers_per_gather = 0",
		"CREATE TABLE customers (id int PRIMARY KEY, name text)",
		"INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 20000) g",
		"CREATE TABLE orders (id int PRIMARY KEY, customer_id int, amount numeric, status text, pad text)",
		"INSERT INTO orders SELECT g, 1 + (g * 7919) % 20000, (g * 31) % 1000,"
		"  CASE WHEN g % 1000 = 0 THEN 'rare' ELSE 'common' END, repeat('x', 40)"
		"  FROM generate_series(1, 100000) g",
		"CREATE INDEX orders_customer_idx ON orders (customer_id)",
		"VACUUM ANALYZE customers",
		"VACUUM ANALYZE orders",
		/* pages touched after VACUUM are not all-visible: heap fetches */
		"UPDATE orders SET amount = amount WHERE id <= 500",
	};

	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		if (live_exec(setup[i]) != 0)
			return -1;
	return 0;
}

static int
live_cleanup(void)
{
	PQfinish(live);
	live = NULL;

	PGconn	   *admin = PQconnectdb("dbname=postgres");

	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS " LIVE_DB));
	PQfinish(admin);
	return 0;
}

/* EXPLAIN (ANALYZE, BUFFERS) query under the given SETs, then RESET ALL. */
static plan *
live_explain(const char *settings, const char *query)
{
	char		sql[2048];
	char	   *err = NULL;
	plan	   *p = NULL;

	if (settings && live_exec(settings) != 0)
		return NULL;
	snprintf(sql, sizeof(sql), "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) %s", query);

	PGresult   *r = PQexec(live, sql);

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		p = plan_parse_json(PQgetvalue(r, 0, 0), &err);
	else
		fprintf(stderr, "test_plan: %s", PQerrorMessage(live));
	if (err)
		fprintf(stderr, "test_plan: %s\n", err);
	free(err);
	PQclear(r);
	live_exec("RESET ALL; SET max_parallel_workers_per_gather = 0");
	return p;
}

static void
test_live_seq_scan(void)
{
	plan	   *p = live_explain(NULL, "SELECT * FROM orders WHERE status = 'rare'");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	const plan_node *n = p->root;

	ASSERT_STR(n->node_type, "Seq Scan");
	ASSERT_STR(n->relation, "orders");
	/* the schema is shown only under VERBOSE */
	CU_ASSERT_PTR_NULL(n->schema);
	ASSERT_STR(n->alias, "orders");
	CU_ASSERT_PTR_NOT_NULL(strstr(n->filter, "status"));
	CU_ASSERT_TRUE(n->analyzed);
	CU_ASSERT_EQUAL(n->actual_rows, 100);
	CU_ASSERT_EQUAL(n->rows_removed_by_filter, 99900);
	CU_ASSERT_EQUAL(n->actual_loops, 1);
	CU_ASSERT_TRUE(n->plan_width > 0);
	CU_ASSERT_TRUE(n->total_cost > n->startup_cost);
	CU_ASSERT_TRUE(plan_total_buffers(p) > 0);
	CU_ASSERT_EQUAL(n->buffers.temp_written, 0);
	CU_ASSERT_FALSE(isnan(p->planning_ms));
	CU_ASSERT_FALSE(isnan(p->execution_ms));
	CU_ASSERT_DOUBLE_EQUAL(plan_node_self_ms(n), n->actual_total_ms, 1e-9);

	char	   *s = plan_summary(p);

	CU_ASSERT_PTR_NOT_NULL(strstr(s, "Seq Scan on orders: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "(rows 100 of 100000 read)"));
	free(s);
	plan_free(p);
}

static void
test_live_index_scan(void)
{
	plan	   *p = live_explain(NULL, "SELECT * FROM orders WHERE id = 42");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	ASSERT_STR(p->root->node_type, "Index Scan");
	ASSERT_STR(p->root->index_name, "orders_pkey");
	CU_ASSERT_PTR_NOT_NULL(strstr(p->root->index_cond, "id = 42"));
	CU_ASSERT_EQUAL(p->root->actual_rows, 1);
	CU_ASSERT_TRUE(isnan(p->root->rows_removed_by_filter));
	plan_free(p);
}

static void
test_live_hash_join_batches(void)
{
	plan	   *p = live_explain("SET work_mem = '64kB'; SET enable_mergejoin = off; SET enable_nestloop = off",
								 "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	ASSERT_STR(p->root->node_type, "Aggregate");
	ASSERT_STR(p->root->strategy, "Plain");

	const plan_node *join = find_node(p, "Hash Join");
	const plan_node *hash = find_node(p, "Hash");

	CU_ASSERT_PTR_NOT_NULL_FATAL(join);
	CU_ASSERT_PTR_NOT_NULL_FATAL(hash);
	ASSERT_STR(join->join_type, "Inner");
	CU_ASSERT_PTR_NOT_NULL(strstr(join->hash_cond, "customer_id"));
	CU_ASSERT_EQUAL(join->actual_rows, 100000);
	ASSERT_STR(hash->parent_relationship, "Inner");
	CU_ASSERT_TRUE(hash->hash_batches > 1);
	CU_ASSERT_TRUE(hash->original_hash_batches >= 1);
	CU_ASSERT_TRUE(hash->hash_buckets > 0);
	CU_ASSERT_TRUE(hash->peak_memory_kb > 0);
	/* batches spill to temporary files */
	CU_ASSERT_TRUE(join->buffers.temp_written > 0);
	plan_free(p);
}

static void
test_live_external_sort(void)
{
	plan	   *p = live_explain("SET work_mem = '64kB'", "SELECT * FROM orders ORDER BY amount, id");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	const plan_node *n = p->root;

	ASSERT_STR(n->node_type, "Sort");
	ASSERT_STR(n->sort_method, "external merge");
	ASSERT_STR(n->sort_space_type, "Disk");
	CU_ASSERT_TRUE(n->sort_space_kb > 64);
	CU_ASSERT_EQUAL_FATAL(n->nsort_keys, 2);
	ASSERT_STR(n->sort_keys[0], "amount");
	CU_ASSERT_TRUE(n->buffers.temp_written > 0);
	CU_ASSERT_TRUE(n->buffers.temp_read > 0);
	plan_free(p);

	p = live_explain(NULL, "SELECT * FROM customers ORDER BY name LIMIT 5");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = find_node(p, "Sort");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	ASSERT_STR(n->sort_space_type, "Memory");
	ASSERT_STR(n->sort_method, "top-N heapsort");
	plan_free(p);
}

static void
test_live_lossy_bitmap(void)
{
	plan	   *p = live_explain("SET work_mem = '64kB'; SET enable_seqscan = off; SET enable_indexscan = off",
								 "SELECT * FROM orders WHERE customer_id < 10000");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	const plan_node *n = p->root;

	ASSERT_STR(n->node_type, "Bitmap Heap Scan");
	CU_ASSERT_PTR_NOT_NULL(n->recheck_cond);
	CU_ASSERT_TRUE(n->lossy_heap_blocks > 0);
	CU_ASSERT_TRUE(n->exact_heap_blocks >= 0);
	CU_ASSERT_TRUE(n->rows_removed_by_index_recheck > 0);
	CU_ASSERT_EQUAL_FATAL(n->nchildren, 1);
	ASSERT_STR(n->children[0]->node_type, "Bitmap Index Scan");
	ASSERT_STR(n->children[0]->index_name, "orders_customer_idx");
	ASSERT_STR(n->children[0]->parent_relationship, "Outer");
	plan_free(p);
}

static void
test_live_index_only_scan(void)
{
	plan	   *p = live_explain("SET enable_seqscan = off; SET enable_bitmapscan = off",
								 "SELECT id FROM orders WHERE id <= 2000");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	ASSERT_STR(p->root->node_type, "Index Only Scan");
	CU_ASSERT_TRUE(p->root->heap_fetches > 0);
	CU_ASSERT_TRUE(p->root->heap_fetches < 2000);
	CU_ASSERT_EQUAL(p->root->actual_rows, 2000);
	plan_free(p);
}

static void
test_live_nested_loop(void)
{
	plan	   *p = live_explain("SET enable_hashjoin = off; SET enable_mergejoin = off",
								 "SELECT * FROM customers c JOIN orders o ON o.customer_id = c.id"
								 " WHERE c.id <= 20");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	const plan_node *n = find_node(p, "Nested Loop");

	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	ASSERT_STR(n->join_type, "Inner");
	CU_ASSERT_EQUAL_FATAL(n->nchildren, 2);
	CU_ASSERT_EQUAL(n->children[1]->actual_loops, 20);
	CU_ASSERT_EQUAL(n->actual_rows, 100);

	/* self times add up to the whole, within EXPLAIN's rounding */
	double		sum = 0;

	plan_walk(p, sum_self_visit, &sum);
	CU_ASSERT_DOUBLE_EQUAL(sum, p->root->actual_total_ms, 0.05 + p->root->actual_total_ms * 0.05);
	CU_ASSERT_TRUE(plan_node_self_ms(n) <= n->actual_total_ms);

	char	   *s = plan_summary(p);

	CU_ASSERT_PTR_NOT_NULL(strstr(s, "20 loops"));
	free(s);
	plan_free(p);
}

PGSIFT_TEST_SUITE(plan_suite)
{
	CU_pSuite	s = CU_add_suite("src/plan", NULL, NULL);

	CU_add_test(s, "auto_explain's object form with nested Plans", test_auto_explain_form);
	CU_add_test(s, "missing keys read as -1, NAN or NULL", test_missing_keys_are_absent);
	CU_add_test(s, "JIT, planning and execution times, sort keys", test_jit_and_top_level_times);
	CU_add_test(s, "malformed JSON gives NULL and an error", test_malformed_input);
	CU_add_test(s, "walk order, self time and summary", test_walk_and_self_time);
	CU_add_test(s, "self time is floored and Gather-aware", test_self_time_floor_and_gather);
	CU_add_test(s, "summary ranks by self cost without ANALYZE", test_summary_without_analyze);
}

PGSIFT_SERVER_TEST_SUITE(plan_live_suite)
{
	CU_pSuite	s = CU_add_suite("src/plan live", live_init, live_cleanup);

	CU_add_test(s, "seq scan with a filter", test_live_seq_scan);
	CU_add_test(s, "index scan", test_live_index_scan);
	CU_add_test(s, "hash join with batches", test_live_hash_join_batches);
	CU_add_test(s, "sort on disk and in memory", test_live_external_sort);
	CU_add_test(s, "lossy bitmap heap scan", test_live_lossy_bitmap);
	CU_add_test(s, "index only scan with heap fetches", test_live_index_only_scan);
	CU_add_test(s, "nested loop with loops", test_live_nested_loop);
}
