/*-------------------------------------------------------------------------
 * catalog.c
 *    Snapshot of the live database's catalog: tables, indexes, column
 *    statistics, foreign keys, sequences and a few settings.
 *
 * One query per kind of object, never one per table, so a database with
 * thousands of tables still costs six round trips.  Lists that belong to
 * one row (a table's columns, an index's key columns, a foreign key's
 * columns) come back in the same row as a JSON array, which jansson
 * parses; that keeps quoting out of our hands, unlike array literals.
 *
 * All the queries run in one READ ONLY, REPEATABLE READ transaction that is
 * always rolled back: pgsift never changes a target database, and the
 * statistics views then answer from one consistent snapshot.  Every string
 * is copied into the snapshot's arena, so the connection can go away.
 *-------------------------------------------------------------------------
 */
#include "src/live/catalog.h"

#include "src/lib/arena.h"
#include "src/core/diag.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The WHERE clause that keeps user schemas only; nsp is a nspname column. */
#define USER_SCHEMA(nsp) \
	nsp " NOT IN ('pg_catalog', 'information_schema')" \
	" AND " nsp " NOT LIKE 'pg\\_toast%'" \
	" AND " nsp " NOT LIKE 'pg\\_temp\\_%'"

static const char tables_sql[] =
"SELECT c.oid, n.nspname, c.relname, c.reltuples, c.relpages,"
" pg_table_size(c.oid),"
" coalesce(s.seq_scan, 0), coalesce(s.seq_tup_read, 0), coalesce(s.idx_scan, 0),"
" coalesce(s.n_tup_ins, 0), coalesce(s.n_tup_upd, 0), coalesce(s.n_tup_del, 0),"
" coalesce(s.n_tup_hot_upd, 0), coalesce(s.n_live_tup, 0), coalesce(s.n_dead_tup, 0),"
" greatest(s.last_analyze, s.last_autoanalyze)::text,"
"  (SELECT json_agg(CASE WHEN a.attisdropped THEN NULL ELSE a.attname END"
"                  ORDER BY a.attnum)"
"    FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0),"
" (SELECT json_agg(CASE WHEN a.attisdropped THEN NULL ELSE format_type(a.atttypid, a.atttypmod) END"
"                  ORDER BY a.attnum)"
"    FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0)"
" FROM pg_class c"
" JOIN pg_namespace n ON n.oid = c.relnamespace"
" LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
" WHERE c.relkind IN ('r', 'p', 'm') AND " USER_SCHEMA("n.nspname")
" ORDER BY n.nspname, c.relname";

/*
 * backs_constraint looks at primary key, unique and exclusion constraints
 * only: a foreign key's conindid names the referenced table's index, which
 * the foreign key uses but does not own.
 */
static const char indexes_sql[] =
"SELECT i.indexrelid, i.indrelid, n.nspname, ic.relname, tc.relname,"
" pg_get_indexdef(i.indexrelid), am.amname, i.indnkeyatts, i.indnatts,"
" (SELECT json_agg(a.attname ORDER BY k.ord)"
"    FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)"
"    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum),"
" pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid),"
" i.indisunique, i.indisprimary, i.indisvalid,"
" EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid"
"         AND co.contype IN ('p', 'u', 'x')),"
" pg_relation_size(i.indexrelid), coalesce(s.idx_scan, 0)"
" FROM pg_index i"
" JOIN pg_class ic ON ic.oid = i.indexrelid"
" JOIN pg_class tc ON tc.oid = i.indrelid"
" JOIN pg_namespace n ON n.oid = tc.relnamespace"
" JOIN pg_am am ON am.oid = ic.relam"
" LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid"
" WHERE tc.relkind IN ('r', 'p', 'm') AND " USER_SCHEMA("n.nspname")
" ORDER BY n.nspname, tc.relname, ic.relname";

/* A parent's own rows (inherited = false) come first, so lookups find them. */
static const char stats_sql[] =
"SELECT schemaname, tablename, attname, null_frac, n_distinct, correlation,"
" (SELECT max(f) FROM unnest(most_common_freqs) f)"
" FROM pg_stats"
" WHERE " USER_SCHEMA("schemaname")
" ORDER BY schemaname, tablename, attname, inherited";

