/*-------------------------------------------------------------------------
 * workload.h
 *    The workload model: what a log says about queries, sessions and events.
 *
 * Events (parsers/log_event.h) go in one at a time, in log order; the model
 * keeps per-fingerprint statistics, per-minute activity, session figures,
 * event counts, pgBouncer's figures when its log is read (pooler.h, kept
 * apart from the server's), for every open session a bounded window of its recent
 * statements, and the session-sequence tables built from those windows as
 * statements arrive (src/model/session_patterns.h: the N+1 loops, insert runs
 * and cache figures the workload rules read).  Memory is
 * bounded by the number of distinct fingerprints and open sessions, never
 * by the length of the log.
 *
 * The per-fingerprint table is bounded (max_fingerprints): past the bound
 * the lightest entries are evicted into an exact "other" row, in the
 * manner of space-saving (Metwally, Agrawal and El Abbadi, 2005), so that
 * a log of millions of distinct statements runs in bounded memory and the
 * statements that carry the time stay exact, and each listed entry states
 * how much it may have missed (query_stats.error_ms and error_calls).
 * Totals and counts of the whole log stay exact.  See query_table.c.
 *
 * Two models of consecutive parts of a log can be merged (parallel
 * ingestion, and runs resumed from a store).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_WORKLOAD_H
#define PGSIFT_WORKLOAD_H

#include "parsers/log_event.h"
#include "src/lib/sketch.h"
#include "src/model/latency.h"
#include "src/model/minute_latency.h"
#include "src/model/pooler.h"
#include "src/model/query_stats.h"
#include "src/model/session_patterns.h"
#include "src/model/session_window.h"
#include "src/sql/fingerprint.h"

#include <stddef.h>
#include <stdint.h>

/*
 * One minute of activity; minute = floor(ts_ms / 60000).  latency counts
 * the minute's timed statements by duration; it counts fewer than
 * statements when part of the minute came from a store written before it
 * was kept (its percentiles are then unknown).
 */
typedef struct minute_stats
{
	int64_t		minute;
	uint64_t	statements;
	double		total_ms;
	uint64_t	errors;
	uint64_t	connections;
	minute_latency latency;
} minute_stats;

typedef struct session_figures
{
	uint64_t	received;
	uint64_t	authorized;
	uint64_t	disconnections;
	uint64_t	refused_too_many;
	uint64_t	refused_reserved;
	quantile_sketch *duration;	/* session time, ms */
	double		total_session_ms;
	int64_t		concurrent;		/* running authorized - disconnected */
	int64_t		concurrent_min; /* lowest running value (sessions open before the log) */
	int64_t		concurrent_max;
	int64_t		peak_ts;
} session_figures;

typedef struct sqlstate_count
{
	char		sqlstate[6];
	uint64_t	count;
	char	   *example;		/* first message with it (malloc'd) */
} sqlstate_count;

typedef struct event_figures
{
	uint64_t	by_kind[EV__COUNT];
	uint64_t	by_severity[9];
	int			nsqlstates;
	int			sqlstates_cap;
	sqlstate_count *sqlstates;
	double		lock_wait_ms;	/* sum of the longest wait reported per waiter */
	double		lock_wait_max_ms;
	uint64_t	temp_file_bytes;
	uint64_t	temp_file_max_bytes;
} event_figures;

typedef struct workload_summary
{
	uint64_t	files;
	uint64_t	lines;
	uint64_t	records;
	uint64_t	statements;		/* timed executions */
	uint64_t	untimed_statements;
	uint64_t	parse_errors;	/* statements libpg_query could not parse */
	uint64_t	malformed_lines;
	uint64_t	filtered_out;	/* events dropped by --since/--until/--dbname/... */
	uint64_t	own_statements; /* pgsift's own (tagged) statements, left out */
	int64_t		first_ts;
	int64_t		last_ts;
	int32_t		utc_offset_min; /* zone of the first record written with one (minutes
								 * east of UTC), or LOG_UTC_OFFSET_UNKNOWN */
	double		total_duration_ms;
	uint64_t	latency[LATENCY_BUCKETS];	/* timed statements by duration (latency.h) */
} workload_summary;

/*
 * What the bounded table evicted, exactly, and the bound on what a
 * fingerprint outside the table may have had.
 */
typedef struct workload_other
{
	uint64_t	fingerprints_evicted;	/* evictions (a fingerprint evicted twice counts twice) */
	uint64_t	statements;		/* their timed executions */
	uint64_t	untimed_statements;
	double		total_ms;
	double		error_ms;		/* time a fingerprint not in the table may have had, at most */
	uint64_t	error_calls;	/* and statements */
	uint64_t	max_fingerprints;	/* the smallest bound these figures were kept under (0: none) */
} workload_other;

/* Entries kept when workload_filter.max_fingerprints is 0. */
#define WORKLOAD_MAX_FINGERPRINTS	20000
/* workload_filter.max_fingerprints: no bound. */
#define WORKLOAD_UNBOUNDED			SIZE_MAX

typedef struct workload_filter
{
	int64_t		since_ms;		/* LOG_TS_UNKNOWN: no bound */
	int64_t		until_ms;
	const char *dbname;
	const char *user;
	const char *app;
	const session_pattern_options *patterns;	/* sequence thresholds; NULL: defaults */
	size_t		max_fingerprints;	/* 0: WORKLOAD_MAX_FINGERPRINTS */
} workload_filter;

