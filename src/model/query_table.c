/*-------------------------------------------------------------------------
 * query_table.c
 *    The bounded per-fingerprint table: admission, light and heavy
 *    entries, and eviction into the exact "other" row.
 *
 * Eviction is weighted space-saving (Metwally et al., 2005).  An entry's
 * weight is its total time, each statement counting at least
 * QUERY_TABLE_WEIGHT_FLOOR_MS (so that calls decide where a log has no
 * durations); its count is weight + error_ms, an upper bound of the
 * fingerprint's true weight.  When the table is full, the entries of the
 * lowest counts are evicted, 1/EVICT_SHARE of the table at once, so that
 * the cost (a pass over an array of the entries' counts, kept up to date
 * as statements come, and a selection) is amortised over that many
 * admissions.  An evicted entry's exact figures go to the "other" row;
 * what it had (its count, and its statements plus error_calls) is kept by
 * fingerprint in a direct-mapped table, and the largest of all, M, in the
 * other row.  A fingerprint admitted gets what the table says it had as
 * its error (M or less once its slot is lost: lost_ms): its figures are
 * then exact lower bounds of its true ones (pgsift adds only what it sees
 * after admission), within the error above.  As in space-saving, the
 * entries that carry the time, admitted early or quickly back, stay.
 *
 * Entries that an open session's run in progress (its fingerprint, its
 * parent and the statement before it) or a loop of the sequence tables
 * still point at are pinned: they are not evicted, so the table may pass
 * its bound by those (three per open session, two per loop).  A session's
 * window of recent statements may point at an evicted entry: it only
 * compares its pointers with live entries, and an entry's memory, reused
 * from a free list, carries a generation that tells a new entry from the
 * one the window saw.  An evicted entry's memory goes back at once, its
 * sequence figures and TTL-cache keys dropped, and its shape forgotten by
 * the fingerprint cache, which keeps its text and kind, then only its
 * keys' fingerprint and kind, so that it costs little or no libpg_query
 * when it comes back.  Its slot in the table's hash map is left empty (a
 * NULL value) for the fingerprint to take again, and the map is rebuilt
 * without them once they outnumber the entries: memory is given back in
 * amortised O(1) per eviction.
 *
 * A light entry (query_stats.h) is made heavy by its second statement,
 * or before anything outside the model reads the table.
 *-------------------------------------------------------------------------
 */
#include "src/model/workload_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EVICT_SHARE		8		/* a full table evicts 1/EVICT_SHARE of itself */

/*
 * What each evicted fingerprint had (its count and statement count when
 * evicted), by fingerprint, in a direct-mapped table: a fingerprint
 * admitted again gets those as its error bounds, tighter than the largest
 * ever evicted.  A fingerprint whose slot another took, or one evicted
 * before the table was made, is bounded by lost_ms and lost_calls, the
 * most that any of those had (of two for one slot, the lighter goes).
 */
#define REMEMBERED_PER_ENTRY 8		/* slots of that table per entry */

/*
 * The fingerprint cache keeps FORGOTTEN_PER_ENTRY evicted fingerprints'
 * shapes per entry whole (a fingerprint back soon costs nothing), and
 * remembers KEYS_PER_ENTRY keys per entry of those it freed (one back
 * later costs a normalization): a log of a few hundred thousand
 * fingerprints drawn again and again stays out of libpg_query.
 */
#define FORGOTTEN_PER_ENTRY	8
#define KEYS_PER_ENTRY		32

typedef struct evicted_count
{
	uint64_t	fingerprint;
	int			used;			/* parsed + 1; 0: empty */
	double		ms;
	uint64_t	calls;
} evicted_count;

void
query_table_init(workload *w)
{
	size_t		max = w->filter.max_fingerprints;

	w->by_fp = hashmap_create(1024);
	w->max_fingerprints = max == 0 ? WORKLOAD_MAX_FINGERPRINTS : max;
	w->other.max_fingerprints = w->max_fingerprints == WORKLOAD_UNBOUNDED ? 0 : w->max_fingerprints;
	/* a new fingerprint's text and traits wait until it has a second statement */
	if (w->max_fingerprints == WORKLOAD_UNBOUNDED)
		fingerprint_cache_lazy(w->fingerprints, 0, 0);
	else
		fingerprint_cache_lazy(w->fingerprints, FORGOTTEN_PER_ENTRY * w->max_fingerprints,
							   KEYS_PER_ENTRY * w->max_fingerprints);
	w->nevicted_slots = 1;
	while (w->max_fingerprints != WORKLOAD_UNBOUNDED && w->nevicted_slots < REMEMBERED_PER_ENTRY * w->max_fingerprints &&
		   w->nevicted_slots < ((size_t) 1 << 24))
		w->nevicted_slots *= 2;
}

