/*-------------------------------------------------------------------------
 * test_stderr_reader.c
 *    Tests of the stderr and RDS readers (stderr_reader.c).
 *
 * The excerpts are real: a PostgreSQL 15.18 server logging with Debian's
 * prefix, then RDS's and Azure's.  The fixtures (fixtures/README.md) are
 * read whole and must give no malformed line and their documented counts.
 *-------------------------------------------------------------------------
 */
#include "parsers/reader.h"
#include "tests/parsers/record_capture.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>

#define T_2026_11_22_055951 INT64_C(1795327191000)

/* real, prefix '%m [%p] %q%u@%d ', then log_error_verbosity = verbose */
static const char debian_log[] =
	"2026-11-22 05:59:51.793 UTC [17072] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit\n"
	"2026-11-22 05:59:51.793 UTC [17072] LOG:  listening on IPv4 address \"127.0.0.1\", port 55433\n"
	"2026-11-22 05:59:51.809 UTC [17072] LOG:  listening on Unix socket \"/tmp/pgs/pg/.s.PGSQL.55433\"\n"
	"2026-11-22 05:59:51.828 UTC [17075] LOG:  database system was shut down at 2026-11-22 05:59:48 UTC\n"
	"2026-11-22 05:59:51.841 UTC [17072] LOG:  database system is ready to accept connections\n"
	"2026-11-22 05:59:58.163 UTC [17205] [unknown]@[unknown] LOG:  connection received: host=127.0.0.1 port=44716\n"
	"2026-11-22 05:59:58.178 UTC [17205] postgres@postgres LOG:  connection authorized: user=postgres database=postgres application_name=psql\n"
	"2026-11-22 05:59:58.223 UTC [17205] postgres@postgres LOG:  duration: 32.069 ms  statement: create table if not exists t (a int primary key, b text);\n"
	"2026-11-22 05:59:58.227 UTC [17205] postgres@postgres LOG:  duration: 3.743 ms  statement: insert into t values (1, 'x') on conflict do nothing;\n"
	"2026-11-22 05:59:58.228 UTC [17205] postgres@postgres LOG:  duration: 0.516 ms  statement: select a,\n"
	"\t       b\n"
	"\tfrom t\n"
	"\twhere a = 1;\n"
	"2026-11-22 05:59:58.231 UTC [17205] postgres@postgres ERROR:  relation \"nosuch\" does not exist at character 15\n"
	"2026-11-22 05:59:58.231 UTC [17205] postgres@postgres STATEMENT:  select * from nosuch;\n"
	"2026-11-22 05:59:58.232 UTC [17205] postgres@postgres ERROR:  duplicate key value violates unique constraint \"t_pkey\"\n"
	"2026-11-22 05:59:58.232 UTC [17205] postgres@postgres DETAIL:  Key (a)=(1) already exists.\n"
	"2026-11-22 05:59:58.232 UTC [17205] postgres@postgres STATEMENT:  insert into t values (1, 'dup');\n"
	"2026-11-22 05:59:58.233 UTC [17205] postgres@postgres LOG:  duration: 1.094 ms  statement: do $$ begin raise notice 'hello\n"
	"\tworld'; end $$;\n"
	"2026-11-22 05:59:58.233 UTC [17205] postgres@postgres LOG:  00000: duration: 0.022 ms  statement: set log_error_verbosity = verbose;\n"
	"2026-11-22 05:59:58.233 UTC [17205] postgres@postgres LOCATION:  exec_simple_query, postgres.c:1314\n"
	"2026-11-22 05:59:58.233 UTC [17205] postgres@postgres ERROR:  22012: division by zero\n"
	"2026-11-22 05:59:58.233 UTC [17205] postgres@postgres LOCATION:  int4div, int.c:869\n"
	"2026-11-22 05:59:58.233 UTC [17205] postgres@postgres STATEMENT:  select 1/0;\n"
	"2026-11-22 05:59:58.233 UTC [17205] postgres@postgres LOG:  00000: duration: 0.021 ms  statement: select 'tab\tinside';\n"
	"2026-11-22 05:59:58.233 UTC [17205] postgres@postgres LOCATION:  exec_simple_query, postgres.c:1314\n"
	"2026-11-22 05:59:58.239 UTC [17205] postgres@postgres LOG:  00000: disconnection: session time: 0:00:00.079 user=postgres database=postgres host=127.0.0.1 port=44716\n"
	"2026-11-22 05:59:58.239 UTC [17205] postgres@postgres LOCATION:  log_disconnections, postgres.c:5087\n";