static const char fks_sql[] =
"SELECT co.conname, n.nspname, c.relname, rn.nspname || '.' || rc.relname,"
" (SELECT json_agg(a.attname ORDER BY k.ord)"
"    FROM unnest(co.conkey) WITH ORDINALITY k(attnum, ord)"
"    JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum),"
" (SELECT json_agg(a.attname ORDER BY k.ord)"
"    FROM unnest(co.confkey) WITH ORDINALITY k(attnum, ord)"
"    JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum)"
" FROM pg_constraint co"
" JOIN pg_class c ON c.oid = co.conrelid"
" JOIN pg_namespace n ON n.oid = c.relnamespace"
" JOIN pg_class rc ON rc.oid = co.confrelid"
" JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
" WHERE co.contype = 'f' AND " USER_SCHEMA("n.nspname")
" ORDER BY n.nspname, c.relname, co.conname";

static const char sequences_sql[] =
"SELECT schemaname, sequencename, data_type::text, last_value, max_value,"
" increment_by"
" FROM pg_sequences"
" WHERE " USER_SCHEMA("schemaname")
" ORDER BY schemaname, sequencename";

/* Every plain function's volatility, for the migration rules' defaults. */
static const char functions_sql[] =
"SELECT n.nspname, p.proname, p.provolatile FROM pg_proc p"
" JOIN pg_namespace n ON n.oid = p.pronamespace"
" WHERE p.prokind = 'f' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_toast%'"
" ORDER BY p.proname, n.nspname";

/* The casts that only relabel a value (castmethod 'b'): a column changed along one is not rewritten. */
static const char binary_casts_sql[] =
"SELECT format_type(castsource, NULL), format_type(casttarget, NULL) FROM pg_cast"
" WHERE castmethod = 'b' ORDER BY 1, 2";

/* stats_reset rides along as a pseudo-setting to save a round trip. */
static const char settings_sql[] =
"SELECT name, setting, unit FROM pg_settings"
" WHERE name IN ('work_mem', 'shared_buffers', 'effective_cache_size',"
"                'random_page_cost', 'max_connections', 'jit')"
" UNION ALL"
" SELECT 'stats_reset', stats_reset::text, NULL FROM pg_stat_database"
" WHERE datname = current_database()";

/* A NULL field gives NULL; otherwise a copy in the arena. */
static char *
field_str(arena *a, const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return arena_strdup(a, PQgetvalue(r, row, col));
}

