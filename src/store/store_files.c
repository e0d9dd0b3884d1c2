/*-------------------------------------------------------------------------
 * store_files.c
 *    Log file identities, and the store's record of what was read.
 *
 * A log file is known by a digest of its first STORE_IDENTITY_BYTES
 * uncompressed bytes, so it is recognised after logrotate renamed it or
 * compressed it.  The first 4 KB of a PostgreSQL log hold timestamps and
 * process ids, so two different logs practically never share them.
 *
 * A file still shorter than that when a run read it is stored with the
 * length its digest covers (head_len).  When it has grown, its identity
 * is different; such a file is then matched by digesting its first
 * head_len bytes again, and the old row is replaced by one under the new
 * identity when the run is saved.
 *
 * The identity taken before a file is read is remembered and checked when
 * saving, because a nightly run and logrotate may well meet: the name may
 * hold a new log by then, and recording that one as read would skip its
 * beginning next time.
 *-------------------------------------------------------------------------
 */
#include "parsers/input.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/store/store_private.h"
#include "src/store/store_sql.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A log file as store_resume_offset saw it before it was read, so that the
 * save records that file even if its path names another one by then (a
 * log rotated during the run).
 */
typedef struct store_seen_file
{
	char	   *path;			/* malloc'd */
	char		identity[STORE_IDENTITY_LEN + 1];
	size_t		head_len;
} store_seen_file;

/* The files looked up during a run: the store's state, owned here. */
struct store_seen
{
	store_seen_file *files;
	int			n;
	int			cap;
};

/* What the files table holds about one log file. */
typedef struct file_row
{
	char		identity[STORE_IDENTITY_LEN + 1];
	uint64_t	end_offset;
	uint64_t	records;
	char	   *first_ingested; /* malloc'd */
} file_row;

/*
 * The first min(size, STORE_IDENTITY_BYTES) uncompressed bytes of the
 * regular file at path into head, its lines joined by '\n' (input.c hands
 * out lines without their newline).  A decompression error ends the head
 * early: a damaged .gz is still identified by what it holds.  -1 for
 * anything but a regular file (stdin and pipes cannot be read twice) and
 * for a file that cannot be opened.
 */
static int
read_head(const char *path, unsigned char *head, size_t *len)
{
	struct stat sb;
	input_file *in;
	const char *line;
	size_t		n = 0,
				linelen;
	int			first = 1;

	if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
		access(path, R_OK) != 0 || (in = input_open(path)) == NULL)
		return -1;
	while (n < STORE_IDENTITY_BYTES && input_next_line(in, &line, &linelen) == 1)
	{
		size_t		take;

		if (!first)
			head[n++] = '\n';
		first = 0;
		take = STORE_IDENTITY_BYTES - n < linelen ? STORE_IDENTITY_BYTES - n : linelen;
		memcpy(head + n, line, take);
		n += take;
	}
	input_close(in);
	*len = n;
	return 0;
}

/*
 * Two 64-bit hashes of head.  The second one sees the bytes behind a
 * 3-byte seed, so its 8-byte blocks fall differently and a collision of
 * one is no collision of the other.
 */
static void
identity_of(const unsigned char *head, size_t len, char out[STORE_IDENTITY_LEN + 1])
{
	unsigned char seeded[3 + STORE_IDENTITY_BYTES] = {'p', 'g', 's'};

	memcpy(seeded + 3, head, len);
	snprintf(out, STORE_IDENTITY_LEN + 1, "%016" PRIx64 "%016" PRIx64,
			 hash_bytes(head, len), hash_bytes(seeded, len + 3));
}

int
store_file_identity(const char *path, char out[STORE_IDENTITY_LEN + 1])
{
	unsigned char head[STORE_IDENTITY_BYTES];
	size_t		len;

	if (read_head(path, head, &len) != 0)
		return -1;
	identity_of(head, len, out);
	return 0;
}

