/*-------------------------------------------------------------------------
 * test_minute_latency.c
 *    The per-minute latency histogram (src/model/minute_latency.c): its
 *    bounds, its quantiles against exact ones of random data, merging,
 *    its stored form, and the model's minutes keeping it through
 *    workload_merge.
 *
 * The random data is log-uniform over the histogram's range (1 µs to
 * 1000 s) from a fixed seed, so every decade is exercised and a failure
 * repeats; the exact quantile is the nearest-rank one of the sorted data,
 * the definition the histogram states.
 *-------------------------------------------------------------------------
 */
#include "src/model/latency.h"
#include "src/model/minute_latency.h"
#include "tests/model/workload_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NDATA 5000

/* xorshift64*: the same numbers on every platform. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

/* A duration in [1 µs, 1000 s), log-uniform. */
static double
random_ms(uint64_t *state)
{
	double		u = (double) (next_random(state) >> 11) / 9007199254740992.0;

	return pow(10.0, -3.0 + 9.0 * u);
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

static void
test_bounds(void)
{
	CU_ASSERT_EQUAL(minute_latency_bucket(0.0), 0);
	CU_ASSERT_EQUAL(minute_latency_bucket(-1.0), 0);
	CU_ASSERT_EQUAL(minute_latency_bucket(NAN), 0);
	CU_ASSERT_EQUAL(minute_latency_bucket(INFINITY), MINUTE_LATENCY_BUCKETS - 1);
	CU_ASSERT_EQUAL(minute_latency_bucket(1e-3), 1);
	CU_ASSERT_EQUAL(minute_latency_bucket(1e6), MINUTE_LATENCY_BUCKETS - 1);
	for (int i = 1; i < MINUTE_LATENCY_BUCKETS; i++)
	{
		double		lo = minute_latency_lower(i);

		/* a bucket holds its lower bound, the one before holds what is just under it */
		CU_ASSERT_EQUAL(minute_latency_bucket(lo), i);
		CU_ASSERT_EQUAL(minute_latency_bucket(nextafter(lo, 0)), i - 1);
		CU_ASSERT(minute_latency_upper(i - 1) == lo);
		if (i < MINUTE_LATENCY_BUCKETS - 1)
			CU_ASSERT_DOUBLE_EQUAL(minute_latency_upper(i) / lo, MINUTE_LATENCY_RATIO, 1e-9);
	}
	/* ten per decade */
	CU_ASSERT(minute_latency_lower(1 + MINUTE_LATENCY_PER_DECADE) == 1e-2);
	CU_ASSERT(minute_latency_lower(31) == 1.0);
	CU_ASSERT(isinf(minute_latency_upper(MINUTE_LATENCY_BUCKETS - 1)));
}

static void
test_quantile_within_bound(void)
{
	static const double qs[] = {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0};
	double	   *data = malloc(NDATA * sizeof(double));
	double		half = sqrt(MINUTE_LATENCY_RATIO) * (1 + 1e-12);

	for (uint64_t seed = 1; seed <= 5; seed++)
	{
		uint64_t	state = seed * UINT64_C(0x9E3779B97F4A7C15);
		int			n = 100 * (int) seed * (int) seed;	/* 100 to 2500 */
		minute_latency h;

		memset(&h, 0, sizeof(h));
		for (int i = 0; i < n; i++)
		{
			data[i] = random_ms(&state);
			minute_latency_add(&h, data[i]);
		}
		CU_ASSERT_EQUAL(minute_latency_count(&h), (uint64_t) n);
		qsort(data, (size_t) n, sizeof(double), cmp_double);
		for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++)
		{
			size_t		rank = (size_t) ceil(qs[k] * n);
			double		exact = data[rank - 1];
			double		got = minute_latency_quantile(&h, qs[k]);

			/* within one bucket's ratio: half of it either way of the estimate */
			CU_ASSERT(got / half <= exact);
			CU_ASSERT(exact <= got * half);
		}
	}
	free(data);
}

