/*-------------------------------------------------------------------------
 * test_sketch.c
 *    Tests of the quantile sketch (src/lib/sketch.c).
 *
 * Accuracy is checked against exact quantiles of the same data, sorted,
 * for distributions shaped like real statement durations; data comes from
 * a fixed-seed generator so that every run sees the same values.
 *-------------------------------------------------------------------------
 */
#include "src/lib/sketch.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_VALUES	100000

/* Offsets in the blob (docs/sketch.md), for forging and comparing blobs. */
#define BLOB_COUNT	8
#define BLOB_SUM	40
#define BLOB_LOWEST	48
#define BLOB_NBUCK	52
#define BLOB_HEADER	56

/* splitmix64: small, fast and good enough for test data. */
static uint64_t rng_state;

static void
rng_seed(uint64_t seed)
{
	rng_state = seed;
}

static uint64_t
rng_next(void)
{
	uint64_t	z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double
rng_unit(void)
{
	return ((rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal (Box-Muller). */
static double
rng_normal(void)
{
	return sqrt(-2.0 * log(rng_unit())) * cos(2.0 * M_PI * rng_unit());
}

/* e^U(log lo, log hi): values spread evenly over the buckets. */
static double
rng_log_uniform(double lo, double hi)
{
	return exp(log(lo) + rng_unit() * (log(hi) - log(lo)));
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* The value of nearest rank ceil(q * n) (1-based) in sorted (ascending) data. */
static double
exact_quantile(const double *sorted, size_t n, double q)
{
	size_t		rank = (size_t) ceil(q * (double) n - 1e-9);

	return sorted[rank > 0 ? rank - 1 : 0];
}

static quantile_sketch *
sketch_of(const double *v, size_t n)
{
	quantile_sketch *s = sketch_create();

	for (size_t i = 0; i < n; i++)
		sketch_add(s, v[i]);
	return s;
}

/*
 * Whether the sketch's answer at each of qs is within alpha of the exact
 * quantile of v (v is sorted in place).
 */
static int
accurate_at(const quantile_sketch *s, double *v, size_t n, const double *qs, int nq)
{
	qsort(v, n, sizeof(double), cmp_double);
	for (int i = 0; i < nq; i++)
	{
		double		exact = exact_quantile(v, n, qs[i]);
		double		got = sketch_quantile(s, qs[i]);

		if (!(fabs(got - exact) <= SKETCH_ALPHA * fabs(exact) * (1 + 1e-9)))
		{
			fprintf(stderr, "\n  q=%g: sketch %.9g, exact %.9g\n", qs[i], got, exact);
			return 0;
		}
	}
	return 1;
}

static const double report_qs[] = {0.5, 0.95, 0.99};
static const double many_qs[] = {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999};

static void
check_distribution(double *v)
{
	quantile_sketch *s = sketch_of(v, N_VALUES);

	CU_ASSERT_EQUAL(sketch_count(s), N_VALUES);
	CU_ASSERT_TRUE(accurate_at(s, v, N_VALUES, many_qs, 9));
	CU_ASSERT_TRUE(accurate_at(s, v, N_VALUES, report_qs, 3));
	sketch_free(s);
}

static void
test_accuracy_uniform(void)
{
	double	   *v = malloc(N_VALUES * sizeof(double));

	rng_seed(1);
	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = 0.05 + rng_unit() * 1000.0;
	check_distribution(v);
	free(v);
}

static void
test_accuracy_lognormal(void)
{
	double	   *v = malloc(N_VALUES * sizeof(double));

	rng_seed(2);
	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = exp(0.5 + 1.5 * rng_normal());
	check_distribution(v);
	free(v);
}

/* Fast index lookups and slow reports: the shape that hides a p99. */
static void
test_accuracy_bimodal(void)
{
	double	   *v = malloc(N_VALUES * sizeof(double));

	rng_seed(3);
	for (size_t i = 0; i < N_VALUES; i++)
	{
		if (rng_unit() < 0.9)
			v[i] = fabs(0.2 + 0.05 * rng_normal()) + 0.001;
		else
			v[i] = fabs(800.0 + 150.0 * rng_normal()) + 0.001;
	}
	check_distribution(v);
	free(v);
}

/*
 * Sweep values across the useful range, each between a tiny and a huge
 * neighbour so that the median is the bare bucket value (not clamped):
 * checks the bucket mapping and the representative value at every scale.
 */
static void
test_bucket_value_error(void)
{
	int			bad = 0;

	for (double v = 1e-5; v < 1e12; v *= 1.0007)
	{
		quantile_sketch *s = sketch_create();
		double		got;

		sketch_add(s, 1e-6 / 2);
		sketch_add(s, v);
		sketch_add(s, v * 1e3);
		got = sketch_quantile(s, 0.5);
		if (!(fabs(got - v) <= SKETCH_ALPHA * v * (1 + 1e-9)))
			bad++;
		sketch_free(s);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * Every rank's answer is the bucket that takes the count past the rank:
 * counting the values at most the answer (sketch_count_at_most, which
 * walks the buckets upward) gives more than the rank, and at most the
 * rank just below the answer.  Quantiles above the median are found
 * walking down from the top; this pins both walks to the same bucket, on
 * sparse and dense sketches, with and without zeros, merged or not.
 */
static void
test_quantile_rank_bucket(void)
{
	int			bad = 0,
				checked = 0;

	rng_seed(91);
	for (int set = 0; set < 40; set++)
	{
		quantile_sketch *s = sketch_create();
		quantile_sketch *other = sketch_create();
		int			n = 1 + (int) (rng_next() % (set < 20 ? 300 : 6000));
		int			distinct = set % 4 == 0 ? 5 : 0;	/* few values: a sparse sketch */

		for (int i = 0; i < n; i++)
		{
			double		v = distinct ? (double) (1 + rng_next() % (uint64_t) distinct)
				: rng_log_uniform(1e-3, set % 3 == 0 ? 1e6 : 50.0);

			if (set % 5 == 1 && rng_next() % 7 == 0)
				v = 0.0;		/* counted as zeros */
			sketch_add(i % 2 && set % 2 ? other : s, v);
		}
		sketch_merge(s, other);
		CU_ASSERT_EQUAL(sketch_count(s), (uint64_t) n);
		for (int r = 0; r < n; r++)
		{
			double		q = (r + 0.5) / n;	/* nearest rank r (0-based) */
			double		got = sketch_quantile(s, q);
			double		lo = sketch_quantile(s, 0.0),
						hi = sketch_quantile(s, 1.0);

			if (!(got >= lo && got <= hi))
				bad++;
			else if (got > lo && got < hi)
			{
				checked++;
				if (sketch_count_at_most(s, got) <= (uint64_t) r ||
					sketch_count_at_most(s, nextafter(got, 0.0)) > (uint64_t) r)
					bad++;
			}
		}
		sketch_free(s);
		sketch_free(other);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(checked > 10000);
}

static void
test_empty(void)
{
	quantile_sketch *s = sketch_create();
	quantile_sketch *t = sketch_create();
	quantile_sketch *back;
	unsigned char *blob;
	size_t		len;

	CU_ASSERT_EQUAL(sketch_count(s), 0);
	CU_ASSERT_TRUE(isnan(sketch_quantile(s, 0.5)));
	CU_ASSERT_TRUE(isnan(sketch_quantile(s, 0.0)));
	CU_ASSERT_TRUE(isnan(sketch_quantile(s, 1.0)));
	CU_ASSERT_TRUE(sketch_memory(s) > 0);

	/* empty into non-empty and non-empty into empty */
	sketch_add(t, 7.0);
	sketch_merge(t, s);
	CU_ASSERT_EQUAL(sketch_count(t), 1);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(t, 0.5), 7.0, 0);
	sketch_merge(s, t);
	CU_ASSERT_EQUAL(sketch_count(s), 1);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.5), 7.0, 0);
	sketch_free(s);

	s = sketch_create();
	len = sketch_serialize(s, &blob);
	CU_ASSERT_EQUAL(len, BLOB_HEADER + 4);
	back = sketch_deserialize(blob, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL(sketch_count(back), 0);
	CU_ASSERT_TRUE(isnan(sketch_quantile(back, 0.5)));
	free(blob);
	sketch_free(back);
	sketch_free(s);
	sketch_free(t);
}

static void
test_edge_values(void)
{
	quantile_sketch *s = sketch_create();

	/* not durations: ignored */
	sketch_add(s, NAN);
	sketch_add(s, INFINITY);
	sketch_add(s, -INFINITY);
	CU_ASSERT_EQUAL(sketch_count(s), 0);

	/* q outside [0, 1] */
	sketch_add(s, 3.0);
	CU_ASSERT_TRUE(isnan(sketch_quantile(s, -0.1)));
	CU_ASSERT_TRUE(isnan(sketch_quantile(s, 1.5)));
	CU_ASSERT_TRUE(isnan(sketch_quantile(s, NAN)));

	/* a single value is returned exactly at every q (clamped to min/max) */
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.5), 3.0, 0);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.99), 3.0, 0);

	/* zero and sub-microsecond values share the zero bucket */
	sketch_add(s, 0.0);
	sketch_add(s, 0.0);
	sketch_add(s, 1e-9);
	CU_ASSERT_EQUAL(sketch_count(s), 4);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.0), 0.0, 0);
	CU_ASSERT_TRUE(sketch_quantile(s, 0.5) <= 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 1.0), 3.0, 0);
	sketch_free(s);
}

