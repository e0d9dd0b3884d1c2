/*-------------------------------------------------------------------------
 * store_sequences.c
 *    Writing the session-sequence tables (src/model/session_patterns.h) to the
 *    store and reading them back.
 *
 * What the n-plus-one, unbatched-insert and cacheable-query rules read is
 * kept: per fingerprint its kind and its insert-run and cache figures
 * (seq_fingerprints), the loops per (parent, child) pair (seq_loops), and
 * the example occurrence of each with its parameter sets
 * (seq_example_values).  Rows keep the tables' order, so a model read back
 * lists its loops and fingerprints as the saved one did and its findings
 * come out in the same order.  Queries are referred to by queries.id,
 * found from (fingerprint, parsed), so these rows are written after the
 * queries and read after them.
 *
 * Three things are not stored, by design:
 *   - runs still open when the model is saved: the save closes them first
 *     (workload_patterns), so a loop or insert run cut by a file boundary
 *     counts as two shorter runs, either of which may fall under the
 *     thresholds;
 *   - the per-key entries of the simulated TTL cache: a key filled before
 *     the boundary and read again after it counts as a miss, not a hit,
 *     so cache figures across runs err low (as after an eviction);
 *   - the statement windows of open sessions (as for the rest of the
 *     model), so a run after the boundary has no parent from before it.
 * The ingestion-time thresholds the figures were kept with are stored too,
 * and a run that loads them with other thresholds is warned.
 *-------------------------------------------------------------------------
 */
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/store/store_private.h"
#include "src/store/store_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OWNER_LOOP		"loop"
#define OWNER_INSERT	"insert"
#define KEY_PREFIX		"sequences."

/* Kinds are stored by name, so reordering seq_kind cannot misread a store. */
static const char *const kind_names[] = {
	[SEQ_KIND_UNKNOWN] = "unknown",
	[SEQ_KIND_OTHER] = "other",
	[SEQ_KIND_CACHEABLE] = "cacheable",
	[SEQ_KIND_SINGLE_INSERT] = "single_insert",
	[SEQ_KIND_BEGIN] = "begin",
	[SEQ_KIND_END] = "end",
};

#define NKINDS ((int) (sizeof(kind_names) / sizeof(kind_names[0])))

/* A kind this file has no name for is stored as unknown: reclassified on load. */
static const char *
kind_name(seq_kind k)
{
	return (int) k >= 0 && (int) k < NKINDS && kind_names[k] ? kind_names[k] : kind_names[SEQ_KIND_UNKNOWN];
}

static seq_kind
kind_from_name(const char *name)
{
	for (int k = 0; name && k < NKINDS; k++)
		if (kind_names[k] && strcmp(name, kind_names[k]) == 0)
			return (seq_kind) k;
	return SEQ_KIND_UNKNOWN;
}

/* The scalar figures of the tables and the thresholds, in model_state. */
typedef struct sequence_state
{
	uint64_t	loops_dropped;
	uint64_t	cache_evictions;
	session_pattern_options opts;
} sequence_state;

/* ---------------------------------------------------------------------
 * Writing
 * ---------------------------------------------------------------------
 */

typedef struct seq_writer
{
	store	   *s;
	sqlite3_stmt *fingerprint;
	sqlite3_stmt *loop;
	sqlite3_stmt *value;
} seq_writer;

/* The subselect that turns (fingerprint, parsed) into queries.id; NULL stays NULL. */
#define QUERY_ID(fp, parsed) \
	"(SELECT id FROM queries WHERE fingerprint = ?" #fp " AND parsed = ?" #parsed ")"

static void
bind_query(sqlite3_stmt *st, int col, const query_stats *q)
{
	if (q == NULL)
		return;					/* unbound parameters are NULL */
	store_bind_u64(st, col, q->fingerprint);
	sqlite3_bind_int(st, col + 1, q->parsed != 0);
}