/* Columns identity, end_offset, records, first_ingested of st into row. */
static void
fill_row(sqlite3_stmt *st, file_row *row)
{
	snprintf(row->identity, sizeof(row->identity), "%s", (const char *) sqlite3_column_text(st, 0));
	row->end_offset = store_column_u64(st, 1);
	row->records = store_column_u64(st, 2);
	free(row->first_ingested);
	row->first_ingested = xstrdup((const char *) sqlite3_column_text(st, 3));
}

/* The row of identity: 1 found, 0 not, -1 error (reported). */
static int
find_by_identity(store *s, const char *identity, file_row *row)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT identity, end_offset, records, first_ingested"
									 " FROM files WHERE identity = ?1", "read");
	int			rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		fill_row(st, row);
	else if (rc != SQLITE_DONE)
		store_report_sql(s, "read");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The longest row stored while its file was shorter than head whose
 * digest head still begins with: 1 found, 0 not, -1 error (reported).
 */
static int
find_by_prefix(store *s, const unsigned char *head, size_t len, file_row *row)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT identity, end_offset, records, first_ingested, head_len"
									 " FROM files WHERE head_len BETWEEN 1 AND ?1 - 1"
									 " ORDER BY head_len DESC", "read");
	int			rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64) len);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		char		identity[STORE_IDENTITY_LEN + 1];

		identity_of(head, (size_t) sqlite3_column_int64(st, 4), identity);
		if (strcmp(identity, (const char *) sqlite3_column_text(st, 0)) == 0)
		{
			fill_row(st, row);
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_report_sql(s, "read");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The stored row of the file whose first bytes are head: 1 found, 0 not, -1 error. */
static int
find_file(store *s, const unsigned char *head, size_t len, const char *identity, file_row *row)
{
	int			rc = find_by_identity(s, identity, row);

	return rc != 0 ? rc : find_by_prefix(s, head, len, row);
}

uint64_t
store_ingested_offset(store *s, const char *identity)
{
	file_row	row = {0};
	uint64_t	offset = find_by_identity(s, identity, &row) == 1 ? row.end_offset : 0;

	free(row.first_ingested);
	return offset;
}

/* Remember what path held when it was looked up (see store_seen_file). */
static void
remember_file(store *s, const char *path, const char *identity, size_t head_len)
{
	store_seen_file *f = NULL;

	if (s->seen == NULL)
		s->seen = xcalloc(1, sizeof(struct store_seen));
	for (int i = 0; i < s->seen->n && f == NULL; i++)
		if (strcmp(s->seen->files[i].path, path) == 0)
			f = &s->seen->files[i];
	if (f == NULL)
	{
		if (s->seen->n == s->seen->cap)
		{
			s->seen->cap = s->seen->cap ? s->seen->cap * 2 : 16;
			s->seen->files = xrealloc(s->seen->files, (size_t) s->seen->cap * sizeof(store_seen_file));
		}
		f = &s->seen->files[s->seen->n++];
		f->path = xstrdup(path);
	}
	memcpy(f->identity, identity, sizeof(f->identity));
	f->head_len = head_len;
}

static const store_seen_file *
seen_file(const store *s, const char *path)
{
	for (int i = 0; s->seen && i < s->seen->n; i++)
		if (strcmp(s->seen->files[i].path, path) == 0)
			return &s->seen->files[i];
	return NULL;
}

void
store_files_forget(store *s)
{
	if (s->seen == NULL)
		return;
	for (int i = 0; i < s->seen->n; i++)
		free(s->seen->files[i].path);
	free(s->seen->files);
	free(s->seen);
	s->seen = NULL;
}

int
store_resume_offset(store *s, const char *path, uint64_t *offset)
{
	unsigned char head[STORE_IDENTITY_BYTES];
	char		identity[STORE_IDENTITY_LEN + 1];
	size_t		len;
	file_row	row = {0};
	int			rc;

	*offset = 0;
	if (read_head(path, head, &len) != 0 || len == 0)
		return 0;
	identity_of(head, len, identity);
	remember_file(s, path, identity, len);
	rc = find_file(s, head, len, identity, &row);
	if (rc == 1)
		*offset = row.end_offset;
	free(row.first_ingested);
	return rc < 0 ? -1 : 0;
}

/*
 * The identity to record a file of the run under, and its head; 1 when
 * head holds the file's present first bytes, 0 when the file at that path
 * is no longer the one that was read (rotated during the run: the identity
 * seen before reading is used), -1 when there is nothing to record.
 */
static int
identify_for_save(store *s, const char *path, unsigned char *head, size_t *len,
				  char identity[STORE_IDENTITY_LEN + 1])
{
	const store_seen_file *seen = seen_file(s, path);
	char		again[STORE_IDENTITY_LEN + 1];
	int			readable = read_head(path, head, len) == 0;

	if (readable && *len > 0)
	{
		identity_of(head, *len, identity);
		if (seen == NULL)
			return 1;
		if (*len >= seen->head_len)
		{
			identity_of(head, seen->head_len, again);
			if (strcmp(again, seen->identity) == 0)
				return 1;
		}
	}
	if (seen != NULL)
	{
		memcpy(identity, seen->identity, sizeof(seen->identity));
		*len = seen->head_len;
		return 0;
	}
	if (!readable && strcmp(path, "-") != 0)
	{
		diag_detail("It was read, but could not be opened again to record its identity, so the next run reads it from its start.");
		diag_warning("log file \"%s\" is not recorded in the store", path);
	}
	return -1;				/* unreadable, standard input, or empty */
}

/* Insert or replace the row of identity; row is the stored one it continues, or NULL. */
static int
upsert_file(store *s, sqlite3_stmt *st, const ingest_file *f, const char *identity, size_t head_len,
			const file_row *row, int resumed)
{
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) head_len);
	sqlite3_bind_text(st, 3, f->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, log_format_name(f->format), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, input_compression_name(f->compression), -1, SQLITE_STATIC);
	store_bind_u64(st, 7, f->end_offset);
	store_bind_u64(st, 8, f->lines);
	store_bind_u64(st, 9, resumed ? row->records + f->records : f->records);
	sqlite3_bind_text(st, 10, row ? row->first_ingested : NULL, -1, SQLITE_STATIC);
	return store_step_done(s, st, "write");
}