/* q = 0 and q = 1 are the exact extremes, not bucket values. */
static void
test_min_max_exact(void)
{
	int			wrong = 0;

	rng_seed(10);
	for (int round = 0; round < 100; round++)
	{
		double		v[3];
		quantile_sketch *s;

		for (int i = 0; i < 3; i++)
			v[i] = rng_log_uniform(0.01, 100.0);
		s = sketch_of(v, 3);
		qsort(v, 3, sizeof(double), cmp_double);
		wrong += sketch_quantile(s, 0.0) != v[0];
		wrong += sketch_quantile(s, 1.0) != v[2];
		sketch_free(s);
	}
	CU_ASSERT_EQUAL(wrong, 0);
}

/*
 * Nearest rank on a handful of values, where the definition matters: the
 * p95 of two executions is the slower one, p50 of four is the second.
 */
static void
test_nearest_rank(void)
{
	double		two[] = {20.0, 10.0};
	double		four[] = {40.0, 10.0, 30.0, 20.0};
	quantile_sketch *s = sketch_of(two, 2);

	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.5), 10.0, 0);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.95), 20.0, 0);
	sketch_free(s);

	s = sketch_of(four, 4);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.25), 10.0, 0);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.5), 20.0, 20.0 * SKETCH_ALPHA);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.75), 30.0, 30.0 * SKETCH_ALPHA);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, 0.76), 40.0, 0);
	sketch_free(s);
}

