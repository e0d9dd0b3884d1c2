/*-------------------------------------------------------------------------
 * hashmap.h
 *    Open-addressing hash table from byte-string keys to pointers.
 *
 * Keys are copied into the map's own arena, so callers may pass transient
 * buffers.  The caller supplies the 64-bit hash (hash_bytes() is provided)
 * so a hash computed once on the hot path can be reused.  Values are opaque
 * pointers owned by the caller.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_HASHMAP_H
#define PGSIFT_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct hashmap hashmap;

/*
 * 64-bit hash of n bytes (wyhash-style mixing; not cryptographic).  Its
 * values are kept in stores (file identities, the fingerprints of
 * statements libpg_query cannot parse): it must never change.
 */
uint64_t	hash_bytes(const void *data, size_t n);

/*
 * A faster 64-bit hash of n bytes (one 64x64->128 multiply per 16 bytes),
 * for keys that live in memory only (hash tables of one run): its values
 * may change between versions and must never be stored.
 */
uint64_t	hash_fast(const void *data, size_t n);
uint64_t	hash_mix64(uint64_t x);

hashmap    *hashmap_create(size_t initial_capacity);
void		hashmap_destroy(hashmap *m);

/* Value stored for key, or NULL. */
void	   *hashmap_get(const hashmap *m, const void *key, size_t keylen, uint64_t hash);

/*
 * Slot for key, inserting it (value NULL) when absent.  *inserted says which.
 * The returned pointer is valid until the next insertion.
 */
void	  **hashmap_put(hashmap *m, const void *key, size_t keylen, uint64_t hash, int *inserted);

size_t		hashmap_count(const hashmap *m);

/*
 * Keep only the entries for which keep(ctx, key, keylen, value) returns
 * nonzero (asked once per entry).  The
 * map is rebuilt: the dropped entries' keys are freed with the old key
 * arena (there is no delete of one key; a caller dropping many at once
 * pays O(count) once).  Values are the caller's; none is freed here.
 * Returns how many entries were dropped.
 */
typedef int (*hashmap_keep_fn) (void *ctx, const char *key, size_t keylen, void *value);

size_t		hashmap_retain(hashmap *m, hashmap_keep_fn keep, void *ctx);

/* Iterate: start with *pos = 0; returns 0 when done. */
int			hashmap_next(const hashmap *m, size_t *pos, const char **key, size_t *keylen, void **value);

#endif
