/*-------------------------------------------------------------------------
 * select_limits.h
 *    The LIMIT and OFFSET of a statement, read from libpg_query's JSON tree.
 *
 * The large-offset rule reads the page of every sampled call of every
 * query that pages.  The typed (protobuf) tree costs six times what the
 * JSON text does for the same statement, and nothing else of the tree is
 * needed, so the two clauses are read from the text (src/sql/tree_text.h).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SELECT_LIMITS_H
#define PGSIFT_SELECT_LIMITS_H

#include "parsers/log_event.h"

#include <stdint.h>

typedef struct select_limits
{
	int64_t		offset;
	int64_t		limit;
	int			offset_param;	/* $n the OFFSET is, 0 when a constant */
} select_limits;

/*
 * Read the OFFSET and LIMIT of sql, a single plain SELECT (no set
 * operation, no INTO, not VALUES): each a whole-number constant or a
 * parameter whose value params gives (params may be NULL), casts allowed
 * around either.  Returns 1 and fills *out when both are known, offset >= 0
 * and limit > 0; otherwise 0.
 */
int			select_limits_read(const char *sql, const param_list *params, select_limits *out);

#endif
