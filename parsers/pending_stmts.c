/*-------------------------------------------------------------------------
 * pending_stmts.c
 *    Logged statements waiting for their duration, one per session.
 *
 * A keyed_table (src/lib/keyed_table.h) in order of arrival, so that the
 * caller can evict the oldest entry when too many sessions wait.  Removed
 * entries go to a free list with their buffers, so that the next add
 * reuses both.
 *-------------------------------------------------------------------------
 */
#include "parsers/pending_stmts.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/lib/keyed_table.h"
#include "src/lib/strbuf.h"

#include <stdlib.h>
#include <string.h>

struct pending_stmt
{
	keyed_entry entry;			/* key: the first bytes of store */
	pending_stmt *next_free;
	log_record	rec;			/* strings point into store */
	strbuf		store;
};

struct pending_stmts
{
	keyed_table waiting;
	pending_stmt *free_list;
};

/* The string fields of a log_record, all deep-copied with the message. */
static const size_t record_strings[] = {
	offsetof(log_record, file),
	offsetof(log_record, session_id),
	offsetof(log_record, user),
	offsetof(log_record, dbname),
	offsetof(log_record, app),
	offsetof(log_record, remote_host),
	offsetof(log_record, remote_port),
	offsetof(log_record, backend_type),
	offsetof(log_record, command_tag),
	offsetof(log_record, vxid),
	offsetof(log_record, detail),
	offsetof(log_record, hint),
	offsetof(log_record, context),
	offsetof(log_record, statement),
	offsetof(log_record, internal_query),
};
#define NRECORD_STRINGS (sizeof(record_strings) / sizeof(record_strings[0]))

static inline const char **
record_string(log_record *rec, size_t i)
{
	return (const char **) ((char *) rec + record_strings[i]);
}

void
session_key_of(session_key *k, const log_record *rec)
{
	/* pids are reused over time; the assembler resets a key on connection */
	k->data = log_record_session_key(rec, k->pidbuf, &k->len);
	k->hash = hash_fast(k->data, k->len);
}

pending_stmts *
pending_stmts_create(void)
{
	pending_stmts *t = xcalloc(1, sizeof(pending_stmts));

	keyed_table_init(&t->waiting);
	return t;
}

static void
free_stmt(pending_stmt *p)
{
	strbuf_free(&p->store);
	free(p);
}

void
pending_stmts_destroy(pending_stmts *t)
{
	if (t == NULL)
		return;
	while (t->waiting.oldest)
	{
		keyed_entry *e = t->waiting.oldest;

		keyed_table_remove(&t->waiting, e);
		free_stmt(keyed_container(e, pending_stmt, entry));
	}
	while (t->free_list)
	{
		pending_stmt *next = t->free_list->next_free;

		free_stmt(t->free_list);
		t->free_list = next;
	}
	keyed_table_free(&t->waiting);
	free(t);
}

size_t
pending_stmts_count(const pending_stmts *t)
{
	return t->waiting.count;
}

pending_stmt *
pending_stmts_find(pending_stmts *t, const session_key *k)
{
	keyed_entry *e = keyed_table_find(&t->waiting, k->data, k->len, k->hash);

	return e ? keyed_container(e, pending_stmt, entry) : NULL;
}

pending_stmt *
pending_stmts_oldest(pending_stmts *t)
{
	keyed_entry *e = t->waiting.oldest;

	return e ? keyed_container(e, pending_stmt, entry) : NULL;
}

const log_record *
pending_stmt_record(const pending_stmt *p)
{
	return &p->rec;
}

/* Copy key and record (every string, and the message) into p->store. */
static void
fill(pending_stmt *p, const session_key *k, const log_record *rec)
{
	size_t		offs[NRECORD_STRINGS];
	size_t		msg_off;

	strbuf_reset(&p->store);
	strbuf_append(&p->store, k->data, k->len);
	p->entry.keylen = k->len;
	p->entry.hash = k->hash;
	p->rec = *rec;
	for (size_t i = 0; i < NRECORD_STRINGS; i++)
	{
		const char *s = *record_string(&p->rec, i);

		offs[i] = p->store.len;
		if (s != NULL)
			strbuf_append(&p->store, s, strlen(s) + 1);
	}
	msg_off = p->store.len;
	if (rec->message != NULL)
		strbuf_append(&p->store, rec->message, rec->message_len);

	/* Pointers only now: the appends above may have moved the buffer. */
	for (size_t i = 0; i < NRECORD_STRINGS; i++)
	{
		const char **field = record_string(&p->rec, i);

		if (*field != NULL)
			*field = p->store.data + offs[i];
	}
	if (rec->message != NULL)
		p->rec.message = p->store.data + msg_off;
	p->entry.key = p->store.data;
}

void
pending_stmts_add(pending_stmts *t, const session_key *k, const log_record *rec)
{
	pending_stmt *p = t->free_list;

	if (p != NULL)
		t->free_list = p->next_free;
	else
	{
		p = xcalloc(1, sizeof(pending_stmt));
		strbuf_init(&p->store);
	}
	fill(p, k, rec);
	keyed_table_insert(&t->waiting, &p->entry);
}

void
pending_stmts_remove(pending_stmts *t, pending_stmt *p)
{
	keyed_table_remove(&t->waiting, &p->entry);
	p->next_free = t->free_list;
	t->free_list = p;
}
