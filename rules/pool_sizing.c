/*-------------------------------------------------------------------------
 * pool_sizing.c
 *    pool-sizing: connection churn without a pooler, refused connections,
 *    sessions left idle in a transaction, and the pool size to use.
 *
 * One rule, up to four findings, each with its own stable key:
 *   no-pooler            many connections per second whose sessions last
 *                        under a second: a pooler in transaction mode
 *                        saves the set-up of each (scored by that cost);
 *   refused              "too many clients" / reserved-slot refusals;
 *   idle-in-transaction  idle-in-transaction timeouts in the logs, or a
 *                        live session idle in a transaction for long;
 *   pool-size            the size in numbers: measured by the concurrency
 *                        sweep under --measure real (src/live/pool_sweep.h),
 *                        else (2 × cores) + spindles, estimated.
 * The log figures come from the workload model; the live ones from one
 * pg_stat_activity query (src/live/activity.h).  docs/rules/pool-sizing.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/advisor/pool_advice.h"
#include "src/live/activity.h"
#include "src/model/workload.h"

#include <stdio.h>
#include <string.h>

extern const rule rule_pool_sizing;

/* The rule's own scale for findings that save no time: 1 s of lost work each. */
#define LOST_WORK_MS 1000.0
/* The cap on the live idle-in-transaction score: one hour. */
#define MAX_IDLE_SCORE_MS 3600000.0

static const rule_param pool_params[] = {
	{"min_connections", 10, "connections in the log at least, for the rate to mean something"},
	{"min_connections_per_s", 1, "connections per second over the log span that count as churn"},
	{"max_median_session_ms", 1000, "median session time (ms) under which sessions are short-lived"},
	{"assumed_connect_ms", 10, "connection set-up cost (ms) assumed when it cannot be measured"},
	{"idle_in_transaction_min_s", 30, "live: a session idle in a transaction longer than this (s)"},
	{"idle_in_transaction_timeout_s", 60, "the idle_in_transaction_session_timeout to recommend (s)"},
	{"sweep_seconds", 1, "--measure real: seconds each sweep size runs"},
	{"sweep_max_statements", 20000, "--measure real: statements per sweep size at most"},
	{"sweep_top_statements", 5, "--measure real: read-only statements taken from the logs"},
	{"knee_share", 0.9, "the knee: smallest size with this share of the best throughput"},
	{NULL, 0, NULL}
};

static double
param(const rule_context *ctx, const char *name)
{
	return rule_param_value(ctx, &rule_pool_sizing, name);
}

/* ---------------------------------------------------------------------------
 * no-pooler
 * ---------------------------------------------------------------------------
 */

/* " At most N sessions were open at once." or "" when the logs cannot tell (static text). */
static const char *
peak_sentence(const pool_facts *pf)
{
	static char buf[96];

	if (pf->peak_sessions < 0)
		return "";
	snprintf(buf, sizeof(buf), " At most %lld session%s open at once.", (long long) pf->peak_sessions,
			 pf->peak_sessions == 1 ? " was" : "s were");
	return buf;
}

/* Many connections, at a high rate, of short sessions (NAN figures: no). */
static int
churns(const rule_context *ctx, const pool_facts *pf)
{
	return pf->connections >= param(ctx, "min_connections") &&
		pf->rate_per_s >= param(ctx, "min_connections_per_s") &&
		pf->median_session_ms < param(ctx, "max_median_session_ms");
}

static int
report_no_pooler(const rule_context *ctx, const pool_facts *pf, const pool_advice *a)
{
	finding    *f;

	if (!churns(ctx, pf))
		return 0;
	f = finding_new(rule_pool_sizing.id, FINDING_MEDIUM, "many short sessions and no connection pooler");
	finding_set_key(f, "no-pooler");
	f->score = a->connect_ms * pf->connections / pf->log_hours;
	f->measurement.method = a->connect_measured ? MEASURE_MEASURED : MEASURE_ESTIMATED;
	f->measurement.before_ms = a->connect_ms;
	finding_set_detail(f, "%llu connections in %.1f s of log (%.2f per second); sessions last %.1f ms at the "
					   "median and %.1f ms at p95.%s Each connection costs %.1f ms of set-up (%s), %.0f ms per "
					   "hour in all.",
					   (unsigned long long) pf->connections, pf->log_hours * 3600.0, pf->rate_per_s,
					   pf->median_session_ms, pf->p95_session_ms, peak_sentence(pf),
					   a->connect_ms, a->connect_measured ? "measured: the median of timed connections to the DSN"
					   : "assumed: assumed_connect_ms; give --dsn to measure it", f->score);
	finding_set_hint(f, "A new session forks a backend, authenticates and warms its caches; a pooler keeps "
					 "server connections open and hands them to clients per transaction.%s",
					 a->pool_size > 0 ? "" : " Pass --server-cores N to size the pool.");
	finding_set_fix(f, NULL, a->pgbouncer);
	finding_list_add(ctx->out, f);
	return 1;
}

