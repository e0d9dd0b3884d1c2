/*-------------------------------------------------------------------------
 * advisor.c
 *    What-if costs with HypoPG, the workload-wide choice of indexes, and
 *    the measured proof under --measure real.
 *
 * Every candidate is made hypothetical once and every query whose plan
 * reads its table is explained (plain EXPLAIN: HypoPG indexes are seen by
 * nothing else), with the query's logged values or as a generic plan,
 * over --jobs connections (advisor_whatif.c).  The choice is greedy by net benefit in milliseconds per hour: a query
 * counts as served when its cost falls by ADVISOR_MIN_GAIN, and once
 * served it adds nothing to a later index, so an index serving several
 * queries counts once and a second index on the same leading column wins
 * only for other queries.  The write penalty charges the table's write
 * rate for the new index's upkeep.  Under --measure real each chosen
 * index is built in a transaction that is always rolled back, and the
 * queries it serves are run before and after it with EXPLAIN ANALYZE.
 *-------------------------------------------------------------------------
 */
#include "src/advisor/advisor.h"
#include "parsers/log_time.h"
#include "src/advisor/advisor_whatif.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/live/explain.h"
#include "src/sql/statement_kind.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* A query is served when its cost falls by at least this fraction. */
#define ADVISOR_MIN_GAIN 0.30
/* Upkeep of one index per written row, scaled by index size / table size. */
#define ADVISOR_MS_PER_WRITTEN_ROW 0.01
#define ADVISOR_MAX_CHOICES 10
#define ADVISOR_MAX_CANDIDATES 200

/* Milliseconds per hour that q takes; *assumed when its rate is unknown. */
static double
query_ms_per_hour(const advisor_query *q, int *assumed)
{
	double		rate = q->calls_per_hour > 0 ? q->calls_per_hour : 1;

	if (q->calls_per_hour <= 0 || q->mean_ms <= 0)
		*assumed = 1;
	return (q->mean_ms > 0 ? q->mean_ms : 1) * rate;
}

/* Hours since the statistics were reset, or 0 when unknown. */
static double
stats_hours(const catalog_snapshot *cat)
{
	const char *reset = cat->settings.stats_reset;
	int64_t		reset_ms;
	struct timeval now;

	if (reset == NULL || log_time_parse(NULL, reset, strlen(reset), &reset_ms) == LOG_TIME_INVALID)
		return 0;
	gettimeofday(&now, NULL);
	double		hours = ((double) now.tv_sec * 1000.0 - (double) reset_ms) / 3600000.0;

	return hours > 0 ? hours : 0;
}

/*
 * Upkeep of candidate k per hour: rows written per hour × the per-row
 * cost × index size / table size.  0 when the write rate is unknown.
 */
static double
write_penalty(const catalog_snapshot *cat, const advisor_candidate *cand, int64_t size)
{
	const catalog_table *t = catalog_find_table(cat, cand->schema, cand->table);
	double		hours = stats_hours(cat);

	if (t == NULL || hours <= 0 || t->size_bytes <= 0 || size < 0)
		return 0;
	return (double) (t->n_tup_ins + t->n_tup_upd) / hours * ADVISOR_MS_PER_WRITTEN_ROW *
		((double) size / (double) t->size_bytes);
}

/* The benefit of candidate k over the queries not served yet; fills served. */
static double
candidate_benefit(const whatif *w, const advisor_query *qs, const int *served_by, int k,
				  advisor_served *served, int *nserved, int *assumed)
{
	double		total = 0;

	*nserved = 0;
	for (int q = 0; q < w->nq; q++)
	{
		double		before = w->before[q],
					after = w->cost[q * w->ncands + k];

		if (served_by[q] >= 0 || !isfinite(before) || !isfinite(after) || before <= 0 ||
			(before - after) / before < ADVISOR_MIN_GAIN)
			continue;
		double		gain = (before - after) / before * query_ms_per_hour(&qs[q], assumed);

		served[(*nserved)++] = (advisor_served) {
			.query = q, .before_cost = before, .after_cost = after, .benefit_ms_per_hour = gain,
		};
		total += gain;
	}
	return total;
}

