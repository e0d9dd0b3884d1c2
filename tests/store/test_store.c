/*-------------------------------------------------------------------------
 * test_store.c
 *    Tests of the SQLite store's model: round trips, resuming, and two
 *    runs saving to one store.
 *
 * The workload is a fixed, varied stream of hand-made events (statements
 * of several shapes, an unparsable one, untimed ones, parse/bind phases,
 * plans, connections, errors with SQLSTATEs, lock waits, temp files), so
 * every figure of the model is exercised.  A model read back must equal
 * the model saved in every figure, exactly: the store keeps doubles and
 * sketches bit for bit.  File identities and opening are tested in
 * test_store_files.c.
 *-------------------------------------------------------------------------
 */
#include "tests/store/store_testing.h"
#include "tests/test_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0			1700000000000LL /* 2023-11-14 22:13:20 UTC */
#define NEVENTS		900
#define MESSAGE_SIZE	160

/* ---------------------------------------------------------------------
 * The workload: event i of a fixed stream
 * ---------------------------------------------------------------------
 */

static const char *const users[] = {"alice", "bob", "carol"};
static const char *const dbs[] = {"shop", "reports"};
static const char *const apps[] = {"web", "batch", NULL};
static const char *const sqlstates[] = {"23505", "40P01", "57014"};

/* The statement text of event i (one of six shapes, one unparsable). */
static void
statement_text(int i, char *buf, size_t size)
{
	switch (i % 6)
	{
		case 0:
			snprintf(buf, size, "SELECT * FROM orders WHERE id = %d", i);
			break;
		case 1:
			snprintf(buf, size, "UPDATE accounts SET balance = balance - %d WHERE id = %d", i % 50, i);
			break;
		case 2:
			snprintf(buf, size, "INSERT INTO events (kind, payload) VALUES ('k%d', '{}')", i);
			break;
		case 3:
			snprintf(buf, size, "SELECT count(*) FROM big WHERE created_at > now() - interval '%d days'", i % 9);
			break;
		case 4:
			snprintf(buf, size, "SELEC broken FROM %d", i);
			break;
		default:
			snprintf(buf, size, "DELETE FROM sessions WHERE expires < %d", i);
			break;
	}
}

/*
 * What event i is: its kind and the fields of that kind.  query holds
 * event i's statement text on entry; message has MESSAGE_SIZE bytes.
 */
static void
shape_event(int i, log_record *rec, log_event *ev, char *query, size_t qsize, char *message)
{
	if (i % 50 == 0)
		ev->kind = EV_CONNECTION_RECEIVED;
	else if (i % 50 == 1)
		ev->kind = EV_CONNECTION_AUTHORIZED;
	else if (i % 50 == 49 || i % 50 == 25)
	{
		/* two disconnections per authorization: sessions open before the log */
		ev->kind = EV_DISCONNECTION;
		ev->session_ms = 1000.0 + i * 3.25;
	}
	else if (i % 13 == 5)
	{
		ev->kind = EV_ERROR;
		rec->severity = SEV_ERROR;
		memcpy(rec->sqlstate, sqlstates[i % 3], 6);
		snprintf(message, MESSAGE_SIZE, "error number %d", i);
	}
	else if (i % 37 == 9)
	{
		ev->kind = EV_REFUSED;
		ev->refused = i % 2 ? REFUSED_TOO_MANY_CLIENTS : REFUSED_RESERVED_SLOTS;
		rec->severity = SEV_FATAL;
		memcpy(rec->sqlstate, "53300", 6);
	}
	else if (i % 17 == 3)
	{
		ev->kind = EV_STATEMENT_UNTIMED;
		snprintf(query, qsize, "LISTEN jobs");
	}
	else if (i % 19 == 7 || i % 19 == 8)
	{
		ev->kind = i % 19 == 7 ? EV_PARSE : EV_BIND;
		ev->duration_ms = 0.25 + (i % 5) * 0.5;
		statement_text(0, query, qsize);
	}
	else if (i % 23 == 11)
	{
		ev->kind = EV_PLAN;
		ev->duration_ms = 100.0 + i % 97;
		ev->plan = i % 2 ? "{\"Plan\": {\"Node Type\": \"Seq Scan\"}}" : "Seq Scan on orders  (cost=0.00..1.01 rows=1)";
		ev->plan_is_json = i % 2;
		statement_text(0, query, qsize);
	}
	else if (i % 29 == 13)
	{
		ev->kind = i % 2 ? EV_LOCK_ACQUIRED : EV_LOCK_WAIT;
		ev->wait_ms = 1000.0 + i * 0.5;
	}
	else if (i % 31 == 2)
	{
		ev->kind = EV_TEMP_FILE;
		ev->temp_file_bytes = (int64_t) i * 1024;
	}
	else if (i % 41 == 4)
	{
		ev->kind = EV_OTHER;
		rec->severity = SEV_WARNING;
		memcpy(rec->sqlstate, "01000", 6);
	}
	else
	{
		ev->kind = EV_STATEMENT;
		ev->duration_ms = (double) ((i * 7919) % 1000) / 7.0 + (i % 6) * 3.0;
		ev->params = i % 4 == 0 ? "$1 = '42'" : NULL;
		rec->xid = i;
	}
}

