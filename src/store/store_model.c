/*-------------------------------------------------------------------------
 * store_model.c
 *    Writing the workload model to the store's tables and reading it back.
 *
 * Per-fingerprint figures, samples, names, minutes and SQLSTATEs are rows;
 * the scalar counters of the summary, sessions and events are key/value
 * pairs in model_state, described once in state_fields below so that
 * writing and reading cannot drift apart.  Event kinds and severities are
 * keyed by name, not enum position, so a build that adds a kind still
 * reads an older store.  Sketches are stored as sketch_serialize blobs.
 * The session-sequence tables follow the queries (store_sequences.c).
 *
 * Only the public model API is used: a model read back is built the way
 * workload_merge builds one, so it continues exactly like the model that
 * was saved (the resume case).
 *-------------------------------------------------------------------------
 */
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/store/store_private.h"
#include "src/store/store_sql.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum state_part
{
	PART_SUMMARY,
	PART_SESSIONS,
	PART_EVENTS,
	PART_POOLER,
	PART_OTHER
} state_part;

typedef enum state_type
{
	STATE_U64,
	STATE_I32,
	STATE_I64,
	STATE_TS,					/* int64_t, LOG_TS_UNKNOWN stored as NULL */
	STATE_REAL
} state_type;

typedef struct state_field
{
	const char *key;
	state_part	part;
	size_t		offset;
	state_type	type;
} state_field;

#define SUMMARY_FIELD(f, t) {"summary." #f, PART_SUMMARY, offsetof(workload_summary, f), t}
#define SESSIONS_FIELD(f, t) {"sessions." #f, PART_SESSIONS, offsetof(session_figures, f), t}
#define EVENTS_FIELD(f, t) {"events." #f, PART_EVENTS, offsetof(event_figures, f), t}
#define POOLER_FIELD(f, t) {"pooler." #f, PART_POOLER, offsetof(pooler_figures, f), t}
#define OTHER_FIELD(f, t) {"other." #f, PART_OTHER, offsetof(workload_other, f), t}

static const state_field state_fields[] = {
	SUMMARY_FIELD(files, STATE_U64),
	SUMMARY_FIELD(lines, STATE_U64),
	SUMMARY_FIELD(records, STATE_U64),
	SUMMARY_FIELD(statements, STATE_U64),
	SUMMARY_FIELD(untimed_statements, STATE_U64),
	SUMMARY_FIELD(parse_errors, STATE_U64),
	SUMMARY_FIELD(malformed_lines, STATE_U64),
	SUMMARY_FIELD(filtered_out, STATE_U64),
	SUMMARY_FIELD(own_statements, STATE_U64),
	SUMMARY_FIELD(first_ts, STATE_TS),
	SUMMARY_FIELD(last_ts, STATE_TS),
	SUMMARY_FIELD(utc_offset_min, STATE_I32),
	SUMMARY_FIELD(total_duration_ms, STATE_REAL),
	SESSIONS_FIELD(received, STATE_U64),
	SESSIONS_FIELD(authorized, STATE_U64),
	SESSIONS_FIELD(disconnections, STATE_U64),
	SESSIONS_FIELD(refused_too_many, STATE_U64),
	SESSIONS_FIELD(refused_reserved, STATE_U64),
	SESSIONS_FIELD(total_session_ms, STATE_REAL),
	SESSIONS_FIELD(concurrent, STATE_I64),
	SESSIONS_FIELD(concurrent_min, STATE_I64),
	SESSIONS_FIELD(concurrent_max, STATE_I64),
	SESSIONS_FIELD(peak_ts, STATE_TS),
	EVENTS_FIELD(lock_wait_ms, STATE_REAL),
	EVENTS_FIELD(lock_wait_max_ms, STATE_REAL),
	EVENTS_FIELD(temp_file_bytes, STATE_U64),
	EVENTS_FIELD(temp_file_max_bytes, STATE_U64),
	POOLER_FIELD(records, STATE_U64),
	POOLER_FIELD(warnings, STATE_U64),
	POOLER_FIELD(errors, STATE_U64),
	POOLER_FIELD(first_ts, STATE_TS),
	POOLER_FIELD(last_ts, STATE_TS),
	POOLER_FIELD(client_age_s, STATE_REAL),
	POOLER_FIELD(client_age_max_s, STATE_REAL),
	POOLER_FIELD(server_age_s, STATE_REAL),
	POOLER_FIELD(server_age_max_s, STATE_REAL),
	POOLER_FIELD(xacts_per_s_sum, STATE_REAL),
	POOLER_FIELD(xacts_per_s_max, STATE_REAL),
	POOLER_FIELD(queries_per_s_sum, STATE_REAL),
	POOLER_FIELD(queries_per_s_max, STATE_REAL),
	POOLER_FIELD(xact_us_weighted, STATE_REAL),
	POOLER_FIELD(query_us_weighted, STATE_REAL),
	POOLER_FIELD(wait_us_weighted, STATE_REAL),
	POOLER_FIELD(wait_us_max, STATE_REAL),
	POOLER_FIELD(in_bytes_per_s_sum, STATE_REAL),
	POOLER_FIELD(out_bytes_per_s_sum, STATE_REAL),
	OTHER_FIELD(fingerprints_evicted, STATE_U64),
	OTHER_FIELD(statements, STATE_U64),
	OTHER_FIELD(untimed_statements, STATE_U64),
	OTHER_FIELD(total_ms, STATE_REAL),
	OTHER_FIELD(error_ms, STATE_REAL),
	OTHER_FIELD(error_calls, STATE_U64),
	OTHER_FIELD(max_fingerprints, STATE_U64),
};

