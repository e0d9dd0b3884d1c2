/*-------------------------------------------------------------------------
 * seq_scan_filter.c
 *    seq-scan-filter: a sequential scan that reads a table to throw most
 *    of it away.
 *
 * pev2 and depesz's thresholds: the filter removes more than twice the
 * rows it returns and more than half of the rows read, on a table big
 * enough (over 1000 rows or 3 pages) that an index could beat reading it
 * whole.  The rule does not name the index: the index advisor
 * (missing-index) proposes and measures one.  docs/rules/seq-scan-filter.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#include <string.h>

/* Below these a table fits in a few pages and a seq scan is the best plan. */
#define SEQ_SCAN_MIN_ROWS 1000.0
#define SEQ_SCAN_MIN_PAGES 3
/* Filter removes this share of rows read: severity high. */
#define SEQ_SCAN_HIGH_SHARE 0.9

extern const rule rule_seq_scan_filter;

/* Big enough for an index to pay: by the catalog when known, else by rows read. */
static int
table_is_big(const rule_context *ctx, const plan_node *n, double rows_read)
{
	const catalog_table *t = rule_table_named(ctx->plan->catalog, n->schema, n->relation);

	if (t)
		return t->reltuples > SEQ_SCAN_MIN_ROWS || t->relpages > SEQ_SCAN_MIN_PAGES;
	return rows_read > SEQ_SCAN_MIN_ROWS;
}

/* The index itself is the advisor's job: point to it, with the filter. */
static void
set_fix(finding *f, const plan_node *n)
{
	strbuf		desc;

	strbuf_init(&desc);
	strbuf_printf(&desc, "an index for the filter %s, if the index advisor (missing-index) finds one that pays",
				  n->filter ? n->filter : "(not shown)");
	finding_set_fix(f, NULL, desc.data);
	strbuf_free(&desc);
}

static void
visit(void *arg, const plan_node *n, const plan_node *parent, int depth)
{
	const rule_context *ctx = arg;
	double		removed = n->rows_removed_by_filter;
	double		read;
	double		share;
	finding    *f;

	if (strcmp(n->node_type, "Seq Scan") != 0 || !n->analyzed || !RULE_KNOWN(removed))
		return;
	read = n->actual_rows + removed;
	if (removed <= 2 * n->actual_rows || removed <= 0.5 * read || !table_is_big(ctx, n, read))
		return;
	share = removed / read;

	f = rule_plan_finding(&rule_seq_scan_filter, ctx, n, depth, plan_node_self_ms(n) * share);
	if (share > SEQ_SCAN_HIGH_SHARE)
		f->severity = FINDING_HIGH;
	finding_set_detail(f, "Seq Scan on %s read %.0f rows per loop and its filter removed %.0f of them "
					   "(%.1f%%), returning %.0f; %.1f ms were spent in the scan itself.%s",
					   n->relation ? n->relation : "?", read, removed, 100.0 * share,
					   n->actual_rows, plan_node_self_ms(n), rule_rate_note(ctx->plan));
	finding_set_hint(f, "An index on the filtered columns lets PostgreSQL read only the rows it keeps. "
					 "Filter: %s", n->filter ? n->filter : "(not shown)");
	set_fix(f, n);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	plan_walk(ctx->plan->plan, visit, (void *) ctx);
}

const rule	rule_seq_scan_filter = {
	.id = "seq-scan-filter",
	.title = "sequential scan discards most of the rows it reads",
	.severity = FINDING_MEDIUM,
	.scope = RULE_PLAN,
	.summary = "Seq Scan whose filter removes > 2x the rows returned and > 50% of rows read",
	.check = check,
	.answered_by_index = RULE_ANSWERED_BY_QUERY,
};