static void
feed_event(workload *w, int i)
{
	log_record	rec;
	log_event	ev;
	char		sid[32],
				query[160],
				message[MESSAGE_SIZE];
	int			session = i % 7;

	log_record_clear(&rec);
	memset(&ev, 0, sizeof(ev));
	snprintf(sid, sizeof(sid), "6553f100.%x", 1000 + session);
	rec.file = "pg.log";
	rec.line = (uint64_t) i + 1;
	rec.ts_ms = T0 + (int64_t) i * 1500;
	rec.pid = 1000 + session;
	rec.session_id = sid;
	rec.user = users[session % 3];
	rec.dbname = dbs[session % 2];
	rec.app = apps[i % 3];
	rec.severity = SEV_LOG;
	rec.message = message;
	ev.rec = &rec;
	ev.duration_ms = -1;
	ev.session_ms = -1;
	ev.wait_ms = -1;
	ev.temp_file_bytes = -1;
	statement_text(i, query, sizeof(query));
	snprintf(message, sizeof(message), "event %d", i);
	shape_event(i, &rec, &ev, query, sizeof(query), message);
	if (ev.kind <= EV_PLAN)
	{
		ev.query = query;
		ev.query_len = strlen(query);
	}
	rec.message_len = strlen(message);
	workload_add_event(w, &ev);
}

static void
feed_events(workload *w, int from, int to)
{
	for (int i = from; i < to; i++)
		feed_event(w, i);
}

/* ---------------------------------------------------------------------
 * Comparing two models figure by figure
 * ---------------------------------------------------------------------
 */

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static int
same_sketch(const quantile_sketch *a, const quantile_sketch *b)
{
	static const double qs[] = {0, 0.1, 0.5, 0.9, 0.95, 0.99, 1};

	if (sketch_count(a) != sketch_count(b))
		return 0;
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
	{
		double		x = sketch_quantile(a, qs[i]),
					y = sketch_quantile(b, qs[i]);

		if (!(x == y || (isnan(x) && isnan(y))))
			return 0;
	}
	return 1;
}

static int
same_names(const name_count *a, int na, const name_count *b, int nb)
{
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++)
		if (!same_str(a[i].name, b[i].name) || a[i].count != b[i].count)
			return 0;
	return 1;
}

static void
compare_samples(const query_stats *a, const query_stats *b)
{
	CU_ASSERT_EQUAL_FATAL(a->nsamples, b->nsamples);
	for (int i = 0; i < a->nsamples; i++)
	{
		const query_sample *x = &a->samples[i],
				   *y = &b->samples[i];

		CU_ASSERT(x->duration_ms == y->duration_ms);
		CU_ASSERT_EQUAL(x->ts_ms, y->ts_ms);
		CU_ASSERT(same_str(x->query, y->query));
		CU_ASSERT(same_str(x->params, y->params));
		CU_ASSERT(same_str(x->database, y->database));
		CU_ASSERT(same_str(x->user, y->user));
		CU_ASSERT(same_str(x->file, y->file));
		CU_ASSERT_EQUAL(x->line, y->line);
	}
}

