/*-------------------------------------------------------------------------
 * finding.h
 *    A finding: what a rule found, why it matters, how to fix it, and the
 *    before/after that proves the fix.
 *
 * Findings are what every rule produces and what the reports rank.  The
 * JSON shape is documented in docs/json-schema.md ("findings").  All
 * strings are owned by the finding (malloc'd); finding_list_free frees them.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_FINDING_H
#define PGSIFT_FINDING_H

#include <jansson.h>
#include <stdint.h>

typedef enum finding_severity
{
	FINDING_INFO = 0,
	FINDING_LOW,
	FINDING_MEDIUM,
	FINDING_HIGH,
	FINDING_CRITICAL
} finding_severity;

typedef enum measurement_method
{
	MEASURE_NONE = 0,
	MEASURE_ESTIMATED,			/* from the planner's costs or a model */
	MEASURE_HYPOTHETICAL,		/* HypoPG what-if plan costs */
	MEASURE_MEASURED			/* EXPLAIN ANALYZE before and after, by pgsift */
} measurement_method;

typedef struct finding_measurement
{
	measurement_method method;
	double		before_ms,
				after_ms;		/* NAN when not known */
	double		before_cost,
				after_cost;
	int64_t		before_buffers,
				after_buffers;	/* -1 when not known */
	double		speedup;		/* before / after, NAN when not known */
	char	   *before_plan;	/* EXPLAIN JSON text or NULL */
	char	   *after_plan;
} finding_measurement;

/*
 * A named before/after figure a rule can attach for the report's executive
 * summary, e.g. {"statements_per_request", 41, 2, "statements"} for an N+1.
 */
typedef struct finding_metric
{
	char	   *name;			/* snake_case */
	double		before,
				after;			/* NAN when not known */
	char	   *unit;			/* "statements", "ms", ... or NULL */
} finding_metric;

/*
 * Where a migration finding is: the statement of a migration file it is
 * about, the lock it takes and whether it rewrites the table.  Findings
 * of the workload and the catalog have none (file NULL).
 */
typedef struct finding_location
{
	char	   *file;			/* path as given, or NULL */
	int			line;			/* 1-based line of the statement */
	char	   *statement;		/* its SQL */
	char	   *lock;			/* the lock mode it takes ("ACCESS EXCLUSIVE"), or NULL */
	int			rewrite;		/* 1 rewrites the table, 0 does not, -1 unknown */
} finding_location;

typedef struct finding
{
	char	   *rule;			/* rule id, kebab-case */
	char	   *id;				/* stable across runs: rule + what it concerns, hashed */
	finding_severity severity;
	double		score;			/* ms saved per hour of workload (or the rule's own scale) */
	char	   *title;
	char	   *detail;
	char	   *hint;
	int			nfingerprints;
	char	  **fingerprints;	/* 16-hex-digit fingerprints */
	char	   *query;			/* normalized query text, or NULL */
	int			ntables;
	char	  **tables;			/* schema-qualified */
	char	   *fix_sql;
	char	   *fix_description;
	finding_measurement measurement;
	int			nrules;
	char	  **rules;			/* merged: every rule it came from, rule first;
								 * 0 when nothing was merged into it */
	int			nrelated;
	char	  **related;		/* ids of other findings one fix serves too */
	int			nmetrics;
	finding_metric *metrics;	/* for the executive summary; may be empty */
	finding_location location;	/* migration findings only */
} finding;

typedef struct finding_list
{
	int			count;
	int			cap;
	finding   **items;
} finding_list;

/* A new finding with everything unknown; rule and title copied. */
finding    *finding_new(const char *rule, finding_severity sev, const char *title);
void		finding_set_detail(finding *f, const char *fmt,...) __attribute__((format(printf, 2, 3)));
/* Append a sentence to the detail (after a space). */
void		finding_append_detail(finding *f, const char *fmt,...) __attribute__((format(printf, 2, 3)));
void		finding_set_hint(finding *f, const char *fmt,...) __attribute__((format(printf, 2, 3)));
void		finding_set_fix(finding *f, const char *sql, const char *description);
void		finding_add_table(finding *f, const char *qualified_name);
void		finding_add_fingerprint(finding *f, uint64_t fingerprint);
void		finding_set_query(finding *f, const char *query);
/* Set where a migration finding is (all copied; statement may be NULL). */
void		finding_set_location(finding *f, const char *file, int line, const char *statement);
/* Set the lock it takes (copied; NULL or "": none) and whether it rewrites (1, 0, -1 unknown). */
void		finding_set_lock(finding *f, const char *lock, int rewrite);
/* Append a named before/after figure (name and unit copied; unit may be NULL). */
void		finding_add_metric(finding *f, const char *name, double before, double after, const char *unit);
/* The metric called name, or NULL. */
const finding_metric *finding_metric_named(const finding *f, const char *name);
/* Append the id of a related finding (copied), once. */
void		finding_add_related(finding *f, const char *id);
/* Whether f came from rule id, itself or by a merge. */
int			finding_has_rule(const finding *f, const char *rule);
/* Derive the stable id from the rule and a key naming what it concerns. */
void		finding_set_key(finding *f, const char *key);

/* Free a finding that no list owns (a list frees its own). */
void		finding_free(finding *f);

/* Append (the list owns f from now on). */
void		finding_list_add(finding_list *l, finding *f);
/* Ranking order: <0 when a ranks before b (score, severity, id). */
int			finding_compare(const finding *a, const finding *b);
/* Sort by score descending, then severity, then id. */
void		finding_list_sort(finding_list *l);

/*
 * Rank a run's findings for the report (src/analyze/ranking.c): merge the
 * findings that share a fix into one, link a missing index to the N+1
 * whose child query it serves, then sort (finding_list_sort).
 */
void		findings_rank(finding_list *l);

/*
 * After findings_rank: a finding that leaves its index to the advisor
 * (its rule's answered_by_index is RULE_ANSWERED_BY_QUERY:
 * seq-scan-filter, nested-loop-inner) and was not merged into a
 * missing-index finding gets no index; its fix says why, by whether the
 * advisor ran (advisor_ran) or not, so no finding promises an index that
 * the report does not have.
 */
void		findings_settle_index_promises(finding_list *l, int advisor_ran);

/*
 * The comparison key of a fix's SQL (src/analyze/ranking.c): its parse tree
 * without locations, and for CREATE INDEX without the index name,
 * CONCURRENTLY and IF NOT EXISTS; text with white space folded when it
 * does not parse.  NULL for NULL or empty SQL.  The caller frees it.
 */
char	   *finding_fix_key(const char *sql);

struct workload;

/*
 * Bound the score of every finding of l whose fingerprints are all timed
 * in the log model w by the time those queries take per hour of the log
 * (a fix cannot save more); the detail says so when it cuts.  Rules that
 * time rows differently from the log (parallel workers' summed time, a
 * slowest sample) could otherwise outrank what the workload spends.
 */
void		findings_cap_scores(finding_list *l, struct workload *w);

/* The highest severity in l, or -1 when l is empty or NULL. */
int			finding_list_max_severity(const finding_list *l);
void		finding_list_free(finding_list *l);

const char *finding_severity_name(finding_severity s);
/* "high" etc. to a severity; -1 if unknown. */
int			finding_severity_from_name(const char *name);
const char *measurement_method_name(measurement_method m);

/* The finding as a JSON object (docs/json-schema.md). */
json_t	   *finding_to_json(const finding *f);

#endif
