/*-------------------------------------------------------------------------
 * minute_latency.h
 *    A compact histogram of statement durations, kept per minute, for
 *    percentiles over any span of minutes.
 *
 * The per-fingerprint sketches give exact-to-1% quantiles for a whole
 * period, but the report also wants the p95 of each bucket of time, and
 * a sketch per minute would cost kilobytes.  This is a fixed array of
 * counts in log-spaced buckets, ten per decade (each bucket's upper bound
 * is MINUTE_LATENCY_RATIO = 10^0.1 ~ 1.259 times its lower) from 1 µs to
 * 1000 s, with an underflow and an overflow bucket: 92 uint32 counts, 368
 * bytes a minute.  Counts add, so histograms of minutes (or of two parts
 * of a log, or of a store and a new run) merge by adding, in any order,
 * with the same result.
 *
 * A quantile is the geometric midpoint of the bucket holding the rank's
 * statement, so the exact quantile x and the estimate e satisfy
 * e / sqrt(R) <= x < e * sqrt(R): known to within one bucket's ratio R
 * (about 12% either way).  Below 1 µs and from 1000 s the estimate is the
 * bound itself (1 µs, 1000 s).
 *
 * The half-decade buckets of latency.h stay for the whole log's histogram
 * (a store keys them by index); they are too coarse for a p95 (a factor
 * 3.16), hence this finer scale.  Its bounds never change either: the
 * stored form names the scale by a version byte.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MINUTE_LATENCY_H
#define PGSIFT_MINUTE_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#define MINUTE_LATENCY_PER_DECADE	10
/* Bucket 0: below 10^-3 ms; bucket i: [10^((i-31)/10), 10^((i-30)/10)) ms; bucket 91: 10^6 ms and more. */
#define MINUTE_LATENCY_BUCKETS		92
/* The ratio of a bucket's upper bound to its lower: 10^(1/10). */
#define MINUTE_LATENCY_RATIO		1.2589254117941673
/* The longest stored form (minute_latency_encode). */
#define MINUTE_LATENCY_ENCODED_MAX	(1 + 5 * MINUTE_LATENCY_BUCKETS)

typedef struct minute_latency
{
	uint32_t	counts[MINUTE_LATENCY_BUCKETS];
} minute_latency;

/* The bucket of a duration in ms (a NaN or negative one counts in bucket 0). */
int			minute_latency_bucket(double ms);

/* The lower bound of bucket i in ms (0 for bucket 0); the upper (INFINITY for the last). */
double		minute_latency_lower(int i);
double		minute_latency_upper(int i);

/* Count one duration in ms; a count that would pass UINT32_MAX stays there. */
void		minute_latency_add(minute_latency *h, double ms);

/* The same for a duration whose bucket (minute_latency_bucket) is known. */
void		minute_latency_add_bucket(minute_latency *h, int bucket);

/*
 * The half-decade bucket (latency.h) of a duration ms that falls in bucket
 * of this scale: five of these buckets make one of those below 1000 s, so
 * it is a division, and only the overflow bucket reads ms.  A statement's
 * duration is then looked up once for both histograms.
 */
int			minute_latency_coarse(int bucket, double ms);

/* Add src's counts to dst's (saturating like minute_latency_add). */
void		minute_latency_merge(minute_latency *dst, const minute_latency *src);

/* The number of durations counted. */
uint64_t	minute_latency_count(const minute_latency *h);

/*
 * The q-quantile (0 < q <= 1) of the durations counted, in ms, by nearest
 * rank (the ceil(q * count)-th smallest), to within one bucket's ratio as
 * above; NAN when h counts none.
 */
double		minute_latency_quantile(const minute_latency *h, double q);

/*
 * The stored form of h into buf (MINUTE_LATENCY_ENCODED_MAX bytes at
 * least): a version byte (1), then for each bucket with a count, in
 * order, its index (one byte) and its count (4 bytes, little-endian).
 * Returns the length written.
 */
size_t		minute_latency_encode(const minute_latency *h, unsigned char *buf);

/*
 * Read a stored form of len bytes into h (replacing its counts).  Returns
 * 0, or -1 when buf is not one (unknown version, bad length, indices out
 * of range or out of order); h is then all zeros.
 */
int			minute_latency_decode(minute_latency *h, const unsigned char *buf, size_t len);

#endif
