/*-------------------------------------------------------------------------
 * sketch.c
 *    Log-bucketed quantile sketch (DDSketch-style) for durations in ms.
 *
 * With gamma = (1 + alpha) / (1 - alpha), a value v > SKETCH_MIN_INDEXABLE
 * is counted in bucket i = ceil(log_gamma(v)), which holds the values in
 * (gamma^(i-1), gamma^i].  Answering with 2 gamma^i / (gamma + 1) is then
 * within alpha of any value of the bucket, so a quantile is within alpha of
 * the true value of its rank.  Smaller values (0, and anything negative)
 * go to a separate zero bucket.
 *
 * A sketch starts sparse: its non-empty buckets as (index, count) pairs
 * in index order, at most SPARSE_MAX of them (256 bytes), which is all
 * that most fingerprints of a log ever need (a fingerprint run a few dozen
 * times spreads its durations over a few dozen buckets of a range that a
 * dense window would hold in kilobytes).  Past that it turns dense: the
 * counters are an array over a window of bucket indexes that grows when a
 * value falls outside it, doubling so that growth is amortised; the hot
 * path is one log(), a bounds check and an increment.  Both forms hold the
 * same buckets, so every answer, merge and blob is the same whichever a
 * sketch is in.  glibc's log() measured a few nanoseconds here, so a
 * table-driven index (which would need boundary corrections to stay
 * exact) is not worth its complexity.
 *
 * Memory is bounded: the non-empty buckets never span more than
 * SKETCH_MAX_BUCKETS indexes.  When a value would stretch them further,
 * the lowest buckets are folded into the lowest one kept, so a value's
 * bucket is always max(i, H - SKETCH_MAX_BUCKETS + 1) where H is the
 * highest bucket seen.  That makes the result independent of insertion
 * and merge order, and leaves every quantile above the folded values
 * (the p95 and p99 the reports show) within alpha; only quantiles that
 * land in the folded bucket lose the guarantee.  See docs/sketch.md.
 *-------------------------------------------------------------------------
 */
#include "src/lib/sketch.h"
#include "src/lib/arena.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Buckets allocated for a dense sketch's first window. */
#define SKETCH_MIN_CAP		64

/*
 * Sparse form: at most SPARSE_MAX pairs, each a bucket index (biased to be
 * positive) in the high bits of a uint64_t and its count in the low
 * SPARSE_COUNT_BITS; a count that would not fit turns the sketch dense.
 */
#define SPARSE_MAX			32
#define SPARSE_COUNT_BITS	40
#define SPARSE_COUNT_MAX	((UINT64_C(1) << SPARSE_COUNT_BITS) - 1)
#define SPARSE_BIAS			(1 << 20)	/* above -bucket_index(SKETCH_MIN_INDEXABLE) */

/* Blob layout (docs/sketch.md); all integers little-endian. */
#define BLOB_MAGIC			"PGSK"
#define BLOB_VERSION		1
#define BLOB_HEADER			56
#define BLOB_TRAILER		4
#define VARINT_MAX			10

struct quantile_sketch
{
	uint64_t   *counts;			/* dense: counts[k] is bucket offset + k; sparse: the pairs */
	int32_t		offset;
	int32_t		cap;			/* length of counts (dense: buckets, sparse: room for pairs) */
	int32_t		npairs;			/* sparse: pairs in counts */
	int			sparse;			/* 1 until the sketch needs more than SPARSE_MAX buckets */
	uint64_t	zero_count;		/* values <= SKETCH_MIN_INDEXABLE */
	uint64_t	count;
	double		min;			/* +inf when empty */
	double		max;			/* -inf when empty */
	double		sum;
};

/*
 * gamma, and log(gamma) as a literal (log(1.01 / 0.99) to 17 digits) so
 * that the hot path needs no second log() and no lazy initialisation,
 * which would race under parallel ingestion.
 */
