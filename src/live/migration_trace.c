/*-------------------------------------------------------------------------
 * migration_trace.c
 *    Run a migration's statements in the sandbox and read, after each,
 *    what it did: locks, rewrites, creations, drops, validations.
 *
 * Three snapshots are compared around every statement that ran: the
 * user relations of pg_class (oid, relfilenode, size), the CHECK and
 * FOREIGN KEY constraints (convalidated) and the columns (type, NOT
 * NULL) of user tables, and the relation locks of pg_locks for the
 * backend's own pid.  The snapshot taken before the first statement says
 * what existed before the migration: a lock on a table created by the
 * migration harms nobody, one on a table with rows does.
 *-------------------------------------------------------------------------
 */
#include "src/live/migration_trace.h"
#include "src/lib/arena.h"
#include "src/lib/clock.h"
#include "src/lib/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define USER_NAMESPACE \
	" n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'" \
	" AND n.nspname NOT LIKE 'pg\\_temp%'"

static const char *const relations_sql =
"SELECT c.oid, n.nspname || '.' || c.relname, c.relkind, c.relfilenode,"
" c.relpages, coalesce(nullif(c.reltuples, -1), s.n_live_tup, 0),"
" CASE WHEN c.relkind IN ('r', 'm', 't') THEN pg_catalog.pg_table_size(c.oid)"
"  WHEN c.relkind = 'i' THEN pg_catalog.pg_relation_size(c.oid) ELSE 0 END"
" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.relid = c.oid"
" WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I', 'S', 'v') AND" USER_NAMESPACE
" ORDER BY c.oid";

static const char *const constraints_sql =
"SELECT k.oid, k.conrelid, n.nspname || '.' || c.relname || '.' || k.conname, k.contype, k.convalidated"
" FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" WHERE k.contype IN ('c', 'f') AND" USER_NAMESPACE " ORDER BY k.oid";

static const char *const columns_sql =
"SELECT a.attrelid, a.attnum, n.nspname || '.' || c.relname || '.' || a.attname,"
" pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull"
" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND" USER_NAMESPACE
" ORDER BY a.attrelid, a.attnum";

static const char *const locks_sql =
"SELECT l.relation, l.mode FROM pg_catalog.pg_locks l"
" WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted"
" ORDER BY l.relation";

typedef struct rel_row
{
	uint32_t	oid;
	const char *name;
	char		kind;
	uint32_t	filenode;
	int64_t		pages;
	double		tuples;
	int64_t		bytes;
} rel_row;

typedef struct con_row
{
	uint32_t	oid;
	uint32_t	relid;
	const char *name;
	char		type;
	int			validated;
} con_row;

typedef struct col_row
{
	uint32_t	relid;
	int			attnum;
	const char *name;
	const char *type;
	int			notnull;
} col_row;

typedef struct lock_row
{
	uint32_t	relid;
	int			strength;		/* lock_strength of its strongest mode */
	const char *mode;
} lock_row;

/* One reading of the catalog, in memory of its own. */
typedef struct snapshot
{
	arena	   *mem;
	int			nrels,
				ncons,
				ncols,
				nlocks;
	rel_row    *rels;
	con_row    *cons;
	col_row    *cols;
	lock_row   *locks;
} snapshot;

static const char *const lock_modes[] = {
	"AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
	"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
};
static const char *const lock_names[] = {
	"ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
	"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE",
};

static int
lock_strength(const char *mode)
{
	for (int i = 0; i < 8; i++)
		if (strcmp(mode, lock_modes[i]) == 0)
			return i;
	return -1;
}

const char *
trace_lock_mode_name(const char *mode)
{
	int			i = lock_strength(mode);

	return i >= 0 ? lock_names[i] : mode;
}

int
trace_lock_blocks_writes(const char *mode)
{
	return lock_strength(mode) >= 4;
}

int
trace_lock_blocks_reads(const char *mode)
{
	return lock_strength(mode) == 7;
}

