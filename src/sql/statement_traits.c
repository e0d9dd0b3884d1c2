/*-------------------------------------------------------------------------
 * statement_traits.c
 *    Classify a fingerprint for the sequence detectors from its parse tree.
 *
 * "Anything volatile anywhere" is a walk over libpg_query's protobuf tree
 * (sql_tree_walk) looking at FuncCall names and SQLValueFunction nodes;
 * the tree is the compact one, since this runs once for every new
 * fingerprint of a log.  The list of volatile functions is the
 * built-in ones an application calls; a user function that is volatile is
 * not recognised (the catalog is not consulted at ingestion time), which
 * the cacheable-query page states as a limit.
 *-------------------------------------------------------------------------
 */
#include "src/sql/statement_traits.h"
#include "src/sql/sql_tree.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <string.h>

/* Built-in functions whose result changes between calls with equal arguments. */
static const char *const volatile_functions[] = {
	"now", "random", "setseed", "nextval", "setval", "currval", "lastval",
	"clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday",
	"gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
	"txid_current", "pg_current_xact_id", "pg_sleep", "pg_notify", "set_config",
	"pg_advisory_lock", "pg_try_advisory_lock", "pg_advisory_xact_lock",
	"pg_try_advisory_xact_lock", "dblink", "inet_client_addr", "pg_backend_pid",
};

#define NVOLATILE (sizeof(volatile_functions) / sizeof(volatile_functions[0]))

typedef struct tree_facts
{
	int			reads_table;	/* a RangeVar somewhere */
	int			volatile_call;
	int			locking;
	int			into;
	int			dml;
} tree_facts;

static int
is_volatile_name(const char *name)
{
	for (size_t i = 0; i < NVOLATILE; i++)
		if (strcmp(name, volatile_functions[i]) == 0)
			return 1;
	return 0;
}

/* The last name of a FuncCall's funcname list (schema-qualified or not). */
static const char *
func_name(const PgQuery__FuncCall *call)
{
	const PgQuery__Node *last = call->n_funcname > 0 ? call->funcname[call->n_funcname - 1] : NULL;

	return last && last->node_case == PG_QUERY__NODE__NODE_STRING ? last->string->sval : NULL;
}

/* sql_tree_walk visitor: what a SELECT's tree holds, anywhere in it. */
static int
collect(void *ctx, const ProtobufCMessage *m, const ProtobufCMessage *parent,
		const ProtobufCFieldDescriptor *field)
{
	tree_facts *f = ctx;
	const ProtobufCMessageDescriptor *d = m->descriptor;

	if (d == &pg_query__range_var__descriptor)
		f->reads_table = 1;
	else if (d == &pg_query__sqlvalue_function__descriptor)
		f->volatile_call = 1;
	else if (d == &pg_query__select_stmt__descriptor)
	{
		const PgQuery__SelectStmt *sel = (const PgQuery__SelectStmt *) m;

		f->locking |= sel->n_locking_clause > 0;
		f->into |= sel->into_clause != NULL;
	}
	else if (d == &pg_query__insert_stmt__descriptor || d == &pg_query__update_stmt__descriptor ||
			 d == &pg_query__delete_stmt__descriptor || d == &pg_query__merge_stmt__descriptor)
		f->dml = 1;
	else if (d == &pg_query__func_call__descriptor)
	{
		const char *name = func_name((const PgQuery__FuncCall *) m);

		if (name && is_volatile_name(name))
			f->volatile_call = 1;
	}
	return 0;
}

static seq_kind
classify_transaction(const PgQuery__TransactionStmt *t)
{
	switch (t->kind)
	{
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
			return SEQ_KIND_BEGIN;
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
		case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
			return SEQ_KIND_END;
		default:
			return SEQ_KIND_OTHER;
	}
}