#define GAMMA				((1.0 + SKETCH_ALPHA) / (1.0 - SKETCH_ALPHA))
#define LOG_GAMMA			0.020000666706669435
#define INV_LOG_GAMMA		(1.0 / LOG_GAMMA)

static inline int32_t
bucket_index(double v)
{
	double		x = log(v) * INV_LOG_GAMMA;
	int32_t		i = (int32_t) x;

	/* ceil without a libm call: the cast truncates toward zero */
	return i + (i < x);
}

/* The value a bucket stands for: within alpha of everything in it. */
static double
bucket_value(int32_t i)
{
	return 2.0 * exp(i * LOG_GAMMA) / (GAMMA + 1.0);
}

quantile_sketch *
sketch_create(void)
{
	quantile_sketch *s = xcalloc(1, sizeof(*s));

	s->min = INFINITY;
	s->max = -INFINITY;
	s->sparse = 1;
	return s;
}

static int32_t
pair_index(uint64_t pair)
{
	return (int32_t) (pair >> SPARSE_COUNT_BITS) - SPARSE_BIAS;
}

static uint64_t
pair_count(uint64_t pair)
{
	return pair & SPARSE_COUNT_MAX;
}

static uint64_t
make_pair(int32_t i, uint64_t count)
{
	return ((uint64_t) (i + SPARSE_BIAS) << SPARSE_COUNT_BITS) | count;
}

/*
 * The next non-empty bucket at or after *pos (start at 0), in index order:
 * its index and count; returns 0 past the last.
 */
static int
next_bucket(const quantile_sketch *s, int32_t *pos, int32_t *index, uint64_t *count)
{
	if (s->sparse)
	{
		if (*pos >= s->npairs)
			return 0;
		*index = pair_index(s->counts[*pos]);
		*count = pair_count(s->counts[(*pos)++]);
		return 1;
	}
	while (*pos < s->cap && s->counts[*pos] == 0)
		(*pos)++;
	if (*pos >= s->cap)
		return 0;
	*index = s->offset + *pos;
	*count = s->counts[(*pos)++];
	return 1;
}

/*
 * The next non-empty bucket before *pos (start at bucket_end(s)), in
 * descending index order: its index and count; returns 0 past the first.
 */
static int
prev_bucket(const quantile_sketch *s, int32_t *pos, int32_t *index, uint64_t *count)
{
	if (s->sparse)
	{
		if (*pos <= 0)
			return 0;
		(*pos)--;
		*index = pair_index(s->counts[*pos]);
		*count = pair_count(s->counts[*pos]);
		return 1;
	}
	while (*pos > 0 && s->counts[*pos - 1] == 0)
		(*pos)--;
	if (*pos <= 0)
		return 0;
	(*pos)--;
	*index = s->offset + *pos;
	*count = s->counts[*pos];
	return 1;
}

/* Where prev_bucket starts: past the last pair or counter. */
static int32_t
bucket_end(const quantile_sketch *s)
{
	return s->sparse ? s->npairs : s->cap;
}

/*
 * The lowest and highest non-empty bucket; returns 0 when every counter
 * is zero.
 */
static int
bucket_range(const quantile_sketch *s, int32_t *lo, int32_t *hi)
{
	int32_t		a = 0,
				b = s->cap - 1;

	if (s->sparse)
	{
		if (s->npairs == 0)
			return 0;
		*lo = pair_index(s->counts[0]);
		*hi = pair_index(s->counts[s->npairs - 1]);
		return 1;
	}
	while (a <= b && s->counts[a] == 0)
		a++;
	if (a > b)
		return 0;
	while (s->counts[b] == 0)
		b--;
	*lo = s->offset + a;
	*hi = s->offset + b;
	return 1;
}

/*
 * Replace the window by one covering [lo, hi] with room to grow upward
 * (up) or downward, folding old buckets below lo into lo.
 */
