/*-------------------------------------------------------------------------
 * test_events.c
 *    Classification of single records by the event assembler.
 *
 * One hand-built record per PostgreSQL 15 message form, checked for its
 * kind and the exact numbers and strings the event carries.  Pairing of
 * statements with later durations is in test_events_pairing.c.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_event.h"
#include "tests/parsers/event_capture.h"
#include "tests/test_registry.h"

#include <string.h>

static event_capture cap;

/* Feed one record through a fresh assembler (finished), keeping the events. */
static void
classify(const log_record *rec)
{
	event_assembler *ea;

	capture_reset(&cap);
	ea = event_assembler_create(capture_sink, &cap);
	event_assembler_record(ea, rec);
	event_assembler_finish(ea);
	event_assembler_destroy(ea);
}

/* The only event a LOG record with this message gives. */
static const captured_event *
classify_log(const char *message)
{
	log_record	r = make_record(SEV_LOG, 100, NULL, 7, message);

	classify(&r);
	CU_ASSERT_EQUAL_FATAL(cap.total, 1);
	return &cap.ev[0];
}

static void
test_kind_names(void)
{
	CU_ASSERT_STRING_EQUAL(log_event_kind_name(EV_STATEMENT), "statement");
	CU_ASSERT_STRING_EQUAL(log_event_kind_name(EV_STATEMENT_UNTIMED), "statement_untimed");
	CU_ASSERT_STRING_EQUAL(log_event_kind_name(EV_CONNECTION_AUTHORIZED), "connection_authorized");
	CU_ASSERT_STRING_EQUAL(log_event_kind_name(EV_LOCK_WAIT), "lock_wait");
	CU_ASSERT_STRING_EQUAL(log_event_kind_name(EV_CHECKPOINT_COMPLETE), "checkpoint_complete");
	CU_ASSERT_STRING_EQUAL(log_event_kind_name(EV_AUTOANALYZE), "autoanalyze");
	CU_ASSERT_STRING_EQUAL(log_event_kind_name(EV_OTHER), "other");
	CU_ASSERT_STRING_EQUAL(log_event_kind_name(EV__COUNT), "unknown");
	/* every kind has its own name */
	for (int i = 0; i < EV__COUNT; i++)
		for (int j = i + 1; j < EV__COUNT; j++)
			CU_ASSERT_STRING_NOT_EQUAL(log_event_kind_name(i), log_event_kind_name(j));
}

