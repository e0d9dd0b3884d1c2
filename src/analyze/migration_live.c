/*-------------------------------------------------------------------------
 * migration_live.c
 *    pgsift migration --dsn: the catalog of a staging database, and
 *    under --measure plan|real the trace and the workload's plans.
 *
 * Everything goes through one sandbox policy.  Without --measure plan or
 * real nothing but the catalog is read (READ ONLY transactions).  With
 * it, one READ WRITE sandbox transaction holds the whole run, and is
 * rolled back at the end whatever happened: the workload's queries are
 * planned (twice, for flips), the migration's statements are sent one by
 * one through sandbox_migration and traced, and the queries are planned
 * again.  The database is left as it was.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/analyze/migration_gate.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/live/pgss.h"
#include "src/live/sandbox.h"
#include "src/model/ingest.h"

#include <stdlib.h>
#include <string.h>

extern const rule rule_plan_regression;

static const char *const measure_names[] = {"off", "plan", "real"};

int
migration_measure_from_name(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(name, measure_names[i]) == 0)
			return i;
	return -1;
}

const char *
migration_measure_name(migration_measure m)
{
	return (int) m >= 0 && (int) m < 3 ? measure_names[m] : "off";
}

/* The server's major version, or 0. */
static int
server_major(sandbox *s)
{
	PGresult   *r = sandbox_read(s, "SELECT pg_catalog.current_setting('server_version_num')::int / 10000", 0, NULL);
	int			v = 0;

	if (r && PQntuples(r) == 1)
		v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/* Read the --workload logs into a new workload; NULL when there are none. */
static workload *
read_workload(const migration_gate_options *opts, migration_gate_result *out)
{
	int			n = 0;
	ingest_file *files;
	ingest_options io = {0};
	diag_tally	tally = {0};
	workload   *w;

	while (opts->workload && opts->workload[n])
		n++;
	if (n == 0)
		return NULL;
	files = xcalloc((size_t) n, sizeof(ingest_file));
	for (int i = 0; i < n; i++)
		files[i].path = opts->workload[i];
	w = workload_create(NULL);
	out->workload_statements = ingest_files(w, files, n, &io, &tally);
	if (tally.malformed > 0 && tally.nsamples > 0)
	{
		diag_detail("The first is at %s:%llu: %s.", tally.samples[0].file,
					(unsigned long long) tally.samples[0].line, tally.samples[0].reason);
		diag_warning("%llu malformed lines in the workload logs were skipped",
					 (unsigned long long) tally.malformed);
	}
	for (int i = 0; i < n; i++)
		ingest_file_clear(&files[i]);
	free(files);
	diag_tally_free(&tally);
	workload_finish_sessions(w);
	return w;
}

/* The thresholds of plan-regression in the run's configuration. */
static regress_settings
settings_from_config(const migration_gate_options *opts)
{
	rule_context ctx = {.scope = RULE_MIGRATION, .config = opts->config};

	return (regress_settings) {
		.top = (int) rule_param_value(&ctx, &rule_plan_regression, "top"),
			.ratio = rule_param_value(&ctx, &rule_plan_regression, "ratio"),
			.seq_scan_pages = (int64_t) rule_param_value(&ctx, &rule_plan_regression, "seq_scan_pages"),
			.analyze = opts->measure == MIGRATION_MEASURE_REAL,
	};
}

/* Trace and compare in one rolled-back transaction; PGSIFT_EXIT_OK or _DATABASE. */
static int
trace_and_compare(const migration_gate_options *opts, sandbox *s, migration_gate_result *out)
{
	workload   *w = read_workload(opts, out);
	pgss_snapshot *pgss = NULL;
	regress_settings rs = settings_from_config(opts);
	int			rc = PGSIFT_EXIT_OK;

	const char *dbname = PQdb(pgc_raw(sandbox_conn(s)));

	if (sandbox_has_extension(s, "pg_stat_statements"))
	{
		pgss = pgss_read(s);
		if (pgss)
			pgss_keep_database(pgss, dbname);
	}
	migration_regress_collect(&out->regressions, w, pgss, dbname, &rs);
	if (sandbox_begin(s, SANDBOX_READ_WRITE) != 0)
	{
		diag_detail("%s", sandbox_last_error(s));
		diag_error("could not open the transaction to trace the migration in");
		rc = PGSIFT_EXIT_DATABASE;
		goto done;
	}
	migration_regress_before(&out->regressions, s);
	if (migration_trace_run(s, &out->migration, &out->trace) != 0)
	{
		diag_detail("%s", out->trace.stopped ? out->trace.stopped : "");
		diag_hint("The findings below are the static lint's, and what the trace saw before it stopped.");
		diag_warning("the trace of the migration stopped early");
	}
	out->traced = 1;
	if (sandbox_alive(s))
	{
		migration_regress_after(&out->regressions, s, &out->migration, &out->trace, out->catalog);
		out->compared = out->regressions.nqueries > 0;
	}
	if (sandbox_end(s) != 0)
	{
		diag_detail("%s", sandbox_last_error(s));
		diag_hint("The transaction was not committed: PostgreSQL rolls it back when the session ends.");
		diag_warning("could not roll back the trace's transaction");
	}
done:
	pgss_free(pgss);
	if (w)
		workload_destroy(w);
	return rc;
}

int
migration_gate_live(const migration_gate_options *opts, migration_gate_result *out)
{
	sandbox_settings ss = {
		.dsn = opts->dsn,
		.allow_writes = opts->measure != MIGRATION_MEASURE_OFF,
		.statement_timeout_ms = opts->statement_timeout_ms,
		.lock_timeout_ms = opts->lock_timeout_ms,
	};
	sandbox_policy *p = sandbox_policy_create(&ss);
	sandbox    *s = sandbox_connect(p);
	int			rc = PGSIFT_EXIT_OK;

	out->measure = opts->measure;
	if (s == NULL)
	{
		sandbox_policy_free(p);
		return PGSIFT_EXIT_DATABASE;
	}
	out->connected = 1;
	out->server_version = server_major(s);
	if (opts->pg_version <= 0 && out->server_version >= 10)
		out->pg_version = out->server_version;
	if ((out->catalog = catalog_snapshot_take(s)) == NULL)
		rc = PGSIFT_EXIT_DATABASE;
	else if (opts->measure != MIGRATION_MEASURE_OFF)
		rc = trace_and_compare(opts, s, out);
	out->sandbox = sandbox_policy_report(p);
	sandbox_close(s);
	sandbox_policy_free(p);
	return rc;
}
