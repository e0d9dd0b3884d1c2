/*-------------------------------------------------------------------------
 * test_html_plan.c
 *    Plan trees of the HTML report (src/report/html_plan.c): the badge
 *    thresholds, and a real EXPLAIN (ANALYZE, FORMAT JSON) from the
 *    throwaway server drawn with every node's exclusive time and badges.
 *
 * The expected figures of the server's plan are computed here from its
 * JSON with jansson, node by node in the order the tree lists them
 * (actual total time x loops, less the children's; the share over the
 * sum of those), not through src/sql/plan.c.  The query's two correlated
 * conditions make the planner multiply their selectivities: about 250
 * rows expected, 4,999 found, a misestimate badge.
 *-------------------------------------------------------------------------
 */
#include "src/report/html_plan.h"
#include "tests/pg_testing.h"
#include "tests/test_registry.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_DB "html_plan_test"

static void
test_badges(void)
{
	CU_ASSERT_EQUAL(html_plan_time_badge(0), 0);
	CU_ASSERT_EQUAL(html_plan_time_badge(0.099), 0);
	CU_ASSERT_EQUAL(html_plan_time_badge(0.1), 10);
	CU_ASSERT_EQUAL(html_plan_time_badge(0.399), 10);
	CU_ASSERT_EQUAL(html_plan_time_badge(0.4), 40);
	CU_ASSERT_EQUAL(html_plan_time_badge(0.899), 40);
	CU_ASSERT_EQUAL(html_plan_time_badge(0.9), 90);
	CU_ASSERT_EQUAL(html_plan_time_badge(1), 90);
	CU_ASSERT_EQUAL(html_plan_time_badge(NAN), 0);
	CU_ASSERT_EQUAL(html_plan_estimate_badge(100, 100), 0);
	CU_ASSERT_EQUAL(html_plan_estimate_badge(100, 999), 0);
	CU_ASSERT_EQUAL(html_plan_estimate_badge(100, 1000), 10);
	CU_ASSERT_EQUAL(html_plan_estimate_badge(1000, 100), 10);
	CU_ASSERT_EQUAL(html_plan_estimate_badge(1, 100), 100);
	CU_ASSERT_EQUAL(html_plan_estimate_badge(1, 250000), 1000);
	/* fewer than one row counts as one either way */
	CU_ASSERT_EQUAL(html_plan_estimate_badge(0, 9), 0);
	CU_ASSERT_EQUAL(html_plan_estimate_badge(200, 0), 100);
	CU_ASSERT_EQUAL(html_plan_estimate_badge(NAN, 5), 0);
	CU_ASSERT_EQUAL(html_plan_estimate_badge(5, -1), 0);
}

/* What the test expects of one node, from the JSON. */
typedef struct expected_node
{
	double		self_ms;
	double		plan_rows;
	double		actual_rows;
} expected_node;

static double
loop_total(json_t *node)
{
	return json_number_value(json_object_get(node, "Actual Total Time")) *
		json_number_value(json_object_get(node, "Actual Loops"));
}

/* Pre-order: the node, then its children, as the tree lists them. */
static void
collect(json_t *node, expected_node *out, int *n, int cap)
{
	json_t	   *kids = json_object_get(node, "Plans");
	double		self = loop_total(node);
	size_t		i;
	json_t	   *k;
	int			me = (*n)++;

	CU_ASSERT_FATAL(me < cap);
	json_array_foreach(kids, i, k)
		self -= loop_total(k);
	out[me].self_ms = self > 0 ? self : 0;
	out[me].plan_rows = json_number_value(json_object_get(node, "Plan Rows"));
	out[me].actual_rows = json_number_value(json_object_get(node, "Actual Rows"));
	json_array_foreach(kids, i, k)
		collect(k, out, n, cap);
}

/* The text of node i's own line in the tree: from its <li> to the next <li>. */
static char *
node_segment(const char *html, int i)
{
	const char *p = html;
	const char *end;

	for (int k = 0; k <= i; k++)
	{
		p = strstr(p, "<li class=\"node\"");
		if (p == NULL)
			return NULL;
		if (k < i)
			p++;
	}
	end = strstr(p + 1, "<li class=\"node\"");
	return end ? strndup(p, (size_t) (end - p)) : strdup(p);
}

