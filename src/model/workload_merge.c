/*-------------------------------------------------------------------------
 * workload_merge.c
 *    Folding one workload model into another.
 *
 * Used by parallel ingestion (each worker builds a model of its part of the
 * log, merged in log order) and by runs resumed from a store.  Only the
 * public model API is used, so the merge cannot reach past what a model
 * exposes.  Session windows are not merged: a window is a view of the
 * recent past of one part of the log.  The runs open in either part are
 * closed at the boundary (workload_patterns), so a run cut by it counts
 * as two shorter ones and may fall under the sequence thresholds.
 *
 * Bounded tables (workload.h) merge with their bounds: the other rows
 * add up, and a fingerprint's error is what it may have missed in each
 * part, its entry's error there or, absent from a part's table, that
 * part's bound outside its table; the parts' bounds outside add up too.
 * The merged table is then evicted down to its own bound.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/model/workload.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void
merge_names(workload *dst, name_count *to, int *nto, const name_count *from, int nfrom)
{
	for (int i = 0; i < nfrom; i++)
	{
		const char *name = workload_intern(dst, from[i].name);
		int			j;

		for (j = 0; j < *nto; j++)
			if (to[j].name == name)
				break;
		if (j < *nto)
			to[j].count += from[i].count;
		else if (*nto < WORKLOAD_NAMES)
		{
			to[*nto].name = name;
			to[*nto].count = from[i].count;
			(*nto)++;
		}
	}
}

#define MERGED_MARK UINT32_MAX	/* query_stats.mark of dst's entries that src had too */

/*
 * The error bounds of d, dst's entry of s's fingerprint, once merged: what
 * it may have missed in each part (a new entry of dst starts with what
 * the fingerprint may have had outside dst's table).
 */
static void
merge_bounds(query_stats *d, const query_stats *s)
{
	d->error_ms += s->error_ms;
	d->error_calls += s->error_calls;
	d->mark = MERGED_MARK;
}

/*
 * s's one execution of its part, seen while light and in no TTL cache yet
 * (session_patterns.h): d keeps it for a later statement or merge when it
 * is new, else it is counted now, after d's own.
 */
static void
merge_first_seen(session_patterns *patterns, query_stats *d, const query_stats *s, int fresh)
{
	if (s->seq || !s->first_seen.known)
		return;
	if (fresh)
		d->first_seen = s->first_seen;
	else
		session_patterns_add_first_seen(patterns, d, &s->first_seen);
}

static void
merge_query(workload *dst, session_patterns *patterns, query_stats *s)
{
	int			fresh = workload_query_find(dst, s->fingerprint, s->parsed) == NULL;
	query_stats *d = workload_query_for(dst, s->fingerprint, s->normalized, s->parsed);

	if (d->traits_kind == SEQ_KIND_UNKNOWN)
	{
		d->traits_kind = s->traits_kind;
		d->traits_width = s->traits_width;
	}
	d->calls += s->calls;
	d->total_ms += s->total_ms;
	d->min_ms = fmin(d->min_ms, s->min_ms);
	d->max_ms = fmax(d->max_ms, s->max_ms);
	merge_bounds(d, s);
	merge_first_seen(patterns, d, s, fresh);
	sketch_merge(d->sketch, s->sketch);
	if (s->series)
	{
		if (d->series == NULL)
			d->series = xcalloc(1, sizeof(query_series));
		query_series_merge(d->series, s->series);
	}
	d->untimed_calls += s->untimed_calls;
	d->parse_count += s->parse_count;
	d->parse_ms += s->parse_ms;
	d->bind_count += s->bind_count;
	d->bind_ms += s->bind_ms;
	d->errors += s->errors;
	if (s->first_ts != LOG_TS_UNKNOWN && (d->first_ts == LOG_TS_UNKNOWN || s->first_ts < d->first_ts))
		d->first_ts = s->first_ts;
	if (s->last_ts > d->last_ts)
		d->last_ts = s->last_ts;
	merge_names(dst, d->databases, &d->ndatabases, s->databases, s->ndatabases);
	merge_names(dst, d->users, &d->nusers, s->users, s->nusers);
	merge_names(dst, d->apps, &d->napps, s->apps, s->napps);
	for (int i = 0; i < s->nsamples; i++)
	{
		query_sample copy = s->samples[i];

		if (d->nsamples == WORKLOAD_SAMPLES && copy.duration_ms <= d->samples[WORKLOAD_SAMPLES - 1].duration_ms)
			continue;
		/* src is left empty: its texts are taken, not copied */
		s->samples[i].query = NULL;
		s->samples[i].params = NULL;
		copy.database = workload_intern(dst, copy.database);
		copy.user = workload_intern(dst, copy.user);
		copy.file = workload_intern(dst, copy.file);
		workload_add_sample(d, &copy);
	}
	if (s->plan && (d->plan == NULL || s->plan_ms > d->plan_ms))
	{
		free(d->plan);
		d->plan = s->plan;
		s->plan = NULL;
		d->plan_is_json = s->plan_is_json;
		d->plan_ms = s->plan_ms;
	}
}