static int64_t
field_int64(const PGresult *r, int row, int col, int64_t if_null)
{
	if (PQgetisnull(r, row, col))
		return if_null;
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static double
field_double(const PGresult *r, int row, int col, double if_null)
{
	if (PQgetisnull(r, row, col))
		return if_null;
	return strtod(PQgetvalue(r, row, col), NULL);
}

static int
field_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

/*
 * Parse a JSON array of names (nulls allowed) into an arena array; a NULL
 * field (json_agg over no rows) gives zero names.
 */
static char **
field_names(arena *a, const PGresult *r, int row, int col, int *n)
{
	json_t	   *arr;
	char	  **names;
	size_t		i;

	*n = 0;
	if (PQgetisnull(r, row, col))
		return NULL;
	arr = json_loads(PQgetvalue(r, row, col), 0, NULL);
	if (!json_is_array(arr))
	{
		json_decref(arr);
		return NULL;
	}
	names = arena_zalloc(a, (json_array_size(arr) + 1) * sizeof(char *));
	for (i = 0; i < json_array_size(arr); i++)
	{
		json_t	   *v = json_array_get(arr, i);

		names[i] = json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
	}
	*n = (int) json_array_size(arr);
	json_decref(arr);
	return names;
}

/*
 * Run one catalog query; on failure report it (with the privilege hint for
 * 42501) and return NULL.
 */
static PGresult *
run_query(sandbox *c, const char *what, const char *sql)
{
	PGresult   *r = sandbox_query(c, sql, 0, NULL);

	if (r != NULL)
		return r;
	if (strcmp(sandbox_last_sqlstate(c), "42501") == 0)
		diag_hint("GRANT pg_read_all_stats TO %s, or connect as a role that can read the catalog.",
				  PQuser(pgc_raw(sandbox_conn(c))));
	diag_error("could not read %s from the catalog: %s", what, sandbox_last_error(c));
	return NULL;
}

static void
read_tables(catalog_snapshot *s, arena *a, const PGresult *r)
{
	int			ntypes = 0;

	s->ntables = PQntuples(r);
	s->tables = arena_zalloc(a, (s->ntables + 1) * sizeof(catalog_table));
	for (int i = 0; i < s->ntables; i++)
	{
		catalog_table *t = &s->tables[i];

		t->oid = (uint32_t) field_int64(r, i, 0, 0);
		t->schema = field_str(a, r, i, 1);
		t->name = field_str(a, r, i, 2);
		t->reltuples = field_double(r, i, 3, -1);
		t->relpages = field_int64(r, i, 4, 0);
		t->size_bytes = field_int64(r, i, 5, 0);
		t->seq_scan = field_int64(r, i, 6, 0);
		t->seq_tup_read = field_int64(r, i, 7, 0);
		t->idx_scan = field_int64(r, i, 8, 0);
		t->n_tup_ins = field_int64(r, i, 9, 0);
		t->n_tup_upd = field_int64(r, i, 10, 0);
		t->n_tup_del = field_int64(r, i, 11, 0);
		t->n_tup_hot_upd = field_int64(r, i, 12, 0);
		t->n_live_tup = field_int64(r, i, 13, 0);
		t->n_dead_tup = field_int64(r, i, 14, 0);
		t->last_analyze = field_str(a, r, i, 15);
		t->columns = field_names(a, r, i, 16, &t->ncolumns);
		t->column_types = field_names(a, r, i, 17, &ntypes);
		if (ntypes != t->ncolumns)
			t->column_types = NULL;
	}
}

static void
read_indexes(catalog_snapshot *s, arena *a, const PGresult *r)
{
	s->nindexes = PQntuples(r);
	s->indexes = arena_zalloc(a, (s->nindexes + 1) * sizeof(catalog_index));
	for (int i = 0; i < s->nindexes; i++)
	{
		catalog_index *x = &s->indexes[i];
		int			nnames;

		x->oid = (uint32_t) field_int64(r, i, 0, 0);
		x->table_oid = (uint32_t) field_int64(r, i, 1, 0);
		x->schema = field_str(a, r, i, 2);
		x->name = field_str(a, r, i, 3);
		x->table = field_str(a, r, i, 4);
		x->definition = field_str(a, r, i, 5);
		x->method = field_str(a, r, i, 6);
		x->nkeys = (int) field_int64(r, i, 7, 0);
		x->ncolumns = (int) field_int64(r, i, 8, 0);
		x->columns = field_names(a, r, i, 9, &nnames);
		/* Never let a reader index past the names we actually have. */
		if (nnames < x->ncolumns)
			x->ncolumns = nnames;
		if (x->nkeys > x->ncolumns)
			x->nkeys = x->ncolumns;
		x->expressions = field_str(a, r, i, 10);
		x->predicate = field_str(a, r, i, 11);
		x->unique = field_bool(r, i, 12);
		x->primary = field_bool(r, i, 13);
		x->valid = field_bool(r, i, 14);
		x->backs_constraint = field_bool(r, i, 15);
		x->size_bytes = field_int64(r, i, 16, 0);
		x->idx_scan = field_int64(r, i, 17, 0);
	}
}

static void
read_stats(catalog_snapshot *s, arena *a, const PGresult *r)
{
	s->nstats = PQntuples(r);
	s->stats = arena_zalloc(a, (s->nstats + 1) * sizeof(catalog_column_stats));
	for (int i = 0; i < s->nstats; i++)
	{
		catalog_column_stats *st = &s->stats[i];

		st->schema = field_str(a, r, i, 0);
		st->table = field_str(a, r, i, 1);
		st->column = field_str(a, r, i, 2);
		st->null_frac = field_double(r, i, 3, 0);
		st->n_distinct = field_double(r, i, 4, 0);
		st->correlation = field_double(r, i, 5, NAN);
		st->most_common_freq = field_double(r, i, 6, 0);
	}
}

static void
read_fks(catalog_snapshot *s, arena *a, const PGresult *r)
{
	int			nref;

	s->nfks = PQntuples(r);
	s->fks = arena_zalloc(a, (s->nfks + 1) * sizeof(catalog_fk));
	for (int i = 0; i < s->nfks; i++)
	{
		catalog_fk *fk = &s->fks[i];

		fk->name = field_str(a, r, i, 0);
		fk->schema = field_str(a, r, i, 1);
		fk->table = field_str(a, r, i, 2);
		fk->ref_table = field_str(a, r, i, 3);
		fk->columns = field_names(a, r, i, 4, &fk->ncolumns);
		fk->ref_columns = field_names(a, r, i, 5, &nref);
		if (nref != fk->ncolumns)
			fk->ref_columns = NULL; /* cannot be: a key pairs its columns */
	}
}

static void
read_sequences(catalog_snapshot *s, arena *a, const PGresult *r)
{
	s->nsequences = PQntuples(r);
	s->sequences = arena_zalloc(a, (s->nsequences + 1) * sizeof(catalog_sequence));
	for (int i = 0; i < s->nsequences; i++)
	{
		catalog_sequence *q = &s->sequences[i];

		q->schema = field_str(a, r, i, 0);
		q->name = field_str(a, r, i, 1);
		q->type = field_str(a, r, i, 2);
		/* NULL when never used, or when we may not read it. */
		q->last_value = field_int64(r, i, 3, -1);
		q->max_value = field_int64(r, i, 4, 0);
		q->increment = field_int64(r, i, 5, 0);
	}
}

/*
 * A setting in kB, given pg_settings.unit ("kB", "8kB", "MB", ...): the
 * unit may carry a multiplier, as shared_buffers' "8kB" does.
 */
static int64_t
setting_kb(const char *setting, const char *unit)
{
	int64_t		value = strtoll(setting, NULL, 10);
	char	   *suffix;
	int64_t		mult;

	if (unit == NULL)
		return value;
	mult = strtoll(unit, &suffix, 10);
	if (suffix == unit)
		mult = 1;
	if (strcmp(suffix, "B") == 0)
		return value * mult / 1024;
	if (strcmp(suffix, "MB") == 0)
		mult *= 1024;
	else if (strcmp(suffix, "GB") == 0)
		mult *= 1024 * 1024;
	else if (strcmp(suffix, "TB") == 0)
		mult *= INT64_C(1024) * 1024 * 1024;
	return value * mult;
}

static void
read_functions(catalog_snapshot *s, arena *a, const PGresult *r)
{
	s->nfunctions = PQntuples(r);
	s->functions = arena_zalloc(a, (s->nfunctions + 1) * sizeof(catalog_function));
	for (int i = 0; i < s->nfunctions; i++)
	{
		s->functions[i].schema = field_str(a, r, i, 0);
		s->functions[i].name = field_str(a, r, i, 1);
		s->functions[i].volatility = PQgetvalue(r, i, 2)[0];
	}
}

static void
read_binary_casts(catalog_snapshot *s, arena *a, const PGresult *r)
{
	s->nbinary_casts = PQntuples(r);
	s->binary_casts = arena_zalloc(a, (s->nbinary_casts + 1) * sizeof(catalog_cast));
	for (int i = 0; i < s->nbinary_casts; i++)
	{
		s->binary_casts[i].source = field_str(a, r, i, 0);
		s->binary_casts[i].target = field_str(a, r, i, 1);
	}
}

static void
read_settings(catalog_snapshot *s, arena *a, const PGresult *r)
{
	catalog_settings *set = &s->settings;

	for (int i = 0; i < PQntuples(r); i++)
	{
		const char *name = PQgetvalue(r, i, 0);
		const char *value = PQgetvalue(r, i, 1);
		const char *unit = PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2);

		if (strcmp(name, "work_mem") == 0)
			set->work_mem_kb = setting_kb(value, unit);
		else if (strcmp(name, "shared_buffers") == 0)
			set->shared_buffers_kb = setting_kb(value, unit);
		else if (strcmp(name, "effective_cache_size") == 0)
			set->effective_cache_size_kb = setting_kb(value, unit);
		else if (strcmp(name, "random_page_cost") == 0)
			set->random_page_cost = strtod(value, NULL);
		else if (strcmp(name, "max_connections") == 0)
			set->max_connections = strtoll(value, NULL, 10);
		else if (strcmp(name, "jit") == 0)
			set->jit = strcmp(value, "on") == 0;
		else if (strcmp(name, "stats_reset") == 0)
			set->stats_reset = field_str(a, r, i, 1);
	}
}