static seq_kind
classify_insert(const PgQuery__InsertStmt *ins, int *width)
{
	const PgQuery__Node *select = ins->select_stmt;
	const PgQuery__SelectStmt *values = select && select->node_case == PG_QUERY__NODE__NODE_SELECT_STMT
		? select->select_stmt : NULL;

	if (ins->with_clause || values == NULL || values->n_values_lists == 0)
		return SEQ_KIND_OTHER;

	const PgQuery__Node *row = values->values_lists[0];

	*width = row && row->node_case == PG_QUERY__NODE__NODE_LIST ? (int) row->list->n_items : 0;
	return SEQ_KIND_SINGLE_INSERT;
}

static seq_kind
classify_select(const PgQuery__SelectStmt *sel)
{
	tree_facts	f = {0};

	sql_tree_walk(&sel->base, collect, &f);
	if (f.reads_table && !f.volatile_call && !f.locking && !f.into && !f.dml)
		return SEQ_KIND_CACHEABLE;
	return SEQ_KIND_OTHER;
}

seq_kind
statement_traits_classify(const char *sql, int *values_width)
{
	PgQuery__ParseResult *tree = sql_tree_parse(sql, NULL);
	const PgQuery__Node *stmt = tree && tree->n_stmts == 1 && tree->stmts[0] ? tree->stmts[0]->stmt : NULL;
	seq_kind	kind = SEQ_KIND_OTHER;

	if (stmt && stmt->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT)
		kind = classify_transaction(stmt->transaction_stmt);
	else if (stmt && stmt->node_case == PG_QUERY__NODE__NODE_INSERT_STMT)
		kind = classify_insert(stmt->insert_stmt, values_width);
	else if (stmt && stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
		kind = classify_select(stmt->select_stmt);
	sql_tree_free(tree);
	return kind;
}

/* Parameters in a DETAIL "parameters: $1 = 'a', $2 = NULL" text; quotes skipped. */
static int
count_params(const char *p)
{
	int			n = 0,
				quoted = 0;

	for (const char *c = p; *c; c++)
	{
		if (*c == '\'')
			quoted = !quoted;	/* '' inside a value toggles twice */
		else if (!quoted && *c == '$' && (c == p || (c[-1] == ' ' && c - p >= 2 && c[-2] == ',')))
			n++;
	}
	return n;
}

/* Top-level rows of the first VALUES list, by libpg_query's scanner. */
static int
scanned_rows(const char *sql)
{
	PgQueryScanResult sr = pg_query_scan(sql);
	PgQuery__ScanResult *r = NULL;
	int			rows = 0,
				depth = 0,
				in_values = 0;

	if (sr.error == NULL)
		r = pg_query__scan_result__unpack(NULL, sr.pbuf.len, (const uint8_t *) sr.pbuf.data);
	for (size_t i = 0; r && i < r->n_tokens; i++)
	{
		PgQuery__Token tok = r->tokens[i]->token;

		if (tok == PG_QUERY__TOKEN__VALUES && depth == 0)
			in_values = 1;
		else if (tok == PG_QUERY__TOKEN__ASCII_40 && depth++ == 0 && in_values)
			rows++;
		else if (tok == PG_QUERY__TOKEN__ASCII_41)
			depth--;
		else if (depth == 0 && in_values && tok != PG_QUERY__TOKEN__ASCII_44)
			break;				/* past the list: ON CONFLICT, RETURNING */
	}
	if (r)
		pg_query__scan_result__free_unpacked(r, NULL);
	pg_query_free_scan_result(sr);
	return rows;
}

int
statement_traits_multirow(const char *sql, const char *params, int values_width)
{
	if (params)
		return values_width > 0 && count_params(params) > values_width;
	/* two rows need a ")" then a ","; without one, no scan */
	for (const char *c = strchr(sql, ')'); c; c = strchr(c + 1, ')'))
	{
		const char *n = c + 1;

		while (*n == ' ' || *n == '\n' || *n == '\t' || *n == '\r')
			n++;
		if (*n == ',')
			return scanned_rows(sql) > 1;
	}
	return 0;
}
