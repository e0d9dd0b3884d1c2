/*-------------------------------------------------------------------------
 * screen_catalog.c
 *    The side-effect screen's picture of the server's catalog: functions,
 *    operators, volatile types and the search path, loaded once; and the
 *    closures of relations, fetched on demand and cached.
 *
 * The load is five constant queries, one round trip each, kept in one
 * arena and indexed by name and oid in hash maps; after it nothing in
 * that part changes, so the threads sharing a catalog read it without a
 * lock.  Names are resolved here too, as PostgreSQL would through the
 * search path, short of argument types.
 *
 * What a relation brings with it is worked out on the server, in one
 * recursive query per batch of (up to 16) relation names: the relations
 * its rewrite rules (views), policies and inheritance children reach,
 * and for written ones the tables whose foreign keys act on them; then
 * the node trees of their rules, policies, defaults, CHECK constraints
 * and trigger conditions, and their trigger functions.  The functions a
 * node tree calls are read out of its text (":funcid 2096"), not out of
 * pg_depend: PostgreSQL records no dependency on pinned objects, so a
 * view calling pg_terminate_backend() has no pg_depend row naming it.
 * The query returns oids only; screen.c judges them against the loaded
 * catalog.  Results are cached per (name as written, written) under the
 * catalog's mutex; a failed query caches nothing.
 *-------------------------------------------------------------------------
 */
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/lib/strbuf.h"
#include "src/live/screen_private.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct screen_catalog
{
	arena	   *mem;			/* everything loaded */
	hashmap    *funcs_by_name;	/* name -> screen_func list */
	hashmap    *funcs_by_oid;
	hashmap    *opers_by_name;	/* name -> screen_oper list */
	hashmap    *opers_by_oid;
	hashmap    *vtypes_by_name; /* name -> screen_vtype list */
	hashmap    *vtypes_by_oid;
	const char **path;			/* current_schemas(true) */
	int			npath;

	pthread_mutex_t lock;		/* guards relations and relations_mem */
	hashmap    *relations;		/* written flag + name -> screen_relation */
	arena	   *relations_mem;
};

/*
 * What a node tree calls, as regexp_matches captures it: FuncExpr,
 * OpExpr and its kin, Aggref and WindowFunc name functions; OpExpr (and
 * ScalarArrayOpExpr, ...) operators; a result type may be one whose
 * input function a CoerceViaIO calls.
 */
#define NODE_CALLS "':(funcid|opfuncid|aggfnoid|winfnoid|opno|resulttype) ([0-9]+)', 'g'"
#define NODE_REF "CASE m[1] WHEN 'opno' THEN 'o' WHEN 'resulttype' THEN 't' ELSE 'f' END"
#define USER_SCHEMA(nsp) nsp " NOT IN ('pg_catalog', 'information_schema')"

/*
 * The signature is regprocedure's, which qualifies a function only when
 * the search path does not find it; outside pg_catalog it is always
 * qualified, so that a reason says which random() it means.  Only the
 * functions a reason can name get one (volatile ones, and user SQL
 * functions whose bodies are followed): printing 3,000 signatures was
 * most of the load's time.  Bodies are
 * kept only of SQL functions outside the system schemas (the ones the
 * screen follows); a BEGIN ATOMIC body has an empty prosrc.
 */
static const char funcs_sql[] =
"SELECT p.oid, n.nspname, p.proname, p.pronargs, p.pronargdefaults, p.provariadic <> 0,"
" p.provolatile,"
" CASE WHEN p.provolatile <> 'v' AND NOT (l.lanname = 'sql' AND " USER_SCHEMA("n.nspname") ") THEN ''"
"  WHEN n.nspname = 'pg_catalog' OR NOT pg_function_is_visible(p.oid)"
"  THEN p.oid::regprocedure::text"
"  ELSE quote_ident(n.nspname) || '.' || p.oid::regprocedure::text END,"
" p.proargtypes::text, e.extname,"
" CASE WHEN l.lanname = 'sql' AND " USER_SCHEMA("n.nspname") " THEN p.prosrc END"
" FROM pg_proc p"
" JOIN pg_namespace n ON n.oid = p.pronamespace"
" JOIN pg_language l ON l.oid = p.prolang"
" LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid"
"  AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'"
" LEFT JOIN pg_extension e ON e.oid = d.refobjid";

