/*-------------------------------------------------------------------------
 * screen.c
 *    The side-effect screen: judge everything a statement would call.
 *
 * A statement is screened as a small work list.  Its parse tree is
 * walked once; every function call, operator and cast found is judged
 * against the loaded catalog (screen_catalog.c) at once, and what needs
 * more than the catalog is queued: the bodies of SQL functions, and the
 * relations used (with whether they are written).  Bodies are walked
 * like the statement; the queued relations go to the server together,
 * which says what each one reaches (rules, policies, triggers,
 * defaults, CHECK constraints, through views, partitions and foreign
 * keys), and that is judged in turn, until nothing is queued or a cause
 * is found.  The first cause found is the reason given; each step on
 * the way adds a phrase in front ("reads view public.v, whose
 * definition ", "calls function public.f(), whose body "), so the
 * reason reads as the path from the statement to the culprit.
 *
 * Function resolution (screen_catalog.c) follows PostgreSQL as far as
 * it can without argument types: a call matches every function of that
 * name in the named schema (or, unqualified, in the search path, where
 * one schema's function hides a later schema's with the same argument
 * types) whose argument count fits; if any of them is volatile the call
 * counts as volatile.  A call that matches nothing also counts as
 * volatile (SCREEN_UNSAFE): the screen cannot vouch for what it cannot
 * see.
 *
 * PL/pgSQL (and other non-SQL) functions are judged by their volatility
 * label alone: their bodies are not followed.  A function labelled
 * STABLE or IMMUTABLE that nonetheless has side effects defeats the
 * screen; docs/safety.md says so.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/lib/strbuf.h"
#include "src/live/screen_private.h"
#include "src/sql/sql_ident.h"
#include "src/sql/sql_tree.h"
#include "src/sql/statement_kind.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* How deep SQL function bodies are followed (beyond: SCREEN_UNKNOWN). */
#define SCREEN_MAX_DEPTH 16

/*
 * Volatile functions that are harmless to execute: they read a clock, a
 * random source, sizes, recovery state or WAL positions, the lock table
 * (behind pg_locks, which monitoring queries read), pg_stat_statements,
 * or the session's own sequence state (currval, lastval), and leave nothing
 * behind that another session, or this one after the rollback, could
 * notice.  setseed is not here: it changes what random() returns for the
 * rest of the session.  An entry with a schema holds only in that schema
 * and for a function of no extension; one with an extension holds only
 * for that extension's function, wherever it is installed.  A user's
 * public.random() is not harmless.  docs/safety.md repeats this list.
 */
static const struct
{
	const char *schema;
	const char *extname;
	const char *name;
}			harmless[] = {
	{"pg_catalog", NULL, "random"},
	{"pg_catalog", NULL, "clock_timestamp"},
	{"pg_catalog", NULL, "timeofday"},
	{"pg_catalog", NULL, "gen_random_uuid"},
	{"pg_catalog", NULL, "currval"},
	{"pg_catalog", NULL, "lastval"},
	{"pg_catalog", NULL, "pg_relation_size"},
	{"pg_catalog", NULL, "pg_total_relation_size"},
	{"pg_catalog", NULL, "pg_table_size"},
	{"pg_catalog", NULL, "pg_indexes_size"},
	{"pg_catalog", NULL, "pg_database_size"},
	{"pg_catalog", NULL, "pg_tablespace_size"},
	{"pg_catalog", NULL, "pg_is_in_recovery"},
	{"pg_catalog", NULL, "pg_current_wal_lsn"},
	{"pg_catalog", NULL, "pg_current_wal_insert_lsn"},
	{"pg_catalog", NULL, "pg_current_wal_flush_lsn"},
	{"pg_catalog", NULL, "pg_last_wal_receive_lsn"},
	{"pg_catalog", NULL, "pg_last_wal_replay_lsn"},
	{"pg_catalog", NULL, "pg_last_xact_replay_timestamp"},
	{"pg_catalog", NULL, "pg_lock_status"},
	{"pg_catalog", NULL, "pg_blocking_pids"},
	{NULL, "pg_stat_statements", "pg_stat_statements"},
	{NULL, "uuid-ossp", "uuid_generate_v1"},
	{NULL, "uuid-ossp", "uuid_generate_v1mc"},
	{NULL, "uuid-ossp", "uuid_generate_v4"},
	{NULL, "pgcrypto", "gen_random_uuid"},
	{NULL, "pgcrypto", "gen_random_bytes"},
};

