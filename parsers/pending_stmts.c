/*-------------------------------------------------------------------------
 * pending_stmts.c
 *    Logged statements waiting for their duration, one per session.
 *
 * A chained hash table (it needs deletion, which the shared hashmap does
 * not offer) plus a list in order of arrival, so that the caller can
 * evict the oldest entry when too many sessions wait.  Removed entries go
 * to a free list with their buffers, so that the next add reuses both.
 *-------------------------------------------------------------------------
 */
#include "pending_stmts.h"
#include "arena.h"
#include "hashmap.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

struct pending_stmt
{
	pending_stmt *chain;		/* next in bucket, or in the free list */
	pending_stmt *older;		/* arrival order */
	pending_stmt *newer;
	uint64_t	hash;
	size_t		keylen;			/* the key is the first keylen bytes of store */
	log_record	rec;			/* strings point into store */
	strbuf		store;
};

struct pending_stmts
{
	pending_stmt **buckets;		/* power-of-two count, at least count */
	size_t		nbuckets;
	size_t		count;
	pending_stmt *oldest;
	pending_stmt *newest;
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
	k->hash = hash_bytes(k->data, k->len);
}

pending_stmts *
pending_stmts_create(void)
{
	pending_stmts *t = xcalloc(1, sizeof(pending_stmts));

	t->nbuckets = 256;
	t->buckets = xcalloc(t->nbuckets, sizeof(pending_stmt *));
	return t;
}

static void
free_chain(pending_stmt *p)
{
	while (p != NULL)
	{
		pending_stmt *next = p->chain;

		strbuf_free(&p->store);
		free(p);
		p = next;
	}
}

void
pending_stmts_destroy(pending_stmts *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nbuckets; i++)
		free_chain(t->buckets[i]);
	free_chain(t->free_list);
	free(t->buckets);
	free(t);
}

size_t
pending_stmts_count(const pending_stmts *t)
{
	return t->count;
}

static pending_stmt **
bucket_of(pending_stmts *t, uint64_t hash)
{
	return &t->buckets[hash & (t->nbuckets - 1)];
}

pending_stmt *
pending_stmts_find(pending_stmts *t, const session_key *k)
{
	for (pending_stmt *p = *bucket_of(t, k->hash); p != NULL; p = p->chain)
	{
		if (p->hash == k->hash && p->keylen == k->len &&
			memcmp(p->store.data, k->data, k->len) == 0)
			return p;
	}
	return NULL;
}

pending_stmt *
pending_stmts_oldest(pending_stmts *t)
{
	return t->oldest;
}

const log_record *
pending_stmt_record(const pending_stmt *p)
{
	return &p->rec;
}

static void
grow_buckets(pending_stmts *t)
{
	size_t		old_n = t->nbuckets;
	pending_stmt **old = t->buckets;

	t->nbuckets = old_n * 2;
	t->buckets = xcalloc(t->nbuckets, sizeof(pending_stmt *));
	for (size_t i = 0; i < old_n; i++)
	{
		pending_stmt *p = old[i];

		while (p != NULL)
		{
			pending_stmt *next = p->chain;
			pending_stmt **b = bucket_of(t, p->hash);

			p->chain = *b;
			*b = p;
			p = next;
		}
	}
	free(old);
}

/* Copy key and record (every string, and the message) into p->store. */
static void
fill(pending_stmt *p, const session_key *k, const log_record *rec)
{
	size_t		offs[NRECORD_STRINGS];
	size_t		msg_off;

	strbuf_reset(&p->store);
	strbuf_append(&p->store, k->data, k->len);
	p->keylen = k->len;
	p->hash = k->hash;
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
}

void
pending_stmts_add(pending_stmts *t, const session_key *k, const log_record *rec)
{
	pending_stmt *p = t->free_list;
	pending_stmt **b;

	if (t->count >= t->nbuckets)
		grow_buckets(t);
	if (p != NULL)
		t->free_list = p->chain;
	else
	{
		p = xcalloc(1, sizeof(pending_stmt));
		strbuf_init(&p->store);
	}
	fill(p, k, rec);

	b = bucket_of(t, k->hash);
	p->chain = *b;
	*b = p;
	p->older = t->newest;
	p->newer = NULL;
	if (t->newest)
		t->newest->newer = p;
	else
		t->oldest = p;
	t->newest = p;
	t->count++;
}

void
pending_stmts_remove(pending_stmts *t, pending_stmt *p)
{
	pending_stmt **link = bucket_of(t, p->hash);

	while (*link != p)
		link = &(*link)->chain;
	*link = p->chain;

	if (p->older)
		p->older->newer = p->newer;
	else
		t->oldest = p->newer;
	if (p->newer)
		p->newer->older = p->older;
	else
		t->newest = p->older;

	t->count--;
	p->chain = t->free_list;
	t->free_list = p;
}
