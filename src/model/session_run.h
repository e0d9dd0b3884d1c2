/*-------------------------------------------------------------------------
 * session_run.h
 *    The sequence detectors' state in one open session: the run of one
 *    fingerprint in progress, and what precedes it.
 *
 * Embedded in each session's window (session_window.h), written by the
 * detectors (session_patterns.c); apart from both so that neither header
 * includes the other.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SESSION_RUN_H
#define PGSIFT_SESSION_RUN_H

#include <stdint.h>

#define SEQ_RUN_HASHES		32	/* distinct parameter sets counted exactly per run */

struct query_stats;

/* A run in progress; embedded in each session's window (zero: none). */
typedef struct session_run
{
	const struct query_stats *query;	/* the run's fingerprint, NULL: none */
	const struct query_stats *parent;	/* statement before the run, or NULL */
	int			multirow;		/* INSERTs of several rows: 1, of one: 0, not known yet: -1 */
	uint32_t	count;
	uint32_t	distinct;		/* distinct parameter sets (see SEQ_RUN_HASHES) */
	uint32_t	nhashes;
	uint32_t	same_xact;		/* consecutive pairs in one transaction */
	double		total_ms;
	int64_t		first_ts,
				last_ts,
				max_gap_ms;
	uint64_t	first_at,		/* the window's total when its first and last statements were pushed */
				last_at;
	uint32_t	last_mark;		/* the session's marks at the last statement */
	uint64_t	hashes[SEQ_RUN_HASHES];
} session_run;

/*
 * A light fingerprint's first execution with a time (query_stats.h), kept
 * so that the simulated TTL cache can count it once the fingerprint is
 * classified.
 */
typedef struct session_first_seen
{
	int			known;			/* 0: none */
	uint64_t	hash;			/* of its parameters, or of its text */
	int64_t		ts;
	double		ms;
} session_first_seen;

/* Per-session sequence state. */
typedef struct session_seq
{
	session_run run;
	const struct query_stats *last;	/* last statement that can be a parent */
	int64_t		last_ts;
	uint64_t	last_at;		/* the window's total when that statement was pushed */
	uint32_t	last_mark;		/* marks at that statement */
	uint32_t	marks;			/* transaction control statements seen */
	int			in_block;		/* inside BEGIN ... COMMIT as far as the log shows */
} session_seq;

#endif
