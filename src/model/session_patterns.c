/*-------------------------------------------------------------------------
 * session_patterns.c
 *    Runs of one fingerprint per session, folded into the loop, insert and
 *    cache tables the sequence rules read (design in session_patterns.h).
 *
 * The hot path (session_patterns_observe) costs one hash of the
 * statement's parameters (or of its text), a comparison with the run's
 * fingerprint, and while a run lasts a scan of at most SEQ_RUN_HASHES
 * hashes; a cacheable SELECT adds one lookup in the cache table.  Nothing
 * is copied per statement: a closing run that qualifies takes its example
 * from the session's window, which still holds its last SESSION_WINDOW
 * statements (a run's statements there may be interleaved with
 * transaction control, which runs step over).
 *-------------------------------------------------------------------------
 */
#include "src/model/session_patterns.h"
#include "parsers/log_event.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/model/session_cache.h"
#include "src/model/session_window.h"
#include "src/sql/literal_params.h"
#include "src/sql/statement_traits.h"

#include <stdlib.h>
#include <string.h>

struct session_patterns
{
	session_pattern_options opts;
	arena	   *mem;
	hashmap    *loop_map;		/* (parent, child) query_stats pointers -> seq_loop */
	seq_loop  **loops;
	size_t		nloops,
				loops_cap;
	seq_fingerprint **fps;
	size_t		nfps,
				fps_cap;
	ttl_cache	cache;			/* the cacheable-query detector's (session_cache.h) */
	uint64_t	loops_dropped;
	fingerprint_cache *classifier;	/* classifies new fingerprints */
};

session_pattern_options
session_pattern_options_default(void)
{
	session_pattern_options o = {
		.max_gap_ms = 1000, .min_repeats = 5, .min_distinct = 5, .min_rows = 10, .ttl_ms = 60000,
	};

	return o;
}

session_patterns *
session_patterns_create(const session_pattern_options *opts, fingerprint_cache *classifier)
{
	session_patterns *p = xcalloc(1, sizeof(session_patterns));

	p->opts = opts ? *opts : session_pattern_options_default();
	p->classifier = classifier;
	p->mem = arena_create(0);
	p->loop_map = hashmap_create(64);
	ttl_cache_init(&p->cache, p->opts.ttl_ms);
	return p;
}

static void
example_free(seq_example *e)
{
	for (int i = 0; i < e->nvalues; i++)
		free(e->values[i]);
	free(e->values);
	free(e->parent_params);
	memset(e, 0, sizeof(*e));
}

void
session_patterns_destroy(session_patterns *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nloops; i++)
		example_free(&p->loops[i]->example);
	for (size_t i = 0; i < p->nfps; i++)
	{
		example_free(&p->fps[i]->insert_example);
		free(p->fps[i]);
	}
	ttl_cache_free(&p->cache);
	hashmap_destroy(p->loop_map);
	free(p->loops);
	free(p->fps);
	arena_destroy(p->mem);
	free(p);
}

const session_pattern_options *
session_patterns_options(const session_patterns *p)
{
	return &p->opts;
}

/*
 * q's figures, created (and q classified) on its first statement as a
 * heavy entry; the execution it had while light, if any, is counted in
 * the TTL cache then.
 */
static seq_fingerprint *
fingerprint_info(session_patterns *p, query_stats *q, seq_kind known)
{
	if (q->seq)
		return q->seq;

	seq_fingerprint *f = xcalloc(1, sizeof(seq_fingerprint));

	f->query = q;
	if (known != SEQ_KIND_UNKNOWN)
		f->kind = known;
	else if (q->traits_kind != SEQ_KIND_UNKNOWN)
	{
		f->kind = q->traits_kind;
		f->values_width = q->traits_width;
	}
	else
	{
		f->kind = q->parsed ? fingerprint_cache_classify(p->classifier, q->normalized, &f->values_width)
			: SEQ_KIND_OTHER;
		/* kept with the entry (and its shape once evicted): classified once */
		q->traits_kind = f->kind;
		q->traits_width = f->values_width;
	}
	f->insert_first_ts = f->insert_last_ts = LOG_TS_UNKNOWN;
	if (p->nfps == p->fps_cap)
	{
		p->fps_cap = p->fps_cap ? 2 * p->fps_cap : 64;
		p->fps = xrealloc(p->fps, p->fps_cap * sizeof(seq_fingerprint *));
	}
	f->index = p->nfps;
	p->fps[p->nfps++] = f;
	q->seq = f;
	if (q->first_seen.known && f->kind == SEQ_KIND_CACHEABLE)
		ttl_cache_observe(&p->cache, f, q->first_seen.hash, q->first_seen.ts, q->first_seen.ms);
	q->first_seen.known = 0;
	return f;
}

