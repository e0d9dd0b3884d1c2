/*-------------------------------------------------------------------------
 * session_cache.c
 *    The cacheable-query detector's simulated TTL cache (session_cache.h).
 *
 * The hot path is ttl_cache_observe, once per execution of a cacheable
 * query: most of its cost is memory that is not in the CPU's caches, so
 * the layout is made for that.  An entry is one 64-byte line; the index
 * is open addressing (linear probing) over 64-bit slots holding the top
 * half of the key's hash and the entry's number, so that a key that is
 * not there costs one line of the index and no entry; and a hit touches
 * nothing but its entry, since a hit does not change the eviction order
 * (keys go in fill order).  A fingerprint's keys are a doubly linked list
 * from its seq_fingerprint, so forgetting a fingerprint costs its own
 * keys, not a pass over all.
 *-------------------------------------------------------------------------
 */
#include "src/model/session_cache.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/model/query_stats.h"

#include <stdlib.h>
#include <string.h>

/* One key of the simulated cache: fingerprint and parameters hash.  64 bytes. */
struct cache_entry
{
	uint64_t	key[2];
	int64_t		filled_ts;		/* when the cache was (re)filled */
	int64_t		first_ts;		/* first execution seen in this part of the log */
	double		first_ms;
	seq_fingerprint *fp;		/* NULL: a free entry */
	uint32_t	older,			/* fill order; entry numbers + 1, 0: none */
				newer;			/* (a free entry: the next free one) */
	uint32_t	fp_prev,		/* fp's other keys (fp->cache_keys) */
				fp_next;
};

_Static_assert(sizeof(struct cache_entry) == 64, "a cache entry is one cache line");

#define CACHE_CHUNK_BITS	12
#define CACHE_CHUNK			(1u << CACHE_CHUNK_BITS)	/* entries per allocation */
#define MIN_SLOTS			1024u

static inline cache_entry *
entry_at(const ttl_cache *c, uint32_t ref)	/* ref: number + 1, not 0 */
{
	uint32_t	n = ref - 1;

	return &c->chunks[n >> CACHE_CHUNK_BITS][n & (CACHE_CHUNK - 1)];
}

static inline uint64_t
key_hash(const uint64_t key[2])
{
	return hash_mix64(key[0] ^ hash_mix64(key[1]));
}

/* The slot a tag's probe starts at: its top bits, so that growing needs no hash. */
static inline uint32_t
home_slot(const ttl_cache *c, uint32_t tag)
{
	return (uint32_t) (((uint64_t) tag * c->nslots) >> 32);
}

void
ttl_cache_init(ttl_cache *c, double ttl_ms)
{
	memset(c, 0, sizeof(*c));
	c->ttl_ms = ttl_ms;
}

void
ttl_cache_free(ttl_cache *c)
{
	/* the whole cache goes with its chunks: no entry is unlinked or freed alone */
	for (int i = 0; i < c->nchunks; i++)
		free(c->chunks[i]);
	free(c->chunks);
	free(c->slots);
	ttl_cache_init(c, c->ttl_ms);
}

/* Place ref under tag in slots (no growing). */
static void
slot_put(ttl_cache *c, uint32_t tag, uint32_t ref)
{
	uint32_t	mask = c->nslots - 1;
	uint32_t	i = home_slot(c, tag);

	while (c->slots[i] != 0)
		i = (i + 1) & mask;
	c->slots[i] = (uint64_t) tag << 32 | ref;
}

static void
grow_slots(ttl_cache *c)
{
	uint64_t   *old = c->slots;
	uint32_t	old_n = c->nslots;

	c->nslots = old_n ? old_n * 2 : MIN_SLOTS;
	c->slots = xcalloc(c->nslots, sizeof(uint64_t));
	for (uint32_t i = 0; i < old_n; i++)
		if (old[i] != 0)
			slot_put(c, (uint32_t) (old[i] >> 32), (uint32_t) old[i]);
	free(old);
}

/* The slot holding ref (which is in the index under hash). */
static uint32_t
slot_of(const ttl_cache *c, uint64_t hash, uint32_t ref)
{
	uint32_t	mask = c->nslots - 1;
	uint32_t	i = home_slot(c, (uint32_t) (hash >> 32));

	while ((uint32_t) c->slots[i] != ref)
		i = (i + 1) & mask;
	return i;
}

