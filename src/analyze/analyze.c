/*-------------------------------------------------------------------------
 * analyze.c
 *    The analysis driver: candidates, EXPLAIN, the advisor, the rules.
 *
 * Candidates are the fingerprints that cost the most time, from the logs
 * (whose slowest sample carries real values: the statement's literals or
 * its DETAIL parameters) and from pg_stat_statements (text with $n only,
 * so a generic plan).  Each candidate is explained once, through the
 * EXPLAIN runner and the run's sandbox policy; plan rules run on every
 * plan, catalog rules once on the snapshot.
 *-------------------------------------------------------------------------
 */
#include "src/analyze/analyze.h"
#include "parsers/log_event.h"
#include "parsers/log_time.h"
#include "rules/rule.h"
#include "src/advisor/advisor.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/lib/json_out.h"
#include "src/live/catalog.h"
#include "src/live/explain.h"
#include "src/live/pgss.h"
#include "src/sql/fingerprint.h"
#include "src/sql/plan.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LIVE_PGSS_REPORTED 20
#define LIVE_MAX_JOBS		16

/* One query to explain. */
typedef struct candidate
{
	uint64_t	fingerprint;
	const char *normalized;
	const char *sql;			/* statement to explain */
	const char *params;			/* DETAIL parameters text, or NULL */
	double		calls;
	double		hours;			/* span the calls came from; 0 unknown */
	double		total_ms;
} candidate;

/* Hours since pg_stat_statements was reset, or 0 when unknown. */
static double
pgss_span_hours(const pgss_snapshot *ss)
{
	int64_t		reset_ms;

	if (ss->stats_reset == NULL ||
		log_time_parse(NULL, ss->stats_reset, strlen(ss->stats_reset), &reset_ms) == LOG_TIME_INVALID ||
		ss->taken_at_ms <= reset_ms)
		return 0;
	return (double) (ss->taken_at_ms - reset_ms) / 3600000.0;
}

static int
seen_before(hashmap *seen, uint64_t fp)
{
	int			inserted;

	hashmap_put(seen, &fp, sizeof(fp), hash_mix64(fp), &inserted);
	return !inserted;
}

/*
 * Candidates from the logs first (they carry values), then pg_stat_statements,
 * whose calls span pgss_hours.
 */
static int
collect_candidates(workload *w, const pgss_snapshot *ss, double pgss_hours, int limit, candidate *out)
{
	hashmap    *seen = hashmap_create(64);
	size_t		nq;
	query_stats **qs = workload_queries(w, &nq);
	double		hours = workload_span_hours(w);
	int			n = 0;

	for (size_t i = 0; i < nq && n < limit; i++)
	{
		if (!qs[i]->parsed || qs[i]->nsamples == 0 || query_sample_is_cut(&qs[i]->samples[0]) ||
			seen_before(seen, qs[i]->fingerprint))
			continue;
		out[n++] = (candidate) {
			.fingerprint = qs[i]->fingerprint, .normalized = qs[i]->normalized,
			.sql = qs[i]->samples[0].query, .params = qs[i]->samples[0].params,
			.calls = (double) qs[i]->calls, .hours = hours, .total_ms = qs[i]->total_ms,
		};
	}
	for (int i = 0; ss && ss->available && i < ss->count && n < limit; i++)
	{
		const pgss_entry *e = &ss->entries[i];

		if (!e->parsed || seen_before(seen, e->fingerprint))
			continue;
		out[n++] = (candidate) {
			.fingerprint = e->fingerprint, .normalized = e->query, .sql = e->query,
			.calls = (double) e->calls, .hours = pgss_hours, .total_ms = e->total_exec_ms,
		};
	}
	hashmap_destroy(seen);
	return n;
}

static json_t *
plan_entry_json(const candidate *cand, const explain_result *r)
{
	char		hex[17];
	json_t	   *o = json_object();

	fingerprint_hex(cand->fingerprint, hex);
	json_object_set_new(o, "fingerprint", json_string(hex));
	if (r->plan)
	{
		char	   *summary = plan_summary(r->plan);

		json_object_set_new(o, "kind", json_string(r->generic ? "generic" : r->not_executed ? "estimated" : "analyzed"));
		if (r->not_executed)
			json_object_set_new(o, "not_executed", json_text(r->not_executed));
		json_object_set_new(o, "summary", json_text(summary ? summary : ""));
		json_object_set_new(o, "execution_ms", isfinite(r->plan->execution_ms) ? json_real(r->plan->execution_ms) : json_null());
		free(summary);
	}
	else
	{
		json_object_set_new(o, "kind", json_string(r->refused ? "refused" : "failed"));
		json_object_set_new(o, "reason", json_text(r->refused ? (r->reason ? r->reason : "") : (r->error ? r->error : "")));
		if (r->sqlstate)
			json_object_set_new(o, "sqlstate", json_string(r->sqlstate));
	}
	return o;
}

