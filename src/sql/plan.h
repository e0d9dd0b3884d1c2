/*-------------------------------------------------------------------------
 * plan.h
 *    EXPLAIN (FORMAT JSON) output as a C tree.
 *
 * plan_parse_json reads the JSON that EXPLAIN prints (with or without
 * ANALYZE, BUFFERS) or that auto_explain logs, into plan_node trees.
 * Absent figures are -1 (counts) or NAN (times, costs), so rules can tell
 * "not measured" from zero.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_PLAN_H
#define PGSIFT_PLAN_H

#include <stdint.h>

struct arena;

typedef struct plan_buffers
{
	int64_t		shared_hit,
				shared_read,
				shared_dirtied,
				shared_written;
	int64_t		local_hit,
				local_read,
				temp_read,
				temp_written;
} plan_buffers;

typedef struct plan_node
{
	char	   *node_type;		/* "Seq Scan", "Index Scan", "Hash Join", ... */
	char	   *parent_relationship;	/* "Outer", "Inner", "InitPlan", ... or NULL */
	char	   *relation;		/* Relation Name */
	char	   *schema;
	char	   *alias;
	char	   *index_name;
	char	   *join_type;
	char	   *strategy;		/* Aggregate strategy */
	double		startup_cost,
				total_cost,
				plan_rows;
	int			plan_width;
	int			analyzed;		/* actual figures present */
	double		actual_startup_ms,
				actual_total_ms,
				actual_rows,
				actual_loops;
	plan_buffers buffers;		/* -1 each when not measured */
	char	   *filter;
	char	   *index_cond;
	char	   *recheck_cond;
	char	   *hash_cond;
	char	   *merge_cond;
	char	   *join_filter;
	double		rows_removed_by_filter;	/* NAN when absent */
	double		rows_removed_by_join_filter;
	double		rows_removed_by_index_recheck;
	char	   *sort_method;
	char	   *sort_space_type;	/* "Memory" or "Disk" */
	int64_t		sort_space_kb;
	int			nsort_keys;
	char	  **sort_keys;
	int64_t		hash_batches,
				original_hash_batches,
				hash_buckets,
				peak_memory_kb;
	int64_t		heap_fetches;
	int64_t		exact_heap_blocks,
				lossy_heap_blocks;
	int			workers_planned,
				workers_launched;
	int			nchildren;
	struct plan_node **children;
} plan_node;

typedef struct plan_jit
{
	int			present;
	int64_t		functions;
	double		generation_ms,
				inlining_ms,
				optimization_ms,
				emission_ms,
				total_ms;
} plan_jit;

typedef struct plan
{
	plan_node  *root;
	double		planning_ms;	/* NAN when absent */
	double		execution_ms;	/* NAN unless ANALYZE */
	plan_jit	jit;
	char	   *query_text;		/* auto_explain's "Query Text", else NULL */
	char	   *json;			/* the JSON it was read from (malloc'd) */
	struct arena *mem;			/* owns every node and string of the tree */
} plan;

/*
 * Parse EXPLAIN's JSON: an array of one object with "Plan" (EXPLAIN), or
 * the object itself (auto_explain).  NULL on error with *err (malloc'd).
 * Unknown keys are ignored; only "Node Type" is required in each node.
 * The result is freed with plan_free; err may be NULL.
 */
plan	   *plan_parse_json(const char *json, char **err);

/* Free a plan and its whole tree; NULL is allowed. */
void		plan_free(plan *p);

typedef void (*plan_visitor) (void *ctx, const plan_node *node, const plan_node *parent, int depth);

/* Visit every node, parents before children. */
void		plan_walk(const plan *p, plan_visitor fn, void *ctx);

/*
 * Time spent in a node itself: actual total × loops minus its children's,
 * floored at 0; NAN when the node has no actual times.  Below a Gather the
 * figures are summed over the processes that ran the node (so they can
 * exceed wall-clock time); a Gather subtracts its children's per-process
 * average, which approximates the wall-clock time it waited for them.
 */
double		plan_node_self_ms(const plan_node *n);

/* Sum of shared hit+read buffers at the root (-1 when not measured). */
int64_t		plan_total_buffers(const plan *p);

/*
 * One line naming the (at most 3) nodes with the most self time, e.g.
 * "Seq Scan on orders: 41.2 ms (rows 12 of 100000 read)", joined by "; ".
 * Without actual times, the nodes with the most self cost are named.
 * Returns a malloc'd string ("" for an empty plan).
 */
char	   *plan_summary(const plan *p);

#endif
