/*-------------------------------------------------------------------------
 * plan.c
 *    Reader for EXPLAIN (FORMAT JSON) and auto_explain output.
 *
 * The keys of a plan node are mapped through one table (key, kind, offset
 * into plan_node), so adding a figure is one line and every node is read
 * the same way.  The whole tree lives in an arena owned by the plan: a
 * plan is built once, read many times, and freed at one point.
 *-------------------------------------------------------------------------
 */
#include "src/sql/plan.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum node_field_kind
{
	NF_STRING,
	NF_DOUBLE,
	NF_INT64,
	NF_INT
} node_field_kind;

typedef struct node_field
{
	const char *key;
	node_field_kind kind;
	size_t		offset;
} node_field;

#define F(key, kind, member) {key, kind, offsetof(plan_node, member)}

static const node_field node_fields[] = {
	F("Node Type", NF_STRING, node_type),
	F("Parent Relationship", NF_STRING, parent_relationship),
	F("Relation Name", NF_STRING, relation),
	F("Schema", NF_STRING, schema),
	F("Alias", NF_STRING, alias),
	F("Index Name", NF_STRING, index_name),
	F("Join Type", NF_STRING, join_type),
	F("Strategy", NF_STRING, strategy),
	F("Startup Cost", NF_DOUBLE, startup_cost),
	F("Total Cost", NF_DOUBLE, total_cost),
	F("Plan Rows", NF_DOUBLE, plan_rows),
	F("Plan Width", NF_INT, plan_width),
	F("Actual Startup Time", NF_DOUBLE, actual_startup_ms),
	F("Actual Total Time", NF_DOUBLE, actual_total_ms),
	F("Actual Rows", NF_DOUBLE, actual_rows),
	F("Actual Loops", NF_DOUBLE, actual_loops),
	F("Shared Hit Blocks", NF_INT64, buffers.shared_hit),
	F("Shared Read Blocks", NF_INT64, buffers.shared_read),
	F("Shared Dirtied Blocks", NF_INT64, buffers.shared_dirtied),
	F("Shared Written Blocks", NF_INT64, buffers.shared_written),
	F("Local Hit Blocks", NF_INT64, buffers.local_hit),
	F("Local Read Blocks", NF_INT64, buffers.local_read),
	F("Temp Read Blocks", NF_INT64, buffers.temp_read),
	F("Temp Written Blocks", NF_INT64, buffers.temp_written),
	F("Filter", NF_STRING, filter),
	F("Index Cond", NF_STRING, index_cond),
	F("Recheck Cond", NF_STRING, recheck_cond),
	F("Hash Cond", NF_STRING, hash_cond),
	F("Merge Cond", NF_STRING, merge_cond),
	F("Join Filter", NF_STRING, join_filter),
	F("Rows Removed by Filter", NF_DOUBLE, rows_removed_by_filter),
	F("Rows Removed by Join Filter", NF_DOUBLE, rows_removed_by_join_filter),
	F("Rows Removed by Index Recheck", NF_DOUBLE, rows_removed_by_index_recheck),
	F("Sort Method", NF_STRING, sort_method),
	F("Sort Space Used", NF_INT64, sort_space_kb),
	F("Sort Space Type", NF_STRING, sort_space_type),
	F("Hash Batches", NF_INT64, hash_batches),
	F("Original Hash Batches", NF_INT64, original_hash_batches),
	F("Hash Buckets", NF_INT64, hash_buckets),
	F("Peak Memory Usage", NF_INT64, peak_memory_kb),
	F("Heap Fetches", NF_INT64, heap_fetches),
	F("Exact Heap Blocks", NF_INT64, exact_heap_blocks),
	F("Lossy Heap Blocks", NF_INT64, lossy_heap_blocks),
	F("Workers Planned", NF_INT, workers_planned),
	F("Workers Launched", NF_INT, workers_launched),
};

#undef F

#define NNODE_FIELDS (sizeof(node_fields) / sizeof(node_fields[0]))

/* Set every mapped field to its "absent" value: NULL, NAN or -1. */
static void
node_init_absent(plan_node *n)
{
	for (size_t i = 0; i < NNODE_FIELDS; i++)
	{
		char	   *at = (char *) n + node_fields[i].offset;

		switch (node_fields[i].kind)
		{
			case NF_STRING:
				*(char **) at = NULL;
				break;
			case NF_DOUBLE:
				*(double *) at = NAN;
				break;
			case NF_INT64:
				*(int64_t *) at = -1;
				break;
			case NF_INT:
				*(int *) at = -1;
				break;
		}
	}
}

/* Store one JSON value into its field; values of the wrong type are ignored. */
static void
node_set_field(arena *mem, plan_node *n, const node_field *f, json_t *v)
{
	char	   *at = (char *) n + f->offset;

	if (f->kind == NF_STRING)
	{
		if (json_is_string(v))
			*(char **) at = arena_strdup(mem, json_string_value(v));
		return;
	}
	if (!json_is_number(v))
		return;
	if (f->kind == NF_DOUBLE)
		*(double *) at = json_number_value(v);
	else if (f->kind == NF_INT64)
		*(int64_t *) at = (int64_t) json_number_value(v);
	else
		*(int *) at = (int) json_number_value(v);
}

