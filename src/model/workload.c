/*-------------------------------------------------------------------------
 * workload.c
 *    Building the workload model from log events.
 *
 * The hot path is workload_add_event for EV_STATEMENT: one fingerprint
 * cache lookup (which usually hits), a few additions, one sketch insert,
 * the per-minute counter (the last minute is cached, logs are in order),
 * and a push into the session's window.  Samples are copied only when a
 * statement is among the slowest of its fingerprint.  The per-fingerprint
 * table itself, bounded, is query_table.c's.
 *-------------------------------------------------------------------------
 */
#include "src/model/workload_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A session ends (disconnection or eviction): its run ends with it. */
static void
close_session_run(void *patterns, session_window *win)
{
	session_patterns_close(patterns, win);
}

workload *
workload_create(const workload_filter *filter)
{
	workload   *w = xcalloc(1, sizeof(workload));

	if (filter)
		w->filter = *filter;
	else
	{
		w->filter.since_ms = LOG_TS_UNKNOWN;
		w->filter.until_ms = LOG_TS_UNKNOWN;
	}
	w->fingerprints = fingerprint_cache_create();
	fingerprint_cache_want_traits(w->fingerprints);
	query_table_init(w);
	w->names = hashmap_create(64);
	w->minutes_map = hashmap_create(256);
	w->mem = arena_create(0);
	w->sessions_open = session_table_create(WORKLOAD_MAX_SESSIONS);
	w->patterns = session_patterns_create(w->filter.patterns, w->fingerprints);
	session_table_set_close_hook(w->sessions_open, close_session_run, w->patterns);
	w->sessions.duration = sketch_create();
	w->summary.first_ts = LOG_TS_UNKNOWN;
	w->summary.last_ts = LOG_TS_UNKNOWN;
	w->summary.utc_offset_min = LOG_UTC_OFFSET_UNKNOWN;
	pooler_init(&w->pooler);
	return w;
}

void
workload_destroy(workload *w)
{
	if (w == NULL)
		return;
	query_table_free(w);
	for (int i = 0; i < w->events.nsqlstates; i++)
		free(w->events.sqlstates[i].example);
	free(w->events.sqlstates);
	sketch_free(w->sessions.duration);
	session_table_destroy(w->sessions_open);
	session_patterns_destroy(w->patterns);
	fingerprint_cache_destroy(w->fingerprints);
	hashmap_destroy(w->names);
	hashmap_destroy(w->minutes_map);
	free(w->sorted);
	free(w->minutes);
	arena_destroy(w->mem);
	free(w);
}

const char *
workload_intern(workload *w, const char *s)
{
	if (s == NULL || *s == '\0')
		return NULL;
	size_t		len = strlen(s);
	uint64_t	h = hash_fast(s, len);
	void	  **slot = hashmap_put(w->names, s, len, h, NULL);

	if (*slot == NULL)
		*slot = arena_strndup(w->mem, s, len);
	return *slot;
}

/* Stats for a statement text, through the shape cache. */
static query_stats *
stats_for_text(workload *w, const char *sql, size_t len)
{
	query_shape *shape = fingerprint_lookup(w->fingerprints, sql, len);

	return shape->owner_data ? shape->owner_data : query_table_admit(w, shape, sql, len);
}

void
workload_share_shapes(workload *w, shape_resolver *r, uint64_t order)
{
	fingerprint_cache_share(w->fingerprints, r, order);
}

/*
 * workload_intern for a field that nearly always repeats from one statement
 * to the next: a strcmp with the last value instead of a hash and a lookup.
 */
static const char *
intern_repeated(workload *w, int field, const char *s)
{
	const char *last = w->last_name[field];

	if (s == NULL || *s == '\0')
		return NULL;
	if (last && strcmp(last, s) == 0)
		return last;
	return w->last_name[field] = workload_intern(w, s);
}

static void
count_name(name_count *arr, int *n, const char *name)
{
	if (name == NULL)
		return;
	for (int i = 0; i < *n; i++)
		if (arr[i].name == name)
		{
			arr[i].count++;
			return;
		}
	if (*n < WORKLOAD_NAMES)
	{
		arr[*n].name = name;
		arr[*n].count = 1;
		(*n)++;
	}
}