static void
merge_sessions(session_figures *d, const session_figures *s)
{
	d->received += s->received;
	d->authorized += s->authorized;
	d->disconnections += s->disconnections;
	d->refused_too_many += s->refused_too_many;
	d->refused_reserved += s->refused_reserved;
	sketch_merge(d->duration, s->duration);
	d->total_session_ms += s->total_session_ms;
	if (d->concurrent + s->concurrent_max > d->concurrent_max)
	{
		d->concurrent_max = d->concurrent + s->concurrent_max;
		d->peak_ts = s->peak_ts;
	}
	if (d->concurrent + s->concurrent_min < d->concurrent_min)
		d->concurrent_min = d->concurrent + s->concurrent_min;
	d->concurrent += s->concurrent;
}

/* A sequence table's fingerprint in the model merged into (a session_query_map). */
static query_stats *
map_to_model(void *model, const query_stats *q)
{
	return workload_query_for(model, q->fingerprint, q->normalized, q->parsed);
}

/* After src's entries are merged: dst's entries src did not have may have had some outside src's table. */
static void
bound_absent_from_src(workload *dst, const workload *src)
{
	size_t		n;
	query_stats **queries = workload_queries(dst, &n);

	for (size_t i = 0; i < n; i++)
	{
		if (queries[i]->mark != MERGED_MARK)
		{
			double		ms;
			uint64_t	calls;

			workload_unlisted_bound(src, queries[i]->fingerprint, queries[i]->parsed, &ms, &calls);
			queries[i]->error_ms += ms;
			queries[i]->error_calls += calls;
		}
		queries[i]->mark = 0;
	}
}

static void
merge_other(workload_other *d, const workload_other *s)
{
	d->fingerprints_evicted += s->fingerprints_evicted;
	d->statements += s->statements;
	d->untimed_statements += s->untimed_statements;
	d->total_ms += s->total_ms;
	d->error_ms += s->error_ms;
	d->error_calls += s->error_calls;
	if (s->max_fingerprints && (d->max_fingerprints == 0 || s->max_fingerprints < d->max_fingerprints))
		d->max_fingerprints = s->max_fingerprints;
}

void
workload_merge(workload *dst, workload *src)
{
	size_t		n;
	query_stats **queries = workload_queries(src, &n);
	const workload_other *src_out = workload_other_row(src);

	session_patterns *patterns = workload_patterns(dst);

	for (size_t i = 0; i < n; i++)
		merge_query(dst, patterns, queries[i]);
	bound_absent_from_src(dst, src);
	merge_other(workload_other_mut(dst), src_out);
	/* what dst knew of each evicted fingerprint no longer covers both parts */
	workload_forget_evicted(dst);

	minute_stats *minutes = workload_minutes(src, &n);

	for (size_t i = 0; i < n; i++)
		workload_add_minute(dst, &minutes[i]);
	event_figures *into = workload_events_mut(dst);
	const event_figures *from = workload_events(src);

	merge_sessions(workload_sessions_mut(dst), workload_sessions(src));
	pooler_merge(workload_pooler_mut(dst), workload_pooler(src));
	for (int i = 0; i < EV__COUNT; i++)
		into->by_kind[i] += from->by_kind[i];
	for (int i = 0; i < 9; i++)
		into->by_severity[i] += from->by_severity[i];
	for (int i = 0; i < from->nsqlstates; i++)
		workload_add_sqlstate(dst, from->sqlstates[i].sqlstate, from->sqlstates[i].count,
							  from->sqlstates[i].example);
	session_patterns_merge(patterns, map_to_model, dst, workload_patterns(src));
	into->lock_wait_ms += from->lock_wait_ms;
	into->lock_wait_max_ms = fmax(into->lock_wait_max_ms, from->lock_wait_max_ms);
	into->temp_file_bytes += from->temp_file_bytes;
	if (from->temp_file_max_bytes > into->temp_file_max_bytes)
		into->temp_file_max_bytes = from->temp_file_max_bytes;

	workload_summary *d = workload_summary_mut(dst);
	const workload_summary *s = workload_get_summary(src);

	d->files += s->files;
	d->lines += s->lines;
	d->records += s->records;
	d->statements += s->statements;
	d->untimed_statements += s->untimed_statements;
	d->parse_errors += s->parse_errors;
	d->malformed_lines += s->malformed_lines;
	d->filtered_out += s->filtered_out;
	d->own_statements += s->own_statements;
	d->total_duration_ms += s->total_duration_ms;
	for (int i = 0; i < LATENCY_BUCKETS; i++)
		d->latency[i] += s->latency[i];
	/* dst holds the earlier part: its zone is the first record's */
	if (d->utc_offset_min == LOG_UTC_OFFSET_UNKNOWN)
		d->utc_offset_min = s->utc_offset_min;
	if (s->first_ts != LOG_TS_UNKNOWN && (d->first_ts == LOG_TS_UNKNOWN || s->first_ts < d->first_ts))
		d->first_ts = s->first_ts;
	if (s->last_ts != LOG_TS_UNKNOWN && (d->last_ts == LOG_TS_UNKNOWN || s->last_ts > d->last_ts))
		d->last_ts = s->last_ts;
	workload_bound(dst);
}

