/*-------------------------------------------------------------------------
 * statement_traits.c
 *    Classify a fingerprint for the sequence detectors from its parse tree.
 *
 * "Anything volatile anywhere" is a walk over libpg_query's JSON tree
 * looking at FuncCall names and SQLValueFunction nodes.  This runs once
 * for every new fingerprint of a log, so the tree is read as text
 * (tree_text.h), never loaded: 10 µs, not 70.  The list of volatile functions is the
 * built-in ones an application calls; a user function that is volatile is
 * not recognised (the catalog is not consulted at ingestion time), which
 * the cacheable-query page states as a limit.
 *-------------------------------------------------------------------------
 */
#include "src/sql/statement_traits.h"
#include "src/sql/tree_text.h"

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

/* Whether the FuncCall object at call names a volatile built-in (its last funcname). */
static int
volatile_call(const char *call)
{
	const char *names = tree_text_member(call, "funcname");
	size_t		n = tree_text_length(names);
	const char *last = n > 0 ? tree_text_element(names, n - 1) : NULL;
	const char *sval = tree_text_member(tree_text_member(last, "String"), "sval");

	for (size_t i = 0; sval && i < NVOLATILE; i++)
		if (tree_text_string_is(sval, volatile_functions[i]))
			return 1;
	return 0;
}

static int
key_is(const char *key, size_t keylen, const char *name)
{
	return keylen == strlen(name) && memcmp(key, name, keylen) == 0;
}

/* tree_text_walk visitor: what a SELECT's tree holds, anywhere in it. */
static int
collect(void *ctx, const char *key, size_t keylen, const char *value)
{
	tree_facts *f = ctx;

	if (key_is(key, keylen, "RangeVar"))
		f->reads_table = 1;
	else if (key_is(key, keylen, "SQLValueFunction"))
		f->volatile_call = 1;
	else if (key_is(key, keylen, "lockingClause"))
		f->locking = 1;
	else if (key_is(key, keylen, "intoClause"))
		f->into = 1;
	else if (key_is(key, keylen, "InsertStmt") || key_is(key, keylen, "UpdateStmt") ||
			 key_is(key, keylen, "DeleteStmt") || key_is(key, keylen, "MergeStmt"))
		f->dml = 1;
	else if (key_is(key, keylen, "FuncCall") && volatile_call(value))
		f->volatile_call = 1;
	return 0;
}

static seq_kind
classify_transaction(const char *body)
{
	const char *kind = tree_text_member(body, "kind");

	if (tree_text_string_is(kind, "TRANS_STMT_BEGIN") || tree_text_string_is(kind, "TRANS_STMT_START"))
		return SEQ_KIND_BEGIN;
	if (tree_text_string_is(kind, "TRANS_STMT_COMMIT") || tree_text_string_is(kind, "TRANS_STMT_ROLLBACK") ||
		tree_text_string_is(kind, "TRANS_STMT_PREPARE"))
		return SEQ_KIND_END;
	return SEQ_KIND_OTHER;
}

static seq_kind
classify_insert(const char *body, int *width)
{
	const char *select = tree_text_member(tree_text_member(body, "selectStmt"), "SelectStmt");
	const char *rows = tree_text_member(select, "valuesLists");
	const char *first = tree_text_element(rows, 0);

	if (tree_text_member(body, "withClause") || first == NULL)
		return SEQ_KIND_OTHER;
	*width = (int) tree_text_length(tree_text_member(tree_text_member(first, "List"), "items"));
	return SEQ_KIND_SINGLE_INSERT;
}

static seq_kind
classify_select(const char *body)
{
	tree_facts	f = {0};

	tree_text_walk(body, collect, &f);
	if (f.reads_table && !f.volatile_call && !f.locking && !f.into && !f.dml)
		return SEQ_KIND_CACHEABLE;
	return SEQ_KIND_OTHER;
}

seq_kind
statement_traits_classify(const char *sql, int *values_width)
{
	PgQueryParseResult r = pg_query_parse(sql ? sql : "");
	seq_kind	kind = SEQ_KIND_OTHER;
	const char *stmts = r.error ? NULL : tree_text_member(r.parse_tree, "stmts");
	const char *type = NULL;
	size_t		typelen = 0;
	const char *body = tree_text_length(stmts) == 1
		? tree_text_first(tree_text_member(tree_text_element(stmts, 0), "stmt"), &type, &typelen) : NULL;

	if (body && key_is(type, typelen, "TransactionStmt"))
		kind = classify_transaction(body);
	else if (body && key_is(type, typelen, "InsertStmt"))
		kind = classify_insert(body, values_width);
	else if (body && key_is(type, typelen, "SelectStmt"))
		kind = classify_select(body);
	pg_query_free_parse_result(r);
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
