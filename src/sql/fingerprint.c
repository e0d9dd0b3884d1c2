/*-------------------------------------------------------------------------
 * fingerprint.c
 *    Shape keys, and the cache from shape to libpg_query fingerprint.
 *
 * shape_key is a small SQL lexer: it must agree with PostgreSQL's scanner
 * on what is a literal (strings in all their forms, numbers, dollar-quoted
 * bodies) and what is not (identifiers like t1, quoted identifiers, $n
 * parameters), because a literal mistaken for syntax only costs a cache
 * miss, but syntax mistaken for a literal would merge different queries.
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

/* Skip a quoted string starting at s[i] == '\''; backslash escapes if esc. */
static size_t
skip_string(const char *s, size_t len, size_t i, int esc)
{
	i++;
	while (i < len)
	{
		if (esc && s[i] == '\\' && i + 1 < len)
			i += 2;
		else if (s[i] == '\'')
		{
			if (i + 1 < len && s[i + 1] == '\'')
				i += 2;
			else
				return i + 1;
		}
		else
			i++;
	}
	return len;
}

/* Past the block comment starting at s[i] == '/', '*' (they nest, as in PostgreSQL). */
static size_t
skip_block_comment(const char *s, size_t len, size_t i)
{
	int			depth = 0;

	do
	{
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '*')
			depth++, i += 2;
		else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/')
			depth--, i += 2;
		else
			i++;
	} while (i < len && depth > 0);
	return i;
}

/* Past the quoted identifier starting at s[i] == '"', doubled quotes and all. */
static size_t
skip_quoted_ident(const char *s, size_t len, size_t i)
{
	for (i++;;)
	{
		const char *q = memchr(s + i, '"', len - i);

		if (q == NULL)
			return len;
		i = (size_t) (q - s) + 1;
		if (i < len && s[i] == '"')
			i++;				/* "" inside: go on */
		else
			return i;
	}
}

/* If s[i] starts a dollar-quote tag ($$ or $tag$), return the body's end. */
static size_t
skip_dollar_quote(const char *s, size_t len, size_t i)
{
	size_t		t = i + 1;

	while (t < len && (isalnum((unsigned char) s[t]) || s[t] == '_' || (unsigned char) s[t] >= 0x80))
		t++;
	if (t >= len || s[t] != '$' || isdigit((unsigned char) s[i + 1]))
		return 0;
	size_t		taglen = t - i + 1;

	for (size_t j = t + 1; j + taglen <= len; j++)
		if (s[j] == '$' && memcmp(s + j, s + i, taglen) == 0)
			return j + taglen;
	return len;
}

