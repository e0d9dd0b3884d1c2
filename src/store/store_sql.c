/*-------------------------------------------------------------------------
 * store_sql.c
 *    SQLite statements and columns for the store, and its error messages.
 *
 * Every failure is reported here in PostgreSQL's style, with the hint that
 * fits SQLite's error code (a lock held by another run, a full disk, a
 * read-only or damaged file), so the callers only pass what they were
 * doing.  64-bit counters keep their bit pattern in SQLite's signed
 * INTEGER; NULL stands for unknown times and non-finite doubles.
 *-------------------------------------------------------------------------
 */
#include "src/store/store_sql.h"
#include "parsers/log_record.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void
store_report_sql(const store *s, const char *doing)
{
	const char *hint = NULL;

	switch (sqlite3_errcode(s->db))
	{
		case SQLITE_BUSY:
		case SQLITE_LOCKED:
			diag_detail("Another process kept it locked for more than %d seconds.", STORE_BUSY_TIMEOUT_MS / 1000);
			diag_hint("Wait for the other pgsift run to finish, or give another --store file.");
			diag_error("store \"%s\" is locked", s->path);
			return;
		case SQLITE_FULL:
			hint = "Free some disk space and run again; the store keeps what the last successful run saved.";
			break;
		case SQLITE_READONLY:
		case SQLITE_CANTOPEN:
		case SQLITE_PERM:
			hint = "Check the permissions of the file and of its directory: SQLite writes a journal beside it.";
			break;
		case SQLITE_CORRUPT:
		case SQLITE_NOTADB:
			hint = "The file is damaged: restore it from a backup, or start a new store.";
			break;
		default:
			break;
	}
	diag_hint("%s", hint);
	diag_error("could not %s store \"%s\": %s", doing, s->path, sqlite3_errmsg(s->db));
}

sqlite3_stmt *
store_prepare(store *s, const char *sql, const char *doing)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
	{
		store_report_sql(s, doing);
		return NULL;
	}
	return st;
}

int
store_step_done(store *s, sqlite3_stmt *st, const char *doing)
{
	int			rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		store_report_sql(s, doing);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

void
store_bind_u64(sqlite3_stmt *st, int col, uint64_t v)
{
	sqlite3_bind_int64(st, col, (sqlite3_int64) v);
}

uint64_t
store_column_u64(sqlite3_stmt *st, int col)
{
	return (uint64_t) sqlite3_column_int64(st, col);
}

void
store_bind_real(sqlite3_stmt *st, int col, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, col, v);
	else
		sqlite3_bind_null(st, col);
}

double
store_column_real(sqlite3_stmt *st, int col, double if_null)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? if_null : sqlite3_column_double(st, col);
}

void
store_bind_ts(sqlite3_stmt *st, int col, int64_t ts)
{
	if (ts == LOG_TS_UNKNOWN)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, ts);
}

int64_t
store_column_ts(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? LOG_TS_UNKNOWN : sqlite3_column_int64(st, col);
}

void
store_bind_text(sqlite3_stmt *st, int col, const char *s)
{
	sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

char *
store_column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? xstrdup((const char *) t) : NULL;
}

int
store_step_row(store *s, sqlite3_stmt *st)
{
	int			rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_report_sql(s, "read");
	return -1;
}

void
store_report_damaged(const store *s, const char *what)
{
	diag_detail("The %s could not be decoded.", what);
	diag_hint("Restore the file from a backup, or start a new store.");
	diag_error("store \"%s\" is damaged", s->path);
}