#define NSTATE_FIELDS (sizeof(state_fields) / sizeof(state_fields[0]))
#define NSEVERITIES ((int) (sizeof(((event_figures *) 0)->by_severity) / sizeof(uint64_t)))

#define KEY_SESSION_DURATION	"sessions.duration"
#define KEY_LATENCY				"summary.latency."	/* and the bucket's index */
#define KEY_BY_KIND				"events.by_kind."
#define KEY_BY_SEVERITY			"events.by_severity."
#define KEY_POOLER_KIND			"pooler.by_kind."
#define KEY_POOLER_OTHER		"#other"	/* after "pooler.TABLE": reasons beyond the table */

static const char *const name_kinds[] = {"database", "user", "application"};

/* ---------------------------------------------------------------------
 * Column helpers
 * ---------------------------------------------------------------------
 */

/* SQLite frees the blob when the binding is cleared. */
static void
bind_sketch(sqlite3_stmt *st, int col, const quantile_sketch *sk)
{
	unsigned char *blob = NULL;
	size_t		len = sketch_serialize(sk, &blob);

	sqlite3_bind_blob64(st, col, blob, len, free);
}

/* The sketch of a blob column added into dst; -1 if it does not decode. */
static int
column_sketch_into(sqlite3_stmt *st, int col, quantile_sketch *dst)
{
	quantile_sketch *sk = sketch_deserialize(sqlite3_column_blob(st, col),
											 (size_t) sqlite3_column_bytes(st, col));

	if (sk == NULL)
		return -1;
	sketch_merge(dst, sk);
	sketch_free(sk);
	return 0;
}

/* ---------------------------------------------------------------------
 * Writing
 * ---------------------------------------------------------------------
 */

typedef struct model_writer
{
	store	   *s;
	sqlite3_stmt *query;
	sqlite3_stmt *name;
	sqlite3_stmt *sample;
} model_writer;

static int
write_names(model_writer *mw, int64_t id, const char *kind, const name_count *names, int n)
{
	for (int i = 0; i < n; i++)
	{
		sqlite3_bind_int64(mw->name, 1, id);
		store_bind_text(mw->name, 2, kind);
		sqlite3_bind_int(mw->name, 3, i);
		store_bind_text(mw->name, 4, names[i].name);
		store_bind_u64(mw->name, 5, names[i].count);
		if (store_step_done(mw->s, mw->name, "write") != 0)
			return -1;
	}
	return 0;
}

static int
write_samples(model_writer *mw, int64_t id, const query_stats *q)
{
	for (int i = 0; i < q->nsamples; i++)
	{
		const query_sample *qs = &q->samples[i];

		sqlite3_bind_int64(mw->sample, 1, id);
		sqlite3_bind_int(mw->sample, 2, i);
		sqlite3_bind_double(mw->sample, 3, qs->duration_ms);
		store_bind_ts(mw->sample, 4, qs->ts_ms);
		store_bind_text(mw->sample, 5, qs->query ? qs->query : "");
		store_bind_text(mw->sample, 6, qs->params);
		store_bind_text(mw->sample, 7, qs->database);
		store_bind_text(mw->sample, 8, qs->user);
		store_bind_text(mw->sample, 9, qs->file);
		store_bind_u64(mw->sample, 10, qs->line);
		if (store_step_done(mw->s, mw->sample, "write") != 0)
			return -1;
	}
	return 0;
}