static void
test_debian_real(void)
{
	rcap		c = {0};

	CU_ASSERT_EQUAL_FATAL(rcap_run(&stderr_reader_ops, NULL, 0, debian_log, &c), 0);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 17);

	CU_ASSERT_EQUAL(c.recs[0].line, 1);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T_2026_11_22_055951 + 793);
	CU_ASSERT_EQUAL(c.recs[0].pid, 17072);
	CU_ASSERT_EQUAL(c.recs[0].severity, SEV_LOG);
	CU_ASSERT_PTR_NULL(c.recs[0].user);
	ASSERT_STR(c.recs[0].file, "test.log");
	/* connection received: user and database are still [unknown] */
	CU_ASSERT_PTR_NULL(c.recs[5].user);
	ASSERT_STR(c.recs[6].user, "postgres");
	ASSERT_STR(c.recs[6].dbname, "postgres");

	/* a multi-line statement: the tabs go, the newlines stay */
	CU_ASSERT_EQUAL(c.recs[9].line, 10);
	ASSERT_STR(c.recs[9].message, "duration: 0.516 ms  statement: select a,\n       b\nfrom t\nwhere a = 1;");
	CU_ASSERT_EQUAL(c.recs[9].message_len, strlen(c.recs[9].message));

	CU_ASSERT_EQUAL(c.recs[10].line, 14);
	CU_ASSERT_EQUAL(c.recs[10].severity, SEV_ERROR);
	ASSERT_STR(c.recs[10].statement, "select * from nosuch;");
	CU_ASSERT_PTR_NULL(c.recs[10].detail);

	ASSERT_STR(c.recs[11].message, "duplicate key value violates unique constraint \"t_pkey\"");
	ASSERT_STR(c.recs[11].detail, "Key (a)=(1) already exists.");
	ASSERT_STR(c.recs[11].statement, "insert into t values (1, 'dup');");

	ASSERT_STR(c.recs[12].message, "duration: 1.094 ms  statement: do $$ begin raise notice 'hello\nworld'; end $$;");

	/* verbose: the SQLSTATE moves out of the message, LOCATION is dropped */
	ASSERT_STR(c.recs[13].message, "duration: 0.022 ms  statement: set log_error_verbosity = verbose;");
	CU_ASSERT_STRING_EQUAL(c.recs[13].sqlstate, "00000");
	ASSERT_STR(c.recs[14].message, "division by zero");
	CU_ASSERT_STRING_EQUAL(c.recs[14].sqlstate, "22012");
	ASSERT_STR(c.recs[14].statement, "select 1/0;");
	/* a tab inside a line is kept */
	ASSERT_STR(c.recs[15].message, "duration: 0.021 ms  statement: select 'tab\tinside';");
	CU_ASSERT_EQUAL(c.recs[16].line, 28);
	rcap_free(&c);
}

/* Without verbose, a message that starts like a SQLSTATE is left alone. */
static void
test_sqlstate_only_when_verbose(void)
{
	rcap		c = {0};

	rcap_run(&stderr_reader_ops, "[%p] ", 0, "[1] LOG:  12345: not a state\n", &c);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	ASSERT_STR(c.recs[0].message, "12345: not a state");
	CU_ASSERT_STRING_EQUAL(c.recs[0].sqlstate, "");
	rcap_free(&c);
}

