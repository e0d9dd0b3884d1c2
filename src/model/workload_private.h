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

struct workload
{
	workload_filter filter;
	fingerprint_cache *fingerprints;
	hashmap    *by_fp;			/* (fingerprint, parsed) -> query_stats (owned); NULL: evicted */
	size_t		nqueries;		/* entries in by_fp (not NULL) */
	query_stats *free_entries;	/* evicted entries' memory, reused by the next ones */
	struct evicted_count *evicted;	/* what evicted fingerprints had, by fingerprint; NULL: none */
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

/* Make q heavy (query_stats.h): its text normalized, its sketch started. */
void		query_table_promote(query_stats *q);

/* Make every entry heavy: before anything outside the model reads it. */
void		query_table_complete(workload *w);

#endif
