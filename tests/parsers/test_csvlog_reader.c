/*-------------------------------------------------------------------------
 * test_csvlog_reader.c
 *    Tests of the csvlog reader: column sets, quoting, multi-line records,
 *    malformed records and recovery from a quote that never closes.
 *
 * Lines marked "real" were written by a PostgreSQL 15.18 server with
 * log_destination = 'csvlog,jsonlog'; the others are built by hand in the
 * shapes of PG12 (23 columns), PG13 (24) and PG14+ (26).
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "tests/parsers/record_capture.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>

static rcap *
read_csv(const char *text)
{
	return rcap_read(&csvlog_reader_ops, text);
}

/* real: a parallel worker's FATAL, every PG15 column filled */
static const char pg15_worker[] =
	"2026-11-22 05:45:58.127 UTC,,,4848,,6b028196.12f0,1,,2026-11-22 05:45:58 UTC,4/6,0,"
	"FATAL,57P01,\"terminating background worker \"\"parallel worker\"\" due to administrator command\","
	",,,,,\"select count(*) from big where 1/(id-150000) > 0;\",,,\"psql\",\"parallel worker\","
	"4847,606429070543394443\n";

static void
test_pg15_columns(void)
{
	rcap *cap = read_csv(pg15_worker);

	CU_ASSERT_EQUAL_FATAL(cap->n, 1);
	CU_ASSERT_EQUAL(cap->tally.malformed, 0);

	const log_record *r = &cap->recs[0];

	CU_ASSERT_EQUAL(r->line, 1);
	ASSERT_STR(r->file, "test.log");
	CU_ASSERT_EQUAL(r->ts_ms, INT64_C(1795326358127));
	CU_ASSERT_EQUAL(r->session_start_ms, INT64_C(1795326358000));
	CU_ASSERT_PTR_NULL(r->user);
	CU_ASSERT_PTR_NULL(r->dbname);
	CU_ASSERT_EQUAL(r->pid, 4848);
	CU_ASSERT_PTR_NULL(r->remote_host);
	ASSERT_STR(r->session_id, "6b028196.12f0");
	CU_ASSERT_EQUAL(r->session_line, 1);
	CU_ASSERT_PTR_NULL(r->command_tag);
	ASSERT_STR(r->vxid, "4/6");
	CU_ASSERT_EQUAL(r->xid, 0);
	CU_ASSERT_EQUAL(r->severity, SEV_FATAL);
	CU_ASSERT_STRING_EQUAL(r->sqlstate, "57P01");
	ASSERT_STR(r->message,
			   "terminating background worker \"parallel worker\" due to administrator command");
	CU_ASSERT_EQUAL(r->message_len, strlen(r->message));
	ASSERT_STR(r->statement, "select count(*) from big where 1/(id-150000) > 0;");
	CU_ASSERT_PTR_NULL(r->detail);
	CU_ASSERT_PTR_NULL(r->context);
	ASSERT_STR(r->app, "psql");
	ASSERT_STR(r->backend_type, "parallel worker");
	/* column 25 is leader_pid and 26 query_id: not pgBadger's reading */
	CU_ASSERT_EQUAL(r->leader_pid, 4847);
	CU_ASSERT_EQUAL(r->query_id, INT64_C(606429070543394443));
	rcap_done(cap);
}

