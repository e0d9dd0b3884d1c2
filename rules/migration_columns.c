/*-------------------------------------------------------------------------
 * migration_columns.c
 *    Column types and defaults as a migration writes them (see
 *    migration_columns.h).
 *
 * The facts here were read from a PostgreSQL 15 server: provolatile in
 * pg_proc for the functions, and for the type changes the table's
 * relfilenode before and after each ALTER COLUMN TYPE on a table with a
 * row (it changes exactly when the table is rewritten).
 *-------------------------------------------------------------------------
 */
#include "rules/migration_columns.h"
#include "rules/migration_rules.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/lib/strbuf.h"
#include "src/sql/sql_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The built-in types the rules know, by the name the parse tree gives
 * them.  The grammar already folds the SQL spellings into pg_catalog
 * names (INTEGER and INT into int4, CHARACTER VARYING into varchar,
 * DECIMAL into numeric, TIMESTAMP WITH TIME ZONE into timestamptz, ...);
 * what arrives unqualified is a name as written, such as int8 or text.
 * serial and its kin are a shorthand of CREATE and ALTER TABLE for an
 * integer column with a sequence default.
 */
static const struct
{
	const char *written;
	const char *name;
	int			serial;
}			type_aliases[] = {
	{"int2", "int2", 0}, {"int4", "int4", 0}, {"int8", "int8", 0},
	{"serial", "int4", 4}, {"serial4", "int4", 4},
	{"bigserial", "int8", 8}, {"serial8", "int8", 8},
	{"smallserial", "int2", 2}, {"serial2", "int2", 2},
	{"varchar", "varchar", 0}, {"text", "text", 0}, {"bpchar", "bpchar", 0},
	{"numeric", "numeric", 0}, {"float4", "float4", 0}, {"float8", "float8", 0},
	{"bool", "bool", 0}, {"timestamp", "timestamp", 0}, {"timestamptz", "timestamptz", 0},
	{"time", "time", 0}, {"timetz", "timetz", 0}, {"date", "date", 0},
	{"interval", "interval", 0}, {"bit", "bit", 0}, {"varbit", "varbit", 0},
	{"cidr", "cidr", 0}, {"inet", "inet", 0}, {"macaddr", "macaddr", 0},
	{"uuid", "uuid", 0}, {"json", "json", 0}, {"jsonb", "jsonb", 0},
	{"bytea", "bytea", 0}, {"xml", "xml", 0}, {"money", "money", 0},
	{"oid", "oid", 0},
};

/* How the built-in types read in SQL, where that differs from their name. */
static const struct
{
	const char *name;
	const char *sql;
}			type_sql_names[] = {
	{"int2", "smallint"}, {"int4", "integer"}, {"int8", "bigint"},
	{"float4", "real"}, {"float8", "double precision"}, {"bool", "boolean"},
	{"bpchar", "char"},
};

