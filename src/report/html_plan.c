/*-------------------------------------------------------------------------
 * html_plan.c
 *    EXPLAIN plans as trees for the HTML report (html_plan.h).
 *
 * One walk sums the exclusive times (the badges' denominator), a second
 * writes the nodes.  Every name in a plan (relations, aliases, indexes,
 * conditions with their constants) comes from the database and the
 * logged statement, so it is escaped like any log text.
 *-------------------------------------------------------------------------
 */
#include "src/report/html_plan.h"
#include "src/report/html_escape.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
html_plan_time_badge(double share)
{
	if (!isfinite(share))
		return 0;
	return share >= 0.9 ? 90 : share >= 0.4 ? 40 : share >= 0.1 ? 10 : 0;
}

int
html_plan_estimate_badge(double plan_rows, double actual_rows)
{
	double		e,
				a,
				f;

	if (!(plan_rows >= 0) || !(actual_rows >= 0))
		return 0;
	e = plan_rows < 1 ? 1 : plan_rows;
	a = actual_rows < 1 ? 1 : actual_rows;
	f = e > a ? e / a : a / e;
	return f >= 1000 ? 1000 : f >= 100 ? 100 : f >= 10 ? 10 : 0;
}

static void
sum_self(void *ctx, const plan_node *node, const plan_node *parent, int depth)
{
	double		self = plan_node_self_ms(node);

	if (isfinite(self))
		*(double *) ctx += self;
}

/* "1,234,567" of a row count (rounded), or "?" when unknown. */
static void
put_rows(strbuf *out, double v)
{
	char		digits[32];
	int			n,
				lead;

	if (!(v >= 0) || !isfinite(v))
	{
		strbuf_putc(out, '?');
		return;
	}
	n = snprintf(digits, sizeof(digits), "%.0f", v);
	lead = n % 3 ? n % 3 : 3;
	strbuf_append(out, digits, (size_t) lead);
	for (int i = lead; i < n; i += 3)
	{
		strbuf_putc(out, ',');
		strbuf_append(out, digits + i, 3);
	}
}

/* A condition or detail line of a node: "<span class="cond">label: text</span>". */
static void
put_cond(strbuf *out, const char *label, const char *text)
{
	if (text == NULL)
		return;
	strbuf_printf(out, "<span class=\"cond\">%s: ", label);
	html_escape(out, text);
	strbuf_puts(out, "</span>");
}

/* Node type and what it works on: "Index Scan using i on orders o". */
static void
put_title(strbuf *out, const plan_node *n)
{
	if (n->parent_relationship && (n->parent_relationship[0] == 'I' || n->parent_relationship[0] == 'S'))
	{
		/* InitPlan, SubPlan: the node serves an expression, not its parent's rows */
		strbuf_puts(out, "<span class=\"fig\">");
		html_escape(out, n->parent_relationship);
		strbuf_puts(out, "</span> ");
	}
	strbuf_puts(out, "<span class=\"op\">");
	html_escape(out, n->node_type);
	if (n->strategy && n->strategy[0] && n->strategy[0] != 'P')
	{
		strbuf_puts(out, " (");
		html_escape(out, n->strategy);
		strbuf_putc(out, ')');
	}
	if (n->join_type && n->join_type[0] && n->join_type[0] != 'I')
	{
		strbuf_puts(out, " (");
		html_escape(out, n->join_type);
		strbuf_putc(out, ')');
	}
	strbuf_puts(out, "</span>");
	if (n->index_name)
	{
		strbuf_puts(out, " using <span class=\"rel\">");
		html_escape(out, n->index_name);
		strbuf_puts(out, "</span>");
	}
	if (n->relation)
	{
		strbuf_puts(out, " on <span class=\"rel\">");
		if (n->schema)
		{
			html_escape(out, n->schema);
			strbuf_putc(out, '.');
		}
		html_escape(out, n->relation);
		strbuf_puts(out, "</span>");
		if (n->alias && strcmp(n->alias, n->relation) != 0)
		{
			strbuf_putc(out, ' ');
			html_escape(out, n->alias);
		}
	}
}

/* Rows expected and found, loops, and the misestimate badge. */
static void
put_figures(strbuf *out, const plan_node *n, double total_self)
{
	double		self = plan_node_self_ms(n);
	int			eb = n->analyzed ? html_plan_estimate_badge(n->plan_rows, n->actual_rows) : 0;

	strbuf_puts(out, " <span class=\"fig\">rows ");
	put_rows(out, n->plan_rows);
	strbuf_puts(out, " est");
	if (n->analyzed)
	{
		strbuf_puts(out, " / ");
		put_rows(out, n->actual_rows);
		strbuf_puts(out, " actual");
		if (n->actual_loops > 1)
		{
			strbuf_puts(out, " &times; ");
			put_rows(out, n->actual_loops);
			strbuf_puts(out, " loops");
		}
	}
	if (isfinite(self))
	{
		strbuf_printf(out, "; self %.3f ms", self);
		if (total_self > 0)
			strbuf_printf(out, " (%.1f%%)", 100.0 * self / total_self);
	}
	else if (isfinite(n->total_cost))
		strbuf_printf(out, "; cost %.2f", n->total_cost);
	strbuf_puts(out, "</span>");
	if (isfinite(self) && total_self > 0 && html_plan_time_badge(self / total_self))
		strbuf_printf(out, " <span class=\"badge t%d\" title=\"share of the plan's time\">%d%%</span>",
					  html_plan_time_badge(self / total_self), html_plan_time_badge(self / total_self));
	if (eb)
		strbuf_printf(out, " <span class=\"badge e%d\" title=\"rows %s-estimated\">&times;%d %s</span>", eb,
					  n->actual_rows > n->plan_rows ? "under" : "over", eb,
					  n->actual_rows > n->plan_rows ? "&uarr;" : "&darr;");
}

