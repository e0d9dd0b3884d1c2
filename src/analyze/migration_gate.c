/*-------------------------------------------------------------------------
 * migration_gate.c
 *    pgsift migration: read the files, run the migration rules, order
 *    the findings as the migration reads.
 *-------------------------------------------------------------------------
 */
#include "src/analyze/migration_gate.h"
#include "rules/rule.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <stdlib.h>
#include <string.h>

static void
start(const migration_gate_options *opts, migration_gate_result *out)
{
	memset(out, 0, sizeof(*out));
	out->pg_version = opts && opts->pg_version > 0 ? opts->pg_version : 15;
	migration_init(&out->migration, opts ? &opts->model : NULL);
}

/* A finding with what it sorts by. */
typedef struct ordered_finding
{
	finding    *f;
	int			file;			/* position of its file on the command line */
	int			seq;			/* position in the list: ties keep rule order */
} ordered_finding;

/* File order, then line, then the graver first, then as the rules found them. */
static int
migration_order(const void *a, const void *b)
{
	const ordered_finding *x = a;
	const ordered_finding *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->f->location.line != y->f->location.line)
		return x->f->location.line < y->f->location.line ? -1 : 1;
	if (x->f->severity != y->f->severity)
		return x->f->severity > y->f->severity ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Index of the file a finding is in (the order files were given). */
static int
file_rank(const migration *m, const finding *f)
{
	for (int i = 0; i < m->nfiles; i++)
		if (f->location.file && strcmp(m->files[i].path, f->location.file) == 0)
			return i;
	return m->nfiles;
}

/* The statement a finding is about (by file and line), or -1. */
static int
statement_of(const migration *m, const finding *f)
{
	for (int i = 0; f->location.file && i < m->nstatements; i++)
		if (m->statements[i].line == f->location.line &&
			strcmp(migration_statement_path(m, i), f->location.file) == 0)
			return i;
	return -1;
}

/* Without a trace, the size of the table a finding locks, as the catalog of --dsn has it. */
static void
add_catalog_evidence(migration_gate_result *out)
{
	for (int k = 0; out->catalog && k < out->findings.count; k++)
	{
		finding    *f = out->findings.items[k];
		const char *dot = f->ntables > 0 ? strchr(f->tables[0], '.') : NULL;
		const catalog_table *t;
		char		schema[128];
		strbuf		sb;

		if (dot == NULL || f->location.lock == NULL || (size_t) (dot - f->tables[0]) >= sizeof(schema))
			continue;
		memcpy(schema, f->tables[0], (size_t) (dot - f->tables[0]));
		schema[dot - f->tables[0]] = '\0';
		if ((t = catalog_find_table(out->catalog, schema, dot + 1)) == NULL)
			continue;
		strbuf_init(&sb);
		trace_put_size(&sb, t->reltuples >= 0 ? t->reltuples : (double) t->n_live_tup, t->size_bytes);
		if (sb.len > 0 && sb.data[sb.len - 1] == ')')
			sb.data[--sb.len] = '\0';
		finding_append_detail(f, "On the database of --dsn, %s has %s.", f->tables[0], sb.data + 1);
		strbuf_free(&sb);
	}
}

/* What the trace saw each statement do, in the detail of the findings about it. */
static void
add_trace_evidence(migration_gate_result *out)
{
	if (!out->traced)
	{
		add_catalog_evidence(out);
		return;
	}
	for (int k = 0; k < out->findings.count; k++)
	{
		finding    *f = out->findings.items[k];
		int			i = statement_of(&out->migration, f);
		char	   *sentence;

		if (i < 0 || strcmp(f->rule, "migration-fails") == 0 || strcmp(f->rule, "plan-regression") == 0 ||
			strcmp(f->rule, "plan-improvement") == 0)
			continue;
		if ((sentence = trace_step_sentence(&out->trace, migration_trace_step(&out->trace, i))) != NULL)
			finding_append_detail(f, "%s", sentence);
		free(sentence);
	}
}

