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
#include <stdlib.h>
#include <string.h>

struct fingerprint_cache
{
	hashmap    *by_key;			/* shape key -> query_shape */
	hashmap    *by_fp;			/* fingerprint -> query_shape (one per fingerprint) */
	arena	   *mem;
	strbuf		key;
	strbuf		sql;
	fingerprint_cache_stats stats;
};

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
 * The key is written straight into out's buffer: it is never longer than
 * the statement (a literal becomes one '?', blanks fold into one space).
 */
void
shape_key(const char *s, size_t len, strbuf *out)
{
	size_t		i = 0;
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
			/* a quoted identifier: copied whole, doubled quotes and all */
			size_t		j = i + 1;

			for (;;)
			{
				const char *q = memchr(s + j, '"', len - j);

				if (q == NULL)
				{
					j = len;
					break;
				}
				j = (size_t) (q - s) + 1;
				if (j < len && s[j] == '"')
					j++;		/* "" inside: go on */
				else
					break;
			}
			memcpy(o, s + i, j - i);
			o += j - i;
			i = j;
		}
		else if (c == '$' && (o == start || !(sk_class[(unsigned char) o[-1]] & SK_IDENT)) &&
				 skip_dollar_quote(s, len, i))
		{
			i = skip_dollar_quote(s, len, i);
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

/* Parse a new shape with libpg_query; returns the one shape per fingerprint. */
static query_shape *
resolve_new_shape(fingerprint_cache *c)
{
	PgQueryFingerprintResult fr = pg_query_fingerprint(c->sql.data);
	uint64_t	fp;
	int			parsed = fr.error == NULL;
	char	   *error = NULL;

	if (parsed)
		fp = fr.fingerprint;
	else
	{
		fp = fallback_fingerprint(c->key.data, c->key.len);
		error = arena_strdup(c->mem, fr.error->message);
		c->stats.parse_errors++;
	}
	pg_query_free_fingerprint_result(fr);

	uint64_t	fpkey = fp ^ (parsed ? 0 : 0x5a5a5a5a5a5a5a5aULL);
	int			inserted;
	void	  **slot = hashmap_put(c->by_fp, &fpkey, sizeof(fpkey), hash_mix64(fpkey), &inserted);

	if (!inserted)
		return *slot;

	query_shape *shape = arena_zalloc(c->mem, sizeof(query_shape));

	shape->fingerprint = fp;
	shape->parsed = parsed;
	shape->parse_error = error;
	if (parsed)
	{
		PgQueryNormalizeResult nr = pg_query_normalize(c->sql.data);

		shape->normalized = arena_strdup(c->mem, nr.error ? c->sql.data : nr.normalized_query);
		pg_query_free_normalize_result(nr);
	}
	else
		shape->normalized = arena_strndup(c->mem, c->key.data, c->key.len);
	*slot = shape;
	return shape;
}

query_shape *
fingerprint_lookup(fingerprint_cache *c, const char *sql, size_t len)
{
	c->stats.lookups++;
	shape_key(sql, len, &c->key);

	uint64_t	h = hash_fast(c->key.data, c->key.len);
	query_shape *shape = hashmap_get(c->by_key, c->key.data, c->key.len, h);

	if (shape)
		return shape;
	c->stats.misses++;
	strbuf_reset(&c->sql);
	strbuf_append(&c->sql, sql, len);
	shape = resolve_new_shape(c);
	*hashmap_put(c->by_key, c->key.data, c->key.len, h, NULL) = shape;
	return shape;
}

fingerprint_cache_stats
fingerprint_cache_get_stats(const fingerprint_cache *c)
{
	return c->stats;
}
