/*-------------------------------------------------------------------------
 * test_prefix.c
 *    Tests of the log_line_prefix compiler, matcher and learner (prefix.h).
 *
 * Lines marked "real" were written by a PostgreSQL 15.18 server with that
 * log_line_prefix.
 *-------------------------------------------------------------------------
 */
#include "parsers/prefix.h"
#include "src/core/diag.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T_2024_01_02_030405 INT64_C(1704164645000)

static strbuf store;
static log_record rec;

/* Match line with a freshly compiled prefix; fields land in rec/store. */
static int
match(const char *prefix, const char *line, size_t *msg_start)
{
	log_prefix *p = prefix_compile(prefix, NULL);
	size_t		dummy;
	int			part;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	log_record_clear(&rec);
	strbuf_reset(&store);
	part = prefix_match(p, line, strlen(line), &rec, &store, msg_start ? msg_start : &dummy);
	prefix_free(p);
	return part;
}

static void
test_escape_strings(void)
{
	CU_ASSERT_EQUAL(match("%a ", "my app LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.app, "my app");
	CU_ASSERT_EQUAL(match("%a ", "[unknown] LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_PTR_NULL(rec.app);
	CU_ASSERT_EQUAL(match("%u ", "alice LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.user, "alice");
	CU_ASSERT_EQUAL(match("%u@%d ", "ann@corp.example@bench LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.user, "ann@corp.example");
	ASSERT_STR(rec.dbname, "bench");
	CU_ASSERT_EQUAL(match("user=%u,db=%d ", "user=bob,db=shop LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.user, "bob");
	ASSERT_STR(rec.dbname, "shop");
	CU_ASSERT_EQUAL(match("%d ", "bench LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.dbname, "bench");
	CU_ASSERT_EQUAL(match("%h ", "10.1.2.3 LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.remote_host, "10.1.2.3");
	CU_ASSERT_PTR_NULL(rec.remote_port);
	CU_ASSERT_EQUAL(match("%b: ", "autovacuum worker: LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.backend_type, "autovacuum worker");
	CU_ASSERT_EQUAL(match("%i ", "idle in transaction LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.command_tag, "idle in transaction");
	CU_ASSERT_EQUAL(match("%c ", "65a1b2c3.1f4 LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.session_id, "65a1b2c3.1f4");
	CU_ASSERT_EQUAL(match("%v ", "3/12 LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.vxid, "3/12");
	CU_ASSERT_EQUAL(match("%v ", " LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_PTR_NULL(rec.vxid);
	CU_ASSERT_EQUAL(match("%e ", "42P01 ERROR:  x", NULL), PART_PRIMARY);
	CU_ASSERT_STRING_EQUAL(rec.sqlstate, "42P01");
}

static void
test_escape_remote(void)
{
	CU_ASSERT_EQUAL(match("%r ", "10.1.2.3(5432) LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.remote_host, "10.1.2.3");
	ASSERT_STR(rec.remote_port, "5432");
	CU_ASSERT_EQUAL(match("%r ", "::1(40000) LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.remote_host, "::1");
	ASSERT_STR(rec.remote_port, "40000");
	CU_ASSERT_EQUAL(match("%r ", "[local] LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.remote_host, "[local]");
	CU_ASSERT_PTR_NULL(rec.remote_port);
	CU_ASSERT_EQUAL(match("%r ", " LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_PTR_NULL(rec.remote_host);
}

static void
test_escape_numbers(void)
{
	CU_ASSERT_EQUAL(match("[%p] ", "[12345] LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.pid, 12345);
	CU_ASSERT_EQUAL(match("%p/%P ", "123/456 LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.leader_pid, 456);
	CU_ASSERT_EQUAL(match("%p/%P ", "123/ LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.leader_pid, -1);
	CU_ASSERT_EQUAL(match("%l ", "17 LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.session_line, 17);
	CU_ASSERT_EQUAL(match("%x ", "731 LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.xid, 731);
	CU_ASSERT_EQUAL(match("%Q ", "-4611686018427387904 LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.query_id, INT64_C(-4611686018427387904));
	CU_ASSERT_EQUAL(match("%Q ", "0 LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.query_id, 0);
	CU_ASSERT_EQUAL(match("[%p] ", "[12a] LOG:  x", NULL), -1);
	/* more digits than PostgreSQL writes: read, not undefined (found by fuzzing) */
	CU_ASSERT_EQUAL(match("%l %Q ", "99999999999999999999 -99999999999999999999 LOG:  x", NULL), PART_PRIMARY);
}

static void
test_escape_times(void)
{
	CU_ASSERT_EQUAL(match("%t ", "2024-01-02 03:04:05 UTC LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.ts_ms, T_2024_01_02_030405);
	CU_ASSERT_EQUAL(match("%m ", "2024-01-02 03:04:05.123 UTC LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.ts_ms, T_2024_01_02_030405 + 123);
	CU_ASSERT_EQUAL(match("%n ", "1704164645.123 LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.ts_ms, T_2024_01_02_030405 + 123);
	CU_ASSERT_EQUAL(match("%s ", "2024-01-02 03:04:05 UTC LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.session_start_ms, T_2024_01_02_030405);
	CU_ASSERT_EQUAL(rec.ts_ms, LOG_TS_UNKNOWN);
	/* %t with a zone that is not UTC */
	CU_ASSERT_EQUAL(match("%t [%p] ", "2024-01-02 04:04:05 CET [7] LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.ts_ms, T_2024_01_02_030405);
	CU_ASSERT_EQUAL(match("%t [%p] ", "2024-01-01 22:04:05 EST [7] LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.ts_ms, T_2024_01_02_030405);
	CU_ASSERT_EQUAL(match("%t [%p] ", "2024-01-02 00:04:05 -03 [7] LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.ts_ms, T_2024_01_02_030405);
	/* %m needs milliseconds, %t has none */
	CU_ASSERT_EQUAL(match("%m ", "2024-01-02 03:04:05 UTC LOG:  x", NULL), -1);
	CU_ASSERT_EQUAL(match("%t ", "2024-01-02 03:04:05.123 UTC LOG:  x", NULL), -1);
}

static void
test_escape_literals(void)
{
	CU_ASSERT_EQUAL(match("%% ", "% LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(match("%% ", "x LOG:  x", NULL), -1);
	/* regex metacharacters are literal */
	CU_ASSERT_EQUAL(match("(%p).*+?|^$ ", "(12).*+?|^$ LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.pid, 12);
	CU_ASSERT_EQUAL(match("(%p).*+? ", "(12)abcd LOG:  x", NULL), -1);
	/* unknown escapes and a trailing '%' print nothing in PostgreSQL */
	CU_ASSERT_EQUAL(match("%z[%p] %", "[1] LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.pid, 1);
	CU_ASSERT_EQUAL(match("", "LOG:  x", NULL), PART_PRIMARY);
}

/* real: every escape at once */
static void
test_all_escapes_real(void)
{
	const char *prefix = "%a|%u|%d|%r|%h|%b|%p|%P|%t|%m|%n|%i|%e|%c|%l|%s|%v|%x|%Q|%% ";
	const char *session = "psql|postgres|postgres|127.0.0.1(44784)|127.0.0.1|client backend|17266||"
		"2026-11-22 06:00:00 UTC|2026-11-22 06:00:00.319 UTC|1795327200.319|INSERT|23505|"
		"6b0284e0.4372|8|2026-11-22 06:00:00 UTC|3/71|731|0|% ERROR:  duplicate key value";
	const char *postmaster = "|||||postmaster|17072||2026-11-22 05:59:59 UTC|2026-11-22 05:59:59.973 UTC|"
		"1795327199.973||00000|6b0284d7.42b0|14|2026-11-22 05:59:51 UTC||0|0|% LOG:  parameter changed";
	size_t		msg;

	CU_ASSERT_EQUAL(match(prefix, session, &msg), PART_PRIMARY);
	CU_ASSERT_STRING_EQUAL(session + msg, "duplicate key value");
	CU_ASSERT_EQUAL(rec.severity, SEV_ERROR);
	ASSERT_STR(rec.app, "psql");
	ASSERT_STR(rec.user, "postgres");
	ASSERT_STR(rec.dbname, "postgres");
	ASSERT_STR(rec.remote_host, "127.0.0.1");
	ASSERT_STR(rec.remote_port, "44784");
	ASSERT_STR(rec.backend_type, "client backend");
	CU_ASSERT_EQUAL(rec.pid, 17266);
	CU_ASSERT_EQUAL(rec.leader_pid, -1);
	CU_ASSERT_EQUAL(rec.ts_ms, INT64_C(1795327200319));
	ASSERT_STR(rec.command_tag, "INSERT");
	CU_ASSERT_STRING_EQUAL(rec.sqlstate, "23505");
	ASSERT_STR(rec.session_id, "6b0284e0.4372");
	CU_ASSERT_EQUAL(rec.session_line, 8);
	CU_ASSERT_EQUAL(rec.session_start_ms, INT64_C(1795327200000));
	ASSERT_STR(rec.vxid, "3/71");
	CU_ASSERT_EQUAL(rec.xid, 731);
	CU_ASSERT_EQUAL(rec.query_id, 0);

	CU_ASSERT_EQUAL(match(prefix, postmaster, &msg), PART_PRIMARY);
	CU_ASSERT_PTR_NULL(rec.user);
	CU_ASSERT_PTR_NULL(rec.remote_host);
	CU_ASSERT_PTR_NULL(rec.command_tag);
	CU_ASSERT_PTR_NULL(rec.vxid);
	ASSERT_STR(rec.backend_type, "postmaster");
	CU_ASSERT_EQUAL(rec.session_start_ms, INT64_C(1795327191000));
}

/* real: padding, and %q stopping the prefix of the postmaster */
static void
test_padding_real(void)
{
	const char *prefix = "%-10u|%10p|%-12a|%5d|%q%r ";

	CU_ASSERT_EQUAL(match(prefix, "postgres  |     17278|psql        |postgres|127.0.0.1(44806) LOG:  x", NULL),
					PART_PRIMARY);
	ASSERT_STR(rec.user, "postgres");
	CU_ASSERT_EQUAL(rec.pid, 17278);
	ASSERT_STR(rec.app, "psql");
	ASSERT_STR(rec.dbname, "postgres");
	ASSERT_STR(rec.remote_port, "44806");
	CU_ASSERT_EQUAL(match(prefix, "[unknown] |     17278|[unknown]   |[unknown]|127.0.0.1(44806) LOG:  x", NULL),
					PART_PRIMARY);
	CU_ASSERT_PTR_NULL(rec.user);
	CU_ASSERT_PTR_NULL(rec.app);
	CU_ASSERT_EQUAL(match(prefix, "          |     17072|            |     |LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.pid, 17072);
	CU_ASSERT_PTR_NULL(rec.user);
	CU_ASSERT_PTR_NULL(rec.dbname);
	/* a value longer than its padding is not cut */
	CU_ASSERT_EQUAL(match("%3p ", "123456 LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.pid, 123456);
	CU_ASSERT_EQUAL(match("%-4u|", "ab  |LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.user, "ab");
}

/* where each value is: padding left out, %r through its port, nothing after a %q for the postmaster */
static void
test_match_values(void)
{
	log_prefix *p = prefix_compile("%m %-10u %5p %%x %q%r ", NULL);
	const char *session = "2024-01-02 03:04:05.123 UTC bob           42 %x 10.0.0.1(5432) LOG:  x";
	const char *postmaster = "2024-01-02 03:04:05.123 UTC            7 %x LOG:  x";
	prefix_value v[8];
	size_t		end = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(prefix_match_values(p, session, strlen(session), v, 8, &end), 4);
	CU_ASSERT_EQUAL(end, strlen(session) - strlen("LOG:  x"));
	CU_ASSERT(v[0].esc == 'm' && v[0].start == 0 && v[0].len == 27);
	CU_ASSERT(v[1].esc == 'u' && v[1].start == 28 && v[1].len == 3);
	CU_ASSERT(v[2].esc == 'p' && v[2].start == 42 && v[2].len == 2);
	CU_ASSERT(v[3].esc == 'r' && v[3].start == 48 && v[3].len == 14);
	CU_ASSERT_EQUAL(prefix_match_values(p, postmaster, strlen(postmaster), v, 8, &end), 4);
	CU_ASSERT(v[1].esc == 'u' && v[1].start >= 0 && v[1].len == 0);
	CU_ASSERT_EQUAL(v[2].len, 1);
	CU_ASSERT(v[3].esc == 'r' && v[3].start == -1);
	/* room for two: the first two */
	CU_ASSERT_EQUAL(prefix_match_values(p, session, strlen(session), v, 2, &end), 2);
	CU_ASSERT_EQUAL(prefix_match_values(p, "bob LOG:  x", 11, v, 8, &end), -1);
	prefix_free(p);
}

/* real: Debian's prefix with and without session */
static void
test_q_session(void)
{
	const char *debian = "%m [%p] %q%u@%d ";

	CU_ASSERT_EQUAL(match(debian, "2026-11-22 05:59:58.178 UTC [17205] postgres@bench LOG:  x", NULL), PART_PRIMARY);
	ASSERT_STR(rec.user, "postgres");
	ASSERT_STR(rec.dbname, "bench");
	CU_ASSERT_EQUAL(match(debian, "2026-11-22 05:59:51.793 UTC [17072] LOG:  starting", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.pid, 17072);
	CU_ASSERT_PTR_NULL(rec.user);
	CU_ASSERT_EQUAL(match(debian, "2026-11-22 05:59:58.163 UTC [17205] [unknown]@[unknown] LOG:  x", NULL),
					PART_PRIMARY);
	CU_ASSERT_PTR_NULL(rec.user);
	/* half a session part is not a match: %q makes the rest optional as a whole */
	CU_ASSERT_EQUAL(match(debian, "2026-11-22 05:59:51.793 UTC [17072] alice LOG:  x", NULL), -1);
	CU_ASSERT_EQUAL(match("%p %q%u %d ", "1 a b LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(match("%p %q%u %d ", "1 a LOG:  x", NULL), -1);
}

static void
test_parts_and_severities(void)
{
	static const struct
	{
		const char *word;
		int			part;
		log_severity sev;
	}			cases[] = {
		{"LOG", PART_PRIMARY, SEV_LOG}, {"ERROR", PART_PRIMARY, SEV_ERROR},
		{"WARNING", PART_PRIMARY, SEV_WARNING}, {"FATAL", PART_PRIMARY, SEV_FATAL},
		{"PANIC", PART_PRIMARY, SEV_PANIC}, {"INFO", PART_PRIMARY, SEV_INFO},
		{"NOTICE", PART_PRIMARY, SEV_NOTICE}, {"DEBUG", PART_PRIMARY, SEV_DEBUG},
		{"DEBUG2", PART_PRIMARY, SEV_DEBUG}, {"DETAIL", PART_DETAIL, SEV_UNKNOWN},
		{"HINT", PART_HINT, SEV_UNKNOWN}, {"CONTEXT", PART_CONTEXT, SEV_UNKNOWN},
		{"STATEMENT", PART_STATEMENT, SEV_UNKNOWN}, {"QUERY", PART_QUERY, SEV_UNKNOWN},
		{"LOCATION", PART_LOCATION, SEV_UNKNOWN},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char		line[64];
		size_t		msg;

		snprintf(line, sizeof(line), "[7] %s:  text", cases[i].word);
		CU_ASSERT_EQUAL(match("[%p] ", line, &msg), cases[i].part);
		CU_ASSERT_EQUAL(rec.severity, cases[i].sev);
		CU_ASSERT_STRING_EQUAL(line + msg, "text");
	}
	/* one space after the word: not PostgreSQL's own, but what some log services keep */
	{
		size_t		msg;

		CU_ASSERT_EQUAL(match("[%p] ", "[7] LOG: one space", &msg), PART_PRIMARY);
		CU_ASSERT_EQUAL(msg, 9);
	}
	CU_ASSERT_EQUAL(match("[%p] ", "[7] LOG:no space", NULL), -1);
	CU_ASSERT_EQUAL(match("[%p] ", "[7] TRACE:  x", NULL), -1);
	CU_ASSERT_EQUAL(match("[%p] ", "[7] LOG", NULL), -1);
	CU_ASSERT_EQUAL(match("[%p] ", "", NULL), -1);
}

/* One prefix over many lines: the time cache must never give a stale value. */
static void
test_time_cache(void)
{
	static const struct
	{
		const char *ts;
		int64_t		want;
	}			cases[] = {
		{"2024-01-02 03:04:05.123 UTC", T_2024_01_02_030405 + 123},
		{"2024-01-02 03:04:05.999 UTC", T_2024_01_02_030405 + 999},
		{"2024-01-02 03:04:06.000 UTC", T_2024_01_02_030405 + 1000},
		{"2024-01-02 03:05:06.000 UTC", T_2024_01_02_030405 + 61000},
		{"2024-12-31 23:59:59.999 UTC", INT64_C(1735689599999)},
		{"2025-01-01 00:00:00.000 UTC", INT64_C(1735689600000)},
		{"2024-02-29 12:00:00.000 UTC", INT64_C(1709208000000)},
		{"2024-02-29 12:00:00.000 GMT", INT64_C(1709208000000)},
		{"2024-02-29 13:00:00.000 CET", INT64_C(1709208000000)},
		{"2024-02-29 13:00:00.000 +01", INT64_C(1709208000000)},
		{"2024-02-29 06:30:00.000 -0530", INT64_C(1709208000000)},
		{"2024-02-29 07:00:00.000 EST", INT64_C(1709208000000)},
		{"2024-02-29 13:00:00.000 CET", INT64_C(1709208000000)},
		{"2024-02-29 13:00:00.250 +01", INT64_C(1709208000250)},
		{"2024-02-29 12:00:00.000 UTC", INT64_C(1709208000000)},
		/* zones of servers in Europe, America and Asia, as log_timezone writes them */
		{"2024-07-15 14:00:00.000 CEST", INT64_C(1721044800000)},
		{"2024-07-15 13:00:00.000 BST", INT64_C(1721044800000)},
		{"2024-07-15 08:00:00.000 EDT", INT64_C(1721044800000)},
		{"2024-07-15 05:00:00.000 PDT", INT64_C(1721044800000)},
		{"2024-01-15 04:00:00.000 PST", INT64_C(1705320000000)},
		{"2024-01-15 17:30:00.000 IST", INT64_C(1705320000000)},
		{"2024-01-15 17:30:00.000 +05:30", INT64_C(1705320000000)},
		{"2024-01-15 09:00:00.000 -03", INT64_C(1705320000000)},
		{"2024-01-15 17:45:00.000 +0545", INT64_C(1705320000000)},
	};
	log_prefix *p = prefix_compile("%m [%p] ", NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char		line[128];
		size_t		msg;

		snprintf(line, sizeof(line), "%s [1] LOG:  x", cases[i].ts);
		log_record_clear(&rec);
		strbuf_reset(&store);
		CU_ASSERT_EQUAL(prefix_match(p, line, strlen(line), &rec, &store, &msg), PART_PRIMARY);
		CU_ASSERT_EQUAL(rec.ts_ms, cases[i].want);
	}
	prefix_free(p);
}

static void
test_unknown_zone(void)
{
	int			saved = diag_quiet;

	diag_quiet = 1;
	/* an abbreviation not in the table is read as UTC, and still matches */
	CU_ASSERT_EQUAL(match("%m ", "2024-01-02 03:04:05.123 XYZT LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.ts_ms, T_2024_01_02_030405 + 123);
	CU_ASSERT_EQUAL(match("%t ", "2024-13-02 03:04:05 UTC LOG:  x", NULL), PART_PRIMARY);
	CU_ASSERT_EQUAL(rec.ts_ms, LOG_TS_UNKNOWN);
	diag_quiet = saved;
}

/* A megabyte line that almost matches fails, and fast (bounded groups). */
static void
test_long_line(void)
{
	size_t		n = 1 << 20;
	char	   *line = malloc(n + 1);
	log_prefix *p = prefix_compile("%m [%p] %q%u@%d %a %i ", NULL);
	size_t		msg;
	clock_t		t0 = clock();

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(line, 'x', n);
	memcpy(line, "2024-01-02 03:04:05.123 UTC [1] a@b ", 36);
	line[n] = '\0';
	for (int i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(prefix_match(p, line, n, NULL, NULL, &msg), -1);
	CU_ASSERT((double) (clock() - t0) / CLOCKS_PER_SEC < 2.0);
	memcpy(line + 36, "psql SELECT LOG:  ", 18);
	CU_ASSERT_EQUAL(prefix_match(p, line, n, NULL, NULL, &msg), PART_PRIMARY);
	CU_ASSERT_EQUAL(msg, 54);
	prefix_free(p);
	free(line);
}

static void
test_find_severity(void)
{
	const char *a = "2024-01-02 03:04:05 UTC [1] LOG:  statement: select 'ERROR:  x'";
	const char *b = "abc DEBUG3:  x";
	const char *c = "no marker: here";
	const char *d = "XLOG:  not a severity";

	CU_ASSERT_EQUAL(prefix_find_severity(a, strlen(a), 512), 28);
	CU_ASSERT_EQUAL(prefix_find_severity(b, strlen(b), 512), 4);
	CU_ASSERT_EQUAL(prefix_find_severity(c, strlen(c), 512), -1);
	CU_ASSERT_EQUAL(prefix_find_severity(d, strlen(d), 512), -1);
	CU_ASSERT_EQUAL(prefix_find_severity(a, strlen(a), 10), -1);
}

/* Learn a prefix from lines; check the text and the match count. */
static void
check_learn(const char *const *lines, int n, const char *want, int want_matched)
{
	size_t		lens[16];
	int			matched = -1;
	char	   *got;

	for (int i = 0; i < n; i++)
		lens[i] = strlen(lines[i]);
	got = prefix_learn(lines, lens, n, &matched);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_EQUAL(matched, want_matched);
	free(got);
}

static void
test_learn(void)
{
	const char *custom[] = {
		"2024-01-02 03:04:05.123 UTC|65a1b2c3.1f4|pid=123|alice@shop|42P01 ERROR:  relation missing",
		"2024-01-02 03:04:05.124 UTC|65a1b2c3.1f4|pid=123|alice@shop|00000 LOG:  duration: 1 ms",
		"\tcontinuation line",
		"2024-01-02 03:04:06.001 UTC|65a1b2c4.200|pid=512|@|00000 LOG:  checkpoint starting",
	};
	const char *pgbadger[] = {
		"2024-01-02 03:04:05 CET [4321]: [3-1] db=shop,user=bob,app=psql,client=10.0.0.9 LOG:  x",
		"2024-01-02 03:04:06 CET [4321]: [4-1] db=shop,user=bob,app=psql,client=10.0.0.9 LOG:  y",
		"2024-01-02 03:04:07 CET [99]: [1-1] db=,user=,app=,client= LOG:  z",
	};
	const char *session_only[] = {
		"1704164645.123 (77) bob@shop LOG:  x",
		"1704164645.124 (78) LOG:  startup",
		"1704164645.125 (77) bob@shop LOG:  y",
	};
	const char *apps[] = {
		"[77] pgbench: LOG:  x",
		"[78] psql: LOG:  y",
		"[79] my_app: LOG:  z",
	};
	const char *epoch_host[] = {
		"t=1704164645.123 h=10.1.2.3 p=44 ERROR:  x",
		"t=1704164645.124 h=10.1.2.4 p=45 LOG:  y",
	};

	check_learn(custom, 4, "%m|%c|pid=%p|%u@%d|%e ", 3);
	check_learn(pgbadger, 3, "%t [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ", 3);
	check_learn(session_only, 3, "%n (%p) %q%u@%d ", 3);
	check_learn(apps, 3, "[%p] %a: ", 3);
	check_learn(epoch_host, 2, "t=%n h=%h p=%p ", 2);

	const char *none[] = {"no severity here", "\tnor here"};
	size_t		lens[2] = {strlen(none[0]), strlen(none[1])};
	int			matched = -1;

	CU_ASSERT_PTR_NULL(prefix_learn(none, lens, 2, &matched));
	CU_ASSERT_EQUAL(matched, 0);
}

static void
test_compile_reports(void)
{
	char	   *err = NULL;
	log_prefix *p = prefix_compile("%m [%p] %q%u@%d ", &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NULL(err);
	CU_ASSERT_STRING_EQUAL(prefix_text(p), "%m [%p] %q%u@%d ");
	CU_ASSERT_TRUE(prefix_has_time(p));
	CU_ASSERT_TRUE(prefix_has_pid(p));
	prefix_free(p);
	p = prefix_compile("%u@%d ", &err);
	CU_ASSERT_FALSE(prefix_has_time(p));
	CU_ASSERT_FALSE(prefix_has_pid(p));
	prefix_free(p);
	prefix_free(NULL);
}

static int
suite_init(void)
{
	strbuf_init(&store);
	return 0;
}

static int
suite_clean(void)
{
	strbuf_free(&store);
	return 0;
}

PGSIFT_TEST_SUITE(prefix_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/prefix", suite_init, suite_clean);

	CU_add_test(s, "string escapes", test_escape_strings);
	CU_add_test(s, "%r host(port)", test_escape_remote);
	CU_add_test(s, "number escapes", test_escape_numbers);
	CU_add_test(s, "time escapes", test_escape_times);
	CU_add_test(s, "literals, %%, unknown escapes", test_escape_literals);
	CU_add_test(s, "all escapes (real)", test_all_escapes_real);
	CU_add_test(s, "padding (real)", test_padding_real);
	CU_add_test(s, "where the values are", test_match_values);
	CU_add_test(s, "%q with and without session", test_q_session);
	CU_add_test(s, "parts and severities", test_parts_and_severities);
	CU_add_test(s, "time cache across seconds and zones", test_time_cache);
	CU_add_test(s, "unknown zone and bad date", test_unknown_zone);
	CU_add_test(s, "long near-matching line", test_long_line);
	CU_add_test(s, "find severity marker", test_find_severity);
	CU_add_test(s, "learn a prefix", test_learn);
	CU_add_test(s, "compile", test_compile_reports);
}
