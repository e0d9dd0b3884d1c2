/*-------------------------------------------------------------------------
 * query_series.c
 *    A query's calls over time, in a fixed number of buckets.
 *
 * See query_series.h.  Widening adds bucket pairs that share a bucket of
 * the doubled width: since starts are multiples of the width from the
 * epoch, bucket i of width w lies wholly in bucket floor(start_i / 2w).
 *-------------------------------------------------------------------------
 */
#include "src/model/query_series.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* floor(a / b) for b > 0 */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Double the width of s, keeping every count in the bucket holding it. */
static void
widen(query_series *s)
{
	uint32_t	calls[QUERY_SERIES_BUCKETS] = {0};
	int64_t		width = s->width_ms * 2;
	int64_t		start = floor_div(s->start_ms, width) * width;

	for (int i = 0; i < QUERY_SERIES_BUCKETS; i++)
	{
		int64_t		at = s->start_ms + (int64_t) i * s->width_ms;

		calls[(at - start) / width] += s->calls[i];
	}
	memcpy(s->calls, calls, sizeof(calls));
	s->start_ms = start;
	s->width_ms = width;
}

/* Move bucket 0 of s earlier so that it starts at start (a multiple of the width), if the counts still fit. */
static int
shift_start(query_series *s, int64_t start)
{
	int64_t		by = (s->start_ms - start) / s->width_ms;

	if (by <= 0)
		return 1;
	for (int64_t i = QUERY_SERIES_BUCKETS - by; i < QUERY_SERIES_BUCKETS; i++)
		if (i >= 0 && s->calls[i] != 0)
			return 0;
	if (by >= QUERY_SERIES_BUCKETS)
		memset(s->calls, 0, sizeof(s->calls));
	else
	{
		memmove(s->calls + by, s->calls, (size_t) (QUERY_SERIES_BUCKETS - by) * sizeof(uint32_t));
		memset(s->calls, 0, (size_t) by * sizeof(uint32_t));
	}
	s->start_ms = start;
	return 1;
}

/* The index of the last bucket with a count, -1 if none. */
static int
last_used(const query_series *s)
{
	for (int i = QUERY_SERIES_BUCKETS - 1; i >= 0; i--)
		if (s->calls[i])
			return i;
	return -1;
}

void
query_series_add(query_series *s, int64_t ts_ms, uint32_t calls)
{
	if (ts_ms < 0 || calls == 0)
		return;
	if (s->width_ms == 0)
	{
		s->width_ms = QUERY_SERIES_HOUR_MS;
		s->start_ms = floor_div(ts_ms, s->width_ms) * s->width_ms;
	}
	for (;;)
	{
		int64_t		bucket_start = floor_div(ts_ms, s->width_ms) * s->width_ms;

		if (bucket_start < s->start_ms)
		{
			/* earlier than bucket 0 (logs merged out of order): move the window back if it can */
			int			last = last_used(s);

			if (last < 0 || (s->start_ms - bucket_start) / s->width_ms + last < QUERY_SERIES_BUCKETS)
			{
				if (last < 0)
					s->start_ms = bucket_start;
				else
					(void) shift_start(s, bucket_start);
				continue;
			}
			widen(s);
			continue;
		}
		int64_t		i = (bucket_start - s->start_ms) / s->width_ms;

		if (i < QUERY_SERIES_BUCKETS)
		{
			s->calls[i] += calls;
			return;
		}
		/* past the last bucket: drop empty leading buckets first, else widen */
		int			first = 0;

		while (first < QUERY_SERIES_BUCKETS && s->calls[first] == 0)
			first++;
		if (first == QUERY_SERIES_BUCKETS)
		{
			s->start_ms = bucket_start;
			continue;
		}
		if (i - first < QUERY_SERIES_BUCKETS)
		{
			int64_t		by = i - (QUERY_SERIES_BUCKETS - 1);

			memmove(s->calls, s->calls + by, (size_t) (QUERY_SERIES_BUCKETS - by) * sizeof(uint32_t));
			memset(s->calls + QUERY_SERIES_BUCKETS - by, 0, (size_t) by * sizeof(uint32_t));
			s->start_ms += by * s->width_ms;
			continue;
		}
		widen(s);
	}
}

void
query_series_merge(query_series *dst, const query_series *src)
{
	if (src->width_ms == 0)
		return;
	while (dst->width_ms != 0 && dst->width_ms < src->width_ms)
		widen(dst);
	/* each of src's buckets goes in as one add at its start, widening dst as needed */
	for (int i = 0; i < QUERY_SERIES_BUCKETS; i++)
		if (src->calls[i])
		{
			if (dst->width_ms == 0)
			{
				dst->width_ms = src->width_ms;
				dst->start_ms = src->start_ms;
			}
			query_series_add(dst, src->start_ms + (int64_t) i * src->width_ms, src->calls[i]);
		}
}

void
query_series_rebin(const query_series *s, int64_t from_ms, int64_t width_ms, int n, double *out)
{
	for (int k = 0; k < n; k++)
		out[k] = 0;
	if (s->width_ms == 0 || width_ms <= 0)
		return;
	for (int i = 0; i < QUERY_SERIES_BUCKETS; i++)
	{
		int64_t		at = s->start_ms + (int64_t) i * s->width_ms;
		int64_t		k;

		if (s->calls[i] == 0 || at < from_ms)
			continue;
		k = (at - from_ms) / width_ms;
		if (k < n)
			out[k] += s->calls[i];
	}
}

int
query_series_display_width(int64_t first_ms, int64_t last_ms, int64_t min_width_ms, int64_t *from_ms,
						   int64_t *width_ms)
{
	int64_t		width = QUERY_SERIES_HOUR_MS;

	*from_ms = 0;
	*width_ms = 0;
	if (first_ms < 0 || last_ms < first_ms)
		return 0;
	while (width < min_width_ms ||
		   floor_div(last_ms, width) - floor_div(first_ms, width) + 1 > QUERY_SERIES_BUCKETS)
		width *= 2;
	*from_ms = floor_div(first_ms, width) * width;
	*width_ms = width;
	return (int) (floor_div(last_ms, width) - floor_div(first_ms, width) + 1);
}

int
query_series_format(const query_series *s, char *buf, int len)
{
	int			n = snprintf(buf, (size_t) len, "%" PRId64 " %" PRId64 " ", s->start_ms, s->width_ms);

	for (int i = 0; i < QUERY_SERIES_BUCKETS && n < len; i++)
		n += snprintf(buf + n, (size_t) (len - n), "%s%" PRIu32, i ? "," : "", s->calls[i]);
	return n;
}

int
query_series_parse(query_series *s, const char *text)
{
	char	   *end;

	memset(s, 0, sizeof(*s));
	if (text == NULL)
		return -1;
	s->start_ms = strtoll(text, &end, 10);
	if (*end != ' ')
		goto bad;
	s->width_ms = strtoll(end + 1, &end, 10);
	if (*end != ' ' || (s->width_ms != 0 && (s->width_ms < QUERY_SERIES_HOUR_MS ||
											 s->width_ms % QUERY_SERIES_HOUR_MS != 0 ||
											 s->start_ms % s->width_ms != 0)))
		goto bad;
	for (int i = 0; i < QUERY_SERIES_BUCKETS; i++)
	{
		const char *p = end + 1;
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || v > UINT32_MAX || *end != (i + 1 < QUERY_SERIES_BUCKETS ? ',' : '\0'))
			goto bad;
		s->calls[i] = (uint32_t) v;
	}
	return 0;
bad:
	memset(s, 0, sizeof(*s));
	return -1;
}
