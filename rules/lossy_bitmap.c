/*-------------------------------------------------------------------------
 * lossy_bitmap.c
 *    lossy-bitmap: a Bitmap Heap Scan's bitmap outgrew work_mem and went
 *    lossy.
 *
 * A lossy page remembers only "some row on this page matches", so every
 * row of the page is rechecked.  The bitmap keeps roughly 64 bytes per heap
 * page (tidbitmap's page table entry with hash overhead); the suggested
 * work_mem is twice that for every page the scan touched, and at least
 * twice the server's work_mem when the catalog gives it.
 * docs/rules/lossy-bitmap.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#define BITMAP_BYTES_PER_PAGE 64.0
/* The share of the rechecking time an exact bitmap is assumed to save. */
#define LOSSY_BITMAP_SAVING 0.5

extern const rule rule_lossy_bitmap;

static int64_t
suggested_mb(const rule_context *ctx, const plan_node *n)
{
	double		pages = (double) (n->lossy_heap_blocks + (n->exact_heap_blocks > 0 ? n->exact_heap_blocks : 0));
	int64_t		mb = rule_mb_ceil(2.0 * pages * BITMAP_BYTES_PER_PAGE / 1024.0);
	const catalog_snapshot *cat = ctx->plan->catalog;

	if (cat && cat->settings.work_mem_kb > 0 && mb * 1024 <= cat->settings.work_mem_kb)
		mb = rule_mb_ceil(2.0 * (double) cat->settings.work_mem_kb);
	return mb;
}

static void
visit(void *arg, const plan_node *n, const plan_node *parent, int depth)
{
	const rule_context *ctx = arg;
	double		exact,
				share;
	int64_t		mb;
	finding    *f;

	if (n->lossy_heap_blocks <= 0)
		return;
	exact = n->exact_heap_blocks > 0 ? (double) n->exact_heap_blocks : 0;
	share = (double) n->lossy_heap_blocks / (exact + (double) n->lossy_heap_blocks);
	mb = suggested_mb(ctx, n);

	f = rule_plan_finding(&rule_lossy_bitmap, ctx, n, depth, LOSSY_BITMAP_SAVING * share * plan_node_self_ms(n));
	if (share > 0.5)
		f->severity = FINDING_MEDIUM;
	finding_set_detail(f, "%s%s%s had %lld lossy and %.0f exact heap blocks: rows on the lossy pages were "
					   "all rechecked against %s.%s", n->node_type, n->relation ? " on " : "",
					   n->relation ? n->relation : "", (long long) n->lossy_heap_blocks, exact,
					   n->recheck_cond ? n->recheck_cond : "the condition", rule_rate_note(ctx->plan));
	finding_set_hint(f, "The bitmap needs about %lld MB of work_mem to stay exact; set it for this query only.",
					 (long long) mb);
	rule_set_work_mem_fix(f, mb, "raise work_mem for this query so the bitmap keeps one entry per row");
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	plan_walk(ctx->plan->plan, visit, (void *) ctx);
}

const rule	rule_lossy_bitmap = {
	.id = "lossy-bitmap",
	.title = "bitmap heap scan went lossy",
	.severity = FINDING_LOW,
	.scope = RULE_PLAN,
	.summary = "Bitmap Heap Scan with Lossy Heap Blocks > 0 (medium when most blocks are lossy)",
	.check = check,
};