static void
node_read_sort_keys(arena *mem, plan_node *n, json_t *keys)
{
	size_t		nkeys = json_array_size(keys);

	n->sort_keys = arena_zalloc(mem, (nkeys ? nkeys : 1) * sizeof(char *));
	for (size_t i = 0; i < nkeys; i++)
	{
		json_t	   *k = json_array_get(keys, i);

		if (json_is_string(k))
			n->sort_keys[n->nsort_keys++] = arena_strdup(mem, json_string_value(k));
	}
}

/*
 * Read one node and, recursively, its "Plans".  NULL with *err set when
 * the object is not a plan node.
 */
static plan_node *
node_read(arena *mem, json_t *obj, char **err)
{
	if (!json_is_object(obj) || !json_is_string(json_object_get(obj, "Node Type")))
	{
		*err = xstrdup("plan node without \"Node Type\"");
		return NULL;
	}

	plan_node  *n = arena_zalloc(mem, sizeof(plan_node));

	node_init_absent(n);
	for (size_t i = 0; i < NNODE_FIELDS; i++)
	{
		json_t	   *v = json_object_get(obj, node_fields[i].key);

		if (v)
			node_set_field(mem, n, &node_fields[i], v);
	}
	/* TIMING OFF still reports rows and loops, so rows mark ANALYZE */
	n->analyzed = !isnan(n->actual_rows);
	if (json_is_array(json_object_get(obj, "Sort Key")))
		node_read_sort_keys(mem, n, json_object_get(obj, "Sort Key"));

	json_t	   *children = json_object_get(obj, "Plans");
	size_t		nchildren = json_is_array(children) ? json_array_size(children) : 0;

	n->children = arena_zalloc(mem, (nchildren ? nchildren : 1) * sizeof(plan_node *));
	for (size_t i = 0; i < nchildren; i++)
	{
		plan_node  *child = node_read(mem, json_array_get(children, i), err);

		if (child == NULL)
			return NULL;
		n->children[n->nchildren++] = child;
	}
	return n;
}

