/*-------------------------------------------------------------------------
 * test_syslog_reader.c
 *    Tests of the syslog and syslog2 readers (syslog_reader.c).
 *
 * The fixtures workload-syslog.log and workload-syslog2.log hold the same
 * events as workload-debian.log (fixtures/README.md), so the records read
 * from them must be the same, field by field.
 *-------------------------------------------------------------------------
 */
#include "parsers/reader.h"
#include "tests/parsers/record_capture.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T_2024_01_02_030405 INT64_C(1704164645000)

static void
test_parts_and_tabs(void)
{
	const char *text =
		"Jan  2 03:04:05 db1 postgres[17413]: [10-1] alice@shop LOG:  duration: 13.451 ms  statement: CREATE TABLE accounts (\n"
		"Jan  2 03:04:05 db1 postgres[17413]: [10-2] #011    id integer PRIMARY KEY,\n"
		"Jan  2 03:04:05 db1 postgres[17413]: [10-3] #011    note text#011-- a#011tab\n"
		"Jan  2 03:04:05 db1 postgres[17413]: [10-4] #011)\n"
		"Jan  2 03:04:06 db1 postgres[17413]: [11-1] alice@shop ERROR:  duplicate key value\n"
		"Jan  2 03:04:06 db1 postgres[17413]: [11-2] alice@shop DETAIL:  Key (id)=(1) already exists.\n"
		"Jan  2 03:04:06 db1 postgres[17413]: [11-3] alice@shop STATEMENT:  INSERT INTO accounts VALUES (1)\n"
		"Jan  2 03:04:07 db1 postgres[17400]: [5-1] LOG:  checkpoint starting: time\n";
	rcap		c = {0};

	CU_ASSERT_EQUAL_FATAL(rcap_run(&syslog_reader_ops, NULL, 2024, text, &c), 0);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 3);
	CU_ASSERT_EQUAL(c.recs[0].line, 1);
	CU_ASSERT_EQUAL(c.recs[0].pid, 17413);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T_2024_01_02_030405);
	ASSERT_STR(c.recs[0].user, "alice");
	ASSERT_STR(c.recs[0].message, "duration: 13.451 ms  statement: CREATE TABLE accounts (\n"
			   "    id integer PRIMARY KEY,\n    note text\t-- a\ttab\n)");
	CU_ASSERT_EQUAL(c.recs[1].line, 5);
	CU_ASSERT_EQUAL(c.recs[1].severity, SEV_ERROR);
	ASSERT_STR(c.recs[1].detail, "Key (id)=(1) already exists.");
	ASSERT_STR(c.recs[1].statement, "INSERT INTO accounts VALUES (1)");
	CU_ASSERT_EQUAL(c.recs[2].pid, 17400);
	CU_ASSERT_PTR_NULL(c.recs[2].user);
	ASSERT_STR(c.recs[2].message, "checkpoint starting: time");
	rcap_free(&c);
}