void
query_table_free(workload *w)
{
	size_t		pos = 0;
	void	   *v;

	while (hashmap_next(w->by_fp, &pos, NULL, NULL, &v))
		if (v)
		{
			query_stats_free(v);
			free(v);
		}
	hashmap_destroy(w->by_fp);
	while (w->free_entries)
	{
		query_stats *q = w->free_entries;

		w->free_entries = q->next_free;
		free(q);
	}
	free(w->evicted);
	free(w->counts);
}

static uint64_t
statements_of(const query_stats *q)
{
	return q->calls + q->untimed_calls;
}


/* The slot of a fingerprint in the table's map, created (empty) when new. */
static void **
table_slot(workload *w, uint64_t fingerprint, int parsed)
{
	uint64_t	key[2] = {fingerprint, (uint64_t) (parsed != 0)};

	return hashmap_put(w->by_fp, key, sizeof(key), hash_mix64(fingerprint ^ key[1]), NULL);
}

query_stats *
workload_query_find(const workload *w, uint64_t fingerprint, int parsed)
{
	uint64_t	key[2] = {fingerprint, (uint64_t) (parsed != 0)};

	/* an evicted fingerprint's slot holds NULL: absent */
	return hashmap_get(w->by_fp, key, sizeof(key), hash_mix64(fingerprint ^ key[1]));
}

static evicted_count *
evicted_slot(const workload *w, uint64_t fingerprint, int parsed)
{
	return &w->evicted[hash_mix64(fingerprint ^ (uint64_t) (parsed != 0)) & (w->nevicted_slots - 1)];
}

static int
evicted_is(const evicted_count *e, uint64_t fingerprint, int parsed)
{
	return e->used == (parsed != 0) + 1 && e->fingerprint == fingerprint;
}

void
workload_unlisted_bound(const workload *w, uint64_t fingerprint, int parsed, double *ms, uint64_t *calls)
{
	const evicted_count *e = w->evicted ? evicted_slot(w, fingerprint, parsed) : NULL;

	if (e == NULL)
	{
		*ms = w->other.error_ms;
		*calls = w->other.error_calls;
	}
	else if (evicted_is(e, fingerprint, parsed))
	{
		*ms = e->ms;
		*calls = e->calls;
	}
	else
	{
		*ms = w->lost_ms;
		*calls = w->lost_calls;
	}
}

void
workload_forget_evicted(workload *w)
{
	free(w->evicted);
	w->evicted = NULL;
}

/* Record what q had when evicted (its count and statement count), before the bound outside the table rises. */
static void
remember_evicted(workload *w, const query_stats *q, double ms, uint64_t calls)
{
	evicted_count *e;

	if (w->evicted == NULL)
	{
		/* what was evicted before (a stored model's, a merged part's) is bounded by the largest */
		w->evicted = xcalloc(w->nevicted_slots, sizeof(evicted_count));
		w->lost_ms = w->other.error_ms;
		w->lost_calls = w->other.error_calls;
	}
	e = evicted_slot(w, q->fingerprint, q->parsed);
	if (e->used && !evicted_is(e, q->fingerprint, q->parsed))
	{
		/* two for one slot: the slot keeps the heavier, the lighter goes into lost */
		evicted_count lighter = e->ms > ms ? (evicted_count) {q->fingerprint, 0, ms, calls} : *e;

		if (lighter.ms > w->lost_ms)
			w->lost_ms = lighter.ms;
		if (lighter.calls > w->lost_calls)
			w->lost_calls = lighter.calls;
		if (e->ms > ms)
			return;
	}
	*e = (evicted_count) {q->fingerprint, (q->parsed != 0) + 1, ms, calls};
}