static double
object_double(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void
plan_read_jit(plan_jit *jit, json_t *obj)
{
	json_t	   *timing = json_object_get(obj, "Timing");
	json_t	   *functions = json_object_get(obj, "Functions");

	jit->present = 1;
	jit->functions = json_is_number(functions) ? (int64_t) json_number_value(functions) : -1;
	jit->generation_ms = object_double(timing, "Generation");
	jit->inlining_ms = object_double(timing, "Inlining");
	jit->optimization_ms = object_double(timing, "Optimization");
	jit->emission_ms = object_double(timing, "Emission");
	jit->total_ms = object_double(timing, "Total");
}

/* Fill p from the top-level object that holds "Plan"; 0 ok, -1 with *err. */
static int
plan_read_top(plan *p, json_t *top, char **err)
{
	json_t	   *root = json_object_get(top, "Plan");

	if (!json_is_object(root))
	{
		*err = xstrdup("EXPLAIN output has no \"Plan\" object");
		return -1;
	}
	p->root = node_read(p->mem, root, err);
	if (p->root == NULL)
		return -1;
	p->planning_ms = object_double(top, "Planning Time");
	p->execution_ms = object_double(top, "Execution Time");
	if (json_is_object(json_object_get(top, "JIT")))
		plan_read_jit(&p->jit, json_object_get(top, "JIT"));
	if (json_is_string(json_object_get(top, "Query Text")))
		p->query_text = arena_strdup(p->mem, json_string_value(json_object_get(top, "Query Text")));
	return 0;
}

plan *
plan_parse_json(const char *json, char **err)
{
	char	   *dummy = NULL;
	json_error_t jerr;

	if (err == NULL)
		err = &dummy;
	*err = NULL;

	json_t	   *doc = json_loads(json ? json : "", JSON_DECODE_ANY, &jerr);

	if (doc == NULL)
	{
		strbuf		sb;

		strbuf_init(&sb);
		strbuf_printf(&sb, "EXPLAIN output is not valid JSON: %s (line %d, column %d)",
					  jerr.text, jerr.line, jerr.column);
		*err = strbuf_detach(&sb);
		free(dummy);
		return NULL;
	}

	/* EXPLAIN prints [ {...} ]; auto_explain logs the object alone */
	json_t	   *top = json_is_array(doc) ? json_array_get(doc, 0) : doc;
	plan	   *p = xcalloc(1, sizeof(plan));

	p->mem = arena_create(0);
	p->planning_ms = NAN;
	p->execution_ms = NAN;
	if (plan_read_top(p, top, err) != 0)
	{
		json_decref(doc);
		plan_free(p);
		free(dummy);
		return NULL;
	}
	p->json = xstrdup(json);
	json_decref(doc);
	return p;
}

void
plan_free(plan *p)
{
	if (p == NULL)
		return;
	arena_destroy(p->mem);
	free(p->json);
	free(p);
}

static void
walk_node(const plan_node *n, const plan_node *parent, int depth, plan_visitor fn, void *ctx)
{
	fn(ctx, n, parent, depth);
	for (int i = 0; i < n->nchildren; i++)
		walk_node(n->children[i], n, depth + 1, fn, ctx);
}

void
plan_walk(const plan *p, plan_visitor fn, void *ctx)
{
	if (p && p->root)
		walk_node(p->root, NULL, 0, fn, ctx);
}

/* A node's time summed over its loops; never-executed nodes count 0. */
static double
node_loop_total_ms(const plan_node *n)
{
	double		loops = isnan(n->actual_loops) ? 1 : n->actual_loops;

	return n->actual_total_ms * loops;
}

static int
node_is_gather(const plan_node *n)
{
	return strcmp(n->node_type, "Gather") == 0 || strcmp(n->node_type, "Gather Merge") == 0;
}

double
plan_node_self_ms(const plan_node *n)
{
	if (n == NULL || isnan(n->actual_total_ms))
		return NAN;

	double		self = node_loop_total_ms(n);

	for (int i = 0; i < n->nchildren; i++)
	{
		const plan_node *c = n->children[i];

		if (isnan(c->actual_total_ms))
			continue;
		self -= node_is_gather(n) ? c->actual_total_ms : node_loop_total_ms(c);
	}
	return self > 0 ? self : 0;
}

int64_t
plan_total_buffers(const plan *p)
{
	if (p == NULL || p->root == NULL)
		return -1;

	const plan_buffers *b = &p->root->buffers;

	if (b->shared_hit < 0 && b->shared_read < 0)
		return -1;
	return (b->shared_hit > 0 ? b->shared_hit : 0) + (b->shared_read > 0 ? b->shared_read : 0);
}

/* Self cost: what the planner charged this node beyond its children. */
static double
node_self_cost(const plan_node *n)
{
	double		self = n->total_cost;

	for (int i = 0; i < n->nchildren; i++)
		if (!isnan(n->children[i]->total_cost))
			self -= n->children[i]->total_cost;
	return self > 0 ? self : 0;
}

#define SUMMARY_NODES 3

typedef struct summary_ctx
{
	int			by_time;		/* rank by self time, else by self cost */
	int			n;
	const plan_node *top[SUMMARY_NODES];
	double		score[SUMMARY_NODES];
} summary_ctx;

/* Keep the SUMMARY_NODES highest-scoring nodes, in descending order. */
static void
summary_visit(void *vctx, const plan_node *node, const plan_node *parent, int depth)
{
	summary_ctx *ctx = vctx;
	double		score = ctx->by_time ? plan_node_self_ms(node) : node_self_cost(node);
	int			i;

	if (isnan(score))
		return;
	for (i = ctx->n; i > 0 && ctx->score[i - 1] < score; i--)
	{
		if (i < SUMMARY_NODES)
		{
			ctx->top[i] = ctx->top[i - 1];
			ctx->score[i] = ctx->score[i - 1];
		}
	}
	if (i >= SUMMARY_NODES)
		return;
	ctx->top[i] = node;
	ctx->score[i] = score;
	if (ctx->n < SUMMARY_NODES)
		ctx->n++;
}

static void
summary_append_node(strbuf *sb, const plan_node *n, double score, int by_time)
{
	strbuf_puts(sb, n->node_type);
	if (n->index_name)
		strbuf_printf(sb, " using %s", n->index_name);
	if (n->relation)
		strbuf_printf(sb, " on %s", n->relation);
	if (!by_time)
	{
		strbuf_printf(sb, ": cost %.1f (rows %.0f estimated)", score, n->plan_rows);
		return;
	}

	double		loops = isnan(n->actual_loops) ? 1 : n->actual_loops;

	strbuf_printf(sb, ": %.1f ms (rows %.0f", score, n->actual_rows * loops);
	if (!isnan(n->rows_removed_by_filter))
		strbuf_printf(sb, " of %.0f read",
					  (n->actual_rows + n->rows_removed_by_filter) * loops);
	if (loops > 1)
		strbuf_printf(sb, ", %.0f loops", loops);
	strbuf_putc(sb, ')');
}

char *
plan_summary(const plan *p)
{
	summary_ctx ctx = {0};
	strbuf		sb;

	strbuf_init(&sb);
	if (p == NULL || p->root == NULL)
		return strbuf_detach(&sb);
	ctx.by_time = !isnan(p->root->actual_total_ms);
	plan_walk(p, summary_visit, &ctx);
	for (int i = 0; i < ctx.n; i++)
	{
		if (i > 0)
			strbuf_puts(&sb, "; ");
		summary_append_node(&sb, ctx.top[i], ctx.score[i], ctx.by_time);
	}
	return strbuf_detach(&sb);
}
