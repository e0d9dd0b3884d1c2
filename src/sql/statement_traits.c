/*-------------------------------------------------------------------------
 * statement_traits.c
 *    Classify a fingerprint for the sequence detectors from its parse tree.
 *
 * The JSON form of libpg_query's tree names every node by its type, so
 * "anything volatile anywhere" is a walk over the tree looking at FuncCall
 * names and SQLValueFunction nodes.  The list of volatile functions is the
 * built-in ones an application calls; a user function that is volatile is
 * not recognised (the catalog is not consulted at ingestion time), which
 * the cacheable-query page states as a limit.
 *-------------------------------------------------------------------------
 */
#include "src/sql/statement_traits.h"
#include "src/sql/sql_tree.h"

#include <jansson.h>
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
func_name(json_t *call)
{
	json_t	   *names = json_object_get(call, "funcname");
	json_t	   *last = json_array_get(names, json_array_size(names) - 1);

	return json_string_value(json_object_get(json_object_get(last, "String"), "sval"));
}

static void
collect(json_t *v, tree_facts *f)
{
	const char *k;
	json_t	   *child;
	size_t		i;

	if (json_is_array(v))
	{
		json_array_foreach(v, i, child)
			collect(child, f);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, k, child)
	{
		if (strcmp(k, "RangeVar") == 0)
			f->reads_table = 1;
		else if (strcmp(k, "SQLValueFunction") == 0)
			f->volatile_call = 1;
		else if (strcmp(k, "lockingClause") == 0)
			f->locking = 1;
		else if (strcmp(k, "intoClause") == 0)
			f->into = 1;
		else if (strcmp(k, "InsertStmt") == 0 || strcmp(k, "UpdateStmt") == 0 ||
				 strcmp(k, "DeleteStmt") == 0 || strcmp(k, "MergeStmt") == 0)
			f->dml = 1;
		else if (strcmp(k, "FuncCall") == 0)
		{
			const char *name = func_name(child);

			if (name && is_volatile_name(name))
				f->volatile_call = 1;
		}
		collect(child, f);
	}
}

static seq_kind
classify_transaction(json_t *body)
{
	const char *kind = json_string_value(json_object_get(body, "kind"));

	if (kind == NULL)
		return SEQ_KIND_OTHER;
	if (strcmp(kind, "TRANS_STMT_BEGIN") == 0 || strcmp(kind, "TRANS_STMT_START") == 0)
		return SEQ_KIND_BEGIN;
	if (strcmp(kind, "TRANS_STMT_COMMIT") == 0 || strcmp(kind, "TRANS_STMT_ROLLBACK") == 0 ||
		strcmp(kind, "TRANS_STMT_PREPARE") == 0)
		return SEQ_KIND_END;
	return SEQ_KIND_OTHER;
}

static seq_kind
classify_insert(json_t *body, int *width)
{
	json_t	   *select = json_object_get(json_object_get(body, "selectStmt"), "SelectStmt");
	json_t	   *rows = json_object_get(select, "valuesLists");

	if (json_object_get(body, "withClause") || json_array_size(rows) == 0)
		return SEQ_KIND_OTHER;
	*width = (int) json_array_size(json_object_get(json_object_get(json_array_get(rows, 0), "List"), "items"));
	return SEQ_KIND_SINGLE_INSERT;
}

static seq_kind
classify_select(json_t *body)
{
	tree_facts	f = {0};

	collect(body, &f);
	if (f.reads_table && !f.volatile_call && !f.locking && !f.into && !f.dml)
		return SEQ_KIND_CACHEABLE;
	return SEQ_KIND_OTHER;
}

seq_kind
statement_traits_classify(const char *sql, int *values_width)
{
	json_t	   *tree = sql_tree_json(sql, NULL);
	seq_kind	kind = SEQ_KIND_OTHER;

	if (tree)
	{
		json_t	   *stmts = json_object_get(tree, "stmts");
		json_t	   *stmt = json_object_get(json_array_get(stmts, 0), "stmt");
		const char *type = NULL;
		json_t	   *body = NULL;

		if (json_array_size(stmts) == 1 && json_is_object(stmt))
			json_object_foreach(stmt, type, body)
				break;
		if (type && strcmp(type, "TransactionStmt") == 0)
			kind = classify_transaction(body);
		else if (type && strcmp(type, "InsertStmt") == 0)
			kind = classify_insert(body, values_width);
		else if (type && strcmp(type, "SelectStmt") == 0)
			kind = classify_select(body);
		json_decref(tree);
	}
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
