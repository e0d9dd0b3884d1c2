/*-------------------------------------------------------------------------
 * test_pgbouncer_reader.c
 *    pgBouncer's log: its lines as records (pgbouncer_reader.c), what each
 *    message says (pooler_text.c), and recognising the format by shape.
 *
 * The lines are pgBouncer 1.18's, from fixtures/pgbouncer/ (logfile) and
 * from the same pgbouncer with syslog=1, as rsyslog writes them; the
 * 1.21 and pre-1.8 stats lines follow those versions' wording.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_event.h"
#include "parsers/stderr_reader.h"
#include "tests/parsers/event_capture.h"
#include "tests/parsers/record_capture.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 2026-12-03 08:06:06 UTC */
#define T0 INT64_C(1796285166000)

static void
test_file_lines(void)
{
	const char *text =
		"2026-12-03 08:06:06.711 UTC [17667] LOG kernel file descriptor limit: 1024 (hard: 20000)\n"
		"2026-12-03 08:06:06.734 UTC [17667] LOG C-0x5581446518e0: bench/postgres@127.0.0.1:57466 login attempt: db=bench user=postgres tls=no\n"
		"2026-12-03 08:06:06.735 UTC [17667] LOG S-0x558144658fc0: bench/postgres@127.0.0.1:29690 new connection to server (from 127.0.0.1:53736)\n"
		"\n"
		"2026-12-03 08:06:07.559 UTC [17667] WARNING C-0x558144652720: (nodb)/(nouser)@127.0.0.1:57880 pooler error: no more connections allowed (max_client_conn)\n"
		"this is not a pgbouncer line\n"
		"2026-12-03 08:06:07.711 UTC [17667] LOG: stats: a server's line, not pgBouncer's\n"
		"2026-12-03 08:06:07.711 UTC [17667] LOG stats: 213 xacts/s, 1367 queries/s, in 1672474 B/s, out 37038 B/s, xact 3904 us, query 542 us, wait 264901 us\n"
		"2026-12-03 08:06:09.887 UTC [17667] WARNING server login failed: FATAL database \"no_such_database\" does not exist\n"
		"2018-05-01 10:00:00.250 4321 ERROR accept() failed: Too many open files\n"
		"2026-12-03 08:06:10.000 CET [17667] LOG C-0x1: app/u@unix(4242):6432 closing because: client close request (age=12s)\n";
	rcap		c = {0};
	int			saved = diag_quiet;

	/* the pre-1.10 line has no zone: its warning is not for the test's output */
	diag_quiet = 1;
	CU_ASSERT_EQUAL(pgbouncer_reader_ops.format, LOG_FORMAT_PGBOUNCER);
	CU_ASSERT_EQUAL(rcap_run(&pgbouncer_reader_ops, NULL, 0, text, &c), 0);
	diag_quiet = saved;
	CU_ASSERT_EQUAL(c.tally.malformed, 2);
	CU_ASSERT_EQUAL(c.tally.samples[0].line, 6);
	CU_ASSERT_EQUAL(c.tally.samples[1].line, 7);
	CU_ASSERT_EQUAL_FATAL(c.n, 8);
	for (int i = 0; i < c.n; i++)
		CU_ASSERT_EQUAL(c.recs[i].source, LOG_SOURCE_PGBOUNCER);

	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T0 + 711);
	CU_ASSERT_EQUAL(c.recs[0].pid, 17667);
	CU_ASSERT_EQUAL(c.recs[0].severity, SEV_LOG);
	CU_ASSERT_PTR_NULL(c.recs[0].backend_type);
	ASSERT_STR(c.recs[0].message, "kernel file descriptor limit: 1024 (hard: 20000)");

	ASSERT_STR(c.recs[1].backend_type, "client");
	ASSERT_STR(c.recs[1].dbname, "bench");
	ASSERT_STR(c.recs[1].user, "postgres");
	ASSERT_STR(c.recs[1].remote_host, "127.0.0.1");
	ASSERT_STR(c.recs[1].remote_port, "57466");
	ASSERT_STR(c.recs[1].message, "login attempt: db=bench user=postgres tls=no");
	CU_ASSERT_EQUAL(c.recs[1].line, 2);

	ASSERT_STR(c.recs[2].backend_type, "server");
	ASSERT_STR(c.recs[2].remote_port, "29690");

	/* not known yet: no names */
	CU_ASSERT_EQUAL(c.recs[3].severity, SEV_WARNING);
	CU_ASSERT_PTR_NULL(c.recs[3].dbname);
	CU_ASSERT_PTR_NULL(c.recs[3].user);
	ASSERT_STR(c.recs[3].message, "pooler error: no more connections allowed (max_client_conn)");
	CU_ASSERT_EQUAL(c.recs[3].line, 5);

	ASSERT_STR(c.recs[4].message,
			   "stats: 213 xacts/s, 1367 queries/s, in 1672474 B/s, out 37038 B/s, xact 3904 us, query 542 us, wait 264901 us");
	CU_ASSERT_PTR_NULL(c.recs[5].backend_type);
	CU_ASSERT_EQUAL(c.recs[5].severity, SEV_WARNING);

	/* before 1.10: the pid without brackets */
	CU_ASSERT_EQUAL(c.recs[6].pid, 4321);
	CU_ASSERT_EQUAL(c.recs[6].severity, SEV_ERROR);
	ASSERT_STR(c.recs[6].message, "accept() failed: Too many open files");

	/* a zone of log_time.c's table; a unix socket */
	CU_ASSERT_EQUAL(c.recs[7].ts_ms, T0 + 4000 - 3600 * 1000);
	ASSERT_STR(c.recs[7].remote_host, "unix(4242)");
	ASSERT_STR(c.recs[7].remote_port, "6432");
	ASSERT_STR(c.recs[7].dbname, "app");
	rcap_free(&c);
}

