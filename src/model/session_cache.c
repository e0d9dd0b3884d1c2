/*-------------------------------------------------------------------------
 * session_cache.c
 *    The cacheable-query detector's simulated TTL cache (session_cache.h).
 *
 * The hot path is ttl_cache_observe: one lookup, and on a miss an entry
 * from the free list, the current chunk or the least recently used key.
 * A fingerprint's keys are a doubly linked list from its seq_fingerprint,
 * so forgetting a fingerprint costs its own keys, not a pass over all.
 *-------------------------------------------------------------------------
 */
#include "src/model/session_cache.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/model/query_stats.h"

#include <stdlib.h>
#include <string.h>

/* One key of the simulated cache: fingerprint and parameters hash. */
struct cache_entry
{
	keyed_entry entry;			/* key: key[] */
	uint64_t	key[2];
	int64_t		filled_ts;		/* when the cache was (re)filled */
	int64_t		first_ts;		/* first execution seen in this part of the log */
	double		first_ms;
	seq_fingerprint *fp;
	cache_entry *fp_prev,		/* fp's other keys (fp->cache_keys) */
			   *fp_next;
	cache_entry *next_free;		/* on the free list */
};

#define CACHE_CHUNK 4096		/* cache entries per allocation */

void
ttl_cache_init(ttl_cache *c, double ttl_ms)
{
	memset(c, 0, sizeof(*c));
	keyed_table_init(&c->table);
	c->ttl_ms = ttl_ms;
}

static void
free_chunks(ttl_cache *c)
{
	for (int i = 0; i < c->nchunks; i++)
		free(c->chunks[i]);
	free(c->chunks);
	c->chunks = NULL;
	c->nchunks = c->chunk_used = 0;
	c->free_entries = NULL;
}

void
ttl_cache_free(ttl_cache *c)
{
	/* the whole table goes with its chunks: no entry is unlinked or freed alone */
	free_chunks(c);
	keyed_table_free(&c->table);
}

static void
link_to_fp(cache_entry *e, seq_fingerprint *f)
{
	e->fp = f;
	e->fp_prev = NULL;
	e->fp_next = f->cache_keys;
	if (f->cache_keys)
		f->cache_keys->fp_prev = e;
	f->cache_keys = e;
}

static void
unlink_from_fp(cache_entry *e)
{
	if (e->fp_prev)
		e->fp_prev->fp_next = e->fp_next;
	else
		e->fp->cache_keys = e->fp_next;
	if (e->fp_next)
		e->fp_next->fp_prev = e->fp_prev;
	e->fp = NULL;
}

/* An entry to fill (zeroed): a free one, a new one, or the least recently used key. */
static cache_entry *
entry_slot(ttl_cache *c)
{
	cache_entry *e;

	if (c->free_entries)
	{
		e = c->free_entries;
		c->free_entries = e->next_free;
	}
	else if (c->table.count < SEQ_CACHE_KEYS)
	{
		if (c->nchunks == 0 || c->chunk_used == CACHE_CHUNK)
		{
			c->chunks = xrealloc(c->chunks, (size_t) (c->nchunks + 1) * sizeof(cache_entry *));
			c->chunks[c->nchunks++] = xcalloc(CACHE_CHUNK, sizeof(cache_entry));
			c->chunk_used = 0;
		}
		return &c->chunks[c->nchunks - 1][c->chunk_used++];
	}
	else
	{
		e = keyed_container(c->table.oldest, cache_entry, entry);
		keyed_table_remove(&c->table, &e->entry);
		unlink_from_fp(e);
		c->evictions++;
	}
	memset(e, 0, sizeof(*e));
	return e;
}

/* Link e (its key and times set) into the table and its fingerprint's keys. */
static void
insert(ttl_cache *c, cache_entry *e, seq_fingerprint *f)
{
	e->entry.key = (const char *) e->key;
	e->entry.keylen = sizeof(e->key);
	keyed_table_insert(&c->table, &e->entry);
	link_to_fp(e, f);
}

void
ttl_cache_observe(ttl_cache *c, seq_fingerprint *f, uint64_t h, int64_t ts, double ms)
{
	uint64_t	key[2] = {f->query->fingerprint, h};
	uint64_t	hash = hash_mix64(key[0] ^ hash_mix64(h));
	keyed_entry *found = keyed_table_find(&c->table, (const char *) key, sizeof(key), hash);
	cache_entry *e;

	if (found)
	{
		e = keyed_container(found, cache_entry, entry);
		keyed_table_touch(&c->table, found);
		if (ts - e->filled_ts <= (int64_t) c->ttl_ms)
		{
			f->cache_hits++;
			f->cache_hit_ms += ms;
			return;
		}
		e->filled_ts = ts;
		f->cache_misses++;
		return;
	}
	e = entry_slot(c);
	memcpy(e->key, key, sizeof(key));
	e->entry.hash = hash;
	e->filled_ts = e->first_ts = ts;
	e->first_ms = ms;
	insert(c, e, f);
	f->cache_misses++;
}

