/*-------------------------------------------------------------------------
 * fingerprint.c
 *    The cache from a statement's shape (shape_key.h) to its libpg_query
 *    fingerprint, the resolver parallel workers share, and the shapes a
 *    bounded model forgets.
 *-------------------------------------------------------------------------
 */
#include "src/sql/fingerprint.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"

#include <ctype.h>
#include <pg_query.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct fingerprint_cache
{
	hashmap    *by_key;			/* shape key -> query_shape */
	hashmap    *by_fp;			/* fingerprint -> query_shape (one per fingerprint) */
	arena	   *mem;
	strbuf		key;
	strbuf		sql;
	int			want_traits;	/* classify each new fingerprint (fingerprint_cache_want_traits) */
	shape_resolver *shared;		/* consulted on a miss, or NULL */
	fingerprint_cache_stats stats;
};

/*
 * What libpg_query said about shapes, shared by the caches of parallel
 * workers, behind one lock: each shape key's fingerprint, and each
 * fingerprint's traits.  Parsing happens outside the lock; two threads
 * meeting the same new shape at once may both parse it, and the first to
 * insert wins (both found the same answer).  The normalized text is not
 * shared: each cache keeps that of the first statement it saw, so a
 * parallel run reports the same text as a serial one.
 */
struct shape_resolver
{
	pthread_mutex_t lock;
	hashmap    *by_key;			/* shape key -> shared_shape */
	hashmap    *by_fp;			/* fingerprint key -> shared_traits */
	arena	   *mem;
};

typedef struct shared_shape
{
	uint64_t	fingerprint;
	int			parsed;
	const char *parse_error;	/* in the resolver's arena */
} shared_shape;

typedef struct shared_traits
{
	seq_kind	kind;
	int			values_width;
} shared_traits;

void
fingerprint_hex(uint64_t fp, char buf[17])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 15; i >= 0; i--)
	{
		buf[i] = hex[fp & 0xf];
		fp >>= 4;
	}
	buf[16] = '\0';
}

fingerprint_cache *
fingerprint_cache_create(void)
{
	fingerprint_cache *c = xcalloc(1, sizeof(fingerprint_cache));

	c->by_key = hashmap_create(1024);
	c->by_fp = hashmap_create(1024);
	c->mem = arena_create(0);
	strbuf_init(&c->key);
	strbuf_init(&c->sql);
	return c;
}

void
fingerprint_cache_destroy(fingerprint_cache *c)
{
	if (c == NULL)
		return;
	hashmap_destroy(c->by_key);
	hashmap_destroy(c->by_fp);
	arena_destroy(c->mem);
	strbuf_free(&c->key);
	strbuf_free(&c->sql);
	free(c);
}

void
fingerprint_cache_want_traits(fingerprint_cache *c)
{
	c->want_traits = 1;
}

void
fingerprint_cache_share(fingerprint_cache *c, shape_resolver *r)
{
	c->shared = r;
}

shape_resolver *
shape_resolver_create(void)
{
	shape_resolver *r = xcalloc(1, sizeof(shape_resolver));

	pthread_mutex_init(&r->lock, NULL);
	r->by_key = hashmap_create(1024);
	r->by_fp = hashmap_create(1024);
	r->mem = arena_create(0);
	return r;
}

void
shape_resolver_destroy(shape_resolver *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	hashmap_destroy(r->by_key);
	hashmap_destroy(r->by_fp);
	arena_destroy(r->mem);
	free(r);
}

/* Fallback fingerprint: the shape key folded to lower case outside quotes. */
static uint64_t
fallback_fingerprint(const char *key, size_t len)
{
	char	   *folded = xmalloc(len + 1);
	int			in_quote = 0;

	for (size_t i = 0; i < len; i++)
	{
		if (key[i] == '"')
			in_quote = !in_quote;
		folded[i] = in_quote ? key[i] : (char) tolower((unsigned char) key[i]);
	}
	uint64_t	fp = hash_bytes(folded, len);

	free(folded);
	return fp;
}

/*
 * The fingerprint of c->sql (libpg_query's, or the fallback of its shape
 * key), into *fp; returns libpg_query's error message (malloc'd) or NULL.
 */
static char *
fingerprint_of(const fingerprint_cache *c, uint64_t *fp)
{
	PgQueryFingerprintResult fr = pg_query_fingerprint(c->sql.data);
	char	   *error = NULL;

	if (fr.error == NULL)
		*fp = fr.fingerprint;
	else
	{
		*fp = fallback_fingerprint(c->key.data, c->key.len);
		error = xstrdup(fr.error->message);
	}
	pg_query_free_fingerprint_result(fr);
	return error;
}

/* The by_fp key: parsed and fallback fingerprints never share an entry. */
static uint64_t
fingerprint_key(uint64_t fp, int parsed)
{
	return fp ^ (parsed ? 0 : 0x5a5a5a5a5a5a5a5aULL);
}

/* The normalized text of a new fingerprint's first statement, into c's arena. */
static const char *
normalized_text(fingerprint_cache *c, int parsed)
{
	const char *text;

	if (!parsed)
		return arena_strndup(c->mem, c->key.data, c->key.len);

	PgQueryNormalizeResult nr = pg_query_normalize(c->sql.data);

	text = arena_strdup(c->mem, nr.error ? c->sql.data : nr.normalized_query);
	pg_query_free_normalize_result(nr);
	return text;
}

