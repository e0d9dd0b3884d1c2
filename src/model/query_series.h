/*-------------------------------------------------------------------------
 * query_series.h
 *    A query's calls over time, in a fixed number of buckets.
 *
 * The HTML report draws each listed query's activity as a sparkline over
 * the log's period.  A query keeps QUERY_SERIES_BUCKETS counts whose width
 * is an hour times a power of two: when a call falls past the last bucket,
 * the width doubles and neighbouring buckets are added together, so the
 * state is the same 200 bytes for an hour of log or a year of it: 48
 * hourly buckets cover two days, a longer period is counted two-hourly,
 * four-hourly and so on.  A bucket starts at a multiple of its width from the Unix epoch, so the
 * buckets of two series of the same width line up, and any series maps
 * exactly into buckets at least as wide.  Two series merge by adding
 * (parts of a log read with -j N, a run resumed from a store).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_QUERY_SERIES_H
#define PGSIFT_QUERY_SERIES_H

#include <stdint.h>

#define QUERY_SERIES_BUCKETS	48
#define QUERY_SERIES_HOUR_MS	3600000LL

typedef struct query_series
{
	int64_t		start_ms;		/* start of bucket 0; a multiple of width_ms */
	int64_t		width_ms;		/* an hour << k; 0 while empty */
	uint32_t	calls[QUERY_SERIES_BUCKETS];
} query_series;

/* Count one call at ts_ms (LOG_TS_UNKNOWN or negative times are not counted). */
void		query_series_add(query_series *s, int64_t ts_ms, uint32_t calls);

/* Add src's counts to dst's (either may be empty). */
void		query_series_merge(query_series *dst, const query_series *src);

/*
 * The calls in [from_ms, from_ms + width_ms) for n buckets of width_ms
 * from from_ms into out[0..n): width_ms an hour << k no narrower than s's
 * and from_ms a multiple of it (query_series_display_width gives one),
 * so that each of s's buckets falls in exactly one.
 */
void		query_series_rebin(const query_series *s, int64_t from_ms, int64_t width_ms, int n, double *out);

/*
 * The width (an hour << k) and start of the fewest buckets, at most
 * QUERY_SERIES_BUCKETS, that hold [first_ms, last_ms] and are no narrower
 * than min_width_ms (the widest of the series to draw; 0: an hour); the
 * number of buckets is returned, 0 if the period is unknown.
 */
int			query_series_display_width(int64_t first_ms, int64_t last_ms, int64_t min_width_ms,
									   int64_t *from_ms, int64_t *width_ms);

/* Serialise s as text ("start width c0,c1,...") into buf[len]; the length written. */
int			query_series_format(const query_series *s, char *buf, int len);

/* Read what query_series_format wrote; 0, or -1 (s left empty) if malformed. */
int			query_series_parse(query_series *s, const char *text);

#endif
