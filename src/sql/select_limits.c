/*-------------------------------------------------------------------------
 * select_limits.c
 *    The LIMIT and OFFSET of a statement, read from libpg_query's JSON tree.
 *
 * See select_limits.h.  The text is pg_query_parse's, so its shape is known:
 * {"version":N,"stmts":[{"stmt":{"SelectStmt":{...}}}]}, a node is a one-
 * member object named by its type, and an integer constant is
 * {"A_Const":{"ival":{"ival":N}}} ({"ival":{}} for 0), or "fval" with the
 * digits as a string past 32 bits.
 *-------------------------------------------------------------------------
 */
#include "src/sql/select_limits.h"

#include "src/sql/tree_text.h"

#include <errno.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/* A whole number from text (a JSON number, or a string's digits), to its end. */
static int
whole_number(const char *text, int64_t *value)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (end == text || errno != 0)
		return 0;
	*value = v;
	return 1;
}

/* Whether the value at node (after its casts) is a known whole number. */
static int
node_int_value(const char *node, const param_list *params, int64_t *value, int *param)
{
	const char *key;
	size_t		keylen;
	const char *body;

	*param = 0;
	for (;;)
	{
		body = node ? tree_text_first(node, &key, &keylen) : NULL;
		if (body == NULL)
			return 0;
		if (keylen == 8 && memcmp(key, "TypeCast", 8) == 0)
			node = tree_text_member(body, "arg");
		else
			break;
	}
	if (keylen == 7 && memcmp(key, "A_Const", 7) == 0)
	{
		const char *ival = tree_text_member(body, "ival");
		const char *fval = tree_text_member(body, "fval");

		if (ival)
		{
			const char *n = tree_text_member(ival, "ival");

			if (n == NULL)
			{
				*value = 0;		/* libpg_query leaves a zero out */
				return 1;
			}
			return whole_number(n, value);
		}
		if (fval && (fval = tree_text_member(fval, "fval")) != NULL && *fval == '"')
		{
			const char *end = tree_text_skip(fval);

			/* digits only: "1.5" or "1e3" is not a page size */
			for (const char *c = fval + 1; end && c < end - 1; c++)
				if ((*c < '0' || *c > '9') && !(c == fval + 1 && *c == '-'))
					return 0;
			return whole_number(fval + 1, value);
		}
		return 0;
	}
	if (keylen == 8 && memcmp(key, "ParamRef", 8) == 0)
	{
		const char *num = tree_text_member(body, "number");
		int64_t		n;

		if (num == NULL || !whole_number(num, &n) || n < 1)
			return 0;
		*param = (int) n;
		if (params == NULL || n > params->count || params->values[n - 1] == NULL)
			return 0;

		const char *v = params->values[n - 1];
		char	   *end;

		errno = 0;
		*value = strtoll(v, &end, 10);
		while (*end == ' ')
			end++;
		return end != v && *end == '\0' && errno == 0;
	}
	return 0;
}

/* Whether key (keylen bytes, not NUL-terminated) is name. */
static int
key_is(const char *key, size_t keylen, const char *name)
{
	return keylen == strlen(name) && memcmp(key, name, keylen) == 0;
}

int
select_limits_read(const char *sql, const param_list *params, select_limits *out)
{
	PgQueryParseResult r = pg_query_parse(sql ? sql : "");
	const char *stmts,
			   *first,
			   *end,
			   *select = NULL,
			   *offset_node = NULL,
			   *limit_node = NULL,
			   *key;
	size_t		keylen;
	int			plain = 1,
				limit_param,
				ok = 0;

	memset(out, 0, sizeof(*out));
	/* one statement: the array ends after its first element */
	if (r.error == NULL && r.parse_tree &&
		(stmts = tree_text_member(r.parse_tree, "stmts")) != NULL &&
		(first = tree_text_element(stmts, 0)) != NULL &&
		(end = tree_text_skip(first)) != NULL)
	{
		while (*end == ' ' || *end == '\n')
			end++;
		if (*end == ']')
			select = tree_text_member(tree_text_member(first, "stmt"), "SelectStmt");
	}
	/* the SelectStmt's members, in one pass */
	for (const char *v = select ? tree_text_first(select, &key, &keylen) : NULL; v;
		 v = tree_text_next(v, &key, &keylen))
	{
		if (key_is(key, keylen, "limitOffset"))
			offset_node = v;
		else if (key_is(key, keylen, "limitCount"))
			limit_node = v;
		else if (key_is(key, keylen, "op"))
			plain &= tree_text_string_is(v, "SETOP_NONE");
		else if (key_is(key, keylen, "intoClause") || key_is(key, keylen, "valuesLists"))
			plain = 0;
	}
	if (plain && offset_node && limit_node)
		ok = node_int_value(offset_node, params, &out->offset, &out->offset_param) &&
			node_int_value(limit_node, params, &out->limit, &limit_param) &&
			out->offset >= 0 && out->limit > 0;
	pg_query_free_parse_result(r);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}
