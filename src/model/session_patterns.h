/*-------------------------------------------------------------------------
 * session_patterns.h
 *    Statement sequences within sessions: runs of one fingerprint, and the
 *    tables the n-plus-one, unbatched-insert and cacheable-query rules read.
 *
 * Each open session tracks the run it is in: consecutive executions of one
 * fingerprint, with their distinct parameter sets, durations, gaps and
 * transactions, and the statement before the run (its parent).  A run is
 * closed by a different fingerprint, a gap over max_gap_ms, the session's
 * end (disconnection or eviction) or the end of the input
 * (workload_finish_sessions).  Transaction control (BEGIN, COMMIT...) is
 * not part of any run and does not close one: a loop whose every child is
 * its own transaction is still a loop, and a row per transaction is the
 * worst unbatched insert.  Behind a transaction-mode pooler one backend's
 * consecutive transactions may be different clients'; with
 * group_by_transaction a run is also closed where the transaction changes,
 * and its parent must be in its first statement's transaction.  Closed
 * runs that qualify are added to bounded tables:
 *   - loops: per (parent, child) fingerprint pair, the runs with at least
 *     min_repeats executions and min_distinct distinct parameter sets;
 *   - per fingerprint: runs of min_rows or more single-row INSERTs, and a
 *     simulated TTL cache of read-only SELECTs across sessions (hits,
 *     misses, the time the hits took).
 *
 * The thresholds that decide at ingestion time are the model's options
 * (session_pattern_options), set from the rules' configuration when the
 * model is created (workload_filter.patterns).  Memory caps: the per-run
 * state is embedded in the session's window (a few hundred bytes);
 * SEQ_MAX_LOOPS pairs; one entry per (heavy) fingerprint of the bounded
 * table; SEQ_CACHE_KEYS cache keys, the one filled longest ago evicted
 * first (hits on evicted keys are missed, so the cache figures err low).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SESSION_PATTERNS_H
#define PGSIFT_SESSION_PATTERNS_H

#include "src/model/session_run.h"
#include "src/sql/fingerprint.h"
#include "src/sql/statement_traits.h"

#include <stddef.h>
#include <stdint.h>

#define SEQ_EXAMPLE_VALUES	50	/* parameter sets kept in an example occurrence */
#define SEQ_MAX_LOOPS		10000	/* (parent, child) pairs kept */
#define SEQ_CACHE_KEYS		65536	/* (fingerprint, parameters) keys in the TTL cache */

struct query_stats;
struct session_window;

/* Ingestion-time thresholds; the defaults are the rules' defaults. */
typedef struct session_pattern_options
{
	double		max_gap_ms;		/* n-plus-one max_gap_ms: a longer pause ends a run */
	int			min_repeats;	/* n-plus-one min_repeats */
	int			min_distinct;	/* n-plus-one min_distinct */
	int			min_rows;		/* unbatched-insert min_rows */
	double		ttl_ms;			/* cacheable-query ttl_seconds × 1000 */
	int			group_by_transaction;	/* n-plus-one group_by_transaction: runs end with their transaction */
} session_pattern_options;

/* An example occurrence: the parameter sets of one run, in order. */
typedef struct seq_example
{
	char	   *parent_params;	/* the parent's DETAIL parameters, or NULL */
	int			nvalues;
	char	  **values;			/* each execution's parameters text (NULL: none) */
	double		total_ms;		/* the run's summed durations */
	uint32_t	count;			/* executions in the run (may exceed nvalues) */
	uint32_t	distinct;
	int			from_text;		/* values read from the statements' text (simple protocol) */
} seq_example;

/* A loop: a parent followed by a run of one child fingerprint. */
typedef struct seq_loop
{
	const struct query_stats *parent;	/* NULL: the run opened the session */
	const struct query_stats *child;
	uint64_t	occurrences;
	uint64_t	children;		/* executions in all the occurrences */
	uint64_t	distinct;		/* summed distinct parameter sets */
	double		child_ms;
	uint64_t	one_xact;		/* occurrences inside one transaction */
	int64_t		first_ts,
				last_ts;
	seq_example example;		/* the occurrence with the largest total */
} seq_loop;

/* Per-fingerprint figures of the insert and cache detectors. */
typedef struct seq_fingerprint
{
	const struct query_stats *query;
	seq_kind	kind;
	int			values_width;	/* SEQ_KIND_SINGLE_INSERT: items in its VALUES row */
	/* unbatched-insert: runs of >= min_rows single-row INSERTs */
	uint64_t	insert_runs;
	uint64_t	insert_rows;
	uint64_t	insert_runs_own_xact;	/* every row its own transaction */
	double		insert_ms;
	int64_t		insert_first_ts,
				insert_last_ts;
	seq_example insert_example;
	/* cacheable-query: the simulated TTL cache */
	uint64_t	cache_hits;
	uint64_t	cache_misses;
	double		cache_hit_ms;
	/* the tables' own: its keys in the TTL cache (session_cache.h), its place in the list */
	uint32_t	cache_keys;		/* its first key: entry number + 1 in the cache, 0: none */
	size_t		index;
	struct seq_fingerprint *merged_into;	/* while merged into other tables: its entry there */
} seq_fingerprint;