void
ttl_cache_forget(ttl_cache *c, seq_fingerprint *f)
{
	while (f->cache_keys)
	{
		cache_entry *e = f->cache_keys;

		keyed_table_remove(&c->table, &e->entry);
		unlink_from_fp(e);
		e->next_free = c->free_entries;
		c->free_entries = e;
	}
}

/*
 * dst's entry for the key of src's entry s (looked up), or NULL; when dst
 * filled it within the TTL of s's first execution, that execution was a
 * hit, not the miss src counted (f: the fingerprint's figures in dst).
 */
static cache_entry *
boundary_hit(ttl_cache *dst, const cache_entry *s, seq_fingerprint *f)
{
	keyed_entry *found = keyed_table_find(&dst->table, (const char *) s->key, sizeof(s->key), s->entry.hash);
	cache_entry *e = found ? keyed_container(found, cache_entry, entry) : NULL;

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
	cache_entry *e = boundary_hit(dst, s, f);

	if (e)
	{
		e->filled_ts = s->filled_ts;
		keyed_table_touch(&dst->table, &e->entry);
		return;
	}
	e = entry_slot(dst);
	memcpy(e->key, s->key, sizeof(e->key));
	e->entry.hash = s->entry.hash;
	e->filled_ts = s->filled_ts;
	e->first_ts = s->first_ts;
	e->first_ms = s->first_ms;
	insert(dst, e, f);
}

/* dst's every key goes (src's table takes its place): unlink them from their fingerprints. */
static void
drop_all(ttl_cache *c)
{
	for (keyed_entry *k = c->table.oldest; k; k = k->newer)
		unlink_from_fp(keyed_container(k, cache_entry, entry));
	free_chunks(c);
	keyed_table_free(&c->table);
}

/*
 * Only keys src first saw within the TTL of its own start can be hits at
 * the boundary, so only those are looked up.  When src's cache is full,
 * the least recently used rule would evict every older entry of dst's,
 * so src's table simply takes the place of dst's, its entries moved to
 * dst's fingerprints; else src's entries are added to dst's, newest last.
 */
void
ttl_cache_merge(ttl_cache *dst, ttl_cache *src, ttl_cache_map map, void *ctx)
{
	int64_t		start = INT64_MAX;

	if (src->table.count < SEQ_CACHE_KEYS)
	{
		for (keyed_entry *k = src->table.oldest; k; k = k->newer)
		{
			cache_entry *s = keyed_container(k, cache_entry, entry);

			merge_entry(dst, s, map(ctx, s->fp));
		}
		dst->evictions += src->evictions;
		ttl_cache_free(src);
		ttl_cache_init(src, src->ttl_ms);
		return;
	}
	for (keyed_entry *k = src->table.oldest; k; k = k->newer)
	{
		int64_t		ts = keyed_container(k, cache_entry, entry)->first_ts;

		if (ts < start)
			start = ts;
	}
	/* src's keys move to dst's fingerprints, mapped before dst's keys go (the map may add to dst) */
	for (keyed_entry *k = src->table.oldest; k; k = k->newer)
	{
		cache_entry *s = keyed_container(k, cache_entry, entry);
		seq_fingerprint *f = map(ctx, s->fp);

		if (s->first_ts - start <= (int64_t) dst->ttl_ms)
			(void) boundary_hit(dst, s, f);
		unlink_from_fp(s);
		s->fp = f;				/* linked to it once dst's keys are gone */
	}
	dst->evictions += dst->table.count + src->evictions;	/* what inserting src's would have evicted */
	drop_all(dst);
	for (keyed_entry *k = src->table.oldest; k; k = k->newer)
	{
		cache_entry *s = keyed_container(k, cache_entry, entry);

		link_to_fp(s, s->fp);
	}
	dst->table = src->table;
	dst->chunks = src->chunks;
	dst->nchunks = src->nchunks;
	dst->chunk_used = src->chunk_used;
	dst->free_entries = src->free_entries;
	src->chunks = NULL;
	src->nchunks = src->chunk_used = 0;
	src->free_entries = NULL;
	keyed_table_init(&src->table);
}