/* ---------------------------------------------------------------------------
 * refused
 * ---------------------------------------------------------------------------
 */

static int
report_refused(const rule_context *ctx, const pool_facts *pf, const pool_advice *a)
{
	uint64_t	refused = pf->refused_too_many + pf->refused_reserved;
	double		per_hour = pf->log_hours > 0 ? refused / pf->log_hours : (double) refused;
	finding    *f;

	if (refused == 0)
		return 0;
	f = finding_new(rule_pool_sizing.id, FINDING_HIGH, "connections were refused: no free connection slot");
	finding_set_key(f, "refused");
	f->score = per_hour * LOST_WORK_MS;
	finding_set_detail(f, "%llu %s refused with \"sorry, too many clients already\" and %llu with "
					   "\"remaining connection slots are reserved\" (FATAL 53300)%s.%s%s%s",
					   (unsigned long long) pf->refused_too_many,
					   pf->refused_too_many == 1 ? "connection was" : "connections were",
					   (unsigned long long) pf->refused_reserved,
					   pf->log_hours > 0 ? "" : " (the log's span is unknown: the score counts them, not per hour)",
					   peak_sentence(pf), a->max_connections > 0 ? " Advice: " : "",
					   a->max_connections > 0 ? a->max_connections_text : "");
	finding_set_hint(f, "Every refusal is an error the application saw. Raising max_connections costs memory "
					 "and contention per backend; a pooler (%s) queues clients instead of refusing them.",
					 a->pgbouncer);
	finding_set_fix(f, NULL, "put a pooler in front of the database, then size max_connections for the pool");
	finding_list_add(ctx->out, f);
	return 1;
}

/* ---------------------------------------------------------------------------
 * idle-in-transaction
 * ---------------------------------------------------------------------------
 */

static void
append_live_idle(strbuf *sb, const activity_snapshot *act)
{
	strbuf_printf(sb, " Now %lld sessions are idle in a transaction; the oldest for %.1f s (application \"%s\"); "
				  "idle_in_transaction_session_timeout is ",
				  (long long) act->idle_in_transaction, act->oldest_idle_in_transaction_s,
				  act->oldest_idle_in_transaction_app ? act->oldest_idle_in_transaction_app : "");
	if (act->idle_in_transaction_timeout_ms > 0)
		strbuf_printf(sb, "%lld ms.", (long long) act->idle_in_transaction_timeout_ms);
	else
		strbuf_puts(sb, "off.");
}

static int
report_idle(const rule_context *ctx, const pool_facts *pf, const activity_snapshot *act)
{
	int			live = act && act->idle_in_transaction > 0 &&
		act->oldest_idle_in_transaction_s >= param(ctx, "idle_in_transaction_min_s");
	int			timeout_s = (int) param(ctx, "idle_in_transaction_timeout_s");
	finding    *f;
	strbuf		sb;
	char		sql[160];

	if (pf->idle_timeouts == 0 && !live)
		return 0;
	f = finding_new(rule_pool_sizing.id, FINDING_MEDIUM, "sessions sit idle inside open transactions");
	finding_set_key(f, "idle-in-transaction");
	f->score = pf->idle_timeouts * LOST_WORK_MS / (pf->log_hours > 0 ? pf->log_hours : 1);
	if (live)
		f->score += act->oldest_idle_in_transaction_s * 1000.0 < MAX_IDLE_SCORE_MS
			? act->oldest_idle_in_transaction_s * 1000.0 : MAX_IDLE_SCORE_MS;
	strbuf_init(&sb);
	strbuf_printf(&sb, "The logs show %llu sessions terminated by idle_in_transaction_session_timeout (FATAL 25P03).",
				  (unsigned long long) pf->idle_timeouts);
	if (live)
		append_live_idle(&sb, act);
	finding_set_detail(f, "%s", sb.data);
	strbuf_free(&sb);
	finding_set_hint(f, "An open transaction holds its locks and its snapshot (vacuum cannot remove the rows it "
					 "may see) and, behind a transaction-mode pooler, a server connection. Commit or roll back "
					 "promptly; the timeout ends sessions that forget.");
	snprintf(sql, sizeof(sql), "ALTER SYSTEM SET idle_in_transaction_session_timeout = '%ds'; SELECT pg_reload_conf();",
			 timeout_s);
	finding_set_fix(f, sql, "end sessions left idle in a transaction");
	finding_list_add(ctx->out, f);
	return 1;
}