/*
 * Run every query and fill s; 0 on success, -1 after reporting the first
 * failure.  Runs inside the caller's transaction.
 */
static int
read_all(sandbox *c, catalog_snapshot *s, arena *a)
{
	static const struct
	{
		const char *what;
		const char *sql;
		void		(*read) (catalog_snapshot *s, arena *a, const PGresult *r);
	}			kinds[] = {
		{"tables", tables_sql, read_tables},
		{"indexes", indexes_sql, read_indexes},
		{"column statistics", stats_sql, read_stats},
		{"foreign keys", fks_sql, read_fks},
		{"sequences", sequences_sql, read_sequences},
		{"settings", settings_sql, read_settings},
		{"functions", functions_sql, read_functions},
		{"binary-coercible casts", binary_casts_sql, read_binary_casts},
	};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
	{
		PGresult   *r = run_query(c, kinds[k].what, kinds[k].sql);

		if (r == NULL)
			return -1;
		kinds[k].read(s, a, r);
		PQclear(r);
	}
	return 0;
}

/*
 * Take a snapshot of c's database.  Returns a snapshot owned by the caller
 * (release with catalog_snapshot_free), or NULL after printing the error.
 * The transaction is rolled back whatever happens, so c is left idle.
 */
catalog_snapshot *
catalog_snapshot_take(sandbox *c)
{
	arena	   *a;
	catalog_snapshot *s;
	int			rc;

	if (sandbox_begin(c, SANDBOX_SNAPSHOT) != 0)
	{
		diag_error("could not start a read-only transaction: %s", sandbox_last_error(c));
		return NULL;
	}
	a = arena_create(0);
	s = arena_zalloc(a, sizeof(*s));
	s->mem = a;
	rc = read_all(c, s, a);
	/* Nothing was written; the rollback only ends the transaction. */
	if (sandbox_end(c) != 0 && rc == 0)
	{
		diag_error("could not end the catalog transaction: %s", sandbox_last_error(c));
		rc = -1;
	}
	if (rc != 0)
	{
		arena_destroy(a);
		return NULL;
	}
	return s;
}

