/*-------------------------------------------------------------------------
 * migration_constraints.c
 *    What the constraint rules of a migration share (see
 *    migration_constraints.h).
 *
 * The default names follow PostgreSQL's ChooseConstraintName and
 * ChooseIndexName: <table>_<columns>_fkey, _check (the column only when
 * the expression reads exactly one), _key, _excl, and <table>_pkey.  A
 * default another constraint of the same statement holds is numbered
 * (_check1), as the server numbers it; one that the catalog already
 * holds cannot be seen without it.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_constraints.h"
#include "src/lib/arena.h"
#include "src/sql/sql_ident.h"
#include "src/sql/sql_tree.h"
#include "src/sql/statement_lock.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME_BYTES 63		/* NAMEDATALEN - 1 */

/* n, or less so that s[0..n) does not end inside a UTF-8 character (pg_mbcliplen). */
static size_t
clip_utf8(const char *s, size_t n)
{
	if (s[n] == '\0')
		return n;
	while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

void
migration_object_name(strbuf *out, const char *name1, const char *name2, const char *label)
{
	size_t		n1 = strlen(name1);
	size_t		n2 = name2 && *name2 ? strlen(name2) : 0;
	size_t		overhead = strlen(label) + 1 + (n2 > 0 ? 1 : 0);
	size_t		avail = MAX_NAME_BYTES - overhead;

	while (n1 + n2 > avail)
	{
		if (n1 > n2)
			n1--;
		else
			n2--;
	}
	n1 = clip_utf8(name1, n1);
	n2 = n2 > 0 ? clip_utf8(name2, n2) : 0;
	strbuf_append(out, name1, n1);
	if (n2 > 0)
	{
		strbuf_putc(out, '_');
		strbuf_append(out, name2, n2);
	}
	strbuf_printf(out, "_%s", label);
}

/* The name of a String node, or NULL. */
static const char *
string_of(const PgQuery__Node *n)
{
	return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

/* Append names joined by '_', at most 63 bytes, as ChooseIndexNameAddition does. */
static void
join_names(strbuf *sb, size_t n, PgQuery__Node *const *names, const char *column)
{
	size_t		start = sb->len;

	if (column)
		strbuf_puts(sb, column);
	for (size_t k = 0; k < n; k++)
	{
		const char *name = string_of(names[k]);

		if (name == NULL && names[k]->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM)
			name = names[k]->index_elem->name;
		if (name == NULL || *name == '\0')
			continue;
		if (sb->len > start)
			strbuf_putc(sb, '_');
		strbuf_puts(sb, name);
	}
	if (sb->len - start > MAX_NAME_BYTES)
	{
		sb->len = start + MAX_NAME_BYTES;
		sb->data[sb->len] = '\0';
	}
}

/*
 * Collect into cols (at most 2: the caller asks "exactly one?") the
 * distinct column names a parse tree reads, through every message field
 * protobuf-c's descriptors list.
 */
static void
collect_columns(const ProtobufCMessage *msg, const char **cols, int *n)
{
	const ProtobufCMessageDescriptor *d;

	if (msg == NULL || *n > 1)
		return;
	d = msg->descriptor;
	if (d == &pg_query__column_ref__descriptor)
	{
		const PgQuery__ColumnRef *c = (const PgQuery__ColumnRef *) msg;
		const char *name = c->n_fields ? string_of(c->fields[c->n_fields - 1]) : NULL;

		if (name && (*n == 0 || strcmp(cols[0], name) != 0))
			cols[(*n)++] = name;
		return;
	}
	for (unsigned f = 0; f < d->n_fields; f++)
	{
		const ProtobufCFieldDescriptor *fd = &d->fields[f];
		const char *base = (const char *) msg;

		if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
			*(const uint32_t *) (base + fd->quantifier_offset) != fd->id)
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED)
		{
			size_t		count = *(const size_t *) (base + fd->quantifier_offset);
			ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *) (base + fd->offset);

			for (size_t k = 0; k < count; k++)
				collect_columns(items[k], cols, n);
		}
		else
			collect_columns(*(const ProtobufCMessage *const *) (base + fd->offset), cols, n);
	}
}