static void
test_timed_statement(void)
{
	const captured_event *e = classify_log("duration: 1.234 ms  statement: SELECT 1");

	CU_ASSERT_EQUAL(e->kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(e->duration_ms, 1.234);
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT 1");
	CU_ASSERT_EQUAL(e->query_len, 8);
	CU_ASSERT_PTR_NULL(e->stmt_name);
	CU_ASSERT_PTR_NULL(e->params);
	CU_ASSERT_EQUAL(e->line, 7);

	e = classify_log("duration: 2001.000 ms  statement: SELECT a,\n  b\nFROM t");
	CU_ASSERT_EQUAL(e->kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(e->duration_ms, 2001.0);
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT a,\n  b\nFROM t");
}

static void
test_execute_forms(void)
{
	log_record	r = make_record(SEV_LOG, 1, NULL, 1,
								"duration: 12.500 ms  execute <unnamed>: SELECT * FROM t WHERE id = $1");
	const captured_event *e;

	r.detail = "parameters: $1 = '42'";
	classify(&r);
	CU_ASSERT_EQUAL_FATAL(cap.total, 1);
	e = &cap.ev[0];
	CU_ASSERT_EQUAL(e->kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(e->duration_ms, 12.5);
	CU_ASSERT_STRING_EQUAL(e->stmt_name, "<unnamed>");
	CU_ASSERT_PTR_NULL(e->portal);
	CU_ASSERT_EQUAL(e->is_fetch, 0);
	CU_ASSERT_STRING_EQUAL(e->params, "$1 = '42'");
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT * FROM t WHERE id = $1");

	e = classify_log("duration: 0.300 ms  execute S_1/C_2: SELECT 2");
	CU_ASSERT_EQUAL(e->kind, EV_STATEMENT);
	CU_ASSERT_STRING_EQUAL(e->stmt_name, "S_1");
	CU_ASSERT_STRING_EQUAL(e->portal, "C_2");
	CU_ASSERT_EQUAL(e->is_fetch, 0);
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT 2");

	e = classify_log("duration: 0.070 ms  execute fetch from S_3/C_4: SELECT x: y");
	CU_ASSERT_EQUAL(e->kind, EV_STATEMENT);
	CU_ASSERT_EQUAL(e->duration_ms, 0.07);
	CU_ASSERT_STRING_EQUAL(e->stmt_name, "S_3");
	CU_ASSERT_STRING_EQUAL(e->portal, "C_4");
	CU_ASSERT_EQUAL(e->is_fetch, 1);
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT x: y");

	e = classify_log("duration: 5 ms  execute fetch from <unnamed>: SELECT 3");
	CU_ASSERT_EQUAL(e->is_fetch, 1);
	CU_ASSERT_EQUAL(e->duration_ms, 5.0);
	CU_ASSERT_STRING_EQUAL(e->stmt_name, "<unnamed>");
	CU_ASSERT_PTR_NULL(e->portal);
}

static void
test_parse_and_bind(void)
{
	log_record	r;
	const captured_event *e = classify_log("duration: 0.112 ms  parse S_7: SELECT $1::int");

	CU_ASSERT_EQUAL(e->kind, EV_PARSE);
	CU_ASSERT_EQUAL(e->duration_ms, 0.112);
	CU_ASSERT_STRING_EQUAL(e->stmt_name, "S_7");
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT $1::int");

	r = make_record(SEV_LOG, 1, NULL, 1, "duration: 0.045 ms  bind S_7/C_8: SELECT $1::int");
	r.detail = "parameters: $1 = NULL";
	classify(&r);
	e = &cap.ev[0];
	CU_ASSERT_EQUAL(e->kind, EV_BIND);
	CU_ASSERT_EQUAL(e->duration_ms, 0.045);
	CU_ASSERT_STRING_EQUAL(e->stmt_name, "S_7");
	CU_ASSERT_STRING_EQUAL(e->portal, "C_8");
	CU_ASSERT_STRING_EQUAL(e->params, "$1 = NULL");

	e = classify_log("duration: 1.000 ms  bind <unnamed> to C_9: SELECT 1");
	CU_ASSERT_EQUAL(e->kind, EV_BIND);
	CU_ASSERT_STRING_EQUAL(e->stmt_name, "<unnamed>");
	CU_ASSERT_STRING_EQUAL(e->portal, "C_9");
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT 1");
}

static void
test_plan_text(void)
{
	const captured_event *e = classify_log(
		"duration: 3.500 ms  plan:\n"
		"Query Text: SELECT *\n"
		"  FROM t\n"
		"  WHERE a = 1\n"
		"Limit  (cost=0.00..1.04 rows=1 width=8) (actual time=0.01..0.02 rows=1 loops=1)\n"
		"  ->  Seq Scan on t  (cost=0.00..41.88 rows=11 width=8)");

	CU_ASSERT_EQUAL(e->kind, EV_PLAN);
	CU_ASSERT_EQUAL(e->duration_ms, 3.5);
	CU_ASSERT_EQUAL(e->plan_is_json, 0);
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT *\n  FROM t\n  WHERE a = 1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->plan);
	CU_ASSERT_NSTRING_EQUAL(e->plan, "Limit  (cost=0.00..1.04", 23);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->plan, "->  Seq Scan on t"));

	/* PostgreSQL 16 puts the parameters between query and plan */
	e = classify_log("duration: 1.000 ms  plan:\nQuery Text: SELECT $1\n"
					 "Query Parameters: $1 = '5'\nResult  (cost=0.00..0.01 rows=1 width=4)");
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT $1");
	CU_ASSERT_NSTRING_EQUAL(e->plan, "Query Parameters:", 17);

	/* no node line to end the query: the query is its first line */
	e = classify_log("duration: 2.000 ms  plan:\nQuery Text: SELECT 1\nSomething else");
	CU_ASSERT_EQUAL(e->kind, EV_PLAN);
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT 1");
	CU_ASSERT_STRING_EQUAL(e->plan, "Something else");
}

