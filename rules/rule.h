/*-------------------------------------------------------------------------
 * rule.h
 *    The rule descriptor, the contexts rules run in, and their helpers.
 *
 * A rule is one file in rules/: a const rule descriptor and a check that
 * appends findings to ctx->out.  Plan rules look at one EXPLAIN (ANALYZE)
 * plan of one normalized query; catalog rules at a catalog snapshot;
 * advisor rules at the index advisor's workload-wide choice.  The
 * registry (rules/registry.c) lists every rule once.  Each rule documents
 * its thresholds and score in docs/rules/<id>.md.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_RULE_H
#define PGSIFT_RULE_H

#include "catalog.h"
#include "finding.h"
#include "plan.h"
#include "strbuf.h"

#include <math.h>
#include <stdint.h>

typedef enum rule_scope
{
	RULE_PLAN,
	RULE_CATALOG,
	RULE_ADVISOR				/* the index advisor's choice (src/advisor.h) */
} rule_scope;

struct advisor_advice;

typedef struct plan_context
{
	const plan *plan;
	const char *query;			/* normalized */
	uint64_t	fingerprint;
	double		calls;			/* executions seen in the workload, 0 unknown */
	double		workload_hours; /* span of the workload the calls came from; 0
								 * unknown */
	const catalog_snapshot *catalog;	/* may be NULL */
	const struct advisor_advice *advice;	/* RULE_ADVISOR: the advisor's choice */
} plan_context;

typedef struct rule_context
{
	rule_scope	scope;
	const plan_context *plan;	/* RULE_PLAN; RULE_ADVISOR: its advice only */
	const catalog_snapshot *catalog;
	finding_list *out;
} rule_context;

typedef struct rule
{
	const char *id;				/* kebab-case; docs/rules/<id>.md */
	const char *title;
	finding_severity severity;	/* the usual one; a check may raise it */
	rule_scope	scope;
	const char *summary;		/* one line for `pgsift rules` */
	void		(*check) (const rule_context *ctx);
} rule;

/* Every rule, NULL-terminated, in rules/registry.c. */
extern const rule *const pgsift_rules[];

/* The rule with this id, or NULL. */
const rule *rule_find(const char *id);

/* Run every registered rule of ctx->scope; findings go to ctx->out. */
void		rules_run(const rule_context *ctx);

/*
 * Executions per hour of the plan's query: calls / workload_hours when both
 * are known, else 1 (and *assumed is set, so the detail can say so).
 */
double		rule_calls_per_hour(const plan_context *pc, int *assumed);

/*
 * A new finding of rule r about one node (at depth in the tree) of ctx's
 * plan: fingerprint, query and the node's table filled in, id keyed on the
 * query's fingerprint and the node's type, relation, index and depth, score
 * = ms_saved per execution × rule_calls_per_hour.  The caller sets detail,
 * hint and fix (ending the detail with rule_rate_note) and adds it to
 * ctx->out.  Never NULL.
 */
finding    *rule_plan_finding(const rule *r, const rule_context *ctx, const plan_node *node,
							  int depth, double ms_saved);

/*
 * "" when the workload rate is known, else a sentence (with a leading
 * space) saying the score assumes one execution per hour.  Static text.
 */
const char *rule_rate_note(const plan_context *pc);

/* Append name as an SQL identifier, double-quoted when it must be. */
void		rule_append_ident(strbuf *sb, const char *name);

/* Append schema.name, each part quoted as needed; schema may be NULL. */
void		rule_append_qualified(strbuf *sb, const char *schema, const char *name);

/*
 * The snapshot's table named name in schema (any schema when schema is
 * NULL: plans name their schema only with VERBOSE), or NULL.  Rules read
 * the snapshot's arrays themselves so they need nothing of the connection
 * layer.
 */
const catalog_table *rule_table_named(const catalog_snapshot *s, const char *schema, const char *name);

/*
 * A new finding of rule r about the index or object schema.name on table
 * (schema-qualified in tables; table may be NULL), id keyed on
 * schema.name, score as given.  Never NULL.
 */
finding    *rule_catalog_finding(const rule *r, const char *schema, const char *name,
								 const char *table, double score);

/* kb as whole megabytes, rounded up, at least 1: a work_mem to suggest. */
int64_t		rule_mb_ceil(double kb);

/* Fix: "SET work_mem = '<mb>MB';" with the given description. */
void		rule_set_work_mem_fix(finding *f, int64_t mb, const char *description);

/* Whether a measured figure is present (plan.h uses NAN for absent). */
#define RULE_KNOWN(x) (!isnan(x))

#endif