/*
 * What the BEGIN ATOMIC bodies of user SQL functions call (from the node
 * tree, since pg_depend omits pinned functions) and read (pg_depend has
 * every relation but the pinned system catalogs, which are plain tables).
 * prosqlbody is read through to_jsonb so that the text also runs on
 * servers older than 14, which have no such column and no such bodies.
 */
static const char atomic_sql[] =
"WITH atomic AS ("
" SELECT p.oid, to_jsonb(p) ->> 'prosqlbody' AS body"
" FROM pg_proc p"
" JOIN pg_namespace n ON n.oid = p.pronamespace"
" JOIN pg_language l ON l.oid = p.prolang"
" WHERE l.lanname = 'sql' AND p.prosrc = '' AND " USER_SCHEMA("n.nspname") ")"
" SELECT a.oid, " NODE_REF ", m[2]"
" FROM atomic a CROSS JOIN LATERAL regexp_matches(a.body, " NODE_CALLS ") m"
" UNION"
" SELECT a.oid, 'r', quote_ident(rn.nspname) || '.' || quote_ident(c.relname)"
" FROM atomic a"
" JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.oid"
"  AND d.refclassid = 'pg_class'::regclass"
" JOIN pg_class c ON c.oid = d.refobjid"
" JOIN pg_namespace rn ON rn.oid = c.relnamespace";

static const char opers_sql[] =
"SELECT o.oid, n.nspname, o.oprname, o.oprleft = 0, o.oprcode::oid"
" FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace"
" WHERE o.oprcode <> 0";

/* Stock PostgreSQL has none; a user type may. */
static const char vtypes_sql[] =
"SELECT t.oid, n.nspname, t.typname, min(f.func::oid)"
" FROM pg_type t"
" JOIN pg_namespace n ON n.oid = t.typnamespace"
" CROSS JOIN LATERAL (SELECT t.typinput::oid"
"  UNION ALL SELECT c.castfunc FROM pg_cast c WHERE c.casttarget = t.oid) f(func)"
" JOIN pg_proc p ON p.oid = f.func"
" WHERE p.provolatile = 'v'"
" GROUP BY t.oid, n.nspname, t.typname";

static const char path_sql[] = "SELECT unnest(current_schemas(true))";

/*
 * Relations per query.  The planner costs a recursive CTE at ten rounds
 * of its recursive term, so the estimate grows with the batch; sixteen
 * names stay well under the default jit_above_cost (100000), and JIT
 * compiling this query would take longer than running it.
 */
#define RELATION_BATCH 16

/*
 * The closure of a batch of relations ($1 names as written, resolved by
 * to_regclass under the session's search path; $2 whether each is
 * written).  reach walks from each named relation: to what the rewrite
 * rules read (only the SELECT rule when the relation is read; a
 * materialized view's is never run) and its policies read, to its
 * inheritance children and, when written, to the tables whose foreign
 * keys may act on it.  A written view writes what its rules reach.
 * tree holds the node trees of the parts that run; calls what they call;
 * each row then says which relation named it (root), whose part it is,
 * and the function ('f'), operator ('o') or type ('t') oid, or 'x' for a
 * foreign table.
 */
