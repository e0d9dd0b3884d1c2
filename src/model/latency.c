/*-------------------------------------------------------------------------
 * latency.c
 *    Half-decade buckets of statement durations (latency.h).
 *
 * The bounds are a table of constants rather than powers computed with
 * pow(), so a duration falls in the same bucket on every platform and the
 * report's histogram is the same bytes for the same log.
 *-------------------------------------------------------------------------
 */
#include "src/model/latency.h"

#include <math.h>

/*
 * bounds[i] is the lower bound of bucket i + 1, in ms: 10^(i/2 - 3), as
 * the same doubles as every fifth bound of minute_latency.c's finer scale
 * up to 10^6, so that minute_latency_coarse and this agree to the last bit.
 */
static const double bounds[LATENCY_BUCKETS - 1] = {
	0.001, 0.0031622776601683794, 0.01, 0.03162277660168379,
	0.1, 0.31622776601683794, 1.0, 3.1622776601683795,
	10.0, 31.622776601683793, 100.0, 316.22776601683796,
	1000.0, 3162.2776601683795, 10000.0, 31622.776601683792,
	100000.0, 316227.7660168379, 1000000.0, 3.1622776601683795e6,
	1e7
};

int
latency_bucket_in(const double *lower_bounds, int nbounds, double ms)
{
	int			lo = 0,
				hi = nbounds;

	if (!(ms >= lower_bounds[0]))
		return 0;
	/* the last bucket whose lower bound is <= ms */
	while (lo < hi)
	{
		int			mid = (lo + hi + 1) / 2;

		if (lower_bounds[mid - 1] <= ms)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int
latency_bucket(double ms)
{
	return latency_bucket_in(bounds, LATENCY_BUCKETS - 1, ms);
}

double
latency_bucket_lower(int i)
{
	return i <= 0 ? 0 : bounds[i - 1];
}

double
latency_bucket_upper(int i)
{
	return i >= LATENCY_BUCKETS - 1 ? INFINITY : bounds[i];
}
