/*-------------------------------------------------------------------------
 * pool_sweep.h
 *    Measuring the best connection-pool size: a concurrency sweep.
 *
 * The workload's read-only statements are run in a loop over 1, 2, 4, ...
 * connections (one thread and one libpq connection each), every step for
 * a fixed short time and a bounded number of statements; each statement
 * runs alone in a sandbox transaction (READ ONLY, with the policy's
 * limits, always rolled back) and only when the side-effect screen passes
 * it.  Statements are drawn in proportion to their share of the
 * workload's time.  The throughput and p95 latency
 * of each size give the knee: the smallest size past which more
 * connections buy (almost) nothing.  Only under --measure real.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_POOL_SWEEP_H
#define PGSIFT_POOL_SWEEP_H

#include "src/live/sandbox.h"

#include <stdint.h>

#define POOL_SWEEP_MAX_STEPS	8	/* 1, 2, 4, ... 128: more than any bound */
#define POOL_SWEEP_MAX_SIZE		32

/* One statement to run, with its logged values ($n), if any. */
typedef struct pool_sweep_statement
{
	const char *sql;
	int			nparams;
	const char *const *params;	/* text values; NULL = SQL NULL */
	double		weight;			/* its share of the workload's time (> 0) */
} pool_sweep_statement;

typedef struct pool_sweep_options
{
	sandbox_policy *policy;		/* connections, limits, the screen */
	int			max_size;		/* largest size tried (pool_sweep_bound) */
	double		step_seconds;	/* each size runs this long; <= 0: 1 s */
	int			max_statements; /* per step, over all connections; <= 0: 20000 */
} pool_sweep_options;

typedef struct pool_sweep_step
{
	int			size;			/* connections */
	uint64_t	statements;		/* completed */
	uint64_t	errors;			/* failed (timeout, error): not counted above */
	double		seconds;		/* wall time of the step */
	double		throughput;		/* statements / s */
	double		p95_ms;			/* NAN when no statement completed */
} pool_sweep_step;

typedef struct pool_sweep_result
{
	int			nsteps;
	pool_sweep_step steps[POOL_SWEEP_MAX_STEPS];
	int			knee;			/* index into steps, -1 when none */
	char	   *stopped;		/* why the sweep ended early (malloc'd), or NULL */
} pool_sweep_result;

/*
 * The largest size to try: min(2 × max(server_cores, client_cores),
 * POOL_SWEEP_MAX_SIZE), and never more than the free slots,
 * max_connections − used − reserved (when max_connections > 0).  At
 * least 0 (0: no room to sweep at all).
 */
int			pool_sweep_bound(int server_cores, int client_cores, int64_t max_connections,
							 int64_t used, int64_t reserved);

/*
 * The knee of steps[0..n): the first step whose throughput is at least
 * share × the best one, or the step before the first one whose p95 grew
 * more than twice as fast as its throughput, whichever comes first.  -1
 * when no step completed a statement.
 */
int			pool_sweep_knee(const pool_sweep_step *steps, int n, double share);

/*
 * Run the sweep over stmts[0..n) (read-only statements; the caller
 * classifies and screens them, and the sandbox refuses any that does not
 * pass).  Sizes double from 1 up to o->max_size (the last step
 * is o->max_size itself when it is not a power of two).  A connection
 * that cannot be opened ends the sweep with the sizes measured so far
 * (out->stopped says so).  Returns 0 when at least one step ran, else -1.
 * Knee with share, see pool_sweep_knee.  Free with pool_sweep_result_free.
 */
int			pool_sweep_run(const pool_sweep_options *o, const pool_sweep_statement *stmts, int n,
						   double share, pool_sweep_result *out);

void		pool_sweep_result_free(pool_sweep_result *r);

#endif
