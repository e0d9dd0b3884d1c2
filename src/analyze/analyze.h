/*-------------------------------------------------------------------------
 * analyze.h
 *    The analysis driver: the rules on the logs alone, or with a live
 *    database's catalog, pg_stat_statements and plans.
 *
 * analyze_live connects to a DSN, takes a catalog snapshot, reads
 * pg_stat_statements, explains the queries that cost the most time (with
 * values logged for them when the logs have some, else as generic plans),
 * and runs the plan and catalog rules.  Findings go to the caller's list.
 * Every statement goes through one sandbox policy for the run
 * (src/live/sandbox.c): nothing here changes the database, and statements
 * that fail the side-effect screen are explained without being executed.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_ANALYZE_H
#define PGSIFT_ANALYZE_H

#include "src/core/config.h"
#include "src/core/finding.h"
#include "src/core/measure.h"
#include "src/model/workload.h"

#include <jansson.h>

typedef struct analyze_options
{
	const char *dsn;
	measure_mode measure;
	int			measure_given;	/* --measure was on the command line */
	int			statement_timeout_ms;	/* <= 0: the sandbox's default */
	int			lock_timeout_ms;	/* <= 0: the sandbox's default */
	int			explain_top;	/* queries to explain (by total time) */
	int			jobs;			/* connections for EXPLAIN work (--jobs); <= 1: one */
	int			interval_s;		/* > 0: pg_stat_statements activity over this many seconds */
	int64_t		max_build_bytes;	/* --measure real builds no index on larger tables; 0: 1 GB */
	int			server_cores;	/* --server-cores, 0 unknown */
	int			spindles;		/* --spindles, 0: 1 */
	const pgsift_config *config;	/* rules and thresholds; NULL: defaults */
} analyze_options;

typedef struct analyze_result
{
	int			connected;
	int			server_version;
	int			pgss_available;
	int			catalog_taken;
	int			explained;		/* plans obtained */
	int			explain_failed;
	int			explain_refused;
	int			not_executed;	/* plans estimated: the screen kept them from running */
	json_t	   *pg_stat_statements;	/* top entries, for the report (owned) */
	json_t	   *plans;			/* per explained query: fingerprint, kind, summary */
	json_t	   *sandbox;		/* sandbox_policy_report of the run (owned) */
} analyze_result;

/*
 * Analyse the database of opts->dsn; w may hold a log workload (its samples
 * provide real parameter values) or be empty.  Runs the plan, advisor,
 * catalog and workload rules (the workload rules with the live figures
 * and the connection), then ranks out (findings_rank).  Returns 0, or -1
 * when the database could not be reached (reported).
 */
int			analyze_live(const analyze_options *opts, workload *w, finding_list *out, analyze_result *res);

/*
 * The analysis of logs alone: the workload rules on w, with no database,
 * then findings_rank.  Their figures are estimated from the logs.
 */
void		analyze_offline(const analyze_options *opts, workload *w, finding_list *out);

void		analyze_result_free(analyze_result *res);

#endif