static void
test_quantile_edges(void)
{
	minute_latency h;

	memset(&h, 0, sizeof(h));
	CU_ASSERT(isnan(minute_latency_quantile(&h, 0.95)));
	/* 95 fast statements and 5 slow ones: p95 is the 95th, a fast one; p96 a slow one */
	for (int i = 0; i < 95; i++)
		minute_latency_add(&h, 2.0);
	for (int i = 0; i < 5; i++)
		minute_latency_add(&h, 500.0);
	CU_ASSERT(minute_latency_quantile(&h, 0.95) < 2.0 * MINUTE_LATENCY_RATIO);
	CU_ASSERT(minute_latency_quantile(&h, 0.96) > 500.0 / MINUTE_LATENCY_RATIO);
	/* beyond the range: the bound itself */
	memset(&h, 0, sizeof(h));
	minute_latency_add(&h, 1e-6);
	CU_ASSERT(minute_latency_quantile(&h, 0.5) == 1e-3);
	minute_latency_add(&h, 1e9);
	CU_ASSERT(minute_latency_quantile(&h, 1.0) == 1e6);
	/* counts saturate rather than wrap */
	h.counts[5] = UINT32_MAX - 1;
	minute_latency_add(&h, minute_latency_lower(5));
	minute_latency_add(&h, minute_latency_lower(5));
	CU_ASSERT_EQUAL(h.counts[5], UINT32_MAX);
}

/* One lookup gives both histograms' buckets: the half-decade one is latency_bucket's. */
static void
test_coarse_bucket(void)
{
	static const double edges[] = {NAN, -1, 0, 1e-4, 1e-3, 3.1622776601683795e-3, 0.5, 1, 3.1622776601683795,
	10, 999.99, 1e5, 3.1622776601683795e5, 999999.9, 1e6, 3e6, 3.1622776601683795e6, 1e7, 1e9, INFINITY};

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		CU_ASSERT_EQUAL(minute_latency_coarse(minute_latency_bucket(edges[i]), edges[i]), latency_bucket(edges[i]));
	/* and every bucket's own bounds, and random durations over the whole range */
	for (int b = 1; b < MINUTE_LATENCY_BUCKETS; b++)
	{
		double		lo = minute_latency_lower(b);

		CU_ASSERT_EQUAL(minute_latency_coarse(b, lo), latency_bucket(lo));
		CU_ASSERT_EQUAL(minute_latency_coarse(minute_latency_bucket(nextafter(lo, 0)), nextafter(lo, 0)),
						latency_bucket(nextafter(lo, 0)));
	}
	srand(5);
	for (int i = 0; i < 100000; i++)
	{
		double		ms = pow(10, -4 + 12.0 * rand() / RAND_MAX);

		CU_ASSERT_EQUAL(minute_latency_coarse(minute_latency_bucket(ms), ms), latency_bucket(ms));
	}
}

static void
test_merge_adds(void)
{
	uint64_t	state = 42;
	minute_latency a,
				b,
				both;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&both, 0, sizeof(both));
	for (int i = 0; i < 3000; i++)
	{
		double		ms = random_ms(&state);

		minute_latency_add(i % 3 ? &a : &b, ms);
		minute_latency_add(&both, ms);
	}
	CU_ASSERT(minute_latency_count(&a) > 0 && minute_latency_count(&b) > 0);
	minute_latency_merge(&a, &b);
	CU_ASSERT(memcmp(&a, &both, sizeof(a)) == 0);
	CU_ASSERT(minute_latency_quantile(&a, 0.95) == minute_latency_quantile(&both, 0.95));
}

