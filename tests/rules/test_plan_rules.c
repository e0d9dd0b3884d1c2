/*-------------------------------------------------------------------------
 * test_plan_rules.c
 *    Each plan rule on a plan built to trigger it and on a near miss.
 *
 * Plans are plan_node trees built by hand with every figure set the way
 * plan.c leaves absent ones (NAN, -1), so a rule reading a figure the test
 * did not set sees "not measured", as with a real plan.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEST_NODES 8

static plan_node nodes[MAX_TEST_NODES];
static plan_node *children[MAX_TEST_NODES][2];
static int	nnodes;
static plan test_plan;

/* An analyzed node, one loop, nothing else measured. */
static plan_node *
node(const char *type, double rows, double total_ms)
{
	plan_node  *n = &nodes[nnodes];

	memset(n, 0, sizeof(*n));
	memset(&n->buffers, 0xff, sizeof(n->buffers));
	n->node_type = (char *) type;
	n->plan_rows = rows;
	n->analyzed = 1;
	n->actual_rows = rows;
	n->actual_loops = 1;
	n->actual_total_ms = total_ms;
	n->rows_removed_by_filter = n->rows_removed_by_join_filter = n->rows_removed_by_index_recheck = NAN;
	n->sort_space_kb = -1;
	n->hash_batches = n->original_hash_batches = n->hash_buckets = n->peak_memory_kb = -1;
	n->heap_fetches = n->exact_heap_blocks = n->lossy_heap_blocks = -1;
	n->workers_planned = n->workers_launched = -1;
	n->children = children[nnodes];
	nnodes++;
	return n;
}

static void
add_child(plan_node *parent, plan_node *child, const char *relationship)
{
	child->parent_relationship = (char *) relationship;
	parent->children[parent->nchildren++] = child;
}

static plan_context pctx;

/* Start a plan whose root is root; 10 calls over 2 hours unless changed. */
static void
start_plan(plan_node *root, double execution_ms)
{
	memset(&test_plan, 0, sizeof(test_plan));
	test_plan.root = root;
	test_plan.planning_ms = NAN;
	test_plan.execution_ms = execution_ms;
	memset(&pctx, 0, sizeof(pctx));
	pctx.plan = &test_plan;
	pctx.query = "SELECT * FROM orders WHERE status = $1";
	pctx.fingerprint = 0x1234abcd5678ef00ULL;
	pctx.calls = 10;
	pctx.workload_hours = 2;
}

static void
reset_nodes(void)
{
	nnodes = 0;
}

/* Run one rule on the current plan; findings in *out. */
static void
run_rule(const char *id, finding_list *out)
{
	const rule *r = rule_find(id);
	rule_context ctx = {.scope = RULE_PLAN, .plan = &pctx, .out = out};

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	memset(out, 0, sizeof(*out));
	r->check(&ctx);
}

static int
contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

static plan_node *
seq_scan(double rows, double removed)
{
	plan_node  *n;

	reset_nodes();
	n = node("Seq Scan", rows, 40.0);
	n->relation = "orders";
	n->schema = "public";
	n->filter = "(status = 'late'::text)";
	n->rows_removed_by_filter = removed;
	start_plan(n, 41.0);
	return n;
}