static int64_t
gap_ms(int64_t earlier, int64_t later)
{
	if (earlier == LOG_TS_UNKNOWN || later == LOG_TS_UNKNOWN || later < earlier)
		return 0;
	return later - earlier;
}

/* The statement pushed when w's total was at, or NULL once it left the window. */
static const session_statement *
statement_at(const session_window *w, uint64_t at)
{
	uint64_t	back = w->total - at;

	return back < (uint64_t) w->count ? session_window_at(w, w->count - 1 - (int) back) : NULL;
}

/* The window index of the statement pushed when w's total was at (< 0: gone). */
static int
index_at(const session_window *w, uint64_t at)
{
	return w->count - 1 - (int) (w->total - at);
}

/*
 * Whether b, w's newest statement, ran in the transaction of a, an earlier
 * one (NULL: no longer in the window) pushed when the session's marks were
 * a_mark: by %v, else %x, else by the logged BEGIN/COMMIT (b inside a
 * block that no transaction control has ended or begun since a).
 */
static int
same_transaction(const session_seq *s, const session_statement *a, uint32_t a_mark,
				 const session_statement *b)
{
	if (a && a->vxid && b->vxid)
		return strcmp(a->vxid, b->vxid) == 0;
	if (a && a->xid > 0 && b->xid > 0)
		return a->xid == b->xid;
	return s->in_block && s->marks == a_mark;
}

static void
run_add_hash(session_run *r, uint64_t h)
{
	for (uint32_t i = 0; i < r->nhashes; i++)
		if (r->hashes[i] == h)
			return;
	/* past the cap a new hash may repeat one not kept: counted distinct */
	if (r->nhashes < SEQ_RUN_HASHES)
		r->hashes[r->nhashes++] = h;
	r->distinct++;
}

/*
 * Copy the parameters of q's window items in [from, to] into e (the
 * transaction control between them is not the run's); distinct ones only
 * if asked.
 */
static void
example_fill(seq_example *e, const session_window *w, int from, int to, const query_stats *q,
			 int distinct_only)
{
	e->values = xcalloc(SEQ_EXAMPLE_VALUES, sizeof(char *));
	for (int i = from; i <= to && e->nvalues < SEQ_EXAMPLE_VALUES; i++)
	{
		const session_statement *st = session_window_at(w, i);
		char	   *v;
		int			seen = 0;

		if (!session_statement_ran(st, q))
			continue;
		/* the simple protocol's values are in the text: the same parameters, read from it */
		if (st->params)
			v = xstrdup(st->params);
		else if ((v = st->text ? sql_literal_params(st->text, q->normalized) : NULL) != NULL)
			e->from_text = 1;
		for (int j = 0; distinct_only && j < e->nvalues && !seen; j++)
			seen = (v == NULL && e->values[j] == NULL) ||
				(v && e->values[j] && strcmp(v, e->values[j]) == 0);
		if (seen)
			free(v);
		else
			e->values[e->nvalues++] = v;
	}
}

/*
 * Replace e by w's run r when that run took longer (examples are the
 * costliest occurrence seen), as far as the window still holds it.
 */
static void
example_offer(seq_example *e, const session_window *w, const session_run *r, int distinct_only)
{
	int			first = index_at(w, r->first_at),
				last = index_at(w, r->last_at);

	if (last < 0 || (e->values && e->total_ms >= r->total_ms))
		return;
	example_free(e);
	if (first < 0)
		first = 0;
	example_fill(e, w, first, last, r->query, distinct_only);
	e->total_ms = r->total_ms;
	e->count = r->count;
	e->distinct = r->distinct;
	for (int i = first - 1; r->parent && i >= 0 && i >= first - 8; i--)
	{
		const session_statement *st = session_window_at(w, i);

		if (session_statement_ran(st, r->parent))
		{
			e->parent_params = st->params ? xstrdup(st->params) : NULL;
			break;
		}
	}
}