static void
test_encoding(void)
{
	uint64_t	state = 7;
	minute_latency h,
				back;
	unsigned char buf[MINUTE_LATENCY_ENCODED_MAX];
	size_t		len;

	memset(&h, 0, sizeof(h));
	len = minute_latency_encode(&h, buf);
	CU_ASSERT_EQUAL(len, 1);
	CU_ASSERT_EQUAL(minute_latency_decode(&back, buf, len), 0);
	CU_ASSERT(memcmp(&h, &back, sizeof(h)) == 0);
	for (int i = 0; i < 400; i++)
		minute_latency_add(&h, random_ms(&state) / 1000.0);	/* some below 1 µs too */
	h.counts[MINUTE_LATENCY_BUCKETS - 1] = UINT32_MAX;
	len = minute_latency_encode(&h, buf);
	CU_ASSERT(len > 1 && (len - 1) % 5 == 0 && len <= MINUTE_LATENCY_ENCODED_MAX);
	CU_ASSERT_EQUAL(minute_latency_decode(&back, buf, len), 0);
	CU_ASSERT(memcmp(&h, &back, sizeof(h)) == 0);
	/* damaged forms are refused and leave nothing */
	CU_ASSERT_EQUAL(minute_latency_decode(&back, buf, len - 1), -1);
	CU_ASSERT_EQUAL(minute_latency_count(&back), 0);
	CU_ASSERT_EQUAL(minute_latency_decode(&back, NULL, 0), -1);
	buf[0] = 2;
	CU_ASSERT_EQUAL(minute_latency_decode(&back, buf, len), -1);
	buf[0] = 1;
	buf[1] = MINUTE_LATENCY_BUCKETS;
	CU_ASSERT_EQUAL(minute_latency_decode(&back, buf, len), -1);
	if (len >= 11)
	{
		buf[1] = buf[6];		/* the first index again: out of order */
		CU_ASSERT_EQUAL(minute_latency_decode(&back, buf, len), -1);
	}
}

/* Two parts of a log merged: each minute's histogram is the one of a single model over both. */
static void
test_workload_merge(void)
{
	workload   *whole = workload_create(NULL),
			   *first = workload_create(NULL),
			   *second = workload_create(NULL);
	int64_t		t0 = INT64_C(1700000000000);
	size_t		nw,
				nm;
	minute_stats *mw,
			   *mm;

	for (int i = 0; i < 600; i++)
	{
		int64_t		ts = t0 + (int64_t) i * 500;	/* five minutes */
		double		ms = 0.05 * (1 + i % 97) * (1 + (i / 120));

		workload_test_statement(whole, ts, 100 + i % 4, "SELECT 1", NULL, ms);
		workload_test_statement(i < 333 ? first : second, ts, 100 + i % 4, "SELECT 1", NULL, ms);
	}
	workload_merge(first, second);
	mw = workload_minutes(whole, &nw);
	mm = workload_minutes(first, &nm);
	CU_ASSERT_EQUAL_FATAL(nw, nm);
	CU_ASSERT(nw >= 5);
	for (size_t i = 0; i < nw; i++)
	{
		CU_ASSERT_EQUAL(minute_latency_count(&mw[i].latency), mw[i].statements);
		CU_ASSERT(memcmp(&mw[i].latency, &mm[i].latency, sizeof(minute_latency)) == 0);
	}
	/* later minutes are slower, and their p95 says so */
	CU_ASSERT(minute_latency_quantile(&mw[nw - 1].latency, 0.95) > minute_latency_quantile(&mw[0].latency, 0.95));
	workload_destroy(whole);
	workload_destroy(first);
	workload_destroy(second);
}

PGSIFT_TEST_SUITE(minute_latency_suite)
{
	CU_pSuite	s = CU_add_suite("src/model/minute_latency", NULL, NULL);

	CU_add_test(s, "bounds: ten buckets per decade, each holding its lower bound", test_bounds);
	CU_add_test(s, "quantiles of random data within one bucket's ratio", test_quantile_within_bound);
	CU_add_test(s, "quantile by nearest rank, the range's ends, saturation", test_quantile_edges);
	CU_add_test(s, "the half-decade bucket follows from this scale's", test_coarse_bucket);
	CU_add_test(s, "merging equals adding both inputs", test_merge_adds);
	CU_add_test(s, "the stored form round-trips and damaged ones are refused", test_encoding);
	CU_add_test(s, "workload_merge keeps each minute's histogram", test_workload_merge);
}