static const char relations_sql[] =
"WITH RECURSIVE"
" input AS ("
"  SELECT n.ord, to_regclass(n.name)::oid AS rel, coalesce(w.written, false) AS written"
"  FROM unnest($1::text[]) WITH ORDINALITY AS n(name, ord)"
"  JOIN unnest($2::bool[]) WITH ORDINALITY AS w(written, ord) USING (ord)),"
" reach(root, rel, written) AS ("
"  SELECT ord, rel, written FROM input WHERE rel IS NOT NULL"
"  UNION"
"  SELECT r.root, x.rel, x.written"
"  FROM reach r JOIN pg_class c ON c.oid = r.rel"
"  CROSS JOIN LATERAL ("
"   SELECT d.refobjid, r.written"
"   FROM pg_rewrite rw"
"   JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid"
"   WHERE rw.ev_class = r.rel AND c.relkind <> 'm' AND (r.written OR rw.ev_type = '1')"
"    AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.rel"
"   UNION ALL"
"   SELECT d.refobjid, false"
"   FROM pg_policy po"
"   JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = po.oid"
"   WHERE c.relrowsecurity AND po.polrelid = r.rel"
"    AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.rel"
"   UNION ALL"
"   SELECT i.inhrelid, r.written FROM pg_inherits i WHERE i.inhparent = r.rel"
"   UNION ALL"
"   SELECT k.conrelid, true FROM pg_constraint k"
"   WHERE r.written AND k.contype = 'f' AND k.confrelid = r.rel AND k.conrelid <> r.rel"
"  ) x(rel, written)),"
" tree AS ("
"  SELECT r.root, r.rel, r.written,"
"   CASE WHEN rw.rulename = '_RETURN' THEN 'definition'"
"    ELSE 'rule ' || quote_ident(rw.rulename) END AS what,"
"   rw.ev_action::text || ' ' || coalesce(rw.ev_qual::text, '') AS node"
"  FROM reach r JOIN pg_class c ON c.oid = r.rel"
"  JOIN pg_rewrite rw ON rw.ev_class = r.rel"
"  WHERE c.relkind <> 'm' AND (r.written OR rw.ev_type = '1')"
"  UNION ALL"
"  SELECT r.root, r.rel, r.written, 'policy ' || quote_ident(po.polname),"
"   coalesce(po.polqual::text, '') || ' ' || coalesce(po.polwithcheck::text, '')"
"  FROM reach r JOIN pg_class c ON c.oid = r.rel"
"  JOIN pg_policy po ON po.polrelid = r.rel"
"  WHERE c.relrowsecurity"
"  UNION ALL"
"  SELECT r.root, r.rel, r.written, 'default of column ' || quote_ident(a.attname), ad.adbin::text"
"  FROM reach r JOIN pg_attrdef ad ON ad.adrelid = r.rel"
"  JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum"
"  WHERE r.written"
"  UNION ALL"
"  SELECT r.root, r.rel, r.written, 'check constraint ' || quote_ident(k.conname), k.conbin::text"
"  FROM reach r JOIN pg_constraint k ON k.conrelid = r.rel AND k.contype = 'c'"
"  WHERE r.written"
"  UNION ALL"
"  SELECT r.root, r.rel, r.written, 'trigger ' || quote_ident(t.tgname), coalesce(t.tgqual::text, '')"
"  FROM reach r JOIN pg_trigger t ON t.tgrelid = r.rel"
"  WHERE r.written AND NOT t.tgisinternal AND t.tgenabled <> 'D'),"
" calls AS ("
"  SELECT t.root, t.rel, t.written, t.what, " NODE_REF " AS ref, m[2]::oid AS id"
"  FROM tree t CROSS JOIN LATERAL regexp_matches(t.node, " NODE_CALLS ") m"
"  UNION ALL"
"  SELECT r.root, r.rel, r.written, 'trigger ' || quote_ident(t.tgname), 'f', t.tgfoid"
"  FROM reach r JOIN pg_trigger t ON t.tgrelid = r.rel"
"  WHERE r.written AND NOT t.tgisinternal AND t.tgenabled <> 'D'"
"  UNION ALL"
"  SELECT r.root, r.rel, r.written, 'foreign', 'x', 0"
"  FROM reach r JOIN pg_class c ON c.oid = r.rel WHERE c.relkind = 'f'),"
" found AS (SELECT DISTINCT * FROM calls)"
" SELECT f.root, quote_ident(rn.nspname) || '.' || quote_ident(rc.relname), rc.relkind,"
"  quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind,"
"  f.written, f.what, f.ref, f.id"
" FROM found f"
" JOIN input i ON i.ord = f.root"
" JOIN pg_class rc ON rc.oid = i.rel"
" JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
" JOIN pg_class c ON c.oid = f.rel"
" JOIN pg_namespace n ON n.oid = c.relnamespace"
" ORDER BY f.root, f.rel = i.rel DESC, f.rel, f.what, f.ref, f.id";

