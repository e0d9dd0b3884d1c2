/*-------------------------------------------------------------------------
 * migration_regress.h
 *    The workload's queries, planned before and after a migration's
 *    statements in the trace's transaction: what the migration makes
 *    slower, what it makes faster, and the new indexes nothing uses.
 *
 * The queries are the workload's heaviest, by total time: from the logs
 * given with --workload (with the values logged for them) and from
 * pg_stat_statements (generic plans).  Each is explained twice before the
 * migration; one whose two plans differ (a flip: the plan is not stable
 * enough to compare) is left out of the verdicts.  After the migration's
 * statements ran, each is explained again in the same transaction, which
 * is rolled back afterwards.  EXPLAIN ANALYZE is used only under
 * --measure real, and only for what the side-effect screen lets run;
 * else the plans are estimates and only costs are compared.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MIGRATION_REGRESS_H
#define PGSIFT_MIGRATION_REGRESS_H

#include "src/live/catalog.h"
#include "src/live/migration_trace.h"
#include "src/live/pgss.h"
#include "src/live/sandbox.h"
#include "src/model/workload.h"

#include <stdint.h>

/* Thresholds ([migration] of pgsift.conf). */
typedef struct regress_settings
{
	int			top;			/* queries compared; <= 0: 200 */
	double		ratio;			/* cost or time growth that is a regression; <= 1: 1.5 */
	int64_t		seq_scan_pages; /* a new Seq Scan matters on a table of at least this many pages; < 0: 1280 (10 MB) */
	int			analyze;		/* EXPLAIN ANALYZE (--measure real) */
} regress_settings;

/* One plan of a query, in the terms it is compared by. */
typedef struct regress_plan
{
	int			ok;				/* a plan was obtained */
	int			analyzed;		/* with actual times */
	int			generic;		/* generic plan (no values) */
	double		cost;			/* total cost of the root */
	double		ms;				/* execution time (analyzed), else NAN */
	int64_t		buffers;		/* shared blocks hit + read (analyzed), else -1 */
	int			spills;			/* a sort or hash spilled to disk (analyzed) */
	char	   *summary;		/* plan_summary */
	char	   *shape;			/* node types, relations and indexes in order: the plan's identity */
	int			nindexes;
	char	  **indexes;		/* index names the plan uses */
	int			nseqscans;
	char	  **seqscans;		/* tables read by Seq Scan (schema.name when known) */
	int			nrelations;
	char	  **relations;		/* every relation it reads (schema.name) */
	char	   *error;			/* no plan: the server's message or the refusal */
	char	   *sqlstate;
} regress_plan;

typedef enum regress_verdict
{
	REGRESS_UNCHANGED,
	REGRESS_SLOWER,				/* a regression */
	REGRESS_FAILS,				/* the query fails after the migration */
	REGRESS_FASTER,				/* an improvement */
	REGRESS_UNSTABLE,			/* its plan flipped between two identical runs: not judged */
	REGRESS_NOT_PLANNED			/* no plan before the migration: not judged */
} regress_verdict;

typedef struct regress_query
{
	uint64_t	fingerprint;
	char	   *query;			/* normalized text, for the report */
	char	   *sql;			/* what is explained */
	char	   *params;			/* logged parameter values, or NULL */
	const char *source;			/* "log" or "pg_stat_statements" */
	double		total_ms;		/* in the workload */
	double		calls;
	regress_plan before;
	regress_plan after;
	regress_verdict verdict;
	char	   *reason;			/* why the verdict, one sentence */
	int			statement;		/* the migration statement it is laid at: the one that dropped
								 * its index, else the last that changed a table it reads; -1 */
} regress_query;

typedef struct migration_regressions
{
	int			nqueries;
	regress_query *queries;		/* by total_ms, largest first */
	int			nunused;
	char	  **unused_indexes; /* indexes the migration creates that no after-plan uses */
	int		   *unused_statements;	/* the statement creating each (index into the migration) */
	regress_settings settings;
} migration_regressions;

/*
 * The queries to compare: w's heaviest (NULL: none) then pgss's (NULL:
 * none), one per fingerprint, at most settings->top; SELECT and DML
 * only, and of the logs only what ran in database dbname (NULL: any).
 */
void		migration_regress_collect(migration_regressions *r, workload *w, const pgss_snapshot *pgss,
									  const char *dbname, const regress_settings *settings);

/* Plan every query twice on s (its transaction open), before the migration runs. */
void		migration_regress_before(migration_regressions *r, sandbox *s);

/*
 * Plan every query again after the migration ran, and judge: m and t say
 * which indexes it dropped and created, cat (may be NULL) the tables'
 * sizes.
 */
void		migration_regress_after(migration_regressions *r, sandbox *s, const migration *m,
									const migration_trace *t, const catalog_snapshot *cat);

void		migration_regressions_free(migration_regressions *r);

const char *regress_verdict_name(regress_verdict v);

#endif