static void
test_plan_json(void)
{
	const captured_event *e = classify_log(
		"duration: 10.000 ms  plan:\n"
		"{\n"
		"  \"Query Text\": \"SELECT \\\"Caf\\u00e9\\\"\\n  FROM t\\t-- \\\\ \\ud83d\\ude00\\n\",\n"
		"  \"Plan\": {\n"
		"    \"Node Type\": \"Seq Scan\"\n"
		"  }\n"
		"}");

	CU_ASSERT_EQUAL(e->kind, EV_PLAN);
	CU_ASSERT_EQUAL(e->duration_ms, 10.0);
	CU_ASSERT_EQUAL(e->plan_is_json, 1);
	CU_ASSERT_STRING_EQUAL(e->query, "SELECT \"Caf\xc3\xa9\"\n  FROM t\t-- \\ \xf0\x9f\x98\x80");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->plan);
	CU_ASSERT_EQUAL(e->plan[0], '{');
	CU_ASSERT_PTR_NOT_NULL(strstr(e->plan, "\"Node Type\": \"Seq Scan\""));

	/* a truncated object still gives a plan event, without a query */
	e = classify_log("duration: 4.000 ms  plan:\n{\n  \"Query Text\": \"SELECT 1");
	CU_ASSERT_EQUAL(e->kind, EV_PLAN);
	CU_ASSERT_EQUAL(e->plan_is_json, 1);
	CU_ASSERT_PTR_NULL(e->query);
}

static void
test_connections(void)
{
	log_record	r;
	const captured_event *e = classify_log("connection received: host=127.0.0.1 port=54012");

	CU_ASSERT_EQUAL(e->kind, EV_CONNECTION_RECEIVED);
	CU_ASSERT_STRING_EQUAL(e->remote_host, "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(e->remote_port, "54012");

	e = classify_log("connection received: host=[local]");
	CU_ASSERT_STRING_EQUAL(e->remote_host, "[local]");
	CU_ASSERT_PTR_NULL(e->remote_port);

	e = classify_log("connection authorized: user=alice database=shop "
					 "application_name=my app SSL enabled (protocol=TLSv1.3, "
					 "cipher=TLS_AES_256_GCM_SHA384, bits=256)");
	CU_ASSERT_EQUAL(e->kind, EV_CONNECTION_AUTHORIZED);
	CU_ASSERT_STRING_EQUAL(e->user, "alice");
	CU_ASSERT_STRING_EQUAL(e->dbname, "shop");
	CU_ASSERT_STRING_EQUAL(e->app, "my app");

	e = classify_log("replication connection authorized: user=repl application_name=walreceiver");
	CU_ASSERT_EQUAL(e->kind, EV_CONNECTION_AUTHORIZED);
	CU_ASSERT_STRING_EQUAL(e->user, "repl");
	CU_ASSERT_PTR_NULL(e->dbname);
	CU_ASSERT_STRING_EQUAL(e->app, "walreceiver");

	/* what the prefix gave wins over the message */
	r = make_record(SEV_LOG, 5, NULL, 1, "connection authorized: user=bob database=db1");
	r.user = "prefix_user";
	classify(&r);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].user, "prefix_user");
	CU_ASSERT_STRING_EQUAL(cap.ev[0].dbname, "db1");
}

static void
test_disconnection(void)
{
	const captured_event *e = classify_log(
		"disconnection: session time: 0:00:01.234 user=alice database=shop "
		"host=10.1.2.3 port=50000");

	CU_ASSERT_EQUAL(e->kind, EV_DISCONNECTION);
	CU_ASSERT_EQUAL(e->session_ms, 1234.0);
	CU_ASSERT_STRING_EQUAL(e->user, "alice");
	CU_ASSERT_STRING_EQUAL(e->dbname, "shop");
	CU_ASSERT_STRING_EQUAL(e->remote_host, "10.1.2.3");
	CU_ASSERT_STRING_EQUAL(e->remote_port, "50000");

	e = classify_log("disconnection: session time: 27:05:09.007 user=u database=d host=[local]");
	CU_ASSERT_EQUAL(e->session_ms, ((27.0 * 3600 + 5 * 60 + 9) * 1000) + 7);
	CU_ASSERT_STRING_EQUAL(e->remote_host, "[local]");
	CU_ASSERT_PTR_NULL(e->remote_port);
}

