/*-------------------------------------------------------------------------
 * test_events_pairing.c
 *    Pairing of log_statement lines with the bare duration that follows.
 *
 * Sequences of hand-built records across sessions: a statement and its
 * later "duration: X ms" become one EV_STATEMENT even with other sessions'
 * lines in between; statements that never get a duration come out as
 * EV_STATEMENT_UNTIMED at the point where that becomes certain.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_event.h"
#include "tests/parsers/event_capture.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <string.h>

static event_capture cap;
static event_assembler *ea;

static void
start(void)
{
	capture_reset(&cap);
	ea = event_assembler_create(capture_sink, &cap);
}

static void
stop(void)
{
	event_assembler_destroy(ea);
	ea = NULL;
}

/* Feed one LOG record of session sid (or, when sid is NULL, of pid). */
static void
feed(int32_t pid, const char *sid, uint64_t line, const char *message)
{
	log_record	r = make_record(SEV_LOG, pid, sid, line, message);

	event_assembler_record(ea, &r);
}

static void
test_pair_across_sessions(void)
{
	char		msg[64];
	char		detail[64];
	log_record	r;

	start();
	/* the record's strings are transient: the assembler must copy them */
	snprintf(msg, sizeof(msg), "execute S_1: SELECT * FROM t WHERE a = $1");
	snprintf(detail, sizeof(detail), "parameters: $1 = 'x'");
	r = make_record(SEV_LOG, 10, "65f0.a", 1, msg);
	r.detail = detail;
	r.user = "alice";
	event_assembler_record(ea, &r);
	memset(msg, 'X', sizeof(msg) - 1);
	memset(detail, 'X', sizeof(detail) - 1);
	CU_ASSERT_EQUAL(cap.total, 0);

	feed(11, "65f0.b", 2, "duration: 9.000 ms  statement: SELECT 2");
	feed(11, "65f0.b", 3, "duration: 1.000 ms");	/* nothing pending in b */
	feed(10, "65f0.a", 4, "duration: 7.250 ms");
	CU_ASSERT_EQUAL_FATAL(cap.total, 3);

	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(cap.ev[0].line, 2);
	CU_ASSERT_EQUAL(cap.ev[1].kind, EV_OTHER);
	CU_ASSERT_EQUAL(cap.ev[1].duration_ms, 1.0);
	CU_ASSERT_EQUAL(cap.ev[2].kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(cap.ev[2].line, 1);	/* the statement's record */
	CU_ASSERT_EQUAL(cap.ev[2].duration_ms, 7.25);
	CU_ASSERT_STRING_EQUAL(cap.ev[2].query, "SELECT * FROM t WHERE a = $1");
	CU_ASSERT_STRING_EQUAL(cap.ev[2].stmt_name, "S_1");
	CU_ASSERT_STRING_EQUAL(cap.ev[2].params, "$1 = 'x'");
	CU_ASSERT_STRING_EQUAL(cap.ev[2].user, "alice");
	CU_ASSERT_STRING_EQUAL(cap.ev[2].message, "execute S_1: SELECT * FROM t WHERE a = $1");

	/* paired and gone: nothing left for finish */
	event_assembler_finish(ea);
	CU_ASSERT_EQUAL(cap.total, 3);
	stop();
}

static void
test_two_statements_in_a_row(void)
{
	start();
	feed(20, NULL, 1, "statement: BEGIN");
	CU_ASSERT_EQUAL(cap.total, 0);
	feed(20, NULL, 2, "statement: SELECT 1");
	CU_ASSERT_EQUAL_FATAL(cap.total, 1);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_STATEMENT_UNTIMED);
	CU_ASSERT_EQUAL(cap.ev[0].line, 1);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].query, "BEGIN");
	CU_ASSERT_EQUAL(cap.ev[0].duration_ms, -1);

	feed(20, NULL, 3, "duration: 0.500 ms");
	CU_ASSERT_EQUAL_FATAL(cap.total, 2);
	CU_ASSERT_EQUAL(cap.ev[1].kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(cap.ev[1].line, 2);
	CU_ASSERT_STRING_EQUAL(cap.ev[1].query, "SELECT 1");
	CU_ASSERT_EQUAL(cap.ev[1].duration_ms, 0.5);
	stop();
}

static void
test_pending_at_finish(void)
{
	start();
	feed(30, NULL, 1, "statement: SELECT 30");
	feed(31, NULL, 2, "statement: SELECT 31");
	CU_ASSERT_EQUAL(cap.total, 0);
	event_assembler_finish(ea);
	CU_ASSERT_EQUAL_FATAL(cap.total, 2);
	/* oldest first */
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_STATEMENT_UNTIMED);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].query, "SELECT 30");
	CU_ASSERT_EQUAL(cap.ev[1].kind, EV_STATEMENT_UNTIMED);
	CU_ASSERT_STRING_EQUAL(cap.ev[1].query, "SELECT 31");

	/* finish twice delivers nothing more */
	event_assembler_finish(ea);
	CU_ASSERT_EQUAL(cap.total, 2);
	stop();
}

static void
test_session_id_beats_pid(void)
{
	start();
	/* same pid, different sessions (pid reuse): no pairing across them */
	feed(40, "aaa.28", 1, "statement: SELECT 'first'");
	feed(40, "bbb.28", 2, "duration: 3.000 ms");
	CU_ASSERT_EQUAL_FATAL(cap.total, 1);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_OTHER);
	feed(41, "aaa.28", 3, "duration: 4.000 ms");
	CU_ASSERT_EQUAL_FATAL(cap.total, 2);
	CU_ASSERT_EQUAL(cap.ev[1].kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(cap.ev[1].duration_ms, 4.0);
	stop();
}