static void
test_syslog_lines(void)
{
	const char *text =
		"Dec  3 08:06:33 db1 pgbouncer[18065]: stats: 0 xacts/s, 0 queries/s, in 0 B/s, out 0 B/s, xact 0 us, query 0 us, wait 0 us\n"
		"Dec  3 08:06:34 db1 pgbouncer[18065]: C-0x55898a8f74e0: x/a@127.0.0.1:38102 login attempt: db=x user=a tls=no\n"
		"Dec  3 08:06:34 db1 CRON[999]: (root) CMD (true)\n"
		"Dec  3 08:06:34 db1 runuser: pam_unix(runuser:session): session opened for user postgres\n"
		"Dec  3 08:07:34 db1 pgbouncer[18065]: C-0x55898a8f74e0: x/a@127.0.0.1:38102 pooler error: client_login_timeout (server down)\n"
		"2026-12-03T08:07:35.250+01:00 db1 pgbouncer[18065]: got SIGINT, shutting down\n"
		"garbage\n";
	rcap		c = {0};

	CU_ASSERT_EQUAL(rcap_run(&pgbouncer_reader_ops, NULL, 2026, text, &c), 0);
	/* another program's line is skipped, not counted; garbage is */
	CU_ASSERT_EQUAL(c.tally.malformed, 1);
	CU_ASSERT_EQUAL(c.tally.samples[0].line, 7);
	CU_ASSERT_EQUAL_FATAL(c.n, 4);
	CU_ASSERT_EQUAL(c.recs[0].ts_ms, T0 + 27000);
	CU_ASSERT_EQUAL(c.recs[0].pid, 18065);
	CU_ASSERT_EQUAL(c.recs[0].severity, SEV_LOG);
	ASSERT_STR(c.recs[1].backend_type, "client");
	ASSERT_STR(c.recs[1].user, "a");
	/* the level syslog's file lost: pgBouncer's own for a pooler error */
	CU_ASSERT_EQUAL(c.recs[2].severity, SEV_WARNING);
	CU_ASSERT_EQUAL(c.recs[2].line, 5);
	CU_ASSERT_EQUAL(c.recs[3].ts_ms, T0 + 89250 - 3600 * 1000);
	ASSERT_STR(c.recs[3].message, "got SIGINT, shutting down");
	rcap_free(&c);
}

/* Classify one message as the reader gives it, side NULL, "client" or "server". */
static log_event
classify(const char *side, const char *message, pooler_stats *st)
{
	log_record	rec;
	log_event	ev;

	log_record_clear(&rec);
	rec.source = LOG_SOURCE_PGBOUNCER;
	rec.backend_type = side;
	rec.message = message;
	rec.message_len = strlen(message);
	memset(&ev, 0, sizeof(ev));
	ev.age_s = -1;
	pooler_classify(&rec, &ev, st);
	return ev;
}

static int
reason_is(const log_event *ev, const char *want)
{
	return ev->reason != NULL && ev->reason_len == strlen(want) && memcmp(ev->reason, want, ev->reason_len) == 0;
}