/*
 * Whether two blobs are equal except for the sum (whose rounding depends
 * on the order of additions) and the checksum that covers it.
 */
static int
blobs_equal_but_sum(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	return alen == blen &&
		memcmp(a, b, BLOB_SUM) == 0 &&
		memcmp(a + BLOB_SUM + 8, b + BLOB_SUM + 8, alen - BLOB_SUM - 8 - 4) == 0;
}

/*
 * Halves of lognormal data, rounded to multiples of 1/1024 so that every
 * sum is exact: the merged sketch must serialize to the very same bytes as
 * the sketch of the whole, merged either way round.
 */
static void
test_merge_halves(void)
{
	double	   *v = malloc(N_VALUES * sizeof(double));
	quantile_sketch *whole,
			   *a,
			   *b,
			   *b2;
	unsigned char *bw,
			   *ba,
			   *bb;
	size_t		lw,
				la,
				lb;

	rng_seed(4);
	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = round(exp(1.0 + 2.0 * rng_normal()) * 1024.0) / 1024.0;
	whole = sketch_of(v, N_VALUES);
	a = sketch_of(v, N_VALUES / 2);
	b = sketch_of(v + N_VALUES / 2, N_VALUES - N_VALUES / 2);
	b2 = sketch_of(v + N_VALUES / 2, N_VALUES - N_VALUES / 2);
	sketch_merge(b2, a);
	sketch_merge(a, b);
	CU_ASSERT_EQUAL(sketch_count(a), N_VALUES);

	lw = sketch_serialize(whole, &bw);
	la = sketch_serialize(a, &ba);
	lb = sketch_serialize(b2, &bb);
	CU_ASSERT_TRUE(lw == la && memcmp(bw, ba, lw) == 0);
	CU_ASSERT_TRUE(lw == lb && memcmp(bw, bb, lw) == 0);
	for (int i = 0; i < 9; i++)
		CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(a, many_qs[i]),
							   sketch_quantile(whole, many_qs[i]), 0);
	free(bw);
	free(ba);
	free(bb);
	sketch_free(whole);
	sketch_free(a);
	sketch_free(b);
	sketch_free(b2);
	free(v);
}