/* A relation waiting for the next batch. */
typedef struct pending_relation
{
	const char *name;			/* as written, quoted */
	int			written;
	const char *prefix;			/* how the statement reaches it */
	int			depth;
} pending_relation;

/* A SQL function body waiting to be walked. */
typedef struct pending_body
{
	const screen_func *func;
	const char *prefix;			/* how the statement reaches the call */
	int			depth;			/* the body's depth */
} pending_body;

/* One statement being screened. */
typedef struct screen_job
{
	screen_catalog *cat;
	int			read_write;
	screen_fetch_fn fetch;
	void	   *ctx;
	arena	   *mem;			/* prefixes and names, for this statement */
	hashmap    *seen;			/* bodies and relations queued already */
	pending_relation *rels;
	int			nrels,
				rels_done,
				rels_cap;
	pending_body *bodies;
	int			nbodies,
				bodies_done,
				bodies_cap;
	screen_verdict verdict;
	char	   *reason;			/* malloc'd, once the verdict is not SAFE */
} screen_job;

/* A walk of one tree: the job, and how the statement reached the tree. */
typedef struct walk_ctx
{
	screen_job *job;
	const char *prefix;
	int			depth;
	int			ddl;			/* a migration's DDL: relations are not read,
								 * every type named is converted to */
} walk_ctx;

int
screen_harmless_volatile(const char *schema, const char *name, const char *extname)
{
	for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++)
	{
		if (strcmp(name, harmless[i].name) != 0)
			continue;
		if (harmless[i].schema && schema && extname == NULL &&
			strcmp(schema, harmless[i].schema) == 0)
			return 1;
		if (harmless[i].extname && extname && strcmp(extname, harmless[i].extname) == 0)
			return 1;
	}
	return 0;
}

