/*-------------------------------------------------------------------------
 * html_plan.h
 *    An EXPLAIN plan in the HTML report: a tree of nested lists, each node
 *    with what it read, how many rows it was expected and found to
 *    return, the time spent in it alone, and badges where it matters.
 *
 * As explain.depesz.com and pev2 show a plan: a node's exclusive time is
 * its actual total time times its loops minus its children's
 * (plan_node_self_ms); its share is that over the sum of every node's
 * exclusive time, badged at 10, 40 and 90 %; a row estimate off by a
 * factor of 10, 100 or 1000 either way is badged too.  Plans without
 * ANALYZE show costs and estimates only.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_HTML_PLAN_H
#define PGSIFT_HTML_PLAN_H

#include "src/lib/strbuf.h"
#include "src/sql/plan.h"

/* 90, 40 or 10 when share (0..1) of the plan's time reaches it, else 0. */
int			html_plan_time_badge(double share);

/*
 * 1000, 100 or 10 when the larger of the estimated and actual rows is at
 * least that many times the smaller (each counted as 1 when below 1),
 * else 0; 0 too when either is unknown (NaN or negative).
 */
int			html_plan_estimate_badge(double plan_rows, double actual_rows);

/*
 * Append p as <ul class="plan">: one <li class="node"> per node, its
 * children in a nested <ul>, each with data-self-ms (exclusive time,
 * 3 decimals) and data-share (its share, 4 decimals) when analysed, and
 * <span class="badge tN"> / <span class="badge eN"> badges.  Planning and
 * execution times, when known, follow in a <p class="note">.
 */
void		html_plan_tree(strbuf *out, const plan *p);

/*
 * Append a plan as logged or measured: JSON text (is_json) parsed and
 * shown as html_plan_tree; a text plan, or JSON that does not parse,
 * escaped in a <pre>.  Nothing for NULL.
 */
void		html_plan_write(strbuf *out, const char *text, int is_json);

#endif
