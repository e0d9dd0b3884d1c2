/*-------------------------------------------------------------------------
 * workload_private.h
 *    The workload model's insides, shared by workload.c (events, sessions,
 *    minutes) and query_table.c (the bounded per-fingerprint table).
 *
 * Nothing outside src/model/workload*.c and query_table.c includes this;
 * the rest of pgsift goes through workload.h.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_WORKLOAD_PRIVATE_H
#define PGSIFT_WORKLOAD_PRIVATE_H

#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/model/session_table.h"
#include "src/model/workload.h"

/* The least weight of a statement in the bounded table (query_table.c): 1 µs. */
#define QUERY_TABLE_WEIGHT_FLOOR_MS 0.001

/*
 * An entry of the table as its eviction sees it: its count (weight plus
 * error, kept up to date as statements come) and pin, in one array that
 * the selection of what to evict reads from end to end.
 */
typedef struct entry_count
{
	double		count;
	uint32_t	pin;			/* the epoch of the eviction that must keep it */
	query_stats *q;
} entry_count;

struct workload
{
	workload_filter filter;
	fingerprint_cache *fingerprints;
	hashmap    *by_fp;			/* (fingerprint, parsed) -> query_stats (owned); NULL: evicted */
	size_t		nqueries;		/* entries in by_fp (not NULL), and in counts */
	entry_count *counts;		/* every entry's count, at query_stats.count_index */
	size_t		counts_cap;
	int			counts_stale;	/* figures were set from outside (store, merge): count again */
	query_stats *free_entries;	/* evicted entries' memory, reused by the next ones */
	struct evicted_count *evicted;	/* what evicted fingerprints had, by fingerprint; NULL: none */
	size_t		nevicted_slots; /* a power of two */
	double		lost_ms;		/* the most a fingerprint not in evicted may have had */
	uint64_t	lost_calls;
	size_t		max_fingerprints;	/* WORKLOAD_UNBOUNDED: none */
	workload_other other;		/* what the bound evicted (query_table.c) */
	uint32_t	pin_epoch;		/* query_stats.mark of the entries the last eviction kept */
	hashmap    *names;			/* interned strings */
	hashmap    *minutes_map;	/* minute -> minute_stats */
	arena	   *mem;
	query_stats **sorted;		/* cache for workload_queries */
	size_t		nsorted;
	int			sorted_valid;
	minute_stats *minutes;		/* cache for workload_minutes */
	minute_stats *last_minute;
	session_table *sessions_open;
	session_patterns *patterns;	/* runs and loops (session_patterns.h) */
	const char *last_name[4];	/* interned database, user, app and file of the last statement */
	workload_summary summary;
	session_figures sessions;
	event_figures events;
	pooler_figures pooler;		/* pgBouncer's records, apart from the server's */
};

/* The table's part of workload_create and workload_destroy. */
void		query_table_init(workload *w);
void		query_table_free(workload *w);

/*
 * The entry for a statement sql[0..len) of shape (fingerprint_lookup's,
 * whose owner_data is NULL): found by fingerprint, or admitted, light
 * when the shape has no normalized text yet, after evicting when the
 * table is full.  Sets shape->owner_data.
 */
query_stats *query_table_admit(workload *w, query_shape *shape, const char *sql, size_t len);

/* q's weight: its total time, each statement weighing at least the floor. */
static inline double
query_table_weight(const query_stats *q)
{
	return q->total_ms + QUERY_TABLE_WEIGHT_FLOOR_MS * (double) (q->calls + q->untimed_calls);
}

/* q has a new statement: its count for the eviction follows. */
static inline void
query_table_counted(workload *w, const query_stats *q)
{
	w->counts[q->count_index].count = query_table_weight(q) + q->error_ms;
}

/* Make q heavy (query_stats.h): its text normalized, its sketch started. */
void		query_table_promote(workload *w, query_stats *q);

/* Make every entry heavy: before anything outside the model reads it. */
void		query_table_complete(workload *w);

#endif