static void
compare_query(const query_stats *a, const query_stats *b)
{
	CU_ASSERT_EQUAL(a->fingerprint, b->fingerprint);
	CU_ASSERT_EQUAL(a->parsed, b->parsed);
	CU_ASSERT(same_str(a->normalized, b->normalized));
	CU_ASSERT_EQUAL(a->calls, b->calls);
	CU_ASSERT(a->total_ms == b->total_ms);
	CU_ASSERT(a->min_ms == b->min_ms);
	CU_ASSERT(a->max_ms == b->max_ms);
	CU_ASSERT(same_sketch(a->sketch, b->sketch));
	CU_ASSERT_EQUAL(a->untimed_calls, b->untimed_calls);
	CU_ASSERT_EQUAL(a->parse_count, b->parse_count);
	CU_ASSERT(a->parse_ms == b->parse_ms);
	CU_ASSERT_EQUAL(a->bind_count, b->bind_count);
	CU_ASSERT(a->bind_ms == b->bind_ms);
	CU_ASSERT_EQUAL(a->errors, b->errors);
	CU_ASSERT_EQUAL(a->first_ts, b->first_ts);
	CU_ASSERT_EQUAL(a->last_ts, b->last_ts);
	CU_ASSERT(same_names(a->databases, a->ndatabases, b->databases, b->ndatabases));
	CU_ASSERT(same_names(a->users, a->nusers, b->users, b->nusers));
	CU_ASSERT(same_names(a->apps, a->napps, b->apps, b->napps));
	CU_ASSERT(same_str(a->plan, b->plan));
	CU_ASSERT_EQUAL(a->plan_is_json, b->plan_is_json);
	CU_ASSERT(a->plan_ms == b->plan_ms);
	CU_ASSERT(a->error_ms == b->error_ms);
	CU_ASSERT_EQUAL(a->error_calls, b->error_calls);
	compare_samples(a, b);
}

static void
compare_sessions_events(workload *a, workload *b)
{
	const session_figures *x = workload_sessions(a),
			   *y = workload_sessions(b);
	const event_figures *e = workload_events(a),
			   *f = workload_events(b);

	CU_ASSERT_EQUAL(x->received, y->received);
	CU_ASSERT_EQUAL(x->authorized, y->authorized);
	CU_ASSERT_EQUAL(x->disconnections, y->disconnections);
	CU_ASSERT_EQUAL(x->refused_too_many, y->refused_too_many);
	CU_ASSERT_EQUAL(x->refused_reserved, y->refused_reserved);
	CU_ASSERT(same_sketch(x->duration, y->duration));
	CU_ASSERT(x->total_session_ms == y->total_session_ms);
	CU_ASSERT_EQUAL(x->concurrent, y->concurrent);
	CU_ASSERT_EQUAL(x->concurrent_min, y->concurrent_min);
	CU_ASSERT_EQUAL(x->concurrent_max, y->concurrent_max);
	CU_ASSERT_EQUAL(x->peak_ts, y->peak_ts);
	CU_ASSERT(memcmp(e->by_kind, f->by_kind, sizeof(e->by_kind)) == 0);
	CU_ASSERT(memcmp(e->by_severity, f->by_severity, sizeof(e->by_severity)) == 0);
	CU_ASSERT(e->lock_wait_ms == f->lock_wait_ms);
	CU_ASSERT(e->lock_wait_max_ms == f->lock_wait_max_ms);
	CU_ASSERT_EQUAL(e->temp_file_bytes, f->temp_file_bytes);
	CU_ASSERT_EQUAL(e->temp_file_max_bytes, f->temp_file_max_bytes);
	CU_ASSERT_EQUAL_FATAL(e->nsqlstates, f->nsqlstates);
	for (int i = 0; i < e->nsqlstates; i++)
	{
		CU_ASSERT_STRING_EQUAL(e->sqlstates[i].sqlstate, f->sqlstates[i].sqlstate);
		CU_ASSERT_EQUAL(e->sqlstates[i].count, f->sqlstates[i].count);
		CU_ASSERT(same_str(e->sqlstates[i].example, f->sqlstates[i].example));
	}
}

