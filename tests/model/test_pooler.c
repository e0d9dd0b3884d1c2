/*-------------------------------------------------------------------------
 * test_pooler.c
 *    pgBouncer's records in the workload model (src/model/pooler.c): the
 *    pooler figures they make, the server's figures they must leave alone,
 *    the filter, and merging two parts of a log.
 *-------------------------------------------------------------------------
 */
#include "parsers/reader.h"
#include "src/lib/arena.h"
#include "src/model/workload.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TEXT \
	"2026-12-03 08:06:06.734 UTC [1] LOG C-0x1: bench/app@127.0.0.1:5 login attempt: db=bench user=app tls=no\n" \
	"2026-12-03 08:06:06.735 UTC [1] LOG S-0x2: bench/app@127.0.0.1:5432 new connection to server (from 127.0.0.1:9)\n" \
	"2026-12-03 08:06:07.001 UTC [1] LOG C-0x1: bench/app@127.0.0.1:5 closing because: client close request (age=4s)\n" \
	"2026-12-03 08:06:07.010 UTC [1] LOG C-0x1: shop/ann@127.0.0.1:6 login attempt: db=shop user=ann tls=no\n" \
	"2026-12-03 08:06:07.011 UTC [1] LOG C-0x1: shop/ann@127.0.0.1:6 closing because: query_wait_timeout (age=2s)\n" \
	"2026-12-03 08:06:07.011 UTC [1] WARNING C-0x1: shop/ann@127.0.0.1:6 pooler error: query_wait_timeout\n" \
	"2026-12-03 08:06:07.559 UTC [1] LOG C-0x3: (nodb)/(nouser)@127.0.0.1:7 closing because: no more connections allowed (max_client_conn) (age=0s)\n" \
	"2026-12-03 08:06:07.559 UTC [1] WARNING C-0x3: (nodb)/(nouser)@127.0.0.1:7 pooler error: no more connections allowed (max_client_conn)\n" \
	"2026-12-03 08:06:07.600 UTC [1] WARNING C-0x3: (nodb)/app@127.0.0.1:8 pooler error: no such database: nowhere\n" \
	"2026-12-03 08:06:08.000 UTC [1] LOG stats: 100 xacts/s, 300 queries/s, in 10 B/s, out 20 B/s, xact 2000 us, query 500 us, wait 1000 us\n" \
	"2026-12-03 08:06:09.000 UTC [1] LOG stats: 0 xacts/s, 0 queries/s, in 0 B/s, out 0 B/s, xact 0 us, query 0 us, wait 0 us\n" \
	"2026-12-03 08:06:10.000 UTC [1] LOG stats: 300 xacts/s, 100 queries/s, in 30 B/s, out 40 B/s, xact 1000 us, query 900 us, wait 3000 us\n" \
	"2026-12-03 08:06:10.500 UTC [1] WARNING server login failed: FATAL password authentication failed for user \"app\"\n" \
	"2026-12-03 08:06:11.000 UTC [1] LOG S-0x2: bench/app@127.0.0.1:5432 closing because: server idle timeout (age=5s)\n" \
	"2026-12-03 08:06:11.500 UTC [1] ERROR accept() failed: Too many open files\n"

typedef struct feed_ctx
{
	workload   *w;
	event_assembler *ea;
} feed_ctx;

static void
feed_record(void *ctx, const log_record *rec)
{
	feed_ctx   *f = ctx;

	workload_note_record(f->w, rec);
	event_assembler_record(f->ea, rec);
}

/* Lines [from, to) of text through pgBouncer's reader and the assembler into w. */
static void
feed_lines(workload *w, const char *text, int from, int to)
{
	diag_tally	tally = {0};
	feed_ctx	f = {w, event_assembler_create(workload_add_event, w)};
	reader_config cfg = {.file = "pgbouncer.log", .tally = &tally, .sink = feed_record, .sink_ctx = &f};
	format_reader *r = pgbouncer_reader_ops.create(&cfg);
	int			lineno = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	while (*text)
	{
		const char *nl = strchr(text, '\n');
		size_t		len = nl ? (size_t) (nl - text) : strlen(text);

		lineno++;
		if (lineno > from && lineno <= to)
			pgbouncer_reader_ops.feed(r, text, len, (uint64_t) lineno);
		text += len + (nl != NULL);
	}
	pgbouncer_reader_ops.finish(r);
	pgbouncer_reader_ops.destroy(r);
	event_assembler_finish(f.ea);
	event_assembler_destroy(f.ea);
	CU_ASSERT_EQUAL(tally.malformed, 0);
	diag_tally_free(&tally);
}