/* Empty slot i, moving back the entries of its probe run that may take its place. */
static void
slot_delete(ttl_cache *c, uint32_t i)
{
	uint32_t	mask = c->nslots - 1;
	uint32_t	j = i;

	for (;;)
	{
		j = (j + 1) & mask;
		if (c->slots[j] == 0)
			break;

		uint32_t	home = home_slot(c, (uint32_t) (c->slots[j] >> 32));

		/* j's entry may move to i when its home is not in (i, j], cyclically */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
		{
			c->slots[i] = c->slots[j];
			i = j;
		}
	}
	c->slots[i] = 0;
}

/* The entry of key (hash its key_hash), or 0. */
static uint32_t
find(const ttl_cache *c, const uint64_t key[2], uint64_t hash)
{
	uint32_t	tag = (uint32_t) (hash >> 32);
	uint32_t	mask = c->nslots - 1;

	if (c->nslots == 0)
		return 0;
	for (uint32_t i = home_slot(c, tag); c->slots[i] != 0; i = (i + 1) & mask)
	{
		if ((uint32_t) (c->slots[i] >> 32) != tag)
			continue;

		uint32_t	ref = (uint32_t) c->slots[i];
		const cache_entry *e = entry_at(c, ref);

		if (e->key[0] == key[0] && e->key[1] == key[1])
			return ref;
	}
	return 0;
}

/* Fill order: unlink and link as the newest. */
static void
order_unlink(ttl_cache *c, cache_entry *e)
{
	if (e->older)
		entry_at(c, e->older)->newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer)
		entry_at(c, e->newer)->older = e->older;
	else
		c->newest = e->older;
	e->older = e->newer = 0;
}

static void
order_append(ttl_cache *c, cache_entry *e, uint32_t ref)
{
	e->older = c->newest;
	e->newer = 0;
	if (c->newest)
		entry_at(c, c->newest)->newer = ref;
	else
		c->oldest = ref;
	c->newest = ref;
}

/* A key filled again at ts: the newest fill. */
static void
refill(ttl_cache *c, cache_entry *e, uint32_t ref, int64_t ts)
{
	e->filled_ts = ts;
	order_unlink(c, e);
	order_append(c, e, ref);
}

static void
link_to_fp(ttl_cache *c, cache_entry *e, uint32_t ref, seq_fingerprint *f)
{
	e->fp = f;
	e->fp_prev = 0;
	e->fp_next = f->cache_keys;
	if (f->cache_keys)
		entry_at(c, f->cache_keys)->fp_prev = ref;
	f->cache_keys = ref;
}

static void
unlink_from_fp(ttl_cache *c, cache_entry *e)
{
	if (e->fp_prev)
		entry_at(c, e->fp_prev)->fp_next = e->fp_next;
	else
		e->fp->cache_keys = e->fp_next;
	if (e->fp_next)
		entry_at(c, e->fp_next)->fp_prev = e->fp_prev;
	e->fp = NULL;
}

/* Take e (ref) out of the cache: index, fill order and its fingerprint's keys. */
static void
drop(ttl_cache *c, cache_entry *e, uint32_t ref)
{
	slot_delete(c, slot_of(c, key_hash(e->key), ref));
	order_unlink(c, e);
	unlink_from_fp(c, e);
	c->count--;
}

/* An entry to fill: a free one, a new one, or the one filled longest ago. */
static uint32_t
entry_slot(ttl_cache *c)
{
	uint32_t	ref;

	if (c->free_entries)
	{
		ref = c->free_entries;
		c->free_entries = entry_at(c, ref)->newer;
	}
	else if (c->used < SEQ_CACHE_KEYS)
	{
		if ((c->used & (CACHE_CHUNK - 1)) == 0)
		{
			c->chunks = xrealloc(c->chunks, (size_t) (c->nchunks + 1) * sizeof(cache_entry *));
			/* aligned, so that an entry is one line */
			c->chunks[c->nchunks++] = xcheck_alloc(aligned_alloc(64, CACHE_CHUNK * sizeof(cache_entry)));
		}
		ref = ++c->used;
	}
	else
	{
		ref = c->oldest;
		drop(c, entry_at(c, ref), ref);
		c->evictions++;
	}
	memset(entry_at(c, ref), 0, sizeof(cache_entry));
	return ref;
}