static void
snapshot_free(snapshot *sn)
{
	arena_destroy(sn->mem);
	free(sn->rels);
	free(sn->cons);
	free(sn->cols);
	free(sn->locks);
	memset(sn, 0, sizeof(*sn));
}

static uint32_t
oid_at(const PGresult *r, int row, int col)
{
	return (uint32_t) strtoul(PQgetvalue(r, row, col), NULL, 10);
}

/* Read the four parts of a snapshot; 0 or -1 (the connection's error stands). */
static int
snapshot_take(sandbox *s, snapshot *sn)
{
	PGresult   *r;

	memset(sn, 0, sizeof(*sn));
	sn->mem = arena_create(64 * 1024);
	if ((r = sandbox_query(s, relations_sql, 0, NULL)) == NULL)
		return -1;
	sn->nrels = PQntuples(r);
	sn->rels = xcalloc((size_t) sn->nrels + 1, sizeof(rel_row));
	for (int i = 0; i < sn->nrels; i++)
		sn->rels[i] = (rel_row) {
			.oid = oid_at(r, i, 0), .name = arena_strdup(sn->mem, PQgetvalue(r, i, 1)),
				.kind = PQgetvalue(r, i, 2)[0], .filenode = oid_at(r, i, 3),
				.pages = atoll(PQgetvalue(r, i, 4)), .tuples = atof(PQgetvalue(r, i, 5)),
				.bytes = atoll(PQgetvalue(r, i, 6)),
		};
	PQclear(r);
	if ((r = sandbox_query(s, constraints_sql, 0, NULL)) == NULL)
		return -1;
	sn->ncons = PQntuples(r);
	sn->cons = xcalloc((size_t) sn->ncons + 1, sizeof(con_row));
	for (int i = 0; i < sn->ncons; i++)
		sn->cons[i] = (con_row) {
			.oid = oid_at(r, i, 0), .relid = oid_at(r, i, 1),
				.name = arena_strdup(sn->mem, PQgetvalue(r, i, 2)), .type = PQgetvalue(r, i, 3)[0],
				.validated = PQgetvalue(r, i, 4)[0] == 't',
		};
	PQclear(r);
	if ((r = sandbox_query(s, columns_sql, 0, NULL)) == NULL)
		return -1;
	sn->ncols = PQntuples(r);
	sn->cols = xcalloc((size_t) sn->ncols + 1, sizeof(col_row));
	for (int i = 0; i < sn->ncols; i++)
		sn->cols[i] = (col_row) {
			.relid = oid_at(r, i, 0), .attnum = atoi(PQgetvalue(r, i, 1)),
				.name = arena_strdup(sn->mem, PQgetvalue(r, i, 2)),
				.type = arena_strdup(sn->mem, PQgetvalue(r, i, 3)), .notnull = PQgetvalue(r, i, 4)[0] == 't',
		};
	PQclear(r);
	if ((r = sandbox_query(s, locks_sql, 0, NULL)) == NULL)
		return -1;
	sn->locks = xcalloc((size_t) PQntuples(r) + 1, sizeof(lock_row));
	for (int i = 0; i < PQntuples(r); i++)
	{
		uint32_t	relid = oid_at(r, i, 0);
		int			strength = lock_strength(PQgetvalue(r, i, 1));
		lock_row   *last = sn->nlocks ? &sn->locks[sn->nlocks - 1] : NULL;

		if (last && last->relid == relid)
		{
			if (strength > last->strength)
			{
				last->strength = strength;
				last->mode = lock_modes[strength];
			}
			continue;
		}
		if (strength >= 0)
			sn->locks[sn->nlocks++] = (lock_row) {
				.relid = relid, .strength = strength, .mode = lock_modes[strength]
			};
	}
	PQclear(r);
	return 0;
}