static void
test_serialize_round_trip(void)
{
	quantile_sketch *s = sketch_create();
	quantile_sketch *back;
	unsigned char *blob,
			   *again;
	size_t		len,
				len2;

	rng_seed(5);
	for (int i = 0; i < N_VALUES; i++)
		sketch_add(s, i % 10 == 0 ? 0.0 : exp(rng_normal() * 3.0));
	/* a bucket of more than 2^32 values needs all of the varint */
	for (int i = 0; i < 3; i++)
	{
		quantile_sketch *big = sketch_create();
		quantile_sketch *acc = sketch_create();

		sketch_add(big, 42.0);
		for (int k = 0; k < 34; k++)
		{
			sketch_merge(acc, big);
			sketch_merge(big, acc);
		}
		sketch_merge(s, big);
		sketch_free(big);
		sketch_free(acc);
	}
	len = sketch_serialize(s, &blob);
	back = sketch_deserialize(blob, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL(sketch_count(back), sketch_count(s));
	for (double q = 0.0; q <= 1.0; q += 0.001)
		CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(back, q), sketch_quantile(s, q), 0);
	len2 = sketch_serialize(back, &again);
	CU_ASSERT_TRUE(len == len2 && memcmp(blob, again, len) == 0);

	/* the decoded sketch keeps working: add and merge into it */
	sketch_add(back, 1e12);
	sketch_merge(back, s);
	CU_ASSERT_EQUAL(sketch_count(back), 2 * sketch_count(s) + 1);
	CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(back, 1.0), 1e12, 0);
	free(blob);
	free(again);
	sketch_free(back);
	sketch_free(s);
}

/* The blob's FNV-1a trailer, recomputed after forging a field. */
static void
reseal(unsigned char *blob, size_t len)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < len - 4; i++)
		h = (h ^ blob[i]) * 16777619u;
	for (int b = 0; b < 4; b++)
		blob[len - 4 + b] = (unsigned char) (h >> (8 * b));
}

/* Add d to the little-endian 32-bit field at p. */
static void
add_u32(unsigned char *p, int32_t d)
{
	uint32_t	v = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;

	v += (uint32_t) d;
	for (int b = 0; b < 4; b++)
		p[b] = (unsigned char) (v >> (8 * b));
}

static int
rejected(const unsigned char *blob, size_t len)
{
	quantile_sketch *s = sketch_deserialize(blob, len);

	sketch_free(s);
	return s == NULL;
}

