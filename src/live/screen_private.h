/*-------------------------------------------------------------------------
 * screen_private.h
 *    What screen.c (the judging) and screen_catalog.c (the loading and
 *    the relation cache) share of the side-effect screen.
 *
 * Everything loaded by screen_catalog_load lives in the catalog's arena
 * and never changes afterwards, so the lookups below need no lock.  Only
 * the relation cache grows while statements are screened; it has its own
 * mutex, and its entries, once inserted, are never changed or freed
 * before the catalog is.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SCREEN_PRIVATE_H
#define PGSIFT_SCREEN_PRIVATE_H

#include "src/live/screen.h"

typedef unsigned int screen_oid;

/* Something a BEGIN ATOMIC body refers to (what its node tree names). */
typedef struct screen_dep
{
	char		kind;			/* 'f' function, 'o' operator, 't' type, 'r' relation */
	screen_oid	oid;			/* for 'f', 'o', 't' */
	const char *relation;		/* for 'r': schema-qualified, quoted as needed */
	struct screen_dep *next;
} screen_dep;

/* One row of pg_proc. */
typedef struct screen_func
{
	screen_oid	oid;
	const char *schema;
	const char *name;
	const char *signature;		/* oid::regprocedure, qualified outside pg_catalog;
								 * "" for one no reason can name */
	const char *argtypes;		/* proargtypes as text ("23 20"), to tell overloads apart */
	const char *extname;		/* the extension it belongs to, or NULL */
	const char *body;			/* prosrc of a SQL function outside the system schemas */
	int			nargs;
	int			ndefaults;
	int			variadic;
	char		volatility;		/* 'i', 's' or 'v' */
	int			atomic;			/* a BEGIN ATOMIC body (see deps) */
	screen_dep *deps;			/* what an atomic body outside the system schemas uses */
	struct screen_func *next;	/* the next function of the same name */
} screen_func;

/* One row of pg_operator. */
typedef struct screen_oper
{
	screen_oid	oid;
	const char *schema;
	const char *name;
	int			prefix;			/* a prefix (unary) operator */
	screen_oid	code;			/* oprcode */
	struct screen_oper *next;	/* the next operator of the same name */
} screen_oper;

/* A type with a volatile input function or a volatile cast into it. */
typedef struct screen_vtype
{
	screen_oid	oid;
	const char *schema;
	const char *name;
	screen_oid	func;			/* that volatile function */
	struct screen_vtype *next;	/* the next type of the same name */
} screen_vtype;

/*
 * One thing the closure of a relation reaches: a function, operator or
 * type used by one of its parts, or a foreign table.
 */
typedef struct screen_reach
{
	const char *root;			/* the relation asked about, schema-qualified */
	char		root_kind;		/* its relkind */
	const char *relation;		/* the relation the part belongs to (root or one it reaches) */
	char		kind;			/* relkind of that relation */
	int			written;		/* whether that relation is written */
	const char *what;			/* the part: "definition", "trigger t_audit", ... */
	char		ref;			/* 'f' function, 'o' operator, 't' type, 'x' foreign table */
	screen_oid	oid;
} screen_reach;

/* The cached closure of one relation name (empty: a plain table, or not a relation). */
typedef struct screen_relation
{
	int			nreach;
	const screen_reach *reach;
} screen_relation;

/*
 * The functions a call schema.name(nargs arguments) may resolve to, one
 * at a time: the first with prev NULL, then the one after prev; NULL
 * when there are no more.  Unqualified (schema NULL), the search path is
 * followed, where a function hides one in a later schema with the same
 * argument types; argument types are not known, so every overload whose
 * argument count fits is a candidate.
 */
const screen_func *screen_func_candidate(const screen_catalog *cat, const char *schema,
										 const char *name, int nargs, const screen_func *prev);

/* The function with that oid, or NULL. */
const screen_func *screen_func_by_oid(const screen_catalog *cat, screen_oid oid);

/*
 * Likewise the operators schema.name (schema NULL: in the search path)
 * of the arity (prefix: unary), one at a time.
 */
const screen_oper *screen_oper_candidate(const screen_catalog *cat, const char *schema,
										 const char *name, int prefix, const screen_oper *prev);

/* The operator with that oid, or NULL. */
const screen_oper *screen_oper_by_oid(const screen_catalog *cat, screen_oid oid);

/*
 * A volatile type called name in schema (NULL: in any schema, since the
 * screen cannot tell which one a cast means), or NULL.
 */
const screen_vtype *screen_vtype_named(const screen_catalog *cat, const char *schema,
									   const char *name);

/* The volatile type with that oid, or NULL (also when the type is not volatile). */
const screen_vtype *screen_vtype_by_oid(const screen_catalog *cat, screen_oid oid);

/*
 * The closures of n relations, named as written in SQL (quoted as
 * needed) with whether each is written: out[i] for names[i], valid as
 * long as cat.  What is not cached yet is fetched, one query per 16
 * names, and cached.  0, or -1 with *error (malloc'd) when a query
 * failed (what it asked about is not cached).
 */
int			screen_relations(screen_catalog *cat, int n, const char *const *names,
							 const int *written, screen_fetch_fn fetch, void *ctx,
							 const screen_relation **out, char **error);

#endif