/* The loop of (parent, child), created unless SEQ_MAX_LOOPS are kept (NULL). */
static seq_loop *
loop_for(session_patterns *p, const query_stats *parent, const query_stats *child)
{
	const void *key[2] = {parent, child};
	uint64_t	h = hash_bytes(key, sizeof(key));
	seq_loop   *l = hashmap_get(p->loop_map, key, sizeof(key), h);

	if (l)
		return l;
	if (p->nloops >= SEQ_MAX_LOOPS)
	{
		p->loops_dropped++;
		return NULL;
	}
	l = arena_zalloc(p->mem, sizeof(seq_loop));
	l->parent = parent;
	l->child = child;
	l->first_ts = l->last_ts = LOG_TS_UNKNOWN;
	*hashmap_put(p->loop_map, key, sizeof(key), h, NULL) = l;
	if (p->nloops == p->loops_cap)
	{
		p->loops_cap = p->loops_cap ? 2 * p->loops_cap : 64;
		p->loops = xrealloc(p->loops, p->loops_cap * sizeof(seq_loop *));
	}
	p->loops[p->nloops++] = l;
	return l;
}

static void
span_extend(int64_t *first, int64_t *last, int64_t from, int64_t to)
{
	if (from != LOG_TS_UNKNOWN && (*first == LOG_TS_UNKNOWN || from < *first))
		*first = from;
	if (to != LOG_TS_UNKNOWN && (*last == LOG_TS_UNKNOWN || to > *last))
		*last = to;
}

static void
record_loop(session_patterns *p, const session_window *w, const session_run *r)
{
	seq_loop   *l = loop_for(p, r->parent, r->query);

	if (l == NULL)
		return;
	l->occurrences++;
	l->children += r->count;
	l->distinct += r->distinct;
	l->child_ms += r->total_ms;
	l->one_xact += r->same_xact + 1 == r->count;
	span_extend(&l->first_ts, &l->last_ts, r->first_ts, r->last_ts);
	example_offer(&l->example, w, r, 1);
}

static void
record_insert_run(const session_window *w, const session_run *r)
{
	seq_fingerprint *f = r->query->seq;

	f->insert_runs++;
	f->insert_rows += r->count;
	f->insert_runs_own_xact += r->same_xact == 0;
	f->insert_ms += r->total_ms;
	span_extend(&f->insert_first_ts, &f->insert_last_ts, r->first_ts, r->last_ts);
	example_offer(&f->insert_example, w, r, 0);
}

/* Close w's run; its query becomes the next run's parent candidate. */
static void
close_run(session_patterns *p, session_window *w)
{
	session_seq *s = &w->seq;
	session_run *r = &s->run;

	if (r->query == NULL)
		return;
	if (r->count >= (uint32_t) p->opts.min_repeats && r->distinct >= (uint32_t) p->opts.min_distinct)
		record_loop(p, w, r);
	if (r->query->seq && r->query->seq->kind == SEQ_KIND_SINGLE_INSERT && r->multirow == 0 &&
		r->count >= (uint32_t) p->opts.min_rows)
		record_insert_run(w, r);
	s->last = r->query;
	s->last_ts = r->last_ts;
	s->last_at = r->last_at;
	s->last_mark = r->last_mark;
	/* the hashes are dead once count is 0: not cleared, on the hot path */
	r->query = NULL;
	r->count = 0;
}

void
session_patterns_close(session_patterns *p, session_window *w)
{
	close_run(p, w);
}

/*
 * The parent of a run starting at st, w's newest statement: the last
 * run's query, unless it ended over max_gap_ms before or, when grouping by
 * transaction, in another transaction.
 */
static const query_stats *
run_parent(const session_patterns *p, const session_window *w, const session_statement *st)
{
	const session_seq *s = &w->seq;

	if (s->last == NULL || gap_ms(s->last_ts, st->ts_ms) > (int64_t) p->opts.max_gap_ms)
		return NULL;
	if (p->opts.group_by_transaction && !same_transaction(s, statement_at(w, s->last_at), s->last_mark, st))
		return NULL;
	return s->last;
}