/* A new empty entry in the table, with what its fingerprint may have had outside it as its error. */
static query_stats *
entry_new(workload *w, uint64_t fingerprint, int parsed)
{
	query_stats *q = w->free_entries;

	if (q)
	{
		uint32_t	generation = q->generation + 1;

		/* an open session's window may still point here: the generation tells it apart */
		w->free_entries = q->next_free;
		memset(q, 0, sizeof(*q));
		q->generation = generation;
	}
	else
		q = xcalloc(1, sizeof(query_stats));
	q->fingerprint = fingerprint;
	q->parsed = parsed;
	q->min_ms = INFINITY;
	q->max_ms = 0;
	q->first_ts = q->last_ts = LOG_TS_UNKNOWN;
	workload_unlisted_bound(w, fingerprint, parsed, &q->error_ms, &q->error_calls);
	/* the entry holds that now */
	if (w->evicted && evicted_is(evicted_slot(w, fingerprint, parsed), fingerprint, parsed))
		evicted_slot(w, fingerprint, parsed)->used = 0;
	*table_slot(w, fingerprint, parsed) = q;
	if (w->nqueries == w->counts_cap)
	{
		w->counts_cap = w->counts_cap ? 2 * w->counts_cap : 1024;
		w->counts = xrealloc(w->counts, w->counts_cap * sizeof(entry_count));
	}
	q->count_index = (uint32_t) w->nqueries;
	w->counts[w->nqueries++] = (entry_count) {query_table_weight(q) + q->error_ms, 0, q};
	w->sorted_valid = 0;
	return q;
}

void
query_table_promote(workload *w, query_stats *q)
{
	if (!query_stats_is_light(q))
		return;
	q->normalized = fingerprint_cache_normalize(w->fingerprints, q->fingerprint, q->parsed, q->pending_text,
												q->pending_len);
	free(q->pending_text);
	q->pending_text = NULL;
	q->sketch = sketch_create();
	/* a light entry has at most one timed call, whose duration is its min */
	if (q->calls == 1)
		sketch_add(q->sketch, q->min_ms);
	/* and one statement, at its first time */
	q->series = xcalloc(1, sizeof(query_series));
	query_series_add(q->series, q->first_ts, (uint32_t) (q->calls + q->untimed_calls));
}

query_stats *
workload_query_for(workload *w, uint64_t fingerprint, const char *normalized, int parsed)
{
	query_stats *q = workload_query_find(w, fingerprint, parsed);

	if (q)
	{
		query_table_promote(w, q);
		return q;
	}
	q = entry_new(w, fingerprint, parsed);
	q->normalized = xstrdup(normalized ? normalized : "");
	q->sketch = sketch_create();
	q->series = xcalloc(1, sizeof(query_series));
	/* the caller sets its figures */
	w->counts_stale = 1;
	return q;
}

/* ---------------------------------------------------------------------
 * Eviction
 * ---------------------------------------------------------------------
 */

/* Mark q as kept by the current eviction. */
static void
pin(workload *w, const query_stats *q, uint32_t epoch)
{
	if (q)
		w->counts[q->count_index].pin = epoch;
}

typedef struct pin_context
{
	workload   *w;
	uint32_t	epoch;
} pin_context;

/*
 * session_table_foreach: pin what a session's run points at.  Its
 * window's statements need not be: they only ever compare with entries,
 * by generation too (session_statement_ran).
 */
static void
pin_window(void *ctx, session_window *win)
{
	pin_context *p = ctx;

	pin(p->w, win->seq.run.query, p->epoch);
	pin(p->w, win->seq.run.parent, p->epoch);
	pin(p->w, win->seq.last, p->epoch);
}

static uint32_t
pin_referenced(workload *w)
{
	uint32_t	epoch = ++w->pin_epoch;
	size_t		n;
	seq_loop  **loops = session_patterns_loops(w->patterns, &n);

	if (epoch == 0)
		epoch = ++w->pin_epoch; /* 0 is every new entry's pin */
	session_table_foreach(w->sessions_open, pin_window, &(pin_context) {w, epoch});
	for (size_t i = 0; i < n; i++)
	{
		pin(w, loops[i]->parent, epoch);
		pin(w, loops[i]->child, epoch);
	}
	return epoch;
}

typedef struct candidate
{
	double		count;			/* weight + error_ms */
	query_stats *q;
} candidate;

/* Order of eviction: lowest count first, then fewer statements, then by fingerprint. */
static int
candidate_before(const candidate *a, const candidate *b)
{
	if (a->count != b->count)
		return a->count < b->count;
	if (statements_of(a->q) != statements_of(b->q))
		return statements_of(a->q) < statements_of(b->q);
	if (a->q->fingerprint != b->q->fingerprint)
		return a->q->fingerprint < b->q->fingerprint;
	return a->q->parsed < b->q->parsed;
}

