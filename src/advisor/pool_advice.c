/*-------------------------------------------------------------------------
 * pool_advice.c
 *    From connection figures to a pool size and the settings around it.
 *
 * The size is measured when it can be (--measure real with a DSN: the
 * concurrency sweep over the workload's read-only statements and their
 * logged values), otherwise estimated with the classic (2 × cores) +
 * spindles.  The server's cores come from --server-cores or, when the
 * DSN points at this host (a Unix socket or a loopback address), from
 * this host's own count; otherwise they stay unknown and the advice says
 * how to give them.
 *-------------------------------------------------------------------------
 */
#include "src/advisor/pool_advice.h"
#include "parsers/log_event.h"
#include "src/lib/arena.h"
#include "src/lib/clock.h"
#include "src/lib/strbuf.h"
#include "src/sql/fingerprint.h"
#include "src/sql/statement_kind.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t
count_sqlstate(const event_figures *e, const char *sqlstate)
{
	for (int i = 0; i < e->nsqlstates; i++)
		if (strcmp(e->sqlstates[i].sqlstate, sqlstate) == 0)
			return e->sqlstates[i].count;
	return 0;
}

void
pool_facts_from_logs(workload *w, pool_facts *out)
{
	const session_figures *s = workload_sessions(w);
	uint64_t	durations = s->duration ? sketch_count(s->duration) : 0;

	memset(out, 0, sizeof(*out));
	out->connections = s->authorized > s->disconnections ? s->authorized : s->disconnections;
	out->log_hours = workload_span_hours(w);
	out->rate_per_s = out->log_hours > 0 ? (double) out->connections / (out->log_hours * 3600.0) : NAN;
	out->median_session_ms = durations ? sketch_quantile(s->duration, 0.5) : NAN;
	out->p95_session_ms = durations ? sketch_quantile(s->duration, 0.95) : NAN;
	/* without "connection authorized" lines the running count only falls */
	out->peak_sessions = s->authorized > 0 ? workload_peak_sessions(w) : -1;
	out->refused_too_many = s->refused_too_many;
	out->refused_reserved = s->refused_reserved;
	out->idle_timeouts = count_sqlstate(workload_events(w), "25P03");
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Median of POOL_CONNECT_SAMPLES timed connections, or -1 if one failed. */
static double
time_connections(const char *dsn)
{
	double		ms[POOL_CONNECT_SAMPLES];

	for (int i = 0; i < POOL_CONNECT_SAMPLES; i++)
	{
		double		start = clock_monotonic_ms();
		pg_conn    *c = pgc_connect(dsn);

		if (c == NULL)
			return -1;
		ms[i] = clock_monotonic_ms() - start;
		pgc_close(c);
	}
	qsort(ms, POOL_CONNECT_SAMPLES, sizeof(double), cmp_double);
	return ms[POOL_CONNECT_SAMPLES / 2];
}

/* Whether the connection goes to this host: a Unix socket or loopback. */
static int
server_is_local(sandbox *c)
{
	const char *h = c ? PQhost(pgc_raw(sandbox_conn(c))) : NULL;

	return h && (h[0] == '/' || h[0] == '@' || strcmp(h, "localhost") == 0 ||
				 strcmp(h, "127.0.0.1") == 0 || strcmp(h, "::1") == 0);
}

static int
client_cores(void)
{
	long		n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int) n : 1;
}

/*
 * Whether a statement's time is its sleep: a call of pg_sleep,
 * pg_sleep_for or pg_sleep_until (the normalized text: string constants
 * are $n there, so a quoted "pg_sleep" does not count).  Such statements
 * hold a connection without using the server; a sweep running them would
 * measure the sleep.
 */
static int
sleeps(const char *normalized)
{
	return normalized && strcasestr(normalized, "pg_sleep") != NULL;
}

/*
 * The top read-only statements (by total time) that have a sample the
 * sweep can run: a SELECT, with its logged values when it has $n, that
 * the side-effect screen passes and that does not sleep; each weighted by
 * its share of the time.  Returns how many were put in out/pls (at most
 * max), with their stats in qout; *screened_out counts those the screen
 * left out, *sleeping those that sleep.
 */