static void
test_session_end_flushes(void)
{
	log_record	r;

	start();
	feed(50, NULL, 1, "statement: SELECT 50");
	feed(50, NULL, 2, "disconnection: session time: 0:00:02.000 user=u database=d host=[local]");
	feed(50, NULL, 3, "duration: 1.000 ms");
	CU_ASSERT_EQUAL_FATAL(cap.total, 3);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_STATEMENT_UNTIMED);
	CU_ASSERT_EQUAL(cap.ev[1].kind, EV_DISCONNECTION);
	CU_ASSERT_EQUAL(cap.ev[2].kind, EV_OTHER);

	/* an error ends the statement: no duration is logged after it */
	feed(51, NULL, 4, "statement: SELECT 1/0");
	r = make_record(SEV_ERROR, 51, NULL, 5, "division by zero");
	r.statement = "SELECT 1/0";
	event_assembler_record(ea, &r);
	CU_ASSERT_EQUAL_FATAL(cap.total, 5);
	CU_ASSERT_EQUAL(cap.ev[3].kind, EV_STATEMENT_UNTIMED);
	CU_ASSERT_EQUAL(cap.ev[4].kind, EV_ERROR);
	CU_ASSERT_STRING_EQUAL(cap.ev[4].sqlstate, "22012");

	/* a new backend with the same pid ends what the old one left */
	feed(52, NULL, 6, "statement: SELECT 52");
	feed(52, NULL, 7, "connection received: host=[local]");
	CU_ASSERT_EQUAL_FATAL(cap.total, 7);
	CU_ASSERT_EQUAL(cap.ev[5].kind, EV_STATEMENT_UNTIMED);
	CU_ASSERT_EQUAL(cap.ev[6].kind, EV_CONNECTION_RECEIVED);
	stop();
}

static void
test_other_records_keep_pending(void)
{
	start();
	feed(60, NULL, 1, "statement: SELECT * FROM big ORDER BY x");
	feed(60, NULL, 2, "temporary file: path \"base/pgsql_tmp/pgsql_tmp60.0\", size 8192");
	feed(60, NULL, 3, "duration: 8.000 ms  plan:\nQuery Text: SELECT * FROM big ORDER BY x\n"
		 "Sort  (cost=1.00..2.00 rows=10 width=4)");
	feed(60, NULL, 4, "duration: 8.100 ms");
	CU_ASSERT_EQUAL_FATAL(cap.total, 3);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_TEMP_FILE);
	CU_ASSERT_EQUAL(cap.ev[1].kind, EV_PLAN);
	CU_ASSERT_EQUAL(cap.ev[2].kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(cap.ev[2].duration_ms, 8.1);
	CU_ASSERT_EQUAL(cap.ev[2].line, 1);

	/* a timed statement or protocol phase in the session does end it */
	feed(61, NULL, 5, "statement: SELECT 61");
	feed(61, NULL, 6, "duration: 0.100 ms  parse <unnamed>: SELECT 62");
	CU_ASSERT_EQUAL_FATAL(cap.total, 5);
	CU_ASSERT_EQUAL(cap.ev[3].kind, EV_STATEMENT_UNTIMED);
	CU_ASSERT_EQUAL(cap.ev[4].kind, EV_PARSE);
	stop();
}

static void
test_no_session_key(void)
{
	start();
	/* neither %c nor %p: pairing in log order is all that is left */
	feed(-1, NULL, 1, "statement: SELECT 1");
	feed(-1, NULL, 2, "duration: 2.000 ms");
	CU_ASSERT_EQUAL_FATAL(cap.total, 1);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(cap.ev[0].duration_ms, 2.0);
	stop();
}

static void
test_eviction(void)
{
	char		sql[32];
	const int	max = 100000;

	start();
	for (int i = 0; i < max; i++)
	{
		snprintf(sql, sizeof(sql), "statement: SELECT %d", i);
		feed(i, NULL, (uint64_t) i + 1, sql);
	}
	CU_ASSERT_EQUAL(cap.total, 0);
	feed(max, NULL, (uint64_t) max + 1, "statement: SELECT last");
	CU_ASSERT_EQUAL_FATAL(cap.total, 1);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_STATEMENT_UNTIMED);
	CU_ASSERT_EQUAL(cap.ev[0].line, 1);	/* the oldest went first */

	/* the others still pair */
	feed(max - 1, NULL, (uint64_t) max + 2, "duration: 1.500 ms");
	CU_ASSERT_EQUAL_FATAL(cap.total, 2);
	CU_ASSERT_EQUAL(cap.ev[1].kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(cap.ev[1].line, (uint64_t) max);

	event_assembler_finish(ea);
	CU_ASSERT_EQUAL(cap.total, max + 1);
	CU_ASSERT_EQUAL(cap.kinds[EV_STATEMENT_UNTIMED], max);
	stop();
}

static int
suite_cleanup(void)
{
	capture_reset(&cap);
	return 0;
}

PGSIFT_TEST_SUITE(events_pairing_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/events_pairing", NULL, suite_cleanup);

	CU_add_test(s, "statement + later duration across sessions", test_pair_across_sessions);
	CU_add_test(s, "two statements in a row: first untimed", test_two_statements_in_a_row);
	CU_add_test(s, "pending at finish: untimed", test_pending_at_finish);
	CU_add_test(s, "session id beats pid", test_session_id_beats_pid);
	CU_add_test(s, "disconnection, error, new connection end pending", test_session_end_flushes);
	CU_add_test(s, "temp files and plans keep pending", test_other_records_keep_pending);
	CU_add_test(s, "no session key: log order", test_no_session_key);
	CU_add_test(s, "at most 100000 pending, oldest evicted", test_eviction);
}