static void
swap_candidates(candidate *a, candidate *b)
{
	candidate	t = *a;

	*a = *b;
	*b = t;
}

/* Reorder c[0..n) so that its k first are the k first in eviction order (quickselect). */
static void
select_first(candidate *c, size_t n, size_t k)
{
	size_t		lo = 0,
				hi = n;

	while (hi - lo > 1 && k > lo && k < hi)
	{
		size_t		mid = lo + (hi - lo) / 2,
					store = lo;

		/* median of three as the pivot, moved to hi - 1 */
		if (candidate_before(&c[mid], &c[lo]))
			swap_candidates(&c[mid], &c[lo]);
		if (candidate_before(&c[hi - 1], &c[lo]))
			swap_candidates(&c[hi - 1], &c[lo]);
		if (candidate_before(&c[mid], &c[hi - 1]))
			swap_candidates(&c[mid], &c[hi - 1]);
		for (size_t i = lo; i < hi - 1; i++)
			if (candidate_before(&c[i], &c[hi - 1]))
				swap_candidates(&c[i], &c[store++]);
		swap_candidates(&c[store], &c[hi - 1]);
		if (store < k)
			lo = store + 1;
		else
			hi = store;
	}
}

/* Fold q's figures into the other row and raise the bound outside the table. */
static void
fold_into_other(workload *w, query_stats *q)
{
	workload_other *o = &w->other;
	double		count = query_table_weight(q) + q->error_ms;
	uint64_t	count_calls = statements_of(q) + q->error_calls;

	remember_evicted(w, q, count, count_calls);
	o->fingerprints_evicted++;
	o->statements += q->calls;
	o->untimed_statements += q->untimed_calls;
	o->total_ms += q->total_ms;
	if (count > o->error_ms)
		o->error_ms = count;
	if (count_calls > o->error_calls)
		o->error_calls = count_calls;
}

/* Drop every reference to q, which is evicted, and free it. */
static void
drop_entry(workload *w, query_stats *q)
{
	session_patterns_forget(w->patterns, q);
	if (q->shape)
	{
		/* its text and kind stay with its shape, for when it comes back */
		fingerprint_cache_forget(w->fingerprints, q->shape, (char *) q->normalized, q->traits_kind, q->traits_width);
		q->normalized = NULL;
	}
	*table_slot(w, q->fingerprint, q->parsed) = NULL;
	/* the last count takes its place */
	w->counts[q->count_index] = w->counts[--w->nqueries];
	w->counts[q->count_index].q->count_index = q->count_index;
	query_stats_free(q);
	q->next_free = w->free_entries;
	w->free_entries = q;
}

/* hashmap_retain over the table: the evicted fingerprints' empty slots go. */
static int
keep_slot(void *ctx, const char *key, size_t keylen, void *value)
{
	return value != NULL;
}

/*
 * Evict the entries of the lowest counts, pinned ones excepted, until at
 * most keep are left (or only pinned ones), then drop every reference to
 * them and free them.
 */
static void
evict_down_to(workload *w, size_t keep)
{
	size_t		n = w->nqueries,
				ncand = 0;

	if (n <= keep)
		return;
	if (w->counts_stale)
	{
		for (size_t i = 0; i < n; i++)
			w->counts[i].count = query_table_weight(w->counts[i].q) + w->counts[i].q->error_ms;
		w->counts_stale = 0;
	}

	uint32_t	epoch = pin_referenced(w);
	candidate  *cand = xmalloc(n * sizeof(candidate));

	for (size_t i = 0; i < n; i++)
		if (w->counts[i].pin != epoch)
			cand[ncand++] = (candidate) {w->counts[i].count, w->counts[i].q};

	size_t		nevict = n - keep < ncand ? n - keep : ncand;

	select_first(cand, ncand, nevict);
	for (size_t i = 0; i < nevict; i++)
	{
		fold_into_other(w, cand[i].q);
		drop_entry(w, cand[i].q);
	}
	free(cand);
	fingerprint_cache_purge(w->fingerprints);
	if (hashmap_count(w->by_fp) - w->nqueries > w->nqueries)
		hashmap_retain(w->by_fp, keep_slot, NULL);
	w->sorted_valid = 0;
}

/* The entries a full table keeps when it evicts. */
static size_t
keep_after_eviction(const workload *w)
{
	size_t		batch = w->max_fingerprints / EVICT_SHARE;

	return w->max_fingerprints - (batch > 0 ? batch : 1);
}