static void
test_refused(void)
{
	log_record	r = make_record(SEV_FATAL, 300, NULL, 1, "sorry, too many clients already");

	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_REFUSED);
	CU_ASSERT_EQUAL(cap.ev[0].refused, REFUSED_TOO_MANY_CLIENTS);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].sqlstate, "53300");

	r.message = "remaining connection slots are reserved for non-replication superuser connections";
	r.message_len = strlen(r.message);
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_REFUSED);
	CU_ASSERT_EQUAL(cap.ev[0].refused, REFUSED_RESERVED_SLOTS);

	r.message = "remaining connection slots are reserved for roles with the SUPERUSER attribute";
	r.message_len = strlen(r.message);
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].refused, REFUSED_RESERVED_SLOTS);

	r.message = "remaining connection slots are reserved for roles with privileges of "
		"the \"pg_use_reserved_connections\" role";
	r.message_len = strlen(r.message);
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].refused, REFUSED_RESERVED_SLOTS);

	/* a format without severities still shows the refusal */
	r = make_record(SEV_UNKNOWN, 300, NULL, 1, "sorry, too many clients already");
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_REFUSED);
}

static void
test_errors(void)
{
	log_record	r = make_record(SEV_ERROR, 42, NULL, 3,
								"canceling statement due to statement timeout");

	r.statement = "SELECT pg_sleep(10)";
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_STATEMENT_TIMEOUT);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].query, "SELECT pg_sleep(10)");
	CU_ASSERT_STRING_EQUAL(cap.ev[0].sqlstate, "57014");

	r.message = "canceling statement due to lock timeout";
	r.message_len = strlen(r.message);
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_ERROR);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].sqlstate, "55P03");

	r.message = "deadlock detected";
	r.message_len = strlen(r.message);
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_DEADLOCK);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].sqlstate, "40P01");

	r.message = "relation \"missing\" does not exist";
	r.message_len = strlen(r.message);
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_ERROR);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].sqlstate, "42P01");
	CU_ASSERT_STRING_EQUAL(cap.ev[0].query, "SELECT pg_sleep(10)");

	/* the logged SQLSTATE is kept */
	memcpy(r.sqlstate, "XX000", 6);
	classify(&r);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].sqlstate, "XX000");

	/* unknown message, no STATEMENT: a plain error with no code and no query */
	r = make_record(SEV_PANIC, 1, NULL, 1, "could not locate a valid checkpoint record");
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_ERROR);
	CU_ASSERT_STRING_EQUAL(cap.ev[0].sqlstate, "");
	CU_ASSERT_PTR_NULL(cap.ev[0].query);
}

