/*-------------------------------------------------------------------------
 * sketch.h
 *    Mergeable, bounded-memory quantile sketch for durations in ms.
 *
 * A log-bucketed histogram in the manner of DDSketch: every quantile it
 * reports is within 1% (relative) of the true value at that rank, whatever
 * the distribution, and two sketches of two parts of a log merge into the
 * sketch of the whole.  Memory stays under SKETCH_MAX_BUCKETS counters; see
 * docs/sketch.md for the guarantee, the bound and the blob format.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SKETCH_H
#define PGSIFT_SKETCH_H

#include <stddef.h>
#include <stdint.h>

/* Relative accuracy of every quantile answer. */
#define SKETCH_ALPHA		0.01

/*
 * Most buckets a sketch keeps.  They span a factor of about 6e17 between
 * the smallest and the largest value, so no real set of durations reaches
 * the bound; if one does, the lowest buckets are folded together.
 */
#define SKETCH_MAX_BUCKETS	2048

/* Values at or below this (ms, including 0 and negatives) share one bucket. */
#define SKETCH_MIN_INDEXABLE 1e-6

typedef struct quantile_sketch quantile_sketch;

/* A new empty sketch; free with sketch_free.  Aborts if out of memory. */
quantile_sketch *sketch_create(void);

/*
 * sketch_add in two steps, for a hot path with other work to do between
 * them: for a model of many queries their sketches are rarely in cache.
 * sketch_prefetch asks the CPU to fetch the counter v will go to and
 * returns v's bucket; sketch_add_bucket(s, v, that bucket) then counts v
 * as sketch_add would, without working the bucket out again.
 */
int32_t		sketch_prefetch(const quantile_sketch *s, double v);
void		sketch_add_bucket(quantile_sketch *s, double v, int32_t bucket);

/*
 * Count one value.  NaN and infinities are ignored (they are not
 * durations); everything else is counted, and min, max and sum are exact.
 */
void		sketch_add(quantile_sketch *s, double v);

/*
 * The value at quantile q (0 <= q <= 1): the value of nearest rank
 * ceil(q * count) (1-based) in sorted order, within SKETCH_ALPHA relative
 * error, and never outside the exact [min, max]; the first and last ranks
 * give the exact min and max.  NaN for an empty sketch or a q outside
 * [0, 1].
 */
double		sketch_quantile(const quantile_sketch *s, double q);

/* Values counted so far. */
uint64_t	sketch_count(const quantile_sketch *s);

/*
 * Add every value of src into dst (src is unchanged; the two must be
 * different sketches).  The result has the same buckets as one sketch fed
 * both sets of values, in any order.
 */
/*
 * How many values are at most v: exact below the minimum and from the
 * maximum up, otherwise counted by bucket, so a value within 1% of v may
 * fall on either side.
 */
uint64_t	sketch_count_at_most(const quantile_sketch *s, double v);

void		sketch_merge(quantile_sketch *dst, const quantile_sketch *src);

/*
 * Encode s as a portable little-endian blob (for the SQLite store).  *out
 * gets a malloc'd buffer the caller frees; returns its length.  Equal
 * sketches give byte-identical blobs.
 */
size_t		sketch_serialize(const quantile_sketch *s, unsigned char **out);

/*
 * Decode a blob made by sketch_serialize.  Returns a new sketch, or NULL if
 * the blob is truncated, corrupt, or of another format version.
 */
quantile_sketch *sketch_deserialize(const unsigned char *blob, size_t len);

/* Bytes of heap the sketch holds (struct plus counters). */
size_t		sketch_memory(const quantile_sketch *s);

/* Free the sketch; NULL is allowed. */
void		sketch_free(quantile_sketch *s);

#endif