static void
test_classify_connections(void)
{
	pooler_stats st;
	log_event	ev;

	ev = classify("client", "login attempt: db=bench user=postgres tls=no", &st);
	CU_ASSERT_EQUAL(ev.pooler, POOLER_LOGIN);
	ev = classify("client", "login failed: db=nowhere user=postgres", &st);
	CU_ASSERT_EQUAL(ev.pooler, POOLER_LOGIN_FAILED);
	CU_ASSERT(reason_is(&ev, "db=nowhere user=postgres"));

	ev = classify("client", "closing because: no more connections allowed (max_client_conn) (age=3s)", &st);
	CU_ASSERT_EQUAL(ev.pooler, POOLER_CLIENT_CLOSE);
	CU_ASSERT(reason_is(&ev, "no more connections allowed (max_client_conn)"));
	CU_ASSERT_DOUBLE_EQUAL(ev.age_s, 3, 1e-9);
	CU_ASSERT_PTR_NULL(ev.stats);

	ev = classify("server", "closing because: pause mode (age=5s)", &st);
	CU_ASSERT_EQUAL(ev.pooler, POOLER_SERVER_CLOSE);
	CU_ASSERT(reason_is(&ev, "pause mode"));
	CU_ASSERT_DOUBLE_EQUAL(ev.age_s, 5, 1e-9);

	/* no age, or a broken one: the whole text is the reason */
	ev = classify("server", "closing because: server idle timeout (age=xs)", &st);
	CU_ASSERT(reason_is(&ev, "server idle timeout (age=xs)"));
	CU_ASSERT(ev.age_s < 0);

	ev = classify("server", "new connection to server (from 127.0.0.1:53736)", &st);
	CU_ASSERT_EQUAL(ev.pooler, POOLER_SERVER_CONNECT);
	ev = classify("client", "pooler error: query_wait_timeout", &st);
	CU_ASSERT_EQUAL(ev.pooler, POOLER_ERROR);
	CU_ASSERT(reason_is(&ev, "query_wait_timeout"));
	ev = classify(NULL, "server login failed: FATAL database \"x\" does not exist", &st);
	CU_ASSERT_EQUAL(ev.pooler, POOLER_SERVER_LOGIN_FAILED);
	CU_ASSERT(reason_is(&ev, "FATAL database \"x\" does not exist"));

	/* a close without a socket, start-up lines, nothing: other */
	CU_ASSERT_EQUAL(classify(NULL, "closing because: x (age=1s)", &st).pooler, POOLER_OTHER);
	CU_ASSERT_EQUAL(classify(NULL, "listening on 127.0.0.1:36123", &st).pooler, POOLER_OTHER);
	CU_ASSERT_EQUAL(classify(NULL, "", &st).pooler, POOLER_OTHER);
	CU_ASSERT_STRING_EQUAL(pooler_kind_name(POOLER_ERROR), "pooler_error");
	CU_ASSERT_STRING_EQUAL(pooler_kind_name((pooler_kind) 99), "unknown");
}

static void
test_classify_stats(void)
{
	pooler_stats st;
	log_event	ev;

	ev = classify(NULL, "stats: 213 xacts/s, 1367 queries/s, in 1672474 B/s, out 37038 B/s, xact 3904 us, "
				  "query 542 us, wait 264901 us", &st);
	CU_ASSERT_EQUAL(ev.pooler, POOLER_STATS);
	CU_ASSERT_PTR_EQUAL(ev.stats, &st);
	CU_ASSERT_DOUBLE_EQUAL(st.xacts_per_s, 213, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.queries_per_s, 1367, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.in_bytes_per_s, 1672474, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.out_bytes_per_s, 37038, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.xact_us, 3904, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.query_us, 542, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.wait_us, 264901, 1e-9);

	/* 1.21's prepared-statement figures are skipped */
	classify(NULL, "stats: 4 xacts/s, 9 queries/s, 2 client parses/s, 1 server parses/s, 3 binds/s, "
			 "in 10 B/s, out 20 B/s, xact 30 us, query 40 us, wait 50 us", &st);
	CU_ASSERT_DOUBLE_EQUAL(st.xacts_per_s, 4, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.queries_per_s, 9, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.wait_us, 50, 1e-9);

	/* before 1.8: requests, lower-case bytes, no space after a comma */
	classify(NULL, "Stats: 12 req/s, in 4536 b/s, out 234 b/s,query 1843 us", &st);
	CU_ASSERT_DOUBLE_EQUAL(st.queries_per_s, 12, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.in_bytes_per_s, 4536, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.query_us, 1843, 1e-9);
	CU_ASSERT(st.xacts_per_s < 0);
	CU_ASSERT(st.wait_us < 0);

	/* damaged figures are absent, not zero */
	classify(NULL, "stats: x xacts/s, 5 queries/s, in B/s, xact 1.5 us", &st);
	CU_ASSERT(st.xacts_per_s < 0);
	CU_ASSERT(st.in_bytes_per_s < 0);
	CU_ASSERT_DOUBLE_EQUAL(st.queries_per_s, 5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st.xact_us, 1.5, 1e-9);
	/* a client's "stats:" is no stats line */
	CU_ASSERT_EQUAL(classify("client", "stats: 1 xacts/s", &st).pooler, POOLER_OTHER);
}

