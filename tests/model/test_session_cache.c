/*-------------------------------------------------------------------------
 * test_session_cache.c
 *    The cacheable-query detector's simulated TTL cache
 *    (src/model/session_cache.c) against a plain reference model.
 *
 * The reference keeps every key in a hash map with its fill time and a
 * queue of fills, stale ones skipped, so that "the key filled longest ago
 * goes first" is written the obvious way.  Both are fed the same stream:
 * keys of eight fingerprints, a hot set that hits and a wide set that
 * overflows SEQ_CACHE_KEYS, with expiries, refills and evictions; then a
 * fingerprint is forgotten midway (the bounded query table's eviction),
 * whose keys must go and whose room must be reused.  Hits, misses and
 * evictions must agree at every fingerprint.
 *-------------------------------------------------------------------------
 */
#include "src/lib/hashmap.h"
#include "src/model/query_stats.h"
#include "src/model/session_cache.h"
#include "tests/test_registry.h"

#include <stdlib.h>
#include <string.h>

#define FPS			8
#define TTL_MS		60000.0

typedef struct ref_key
{
	int64_t		filled_ts;
	uint64_t	seq;			/* of its last fill: queue entries with another are stale */
	int			live;
} ref_key;

typedef struct ref_fill
{
	uint64_t	key[2];
	uint64_t	seq;
} ref_fill;

typedef struct ref_cache
{
	hashmap    *keys;
	ref_fill   *queue;
	size_t		head,
				tail,
				cap;
	uint64_t	seq;
	size_t		count;
	uint64_t	evictions;
	uint64_t	hits[FPS],
				misses[FPS];
} ref_cache;

static uint64_t
key_hash(const uint64_t key[2])
{
	return hash_fast(key, 2 * sizeof(uint64_t));
}

static ref_key *
ref_lookup(ref_cache *r, const uint64_t key[2], int create)
{
	int			inserted;

	if (!create)
		return hashmap_get(r->keys, key, 2 * sizeof(uint64_t), key_hash(key));

	void	  **slot = hashmap_put(r->keys, key, 2 * sizeof(uint64_t), key_hash(key), &inserted);

	if (inserted)
		*slot = calloc(1, sizeof(ref_key));
	return *slot;
}

static void
ref_push(ref_cache *r, const uint64_t key[2], ref_key *k)
{
	if (r->tail == r->cap)
	{
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->queue = realloc(r->queue, r->cap * sizeof(ref_fill));
	}
	k->seq = ++r->seq;
	r->queue[r->tail].key[0] = key[0];
	r->queue[r->tail].key[1] = key[1];
	r->queue[r->tail++].seq = k->seq;
}

static void
ref_evict_oldest(ref_cache *r)
{
	while (r->head < r->tail)
	{
		ref_fill   *f = &r->queue[r->head++];
		ref_key    *k = ref_lookup(r, f->key, 0);

		if (k && k->live && k->seq == f->seq)
		{
			k->live = 0;
			r->count--;
			r->evictions++;
			return;
		}
	}
}

static void
ref_observe(ref_cache *r, int fp, uint64_t h, int64_t ts)
{
	uint64_t	key[2] = {1000 + (uint64_t) fp, h};
	ref_key    *k = ref_lookup(r, key, 1);

	if (k->live && ts - k->filled_ts <= (int64_t) TTL_MS)
	{
		r->hits[fp]++;
		return;
	}
	r->misses[fp]++;
	if (!k->live)
	{
		if (r->count == SEQ_CACHE_KEYS)
			ref_evict_oldest(r);
		k->live = 1;
		r->count++;
	}
	k->filled_ts = ts;
	ref_push(r, key, k);
}

static void
ref_forget(ref_cache *r, int fp)
{
	size_t		pos = 0;
	const char *key;
	size_t		keylen;
	void	   *value;

	while (hashmap_next(r->keys, &pos, &key, &keylen, &value))
	{
		uint64_t	k0;
		ref_key    *k = value;

		memcpy(&k0, key, sizeof(k0));
		if (k0 == 1000 + (uint64_t) fp && k->live)
		{
			k->live = 0;
			r->count--;
		}
	}
}

static void
ref_free(ref_cache *r)
{
	size_t		pos = 0;
	const char *key;
	size_t		keylen;
	void	   *value;

	while (hashmap_next(r->keys, &pos, &key, &keylen, &value))
		free(value);
	hashmap_destroy(r->keys);
	free(r->queue);
}

/* A deterministic stream: xorshift64. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void
assert_agree(ttl_cache *c, seq_fingerprint *fps, ref_cache *r)
{
	for (int i = 0; i < FPS; i++)
	{
		if (fps[i].cache_hits != r->hits[i] || fps[i].cache_misses != r->misses[i])
			fprintf(stderr, "\nfingerprint %d: %llu hits, %llu misses; reference %llu, %llu\n", i,
					(unsigned long long) fps[i].cache_hits, (unsigned long long) fps[i].cache_misses,
					(unsigned long long) r->hits[i], (unsigned long long) r->misses[i]);
		CU_ASSERT_EQUAL(fps[i].cache_hits, r->hits[i]);
		CU_ASSERT_EQUAL(fps[i].cache_misses, r->misses[i]);
	}
	CU_ASSERT_EQUAL(c->evictions, r->evictions);
	CU_ASSERT_EQUAL(c->count, r->count);
}

static void
test_against_reference(void)
{
	query_stats queries[FPS];
	seq_fingerprint fps[FPS];
	ttl_cache	c;
	ref_cache	r = {.keys = hashmap_create(1024)};
	uint64_t	state = 88172645463325252ULL;
	int64_t		ts = 1700000000000LL;

	memset(queries, 0, sizeof(queries));
	memset(fps, 0, sizeof(fps));
	for (int i = 0; i < FPS; i++)
	{
		queries[i].fingerprint = 1000 + (uint64_t) i;
		fps[i].query = &queries[i];
	}
	ttl_cache_init(&c, TTL_MS);
	for (int n = 0; n < 400000; n++)
	{
		uint64_t	x = next_random(&state);
		int			fp = (int) (x % FPS);
		/* a third from 500 hot keys, the rest from 200,000: the cache overflows */
		uint64_t	h = (x >> 8) % 3 == 0 ? (x >> 20) % 500 : (x >> 20) % 200000;

		ts += (int64_t) ((x >> 40) % 3);	/* 1 ms apart on average: 400 s, expiries too */
		ttl_cache_observe(&c, &fps[fp], h, ts, 1.0);
		ref_observe(&r, fp, h, ts);
		if (n == 250000)
		{
			/* the bounded table evicts fingerprint 3: its keys go, their room is reused */
			ttl_cache_forget(&c, &fps[3]);
			ref_forget(&r, 3);
			CU_ASSERT_EQUAL(fps[3].cache_keys, 0);
			CU_ASSERT_EQUAL(c.count, r.count);
		}
	}
	CU_ASSERT(r.evictions > 100000);
	CU_ASSERT(r.hits[0] > 1000);
	assert_agree(&c, fps, &r);
	for (int i = 0; i < FPS; i++)
		ttl_cache_forget(&c, &fps[i]);
	CU_ASSERT_EQUAL(c.count, 0);
	ttl_cache_free(&c);
	ref_free(&r);
}

PGSIFT_TEST_SUITE(session_cache_suite)
{
	CU_pSuite	s = CU_add_suite("model/session_cache", NULL, NULL);

	CU_add_test(s, "hits, misses and evictions of a reference model, a fingerprint forgotten midway",
				test_against_reference);
}
