/*-------------------------------------------------------------------------
 * keyed_table.h
 *    Intrusive hash table of entries keyed by bytes, kept in age order.
 *
 * For per-session state that comes and goes for the whole length of a log
 * (the workload's statement windows, the event assembler's statements
 * waiting for a duration): entries are found by key, removed one by one,
 * and the oldest can be evicted when too many sessions are open.  The
 * caller embeds a keyed_entry in its own struct and owns its memory and
 * its key bytes; the table only links entries.  "Oldest" is insertion
 * order, or least recently used when the caller calls keyed_table_touch.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_KEYED_TABLE_H
#define PGSIFT_KEYED_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct keyed_entry
{
	struct keyed_entry *chain;	/* next in the bucket */
	struct keyed_entry *older;
	struct keyed_entry *newer;
	uint64_t	hash;
	const char *key;			/* the caller's bytes, stable while linked */
	size_t		keylen;
} keyed_entry;

typedef struct keyed_table
{
	keyed_entry **buckets;		/* power-of-two count, at least count */
	size_t		nbuckets;
	size_t		count;
	keyed_entry *oldest;
	keyed_entry *newest;
} keyed_table;

void		keyed_table_init(keyed_table *t);

/* Free the buckets; the entries are the caller's to free. */
void		keyed_table_free(keyed_table *t);

/* The entry with key[0..len) and its hash_bytes hash, or NULL. */
keyed_entry *keyed_table_find(const keyed_table *t, const char *key, size_t len, uint64_t hash);

/* Link e (its hash, key and keylen set, key absent from t) as the newest. */
void		keyed_table_insert(keyed_table *t, keyed_entry *e);

/* Unlink e. */
void		keyed_table_remove(keyed_table *t, keyed_entry *e);

/* Make e the newest (least-recently-used order). */
void		keyed_table_touch(keyed_table *t, keyed_entry *e);

/* The struct that embeds an entry. */
#define keyed_container(ptr, type, member) \
	((type *) ((char *) (ptr) - offsetof(type, member)))

#endif
