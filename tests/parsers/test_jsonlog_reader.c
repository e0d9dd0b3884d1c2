/*-------------------------------------------------------------------------
 * test_jsonlog_reader.c
 *    Tests of the jsonlog reader: every key, string escapes, malformed
 *    lines, and agreement with the csvlog reader on the same events.
 *
 * Lines marked "real" were written by a PostgreSQL 15.18 server with
 * log_destination = 'csvlog,jsonlog'.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "tests/parsers/record_capture.h"
#include "tests/test_registry.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rcap *
read_json(const char *text)
{
	return rcap_read(&jsonlog_reader_ops, text);
}

/* real: a parallel worker's FATAL */
static const char json_worker[] =
	"{\"timestamp\":\"2026-11-22 05:45:58.127 UTC\",\"pid\":4848,\"session_id\":\"6b028196.12f0\","
	"\"line_num\":1,\"session_start\":\"2026-11-22 05:45:58 UTC\",\"vxid\":\"4/6\",\"txid\":0,"
	"\"error_severity\":\"FATAL\",\"state_code\":\"57P01\",\"message\":\"terminating background "
	"worker \\\"parallel worker\\\" due to administrator command\",\"statement\":\"select count(*) "
	"from big where 1/(id-150000) > 0;\",\"application_name\":\"psql\",\"backend_type\":\"parallel "
	"worker\",\"leader_pid\":4847,\"query_id\":606429070543394443}\n";