static void
test_pg15_client_backend(void)
{
	/* real, with a negative query_id and connection_from host:port */
	rcap *cap = read_csv(
		"2026-11-22 05:45:42.191 UTC,\"postgres\",\"postgres\",4758,\"127.0.0.1:35750\","
		"6b028186.1296,7,\"SELECT\",2026-11-22 05:45:42 UTC,3/6,0,ERROR,42P01,"
		"\"relation \"\"no_such_table\"\" does not exist\",,,,,,\"select * from no_such_table;\","
		"15,,\"my,app \"\"x\"\"\",\"client backend\",,-8441324848661855122\n");

	CU_ASSERT_EQUAL_FATAL(cap->n, 1);

	const log_record *r = &cap->recs[0];

	ASSERT_STR(r->user, "postgres");
	ASSERT_STR(r->dbname, "postgres");
	ASSERT_STR(r->remote_host, "127.0.0.1");
	ASSERT_STR(r->remote_port, "35750");
	ASSERT_STR(r->command_tag, "SELECT");
	CU_ASSERT_EQUAL(r->severity, SEV_ERROR);
	CU_ASSERT_STRING_EQUAL(r->sqlstate, "42P01");
	ASSERT_STR(r->message, "relation \"no_such_table\" does not exist");
	ASSERT_STR(r->statement, "select * from no_such_table;");
	ASSERT_STR(r->app, "my,app \"x\"");
	CU_ASSERT_EQUAL(r->leader_pid, -1);
	CU_ASSERT_EQUAL(r->query_id, INT64_C(-8441324848661855122));
	rcap_done(cap);
}