static void
compare_models(workload *a, workload *b)
{
	const workload_summary *s = workload_get_summary(a),
			   *t = workload_get_summary(b);
	size_t		na,
				nb;
	query_stats **qa = workload_queries(a, &na),
			  **qb = workload_queries(b, &nb);
	minute_stats *ma,
			   *mb;

	CU_ASSERT(memcmp(s, t, sizeof(*s)) == 0);
	CU_ASSERT(memcmp(workload_other_row(a), workload_other_row(b), sizeof(workload_other)) == 0);
	CU_ASSERT_EQUAL_FATAL(na, nb);
	for (size_t i = 0; i < na; i++)
		compare_query(qa[i], qb[i]);
	ma = workload_minutes(a, &na);
	mb = workload_minutes(b, &nb);
	CU_ASSERT_EQUAL_FATAL(na, nb);
	for (size_t i = 0; i < na; i++)
	{
		CU_ASSERT_EQUAL(ma[i].minute, mb[i].minute);
		CU_ASSERT_EQUAL(ma[i].statements, mb[i].statements);
		CU_ASSERT(ma[i].total_ms == mb[i].total_ms);
		CU_ASSERT_EQUAL(ma[i].errors, mb[i].errors);
		CU_ASSERT_EQUAL(ma[i].connections, mb[i].connections);
		CU_ASSERT(memcmp(&ma[i].latency, &mb[i].latency, sizeof(minute_latency)) == 0);
	}
	compare_sessions_events(a, b);
}

static query_stats *
query_named(workload *w, const char *prefix)
{
	size_t		n;
	query_stats **q = workload_queries(w, &n);

	for (size_t i = 0; i < n; i++)
		if (strncmp(q[i]->normalized, prefix, strlen(prefix)) == 0)
			return q[i];
	return NULL;
}

/* ---------------------------------------------------------------------
 * Tests
 * ---------------------------------------------------------------------
 */

static void
test_round_trip(void)
{
	char		path[4096];
	workload   *w = workload_create(NULL);
	workload   *back;
	query_stats *q,
			   *r;
	int			orders = 0;

	store_test_path(path, sizeof(path), "round.db");
	feed_events(w, 0, NEVENTS);
	store_test_save(path, w, NULL, 0);
	back = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	compare_models(w, back);

	/* figures checked against the stream itself, not only against the saved model */
	for (int i = 0; i < NEVENTS; i++)
		if (i % 6 == 0 && i % 50 != 0 && i % 50 != 1 && i % 50 != 49 && i % 50 != 25 && i % 13 != 5 && i % 37 != 9 &&
			i % 17 != 3 && i % 19 != 7 && i % 19 != 8 && i % 23 != 11 && i % 29 != 13 && i % 31 != 2 &&
			i % 41 != 4)
			orders++;
	q = query_named(w, "SELECT * FROM orders");
	r = query_named(back, "SELECT * FROM orders");
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->calls, (uint64_t) orders);
	CU_ASSERT_EQUAL(r->nsamples, WORKLOAD_SAMPLES);
	CU_ASSERT(r->plan != NULL && r->plan_ms > 100);
	CU_ASSERT(r->parse_count > 0 && r->bind_count > 0);
	CU_ASSERT(query_stats_quantile(r, 0.95) == query_stats_quantile(q, 0.95));
	CU_ASSERT(!isnan(query_stats_quantile(r, 0.95)));
	r = query_named(back, "LISTEN");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->calls, 0);
	CU_ASSERT(r->untimed_calls > 0);
	CU_ASSERT(isinf(r->min_ms));
	CU_ASSERT(workload_get_summary(back)->parse_errors > 0);
	CU_ASSERT(workload_events(back)->nsqlstates == 5);
	CU_ASSERT(workload_sessions(back)->disconnections == 2 * (NEVENTS / 50));
	CU_ASSERT(sketch_count(workload_sessions(back)->duration) == 2 * (NEVENTS / 50));
	CU_ASSERT(workload_sessions(back)->concurrent_min < -1);
	workload_destroy(back);
	workload_destroy(w);
}

