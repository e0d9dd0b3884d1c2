/*-------------------------------------------------------------------------
 * cmd_explain.c
 *    The `pgsift explain` command.
 *
 *    pgsift explain --dsn DSN [--param V]... [--no-analyze] [--execute-volatile] SQL
 *    pgsift explain --dsn DSN -f FILE.sql
 *
 * explain runs one statement through the EXPLAIN runner (with all its
 * safety rules: the sandbox and the side-effect screen, which
 * --execute-volatile alone switches off) and the plan rules, and prints
 * the plan summary and the findings.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/analyze/analyze.h"
#include "src/cli/cli.h"
#include "src/core/diag.h"
#include "src/core/finding.h"
#include "src/core/output.h"
#include "src/lib/arena.h"
#include "src/lib/json_out.h"
#include "src/lib/strbuf.h"
#include "src/live/explain.h"
#include "src/live/sandbox.h"
#include "src/sql/plan.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 256

static int
read_sql_file(const char *path, strbuf *out)
{
	FILE	   *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char		buf[65536];
	size_t		n;

	if (f == NULL)
	{
		diag_error("could not open SQL file \"%s\": %m", path);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_append(out, buf, n);
	if (f != stdin)
		fclose(f);
	return 0;
}

static void
print_explain_text(const explain_result *r, const finding_list *l)
{
	if (r->plan)
	{
		char	   *summary = plan_summary(r->plan);

		if (r->not_executed)
			printf("Plan (estimated: the statement %s)\n  %s\n", r->not_executed, summary ? summary : "");
		else
			printf("Plan (%s)\n  %s\n", r->generic ? "generic, estimated"
				   : isfinite(r->plan->execution_ms) ? "measured with EXPLAIN ANALYZE" : "estimated",
				   summary ? summary : "");
		if (isfinite(r->plan->execution_ms))
			printf("  execution: %.3f ms, planning: %.3f ms\n", r->plan->execution_ms, r->plan->planning_ms);
		free(summary);
	}
	printf("\nFindings (%d)\n", l->count);
	for (int i = 0; i < l->count; i++)
	{
		const finding *f = l->items[i];

		printf("%3d. [%s] %s: %s\n", i + 1, finding_severity_name(f->severity), f->rule, f->title);
		if (f->detail)
			printf("     %s\n", f->detail);
		if (f->hint)
			printf("     hint: %s\n", f->hint);
		if (f->fix_sql)
			printf("     fix: %s\n", f->fix_sql);
	}
}

static json_t *
explain_json(const explain_result *r, const finding_list *l)
{
	json_t	   *o = json_object();
	json_t	   *fs = json_array();

	for (int i = 0; i < l->count; i++)
		json_array_append_new(fs, finding_to_json(l->items[i]));
	json_object_set_new(o, "schema_version", json_integer(1));
	json_object_set_new(o, "pgsift_version", json_string(PGSIFT_VERSION));
	json_object_set_new(o, "kind", json_string(r->generic ? "generic" : r->not_executed ? "estimated"
											   : isfinite(r->plan->execution_ms) ? "analyzed" : "estimated"));
	if (r->not_executed)
		json_object_set_new(o, "not_executed", json_text(r->not_executed));
	json_object_set_new(o, "plan", r->plan && r->plan->json ? json_loads(r->plan->json, 0, NULL) : json_null());
	json_object_set_new(o, "findings", fs);
	return o;
}

typedef struct explain_args
{
	const char *dsn;
	const char *file;
	int			json;
	int			analyze;
	int			execute_volatile;
	analyze_options live;
	int			nparams;
	const char *params[MAX_PARAMS];
} explain_args;

static int
parse_explain_args(int argc, char **argv, explain_args *a)
{
	static const struct option opts[] = {
		{"dsn", required_argument, NULL, 'd'}, {"param", required_argument, NULL, 'p'},
		{"file", required_argument, NULL, 'f'}, {"format", required_argument, NULL, 'F'},
		{"no-analyze", no_argument, NULL, 'N'}, {"measure", required_argument, NULL, 'm'},
		{"statement-timeout", required_argument, NULL, 's'}, {"lock-timeout", required_argument, NULL, 'l'},
		{"execute-volatile", no_argument, NULL, 'V'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
	};
	int			c;

	a->analyze = 1;
	a->live.measure = MEASURE_MODE_HYPO;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:qh", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'd': a->dsn = optarg; break;
			case 'p':
				if (a->nparams == MAX_PARAMS)
					return -1;
				a->params[a->nparams++] = strcmp(optarg, "NULL") == 0 ? NULL : optarg;
				break;
			case 'f': a->file = optarg; break;
			case 'F': a->json = strcmp(optarg, "json") == 0; break;
			case 'N': a->analyze = 0; break;
			case 'V': a->execute_volatile = 1; break;
			case 'm':
				if (measure_mode_from_name(optarg) < 0)
					return -1;
				a->live.measure = (measure_mode) measure_mode_from_name(optarg);
				break;
			case 's': a->live.statement_timeout_ms = atoi(optarg); break;
			case 'l': a->live.lock_timeout_ms = atoi(optarg); break;
			case 'q': diag_quiet = 1; break;
			case 'h':
				fputs("Usage: pgsift explain --dsn DSN [--param V]... [--no-analyze] [--measure off|hypo|real]\n"
					  "                      [--statement-timeout MS] [--lock-timeout MS] [--execute-volatile]\n"
					  "                      [--format text|json] (SQL | -f FILE)\n"
					  "--param NULL passes SQL NULL.  A statement that calls a volatile function (one with\n"
					  "effects outside its transaction, such as pg_terminate_backend) is explained without\n"
					  "ANALYZE; --execute-volatile runs it anyway: DANGEROUS, never on a production database.\n"
					  "Exit status: 0 plan produced, 1 refused or failed, 2 bad usage, 4 database unreachable.\n",
					  stdout);
				return 1;
			default: return -1;
		}
	}
	return 0;
}

int
cmd_explain(int argc, char **argv)
{
	explain_args a = {0};
	int			rc = parse_explain_args(argc, argv, &a);
	strbuf		sql;

	if (rc != 0)
		return rc > 0 ? PGSIFT_EXIT_OK : PGSIFT_EXIT_USAGE;
	strbuf_init(&sql);
	if (a.file ? read_sql_file(a.file, &sql) != 0 : optind != argc - 1)
	{
		if (!a.file)
		{
			diag_hint("Give one SQL statement, or -f FILE.");
			diag_error("explain takes exactly one statement");
		}
		strbuf_free(&sql);
		return PGSIFT_EXIT_USAGE;
	}
	if (!a.file)
		strbuf_puts(&sql, argv[optind]);

	sandbox_settings settings = {
		.dsn = a.dsn, .allow_writes = a.live.measure == MEASURE_MODE_REAL,
		.execute_volatile = a.execute_volatile,
		.statement_timeout_ms = a.live.statement_timeout_ms, .lock_timeout_ms = a.live.lock_timeout_ms,
	};
	sandbox_policy *policy = sandbox_policy_create(&settings);
	sandbox    *c = sandbox_connect(policy);

	if (c == NULL)
	{
		sandbox_policy_free(policy);
		strbuf_free(&sql);
		return PGSIFT_EXIT_DATABASE;
	}
	explain_request req = {
		.sql = sql.data, .nparams = a.nparams, .params = a.params, .analyze = a.analyze,
	};
	explain_result r = {0};
	finding_list l = {0};
	int			written = PGSIFT_EXIT_OK;

	rc = explain_run(c, &req, &r);
	if (rc == 0 && r.plan)
	{
		plan_context pc = {.plan = r.plan, .query = sql.data};
		rule_context rctx = {.scope = RULE_PLAN, .plan = &pc, .out = &l};

		rules_run(&rctx);
		finding_list_sort(&l);
		findings_settle_index_promises(&l, 0);
		if (a.json)
		{
			json_t	   *j = explain_json(&r, &l);

			json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			putchar('\n');
			json_decref(j);
		}
		else
			print_explain_text(&r, &l);
		written = output_finish(stdout, NULL);
	}
	else if (r.refused)
	{
		diag_detail("%s", r.reason);
		diag_hint("pgsift explains SELECTs, and DML only under --measure real; it never runs utility statements.");
		diag_error("statement not explained");
	}
	else
	{
		diag_detail("%s", r.sqlstate);
		diag_error("EXPLAIN failed: %s", r.error ? r.error : "unknown error");
	}
	finding_list_free(&l);
	explain_result_free(&r);
	sandbox_close(c);
	sandbox_policy_free(policy);
	strbuf_free(&sql);
	return rc != 0 ? PGSIFT_EXIT_NOT_EXPLAINED : written;
}