static const char *
string_of(const PgQuery__Node *n)
{
	return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

static int
const_int(const PgQuery__Node *n)
{
	if (n && n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
		n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL)
		return n->a_const->ival->ival;
	return -1;
}

void
column_type_read(const PgQuery__TypeName *tn, column_type *out)
{
	const char *last = tn->n_names ? string_of(tn->names[tn->n_names - 1]) : NULL;
	const char *schema = tn->n_names == 2 ? string_of(tn->names[0]) : NULL;

	memset(out, 0, sizeof(*out));
	out->array = tn->n_array_bounds > 0;
	out->ntypmods = tn->n_typmods > 2 ? 2 : (int) tn->n_typmods;
	for (int k = 0; k < out->ntypmods; k++)
		out->typmods[k] = const_int(tn->typmods[k]);
	if (last == NULL)
		return;
	if (tn->n_names == 1 || (schema && strcmp(schema, "pg_catalog") == 0))
	{
		for (size_t k = 0; k < sizeof(type_aliases) / sizeof(type_aliases[0]); k++)
		{
			/* pg_catalog.serial is no type */
			if (strcmp(last, type_aliases[k].written) != 0 || (type_aliases[k].serial && schema))
				continue;
			snprintf(out->name, sizeof(out->name), "%s", type_aliases[k].name);
			out->serial = type_aliases[k].serial;
			out->builtin = 1;
			break;
		}
	}
	if (!out->builtin)
		snprintf(out->name, sizeof(out->name), "%s%s%s", schema ? schema : "", schema ? "." : "", last);
	/* numeric(p) is numeric(p,0) */
	if (out->builtin && strcmp(out->name, "numeric") == 0 && out->ntypmods == 1)
		out->typmods[out->ntypmods++] = 0;
}

void
column_type_format(const column_type *t, char *buf, size_t n)
{
	const char *sql = t->name;
	size_t		len;

	if (t->serial)
		sql = t->serial == 8 ? "bigserial" : t->serial == 2 ? "smallserial" : "serial";
	else if (t->builtin && !(strcmp(t->name, "bpchar") == 0 && t->ntypmods == 0))	/* char is char(1) */
		for (size_t k = 0; k < sizeof(type_sql_names) / sizeof(type_sql_names[0]); k++)
			if (strcmp(t->name, type_sql_names[k].name) == 0)
				sql = type_sql_names[k].sql;
	snprintf(buf, n, "%s", sql);
	len = strlen(buf);
	if (t->ntypmods == 2 && t->typmods[0] >= 0 && t->typmods[1] >= 0)
		snprintf(buf + len, n - len, "(%d,%d)", t->typmods[0], t->typmods[1]);
	else if (t->ntypmods >= 1 && t->typmods[0] >= 0)
		snprintf(buf + len, n - len, "(%d)", t->typmods[0]);
	len = strlen(buf);
	if (t->array)
		snprintf(buf + len, n - len, "[]");
}

static int
is(const column_type *t, const char *name)
{
	return strcmp(t->name, name) == 0;
}

static int
same_typmods(const column_type *a, const column_type *b)
{
	return a->ntypmods == b->ntypmods &&
		(a->ntypmods < 1 || a->typmods[0] == b->typmods[0]) &&
		(a->ntypmods < 2 || a->typmods[1] == b->typmods[1]);
}

/*
 * A change of typmod alone.  Dropping the limit coerces nothing.  varchar
 * and varbit (a length), numeric (precision, scale) and the datetime
 * types (a precision) have support functions that skip the rewrite when
 * no value can change: a wider limit.  bpchar and bit have none: every
 * other change rewrites.
 */
static column_change
typmod_change(const column_type *from, const column_type *to)
{
	int			widen;

	if (to->ntypmods == 0)
		return COLUMN_CHANGE_NONE;
	if (from->typmods[0] < 0 || to->typmods[0] < 0 || (to->ntypmods == 2 && to->typmods[1] < 0))
		return COLUMN_CHANGE_UNKNOWN;
	widen = from->ntypmods > 0 && to->typmods[0] >= from->typmods[0];
	if (is(to, "varchar") || is(to, "varbit"))
		return widen ? COLUMN_CHANGE_NONE : COLUMN_CHANGE_REWRITE;
	if (is(to, "numeric"))
		return widen && from->typmods[1] == to->typmods[1] ? COLUMN_CHANGE_NONE : COLUMN_CHANGE_REWRITE;
	if (is(to, "timestamp") || is(to, "timestamptz") || is(to, "time") || is(to, "timetz"))
		/* the unconstrained types keep 6 digits: (6) or more changes nothing */
		return widen || to->typmods[0] >= 6 ? COLUMN_CHANGE_NONE : COLUMN_CHANGE_REWRITE;
	if (is(to, "bpchar") || is(to, "bit"))
		return COLUMN_CHANGE_REWRITE;
	return COLUMN_CHANGE_UNKNOWN;
}

/* A change between two different built-in types (no arrays). */
static column_change
cast_change(const column_type *from, const column_type *to)
{
	const int	unconstrained = to->ntypmods == 0;

	/* the binary-coercible casts of pg_cast, under the target's length limit */
	if ((is(from, "varchar") || is(from, "text") || is(from, "xml")) &&
		(is(to, "text") || ((is(to, "varchar") || is(to, "bpchar")) && unconstrained)))
		return COLUMN_CHANGE_NONE;
	if ((is(from, "cidr") && is(to, "inet")) || (is(from, "bit") && is(to, "varbit") && unconstrained) ||
		(is(from, "int4") && is(to, "oid")) || (is(from, "oid") && is(to, "int4")))
		return COLUMN_CHANGE_NONE;
	if ((is(from, "timestamp") && is(to, "timestamptz")) || (is(from, "timestamptz") && is(to, "timestamp")))
	{
		column_type same = *to;

		memcpy(same.name, from->name, sizeof(same.name));
		return typmod_change(from, &same) == COLUMN_CHANGE_NONE ? COLUMN_CHANGE_TIME_ZONE : COLUMN_CHANGE_REWRITE;
	}
	return COLUMN_CHANGE_REWRITE;
}

column_change
column_type_change(const column_type *from, const column_type *to)
{
	const int	same_name = is(from, to->name);

	if (same_name && same_typmods(from, to) && from->array == to->array)
		return COLUMN_CHANGE_NONE;
	if (!from->builtin || !to->builtin)
		return COLUMN_CHANGE_UNKNOWN;
	/* an array's elements are coerced one by one: always a rewrite */
	if (from->array || to->array)
		return COLUMN_CHANGE_REWRITE;
	return same_name ? typmod_change(from, to) : cast_change(from, to);
}

const PgQuery__Constraint *
column_def_constraint(const PgQuery__ColumnDef *cd, PgQuery__ConstrType type)
{
	for (size_t k = 0; k < cd->n_constraints; k++)
	{
		const PgQuery__Node *c = cd->constraints[k];

		if (c->node_case == PG_QUERY__NODE__NODE_CONSTRAINT && c->constraint->contype == type)
			return c->constraint;
	}
	return NULL;
}

const PgQuery__Node *
column_def_default(const PgQuery__ColumnDef *cd)
{
	const PgQuery__Constraint *c = column_def_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT);

	if (c && c->raw_expr)
		return c->raw_expr;
	return cd->raw_default;
}