static void
rewindow(quantile_sketch *s, int32_t lo, int32_t hi, int up)
{
	int32_t		span = hi - lo + 1;
	int32_t		cap = 2 * span;
	int32_t		offset;
	uint64_t   *counts;

	if (cap < SKETCH_MIN_CAP)
		cap = SKETCH_MIN_CAP;
	if (cap > SKETCH_MAX_BUCKETS)
		cap = SKETCH_MAX_BUCKETS;
	if (s->cap == 0)
		offset = lo - (cap - span) / 2;
	else if (up)
		offset = lo;
	else
		offset = hi - cap + 1;

	counts = xcalloc(cap, sizeof(uint64_t));
	for (int32_t k = 0; k < s->cap; k++)
	{
		int32_t		j = s->offset + k;

		if (s->counts[k] != 0)
			counts[(j < lo ? lo : j) - offset] += s->counts[k];
	}
	free(s->counts);
	s->counts = counts;
	s->offset = offset;
	s->cap = cap;
}

/* Add n to bucket i when i is outside the window: grow or fold first. */
static void
bucket_add_slow(quantile_sketch *s, int32_t i, uint64_t n)
{
	int32_t		lo = i,
				hi = i,
				olo = 0,
				ohi = 0;
	int			had = s->cap > 0 && bucket_range(s, &olo, &ohi);

	if (had)
	{
		if (olo < lo)
			lo = olo;
		if (ohi > hi)
			hi = ohi;
	}
	if (hi - lo + 1 > SKETCH_MAX_BUCKETS)
	{
		lo = hi - SKETCH_MAX_BUCKETS + 1;
		if (i < lo)
			i = lo;
	}
	if (lo < s->offset || hi >= s->offset + s->cap)
		rewindow(s, lo, hi, had && hi > ohi);
	s->counts[i - s->offset] += n;
}

/* A sparse sketch turned dense: a window over its pairs' range, as a first window is placed. */
static void
make_dense(quantile_sketch *s)
{
	uint64_t   *pairs = s->counts;
	int32_t		npairs = s->npairs;

	s->counts = NULL;
	s->cap = 0;
	s->offset = 0;
	s->sparse = 0;
	s->npairs = 0;
	if (npairs > 0)
	{
		rewindow(s, pair_index(pairs[0]), pair_index(pairs[npairs - 1]), 0);
		for (int32_t k = 0; k < npairs; k++)
			s->counts[pair_index(pairs[k]) - s->offset] += pair_count(pairs[k]);
	}
	free(pairs);
}

static void bucket_add(quantile_sketch *s, int32_t i, uint64_t n);

/*
 * Add n to bucket i of a sparse sketch: its pair, or a new one in index
 * order; the sketch turns dense instead when that would take more than
 * SPARSE_MAX pairs, span more buckets than a dense one may fold to, or
 * overflow a pair's count.
 */
static void
sparse_add(quantile_sketch *s, int32_t i, uint64_t n)
{
	int32_t		a = 0,
				b = s->npairs;

	while (a < b)
	{
		int32_t		m = a + (b - a) / 2;

		if (pair_index(s->counts[m]) < i)
			a = m + 1;
		else
			b = m;
	}
	if (a < s->npairs && pair_index(s->counts[a]) == i && n <= SPARSE_COUNT_MAX &&
		pair_count(s->counts[a]) <= SPARSE_COUNT_MAX - n)
	{
		s->counts[a] += n;
		return;
	}
	if ((a < s->npairs && pair_index(s->counts[a]) == i) || n > SPARSE_COUNT_MAX || s->npairs == SPARSE_MAX ||
		(s->npairs > 0 && (i - pair_index(s->counts[0]) >= SKETCH_MAX_BUCKETS ||
						   pair_index(s->counts[s->npairs - 1]) - i >= SKETCH_MAX_BUCKETS)))
	{
		make_dense(s);
		bucket_add(s, i, n);
		return;
	}
	if (s->npairs == s->cap)
	{
		s->cap = s->cap ? 2 * s->cap : 4;
		s->counts = xrealloc(s->counts, (size_t) s->cap * sizeof(uint64_t));
	}
	memmove(&s->counts[a + 1], &s->counts[a], (size_t) (s->npairs - a) * sizeof(uint64_t));
	s->counts[a] = make_pair(i, n);
	s->npairs++;
}

