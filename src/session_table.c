/*-------------------------------------------------------------------------
 * session_table.c
 *    Open-addressing table of session windows with LRU eviction.
 *
 * Unlike hashmap.c this table deletes (backward-shift deletion keeps
 * linear probing correct without tombstones) and frees each key with its
 * window, because sessions come and go for the whole length of a log.
 *-------------------------------------------------------------------------
 */
#include "session_table.h"
#include "arena.h"
#include "hashmap.h"

#include <stdlib.h>
#include <string.h>

typedef struct lru_window
{
	session_window w;
	uint64_t	hash;
	struct lru_window *newer;
	struct lru_window *older;
} lru_window;

struct session_table
{
	lru_window **slots;
	size_t		cap;
	size_t		count;
	size_t		max_sessions;
	uint64_t	evictions;
	lru_window *newest;
	lru_window *oldest;
};

session_table *
session_table_create(size_t max_sessions)
{
	session_table *t = xcalloc(1, sizeof(session_table));

	t->cap = 1024;
	t->slots = xcalloc(t->cap, sizeof(lru_window *));
	t->max_sessions = max_sessions ? max_sessions : WORKLOAD_MAX_SESSIONS;
	return t;
}

static void
window_free(lru_window *lw)
{
	for (int i = 0; i < lw->w.count; i++)
	{
		session_statement *st = &lw->w.items[(lw->w.start + i) % SESSION_WINDOW];

		free(st->params);
		free(st->vxid);
	}
	free(lw->w.key);
	free(lw);
}

void
session_table_destroy(session_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i])
			window_free(t->slots[i]);
	free(t->slots);
	free(t);
}

static size_t
find_index(const session_table *t, const char *key, uint64_t hash)
{
	size_t		i = hash & (t->cap - 1);

	while (t->slots[i] && !(t->slots[i]->hash == hash && strcmp(t->slots[i]->w.key, key) == 0))
		i = (i + 1) & (t->cap - 1);
	return i;
}

static void
lru_unlink(session_table *t, lru_window *lw)
{
	if (lw->newer)
		lw->newer->older = lw->older;
	else
		t->newest = lw->older;
	if (lw->older)
		lw->older->newer = lw->newer;
	else
		t->oldest = lw->newer;
	lw->newer = lw->older = NULL;
}

static void
lru_push_newest(session_table *t, lru_window *lw)
{
	lw->older = t->newest;
	lw->newer = NULL;
	if (t->newest)
		t->newest->newer = lw;
	t->newest = lw;
	if (t->oldest == NULL)
		t->oldest = lw;
}

static void
grow(session_table *t)
{
	size_t		oldcap = t->cap;
	lru_window **old = t->slots;

	t->cap *= 2;
	t->slots = xcalloc(t->cap, sizeof(lru_window *));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			t->slots[find_index(t, old[i]->w.key, old[i]->hash)] = old[i];
	free(old);
}

/* Remove slot i and shift the following cluster back (no tombstones). */
static void
delete_at(session_table *t, size_t i)
{
	size_t		mask = t->cap - 1;
	size_t		j = i;

	t->slots[i] = NULL;
	for (;;)
	{
		j = (j + 1) & mask;
		if (t->slots[j] == NULL)
			break;
		size_t		home = t->slots[j]->hash & mask;

		/* move j into the hole at i if its home is not in (i, j] cyclically */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j)))
		{
			t->slots[i] = t->slots[j];
			t->slots[j] = NULL;
			i = j;
		}
	}
	t->count--;
}

session_window *
session_table_get(session_table *t, const char *key, int create)
{
	uint64_t	hash = hash_bytes(key, strlen(key));
	size_t		i = find_index(t, key, hash);
	lru_window *lw = t->slots[i];

	if (lw)
	{
		if (t->newest != lw)
		{
			lru_unlink(t, lw);
			lru_push_newest(t, lw);
		}
		return &lw->w;
	}
	if (!create)
		return NULL;
	if (t->count >= t->max_sessions && t->oldest)
	{
		session_table_remove(t, t->oldest->w.key);
		t->evictions++;
		i = find_index(t, key, hash);
	}
	if ((t->count + 1) * 10 > t->cap * 7)
	{
		grow(t);
		i = find_index(t, key, hash);
	}
	lw = xcalloc(1, sizeof(lru_window));
	lw->w.key = xstrdup(key);
	lw->hash = hash;
	t->slots[i] = lw;
	t->count++;
	lru_push_newest(t, lw);
	return &lw->w;
}

void
session_table_remove(session_table *t, const char *key)
{
	uint64_t	hash = hash_bytes(key, strlen(key));
	size_t		i = find_index(t, key, hash);
	lru_window *lw = t->slots[i];

	if (lw == NULL)
		return;
	lru_unlink(t, lw);
	delete_at(t, i);
	window_free(lw);
}

size_t
session_table_count(const session_table *t)
{
	return t->count;
}

uint64_t
session_table_evictions(const session_table *t)
{
	return t->evictions;
}

void
session_window_push(session_window *w, const session_statement *st)
{
	session_statement *slot;

	if (w->count < SESSION_WINDOW)
		slot = &w->items[(w->start + w->count++) % SESSION_WINDOW];
	else
	{
		slot = &w->items[w->start];
		free(slot->params);
		free(slot->vxid);
		w->start = (w->start + 1) % SESSION_WINDOW;
	}
	*slot = *st;
	slot->params = st->params ? xstrdup(st->params) : NULL;
	slot->vxid = st->vxid ? xstrdup(st->vxid) : NULL;
	w->total++;
}

const session_statement *
session_window_at(const session_window *w, int i)
{
	if (i < 0 || i >= w->count)
		return NULL;
	return &w->items[(w->start + i) % SESSION_WINDOW];
}