static void
test_pg15_keys(void)
{
	rcap *cap = read_json(json_worker);

	CU_ASSERT_EQUAL(cap->tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(cap->n, 1);

	const log_record *r = &cap->recs[0];

	CU_ASSERT_EQUAL(r->line, 1);
	ASSERT_STR(r->file, "test.log");
	CU_ASSERT_EQUAL(r->ts_ms, INT64_C(1795326358127));
	CU_ASSERT_EQUAL(r->session_start_ms, INT64_C(1795326358000));
	CU_ASSERT_EQUAL(r->pid, 4848);
	CU_ASSERT_PTR_NULL(r->user);
	CU_ASSERT_PTR_NULL(r->remote_host);
	ASSERT_STR(r->session_id, "6b028196.12f0");
	CU_ASSERT_EQUAL(r->session_line, 1);
	ASSERT_STR(r->vxid, "4/6");
	CU_ASSERT_EQUAL(r->xid, 0);
	CU_ASSERT_EQUAL(r->severity, SEV_FATAL);
	CU_ASSERT_STRING_EQUAL(r->sqlstate, "57P01");
	ASSERT_STR(r->message,
			   "terminating background worker \"parallel worker\" due to administrator command");
	CU_ASSERT_EQUAL(r->message_len, strlen(r->message));
	ASSERT_STR(r->statement, "select count(*) from big where 1/(id-150000) > 0;");
	ASSERT_STR(r->app, "psql");
	ASSERT_STR(r->backend_type, "parallel worker");
	CU_ASSERT_EQUAL(r->leader_pid, 4847);
	CU_ASSERT_EQUAL(r->query_id, INT64_C(606429070543394443));
	rcap_done(cap);
}

static void
test_client_keys(void)
{
	/* real, plus the keys this server left out because they were empty */
	rcap *cap = read_json(
		"{\"timestamp\":\"2026-11-22 05:45:42.190 UTC\",\"user\":\"postgres\",\"dbname\":\"shop\","
		"\"pid\":4758,\"remote_host\":\"127.0.0.1\",\"remote_port\":35750,\"session_id\":"
		"\"6b028186.1296\",\"line_num\":5,\"ps\":\"SELECT\",\"session_start\":\"2026-11-22 05:45:42 UTC\","
		"\"vxid\":\"3/0\",\"txid\":1234,\"error_severity\":\"WARNING\",\"state_code\":\"01000\","
		"\"message\":\"m\",\"detail\":\"d\",\"hint\":\"h\",\"internal_query\":\"iq\","
		"\"internal_position\":2,\"context\":\"c\",\"statement\":\"s\",\"cursor_position\":3,"
		"\"func_name\":\"f\",\"file_name\":\"x.c\",\"file_line_num\":9,\"application_name\":"
		"\"my,app \\\"x\\\"\",\"backend_type\":\"client backend\",\"query_id\":-4971323829438465511}\n");

	CU_ASSERT_EQUAL(cap->tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(cap->n, 1);

	const log_record *r = &cap->recs[0];

	ASSERT_STR(r->user, "postgres");
	ASSERT_STR(r->dbname, "shop");
	ASSERT_STR(r->remote_host, "127.0.0.1");
	ASSERT_STR(r->remote_port, "35750");
	ASSERT_STR(r->command_tag, "SELECT");
	CU_ASSERT_EQUAL(r->session_line, 5);
	CU_ASSERT_EQUAL(r->xid, 1234);
	CU_ASSERT_EQUAL(r->severity, SEV_WARNING);
	ASSERT_STR(r->detail, "d");
	ASSERT_STR(r->hint, "h");
	ASSERT_STR(r->internal_query, "iq");
	ASSERT_STR(r->context, "c");
	ASSERT_STR(r->statement, "s");
	ASSERT_STR(r->app, "my,app \"x\"");
	CU_ASSERT_EQUAL(r->leader_pid, -1);
	CU_ASSERT_EQUAL(r->query_id, INT64_C(-4971323829438465511));
	rcap_done(cap);
}

static void
test_escapes(void)
{
	rcap *cap = read_json(
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":"
		"\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u65E5 \\ud83d\\ude00 \\u0001 é raw\"}\n");

	CU_ASSERT_EQUAL(cap->tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(cap->n, 1);
	ASSERT_STR(cap->recs[0].message,
			   "q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \x01 é raw");
	CU_ASSERT_EQUAL(cap->recs[0].message_len, strlen(cap->recs[0].message));
	rcap_done(cap);
}

static void
test_empty_null_unknown_and_nested(void)
{
	rcap *cap = read_json(
		"\n"
		"  { \"timestamp\" : \"2024-01-02 03:04:05 UTC\" , \"user\" : \"\" , \"dbname\" : null ,"
		" \"future\" : {\"a\": [1, 2.5e3, -0.1, true, false, null, {\"b\": \"\\u00e9\"}]},"
		" \"pid\" : \"77\", \"ps\": \"\", \"message\" : \"m\" }  \n");

	CU_ASSERT_EQUAL(cap->tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(cap->n, 1);

	const log_record *r = &cap->recs[0];

	CU_ASSERT_EQUAL(r->line, 2);
	CU_ASSERT_PTR_NULL(r->user);
	CU_ASSERT_PTR_NULL(r->dbname);
	CU_ASSERT_PTR_NULL(r->command_tag);
	CU_ASSERT_EQUAL(r->pid, 77);
	ASSERT_STR(r->message, "m");
	CU_ASSERT_EQUAL(r->severity, SEV_UNKNOWN);
	CU_ASSERT_EQUAL(r->session_start_ms, LOG_TS_UNKNOWN);
	/* no state_code key is how the server writes 00000 */
	CU_ASSERT_STRING_EQUAL(r->sqlstate, "00000");
	rcap_done(cap);
}

#define GOOD(n) "{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":\"good " #n "\"}\n"

/* Each bad line is counted at its own line number; good lines around it are read. */
static void
test_malformed_lines(void)
{
	static const char *const bad[] = {
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":\"no end\"",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":\"m\"} trailing",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":\"unterminated}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":\"bad \\x escape\"}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":\"lone \\ud800 surrogate\"}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":\"low \\udc00 first\"}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":\"short \\u12\"}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"message\":\"raw \t tab\"}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"pid\":012}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"pid\":1.}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"pid\":tru}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\" \"pid\":1}",
		"{\"timestamp\":\"2024-01-02 03:04:05 UTC\",}",
		"{\"timestamp\" \"2024-01-02 03:04:05 UTC\"}",
		"{timestamp:\"2024-01-02 03:04:05 UTC\"}",
		"[\"timestamp\", \"2024-01-02 03:04:05 UTC\"]",
		"\"just a string\"",
		"42",
		"not json at all",
		"{\"message\":\"no timestamp\"}",
		"{\"timestamp\":\"yesterday\",\"message\":\"bad timestamp\"}",
		"{}",
	};
	int			nbad = (int) (sizeof(bad) / sizeof(bad[0]));
	strbuf		sb;
	rcap *cap;

	strbuf_init(&sb);
	strbuf_puts(&sb, GOOD(1));
	for (int i = 0; i < nbad; i++)
	{
		strbuf_puts(&sb, bad[i]);
		strbuf_putc(&sb, '\n');
	}
	strbuf_puts(&sb, GOOD(2));
	cap = read_json(sb.data);

	CU_ASSERT_EQUAL_FATAL(cap->n, 2);
	ASSERT_STR(cap->recs[0].message, "good 1");
	ASSERT_STR(cap->recs[1].message, "good 2");
	CU_ASSERT_EQUAL(cap->recs[1].line, (uint64_t) nbad + 2);
	CU_ASSERT_EQUAL_FATAL(cap->tally.malformed, (uint64_t) nbad);
	for (int i = 0; i < cap->tally.nsamples; i++)
	{
		CU_ASSERT_EQUAL(cap->tally.samples[i].line, (uint64_t) i + 2);
		CU_ASSERT_STRING_EQUAL(cap->tally.samples[i].file, "test.log");
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[0].reason, "expected ',' or '}'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[1].reason, "text after"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[4].reason, "surrogate"));
	strbuf_free(&sb);
	rcap_done(cap);
}

static void
test_deep_nesting(void)
{
	strbuf		sb;
	rcap *cap;

	strbuf_init(&sb);
	strbuf_puts(&sb, "{\"timestamp\":\"2024-01-02 03:04:05 UTC\",\"x\":");
	for (int i = 0; i < 100; i++)
		strbuf_putc(&sb, '[');
	for (int i = 0; i < 100; i++)
		strbuf_putc(&sb, ']');
	strbuf_puts(&sb, "}\n");
	cap = read_json(sb.data);
	CU_ASSERT_EQUAL(cap->n, 0);
	CU_ASSERT_EQUAL_FATAL(cap->tally.malformed, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap->tally.samples[0].reason, "nested"));
	strbuf_free(&sb);
	rcap_done(cap);
}

static void
test_starts_record(void)
{
	CU_ASSERT_TRUE(jsonlog_reader_ops.starts_record(NULL, "{\"a\":1}", 7));
	CU_ASSERT_FALSE(jsonlog_reader_ops.starts_record(NULL, " {", 2));
	CU_ASSERT_FALSE(jsonlog_reader_ops.starts_record(NULL, "", 0));
	CU_ASSERT_EQUAL(jsonlog_reader_ops.format, LOG_FORMAT_JSONLOG);
}

/* real: the same three events as csvlog and as jsonlog, the middle one on several lines */
static const char same_csv[] =
	"2026-11-22 05:45:52.098 UTC,\"postgres\",\"postgres\",4825,\"[local]\",6b02818f.12d9,12,\"DO\","
	"2026-11-22 05:45:51 UTC,3/18,0,WARNING,01000,\"warn with \"\"quotes\"\", commas and\n"
	"newline\",,,,,\"PL/pgSQL function inline_code_block line 1 at RAISE\",,,"
	"\"exec_stmt_raise, pl_exec.c:3891\",\"psql\",\"client backend\",,9043040820154179826\n"
	"2026-11-22 05:45:58.134 UTC,\"postgres\",\"postgres\",4847,\"[local]\",6b028196.12ef,9,\"DO\","
	"2026-11-22 05:45:58 UTC,3/27,0,NOTICE,00000,\"ctl: a\x01" "b\tc\",,,,,\"PL/pgSQL function "
	"inline_code_block line 1 at RAISE\",,,,\"psql\",\"client backend\",,-6777319310539459448\n"
	"2026-11-22 05:45:42.179 UTC,,,4758,\"127.0.0.1:35750\",6b028186.1296,1,\"\","
	"2026-11-22 05:45:42 UTC,,0,LOG,00000,\"connection received: host=127.0.0.1 port=35750\","
	",,,,,,,,\"\",\"not initialized\",,0\n";

static const char same_json[] =
	"{\"timestamp\":\"2026-11-22 05:45:52.098 UTC\",\"user\":\"postgres\",\"dbname\":\"postgres\","
	"\"pid\":4825,\"remote_host\":\"[local]\",\"session_id\":\"6b02818f.12d9\",\"line_num\":12,"
	"\"ps\":\"DO\",\"session_start\":\"2026-11-22 05:45:51 UTC\",\"vxid\":\"3/18\",\"txid\":0,"
	"\"error_severity\":\"WARNING\",\"state_code\":\"01000\",\"message\":\"warn with \\\"quotes\\\","
	" commas and\\nnewline\",\"context\":\"PL/pgSQL function inline_code_block line 1 at RAISE\","
	"\"func_name\":\"exec_stmt_raise\",\"file_name\":\"pl_exec.c\",\"file_line_num\":3891,"
	"\"application_name\":\"psql\",\"backend_type\":\"client backend\",\"query_id\":9043040820154179826}\n"
	"{\"timestamp\":\"2026-11-22 05:45:58.134 UTC\",\"user\":\"postgres\",\"dbname\":\"postgres\","
	"\"pid\":4847,\"remote_host\":\"[local]\",\"session_id\":\"6b028196.12ef\",\"line_num\":9,"
	"\"ps\":\"DO\",\"session_start\":\"2026-11-22 05:45:58 UTC\",\"vxid\":\"3/27\",\"txid\":0,"
	"\"error_severity\":\"NOTICE\",\"message\":\"ctl: a\\u0001b\\tc\",\"context\":\"PL/pgSQL "
	"function inline_code_block line 1 at RAISE\",\"application_name\":\"psql\",\"backend_type\":"
	"\"client backend\",\"query_id\":-6777319310539459448}\n"
	"{\"timestamp\":\"2026-11-22 05:45:42.179 UTC\",\"pid\":4758,\"remote_host\":\"127.0.0.1\","
	"\"remote_port\":35750,\"session_id\":\"6b028186.1296\",\"line_num\":1,\"ps\":\"\","
	"\"session_start\":\"2026-11-22 05:45:42 UTC\",\"txid\":0,\"error_severity\":\"LOG\","
	"\"message\":\"connection received: host=127.0.0.1 port=35750\",\"backend_type\":"
	"\"not initialized\",\"query_id\":0}\n";

static void
assert_same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
	{
		CU_ASSERT_PTR_EQUAL(a, b);
	}
	else
	{
		CU_ASSERT_STRING_EQUAL(a, b);
	}
}

/* Every field of two records of the same event, from two formats, is equal. */
static void
assert_same_record(const log_record *a, const log_record *b)
{
	CU_ASSERT_EQUAL(a->ts_ms, b->ts_ms);
	CU_ASSERT_EQUAL(a->session_start_ms, b->session_start_ms);
	CU_ASSERT_EQUAL(a->pid, b->pid);
	CU_ASSERT_EQUAL(a->leader_pid, b->leader_pid);
	CU_ASSERT_EQUAL(a->session_line, b->session_line);
	CU_ASSERT_EQUAL(a->xid, b->xid);
	CU_ASSERT_EQUAL(a->query_id, b->query_id);
	CU_ASSERT_EQUAL(a->severity, b->severity);
	CU_ASSERT_STRING_EQUAL(a->sqlstate, b->sqlstate);
	CU_ASSERT_EQUAL(a->message_len, b->message_len);
	assert_same_str(a->message, b->message);
	assert_same_str(a->user, b->user);
	assert_same_str(a->dbname, b->dbname);
	assert_same_str(a->app, b->app);
	assert_same_str(a->remote_host, b->remote_host);
	assert_same_str(a->remote_port, b->remote_port);
	assert_same_str(a->backend_type, b->backend_type);
	assert_same_str(a->command_tag, b->command_tag);
	assert_same_str(a->vxid, b->vxid);
	assert_same_str(a->session_id, b->session_id);
	assert_same_str(a->detail, b->detail);
	assert_same_str(a->hint, b->hint);
	assert_same_str(a->context, b->context);
	assert_same_str(a->statement, b->statement);
	assert_same_str(a->internal_query, b->internal_query);
}

/* The two readers give the same record for the same event. */
static void
test_agrees_with_csvlog(void)
{
	rcap *c = rcap_read(&csvlog_reader_ops, same_csv);
	rcap *j = read_json(same_json);

	CU_ASSERT_EQUAL(c->tally.malformed, 0);
	CU_ASSERT_EQUAL(j->tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(c->n, 3);
	CU_ASSERT_EQUAL_FATAL(j->n, 3);
	for (int i = 0; i < 3; i++)
		assert_same_record(&c->recs[i], &j->recs[i]);
	ASSERT_STR(j->recs[0].message, "warn with \"quotes\", commas and\nnewline");
	ASSERT_STR(j->recs[1].message, "ctl: a\x01" "b\tc");
	rcap_done(c);
	rcap_done(j);
}

/* Order records by event: session id, then line number in the session. */
static int
cmp_event(const void *a, const void *b)
{
	const log_record *x = a;
	const log_record *y = b;
	int			c = strcmp(x->session_id ? x->session_id : "", y->session_id ? y->session_id : "");

	if (c != 0)
		return c;
	return (x->session_line > y->session_line) - (x->session_line < y->session_line);
}

/*
 * The value of row `event` in column `column` of fixtures/expected-counts.tsv
 * (written by the fixture generator), or -1.
 */
static long
expected_count(const char *event, const char *column)
{
	FILE	   *f = fopen(test_fixture("expected-counts.tsv"), "r");
	char		line[512];
	int			col = -1;
	long		result = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
	{
		char	   *save = NULL;
		char	   *tok = strtok_r(line, "\t\n", &save);
		int			i = 0;
		bool		header = col < 0;
		bool		match = tok && strcmp(tok, event) == 0;

		for (; tok; tok = strtok_r(NULL, "\t\n", &save), i++)
		{
			if (header && strcmp(tok, column) == 0)
				col = i;
			else if (!header && match && i == col)
				result = strtol(tok, NULL, 10);
		}
	}
	fclose(f);
	return result;
}

/*
 * fixtures/workload.csv and workload.json are one server run logged both
 * ways: both read whole without a malformed line, with the counts the
 * generator recorded, and the same record for every event.
 */
static void
test_fixture_workload(void)
{
	rcap		c = {0};
	rcap		j = {0};
	uint64_t	lines;
	long		by_sev[2][SEV_PANIC + 1] = {{0}};
	static const log_severity sevs[] = {SEV_LOG, SEV_WARNING, SEV_ERROR, SEV_FATAL};

	CU_ASSERT_EQUAL_FATAL(rcap_run_file(&csvlog_reader_ops, NULL, test_fixture("workload.csv"), &c, &lines), 0);
	CU_ASSERT_TRUE(lines > (uint64_t) c.n);	/* some records span lines */
	CU_ASSERT_EQUAL_FATAL(rcap_run_file(&jsonlog_reader_ops, NULL, test_fixture("workload.json"), &j, &lines), 0);
	CU_ASSERT_EQUAL(lines, (uint64_t) j.n);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL(j.tally.malformed, 0);
	CU_ASSERT_EQUAL(c.n, expected_count("entries", "csv"));
	CU_ASSERT_EQUAL_FATAL(j.n, c.n);

	for (int i = 0; i < c.n; i++)
	{
		by_sev[0][c.recs[i].severity]++;
		by_sev[1][j.recs[i].severity]++;
	}
	for (size_t k = 0; k < sizeof(sevs) / sizeof(sevs[0]); k++)
	{
		char		row[64];

		snprintf(row, sizeof(row), "severity %s", log_severity_name(sevs[k]));
		CU_ASSERT_EQUAL(by_sev[0][sevs[k]], expected_count(row, "csv"));
		CU_ASSERT_EQUAL(by_sev[1][sevs[k]], expected_count(row, "json"));
	}

	qsort(c.recs, (size_t) c.n, sizeof(log_record), cmp_event);
	qsort(j.recs, (size_t) j.n, sizeof(log_record), cmp_event);
	for (int i = 0; i < c.n; i++)
		assert_same_record(&c.recs[i], &j.recs[i]);
	rcap_free(&c);
	rcap_free(&j);
}

PGSIFT_TEST_SUITE(jsonlog_reader_suite)
{
	CU_pSuite	s = CU_add_suite("jsonlog_reader", NULL, NULL);

	CU_add_test(s, "PG15 keys incl. leader_pid and query_id", test_pg15_keys);
	CU_add_test(s, "client backend keys", test_client_keys);
	CU_add_test(s, "string escapes and unicode", test_escapes);
	CU_add_test(s, "empty, null, unknown and nested values", test_empty_null_unknown_and_nested);
	CU_add_test(s, "malformed lines counted with line numbers", test_malformed_lines);
	CU_add_test(s, "deep nesting is malformed", test_deep_nesting);
	CU_add_test(s, "starts_record", test_starts_record);
	CU_add_test(s, "agrees with csvlog on the same events", test_agrees_with_csvlog);
	CU_add_test(s, "fixtures workload.csv and workload.json agree", test_fixture_workload);
}