void
workload_bound(workload *w)
{
	/* after a merge or a load, whose figures were set from outside */
	w->counts_stale = 1;
	if (w->max_fingerprints != WORKLOAD_UNBOUNDED && w->nqueries > w->max_fingerprints)
		evict_down_to(w, keep_after_eviction(w));
	/* figures loaded or merged may have been kept under a smaller bound */
	if (w->max_fingerprints != WORKLOAD_UNBOUNDED &&
		(w->other.max_fingerprints == 0 || w->other.max_fingerprints > w->max_fingerprints))
		w->other.max_fingerprints = w->max_fingerprints;
}

query_stats *
query_table_admit(workload *w, query_shape *shape, const char *sql, size_t len)
{
	query_stats *q = workload_query_find(w, shape->fingerprint, shape->parsed);

	if (q == NULL)
	{
		if (w->max_fingerprints != WORKLOAD_UNBOUNDED && w->nqueries >= w->max_fingerprints)
			evict_down_to(w, keep_after_eviction(w));
		q = entry_new(w, shape->fingerprint, shape->parsed);
		if (shape->normalized)
		{
			/* a shape done at once, or one an evicted entry taught */
			q->normalized = fingerprint_shape_take_normalized(shape);
			q->sketch = sketch_create();
		}
		else
		{
			q->pending_text = xstrndup(sql, len);
			q->pending_len = len;
		}
	}
	if (q->traits_kind == SEQ_KIND_UNKNOWN)
	{
		q->traits_kind = shape->kind;
		q->traits_width = shape->values_width;
	}
	q->shape = shape;
	shape->owner_data = q;
	return q;
}

/* ---------------------------------------------------------------------
 * Reading
 * ---------------------------------------------------------------------
 */

void
query_table_complete(workload *w)
{
	size_t		pos = 0;
	void	   *v;

	while (hashmap_next(w->by_fp, &pos, NULL, NULL, &v))
		if (v && query_stats_is_light(v))
			query_table_promote(w, v);
	session_patterns_complete(w->patterns);
}

static int
cmp_queries(const void *a, const void *b)
{
	const query_stats *x = *(query_stats *const *) a;
	const query_stats *y = *(query_stats *const *) b;

	if (x->total_ms != y->total_ms)
		return x->total_ms > y->total_ms ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return x->fingerprint < y->fingerprint ? -1 : x->fingerprint > y->fingerprint;
}

query_stats **
workload_queries(workload *w, size_t *n)
{
	query_table_complete(w);
	if (!w->sorted_valid || w->nsorted != w->nqueries)
	{
		size_t		pos = 0,
					i = 0;
		void	   *v;

		free(w->sorted);
		w->nsorted = w->nqueries;
		w->sorted = xcalloc(w->nsorted + 1, sizeof(query_stats *));
		while (hashmap_next(w->by_fp, &pos, NULL, NULL, &v))
			if (v)
				w->sorted[i++] = v;
		w->sorted_valid = 1;
	}
	/* totals change while reading, so sort on every call */
	qsort(w->sorted, w->nsorted, sizeof(query_stats *), cmp_queries);
	*n = w->nsorted;
	return w->sorted;
}

void
workload_shift_lines(workload *w, uint64_t offset)
{
	size_t		pos = 0;
	void	   *v;

	while (hashmap_next(w->by_fp, &pos, NULL, NULL, &v))
	{
		query_stats *q = v;

		for (int i = 0; q && i < q->nsamples; i++)
			if (q->samples[i].line > 0)
				q->samples[i].line += offset;
	}
}

const workload_other *
workload_other_row(const workload *w)
{
	return &w->other;
}

workload_other *
workload_other_mut(workload *w)
{
	return &w->other;
}

size_t
workload_max_fingerprints(const workload *w)
{
	return w->max_fingerprints;
}

void
workload_max_error(const workload *w, double *ms, uint64_t *calls)
{
	size_t		pos = 0;
	void	   *v;

	*ms = 0;
	*calls = 0;
	while (hashmap_next(w->by_fp, &pos, NULL, NULL, &v))
	{
		const query_stats *q = v;

		if (q == NULL)
			continue;
		if (q->error_ms > *ms)
			*ms = q->error_ms;
		if (q->error_calls > *calls)
			*calls = q->error_calls;
	}
}