static inline void
bucket_add(quantile_sketch *s, int32_t i, uint64_t n)
{
	uint32_t	k = (uint32_t) i - (uint32_t) s->offset;

	if (s->sparse)
		sparse_add(s, i, n);
	else if (k < (uint32_t) s->cap)
		s->counts[k] += n;
	else
		bucket_add_slow(s, i, n);
}

#define NOT_INDEXABLE	INT32_MIN	/* the "bucket" of a value kept in zero_count, or not a duration */

static inline int32_t
value_bucket(double v)
{
	return v > SKETCH_MIN_INDEXABLE && v <= DBL_MAX ? bucket_index(v) : NOT_INDEXABLE;
}

int32_t
sketch_prefetch(const quantile_sketch *s, double v)
{
	int32_t		i = value_bucket(v);
	uint32_t	k = (uint32_t) i - (uint32_t) s->offset;

	if (!s->sparse && i != NOT_INDEXABLE && k < (uint32_t) s->cap)
		__builtin_prefetch(&s->counts[k], 1);
	else
		__builtin_prefetch(s->counts, 1);
	return i;
}

void
sketch_add_bucket(quantile_sketch *s, double v, int32_t bucket)
{
	if (bucket != NOT_INDEXABLE)
		bucket_add(s, bucket, 1);
	else if (v >= -DBL_MAX && v <= SKETCH_MIN_INDEXABLE)
		s->zero_count++;
	else
		return;					/* NaN or infinite: not a duration */
	s->count++;
	s->sum += v;
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
}

void
sketch_add(quantile_sketch *s, double v)
{
	sketch_add_bucket(s, v, value_bucket(v));
}

double
sketch_quantile(const quantile_sketch *s, double q)
{
	uint64_t	rank,
				seen,
				n;
	double		v = 0.0;

	if (s->count == 0 || !(q >= 0.0 && q <= 1.0))
		return NAN;
	/* nearest rank: the smallest value with at least q of all at or below it */
	rank = (uint64_t) ceil(q * (double) s->count - 1e-9);
	rank = rank > 0 ? rank - 1 : 0;
	/* the extremes are known exactly */
	if (rank == 0)
		return s->min;
	if (rank >= s->count - 1)
		return s->max;
	if (rank < s->count / 2)
	{
		/* from the bottom: the first bucket that takes the count past rank */
		seen = s->zero_count;
		for (int32_t pos = 0, i; seen <= rank && next_bucket(s, &pos, &i, &n);)
		{
			seen += n;
			if (seen > rank)
				v = bucket_value(i);
		}
	}
	else
	{
		/*
		 * From the top, the same bucket: the first whose count takes the
		 * values above it past the count - 1 - rank ranked above rank
		 * (p95 and p99 look at a few buckets, not all).  None: rank is in
		 * zero_count, whose value is 0 as above.
		 */
		uint64_t	above = 0,
					wanted = s->count - 1 - rank;

		for (int32_t pos = bucket_end(s), i; prev_bucket(s, &pos, &i, &n);)
		{
			above += n;
			if (above > wanted)
			{
				v = bucket_value(i);
				break;
			}
		}
	}
	if (v < s->min)
		v = s->min;
	if (v > s->max)
		v = s->max;
	return v;
}

uint64_t
sketch_count_at_most(const quantile_sketch *s, double v)
{
	uint64_t	n,
				c;

	if (s->count == 0 || v < s->min)
		return 0;
	if (v >= s->max)
		return s->count;
	n = s->zero_count;
	/* bucket i holds (gamma^(i-1), gamma^i]: count it when its value is <= v */
	for (int32_t pos = 0, i; next_bucket(s, &pos, &i, &c);)
		if (bucket_value(i) <= v)
			n += c;
	return n;
}