/* printf into the job's arena. */
static const char *
job_printf(screen_job *job, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static const char *
job_printf(screen_job *job, const char *fmt,...)
{
	va_list		ap;
	char	   *s;
	const char *copy;

	va_start(ap, fmt);
	s = strbuf_vformat(fmt, ap);
	va_end(ap);
	copy = arena_strdup(job->mem, s);
	free(s);
	return copy;
}

/* Record the cause prefix + fmt..., unless a cause was found already. */
static void
fail(screen_job *job, screen_verdict verdict, const char *prefix, const char *fmt,...)
__attribute__((format(printf, 4, 5)));

static void
fail(screen_job *job, screen_verdict verdict, const char *prefix, const char *fmt,...)
{
	va_list		ap;
	strbuf		sb;

	if (job->verdict != SCREEN_SAFE)
		return;
	strbuf_init(&sb);
	strbuf_puts(&sb, prefix);
	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	job->verdict = verdict;
	job->reason = strbuf_detach(&sb);
}

/* Whether key was seen before in this job (and remember it). */
static int
seen_before(screen_job *job, const void *key, size_t len)
{
	int			inserted;

	hashmap_put(job->seen, key, len, hash_bytes(key, len), &inserted);
	return !inserted;
}

static void
queue_relation(screen_job *job, const char *name, int written, const char *prefix, int depth)
{
	const char *key = job_printf(job, "%c%s", written ? 'w' : 'r', name);
	pending_relation *p;

	if (seen_before(job, key, strlen(key)))
		return;
	if (job->nrels == job->rels_cap)
	{
		job->rels_cap = job->rels_cap ? 2 * job->rels_cap : 8;
		job->rels = xrealloc(job->rels, (size_t) job->rels_cap * sizeof(pending_relation));
	}
	p = &job->rels[job->nrels++];
	p->name = key + 1;
	p->written = written;
	p->prefix = prefix;
	p->depth = depth;
}

/* Queue f's body, reached at depth (by prefix), unless it was queued already. */
static void
queue_body(screen_job *job, const screen_func *f, const char *prefix, int depth)
{
	char		key[1 + sizeof(screen_oid)];
	pending_body *b;

	key[0] = 'f';
	memcpy(key + 1, &f->oid, sizeof(f->oid));
	if (seen_before(job, key, sizeof(key)))
		return;
	if (depth + 1 > SCREEN_MAX_DEPTH)
	{
		fail(job, SCREEN_UNKNOWN, "", "could not screen the statement: SQL functions nest more than %d deep (at %s)",
			 SCREEN_MAX_DEPTH, f->signature);
		return;
	}
	if (job->nbodies == job->bodies_cap)
	{
		job->bodies_cap = job->bodies_cap ? 2 * job->bodies_cap : 8;
		job->bodies = xrealloc(job->bodies, (size_t) job->bodies_cap * sizeof(pending_body));
	}
	b = &job->bodies[job->nbodies++];
	b->func = f;
	b->prefix = prefix;
	b->depth = depth + 1;
}

/* Whether f passes without more ado: not volatile, and no body to follow. */
static int
passes_outright(const screen_func *f)
{
	return f->volatility != 'v' && f->body == NULL && !f->atomic;
}

/*
 * Judge one function the statement reaches by prefix: a volatile one
 * fails unless harmless (nextval only in a read-write transaction); a
 * user SQL function passes on its label only once its body does.
 */
static void
judge_func(screen_job *job, const screen_func *f, const char *prefix, int depth)
{
	if (f->volatility == 'v')
	{
		if (strcmp(f->schema, "pg_catalog") == 0 && strcmp(f->name, "nextval") == 0)
		{
			if (!job->read_write)
				fail(job, SCREEN_UNSAFE, prefix, "calls %s, which would draw a value from a sequence",
					 f->signature);
		}
		else if (!screen_harmless_volatile(f->schema, f->name, f->extname))
			fail(job, SCREEN_UNSAFE, prefix, "calls volatile function %s", f->signature);
		return;
	}
	if (f->body || f->atomic)
		queue_body(job, f, prefix, depth);
}

static void
judge_type(screen_job *job, const screen_vtype *t, const char *prefix)
{
	const screen_func *f = screen_func_by_oid(job->cat, t->func);

	fail(job, SCREEN_UNSAFE, prefix, "casts to type %s.%s, which calls volatile function %s",
		 t->schema, t->name, f ? f->signature : "(one not in the catalog)");
}

/*
 * Judge the function behind operator o, used by the statement through
 * prefix.  Most operators pass outright; only the others pay for the
 * longer prefix.
 */
static void
judge_oper(screen_job *job, const screen_oper *o, const char *prefix, int depth)
{
	const screen_func *f = screen_func_by_oid(job->cat, o->code);
	const char *via;

	if (f && passes_outright(f))
		return;
	via = job_printf(job, "%suses operator %s.%s, which ", prefix, o->schema, o->name);
	if (f)
		judge_func(job, f, via, depth);
	else
		fail(job, SCREEN_UNSAFE, via, "calls function with oid %u, which is not in the catalog", o->code);
}

/*
 * Judge what a node tree on the server names by oid: a function ('f'),
 * an operator ('o') or a type that may be converted to ('t').
 */
static void
judge_ref(screen_job *job, char ref, screen_oid oid, const char *prefix, int depth)
{
	if (ref == 'f')
	{
		const screen_func *f = screen_func_by_oid(job->cat, oid);

		if (f)
			judge_func(job, f, prefix, depth);
		else
			fail(job, SCREEN_UNSAFE, prefix, "calls function with oid %u, which is not in the catalog", oid);
	}
	else if (ref == 'o')
	{
		const screen_oper *o = screen_oper_by_oid(job->cat, oid);

		if (o)
			judge_oper(job, o, prefix, depth);
		else
			fail(job, SCREEN_UNSAFE, prefix, "uses operator with oid %u, which is not in the catalog", oid);
	}
	else if (ref == 't')
	{
		const screen_vtype *t = screen_vtype_by_oid(job->cat, oid);

		if (t)
			judge_type(job, t, prefix);
	}
}

/*
 * Names in the tree
 */

/* schema.name (schema NULL: name) as SQL would write it, for a reason. */
static const char *
display_name(screen_job *job, const char *schema, const char *name)
{
	strbuf		sb;
	const char *copy;

	strbuf_init(&sb);
	sql_append_qualified(&sb, schema, name);
	copy = arena_strdup(job->mem, sb.data);
	strbuf_free(&sb);
	return copy;
}

/* Judge the call schema.name(nargs arguments); schema NULL: unqualified. */
static void
judge_call(walk_ctx *wc, const char *schema, const char *name, int nargs)
{
	screen_job *job = wc->job;
	int			found = 0;

	for (const screen_func *f = screen_func_candidate(job->cat, schema, name, nargs, NULL);
		 f && job->verdict == SCREEN_SAFE;
		 f = screen_func_candidate(job->cat, schema, name, nargs, f))
	{
		found++;
		judge_func(job, f, wc->prefix, wc->depth);
	}
	if (found == 0)
		fail(job, SCREEN_UNSAFE, wc->prefix, "calls function %s(), which is not in the catalog",
			 display_name(job, schema, name));
}

/* Judge every operator schema.name of the arity (prefix: unary). */
static void
judge_operator(walk_ctx *wc, const char *schema, const char *name, int prefix)
{
	screen_job *job = wc->job;
	int			found = 0;

	for (const screen_oper *o = screen_oper_candidate(job->cat, schema, name, prefix, NULL);
		 o && job->verdict == SCREEN_SAFE;
		 o = screen_oper_candidate(job->cat, schema, name, prefix, o))
	{
		found++;
		judge_oper(job, o, wc->prefix, wc->depth);
	}
	if (found == 0)
		fail(job, SCREEN_UNSAFE, wc->prefix, "uses operator %s%s%s, which is not in the catalog",
			 schema ? schema : "", schema ? "." : "", name);
}

/* Split a list of String nodes (schema optional, then name); 0 if it is not one. */
static int
qualified_name(PgQuery__Node *const *items, size_t n, const char **schema, const char **name)
{
	*schema = NULL;
	*name = NULL;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (items[i]->node_case != PG_QUERY__NODE__NODE_STRING)
			return 0;
	*name = items[n - 1]->string->sval;
	if (n >= 2)
		*schema = items[n - 2]->string->sval;
	return 1;
}

static void
visit_operator_name(walk_ctx *wc, PgQuery__Node *const *items, size_t n, int prefix)
{
	const char *schema,
			   *name;

	if (qualified_name(items, n, &schema, &name))
		judge_operator(wc, schema, name, prefix);
}

static void
visit_a_expr(walk_ctx *wc, const PgQuery__AExpr *e)
{
	static const char *const between_ops[] = {">=", "<=", "<", ">"};

	switch (e->kind)
	{
		case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
		case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
		case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
		case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM:
			/* the grammar names these "BETWEEN"; the parser turns them into comparisons */
			for (size_t i = 0; i < sizeof(between_ops) / sizeof(between_ops[0]); i++)
				judge_operator(wc, NULL, between_ops[i], 0);
			break;
		default:
			visit_operator_name(wc, e->name, e->n_name, e->lexpr == NULL);
			break;
	}
}

static void
visit_func_call(walk_ctx *wc, const PgQuery__FuncCall *fc)
{
	const char *schema,
			   *name;
	size_t		nargs = fc->n_args;

	if (fc->agg_within_group)
		nargs += fc->n_agg_order;
	if (qualified_name(fc->funcname, fc->n_funcname, &schema, &name))
		judge_call(wc, schema, name, (int) nargs);
}

/* A value converted to the type tn names: its input and cast functions run. */
static void
visit_type_name(walk_ctx *wc, const PgQuery__TypeName *tn)
{
	const char *schema,
			   *name;
	const screen_vtype *t;

	if (tn == NULL || !qualified_name(tn->names, tn->n_names, &schema, &name))
		return;
	/* an array of the type converts through the element type's input and casts */
	t = screen_vtype_named(wc->job->cat, schema, name);
	if (t)
		judge_type(wc->job, t, wc->prefix);
}

static void
visit_type_cast(walk_ctx *wc, const PgQuery__TypeCast *tc)
{
	visit_type_name(wc, tc->type_name);
}

/* Queue a relation named in the tree; it is written when it is a DML statement's target. */
static void
visit_range_var(walk_ctx *wc, const PgQuery__RangeVar *rv, const ProtobufCMessage *parent,
				const ProtobufCFieldDescriptor *field)
{
	const ProtobufCMessageDescriptor *pd = parent ? parent->descriptor : NULL;
	int			written = field && strcmp(field->name, "relation") == 0 &&
		(pd == &pg_query__insert_stmt__descriptor || pd == &pg_query__update_stmt__descriptor ||
		 pd == &pg_query__delete_stmt__descriptor || pd == &pg_query__merge_stmt__descriptor);
	strbuf		sb;

	if (rv->relname == NULL || rv->relname[0] == '\0')
		return;
	strbuf_init(&sb);
	if (rv->schemaname && rv->schemaname[0])
	{
		sql_append_quoted(&sb, rv->schemaname);
		strbuf_putc(&sb, '.');
	}
	sql_append_quoted(&sb, rv->relname);
	queue_relation(wc->job, arena_strdup(wc->job->mem, sb.data), written, wc->prefix, wc->depth);
	strbuf_free(&sb);
}

static int
visit(void *arg, const ProtobufCMessage *m, const ProtobufCMessage *parent,
	  const ProtobufCFieldDescriptor *field)
{
	walk_ctx   *wc = arg;
	const ProtobufCMessageDescriptor *d = m->descriptor;

	if (d == &pg_query__func_call__descriptor)
		visit_func_call(wc, (const PgQuery__FuncCall *) m);
	else if (d == &pg_query__a__expr__descriptor)
		visit_a_expr(wc, (const PgQuery__AExpr *) m);
	else if (d == &pg_query__sub_link__descriptor)
	{
		const PgQuery__SubLink *s = (const PgQuery__SubLink *) m;

		visit_operator_name(wc, s->oper_name, s->n_oper_name, 0);
	}
	else if (d == &pg_query__sort_by__descriptor)
	{
		const PgQuery__SortBy *s = (const PgQuery__SortBy *) m;

		visit_operator_name(wc, s->use_op, s->n_use_op, 0);
	}
	else if (d == &pg_query__type_cast__descriptor)
		visit_type_cast(wc, (const PgQuery__TypeCast *) m);
	else if (d == &pg_query__type_name__descriptor && wc->ddl)
		visit_type_name(wc, (const PgQuery__TypeName *) m);
	else if (d == &pg_query__range_var__descriptor && !wc->ddl)
		visit_range_var(wc, (const PgQuery__RangeVar *) m, parent, field);
	return wc->job->verdict == SCREEN_SAFE ? 0 : -1;
}

static void
walk(screen_job *job, const PgQuery__Node *stmt, const char *prefix, int depth)
{
	walk_ctx	wc = {.job = job, .prefix = prefix, .depth = depth};

	sql_tree_walk(&stmt->base, visit, &wc);
}

/* Walk a DDL statement's expressions (defaults, checks, USING, index expressions). */
static void
walk_ddl(screen_job *job, const PgQuery__Node *stmt)
{
	walk_ctx	wc = {.job = job, .prefix = "", .ddl = 1};

	sql_tree_walk(&stmt->base, visit, &wc);
}

/*
 * The work list
 */

/* Walk a SQL function's body (text) or judge what its BEGIN ATOMIC body uses. */
static void
screen_body(screen_job *job, const pending_body *b)
{
	const screen_func *f = b->func;
	const char *prefix = job_printf(job, "%scalls function %s, whose body ", b->prefix, f->signature);
	PgQuery__ParseResult *tree;
	char	   *error;

	if (f->atomic)
	{
		for (const screen_dep *d = f->deps; d && job->verdict == SCREEN_SAFE; d = d->next)
		{
			if (d->kind == 'r')
				queue_relation(job, d->relation, 0, prefix, b->depth);
			else
				judge_ref(job, d->kind, d->oid, prefix, b->depth);
		}
		return;
	}
	tree = sql_tree_parse(f->body, &error);
	if (tree == NULL)
	{
		fail(job, SCREEN_UNKNOWN, prefix, "could not be parsed: %s", error ? error : "");
		free(error);
		return;
	}
	for (size_t i = 0; i < tree->n_stmts && job->verdict == SCREEN_SAFE; i++)
		if (tree->stmts[i]->stmt)
			walk(job, tree->stmts[i]->stmt, prefix, b->depth);
	sql_tree_free(tree);
}

static const char *
relkind_word(char kind)
{
	switch (kind)
	{
		case 'r':
			return "table";
		case 'p':
			return "partitioned table";
		case 'v':
			return "view";
		case 'm':
			return "materialized view";
		case 'f':
			return "foreign table";
		default:
			return "relation";
	}
}

/* Whether what a node tree names by oid passes outright (most do). */
static int
ref_passes_outright(const screen_job *job, char ref, screen_oid oid)
{
	const screen_func *f = NULL;

	if (ref == 'f')
		f = screen_func_by_oid(job->cat, oid);
	else if (ref == 'o')
	{
		const screen_oper *o = screen_oper_by_oid(job->cat, oid);

		f = o ? screen_func_by_oid(job->cat, o->code) : NULL;
	}
	else if (ref == 't')
		return screen_vtype_by_oid(job->cat, oid) == NULL;
	return f && passes_outright(f);
}

/* Judge what one relation reaches (rel), queued as p. */
static void
judge_relation(screen_job *job, const pending_relation *p, const screen_relation *rel)
{
	for (int i = 0; i < rel->nreach && job->verdict == SCREEN_SAFE; i++)
	{
		const screen_reach *x = &rel->reach[i];
		const char *path;

		if (ref_passes_outright(job, x->ref, x->oid))
			continue;
		path = job_printf(job, "%s%s %s %s", p->prefix, p->written ? "writes" : "reads",
						  relkind_word(x->root_kind), x->root);
		if (strcmp(x->relation, x->root) != 0)
			path = job_printf(job, "%s, which %s %s %s", path, x->written ? "writes" : "reads",
							  relkind_word(x->kind), x->relation);
		if (x->ref == 'x')
			fail(job, SCREEN_UNSAFE, path, "%s", "");
		else
			judge_ref(job, x->ref, x->oid, job_printf(job, "%s, whose %s ", path, x->what), p->depth);
	}
}

/* Send every queued relation in one batch, then judge what they reach. */
static void
screen_relation_batch(screen_job *job)
{
	int			n = job->nrels - job->rels_done;
	pending_relation *batch = xmalloc((size_t) n * sizeof(pending_relation));
	const char **names = xmalloc((size_t) n * sizeof(char *));
	int		   *written = xmalloc((size_t) n * sizeof(int));
	const screen_relation **rels = xmalloc((size_t) n * sizeof(screen_relation *));
	char	   *error;

	/* judging queues more relations, which may move job->rels */
	memcpy(batch, job->rels + job->rels_done, (size_t) n * sizeof(pending_relation));
	job->rels_done = job->nrels;
	for (int i = 0; i < n; i++)
	{
		names[i] = batch[i].name;
		written[i] = batch[i].written;
	}
	if (screen_relations(job->cat, n, names, written, job->fetch, job->ctx, rels, &error) != 0)
	{
		fail(job, SCREEN_UNKNOWN, "", "could not screen the statement: %s", error);
		free(error);
	}
	else
		for (int i = 0; i < n && job->verdict == SCREEN_SAFE; i++)
			judge_relation(job, &batch[i], rels[i]);
	free(batch);
	free(names);
	free(written);
	free(rels);
}

/* Work through the queues until they are empty or a cause was found. */
static void
screen_queued(screen_job *job)
{
	while (job->verdict == SCREEN_SAFE)
	{
		if (job->bodies_done < job->nbodies)
		{
			pending_body b = job->bodies[job->bodies_done++];

			screen_body(job, &b);
		}
		else if (job->rels_done < job->nrels)
			screen_relation_batch(job);
		else
			break;
	}
}

/*
 * Utility statements are not screened (statement_node_is_query_or_dml):
 * what they do (COPY TO PROGRAM, CHECKPOINT, ...) is not a function call;
 * the sandbox never runs them, but for a migration's DDL, whose
 * expressions screen_migration_statement walks.
 */

/* Screen the one statement of sql: as a query, or (ddl) as a migration's DDL. */
static screen_verdict
screen_text(screen_catalog *cat, const char *sql, int read_write, int ddl,
			screen_fetch_fn fetch, void *ctx, char **reason)
{
	screen_job	job = {
		.cat = cat, .read_write = read_write, .fetch = fetch, .ctx = ctx,
		.verdict = SCREEN_SAFE,
	};
	PgQuery__ParseResult *tree = NULL;
	char	   *error = NULL;
	const PgQuery__Node *stmt = NULL;

	job.mem = arena_create(16 * 1024);
	job.seen = hashmap_create(64);
	if (cat == NULL)
		fail(&job, SCREEN_UNKNOWN, "", "could not screen the statement: the catalog was not loaded");
	else if ((tree = sql_tree_parse(sql, &error)) == NULL)
		fail(&job, SCREEN_UNKNOWN, "", "could not parse the statement: %s", error ? error : "");
	else if (tree->n_stmts != 1)
		fail(&job, SCREEN_UNKNOWN, "", "could not screen the statement: it holds %zu statements, not one",
			 tree->n_stmts);
	else if (statement_node_is_query_or_dml(stmt = tree->stmts[0]->stmt))
	{
		walk(&job, stmt, "", 0);
		screen_queued(&job);
	}
	else if (!ddl)
		fail(&job, SCREEN_UNKNOWN, "", "could not screen the statement: it is not a SELECT or DML statement");
	else if (stmt->node_case == PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT &&
			 stmt->create_table_as_stmt->query)
	{
		/* CREATE TABLE AS and CREATE MATERIALIZED VIEW run their query */
		walk(&job, stmt->create_table_as_stmt->query, "", 0);
		screen_queued(&job);
	}
	else
	{
		walk_ddl(&job, stmt);
		screen_queued(&job);
	}
	sql_tree_free(tree);
	free(error);
	free(job.rels);
	free(job.bodies);
	hashmap_destroy(job.seen);
	arena_destroy(job.mem);
	*reason = job.reason;
	return job.verdict;
}

screen_verdict
screen_statement(screen_catalog *cat, const char *sql, int read_write,
				 screen_fetch_fn fetch, void *ctx, char **reason)
{
	return screen_text(cat, sql, read_write, 0, fetch, ctx, reason);
}

screen_verdict
screen_migration_statement(screen_catalog *cat, const char *sql,
						   screen_fetch_fn fetch, void *ctx, char **reason)
{
	return screen_text(cat, sql, 1, 1, fetch, ctx, reason);
}
