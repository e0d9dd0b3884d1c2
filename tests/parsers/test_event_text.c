/*-------------------------------------------------------------------------
 * test_event_text.c
 *    The message scanners behind the event assembler (event_text.h).
 *
 * The hand-written number parser must agree with strtod to the last bit,
 * since durations are compared and summed; the other scanners are tested
 * on the edges the assembler tests do not reach.
 *-------------------------------------------------------------------------
 */
#include "parsers/event_text.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
number_matches_strtod(const char *text)
{
	double		mine;
	const char *end = evtext_number(text, text + strlen(text), &mine);

	return end != NULL && mine == strtod(text, NULL);
}

static void
test_number_rounding(void)
{
	char		buf[64];
	unsigned	seed = 12345;
	int			mismatches = 0;

	/* durations as PostgreSQL prints them (%ld.%03d), and longer ones */
	for (int i = 0; i < 200000; i++)
	{
		seed = seed * 1103515245u + 12345u;
		snprintf(buf, sizeof(buf), "%u.%03u", seed % 10000000u, (seed >> 8) % 1000u);
		mismatches += !number_matches_strtod(buf);
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT(number_matches_strtod("0.1"));
	CU_ASSERT(number_matches_strtod("123456789012.345"));
	CU_ASSERT(number_matches_strtod("12345678901234567890.5"));	/* strtod path */
	CU_ASSERT(number_matches_strtod("7"));
}

static void
test_number_edges(void)
{
	double		v = -1;
	const char *s = "5. ms";

	CU_ASSERT_PTR_EQUAL(evtext_number(s, s + strlen(s), &v), s + 1);
	CU_ASSERT_EQUAL(v, 5.0);
	s = ".5";
	CU_ASSERT_PTR_NULL(evtext_number(s, s + 2, &v));
	s = "12.75";
	/* end bounds the scan */
	CU_ASSERT_PTR_EQUAL(evtext_number(s, s + 2, &v), s + 2);
	CU_ASSERT_EQUAL(v, 12.0);
}

static void
test_duration(void)
{
	double		ms = 0;
	const char *s = "duration: 0.042 ms";

	CU_ASSERT_PTR_EQUAL(evtext_duration(s, s + strlen(s), &ms), s + strlen(s));
	CU_ASSERT_EQUAL(ms, 0.042);
	s = "duration: 1 s";
	CU_ASSERT_PTR_NULL(evtext_duration(s, s + strlen(s), &ms));
	s = "duration: 1.5";
	CU_ASSERT_PTR_NULL(evtext_duration(s, s + strlen(s), &ms));
}

static void
test_stmt_line(void)
{
	stmt_line	sl;
	const char *s = "execute <unnamed>: SELECT '<a>: b'";

	CU_ASSERT_EQUAL_FATAL(evtext_stmt_line(s, s + strlen(s), &sl), 1);
	CU_ASSERT_EQUAL(sl.phase, STMT_PHASE_EXECUTE);
	CU_ASSERT_EQUAL(sl.name_len, 9);
	CU_ASSERT_EQUAL(strncmp(sl.query, "SELECT '<a>: b'", sl.query_len), 0);

	s = "parse a/b: SELECT 1";	/* parse has no portal */
	CU_ASSERT_EQUAL_FATAL(evtext_stmt_line(s, s + strlen(s), &sl), 1);
	CU_ASSERT_EQUAL(sl.name_len, 3);
	CU_ASSERT_PTR_NULL(sl.portal);

	s = "execute : SELECT 1";
	CU_ASSERT_EQUAL(evtext_stmt_line(s, s + strlen(s), &sl), 0);
	s = "execute S_1 SELECT 1";
	CU_ASSERT_EQUAL(evtext_stmt_line(s, s + strlen(s), &sl), 0);
	s = "statement: ";
	CU_ASSERT_EQUAL_FATAL(evtext_stmt_line(s, s + strlen(s), &sl), 1);
	CU_ASSERT_EQUAL(sl.query_len, 0);
}

static void
test_sqlstate_inference(void)
{
	const char *s = "column \"x\" of relation \"t\" does not exist";

	CU_ASSERT_STRING_EQUAL(evtext_infer_sqlstate(s, s + strlen(s)), "42703");
	s = "relation \"t\" already exists";
	CU_ASSERT_PTR_NULL(evtext_infer_sqlstate(s, s + strlen(s)));
	s = "could not serialize access due to concurrent update";
	CU_ASSERT_STRING_EQUAL(evtext_infer_sqlstate(s, s + strlen(s)), "40001");
	s = "duplicate key value violates unique constraint \"t_pkey\"";
	CU_ASSERT_STRING_EQUAL(evtext_infer_sqlstate(s, s + strlen(s)), "23505");
}

static void
test_kv(void)
{
	const char *s = "connection authorized: user=alice database=db application_name=a b GSS "
		"(authenticated=yes, encrypted=yes, principal=x)";
	const char *v;
	size_t		len;

	CU_ASSERT_EQUAL_FATAL(evtext_find_kv(s, s + strlen(s), "application_name", 1, &v, &len), 1);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(strncmp(v, "a b", 3), 0);
	/* "user" inside another key does not count */
	s = "disconnection: session time: 0:00:00.001 xuser=no user=yes";
	CU_ASSERT_EQUAL_FATAL(evtext_find_kv(s, s + strlen(s), "user", 0, &v, &len), 1);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(strncmp(v, "yes", 3), 0);
	CU_ASSERT_EQUAL(evtext_find_kv(s, s + strlen(s), "port", 0, &v, &len), 0);
}

/* Found by fuzz_events: an absurd hour count must not overflow (UB). */
static void
test_session_time_huge_hours(void)
{
	const char *t = "disconnection: session time: 7777777777777777777:00:01.500 user=a database=b";
	double		ms = 0;

	CU_ASSERT_TRUE(evtext_session_time(t, t + strlen(t), &ms));
	CU_ASSERT(ms > 2.7e22);		/* 7.7e18 h in ms, no wrap-around to a negative */
	t = "disconnection: session time: 1:02:03.004 user=a";
	CU_ASSERT_TRUE(evtext_session_time(t, t + strlen(t), &ms));
	CU_ASSERT_DOUBLE_EQUAL(ms, 3723004.0, 1e-6);
}

PGSIFT_TEST_SUITE(event_text_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/event_text", NULL, NULL);

	CU_add_test(s, "session time with a huge hour count", test_session_time_huge_hours);
	CU_add_test(s, "numbers round like strtod", test_number_rounding);
	CU_add_test(s, "number edges", test_number_edges);
	CU_add_test(s, "duration prefix", test_duration);
	CU_add_test(s, "statement lines", test_stmt_line);
	CU_add_test(s, "SQLSTATE inference", test_sqlstate_inference);
	CU_add_test(s, "key=value in connection messages", test_kv);
}