void
workload_add_sample(query_stats *q, const query_sample *s)
{
	int			pos = q->nsamples;

	if (pos == WORKLOAD_SAMPLES)
	{
		if (s->duration_ms <= q->samples[pos - 1].duration_ms)
			return;
		query_sample_free(&q->samples[pos - 1]);
		pos--;
	}
	else
		q->nsamples++;
	while (pos > 0 && q->samples[pos - 1].duration_ms < s->duration_ms)
	{
		q->samples[pos] = q->samples[pos - 1];
		pos--;
	}
	q->samples[pos] = *s;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
sample_statement(workload *w, query_stats *q, const log_event *ev)
{
	if (q->nsamples == WORKLOAD_SAMPLES && ev->duration_ms <= q->samples[WORKLOAD_SAMPLES - 1].duration_ms)
		return;
	query_sample s = {
		.duration_ms = ev->duration_ms,
		.ts_ms = ev->rec->ts_ms,
		.query = query_sample_text(ev->query, ev->query_len),
		.params = dup_or_null(ev->params),
		.database = intern_repeated(w, 0, ev->rec->dbname),
		.user = intern_repeated(w, 1, ev->rec->user),
		.file = intern_repeated(w, 3, ev->rec->file),
		.line = ev->rec->line,
	};

	workload_add_sample(q, &s);
}

static minute_stats *
minute_for(workload *w, int64_t ts_ms)
{
	if (ts_ms == LOG_TS_UNKNOWN)
		return NULL;
	int64_t		minute = ts_ms >= 0 ? ts_ms / 60000 : -((-ts_ms + 59999) / 60000);

	if (w->last_minute && w->last_minute->minute == minute)
		return w->last_minute;
	void	  **slot = hashmap_put(w->minutes_map, &minute, sizeof(minute), hash_mix64((uint64_t) minute), NULL);

	if (*slot == NULL)
	{
		minute_stats *m = arena_zalloc(w->mem, sizeof(minute_stats));

		m->minute = minute;
		*slot = m;
	}
	w->last_minute = *slot;
	return *slot;
}

void
workload_add_minute(workload *w, const minute_stats *src)
{
	minute_stats *m = minute_for(w, src->minute * 60000);

	m->statements += src->statements;
	m->total_ms += src->total_ms;
	m->errors += src->errors;
	m->connections += src->connections;
	minute_latency_merge(&m->latency, &src->latency);
}

/* The key a session is known by (log_record_session_key), or NULL when none. */
static const char *
session_key(const log_record *rec, char buf[LOG_SESSION_KEY_BUF])
{
	size_t		len;
	const char *key = log_record_session_key(rec, buf, &len);

	return len > 0 ? key : NULL;
}

static void
push_session_statement(workload *w, const log_event *ev, query_stats *q)
{
	char		buf[LOG_SESSION_KEY_BUF];
	const char *key = session_key(ev->rec, buf);

	if (key == NULL)
		return;
	session_window *win = session_table_get(w->sessions_open, key, 1);
	session_statement st = {
		.ts_ms = ev->rec->ts_ms,
		.duration_ms = ev->duration_ms,
		.query = q,
		.params = (char *) ev->params,
		.text = (char *) ev->query,
		.text_len = ev->query_len,
		.xid = ev->rec->xid,
		.vxid = (char *) ev->rec->vxid,
	};

	session_window_push(win, &st);
	session_patterns_observe(w->patterns, win, q, ev->query, ev->query_len);
}

static void
add_statement(workload *w, const log_event *ev)
{
	query_stats *q = stats_for_text(w, ev->query, ev->query_len);
	const log_record *rec = ev->rec;
	int			timed = ev->kind != EV_STATEMENT_UNTIMED;
	int32_t		sketch_bucket = 0;

	/* a second statement: the entry is among those that matter */
	if (query_stats_is_light(q) && q->calls + q->untimed_calls > 0)
		query_table_promote(w, q);
	if (!q->parsed)
		w->summary.parse_errors++;
	/* the sketch and the series are added to last: their memory is fetched meanwhile */
	if (q->sketch)
		__builtin_prefetch(q->sketch, 0);
	if (q->series)
		__builtin_prefetch(q->series, 1);
	if (!timed)
	{
		q->untimed_calls++;
		w->summary.untimed_statements++;
	}
	else
	{
		double		d = ev->duration_ms;
		int			bucket = minute_latency_bucket(d);

		q->calls++;
		q->total_ms += d;
		if (d < q->min_ms)
			q->min_ms = d;
		if (d > q->max_ms)
			q->max_ms = d;
		sample_statement(w, q, ev);
		w->summary.statements++;
		w->summary.total_duration_ms += d;
		w->summary.latency[minute_latency_coarse(bucket, d)]++;
		minute_stats *m = minute_for(w, rec->ts_ms);

		if (m)
		{
			m->statements++;
			m->total_ms += d;
			minute_latency_add_bucket(&m->latency, bucket);
		}
	}
	query_table_counted(w, q);
	if (q->sketch && timed)
		sketch_bucket = sketch_prefetch(q->sketch, ev->duration_ms);
	if (rec->ts_ms != LOG_TS_UNKNOWN)
	{
		if (q->first_ts == LOG_TS_UNKNOWN || rec->ts_ms < q->first_ts)
			q->first_ts = rec->ts_ms;
		if (rec->ts_ms > q->last_ts)
			q->last_ts = rec->ts_ms;
	}
	count_name(q->databases, &q->ndatabases, intern_repeated(w, 0, rec->dbname));
	count_name(q->users, &q->nusers, intern_repeated(w, 1, rec->user));
	count_name(q->apps, &q->napps, intern_repeated(w, 2, rec->app));
	push_session_statement(w, ev, q);
	if (q->sketch && timed)
		sketch_add_bucket(q->sketch, ev->duration_ms, sketch_bucket);
	if (q->series)
		query_series_add(q->series, rec->ts_ms, 1);
}

static void
add_phase(workload *w, const log_event *ev)
{
	query_stats *q = stats_for_text(w, ev->query, ev->query_len);

	if (ev->kind == EV_PARSE)
	{
		q->parse_count++;
		q->parse_ms += ev->duration_ms > 0 ? ev->duration_ms : 0;
	}
	else
	{
		q->bind_count++;
		q->bind_ms += ev->duration_ms > 0 ? ev->duration_ms : 0;
	}
}

static void
add_plan(workload *w, const log_event *ev)
{
	if (ev->query == NULL || ev->plan == NULL)
		return;
	query_stats *q = stats_for_text(w, ev->query, ev->query_len);

	if (q->plan == NULL || ev->duration_ms > q->plan_ms)
	{
		free(q->plan);
		q->plan = xstrdup(ev->plan);
		q->plan_is_json = ev->plan_is_json;
		q->plan_ms = ev->duration_ms;
	}
}

void
workload_add_sqlstate(workload *w, const char *sqlstate, uint64_t count, const char *example)
{
	event_figures *e = &w->events;

	for (int i = 0; i < e->nsqlstates; i++)
		if (strcmp(e->sqlstates[i].sqlstate, sqlstate) == 0)
		{
			e->sqlstates[i].count += count;
			return;
		}
	if (e->nsqlstates == e->sqlstates_cap)
	{
		e->sqlstates_cap = e->sqlstates_cap ? e->sqlstates_cap * 2 : 16;
		e->sqlstates = xrealloc(e->sqlstates, e->sqlstates_cap * sizeof(sqlstate_count));
	}
	sqlstate_count *s = &e->sqlstates[e->nsqlstates++];

	snprintf(s->sqlstate, sizeof(s->sqlstate), "%s", sqlstate);
	s->count = count;
	s->example = example ? xstrdup(example) : NULL;
}

static void
add_session_event(workload *w, const log_event *ev)
{
	session_figures *s = &w->sessions;
	char		buf[LOG_SESSION_KEY_BUF];
	const char *key;

	switch (ev->kind)
	{
		case EV_CONNECTION_RECEIVED:
			s->received++;
			break;
		case EV_CONNECTION_AUTHORIZED:
			{
				minute_stats *m = minute_for(w, ev->rec->ts_ms);

				s->authorized++;
				if (m)
					m->connections++;
				if (++s->concurrent > s->concurrent_max)
				{
					s->concurrent_max = s->concurrent;
					s->peak_ts = ev->rec->ts_ms;
				}
				break;
			}
		case EV_DISCONNECTION:
			s->disconnections++;
			if (ev->session_ms >= 0)
			{
				sketch_add(s->duration, ev->session_ms);
				s->total_session_ms += ev->session_ms;
			}
			if (--s->concurrent < s->concurrent_min)
				s->concurrent_min = s->concurrent;
			key = session_key(ev->rec, buf);
			if (key)
				session_table_remove(w->sessions_open, key);
			break;
		case EV_REFUSED:
			if (ev->refused == REFUSED_RESERVED_SLOTS)
			{
				/*
				 * This refusal comes after "connection authorized" and no
				 * disconnection line follows it: the session ends here.
				 */
				s->refused_reserved++;
				if (--s->concurrent < s->concurrent_min)
					s->concurrent_min = s->concurrent;
			}
			else
				s->refused_too_many++;
			break;
		default:
			break;
	}
}

static void
add_problem_event(workload *w, const log_event *ev)
{
	event_figures *e = &w->events;
	const log_record *rec = ev->rec;

	switch (ev->kind)
	{
		case EV_LOCK_WAIT:
		case EV_LOCK_ACQUIRED:
			if (ev->wait_ms > e->lock_wait_max_ms)
				e->lock_wait_max_ms = ev->wait_ms;
			if (ev->kind == EV_LOCK_ACQUIRED)
				e->lock_wait_ms += ev->wait_ms;
			break;
		case EV_TEMP_FILE:
			if (ev->temp_file_bytes > 0)
			{
				e->temp_file_bytes += (uint64_t) ev->temp_file_bytes;
				if ((uint64_t) ev->temp_file_bytes > e->temp_file_max_bytes)
					e->temp_file_max_bytes = (uint64_t) ev->temp_file_bytes;
			}
			break;
		default:
			break;
	}
	if (rec->severity >= SEV_ERROR || (rec->sqlstate[0] && rec->severity == SEV_WARNING))
	{
		minute_stats *m = minute_for(w, rec->ts_ms);

		if (m && rec->severity >= SEV_ERROR)
			m->errors++;
		if (rec->sqlstate[0])
			workload_add_sqlstate(w, rec->sqlstate, 1, rec->message);
	}
}

static int
name_matches(const char *want, const char *have)
{
	return want == NULL || (have != NULL && strcmp(want, have) == 0);
}

static int
passes_filter(const workload_filter *f, const log_record *rec)
{
	if (f->since_ms != LOG_TS_UNKNOWN && (rec->ts_ms == LOG_TS_UNKNOWN || rec->ts_ms < f->since_ms))
		return 0;
	if (f->until_ms != LOG_TS_UNKNOWN && (rec->ts_ms == LOG_TS_UNKNOWN || rec->ts_ms >= f->until_ms))
		return 0;
	return name_matches(f->dbname, rec->dbname) && name_matches(f->user, rec->user) &&
		name_matches(f->app, rec->app);
}

/* pgsift's own statements: tagged text or application_name=pgsift. */
static int
is_own_statement(const log_event *ev)
{
	if (ev->rec->app && strcmp(ev->rec->app, "pgsift") == 0)
		return 1;
	if (ev->query == NULL)
		return 0;
	size_t		i = 0;

	while (i < ev->query_len && (ev->query[i] == ' ' || ev->query[i] == '\n' || ev->query[i] == '\t'))
		i++;
	return ev->query_len - i >= sizeof(PGSIFT_STATEMENT_TAG) - 1 &&
		memcmp(ev->query + i, PGSIFT_STATEMENT_TAG, sizeof(PGSIFT_STATEMENT_TAG) - 1) == 0;
}

/* pgBouncer's records go to the pooler figures alone; stats lines have no database or user. */
static void
add_pooler_event(workload *w, const log_event *ev)
{
	workload_filter window = w->filter;

	if (ev->pooler == POOLER_STATS)
		window.dbname = window.user = window.app = NULL;
	if (!passes_filter(&window, ev->rec))
		w->summary.filtered_out++;
	else
	{
		w->events.by_kind[EV_POOLER]++;
		pooler_add_event(&w->pooler, ev);
	}
}

void
workload_add_event(void *model, const log_event *ev)
{
	workload   *w = model;
	const log_record *rec = ev->rec;

	if (ev->kind == EV_POOLER)
	{
		add_pooler_event(w, ev);
		return;
	}
	if (!passes_filter(&w->filter, rec))
	{
		w->summary.filtered_out++;
		return;
	}
	if (rec->ts_ms != LOG_TS_UNKNOWN)
	{
		if (w->summary.first_ts == LOG_TS_UNKNOWN || rec->ts_ms < w->summary.first_ts)
			w->summary.first_ts = rec->ts_ms;
		if (w->summary.last_ts == LOG_TS_UNKNOWN || rec->ts_ms > w->summary.last_ts)
			w->summary.last_ts = rec->ts_ms;
		if (w->summary.utc_offset_min == LOG_UTC_OFFSET_UNKNOWN)
			w->summary.utc_offset_min = rec->utc_offset_min;
	}
	w->events.by_kind[ev->kind]++;
	switch (ev->kind)
	{
		case EV_STATEMENT:
		case EV_STATEMENT_UNTIMED:
			if (ev->query == NULL)
				break;
			if (is_own_statement(ev))
				w->summary.own_statements++;
			else
				add_statement(w, ev);
			break;
		case EV_PARSE:
		case EV_BIND:
			if (ev->query && !is_own_statement(ev))
				add_phase(w, ev);
			break;
		case EV_PLAN:
			if (!is_own_statement(ev))
				add_plan(w, ev);
			break;
		case EV_CONNECTION_RECEIVED:
		case EV_CONNECTION_AUTHORIZED:
		case EV_DISCONNECTION:
		case EV_REFUSED:
			add_session_event(w, ev);
			add_problem_event(w, ev);
			break;
		default:
			add_problem_event(w, ev);
			break;
	}
}

void
workload_note_record(workload *w, const log_record *rec)
{
	if (rec->source != LOG_SOURCE_SERVER || !passes_filter(&w->filter, rec))
		return;
	if ((unsigned) rec->severity < sizeof(w->events.by_severity) / sizeof(w->events.by_severity[0]))
		w->events.by_severity[rec->severity]++;
}

void
workload_note_input(workload *w, uint64_t files, uint64_t lines, uint64_t malformed)
{
	w->summary.files += files;
	w->summary.lines += lines;
	w->summary.malformed_lines += malformed;
}

const workload_summary *
workload_get_summary(const workload *w)
{
	return &w->summary;
}

workload_summary *
workload_summary_mut(workload *w)
{
	return &w->summary;
}

session_figures *
workload_sessions_mut(workload *w)
{
	return &w->sessions;
}

event_figures *
workload_events_mut(workload *w)
{
	return &w->events;
}

static int
cmp_minutes(const void *a, const void *b)
{
	const minute_stats *x = a,
			   *y = b;

	return (x->minute > y->minute) - (x->minute < y->minute);
}

minute_stats *
workload_minutes(workload *w, size_t *n)
{
	size_t		pos = 0,
				i = 0;
	void	   *v;

	free(w->minutes);
	*n = hashmap_count(w->minutes_map);
	w->minutes = xcalloc(*n + 1, sizeof(minute_stats));
	while (hashmap_next(w->minutes_map, &pos, NULL, NULL, &v))
		w->minutes[i++] = *(minute_stats *) v;
	qsort(w->minutes, *n, sizeof(minute_stats), cmp_minutes);
	return w->minutes;
}

const session_figures *
workload_sessions(const workload *w)
{
	return &w->sessions;
}

const event_figures *
workload_events(const workload *w)
{
	return &w->events;
}

const pooler_figures *
workload_pooler(const workload *w)
{
	return &w->pooler;
}

pooler_figures *
workload_pooler_mut(workload *w)
{
	return &w->pooler;
}

double
workload_span_hours(const workload *w)
{
	const workload_summary *s = &w->summary;

	if (s->first_ts == LOG_TS_UNKNOWN || s->last_ts <= s->first_ts)
		return 0;
	return (double) (s->last_ts - s->first_ts) / 3600000.0;
}

void
workload_finish_sessions(workload *w)
{
	session_table_foreach(w->sessions_open, close_session_run, w->patterns);
}

session_patterns *
workload_patterns(workload *w)
{
	workload_finish_sessions(w);
	query_table_complete(w);
	return w->patterns;
}

const session_window *
workload_session_window(const workload *w, const char *key)
{
	return session_table_get(w->sessions_open, key, 0);
}

size_t
workload_open_sessions(const workload *w)
{
	return session_table_count(w->sessions_open);
}

int64_t
workload_peak_sessions(const workload *w)
{
	return w->sessions.concurrent_max - w->sessions.concurrent_min;
}