uint64_t
sketch_count(const quantile_sketch *s)
{
	return s->count;
}

void
sketch_merge(quantile_sketch *dst, const quantile_sketch *src)
{
	int32_t		lo,
				hi,
				i,
				pos = 0;
	uint64_t	c,
				clo = 0,
				chi = 0;

	if (src->count == 0)
		return;
	if (bucket_range(src, &lo, &hi))
	{
		/* the two ends first, so that a dense window grows at most twice */
		if (src->sparse)
		{
			clo = pair_count(src->counts[0]);
			chi = pair_count(src->counts[src->npairs - 1]);
		}
		else
		{
			clo = src->counts[lo - src->offset];
			chi = src->counts[hi - src->offset];
		}
		bucket_add(dst, hi, chi);
		if (lo < hi)
			bucket_add(dst, lo, clo);
		if (!src->sparse && !dst->sparse && lo >= dst->offset && hi < dst->offset + dst->cap)
		{
			/* both dense and dst's window holds src's range: add the counters as they lie */
			for (i = lo + 1; i < hi; i++)
				dst->counts[i - dst->offset] += src->counts[i - src->offset];
		}
		else
			for (pos = 0; next_bucket(src, &pos, &i, &c);)
				if (i != lo && i != hi)
					bucket_add(dst, i, c);
	}
	dst->zero_count += src->zero_count;
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

size_t
sketch_memory(const quantile_sketch *s)
{
	/* both forms hold cap counters' worth of uint64_t */
	return sizeof(*s) + (size_t) s->cap * sizeof(uint64_t);
}

void
sketch_free(quantile_sketch *s)
{
	if (s == NULL)
		return;
	free(s->counts);
	free(s);
}

/*
 * Serialization.  Integers are written byte by byte so that the blob is
 * the same on any host; doubles go as their IEEE-754 bit pattern.
 */

static void
put_u32(unsigned char *p, uint32_t v)
{
	for (int b = 0; b < 4; b++)
		p[b] = (unsigned char) (v >> (8 * b));
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	for (int b = 0; b < 8; b++)
		p[b] = (unsigned char) (v >> (8 * b));
}

static void
put_f64(unsigned char *p, double d)
{
	uint64_t	v;

	memcpy(&v, &d, sizeof(v));
	put_u64(p, v);
}

static uint32_t
get_u32(const unsigned char *p)
{
	uint32_t	v = 0;

	for (int b = 3; b >= 0; b--)
		v = (v << 8) | p[b];
	return v;
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t	v = 0;

	for (int b = 7; b >= 0; b--)
		v = (v << 8) | p[b];
	return v;
}

static double
get_f64(const unsigned char *p)
{
	uint64_t	v = get_u64(p);
	double		d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

/* FNV-1a over the blob, so that a flipped bit anywhere is caught. */
static uint32_t
blob_checksum(const unsigned char *p, size_t n)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

size_t
sketch_serialize(const quantile_sketch *s, unsigned char **out)
{
	int32_t		lo = 0,
				hi = -1;
	uint64_t	c;
	unsigned char *buf,
			   *p;

	if (!bucket_range(s, &lo, &hi))
		hi = lo - 1;
	buf = xmalloc(BLOB_HEADER + (size_t) (hi - lo + 1) * VARINT_MAX + BLOB_TRAILER);
	memcpy(buf, BLOB_MAGIC, 4);
	put_u32(buf + 4, BLOB_VERSION);
	put_u64(buf + 8, s->count);
	put_u64(buf + 16, s->zero_count);
	put_f64(buf + 24, s->min);
	put_f64(buf + 32, s->max);
	put_f64(buf + 40, s->sum);
	put_u32(buf + 48, (uint32_t) lo);
	put_u32(buf + 52, (uint32_t) (hi - lo + 1));
	p = buf + BLOB_HEADER;
	for (int32_t next = lo, pos = 0, i; next_bucket(s, &pos, &i, &c);)
	{
		/* the empty buckets between two non-empty ones are written too */
		for (; next < i; next++)
			*p++ = 0;
		next = i + 1;
		/* LEB128: most counters are small, so this is mostly one byte each */
		while (c >= 0x80)
		{
			*p++ = (unsigned char) (c | 0x80);
			c >>= 7;
		}
		*p++ = (unsigned char) c;
	}
	put_u32(p, blob_checksum(buf, p - buf));
	*out = buf;
	return (size_t) (p - buf) + BLOB_TRAILER;
}

/*
 * Read one LEB128 varint from [*p, end).  Returns 0 on a truncated or
 * overlong encoding.
 */
static int
get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t	v = 0;

	for (int shift = 0; *p < end && shift < 64; shift += 7)
	{
		unsigned char b = *(*p)++;

		if (shift == 63 && b > 1)
			return 0;
		v |= (uint64_t) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
		{
			*out = v;
			return 1;
		}
	}
	return 0;
}

/*
 * Whether the scalar fields agree with each other and with what
 * sketch_add could have produced.
 */
static int
blob_fields_valid(const quantile_sketch *s, uint64_t bucket_total, uint32_t nbuckets)
{
	if (s->zero_count + bucket_total < bucket_total ||
		s->count != s->zero_count + bucket_total)
		return 0;
	if (s->count == 0)
		return s->min == INFINITY && s->max == -INFINITY && s->sum == 0.0;
	if (!isfinite(s->min) || !isfinite(s->max) || isnan(s->sum) || s->min > s->max)
		return 0;
	if (s->zero_count > 0 && s->min > SKETCH_MIN_INDEXABLE)
		return 0;
	if (nbuckets > 0 && s->max <= SKETCH_MIN_INDEXABLE)
		return 0;
	return 1;
}

quantile_sketch *
sketch_deserialize(const unsigned char *blob, size_t len)
{
	const unsigned char *p,
			   *end;
	quantile_sketch *s;
	uint32_t	n;
	int32_t		lo;
	uint64_t	total = 0,
			   *counts;

	if (blob == NULL || len < BLOB_HEADER + BLOB_TRAILER ||
		memcmp(blob, BLOB_MAGIC, 4) != 0 || get_u32(blob + 4) != BLOB_VERSION ||
		get_u32(blob + len - BLOB_TRAILER) != blob_checksum(blob, len - BLOB_TRAILER))
		return NULL;
	lo = (int32_t) get_u32(blob + 48);
	n = get_u32(blob + 52);
	if (n > SKETCH_MAX_BUCKETS ||
		(n > 0 && (lo < bucket_index(nextafter(SKETCH_MIN_INDEXABLE, 1.0)) ||
				   lo + (int32_t) n - 1 > bucket_index(DBL_MAX))))
		return NULL;

	s = sketch_create();
	s->count = get_u64(blob + 8);
	s->zero_count = get_u64(blob + 16);
	s->min = get_f64(blob + 24);
	s->max = get_f64(blob + 32);
	s->sum = get_f64(blob + 40);
	counts = xcalloc(n > 0 ? n : 1, sizeof(uint64_t));
	p = blob + BLOB_HEADER;
	end = blob + len - BLOB_TRAILER;
	for (uint32_t k = 0; k < n; k++)
	{
		if (!get_varint(&p, end, &counts[k]) || total + counts[k] < total)
			goto corrupt;
		total += counts[k];
	}
	/* canonical form: nothing left over, and the range ends non-empty */
	if (p != end || (n > 0 && (counts[0] == 0 || counts[n - 1] == 0)) || !blob_fields_valid(s, total, n))
		goto corrupt;
	/* added in index order, so that a sketch small enough stays sparse */
	for (uint32_t k = 0; k < n; k++)
		if (counts[k] != 0)
			bucket_add(s, lo + (int32_t) k, counts[k]);
	free(counts);
	return s;

corrupt:
	free(counts);
	sketch_free(s);
	return NULL;
}
