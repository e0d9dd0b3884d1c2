/*-------------------------------------------------------------------------
 * minute_latency.c
 *    Log-spaced histograms of statement durations (minute_latency.h).
 *
 * The bounds are a table of constants rather than powers computed with
 * pow(), so a duration falls in the same bucket on every platform and
 * the report's p95 per bucket is the same bytes for the same log.  The
 * hot path (one call per timed statement) is a binary search of it:
 * seven comparisons.
 *-------------------------------------------------------------------------
 */
#include "src/model/minute_latency.h"

#include "src/model/latency.h"

#include <math.h>
#include <string.h>

#define NBOUNDS (MINUTE_LATENCY_BUCKETS - 1)
#define ENCODING_VERSION 1

/* bounds[i] is the lower bound of bucket i + 1, in ms: 10^(i/10 - 3). */
static const double bounds[NBOUNDS] = {
	0.001, 0.0012589254117941675, 0.001584893192461114, 0.001995262314968879, 0.0025118864315095794,
	0.0031622776601683794, 0.003981071705534973, 0.005011872336272725, 0.00630957344480193, 0.007943282347242814,
	0.01, 0.012589254117941675, 0.015848931924611134, 0.0199526231496888, 0.025118864315095794,
	0.03162277660168379, 0.039810717055349734, 0.05011872336272722, 0.06309573444801933, 0.07943282347242814,
	0.1, 0.12589254117941673, 0.15848931924611134, 0.19952623149688797, 0.251188643150958,
	0.31622776601683794, 0.3981071705534972, 0.5011872336272722, 0.6309573444801932, 0.7943282347242815,
	1.0, 1.2589254117941673, 1.5848931924611136, 1.9952623149688795, 2.51188643150958,
	3.1622776601683795, 3.9810717055349722, 5.011872336272722, 6.309573444801933, 7.943282347242816,
	10.0, 12.589254117941675, 15.848931924611133, 19.952623149688797, 25.118864315095795,
	31.622776601683793, 39.810717055349734, 50.11872336272722, 63.09573444801933, 79.43282347242814,
	100.0, 125.89254117941675, 158.48931924611142, 199.52623149688787, 251.18864315095797,
	316.22776601683796, 398.1071705534973, 501.18723362727246, 630.957344480193, 794.3282347242813,
	1000.0, 1258.9254117941675, 1584.893192461114, 1995.2623149688789, 2511.88643150958,
	3162.2776601683795, 3981.0717055349733, 5011.872336272725, 6309.57344480193, 7943.282347242814,
	10000.0, 12589.254117941662, 15848.93192461114, 19952.62314968879, 25118.864315095823,
	31622.776601683792, 39810.71705534969, 50118.72336272725, 63095.7344480193, 79432.82347242821,
	100000.0, 125892.54117941661, 158489.3192461114, 199526.2314968879, 251188.6431509582,
	316227.7660168379, 398107.1705534969, 501187.2336272725, 630957.344480193, 794328.2347242822,
	1000000.0
};

int
minute_latency_bucket(double ms)
{
	return latency_bucket_in(bounds, NBOUNDS, ms);
}

double
minute_latency_lower(int i)
{
	return i <= 0 ? 0 : bounds[i - 1];
}

double
minute_latency_upper(int i)
{
	return i >= NBOUNDS ? INFINITY : bounds[i];
}

static void
add_count(uint32_t *c, uint32_t n)
{
	*c = n > UINT32_MAX - *c ? UINT32_MAX : *c + n;
}

void
minute_latency_add(minute_latency *h, double ms)
{
	add_count(&h->counts[minute_latency_bucket(ms)], 1);
}

void
minute_latency_add_bucket(minute_latency *h, int bucket)
{
	add_count(&h->counts[bucket], 1);
}

int
minute_latency_coarse(int bucket, double ms)
{
	if (bucket <= 0)
		return 0;
	if (bucket >= MINUTE_LATENCY_BUCKETS - 1)
		return latency_bucket(ms);
	return (bucket - 1) / (MINUTE_LATENCY_PER_DECADE / 2) + 1;
}

void
minute_latency_merge(minute_latency *dst, const minute_latency *src)
{
	for (int i = 0; i < MINUTE_LATENCY_BUCKETS; i++)
		if (src->counts[i])
			add_count(&dst->counts[i], src->counts[i]);
}

uint64_t
minute_latency_count(const minute_latency *h)
{
	uint64_t	n = 0;

	for (int i = 0; i < MINUTE_LATENCY_BUCKETS; i++)
		n += h->counts[i];
	return n;
}

/* The value a quantile falling in bucket i is given as. */
static double
bucket_estimate(int i)
{
	if (i == 0)
		return bounds[0];
	if (i == NBOUNDS)
		return bounds[NBOUNDS - 1];
	return sqrt(bounds[i - 1] * bounds[i]);
}

double
minute_latency_quantile(const minute_latency *h, double q)
{
	uint64_t	n = minute_latency_count(h),
				rank,
				seen = 0;

	if (n == 0)
		return NAN;
	rank = (uint64_t) ceil(q * (double) n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	for (int i = 0; i < MINUTE_LATENCY_BUCKETS; i++)
	{
		seen += h->counts[i];
		if (seen >= rank)
			return bucket_estimate(i);
	}
	return bucket_estimate(NBOUNDS);	/* not reached: seen ends at n */
}

size_t
minute_latency_encode(const minute_latency *h, unsigned char *buf)
{
	size_t		len = 0;

	buf[len++] = ENCODING_VERSION;
	for (int i = 0; i < MINUTE_LATENCY_BUCKETS; i++)
	{
		uint32_t	c = h->counts[i];

		if (c == 0)
			continue;
		buf[len++] = (unsigned char) i;
		for (int b = 0; b < 4; b++)
			buf[len++] = (unsigned char) (c >> (8 * b));
	}
	return len;
}

int
minute_latency_decode(minute_latency *h, const unsigned char *buf, size_t len)
{
	int			last = -1;

	memset(h, 0, sizeof(*h));
	if (buf == NULL || len < 1 || buf[0] != ENCODING_VERSION || (len - 1) % 5 != 0)
		return -1;
	for (size_t at = 1; at < len; at += 5)
	{
		int			i = buf[at];
		uint32_t	c = 0;

		if (i >= MINUTE_LATENCY_BUCKETS || i <= last)
		{
			memset(h, 0, sizeof(*h));
			return -1;
		}
		for (int b = 0; b < 4; b++)
			c |= (uint32_t) buf[at + 1 + b] << (8 * b);
		h->counts[i] = c;
		last = i;
	}
	return 0;
}