static void
test_server_plan(void)
{
	PGconn	   *c = pg_test_admin(PLAN_DB);
	char	   *json;
	json_t	   *root;
	expected_node nodes[32];
	int			n = 0,
				misestimates = 0;
	double		total = 0;
	strbuf		sb;

	if (c == NULL)
		return;
	pg_test_exec(c, "SET max_parallel_workers_per_gather = 0");
	json = pg_test_value(c, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
						 "SELECT t.a, count(*) FROM t JOIN u ON u.a = t.a "
						 "WHERE t.a < 5000 AND t.b < 5000 GROUP BY t.a ORDER BY t.a");
	PQfinish(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(json);
	root = json_loads(json, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	collect(json_object_get(json_array_get(root, 0), "Plan"), nodes, &n, 32);
	for (int i = 0; i < n; i++)
		total += nodes[i].self_ms;

	strbuf_init(&sb);
	html_plan_write(&sb, json, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, "<ul class=\"plan\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, "execution "));
	for (int i = 0; i < n; i++)
	{
		char	   *seg = node_segment(sb.data, i);
		char		want[64];
		int			tb = html_plan_time_badge(nodes[i].self_ms / total);
		int			eb = html_plan_estimate_badge(nodes[i].plan_rows, nodes[i].actual_rows);

		CU_ASSERT_PTR_NOT_NULL_FATAL(seg);
		snprintf(want, sizeof(want), "data-self-ms=\"%.3f\"", nodes[i].self_ms);
		if (strstr(seg, want) == NULL)
			fprintf(stderr, "\nnode %d: want %s in %s\n", i, want, seg);
		CU_ASSERT_PTR_NOT_NULL(strstr(seg, want));
		snprintf(want, sizeof(want), "data-share=\"%.4f\"", nodes[i].self_ms / total);
		CU_ASSERT_PTR_NOT_NULL(strstr(seg, want));
		snprintf(want, sizeof(want), "class=\"badge t%d\"", tb);
		CU_ASSERT_EQUAL(strstr(seg, want) != NULL, tb != 0);
		CU_ASSERT_EQUAL(strstr(seg, "class=\"badge t") != NULL, tb != 0);
		snprintf(want, sizeof(want), "class=\"badge e%d\"", eb);
		CU_ASSERT_EQUAL(strstr(seg, want) != NULL, eb != 0);
		CU_ASSERT_EQUAL(strstr(seg, "class=\"badge e") != NULL, eb != 0);
		misestimates += eb != 0;
		free(seg);
	}
	/* the plan has nodes, one with most of the time, and the misestimated scan */
	CU_ASSERT(n >= 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, "class=\"badge t"));
	CU_ASSERT(misestimates >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, "<span class=\"rel\">t</span>"));
	strbuf_free(&sb);
	json_decref(root);
	free(json);
}

static void
test_text_plan(void)
{
	strbuf		sb;

	strbuf_init(&sb);
	/* a text plan, and JSON that does not parse, shown as text, escaped */
	html_plan_write(&sb, "Seq Scan on \"<t>\"  (cost=0.00..1.01 rows=1 width=4)", 0);
	html_plan_write(&sb, "[{\"Plan\": <b>", 1);
	CU_ASSERT_EQUAL(strstr(sb.data, "<pre class=\"plan-text\">") != NULL, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, "&quot;&lt;t&gt;&quot;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, "&lt;b&gt;"));
	CU_ASSERT_PTR_NULL(strstr(sb.data, "<b>"));
	CU_ASSERT_PTR_NULL(strstr(sb.data, "<ul"));
	strbuf_free(&sb);
}

static int
plan_init(void)
{
	PGconn	   *c;
	int			rc;

	if (pg_test_create_database(PLAN_DB) != 0 || (c = pg_test_setup_connect(PLAN_DB)) == NULL)
		return -1;
	rc = pg_test_setup_exec(c, "CREATE TABLE t AS SELECT g AS a, g AS b FROM generate_series(1, 100000) g;"
							"CREATE TABLE u AS SELECT g % 20000 AS a FROM generate_series(1, 40000) g;"
							"ANALYZE t; ANALYZE u");
	PQfinish(c);
	return rc;
}

static int
plan_cleanup(void)
{
	pg_test_drop_database(PLAN_DB);
	return 0;
}

PGSIFT_TEST_SUITE(html_plan_suite)
{
	CU_pSuite	s = CU_add_suite("report/html_plan", NULL, NULL);

	CU_add_test(s, "badge thresholds", test_badges);
	CU_add_test(s, "text plans and bad JSON as text", test_text_plan);
}

PGSIFT_SERVER_TEST_SUITE(html_plan_server_suite)
{
	CU_pSuite	s = CU_add_suite("report/html_plan (server)", plan_init, plan_cleanup);

	CU_add_test(s, "a server's EXPLAIN ANALYZE as a tree", test_server_plan);
}