int
column_def_not_null(const PgQuery__ColumnDef *cd)
{
	return cd->is_not_null || column_def_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL) ||
		column_def_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY);
}

int
column_expr_is_null(const PgQuery__Node *e)
{
	while (e && e->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
		e = e->type_cast->arg;
	return e && e->node_case == PG_QUERY__NODE__NODE_A_CONST && e->a_const->isnull;
}

/*
 * Functions defaults call, with pg_proc.provolatile.  builtin: in
 * pg_catalog, so known only unqualified or qualified with it; the others
 * come from extensions (uuid-ossp, pgcrypto), installed in any schema.
 * uuidv4 and uuidv7 are PostgreSQL 18's.
 */
static const struct
{
	const char *name;
	char		volatility;		/* 'v', or 's' / 'i': not volatile */
	int			builtin;
}			functions[] = {
	{"random", 'v', 1}, {"random_normal", 'v', 1}, {"clock_timestamp", 'v', 1},
	{"timeofday", 'v', 1}, {"gen_random_uuid", 'v', 1}, {"uuidv4", 'v', 1}, {"uuidv7", 'v', 1},
	{"nextval", 'v', 1}, {"currval", 'v', 1}, {"lastval", 'v', 1}, {"setval", 'v', 1},
	{"set_config", 'v', 1},
	{"uuid_generate_v1", 'v', 0}, {"uuid_generate_v1mc", 'v', 0}, {"uuid_generate_v4", 'v', 0},
	{"gen_random_bytes", 'v', 0}, {"gen_salt", 'v', 0},
	{"uuid_generate_v3", 'i', 0}, {"uuid_generate_v5", 'i', 0}, {"uuid_nil", 'i', 0},
	{"digest", 'i', 0}, {"hmac", 'i', 0}, {"crypt", 'i', 0},
	{"now", 's', 1}, {"statement_timestamp", 's', 1}, {"transaction_timestamp", 's', 1},
	{"txid_current", 's', 1}, {"pg_current_xact_id", 's', 1}, {"current_setting", 's', 1},
	{"current_database", 's', 1}, {"current_schema", 's', 1}, {"pg_backend_pid", 's', 1},
	{"inet_client_addr", 's', 1}, {"version", 's', 1},
	{"lower", 'i', 1}, {"upper", 'i', 1}, {"initcap", 'i', 1}, {"btrim", 'i', 1}, {"ltrim", 'i', 1},
	{"rtrim", 'i', 1}, {"lpad", 'i', 1}, {"rpad", 'i', 1}, {"concat", 's', 1}, {"concat_ws", 's', 1},
	{"format", 's', 1}, {"length", 'i', 1}, {"substring", 'i', 1}, {"substr", 'i', 1},
	{"left", 'i', 1}, {"right", 'i', 1}, {"repeat", 'i', 1}, {"replace", 'i', 1},
	{"split_part", 'i', 1}, {"position", 'i', 1}, {"overlay", 'i', 1}, {"chr", 'i', 1},
	{"md5", 'i', 1}, {"sha256", 'i', 1}, {"encode", 'i', 1}, {"decode", 'i', 1},
	{"abs", 'i', 1}, {"round", 'i', 1}, {"trunc", 'i', 1}, {"floor", 'i', 1}, {"ceil", 'i', 1},
	{"ceiling", 'i', 1}, {"mod", 'i', 1}, {"power", 'i', 1}, {"sqrt", 'i', 1}, {"pi", 'i', 1},
	{"date_trunc", 's', 1}, {"date_part", 's', 1}, {"extract", 's', 1}, {"date_bin", 'i', 1},
	{"age", 's', 1}, {"timezone", 's', 1}, {"to_char", 's', 1}, {"to_timestamp", 's', 1},
	{"to_date", 's', 1}, {"to_number", 's', 1}, {"make_date", 'i', 1}, {"make_time", 'i', 1},
	{"make_timestamp", 'i', 1}, {"make_timestamptz", 's', 1}, {"make_interval", 'i', 1},
	{"to_json", 's', 1}, {"to_jsonb", 's', 1}, {"json_build_object", 's', 1},
	{"jsonb_build_object", 's', 1}, {"json_build_array", 's', 1}, {"jsonb_build_array", 's', 1},
	{"array_fill", 'i', 1}, {"cardinality", 'i', 1},
	{"int2", 'i', 1}, {"int4", 'i', 1}, {"int8", 'i', 1}, {"float8", 'i', 1}, {"numeric", 's', 1},
	{"text", 'i', 1}, {"bool", 'i', 1}, {"date", 's', 1}, {"timestamp", 's', 1},
	{"timestamptz", 's', 1}, {"interval", 'i', 1},
};

/* provolatile of the function called, or 0 when unknown. */
static char
function_volatility(const PgQuery__FuncCall *fc, const char **name)
{
	const char *schema = fc->n_funcname == 2 ? string_of(fc->funcname[0]) : NULL;
	const int	in_catalog = fc->n_funcname == 1 || (schema && strcmp(schema, "pg_catalog") == 0);

	*name = fc->n_funcname ? string_of(fc->funcname[fc->n_funcname - 1]) : NULL;
	if (*name == NULL || fc->n_funcname > 2)
		return 0;
	for (size_t k = 0; k < sizeof(functions) / sizeof(functions[0]); k++)
		if (strcmp(*name, functions[k].name) == 0 && (in_catalog || !functions[k].builtin))
			return functions[k].volatility;
	return 0;
}

typedef struct volatility_walk
{
	expr_volatility result;
	const char *function;
	const catalog_snapshot *cat;	/* resolves what the list does not know; may be NULL */
} volatility_walk;

/*
 * Only calls can be volatile: constants, casts, CASE, COALESCE and the
 * built-in operators are not (no operator of pg_catalog is).  A sub-query
 * is not allowed in a DEFAULT; should one come, it is unknown.
 */
static int
note_call(void *arg, const ProtobufCMessage *m, const ProtobufCMessage *parent,
		  const ProtobufCFieldDescriptor *field)
{
	volatility_walk *w = arg;
	const char *name = NULL;
	char		v;

	if (m->descriptor == &pg_query__sub_link__descriptor)
		v = 0;
	else if (m->descriptor == &pg_query__func_call__descriptor)
	{
		const PgQuery__FuncCall *fc = (const PgQuery__FuncCall *) m;

		v = function_volatility(fc, &name);
		/* the server's pg_proc knows the rest: the user's functions and the extensions' */
		if (v == 0 && w->cat && name && fc->n_funcname <= 2)
			v = catalog_function_volatility(w->cat, fc->n_funcname == 2 ? string_of(fc->funcname[0]) : NULL, name);
	}
	else
		return 0;
	if (v == 'v')
	{
		w->result = EXPR_VOLATILE;
		w->function = name;
		return -1;
	}
	if (v == 0 && w->result == EXPR_NOT_VOLATILE)
	{
		w->result = EXPR_VOLATILITY_UNKNOWN;
		w->function = name;
	}
	return 0;
}

expr_volatility
column_expr_volatility(const PgQuery__Node *e, const char **function)
{
	return column_expr_volatility_in(e, NULL, function);
}

expr_volatility
column_expr_volatility_in(const PgQuery__Node *e, const catalog_snapshot *cat, const char **function)
{
	volatility_walk w = {EXPR_NOT_VOLATILE, NULL, cat};

	if (e)
		sql_tree_walk(&e->base, note_call, &w);
	if (function)
		*function = w.function;
	return w.result;
}

/* A type as format_type writes it, read as the grammar reads a migration's TypeName: 1, or 0. */
static int
column_type_parse(const char *text, column_type *out)
{
	strbuf		sql;
	PgQuery__ParseResult *tree;
	const PgQuery__Node *target;
	int			found = 0;

	strbuf_init(&sql);
	strbuf_printf(&sql, "SELECT NULL::%s", text);
	tree = sql_tree_parse(sql.data, NULL);
	strbuf_free(&sql);
	if (tree && tree->n_stmts == 1 && tree->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
		tree->stmts[0]->stmt->select_stmt->n_target_list == 1 &&
		(target = tree->stmts[0]->stmt->select_stmt->target_list[0]->res_target->val) != NULL &&
		target->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && target->type_cast->type_name)
	{
		column_type_read(target->type_cast->type_name, out);
		found = 1;
	}
	sql_tree_free(tree);
	return found;
}

int
column_type_from_catalog(const catalog_snapshot *cat, const PgQuery__RangeVar *rv, const char *column,
						 column_type *out)
{
	const char *text = cat && rv && column ? catalog_column_type(cat, rv->schemaname && rv->schemaname[0]
																 ? rv->schemaname : "public", rv->relname, column) : NULL;

	return text && column_type_parse(text, out);
}

int
column_type_binary_coercible(const catalog_snapshot *cat, const column_type *from, const column_type *to)
{
	/* a length or precision to enforce is work a relabelling cast does not do */
	if (cat == NULL || to->ntypmods > 0 || from->array != to->array)
		return 0;
	for (int i = 0; i < cat->nbinary_casts; i++)
	{
		column_type s,
					t;

		if (column_type_parse(cat->binary_casts[i].source, &s) && strcmp(s.name, from->name) == 0 &&
			column_type_parse(cat->binary_casts[i].target, &t) && strcmp(t.name, to->name) == 0)
			return 1;
	}
	return 0;
}

struct column_tracker
{
	hashmap    *types;			/* "schema.table\ncolumn" -> its TypeName, NULL: unknown */
	strbuf		key;			/* scratch */
};

column_tracker *
column_tracker_new(void)
{
	column_tracker *t = xmalloc(sizeof(*t));

	t->types = hashmap_create(64);
	strbuf_init(&t->key);
	return t;
}

void
column_tracker_free(column_tracker *t)
{
	if (t == NULL)
		return;
	hashmap_destroy(t->types);
	strbuf_free(&t->key);
	free(t);
}

static void
tracker_key(column_tracker *t, const char *relation, const char *column)
{
	strbuf_reset(&t->key);
	strbuf_printf(&t->key, "%s\n%s", relation, column);
}

static void
tracker_set(column_tracker *t, const char *relation, const char *column, const PgQuery__TypeName *type)
{
	int			inserted;

	if (column == NULL || column[0] == '\0')
		return;
	tracker_key(t, relation, column);
	*hashmap_put(t->types, t->key.data, t->key.len, hash_bytes(t->key.data, t->key.len), &inserted) =
		(void *) type;
}

const PgQuery__TypeName *
column_tracker_type(const column_tracker *t, const char *relation, const char *column)
{
	strbuf		key;
	const PgQuery__TypeName *type;

	strbuf_init(&key);
	strbuf_printf(&key, "%s\n%s", relation, column);
	type = hashmap_get(t->types, key.data, key.len, hash_bytes(key.data, key.len));
	strbuf_free(&key);
	return type;
}

/* What one ALTER TABLE subcommand says of its table's columns. */
static void
note_cmd(column_tracker *t, const char *relation, const PgQuery__AlterTableCmd *cmd)
{
	const PgQuery__ColumnDef *cd = cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF
		? cmd->def->column_def : NULL;

	switch (cmd->subtype)
	{
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse:
			if (cd)
				tracker_set(t, relation, cd->colname, cd->type_name);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
			if (cd)
				tracker_set(t, relation, cmd->name, cd->type_name);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse:
			tracker_set(t, relation, cmd->name, NULL);
			break;
		default:
			break;
	}
}

static void
note_create(column_tracker *t, const PgQuery__CreateStmt *c)
{
	char		relation[512];

	if (c->relation == NULL)
		return;
	snprintf(relation, sizeof(relation), "%s", migration_relation_key(c->relation));
	for (size_t k = 0; k < c->n_table_elts; k++)
	{
		const PgQuery__Node *e = c->table_elts[k];

		if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			tracker_set(t, relation, e->column_def->colname, e->column_def->type_name);
	}
}

/* RENAME COLUMN a TO b: b has a's type, a is gone. */
static void
note_rename(column_tracker *t, const PgQuery__RenameStmt *r)
{
	char		relation[512];
	const PgQuery__TypeName *type;

	if (r->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN || r->relation == NULL || r->subname == NULL)
		return;
	snprintf(relation, sizeof(relation), "%s", migration_relation_key(r->relation));
	type = column_tracker_type(t, relation, r->subname);
	tracker_set(t, relation, r->subname, NULL);
	tracker_set(t, relation, r->newname, type);
}

void
column_tracker_note(column_tracker *t, const migration_statement *s)
{
	const PgQuery__AlterTableStmt *a = migration_alter_table(s);

	if (a && a->relation)
	{
		char		relation[512];

		snprintf(relation, sizeof(relation), "%s", migration_relation_key(a->relation));
		for (size_t k = 0; k < a->n_cmds; k++)
		{
			const PgQuery__AlterTableCmd *cmd = migration_alter_cmd(a, k);

			if (cmd)
				note_cmd(t, relation, cmd);
		}
	}
	else if (s->node && s->node->node_case == PG_QUERY__NODE__NODE_CREATE_STMT)
		note_create(t, s->node->create_stmt);
	else if (s->node && s->node->node_case == PG_QUERY__NODE__NODE_RENAME_STMT)
		note_rename(t, s->node->rename_stmt);
}

/* A String node holding s, allocated as protobuf-c frees it. */
static PgQuery__Node *
string_node(const char *s)
{
	PgQuery__Node *n = xmalloc(sizeof(*n));
	PgQuery__String *str = xmalloc(sizeof(*str));

	pg_query__node__init(n);
	pg_query__string__init(str);
	str->sval = xstrdup(s);
	n->node_case = PG_QUERY__NODE__NODE_STRING;
	n->string = str;
	return n;
}

/* Name tn pg_catalog.name instead of what it was. */
static void
rename_type(PgQuery__TypeName *tn, const char *name)
{
	for (size_t k = 0; k < tn->n_names; k++)
		pg_query__node__free_unpacked(tn->names[k], NULL);
	free(tn->names);
	tn->names = xmalloc(2 * sizeof(*tn->names));
	tn->names[0] = string_node("pg_catalog");
	tn->names[1] = string_node(name);
	tn->n_names = 2;
}

/* What makes the column more than a plain one: its value for the rows there, or NOT NULL. */
static int
strip_constraint(const PgQuery__Node *c)
{
	if (c->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
		return 0;
	switch (c->constraint->contype)
	{
		case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
		case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
		case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
		case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
		case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
			return 1;
		default:
			return 0;
	}
}

/* Which subcommands make_plain makes plain. */
typedef struct plain_cmds
{
	const size_t *cmds;
	size_t		n;
} plain_cmds;

static void
make_plain_column(PgQuery__ColumnDef *cd)
{
	column_type t;
	size_t		kept = 0;

	for (size_t j = 0; j < cd->n_constraints; j++)
	{
		if (strip_constraint(cd->constraints[j]))
			pg_query__node__free_unpacked(cd->constraints[j], NULL);
		else
			cd->constraints[kept++] = cd->constraints[j];
	}
	cd->n_constraints = kept;
	if (cd->raw_default)
	{
		pg_query__node__free_unpacked(cd->raw_default, NULL);
		cd->raw_default = NULL;
	}
	if (cd->type_name)
	{
		column_type_read(cd->type_name, &t);
		if (t.serial)
			rename_type(cd->type_name, t.name);
	}
}

static void
make_plain(PgQuery__Node *stmt, void *arg)
{
	const plain_cmds *p = arg;

	if (stmt->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT)
		return;
	for (size_t j = 0; j < p->n; j++)
	{
		PgQuery__Node *cmd = p->cmds[j] < stmt->alter_table_stmt->n_cmds
			? stmt->alter_table_stmt->cmds[p->cmds[j]] : NULL;

		if (cmd && cmd->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD && cmd->alter_table_cmd->def &&
			cmd->alter_table_cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			make_plain_column(cmd->alter_table_cmd->def->column_def);
	}
}

char *
migration_plain_add_column_sql(const migration_statement *s, const size_t *cmds, size_t n)
{
	plain_cmds	p = {cmds, n};
	char	   *sql = migration_edited_sql(s, make_plain, &p);
	char	   *out;

	if (sql == NULL)
		return NULL;
	out = xmalloc(strlen(sql) + 2);
	sprintf(out, "%s;", sql);
	free(sql);
	return out;
}
