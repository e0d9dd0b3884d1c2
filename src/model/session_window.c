/*-------------------------------------------------------------------------
 * session_window.c
 *    A session's window: a ring of its last SESSION_WINDOW statements.
 *-------------------------------------------------------------------------
 */
#include "src/model/session_window.h"
#include "src/lib/arena.h"

#include <stdlib.h>
#include <string.h>

/* A slot buffer grown past this by one huge statement is given back when reused. */
#define SLOT_KEEP_BYTES (64 * 1024)

/* Copy n bytes of s (NUL-ended) to *at, moving it on; the copy. */
static char *
put(char **at, const char *s, size_t n)
{
	char	   *copy = *at;

	memcpy(copy, s, n);
	copy[n] = '\0';
	*at += n + 1;
	return copy;
}

void
session_window_push(session_window *w, const session_statement *st)
{
	session_statement *slot;
	char	   *buf;
	size_t		buf_cap;
	size_t		np = st->params ? strlen(st->params) : 0,
				nt = st->params == NULL && st->text && st->text_len <= SESSION_TEXT_MAX ? st->text_len : 0,
				nv = st->vxid ? strlen(st->vxid) : 0,
				need = np + nt + nv + 3;
	char	   *at;

	if (w->count < SESSION_WINDOW)
		slot = &w->items[(w->start + w->count++) % SESSION_WINDOW];
	else
	{
		slot = &w->items[w->start];
		w->start = (w->start + 1) % SESSION_WINDOW;
	}
	/* the slot's buffer outlives its statement: one allocation per slot, not three per statement */
	buf = slot->buf;
	buf_cap = slot->buf_cap;
	if (need > buf_cap || buf_cap > SLOT_KEEP_BYTES)
	{
		free(buf);
		buf_cap = need < 64 ? 64 : need;
		buf = xmalloc(buf_cap);
	}
	*slot = *st;
	slot->query_generation = st->query ? st->query->generation : 0;
	slot->buf = buf;
	slot->buf_cap = buf_cap;
	at = buf;
	slot->params = st->params ? put(&at, st->params, np) : NULL;
	slot->text = nt ? put(&at, st->text, nt) : NULL;
	slot->vxid = st->vxid ? put(&at, st->vxid, nv) : NULL;
	w->total++;
}

void
session_window_free_slots(session_window *w)
{
	for (int i = 0; i < SESSION_WINDOW; i++)
	{
		free(w->items[i].buf);
		w->items[i].buf = NULL;
		w->items[i].buf_cap = 0;
	}
}

const session_statement *
session_window_at(const session_window *w, int i)
{
	if (i < 0 || i >= w->count)
		return NULL;
	return &w->items[(w->start + i) % SESSION_WINDOW];
}