static void
test_round_trip_is_stable(void)
{
	char		first[4096],
				second[4096];
	workload   *w = workload_create(NULL);
	workload   *once,
			   *twice;

	store_test_path(first, sizeof(first), "stable1.db");
	store_test_path(second, sizeof(second), "stable2.db");
	feed_events(w, 0, NEVENTS);
	store_test_save(first, w, NULL, 0);
	once = store_test_load(first);
	CU_ASSERT_PTR_NOT_NULL_FATAL(once);
	store_test_save(second, once, NULL, 0);
	/* saving over the same store again must replace, not add */
	store_test_save(second, once, NULL, 0);
	twice = store_test_load(second);
	CU_ASSERT_PTR_NOT_NULL_FATAL(twice);
	compare_models(once, twice);
	compare_models(w, twice);
	CU_ASSERT_EQUAL(store_test_sql_int(first, "SELECT count(*) FROM queries"), store_test_sql_int(second, "SELECT count(*) FROM queries"));
	CU_ASSERT_EQUAL(store_test_sql_int(first, "SELECT count(*) FROM samples"), store_test_sql_int(second, "SELECT count(*) FROM samples"));
	workload_destroy(twice);
	workload_destroy(once);
	workload_destroy(w);
}

static void
test_empty_model(void)
{
	char		path[4096];
	workload   *w = workload_create(NULL);
	workload   *back;

	store_test_path(path, sizeof(path), "empty.db");
	store_test_save(path, w, NULL, 0);
	back = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	compare_models(w, back);
	CU_ASSERT_EQUAL(workload_get_summary(back)->first_ts, LOG_TS_UNKNOWN);
	CU_ASSERT_EQUAL(store_test_sql_int(path, "SELECT count(*) FROM model_state WHERE key = 'summary.first_ts' AND value IS NULL"), 1);
	workload_destroy(back);
	workload_destroy(w);
}

/*
 * Every counter outside the per-query rows, set by hand to distinct
 * values: one left out of the store would come back as 0.
 */
static void
test_every_counter(void)
{
	char		path[4096];
	workload   *w = workload_create(NULL);
	workload   *back;
	uint64_t   *summary = (uint64_t *) workload_summary_mut(w);
	session_figures *sf = workload_sessions_mut(w);
	event_figures *ef = workload_events_mut(w);
	uint64_t	v = 1;

	/* every field of the summary is 8 bytes: fill them all, whatever they are */
	for (size_t i = 0; i < sizeof(workload_summary) / sizeof(uint64_t); i++)
		summary[i] = 1000 + i;
	sf->received = ++v;
	sf->authorized = ++v;
	sf->disconnections = ++v;
	sf->refused_too_many = ++v;
	sf->refused_reserved = ++v;
	sf->total_session_ms = 12.5;
	sf->concurrent = -3;
	sf->concurrent_min = -7;
	sf->concurrent_max = 11;
	sf->peak_ts = T0 + 5;
	sketch_add(sf->duration, 250.0);
	for (int k = 0; k < EV__COUNT; k++)
		ef->by_kind[k] = 100 + (uint64_t) k;
	for (size_t k = 0; k < sizeof(ef->by_severity) / sizeof(ef->by_severity[0]); k++)
		ef->by_severity[k] = 200 + k;
	ef->lock_wait_ms = 1.25;
	ef->lock_wait_max_ms = 0.75;
	ef->temp_file_bytes = ++v;
	ef->temp_file_max_bytes = ++v;

	store_test_path(path, sizeof(path), "counters.db");
	store_test_save(path, w, NULL, 0);
	back = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	compare_models(w, back);
	CU_ASSERT_EQUAL(workload_sessions(back)->concurrent_min, -7);
	CU_ASSERT_EQUAL(workload_events(back)->by_kind[EV__COUNT - 1], 100 + EV__COUNT - 1);
	workload_destroy(back);
	workload_destroy(w);
}