static uint64_t
reason_count(const pooler_figures *p, pooler_reason_table t, const char *text)
{
	for (int i = 0; i < p->reasons[t].n; i++)
		if (strcmp(p->reasons[t].items[i].text, text) == 0)
			return p->reasons[t].items[i].count;
	return 0;
}

static void
test_figures(void)
{
	workload   *w = workload_create(NULL);
	const pooler_figures *p;

	feed_lines(w, LOG_TEXT, 0, 1000);
	p = workload_pooler(w);
	CU_ASSERT_EQUAL(p->records, 15);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_LOGIN], 2);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_CLIENT_CLOSE], 3);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_SERVER_CONNECT], 1);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_SERVER_CLOSE], 1);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_ERROR], 3);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_STATS], 3);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_SERVER_LOGIN_FAILED], 1);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_OTHER], 1);
	CU_ASSERT_EQUAL(p->warnings, 4);
	CU_ASSERT_EQUAL(p->errors, 1);
	CU_ASSERT_DOUBLE_EQUAL(p->client_age_s, 6, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->client_age_max_s, 4, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->server_age_max_s, 5, 1e-9);
	CU_ASSERT_EQUAL(reason_count(p, POOLER_TABLE_ERRORS, "query_wait_timeout"), 1);
	CU_ASSERT_EQUAL(reason_count(p, POOLER_TABLE_ERRORS, "no more connections allowed (max_client_conn)"), 1);
	/* the database's name is cut off: one kind of error */
	CU_ASSERT_EQUAL(reason_count(p, POOLER_TABLE_ERRORS, "no such database"), 1);
	CU_ASSERT_EQUAL(reason_count(p, POOLER_TABLE_CLIENT_CLOSE, "client close request"), 1);
	CU_ASSERT_EQUAL(reason_count(p, POOLER_TABLE_SERVER_CLOSE, "server idle timeout"), 1);

	/* rates: plain means over the lines; times: weighted by their rate */
	CU_ASSERT_DOUBLE_EQUAL(pooler_mean_xacts_per_s(p), 400.0 / 3, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->xacts_per_s_max, 300, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(pooler_mean_xact_us(p), (100 * 2000.0 + 300 * 1000.0) / 400, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(pooler_mean_query_us(p), (300 * 500.0 + 100 * 900.0) / 400, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(pooler_mean_wait_us(p), (100 * 1000.0 + 300 * 3000.0) / 400, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->wait_us_max, 3000, 1e-9);
	CU_ASSERT_EQUAL(p->first_ts, INT64_C(1796285166734));

	/* nothing of it is the server's */
	const session_figures *s = workload_sessions(w);
	const event_figures *e = workload_events(w);

	CU_ASSERT_EQUAL(s->received + s->authorized + s->disconnections + s->refused_too_many, 0);
	CU_ASSERT_EQUAL(e->by_severity[SEV_WARNING] + e->by_severity[SEV_ERROR] + e->by_severity[SEV_LOG], 0);
	CU_ASSERT_EQUAL(e->nsqlstates, 0);
	CU_ASSERT_EQUAL(e->by_kind[EV_ERROR] + e->by_kind[EV_OTHER], 0);
	CU_ASSERT_EQUAL(e->by_kind[EV_POOLER], 15);
	CU_ASSERT_EQUAL(workload_get_summary(w)->first_ts, LOG_TS_UNKNOWN);
	CU_ASSERT_EQUAL(workload_open_sessions(w), 0);
	workload_destroy(w);
}

/* Two halves merged give the figures of the whole. */
static void
test_merge(void)
{
	workload   *whole = workload_create(NULL),
			   *a = workload_create(NULL),
			   *b = workload_create(NULL);
	const pooler_figures *p,
			   *q;

	feed_lines(whole, LOG_TEXT, 0, 1000);
	feed_lines(a, LOG_TEXT, 0, 7);
	feed_lines(b, LOG_TEXT, 7, 1000);
	CU_ASSERT(workload_pooler(b)->records > 0);
	workload_merge(a, b);
	p = workload_pooler(whole);
	q = workload_pooler(a);
	CU_ASSERT_EQUAL(q->records, p->records);
	CU_ASSERT(memcmp(q->by_kind, p->by_kind, sizeof(p->by_kind)) == 0);
	CU_ASSERT_EQUAL(q->first_ts, p->first_ts);
	CU_ASSERT_EQUAL(q->last_ts, p->last_ts);
	CU_ASSERT_DOUBLE_EQUAL(pooler_mean_xact_us(q), pooler_mean_xact_us(p), 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(q->client_age_s, p->client_age_s, 1e-9);
	for (int t = 0; t < POOLER_TABLE__COUNT; t++)
	{
		CU_ASSERT_EQUAL(q->reasons[t].n, p->reasons[t].n);
		for (int i = 0; i < p->reasons[t].n; i++)
			CU_ASSERT_EQUAL(reason_count(q, (pooler_reason_table) t, p->reasons[t].items[i].text),
							p->reasons[t].items[i].count);
	}
	workload_destroy(whole);
	workload_destroy(a);
	workload_destroy(b);
}

/* --dbname keeps that database's clients and every stats line; --until cuts stats too. */
static void
test_filter(void)
{
	workload_filter f = {.since_ms = LOG_TS_UNKNOWN, .until_ms = LOG_TS_UNKNOWN, .dbname = "shop"};
	workload   *w = workload_create(&f);
	const pooler_figures *p;

	feed_lines(w, LOG_TEXT, 0, 1000);
	p = workload_pooler(w);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_LOGIN], 1);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_ERROR], 1);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_STATS], 3);
	CU_ASSERT_EQUAL(p->by_kind[POOLER_SERVER_CONNECT], 0);
	CU_ASSERT_EQUAL(workload_get_summary(w)->filtered_out, 15 - p->records);
	workload_destroy(w);

	f.dbname = NULL;
	f.until_ms = INT64_C(1796285166000) + 3000;	/* 08:06:09 */
	w = workload_create(&f);
	feed_lines(w, LOG_TEXT, 0, 1000);
	CU_ASSERT_EQUAL(workload_pooler(w)->by_kind[POOLER_STATS], 1);
	CU_ASSERT_EQUAL(workload_pooler(w)->records, 10);
	workload_destroy(w);
}