/*
 * A pgBouncer record between a server's untimed statement and its bare
 * duration (same pid, as on one host): one EV_POOLER event, and the
 * statement still pairs with its duration; its ERROR is no server error.
 */
static void
test_assembler_keeps_apart(void)
{
	event_capture cap = {0};
	event_assembler *ea = event_assembler_create(capture_sink, &cap);
	log_record	stmt = make_record(SEV_LOG, 42, NULL, 1, "statement: SELECT 1");
	log_record	bouncer = make_record(SEV_ERROR, 42, NULL, 2, "closing because: client close request (age=1s)");
	log_record	dur = make_record(SEV_LOG, 42, NULL, 3, "duration: 2.000 ms");

	bouncer.source = LOG_SOURCE_PGBOUNCER;
	bouncer.backend_type = "client";
	event_assembler_record(ea, &stmt);
	event_assembler_record(ea, &bouncer);
	event_assembler_record(ea, &dur);
	event_assembler_finish(ea);
	event_assembler_destroy(ea);
	CU_ASSERT_EQUAL(cap.total, 2);
	CU_ASSERT_EQUAL(cap.kinds[EV_POOLER], 1);
	CU_ASSERT_EQUAL(cap.kinds[EV_STATEMENT], 1);
	CU_ASSERT_EQUAL(cap.kinds[EV_ERROR] + cap.kinds[EV_STATEMENT_UNTIMED], 0);
	CU_ASSERT_EQUAL_FATAL(cap.n, 2);
	CU_ASSERT_EQUAL(cap.ev[0].kind, EV_POOLER);
	CU_ASSERT_EQUAL(cap.ev[1].kind, EV_STATEMENT);
	CU_ASSERT_DOUBLE_EQUAL(cap.ev[1].duration_ms, 2.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(log_event_kind_name(EV_POOLER), "pooler");
	capture_reset(&cap);
}

static void
test_detect_by_shape(void)
{
	char	   *prefix = NULL;

	CU_ASSERT_EQUAL(rcap_detect_text(
								"2026-12-03 08:06:06.711 UTC [17667] LOG kernel file descriptor limit: 1024\n"
								"2026-12-03 08:06:06.712 UTC [17667] LOG listening on 127.0.0.1:36123\n"
								"2026-12-03 08:06:07.559 UTC [17667] WARNING C-0x1: (nodb)/(nouser)@127.0.0.1:1 pooler error: x\n",
								&prefix), LOG_FORMAT_PGBOUNCER);
	CU_ASSERT_PTR_NULL(prefix);
	CU_ASSERT_EQUAL(rcap_detect_text(
								"Dec  3 08:06:33 db1 pgbouncer[18065]: stats: 0 xacts/s, 0 queries/s\n"
								"Dec  3 08:06:34 db1 pgbouncer[18065]: C-0x5: x/a@127.0.0.1:38102 login attempt: db=x user=a tls=no\n",
								&prefix), LOG_FORMAT_PGBOUNCER);
	free(prefix);
	prefix = NULL;

	/* the server's own lines, same time and pid, a colon after the level: stderr */
	CU_ASSERT_EQUAL(rcap_detect_text(
								"2026-12-03 08:06:06.711 UTC [17667] LOG:  database system is ready to accept connections\n"
								"2026-12-03 08:06:07.000 UTC [17670] LOG:  duration: 0.250 ms  statement: SELECT 1\n"
								"2026-12-03 08:06:07.000 UTC [17670] ERROR:  relation \"x\" does not exist\n",
								&prefix), LOG_FORMAT_STDERR);
	ASSERT_STR(prefix, "%m [%p] ");
	free(prefix);
	prefix = NULL;
	/* and postgres through syslog stays syslog */
	CU_ASSERT_EQUAL(rcap_detect_text("Dec  3 08:06:33 db1 postgres[18065]: [1-1] LOG:  checkpoint starting: time\n",
								&prefix), LOG_FORMAT_SYSLOG);
	free(prefix);

	CU_ASSERT_EQUAL(pgbouncer_line_shape("2026-12-03 08:06:06.711 UTC [17667] LOG x", 41), 1);
	CU_ASSERT_EQUAL(pgbouncer_line_shape("2026-12-03 08:06:06.711 UTC [17667] LOG: x", 42), 0);
	CU_ASSERT_EQUAL(pgbouncer_line_shape("2026-12-03 08:06:06.711 UTC [17667] postgres@db LOG:  x", 55), 0);
	CU_ASSERT_EQUAL(pgbouncer_line_shape("Dec  3 08:06:33 db1 pgbouncer[1]: x", 35), 2);
	CU_ASSERT_EQUAL(pgbouncer_line_shape("Dec  3 08:06:33 db1 postgres[1]: x", 34), 0);
	CU_ASSERT_EQUAL(log_format_from_name("pgbouncer"), LOG_FORMAT_PGBOUNCER);
	CU_ASSERT_STRING_EQUAL(log_format_name(LOG_FORMAT_PGBOUNCER), "pgbouncer");
	CU_ASSERT_PTR_EQUAL(format_reader_for(LOG_FORMAT_PGBOUNCER), &pgbouncer_reader_ops);
}

/* The fixture pair: the pooler's log and the server's log of the same run. */
static void
test_detect_fixtures(void)
{
	static const struct
	{
		const char *name;
		log_format	want;
	}			cases[] = {
		{"pgbouncer/pgbouncer.log", LOG_FORMAT_PGBOUNCER},
		{"pgbouncer/postgresql.log", LOG_FORMAT_STDERR},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		FILE	   *f = fopen(test_fixture(cases[i].name), "r");
		char	   *lines[64];
		size_t		lens[64];
		int			n = 0;
		char	   *line = NULL,
				   *prefix = NULL;
		size_t		cap = 0;
		ssize_t		len;

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		while (n < 64 && (len = getline(&line, &cap, f)) > 0)
		{
			lens[n] = (size_t) len - (line[len - 1] == '\n');
			lines[n] = strndup(line, lens[n]);
			n++;
		}
		fclose(f);
		free(line);
		CU_ASSERT_EQUAL(detect_log_format((const char *const *) lines, lens, n, &prefix), cases[i].want);
		for (int k = 0; k < n; k++)
			free(lines[k]);
		free(prefix);
	}
}

/* Every line of the fixture is read, none malformed, each a pgBouncer record. */
static void
test_fixture_whole(void)
{
	rcap		c = {0};
	uint64_t	lines = 0;

	CU_ASSERT_EQUAL_FATAL(rcap_run_file(&pgbouncer_reader_ops, NULL, test_fixture("pgbouncer/pgbouncer.log"),
										&c, &lines), 0);
	CU_ASSERT(lines > 100);
	CU_ASSERT_EQUAL(c.tally.malformed, 0);
	CU_ASSERT_EQUAL((uint64_t) c.n, lines);
	for (int i = 1; i < c.n; i++)
		CU_ASSERT(c.recs[i].ts_ms >= c.recs[i - 1].ts_ms);
	rcap_free(&c);
}

PGSIFT_TEST_SUITE(add_pgbouncer_reader_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/pgbouncer", NULL, NULL);

	CU_add_test(s, "logfile lines: every kind, malformed counted", test_file_lines);
	CU_add_test(s, "syslog lines, other programs skipped", test_syslog_lines);
	CU_add_test(s, "connections, closes and errors classified", test_classify_connections);
	CU_add_test(s, "stats lines of 1.8-1.20, 1.21 and before 1.8", test_classify_stats);
	CU_add_test(s, "the assembler keeps pgBouncer's records apart", test_assembler_keeps_apart);
	CU_add_test(s, "recognised by shape, not as stderr", test_detect_by_shape);
	CU_add_test(s, "fixture pair detected per file", test_detect_fixtures);
	CU_add_test(s, "the whole fixture read", test_fixture_whole);
}