/* What explaining one candidate gave. */
typedef struct explain_outcome
{
	json_t	   *entry;			/* for live.plans */
	int			status;			/* 1 plan, 0 refused, -1 failed, -2 not tried (connection lost) */
	int			not_executed;	/* the plan is estimated: the screen said no */
} explain_outcome;

/* Explain one candidate and run the plan rules on its plan. */
static void
explain_candidate(sandbox *c, const analyze_options *opts, const candidate *cand,
				  const catalog_snapshot *cat, finding_list *out, explain_outcome *oc)
{
	param_list	pl = {0};
	int			have_params = cand->params && param_list_parse(cand->params, &pl) == 0;
	explain_request req = {
		.sql = cand->sql,
		.nparams = have_params ? pl.count : 0,
		.params = have_params ? (const char *const *) pl.values : NULL,
		.analyze = 1,
	};
	explain_result r = {0};

	if (explain_run(c, &req, &r) == 0 && r.plan)
	{
		plan_context pc = {
			.plan = r.plan, .query = cand->normalized, .fingerprint = cand->fingerprint,
			.calls = cand->calls, .workload_hours = cand->hours, .catalog = cat,
		};
		rule_context rc = {.scope = RULE_PLAN, .plan = &pc, .catalog = cat, .config = opts->config, .out = out};

		rules_run(&rc);
		oc->status = 1;
		oc->not_executed = r.not_executed != NULL;
	}
	else
		oc->status = r.refused ? 0 : -1;
	oc->entry = plan_entry_json(cand, &r);
	explain_result_free(&r);
	if (have_params)
		param_list_free(&pl);
}

/*
 * The EXPLAIN pool: --jobs connections take candidates from a shared
 * counter.  Each worker keeps its own findings; outcomes are stored by
 * candidate index, so the report's order does not depend on timing.
 */
typedef struct explain_pool
{
	const analyze_options *opts;
	const candidate *cands;
	int			n;
	const catalog_snapshot *cat;
	explain_outcome *outcomes;
	int			next;			/* taken with __atomic_fetch_add */
} explain_pool;

typedef struct explain_worker
{
	explain_pool *pool;
	sandbox    *conn;
	finding_list findings;
	pthread_t	thread;
} explain_worker;