static size_t
skip_number(const char *s, size_t len, size_t i)
{
	while (i < len && (isdigit((unsigned char) s[i]) || s[i] == '_'))
		i++;
	if (i < len && s[i] == '.' && !(i + 1 < len && s[i + 1] == '.'))
	{
		i++;
		while (i < len && isdigit((unsigned char) s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		size_t		j = i + 1;

		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < len && isdigit((unsigned char) s[j]))
		{
			i = j;
			while (i < len && isdigit((unsigned char) s[i]))
				i++;
		}
	}
	return i;
}

/*
 * Character classes of the shape scan, one table lookup per byte instead
 * of the <ctype.h> calls (which also follow the locale; SQL's do not).
 */
#define SK_SPACE	1
#define SK_IDENT	2			/* letters, digits, '_', '$', bytes >= 0x80 */
#define SK_DIGIT	4

static const unsigned char sk_class[256] = {
	[' '] = SK_SPACE, ['\t'] = SK_SPACE, ['\n'] = SK_SPACE, ['\r'] = SK_SPACE, ['\f'] = SK_SPACE,
	['\v'] = SK_SPACE,
	['a' ... 'z'] = SK_IDENT, ['A' ... 'Z'] = SK_IDENT, ['_'] = SK_IDENT, ['$'] = SK_IDENT,
	['0' ... '9'] = SK_IDENT | SK_DIGIT,
	[0x80 ... 0xff] = SK_IDENT,
};

/* Emit a '?' unless the key already ends in a literal list "?, ?" or "(?), (?)". */
static char *
emit_literal(char *start, char *o)
{
	size_t		n = (size_t) (o - start);

	if (n >= 3 && o[-1] == ' ' && o[-2] == ',' && o[-3] == '?')
		return o - 2;			/* "?, " + "?" -> "?" */
	if (n >= 2 && o[-1] == ',' && o[-2] == '?')
		return o - 1;
	*o++ = '?';
	return o;
}

/* After a ')' closes "(?)", fold a preceding "(?), " or "(?)," into one. */
static char *
fold_row_list(char *start, char *o)
{
	size_t		n = (size_t) (o - start);

	if (n >= 8 && memcmp(o - 8, "(?), (?)", 8) == 0)
		return o - 5;
	if (n >= 7 && memcmp(o - 7, "(?),(?)", 7) == 0)
		return o - 4;
	return o;
}

/*
 * sql[0..len) into out with every string literal and dollar-quoted body
 * longer than LONG_LITERAL bytes replaced by an empty one (its prefix,
 * E, B, X, U&, stays).  libpg_query's fingerprint and normalization ignore
 * what a literal holds, so they give the same answer for the short text;
 * but parsing a statement costs it several copies of every literal, which
 * for a 50 MB string is most of the memory a run would take.
 */
#define LONG_STATEMENT (64 * 1024)	/* shorter statements are parsed as they are */
#define LONG_LITERAL 64

static void
short_literal_text(const char *s, size_t len, strbuf *out)
{
	size_t		i = 0,
				copied = 0;		/* s[copied..i) is still to be copied */

	strbuf_reset(out);
	while (i < len)
	{
		size_t		end = 0;	/* end of a literal starting at i */

		if (s[i] == '-' && i + 1 < len && s[i + 1] == '-')
		{
			const char *nl = memchr(s + i, '\n', len - i);

			i = nl ? (size_t) (nl - s) : len;
			continue;
		}
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '*')
		{
			i = skip_block_comment(s, len, i);
			continue;
		}
		if (s[i] == '"')
		{
			/* a quoted identifier: copied as it is */
			i = skip_quoted_ident(s, len, i);
			continue;
		}
		if (s[i] == '\'')
			end = skip_string(s, len, i, i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e'));
		else if (s[i] == '$' && (i == 0 || !(sk_class[(unsigned char) s[i - 1]] & SK_IDENT)))
			end = skip_dollar_quote(s, len, i);
		if (end == 0)
		{
			i++;
			continue;
		}
		if (end - i > LONG_LITERAL)
		{
			strbuf_append(out, s + copied, i - copied);
			strbuf_append(out, "''", 2);
			copied = end;
		}
		i = end;
	}
	strbuf_append(out, s + copied, len - copied);
}

/*
 * The key is written straight into out's buffer: it is never longer than
 * the statement (a literal becomes one '?', blanks fold into one space).
 */
void
shape_key(const char *s, size_t len, strbuf *out)
{
	size_t		i = 0,
				dollar_end;
	int			pending_space = 0;
	char	   *start,
			   *o;

	strbuf_reset(out);
	strbuf_reserve(out, len + 1);
	start = o = out->data;
	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		unsigned char k = sk_class[c];

		if (k & SK_SPACE)
		{
			pending_space = o > start;
			i++;
			continue;
		}
		if (c == '-' && i + 1 < len && s[i + 1] == '-')
		{
			while (i < len && s[i] != '\n')
				i++;
			pending_space = o > start;
			continue;
		}
		if (c == '/' && i + 1 < len && s[i + 1] == '*')
		{
			i = skip_block_comment(s, len, i);
			pending_space = o > start;
			continue;
		}
		if (pending_space)
		{
			*o++ = ' ';
			pending_space = 0;
		}
		if (c == '\'')
		{
			int			esc = o > start && (o[-1] == 'E' || o[-1] == 'e');

			i = skip_string(s, len, i, esc);
			o = emit_literal(start, o);
		}
		else if (c == '"')
		{
			/* a quoted identifier: copied whole */
			size_t		j = skip_quoted_ident(s, len, i);

			memcpy(o, s + i, j - i);
			o += j - i;
			i = j;
		}
		else if (c == '$' && (o == start || !(sk_class[(unsigned char) o[-1]] & SK_IDENT)) &&
				 (dollar_end = skip_dollar_quote(s, len, i)) != 0)
		{
			i = dollar_end;
			o = emit_literal(start, o);
		}
		else if (((k & SK_DIGIT) || (c == '.' && i + 1 < len && (sk_class[(unsigned char) s[i + 1]] & SK_DIGIT))) &&
				 (o == start || !(sk_class[(unsigned char) o[-1]] & SK_IDENT)))
		{
			i = skip_number(s, len, i);
			o = emit_literal(start, o);
		}
		else if (k & SK_IDENT)
		{
			size_t		j = i + 1;

			while (j < len && (sk_class[(unsigned char) s[j]] & SK_IDENT))
				j++;
			memcpy(o, s + i, j - i);
			o += j - i;
			i = j;
		}
		else
		{
			*o++ = (char) c;
			if (c == ')')
				o = fold_row_list(start, o);
			i++;
		}
	}
	*o = '\0';
	out->len = (size_t) (o - start);
}

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
	int			shortened = len > LONG_STATEMENT;

	c->stats.lookups++;
	if (shortened)
	{
		/* the same key, from a text without its long literals */
		short_literal_text(sql, len, &c->sql);
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
