/*-------------------------------------------------------------------------
 * hashmap.c
 *    Open-addressing (linear probing) hash table with arena-held keys.
 *
 * Entries keep the full hash so that probing compares 8 bytes before it
 * touches a key; the table doubles at 70% load.  There is no deletion of
 * one key: a caller that forgets entries (the bounded fingerprint table)
 * drops them in batches with hashmap_retain, which rebuilds the table and
 * its key arena, so the memory of dropped keys is given back.
 *-------------------------------------------------------------------------
 */
#include "src/lib/hashmap.h"
#include "src/lib/arena.h"

#include <stdlib.h>
#include <string.h>

typedef struct hm_entry
{
	uint64_t	hash;
	const char *key;			/* NULL: empty slot */
	size_t		keylen;
	void	   *value;
} hm_entry;

struct hashmap
{
	hm_entry   *entries;
	size_t		cap;			/* power of two */
	size_t		count;
	arena	   *keys;
};

uint64_t
hash_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t
read64(const unsigned char *p)
{
	uint64_t	v;

	memcpy(&v, p, 8);
	return v;
}

uint64_t
hash_bytes(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t	h = 0x9e3779b97f4a7c15ULL ^ (n * 0x2545F4914F6CDD1DULL);

	while (n >= 8)
	{
		h = (h ^ hash_mix64(read64(p))) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	uint64_t	tail = 0;

	memcpy(&tail, p, n);
	h = (h ^ hash_mix64(tail ^ n)) * 0x9E3779B97F4A7C15ULL;
	return hash_mix64(h);
}

/* The 128-bit product of a and b, folded to 64 bits. */
static inline uint64_t
mum(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t) a * b;

	return (uint64_t) r ^ (uint64_t) (r >> 64);
}

static inline uint64_t
read32(const unsigned char *p)
{
	uint32_t	v;

	memcpy(&v, p, 4);
	return v;
}

#define FAST_K0 0xa0761d6478bd642fULL
#define FAST_K1 0xe7037ed1a0b428dbULL
#define FAST_K2 0x8ebc6af09c88c6e3ULL

uint64_t
hash_fast(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t	seed = FAST_K0 ^ (n * FAST_K2);
	uint64_t	a = 0,
				b = 0;
	size_t		left = n;

	while (left > 16)
	{
		seed = mum(read64(p) ^ FAST_K1, read64(p + 8) ^ seed);
		p += 16;
		left -= 16;
	}
	if (left >= 8)
	{
		a = read64(p);
		b = read64(p + left - 8);
	}
	else if (left >= 4)
	{
		a = read32(p);
		b = read32(p + left - 4);
	}
	else if (left > 0)
		a = ((uint64_t) p[0] << 16) | ((uint64_t) p[left >> 1] << 8) | p[left - 1];
	return mum(mum(a ^ FAST_K1, b ^ seed) ^ n, FAST_K2 ^ FAST_K1);
}

hashmap *
hashmap_create(size_t initial_capacity)
{
	hashmap    *m = xcalloc(1, sizeof(hashmap));
	size_t		cap = 16;

	while (cap < initial_capacity * 2)
		cap *= 2;
	m->cap = cap;
	m->entries = xcalloc(cap, sizeof(hm_entry));
	m->keys = arena_create(0);
	return m;
}

void
hashmap_destroy(hashmap *m)
{
	if (m == NULL)
		return;
	free(m->entries);
	arena_destroy(m->keys);
	free(m);
}

static hm_entry *
find_slot(hm_entry *entries, size_t cap, const void *key, size_t keylen, uint64_t hash)
{
	size_t		i = hash & (cap - 1);

	for (;;)
	{
		hm_entry   *e = &entries[i];

		if (e->key == NULL)
			return e;
		if (e->hash == hash && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			return e;
		i = (i + 1) & (cap - 1);
	}
}

void *
hashmap_get(const hashmap *m, const void *key, size_t keylen, uint64_t hash)
{
	hm_entry   *e = find_slot(m->entries, m->cap, key, keylen, hash);

	return e->key ? e->value : NULL;
}

static void
grow(hashmap *m)
{
	size_t		ncap = m->cap * 2;
	hm_entry   *n = xcalloc(ncap, sizeof(hm_entry));

	for (size_t i = 0; i < m->cap; i++)
	{
		hm_entry   *e = &m->entries[i];

		if (e->key)
			*find_slot(n, ncap, e->key, e->keylen, e->hash) = *e;
	}
	free(m->entries);
	m->entries = n;
	m->cap = ncap;
}

void **
hashmap_put(hashmap *m, const void *key, size_t keylen, uint64_t hash, int *inserted)
{
	hm_entry   *e = find_slot(m->entries, m->cap, key, keylen, hash);

	if (e->key)
	{
		if (inserted)
			*inserted = 0;
		return &e->value;
	}
	if ((m->count + 1) * 10 > m->cap * 7)
	{
		grow(m);
		e = find_slot(m->entries, m->cap, key, keylen, hash);
	}
	e->key = arena_strndup(m->keys, key, keylen);
	e->keylen = keylen;
	e->hash = hash;
	e->value = NULL;
	m->count++;
	if (inserted)
		*inserted = 1;
	return &e->value;
}

size_t
hashmap_count(const hashmap *m)
{
	return m->count;
}

size_t
hashmap_retain(hashmap *m, hashmap_keep_fn keep, void *ctx)
{
	unsigned char *kept_at = xcalloc(m->cap, 1);
	size_t		kept = 0;

	/* keep is asked once per entry */
	for (size_t i = 0; i < m->cap; i++)
		if (m->entries[i].key && keep(ctx, m->entries[i].key, m->entries[i].keylen, m->entries[i].value))
			kept_at[i] = 1, kept++;

	size_t		dropped = m->count - kept;
	size_t		cap = 16;

	if (dropped == 0)
	{
		free(kept_at);
		return 0;
	}
	while (cap * 7 < kept * 20)	/* at most 35% full, so it may double before it grows */
		cap *= 2;

	hm_entry   *n = xcalloc(cap, sizeof(hm_entry));
	arena	   *keys = arena_create(0);

	for (size_t i = 0; i < m->cap; i++)
	{
		hm_entry   *e = &m->entries[i];

		if (kept_at[i])
		{
			hm_entry   *to = find_slot(n, cap, e->key, e->keylen, e->hash);

			*to = *e;
			to->key = arena_strndup(keys, e->key, e->keylen);
		}
	}
	free(kept_at);
	free(m->entries);
	arena_destroy(m->keys);
	m->entries = n;
	m->cap = cap;
	m->count = kept;
	m->keys = keys;
	return dropped;
}

int
hashmap_next(const hashmap *m, size_t *pos, const char **key, size_t *keylen, void **value)
{
	while (*pos < m->cap)
	{
		hm_entry   *e = &m->entries[(*pos)++];

		if (e->key)
		{
			if (key)
				*key = e->key;
			if (keylen)
				*keylen = e->keylen;
			if (value)
				*value = e->value;
			return 1;
		}
	}
	return 0;
}
