/*-------------------------------------------------------------------------
 * cacheable_query.c
 *    cacheable-query: a read-only query run again and again with the same
 *    parameters, whose answer an application cache would have served.
 *
 * The log model replays every read-only SELECT (src/sql/statement_traits.c:
 * no locking clause, nothing volatile such as now() or random()) through
 * a simulated cache keyed by fingerprint and parameters (or, for the
 * simple protocol, the statement's text), across all sessions: an
 * execution is a hit when the same key was filled less than ttl_seconds
 * before, else a miss that fills it.  The rule reports fingerprints with
 * at least min_hits hits; the score is the time the hits took, per hour.
 * Whether stale answers are acceptable is the application's call, which
 * the hint says.  docs/rules/cacheable-query.md.
 *-------------------------------------------------------------------------
 */
#include "rules/sequence_rules.h"
#include "rules/workload_query.h"

#include <stdlib.h>

extern const rule rule_cacheable_query;

static const rule_param params[] = {
	{"min_hits", 20, "executions a cache would have answered"},
	{"ttl_seconds", 60, "how long a cached answer is kept (seconds)"},
	{"min_hit_ms", 0, "time those executions took over the log (ms)"},
	{NULL},
};

static void
report(const rule_context *ctx, const seq_fingerprint *fp, double ttl)
{
	const workload_context *wc = ctx->workload;
	uint64_t	executions = fp->cache_hits + fp->cache_misses;
	double		hit_rate = (double) fp->cache_hits / (double) executions;
	int			assumed;
	double		rate = workload_rate(fp->cache_hit_ms, wc->log_hours, &assumed);
	finding    *f = workload_query_finding(&rule_cacheable_query, fp->query->fingerprint,
										   fp->query->normalized, rate);
	strbuf		desc;

	/* the hits' time, against none: the cache answers without the database */
	f->measurement.before_ms = fp->cache_hit_ms;
	f->measurement.after_ms = 0;
	finding_set_detail(f, "%llu of %llu executions (%.0f%%) repeated parameters seen less than %.0f s "
					   "before: a cache with that lifetime would have answered them, saving %.1f ms "
					   "(%llu distinct answers were fetched).%s",
					   (unsigned long long) fp->cache_hits, (unsigned long long) executions,
					   100.0 * hit_rate, ttl, fp->cache_hit_ms, (unsigned long long) fp->cache_misses,
					   workload_rate_note(assumed));
	finding_set_hint(f, "Cache the result in the application (or memoise it per request) when an answer "
					 "up to %.0f s old is acceptable; invalidate it on writes to the tables it reads.", ttl);
	strbuf_init(&desc);
	strbuf_printf(&desc, "Application cache or memoisation keyed by the parameters, TTL %.0f s: hit rate "
				  "%.0f%% (%llu hits of %llu executions), %.1f ms saved over the log.", ttl,
				  100.0 * hit_rate, (unsigned long long) fp->cache_hits, (unsigned long long) executions,
				  fp->cache_hit_ms);
	finding_set_fix(f, NULL, desc.data);
	strbuf_free(&desc);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	size_t		n;
	seq_fingerprint **fps = session_patterns_fingerprints(workload_patterns(ctx->workload->model), &n);
	double		min_hits = rule_param_value(ctx, &rule_cacheable_query, "min_hits");
	double		min_ms = rule_param_value(ctx, &rule_cacheable_query, "min_hit_ms");
	double		ttl = session_patterns_options(workload_patterns(ctx->workload->model))->ttl_ms / 1000.0;

	for (size_t i = 0; i < n; i++)
		if (fps[i]->kind == SEQ_KIND_CACHEABLE && (double) fps[i]->cache_hits >= min_hits &&
			fps[i]->cache_hit_ms >= min_ms)
			report(ctx, fps[i], ttl);
}

const rule	rule_cacheable_query = {
	.id = "cacheable-query",
	.title = "the same read-only query with the same parameters, again and again",
	.severity = FINDING_LOW,
	.scope = RULE_WORKLOAD,
	.summary = "a read-only SELECT repeated with the same parameters >= 20 times within 60 s",
	.check = check,
	.params = params,
	.horizon = RULE_HORIZON_APPLICATION,
	.fix_cuts_calls = 1,
};