static int
sweep_statements(workload *w, sandbox *c, int max, pool_sweep_statement *out, param_list *pls,
				 const query_stats **qout, int *screened_out, int *sleeping)
{
	size_t		nq;
	query_stats **qs = workload_queries(w, &nq);
	int			n = 0;

	*screened_out = *sleeping = 0;
	for (size_t i = 0; i < nq && n < max; i++)
	{
		const query_sample *s = &qs[i]->samples[0];
		char	   *why = NULL;
		int			have;

		if (!qs[i]->parsed || qs[i]->nsamples == 0 || query_sample_is_cut(s) ||
			statement_classify(s->query, NULL) != STMT_SELECT)
			continue;
		if (sleeps(qs[i]->normalized))
		{
			(*sleeping)++;
			continue;
		}
		have = s->params && param_list_parse(s->params, &pls[n]) == 0;
		if (!have && statement_has_params(s->query))
			continue;
		if (!sandbox_screen(c, s->query, SANDBOX_READ_ONLY, &why))
		{
			(*screened_out)++;
			free(why);
			if (have)
				param_list_free(&pls[n]);
			continue;
		}
		out[n] = (pool_sweep_statement) {
			.sql = s->query, .nparams = have ? pls[n].count : 0,
			.params = have ? (const char *const *) pls[n].values : NULL,
			.weight = qs[i]->total_ms > 0 ? qs[i]->total_ms : 1,
		};
		qout[n] = qs[i];
		n++;
	}
	return n;
}

/* "62% 1a2b3c4d5e6f7a8b SELECT ..., 20% ...": the sweep's statements by their share (malloc'd). */
static char *
mix_text(const pool_sweep_statement *stmts, const query_stats **qs, int n)
{
	double		total = 0;
	strbuf		sb;

	for (int i = 0; i < n; i++)
		total += stmts[i].weight;
	strbuf_init(&sb);
	for (int i = 0; i < n; i++)
	{
		char		hex[17];

		fingerprint_hex(qs[i]->fingerprint, hex);
		strbuf_printf(&sb, "%s%.0f%% %s %.60s%s", i ? "; " : "", 100.0 * stmts[i].weight / total, hex,
					  qs[i]->normalized, strlen(qs[i]->normalized) > 60 ? "..." : "");
	}
	return strbuf_detach(&sb);
}

/* Run the sweep; sets a->swept and the size, or a->sweep_skipped. */
static void
sweep(workload *w, const activity_snapshot *act, const pool_advice_params *p, pool_advice *a)
{
	int			max = p->sweep_top_statements > 0 ? p->sweep_top_statements : 1;
	pool_sweep_statement *stmts = xcalloc((size_t) max, sizeof(pool_sweep_statement));
	param_list *pls = xcalloc((size_t) max, sizeof(param_list));
	const query_stats **qs = xcalloc((size_t) max, sizeof(query_stats *));
	int			n = sweep_statements(w, p->conn, max, stmts, pls, qs, &a->sweep_screened_out,
									 &a->sweep_sleeping);
	pool_sweep_options o = {
		.policy = sandbox_get_policy(p->conn), .step_seconds = p->sweep_seconds,
		.max_statements = p->sweep_max_statements,
		.max_size = pool_sweep_bound(p->server_cores, client_cores(), a->max_connections,
									 act ? act->slots_used : 1, a->reserved),
	};

	if (n == 0)
		a->sweep_skipped = xstrdup(a->sweep_screened_out
								   ? "every read-only statement of the logs failed the side-effect screen"
								   : a->sweep_sleeping ? "the read-only statements of the logs only sleep (pg_sleep)"
								   : "the logs hold no read-only statement the sweep could run");
	else if (o.max_size == 0)
		a->sweep_skipped = xstrdup("no connection slot is free for it");
	else if (pool_sweep_run(&o, stmts, n, p->knee_share, &a->sweep) != 0 || a->sweep.knee < 0)
		a->sweep_skipped = xstrdup("no statement completed");
	else
	{
		a->swept = 1;
		a->pool_size = a->sweep.steps[a->sweep.knee].size;
		a->sweep_statements = n;
		a->sweep_seconds = p->sweep_seconds;
		a->sweep_mix = mix_text(stmts, qs, n);
	}
	free(qs);
	for (int i = 0; i < n; i++)
		if (pls[i].values)
			param_list_free(&pls[i]);
	free(pls);
	free(stmts);
}