/* Saved after part of the stream, loaded, fed the rest: equal to the whole. */
static void
test_resume_equals_whole(void)
{
	static const int cuts[] = {1, 333, 650};

	for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++)
	{
		char		path[4096];
		workload   *whole = workload_create(NULL);
		workload   *part = workload_create(NULL);
		workload   *resumed;

		store_test_path(path, sizeof(path), "resume.db");
		feed_events(whole, 0, NEVENTS);
		feed_events(part, 0, cuts[c]);
		store_test_save(path, part, NULL, 0);
		resumed = store_test_load(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(resumed);
		feed_events(resumed, cuts[c], NEVENTS);
		compare_models(whole, resumed);
		workload_destroy(resumed);
		workload_destroy(part);
		workload_destroy(whole);
	}
}

static workload *
bounded_model(size_t max)
{
	workload_filter f = {.since_ms = LOG_TS_UNKNOWN, .until_ms = LOG_TS_UNKNOWN, .max_fingerprints = max};

	return workload_create(&f);
}

/*
 * A model kept under a bound round-trips with its other row and its
 * entries' error bounds; loaded by a run of a smaller bound, it is
 * evicted down to that one, its other row and bounds grown as they must.
 */
static void
test_bounded_round_trip(void)
{
	char		path[4096];
	workload   *w = bounded_model(6);
	workload   *back;
	store	   *st;
	size_t		n;

	store_test_path(path, sizeof(path), "bounded.db");
	feed_events(w, 0, NEVENTS);
	CU_ASSERT_TRUE_FATAL(workload_other_row(w)->fingerprints_evicted > 0);
	store_test_save(path, w, NULL, 0);
	back = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	compare_models(w, back);
	CU_ASSERT_EQUAL(workload_other_row(back)->max_fingerprints, 6);
	workload_destroy(back);

	back = bounded_model(3);
	st = store_open(path, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(store_load(st, back), 0);
	store_close(st);

	query_stats **qs = workload_queries(back, &n);
	const workload_other *o = workload_other_row(back),
			   *was = workload_other_row(w);
	uint64_t	calls = 0;

	CU_ASSERT_TRUE(n <= 3);
	CU_ASSERT_TRUE(o->fingerprints_evicted > was->fingerprints_evicted);
	CU_ASSERT_TRUE(o->error_ms >= was->error_ms);
	CU_ASSERT_EQUAL(o->max_fingerprints, 3);
	for (size_t i = 0; i < n; i++)
		calls += qs[i]->calls;
	CU_ASSERT_EQUAL(calls + o->statements, workload_get_summary(back)->statements);
	workload_destroy(back);
	workload_destroy(w);
}

static void
test_concurrent_runs(void)
{
	char		path[4096];
	workload   *a = workload_create(NULL);
	workload   *b = workload_create(NULL);
	workload   *back;
	store	   *s1,
			   *s2;

	store_test_path(path, sizeof(path), "race.db");
	feed_events(a, 0, 300);
	feed_events(b, 0, 100);
	s1 = store_open(path, 1);
	s2 = store_open(path, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_EQUAL(store_save(s1, a, NULL, 0), 0);
	CU_ASSERT_EQUAL(store_save(s2, b, NULL, 0), -1);
	/* the run that saved last may save again */
	CU_ASSERT_EQUAL(store_save(s1, a, NULL, 0), 0);
	store_close(s1);
	store_close(s2);
	back = store_test_load(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	compare_models(a, back);
	workload_destroy(back);
	workload_destroy(a);
	workload_destroy(b);
}

PGSIFT_TEST_SUITE(store_suite)
{
	CU_pSuite	s = CU_add_suite("src/store", NULL, NULL);

	CU_add_test(s, "save then load gives every figure back", test_round_trip);
	CU_add_test(s, "save, load, save, load is stable", test_round_trip_is_stable);
	CU_add_test(s, "an empty model round-trips", test_empty_model);
	CU_add_test(s, "every counter round-trips", test_every_counter);
	CU_add_test(s, "resuming from a store equals one run over everything", test_resume_equals_whole);
	CU_add_test(s, "a run does not overwrite another run's save", test_concurrent_runs);
	CU_add_test(s, "a bounded model round-trips with its other row and bounds", test_bounded_round_trip);
}
