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
void		finding_set_hint(finding *f, const char *fmt,...) __attribute__((format(printf, 2, 3)));
void		finding_set_fix(finding *f, const char *sql, const char *description);
void		finding_add_table(finding *f, const char *qualified_name);
void		finding_add_fingerprint(finding *f, uint64_t fingerprint);
void		finding_set_query(finding *f, const char *query);
/* Derive the stable id from the rule and a key naming what it concerns. */
void		finding_set_key(finding *f, const char *key);

/* Append (the list owns f from now on). */
void		finding_list_add(finding_list *l, finding *f);
/* Sort by score descending, then severity, then id. */
void		finding_list_sort(finding_list *l);

/*
 * Rank a run's findings for the report (src/ranking.c): merge the
 * findings that share a fix into one, then sort (finding_list_sort).
 */
void		findings_rank(finding_list *l);

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