char
catalog_function_volatility(const catalog_snapshot *s, const char *schema, const char *name)
{
	char		worst = 0;

	for (int i = 0; s && i < s->nfunctions; i++)
	{
		const catalog_function *f = &s->functions[i];

		if (strcmp(f->name, name) != 0 || (schema && strcmp(f->schema, schema) != 0))
			continue;
		/* v beats s beats i: the worst overload counts */
		if (worst == 0 || f->volatility == 'v' || (f->volatility == 's' && worst == 'i'))
			worst = f->volatility;
	}
	return worst;
}

const char *
catalog_column_type(const catalog_snapshot *s, const char *schema, const char *table, const char *column)
{
	const catalog_table *t = s ? catalog_find_table(s, schema, table) : NULL;

	for (int i = 0; t && t->column_types && i < t->ncolumns; i++)
		if (t->columns[i] && strcmp(t->columns[i], column) == 0)
			return t->column_types[i];
	return NULL;
}

/* Release a snapshot and everything in it; NULL is allowed. */
void
catalog_snapshot_free(catalog_snapshot *s)
{
	if (s != NULL)
		arena_destroy(s->mem);
}

/*
 * With a schema, the table of that name there.  Without one, the table in
 * public if there is one (the usual search_path), else the first in schema
 * order.  NULL if none.  The result points into s.
 */
const catalog_table *
catalog_find_table(const catalog_snapshot *s, const char *schema, const char *name)
{
	const catalog_table *first = NULL;

	for (int i = 0; i < s->ntables; i++)
	{
		const catalog_table *t = &s->tables[i];

		if (strcmp(t->name, name) != 0)
			continue;
		if (schema != NULL ? strcmp(t->schema, schema) == 0
			: strcmp(t->schema, "public") == 0)
			return t;
		if (schema == NULL && first == NULL)
			first = t;
	}
	return first;
}

/*
 * The statistics of table.column, with the same schema rules as
 * catalog_find_table.  NULL when the column has no statistics (never
 * analyzed, or not readable by the role).  The result points into s.
 */
const catalog_column_stats *
catalog_find_stats(const catalog_snapshot *s, const char *schema,
				   const char *table, const char *column)
{
	const catalog_column_stats *first = NULL;

	for (int i = 0; i < s->nstats; i++)
	{
		const catalog_column_stats *st = &s->stats[i];

		if (strcmp(st->table, table) != 0 || strcmp(st->column, column) != 0)
			continue;
		if (schema != NULL ? strcmp(st->schema, schema) == 0
			: strcmp(st->schema, "public") == 0)
			return st;
		if (schema == NULL && first == NULL)
			first = st;
	}
	return first;
}