static void
lint(const migration_gate_options *opts, migration_gate_result *out)
{
	migration_context mctx = {
		.migration = &out->migration, .pg_version = out->pg_version, .catalog = out->catalog,
		.trace = out->traced ? &out->trace : NULL, .regressions = out->compared ? &out->regressions : NULL,
	};
	rule_context ctx = {
		.scope = RULE_MIGRATION,
		.migration = &mctx,
		.config = opts ? opts->config : NULL,
		.out = &out->findings,
	};
	finding_list *l = &out->findings;
	ordered_finding *order;

	rules_run(&ctx);
	add_trace_evidence(out);
	if (l->count < 2)
		return;
	order = xmalloc(sizeof(ordered_finding) * (size_t) l->count);
	for (int i = 0; i < l->count; i++)
	{
		order[i].f = l->items[i];
		order[i].file = file_rank(&out->migration, l->items[i]);
		order[i].seq = i;
	}
	qsort(order, (size_t) l->count, sizeof(ordered_finding), migration_order);
	for (int i = 0; i < l->count; i++)
		l->items[i] = order[i].f;
	free(order);
}

static int
bad_value(const config_entry *e, const pgsift_config *c, const char *expected)
{
	diag_hint("%s", expected);
	diag_error("invalid value \"%s\" for migration.%s at %s:%d", e->value, e->key, c->path, e->line);
	return -1;
}

/* One key of [migration]; -1 after reporting. */
static int
configure_entry(const pgsift_config *c, const config_entry *e, migration_gate_options *opts, int pg_version_given)
{
	double		v;
	int			b;

	if (strcmp(e->key, "lock_timeout") == 0 || strcmp(e->key, "statement_timeout") == 0)
	{
		if ((v = migration_duration_ms(e->value)) < 0)
			return bad_value(e, c, "Use a duration as SET takes it: 2s, 500ms, 1min, or a number of ms.");
		if (e->key[0] == 'l')
			opts->model.initial.lock_timeout_ms = v;
		else
			opts->model.initial.statement_timeout_ms = v;
		return 0;
	}
	if (strcmp(e->key, "single_transaction") == 0)
	{
		if ((b = config_parse_bool(e->value)) < 0)
			return bad_value(e, c, "Use true or false.");
		opts->model.single_transaction |= b;
		return 0;
	}
	if (strcmp(e->key, "pg_version") == 0)
	{
		if (config_parse_number(e->value, &v) != 0 || v < 10 || v > 17 || v != (int) v)
			return bad_value(e, c, "Use a major version from 10 to 17.");
		if (!pg_version_given)
			opts->pg_version = (int) v;
		return 0;
	}
	diag_detail("The keys of [migration] are lock_timeout, statement_timeout, single_transaction and pg_version.");
	diag_error("unknown key \"%s\" in section [migration] at %s:%d", e->key, c->path, e->line);
	return -1;
}

int
migration_gate_configure(const pgsift_config *c, migration_gate_options *opts)
{
	int			pg_version_given = opts->pg_version > 0;

	for (int i = 0; c && i < c->count; i++)
		if (strcmp(c->entries[i].section, CONFIG_MIGRATION_SECTION) == 0 &&
			configure_entry(c, &c->entries[i], opts, pg_version_given) != 0)
			return -1;
	return 0;
}

/* The database part when there is a DSN, then the rules. */
static int
finish(const migration_gate_options *opts, migration_gate_result *out)
{
	if (opts && opts->dsn)
	{
		int			rc = migration_gate_live(opts, out);

		if (rc != PGSIFT_EXIT_OK)
			return rc;
	}
	lint(opts, out);
	return PGSIFT_EXIT_OK;
}

int
migration_gate_run(const char *const *paths, int npaths, const migration_gate_options *opts,
				   migration_gate_result *out)
{
	start(opts, out);
	for (int i = 0; i < npaths; i++)
		if (migration_add_file(&out->migration, paths[i]) != 0)
			return PGSIFT_EXIT_NOINPUT;
	return finish(opts, out);
}

int
migration_gate_run_text(const char *name, const char *text, const migration_gate_options *opts,
						migration_gate_result *out)
{
	start(opts, out);
	if (migration_add_text(&out->migration, name, text, strlen(text)) != 0)
		return PGSIFT_EXIT_NOINPUT;
	return finish(opts, out);
}

void
migration_gate_result_free(migration_gate_result *out)
{
	migration_free(&out->migration);
	finding_list_free(&out->findings);
	catalog_snapshot_free(out->catalog);
	migration_trace_free(&out->trace);
	migration_regressions_free(&out->regressions);
	json_decref(out->sandbox);
	out->catalog = NULL;
	out->sandbox = NULL;
}