static int
write_query(model_writer *mw, int64_t id, const query_stats *q)
{
	sqlite3_stmt *st = mw->query;

	sqlite3_bind_int64(st, 1, id);
	store_bind_u64(st, 2, q->fingerprint);
	sqlite3_bind_int(st, 3, q->parsed != 0);
	store_bind_text(st, 4, q->normalized ? q->normalized : "");
	store_bind_u64(st, 5, q->calls);
	sqlite3_bind_double(st, 6, q->total_ms);
	store_bind_real(st, 7, q->min_ms);
	sqlite3_bind_double(st, 8, q->max_ms);
	bind_sketch(st, 9, q->sketch);
	store_bind_u64(st, 10, q->untimed_calls);
	store_bind_u64(st, 11, q->parse_count);
	sqlite3_bind_double(st, 12, q->parse_ms);
	store_bind_u64(st, 13, q->bind_count);
	sqlite3_bind_double(st, 14, q->bind_ms);
	store_bind_u64(st, 15, q->errors);
	store_bind_ts(st, 16, q->first_ts);
	store_bind_ts(st, 17, q->last_ts);
	store_bind_text(st, 18, q->plan);
	sqlite3_bind_int(st, 19, q->plan_is_json != 0);
	sqlite3_bind_double(st, 20, q->plan_ms);
	sqlite3_bind_double(st, 21, q->error_ms);
	store_bind_u64(st, 22, q->error_calls);
	if (store_step_done(mw->s, st, "write") != 0 ||
		write_names(mw, id, name_kinds[0], q->databases, q->ndatabases) != 0 ||
		write_names(mw, id, name_kinds[1], q->users, q->nusers) != 0 ||
		write_names(mw, id, name_kinds[2], q->apps, q->napps) != 0)
		return -1;
	return write_samples(mw, id, q);
}

static int
write_queries(store *s, workload *w)
{
	model_writer mw = {s, NULL, NULL, NULL};
	size_t		n;
	query_stats **queries = workload_queries(w, &n);
	int			rc = -1;

	mw.query = store_prepare(s, "INSERT INTO queries (id, fingerprint, parsed, normalized, calls, total_ms,"
							 " min_ms, max_ms, sketch, untimed_calls, parse_count, parse_ms, bind_count,"
							 " bind_ms, errors, first_ts, last_ts, plan, plan_is_json, plan_ms, error_ms, error_calls)"
							 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
							 " ?16, ?17, ?18, ?19, ?20, ?21, ?22)", "write");
	mw.name = store_prepare(s, "INSERT INTO query_names (query_id, kind, position, name, count)"
							" VALUES (?1, ?2, ?3, ?4, ?5)", "write");
	mw.sample = store_prepare(s, "INSERT INTO samples (query_id, position, duration_ms, ts_ms, query, params,"
							  " database, user_name, file, line)"
							  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", "write");
	if (mw.query && mw.name && mw.sample)
	{
		size_t		i;

		/* ids follow the report's order, so the table reads like the report */
		for (i = 0; i < n; i++)
			if (write_query(&mw, (int64_t) i + 1, queries[i]) != 0)
				break;
		rc = i == n ? 0 : -1;
	}
	sqlite3_finalize(mw.query);
	sqlite3_finalize(mw.name);
	sqlite3_finalize(mw.sample);
	return rc;
}

static int
write_minutes(store *s, workload *w)
{
	size_t		n,
				i;
	minute_stats *minutes = workload_minutes(w, &n);
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO minutes (minute, statements, total_ms, errors, connections)"
									 " VALUES (?1, ?2, ?3, ?4, ?5)", "write");

	if (st == NULL)
		return -1;
	for (i = 0; i < n; i++)
	{
		sqlite3_bind_int64(st, 1, minutes[i].minute);
		store_bind_u64(st, 2, minutes[i].statements);
		sqlite3_bind_double(st, 3, minutes[i].total_ms);
		store_bind_u64(st, 4, minutes[i].errors);
		store_bind_u64(st, 5, minutes[i].connections);
		if (store_step_done(s, st, "write") != 0)
			break;
	}
	sqlite3_finalize(st);
	return i == n ? 0 : -1;
}