static void
test_pg13_and_pg12_columns(void)
{
	rcap *cap = read_csv(
	/* PG13: 24 columns, ends with backend_type */
		"2024-01-02 03:04:05.678 UTC,\"alice\",\"shop\",101,\"10.0.0.5:40000\",65a1.65,3,"
		"\"UPDATE\",2024-01-02 03:00:00 UTC,5/17,9123,LOG,00000,"
		"\"duration: 12.5 ms  statement: update t set a = 1\",,,,,,,,,\"app13\",\"client backend\"\n"
	/* PG12: 23 columns, ends with application_name */
		"2024-01-02 03:04:06.000 UTC,\"bob\",\"shop\",102,\"[local]\",65a1.66,1,"
		"\"idle\",2024-01-02 03:00:01 UTC,,0,WARNING,01000,\"careful\",\"a detail\","
		"\"a hint\",\"select internal()\",3,\"a context\",,,,\"app12\"\n");

	CU_ASSERT_EQUAL(cap->tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(cap->n, 2);

	const log_record *r13 = &cap->recs[0];
	const log_record *r12 = &cap->recs[1];

	ASSERT_STR(r13->user, "alice");
	CU_ASSERT_EQUAL(r13->xid, 9123);
	ASSERT_STR(r13->app, "app13");
	ASSERT_STR(r13->backend_type, "client backend");
	CU_ASSERT_EQUAL(r13->leader_pid, -1);
	CU_ASSERT_EQUAL(r13->query_id, 0);
	CU_ASSERT_EQUAL(r13->line, 1);

	ASSERT_STR(r12->app, "app12");
	CU_ASSERT_PTR_NULL(r12->backend_type);
	CU_ASSERT_EQUAL(r12->severity, SEV_WARNING);
	ASSERT_STR(r12->detail, "a detail");
	ASSERT_STR(r12->hint, "a hint");
	ASSERT_STR(r12->internal_query, "select internal()");
	ASSERT_STR(r12->context, "a context");
	ASSERT_STR(r12->remote_host, "[local]");
	CU_ASSERT_PTR_NULL(r12->remote_port);
	CU_ASSERT_PTR_NULL(r12->vxid);
	CU_ASSERT_EQUAL(r12->line, 2);
	rcap_done(cap);
}

static void
test_quotes_commas_and_empty_fields(void)
{
	rcap *cap = read_csv(
		"2024-01-02 03:04:05.000 UTC,\"u\",\"d\",7,\"::1:5432\",s.1,1,\"\",2024-01-02 03:04:05 UTC,"
		",0,LOG,00000,\"\",\"\"\"\"\"\",\",\",,,,,,,\"\",\"\",,0\n");

	CU_ASSERT_EQUAL(cap->tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(cap->n, 1);

	const log_record *r = &cap->recs[0];

	/* an empty message stays a message; other empty fields are unknown */
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->message);
	ASSERT_STR(r->message, "");
	CU_ASSERT_EQUAL(r->message_len, 0);
	ASSERT_STR(r->detail, "\"\"");
	ASSERT_STR(r->hint, ",");
	CU_ASSERT_PTR_NULL(r->command_tag);
	CU_ASSERT_PTR_NULL(r->app);
	CU_ASSERT_PTR_NULL(r->backend_type);
	CU_ASSERT_PTR_NULL(r->vxid);
	ASSERT_STR(r->remote_host, "::1");
	ASSERT_STR(r->remote_port, "5432");
	rcap_done(cap);
}

static void
test_multiline_record(void)
{
	/* real: a statement with newlines, then the next record */
	rcap *cap = read_csv(
		"2026-11-22 05:45:42.190 UTC,\"postgres\",\"postgres\",4758,\"127.0.0.1:35750\","
		"6b028186.1296,5,\"SELECT\",2026-11-22 05:45:42 UTC,3/0,0,LOG,00000,"
		"\"duration: 0.376 ms  statement: select id,\n"
		"       name\n"
		"\n"
		"  from t\n"
		" where name like '%,%';\",,,,,,,,,\"my,app \"\"x\"\"\",\"client backend\",,"
		"-4971323829438465511\n"
		"2026-11-22 05:45:42.190 UTC,\"postgres\",\"postgres\",4758,\"127.0.0.1:35750\","
		"6b028186.1296,6,\"SELECT\",2026-11-22 05:45:42 UTC,3/0,0,LOG,00000,"
		"\"duration: 0.039 ms  statement: select 'é ü 日本 😀' as uni\",,,,,,,,,"
		"\"my,app \"\"x\"\"\",\"client backend\",,-986196466081048225\n");

	CU_ASSERT_EQUAL(cap->tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(cap->n, 2);
	ASSERT_STR(cap->recs[0].message,
			   "duration: 0.376 ms  statement: select id,\n       name\n\n  from t\n"
			   " where name like '%,%';");
	CU_ASSERT_EQUAL(cap->recs[0].line, 1);
	CU_ASSERT_EQUAL(cap->recs[0].query_id, INT64_C(-4971323829438465511));
	ASSERT_STR(cap->recs[0].app, "my,app \"x\"");
	CU_ASSERT_EQUAL(cap->recs[1].line, 6);
	CU_ASSERT_EQUAL(cap->recs[1].session_line, 6);
	ASSERT_STR(cap->recs[1].message,
			   "duration: 0.039 ms  statement: select 'é ü 日本 😀' as uni");
	rcap_done(cap);
}

#define REC13(n, msg) \
	"2024-01-02 03:04:0" #n ".000 UTC,\"u\",\"d\",1,,s.1," #n ",,2024-01-02 03:00:00 UTC,,0," \
	"LOG,00000," msg ",,,,,,,,,\"a\",\"client backend\"\n"

static void
test_wrong_field_count(void)
{
	rcap *cap = read_csv(
		REC13(1, "\"one\"")
		"2024-01-02 03:04:02.000 UTC,\"u\",\"d\",1,,s.1,2,,x,,0,LOG,00000,\"short\"\n"
		REC13(3, "\"three, with a comma\"")
		REC13(4, "\"four\",\"extra\""));

	CU_ASSERT_EQUAL_FATAL(cap->n, 2);
	ASSERT_STR(cap->recs[0].message, "one");
	ASSERT_STR(cap->recs[1].message, "three, with a comma");
	CU_ASSERT_EQUAL(cap->recs[1].line, 3);
	CU_ASSERT_EQUAL_FATAL(cap->tally.malformed, 2);
	CU_ASSERT_EQUAL(cap->tally.samples[0].line, 2);
	CU_ASSERT_STRING_EQUAL(cap->tally.samples[0].file, "test.log");
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[0].reason, "14 fields"));
	CU_ASSERT_EQUAL(cap->tally.samples[1].line, 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[1].reason, "25 fields"));
	rcap_done(cap);
}