static void
test_parts(void)
{
	const char *text =
		"[7] ERROR:  function f(integer) does not exist at character 8\n"
		"[7] HINT:  No function matches the given name and argument types.\n"
		"[7] QUERY:  SELECT f(1)\n"
		"[7] CONTEXT:  PL/pgSQL function g() line 3 at PERFORM\n"
		"\tSQL statement \"SELECT g()\"\n"
		"[7] STATEMENT:  SELECT g();\n"
		"[7] LOG:  duration: 1.0 ms  bind <unnamed>: SELECT $1\n"
		"[7] DETAIL:  parameters: $1 = 'line one\n"
		"\tline two'\n"
		"[7] DETAIL:  a second detail\n";
	rcap		c = {0};

	rcap_run(&stderr_reader_ops, "[%p] ", 0, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	ASSERT_STR(c.recs[0].hint, "No function matches the given name and argument types.");
	ASSERT_STR(c.recs[0].internal_query, "SELECT f(1)");
	ASSERT_STR(c.recs[0].context, "PL/pgSQL function g() line 3 at PERFORM\nSQL statement \"SELECT g()\"");
	ASSERT_STR(c.recs[0].statement, "SELECT g();");
	CU_ASSERT_PTR_NULL(c.recs[0].detail);
	ASSERT_STR(c.recs[1].detail, "parameters: $1 = 'line one\nline two'\na second detail");
	CU_ASSERT_PTR_NULL(c.recs[1].hint);
	CU_ASSERT_PTR_NULL(c.recs[1].statement);
	rcap_free(&c);
}

static int	delivered;

static void
count_sink(void *ctx, const log_record *rec)
{
	delivered++;
}

/* A record goes to the sink when the next message starts, or at finish. */
static void
test_delivery_timing(void)
{
	diag_tally	tally = {0};
	reader_config cfg = {.file = "t", .prefix = "[%p] ", .tally = &tally, .sink = count_sink};
	format_reader *r = stderr_reader_ops.create(&cfg);
	const char *a = "[1] ERROR:  boom";
	const char *b = "[1] DETAIL:  why";
	const char *t = "\tmore";
	const char *d = "[2] LOG:  next";

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	delivered = 0;
	stderr_reader_ops.feed(r, a, strlen(a), 1);
	stderr_reader_ops.feed(r, b, strlen(b), 2);
	stderr_reader_ops.feed(r, t, strlen(t), 3);
	CU_ASSERT_EQUAL(delivered, 0);
	stderr_reader_ops.feed(r, d, strlen(d), 4);
	CU_ASSERT_EQUAL(delivered, 1);
	stderr_reader_ops.finish(r);
	CU_ASSERT_EQUAL(delivered, 2);
	stderr_reader_ops.finish(r);
	CU_ASSERT_EQUAL(delivered, 2);
	stderr_reader_ops.destroy(r);
	CU_ASSERT_EQUAL(tally.malformed, 0);
	diag_tally_free(&tally);
}

/* Lines that fit nothing are counted, with their numbers, and skipped. */
static void
test_malformed(void)
{
	const char *text =
		"\torphan continuation\n"						/* 1 */
		"[3] DETAIL:  orphan detail\n"					/* 2 */
		"[3] LOG:  archive command failed\n"			/* 3 */
		"cp: cannot stat '/wal/0001': No such file\n"	/* 4: archive_command's output */
		"\n"											/* 5 */
		"[4] DETAIL:  of another process\n"				/* 6 */
		"[3] DETAIL:  its own detail\n"					/* 7 */
		"[3] LOG: one space after the colon\n"			/* 8: some log services keep one */
		"[3] LOG:  the end\n";							/* 9 */
	rcap		c = {0};
	const uint64_t want[] = {1, 2, 4, 5, 6};

	rcap_run(&stderr_reader_ops, "[%p] ", 0, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 5);
	CU_ASSERT_EQUAL_FATAL(c.tally.nsamples, 5);
	for (int i = 0; i < 5; i++)
	{
		CU_ASSERT_EQUAL(c.tally.samples[i].line, want[i]);
		ASSERT_STR(c.tally.samples[i].file, "test.log");
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(c.tally.samples[2].reason, "log_line_prefix '[%p] '"));
	CU_ASSERT_EQUAL_FATAL(c.n, 3);
	ASSERT_STR(c.recs[0].message, "archive command failed");
	ASSERT_STR(c.recs[0].detail, "its own detail");
	ASSERT_STR(c.recs[1].message, "one space after the colon");
	CU_ASSERT_EQUAL(c.recs[2].line, 9);
	rcap_free(&c);
}

static void
test_rds_real(void)
{
	const char *text =
		"2026-11-22 05:59:58 UTC::@:[17072]:LOG:  parameter \"log_line_prefix\" changed to \"%t:%r:%u@%d:[%p]:\"\n"
		"2026-11-22 05:59:59 UTC:127.0.0.1(44750):[unknown]@[unknown]:[17223]:LOG:  connection received: host=127.0.0.1 port=44750\n"
		"2026-11-22 05:59:59 UTC:127.0.0.1(44750):postgres@postgres:[17223]:LOG:  duration: 0.301 ms  statement: create table t (a int);\n"
		"2026-11-22 05:59:59 UTC:[local]:alice@shop:[17224]:ERROR:  boom\n"
		"2026-11-22 05:59:59 UTC:[local]:alice@shop:[17224]:STATEMENT:  select boom;\n";
	rcap		c = {0};

	CU_ASSERT_EQUAL(rds_reader_ops.format, LOG_FORMAT_RDS);
	rcap_run(&rds_reader_ops, NULL, 0, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 4);
	CU_ASSERT_EQUAL(c.recs[0].pid, 17072);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T_2026_11_22_055951 + 7000);
	CU_ASSERT_PTR_NULL(c.recs[0].remote_host);
	CU_ASSERT_PTR_NULL(c.recs[0].user);
	ASSERT_STR(c.recs[1].remote_host, "127.0.0.1");
	ASSERT_STR(c.recs[1].remote_port, "44750");
	CU_ASSERT_PTR_NULL(c.recs[1].user);
	ASSERT_STR(c.recs[2].user, "postgres");
	ASSERT_STR(c.recs[2].message, "duration: 0.301 ms  statement: create table t (a int);");
	ASSERT_STR(c.recs[3].remote_host, "[local]");
	CU_ASSERT_PTR_NULL(c.recs[3].remote_port);
	ASSERT_STR(c.recs[3].dbname, "shop");
	ASSERT_STR(c.recs[3].statement, "select boom;");
	rcap_free(&c);
}

