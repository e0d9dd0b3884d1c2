/*-------------------------------------------------------------------------
 * pool_sweep.c
 *    The concurrency sweep: threads, guarded transactions, the knee.
 *
 * Connections are opened once, as the sizes grow, and reused by the
 * later steps, so a step measures statements and not connection set-up.
 * Every worker owns one connection and one latency sketch (sketch.h);
 * the step's p95 is read from the merged sketches.  A step ends at its
 * deadline or when its share of the statement budget is spent, so the
 * whole sweep is bounded by steps × step_seconds plus one statement's
 * timeout.  Each statement is sent on its own in a sandbox transaction: a
 * statement that writes fails, the limits end with the transaction, and
 * the sandbox refuses one that fails the side-effect screen (its verdict
 * is cached, so the screen costs nothing per execution).  Workers walk a
 * schedule in which each statement holds slots in proportion to its
 * weight, so the mix the sweep runs is the mix that takes the time.
 *-------------------------------------------------------------------------
 */
#include "src/live/pool_sweep.h"
#include "src/lib/arena.h"
#include "src/lib/clock.h"
#include "src/lib/sketch.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_STEP_SECONDS 1.0
#define DEFAULT_MAX_STATEMENTS 20000
/* Slots of the weighted schedule: every statement holds at least one. */
#define SCHEDULE_SLOTS 100
/* A worker whose statements fail this many times in a row stops: they will not run. */
#define MAX_FAILURES_IN_A_ROW 10
/* p95 growing this many times faster than throughput marks saturation. */
#define LATENCY_GROWTH_FACTOR 1.5

typedef struct sweep_worker
{
	sandbox    *conn;
	const pool_sweep_statement *stmts;
	const int  *schedule;		/* indexes into stmts */
	int			nslots;
	int			offset;			/* first slot: workers do not run in step */
	double		deadline_ms;	/* clock_monotonic_ms() at which the step ends */
	uint64_t	quota;
	uint64_t	done;
	uint64_t	errors;
	int			failures;		/* in a row */
	int			lost;			/* the connection broke */
	quantile_sketch *latency;
	pthread_t	thread;
} sweep_worker;

int
pool_sweep_bound(int server_cores, int client_cores, int64_t max_connections,
				 int64_t used, int64_t reserved)
{
	int			cores = server_cores > client_cores ? server_cores : client_cores;
	int64_t		bound = 2 * (int64_t) (cores > 0 ? cores : 1);

	if (bound > POOL_SWEEP_MAX_SIZE)
		bound = POOL_SWEEP_MAX_SIZE;
	if (max_connections > 0 && bound > max_connections - used - reserved)
		bound = max_connections - used - reserved;
	return bound > 0 ? (int) bound : 0;
}

int
pool_sweep_knee(const pool_sweep_step *steps, int n, double share)
{
	double		best = 0;
	int			knee = -1;

	for (int i = 0; i < n; i++)
		if (steps[i].statements > 0 && steps[i].throughput > best)
			best = steps[i].throughput;
	if (best <= 0)
		return -1;
	for (int i = 0; i < n && knee < 0; i++)
		if (steps[i].statements > 0 && steps[i].throughput >= share * best)
			knee = i;
	for (int i = 1; i <= knee; i++)
	{
		const pool_sweep_step *a = &steps[i - 1],
				   *b = &steps[i];

		if (a->statements == 0 || b->statements == 0 || !(a->p95_ms > 0) || !(b->p95_ms > 0))
			continue;
		if (b->p95_ms / a->p95_ms > LATENCY_GROWTH_FACTOR * (b->throughput / a->throughput))
			return i - 1;
	}
	return knee;
}

/* One statement in its guarded transaction; its latency on success. */
static void
run_one(sweep_worker *wk, const pool_sweep_statement *st)
{
	double		start;
	PGresult   *res;

	if (sandbox_begin(wk->conn, SANDBOX_READ_ONLY) != 0)
	{
		wk->errors++;
		wk->lost = !sandbox_alive(wk->conn);
		return;
	}
	start = clock_monotonic_ms();
	res = sandbox_foreign(wk->conn, SANDBOX_EXECUTE, "", st->sql, st->nparams, st->params);
	if (res)
	{
		sketch_add(wk->latency, clock_monotonic_ms() - start);
		wk->done++;
		wk->failures = 0;
		PQclear(res);
	}
	else
	{
		wk->errors++;
		wk->failures++;
	}
	if (sandbox_end(wk->conn) != 0)
		wk->lost = 1;
}

static void *
worker_main(void *arg)
{
	sweep_worker *wk = arg;

	for (uint64_t k = 0; !wk->lost && wk->failures < MAX_FAILURES_IN_A_ROW && wk->done + wk->errors < wk->quota && clock_monotonic_ms() < wk->deadline_ms; k++)
		run_one(wk, &wk->stmts[wk->schedule[(wk->offset + k) % (uint64_t) wk->nslots]]);
	return NULL;
}