void
session_patterns_observe(session_patterns *p, session_window *w, query_stats *q,
						 const char *raw, size_t raw_len)
{
	session_seq *s = &w->seq;
	session_run *r = &s->run;
	const session_statement *st = &w->items[(w->start + w->count - 1) % SESSION_WINDOW];
	/* a light entry has no figures yet, and is not transaction control (query_stats.h) */
	seq_fingerprint *f = query_stats_is_light(q) ? NULL : fingerprint_info(p, q, SEQ_KIND_UNKNOWN);
	seq_kind	kind = f ? f->kind : SEQ_KIND_OTHER;
	uint64_t	h;
	double		ms;
	int64_t		gap;
	int			continues,
				same_xact;

	if (kind == SEQ_KIND_BEGIN || kind == SEQ_KIND_END)
	{
		s->in_block = kind == SEQ_KIND_BEGIN;
		s->marks++;
		return;
	}
	h = st->params ? hash_fast(st->params, strlen(st->params)) : hash_fast(raw, raw_len);
	ms = st->duration_ms > 0 ? st->duration_ms : 0;
	gap = gap_ms(r->last_ts, st->ts_ms);
	continues = r->query == q && gap <= (int64_t) p->opts.max_gap_ms;
	same_xact = continues && same_transaction(s, statement_at(w, r->last_at), r->last_mark, st);
	if (p->opts.group_by_transaction && !same_xact)
		continues = 0;

	/*
	 * Rows are counted only where a run goes on (the first statement of a
	 * run is taken to be like the second), so a lone INSERT costs nothing.
	 */
	if (continues && kind == SEQ_KIND_SINGLE_INSERT)
	{
		int			multirow = statement_traits_multirow(raw, st->params, f->values_width);

		if (r->multirow < 0)
			r->multirow = multirow;
		continues = multirow == r->multirow;
	}
	if (continues)
	{
		r->count++;
		run_add_hash(r, h);
		r->total_ms += ms;
		if (gap > r->max_gap_ms)
			r->max_gap_ms = gap;
		r->same_xact += same_xact;
		r->last_ts = st->ts_ms;
	}
	else
	{
		close_run(p, w);
		r->query = q;
		r->multirow = -1;
		r->parent = run_parent(p, w, st);
		r->count = r->distinct = r->nhashes = 1;
		r->hashes[0] = h;
		r->same_xact = 0;
		r->total_ms = ms;
		r->first_ts = r->last_ts = st->ts_ms;
		r->max_gap_ms = 0;
		r->first_at = w->total;
	}
	r->last_at = w->total;
	r->last_mark = s->marks;
	if (kind == SEQ_KIND_CACHEABLE && st->ts_ms != LOG_TS_UNKNOWN)
		ttl_cache_observe(&p->cache, f, h, st->ts_ms, ms);
	else if (f == NULL && !q->first_seen.known && st->ts_ms != LOG_TS_UNKNOWN)
		q->first_seen = (session_first_seen) {.known = 1, .hash = h, .ts = st->ts_ms, .ms = ms};
}

void
session_patterns_add_first_seen(session_patterns *p, query_stats *q, const session_first_seen *first)
{
	seq_fingerprint *f = fingerprint_info(p, q, SEQ_KIND_UNKNOWN);

	if (first->known && f->kind == SEQ_KIND_CACHEABLE)
		ttl_cache_observe(&p->cache, f, first->hash, first->ts, first->ms);
}

void
session_patterns_complete(session_patterns *p)
{
	for (size_t i = 0; i < p->nloops; i++)
	{
		if (p->loops[i]->parent)
			(void) fingerprint_info(p, (query_stats *) p->loops[i]->parent, SEQ_KIND_UNKNOWN);
		(void) fingerprint_info(p, (query_stats *) p->loops[i]->child, SEQ_KIND_UNKNOWN);
	}
}

void
session_patterns_forget(session_patterns *p, query_stats *q)
{
	seq_fingerprint *f = q->seq;

	if (f == NULL)
		return;
	ttl_cache_forget(&p->cache, f);
	/* its place goes to the last one */
	p->fps[f->index] = p->fps[--p->nfps];
	p->fps[f->index]->index = f->index;
	example_free(&f->insert_example);
	q->seq = NULL;
	free(f);
}

seq_loop **
session_patterns_loops(const session_patterns *p, size_t *n)
{
	*n = p->nloops;
	return p->loops;
}

seq_fingerprint **
session_patterns_fingerprints(const session_patterns *p, size_t *n)
{
	*n = p->nfps;
	return p->fps;
}

uint64_t
session_patterns_loops_dropped(const session_patterns *p)
{
	return p->loops_dropped;
}

uint64_t
session_patterns_cache_evictions(const session_patterns *p)
{
	return p->cache.evictions;
}

