/*-------------------------------------------------------------------------
 * keyed_table.c
 *    Chained hash buckets plus a doubly linked age list.
 *
 * Chaining makes deletion trivial (no tombstones, no backward shifts) and
 * leaves every entry where the caller put it, so callers may keep
 * pointers to entries across insertions.
 *-------------------------------------------------------------------------
 */
#include "src/lib/keyed_table.h"
#include "src/lib/arena.h"

#include <stdlib.h>
#include <string.h>

void
keyed_table_init(keyed_table *t)
{
	memset(t, 0, sizeof(*t));
	t->nbuckets = 64;
	t->buckets = xcalloc(t->nbuckets, sizeof(keyed_entry *));
}

void
keyed_table_free(keyed_table *t)
{
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

keyed_entry *
keyed_table_find(const keyed_table *t, const char *key, size_t len, uint64_t hash)
{
	for (keyed_entry *e = t->buckets[hash & (t->nbuckets - 1)]; e != NULL; e = e->chain)
		if (e->hash == hash && e->keylen == len && memcmp(e->key, key, len) == 0)
			return e;
	return NULL;
}

static void
grow(keyed_table *t)
{
	size_t		old_n = t->nbuckets;
	keyed_entry **old = t->buckets;

	t->nbuckets = old_n * 2;
	t->buckets = xcalloc(t->nbuckets, sizeof(keyed_entry *));
	for (size_t i = 0; i < old_n; i++)
	{
		keyed_entry *e = old[i];

		while (e != NULL)
		{
			keyed_entry *next = e->chain;
			keyed_entry **b = &t->buckets[e->hash & (t->nbuckets - 1)];

			e->chain = *b;
			*b = e;
			e = next;
		}
	}
	free(old);
}

static void
link_newest(keyed_table *t, keyed_entry *e)
{
	e->older = t->newest;
	e->newer = NULL;
	if (t->newest)
		t->newest->newer = e;
	else
		t->oldest = e;
	t->newest = e;
}

static void
unlink_age(keyed_table *t, keyed_entry *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
}

void
keyed_table_insert(keyed_table *t, keyed_entry *e)
{
	if (t->count >= t->nbuckets)
		grow(t);

	keyed_entry **b = &t->buckets[e->hash & (t->nbuckets - 1)];

	e->chain = *b;
	*b = e;
	link_newest(t, e);
	t->count++;
}

void
keyed_table_remove(keyed_table *t, keyed_entry *e)
{
	keyed_entry **link = &t->buckets[e->hash & (t->nbuckets - 1)];

	while (*link != e)
		link = &(*link)->chain;
	*link = e->chain;
	unlink_age(t, e);
	t->count--;
}

void
keyed_table_touch(keyed_table *t, keyed_entry *e)
{
	if (t->newest == e)
		return;
	unlink_age(t, e);
	link_newest(t, e);
}
