/*-------------------------------------------------------------------------
 * test_query_series.c
 *    A query's calls over time (src/model/query_series.c): every call is
 *    kept in the bucket holding its time, however the width grows; merged
 *    halves equal one pass; the text form reads back.
 *-------------------------------------------------------------------------
 */
#include "tests/test_registry.h"

#include "src/model/query_series.h"

#include <stdlib.h>
#include <string.h>

#define HOUR QUERY_SERIES_HOUR_MS

/* Exact counts of times[0..n) in the display buckets of [first, last]; the series' rebin must give them. */
static void
assert_counts_exact(const query_series *s, const int64_t *times, int n, int64_t first, int64_t last)
{
	int64_t		from,
				width;
	int			nb = query_series_display_width(first, last, s->width_ms, &from, &width);
	double		got[QUERY_SERIES_BUCKETS],
				want[QUERY_SERIES_BUCKETS] = {0};

	CU_ASSERT_FATAL(nb > 0 && nb <= QUERY_SERIES_BUCKETS);
	CU_ASSERT(width >= s->width_ms);
	CU_ASSERT_EQUAL(from % width, 0);
	for (int i = 0; i < n; i++)
		want[(times[i] - from) / width] += 1;
	query_series_rebin(s, from, width, nb, got);
	for (int k = 0; k < nb; k++)
		CU_ASSERT_DOUBLE_EQUAL(got[k], want[k], 1e-9);
}

static void
test_hours_then_wider(void)
{
	query_series s = {0};
	int64_t		base = 1764547200000LL; /* 2025-12-01 00:00 UTC */
	int64_t		times[3000];
	int			n = 0;

	/* ten hours: hourly buckets, nothing widened */
	for (int i = 0; i < 600; i++)
		query_series_add(&s, times[n++] = base + (int64_t) i * 60000, 1);
	CU_ASSERT_EQUAL(s.width_ms, HOUR);
	CU_ASSERT_EQUAL(s.start_ms, base);
	CU_ASSERT_EQUAL(s.calls[0], 60);
	CU_ASSERT_EQUAL(s.calls[9], 60);
	assert_counts_exact(&s, times, n, times[0], times[n - 1]);

	/* on to nine days, at random times: the width doubles, no call is lost */
	srand(7);
	for (int i = 0; i < 2400; i++)
		query_series_add(&s, times[n++] = base + 10 * HOUR + rand() % (9 * 24 * HOUR), 1);
	CU_ASSERT(s.width_ms >= 8 * HOUR);
	CU_ASSERT_EQUAL(s.start_ms % s.width_ms, 0);

	int64_t		last = 0;
	uint64_t	total = 0;

	for (int i = 0; i < n; i++)
		last = times[i] > last ? times[i] : last;
	for (int i = 0; i < QUERY_SERIES_BUCKETS; i++)
		total += s.calls[i];
	CU_ASSERT_EQUAL(total, 3000);
	assert_counts_exact(&s, times, n, base, last);
}

static void
test_late_start_and_out_of_order(void)
{
	query_series s = {0};
	int64_t		base = 1764547200000LL;
	int64_t		times[] = {base + 30 * HOUR, base + 31 * HOUR, base + 2 * HOUR, base + 70 * HOUR, base};

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		query_series_add(&s, times[i], 1);
	assert_counts_exact(&s, times, 5, base, base + 70 * HOUR);
	/* unknown times are not counted */
	query_series_add(&s, -1, 1);
	query_series_add(&s, base, 0);

	uint64_t	total = 0;

	for (int i = 0; i < QUERY_SERIES_BUCKETS; i++)
		total += s.calls[i];
	CU_ASSERT_EQUAL(total, 5);
}

static void
test_merge_equals_one_pass(void)
{
	query_series one = {0},
				first = {0},
				second = {0},
				empty = {0};
	int64_t		base = 1764547200000LL;

	srand(11);
	for (int i = 0; i < 5000; i++)
	{
		int64_t		t = base + (int64_t) i * (5 * 24 * HOUR / 5000) + rand() % 1000;

		query_series_add(&one, t, 1);
		query_series_add(i < 1000 ? &first : &second, t, 1);
	}
	query_series_merge(&first, &second);
	query_series_merge(&first, &empty);
	CU_ASSERT_EQUAL(first.width_ms, one.width_ms);
	CU_ASSERT_EQUAL(first.start_ms, one.start_ms);
	CU_ASSERT_EQUAL(memcmp(first.calls, one.calls, sizeof(one.calls)), 0);
	/* into an empty one: a copy */
	query_series_merge(&empty, &one);
	CU_ASSERT_EQUAL(memcmp(&empty, &one, sizeof(one)), 0);
}

static void
test_text_round_trip(void)
{
	query_series s = {0},
				back;
	char		buf[1024];

	for (int i = 0; i < 100; i++)
		query_series_add(&s, 1764547200000LL + (int64_t) i * 1234567, (uint32_t) i + 1);
	CU_ASSERT(query_series_format(&s, buf, sizeof(buf)) < (int) sizeof(buf));
	CU_ASSERT_EQUAL(query_series_parse(&back, buf), 0);
	CU_ASSERT_EQUAL(memcmp(&back, &s, sizeof(s)), 0);
	CU_ASSERT_EQUAL(query_series_parse(&back, "12 3600000 1,2"), -1);
	CU_ASSERT_EQUAL(back.width_ms, 0);
	CU_ASSERT_EQUAL(query_series_parse(&back, "1000 3600000 0"), -1);
	CU_ASSERT_EQUAL(query_series_parse(&back, NULL), -1);
}

PGSIFT_TEST_SUITE(query_series_suite)
{
	CU_pSuite	s = CU_add_suite("src/model/query_series", NULL, NULL);

	CU_add_test(s, "hourly buckets, wider as the period grows, no call lost", test_hours_then_wider);
	CU_add_test(s, "a late first call and calls out of order", test_late_start_and_out_of_order);
	CU_add_test(s, "merged halves equal one pass", test_merge_equals_one_pass);
	CU_add_test(s, "the text form reads back; malformed text is refused", test_text_round_trip);
}
