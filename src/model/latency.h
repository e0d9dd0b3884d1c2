/*-------------------------------------------------------------------------
 * latency.h
 *    Statement durations counted in half-decade buckets.
 *
 * The report's latency histogram needs the distribution of every
 * statement's duration, not of each fingerprint's: a fixed array of
 * counts, one per half-decade (1 µs, 3.16 µs, 10 µs, ... 10^7 ms), with
 * an underflow and an overflow bucket.  Counts add, so two parts of a log
 * merge by adding them and a store keeps them as named counters.  The
 * bounds never change: a store keys each count by its bucket's index.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_LATENCY_H
#define PGSIFT_LATENCY_H

#include <stdint.h>

/* Bucket 0: below 10^-3 ms; bucket i: [10^((i-7)/2), 10^((i-6)/2)) ms; the last: 10^7 ms and more. */
#define LATENCY_BUCKETS 22

/*
 * The bucket of ms among nbounds + 1 buckets whose lower bounds, after
 * bucket 0's, are lower_bounds[0..nbounds) ascending: 0 below the first
 * (and for a NaN), i for lower_bounds[i - 1] <= ms < lower_bounds[i].
 * A binary search, shared by the histograms of durations.
 */
int			latency_bucket_in(const double *lower_bounds, int nbounds, double ms);

/* The bucket of a duration in ms (a NaN or negative one counts in bucket 0). */
int			latency_bucket(double ms);

/* The lower bound of bucket i in ms: 0 for bucket 0. */
double		latency_bucket_lower(int i);

/* The upper bound of bucket i in ms: INFINITY for the last. */
double		latency_bucket_upper(int i);

#endif