static int
cmp_served(const void *a, const void *b)
{
	const advisor_served *x = a,
			   *y = b;

	return (x->benefit_ms_per_hour < y->benefit_ms_per_hour) - (x->benefit_ms_per_hour > y->benefit_ms_per_hour);
}

/* Greedy choice by net benefit (see the file header); returns the count. */
static int
choose(const whatif *w, const advisor_query *qs, const advisor_candidate_list *cands,
	   const catalog_snapshot *cat, advisor_choice *out)
{
	int		   *served_by = xmalloc(((size_t) w->nq + 1) * sizeof(int));
	advisor_served *tmp = xcalloc((size_t) w->nq + 1, sizeof(advisor_served));
	int			n = 0;

	for (int q = 0; q < w->nq; q++)
		served_by[q] = -1;
	while (n < ADVISOR_MAX_CHOICES)
	{
		int			best = -1,
					nserved,
					assumed;
		double		best_net = 0;

		for (int k = 0; k < w->ncands; k++)
		{
			double		benefit = candidate_benefit(w, qs, served_by, k, tmp, &nserved, &assumed);
			double		net = benefit - write_penalty(cat, &cands->items[k], w->size[k]);

			if (nserved > 0 && net > best_net)
				best = k, best_net = net;
		}
		if (best < 0)
			break;

		advisor_choice *ch = &out[n++];

		assumed = 0;
		memset(ch, 0, sizeof(*ch));
		ch->candidate = &cands->items[best];
		ch->served = xcalloc((size_t) w->nq, sizeof(advisor_served));
		ch->benefit_ms_per_hour = candidate_benefit(w, qs, served_by, best, ch->served, &ch->nserved, &assumed);
		ch->rate_assumed = assumed;
		ch->write_penalty_ms_per_hour = write_penalty(cat, ch->candidate, w->size[best]);
		ch->net_ms_per_hour = best_net;
		ch->hypo_size_bytes = w->size[best];
		ch->before_ms = ch->after_ms = NAN;
		ch->before_buffers = ch->after_buffers = -1;
		qsort(ch->served, (size_t) ch->nserved, sizeof(advisor_served), cmp_served);
		for (int i = 0; i < ch->nserved; i++)
			served_by[ch->served[i].query] = best;
	}
	free(served_by);
	free(tmp);
	return n;
}

/*
 * Drop the partial-index candidates whose constant is not rare by
 * pg_stats: its frequency among the most common values, or 0 when it is
 * not one of them.
 */
static void
keep_rare_constants(sandbox *c, advisor_candidate_list *l)
{
	int			kept = 0;

	for (int i = 0; i < l->count; i++)
	{
		advisor_candidate *cand = &l->items[i];
		int			rare = 1;

		if (cand->rare_column)
		{
			const char *p[4] = {cand->schema, cand->table, cand->rare_column, cand->rare_value};
			PGresult   *res = sandbox_read(c, "SELECT coalesce(most_common_freqs[array_position(most_common_vals::text::text[], $4)], 0)"
										" FROM pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = $3", 4, p);

			rare = res && PQntuples(res) == 1 && strtod(PQgetvalue(res, 0, 0), NULL) < ADVISOR_RARE_FREQ;
			PQclear(res);
		}
		if (rare)
			l->items[kept++] = *cand;
		else
		{
			advisor_candidate_list one = {.count = 1, .cap = 1, .items = xmalloc(sizeof(advisor_candidate))};

			one.items[0] = *cand;
			advisor_candidate_list_free(&one);
		}
	}
	l->count = kept;
}

