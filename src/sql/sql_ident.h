/*-------------------------------------------------------------------------
 * sql_ident.h
 *    Quoting identifiers for the SQL pgsift writes (fixes, index
 *    definitions, reasons).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SQL_IDENT_H
#define PGSIFT_SQL_IDENT_H

#include "src/lib/strbuf.h"

/* Append name as an SQL identifier, double-quoted when it must be. */
void		sql_append_ident(strbuf *sb, const char *name);

/* Append name double-quoted, always: read back exactly as it is (to_regclass). */
void		sql_append_quoted(strbuf *sb, const char *name);

/* Append schema.name, each part quoted as needed; schema may be NULL or "". */
void		sql_append_qualified(strbuf *sb, const char *schema, const char *name);

#endif