/* ---------------------------------------------------------------------------
 * pool-size
 * ---------------------------------------------------------------------------
 */

static void
append_activity(strbuf *sb, const activity_snapshot *act)
{
	strbuf_printf(sb, " Live: %lld sessions (%lld active, %lld idle, %lld idle in transaction",
				  (long long) act->sessions, (long long) act->active, (long long) act->idle,
				  (long long) act->idle_in_transaction);
	if (act->hidden > 0)
		strbuf_printf(sb, ", %lld hidden", (long long) act->hidden);
	strbuf_printf(sb, ") of max_connections %lld.", (long long) act->max_connections);
	for (int i = 0; i < act->ngroups && i < 5; i++)
		strbuf_printf(sb, "%s %s \"%s\": %lld", i ? "," : " By state and application:",
					  act->groups[i].state[0] ? act->groups[i].state : "(hidden)",
					  act->groups[i].application, (long long) act->groups[i].count);
	for (int i = 0; i < act->nwaits && i < 5; i++)
		strbuf_printf(sb, "%s %s/%s: %lld", i ? "," : ". Waiting on:",
					  act->waits[i].type, act->waits[i].event, (long long) act->waits[i].count);
	if (act->ngroups > 0 || act->nwaits > 0)
		strbuf_putc(sb, '.');
}

static void
report_pool_size(const rule_context *ctx, const pool_facts *pf, const pool_advice *a,
				 const activity_snapshot *act)
{
	finding    *f = finding_new(rule_pool_sizing.id, FINDING_LOW, "connection pool size");
	strbuf		sb;

	finding_set_key(f, "pool-size");
	f->measurement.method = a->swept ? MEASURE_MEASURED : MEASURE_ESTIMATED;
	strbuf_init(&sb);
	pool_advice_describe(&sb, a);
	strbuf_puts(&sb, peak_sentence(pf));
	if (act)
		append_activity(&sb, act);
	finding_set_detail(f, "%s", sb.data);
	strbuf_reset(&sb);
	strbuf_printf(&sb, "pgbouncer: %s; postgresql.conf: %s; idle_in_transaction_session_timeout = '%ds'",
				  a->pgbouncer, a->max_connections_text,
				  (int) param(ctx, "idle_in_transaction_timeout_s"));
	finding_set_fix(f, NULL, sb.data);
	strbuf_free(&sb);
	finding_set_hint(f, "%s", a->pool_size > 0 ? "More server connections than cores and disks can serve only "
					 "queue inside PostgreSQL; a pool of this size keeps them busy without contention."
					 : "The server's core count is unknown: pass --server-cores N (and --spindles N), or "
					 "--measure real with --dsn to measure the size.");
	finding_list_add(ctx->out, f);
}

/* ---------------------------------------------------------------------------
 * The check
 * ---------------------------------------------------------------------------
 */

static void
check(const rule_context *ctx)
{
	const workload_context *wc = ctx->workload;
	activity_snapshot *act = wc->conn ? activity_take(wc->conn) : NULL;
	pool_facts	pf;
	pool_advice a;
	int			fired = 0;

	pool_facts_from_logs(wc->model, &pf);

	pool_advice_params ap = {
		.conn = wc->conn, .measure_real = wc->measure == MEASURE_MODE_REAL,
		.server_cores = wc->server_cores, .spindles = wc->spindles,
		.catalog_max_connections = ctx->catalog ? ctx->catalog->settings.max_connections : 0,
		.measure_connect = churns(ctx, &pf),
		.assumed_connect_ms = param(ctx, "assumed_connect_ms"),
		.sweep_seconds = param(ctx, "sweep_seconds"),
		.sweep_max_statements = (int) param(ctx, "sweep_max_statements"),
		.sweep_top_statements = (int) param(ctx, "sweep_top_statements"),
		.knee_share = param(ctx, "knee_share"),
	};

	pool_advice_make(wc->model, act, &pf, &ap, &a);
	fired += report_no_pooler(ctx, &pf, &a);
	fired += report_refused(ctx, &pf, &a);
	fired += report_idle(ctx, &pf, act);
	if (fired || a.swept || (a.pool_size > 0 && a.demand > 2 * a.pool_size))
		report_pool_size(ctx, &pf, &a, act);
	pool_advice_free(&a);
	activity_free(act);
}

const rule	rule_pool_sizing = {
	.id = "pool-sizing",
	.title = "connections: pooler, refused sessions, idle transactions, pool size",
	.severity = FINDING_MEDIUM,
	.scope = RULE_WORKLOAD,
	.summary = "connection churn without a pooler, refused connections, idle-in-transaction, pool size",
	.check = check,
	.params = pool_params,
	.horizon = RULE_HORIZON_ARCHITECTURE,
};