static void
test_seq_scan_filter(void)
{
	finding_list out;

	seq_scan(100, 99900);
	run_rule("seq-scan-filter", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "seq-scan-filter");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_HIGH);
	CU_ASSERT(contains(out.items[0]->detail, "removed 99900"));
	CU_ASSERT(contains(out.items[0]->fix_description, "missing-index"));
	CU_ASSERT(contains(out.items[0]->fix_description, "status = 'late'"));
	CU_ASSERT_STRING_EQUAL(out.items[0]->tables[0], "public.orders");
	/* 40 ms × 99.9% saved × 5 calls per hour */
	CU_ASSERT_DOUBLE_EQUAL(out.items[0]->score, 40.0 * 0.999 * 5, 0.01);
	finding_list_free(&out);

	/* removes fewer than twice the rows it returns */
	seq_scan(5000, 6000);
	run_rule("seq-scan-filter", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);

	/* a small table: 900 rows read */
	seq_scan(10, 890);
	run_rule("seq-scan-filter", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static void
test_row_misestimate(void)
{
	finding_list out;
	plan_node  *n = seq_scan(150000, NAN);

	n->plan_rows = 100;
	run_rule("row-misestimate", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "row-misestimate");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_HIGH);
	CU_ASSERT(contains(out.items[0]->detail, "1500x"));
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "ANALYZE public.orders;");
	CU_ASSERT(contains(out.items[0]->hint, "CREATE STATISTICS"));
	finding_list_free(&out);

	n->plan_rows = 1500;
	run_rule("row-misestimate", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	finding_list_free(&out);

	/* 5x off: within what the planner gets wrong harmlessly */
	n->plan_rows = 30000;
	run_rule("row-misestimate", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static plan_node *
sort_plan(const char *space_type, int64_t kb)
{
	plan_node  *n;

	reset_nodes();
	n = node("Sort", 200000, 300.0);
	n->sort_method = "external merge";
	n->sort_space_type = (char *) space_type;
	n->sort_space_kb = kb;
	start_plan(n, 310.0);
	return n;
}

static void
test_disk_sort(void)
{
	finding_list out;

	sort_plan("Disk", 25000);
	run_rule("disk-sort", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "disk-sort");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "25000 kB"));
	/* 2 × 25000 kB = 48.8 MB, rounded up */
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "SET work_mem = '49MB';");
	finding_list_free(&out);

	sort_plan("Memory", 25000);
	run_rule("disk-sort", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static void
test_hash_batches(void)
{
	finding_list out;
	plan_node  *join,
			   *hash;

	reset_nodes();
	join = node("Hash Join", 1000, 200.0);
	add_child(join, node("Seq Scan", 1000, 50.0), "Outer");
	hash = node("Hash", 50000, 100.0);
	add_child(join, hash, "Inner");
	hash->hash_batches = 8;
	hash->original_hash_batches = 1;
	hash->peak_memory_kb = 4096;
	start_plan(join, 210.0);
	run_rule("hash-batches", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "hash-batches");
	CU_ASSERT(contains(out.items[0]->detail, "8 batches"));
	/* 4096 kB × 8 / hash_mem_multiplier 2 = 16 MB */
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "SET work_mem = '16MB';");
	finding_list_free(&out);

	hash->hash_batches = 1;
	run_rule("hash-batches", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static plan_node *
nested_loop(double inner_loops)
{
	plan_node  *loop,
			   *inner;

	reset_nodes();
	loop = node("Nested Loop", 5000, 900.0);
	add_child(loop, node("Seq Scan", 5000, 20.0), "Outer");
	inner = node("Index Scan", 1, 0.17);
	inner->relation = "items";
	inner->index_cond = "(order_id = o.id)";
	inner->actual_loops = inner_loops;
	add_child(loop, inner, "Inner");
	start_plan(loop, 1000.0);
	return inner;
}

static void
test_nested_loop_inner(void)
{
	finding_list out;

	nested_loop(5000);			/* 850 ms of 1000 */
	run_rule("nested-loop-inner", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "nested-loop-inner");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_HIGH);
	CU_ASSERT(contains(out.items[0]->detail, "ran 5000 times"));
	CU_ASSERT(contains(out.items[0]->hint, "order_id = o.id"));
	finding_list_free(&out);

	nested_loop(500);
	run_rule("nested-loop-inner", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static plan_node *
bitmap_scan(int64_t exact, int64_t lossy)
{
	plan_node  *n;

	reset_nodes();
	n = node("Bitmap Heap Scan", 100000, 120.0);
	n->relation = "events";
	n->recheck_cond = "(kind = 3)";
	n->exact_heap_blocks = exact;
	n->lossy_heap_blocks = lossy;
	start_plan(n, 125.0);
	return n;
}

static void
test_lossy_bitmap(void)
{
	finding_list out;

	bitmap_scan(1000, 39000);
	run_rule("lossy-bitmap", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "lossy-bitmap");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "39000 lossy"));
	/* 40000 pages × 64 B × 2 = 5000 kB → 5 MB */
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "SET work_mem = '5MB';");
	finding_list_free(&out);

	bitmap_scan(40000, 0);
	run_rule("lossy-bitmap", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static plan_node *
index_only_scan(int64_t fetches)
{
	plan_node  *n;

	reset_nodes();
	n = node("Index Only Scan", 1000, 15.0);
	n->relation = "Order Lines";
	n->schema = "public";
	n->index_name = "order_lines_pkey";
	n->heap_fetches = fetches;
	start_plan(n, 16.0);
	return n;
}

static void
test_heap_fetches(void)
{
	finding_list out;

	index_only_scan(600);
	run_rule("heap-fetches", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "heap-fetches");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "fetched 600 heap rows"));
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "VACUUM (ANALYZE) public.\"Order Lines\";");
	finding_list_free(&out);

	index_only_scan(100);
	run_rule("heap-fetches", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_LOW);
	finding_list_free(&out);

	index_only_scan(0);
	run_rule("heap-fetches", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static void
jit_plan(double jit_ms, double execution_ms)
{
	plan_node  *n;

	reset_nodes();
	n = node("Aggregate", 1, execution_ms);
	n->total_cost = 150000;
	start_plan(n, execution_ms);
	test_plan.jit.present = 1;
	test_plan.jit.functions = 12;
	test_plan.jit.total_ms = jit_ms;
}

static void
test_jit_overhead(void)
{
	finding_list out;

	jit_plan(60.0, 100.0);
	pctx.calls = 0;				/* rate unknown: one call per hour assumed */
	run_rule("jit-overhead", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "jit-overhead");
	CU_ASSERT_STRING_EQUAL(out.items[0]->fix_sql, "SET jit = off;");
	CU_ASSERT(contains(out.items[0]->detail, "60.0 ms of a 100.0 ms"));
	CU_ASSERT(contains(out.items[0]->detail, "one execution per hour"));
	CU_ASSERT_DOUBLE_EQUAL(out.items[0]->score, 60.0, 1e-9);
	finding_list_free(&out);

	/* a long query, where compiled code pays off */
	jit_plan(60.0, 5000.0);
	run_rule("jit-overhead", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

static void
gather_plan(int planned, int launched)
{
	plan_node  *n;

	reset_nodes();
	n = node("Gather", 100, 300.0);
	n->workers_planned = planned;
	n->workers_launched = launched;
	add_child(n, node("Parallel Seq Scan", 33, 290.0), "Outer");
	start_plan(n, 301.0);
}

static void
test_workers_not_launched(void)
{
	finding_list out;

	gather_plan(2, 0);
	run_rule("workers-not-launched", &out);
	CU_ASSERT_EQUAL_FATAL(out.count, 1);
	CU_ASSERT_STRING_EQUAL(out.items[0]->rule, "workers-not-launched");
	CU_ASSERT_EQUAL(out.items[0]->severity, FINDING_MEDIUM);
	CU_ASSERT(contains(out.items[0]->detail, "planned 2 workers and launched 0"));
	CU_ASSERT(contains(out.items[0]->hint, "max_parallel_workers"));
	finding_list_free(&out);

	gather_plan(2, 2);
	run_rule("workers-not-launched", &out);
	CU_ASSERT_EQUAL(out.count, 0);
	finding_list_free(&out);
}

/* rules_run runs plan rules only, and ids stay stable between runs. */
static void
test_rules_run_plan_scope(void)
{
	finding_list a = {0},
				b = {0};
	rule_context ctx = {.scope = RULE_PLAN, .plan = &pctx, .out = &a};

	seq_scan(100, 99900);
	rules_run(&ctx);
	CU_ASSERT_EQUAL_FATAL(a.count, 1);
	ctx.out = &b;
	rules_run(&ctx);
	CU_ASSERT_EQUAL_FATAL(b.count, 1);
	CU_ASSERT_STRING_EQUAL(a.items[0]->id, b.items[0]->id);
	CU_ASSERT_EQUAL(strncmp(a.items[0]->id, "seq-scan-filter-", 16), 0);
	CU_ASSERT_EQUAL(strlen(a.items[0]->id), strlen("seq-scan-filter-") + 12);
	finding_list_free(&a);
	finding_list_free(&b);
	CU_ASSERT_PTR_NULL(rule_find("no-such-rule"));
}

PGSIFT_TEST_SUITE(add_plan_rule_tests)
{
	CU_pSuite	s = CU_add_suite("plan rules", NULL, NULL);

	CU_add_test(s, "seq-scan-filter", test_seq_scan_filter);
	CU_add_test(s, "row-misestimate", test_row_misestimate);
	CU_add_test(s, "disk-sort", test_disk_sort);
	CU_add_test(s, "hash-batches", test_hash_batches);
	CU_add_test(s, "nested-loop-inner", test_nested_loop_inner);
	CU_add_test(s, "lossy-bitmap", test_lossy_bitmap);
	CU_add_test(s, "heap-fetches", test_heap_fetches);
	CU_add_test(s, "jit-overhead", test_jit_overhead);
	CU_add_test(s, "workers-not-launched", test_workers_not_launched);
	CU_add_test(s, "rules_run", test_rules_run_plan_scope);
}
