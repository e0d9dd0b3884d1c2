/*-------------------------------------------------------------------------
 * advisor.h
 *    The index advisor: candidate indexes from parse trees, what-if costs
 *    with HypoPG, a workload-wide choice, and an optional measured proof.
 *
 * advisor_candidates reads one statement's parse tree and proposes btree
 * indexes for the tables it scans (advisor_candidates.c).  advisor_run
 * costs every candidate against every query that touches its table with
 * hypothetical indexes, chooses greedily for the whole workload, proves
 * the chosen ones under --measure real inside rolled-back transactions,
 * and hands the choice to the RULE_ADVISOR rules (rules/missing_index.c),
 * which turn it into findings (advisor.c).  The models and thresholds are
 * documented in docs/rules/missing-index.md.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_ADVISOR_H
#define PGSIFT_ADVISOR_H

#include "src/core/finding.h"
#include "src/core/measure.h"
#include "src/live/catalog.h"
#include "src/live/sandbox.h"

#include <stdint.h>

/* Tables smaller than either figure get no index proposed. */
#define ADVISOR_MIN_TABLE_ROWS 10000
#define ADVISOR_MIN_TABLE_PAGES 100
/* A column with fewer distinct values is not worth a full index. */
#define ADVISOR_MIN_DISTINCT 20
/* A constant matching less than this fraction of rows is "rare". */
#define ADVISOR_RARE_FREQ 0.01
/* --measure real builds nothing on a table larger than this by default. */
#define ADVISOR_DEFAULT_MAX_BUILD_BYTES ((int64_t) 1 << 30)

/* One index the advisor could propose; strings are malloc'd. */
typedef struct advisor_candidate
{
	char	   *schema;
	char	   *table;
	int			nkeys;
	char	  **keys;			/* "customer_id", "created_at DESC", "lower(email)" */
	char	   *include;		/* "id, total" or NULL */
	char	   *predicate;		/* "status = 'failed'" or NULL */
	char	   *definition;		/* CREATE INDEX ON schema.table (...) ... */
	/* set when predicate needs a rare constant (checked by the caller) */
	char	   *rare_column;
	char	   *rare_value;
} advisor_candidate;

typedef struct advisor_candidate_list
{
	int			count;
	int			cap;
	advisor_candidate *items;
} advisor_candidate_list;

/*
 * Append to out the candidate indexes for the tables sql reads (one
 * SELECT, possibly with joins, and the SELECTs nested in its WITH, FROM
 * subqueries and set operations; other statements, and a WITH holding
 * DML, give none).  Tables are
 * resolved through cat (aliases, unqualified columns by the tables'
 * column lists); tiny tables, unselective columns and candidates that a
 * valid index of cat already covers as a prefix are left out.  A
 * candidate already in out (same definition) is not added twice.
 * Returns the number added, or -1 when sql does not parse.
 */
int			advisor_candidates(const char *sql, const catalog_snapshot *cat,
							   advisor_candidate_list *out);

/*
 * Whether a valid btree index of t leads with c's keys, in order (and
 * has c's predicate, or none): the candidate exists already
 * (advisor_existing.c).
 */
int			advisor_already_indexed(const catalog_snapshot *cat, const catalog_table *t,
									const advisor_candidate *c);

/* Whether two keys or predicates are the same SQL, short of blanks, case, quotes and casts. */
int			advisor_same_key(const char *a, const char *b);

/* Free every candidate of l and zero it. */
void		advisor_candidate_list_free(advisor_candidate_list *l);

/* One query of the workload, as the advisor sees it (nothing owned). */
typedef struct advisor_query
{
	uint64_t	fingerprint;
	const char *normalized;
	const char *sql;			/* the statement to explain */
	int			nparams;
	const char *const *params;	/* logged values, or none: generic plan */
	double		mean_ms;		/* measured mean time; <= 0 unknown */
	double		calls_per_hour; /* <= 0 unknown: 1/hour is assumed */
} advisor_query;

/* What the choice of one index rests on, for one query it serves. */
typedef struct advisor_served
{
	int			query;			/* index into advisor_advice.queries */
	double		before_cost,
				after_cost;
	double		benefit_ms_per_hour;
} advisor_served;

/* One chosen index and its evidence; owned by the advice. */
typedef struct advisor_choice
{
	const advisor_candidate *candidate;
	int			nserved;
	advisor_served *served;		/* best-benefit first */
	double		benefit_ms_per_hour;
	double		write_penalty_ms_per_hour;
	double		net_ms_per_hour;
	int64_t		hypo_size_bytes;	/* hypopg_relation_size, -1 unknown */
	int			rate_assumed;	/* some served query's rate was unknown */
	int			measured;		/* --measure real succeeded */
	double		before_ms,
				after_ms;
	int64_t		before_buffers,
				after_buffers;
	char	   *before_plan,
			   *after_plan;
	char	   *not_measured;	/* why --measure real did not measure, or NULL */
} advisor_choice;

/* The advisor's result, the input of RULE_ADVISOR rules. */
typedef struct advisor_advice
{
	const advisor_query *queries;
	int			nqueries;
	int			nchoices;
	advisor_choice *choices;	/* by net benefit, highest first */
	advisor_candidate_list candidates;	/* what the choices point into */
} advisor_advice;

typedef struct advisor_options
{
	measure_mode mode;
	int			mode_given;		/* the user chose the mode (else: hypo if installed) */
	int64_t		max_build_bytes;	/* <= 0: ADVISOR_DEFAULT_MAX_BUILD_BYTES */
	int			jobs;			/* connections costing candidates (--jobs); <= 1: c only */
} advisor_options;

/*
 * Advise indexes for the workload queries[0..nq) on c (idle) with the
 * snapshot cat, into out (the input of the RULE_ADVISOR rules, which the
 * caller runs; free it with advisor_advice_free whatever is returned).
 * With opts->jobs > 1 the what-if costs are spread over up to opts->jobs
 * connections (c and jobs - 1 more under c's policy, opened and closed here);
 * the advice is the same as with one.
 * Under MEASURE_MODE_OFF nothing is done.  Without the hypopg extension a
 * warning says so (with a hint) and nothing is done.  Hypothetical indexes
 * are reset before returning; every real index is built inside a
 * transaction that is rolled back.  Returns the number of indexes chosen,
 * or -1 when the advisor could not run (warned).
 */
int			advisor_run(sandbox *c, const advisor_options *opts, const advisor_query *queries,
						int nq, const catalog_snapshot *cat, advisor_advice *out);

/* Free what advisor_run put in a and zero it. */
void		advisor_advice_free(advisor_advice *a);

#endif
