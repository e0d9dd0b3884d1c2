/*-------------------------------------------------------------------------
 * migration_session.c
 *    Following a migration's session from statement to statement: its
 *    transactions, its timeouts, and the relations each statement
 *    creates and locks.
 *
 * The server's rules, as the migration rules need them: outside a block
 * every statement is its own transaction; BEGIN opens a block that
 * COMMIT, ROLLBACK or PREPARE TRANSACTION ends; SET changes the session
 * (undone if its transaction rolls back), SET LOCAL the block only (and
 * nothing outside one); RESET and SET ... TO DEFAULT go back to what the
 * session started with.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/model/migration_private.h"
#include "src/sql/statement_lock.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
open_block(struct migration_state *st)
{
	if (st->in_block)
		return;					/* the server warns and carries on */
	st->in_block = 1;
	st->block = ++st->transactions;
	st->saved = st->session;
	st->local_set = 0;
}

static void
close_block(struct migration_state *st, int rolled_back)
{
	if (!st->in_block)
		return;
	st->in_block = 0;
	if (rolled_back)
		st->session = st->saved;
	st->local_set = 0;
}

void
migration_session_file_start(migration *m)
{
	if (m->options.single_transaction)
		open_block(m->state);
}

void
migration_session_file_end(migration *m)
{
	if (m->options.single_transaction)
		close_block(m->state, 0);
}

double
migration_duration_ms(const char *text)
{
	char	   *end;
	double		v;
	static const struct
	{
		const char *unit;
		double		ms;
	}			units[] = {{"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}, {"", 1}};

	if (text == NULL)
		return -1;
	v = strtod(text, &end);
	if (end == text || v < 0)
		return -1;
	while (isspace((unsigned char) *end))
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].unit) == 0)
			return v * units[i].ms;
	return -1;
}

/*
 * A timeout's value in ms as SET gives it: a number (ms), or a string
 * with a unit.  -1 when it is neither: set to something, but not known
 * what.
 */
static double
timeout_value_ms(const PgQuery__Node *arg)
{
	const PgQuery__AConst *c;

	if (arg == NULL || arg->node_case != PG_QUERY__NODE__NODE_A_CONST)
		return -1;
	c = arg->a_const;
	if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
		return c->ival->ival;
	if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL)
		return migration_duration_ms(c->fval->fval);
	if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL)
		return migration_duration_ms(c->sval->sval);
	return -1;
}

/* The setting of s a VariableSetStmt names, or NULL for any other. */
static double *
setting_named(migration_settings *s, const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "lock_timeout") == 0)
		return &s->lock_timeout_ms;
	if (strcmp(name, "statement_timeout") == 0)
		return &s->statement_timeout_ms;
	return NULL;
}

static void
apply_set(migration *m, const PgQuery__VariableSetStmt *v)
{
	struct migration_state *st = m->state;
	const migration_settings *initial = &m->options.initial;
	double		value;

	if (v->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL)
	{
		st->session = *initial;
		st->local_set = 0;
		return;
	}
	if (setting_named(&st->session, v->name) == NULL)
		return;
	if (v->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE)
		value = timeout_value_ms(v->n_args > 0 ? v->args[0] : NULL);
	else if (v->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT ||
			 v->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET)
		value = *setting_named((migration_settings *) initial, v->name);
	else
		return;
	if (v->is_local)
	{
		if (!st->in_block)
			return;				/* SET LOCAL outside a block does nothing */
		if (!st->local_set)
			st->local = st->session;
		st->local_set = 1;
		*setting_named(&st->local, v->name) = value;
		return;
	}
	*setting_named(&st->session, v->name) = value;
	if (st->local_set)
		*setting_named(&st->local, v->name) = value;
}

static void
apply_transaction(struct migration_state *st, const PgQuery__TransactionStmt *t)
{
	switch (t->kind)
	{
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
			open_block(st);
			break;
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
			close_block(st, 0);
			if (t->chain)
				open_block(st);
			break;
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
			close_block(st, 1);
			if (t->chain)
				open_block(st);
			break;
		default:
			break;
	}
}

static migration_relation *
relation_entry(migration *m, const char *key)
{
	int			inserted;
	void	  **slot = hashmap_put(m->state->relations, key, strlen(key), hash_bytes(key, strlen(key)), &inserted);

	if (inserted)
	{
		migration_relation *r = xcalloc(1, sizeof(*r));

		r->created = -1;
		*slot = r;
	}
	return *slot;
}

