/*-------------------------------------------------------------------------
 * query_stats.h
 *    What the model keeps of one fingerprint: its figures, the names it
 *    ran under, and its slowest executions with what is needed to replay
 *    them.
 *
 * Apart from workload.h so that the session-sequence tables, which point
 * at a fingerprint's stats, need not include the whole model.
 *
 * An entry starts light when the model's table is bounded (workload.h,
 * max_fingerprints): its counts, total, min and max, names and one sample,
 * and the statement it was first seen with instead of a normalized text;
 * no duration sketch, no sequence figures.  Its second statement makes it
 * heavy: the text is normalized, and a sketch is started with the first
 * duration, which a light entry knows exactly (one timed call: its min),
 * so its quantiles are as exact as any other's.  Nothing outside the
 * model ever sees a light entry: the read functions (workload_queries,
 * workload_patterns) make every entry heavy first.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_QUERY_STATS_H
#define PGSIFT_QUERY_STATS_H

#include "src/lib/sketch.h"
#include "src/model/query_series.h"
#include "src/model/session_run.h"
#include "src/sql/statement_traits.h"

#include <stddef.h>
#include <stdint.h>

#define WORKLOAD_SAMPLES		5	/* slowest executions kept per fingerprint */
#define WORKLOAD_NAMES			8	/* databases/users/apps kept per fingerprint */

/* One slow execution, with what is needed to replay it. */
typedef struct query_sample
{
	double		duration_ms;
	int64_t		ts_ms;
	char	   *query;			/* the statement as logged (malloc'd) */
	char	   *params;			/* DETAIL parameters text or NULL (malloc'd) */
	const char *database;		/* these three interned in the model (workload_intern), or NULL */
	const char *user;
	const char *file;
	uint64_t	line;
} query_sample;

/* A name (database, user, app) and how many executions ran under it. */
typedef struct name_count
{
	const char *name;			/* interned in the model */
	uint64_t	count;
} name_count;

struct query_shape;

typedef struct query_stats
{
	/* what the table's eviction reads of every entry, together in one cache line */
	uint64_t	fingerprint;
	int			parsed;
	uint32_t	mark;			/* scratch of the model's passes (merges) */
	uint64_t	calls;			/* timed executions */
	uint64_t	untimed_calls;	/* logged without a duration */
	double		total_ms;
	/*
	 * Bounded table (workload.h): what this fingerprint may have had before
	 * the entry was admitted, folded into the "other" row with an evicted
	 * entry of it or never seen.  Its true total time is within
	 * [total_ms, total_ms + error_ms], its true statement count (timed and
	 * untimed) within error_calls above calls + untimed_calls.  0: exact.
	 */
	double		error_ms;
	uint64_t	error_calls;
	const char *normalized;		/* malloc'd; NULL while the entry is light */
	double		min_ms;
	double		max_ms;
	quantile_sketch *sketch;	/* NULL while the entry is light */
	query_series *series;		/* calls over time; NULL while the entry is light */
	uint64_t	parse_count;
	double		parse_ms;
	uint64_t	bind_count;
	double		bind_ms;
	uint64_t	errors;			/* failed executions (ERROR with this statement) */
	int64_t		first_ts;
	int64_t		last_ts;
	int			ndatabases,
				nusers,
				napps;
	name_count	databases[WORKLOAD_NAMES];
	name_count	users[WORKLOAD_NAMES];
	name_count	apps[WORKLOAD_NAMES];
	int			nsamples;		/* sorted, slowest first */
	query_sample samples[WORKLOAD_SAMPLES];
	char	   *plan;			/* slowest auto_explain plan (malloc'd) or NULL */
	int			plan_is_json;
	double		plan_ms;
	struct seq_fingerprint *seq;	/* sequence detectors' figures (session_patterns.h) */
	seq_kind	traits_kind;	/* classified with its shape, or SEQ_KIND_UNKNOWN */
	int			traits_width;	/* VALUES width when traits_kind says single insert */
	/* the model's own bookkeeping */
	char	   *pending_text;	/* a light entry's first statement (malloc'd); NULL: heavy */
	size_t		pending_len;
	struct query_shape *shape;	/* its shape in the model's cache, or NULL */
	session_first_seen first_seen;	/* a light entry's first execution, for the TTL cache */
	struct query_stats *next_free;	/* on the model's free list */
	uint32_t	generation;		/* bumped each time the model reuses this memory for an entry */
	uint32_t	count_index;	/* its place in the model's array of counts */
} query_stats;

/*
 * Longest statement text a sample keeps.  A longer one keeps its first
 * bytes (cut at a character boundary) and ends with QUERY_SAMPLE_CUT_MARK
 * and the sizes; such a sample is shown, never replayed.
 */
#define WORKLOAD_SAMPLE_TEXT_MAX	(1024 * 1024)
#define QUERY_SAMPLE_CUT_MARK		"\n-- pgsift: statement cut at "

/*
 * A sample's copy of query[0..len): whole, or cut as WORKLOAD_SAMPLE_TEXT_MAX
 * says (malloc'd).
 */
char	   *query_sample_text(const char *query, size_t len);

/* Whether s's statement text was cut (WORKLOAD_SAMPLE_TEXT_MAX). */
int			query_sample_is_cut(const query_sample *s);

/* Free what s holds (not s). */
void		query_sample_free(query_sample *s);

/* Free what q holds (not q itself, which its model frees). */
void		query_stats_free(query_stats *q);

/* Whether q is light (see the top of this file). */
static inline int
query_stats_is_light(const query_stats *q)
{
	return q->pending_text != NULL;
}

/* Quantile of a query's durations (NaN when no timed call). */
double		query_stats_quantile(const query_stats *q, double quantile);

#endif