static void
test_reason_table_bounded(void)
{
	pooler_figures p;
	char		text[200];

	pooler_init(&p);
	for (int i = 0; i < POOLER_REASONS + 3; i++)
	{
		snprintf(text, sizeof(text), "reason %d", i);
		pooler_add_reason(&p, POOLER_TABLE_ERRORS, text, strlen(text), 2);
	}
	CU_ASSERT_EQUAL(p.reasons[POOLER_TABLE_ERRORS].n, POOLER_REASONS);
	CU_ASSERT_EQUAL(p.reasons[POOLER_TABLE_ERRORS].other, 6);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	pooler_add_reason(&p, POOLER_TABLE_CLIENT_CLOSE, text, strlen(text), 1);
	CU_ASSERT_EQUAL(strlen(p.reasons[POOLER_TABLE_CLIENT_CLOSE].items[0].text), POOLER_REASON_LEN - 1);
	CU_ASSERT_STRING_EQUAL(pooler_table_name(POOLER_TABLE_SERVER_CLOSE), "server_close_reasons");
	CU_ASSERT(pooler_mean_wait_us(&p) < 0);
	CU_ASSERT(pooler_mean_xacts_per_s(&p) < 0);
}

PGSIFT_TEST_SUITE(add_pooler_suite)
{
	CU_pSuite	s = CU_add_suite("model/pooler", NULL, NULL);

	CU_add_test(s, "pgBouncer's figures, none of them the server's", test_figures);
	CU_add_test(s, "two parts merged are the whole", test_merge);
	CU_add_test(s, "filters: names for clients, the window for stats", test_filter);
	CU_add_test(s, "reason tables are bounded", test_reason_table_bounded);
}