static const rel_row *
find_rel(const snapshot *sn, uint32_t oid)
{
	int			lo = 0,
				hi = sn->nrels - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (sn->rels[mid].oid == oid)
			return &sn->rels[mid];
		if (sn->rels[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static const con_row *
find_con(const snapshot *sn, uint32_t oid)
{
	for (int i = 0; i < sn->ncons; i++)
		if (sn->cons[i].oid == oid)
			return &sn->cons[i];
	return NULL;
}

static const col_row *
find_col(const snapshot *sn, uint32_t relid, int attnum)
{
	for (int i = 0; i < sn->ncols; i++)
		if (sn->cols[i].relid == relid && sn->cols[i].attnum == attnum)
			return &sn->cols[i];
	return NULL;
}

static const lock_row *
find_lock(const snapshot *sn, uint32_t relid)
{
	for (int i = 0; i < sn->nlocks; i++)
		if (sn->locks[i].relid == relid)
			return &sn->locks[i];
	return NULL;
}

/* The traced state: the snapshot before the migration and the latest one. */
typedef struct tracer
{
	snapshot	origin;
	snapshot	last;
} tracer;

static trace_change *
add_change(statement_trace *st, trace_change_kind kind, const char *object, char relkind)
{
	trace_change *c;

	st->changes = xrealloc(st->changes, sizeof(trace_change) * (size_t) (st->nchanges + 1));
	c = &st->changes[st->nchanges++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->object = xstrdup(object);
	c->relkind = relkind;
	return c;
}

/* Give c the size its relation had before the statement, and whether it existed before the migration. */
static void
size_change(const tracer *t, trace_change *c, uint32_t relid)
{
	const rel_row *before = find_rel(&t->last, relid);

	c->existed = find_rel(&t->origin, relid) != NULL;
	if (before)
	{
		c->tuples = before->tuples;
		c->pages = before->pages;
		c->bytes = before->bytes;
	}
}

static void
diff_relations(const tracer *t, const snapshot *now, statement_trace *st)
{
	for (int i = 0; i < now->nrels; i++)
	{
		const rel_row *r = &now->rels[i];
		const rel_row *b = find_rel(&t->last, r->oid);

		if (b == NULL)
			add_change(st, TRACE_CREATED, r->name, r->kind);
		else if (b->filenode != r->filenode && b->filenode != 0)
			size_change(t, add_change(st, TRACE_REWRITTEN, r->name, r->kind), r->oid);
	}
	for (int i = 0; i < t->last.nrels; i++)
		if (find_rel(now, t->last.rels[i].oid) == NULL)
			size_change(t, add_change(st, TRACE_DROPPED, t->last.rels[i].name, t->last.rels[i].kind),
						t->last.rels[i].oid);
}

static void
diff_constraints(const tracer *t, const snapshot *now, statement_trace *st)
{
	for (int i = 0; i < now->ncons; i++)
	{
		const con_row *k = &now->cons[i];
		const con_row *b = find_con(&t->last, k->oid);

		if (k->validated && (b == NULL || !b->validated))
		{
			trace_change *c = add_change(st, TRACE_VALIDATED, k->name, 'c');

			c->detail = xstrdup(k->type == 'f' ? "FOREIGN KEY" : "CHECK");
			size_change(t, c, k->relid);
		}
	}
}

static void
diff_columns(const tracer *t, const snapshot *now, statement_trace *st)
{
	for (int i = 0; i < now->ncols; i++)
	{
		const col_row *a = &now->cols[i];
		const col_row *b = find_col(&t->last, a->relid, a->attnum);

		if (b == NULL)
			continue;
		if (strcmp(a->type, b->type) != 0)
		{
			trace_change *c = add_change(st, TRACE_COLUMN_TYPE, a->name, 'a');
			strbuf		sb;

			strbuf_init(&sb);
			strbuf_printf(&sb, "%s -> %s", b->type, a->type);
			c->detail = strbuf_detach(&sb);
			size_change(t, c, a->relid);
		}
		if (a->notnull && !b->notnull)
			size_change(t, add_change(st, TRACE_COLUMN_NOT_NULL, a->name, 'a'), a->relid);
	}
}

/* The locks held now on user relations that are new or stronger than before. */
static void
diff_locks(const tracer *t, const snapshot *now, statement_trace *st)
{
	st->locks = xcalloc((size_t) now->nlocks + 1, sizeof(trace_lock));
	for (int i = 0; i < now->nlocks; i++)
	{
		const lock_row *l = &now->locks[i];
		const lock_row *b = find_lock(&t->last, l->relid);
		const rel_row *r = find_rel(now, l->relid);
		const rel_row *o = find_rel(&t->origin, l->relid);
		trace_lock *tl;

		if (r == NULL)
			r = find_rel(&t->last, l->relid);	/* dropped by the statement */
		if (r == NULL || (b && b->strength >= l->strength))
			continue;
		tl = &st->locks[st->nlocks++];
		tl->relation = xstrdup(r->name);
		tl->mode = xstrdup(l->mode);
		tl->relkind = r->kind;
		tl->existed = o != NULL;
		if (o)
		{
			tl->tuples = o->tuples;
			tl->pages = o->pages;
			tl->bytes = o->bytes;
		}
	}
}

/* Read what the statement did into st, and make now the latest snapshot. */
static void
record(tracer *t, snapshot *now, statement_trace *st)
{
	diff_relations(t, now, st);
	diff_constraints(t, now, st);
	diff_columns(t, now, st);
	diff_locks(t, now, st);
	snapshot_free(&t->last);
	t->last = *now;
}

static void
note_stop(migration_trace *out, sandbox *s, const char *where)
{
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_printf(&sb, "%s: %s", where, sandbox_last_error(s));
	out->stopped = strbuf_detach(&sb);
}

int
migration_trace_run(sandbox *s, const migration *m, migration_trace *out)
{
	tracer		t;
	int			rc = 0;
	PGresult   *r;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	out->steps = xcalloc((size_t) m->nstatements + 1, sizeof(statement_trace));
	if ((r = sandbox_query(s, "SELECT pg_catalog.current_database(),"
						   " pg_catalog.current_setting('server_version_num')::int / 10000", 0, NULL)) != NULL)
	{
		out->database = xstrdup(PQgetvalue(r, 0, 0));
		out->server_version = atoi(PQgetvalue(r, 0, 1));
		PQclear(r);
	}
	if (out->database == NULL || snapshot_take(s, &t.origin) != 0 || snapshot_take(s, &t.last) != 0)
	{
		note_stop(out, s, "could not read the catalog before the migration");
		snapshot_free(&t.origin);
		snapshot_free(&t.last);
		return -1;
	}
	for (int i = 0; i < m->nstatements; i++)
	{
		statement_trace *st = &out->steps[out->nsteps++];
		sandbox_step_result res;
		double		start = clock_monotonic_ms();

		st->statement = i;
		st->step = sandbox_migration(s, m->statements[i].sql, &res);
		st->ms = clock_monotonic_ms() - start;
		st->sent = res.sent;
		st->note = res.note;
		st->error = res.error;
		st->sqlstate = res.sqlstate;
		if (st->step == SANDBOX_STEP_RAN)
		{
			snapshot	now;

			out->ran = 1;
			if (snapshot_take(s, &now) != 0)
			{
				snapshot_free(&now);
				note_stop(out, s, "could not read the catalog after a statement");
				rc = -1;
				break;
			}
			record(&t, &now, st);
		}
		else if (!sandbox_alive(s))
		{
			note_stop(out, s, "the connection was lost");
			rc = -1;
			break;
		}
		else if (st->step == SANDBOX_STEP_FAILED)
			out->ran = 1;
	}
	snapshot_free(&t.origin);
	snapshot_free(&t.last);
	return rc;
}

void
migration_trace_free(migration_trace *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->nsteps; i++)
	{
		statement_trace *st = &t->steps[i];

		for (int k = 0; k < st->nlocks; k++)
		{
			free(st->locks[k].relation);
			free(st->locks[k].mode);
		}
		for (int k = 0; k < st->nchanges; k++)
		{
			free(st->changes[k].object);
			free(st->changes[k].detail);
		}
		free(st->locks);
		free(st->changes);
		free(st->sent);
		free(st->note);
		free(st->error);
		free(st->sqlstate);
	}
	free(t->steps);
	free(t->database);
	free(t->stopped);
	memset(t, 0, sizeof(*t));
}

const statement_trace *
migration_trace_step(const migration_trace *t, int i)
{
	if (t == NULL)
		return NULL;
	for (int k = 0; k < t->nsteps; k++)
		if (t->steps[k].statement == i)
			return &t->steps[k];
	return NULL;
}

void
trace_put_size(strbuf *sb, double tuples, int64_t bytes)
{
	static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB"};
	double		v = (double) bytes;
	int			u = 0;
	char		digits[32];
	int			n,
				lead;

	n = snprintf(digits, sizeof(digits), "%.0f", tuples > 0 ? tuples : 0);
	strbuf_putc(sb, '(');
	lead = n % 3 ? n % 3 : 3;
	for (int i = 0; i < n; i++)
	{
		if (i > 0 && (i - lead) % 3 == 0)
			strbuf_putc(sb, ',');
		strbuf_putc(sb, digits[i]);
	}
	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	strbuf_printf(sb, " rows, %.*f %s)", u ? 1 : 0, v, units[u]);
}

char *
trace_step_sentence(const migration_trace *t, const statement_trace *st)
{
	strbuf		sb;
	int			said = 0;

	if (st == NULL || (st->step != SANDBOX_STEP_RAN && st->step != SANDBOX_STEP_FAILED))
		return NULL;
	strbuf_init(&sb);
	strbuf_printf(&sb, "Traced on %s: %.0f ms", t && t->database ? t->database : "the database", st->ms);
	if (st->step == SANDBOX_STEP_FAILED)
		strbuf_printf(&sb, ", and failed: %s%s%s%s", st->error ? st->error : "",
					  st->sqlstate && st->sqlstate[0] ? " (SQLSTATE " : "", st->sqlstate ? st->sqlstate : "",
					  st->sqlstate && st->sqlstate[0] ? ")" : "");
	for (int i = 0; i < st->nlocks; i++)
	{
		const trace_lock *l = &st->locks[i];

		if (!l->existed || !trace_lock_blocks_writes(l->mode))
			continue;
		strbuf_printf(&sb, "%s %s on %s ", said++ ? "," : "; took", trace_lock_mode_name(l->mode), l->relation);
		trace_put_size(&sb, l->tuples, l->bytes);
	}
	said = 0;
	for (int i = 0; i < st->nchanges; i++)
	{
		const trace_change *c = &st->changes[i];

		if (c->kind == TRACE_REWRITTEN && c->existed)
			strbuf_printf(&sb, "%s %s", said++ ? "," : "; rewrote", c->object);
	}
	said = 0;
	for (int i = 0; i < st->nchanges; i++)
	{
		const trace_change *c = &st->changes[i];

		if (c->kind == TRACE_DROPPED && c->existed)
			strbuf_printf(&sb, "%s %s", said++ ? "," : "; dropped", c->object);
	}
	for (int i = 0; i < st->nchanges; i++)
	{
		const trace_change *c = &st->changes[i];

		if (c->kind == TRACE_VALIDATED && c->existed)
			strbuf_printf(&sb, "; validated %s %s by a scan", c->detail, c->object);
	}
	if (st->note && st->sent)
		strbuf_printf(&sb, " (%s)", st->note);
	strbuf_putc(&sb, '.');
	return strbuf_detach(&sb);
}
