/*-------------------------------------------------------------------------
 * tree_text.h
 *    Reading libpg_query's JSON parse tree as text, without building it.
 *
 * pg_query_parse gives the tree as JSON text in ~10 µs; loading it into
 * jansson, or asking for the protobuf form and unpacking it, costs five to
 * ten times that, which matters where every new fingerprint of a log is
 * looked at once (statement_traits.c).  These functions step over the text
 * itself: a value is a pointer to its first character, and nothing is
 * allocated.  The text must be what libpg_query wrote (valid JSON); on
 * anything else they return NULL, never read past the terminating NUL.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_TREE_TEXT_H
#define PGSIFT_TREE_TEXT_H

#include <stddef.h>

/* The end of the value starting at v (just past it), or NULL if malformed. */
const char *tree_text_skip(const char *v);

/* The value of member `name` of the object at obj, or NULL (absent, not an object). */
const char *tree_text_member(const char *obj, const char *name);

/*
 * The first member of the object at obj: its key (not NUL-terminated, no
 * quotes) into *key and *keylen, and its value returned; NULL if empty.
 */
const char *tree_text_first(const char *obj, const char **key, size_t *keylen);

/*
 * The member after the one whose value is at value, in the same object: its
 * key into *key and *keylen, and its value returned; NULL after the last.
 * With tree_text_first, one pass over an object's members.
 */
const char *tree_text_next(const char *value, const char **key, size_t *keylen);

/* Elements of the array at arr (0 if not an array), and the i-th (NULL past the end). */
size_t		tree_text_length(const char *arr);
const char *tree_text_element(const char *arr, size_t i);

/*
 * Whether the string value at v equals s (v's escapes are not decoded: a
 * string with escapes equals nothing).
 */
int			tree_text_string_is(const char *v, const char *s);

/*
 * Call visit(ctx, key, keylen, value) for every member of every object
 * inside the value at v, in text order; stop early when visit returns
 * nonzero.
 */
typedef int (*tree_text_visit_fn) (void *ctx, const char *key, size_t keylen, const char *value);
void		tree_text_walk(const char *v, tree_text_visit_fn visit, void *ctx);

#endif
