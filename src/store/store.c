/*-------------------------------------------------------------------------
 * store.c
 *    Opening a store, its schema and migrations, and the transactions of
 *    loading and saving.
 *
 * A store is an ordinary SQLite file.  It is recognised as pgsift's by its
 * application_id; its schema version is its user_version, and
 * migrations[v] takes a store from version v to v + 1, so a store written
 * by an older pgsift is upgraded in place when opened.  A file that is not
 * SQLite, or is another application's database, is refused before
 * anything is written to it.
 *
 * Saving replaces the whole stored model in one IMMEDIATE transaction:
 * the model is small (bounded by the number of fingerprints), and
 * rewriting it is simpler and safer than updating rows in place.  A
 * generation counter in meta catches two runs that loaded the same store
 * and would otherwise each overwrite what the other added.
 *-------------------------------------------------------------------------
 */
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/store/store_private.h"
#include "src/store/store_sql.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* "pgsf": marks the SQLite file as a pgsift store (PRAGMA application_id). */
#define STORE_APPLICATION_ID	1885827942
#define STORE_SCHEMA_VERSION	3

#define STRINGIFY_(x)			#x
#define STRINGIFY(x)			STRINGIFY_(x)

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

/*
 * migrations[v] upgrades a store of schema version v to v + 1 and sets
 * user_version; it runs inside the caller's transaction.  Version 0 is an
 * empty database, so migrations[0] creates the first schema.  Columns are
 * described in docs/store.md.
 */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value);"
	"CREATE TABLE files ("
	"  identity TEXT PRIMARY KEY,"
	"  head_len INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  format TEXT,"
	"  prefix TEXT,"
	"  compression TEXT,"
	"  end_offset INTEGER NOT NULL,"
	"  lines INTEGER NOT NULL,"
	"  records INTEGER NOT NULL,"
	"  first_ingested TEXT NOT NULL,"
	"  last_ingested TEXT NOT NULL);"
	"CREATE TABLE queries ("
	"  id INTEGER PRIMARY KEY,"
	"  fingerprint INTEGER NOT NULL,"
	"  parsed INTEGER NOT NULL,"
	"  normalized TEXT NOT NULL,"
	"  calls INTEGER NOT NULL,"
	"  total_ms REAL NOT NULL,"
	"  min_ms REAL,"
	"  max_ms REAL NOT NULL,"
	"  sketch BLOB NOT NULL,"
	"  untimed_calls INTEGER NOT NULL,"
	"  parse_count INTEGER NOT NULL,"
	"  parse_ms REAL NOT NULL,"
	"  bind_count INTEGER NOT NULL,"
	"  bind_ms REAL NOT NULL,"
	"  errors INTEGER NOT NULL,"
	"  first_ts INTEGER,"
	"  last_ts INTEGER,"
	"  plan TEXT,"
	"  plan_is_json INTEGER NOT NULL,"
	"  plan_ms REAL NOT NULL,"
	"  UNIQUE (fingerprint, parsed));"
	"CREATE TABLE query_names ("
	"  query_id INTEGER NOT NULL REFERENCES queries (id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('database', 'user', 'application')),"
	"  position INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  PRIMARY KEY (query_id, kind, position));"
	"CREATE TABLE samples ("
	"  query_id INTEGER NOT NULL REFERENCES queries (id),"
	"  position INTEGER NOT NULL,"
	"  duration_ms REAL NOT NULL,"
	"  ts_ms INTEGER,"
	"  query TEXT NOT NULL,"
	"  params TEXT,"
	"  database TEXT,"
	"  user_name TEXT,"
	"  file TEXT,"
	"  line INTEGER NOT NULL,"
	"  PRIMARY KEY (query_id, position));"
	"CREATE TABLE minutes ("
	"  minute INTEGER PRIMARY KEY,"
	"  statements INTEGER NOT NULL,"
	"  total_ms REAL NOT NULL,"
	"  errors INTEGER NOT NULL,"
	"  connections INTEGER NOT NULL);"
	"CREATE TABLE sqlstates ("
	"  position INTEGER PRIMARY KEY,"
	"  sqlstate TEXT NOT NULL UNIQUE,"
	"  count INTEGER NOT NULL,"
	"  example TEXT);"
	"CREATE TABLE model_state ("
	"  key TEXT PRIMARY KEY,"
	"  value);"
	"INSERT INTO meta (key, value) VALUES"
	"  ('schema_version', 1),"
	"  ('created_at', " NOW_SQL "),"
	"  ('updated_at', " NOW_SQL "),"
	"  ('generation', 0);"
	"PRAGMA application_id = " STRINGIFY(STORE_APPLICATION_ID) ";"
	"PRAGMA user_version = 1;",

	/*
	 * 2: the session-sequence tables (src/store/store_sequences.c).  A store of
	 * version 1 held none, so it starts them empty: its earlier logs' loops,
	 * insert runs and cache figures are not there to recover.
	 */
	"CREATE TABLE seq_fingerprints ("
	"  position INTEGER PRIMARY KEY,"
	"  query_id INTEGER NOT NULL UNIQUE REFERENCES queries (id),"
	"  kind TEXT NOT NULL,"
	"  values_width INTEGER NOT NULL,"
	"  insert_runs INTEGER NOT NULL,"
	"  insert_rows INTEGER NOT NULL,"
	"  insert_runs_own_xact INTEGER NOT NULL,"
	"  insert_ms REAL NOT NULL,"
	"  insert_first_ts INTEGER,"
	"  insert_last_ts INTEGER,"
	"  example_total_ms REAL,"
	"  example_count INTEGER,"
	"  example_distinct INTEGER,"
	"  cache_hits INTEGER NOT NULL,"
	"  cache_misses INTEGER NOT NULL,"
	"  cache_hit_ms REAL NOT NULL);"
	"CREATE TABLE seq_loops ("
	"  position INTEGER PRIMARY KEY,"
	"  parent_id INTEGER REFERENCES queries (id),"
	"  child_id INTEGER NOT NULL REFERENCES queries (id),"
	"  occurrences INTEGER NOT NULL,"
	"  children INTEGER NOT NULL,"
	"  distinct_sets INTEGER NOT NULL,"
	"  child_ms REAL NOT NULL,"
	"  one_xact INTEGER NOT NULL,"
	"  first_ts INTEGER,"
	"  last_ts INTEGER,"
	"  example_parent_params TEXT,"
	"  example_total_ms REAL,"
	"  example_count INTEGER,"
	"  example_distinct INTEGER);"
	"CREATE TABLE seq_example_values ("
	"  owner TEXT NOT NULL CHECK (owner IN ('loop', 'insert')),"
	"  owner_position INTEGER NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  params TEXT,"
	"  PRIMARY KEY (owner, owner_position, position));"
	"UPDATE meta SET value = 2 WHERE key = 'schema_version';"
	"PRAGMA user_version = 2;",

	/*
	 * 3: the bounded fingerprint table (--max-fingerprints): each query's
	 * error bounds; the "other" row is in model_state.  A store of version 2
	 * was kept without a bound, so its figures are exact: 0.
	 */
	"ALTER TABLE queries ADD COLUMN error_ms REAL NOT NULL DEFAULT 0;"
	"ALTER TABLE queries ADD COLUMN error_calls INTEGER NOT NULL DEFAULT 0;"
	"UPDATE meta SET value = 3 WHERE key = 'schema_version';"
	"PRAGMA user_version = 3;",
};

