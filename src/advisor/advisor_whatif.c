/*-------------------------------------------------------------------------
 * advisor_whatif.c
 *    What-if costs with HypoPG, spread over --jobs connections.
 *
 * Two passes, each a pool of connections taking work from a shared
 * counter, as the EXPLAIN pool of src/analyze/analyze.c does.  First every query is
 * explained as it stands (plain EXPLAIN: HypoPG indexes are seen by
 * nothing else), which gives its cost and the tables its plan reads.
 * Then every candidate in turn is made hypothetical, sized, and each
 * query that reads its table is explained again.  HypoPG's indexes live
 * in the backend that created them, so a connection only ever costs the
 * candidate it created itself, and resets it before taking the next.
 * Every figure goes to its (query, candidate) slot, so the result is the
 * same whatever connection computed it and in whatever order.
 *-------------------------------------------------------------------------
 */
#include "src/advisor/advisor_whatif.h"
#include "src/lib/arena.h"
#include "src/live/explain.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct whatif_pool whatif_pool;

/* One unit of work: query or candidate i, on connection c. */
typedef void (*whatif_task) (whatif_pool *p, sandbox *c, int i);

struct whatif_pool
{
	const advisor_options *opts;
	const advisor_query *qs;
	const advisor_candidate_list *cands;
	whatif	   *w;
	int		   *reads;			/* reads[q * ncands + k]: q's plan names k's table */
	whatif_task task;
	int			n;				/* units of the current pass */
	int			next;			/* taken with __atomic_fetch_add */
};

typedef struct whatif_worker
{
	whatif_pool *pool;
	sandbox    *conn;
	pthread_t	thread;
} whatif_worker;

/* Plain EXPLAIN of q (logged values, else generic); the plan or NULL. */
static plan *
explain_plain(sandbox *c, const advisor_options *o, const advisor_query *q)
{
	explain_request req = {
		.sql = q->sql, .nparams = q->nparams, .params = q->params,
	};
	explain_result r;
	plan	   *p = NULL;

	if (explain_run(c, &req, &r) == 0 && r.plan && r.plan->root)
	{
		p = r.plan;
		r.plan = NULL;
	}
	explain_result_free(&r);
	return p;
}

static double
explain_cost(sandbox *c, const advisor_options *o, const advisor_query *q)
{
	plan	   *p = explain_plain(c, o, q);
	double		cost = p ? p->root->total_cost : NAN;

	plan_free(p);
	return cost;
}

typedef struct table_probe
{
	const char *table;
	int			found;
} table_probe;

static void
probe_node(void *ctx, const plan_node *node, const plan_node *parent, int depth)
{
	table_probe *tp = ctx;

	if (node->relation && strcmp(node->relation, tp->table) == 0)
		tp->found = 1;
}

/* Whether a node of p reads table (plans name the schema only with VERBOSE). */
static int
plan_reads(const plan *p, const char *table)
{
	table_probe tp = {.table = table};

	plan_walk(p, probe_node, &tp);
	return tp.found;
}

/* Make def hypothetical; its indexrelid as text (malloc'd), or NULL. */
static char *
hypo_create(sandbox *c, const char *def)
{
	PGresult   *res = sandbox_read(c, "SELECT indexrelid FROM hypopg_create_index($1)", 1, &def);
	char	   *oid = NULL;

	if (res && PQntuples(res) == 1)
		oid = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return oid;
}

static int64_t
hypo_size(sandbox *c, const char *oid)
{
	PGresult   *res = sandbox_read(c, "SELECT hypopg_relation_size($1::oid)", 1, &oid);
	int64_t		size = -1;

	if (res && PQntuples(res) == 1)
		size = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return size;
}

/* First pass: query q's cost as it stands, and the tables its plan reads. */
static void
cost_before(whatif_pool *p, sandbox *c, int q)
{
	plan	   *pl = explain_plain(c, p->opts, &p->qs[q]);
	int			nc = p->cands->count;

	p->w->before[q] = pl ? pl->root->total_cost : NAN;
	for (int k = 0; pl && k < nc; k++)
		p->reads[q * nc + k] = plan_reads(pl, p->cands->items[k].table);
	plan_free(pl);
}