static int
write_sqlstates(store *s, const event_figures *e)
{
	int			i;
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO sqlstates (position, sqlstate, count, example)"
									 " VALUES (?1, ?2, ?3, ?4)", "write");

	if (st == NULL)
		return -1;
	for (i = 0; i < e->nsqlstates; i++)
	{
		sqlite3_bind_int(st, 1, i);
		store_bind_text(st, 2, e->sqlstates[i].sqlstate);
		store_bind_u64(st, 3, e->sqlstates[i].count);
		store_bind_text(st, 4, e->sqlstates[i].example);
		if (store_step_done(s, st, "write") != 0)
			break;
	}
	sqlite3_finalize(st);
	return i == e->nsqlstates ? 0 : -1;
}

static void *
part_base(workload *w, state_part part)
{
	switch (part)
	{
		case PART_SUMMARY:
			return workload_summary_mut(w);
		case PART_SESSIONS:
			return workload_sessions_mut(w);
		case PART_EVENTS:
			return workload_events_mut(w);
		case PART_POOLER:
			return workload_pooler_mut(w);
		case PART_OTHER:
			return workload_other_mut(w);
	}
	return NULL;
}

static void
bind_state_value(sqlite3_stmt *st, const state_field *f, const char *base)
{
	const void *p = base + f->offset;

	switch (f->type)
	{
		case STATE_U64:
			store_bind_u64(st, 2, *(const uint64_t *) p);
			break;
		case STATE_I32:
			sqlite3_bind_int(st, 2, *(const int32_t *) p);
			break;
		case STATE_I64:
			sqlite3_bind_int64(st, 2, *(const int64_t *) p);
			break;
		case STATE_TS:
			store_bind_ts(st, 2, *(const int64_t *) p);
			break;
		case STATE_REAL:
			store_bind_real(st, 2, *(const double *) p);
			break;
	}
}

/* One named counter of model_state through st. */
static int
write_counter(store *s, sqlite3_stmt *st, const char *key, uint64_t value)
{
	store_bind_text(st, 1, key);
	store_bind_u64(st, 2, value);
	return store_step_done(s, st, "write");
}

/* pgBouncer's counts by kind and its reason tables ("pooler.TABLE.REASON"). */
static int
write_pooler_state(store *s, sqlite3_stmt *st, const pooler_figures *p)
{
	char		key[POOLER_REASON_LEN + 64];
	int			rc = 0;

	for (int k = POOLER_NONE + 1; rc == 0 && k < POOLER__COUNT; k++)
	{
		snprintf(key, sizeof(key), KEY_POOLER_KIND "%s", pooler_kind_name((pooler_kind) k));
		rc = write_counter(s, st, key, p->by_kind[k]);
	}
	for (int t = 0; rc == 0 && t < POOLER_TABLE__COUNT; t++)
	{
		const pooler_reasons *r = &p->reasons[t];

		for (int i = 0; rc == 0 && i < r->n; i++)
		{
			snprintf(key, sizeof(key), "pooler.%s.%s", pooler_table_name((pooler_reason_table) t),
					 r->items[i].text);
			rc = write_counter(s, st, key, r->items[i].count);
		}
		snprintf(key, sizeof(key), "pooler.%s" KEY_POOLER_OTHER, pooler_table_name((pooler_reason_table) t));
		if (rc == 0 && r->other)
			rc = write_counter(s, st, key, r->other);
	}
	return rc;
}