/* The example's scalars at columns col.. (all NULL when there is none). */
static void
bind_example(sqlite3_stmt *st, int col, const seq_example *e)
{
	if (e->values == NULL)
		return;
	sqlite3_bind_double(st, col, e->total_ms);
	sqlite3_bind_int64(st, col + 1, e->count);
	sqlite3_bind_int64(st, col + 2, e->distinct);
}

static int
write_example_values(seq_writer *sw, const char *owner, int64_t position, const seq_example *e)
{
	for (int i = 0; i < e->nvalues; i++)
	{
		store_bind_text(sw->value, 1, owner);
		sqlite3_bind_int64(sw->value, 2, position);
		sqlite3_bind_int(sw->value, 3, i);
		store_bind_text(sw->value, 4, e->values[i]);
		if (store_step_done(sw->s, sw->value, "write") != 0)
			return -1;
	}
	return 0;
}

static int
write_fingerprint(seq_writer *sw, int64_t position, const seq_fingerprint *f)
{
	sqlite3_stmt *st = sw->fingerprint;

	sqlite3_bind_int64(st, 1, position);
	bind_query(st, 2, f->query);
	store_bind_text(st, 4, kind_name(f->kind));
	sqlite3_bind_int(st, 5, f->values_width);
	store_bind_u64(st, 6, f->insert_runs);
	store_bind_u64(st, 7, f->insert_rows);
	store_bind_u64(st, 8, f->insert_runs_own_xact);
	sqlite3_bind_double(st, 9, f->insert_ms);
	store_bind_ts(st, 10, f->insert_first_ts);
	store_bind_ts(st, 11, f->insert_last_ts);
	bind_example(st, 12, &f->insert_example);
	store_bind_u64(st, 15, f->cache_hits);
	store_bind_u64(st, 16, f->cache_misses);
	sqlite3_bind_double(st, 17, f->cache_hit_ms);
	if (store_step_done(sw->s, st, "write") != 0)
		return -1;
	return write_example_values(sw, OWNER_INSERT, position, &f->insert_example);
}

static int
write_loop(seq_writer *sw, int64_t position, const seq_loop *l)
{
	sqlite3_stmt *st = sw->loop;

	sqlite3_bind_int64(st, 1, position);
	bind_query(st, 2, l->parent);
	bind_query(st, 4, l->child);
	store_bind_u64(st, 6, l->occurrences);
	store_bind_u64(st, 7, l->children);
	store_bind_u64(st, 8, l->distinct);
	sqlite3_bind_double(st, 9, l->child_ms);
	store_bind_u64(st, 10, l->one_xact);
	store_bind_ts(st, 11, l->first_ts);
	store_bind_ts(st, 12, l->last_ts);
	store_bind_text(st, 13, l->example.parent_params);
	bind_example(st, 14, &l->example);
	if (store_step_done(sw->s, st, "write") != 0)
		return -1;
	return write_example_values(sw, OWNER_LOOP, position, &l->example);
}

static int
write_rows(seq_writer *sw, session_patterns *p)
{
	size_t		nfps,
				nloops;
	seq_fingerprint **fps = session_patterns_fingerprints(p, &nfps);
	seq_loop  **loops = session_patterns_loops(p, &nloops);

	for (size_t i = 0; i < nfps; i++)
		if (write_fingerprint(sw, (int64_t) i, fps[i]) != 0)
			return -1;
	for (size_t i = 0; i < nloops; i++)
		if (write_loop(sw, (int64_t) i, loops[i]) != 0)
			return -1;
	return 0;
}

/* One model_state pair; the value a double or an integer. */
static int
write_pair(store *s, sqlite3_stmt *st, const char *field, double real, uint64_t integer, int is_real)
{
	char		key[64];

	snprintf(key, sizeof(key), KEY_PREFIX "%s", field);
	store_bind_text(st, 1, key);
	if (is_real)
		sqlite3_bind_double(st, 2, real);
	else
		store_bind_u64(st, 2, integer);
	return store_step_done(s, st, "write");
}