/* Second pass: candidate k alone, on the connection that creates it. */
static void
cost_with(whatif_pool *p, sandbox *c, int k)
{
	int			nc = p->cands->count;
	char	   *oid = hypo_create(c, p->cands->items[k].definition);

	p->w->size[k] = oid ? hypo_size(c, oid) : -1;
	for (int q = 0; oid && q < p->w->nq; q++)
		if (p->reads[q * nc + k])
			p->w->cost[q * nc + k] = explain_cost(c, p->opts, &p->qs[q]);
	free(oid);
	PQclear(sandbox_read(c, "SELECT hypopg_reset()", 0, NULL));
}

/* Take units until none is left or the connection is gone. */
static void *
whatif_worker_main(void *arg)
{
	whatif_worker *wk = arg;
	whatif_pool *p = wk->pool;
	int			i;

	while (sandbox_alive(wk->conn) && (i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < p->n)
		p->task(p, wk->conn, i);
	return NULL;
}

/* Run one pass of n units over the workers; returns when all are done. */
static void
run_pass(whatif_pool *p, whatif_worker *wk, int jobs, whatif_task task, int n)
{
	p->task = task;
	p->n = n;
	p->next = 0;
	for (int k = 1; k < jobs; k++)
		pthread_create(&wk[k].thread, NULL, whatif_worker_main, &wk[k]);
	whatif_worker_main(&wk[0]);
	for (int k = 1; k < jobs; k++)
		pthread_join(wk[k].thread, NULL);
}

/* Connections to use: --jobs, capped, and no more than there is work. */
static int
job_count(const advisor_options *o, int nq, int ncands)
{
	int			jobs = o->jobs > 1 ? o->jobs : 1;
	int			most = nq > ncands ? nq : ncands;

	if (jobs > ADVISOR_MAX_JOBS)
		jobs = ADVISOR_MAX_JOBS;
	if (jobs > most)
		jobs = most > 0 ? most : 1;
	return jobs;
}

void
whatif_run(sandbox *c, const advisor_options *o, const advisor_query *qs, int nq,
		   const advisor_candidate_list *cands, whatif *w)
{
	size_t		cells = (size_t) nq * (size_t) cands->count;
	whatif_pool pool = {.opts = o, .qs = qs, .cands = cands, .w = w};
	int			jobs = job_count(o, nq, cands->count);
	whatif_worker *wk = xcalloc((size_t) jobs, sizeof(whatif_worker));

	w->nq = nq;
	w->ncands = cands->count;
	w->before = xmalloc(((size_t) nq + 1) * sizeof(double));
	w->cost = xmalloc((cells + 1) * sizeof(double));
	w->size = xmalloc(((size_t) cands->count + 1) * sizeof(int64_t));
	for (int q = 0; q < nq; q++)
		w->before[q] = NAN;
	for (size_t i = 0; i < cells; i++)
		w->cost[i] = NAN;
	for (int k = 0; k < cands->count; k++)
		w->size[k] = -1;
	pool.reads = xcalloc(cells + 1, sizeof(int));
	PQclear(sandbox_read(c, "SELECT hypopg_reset()", 0, NULL));
	wk[0].conn = c;
	for (int k = 1; k < jobs; k++)
		if ((wk[k].conn = sandbox_connect(sandbox_get_policy(c))) == NULL)
		{
			jobs = k;			/* reported; go on with the connections we have */
			break;
		}
	for (int k = 0; k < jobs; k++)
		wk[k].pool = &pool;
	run_pass(&pool, wk, jobs, cost_before, nq);
	run_pass(&pool, wk, jobs, cost_with, cands->count);
	for (int k = 1; k < jobs; k++)
		sandbox_close(wk[k].conn);
	free(wk);
	free(pool.reads);
}

void
whatif_free(whatif *w)
{
	free(w->before);
	free(w->cost);
	free(w->size);
	memset(w, 0, sizeof(*w));
}
