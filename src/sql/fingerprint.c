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
#include <strings.h>

/*
 * A forgotten shape (fingerprint_cache_forget) stays in the tables, its
 * owner_data cleared, until there are as many forgotten ones as the
 * cache was told to keep (fingerprint_cache_lazy); a
 * lookup that finds one takes it back as it is.  Then the tables are
 * rebuilt without them (fingerprint_cache_purge), their memory freed,
 * and their keys remembered in a direct-mapped table so that a shape
 * seen again still needs no libpg_query call: a key is known there by two
 * independent 64-bit hashes (its slot's and a check), so two keys are
 * confused only if both collide (about 2^-128 for a pair).  A newer shape
 * in the same slot overwrites an older one.  Only parsed shapes are
 * remembered: a parse error has a message to give again.
 */

typedef struct forgotten_shape
{
	uint64_t	hash;			/* hash_fast of the key */
	uint64_t	check;			/* hash_bytes of the key, 0: empty slot */
	uint64_t	fingerprint;
	int32_t		values_width;	/* and what its owner learned of its kind */
	int32_t		kind;			/* a seq_kind */
} forgotten_shape;

struct fingerprint_cache
{
	hashmap    *by_key;			/* shape key -> query_shape */
	hashmap    *by_fp;			/* fingerprint -> query_shape (one per fingerprint; owns it) */
	strbuf		key;
	strbuf		sql;
	int			want_traits;	/* classify each new fingerprint (fingerprint_cache_want_traits) */
	int			lazy;			/* fingerprint_cache_lazy */
	size_t		remember;		/* slots of forgotten (a power of two), 0: forgets for good */
	size_t		keep_forgotten; /* forgotten shapes kept whole before a purge frees them */
	size_t		nforgotten;		/* forgotten shapes still in by_fp */
	forgotten_shape *forgotten; /* remember slots, allocated by the first purge */
	shape_resolver *shared;		/* consulted on a miss, or NULL */
	uint64_t	order;			/* where c's part of the log starts, among those sharing */
	fingerprint_cache_stats stats;
};

/*
 * What libpg_query said about shapes, shared by the caches of parallel
 * workers, behind one lock: each shape key's fingerprint, each
 * fingerprint's text, and each text's traits.  Parsing happens outside
 * the lock; two threads meeting the same new shape at once may both parse
 * it, and the first to insert wins (both found the same answer).  A
 * fingerprint's normalized text is shared only forward: a cache takes the
 * text of a cache whose part of the log comes before its own (a lower
 * order), which is the text that wins when their models merge (the
 * earlier part's), and else normalizes its own first statement, as a
 * serial run does; so a parallel run reports the texts of a serial one,
 * and a part cut off for an idle thread does not normalize again each
 * fingerprint the parts before it did (600 of them were 12 ms of a part's
 * start).  Traits are a function of the normalized text and are shared
 * by it: a part given a text another part classified takes the answer
 * (classifying the 600 again was another 15 ms).  It is a cache and
 * nothing else: past RESOLVER_MAX_SHAPES entries it starts again empty, so
 * a log of millions of distinct statements does not grow it without end.
 */
#define RESOLVER_MAX_SHAPES	65536

struct shape_resolver
{
	pthread_mutex_t lock;
	hashmap    *by_key;			/* shape key -> shared_shape */
	hashmap    *traits;			/* normalized text -> shared_traits */
	hashmap    *texts;			/* fingerprint key -> shared_text */
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

typedef struct shared_text
{
	uint64_t	order;			/* of the cache that normalized it */
	const char *text;			/* in the resolver's arena */
} shared_text;

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
	strbuf_init(&c->key);
	strbuf_init(&c->sql);
	return c;
}

static void
shape_free(query_shape *shape)
{
	free((char *) shape->normalized);
	free((char *) shape->parse_error);
	free(shape);
}