/* A line longer than 900 bytes comes in parts: glued back without a newline. */
static void
test_split_line(void)
{
	const char *text =
		"Jan  2 03:04:05 db1 postgres[9]: [3-1] u@d LOG:  statement: SELECT 'first half\n"
		"Jan  2 03:04:05 db1 postgres[9]: [3-2]  second half\n"
		"Jan  2 03:04:05 db1 postgres[9]: [3-3] glued'\n"
		"Jan  2 03:04:05 db1 postgres[9]: [3-4] u@d DETAIL:  parameters: $1 = 'x\n"
		"Jan  2 03:04:05 db1 postgres[9]: [3-5]  y'\n";
	rcap		c = {0};

	rcap_run(&syslog_reader_ops, NULL, 2024, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	ASSERT_STR(c.recs[0].message, "statement: SELECT 'first half second halfglued'");
	ASSERT_STR(c.recs[0].detail, "parameters: $1 = 'x y'");
	rcap_free(&c);
}

static void
test_malformed_and_foreign(void)
{
	const char *text =
		"Jan  2 03:04:00 db1 CRON[77]: (root) CMD (run-parts /etc/cron.hourly)\n"	/* skipped */
		"Jan  2 03:04:05 db1 postgres[9]: [3-1] u@d LOG:  one\n"
		"Jan  2 03:04:05 db1 postgres[9]: [8-2] a part without its first\n"		/* 3 */
		"not a syslog line at all\n"												/* 4 */
		"Jan  2 03:04:05 db1 kernel: [12345.678] eth0 up\n"							/* 5: no pid */
		"Jan  2 03:04:05 db1 sshd[88]: Accepted publickey for root\n"				/* skipped */
		"Jan  2 03:04:05 db1 postgres[9]: no part number, no prefix\n"				/* 7 */
		"Foo  2 03:04:05 db1 postgres[9]: [4-1] u@d LOG:  bad month\n"				/* 8 */
		"Jan  2 03:04:05 db1 postgres[9]: [99999999999999999999-2] huge\n"		/* 9 */
		"Jan  2 03:04:06 db1 postgres[9]: [5-1] u@d LOG:  two\n";
	rcap		c = {0};
	const uint64_t want[] = {3, 4, 5, 7, 8, 9};

	rcap_run(&syslog_reader_ops, NULL, 2024, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 6);
	CU_ASSERT_EQUAL_FATAL(c.tally.nsamples, 6);
	/* a rebuilt line is judged when the next one starts: order may differ */
	for (int i = 0; i < 6; i++)
	{
		int			found = 0;

		for (int k = 0; k < 6; k++)
			found += c.tally.samples[k].line == want[i];
		CU_ASSERT_EQUAL(found, 1);
	}
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	ASSERT_STR(c.recs[0].message, "one");
	ASSERT_STR(c.recs[1].message, "two");
	rcap_free(&c);
}

/* "[N]" (not split, sequence numbers on), no part number, no host. */
static void
test_header_variants(void)
{
	const char *text =
		"Jan 2 03:04:05 db1 postgres[9]: [3] LOG:  single part\n"
		"Jan 02 03:04:05 db1 postgres[9]: LOG:  no number\n"
		"Jan  2 03:04:05 postgres-15[9]: [4-1] LOG:  no host\n"
		"Jan  2 03:04:05 db1 postgres[9]: [5] LOG:  again\n";
	rcap		c = {0};

	rcap_run(&syslog_reader_ops, "", 2024, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 4);
	ASSERT_STR(c.recs[0].message, "single part");
	ASSERT_STR(c.recs[1].message, "no number");
	ASSERT_STR(c.recs[2].message, "no host");
	ASSERT_STR(c.recs[3].message, "again");
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(c.recs[i].ts_ms, T_2024_01_02_030405);
	rcap_free(&c);
}

/* With cfg->syslog_year, December then January moves to the next year. */
static void
test_year_given(void)
{
	const char *text =
		"Dec 31 23:59:59 db1 postgres[9]: [1-1] LOG:  old year\n"
		"Jan  1 00:00:00 db1 postgres[9]: [2-1] LOG:  new year\n"
		"Feb 29 12:00:00 db1 postgres[9]: [3-1] LOG:  leap day\n";
	rcap		c = {0};

	rcap_run(&syslog_reader_ops, NULL, 2024 - 1, text, &c);
	CU_ASSERT_EQUAL_FATAL(c.n, 3);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, INT64_C(1704067199000));
	CU_ASSERT_EQUAL(c.recs[1].ts_ms, INT64_C(1704067200000));
	CU_ASSERT_EQUAL(c.recs[2].ts_ms, INT64_C(1709208000000));
	rcap_free(&c);
}

/* Without a year: the current one, or the one before for a future date. */
static void
test_year_current(void)
{
	time_t		now = time(NULL);
	struct tm	tm;
	rcap		c = {0};

	gmtime_r(&now, &tm);

	int			year = tm.tm_year + 1900;
	struct tm	dec31 = {.tm_year = year - 1900, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23, .tm_min = 59, .tm_sec = 59};
	struct tm	jan1 = {.tm_year = year - 1900, .tm_mon = 0, .tm_mday = 1};
	time_t		dec31_this = timegm(&dec31);
	int64_t		want_dec31;

	/* a date more than a day ahead is last year's; almost always true here */
	if (dec31_this > now + 86400)
	{
		dec31.tm_year--;
		want_dec31 = (int64_t) timegm(&dec31) * 1000;
	}
	else
		want_dec31 = (int64_t) dec31_this * 1000;

	rcap_run(&syslog_reader_ops, NULL, 0,
			 "Dec 31 23:59:59 db1 postgres[9]: [1-1] LOG:  a\n"
			 "Jan  1 00:00:00 db1 postgres[9]: [2-1] LOG:  b\n", &c);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, want_dec31);
	CU_ASSERT_EQUAL(c.recs[1].ts_ms, (int64_t) timegm(&jan1) * 1000);
	rcap_free(&c);
}