/* Every counter of model_state, then the session-duration sketch. */
static int
write_state(store *s, workload *w)
{
	const event_figures *e = workload_events(w);
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO model_state (key, value) VALUES (?1, ?2)", "write");
	char		key[64];
	int			rc = 0;

	if (st == NULL)
		return -1;
	for (size_t i = 0; rc == 0 && i < NSTATE_FIELDS; i++)
	{
		store_bind_text(st, 1, state_fields[i].key);
		bind_state_value(st, &state_fields[i], part_base(w, state_fields[i].part));
		rc = store_step_done(s, st, "write");
	}
	for (int k = 0; rc == 0 && k < EV__COUNT; k++)
	{
		snprintf(key, sizeof(key), KEY_BY_KIND "%s", log_event_kind_name((log_event_kind) k));
		store_bind_text(st, 1, key);
		store_bind_u64(st, 2, e->by_kind[k]);
		rc = store_step_done(s, st, "write");
	}
	for (int v = 0; rc == 0 && v < NSEVERITIES; v++)
	{
		snprintf(key, sizeof(key), KEY_BY_SEVERITY "%s", log_severity_name((log_severity) v));
		rc = write_counter(s, st, key, e->by_severity[v]);
	}
	for (int i = 0; rc == 0 && i < LATENCY_BUCKETS; i++)
	{
		snprintf(key, sizeof(key), KEY_LATENCY "%d", i);
		rc = write_counter(s, st, key, workload_get_summary(w)->latency[i]);
	}
	if (rc == 0)
		rc = write_pooler_state(s, st, workload_pooler(w));
	if (rc == 0)
	{
		store_bind_text(st, 1, KEY_SESSION_DURATION);
		bind_sketch(st, 2, workload_sessions(w)->duration);
		rc = store_step_done(s, st, "write");
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_model_write(store *s, workload *w)
{
	if (sqlite3_exec(s->db, "DELETE FROM samples; DELETE FROM query_names; DELETE FROM queries;"
					 " DELETE FROM minutes; DELETE FROM sqlstates; DELETE FROM model_state;",
					 NULL, NULL, NULL) != SQLITE_OK)
	{
		store_report_sql(s, "write");
		return -1;
	}
	if (write_queries(s, w) != 0 || write_minutes(s, w) != 0 ||
		write_sqlstates(s, workload_events(w)) != 0 || write_state(s, w) != 0 ||
		store_minute_latency_write(s, w) != 0 || store_query_series_write(s, w) != 0)
		return -1;
	return store_sequences_write(s, w);
}

/* ---------------------------------------------------------------------
 * Reading
 * ---------------------------------------------------------------------
 */

typedef struct model_reader
{
	store	   *s;
	workload   *w;
	sqlite3_stmt *names;
	sqlite3_stmt *samples;
} model_reader;

static void
add_name(workload *w, query_stats *q, const char *kind, const char *name, uint64_t count)
{
	name_count *arr = q->databases;
	int		   *n = &q->ndatabases;

	if (strcmp(kind, name_kinds[1]) == 0)
	{
		arr = q->users;
		n = &q->nusers;
	}
	else if (strcmp(kind, name_kinds[2]) == 0)
	{
		arr = q->apps;
		n = &q->napps;
	}
	if (*n < WORKLOAD_NAMES)
	{
		arr[*n].name = workload_intern(w, name);
		arr[*n].count = count;
		(*n)++;
	}
}

static int
read_names(model_reader *mr, int64_t id, query_stats *q)
{
	sqlite3_stmt *st = mr->names;
	int			rc;

	sqlite3_bind_int64(st, 1, id);
	while ((rc = store_step_row(mr->s, st)) == 1)
		add_name(mr->w, q, (const char *) sqlite3_column_text(st, 0),
				 (const char *) sqlite3_column_text(st, 1), store_column_u64(st, 2));
	sqlite3_reset(st);
	return rc;
}

static int
read_samples(model_reader *mr, int64_t id, query_stats *q)
{
	sqlite3_stmt *st = mr->samples;
	int			rc = 0;

	sqlite3_bind_int64(st, 1, id);
	/* at most WORKLOAD_SAMPLES rows were written; more would leak in workload_add_sample */
	while (q->nsamples < WORKLOAD_SAMPLES && (rc = store_step_row(mr->s, st)) == 1)
	{
		query_sample qs = {
			.duration_ms = sqlite3_column_double(st, 0),
			.ts_ms = store_column_ts(st, 1),
			.query = store_column_strdup(st, 2),
			.params = store_column_strdup(st, 3),
			.database = workload_intern(mr->w, (const char *) sqlite3_column_text(st, 4)),
			.user = workload_intern(mr->w, (const char *) sqlite3_column_text(st, 5)),
			.file = workload_intern(mr->w, (const char *) sqlite3_column_text(st, 6)),
			.line = store_column_u64(st, 7),
		};

		workload_add_sample(q, &qs);
	}
	sqlite3_reset(st);
	return rc < 0 ? -1 : 0;
}

/* One row of queries (columns as in read_queries' SELECT) into the model. */
static int
read_query(model_reader *mr, sqlite3_stmt *st)
{
	int64_t		id = sqlite3_column_int64(st, 0);
	query_stats *q = workload_query_for(mr->w, store_column_u64(st, 1),
										(const char *) sqlite3_column_text(st, 3),
										sqlite3_column_int(st, 2));

	q->calls = store_column_u64(st, 4);
	q->total_ms = sqlite3_column_double(st, 5);
	q->min_ms = store_column_real(st, 6, INFINITY);
	q->max_ms = sqlite3_column_double(st, 7);
	if (column_sketch_into(st, 8, q->sketch) != 0)
	{
		store_report_damaged(mr->s, "duration sketch of a query");
		return -1;
	}
	q->untimed_calls = store_column_u64(st, 9);
	q->parse_count = store_column_u64(st, 10);
	q->parse_ms = sqlite3_column_double(st, 11);
	q->bind_count = store_column_u64(st, 12);
	q->bind_ms = sqlite3_column_double(st, 13);
	q->errors = store_column_u64(st, 14);
	q->first_ts = store_column_ts(st, 15);
	q->last_ts = store_column_ts(st, 16);
	q->plan = store_column_strdup(st, 17);
	q->plan_is_json = sqlite3_column_int(st, 18);
	q->plan_ms = sqlite3_column_double(st, 19);
	q->error_ms = sqlite3_column_double(st, 20);
	q->error_calls = store_column_u64(st, 21);
	if (read_names(mr, id, q) != 0)
		return -1;
	return read_samples(mr, id, q);
}

static int
read_queries(store *s, workload *w)
{
	model_reader mr = {s, w, NULL, NULL};
	sqlite3_stmt *st;
	int			rc = -1;

	st = store_prepare(s, "SELECT id, fingerprint, parsed, normalized, calls, total_ms, min_ms, max_ms,"
					   " sketch, untimed_calls, parse_count, parse_ms, bind_count, bind_ms, errors,"
					   " first_ts, last_ts, plan, plan_is_json, plan_ms, error_ms, error_calls FROM queries ORDER BY id",
					   "read");
	mr.names = store_prepare(s, "SELECT kind, name, count FROM query_names WHERE query_id = ?1"
							 " ORDER BY kind, position", "read");
	mr.samples = store_prepare(s, "SELECT duration_ms, ts_ms, query, params, database, user_name, file, line"
							   " FROM samples WHERE query_id = ?1 ORDER BY position", "read");
	if (st && mr.names && mr.samples)
	{
		while ((rc = store_step_row(s, st)) == 1)
			if (read_query(&mr, st) != 0)
			{
				rc = -1;
				break;
			}
	}
	sqlite3_finalize(st);
	sqlite3_finalize(mr.names);
	sqlite3_finalize(mr.samples);
	return rc;
}

static int
read_minutes(store *s, workload *w)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT minute, statements, total_ms, errors, connections"
									 " FROM minutes ORDER BY minute", "read");
	int			rc = -1;

	if (st == NULL)
		return -1;
	while ((rc = store_step_row(s, st)) == 1)
	{
		minute_stats m = {
			.minute = sqlite3_column_int64(st, 0),
			.statements = store_column_u64(st, 1),
			.total_ms = sqlite3_column_double(st, 2),
			.errors = store_column_u64(st, 3),
			.connections = store_column_u64(st, 4),
		};

		workload_add_minute(w, &m);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
read_sqlstates(store *s, workload *w)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT sqlstate, count, example FROM sqlstates ORDER BY position", "read");
	int			rc = -1;

	if (st == NULL)
		return -1;
	while ((rc = store_step_row(s, st)) == 1)
		workload_add_sqlstate(w, (const char *) sqlite3_column_text(st, 0), store_column_u64(st, 1),
							  (const char *) sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return rc;
}

static void
set_state_value(sqlite3_stmt *st, const state_field *f, char *base)
{
	void	   *p = base + f->offset;

	switch (f->type)
	{
		case STATE_U64:
			*(uint64_t *) p = store_column_u64(st, 1);
			break;
		case STATE_I32:
			*(int32_t *) p = sqlite3_column_int(st, 1);
			break;
		case STATE_I64:
			*(int64_t *) p = sqlite3_column_int64(st, 1);
			break;
		case STATE_TS:
			*(int64_t *) p = store_column_ts(st, 1);
			break;
		case STATE_REAL:
			*(double *) p = store_column_real(st, 1, 0);
			break;
	}
}

/* Index of name among n names given by name_of, or -1. */
static int
find_name(const char *name, int n, const char *(*name_of) (int))
{
	for (int i = 0; i < n; i++)
		if (strcmp(name, name_of(i)) == 0)
			return i;
	return -1;
}

static const char *
kind_name(int k)
{
	return log_event_kind_name((log_event_kind) k);
}

static const char *
severity_name(int v)
{
	return log_severity_name((log_severity) v);
}

static const char *
pooler_name(int k)
{
	return pooler_kind_name((pooler_kind) k);
}

/* A "pooler." pair other than a state field: a count by kind, or of a reason. */
static void
read_pooler_pair(pooler_figures *p, const char *key, uint64_t value)
{
	const char *kind = KEY_POOLER_KIND + 7;
	int			i;

	if (strncmp(key, kind, strlen(kind)) == 0)
	{
		if ((i = find_name(key + strlen(kind), POOLER__COUNT, pooler_name)) > POOLER_NONE)
			p->by_kind[i] = value;
		return;
	}
	for (int t = 0; t < POOLER_TABLE__COUNT; t++)
	{
		const char *name = pooler_table_name((pooler_reason_table) t);
		size_t		n = strlen(name);

		if (strncmp(key, name, n) != 0)
			continue;
		if (strcmp(key + n, KEY_POOLER_OTHER) == 0)
			p->reasons[t].other += value;
		else if (key[n] == '.')
			pooler_add_reason(p, (pooler_reason_table) t, key + n + 1, strlen(key + n + 1), value);
		return;
	}
}

/*
 * One model_state pair into the model.  Keys this build does not know
 * (written by a later one) are skipped: they hold nothing it can show.
 */
static int
read_state_pair(store *s, workload *w, sqlite3_stmt *st)
{
	const char *key = (const char *) sqlite3_column_text(st, 0);
	event_figures *e = workload_events_mut(w);
	int			i;

	for (size_t f = 0; f < NSTATE_FIELDS; f++)
		if (strcmp(key, state_fields[f].key) == 0)
		{
			set_state_value(st, &state_fields[f], part_base(w, state_fields[f].part));
			return 0;
		}
	if (strcmp(key, KEY_SESSION_DURATION) == 0)
	{
		if (column_sketch_into(st, 1, workload_sessions_mut(w)->duration) == 0)
			return 0;
		store_report_damaged(s, "sketch of session durations");
		return -1;
	}
	if (strncmp(key, "pooler.", 7) == 0)
	{
		read_pooler_pair(workload_pooler_mut(w), key + 7, store_column_u64(st, 1));
		return 0;
	}
	if (strncmp(key, KEY_BY_KIND, strlen(KEY_BY_KIND)) == 0 &&
		(i = find_name(key + strlen(KEY_BY_KIND), EV__COUNT, kind_name)) >= 0)
		e->by_kind[i] = store_column_u64(st, 1);
	else if (strncmp(key, KEY_BY_SEVERITY, strlen(KEY_BY_SEVERITY)) == 0 &&
			 (i = find_name(key + strlen(KEY_BY_SEVERITY), NSEVERITIES, severity_name)) >= 0)
		e->by_severity[i] = store_column_u64(st, 1);
	else if (strncmp(key, KEY_LATENCY, strlen(KEY_LATENCY)) == 0 &&
			 (i = atoi(key + strlen(KEY_LATENCY))) >= 0 && i < LATENCY_BUCKETS)
		workload_summary_mut(w)->latency[i] = store_column_u64(st, 1);
	return 0;
}

static int
read_state(store *s, workload *w)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT key, value FROM model_state", "read");
	int			rc = -1;

	if (st == NULL)
		return -1;
	while ((rc = store_step_row(s, st)) == 1)
		if (read_state_pair(s, w, st) != 0)
		{
			rc = -1;
			break;
		}
	sqlite3_finalize(st);
	return rc;
}

int
store_model_read(store *s, workload *w)
{
	if (read_queries(s, w) != 0 || read_minutes(s, w) != 0 || store_minute_latency_read(s, w) != 0 ||
		store_query_series_read(s, w) != 0 || read_sqlstates(s, w) != 0 || read_state(s, w) != 0)
		return -1;
	return store_sequences_read(s, w);
}