typedef struct workload workload;


/* A new empty model.  filter may be NULL. */
workload   *workload_create(const workload_filter *filter);
void		workload_destroy(workload *w);

/* Feed one event (usable as a log_event_sink with the model as ctx). */
void		workload_add_event(void *model, const log_event *ev);

/* Count one log record by severity (records, not events: a paired
 * statement and duration are two records and one event). */
void		workload_note_record(workload *w, const log_record *rec);

/* Account for input read (summary.files/lines/malformed). */
void		workload_note_input(workload *w, uint64_t files, uint64_t lines, uint64_t malformed);

/* Fold src (a later part of the same logs) into dst; src is left empty. */
void		workload_merge(workload *dst, workload *src);

/*
 * Read access for reports and the store.  workload_queries returns the
 * fingerprints sorted by total_ms descending (then calls, then fingerprint);
 * the array is owned by the model and valid until the next change.  Every
 * entry is heavy (query_stats.h) from then on.
 */
const workload_summary *workload_get_summary(const workload *w);
query_stats **workload_queries(workload *w, size_t *n);

/* The evicted entries' figures and the bound outside the table. */
const workload_other *workload_other_row(const workload *w);
workload_other *workload_other_mut(workload *w);

/*
 * What a fingerprint not in w's table may have had in w's part of the log,
 * at most: what its entry had when it was last evicted, if the model still
 * knows it, else workload_other.error_ms and error_calls, or less.
 */
void		workload_unlisted_bound(const workload *w, uint64_t fingerprint, int parsed, double *ms,
									uint64_t *calls);

/*
 * Drop the record of what each evicted fingerprint had: from then on every
 * fingerprint outside the table is bounded by workload_other's error_ms
 * and error_calls (after a merge, the record covers one part only).
 */
void		workload_forget_evicted(workload *w);

/* The table's bound (WORKLOAD_UNBOUNDED: none). */
size_t		workload_max_fingerprints(const workload *w);

/*
 * The largest error_ms and error_calls of an entry in the table: how far
 * off a listed figure may be (0 and 0: every one is exact).
 */
void		workload_max_error(const workload *w, double *ms, uint64_t *calls);

/*
 * Evict down to the bound now (workload_merge does at its end, and the
 * store once a model is loaded); ingestion does it as entries come.
 */
void		workload_bound(workload *w);
const session_figures *workload_sessions(const workload *w);
const event_figures *workload_events(const workload *w);
/* pgBouncer's figures (pooler.h); records == 0 when no pgBouncer log was read. */
const pooler_figures *workload_pooler(const workload *w);
/* Minutes in time order; owned by the model. */
minute_stats *workload_minutes(workload *w, size_t *n);
/* The open window of a session key, or NULL. */
const session_window *workload_session_window(const workload *w, const char *key);
size_t		workload_open_sessions(const workload *w);
/* Peak concurrent sessions: highest running count, counting sessions open before the log. */
int64_t		workload_peak_sessions(const workload *w);

/*
 * End of input for the sequence detectors: close the run open in every
 * session (a later statement starts a new one).  Idempotent; call before
 * the rules run (workload_patterns does).
 */
void		workload_finish_sessions(workload *w);

/* The sequence tables (session_patterns.h), every session finished first. */
session_patterns *workload_patterns(workload *w);

/* Hours between the first and the last event with a time; 0 when unknown. */
double		workload_span_hours(const workload *w);

/*
 * Have w's shape cache consult r (shared with the models of other ingest
 * workers) before libpg_query; NULL stops it.  r must outlive the sharing.
 * order is where w's part of the log starts among the models sharing r
 * (0 for the first; a later part a higher one): w takes normalized texts
 * only from models of lower order (fingerprint_cache_share).
 */
void		workload_share_shapes(workload *w, shape_resolver *r, uint64_t order);

/*
 * Add offset to the line number of every sample in w: for a model read
 * from a part of one file, numbered from 1 at the part's start, once the
 * lines before the part are known.
 */
void		workload_shift_lines(workload *w, uint64_t offset);

/*
 * Store and merge support: find-or-create a fingerprint's stats by value
 * (normalized is copied; a light entry found is made heavy, keeping its
 * own text).  Never evicts.  A new entry's error bound is the model's
 * bound outside the table (workload_other.error_ms, error_calls).
 */
query_stats *workload_query_for(workload *w, uint64_t fingerprint, const char *normalized, int parsed);

/* The entry of a fingerprint, or NULL. */
query_stats *workload_query_find(const workload *w, uint64_t fingerprint, int parsed);
const char *workload_intern(workload *w, const char *s);
void		workload_add_sample(query_stats *q, const query_sample *s);
void		workload_add_minute(workload *w, const minute_stats *m);
void		workload_add_sqlstate(workload *w, const char *sqlstate, uint64_t count, const char *example);
workload_summary *workload_summary_mut(workload *w);
session_figures *workload_sessions_mut(workload *w);
event_figures *workload_events_mut(workload *w);
pooler_figures *workload_pooler_mut(workload *w);

/* The marker pgsift puts in its own statements; statements with it are skipped. */
#define PGSIFT_STATEMENT_TAG "/* pgsift */"

#endif