/* Keep the costlier of two examples in to; from is emptied. */
static void
example_merge(seq_example *to, seq_example *from)
{
	if (from->values == NULL || (to->values && to->total_ms >= from->total_ms))
	{
		example_free(from);
		return;
	}
	example_free(to);
	*to = *from;
	memset(from, 0, sizeof(*from));
}

/* The mapping of a merge: src's model to dst's. */
typedef struct query_mapping
{
	session_query_map map;
	void	   *ctx;
} query_mapping;

/* dst's stats (and figures) for src's q; NULL stays NULL. */
static query_stats *
map_query(session_patterns *dst, const query_mapping *m, const query_stats *q)
{
	if (q == NULL)
		return NULL;
	query_stats *d = m->map(m->ctx, q);

	seq_fingerprint *f = fingerprint_info(dst, d, q->seq ? q->seq->kind : SEQ_KIND_UNKNOWN);

	if (q->seq && f->values_width == 0)
		f->values_width = q->seq->values_width;
	return d;
}

static void
merge_fingerprint(session_patterns *dst, const query_mapping *m, seq_fingerprint *s)
{
	seq_fingerprint *d = map_query(dst, m, s->query)->seq;

	s->merged_into = d;			/* for the TTL cache's keys, merged next */
	d->insert_runs += s->insert_runs;
	d->insert_rows += s->insert_rows;
	d->insert_runs_own_xact += s->insert_runs_own_xact;
	d->insert_ms += s->insert_ms;
	span_extend(&d->insert_first_ts, &d->insert_last_ts, s->insert_first_ts, s->insert_last_ts);
	example_merge(&d->insert_example, &s->insert_example);
	d->cache_hits += s->cache_hits;
	d->cache_misses += s->cache_misses;
	d->cache_hit_ms += s->cache_hit_ms;
}

/* The TTL cache's merge: src's figures of a fingerprint to dst's. */
typedef struct merge_target
{
	session_patterns *dst;
	const query_mapping *m;
} merge_target;

static seq_fingerprint *
map_fingerprint(void *ctx, const seq_fingerprint *f)
{
	merge_target *t = ctx;

	return f->merged_into ? f->merged_into : map_query(t->dst, t->m, f->query)->seq;
}

static void
merge_loop(session_patterns *dst, const query_mapping *m, seq_loop *s)
{
	seq_loop   *d = loop_for(dst, map_query(dst, m, s->parent), map_query(dst, m, s->child));

	if (d == NULL)
		return;
	d->occurrences += s->occurrences;
	d->children += s->children;
	d->distinct += s->distinct;
	d->child_ms += s->child_ms;
	d->one_xact += s->one_xact;
	span_extend(&d->first_ts, &d->last_ts, s->first_ts, s->last_ts);
	example_merge(&d->example, &s->example);
}

void
session_patterns_merge(session_patterns *dst, session_query_map map, void *map_ctx, session_patterns *src)
{
	query_mapping m = {.map = map, .ctx = map_ctx};

	for (size_t i = 0; i < src->nfps; i++)
		merge_fingerprint(dst, &m, src->fps[i]);
	for (size_t i = 0; i < src->nloops; i++)
		merge_loop(dst, &m, src->loops[i]);
	ttl_cache_merge(&dst->cache, &src->cache, map_fingerprint, &(merge_target) {dst, &m});
	dst->loops_dropped += src->loops_dropped;
}

/*
 * Store support (src/store/store_sequences.c): the store rebuilds the tables
 * through these, filling in the figures it saved.
 */
seq_fingerprint *
session_patterns_fingerprint_for(session_patterns *p, query_stats *q, seq_kind kind, int values_width)
{
	seq_fingerprint *f = fingerprint_info(p, q, kind);

	if (kind != SEQ_KIND_UNKNOWN && f->values_width == 0)
		f->values_width = values_width;
	return f;
}

seq_loop *
session_patterns_loop_for(session_patterns *p, query_stats *parent, query_stats *child)
{
	if (parent)
		fingerprint_info(p, parent, SEQ_KIND_UNKNOWN);
	fingerprint_info(p, child, SEQ_KIND_UNKNOWN);
	return loop_for(p, parent, child);
}

void
session_patterns_add_dropped(session_patterns *p, uint64_t loops_dropped, uint64_t cache_evictions)
{
	p->loops_dropped += loops_dropped;
	p->cache.evictions += cache_evictions;
}