void
fingerprint_cache_destroy(fingerprint_cache *c)
{
	if (c == NULL)
		return;
	size_t		pos = 0;
	void	   *v;

	while (hashmap_next(c->by_fp, &pos, NULL, NULL, &v))
		shape_free(v);
	hashmap_destroy(c->by_key);
	hashmap_destroy(c->by_fp);
	free(c->forgotten);
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
fingerprint_cache_lazy(fingerprint_cache *c, size_t keep_forgotten, size_t remember)
{
	c->lazy = 1;
	c->keep_forgotten = keep_forgotten;
	c->remember = remember > 0;
	while (c->remember > 0 && c->remember < remember && c->remember < ((size_t) 1 << 24))
		c->remember *= 2;
}

void
fingerprint_cache_share(fingerprint_cache *c, shape_resolver *r, uint64_t order)
{
	c->shared = r;
	c->order = order;
}

/* r's maps and arena, new and empty. */
static void
resolver_open(shape_resolver *r)
{
	r->by_key = hashmap_create(1024);
	r->traits = hashmap_create(1024);
	r->texts = hashmap_create(1024);
	r->mem = arena_create(0);
}

static void
resolver_close(shape_resolver *r)
{
	hashmap_destroy(r->by_key);
	hashmap_destroy(r->traits);
	hashmap_destroy(r->texts);
	arena_destroy(r->mem);
}

shape_resolver *
shape_resolver_create(void)
{
	shape_resolver *r = xcalloc(1, sizeof(shape_resolver));

	pthread_mutex_init(&r->lock, NULL);
	resolver_open(r);
	return r;
}

void
shape_resolver_destroy(shape_resolver *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	resolver_close(r);
	free(r);
}

/* Start r again empty once it holds RESOLVER_MAX_SHAPES of any kind; r->lock held. */
static void
resolver_bound(shape_resolver *r)
{
	if (hashmap_count(r->by_key) < RESOLVER_MAX_SHAPES && hashmap_count(r->traits) < RESOLVER_MAX_SHAPES &&
		hashmap_count(r->texts) < RESOLVER_MAX_SHAPES)
		return;
	resolver_close(r);
	resolver_open(r);
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

/* pg_query_normalize's text of a NUL-terminated statement (malloc'd); the statement itself if it fails. */
static char *
normalize_sql(const char *sql)
{
	PgQueryNormalizeResult nr = pg_query_normalize(sql);
	char	   *text = xstrdup(nr.error ? sql : nr.normalized_query);

	pg_query_free_normalize_result(nr);
	return text;
}

char *
fingerprint_normalize(const char *sql, size_t len)
{
	strbuf		sb;
	char	   *text;

	strbuf_init(&sb);
	if (len > SHAPE_LONG_STATEMENT)
		shape_short_literals(sql, len, &sb);
	else
		strbuf_append(&sb, sql, len);
	text = normalize_sql(sb.data);
	strbuf_free(&sb);
	return text;
}

char *
fingerprint_cache_normalize(fingerprint_cache *c, uint64_t fingerprint, int parsed, const char *sql, size_t len)
{
	shape_resolver *r = c->shared;
	uint64_t	fpkey = fingerprint_key(fingerprint, parsed);
	uint64_t	h = hash_mix64(fpkey);
	char	   *text = NULL;
	shared_text *found;
	int			inserted;

	if (r == NULL)
		return fingerprint_normalize(sql, len);
	pthread_mutex_lock(&r->lock);
	found = hashmap_get(r->texts, &fpkey, sizeof(fpkey), h);
	if (found && found->order < c->order)
		text = xstrdup(found->text);	/* under the lock: the resolver may start again empty */
	pthread_mutex_unlock(&r->lock);
	if (text)
	{
		c->stats.texts_shared++;
		return text;
	}
	text = fingerprint_normalize(sql, len);
	pthread_mutex_lock(&r->lock);
	resolver_bound(r);

	void	  **slot = hashmap_put(r->texts, &fpkey, sizeof(fpkey), h, &inserted);

	/* the earliest part's text is the one the others can take */
	if (inserted || ((shared_text *) *slot)->order > c->order)
	{
		shared_text *t = arena_alloc(r->mem, sizeof(shared_text));

		t->order = c->order;
		t->text = arena_strdup(r->mem, text);
		*slot = t;
	}
	pthread_mutex_unlock(&r->lock);
	return text;
}

/* statement_traits_classify of normalized, counted as c's. */
static seq_kind
classify_text(fingerprint_cache *c, const char *normalized, int *values_width)
{
	*values_width = 0;
	c->stats.classified++;
	return statement_traits_classify(normalized, values_width);
}

seq_kind
fingerprint_cache_classify(fingerprint_cache *c, const char *normalized, int *values_width)
{
	shape_resolver *r = c->shared;
	size_t		len;
	uint64_t	h;
	shared_traits *t;
	seq_kind	kind;
	int			inserted;

	if (r == NULL)
		return classify_text(c, normalized, values_width);
	len = strlen(normalized);
	h = hash_fast(normalized, len);
	pthread_mutex_lock(&r->lock);
	t = hashmap_get(r->traits, normalized, len, h);
	if (t)
	{
		kind = t->kind;
		*values_width = t->values_width;
		c->stats.traits_shared++;
	}
	pthread_mutex_unlock(&r->lock);
	if (t)
		return kind;
	kind = classify_text(c, normalized, values_width);
	pthread_mutex_lock(&r->lock);
	resolver_bound(r);

	void	  **slot = hashmap_put(r->traits, normalized, len, h, &inserted);

	if (inserted)
	{
		t = arena_alloc(r->mem, sizeof(shared_traits));
		t->kind = kind;
		t->values_width = *values_width;
		*slot = t;
	}
	pthread_mutex_unlock(&r->lock);
	return kind;
}

/*
 * Whether a shape key starts with a word that begins transaction control
 * (BEGIN, START, COMMIT, END, ROLLBACK, ABORT, PREPARE TRANSACTION): a lazy
 * cache classifies those at once, since the sequence detectors need the
 * bounds of a transaction from its first statement on.
 */
static int
may_be_transaction_control(const char *key, size_t len)
{
	static const char *const words[] = {"begin", "start", "commit", "end", "rollback", "abort", "prepare"};
	size_t		n = 0;

	while (n < len && isalpha((unsigned char) key[n]))
		n++;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && strncasecmp(key, words[i], n) == 0)
			return 1;
	return 0;
}

/*
 * The fingerprint the resolver holds for c's current key into *out, its
 * parse error copied (malloc'd); 0 if none yet.
 */
static int
shared_fingerprint(fingerprint_cache *c, uint64_t keyhash, shared_shape *out)
{
	shape_resolver *r = c->shared;
	shared_shape *found;

	pthread_mutex_lock(&r->lock);
	found = hashmap_get(r->by_key, c->key.data, c->key.len, keyhash);
	if (found)
	{
		*out = *found;
		/* copied under the lock: the resolver may start again empty once it is released */
		out->parse_error = found->parse_error ? xstrdup(found->parse_error) : NULL;
	}
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
	resolver_bound(r);
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
classify_shape(fingerprint_cache *c, query_shape *shape)
{
	shape->kind = shape->parsed ? fingerprint_cache_classify(c, shape->normalized, &shape->values_width)
		: SEQ_KIND_OTHER;
}

/* A forgotten shape found again: it is c's as before. */
static query_shape *
recall(fingerprint_cache *c, query_shape *shape)
{
	if (shape->forgotten)
	{
		shape->forgotten = 0;
		c->nforgotten--;
		c->stats.recalled++;
	}
	return shape;
}

/* The slot of a forgotten key, by its hash. */
static forgotten_shape *
forgotten_slot(const fingerprint_cache *c, uint64_t keyhash)
{
	return &c->forgotten[keyhash & (c->remember - 1)];
}

/* What c remembers of its current key, forgotten and purged, if anything. */
static const forgotten_shape *
recall_forgotten(fingerprint_cache *c, uint64_t keyhash)
{
	forgotten_shape *f;

	if (c->forgotten == NULL || (f = forgotten_slot(c, keyhash))->check == 0 || f->hash != keyhash ||
		f->check != (hash_bytes(c->key.data, c->key.len) | 1))
		return NULL;
	c->stats.remembered++;
	return f;
}

/*
 * The shape of c->sql (key c->key, hash keyhash), not in c yet: its
 * fingerprint from what c forgot, the resolver or libpg_query, and the one
 * shape per fingerprint, created when the fingerprint is new to c with
 * its normalized text and traits (if wanted), unless c is lazy and the
 * statement neither is long nor may be transaction control.
 */
static query_shape *
resolve_new_shape(fingerprint_cache *c, uint64_t keyhash, size_t len)
{
	shared_shape fresh = {0};
	char	   *error = NULL;
	const forgotten_shape *known = recall_forgotten(c, keyhash);

	if (known)
	{
		fresh.fingerprint = known->fingerprint;
		fresh.parsed = 1;
	}
	else if (c->shared && shared_fingerprint(c, keyhash, &fresh))
		error = (char *) fresh.parse_error;
	else
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
		query_shape *shape = xcalloc(1, sizeof(query_shape));
		int			eager = !c->lazy || !fresh.parsed || len > SHAPE_LONG_STATEMENT ||
			may_be_transaction_control(c->key.data, c->key.len);

		shape->fingerprint = fresh.fingerprint;
		shape->parsed = fresh.parsed;
		shape->parse_error = error;
		error = NULL;
		if (!fresh.parsed)
			shape->normalized = xstrndup(c->key.data, c->key.len);
		else if (eager)
			shape->normalized = normalize_sql(c->sql.data);
		if (c->want_traits && eager)
			classify_shape(c, shape);
		else if (known)
		{
			shape->kind = (seq_kind) known->kind;
			shape->values_width = known->values_width;
		}
		*slot = shape;
	}
	free(error);
	return recall(c, *slot);
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
		return recall(c, shape);
	if (!shortened)
	{
		strbuf_reset(&c->sql);
		strbuf_append(&c->sql, sql, len);
	}
	shape = resolve_new_shape(c, h, len);
	*hashmap_put(c->by_key, c->key.data, c->key.len, h, NULL) = shape;
	return shape;
}

char *
fingerprint_shape_take_normalized(query_shape *shape)
{
	char	   *text = (char *) shape->normalized;

	shape->normalized = NULL;
	return text;
}

void
fingerprint_cache_forget(fingerprint_cache *c, query_shape *shape, char *normalized, seq_kind kind,
						 int values_width)
{
	if (shape->normalized == NULL)
		shape->normalized = normalized;
	else
		free(normalized);
	if (shape->kind == SEQ_KIND_UNKNOWN)
	{
		shape->kind = kind;
		shape->values_width = values_width;
	}
	if (shape->forgotten)
		return;
	shape->forgotten = 1;
	shape->owner_data = NULL;
	c->nforgotten++;
	c->stats.forgotten++;
}

/* hashmap_retain over by_key: drop a forgotten shape's keys, remembering each. */
static int
keep_key(void *ctx, const char *key, size_t keylen, void *value)
{
	fingerprint_cache *c = ctx;
	const query_shape *shape = value;

	if (!shape->forgotten)
		return 1;
	if (shape->parsed && c->forgotten)
	{
		uint64_t	h = hash_fast(key, keylen);
		forgotten_shape *f = forgotten_slot(c, h);

		f->hash = h;
		f->check = hash_bytes(key, keylen) | 1;
		f->fingerprint = shape->fingerprint;
		f->kind = (int32_t) shape->kind;
		f->values_width = shape->values_width;
	}
	return 0;
}

/* hashmap_retain over by_fp, after by_key: free a forgotten shape. */
static int
keep_shape(void *ctx, const char *key, size_t keylen, void *value)
{
	query_shape *shape = value;

	if (!shape->forgotten)
		return 1;
	shape_free(shape);
	return 0;
}

void
fingerprint_cache_purge(fingerprint_cache *c)
{
	if (c->nforgotten == 0 || c->nforgotten < c->keep_forgotten)
		return;
	if (c->forgotten == NULL && c->remember > 0)
		c->forgotten = xcalloc(c->remember, sizeof(forgotten_shape));
	hashmap_retain(c->by_key, keep_key, c);
	c->stats.purged += hashmap_retain(c->by_fp, keep_shape, c);
	c->nforgotten = 0;
}

size_t
fingerprint_cache_count(const fingerprint_cache *c)
{
	return hashmap_count(c->by_fp) - c->nforgotten;
}

fingerprint_cache_stats
fingerprint_cache_get_stats(const fingerprint_cache *c)
{
	return c->stats;
}
