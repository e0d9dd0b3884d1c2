/*-------------------------------------------------------------------------
 * test_hosted_json.c
 *    The JSON envelopes of hosted services, line by line: CloudNativePG's
 *    records (jsonlog_reader.c, format cnpg) and Cloud SQL's Cloud Logging
 *    entries (cloudsql_reader.c), as their documentation describes them,
 *    with the lines around them that must be skipped or counted.
 *-------------------------------------------------------------------------
 */
#include "tests/parsers/record_capture.h"
#include "tests/test_registry.h"

#include <string.h>

/* 2024-01-02 03:04:05 UTC */
#define T0 INT64_C(1704164645000)

static void
test_cnpg_records(void)
{
	const char *text =
		"{\"level\":\"info\",\"ts\":1704164645.1,\"logger\":\"instance-manager\",\"msg\":\"starting\",\"logging_pod\":\"c-1\"}\n"
		"{\"level\":\"info\",\"ts\":\"2024-01-02T03:04:05.123Z\",\"logger\":\"postgres\",\"msg\":\"record\",\"logging_pod\":\"c-1\","
		"\"record\":{\"log_time\":\"2024-01-02 03:04:05.123 UTC\",\"user_name\":\"app\",\"database_name\":\"shop\","
		"\"process_id\":\"4003\",\"connection_from\":\"10.0.0.7:51234\",\"session_id\":\"69376dbf.fa3\","
		"\"session_line_num\":\"3\",\"command_tag\":\"SELECT\",\"virtual_transaction_id\":\"2/81\",\"transaction_id\":\"0\","
		"\"error_severity\":\"LOG\",\"sql_state_code\":\"00000\",\"message\":\"duration: 1.500 ms  statement: SELECT 1\","
		"\"detail\":\"\",\"hint\":\"\",\"query\":\"\",\"application_name\":\"psql\",\"backend_type\":\"client backend\"}}\n"
		"{\"level\":\"info\",\"ts\":\"2024-01-02T03:04:06Z\",\"logger\":\"pg_controldata\",\"msg\":\"record\",\"logging_pod\":\"c-1\",\"record\":{\"x\":\"y\"}}\n"
		"{\"level\":\"error\",\"ts\":\"2024-01-02T03:04:07Z\",\"logger\":\"postgres\",\"msg\":\"record\",\"logging_pod\":\"c-1\","
		"\"record\":{\"log_time\":\"2024-01-02 03:04:07.000 UTC\",\"process_id\":\"4004\",\"connection_from\":\"[local]\","
		"\"error_severity\":\"ERROR\",\"sql_state_code\":\"42P01\",\"message\":\"relation \\\"x\\\" does not exist\","
		"\"query\":\"select * from x\"}}\n"
		"{\"level\":\"info\",\"logger\":\"postgres\",\"msg\":\"record\",\"record\":[1,2]}\n"
		"not json\n";
	rcap		c = {0};

	CU_ASSERT_EQUAL(cnpg_reader_ops.format, LOG_FORMAT_CNPG);
	rcap_run(&cnpg_reader_ops, NULL, 0, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 1);
	CU_ASSERT_EQUAL(c.tally.samples[0].line, 6);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T0 + 123);
	ASSERT_STR(c.recs[0].user, "app");
	ASSERT_STR(c.recs[0].dbname, "shop");
	ASSERT_STR(c.recs[0].app, "psql");
	CU_ASSERT_EQUAL(c.recs[0].pid, 4003);
	ASSERT_STR(c.recs[0].remote_host, "10.0.0.7");
	ASSERT_STR(c.recs[0].remote_port, "51234");
	CU_ASSERT_EQUAL(c.recs[0].session_line, 3);
	ASSERT_STR(c.recs[0].command_tag, "SELECT");
	ASSERT_STR(c.recs[0].message, "duration: 1.500 ms  statement: SELECT 1");
	CU_ASSERT_PTR_NULL(c.recs[0].detail);
	CU_ASSERT_EQUAL(c.recs[1].severity, SEV_ERROR);
	ASSERT_STR(c.recs[1].sqlstate, "42P01");
	ASSERT_STR(c.recs[1].remote_host, "[local]");
	ASSERT_STR(c.recs[1].statement, "select * from x");
	CU_ASSERT_PTR_NULL(c.recs[1].user);
	rcap_free(&c);
}

static void
test_cloudsql_entries(void)
{
	const char *text =
		"{\"insertId\":\"a\",\"resource\":{\"type\":\"cloudsql_database\"},\"severity\":\"ERROR\","
		"\"textPayload\":\"2024-01-02 03:04:05.123 UTC [77]: [4-1] db=shop,user=bob ERROR:  relation \\\"x\\\" does not exist\","
		"\"timestamp\":\"2024-01-02T03:04:05.123456Z\"}\n"
		"{\"insertId\":\"b\",\"resource\":{\"type\":\"cloudsql_database\"},\"severity\":\"ERROR\","
		"\"textPayload\":\"2024-01-02 03:04:05.123 UTC [77]: [5-1] db=shop,user=bob STATEMENT:  select *\\n\\tfrom x\","
		"\"timestamp\":\"2024-01-02T03:04:05.123456Z\"}\n"
		"{\"insertId\":\"c\",\"resource\":{\"type\":\"gce_instance\"},\"textPayload\":\"2024-01-02 03:04:05.500 UTC [1]: [1-1] db=,user= LOG:  not ours\"}\n"
		"{\"insertId\":\"d\",\"resource\":{\"type\":\"cloudsql_database\"},\"protoPayload\":{\"methodName\":\"cloudsql.instances.connect\"}}\n"
		"{\"insertId\":\"e\",\"resource\":{\"type\":\"cloudsql_database\"},"
		"\"textPayload\":\"2024-01-02 03:04:06.000 UTC [78]: [1-1] db=shop,user=ann LOG:  duration: 2.000 ms  statement: select\\n\\t1\"}\n"
		"{\"truncated\n";
	rcap		c = {0};

	CU_ASSERT_EQUAL(cloudsql_reader_ops.format, LOG_FORMAT_CLOUDSQL);
	rcap_run(&cloudsql_reader_ops, NULL, 0, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 1);
	CU_ASSERT_EQUAL(c.tally.samples[0].line, 6);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T0 + 123);
	CU_ASSERT_EQUAL(c.recs[0].pid, 77);
	ASSERT_STR(c.recs[0].user, "bob");
	ASSERT_STR(c.recs[0].dbname, "shop");
	ASSERT_STR(c.recs[0].statement, "select *\nfrom x");
	ASSERT_STR(c.recs[1].user, "ann");
	ASSERT_STR(c.recs[1].message, "duration: 2.000 ms  statement: select\n1");
	rcap_free(&c);
}

PGSIFT_TEST_SUITE(add_hosted_json_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/hosted_json", NULL, NULL);

	CU_add_test(s, "CloudNativePG records among the operator's lines", test_cnpg_records);
	CU_add_test(s, "Cloud SQL's Cloud Logging entries", test_cloudsql_entries);
}