static void
test_invalid_log_time(void)
{
	rcap *cap = read_csv(
		"2024-13-02 03:04:01.000 UTC,\"u\",\"d\",1,,s.1,1,,2024-01-02 03:00:00 UTC,,0,"
		"LOG,00000,\"bad month\",,,,,,,,,\"a\",\"client backend\"\n"
		"hello,\"u\",\"d\",1,,s.1,1,,2024-01-02 03:00:00 UTC,,0,"
		"LOG,00000,\"no time\",,,,,,,,,\"a\",\"client backend\"\n"
		REC13(3, "\"fine\""));

	CU_ASSERT_EQUAL_FATAL(cap->n, 1);
	ASSERT_STR(cap->recs[0].message, "fine");
	CU_ASSERT_EQUAL_FATAL(cap->tally.malformed, 2);
	CU_ASSERT_EQUAL(cap->tally.samples[0].line, 1);
	CU_ASSERT_EQUAL(cap->tally.samples[1].line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[1].reason, "log_time"));
	rcap_done(cap);
}

/*
 * A quote opened on line 2 never closes: line 2 is reported, and the
 * records after it, swallowed as its field, are read again at finish.
 */
static void
test_unterminated_quote_at_finish(void)
{
	rcap *cap = read_csv(
		REC13(1, "\"one\"")
		"2024-01-02 03:04:02.000 UTC,\"u\",\"d\",1,,s.1,2,,2024-01-02 03:00:00 UTC,,0,LOG,00000,\"cut of\n"
		"f in the middle\n"
		REC13(3, "\"three\"")
		REC13(4, "\"four \"\"quoted\"\"\""));

	CU_ASSERT_EQUAL_FATAL(cap->tally.malformed, 1);
	CU_ASSERT_EQUAL(cap->tally.samples[0].line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[0].reason, "unterminated"));
	CU_ASSERT_EQUAL_FATAL(cap->n, 3);
	ASSERT_STR(cap->recs[0].message, "one");
	ASSERT_STR(cap->recs[1].message, "three");
	CU_ASSERT_EQUAL(cap->recs[1].line, 4);
	ASSERT_STR(cap->recs[2].message, "four \"quoted\"");
	CU_ASSERT_EQUAL(cap->recs[2].line, 5);
	rcap_done(cap);
}

/*
 * A quote opened on line 2 swallows one-line records until the first line
 * of a real multi-line record closes it: line 2 is reported, the swallowed
 * records are read again, and the multi-line record is read whole.
 */
static void
test_unterminated_quote_closed_later(void)
{
	rcap *cap = read_csv(
		REC13(1, "\"one\"")
		"2024-01-02 03:04:02.000 UTC,\"u\",\"d\",1,,s.1,2,,x,,0,LOG,00000,\"cut\n"
		REC13(3, "\"three\"")
		REC13(4, "\"four\"")
		REC13(5, "\"five\nspans\n\nlines\"")
		REC13(6, "\"six\""));

	CU_ASSERT_EQUAL_FATAL(cap->tally.malformed, 1);
	CU_ASSERT_EQUAL(cap->tally.samples[0].line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[0].reason, "fields"));
	CU_ASSERT_EQUAL_FATAL(cap->n, 5);
	ASSERT_STR(cap->recs[0].message, "one");
	ASSERT_STR(cap->recs[1].message, "three");
	CU_ASSERT_EQUAL(cap->recs[1].line, 3);
	ASSERT_STR(cap->recs[2].message, "four");
	CU_ASSERT_EQUAL(cap->recs[2].line, 4);
	ASSERT_STR(cap->recs[3].message, "five\nspans\n\nlines");
	CU_ASSERT_EQUAL(cap->recs[3].line, 5);
	ASSERT_STR(cap->recs[4].message, "six");
	CU_ASSERT_EQUAL(cap->recs[4].line, 9);
	rcap_done(cap);
}