/* The node's details: conditions, rows removed, sorts, hashes, buffers. */
static void
put_details(strbuf *out, const plan_node *n)
{
	char		buf[64];

	put_cond(out, "Index Cond", n->index_cond);
	put_cond(out, "Recheck Cond", n->recheck_cond);
	put_cond(out, "Hash Cond", n->hash_cond);
	put_cond(out, "Merge Cond", n->merge_cond);
	put_cond(out, "Join Filter", n->join_filter);
	put_cond(out, "Filter", n->filter);
	if (isfinite(n->rows_removed_by_filter) && n->rows_removed_by_filter > 0)
	{
		snprintf(buf, sizeof(buf), "%.0f", n->rows_removed_by_filter);
		put_cond(out, "Rows Removed by Filter", buf);
	}
	if (n->sort_method)
	{
		snprintf(buf, sizeof(buf), " (%s, %lld kB)", n->sort_space_type ? n->sort_space_type : "?",
				 (long long) n->sort_space_kb);
		strbuf_puts(out, "<span class=\"cond\">Sort Method: ");
		html_escape(out, n->sort_method);
		html_escape(out, n->sort_space_kb >= 0 ? buf : "");
		strbuf_puts(out, "</span>");
	}
	if (n->hash_batches > 1)
	{
		snprintf(buf, sizeof(buf), "%lld (originally %lld)", (long long) n->hash_batches,
				 (long long) n->original_hash_batches);
		put_cond(out, "Hash Batches", buf);
	}
	if (n->heap_fetches > 0)
	{
		snprintf(buf, sizeof(buf), "%lld", (long long) n->heap_fetches);
		put_cond(out, "Heap Fetches", buf);
	}
	if (n->buffers.shared_hit >= 0 || n->buffers.shared_read >= 0)
	{
		snprintf(buf, sizeof(buf), "shared hit %lld, read %lld", (long long) (n->buffers.shared_hit > 0 ? n->buffers.shared_hit : 0),
				 (long long) (n->buffers.shared_read > 0 ? n->buffers.shared_read : 0));
		put_cond(out, "Buffers", buf);
	}
}

static void
put_node(strbuf *out, const plan_node *n, double total_self)
{
	double		self = plan_node_self_ms(n);

	strbuf_puts(out, "<li class=\"node\"");
	if (isfinite(self))
		strbuf_printf(out, " data-self-ms=\"%.3f\" data-share=\"%.4f\"", self, total_self > 0 ? self / total_self : 0.0);
	strbuf_putc(out, '>');
	put_title(out, n);
	put_figures(out, n, total_self);
	put_details(out, n);
	if (n->nchildren > 0)
	{
		strbuf_puts(out, "\n<ul>");
		for (int i = 0; i < n->nchildren; i++)
			put_node(out, n->children[i], total_self);
		strbuf_puts(out, "</ul>");
	}
	strbuf_puts(out, "</li>\n");
}

void
html_plan_tree(strbuf *out, const plan *p)
{
	double		total_self = 0;

	if (p == NULL || p->root == NULL)
		return;
	plan_walk(p, sum_self, &total_self);
	strbuf_puts(out, "<ul class=\"plan\">\n");
	put_node(out, p->root, total_self);
	strbuf_puts(out, "</ul>\n");
	if (isfinite(p->planning_ms) || isfinite(p->execution_ms))
	{
		strbuf_puts(out, "<p class=\"note\">");
		if (isfinite(p->planning_ms))
			strbuf_printf(out, "planning %.3f ms", p->planning_ms);
		if (isfinite(p->planning_ms) && isfinite(p->execution_ms))
			strbuf_puts(out, ", ");
		if (isfinite(p->execution_ms))
			strbuf_printf(out, "execution %.3f ms", p->execution_ms);
		strbuf_puts(out, "</p>\n");
	}
}

void
html_plan_write(strbuf *out, const char *text, int is_json)
{
	plan	   *p;

	if (text == NULL)
		return;
	if (is_json && (p = plan_parse_json(text, NULL)) != NULL)
	{
		html_plan_tree(out, p);
		plan_free(p);
		return;
	}
	strbuf_puts(out, "<pre class=\"plan-text\"><code>");
	html_escape(out, text);
	strbuf_puts(out, "</code></pre>\n");
}