/* The fingerprint the resolver holds for c's current key; 0 if none yet. */
static int
shared_fingerprint(fingerprint_cache *c, uint64_t keyhash, shared_shape *out)
{
	shape_resolver *r = c->shared;
	shared_shape *found;

	pthread_mutex_lock(&r->lock);
	found = hashmap_get(r->by_key, c->key.data, c->key.len, keyhash);
	if (found)
		*out = *found;
	pthread_mutex_unlock(&r->lock);
	return found != NULL;
}

/* Tell the resolver c's current key's fingerprint (first one in wins). */
static void
share_fingerprint(fingerprint_cache *c, uint64_t keyhash, const shared_shape *in)
{
	shape_resolver *r = c->shared;
	int			inserted;

	pthread_mutex_lock(&r->lock);
	void	  **slot = hashmap_put(r->by_key, c->key.data, c->key.len, keyhash, &inserted);

	if (inserted)
	{
		shared_shape *e = arena_alloc(r->mem, sizeof(shared_shape));

		*e = *in;
		e->parse_error = in->parse_error ? arena_strdup(r->mem, in->parse_error) : NULL;
		*slot = e;
	}
	pthread_mutex_unlock(&r->lock);
}

/* Classify shape (a new fingerprint of c), through the resolver if shared. */
static void
classify_shape(fingerprint_cache *c, query_shape *shape, uint64_t fpkey)
{
	shape_resolver *r = c->shared;
	shared_traits *found = NULL;

	if (r)
	{
		pthread_mutex_lock(&r->lock);
		found = hashmap_get(r->by_fp, &fpkey, sizeof(fpkey), hash_mix64(fpkey));
		if (found)
		{
			shape->kind = found->kind;
			shape->values_width = found->values_width;
		}
		pthread_mutex_unlock(&r->lock);
		if (found)
			return;
	}
	shape->kind = shape->parsed ? statement_traits_classify(shape->normalized, &shape->values_width)
		: SEQ_KIND_OTHER;
	if (r)
	{
		int			inserted;

		pthread_mutex_lock(&r->lock);
		void	  **slot = hashmap_put(r->by_fp, &fpkey, sizeof(fpkey), hash_mix64(fpkey), &inserted);

		if (inserted)
		{
			shared_traits *t = arena_alloc(r->mem, sizeof(shared_traits));

			t->kind = shape->kind;
			t->values_width = shape->values_width;
			*slot = t;
		}
		pthread_mutex_unlock(&r->lock);
	}
}

/*
 * The shape of c->sql (key c->key, hash keyhash), not in c yet: its
 * fingerprint from the resolver or libpg_query, and the one shape per
 * fingerprint, created with its normalized text (and traits, if wanted)
 * when the fingerprint is new to c.
 */
static query_shape *
resolve_new_shape(fingerprint_cache *c, uint64_t keyhash)
{
	shared_shape fresh = {0};
	char	   *error = NULL;

	if (c->shared == NULL || !shared_fingerprint(c, keyhash, &fresh))
	{
		error = fingerprint_of(c, &fresh.fingerprint);
		fresh.parsed = error == NULL;
		fresh.parse_error = error;
		c->stats.misses++;
		c->stats.parse_errors += error != NULL;
		if (c->shared)
			share_fingerprint(c, keyhash, &fresh);
	}

	uint64_t	fpkey = fingerprint_key(fresh.fingerprint, fresh.parsed);
	int			inserted;
	void	  **slot = hashmap_put(c->by_fp, &fpkey, sizeof(fpkey), hash_mix64(fpkey), &inserted);

	if (inserted)
	{
		query_shape *shape = arena_zalloc(c->mem, sizeof(query_shape));

		shape->fingerprint = fresh.fingerprint;
		shape->parsed = fresh.parsed;
		shape->parse_error = fresh.parse_error ? arena_strdup(c->mem, fresh.parse_error) : NULL;
		shape->normalized = normalized_text(c, fresh.parsed);
		if (c->want_traits)
			classify_shape(c, shape, fpkey);
		*slot = shape;
	}
	free(error);
	return *slot;
}

query_shape *
fingerprint_lookup(fingerprint_cache *c, const char *sql, size_t len)
{
	int			shortened = len > SHAPE_LONG_STATEMENT;

	c->stats.lookups++;
	if (shortened)
	{
		/* the same key, from a text without its long literals */
		shape_short_literals(sql, len, &c->sql);
		shape_key(c->sql.data, c->sql.len, &c->key);
	}
	else
		shape_key(sql, len, &c->key);

	uint64_t	h = hash_fast(c->key.data, c->key.len);
	query_shape *shape = hashmap_get(c->by_key, c->key.data, c->key.len, h);

	if (shape)
		return shape;
	if (!shortened)
	{
		strbuf_reset(&c->sql);
		strbuf_append(&c->sql, sql, len);
	}
	shape = resolve_new_shape(c, h);
	*hashmap_put(c->by_key, c->key.data, c->key.len, h, NULL) = shape;
	return shape;
}

fingerprint_cache_stats
fingerprint_cache_get_stats(const fingerprint_cache *c)
{
	return c->stats;
}