/* An open record is given up after 100,000 lines; reading goes on. */
static void
test_open_record_cap(void)
{
	size_t		nfill = 100005;
	strbuf		sb;
	rcap *cap;

	strbuf_init(&sb);
	strbuf_puts(&sb, "2024-01-02 03:04:01.000 UTC,\"u\",\"d\",1,,s.1,1,,x,,0,LOG,00000,\"never closed\n");
	strbuf_puts(&sb, REC13(2, "\"swallowed but recovered\""));
	for (size_t i = 0; i < nfill; i++)
		strbuf_puts(&sb, "filler line, not a record\n");
	strbuf_puts(&sb, REC13(3, "\"after\""));
	cap = read_csv(sb.data);

	CU_ASSERT_EQUAL_FATAL(cap->tally.malformed, 1);
	CU_ASSERT_EQUAL(cap->tally.samples[0].line, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[0].reason, "too long"));
	CU_ASSERT_EQUAL_FATAL(cap->n, 2);
	ASSERT_STR(cap->recs[0].message, "swallowed but recovered");
	CU_ASSERT_EQUAL(cap->recs[0].line, 2);
	ASSERT_STR(cap->recs[1].message, "after");
	CU_ASSERT_EQUAL(cap->recs[1].line, 3 + nfill);
	strbuf_free(&sb);
	rcap_done(cap);
}

static void
test_time_zones_and_blank_lines(void)
{
	rcap *cap = read_csv(
		"\n"
		"2024-01-02 03:04:05.250 CET,,,9,,s.1,1,,2024-01-02 03:04:05 CET,,0,LOG,00000,"
		"\"paris\",,,,,,,,,\"\",\"checkpointer\",,0\n"
		"\n"
		"2024-01-02 03:04:05.250 -03,,,9,,s.1,2,,2024-01-02 03:04:05 -03,,0,LOG,00000,"
		"\"sao paulo\",,,,,,,,,\"\",\"checkpointer\",,0\n");

	CU_ASSERT_EQUAL(cap->tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(cap->n, 2);
	/* 2024-01-02 03:04:05 UTC is 1704164645 */
	CU_ASSERT_EQUAL(cap->recs[0].ts_ms, (INT64_C(1704164645) - 3600) * 1000 + 250);
	CU_ASSERT_EQUAL(cap->recs[1].ts_ms, (INT64_C(1704164645) + 3 * 3600) * 1000 + 250);
	CU_ASSERT_EQUAL(cap->recs[1].session_start_ms, (INT64_C(1704164645) + 3 * 3600) * 1000);
	CU_ASSERT_EQUAL(cap->recs[0].line, 2);
	CU_ASSERT_EQUAL(cap->recs[1].line, 4);
	rcap_done(cap);
}

static void
test_starts_record(void)
{
	const char *yes = "2024-01-02 03:04:05.123 UTC,,,1";
	const char *no1 = "  from t";
	const char *no2 = "2024-01-02 03:04";

	CU_ASSERT_TRUE(csvlog_reader_ops.starts_record(NULL, yes, strlen(yes)));
	CU_ASSERT_FALSE(csvlog_reader_ops.starts_record(NULL, no1, strlen(no1)));
	CU_ASSERT_FALSE(csvlog_reader_ops.starts_record(NULL, no2, strlen(no2)));
	CU_ASSERT_EQUAL(csvlog_reader_ops.format, LOG_FORMAT_CSVLOG);
}

PGSIFT_TEST_SUITE(csvlog_reader_suite)
{
	CU_pSuite	s = CU_add_suite("csvlog_reader", NULL, NULL);

	CU_add_test(s, "PG15 columns incl. leader_pid and query_id", test_pg15_columns);
	CU_add_test(s, "PG15 client backend with host:port", test_pg15_client_backend);
	CU_add_test(s, "PG13 and PG12 column sets", test_pg13_and_pg12_columns);
	CU_add_test(s, "quotes, commas and empty fields", test_quotes_commas_and_empty_fields);
	CU_add_test(s, "record spanning lines", test_multiline_record);
	CU_add_test(s, "wrong field count is malformed", test_wrong_field_count);
	CU_add_test(s, "invalid log_time is malformed", test_invalid_log_time);
	CU_add_test(s, "unterminated quote at finish", test_unterminated_quote_at_finish);
	CU_add_test(s, "unterminated quote closed by a later record", test_unterminated_quote_closed_later);
	CU_add_test(s, "open record capped and recovered", test_open_record_cap);
	CU_add_test(s, "time zones and blank lines", test_time_zones_and_blank_lines);
	CU_add_test(s, "starts_record", test_starts_record);
}