static void
test_syslog2(void)
{
	const char *text =
		"2024-01-02T03:04:05.123456+00:00 db1 postgres[9]: [1-1] u@d LOG:  utc\n"
		"2024-01-02T04:04:05.5+01:00 db1 postgres[9]: [2-1] u@d LOG:  offset\n"
		"2024-01-02T03:04:05Z db1 postgres[9]: [3-1] u@d ERROR:  zulu\n"
		"2024-01-02T03:04:05Z db1 postgres[9]: [3-2] #011second line\n"
		"Jan  2 03:04:05 db1 postgres[9]: [4-1] u@d LOG:  classic header\n";
	rcap		c = {0};

	CU_ASSERT_EQUAL(syslog2_reader_ops.format, LOG_FORMAT_SYSLOG2);
	rcap_run(&syslog2_reader_ops, NULL, 0, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 1);
	CU_ASSERT_EQUAL_FATAL(c.n, 3);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T_2024_01_02_030405 + 123);
	CU_ASSERT_EQUAL(c.recs[1].ts_ms, T_2024_01_02_030405 + 500);
	CU_ASSERT_EQUAL(c.recs[2].ts_ms, T_2024_01_02_030405);
	ASSERT_STR(c.recs[2].message, "zulu\nsecond line");
	rcap_free(&c);
}

/*
 * Heroku's logplex envelope, as "heroku logs" prints it and as a syslog
 * drain sends it (RFC 5424, octet-counted), with other dynos' lines among
 * them (Heroku's documented line format: time, source[dyno], message).
 */
static void
test_logplex(void)
{
	const char *text =
		"2024-01-02T03:04:05.123456+00:00 app[postgres.4882]: [GREEN] [15-1]  sql_error_code = 00000 LOG:  duration: 1.5 ms  statement: select 1\n"
		"2024-01-02T03:04:05+00:00 heroku[router]: at=info method=GET path=\"/\" status=200\n"
		"2024-01-02T03:04:05+00:00 app[web.1]: Started GET \"/\"\n"
		"2024-01-02T03:04:06Z app[postgres.4883]: [GREEN] [3-1]  sql_error_code = 42P01 ERROR:  relation \"x\" does not exist\n"
		"2024-01-02T03:04:06Z app[postgres.4883]: [GREEN] [3-2]  sql_error_code = 42P01 STATEMENT:  select *\n"
		"2024-01-02T03:04:06Z app[postgres.4883]: [GREEN] [3-3] #011from x\n"
		"187 <134>1 2024-01-02T03:04:07.000+00:00 d.1234 app postgres.4884 - [CRIMSON] [7-1]  sql_error_code = 00000 LOG:  drained\n"
		"<134>1 2024-01-02T03:04:07.000+00:00 d.1234 app postgres.4884 - [CRIMSON] [8-1]  sql_error_code = 00000 LOG:  unframed\n"
		"2024-01-02 03:04:08 UTC [9] LOG:  not a logplex line\n";
	rcap		c = {0};

	CU_ASSERT_EQUAL(logplex_reader_ops.format, LOG_FORMAT_LOGPLEX);
	rcap_run(&logplex_reader_ops, NULL, 0, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 1);
	CU_ASSERT_EQUAL(c.tally.samples[0].line, 9);
	CU_ASSERT_EQUAL_FATAL(c.n, 4);
	CU_ASSERT_EQUAL(c.recs[0].pid, 4882);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T_2024_01_02_030405 + 123);
	ASSERT_STR(c.recs[0].sqlstate, "00000");
	ASSERT_STR(c.recs[0].message, "duration: 1.5 ms  statement: select 1");
	CU_ASSERT_EQUAL(c.recs[1].pid, 4883);
	CU_ASSERT_EQUAL(c.recs[1].severity, SEV_ERROR);
	ASSERT_STR(c.recs[1].sqlstate, "42P01");
	ASSERT_STR(c.recs[1].statement, "select *\nfrom x");
	CU_ASSERT_EQUAL(c.recs[2].pid, 4884);
	CU_ASSERT_EQUAL(c.recs[2].ts_ms, T_2024_01_02_030405 + 2000);
	ASSERT_STR(c.recs[2].message, "drained");
	ASSERT_STR(c.recs[3].message, "unframed");
	rcap_free(&c);
}

/* A prefix with its own time and pid wins over the header's. */
static void
test_prefix_time_wins(void)
{
	const char *text =
		"Jan  2 03:04:09 db1 postgres[9]: [1-1] 2024-01-02 03:04:05.123 UTC [4242] LOG:  x\n";
	rcap		c = {0};

	rcap_run(&syslog_reader_ops, "%m [%p] ", 2024, text, &c);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T_2024_01_02_030405 + 123);
	CU_ASSERT_EQUAL(c.recs[0].pid, 4242);
	rcap_free(&c);
}

