/*-------------------------------------------------------------------------
 * test_detect.c
 *    Tests of format and log_line_prefix detection (detect.c).
 *-------------------------------------------------------------------------
 */
#include "parsers/reader.h"
#include "tests/parsers/record_capture.h"
#include "tests/test_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 64

/* Detect from the first 64 lines of a fixture. */
static log_format
detect_fixture(const char *name, char **prefix)
{
	FILE	   *f = fopen(test_fixture(name), "r");
	char	   *lines[MAX_LINES];
	size_t		lens[MAX_LINES];
	int			n = 0;
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	log_format	fmt;

	*prefix = NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (n < MAX_LINES && (len = getline(&line, &cap, f)) > 0)
	{
		if (line[len - 1] == '\n')
			len--;
		lines[n] = strndup(line, (size_t) len);
		lens[n++] = (size_t) len;
	}
	fmt = detect_log_format((const char *const *) lines, lens, n, prefix);
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(line);
	fclose(f);
	return fmt;
}

static void
expect(const char *text, log_format want_format, const char *want_prefix)
{
	char	   *prefix = (char *) "unset";
	log_format	fmt = rcap_detect_text(text, &prefix);

	CU_ASSERT_EQUAL(fmt, want_format);
	if (want_prefix == NULL)
	{
		CU_ASSERT_PTR_NULL(prefix);
	}
	else
	{
		CU_ASSERT_PTR_NOT_NULL(prefix);
		if (prefix)
			CU_ASSERT_STRING_EQUAL(prefix, want_prefix);
	}
	free(prefix);
}

static void
test_known_prefixes(void)
{
	/* Debian: session lines have user@db, others not */
	expect("2024-01-02 03:04:05.123 UTC [17072] LOG:  database system is ready to accept connections\n"
		   "2024-01-02 03:04:06.001 UTC [17205] [unknown]@[unknown] LOG:  connection received: host=127.0.0.1 port=44716\n"
		   "2024-01-02 03:04:06.010 UTC [17205] postgres@bench LOG:  connection authorized: user=postgres database=bench\n"
		   "2024-01-02 03:04:06.020 UTC [17205] postgres@bench LOG:  duration: 0.5 ms  statement: select a,\n"
		   "\t b from t\n",
		   LOG_FORMAT_STDERR, "%m [%p] %q%u@%d ");
	/* PostgreSQL's default: session lines without user@db */
	expect("2024-01-02 03:04:05.123 UTC [17072] LOG:  database system is ready to accept connections\n"
		   "2024-01-02 03:04:06.010 UTC [17205] LOG:  connection authorized: user=postgres database=bench\n"
		   "2024-01-02 03:04:06.020 UTC [17205] LOG:  duration: 0.5 ms  statement: select 1\n",
		   LOG_FORMAT_STDERR, "%m [%p] ");
	/* start-up lines only: the wider prefix, which session lines will need */
	expect("2024-01-02 03:04:05.123 UTC [17072] LOG:  starting PostgreSQL 15.18\n"
		   "2024-01-02 03:04:05.124 UTC [17072] LOG:  listening on IPv4 address \"127.0.0.1\", port 5432\n",
		   LOG_FORMAT_STDERR, "%m [%p] %q%u@%d ");
	expect("2024-01-02 03:04:05 UTC::@:[17072]:LOG:  checkpoint starting: time\n"
		   "2024-01-02 03:04:06 UTC:10.0.0.1(44750):postgres@shop:[17223]:LOG:  connection authorized: user=postgres\n"
		   "2024-01-02 03:04:06 UTC:10.0.0.1(44750):postgres@shop:[17223]:ERROR:  boom\n"
		   "2024-01-02 03:04:06 UTC:10.0.0.1(44750):postgres@shop:[17223]:STATEMENT:  select boom\n",
		   LOG_FORMAT_RDS, "%t:%r:%u@%d:[%p]:");
	expect("2024-01-02 03:04:05 UTC-6b0284d7.42b0-LOG:  parameter \"log_line_prefix\" changed\n"
		   "2024-01-02 03:04:06 UTC-6b0284df.4354-LOG:  connection received: host=127.0.0.1 port=44758\n",
		   LOG_FORMAT_STDERR, "%t-%c-");
	expect("2024-01-02 03:04:05 UTC [17072]: [12-1] user=,db=,app=,client= LOG:  checkpoint starting: time\n"
		   "2024-01-02 03:04:06 UTC [17251]: [1-1] user=[unknown],db=[unknown],app=[unknown],client=127.0.0.1 LOG:  connection received: host=127.0.0.1\n"
		   "2024-01-02 03:04:06 UTC [17251]: [3-1] user=postgres,db=postgres,app=psql,client=127.0.0.1 LOG:  duration: 1 ms  statement: select 1\n",
		   LOG_FORMAT_STDERR, "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ");
	expect("2024-01-02 03:04:05.123 UTC [17072] LOG:  checkpoint starting: time\n"
		   "2024-01-02 03:04:06.001 UTC [17205] postgres@bench pgbench LOG:  duration: 1 ms  statement: select 1\n"
		   "2024-01-02 03:04:06.001 UTC [17206] postgres@bench my app LOG:  duration: 1 ms  statement: select 2\n",
		   LOG_FORMAT_STDERR, "%m [%p] %q%u@%d %a ");
}

