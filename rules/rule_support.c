/*-------------------------------------------------------------------------
 * rule_support.c
 *    Helpers every rule shares: scores from the workload rate, findings
 *    about a plan node, and identifier quoting for fix SQL.
 *
 * Plan rules score a finding as the milliseconds a fix would save per
 * execution times executions per hour, so a small saving on a hot query
 * outranks a large one on a nightly report.  When the workload's rate is
 * unknown (a plan given alone) one execution per hour is assumed and the
 * detail says so, rather than dropping the finding.
 *-------------------------------------------------------------------------
 */
#include "rule.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/*
 * Keywords that cannot stand as a bare column or table name: PostgreSQL's
 * reserved and type/function-name keywords (quote_ident quotes these).
 * Sorted for bsearch.
 */
static const char *const sql_keywords[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc",
	"asymmetric", "authorization", "binary", "both", "case", "cast", "check",
	"collate", "collation", "column", "concurrently", "constraint", "create",
	"cross", "current_catalog", "current_date", "current_role",
	"current_schema", "current_time", "current_timestamp", "current_user",
	"default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
	"false", "fetch", "for", "foreign", "freeze", "from", "full", "grant",
	"group", "having", "ilike", "in", "initially", "inner", "intersect", "into",
	"is", "isnull", "join", "lateral", "leading", "left", "like", "limit",
	"localtime", "localtimestamp", "natural", "not", "notnull", "null",
	"offset", "on", "only", "or", "order", "outer", "overlaps", "placing",
	"primary", "references", "returning", "right", "select", "session_user",
	"similar", "some", "symmetric", "system_user", "table", "tablesample",
	"then", "to", "trailing", "true", "union", "unique", "user", "using",
	"variadic", "verbose", "when", "where", "window", "with",
};

static int
compare_keyword(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *) elem);
}

/* Whether name can be written bare: lower-case identifier, not a keyword. */
static int
ident_is_plain(const char *name)
{
	if (!(islower((unsigned char) name[0]) || name[0] == '_'))
		return 0;
	for (const char *p = name; *p; p++)
		if (!(islower((unsigned char) *p) || isdigit((unsigned char) *p) || *p == '_' || *p == '$'))
			return 0;
	return bsearch(name, sql_keywords, sizeof(sql_keywords) / sizeof(sql_keywords[0]),
				   sizeof(sql_keywords[0]), compare_keyword) == NULL;
}

void
rule_append_ident(strbuf *sb, const char *name)
{
	if (ident_is_plain(name))
	{
		strbuf_puts(sb, name);
		return;
	}
	strbuf_putc(sb, '"');
	for (const char *p = name; *p; p++)
	{
		if (*p == '"')
			strbuf_putc(sb, '"');
		strbuf_putc(sb, *p);
	}
	strbuf_putc(sb, '"');
}

void
rule_append_qualified(strbuf *sb, const char *schema, const char *name)
{
	if (schema && schema[0])
	{
		rule_append_ident(sb, schema);
		strbuf_putc(sb, '.');
	}
	rule_append_ident(sb, name);
}

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