static void
test_corrupt_blob(void)
{
	quantile_sketch *s = sketch_create();
	unsigned char *blob,
			   *bad;
	size_t		len;
	int			accepted = 0;

	for (int i = 1; i <= 300; i++)
		sketch_add(s, i * 0.37);
	len = sketch_serialize(s, &blob);
	bad = malloc(len + 1);

	CU_ASSERT_TRUE(rejected(NULL, 0));
	for (size_t n = 0; n < len; n++)
		accepted += !rejected(blob, n);
	CU_ASSERT_EQUAL(accepted, 0);
	for (size_t i = 0; i < len; i++)
	{
		memcpy(bad, blob, len);
		bad[i] ^= 0x10;
		accepted += !rejected(bad, len);
	}
	CU_ASSERT_EQUAL(accepted, 0);

	/* forged with a valid checksum: a count that disagrees with the buckets */
	memcpy(bad, blob, len);
	bad[BLOB_COUNT] ^= 1;
	reseal(bad, len);
	CU_ASSERT_TRUE(rejected(bad, len));
	/* more buckets than the bound */
	memcpy(bad, blob, len);
	add_u32(bad + BLOB_NBUCK, SKETCH_MAX_BUCKETS);
	reseal(bad, len);
	CU_ASSERT_TRUE(rejected(bad, len));
	/* an empty bucket before the first one: not the canonical form */
	memcpy(bad, blob, BLOB_HEADER);
	bad[BLOB_HEADER] = 0;
	memcpy(bad + BLOB_HEADER + 1, blob + BLOB_HEADER, len - BLOB_HEADER);
	add_u32(bad + BLOB_LOWEST, -1);
	add_u32(bad + BLOB_NBUCK, 1);
	reseal(bad, len + 1);
	CU_ASSERT_TRUE(rejected(bad, len + 1));
	/* a trailing byte after the buckets */
	memcpy(bad, blob, len);
	bad[len] = 0;
	reseal(bad, len + 1);
	CU_ASSERT_TRUE(rejected(bad, len + 1));
	/* and the genuine blob still passes */
	CU_ASSERT_FALSE(rejected(blob, len));
	free(bad);
	free(blob);
	sketch_free(s);
}

static double *
log_uniform_values(uint64_t seed, double lo, double hi)
{
	double	   *v = malloc(N_VALUES * sizeof(double));

	rng_seed(seed);
	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = rng_log_uniform(lo, hi);
	return v;
}

#define MAX_SKETCH_BYTES (SKETCH_MAX_BUCKETS * sizeof(uint64_t) + 256)

/* Twelve decades fit in the bound without folding anything. */
static void
test_bounded_memory(void)
{
	double	   *v = log_uniform_values(6, 1e-3, 1e9);
	quantile_sketch *s = sketch_of(v, N_VALUES);

	CU_ASSERT_TRUE(sketch_memory(s) <= MAX_SKETCH_BYTES);
	CU_ASSERT_TRUE(accurate_at(s, v, N_VALUES, many_qs, 9));
	sketch_free(s);
	free(v);

	/* a narrow distribution stays small */
	s = sketch_create();
	for (int i = 0; i < N_VALUES; i++)
		sketch_add(s, 1.0 + (i % 100) * 0.001);
	CU_ASSERT_TRUE(sketch_memory(s) <= 64 * sizeof(uint64_t) + 256);
	sketch_free(s);
}

/*
 * Values spanning far more than the buckets cover: memory stays bounded,
 * the high quantiles keep their guarantee, and the folded result does not
 * depend on the order the values came in.
 */