/*
 * PostgreSQL's default name for con; pass > 0 numbers its label
 * (_check1), as ChooseConstraintName does when the name is taken.
 */
static void
default_name(strbuf *out, const PgQuery__RangeVar *rel, const PgQuery__Constraint *con, const char *column,
			 int pass)
{
	strbuf		cols,
				label;
	const char *read[2];
	int			nread = 0;

	strbuf_init(&cols);
	strbuf_init(&label);
	switch (con->contype)
	{
		case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
			join_names(&cols, con->n_fk_attrs, con->fk_attrs, con->n_fk_attrs ? NULL : column);
			strbuf_puts(&label, "fkey");
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
			/* a column's CHECK is named after its column */
			if (column)
				read[nread++] = column;
			else
				collect_columns((const ProtobufCMessage *) con->raw_expr, read, &nread);
			if (nread == 1)
				strbuf_puts(&cols, read[0]);
			strbuf_puts(&label, "check");
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
			strbuf_puts(&label, "pkey");
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
			for (size_t k = 0; k < con->n_exclusions; k++)
			{
				const PgQuery__Node *pair = con->exclusions[k];

				if (pair->node_case == PG_QUERY__NODE__NODE_LIST && pair->list->n_items > 0)
					join_names(&cols, 1, pair->list->items, NULL);
			}
			strbuf_puts(&label, "excl");
			break;
		default:
			join_names(&cols, con->n_keys, con->keys, con->n_keys ? NULL : column);
			strbuf_puts(&label, "key");
			break;
	}
	if (pass > 0)
		strbuf_printf(&label, "%d", pass);
	migration_object_name(out, rel->relname, cols.data, label.data);
	strbuf_free(&label);
	strbuf_free(&cols);
}

void
migration_constraint_name(strbuf *out, const PgQuery__RangeVar *rel, const PgQuery__Constraint *con,
						  const char *column)
{
	if (con->conname && con->conname[0])
		strbuf_puts(out, con->conname);
	else
		default_name(out, rel, con, column, 0);
}

/* Whether an ADD COLUMN's constraint of this type gets a name. */
static int
named_type(PgQuery__ConstrType t)
{
	return t == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK || t == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN ||
		t == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE || t == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
		t == PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION;
}

