/*-------------------------------------------------------------------------
 * rule_support.c
 *    Helpers every rule shares: scores from the workload rate and findings
 *    about a plan node.
 *
 * Plan rules score a finding as the milliseconds a fix would save per
 * execution times executions per hour, so a small saving on a hot query
 * outranks a large one on a nightly report.  When the workload's rate is
 * unknown (a plan given alone) one execution per hour is assumed and the
 * detail says so, rather than dropping the finding.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

double
rule_calls_per_hour(const plan_context *pc, int *assumed)
{
	if (pc->calls > 0 && pc->workload_hours > 0)
	{
		*assumed = 0;
		return pc->calls / pc->workload_hours;
	}
	*assumed = 1;
	return 1.0;
}

const char *
rule_rate_note(const plan_context *pc)
{
	int			assumed;

	rule_calls_per_hour(pc, &assumed);
	return assumed ? " The workload's rate is unknown: the score assumes one execution per hour." : "";
}

finding *
rule_plan_finding(const rule *r, const rule_context *ctx, const plan_node *node,
				  int depth, double ms_saved)
{
	const plan_context *pc = ctx->plan;
	finding    *f = finding_new(r->id, r->severity, r->title);
	strbuf		key;
	int			assumed;

	strbuf_init(&key);
	strbuf_printf(&key, "%016llx/%s/%s/%s/%d", (unsigned long long) pc->fingerprint,
				  node->node_type ? node->node_type : "",
				  node->relation ? node->relation : "",
				  node->index_name ? node->index_name : "", depth);
	finding_set_key(f, key.data);
	strbuf_free(&key);

	finding_add_fingerprint(f, pc->fingerprint);
	if (pc->query)
		finding_set_query(f, pc->query);
	if (node->relation)
	{
		strbuf		table;

		strbuf_init(&table);
		strbuf_printf(&table, "%s%s%s", node->schema ? node->schema : "",
					  node->schema ? "." : "", node->relation);
		finding_add_table(f, table.data);
		strbuf_free(&table);
	}
	f->score = (ms_saved > 0 ? ms_saved : 0) * rule_calls_per_hour(pc, &assumed);
	f->measurement.method = MEASURE_ESTIMATED;
	return f;
}

const catalog_table *
rule_table_named(const catalog_snapshot *s, const char *schema, const char *name)
{
	if (s == NULL || name == NULL)
		return NULL;
	for (int i = 0; i < s->ntables; i++)
	{
		const catalog_table *t = &s->tables[i];

		if (strcmp(t->name, name) == 0 && (schema == NULL || strcmp(t->schema, schema) == 0))
			return t;
	}
	return NULL;
}

int64_t
rule_mb_ceil(double kb)
{
	int64_t		mb = (int64_t) ceil(kb / 1024.0);

	return mb < 1 ? 1 : mb;
}

finding *
rule_catalog_finding(const rule *r, const char *schema, const char *name,
					 const char *table, double score)
{
	finding    *f = finding_new(r->id, r->severity, r->title);
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_printf(&sb, "%s.%s", schema, name);
	finding_set_key(f, sb.data);
	if (table)
	{
		strbuf_reset(&sb);
		strbuf_printf(&sb, "%s.%s", schema, table);
		finding_add_table(f, sb.data);
	}
	strbuf_free(&sb);
	f->score = score;
	return f;
}

void
rule_set_work_mem_fix(finding *f, int64_t mb, const char *description)
{
	char		sql[64];

	snprintf(sql, sizeof(sql), "SET work_mem = '%lldMB';", (long long) mb);
	finding_set_fix(f, sql, description);
}