static void
note_lock(migration *m, const PgQuery__RangeVar *rv, int i)
{
	migration_relation *r;

	if (rv == NULL)
		return;
	r = relation_entry(m, migration_relation_key(rv));
	if (r->n > 0 && r->statements[r->n - 1] == i)
		return;
	if (r->n == r->cap)
	{
		r->cap = r->cap ? r->cap * 2 : 4;
		r->statements = xrealloc(r->statements, sizeof(int) * (size_t) r->cap);
	}
	r->statements[r->n++] = i;
}

static void
note_created(migration *m, const PgQuery__RangeVar *rv, int i)
{
	migration_relation *r;

	if (rv == NULL)
		return;
	r = relation_entry(m, migration_relation_key(rv));
	if (r->created < 0)
		r->created = i;
}

/*
 * An index is a relation in its table's schema.  The parser truncates
 * identifiers to 63 bytes, so a key fits its buffer.
 */
static void
note_index(migration *m, const PgQuery__IndexStmt *ix, int i)
{
	char		table[512];
	char		key[512];
	migration_relation *r;

	if (ix->idxname == NULL || ix->idxname[0] == '\0' || ix->relation == NULL)
		return;
	snprintf(table, sizeof(table), "%s", migration_relation_key(ix->relation));
	snprintf(key, sizeof(key), "%s.%s",
			 ix->relation->schemaname && ix->relation->schemaname[0] ? ix->relation->schemaname : "public",
			 ix->idxname);
	r = relation_entry(m, key);
	if (r->created < 0)
	{
		r->created = i;
		free(r->table);
		r->table = xstrdup(table);
	}
}

static void
note_relations(migration *m, int i)
{
	const PgQuery__Node *n = m->statements[i].node;
	statement_lock lock;

	statement_lock_of(n, 15, &lock);
	if (lock.mode > LOCK_ROW_EXCLUSIVE)
	{
		note_lock(m, lock.relation, i);
		note_lock(m, lock.other, i);
	}
	switch (n->node_case)
	{
		case PG_QUERY__NODE__NODE_CREATE_STMT:
			note_created(m, n->create_stmt->relation, i);
			break;
		case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
			if (n->create_table_as_stmt->into)
				note_created(m, n->create_table_as_stmt->into->rel, i);
			break;
		case PG_QUERY__NODE__NODE_VIEW_STMT:
			note_created(m, n->view_stmt->view, i);
			break;
		case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
			note_created(m, n->create_seq_stmt->sequence, i);
			break;
		case PG_QUERY__NODE__NODE_INDEX_STMT:
			note_index(m, n->index_stmt, i);
			break;
		default:
			break;
	}
}

void
migration_session_place(migration *m, int i)
{
	struct migration_state *st = m->state;
	migration_statement *s = &m->statements[i];

	s->in_block = st->in_block;
	s->transaction = st->in_block ? st->block : ++st->transactions;
	s->settings = st->local_set ? st->local : st->session;
	if (s->node == NULL)
		return;
	if (s->node->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT)
		apply_transaction(st, s->node->transaction_stmt);
	else if (s->node->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT)
		apply_set(m, s->node->variable_set_stmt);
	note_relations(m, i);
}

const char *
migration_relation_key(const PgQuery__RangeVar *rv)
{
	static _Thread_local char buf[512];

	snprintf(buf, sizeof(buf), "%s.%s",
			 rv->schemaname && rv->schemaname[0] ? rv->schemaname : "public",
			 rv->relname ? rv->relname : "");
	return buf;
}

static const migration_relation *
relation_lookup(const migration *m, const char *key)
{
	return hashmap_get(m->state->relations, key, strlen(key), hash_bytes(key, strlen(key)));
}

int
migration_created_before(const migration *m, const char *key, int before)
{
	const migration_relation *r = relation_lookup(m, key);

	return r && r->created >= 0 && r->created < before ? r->created : -1;
}

const int  *
migration_relation_statements(const migration *m, const char *key, int *n)
{
	const migration_relation *r = relation_lookup(m, key);

	*n = r ? r->n : 0;
	return r ? r->statements : NULL;
}

const char *
migration_index_table(const migration *m, const char *index_key)
{
	const migration_relation *r = relation_lookup(m, index_key);

	return r ? r->table : NULL;
}

void
migration_relations_free(migration *m)
{
	size_t		pos = 0;
	const char *key;
	size_t		keylen;
	void	   *value;

	if (m->state->relations == NULL)
		return;
	while (hashmap_next(m->state->relations, &pos, &key, &keylen, &value))
	{
		migration_relation *r = value;

		free(r->table);
		free(r->statements);
		free(r);
	}
	hashmap_destroy(m->state->relations);
	m->state->relations = NULL;
}