/* Whether the hypopg extension can be used; warns once when not. */
static int
hypopg_usable(sandbox *c)
{
	if (sandbox_has_extension(c, "hypopg"))
		return 1;
	diag_detail("The index advisor costs candidate indexes with HypoPG's hypothetical indexes; "
				 "no index is proposed without them.");
	diag_hint("Install the hypopg package for your server and run CREATE EXTENSION hypopg in this database.");
	diag_warning("extension \"hypopg\" is not installed in database \"%s\"", PQdb(pgc_raw(sandbox_conn(c))));
	return 0;
}

static void
set_not_measured(advisor_choice *ch, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/* Keep the hypothetical figures; say why they are not measured. */
static void
set_not_measured(advisor_choice *ch, const char *fmt,...)
{
	va_list		ap;

	free(ch->not_measured);
	va_start(ap, fmt);
	ch->not_measured = strbuf_vformat(fmt, ap);
	va_end(ap);
}

/* A SELECT with its values: the only statements measured for real. */
static int
measurable(const advisor_query *q)
{
	return statement_classify(q->sql, NULL) == STMT_SELECT &&
		(q->nparams > 0 || !statement_has_params(q->sql));
}

/* EXPLAIN ANALYZE of q inside the caller's (read-only by now) transaction. */
static plan *
analyze_in_transaction(sandbox *c, const advisor_query *q)
{
	PGresult   *res = sandbox_foreign(c, SANDBOX_EXECUTE, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ",
									  q->sql, q->nparams, q->params);
	plan	   *p = NULL;

	if (res && PQntuples(res) == 1)
		p = plan_parse_json(PQgetvalue(res, 0, 0), NULL);
	PQclear(res);
	return p;
}

/*
 * Build the index and run the measured queries again, in a sandbox
 * transaction whose ROLLBACK always runs.  The transaction turns
 * read-only once the index exists, so the queries run as the EXPLAIN
 * runner would run them.  0, or -1 with *why set (malloc'd).
 */
static int
measure_after(sandbox *c, const advisor_query *qs, const advisor_choice *ch,
			  plan **before, plan **after, char **why)
{
	int			rc = sandbox_begin(c, SANDBOX_READ_WRITE);

	if (rc == 0)
		rc = sandbox_exec(c, ch->candidate->definition);
	if (rc == 0)
		rc = sandbox_make_read_only(c);
	for (int i = 0; rc == 0 && i < ch->nserved; i++)
		if (before[i] && (after[i] = analyze_in_transaction(c, &qs[ch->served[i].query])) == NULL)
			rc = -1;
	if (rc != 0)
		*why = xstrdup(sandbox_last_error(c));
	/* whatever happened, nothing built may stay */
	if (sandbox_end(c) != 0 && rc == 0)
	{
		*why = xstrdup(sandbox_last_error(c));
		rc = -1;
	}
	return rc;
}

/* Sum the measured figures of every served query; plans of the first. */
static void
record_measurement(advisor_choice *ch, plan **before, plan **after)
{
	ch->before_ms = ch->after_ms = 0;
	ch->before_buffers = ch->after_buffers = 0;
	for (int i = 0; i < ch->nserved; i++)
	{
		if (before[i] == NULL || after[i] == NULL)
			continue;
		if (ch->before_plan == NULL)
		{
			ch->before_plan = xstrdup(before[i]->json);
			ch->after_plan = xstrdup(after[i]->json);
		}
		ch->before_ms += before[i]->execution_ms;
		ch->after_ms += after[i]->execution_ms;
		ch->before_buffers += plan_total_buffers(before[i]);
		ch->after_buffers += plan_total_buffers(after[i]);
	}
	ch->measured = 1;
}

/* --measure real for one chosen index (see the file header). */
static void
advisor_measure(sandbox *c, const advisor_options *o, const advisor_query *qs,
				const catalog_snapshot *cat, advisor_choice *ch)
{
	const advisor_candidate *cand = ch->candidate;
	const catalog_table *t = catalog_find_table(cat, cand->schema, cand->table);
	int64_t		max = o->max_build_bytes > 0 ? o->max_build_bytes : ADVISOR_DEFAULT_MAX_BUILD_BYTES;
	plan	  **before = xcalloc((size_t) ch->nserved + 1, sizeof(plan *));
	plan	  **after = xcalloc((size_t) ch->nserved + 1, sizeof(plan *));
	int			nbefore = 0;
	char	   *why = NULL;
	char	   *screened = NULL;

	if (t && t->size_bytes > max)
	{
		set_not_measured(ch, "Not built under --measure real: table %s.%s is %lld bytes, over the limit of %lld bytes.",
						 cand->schema, cand->table, (long long) t->size_bytes, (long long) max);
		diag_detail("%s", ch->not_measured);
		diag_hint("Measure it on a smaller copy of the table, or raise the limit.");
		diag_warning("index on %s.%s not built: table too large", cand->schema, cand->table);
	}
	else
	{
		for (int i = 0; i < ch->nserved; i++)
		{
			explain_request req = {
				.sql = qs[ch->served[i].query].sql, .nparams = qs[ch->served[i].query].nparams,
				.params = qs[ch->served[i].query].params, .analyze = 1,
			};
			explain_result r = {0};

			if (measurable(&qs[ch->served[i].query]) && explain_run(c, &req, &r) == 0)
			{
				if (r.not_executed == NULL)
					before[i] = r.plan, r.plan = NULL, nbefore++;
				else if (screened == NULL)
					screened = xstrdup(r.not_executed);
			}
			explain_result_free(&r);
		}
		if (nbefore == 0 && screened)
			set_not_measured(ch, "Not measured: %s.", screened);
		else if (nbefore == 0)
			set_not_measured(ch, "Not measured: no query it serves could be run with its logged values.");
		else if (measure_after(c, qs, ch, before, after, &why) != 0)
			set_not_measured(ch, "Not measured: %s.", why);
		else
			record_measurement(ch, before, after);
	}
	for (int i = 0; i < ch->nserved; i++)
		plan_free(before[i]), plan_free(after[i]);
	free(before);
	free(after);
	free(why);
	free(screened);
}

static void
free_choices(advisor_choice *ch, int n)
{
	for (int i = 0; i < n; i++)
	{
		free(ch[i].served);
		free(ch[i].before_plan);
		free(ch[i].after_plan);
		free(ch[i].not_measured);
	}
	free(ch);
}

int
advisor_run(sandbox *c, const advisor_options *opts, const advisor_query *queries,
			int nq, const catalog_snapshot *cat, advisor_advice *out)
{
	whatif		w = {0};

	memset(out, 0, sizeof(*out));
	out->queries = queries;
	out->nqueries = nq;
	if (opts->mode == MEASURE_MODE_OFF || cat == NULL || nq <= 0)
		return 0;
	if (!hypopg_usable(c))
		return -1;
	for (int q = 0; q < nq && out->candidates.count < ADVISOR_MAX_CANDIDATES; q++)
		advisor_candidates(queries[q].sql, cat, &out->candidates);
	keep_rare_constants(c, &out->candidates);
	whatif_run(c, opts, queries, nq, &out->candidates, &w);
	out->choices = xcalloc((size_t) ADVISOR_MAX_CHOICES, sizeof(advisor_choice));
	out->nchoices = choose(&w, queries, &out->candidates, cat, out->choices);
	for (int i = 0; i < out->nchoices && opts->mode == MEASURE_MODE_REAL; i++)
		advisor_measure(c, opts, queries, cat, &out->choices[i]);
	whatif_free(&w);
	return out->nchoices;
}

void
advisor_advice_free(advisor_advice *a)
{
	free_choices(a->choices, a->nchoices);
	advisor_candidate_list_free(&a->candidates);
	memset(a, 0, sizeof(*a));
}
