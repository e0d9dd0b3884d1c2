/*-------------------------------------------------------------------------
 * rule.h
 *    The rule descriptor, the contexts rules run in, and their helpers.
 *
 * A rule is one file in rules/: a const rule descriptor and a check that
 * appends findings to ctx->out.  Plan rules look at one EXPLAIN (ANALYZE)
 * plan of one normalized query; catalog rules at a catalog snapshot;
 * advisor rules at the index advisor's workload-wide choice; workload
 * rules at the whole workload: the log model (its sessions and their
 * statement patterns) and, with a DSN, pg_stat_statements, the catalog
 * and a connection to measure on; migration rules at the statements of
 * a migration, before it runs.  The registry (rules/registry.c) lists
 * every rule once.  Each rule documents its thresholds (rule_param, which
 * the configuration file may override) and score in docs/rules/<id>.md.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_RULE_H
#define PGSIFT_RULE_H

#include "src/core/config.h"
#include "src/core/finding.h"
#include "src/core/measure.h"
#include "src/lib/strbuf.h"
#include "src/live/catalog.h"
#include "src/sql/plan.h"
#include "src/sql/sql_ident.h"

#include <math.h>
#include <stdint.h>

typedef enum rule_scope
{
	RULE_PLAN,
	RULE_CATALOG,
	RULE_ADVISOR,				/* the index advisor's choice (src/advisor/advisor.h) */
	RULE_WORKLOAD,				/* the whole workload: logs, and live figures with a DSN */
	RULE_MIGRATION				/* the statements of a migration (pgsift migration) */
} rule_scope;

struct advisor_advice;
struct migration;
struct migration_trace;
struct migration_regressions;
struct sandbox;
struct pgss_snapshot;
struct workload;

/*
 * What RULE_WORKLOAD rules see.  Everything but model may be absent: a
 * run on logs alone has no catalog, no pg_stat_statements and no
 * connection, and its findings are then estimated from the logs.
 */
typedef struct workload_context
{
	struct workload *model;		/* the log workload (possibly empty) */
	double		log_hours;		/* span of the log, 0 when unknown */
	const struct pgss_snapshot *pgss;	/* NULL, or available = 0: not read */
	double		pgss_hours;		/* span of pg_stat_statements' figures, 0 unknown */
	struct sandbox *conn;		/* idle connection for measurements (and its
								 * policy for more connections), or NULL */
	measure_mode measure;		/* MEASURE_MODE_OFF without a DSN */
	int			server_cores;	/* --server-cores, 0 unknown */
	int			spindles;		/* --spindles (effective), default 1 */
	const finding_list *earlier;	/* findings of the plan, advisor and catalog
									 * rules, for cross-reference; may be NULL */
	int			jobs;			/* --jobs: threads a rule may use for its own
								 * reading of the model (0 or 1: none) */
} workload_context;

/*
 * What RULE_MIGRATION rules see: the migration (src/model/migration.h),
 * the server version its statements are judged for, and, with a DSN, the
 * staging database's catalog; traced (--measure plan or real), what each
 * statement did there and the workload's plans before and after.  The migration is not const: a finding that
 * an ignore comment silences marks that ignore used
 * (rules/migration_rules.h).
 */
typedef struct migration_context
{
	struct migration *migration;
	int			pg_version;		/* major version: 10, 11, ..., 15 */
	const catalog_snapshot *catalog;	/* NULL without a DSN */
	const struct migration_trace *trace;	/* what running it did (--measure plan|real), or NULL */
	const struct migration_regressions *regressions;	/* the workload's plans before and after, or NULL */
} migration_context;

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
	const workload_context *workload;	/* RULE_WORKLOAD; may be set for others */
	const migration_context *migration; /* RULE_MIGRATION */
	const pgsift_config *config;	/* thresholds and enabled rules; NULL: defaults */
	finding_list *out;
} rule_context;

/* A threshold of a rule: its name in the configuration file and default. */
typedef struct rule_param
{
	const char *name;			/* snake_case, e.g. "min_repeats" */
	double		default_value;
	const char *description;	/* one line, with the unit */
} rule_param;

/*
 * What kind of change a rule's fix asks for, for the recommendations:
 * by default a database fix (immediate when it is low-risk SQL saving
 * enough, else next; src/report/report_summary.c); an application change
 * (next); or architecture and configuration (long term).
 */
typedef enum rule_horizon
{
	RULE_HORIZON_BY_FIX = 0,
	RULE_HORIZON_APPLICATION,
	RULE_HORIZON_ARCHITECTURE
} rule_horizon;

/*
 * When a missing index (a rule whose fix serves_others) answers a finding
 * of this rule, so that ranking folds the finding into it: by default
 * when the finding's own fix is a CREATE INDEX whose columns the missing
 * index begins with, in order; for a foreign key, when it holds them in
 * any order; for a sequential scan or a nested loop's inner side, when
 * the index serves one of its queries on its table.  A finding of the
 * last kind names no index of its own: when none answers it, ranking
 * says why (findings_settle_index_promises).
 */
typedef enum rule_answered_by_index
{
	RULE_ANSWERED_BY_PREFIX = 0,
	RULE_ANSWERED_BY_COLUMN_SET,
	RULE_ANSWERED_BY_QUERY
} rule_answered_by_index;

typedef struct rule
{
	const char *id;				/* kebab-case; docs/rules/<id>.md */
	const char *title;
	finding_severity severity;	/* the usual one; a check may raise it */
	rule_scope	scope;
	const char *summary;		/* one line for `pgsift rules` */
	void		(*check) (const rule_context *ctx);
	const rule_param *params;	/* thresholds, ended by {NULL}; may be NULL */
	rule_horizon horizon;		/* where its fix goes among the recommendations */
	int			fix_cuts_calls; /* its fix runs the queries less often, not faster */
	int			serves_others;	/* its fix (an index) may answer other findings */
	rule_answered_by_index answered_by_index;
	int			child_served_by_index;	/* its first fingerprint is a repeated child
										 * query that an index on it speeds up */
} rule;

/* Every rule, NULL-terminated, in rules/registry.c. */
extern const rule *const pgsift_rules[];

/* The rule with this id, or NULL. */
const rule *rule_find(const char *id);

/* Whether some rule of scope is registered and not disabled by config. */
int			rules_scope_enabled(const pgsift_config *config, rule_scope scope);

/*
 * Run every registered rule of ctx->scope that ctx->config does not
 * disable; findings go to ctx->out.
 */
void		rules_run(const rule_context *ctx);

/*
 * The value of r's threshold name: the configuration's override when
 * ctx->config has one, else the default in r->params.  Naming a threshold
 * that r does not declare is a bug (aborts), so every threshold a check
 * reads is documented by its descriptor.
 */
double		rule_param_value(const rule_context *ctx, const rule *r, const char *name);

/*
 * Check a configuration against the registry: every section a rule id
 * (but [migration], which pgsift migration checks),
 * every key "enabled" (a boolean) or one of that rule's thresholds (a
 * number >= 0).  0, or -1 after reporting the first bad line (file:line).
 */
int			rules_check_config(const pgsift_config *c);

/* "plan", "catalog", "advisor", "workload" or "migration". */
const char *rule_scope_name(rule_scope scope);

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