static int
exec_sql(store *s, const char *sql, const char *doing)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
	{
		store_report_sql(s, doing);
		return -1;
	}
	return 0;
}

static void
rollback(store *s)
{
	/* Fails harmlessly when SQLite already rolled back on its own. */
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The integer of a one-row query; returns the SQLite result code (not reported). */
static int
query_int(store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int			rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
	{
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
		{
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
		else if (rc == SQLITE_DONE)
		{
			*out = 0;
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* After a diag_detail saying what the file is: refuse it, with hint. */
static void
report_not_a_store(const store *s, const char *hint)
{
	diag_hint("%s", hint);
	diag_error("file \"%s\" is not a pgsift store", s->path);
}

/*
 * Refuse anything but a pgsift store of a version we know, or (when
 * creating) an empty database.  Nothing is written here.
 */
static int
check_store_file(store *s, int create)
{
	int64_t		app_id,
				version,
				objects;

	if (query_int(s, "PRAGMA application_id", &app_id) != SQLITE_OK)
	{
		if (sqlite3_errcode(s->db) == SQLITE_NOTADB)
		{
			diag_detail("It is not an SQLite database.");
			report_not_a_store(s, "Give --store a file written by pgsift, or the name of a new file.");
		}
		else
			store_report_sql(s, "read");
		return -1;
	}
	if (query_int(s, "PRAGMA user_version", &version) != SQLITE_OK ||
		query_int(s, "SELECT count(*) FROM sqlite_master", &objects) != SQLITE_OK)
	{
		store_report_sql(s, "read");
		return -1;
	}
	if (app_id == STORE_APPLICATION_ID)
	{
		if (version <= STORE_SCHEMA_VERSION)
			return 0;
		diag_detail("Its schema version is %lld; this pgsift (%s) knows versions up to %d.",
					(long long) version, PGSIFT_VERSION, STORE_SCHEMA_VERSION);
		diag_hint("Use the pgsift that wrote it, or a newer one.");
		diag_error("store \"%s\" was written by a newer pgsift", s->path);
		return -1;
	}
	if (app_id != 0 || objects > 0)
	{
		if (app_id != 0)
			diag_detail("It is an SQLite database of another application (application_id %lld).",
						(long long) app_id);
		else
			diag_detail("It is an SQLite database without pgsift's tables.");
		report_not_a_store(s, "Give --store a file written by pgsift, or the name of a new file.");
		return -1;
	}
	if (!create)
	{
		diag_detail("It is empty.");
		report_not_a_store(s, "Run \"pgsift analyze --store\" with it first.");
		return -1;
	}
	return 0;
}

/* Bring the schema to STORE_SCHEMA_VERSION; a no-op on a current store. */
static int
migrate(store *s)
{
	int64_t		version;
	sqlite3_stmt *st;

	if (query_int(s, "PRAGMA user_version", &version) != SQLITE_OK)
	{
		store_report_sql(s, "read");
		return -1;
	}
	if (version >= STORE_SCHEMA_VERSION)
		return 0;
	if (exec_sql(s, "BEGIN IMMEDIATE", "set up") != 0)
		return -1;
	/* Another run may have created or upgraded it while we waited for the lock. */
	if (query_int(s, "PRAGMA user_version", &version) != SQLITE_OK)
	{
		store_report_sql(s, "read");
		rollback(s);
		return -1;
	}
	for (; version < STORE_SCHEMA_VERSION; version++)
		if (exec_sql(s, migrations[version], "set up") != 0)
		{
			rollback(s);
			return -1;
		}
	st = store_prepare(s, "INSERT OR REPLACE INTO meta (key, value) VALUES ('pgsift_version', ?1)", "set up");
	if (st == NULL)
	{
		rollback(s);
		return -1;
	}
	sqlite3_bind_text(st, 1, PGSIFT_VERSION, -1, SQLITE_STATIC);
	if (store_step_done(s, st, "set up") != 0)
	{
		sqlite3_finalize(st);
		rollback(s);
		return -1;
	}
	sqlite3_finalize(st);
	return exec_sql(s, "COMMIT", "set up");
}

static int
read_generation(store *s, int64_t *generation)
{
	if (query_int(s, "SELECT value FROM meta WHERE key = 'generation'", generation) != SQLITE_OK)
	{
		store_report_sql(s, "read");
		return -1;
	}
	return 0;
}

store *
store_open(const char *path, int create)
{
	struct stat sb;
	sqlite3    *db = NULL;
	store	   *s;

	/* SQLite's own message for a missing file ("unable to open database file") says less. */
	if (!create && stat(path, &sb) != 0)
	{
		diag_hint("Run \"pgsift analyze --store\" with it first.");
		diag_error("could not open store \"%s\": %m", path);
		return NULL;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL) != SQLITE_OK)
	{
		diag_hint("Check the path and the permissions of the file and of its directory.");
		diag_error("could not open store \"%s\": %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	s = xcalloc(1, sizeof(store));
	s->db = db;
	s->path = xstrdup(path);
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
	if (check_store_file(s, create) != 0 || migrate(s) != 0 || read_generation(s, &s->generation) != 0)
	{
		store_close(s);
		return NULL;
	}
	if (!create && s->generation == 0)
	{
		/* a run made it (the schema is there) and stopped before its first save */
		diag_detail("It was created by a run that stopped before its first save: it holds no analysis.");
		diag_hint("Run \"pgsift analyze --store %s\" with the logs again.", path);
		diag_error("store \"%s\" holds no saved run", path);
		store_close(s);
		return NULL;
	}
	return s;
}

void
store_close(store *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	store_files_forget(s);
	free(s->path);
	free(s);
}

int
store_load(store *s, workload *w)
{
	if (exec_sql(s, "BEGIN", "read") != 0)
		return -1;
	if (read_generation(s, &s->generation) != 0 || store_model_read(s, w) != 0)
	{
		rollback(s);
		return -1;
	}
	/* a store kept under a larger bound than this run's: evicted down to it */
	workload_bound(w);
	return exec_sql(s, "COMMIT", "read");
}

/* Advance the generation and stamp the run, inside the save transaction. */
static int
write_meta(store *s, int64_t generation)
{
	sqlite3_stmt *st = store_prepare(s,
									 "INSERT OR REPLACE INTO meta (key, value) VALUES"
									 " ('generation', ?1), ('pgsift_version', ?2),"
									 " ('updated_at', " NOW_SQL ")", "write");
	int			rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, generation);
	sqlite3_bind_text(st, 2, PGSIFT_VERSION, -1, SQLITE_STATIC);
	rc = store_step_done(s, st, "write");
	sqlite3_finalize(st);
	return rc;
}

int
store_save(store *s, workload *w, const ingest_file *files, int nfiles)
{
	int64_t		generation;

	if (exec_sql(s, "BEGIN IMMEDIATE", "write") != 0)
		return -1;
	if (read_generation(s, &generation) != 0)
		goto fail;
	if (generation != s->generation)
	{
		diag_detail("Another pgsift run saved to it after this run loaded it; saving now would lose what that run added.");
		diag_hint("Run again: the log files are resumed from what the store holds now.");
		diag_error("store \"%s\" was changed by another run", s->path);
		goto fail;
	}
	if (store_model_write(s, w) != 0 || store_files_write(s, files, nfiles) != 0 ||
		write_meta(s, generation + 1) != 0 || exec_sql(s, "COMMIT", "write") != 0)
		goto fail;
	s->generation = generation + 1;
	return 0;

fail:
	rollback(s);
	return -1;
}