/* A column's text, or NULL when it is null. */
static const char *
column(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static screen_oid
column_oid(const PGresult *r, int row, int col)
{
	return (screen_oid) strtoul(PQgetvalue(r, row, col), NULL, 10);
}

static int
column_bool(const PGresult *r, int row, int col)
{
	return PQgetvalue(r, row, col)[0] == 't';
}

/* Run one query; its result when it returned rows of ncols columns, else NULL. */
static PGresult *
fetch_rows(screen_fetch_fn fetch, void *ctx, const char *sql, int ncols,
		   int nparams, const char *const *params)
{
	PGresult   *r = fetch(ctx, sql, nparams, params);

	if (r && (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != ncols))
	{
		PQclear(r);
		r = NULL;
	}
	return r;
}

/* The slot of key in an index, for prepending to its list. */
static void **
index_slot(hashmap *m, const void *key, size_t len)
{
	int			inserted;

	return hashmap_put(m, key, len, hash_bytes(key, len), &inserted);
}

static void *
index_get(const hashmap *m, const void *key, size_t len)
{
	return hashmap_get(m, key, len, hash_bytes(key, len));
}

static void
load_funcs(screen_catalog *cat, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++)
	{
		screen_func *f = arena_zalloc(cat->mem, sizeof(screen_func));
		const char *body = column(r, i, 10);
		void	  **slot;

		f->oid = column_oid(r, i, 0);
		f->schema = arena_strdup(cat->mem, PQgetvalue(r, i, 1));
		f->name = arena_strdup(cat->mem, PQgetvalue(r, i, 2));
		f->nargs = atoi(PQgetvalue(r, i, 3));
		f->ndefaults = atoi(PQgetvalue(r, i, 4));
		f->variadic = column_bool(r, i, 5);
		f->volatility = PQgetvalue(r, i, 6)[0];
		f->signature = arena_strdup(cat->mem, PQgetvalue(r, i, 7));
		f->argtypes = arena_strdup(cat->mem, PQgetvalue(r, i, 8));
		f->extname = arena_strdup(cat->mem, column(r, i, 9));
		f->atomic = body != NULL && body[0] == '\0';
		f->body = f->atomic ? NULL : arena_strdup(cat->mem, body);
		slot = index_slot(cat->funcs_by_name, f->name, strlen(f->name));
		f->next = *slot;
		*slot = f;
		*index_slot(cat->funcs_by_oid, &f->oid, sizeof(f->oid)) = f;
	}
}

static void
load_atomic(screen_catalog *cat, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++)
	{
		screen_oid	fn = column_oid(r, i, 0);
		screen_func *f = index_get(cat->funcs_by_oid, &fn, sizeof(fn));
		screen_dep *d;

		if (f == NULL)
			continue;			/* created between the two queries */
		d = arena_zalloc(cat->mem, sizeof(screen_dep));
		d->kind = PQgetvalue(r, i, 1)[0];
		if (d->kind == 'r')
			d->relation = arena_strdup(cat->mem, PQgetvalue(r, i, 2));
		else
			d->oid = column_oid(r, i, 2);
		d->next = f->deps;
		f->deps = d;
	}
}

static void
load_opers(screen_catalog *cat, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++)
	{
		screen_oper *o = arena_zalloc(cat->mem, sizeof(screen_oper));
		void	  **slot;

		o->oid = column_oid(r, i, 0);
		o->schema = arena_strdup(cat->mem, PQgetvalue(r, i, 1));
		o->name = arena_strdup(cat->mem, PQgetvalue(r, i, 2));
		o->prefix = column_bool(r, i, 3);
		o->code = column_oid(r, i, 4);
		slot = index_slot(cat->opers_by_name, o->name, strlen(o->name));
		o->next = *slot;
		*slot = o;
		*index_slot(cat->opers_by_oid, &o->oid, sizeof(o->oid)) = o;
	}
}

