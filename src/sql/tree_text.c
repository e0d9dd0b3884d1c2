/*-------------------------------------------------------------------------
 * tree_text.c
 *    Stepping over libpg_query's JSON parse tree text (see tree_text.h).
 *
 * A small JSON scanner: strings with their escapes, nested objects and
 * arrays, and the scalars libpg_query writes (numbers, true, false, null).
 * Keys are found by structure, not by searching the text, so an
 * identifier or a literal that looks like a key is never taken for one.
 *-------------------------------------------------------------------------
 */
#include "src/sql/tree_text.h"

#include <string.h>

static const char *
skip_ws(const char *p)
{
	while (p && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* Past the string starting at p (p[0] == '"'), or NULL if unterminated. */
static const char *
skip_string(const char *p)
{
	for (p++; *p; p++)
	{
		if (*p == '\\')
		{
			if (p[1] == '\0')
				return NULL;
			p++;
		}
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

const char *
tree_text_skip(const char *v)
{
	v = skip_ws(v);
	if (v == NULL || *v == '\0')
		return NULL;
	if (*v == '"')
		return skip_string(v);
	if (*v == '{' || *v == '[')
	{
		int			depth = 0;

		for (; *v; v++)
		{
			if (*v == '"')
			{
				if ((v = skip_string(v)) == NULL)
					return NULL;
				v--;
			}
			else if (*v == '{' || *v == '[')
				depth++;
			else if ((*v == '}' || *v == ']') && --depth == 0)
				return v + 1;
		}
		return NULL;
	}
	/* a number, true, false or null: up to the next delimiter */
	while (*v && *v != ',' && *v != '}' && *v != ']' && *v != ' ' && *v != '\n')
		v++;
	return v;
}

/*
 * The member after position p in an object (p just past '{' or a value):
 * its key into *key and *keylen and the start of its value; NULL at the end.
 */
static const char *
next_member(const char *p, const char **key, size_t *keylen)
{
	const char *end;

	p = skip_ws(p);
	if (p && *p == ',')
		p = skip_ws(p + 1);
	if (p == NULL || *p != '"' || (end = skip_string(p)) == NULL)
		return NULL;
	*key = p + 1;
	*keylen = (size_t) (end - p) - 2;
	p = skip_ws(end);
	return p && *p == ':' ? skip_ws(p + 1) : NULL;
}

const char *
tree_text_first(const char *obj, const char **key, size_t *keylen)
{
	obj = skip_ws(obj);
	return obj && *obj == '{' ? next_member(obj + 1, key, keylen) : NULL;
}

const char *
tree_text_next(const char *value, const char **key, size_t *keylen)
{
	return value ? next_member(tree_text_skip(value), key, keylen) : NULL;
}

const char *
tree_text_member(const char *obj, const char *name)
{
	size_t		namelen = strlen(name),
				keylen;
	const char *key,
			   *value;

	for (value = tree_text_first(obj, &key, &keylen); value; value = tree_text_next(value, &key, &keylen))
		if (keylen == namelen && memcmp(key, name, namelen) == 0)
			return value;
	return NULL;
}

const char *
tree_text_element(const char *arr, size_t i)
{
	const char *v;

	arr = skip_ws(arr);
	if (arr == NULL || *arr != '[')
		return NULL;
	v = skip_ws(arr + 1);
	if (v == NULL || *v == ']')
		return NULL;
	for (size_t k = 0; k < i; k++)
	{
		v = skip_ws(tree_text_skip(v));
		if (v == NULL || *v != ',')
			return NULL;
		v = skip_ws(v + 1);
	}
	return v;
}

size_t
tree_text_length(const char *arr)
{
	size_t		n = 0;

	while (tree_text_element(arr, n) != NULL)
		n++;
	return n;
}

int
tree_text_string_is(const char *v, const char *s)
{
	size_t		n = strlen(s);

	v = skip_ws(v);
	return v && *v == '"' && strncmp(v + 1, s, n) == 0 && v[n + 1] == '"';
}

void
tree_text_walk(const char *v, tree_text_visit_fn visit, void *ctx)
{
	const char *end = tree_text_skip(v);

	if (end == NULL)
		return;
	for (const char *p = skip_ws(v); p && p < end; p++)
	{
		if (*p == '"')
		{
			const char *after = skip_string(p),
					   *colon = skip_ws(after);

			if (after == NULL)
				return;
			if (colon && *colon == ':' && visit(ctx, p + 1, (size_t) (after - p) - 2, skip_ws(colon + 1)))
				return;
			p = after - 1;
		}
	}
}