/* Run one step on conns[0..size); fills step. 0, or -1 when a connection broke. */
static int
run_step(sandbox **conns, int size, const pool_sweep_options *o, const pool_sweep_statement *stmts,
		 const int *schedule, int nslots, pool_sweep_step *step)
{
	sweep_worker *wk = xcalloc((size_t) size, sizeof(sweep_worker));
	int			max_statements = o->max_statements > 0 ? o->max_statements : DEFAULT_MAX_STATEMENTS;
	double		start = clock_monotonic_ms();
	quantile_sketch *all = sketch_create();
	int			lost = 0;

	for (int k = 0; k < size; k++)
		wk[k] = (sweep_worker) {
			.conn = conns[k], .stmts = stmts, .schedule = schedule, .nslots = nslots,
			.offset = k * nslots / size,
			.deadline_ms = start + 1000.0 * (o->step_seconds > 0 ? o->step_seconds : DEFAULT_STEP_SECONDS),
			.quota = (uint64_t) (max_statements / size > 0 ? max_statements / size : 1),
			.latency = sketch_create(),
		};
	for (int k = 1; k < size; k++)
		pthread_create(&wk[k].thread, NULL, worker_main, &wk[k]);
	worker_main(&wk[0]);
	for (int k = 1; k < size; k++)
		pthread_join(wk[k].thread, NULL);

	*step = (pool_sweep_step) {.size = size, .seconds = (clock_monotonic_ms() - start) / 1000.0};
	for (int k = 0; k < size; k++)
	{
		step->statements += wk[k].done;
		step->errors += wk[k].errors;
		lost |= wk[k].lost;
		sketch_merge(all, wk[k].latency);
		sketch_free(wk[k].latency);
	}
	step->throughput = step->seconds > 0 ? (double) step->statements / step->seconds : 0;
	step->p95_ms = step->statements > 0 ? sketch_quantile(all, 0.95) : NAN;
	sketch_free(all);
	free(wk);
	return lost ? -1 : 0;
}

static int
next_size(int size, int max_size)
{
	return size * 2 > max_size && size < max_size ? max_size : size * 2;
}

/* Why the sweep ended before the bound (out->stopped), e.g. "... at size 4". */
static void
set_stopped(pool_sweep_result *out, const char *why, int size)
{
	char		buf[160];

	snprintf(buf, sizeof(buf), "%s at size %d", why, size);
	free(out->stopped);
	out->stopped = xstrdup(buf);
}

/*
 * The weighted schedule of stmts[0..n) into slots (SCHEDULE_SLOTS or n,
 * whichever is more): each statement gets at least one slot and the rest
 * by weight, interleaved so that no statement runs in a long streak.
 */
static int
build_schedule(const pool_sweep_statement *stmts, int n, int *slots)
{
	int			nslots = n > SCHEDULE_SLOTS ? n : SCHEDULE_SLOTS;
	double		total = 0,
			   *credit = xcalloc((size_t) n, sizeof(double));

	for (int i = 0; i < n; i++)
		total += stmts[i].weight > 0 ? stmts[i].weight : 0;
	/* smooth weighted round robin: the statement with most credit runs next */
	for (int k = 0; k < nslots; k++)
	{
		int			best = 0;

		for (int i = 0; i < n; i++)
		{
			double		w = total > 0 && stmts[i].weight > 0 ? stmts[i].weight / total : 1.0 / n;

			credit[i] += w;
			if (credit[i] > credit[best])
				best = i;
		}
		slots[k] = best;
		credit[best] -= 1.0;
	}
	/* every statement at least once: a slot of the most frequent one makes room */
	int		   *count = xcalloc((size_t) n, sizeof(int));

	for (int k = 0; k < nslots; k++)
		count[slots[k]]++;
	for (int i = 0; i < n; i++)
	{
		int			most = 0;

		if (count[i] > 0)
			continue;
		for (int j = 1; j < n; j++)
			most = count[j] > count[most] ? j : most;
		for (int k = nslots - 1; k >= 0; k--)
			if (slots[k] == most)
			{
				slots[k] = i;
				count[most]--;
				count[i]++;
				break;
			}
	}
	free(count);
	free(credit);
	return nslots;
}

int
pool_sweep_run(const pool_sweep_options *o, const pool_sweep_statement *stmts, int n,
			   double share, pool_sweep_result *out)
{
	sandbox   **conns = xcalloc((size_t) (o->max_size > 0 ? o->max_size : 1), sizeof(sandbox *));
	int		   *schedule = xcalloc((size_t) (n > SCHEDULE_SLOTS ? n : SCHEDULE_SLOTS), sizeof(int));
	int			nslots = n > 0 ? build_schedule(stmts, n, schedule) : 0;
	int			opened = 0;

	memset(out, 0, sizeof(*out));
	out->knee = -1;
	for (int size = 1; n > 0 && size <= o->max_size && out->nsteps < POOL_SWEEP_MAX_STEPS;
		 size = next_size(size, o->max_size))
	{
		pool_sweep_step *step = &out->steps[out->nsteps];

		for (; opened < size; opened++)
			if ((conns[opened] = sandbox_connect(o->policy)) == NULL)
				break;
		if (opened < size)
		{
			set_stopped(out, "a connection could not be opened", size);
			break;
		}
		if (run_step(conns, size, o, stmts, schedule, nslots, step) != 0)
		{
			set_stopped(out, "a connection broke", size);
			break;
		}
		out->nsteps++;
		if (step->statements == 0)
		{
			set_stopped(out, "no statement completed", size);
			break;
		}
	}
	for (int k = 0; k < opened; k++)
		sandbox_close(conns[k]);
	free(conns);
	free(schedule);
	out->knee = pool_sweep_knee(out->steps, out->nsteps, share);
	return out->nsteps > 0 ? 0 : -1;
}

void
pool_sweep_result_free(pool_sweep_result *r)
{
	if (r == NULL)
		return;
	free(r->stopped);
	r->stopped = NULL;
}