static void
load_vtypes(screen_catalog *cat, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++)
	{
		screen_vtype *t = arena_zalloc(cat->mem, sizeof(screen_vtype));
		void	  **slot;

		t->oid = column_oid(r, i, 0);
		t->schema = arena_strdup(cat->mem, PQgetvalue(r, i, 1));
		t->name = arena_strdup(cat->mem, PQgetvalue(r, i, 2));
		t->func = column_oid(r, i, 3);
		slot = index_slot(cat->vtypes_by_name, t->name, strlen(t->name));
		t->next = *slot;
		*slot = t;
		*index_slot(cat->vtypes_by_oid, &t->oid, sizeof(t->oid)) = t;
	}
}

static void
load_path(screen_catalog *cat, const PGresult *r)
{
	cat->npath = PQntuples(r);
	cat->path = arena_zalloc(cat->mem, (size_t) (cat->npath + 1) * sizeof(char *));
	for (int i = 0; i < cat->npath; i++)
		cat->path[i] = arena_strdup(cat->mem, PQgetvalue(r, i, 0));
}

static screen_catalog *
catalog_new(void)
{
	screen_catalog *cat = xcalloc(1, sizeof(screen_catalog));

	cat->mem = arena_create(0);
	cat->funcs_by_name = hashmap_create(4096);
	cat->funcs_by_oid = hashmap_create(4096);
	cat->opers_by_name = hashmap_create(1024);
	cat->opers_by_oid = hashmap_create(1024);
	cat->vtypes_by_name = hashmap_create(16);
	cat->vtypes_by_oid = hashmap_create(16);
	cat->relations = hashmap_create(64);
	cat->relations_mem = arena_create(0);
	pthread_mutex_init(&cat->lock, NULL);
	return cat;
}

screen_catalog *
screen_catalog_load(screen_fetch_fn fetch, void *ctx)
{
	static const struct
	{
		const char *sql;
		int			ncols;
		void		(*load) (screen_catalog *cat, const PGresult *r);
	}			steps[] = {
		/* functions first: the atomic bodies attach to them */
		{funcs_sql, 11, load_funcs},
		{atomic_sql, 3, load_atomic},
		{opers_sql, 5, load_opers},
		{vtypes_sql, 4, load_vtypes},
		{path_sql, 1, load_path},
	};
	screen_catalog *cat = catalog_new();

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
	{
		PGresult   *r = fetch_rows(fetch, ctx, steps[i].sql, steps[i].ncols, 0, NULL);

		if (r == NULL)
		{
			screen_catalog_free(cat);
			return NULL;
		}
		steps[i].load(cat, r);
		PQclear(r);
	}
	return cat;
}

void
screen_catalog_free(screen_catalog *cat)
{
	if (cat == NULL)
		return;
	hashmap_destroy(cat->funcs_by_name);
	hashmap_destroy(cat->funcs_by_oid);
	hashmap_destroy(cat->opers_by_name);
	hashmap_destroy(cat->opers_by_oid);
	hashmap_destroy(cat->vtypes_by_name);
	hashmap_destroy(cat->vtypes_by_oid);
	hashmap_destroy(cat->relations);
	arena_destroy(cat->relations_mem);
	arena_destroy(cat->mem);
	pthread_mutex_destroy(&cat->lock);
	free(cat);
}

const screen_func *
screen_func_by_oid(const screen_catalog *cat, screen_oid oid)
{
	return index_get(cat->funcs_by_oid, &oid, sizeof(oid));
}

const screen_oper *
screen_oper_by_oid(const screen_catalog *cat, screen_oid oid)
{
	return index_get(cat->opers_by_oid, &oid, sizeof(oid));
}

