/*-------------------------------------------------------------------------
 * session_table.c
 *    The open sessions' statement windows, in least-recently-used order.
 *
 * A keyed_table (src/lib/keyed_table.h) finds windows by session key and keeps
 * them in LRU order, so that past the cap the session idle longest is the
 * one evicted.  Each window owns its key.
 *-------------------------------------------------------------------------
 */
#include "src/model/session_table.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/lib/keyed_table.h"

#include <stdlib.h>
#include <string.h>

typedef struct lru_window
{
	session_window w;
	keyed_entry entry;			/* key: w.key */
} lru_window;

struct session_table
{
	keyed_table windows;
	size_t		max_sessions;
	uint64_t	evictions;
	session_close_hook on_close;
	void	   *on_close_ctx;
};

session_table *
session_table_create(size_t max_sessions)
{
	session_table *t = xcalloc(1, sizeof(session_table));

	keyed_table_init(&t->windows);
	t->max_sessions = max_sessions ? max_sessions : WORKLOAD_MAX_SESSIONS;
	return t;
}

static void
window_free(lru_window *lw)
{
	session_window_free_slots(&lw->w);
	free(lw->w.key);
	free(lw);
}

void
session_table_set_close_hook(session_table *t, session_close_hook fn, void *ctx)
{
	t->on_close = fn;
	t->on_close_ctx = ctx;
}

void
session_table_foreach(session_table *t, session_close_hook fn, void *ctx)
{
	for (keyed_entry *e = t->windows.oldest; e; e = e->newer)
		fn(ctx, &keyed_container(e, lru_window, entry)->w);
}

/* Drop a session that ended (closing hook called) or, at destroy, silently. */
static void
drop(session_table *t, keyed_entry *e, int ended)
{
	if (ended && t->on_close)
		t->on_close(t->on_close_ctx, &keyed_container(e, lru_window, entry)->w);
	keyed_table_remove(&t->windows, e);
	window_free(keyed_container(e, lru_window, entry));
}

void
session_table_destroy(session_table *t)
{
	if (t == NULL)
		return;
	while (t->windows.oldest)
		drop(t, t->windows.oldest, 0);
	keyed_table_free(&t->windows);
	free(t);
}

session_window *
session_table_get(session_table *t, const char *key, int create)
{
	size_t		len = strlen(key);
	uint64_t	hash = hash_fast(key, len);
	keyed_entry *e = keyed_table_find(&t->windows, key, len, hash);

	if (e)
	{
		keyed_table_touch(&t->windows, e);
		return &keyed_container(e, lru_window, entry)->w;
	}
	if (!create)
		return NULL;
	if (t->windows.count >= t->max_sessions && t->windows.oldest)
	{
		drop(t, t->windows.oldest, 1);
		t->evictions++;
	}

	lru_window *lw = xcalloc(1, sizeof(lru_window));

	lw->w.key = xstrndup(key, len);
	lw->entry.key = lw->w.key;
	lw->entry.keylen = len;
	lw->entry.hash = hash;
	keyed_table_insert(&t->windows, &lw->entry);
	return &lw->w;
}

void
session_table_remove(session_table *t, const char *key)
{
	size_t		len = strlen(key);
	keyed_entry *e = keyed_table_find(&t->windows, key, len, hash_fast(key, len));

	if (e)
		drop(t, e, 1);
}

size_t
session_table_count(const session_table *t)
{
	return t->windows.count;
}

uint64_t
session_table_evictions(const session_table *t)
{
	return t->evictions;
}