static void
test_collapse(void)
{
	double	   *v = log_uniform_values(7, 1e-5, 1e300);
	quantile_sketch *s = sketch_of(v, N_VALUES);
	quantile_sketch *asc,
			   *desc,
			   *halves;
	unsigned char *b1,
			   *b2,
			   *b3,
			   *b4;
	size_t		l1,
				l2,
				l3,
				l4;

	CU_ASSERT_TRUE(sketch_memory(s) <= MAX_SKETCH_BYTES);
	CU_ASSERT_EQUAL(sketch_count(s), N_VALUES);
	CU_ASSERT_TRUE(accurate_at(s, v, N_VALUES, (const double[]) {0.95, 0.99, 0.999}, 3));

	/* v is sorted now: feed it both ways, and as two merged halves */
	asc = sketch_of(v, N_VALUES);
	desc = sketch_create();
	for (size_t i = N_VALUES; i-- > 0;)
		sketch_add(desc, v[i]);
	halves = sketch_of(v + N_VALUES / 2, N_VALUES - N_VALUES / 2);
	{
		quantile_sketch *low = sketch_of(v, N_VALUES / 2);

		sketch_merge(low, halves);
		sketch_free(halves);
		halves = low;
	}
	l1 = sketch_serialize(s, &b1);
	l2 = sketch_serialize(asc, &b2);
	l3 = sketch_serialize(desc, &b3);
	l4 = sketch_serialize(halves, &b4);
	CU_ASSERT_TRUE(blobs_equal_but_sum(b1, l1, b2, l2));
	CU_ASSERT_TRUE(blobs_equal_but_sum(b1, l1, b3, l3));
	CU_ASSERT_TRUE(blobs_equal_but_sum(b1, l1, b4, l4));
	CU_ASSERT_TRUE(l1 <= BLOB_HEADER + 4 + SKETCH_MAX_BUCKETS * 10);
	/* no value was lost in folding: the decoder checks the buckets add up */
	{
		quantile_sketch *back = sketch_deserialize(b1, l1);

		CU_ASSERT_PTR_NOT_NULL(back);
		CU_ASSERT_TRUE((b1[BLOB_NBUCK] | b1[BLOB_NBUCK + 1] << 8) == SKETCH_MAX_BUCKETS);
		sketch_free(back);
	}
	free(b1);
	free(b2);
	free(b3);
	free(b4);
	sketch_free(s);
	sketch_free(asc);
	sketch_free(desc);
	sketch_free(halves);
	free(v);

	/* just past the bound: only the lowest 1% or so is folded */
	v = log_uniform_values(8, 1e-5, 1e13);
	s = sketch_of(v, N_VALUES);
	CU_ASSERT_TRUE(accurate_at(s, v, N_VALUES, many_qs + 2, 7));
	sketch_free(s);
	free(v);
}

/* Counting values at or below a bound, for histograms. */
static void
test_count_at_most(void)
{
	quantile_sketch *s = sketch_create();

	CU_ASSERT_EQUAL(sketch_count_at_most(s, 10), 0);
	for (int i = 1; i <= 1000; i++)
		sketch_add(s, (double) i);	/* 1..1000 ms */
	CU_ASSERT_EQUAL(sketch_count_at_most(s, 0.5), 0);	/* below the minimum: exact */
	CU_ASSERT_EQUAL(sketch_count_at_most(s, 1000), 1000);	/* the maximum: exact */
	/* in between within the 1% bucket width of the bound */
	uint64_t	n = sketch_count_at_most(s, 500);

	CU_ASSERT(n >= 495 && n <= 505);
	n = sketch_count_at_most(s, 100);
	CU_ASSERT(n >= 99 && n <= 101);
	sketch_free(s);
}

/*
 * The answer the sketch's documented rule gives for the value of a rank:
 * the value of its bucket ceil(log v / log gamma), 2 gamma^i / (gamma + 1),
 * clamped to the exact [min, max]; worked out here from the rule alone.
 */
static double
rule_answer(double v, double min, double max)
{
	double		gamma = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
	double		i = ceil(log(v) / log(gamma) - 1e-12);
	double		answer = 2 * pow(gamma, i) / (gamma + 1);

	return answer < min ? min : answer > max ? max : answer;
}