static void
test_lock_waits(void)
{
	log_record	r = make_record(SEV_LOG, 123, NULL, 1,
								"process 123 still waiting for ShareLock on transaction 456 after 1000.123 ms");
	const captured_event *e;

	r.statement = "UPDATE t SET a = 1 WHERE id = 2";
	classify(&r);
	e = &cap.ev[0];
	CU_ASSERT_EQUAL(e->kind, EV_LOCK_WAIT);
	CU_ASSERT_EQUAL(e->wait_ms, 1000.123);
	CU_ASSERT_STRING_EQUAL(e->query, "UPDATE t SET a = 1 WHERE id = 2");

	e = classify_log("process 123 acquired ShareLock on transaction 456 after 2001.5 ms");
	CU_ASSERT_EQUAL(e->kind, EV_LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(e->wait_ms, 2001.5);

	e = classify_log("process 77 still waiting for AccessExclusiveLock on relation 16384 "
					 "of database 5 after 5000.000 ms");
	CU_ASSERT_EQUAL(e->kind, EV_LOCK_WAIT);
	CU_ASSERT_EQUAL(e->wait_ms, 5000.0);

	e = classify_log("process 9 avoided deadlock for ShareLock on transaction 1 by "
					 "rearranging queue order after 1000.000 ms");
	CU_ASSERT_EQUAL(e->kind, EV_OTHER);
}

static void
test_temp_file(void)
{
	const captured_event *e = classify_log(
		"temporary file: path \"base/pgsql_tmp/pgsql_tmp123.0\", size 1234567");

	CU_ASSERT_EQUAL(e->kind, EV_TEMP_FILE);
	CU_ASSERT_EQUAL(e->temp_file_bytes, 1234567);

	e = classify_log("temporary file: path \"base/pgsql_tmp/pgsql_tmp9.12\", size 10737418240");
	CU_ASSERT_EQUAL(e->temp_file_bytes, INT64_C(10737418240));
}

static void
test_maintenance(void)
{
	CU_ASSERT_EQUAL(classify_log("checkpoint starting: time")->kind, EV_CHECKPOINT_STARTING);
	CU_ASSERT_EQUAL(classify_log("checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) "
								 "added, 0 removed, 0 recycled; write=0.101 s")->kind,
					EV_CHECKPOINT_COMPLETE);
	CU_ASSERT_EQUAL(classify_log("restartpoint complete: wrote 1 buffers")->kind,
					EV_CHECKPOINT_COMPLETE);
	CU_ASSERT_EQUAL(classify_log("automatic vacuum of table \"db.public.t\": index scans: 1\n"
								 "pages: 0 removed, 10 remain")->kind, EV_AUTOVACUUM);
	CU_ASSERT_EQUAL(classify_log("automatic aggressive vacuum to prevent wraparound of table "
								 "\"db.public.t\": index scans: 0")->kind, EV_AUTOVACUUM);
	CU_ASSERT_EQUAL(classify_log("automatic vacuum to prevent wraparound of table "
								 "\"db.public.t\": index scans: 0")->kind, EV_AUTOVACUUM);
	CU_ASSERT_EQUAL(classify_log("automatic analyze of table \"db.public.t\"")->kind,
					EV_AUTOANALYZE);
}

static void
test_other(void)
{
	log_record	r;

	CU_ASSERT_EQUAL(classify_log("database system is ready to accept connections")->kind, EV_OTHER);
	CU_ASSERT_EQUAL(classify_log("duration: abc ms  statement: SELECT 1")->kind, EV_OTHER);
	CU_ASSERT_EQUAL(classify_log("duration: 1.0 ms  something new: x")->kind, EV_OTHER);
	CU_ASSERT_EQUAL(classify_log("statementless")->kind, EV_OTHER);
	CU_ASSERT_EQUAL(classify_log("parse S_1: SELECT 1")->kind, EV_OTHER);
	CU_ASSERT_EQUAL(classify_log("checkpoints are occurring too frequently")->kind, EV_OTHER);
	CU_ASSERT_EQUAL(classify_log("automatic something")->kind, EV_OTHER);
	CU_ASSERT_EQUAL(classify_log("")->kind, EV_OTHER);

	r = make_record(SEV_WARNING, 1, NULL, 1, "there is no transaction in progress");
	classify(&r);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_OTHER);
	CU_ASSERT_EQUAL(cap.ev[0].duration_ms, -1);

	r = make_record(SEV_LOG, 1, NULL, 1, NULL);
	classify(&r);
	CU_ASSERT_EQUAL(cap.total, 1);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_OTHER);
}

static int
suite_cleanup(void)
{
	capture_reset(&cap);
	return 0;
}

PGSIFT_TEST_SUITE(events_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/events", NULL, suite_cleanup);

	CU_add_test(s, "kind names are stable and distinct", test_kind_names);
	CU_add_test(s, "duration + statement", test_timed_statement);
	CU_add_test(s, "duration + execute forms", test_execute_forms);
	CU_add_test(s, "duration + parse and bind", test_parse_and_bind);
	CU_add_test(s, "auto_explain text plans", test_plan_text);
	CU_add_test(s, "auto_explain JSON plans", test_plan_json);
	CU_add_test(s, "connection received and authorized", test_connections);
	CU_add_test(s, "disconnection and session time", test_disconnection);
	CU_add_test(s, "refused connections", test_refused);
	CU_add_test(s, "errors, timeouts, deadlocks", test_errors);
	CU_add_test(s, "lock waits", test_lock_waits);
	CU_add_test(s, "temporary files", test_temp_file);
	CU_add_test(s, "checkpoints and autovacuum", test_maintenance);
	CU_add_test(s, "everything else is other", test_other);
}