static void
test_learned_prefix(void)
{
	char	   *prefix = NULL;

	expect("2024-01-02 03:04:05.123 UTC|65a1b2c3.1f4|pid=123|alice@shop|42P01 ERROR:  relation missing\n"
		   "2024-01-02 03:04:05.124 UTC|65a1b2c3.1f4|pid=123|alice@shop|42P01 STATEMENT:  select * from missing\n"
		   "2024-01-02 03:04:05.200 UTC|65a1b2c3.1f4|pid=123|alice@shop|00000 LOG:  duration: 1 ms  statement: select 1\n"
		   "2024-01-02 03:04:06.001 UTC|65a1b2c4.200|pid=512|@|00000 LOG:  checkpoint starting: time\n",
		   LOG_FORMAT_STDERR, "%m|%c|pid=%p|%u@%d|%e ");
	/* the fixture's prefix: no known one fits, every escape learned */
	CU_ASSERT_EQUAL(detect_fixture("workload.log", &prefix), LOG_FORMAT_STDERR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(prefix);
	CU_ASSERT_STRING_EQUAL(prefix, "%m [%p] %q%u@%d %a %r %c %l %x %v %e %Q ");
	free(prefix);
}

static void
test_fixture_formats(void)
{
	static const struct
	{
		const char *file;
		log_format	format;
		const char *prefix;
	}			cases[] = {
		{"workload-debian.log", LOG_FORMAT_STDERR, "%m [%p] %q%u@%d "},
		{"workload-logstatement.log", LOG_FORMAT_STDERR, "%m [%p] "},
		{"workload-rds.log", LOG_FORMAT_RDS, "%t:%r:%u@%d:[%p]:"},
		{"workload-syslog.log", LOG_FORMAT_SYSLOG, "%q%u@%d "},
		{"workload-syslog2.log", LOG_FORMAT_SYSLOG2, "%q%u@%d "},
		{"workload.csv", LOG_FORMAT_CSVLOG, NULL},
		{"workload.json", LOG_FORMAT_JSONLOG, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *prefix = NULL;

		CU_ASSERT_EQUAL(detect_fixture(cases[i].file, &prefix), cases[i].format);
		if (cases[i].prefix == NULL)
		{
			CU_ASSERT_PTR_NULL(prefix);
		}
		else
		{
			CU_ASSERT_PTR_NOT_NULL(prefix);
			if (prefix)
				CU_ASSERT_STRING_EQUAL(prefix, cases[i].prefix);
		}
		free(prefix);
	}
}

static void
test_syslog_payload_prefix(void)
{
	expect("Jan  2 03:04:05 db1 postgres[9]: [1-1] 2024-01-02 03:04:05.123 UTC [9] LOG:  starting\n"
		   "Jan  2 03:04:05 db1 postgres[10]: [2-1] 2024-01-02 03:04:05.124 UTC [10] LOG:  connection authorized: user=a\n"
		   "Jan  2 03:04:05 db1 postgres[10]: [3-1] 2024-01-02 03:04:05.124 UTC [10] LOG:  duration: 1 ms  statement: x\n",
		   LOG_FORMAT_SYSLOG, "%m [%p] ");
	expect("Jan  2 03:04:05 db1 postgres[9]: [1-1] LOG:  starting\n"
		   "Jan  2 03:04:05 db1 postgres[9]: [2-1] LOG:  ready\n",
		   LOG_FORMAT_SYSLOG, "");
	expect("Jan  2 03:04:05 db1 postgres[9]: [1-1] alice@shop LOG:  one\n"
		   "Jan  2 03:04:05 db1 postgres[9]: [2-1] @ LOG:  two\n",
		   LOG_FORMAT_SYSLOG, "%u@%d ");
	/* syslog lines with no PostgreSQL message: the format, no prefix */
	expect("Jan  2 03:04:05 db1 postgres[9]: [1-2] #011continued\n",
		   LOG_FORMAT_SYSLOG, NULL);
}

static void
test_nothing_fits(void)
{
	char	   *prefix = (char *) "unset";

	expect("hello world\nthis is not a log\n", LOG_FORMAT_AUTO, NULL);
	CU_ASSERT_EQUAL(detect_log_format(NULL, NULL, 0, &prefix), LOG_FORMAT_AUTO);
	CU_ASSERT_PTR_NULL(prefix);
}

/* A stray line that looks like another format does not outvote the prefix. */
static void
test_stray_votes(void)
{
	expect("2024-01-02 03:04:05.123 UTC [1] LOG:  a\n"
		   "2024-01-02 03:04:05.124 UTC [1] LOG:  b\n"
		   "{\"timestamp\": \"archive_command output\"}\n"
		   "2024-01-02 03:04:05.125 UTC [1] LOG:  c\n"
		   "2024-01-02 03:04:05.126 UTC [1] LOG:  d\n"
		   "2024-01-02 03:04:05.127 UTC [1] LOG:  e\n",
		   LOG_FORMAT_STDERR, "%m [%p] %q%u@%d ");
	/* a known prefix matching 8 lines in 10 still wins over nothing */
	expect("2024-01-02 03:04:05.123 UTC [1] LOG:  a\n"
		   "2024-01-02 03:04:05.124 UTC [1] LOG:  b\n"
		   "2024-01-02 03:04:05.125 UTC [1] LOG:  c\n"
		   "2024-01-02 03:04:05.126 UTC [1] LOG:  d\n"
		   "garbage LOG:  x\n",
		   LOG_FORMAT_STDERR, "%m [%p] %q%u@%d ");
}

PGSIFT_TEST_SUITE(detect_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/detect", NULL, NULL);

	CU_add_test(s, "known stderr prefixes", test_known_prefixes);
	CU_add_test(s, "learned prefix", test_learned_prefix);
	CU_add_test(s, "every fixture's format and prefix", test_fixture_formats);
	CU_add_test(s, "syslog payload prefixes", test_syslog_payload_prefix);
	CU_add_test(s, "nothing fits", test_nothing_fits);
	CU_add_test(s, "stray votes", test_stray_votes);
}