static int
write_state(store *s, session_patterns *p)
{
	const session_pattern_options *o = session_patterns_options(p);
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO model_state (key, value) VALUES (?1, ?2)", "write");
	int			rc;

	if (st == NULL)
		return -1;
	rc = write_pair(s, st, "loops_dropped", 0, session_patterns_loops_dropped(p), 0) != 0 ||
		write_pair(s, st, "cache_evictions", 0, session_patterns_cache_evictions(p), 0) != 0 ||
		write_pair(s, st, "max_gap_ms", o->max_gap_ms, 0, 1) != 0 ||
		write_pair(s, st, "min_repeats", 0, (uint64_t) o->min_repeats, 0) != 0 ||
		write_pair(s, st, "min_distinct", 0, (uint64_t) o->min_distinct, 0) != 0 ||
		write_pair(s, st, "min_rows", 0, (uint64_t) o->min_rows, 0) != 0 ||
		write_pair(s, st, "ttl_ms", o->ttl_ms, 0, 1) != 0 ||
		write_pair(s, st, "group_by_transaction", 0, (uint64_t) o->group_by_transaction, 0) != 0 ? -1 : 0;
	sqlite3_finalize(st);
	return rc;
}

int
store_sequences_write(store *s, workload *w)
{
	/* closes the runs still open: they are not stored (see the header) */
	session_patterns *p = workload_patterns(w);
	seq_writer	sw = {s, NULL, NULL, NULL};
	int			rc = -1;

	if (sqlite3_exec(s->db, "DELETE FROM seq_example_values; DELETE FROM seq_loops; DELETE FROM seq_fingerprints;",
					 NULL, NULL, NULL) != SQLITE_OK)
	{
		store_report_sql(s, "write");
		return -1;
	}
	sw.fingerprint = store_prepare(s, "INSERT INTO seq_fingerprints (position, query_id, kind, values_width,"
								   " insert_runs, insert_rows, insert_runs_own_xact, insert_ms, insert_first_ts,"
								   " insert_last_ts, example_total_ms, example_count, example_distinct,"
								   " cache_hits, cache_misses, cache_hit_ms) VALUES (?1, " QUERY_ID(2, 3) ","
								   " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)", "write");
	sw.loop = store_prepare(s, "INSERT INTO seq_loops (position, parent_id, child_id, occurrences, children,"
							" distinct_sets, child_ms, one_xact, first_ts, last_ts, example_parent_params,"
							" example_total_ms, example_count, example_distinct) VALUES (?1, " QUERY_ID(2, 3) ","
							" " QUERY_ID(4, 5) ", ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", "write");
	sw.value = store_prepare(s, "INSERT INTO seq_example_values (owner, owner_position, position, params)"
							 " VALUES (?1, ?2, ?3, ?4)", "write");
	if (sw.fingerprint && sw.loop && sw.value && write_rows(&sw, p) == 0)
		rc = write_state(s, p);
	sqlite3_finalize(sw.fingerprint);
	sqlite3_finalize(sw.loop);
	sqlite3_finalize(sw.value);
	return rc;
}

/* ---------------------------------------------------------------------
 * Reading
 * ---------------------------------------------------------------------
 */

typedef struct seq_reader
{
	store	   *s;
	workload   *w;
	session_patterns *p;
	sqlite3_stmt *values;
} seq_reader;

/* The model's stats of the query in columns col (fingerprint), +1 (parsed), +2 (normalized); NULL for NULL. */
static query_stats *
column_query(seq_reader *sr, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	return workload_query_for(sr->w, store_column_u64(st, col), (const char *) sqlite3_column_text(st, col + 2),
							  sqlite3_column_int(st, col + 1));
}

/*
 * The example whose scalars are at columns col.. into e, with its values;
 * none when example_total_ms is NULL.  An e already filled (a forged store
 * naming one loop twice) is left as it is.
 */