static void *
explain_worker_main(void *arg)
{
	explain_worker *wk = arg;
	explain_pool *p = wk->pool;
	int			i;

	while ((i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < p->n)
	{
		if (!sandbox_alive(wk->conn))
			p->outcomes[i].status = -2;
		else
			explain_candidate(wk->conn, p->opts, &p->cands[i], p->cat, &wk->findings, &p->outcomes[i]);
	}
	return NULL;
}

/* Explain every candidate over up to opts->jobs connections (c is the first). */
static void
explain_all(sandbox *c, const analyze_options *opts, const candidate *cands, int n,
			const catalog_snapshot *cat, finding_list *out, analyze_result *res)
{
	int			jobs = opts->jobs > 1 ? opts->jobs : 1;
	explain_pool pool = {.opts = opts, .cands = cands, .n = n, .cat = cat};
	int			lost = 0;

	if (jobs > n)
		jobs = n > 0 ? n : 1;
	if (jobs > LIVE_MAX_JOBS)
		jobs = LIVE_MAX_JOBS;
	pool.outcomes = xcalloc((size_t) n + 1, sizeof(explain_outcome));

	explain_worker *wk = xcalloc((size_t) jobs, sizeof(explain_worker));

	wk[0].conn = c;
	for (int k = 1; k < jobs; k++)
		if ((wk[k].conn = sandbox_connect(sandbox_get_policy(c))) == NULL)
		{
			jobs = k;			/* reported; go on with the connections we have */
			break;
		}
	for (int k = 0; k < jobs; k++)
		wk[k].pool = &pool;
	for (int k = 1; k < jobs; k++)
		pthread_create(&wk[k].thread, NULL, explain_worker_main, &wk[k]);
	explain_worker_main(&wk[0]);
	for (int k = 1; k < jobs; k++)
	{
		pthread_join(wk[k].thread, NULL);
		sandbox_close(wk[k].conn);
	}
	for (int i = 0; i < n; i++)
	{
		explain_outcome *oc = &pool.outcomes[i];

		if (oc->status == -2)
		{
			lost++;
			continue;
		}
		json_array_append_new(res->plans, oc->entry);
		res->explained += oc->status == 1;
		res->not_executed += oc->not_executed;
		res->explain_refused += oc->status == 0;
		res->explain_failed += oc->status == -1;
	}
	for (int k = 0; k < jobs; k++)
	{
		for (int i = 0; i < wk[k].findings.count; i++)
			finding_list_add(out, wk[k].findings.items[i]);
		free(wk[k].findings.items);
	}
	if (lost)
	{
		diag_detail("The connection was lost while explaining queries; the findings so far are kept.");
		diag_hint("Check the server's log for a restart or a terminated backend.");
		diag_warning("lost the connection to the database");
	}
	free(wk);
	free(pool.outcomes);
}

/*
 * Hand the candidates, with their logged values and rates, to the index
 * advisor (src/advisor/advisor.c); its findings go to out.
 */
static void
advise_indexes(sandbox *c, const analyze_options *opts, const candidate *cands, int n,
			   const catalog_snapshot *cat, finding_list *out)
{
	advisor_query *qs = xcalloc((size_t) n + 1, sizeof(advisor_query));
	param_list *pls = xcalloc((size_t) n + 1, sizeof(param_list));
	advisor_options ao = {
		.mode = opts->measure, .mode_given = opts->measure_given,
		.max_build_bytes = opts->max_build_bytes, .jobs = opts->jobs,
	};
	advisor_advice advice;

	for (int i = 0; i < n; i++)
	{
		int			have = cands[i].params && param_list_parse(cands[i].params, &pls[i]) == 0;

		qs[i] = (advisor_query) {
			.fingerprint = cands[i].fingerprint, .normalized = cands[i].normalized,
			.sql = cands[i].sql, .nparams = have ? pls[i].count : 0,
			.params = have ? (const char *const *) pls[i].values : NULL,
			.mean_ms = cands[i].calls > 0 ? cands[i].total_ms / cands[i].calls : 0,
			.calls_per_hour = cands[i].hours > 0 ? cands[i].calls / cands[i].hours : 0,
		};
	}
	advisor_run(c, &ao, qs, n, cat, &advice);

	plan_context pc = {.catalog = cat, .advice = &advice};
	rule_context rc = {.scope = RULE_ADVISOR, .plan = &pc, .catalog = cat, .config = opts->config, .out = out};

	rules_run(&rc);
	advisor_advice_free(&advice);
	for (int i = 0; i < n; i++)
		if (pls[i].values)
			param_list_free(&pls[i]);
	free(pls);
	free(qs);
}

static json_t *
pgss_json(const pgss_snapshot *ss)
{
	json_t	   *a = json_array();

	for (int i = 0; ss && ss->available && i < ss->count && i < LIVE_PGSS_REPORTED; i++)
	{
		const pgss_entry *e = &ss->entries[i];
		char		hex[17];

		fingerprint_hex(e->fingerprint, hex);
		json_array_append_new(a, json_pack("{s:s, s:I, s:o, s:I, s:f, s:f, s:I, s:I, s:I}",
										   "fingerprint", hex, "queryid", (json_int_t) e->queryid,
										   "query", json_text(e->query ? e->query : ""),
										   "calls", (json_int_t) e->calls,
										   "total_exec_ms", e->total_exec_ms, "mean_exec_ms", e->mean_exec_ms,
										   "rows", (json_int_t) e->rows,
										   "shared_blks_hit", (json_int_t) e->shared_blks_hit,
										   "shared_blks_read", (json_int_t) e->shared_blks_read));
	}
	return a;
}

static int
cmp_pgss_total(const void *a, const void *b)
{
	const pgss_entry *x = a,
			   *y = b;

	return (x->total_exec_ms < y->total_exec_ms) - (x->total_exec_ms > y->total_exec_ms);
}

int
analyze_live(const analyze_options *opts, workload *w, finding_list *out, analyze_result *res)
{
	sandbox_settings settings = {
		.dsn = opts->dsn, .allow_writes = opts->measure == MEASURE_MODE_REAL,
		.statement_timeout_ms = opts->statement_timeout_ms, .lock_timeout_ms = opts->lock_timeout_ms,
	};
	sandbox_policy *policy = sandbox_policy_create(&settings);
	sandbox    *c = sandbox_connect(policy);

	memset(res, 0, sizeof(*res));
	res->plans = json_array();
	if (c == NULL)
	{
		sandbox_policy_free(policy);
		return -1;
	}
	res->connected = 1;
	res->server_version = pgc_server_version(sandbox_conn(c));

	catalog_snapshot *cat = catalog_snapshot_take(c);
	pgss_snapshot *ss = pgss_read(c);
	double		pgss_hours = ss ? pgss_span_hours(ss) : 0;

	if (ss && ss->available && opts->interval_s > 0)
	{
		/* the activity of the interval only: two snapshots and their difference */
		diag_notice("sampling pg_stat_statements for %d s", opts->interval_s);
		sleep((unsigned) opts->interval_s);

		pgss_snapshot *later = pgss_read(c);

		if (later)
		{
			pgss_snapshot *delta = pgss_delta(ss, later);

			pgss_free(ss);
			pgss_free(later);
			ss = delta;
			pgss_hours = opts->interval_s / 3600.0;
		}
	}

	/*
	 * The view shows the whole server; a query of another database fails
	 * when explained here, or plans against a table of the same name.
	 * (Logged statements are all kept: production logs are analysed on a
	 * staging copy, whose name may differ.)
	 */
	pgss_keep_database(ss, PQdb(pgc_raw(sandbox_conn(c))));
	res->catalog_taken = cat != NULL;
	res->pgss_available = ss && ss->available;
	if (ss && ss->available)
		qsort(ss->entries, (size_t) ss->count, sizeof(pgss_entry), cmp_pgss_total);
	res->pg_stat_statements = pgss_json(ss);

	int			limit = opts->explain_top > 0 ? opts->explain_top : 20;
	candidate  *cands = xcalloc((size_t) limit, sizeof(candidate));
	int			n = collect_candidates(w, ss, pgss_hours, limit, cands);

	workload_context wc = {
		.model = w, .log_hours = workload_span_hours(w),
		.pgss = ss, .pgss_hours = pgss_hours, .conn = c,
		.measure = opts->measure, .server_cores = opts->server_cores,
		.spindles = opts->spindles > 0 ? opts->spindles : 1, .earlier = out, .jobs = opts->jobs,
	};

	explain_all(c, opts, cands, n, cat, out, res);
	/* the advisor's what-if work is the costliest part: skip it when its rule is off */
	int			advised = cat && sandbox_alive(c) && rules_scope_enabled(opts->config, RULE_ADVISOR);

	if (advised)
		advise_indexes(c, opts, cands, n, cat, out);
	if (cat)
	{
		rule_context rc = {.scope = RULE_CATALOG, .catalog = cat, .workload = &wc,
		.config = opts->config, .out = out};

		rules_run(&rc);
	}
	if (!sandbox_alive(c))
		wc.conn = NULL;

	rule_context wrc = {.scope = RULE_WORKLOAD, .catalog = cat, .workload = &wc,
	.config = opts->config, .out = out};

	rules_run(&wrc);
	findings_cap_scores(out, w);
	findings_rank(out);
	findings_settle_index_promises(out, advised);
	free(cands);
	pgss_free(ss);
	catalog_snapshot_free(cat);
	sandbox_close(c);
	res->sandbox = sandbox_policy_report(policy);
	sandbox_policy_free(policy);
	return 0;
}

void
analyze_offline(const analyze_options *opts, workload *w, finding_list *out)
{
	workload_context wc = {
		.model = w, .log_hours = workload_span_hours(w), .measure = MEASURE_MODE_OFF,
		.server_cores = opts->server_cores, .spindles = opts->spindles > 0 ? opts->spindles : 1,
		.jobs = opts->jobs,
	};
	rule_context rc = {.scope = RULE_WORKLOAD, .workload = &wc, .config = opts->config, .out = out};

	rules_run(&rc);
	findings_cap_scores(out, w);
	findings_rank(out);
}

void
analyze_result_free(analyze_result *res)
{
	json_decref(res->pg_stat_statements);
	json_decref(res->plans);
	json_decref(res->sandbox);
	res->pg_stat_statements = res->plans = res->sandbox = NULL;
}
