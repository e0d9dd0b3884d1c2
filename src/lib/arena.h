/*-------------------------------------------------------------------------
 * arena.h
 *    Region allocator for per-run data.
 *
 * Everything allocated from an arena lives until the arena is reset or
 * destroyed; nothing is freed one by one.  Allocation failure aborts the
 * process with a message, so callers never check for NULL.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_ARENA_H
#define PGSIFT_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* Create an arena whose blocks are at least block_size bytes (0: 64 KiB). */
arena *arena_create(size_t block_size);

/* Return n bytes aligned for any type; valid until reset/destroy. */
void *arena_alloc(arena *a, size_t n);

/* Like arena_alloc, zero-filled. */
void *arena_zalloc(arena *a, size_t n);

/* Copy n bytes of s and add a NUL; s may contain NULs. */
char *arena_strndup(arena *a, const char *s, size_t n);

/* Copy a NUL-terminated string; NULL gives NULL. */
char *arena_strdup(arena *a, const char *s);

/* Free the arena and everything in it; NULL is allowed. */
void arena_destroy(arena *a);

/* Abort with "pgsift: out of memory" if p is NULL; returns p. */
void *xcheck_alloc(void *p);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