static int
read_example(seq_reader *sr, sqlite3_stmt *st, int col, const char *owner, int64_t position, seq_example *e)
{
	sqlite3_stmt *v = sr->values;
	int			rc = 0;

	if (sqlite3_column_type(st, col) == SQLITE_NULL || e->values)
		return 0;
	e->total_ms = sqlite3_column_double(st, col);
	e->count = (uint32_t) sqlite3_column_int64(st, col + 1);
	e->distinct = (uint32_t) sqlite3_column_int64(st, col + 2);
	e->values = xcalloc(SEQ_EXAMPLE_VALUES, sizeof(char *));
	store_bind_text(v, 1, owner);
	sqlite3_bind_int64(v, 2, position);
	while (e->nvalues < SEQ_EXAMPLE_VALUES && (rc = store_step_row(sr->s, v)) == 1)
		e->values[e->nvalues++] = store_column_strdup(v, 0);
	sqlite3_reset(v);
	return rc < 0 ? -1 : 0;
}

/* One seq_fingerprints row (columns as in read_fingerprints' SELECT). */
static int
read_fingerprint(seq_reader *sr, sqlite3_stmt *st)
{
	seq_fingerprint *f = session_patterns_fingerprint_for(sr->p, column_query(sr, st, 1),
														  kind_from_name((const char *) sqlite3_column_text(st, 4)),
														  sqlite3_column_int(st, 5));

	f->insert_runs += store_column_u64(st, 6);
	f->insert_rows += store_column_u64(st, 7);
	f->insert_runs_own_xact += store_column_u64(st, 8);
	f->insert_ms += sqlite3_column_double(st, 9);
	f->insert_first_ts = store_column_ts(st, 10);
	f->insert_last_ts = store_column_ts(st, 11);
	f->cache_hits += store_column_u64(st, 15);
	f->cache_misses += store_column_u64(st, 16);
	f->cache_hit_ms += sqlite3_column_double(st, 17);
	return read_example(sr, st, 12, OWNER_INSERT, sqlite3_column_int64(st, 0), &f->insert_example);
}

/* One seq_loops row (columns as in read_loops' SELECT). */
static int
read_loop(seq_reader *sr, sqlite3_stmt *st)
{
	seq_loop   *l = session_patterns_loop_for(sr->p, column_query(sr, st, 1), column_query(sr, st, 4));

	if (l == NULL)
		return 0;				/* more than SEQ_MAX_LOOPS rows: counted as dropped */
	l->occurrences += store_column_u64(st, 7);
	l->children += store_column_u64(st, 8);
	l->distinct += store_column_u64(st, 9);
	l->child_ms += sqlite3_column_double(st, 10);
	l->one_xact += store_column_u64(st, 11);
	l->first_ts = store_column_ts(st, 12);
	l->last_ts = store_column_ts(st, 13);
	if (l->example.values == NULL)
		l->example.parent_params = store_column_strdup(st, 14);
	return read_example(sr, st, 15, OWNER_LOOP, sqlite3_column_int64(st, 0), &l->example);
}

/* Every row of a SELECT through one_row; 0 or -1. */
static int
read_rows(seq_reader *sr, const char *sql, int (*one_row) (seq_reader *, sqlite3_stmt *))
{
	sqlite3_stmt *st = store_prepare(sr->s, sql, "read");
	int			rc = -1;

	if (st == NULL)
		return -1;
	while ((rc = store_step_row(sr->s, st)) == 1)
		if (one_row(sr, st) != 0)
		{
			rc = -1;
			break;
		}
	sqlite3_finalize(st);
	return rc;
}