/* The settings text once the size is known. */
static void
write_settings(pool_advice *a)
{
	int			len;

	if (a->pool_size > 0)
		snprintf(a->pgbouncer, sizeof(a->pgbouncer),
				 "pool_mode = transaction, default_pool_size = %d, max_client_conn = %lld",
				 a->pool_size, (long long) a->max_client_conn);
	else
		snprintf(a->pgbouncer, sizeof(a->pgbouncer),
				 "pool_mode = transaction, default_pool_size = (2 x server cores) + spindles, max_client_conn = %lld",
				 (long long) a->max_client_conn);
	if (a->pool_size > 0)
		len = snprintf(a->max_connections_text, sizeof(a->max_connections_text),
					   "max_connections = %lld (the pool's %d + %lld reserved for superusers + %d for maintenance)",
					   (long long) (a->pool_size + a->reserved + POOL_ADMIN_SLOTS), a->pool_size,
					   (long long) a->reserved, POOL_ADMIN_SLOTS);
	else
		len = snprintf(a->max_connections_text, sizeof(a->max_connections_text),
					   "max_connections = default_pool_size + superuser_reserved_connections + %d", POOL_ADMIN_SLOTS);
	if (a->max_connections > 0 && len > 0 && (size_t) len < sizeof(a->max_connections_text))
		snprintf(a->max_connections_text + len, sizeof(a->max_connections_text) - (size_t) len,
				 ", %lld now (restart needed)", (long long) a->max_connections);
}

void
pool_advice_make(workload *w, const activity_snapshot *act, const pool_facts *pf,
				 const pool_advice_params *p, pool_advice *a)
{
	memset(a, 0, sizeof(*a));
	a->sweep.knee = -1;
	a->spindles = p->spindles > 0 ? p->spindles : 1;
	a->max_connections = act ? act->max_connections : p->catalog_max_connections;
	a->reserved = act ? act->reserved_connections : 3;
	a->demand = pf->peak_sessions > 0 ? pf->peak_sessions : 0;
	if (act && act->sessions > a->demand)
		a->demand = act->sessions;
	a->max_client_conn = 2 * a->demand > POOL_MIN_CLIENT_CONN ? 2 * a->demand : POOL_MIN_CLIENT_CONN;
	if (p->server_cores > 0)
	{
		a->cores = p->server_cores;
		a->cores_source = "--server-cores";
	}
	else if (server_is_local(p->conn))
	{
		a->cores = client_cores();
		a->cores_source = "this host's: the DSN points at it";
	}
	a->connect_ms = p->assumed_connect_ms;
	if (p->measure_connect && p->conn)
	{
		double		ms = time_connections(sandbox_policy_settings(sandbox_get_policy(p->conn))->dsn);

		if (ms >= 0)
		{
			a->connect_ms = ms;
			a->connect_measured = 1;
		}
	}
	if (p->measure_real && p->conn)
		sweep(w, act, p, a);
	if (!a->swept && a->cores > 0)
		a->pool_size = 2 * a->cores + a->spindles;
	write_settings(a);
}

void
pool_advice_describe(strbuf *sb, const pool_advice *a)
{
	if (a->swept)
	{
		strbuf_printf(sb, "Measured by a concurrency sweep of %d read-only statements from the logs, each size "
					  "running them for %.1f s (BEGIN READ ONLY ... ROLLBACK), each in proportion to its "
					  "share of the time%s%s. The mix: %s.\n  size  statements/s  p95 ms\n",
					  a->sweep_statements, a->sweep_seconds,
					  a->sweep_screened_out ? "; statements that fail the side-effect screen left out" : "",
					  a->sweep_sleeping ? "; statements that sleep (pg_sleep) left out" : "",
					  a->sweep_mix ? a->sweep_mix : "?");
		for (int i = 0; i < a->sweep.nsteps; i++)
			strbuf_printf(sb, "  %4d  %12.1f  %6.2f\n", a->sweep.steps[i].size, a->sweep.steps[i].throughput,
						  a->sweep.steps[i].p95_ms);
		strbuf_printf(sb, "The knee is %d connections: the smallest size near the best throughput before p95 "
					  "grows faster than it.%s%s", a->pool_size, a->sweep.stopped ? " The sweep stopped early: " : "",
					  a->sweep.stopped ? a->sweep.stopped : "");
		strbuf_printf(sb, "%s Recommended pool size: %d (measured).", a->sweep.stopped ? "." : "", a->pool_size);
		return;
	}
	if (a->pool_size > 0)
		strbuf_printf(sb, "Recommended pool size: %d (estimated): (2 x %d cores, %s) + %d spindles.",
					  a->pool_size, a->cores, a->cores_source, a->spindles);
	else
		strbuf_printf(sb, "The pool size is (2 x cores) + spindles, and the server's core count is unknown.");
	if (a->sweep_skipped)
		strbuf_printf(sb, " No concurrency sweep under --measure real: %s.", a->sweep_skipped);
}

void
pool_advice_free(pool_advice *a)
{
	pool_sweep_result_free(&a->sweep);
	free(a->sweep_skipped);
	a->sweep_skipped = NULL;
	free(a->sweep_mix);
	a->sweep_mix = NULL;
}