/*
 * Record one file of the run.  When the run resumed the stored row, the
 * records of both runs add up; lines need not, since skipping the part
 * read before counts its lines too (input_skip).  A row found by prefix
 * is replaced by the row under the file's present identity.
 */
static int
write_file(store *s, sqlite3_stmt *upsert, sqlite3_stmt *drop, const ingest_file *f)
{
	unsigned char head[STORE_IDENTITY_BYTES];
	char		identity[STORE_IDENTITY_LEN + 1];
	size_t		len = 0;
	file_row	row = {0};
	int			present,
				found,
				resumed,
				rc = 0;

	present = identify_for_save(s, f->path, head, &len, identity);
	if (present < 0)
		return 0;
	found = present ? find_file(s, head, len, identity, &row) : find_by_identity(s, identity, &row);
	if (found < 0)
		return -1;
	resumed = found && f->start_offset > 0 && f->start_offset == row.end_offset &&
		f->end_offset >= f->start_offset;
	if (found && strcmp(row.identity, identity) != 0)
	{
		sqlite3_bind_text(drop, 1, row.identity, -1, SQLITE_STATIC);
		rc = store_step_done(s, drop, "write");
	}
	if (rc == 0)
		rc = upsert_file(s, upsert, f, identity, len, found ? &row : NULL, resumed);
	free(row.first_ingested);
	return rc;
}

int
store_files_write(store *s, const ingest_file *files, int nfiles)
{
	sqlite3_stmt *upsert = store_prepare(s, "INSERT OR REPLACE INTO files (identity, head_len, path, format,"
										 " prefix, compression, end_offset, lines, records, first_ingested,"
										 " last_ingested) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
										 " coalesce(?10, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
										 " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", "write");
	sqlite3_stmt *drop = store_prepare(s, "DELETE FROM files WHERE identity = ?1", "write");
	int			rc = upsert && drop ? 0 : -1;

	for (int i = 0; rc == 0 && i < nfiles; i++)
		if (files[i].opened)
			rc = write_file(s, upsert, drop, &files[i]);
	sqlite3_finalize(upsert);
	sqlite3_finalize(drop);
	return rc;
}