const screen_vtype *
screen_vtype_by_oid(const screen_catalog *cat, screen_oid oid)
{
	return index_get(cat->vtypes_by_oid, &oid, sizeof(oid));
}

/*
 * Name resolution
 */

/* Where schema is in the search path for functions and operators, or -1. */
static int
path_position(const screen_catalog *cat, const char *schema)
{
	/* the temporary schema is searched for relations and types only */
	if (strncmp(schema, "pg_temp", 7) == 0)
		return -1;
	for (int i = 0; i < cat->npath; i++)
		if (strcmp(cat->path[i], schema) == 0)
			return i;
	return -1;
}

static int
nargs_fit(const screen_func *f, int nargs)
{
	if (nargs >= f->nargs - f->ndefaults && nargs <= f->nargs)
		return 1;
	return f->variadic && nargs >= f->nargs - 1;
}

/*
 * Whether unqualified f, in search path position pos, is hidden by a
 * function of the same name and argument types in an earlier schema.
 */
static int
shadowed(const screen_catalog *cat, const screen_func *f, int pos)
{
	for (const screen_func *g = index_get(cat->funcs_by_name, f->name, strlen(f->name)); g; g = g->next)
	{
		int			p = path_position(cat, g->schema);

		if (g != f && p >= 0 && p < pos && strcmp(g->argtypes, f->argtypes) == 0)
			return 1;
	}
	return 0;
}

const screen_func *
screen_func_candidate(const screen_catalog *cat, const char *schema, const char *name,
					  int nargs, const screen_func *prev)
{
	const screen_func *f = prev ? prev->next : index_get(cat->funcs_by_name, name, strlen(name));

	for (; f; f = f->next)
	{
		int			pos = schema ? -1 : path_position(cat, f->schema);

		if (!nargs_fit(f, nargs))
			continue;
		if (schema ? strcmp(f->schema, schema) == 0 : pos >= 0 && !shadowed(cat, f, pos))
			return f;
	}
	return NULL;
}

const screen_oper *
screen_oper_candidate(const screen_catalog *cat, const char *schema, const char *name,
					  int prefix, const screen_oper *prev)
{
	const screen_oper *o = prev ? prev->next : index_get(cat->opers_by_name, name, strlen(name));

	for (; o; o = o->next)
		if (o->prefix == prefix &&
			(schema ? strcmp(o->schema, schema) == 0 : path_position(cat, o->schema) >= 0))
			return o;
	return NULL;
}

const screen_vtype *
screen_vtype_named(const screen_catalog *cat, const char *schema, const char *name)
{
	for (const screen_vtype *t = index_get(cat->vtypes_by_name, name, strlen(name)); t; t = t->next)
		if (schema == NULL || strcmp(t->schema, schema) == 0)
			return t;
	return NULL;
}

/*
 * The relation cache
 */

/* The cache key of a relation: 'w' or 'r', then the name. */
static char *
relation_key(const char *name, int written, size_t *len)
{
	size_t		n = strlen(name);
	char	   *key = xmalloc(n + 2);

	key[0] = written ? 'w' : 'r';
	memcpy(key + 1, name, n + 1);
	*len = n + 1;
	return key;
}

static const screen_relation *
cached_relation(screen_catalog *cat, const char *name, int written)
{
	size_t		len;
	char	   *key = relation_key(name, written, &len);
	const screen_relation *rel = index_get(cat->relations, key, len);

	free(key);
	return rel;
}

/* Append s to an array literal's element list, quoted. */
static void
array_element(strbuf *sb, const char *s)
{
	if (sb->len > 1)
		strbuf_putc(sb, ',');
	strbuf_putc(sb, '"');
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			strbuf_putc(sb, '\\');
		strbuf_putc(sb, *s);
	}
	strbuf_putc(sb, '"');
}

/*
 * Cache the rows of r for the relation it numbers root (1-based among
 * the names fetched), unless another thread cached it meanwhile; the
 * caller holds the lock.  Rows of one root are consecutive.
 */