/*
 * Few buckets are kept as pairs, many as a window (sketch.c): the answers
 * follow the same rule whichever form, one value at a time across the
 * change, and a sketch of few values stays small.  Halves merged and blobs
 * decoded are the same sketch as the whole in either form.
 */
static void
test_sparse_and_dense(void)
{
	enum
	{
		N = 90
	};
	double		v[N],
				sorted[N];
	quantile_sketch *s = sketch_create();

	rng_seed(11);
	for (int n = 1; n <= N; n++)
	{
		/* durations of a few ms to a few seconds: a new bucket nearly every time */
		v[n - 1] = rng_log_uniform(0.05, 4000.0);
		sketch_add(s, v[n - 1]);
		memcpy(sorted, v, n * sizeof(double));
		qsort(sorted, n, sizeof(double), cmp_double);
		for (double q = 0.0; q <= 1.0; q += 0.05)
		{
			double		exact = exact_quantile(sorted, n, q);
			double		want = q == 0.0 || exact == sorted[0] ? sorted[0] :
				exact == sorted[n - 1] ? sorted[n - 1] : rule_answer(exact, sorted[0], sorted[n - 1]);

			CU_ASSERT_DOUBLE_EQUAL(sketch_quantile(s, q), want, 1e-9 * want);
		}
		if (n == 20)
			CU_ASSERT_TRUE(sketch_memory(s) <= 32 * sizeof(uint64_t) + 128);
	}
	/* halves of it merged are the same sketch (but for the sum's rounding), its blob decoded byte for byte */
	for (int split = 1; split < N; split += 29)
	{
		quantile_sketch *a = sketch_of(v, split),
				   *b = sketch_of(v + split, N - split);
		unsigned char *whole,
				   *merged,
				   *decoded;
		size_t		lw = sketch_serialize(s, &whole),
					lm;

		sketch_merge(a, b);
		lm = sketch_serialize(a, &merged);
		CU_ASSERT_TRUE(blobs_equal_but_sum(whole, lw, merged, lm));
		sketch_free(a);
		a = sketch_deserialize(whole, lw);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		free(merged);
		lm = sketch_serialize(a, &decoded);
		CU_ASSERT_TRUE(lw == lm && memcmp(whole, decoded, lw) == 0);
		free(whole);
		free(decoded);
		sketch_free(a);
		sketch_free(b);
	}
	sketch_free(s);
}

PGSIFT_TEST_SUITE(sketch_suite)
{
	CU_pSuite	s = CU_add_suite("sketch", NULL, NULL);

	CU_add_test(s, "accuracy: uniform", test_accuracy_uniform);
	CU_add_test(s, "accuracy: lognormal", test_accuracy_lognormal);
	CU_add_test(s, "accuracy: bimodal", test_accuracy_bimodal);
	CU_add_test(s, "bucket value within alpha at every scale", test_bucket_value_error);
	CU_add_test(s, "empty sketch", test_empty);
	CU_add_test(s, "NaN, infinities, zeros, bad q", test_edge_values);
	CU_add_test(s, "q=0 and q=1 are exact", test_min_max_exact);
	CU_add_test(s, "nearest rank", test_nearest_rank);
	CU_add_test(s, "every rank's answer is the bucket that takes the count past it", test_quantile_rank_bucket);
	CU_add_test(s, "merge of halves equals the whole", test_merge_halves);
	CU_add_test(s, "serialize round trip", test_serialize_round_trip);
	CU_add_test(s, "corrupt blob rejected", test_corrupt_blob);
	CU_add_test(s, "bounded memory over 12 decades", test_bounded_memory);
	CU_add_test(s, "collapse keeps p95/p99", test_collapse);
	CU_add_test(s, "counting values at most a bound", test_count_at_most);
	CU_add_test(s, "few buckets as pairs, many as a window: the same answers", test_sparse_and_dense);
}