/* Add a new key (absent from c) with its times, as the newest fill. */
static cache_entry *
insert(ttl_cache *c, const uint64_t key[2], uint64_t hash, seq_fingerprint *f)
{
	uint32_t	ref = entry_slot(c);
	cache_entry *e = entry_at(c, ref);

	if (2 * (c->count + 1) > c->nslots)
		grow_slots(c);
	memcpy(e->key, key, sizeof(e->key));
	slot_put(c, (uint32_t) (hash >> 32), ref);
	order_append(c, e, ref);
	link_to_fp(c, e, ref, f);
	c->count++;
	return e;
}

void
ttl_cache_observe(ttl_cache *c, seq_fingerprint *f, uint64_t h, int64_t ts, double ms)
{
	uint64_t	key[2] = {f->query->fingerprint, h};
	uint64_t	hash = key_hash(key);
	uint32_t	ref = find(c, key, hash);
	cache_entry *e;

	if (ref)
	{
		e = entry_at(c, ref);
		if (ts - e->filled_ts <= (int64_t) c->ttl_ms)
		{
			f->cache_hits++;
			f->cache_hit_ms += ms;
			return;
		}
		refill(c, e, ref, ts);	/* expired */
		f->cache_misses++;
		return;
	}
	e = insert(c, key, hash, f);
	e->filled_ts = e->first_ts = ts;
	e->first_ms = ms;
	f->cache_misses++;
}

void
ttl_cache_forget(ttl_cache *c, seq_fingerprint *f)
{
	while (f->cache_keys)
	{
		uint32_t	ref = f->cache_keys;
		cache_entry *e = entry_at(c, ref);

		drop(c, e, ref);
		e->newer = c->free_entries;
		c->free_entries = ref;
	}
}

/*
 * dst's entry for the key of src's entry s, or NULL; when dst filled it
 * within the TTL of s's first execution, that execution was a hit, not
 * the miss src counted (f: the fingerprint's figures in dst).
 */
static cache_entry *
boundary_hit(ttl_cache *dst, const cache_entry *s, seq_fingerprint *f, uint32_t *ref)
{
	*ref = find(dst, s->key, key_hash(s->key));

	cache_entry *e = *ref ? entry_at(dst, *ref) : NULL;

	if (e && s->first_ts - e->filled_ts <= (int64_t) dst->ttl_ms && f->cache_misses > 0)
	{
		f->cache_misses--;
		f->cache_hits++;
		f->cache_hit_ms += s->first_ms;
	}
	return e;
}

/* Add src's entry s to dst, counting its boundary hit; f is its fingerprint's figures in dst. */
static void
merge_entry(ttl_cache *dst, const cache_entry *s, seq_fingerprint *f)
{
	uint32_t	ref;
	cache_entry *e = boundary_hit(dst, s, f, &ref);

	if (e)
	{
		refill(dst, e, ref, s->filled_ts);	/* src's last fill is the key's */
		return;
	}
	e = insert(dst, s->key, key_hash(s->key), f);
	e->filled_ts = s->filled_ts;
	e->first_ts = s->first_ts;
	e->first_ms = s->first_ms;
}

/* Call fn on every key of c, in memory order (not in fill order): a pass over its chunks. */
static void
each_entry(ttl_cache *c, void (*fn) (cache_entry *e, uint32_t ref, void *arg), void *arg)
{
	for (int i = 0; i < c->nchunks; i++)
	{
		uint32_t	used = (uint32_t) (i + 1) * CACHE_CHUNK <= c->used ? CACHE_CHUNK
			: c->used - (uint32_t) i * CACHE_CHUNK;

		for (uint32_t k = 0; k < used; k++)
			if (c->chunks[i][k].fp)	/* NULL: free */
				fn(&c->chunks[i][k], (uint32_t) i * CACHE_CHUNK + k + 1, arg);
	}
}

static void
note_earliest(cache_entry *e, uint32_t ref, void *arg)
{
	int64_t    *start = arg;

	(void) ref;
	if (e->first_ts < *start)
		*start = e->first_ts;
}

/* dst's keys all go: their fingerprints' lists are emptied at once, not key by key. */
static void
forget_list(cache_entry *e, uint32_t ref, void *arg)
{
	(void) ref;
	(void) arg;
	e->fp->cache_keys = 0;
}

typedef struct moving_keys
{
	ttl_cache  *dst;
	ttl_cache_map map;
	void	   *ctx;
	int64_t		start;			/* src's earliest first execution */
} moving_keys;