static void
test_starts_record(void)
{
	diag_tally	tally = {0};
	reader_config cfg = {.file = "t", .syslog_year = 2023, .tally = &tally, .sink = rcap_sink};
	format_reader *r = syslog_reader_ops.create(&cfg);
	const char *first = "Jan  2 03:04:05 db1 postgres[9]: [3-1] u@d LOG:  x";
	const char *part = "Jan  2 03:04:05 db1 postgres[9]: [3-2] #011more";
	const char *detail = "Jan  2 03:04:05 db1 postgres[9]: [3-2] u@d DETAIL:  y";
	const char *dec = "Dec 31 03:04:05 db1 postgres[9]: [4-1] u@d LOG:  x";
	const char *jan = "Jan  1 03:04:05 db1 postgres[9]: [5-1] u@d LOG:  x";
	rcap		c = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(syslog_reader_ops.starts_record(r, first, strlen(first)));
	CU_ASSERT_FALSE(syslog_reader_ops.starts_record(r, part, strlen(part)));
	CU_ASSERT_FALSE(syslog_reader_ops.starts_record(r, detail, strlen(detail)));
	CU_ASSERT_FALSE(syslog_reader_ops.starts_record(r, "junk", 4));
	/* looking at lines must not move the year on */
	CU_ASSERT_TRUE(syslog_reader_ops.starts_record(r, dec, strlen(dec)));
	CU_ASSERT_TRUE(syslog_reader_ops.starts_record(r, jan, strlen(jan)));
	syslog_reader_ops.destroy(r);

	rcap_run(&syslog_reader_ops, NULL, 2023, "Jan  1 00:00:00 db1 postgres[9]: [1-1] LOG:  x\n", &c);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, INT64_C(1672531200000));
	rcap_free(&c);
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* The syslog fixtures carry the Debian fixture's events: same records. */
static void
check_same_as_debian(const format_reader_ops *ops, const char *name, const char *column, int64_t ts_unit)
{
	rcap		deb = {0},
				sys = {0};
	uint64_t	lines;
	int			mismatches = 0;

	CU_ASSERT_EQUAL_FATAL(rcap_run_file(&stderr_reader_ops, NULL, test_fixture("workload-debian.log"), &deb, &lines), 0);
	CU_ASSERT_EQUAL_FATAL(rcap_run_file(ops, NULL, test_fixture(name), &sys, &lines), 0);
	CU_ASSERT_EQUAL(sys.tally.malformed, 0);
	CU_ASSERT_EQUAL(sys.n, rcap_expected_entries(column));
	CU_ASSERT_EQUAL_FATAL(sys.n, deb.n);
	for (int i = 0; i < sys.n; i++)
	{
		const log_record *a = &deb.recs[i],
				   *b = &sys.recs[i];

		if (a->pid != b->pid || a->severity != b->severity ||
			a->ts_ms / ts_unit != b->ts_ms / ts_unit ||
			!same_str(a->message, b->message) || !same_str(a->detail, b->detail) ||
			!same_str(a->hint, b->hint) || !same_str(a->context, b->context) ||
			!same_str(a->statement, b->statement) || !same_str(a->user, b->user) ||
			!same_str(a->dbname, b->dbname))
			mismatches++;
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	rcap_free(&deb);
	rcap_free(&sys);
}

static void
test_fixtures(void)
{
	check_same_as_debian(&syslog_reader_ops, "workload-syslog.log", "syslog", 1000);
	check_same_as_debian(&syslog2_reader_ops, "workload-syslog2.log", "syslog2", 1);
}

PGSIFT_TEST_SUITE(syslog_reader_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/syslog_reader", NULL, NULL);

	CU_add_test(s, "[N-M] parts and #011", test_parts_and_tabs);
	CU_add_test(s, "line split in parts", test_split_line);
	CU_add_test(s, "malformed and other programs' lines", test_malformed_and_foreign);
	CU_add_test(s, "header variants", test_header_variants);
	CU_add_test(s, "given year, new year rollover", test_year_given);
	CU_add_test(s, "current year, future date", test_year_current);
	CU_add_test(s, "syslog2 ISO times", test_syslog2);
	CU_add_test(s, "Heroku logplex envelopes", test_logplex);
	CU_add_test(s, "prefix time and pid win", test_prefix_time_wins);
	CU_add_test(s, "starts_record", test_starts_record);
	CU_add_test(s, "fixtures match the Debian log", test_fixtures);
}