/* The stored pairs of model_state into *state (a key not stored leaves its field); 0 or -1. */
static int
read_state(store *s, sequence_state *state)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT substr(key, length('" KEY_PREFIX "') + 1), value FROM model_state"
									 " WHERE substr(key, 1, length('" KEY_PREFIX "')) = '" KEY_PREFIX "'", "read");
	int			rc;

	if (st == NULL)
		return -1;
	while ((rc = store_step_row(s, st)) == 1)
	{
		const char *k = (const char *) sqlite3_column_text(st, 0);

		if (strcmp(k, "loops_dropped") == 0)
			state->loops_dropped = store_column_u64(st, 1);
		else if (strcmp(k, "cache_evictions") == 0)
			state->cache_evictions = store_column_u64(st, 1);
		else if (strcmp(k, "max_gap_ms") == 0)
			state->opts.max_gap_ms = sqlite3_column_double(st, 1);
		else if (strcmp(k, "min_repeats") == 0)
			state->opts.min_repeats = sqlite3_column_int(st, 1);
		else if (strcmp(k, "min_distinct") == 0)
			state->opts.min_distinct = sqlite3_column_int(st, 1);
		else if (strcmp(k, "min_rows") == 0)
			state->opts.min_rows = sqlite3_column_int(st, 1);
		else if (strcmp(k, "ttl_ms") == 0)
			state->opts.ttl_ms = sqlite3_column_double(st, 1);
		else if (strcmp(k, "group_by_transaction") == 0)
			state->opts.group_by_transaction = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Warn when the stored figures were kept with other thresholds than the model's. */
static void
check_options(const store *s, const session_pattern_options *had, const session_pattern_options *have)
{
	if (had->max_gap_ms == have->max_gap_ms && had->min_repeats == have->min_repeats &&
		had->min_distinct == have->min_distinct && had->min_rows == have->min_rows &&
		had->ttl_ms == have->ttl_ms && had->group_by_transaction == have->group_by_transaction)
		return;
	diag_detail("Its loops, insert runs and cache figures were kept with max_gap_ms %g,"
				" min_repeats %d, min_distinct %d, min_rows %d, a TTL of %g s and group_by_transaction %d;"
				" this run uses %g, %d, %d, %d, %g s and %d.",
				had->max_gap_ms, had->min_repeats, had->min_distinct, had->min_rows, had->ttl_ms / 1000,
				had->group_by_transaction, have->max_gap_ms, have->min_repeats, have->min_distinct,
				have->min_rows, have->ttl_ms / 1000, have->group_by_transaction);
	diag_hint("Give the configuration (--config) the store was built with; the stored figures are kept as they are.");
	diag_warning("store \"%s\" was built with other n-plus-one, unbatched-insert or cacheable-query thresholds", s->path);
}

int
store_sequences_read(store *s, workload *w)
{
	seq_reader	sr = {s, w, workload_patterns(w), NULL};
	sequence_state state = {.opts = *session_patterns_options(sr.p)};
	int			rc = -1;

	sr.values = store_prepare(s, "SELECT params FROM seq_example_values WHERE owner = ?1 AND owner_position = ?2"
							  " ORDER BY position", "read");
	if (sr.values &&
		read_rows(&sr, "SELECT f.position, q.fingerprint, q.parsed, q.normalized, f.kind, f.values_width,"
				  " f.insert_runs, f.insert_rows, f.insert_runs_own_xact, f.insert_ms, f.insert_first_ts,"
				  " f.insert_last_ts, f.example_total_ms, f.example_count, f.example_distinct,"
				  " f.cache_hits, f.cache_misses, f.cache_hit_ms"
				  " FROM seq_fingerprints f JOIN queries q ON q.id = f.query_id ORDER BY f.position",
				  read_fingerprint) == 0 &&
		read_rows(&sr, "SELECT l.position, p.fingerprint, p.parsed, p.normalized, c.fingerprint, c.parsed,"
				  " c.normalized, l.occurrences, l.children, l.distinct_sets, l.child_ms, l.one_xact,"
				  " l.first_ts, l.last_ts, l.example_parent_params, l.example_total_ms, l.example_count,"
				  " l.example_distinct FROM seq_loops l JOIN queries c ON c.id = l.child_id"
				  " LEFT JOIN queries p ON p.id = l.parent_id ORDER BY l.position", read_loop) == 0 &&
		read_state(s, &state) == 0)
	{
		session_patterns_add_dropped(sr.p, state.loops_dropped, state.cache_evictions);
		check_options(s, &state.opts, session_patterns_options(sr.p));
		rc = 0;
	}
	sqlite3_finalize(sr.values);
	return rc;
}