/*
 * A key of src's moves to dst's fingerprint; its first execution, when
 * near src's start, may have been a hit on dst's key.  The lists of one
 * fingerprint's keys keep their links (numbers within src's chunks, which
 * move whole): only the fingerprint changes, and the list's head becomes
 * the new fingerprint's.
 */
static void
move_key(cache_entry *s, uint32_t ref, void *arg)
{
	moving_keys *mk = arg;
	seq_fingerprint *f = mk->map(mk->ctx, s->fp);
	uint32_t	found;

	if (s->first_ts - mk->start <= (int64_t) mk->dst->ttl_ms)
		(void) boundary_hit(mk->dst, s, f, &found);
	if (s->fp_prev == 0)
	{
		s->fp->cache_keys = 0;
		f->cache_keys = ref;
	}
	s->fp = f;
}

/*
 * The per-key merge is a walk of random lines of dst: a key's index slot,
 * its entry when dst has it, and when dst is full the key it evicts, with
 * that key's slot and its fingerprint's list.  MERGE_AHEAD keys ahead of
 * the one merged, those lines are asked for (a prefetch, which changes
 * nothing), so that the walk waits for one miss at a time rather than for
 * each in turn: 3.2-6.7 ms for 38,000 keys of the pgbench log before.
 */
#define MERGE_AHEAD		8

static inline void
prefetch_slot(const ttl_cache *c, uint64_t hash)
{
	if (c->nslots)
		__builtin_prefetch(&c->slots[home_slot(c, (uint32_t) (hash >> 32))]);
}

/*
 * Prefetch for src's key ahead what merging it into dst will touch, and
 * the next key dst may evict (*oldest, followed along dst's fill order);
 * src's key after ahead (0: none).
 */
static uint32_t
foresee(const ttl_cache *dst, const ttl_cache *src, uint32_t ahead, uint32_t *oldest)
{
	const cache_entry *a = entry_at(src, ahead);

	prefetch_slot(dst, key_hash(a->key));
	if (dst->count >= SEQ_CACHE_KEYS && *oldest)
	{
		const cache_entry *victim = entry_at(dst, *oldest);

		prefetch_slot(dst, key_hash(victim->key));
		if (victim->fp_prev)
			__builtin_prefetch(entry_at(dst, victim->fp_prev));
		if (victim->fp_next)
			__builtin_prefetch(entry_at(dst, victim->fp_next));
		*oldest = victim->newer;
		if (*oldest)
			__builtin_prefetch(entry_at(dst, *oldest));
	}
	if (a->newer)
		__builtin_prefetch(entry_at(src, a->newer));
	return a->newer;
}

/*
 * Only keys src first saw within the TTL of its own start can be hits at
 * the boundary, so only those are looked up.  When src's cache is full,
 * its keys are all filled after dst's and filling them would evict every
 * key of dst's, so src's cache simply takes the place of dst's, its
 * entries moved to dst's fingerprints in three passes over the chunks;
 * else src's keys are added to dst's in fill order.
 */
void
ttl_cache_merge(ttl_cache *dst, ttl_cache *src, ttl_cache_map map, void *ctx)
{
	moving_keys mk = {.dst = dst, .map = map, .ctx = ctx, .start = INT64_MAX};

	if (src->count < SEQ_CACHE_KEYS)
	{
		uint32_t	ahead = src->oldest;	/* MERGE_AHEAD keys ahead of ref */
		uint32_t	oldest = dst->oldest;	/* as far as dst's evictions have been foreseen */

		for (int k = 0; k < MERGE_AHEAD && ahead; k++)
			ahead = foresee(dst, src, ahead, &oldest);
		for (uint32_t ref = src->oldest; ref; ref = entry_at(src, ref)->newer)
		{
			cache_entry *s = entry_at(src, ref);

			if (ahead)
				ahead = foresee(dst, src, ahead, &oldest);
			merge_entry(dst, s, map(ctx, s->fp));
		}
		dst->evictions += src->evictions;
		ttl_cache_free(src);
		return;
	}
	each_entry(src, note_earliest, &mk.start);
	/* dst's lists go first: the map may add fingerprints to dst, whose lists move_key then starts */
	each_entry(dst, forget_list, NULL);
	each_entry(src, move_key, &mk);

	uint64_t	evictions = dst->evictions + dst->count + src->evictions;	/* what filling src's would have evicted */

	ttl_cache_free(dst);
	*dst = *src;
	dst->evictions = evictions;
	ttl_cache_init(src, src->ttl_ms);
}
