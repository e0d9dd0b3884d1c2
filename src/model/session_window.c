/*-------------------------------------------------------------------------
 * session_window.c
 *    A session's window: a ring of its last SESSION_WINDOW statements.
 *-------------------------------------------------------------------------
 */
#include "src/model/session_window.h"
#include "src/lib/arena.h"

#include <stdlib.h>

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
		free(slot->text);
		free(slot->vxid);
		w->start = (w->start + 1) % SESSION_WINDOW;
	}
	*slot = *st;
	slot->params = st->params ? xstrdup(st->params) : NULL;
	slot->text = st->params == NULL && st->text ? xstrndup(st->text, st->text_len) : NULL;
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
