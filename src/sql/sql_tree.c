/*-------------------------------------------------------------------------
 * sql_tree.c
 *    A reflective walk over libpg_query's protobuf tree.
 *
 * Each protobuf-c message carries its descriptor: the fields, their
 * types, labels and offsets.  The walk follows every field of message
 * type: singular ones when set, repeated ones item by item, and of a
 * oneof (the Node union) only the member that is chosen, since the
 * others share its storage.
 *-------------------------------------------------------------------------
 */
#include "src/sql/sql_tree.h"
#include "src/lib/arena.h"

#include <pg_query.h>
#include <stdint.h>
#include <stdlib.h>

static int
walk(const ProtobufCMessage *m, const ProtobufCMessage *parent,
	 const ProtobufCFieldDescriptor *field, sql_tree_visit_fn visit, void *ctx)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	int			rc = visit(ctx, m, parent, field);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (unsigned f = 0; f < d->n_fields; f++)
	{
		const ProtobufCFieldDescriptor *fd = &d->fields[f];
		const char *base = (const char *) m + fd->offset;

		if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
			*(const uint32_t *) ((const char *) m + fd->quantifier_offset) != fd->id)
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED)
		{
			size_t		count = *(const size_t *) ((const char *) m + fd->quantifier_offset);
			ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *) base;

			for (size_t i = 0; i < count; i++)
				if (items[i] && walk(items[i], m, fd, visit, ctx) < 0)
					return -1;
		}
		else
		{
			const ProtobufCMessage *child = *(ProtobufCMessage *const *) base;

			if (child && walk(child, m, fd, visit, ctx) < 0)
				return -1;
		}
	}
	return 0;
}

int
sql_tree_walk(const ProtobufCMessage *root, sql_tree_visit_fn visit, void *ctx)
{
	return root ? walk(root, NULL, NULL, visit, ctx) : 0;
}

PgQuery__ParseResult *
sql_tree_parse(const char *sql, char **error)
{
	return sql_tree_parse_at(sql, error, NULL);
}

PgQuery__ParseResult *
sql_tree_parse_at(const char *sql, char **error, int *cursorpos)
{
	PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql ? sql : "");
	PgQuery__ParseResult *tree = NULL;

	if (error)
		*error = NULL;
	if (cursorpos)
		*cursorpos = 0;
	if (r.error)
	{
		if (error)
			*error = xstrdup(r.error->message);
		if (cursorpos)
			*cursorpos = r.error->cursorpos;
	}
	else
	{
		tree = pg_query__parse_result__unpack(NULL, r.parse_tree.len, (const uint8_t *) r.parse_tree.data);
		if (tree == NULL && error)
			*error = xstrdup("could not unpack the parse tree");
	}
	pg_query_free_protobuf_parse_result(r);
	return tree;
}

json_t *
sql_tree_json(const char *sql, char **error)
{
	PgQueryParseResult r = pg_query_parse(sql ? sql : "");
	json_t	   *tree = NULL;

	if (error)
		*error = r.error ? xstrdup(r.error->message) : NULL;
	if (r.error == NULL)
		tree = json_loads(r.parse_tree, 0, NULL);
	pg_query_free_parse_result(r);
	return tree;
}

void
sql_tree_free(PgQuery__ParseResult *tree)
{
	if (tree)
		pg_query__parse_result__free_unpacked(tree, NULL);
}

char *
sql_tree_deparse(const PgQuery__ParseResult *tree)
{
	size_t		len = pg_query__parse_result__get_packed_size(tree);
	uint8_t    *buf = xmalloc(len ? len : 1);
	PgQueryProtobuf pb;
	PgQueryDeparseResult d;
	char	   *sql = NULL;

	pg_query__parse_result__pack(tree, buf);
	pb.len = len;
	pb.data = (char *) buf;
	d = pg_query_deparse_protobuf(pb);
	if (d.error == NULL && d.query)
		sql = xstrdup(d.query);
	pg_query_free_deparse_result(d);
	free(buf);
	return sql;
}