/* Room for every constraint of a. */
static int
names_room(const PgQuery__AlterTableStmt *a)
{
	size_t		room = a->n_cmds;

	for (size_t k = 0; k < a->n_cmds; k++)
		if (a->cmds[k]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD && a->cmds[k]->alter_table_cmd->def &&
			a->cmds[k]->alter_table_cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			room += a->cmds[k]->alter_table_cmd->def->column_def->n_constraints;
	return (int) room;
}

/*
 * Gather a's constraints into out->constraints and the column of each
 * column constraint into columns (both with names_room(a) places).
 */
static void
names_gather(migration_constraint_names *out, const PgQuery__AlterTableStmt *a, const char **columns)
{
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = a->cmds[k]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD
			? a->cmds[k]->alter_table_cmd : NULL;
		const PgQuery__Constraint *con = cmd ? alter_table_cmd_constraint(cmd) : NULL;
		const PgQuery__ColumnDef *col;

		if (con)
			out->constraints[out->n++] = con;
		else if (cmd && (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn ||
						 cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse) &&
				 cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
		{
			col = cmd->def->column_def;
			for (size_t c = 0; c < col->n_constraints; c++)
				if (col->constraints[c]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
					named_type(col->constraints[c]->constraint->contype))
				{
					columns[out->n] = col->colname;
					out->constraints[out->n++] = col->constraints[c]->constraint;
				}
		}
	}
}

static int
taken(hashmap *names, const strbuf *name)
{
	int			inserted;

	hashmap_put(names, name->data, name->len, hash_bytes(name->data, name->len), &inserted);
	return !inserted;
}

void
migration_constraint_names_of(migration_constraint_names *out, const PgQuery__AlterTableStmt *a)
{
	int			cap = names_room(a);
	const char **columns = xcalloc((size_t) cap + 1, sizeof(char *));
	hashmap    *used = hashmap_create(16);
	strbuf		name;

	memset(out, 0, sizeof(*out));
	out->constraints = xcalloc((size_t) cap + 1, sizeof(PgQuery__Constraint *));
	out->names = xcalloc((size_t) cap + 1, sizeof(char *));
	names_gather(out, a, columns);
	strbuf_init(&name);
	/* the names written first: a default must not take one */
	for (int k = 0; k < out->n; k++)
		if (out->constraints[k]->conname && out->constraints[k]->conname[0])
		{
			strbuf_reset(&name);
			strbuf_puts(&name, out->constraints[k]->conname);
			taken(used, &name);
			out->names[k] = xstrdup(name.data);
		}
	for (int k = 0; k < out->n; k++)
		for (int pass = 0; out->names[k] == NULL; pass++)
		{
			strbuf_reset(&name);
			default_name(&name, a->relation, out->constraints[k], columns[k], pass);
			if (!taken(used, &name))
				out->names[k] = xstrdup(name.data);
		}
	strbuf_free(&name);
	hashmap_destroy(used);
	free(columns);
}

const char *
migration_constraint_names_get(const migration_constraint_names *names, const PgQuery__Constraint *con)
{
	for (int k = 0; k < names->n; k++)
		if (names->constraints[k] == con)
			return names->names[k];
	return NULL;
}

void
migration_constraint_names_free(migration_constraint_names *names)
{
	for (int k = 0; k < names->n; k++)
		free(names->names[k]);
	free(names->names);
	free(names->constraints);
	memset(names, 0, sizeof(*names));
}

void
migration_append_names(strbuf *sb, size_t n, PgQuery__Node *const *names)
{
	for (size_t k = 0; k < n; k++)
	{
		const char *name = string_of(names[k]);

		if (k > 0)
			strbuf_puts(sb, ", ");
		sql_append_ident(sb, name ? name : "?");
	}
}

char *
migration_expression_sql(const PgQuery__Node *expr)
{
	PgQuery__ResTarget target = PG_QUERY__RES_TARGET__INIT;
	PgQuery__Node target_node = PG_QUERY__NODE__INIT;
	PgQuery__Node *targets[1] = {&target_node};
	PgQuery__SelectStmt select = PG_QUERY__SELECT_STMT__INIT;
	PgQuery__Node select_node = PG_QUERY__NODE__INIT;
	PgQuery__RawStmt raw = PG_QUERY__RAW_STMT__INIT;
	PgQuery__RawStmt *stmts[1] = {&raw};
	PgQuery__ParseResult tree = PG_QUERY__PARSE_RESULT__INIT;
	char	   *sql;
	char	   *expr_sql = NULL;

	if (expr == NULL)
		return NULL;
	/* SELECT <expr>, built on the stack around the borrowed node, deparsed */
	target.val = (PgQuery__Node *) expr;
	target_node.node_case = PG_QUERY__NODE__NODE_RES_TARGET;
	target_node.res_target = &target;
	select.n_target_list = 1;
	select.target_list = targets;
	select.limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
	select.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
	select_node.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
	select_node.select_stmt = &select;
	raw.stmt = &select_node;
	tree.version = 150001;
	tree.n_stmts = 1;
	tree.stmts = stmts;
	sql = sql_tree_deparse(&tree);
	if (sql && strncmp(sql, "SELECT ", 7) == 0)
		expr_sql = xstrdup(sql + 7);
	free(sql);
	return expr_sql;
}

int
migration_alters(const migration_statement *s, const char *key)
{
	return s->node && s->node->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT &&
		s->node->alter_table_stmt->relation &&
		strcmp(migration_relation_key(s->node->alter_table_stmt->relation), key) == 0;
}

/* The column of CHECK (column IS NOT NULL), or NULL. */
static const char *
not_null_column(const PgQuery__Constraint *con)
{
	const PgQuery__NullTest *t;
	const PgQuery__ColumnRef *c;

	if (con->raw_expr == NULL || con->raw_expr->node_case != PG_QUERY__NODE__NODE_NULL_TEST)
		return NULL;
	t = con->raw_expr->null_test;
	if (t->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL || t->arg == NULL ||
		t->arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return NULL;
	c = t->arg->column_ref;
	return c->n_fields == 1 ? string_of(c->fields[0]) : NULL;
}

/* The check called name, or NULL. */
static migration_check *
check_named(const migration_checks *c, const char *name)
{
	void	   *v = c->by_name ? hashmap_get(c->by_name, name, strlen(name), hash_bytes(name, strlen(name))) : NULL;

	return v ? &c->items[(intptr_t) v - 1] : NULL;
}

/* Add delta to the count of valid NOT NULL checks of column. */
static void
count_column(migration_checks *c, const char *column, int delta)
{
	int			inserted;
	void	  **slot;

	if (c->valid_columns == NULL)
		c->valid_columns = hashmap_create(16);
	slot = hashmap_put(c->valid_columns, column, strlen(column), hash_bytes(column, strlen(column)), &inserted);
	*slot = (void *) ((intptr_t) *slot + delta);
}

/* Move ch to (present, valid), keeping the counts. */
static void
set_state(migration_checks *c, migration_check *ch, int present, int valid)
{
	int			was = ch->present && ch->valid;
	int			is = present && valid;

	ch->present = present;
	ch->valid = valid;
	if (was == is)
		return;
	c->nvalid += is - was;
	if (ch->not_null_column)
		count_column(c, ch->not_null_column, is - was);
}

static void
add_check(migration_checks *c, const PgQuery__RangeVar *rel, const PgQuery__Constraint *con)
{
	strbuf		name;
	const char *column = not_null_column(con);
	migration_check *ch;
	int			inserted;
	void	  **slot;

	strbuf_init(&name);
	migration_constraint_name(&name, rel, con, NULL);
	if (c->by_name == NULL)
		c->by_name = hashmap_create(16);
	slot = hashmap_put(c->by_name, name.data, name.len, hash_bytes(name.data, name.len), &inserted);
	if (inserted)
	{
		if (c->n == c->cap)
		{
			c->cap = c->cap ? c->cap * 2 : 4;
			c->items = xrealloc(c->items, sizeof(migration_check) * (size_t) c->cap);
		}
		c->items[c->n] = (migration_check) {0};
		*slot = (void *) (intptr_t) (c->n + 1);
		c->n++;
	}
	ch = &c->items[(intptr_t) *slot - 1];
	/* a name added again after its DROP is a new constraint */
	set_state(c, ch, 0, 0);
	free(ch->not_null_column);
	ch->not_null_column = column ? xstrdup(column) : NULL;
	set_state(c, ch, 1, !con->skip_validation);
	strbuf_free(&name);
}

void
migration_checks_apply(migration_checks *c, const PgQuery__AlterTableStmt *a)
{
	for (size_t k = 0; k < a->n_cmds; k++)
	{
		const PgQuery__AlterTableCmd *cmd = a->cmds[k]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD
			? a->cmds[k]->alter_table_cmd : NULL;
		const PgQuery__Constraint *con;
		migration_check *ch;

		if (cmd == NULL)
			continue;
		con = alter_table_cmd_constraint(cmd);
		if (con && con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK)
			add_check(c, a->relation, con);
		else if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint ||
				  cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse) &&
				 cmd->name && (ch = check_named(c, cmd->name)) != NULL && ch->present)
			set_state(c, ch, 1, 1);
		else if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint ||
				  cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraintRecurse) && cmd->name &&
				 (ch = check_named(c, cmd->name)) != NULL)
			set_state(c, ch, 0, 0);
	}
}

int
migration_checks_valid(const migration_checks *c, const char *column)
{
	if (column == NULL)
		return c->nvalid > 0;
	return c->valid_columns &&
		(intptr_t) hashmap_get(c->valid_columns, column, strlen(column), hash_bytes(column, strlen(column))) > 0;
}

void
migration_checks_free(migration_checks *c)
{
	for (int k = 0; k < c->n; k++)
		free(c->items[k].not_null_column);
	free(c->items);
	if (c->by_name)
		hashmap_destroy(c->by_name);
	if (c->valid_columns)
		hashmap_destroy(c->valid_columns);
	memset(c, 0, sizeof(*c));
}