typedef struct session_patterns session_patterns;

/* The defaults (max gap 1 s, 5 repeats, 5 distinct, 10 rows, TTL 60 s, runs across transactions). */
session_pattern_options session_pattern_options_default(void);

/*
 * New empty tables with these options (NULL: the defaults), classifying
 * the fingerprints they meet through classifier (the model's cache, which
 * outlives them): with parallel parts sharing a resolver, a text another
 * part classified is not parsed again.
 */
session_patterns *session_patterns_create(const session_pattern_options *opts, fingerprint_cache *classifier);
void		session_patterns_destroy(session_patterns *p);

const session_pattern_options *session_patterns_options(const session_patterns *p);

/*
 * Account for the statement just pushed as the newest item of w (its
 * duration, params, xid and vxid are in the item), of fingerprint q;
 * raw[0..raw_len) is its text as logged, which stands for its parameters
 * when it has none (simple protocol).  Closes w's run when the statement
 * does not continue it; transaction control only marks the transaction's
 * bounds.  Hot path: a hash and a few comparisons.
 */
void		session_patterns_observe(session_patterns *p, struct session_window *w,
									 struct query_stats *q, const char *raw, size_t raw_len);

/* Close w's open run (its session ends or the input does). */
void		session_patterns_close(session_patterns *p, struct session_window *w);

/*
 * The bounded table (query_stats.h, workload.h).  A light entry takes part
 * in runs (as a run's first statement, or a parent) but has no figures of
 * its own until it is heavy and seen again (or merged), when the
 * execution it had while light is counted in the TTL cache; complete
 * gives every loop's parent and child their figures, before the rules
 * read the tables; forget drops the figures and cache keys of q, an entry being
 * evicted (loops point only at pinned entries, never evicted), its keys'
 * memory kept for reuse.
 */
void		session_patterns_complete(session_patterns *p);

/*
 * Merge support: q, of p's model, had in a later part of the log one
 * execution, first, seen while light there: give q its figures (with the
 * execution q had while light, if any) and count first in the TTL cache.
 */
void		session_patterns_add_first_seen(session_patterns *p, struct query_stats *q,
											const session_first_seen *first);
void		session_patterns_forget(session_patterns *p, struct query_stats *q);

/* The loops, in no particular order; owned by p. */
seq_loop  **session_patterns_loops(const session_patterns *p, size_t *n);

/* The fingerprints classified so far (every kind); owned by p. */
seq_fingerprint **session_patterns_fingerprints(const session_patterns *p, size_t *n);

/* Loops dropped because SEQ_MAX_LOOPS were kept, and cache keys evicted. */
uint64_t	session_patterns_loops_dropped(const session_patterns *p);
uint64_t	session_patterns_cache_evictions(const session_patterns *p);

/*
 * Fold src (a later part of the same log) into dst: figures add up,
 * examples keep the larger, and a cache key filled in dst within the TTL
 * before src first saw it turns src's first miss into a hit.  Runs open
 * in either part at the boundary were closed there (a run cut in two may
 * fall under the thresholds).  map gives, for a fingerprint's stats in
 * src's model, the same fingerprint's stats in dst's (found or created).
 */
typedef struct query_stats *(*session_query_map) (void *ctx, const struct query_stats *q);

void		session_patterns_merge(session_patterns *dst, session_query_map map, void *map_ctx,
								   session_patterns *src);

/*
 * Store support: q's figures, created when new with all figures zero, of
 * the given kind and values_width (SEQ_KIND_UNKNOWN: q is classified from
 * its text).  The caller may set the figures and give the example
 * malloc'd strings (values an array of SEQ_EXAMPLE_VALUES); p frees them.
 */
seq_fingerprint *session_patterns_fingerprint_for(session_patterns *p, struct query_stats *q,
												  seq_kind kind, int values_width);

/*
 * Store support: the loop of (parent, child), both classified, created
 * with zero figures when new; NULL (counted as dropped) once SEQ_MAX_LOOPS
 * are kept.  Its example is owned by p as above.
 */
seq_loop   *session_patterns_loop_for(session_patterns *p, struct query_stats *parent,
									  struct query_stats *child);

/* Store support: add to the counts of dropped loops and evicted cache keys. */
void		session_patterns_add_dropped(session_patterns *p, uint64_t loops_dropped,
										 uint64_t cache_evictions);

#endif
