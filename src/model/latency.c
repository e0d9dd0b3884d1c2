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

/* bounds[i] is the lower bound of bucket i + 1, in ms: 10^(i/2 - 3). */
static const double bounds[LATENCY_BUCKETS - 1] = {
	1e-3, 3.1622776601683795e-3, 1e-2, 3.1622776601683795e-2,
	1e-1, 3.1622776601683795e-1, 1e0, 3.1622776601683795e0,
	1e1, 3.1622776601683795e1, 1e2, 3.1622776601683795e2,
	1e3, 3.1622776601683795e3, 1e4, 3.1622776601683795e4,
	1e5, 3.1622776601683795e5, 1e6, 3.1622776601683795e6,
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