static const screen_relation *
cache_relation(screen_catalog *cat, const PGresult *r, int *row, int root,
			   const char *name, int written)
{
	size_t		len;
	char	   *key = relation_key(name, written, &len);
	int			inserted;
	void	  **slot = hashmap_put(cat->relations, key, len, hash_bytes(key, len), &inserted);
	screen_relation *rel = *slot;
	screen_reach *reach;
	int			first = *row;

	free(key);
	while (*row < PQntuples(r) && atoi(PQgetvalue(r, *row, 0)) == root)
		(*row)++;
	if (rel)
		return rel;
	rel = arena_zalloc(cat->relations_mem, sizeof(screen_relation));
	rel->nreach = *row - first;
	reach = arena_zalloc(cat->relations_mem, (size_t) (rel->nreach + 1) * sizeof(screen_reach));
	rel->reach = reach;
	for (int i = 0; i < rel->nreach; i++)
	{
		screen_reach *x = &reach[i];
		int			k = first + i;

		x->root = arena_strdup(cat->relations_mem, PQgetvalue(r, k, 1));
		x->root_kind = PQgetvalue(r, k, 2)[0];
		x->relation = arena_strdup(cat->relations_mem, PQgetvalue(r, k, 3));
		x->kind = PQgetvalue(r, k, 4)[0];
		x->written = column_bool(r, k, 5);
		x->what = arena_strdup(cat->relations_mem, PQgetvalue(r, k, 6));
		x->ref = PQgetvalue(r, k, 7)[0];
		x->oid = column_oid(r, k, 8);
	}
	*slot = rel;
	return rel;
}

/*
 * Fetch the closures of the n names that which[] points at, in one query,
 * and cache them.
 */
static int
fetch_relations(screen_catalog *cat, int n, const int *which, const char *const *names,
				const int *written, screen_fetch_fn fetch, void *ctx, const screen_relation **out)
{
	strbuf		nb,
				wb;
	const char *params[2];
	PGresult   *r;
	int			row = 0;

	strbuf_init(&nb);
	strbuf_init(&wb);
	strbuf_putc(&nb, '{');
	strbuf_putc(&wb, '{');
	for (int i = 0; i < n; i++)
	{
		array_element(&nb, names[which[i]]);
		array_element(&wb, written[which[i]] ? "t" : "f");
	}
	strbuf_putc(&nb, '}');
	strbuf_putc(&wb, '}');
	params[0] = nb.data;
	params[1] = wb.data;
	r = fetch_rows(fetch, ctx, relations_sql, 9, 2, params);
	strbuf_free(&nb);
	strbuf_free(&wb);
	if (r == NULL)
		return -1;
	pthread_mutex_lock(&cat->lock);
	for (int i = 0; i < n; i++)
		out[which[i]] = cache_relation(cat, r, &row, i + 1, names[which[i]], written[which[i]]);
	pthread_mutex_unlock(&cat->lock);
	PQclear(r);
	return 0;
}

int
screen_relations(screen_catalog *cat, int n, const char *const *names, const int *written,
				 screen_fetch_fn fetch, void *ctx, const screen_relation **out, char **error)
{
	int		   *missing = xmalloc((size_t) (n > 0 ? n : 1) * sizeof(int));
	int			nmissing = 0,
				rc = 0;

	*error = NULL;
	pthread_mutex_lock(&cat->lock);
	for (int i = 0; i < n; i++)
	{
		out[i] = cached_relation(cat, names[i], written[i]);
		if (out[i] == NULL)
			missing[nmissing++] = i;
	}
	pthread_mutex_unlock(&cat->lock);
	/* the queries run unlocked: other threads' cached relations stay readable */
	for (int i = 0; i < nmissing && rc == 0; i += RELATION_BATCH)
	{
		int			chunk = nmissing - i < RELATION_BATCH ? nmissing - i : RELATION_BATCH;

		rc = fetch_relations(cat, chunk, missing + i, names, written, fetch, ctx, out);
	}
	free(missing);
	if (rc != 0)
		*error = xstrdup("the catalog query on the relations it uses failed");
	return rc;
}
