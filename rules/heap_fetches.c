/*-------------------------------------------------------------------------
 * heap_fetches.c
 *    heap-fetches: an Index Only Scan that still visits the table.
 *
 * An index-only scan skips the heap only for pages the visibility map
 * marks all-visible; VACUUM sets those bits.  Heap Fetches counts rows
 * that needed the heap anyway (EXPLAIN reports it summed over loops,
 * while rows are per loop).  Any fetch is worth a look; over 40% of the
 * rows returned (pev2) the scan is no better than an index scan.
 * docs/rules/heap-fetches.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#include <string.h>

#define HEAP_FETCHES_HIGH_SHARE 0.40
/* The share of the fetching time a vacuumed table is assumed to save. */
#define HEAP_FETCHES_SAVING 0.5

extern const rule rule_heap_fetches;

static void
visit(void *arg, const plan_node *n, const plan_node *parent, int depth)
{
	const rule_context *ctx = arg;
	double		returned,
				share;
	strbuf		sql;
	finding    *f;

	if (strcmp(n->node_type, "Index Only Scan") != 0 || n->heap_fetches <= 0 || !n->analyzed)
		return;
	returned = n->actual_rows * (n->actual_loops > 0 ? n->actual_loops : 1);
	share = returned > 0 ? (double) n->heap_fetches / returned : 1.0;
	if (share > 1.0)
		share = 1.0;

	f = rule_plan_finding(&rule_heap_fetches, ctx, n, depth, HEAP_FETCHES_SAVING * share * plan_node_self_ms(n));
	if (share > HEAP_FETCHES_HIGH_SHARE)
		f->severity = FINDING_MEDIUM;
	finding_set_detail(f, "Index Only Scan using %s on %s fetched %lld heap rows for %.0f rows returned "
					   "(%.0f%%): those pages are not all-visible.%s",
					   n->index_name ? n->index_name : "?", n->relation ? n->relation : "?",
					   (long long) n->heap_fetches, returned, 100.0 * share, rule_rate_note(ctx->plan));
	finding_set_hint(f, "VACUUM the table to set its visibility map; if it comes back, make autovacuum visit "
					 "it more often (autovacuum_vacuum_scale_factor, or "
					 "autovacuum_vacuum_insert_scale_factor for an insert-mostly table).");
	strbuf_init(&sql);
	strbuf_puts(&sql, "VACUUM (ANALYZE) ");
	sql_append_qualified(&sql, n->schema, n->relation ? n->relation : "?");
	strbuf_putc(&sql, ';');
	finding_set_fix(f, sql.data, "vacuum the table so the index-only scan can skip the heap");
	strbuf_free(&sql);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	plan_walk(ctx->plan->plan, visit, (void *) ctx);
}

const rule	rule_heap_fetches = {
	.id = "heap-fetches",
	.title = "index-only scan fetches rows from the table",
	.severity = FINDING_LOW,
	.scope = RULE_PLAN,
	.summary = "Index Only Scan with Heap Fetches > 0 (medium over 40% of rows returned)",
	.check = check,
};