/* cfg->prefix replaces the default: Azure's '%t-%c-' (real). */
static void
test_given_prefix(void)
{
	const char *text =
		"2026-11-22 05:59:59 UTC-6b0284d7.42b0-LOG:  parameter \"log_line_prefix\" changed to \"%t-%c-\"\n"
		"2026-11-22 05:59:59 UTC-6b0284df.4354-LOG:  connection received: host=127.0.0.1 port=44758\n";
	rcap		c = {0};

	rcap_run(&stderr_reader_ops, "%t-%c-", 0, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	ASSERT_STR(c.recs[0].session_id, "6b0284d7.42b0");
	ASSERT_STR(c.recs[1].session_id, "6b0284df.4354");
	CU_ASSERT_EQUAL(c.recs[1].pid, -1);
	rcap_free(&c);

	/* the same lines with the default prefix: read from time and severity alone, counted as such */
	memset(&c, 0, sizeof(c));
	rcap_run(&stderr_reader_ops, NULL, 0, text, &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL(c.tally.fallback, 2);
	CU_ASSERT_EQUAL(c.tally.fallback_first, 1);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	CU_ASSERT_PTR_NULL(c.recs[0].session_id);
	CU_ASSERT_EQUAL(c.recs[0].severity, SEV_LOG);
	CU_ASSERT_EQUAL(c.recs[1].ts_ms, INT64_C(1795327199000));
	CU_ASSERT_EQUAL(c.recs[1].pid, -1);
	rcap_free(&c);

	/* a line that ends right after "LOG: " (found by fuzzing: read past its end) */
	memset(&c, 0, sizeof(c));
	rcap_run(&stderr_reader_ops, NULL, 0, "garbage LOG: ", &c);
	CU_ASSERT_EQUAL(c.tally.fallback, 1);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	ASSERT_STR(c.recs[0].message, "");
	rcap_free(&c);

	/* a line without a severity marker is still malformed */
	memset(&c, 0, sizeof(c));
	rcap_run(&stderr_reader_ops, NULL, 0, "2026-11-22 05:59:59 UTC-6b0284d7.42b0- no marker\n", &c);
	CU_ASSERT_EQUAL(c.tally.malformed, 1);
	CU_ASSERT_EQUAL(c.tally.fallback, 0);
	CU_ASSERT_EQUAL(c.n, 0);
	rcap_free(&c);
}

static void
test_starts_record(void)
{
	diag_tally	tally = {0};
	reader_config cfg = {.file = "t", .tally = &tally, .sink = count_sink};
	format_reader *r = stderr_reader_ops.create(&cfg);
	const char *yes[] = {
		"2026-11-22 05:59:58.231 UTC [17205] postgres@postgres ERROR:  x",
		"2026-11-22 05:59:51.793 UTC [17072] LOG:  starting",
	};
	const char *no[] = {
		"2026-11-22 05:59:58.231 UTC [17205] postgres@postgres STATEMENT:  select 1;",
		"\tcontinued",
		"garbage",
		"",
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CU_ASSERT_TRUE(stderr_reader_ops.starts_record(r, yes[i], strlen(yes[i])));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CU_ASSERT_FALSE(stderr_reader_ops.starts_record(r, no[i], strlen(no[i])));
	stderr_reader_ops.destroy(r);
	CU_ASSERT_EQUAL(tally.malformed, 0);
}

/* A prefix beyond PCRE2's limits is reported and gives no reader. */
static void
test_bad_prefix(void)
{
	diag_tally	tally = {0};
	reader_config cfg = {.file = "t", .prefix = "%70000a ", .tally = &tally, .sink = count_sink};
	int			saved = diag_quiet;

	diag_quiet = 1;
	CU_ASSERT_PTR_NULL(stderr_reader_ops.create(&cfg));
	diag_quiet = saved;
}

/* A message of megabytes, then an ordinary one: both whole. */
static void
test_huge_message(void)
{
	size_t		n = 6 * 1024 * 1024;
	char	   *text = malloc(n + 64);
	rcap		c = {0};

	strcpy(text, "[1] LOG:  big\n\t");
	memset(text + 15, 'x', n);
	strcpy(text + 15 + n, "\n[2] LOG:  small\n");
	rcap_run(&stderr_reader_ops, "[%p] ", 0, text, &c);
	CU_ASSERT_EQUAL_FATAL(c.n, 2);
	CU_ASSERT_EQUAL(c.recs[0].message_len, 4 + n);
	ASSERT_STR(c.recs[1].message, "small");
	rcap_free(&c);
	free(text);
}

/* Read a fixture whole: no malformed line, the documented entry count. */
static void
check_fixture(const format_reader_ops *ops, const char *prefix, const char *name, const char *column)
{
	rcap		c = {0};
	uint64_t	lines;
	int			want = rcap_expected_entries(column);

	CU_ASSERT_EQUAL_FATAL(rcap_run_file(ops, prefix, test_fixture(name), &c, &lines), 0);
	CU_ASSERT(lines > 300);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT(want > 200);
	CU_ASSERT_EQUAL(c.n, want);
	for (int i = 0; i < c.n; i++)
	{
		CU_ASSERT(c.recs[i].ts_ms > INT64_C(1700000000000));
		CU_ASSERT(c.recs[i].pid > 0);
		CU_ASSERT(c.recs[i].severity != SEV_UNKNOWN);
	}
	rcap_free(&c);
}

static void
test_fixtures(void)
{
	check_fixture(&stderr_reader_ops, "%m [%p] %q%u@%d %a %r %c %l %x %v %e %Q ", "workload.log", "stderr");
	check_fixture(&stderr_reader_ops, NULL, "workload-debian.log", "debian");
	check_fixture(&stderr_reader_ops, "%m [%p] ", "workload-logstatement.log", "logstatement");
	check_fixture(&rds_reader_ops, NULL, "workload-rds.log", "rds");
}

/* The full prefix of workload.log: fields that only it carries. */
static void
test_fixture_fields(void)
{
	rcap		c = {0};
	uint64_t	lines;
	int			errors = 0,
				with_app = 0,
				with_query_id = 0;

	rcap_run_file(&stderr_reader_ops, "%m [%p] %q%u@%d %a %r %c %l %x %v %e %Q ",
				  test_fixture("workload.log"), &c, &lines);
	for (int i = 0; i < c.n; i++)
	{
		const log_record *r = &c.recs[i];

		if (r->severity == SEV_ERROR)
		{
			errors++;
			CU_ASSERT(strcmp(r->sqlstate, "00000") != 0 && strlen(r->sqlstate) == 5);
			CU_ASSERT_PTR_NOT_NULL(r->statement);
		}
		if (r->app && strncmp(r->app, "fixture-", 8) == 0)
			with_app++;
		if (r->query_id != 0 && r->message && strncmp(r->message, "duration: ", 10) == 0)
			with_query_id++;
		if (r->user)
		{
			CU_ASSERT_PTR_NOT_NULL(r->session_id);
			CU_ASSERT(r->session_line > 0);
		}
	}
	CU_ASSERT_EQUAL(errors, 8);
	CU_ASSERT(with_app > 100);
	CU_ASSERT(with_query_id > 50);
	rcap_free(&c);
}

PGSIFT_TEST_SUITE(stderr_reader_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/stderr_reader", NULL, NULL);

	CU_add_test(s, "Debian prefix, real log", test_debian_real);
	CU_add_test(s, "SQLSTATE only taken when verbose", test_sqlstate_only_when_verbose);
	CU_add_test(s, "DETAIL, HINT, QUERY, CONTEXT, STATEMENT", test_parts);
	CU_add_test(s, "records delivered at next message or finish", test_delivery_timing);
	CU_add_test(s, "malformed lines counted with line numbers", test_malformed);
	CU_add_test(s, "RDS (real)", test_rds_real);
	CU_add_test(s, "given prefix (Azure, real)", test_given_prefix);
	CU_add_test(s, "starts_record", test_starts_record);
	CU_add_test(s, "prefix that does not compile", test_bad_prefix);
	CU_add_test(s, "huge message", test_huge_message);
	CU_add_test(s, "fixtures read whole", test_fixtures);
	CU_add_test(s, "fixture fields", test_fixture_fields);
}
