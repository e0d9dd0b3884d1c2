/*-------------------------------------------------------------------------
 * cmd_migration.c
 *    pgsift migration: the gate a pull request's SQL migration passes
 *    before it is merged.
 *
 * The files are checked in the order given, each statement located by
 * file and line, by the migration rules (src/analyze/migration_gate.c);
 * the report goes to stdout (or -o) in the format CI wants, and the exit
 * status says whether a finding reached --fail-on (high by default).
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/analyze/migration_gate.h"
#include "src/cli/cli.h"
#include "src/core/config.h"
#include "src/core/diag.h"
#include "src/core/output.h"
#include "src/lib/arena.h"
#include "src/report/report_migration.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct migration_cli
{
	migration_gate_options gate;
	migration_format format;
	int			fail_on;
	const char *output;
	const char *config_path;
	int			nworkload;
	const char **workload;		/* NULL-terminated */
} migration_cli;

static void
usage_migration(FILE *out)
{
	fputs("Usage: pgsift migration [OPTION]... FILE.sql...\n\n"
		  "Checks a schema migration before it runs: the locks each statement takes, the\n"
		  "rewrites and scans it causes, and the statements that would fail. Files run in\n"
		  "the order given, as psql runs them (statement by statement, BEGIN ... COMMIT\n"
		  "where they have it).\n\n"
		  "Options:\n"
		  "  --dsn DSN             a staging database (or a throwaway one CI built): its\n"
		  "                        catalog and version are used; nothing is changed\n"
		  "  --measure MODE        off (default: read the catalog only), plan (run the\n"
		  "                        migration in a transaction that is rolled back, trace\n"
		  "                        its locks and rewrites, EXPLAIN the workload before and\n"
		  "                        after) or real (plan, with EXPLAIN ANALYZE of what the\n"
		  "                        side-effect screen lets run); staging databases only\n"
		  "  --workload LOG        a log whose heaviest queries are compared (repeatable;\n"
		  "                        pg_stat_statements is read too when installed)\n"
		  "  --statement-timeout MS, --lock-timeout MS   of the trace (default 5000, 1000)\n"
		  "  --pg-version N        the target server's major version (default: the\n"
		  "                        server's with --dsn, else 15)\n"
		  "  --single-transaction  the migration tool wraps each file in one transaction\n"
		  "  --format FMT          text (default), json, markdown, sarif or github\n"
		  "                        (github: annotations, and the Markdown report appended\n"
		  "                        to $GITHUB_STEP_SUMMARY when it is set)\n"
		  "  -o, --output FILE     write the report to FILE instead of stdout\n"
		  "  --fail-on SEVERITY    exit 1 when a finding is at least SEVERITY (info, low,\n"
		  "                        medium, high, critical; default high; none: never)\n"
		  "  --config FILE         rules to disable, thresholds, and the [migration] section\n"
		  "                        (default ./pgsift.conf when present)\n"
		  "  -h, --help            show this help\n\n"
		  "Ignore a rule on one statement with a comment on it or the line above:\n"
		  "  -- pgsift: ignore RULE-ID[, RULE-ID...]      (-- pgsift: ignore-file RULE-ID)\n\n"
		  "Exit status: 0 no finding at --fail-on, 1 a finding at or above it, 2 bad usage,\n"
		  "3 a file could not be read, 4 the database could not be reached or read.\n", out);
}

enum
{
	OPT_PG_VERSION = 256, OPT_SINGLE_TRANSACTION, OPT_FORMAT, OPT_FAIL_ON, OPT_CONFIG,
	OPT_DSN, OPT_MEASURE, OPT_WORKLOAD, OPT_STATEMENT_TIMEOUT, OPT_LOCK_TIMEOUT
};

static const struct option migration_long_options[] = {
	{"pg-version", required_argument, NULL, OPT_PG_VERSION},
	{"single-transaction", no_argument, NULL, OPT_SINGLE_TRANSACTION},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"output", required_argument, NULL, 'o'},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"dsn", required_argument, NULL, OPT_DSN},
	{"measure", required_argument, NULL, OPT_MEASURE},
	{"workload", required_argument, NULL, OPT_WORKLOAD},
	{"statement-timeout", required_argument, NULL, OPT_STATEMENT_TIMEOUT},
	{"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}
};

/* One option into o; 0, or -1 after reporting. */
static int
apply_option(migration_cli *o, int c, const char *arg)
{
	char	   *end;
	long		v;

	switch (c)
	{
		case OPT_PG_VERSION:
			v = strtol(arg, &end, 10);
			if (*arg == '\0' || *end != '\0' || v < 10 || v > 17)
			{
				diag_hint("Give the major version: 10 to 17.");
				diag_error("invalid --pg-version \"%s\"", arg);
				return -1;
			}
			o->gate.pg_version = (int) v;
			return 0;
		case OPT_SINGLE_TRANSACTION:
			o->gate.model.single_transaction = 1;
			return 0;
		case OPT_FORMAT:
			if ((o->format = (migration_format) migration_format_from_name(arg)) == (migration_format) -1)
			{
				diag_hint("Use text, json, markdown, sarif or github.");
				diag_error("unknown report format \"%s\"", arg);
				return -1;
			}
			return 0;
		case 'o':
			o->output = arg;
			return 0;
		case OPT_FAIL_ON:
			if (strcmp(arg, "none") == 0)
				o->fail_on = -1;
			else if ((o->fail_on = finding_severity_from_name(arg)) < 0)
			{
				diag_hint("Use info, low, medium, high, critical or none.");
				diag_error("unknown severity \"%s\"", arg);
				return -1;
			}
			return 0;
		case OPT_CONFIG:
			o->config_path = arg;
			return 0;
		case OPT_DSN:
			o->gate.dsn = arg;
			return 0;
		case OPT_MEASURE:
			if ((v = migration_measure_from_name(arg)) < 0)
			{
				diag_hint("Use off, plan or real.");
				diag_error("unknown measure mode \"%s\"", arg);
				return -1;
			}
			o->gate.measure = (migration_measure) v;
			return 0;
		case OPT_WORKLOAD:
			o->workload = xrealloc(o->workload, sizeof(char *) * (size_t) (o->nworkload + 2));
			o->workload[o->nworkload++] = arg;
			o->workload[o->nworkload] = NULL;
			return 0;
		case OPT_STATEMENT_TIMEOUT:
		case OPT_LOCK_TIMEOUT:
			v = strtol(arg, &end, 10);
			if (*arg == '\0' || *end != '\0' || v < 1 || v > 86400000)
			{
				diag_hint("Give a number of milliseconds, at least 1.");
				diag_error("invalid %s \"%s\"", c == OPT_LOCK_TIMEOUT ? "--lock-timeout" : "--statement-timeout", arg);
				return -1;
			}
			if (c == OPT_LOCK_TIMEOUT)
				o->gate.lock_timeout_ms = (int) v;
			else
				o->gate.statement_timeout_ms = (int) v;
			return 0;
		default:
			diag_hint("Try \"pgsift migration --help\".");
			diag_error("invalid option");
			return -1;
	}
}

/*
 * Write the report where -o says; PGSIFT_EXIT_OK, or PGSIFT_EXIT_WRITE
 * after reporting (the file could not be opened or written).
 */
static int
write_report(const migration_cli *o, const migration_report_input *in)
{
	FILE	   *out = output_open(o->output);

	if (out == NULL)
		return PGSIFT_EXIT_WRITE;
	(void) migration_report_write(out, o->format, in);
	return output_finish(out, o->output);
}

int
cmd_migration(int argc, char **argv)
{
	migration_cli o = {.format = MIGRATION_FORMAT_TEXT, .fail_on = FINDING_HIGH};
	migration_gate_result result;
	migration_report_input in;
	pgsift_config *config;
	int			c,
				rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", migration_long_options, NULL)) != -1)
	{
		if (c == 'h')
		{
			usage_migration(stdout);
			return PGSIFT_EXIT_OK;
		}
		if (c == '?' || apply_option(&o, c, optarg) != 0)
		{
			free(o.workload);
			return PGSIFT_EXIT_USAGE;
		}
	}
	o.gate.workload = o.workload;
	if (o.gate.dsn == NULL && (o.gate.measure != MIGRATION_MEASURE_OFF || o.nworkload > 0))
	{
		free(o.workload);
		diag_hint("The trace and the workload's plans need a staging database: give --dsn.");
		diag_error("--measure %s and --workload need --dsn", migration_measure_name(o.gate.measure));
		return PGSIFT_EXIT_USAGE;
	}
	if (o.nworkload > 0 && o.gate.measure == MIGRATION_MEASURE_OFF)
	{
		free(o.workload);
		diag_hint("Add --measure plan: the workload's queries are planned before and after the migration runs "
				  "in a transaction that is rolled back.");
		diag_error("--workload needs --measure plan or real");
		return PGSIFT_EXIT_USAGE;
	}
	if (optind >= argc)
	{
		free(o.workload);
		diag_hint("Give the migration's SQL files, in the order they run.");
		diag_error("no migration file given");
		return PGSIFT_EXIT_USAGE;
	}
	config = config_load(o.config_path);
	if (config == NULL || rules_check_config(config) != 0 || migration_gate_configure(config, &o.gate) != 0)
	{
		free(o.workload);
		config_free(config);
		return PGSIFT_EXIT_USAGE;
	}
	o.gate.config = config;
	rc = migration_gate_run((const char *const *) argv + optind, argc - optind, &o.gate, &result);
	if (rc == PGSIFT_EXIT_OK)
	{
		in = (migration_report_input) {
			.result = &result,
				.fail_on = o.fail_on,
				.summary_path = o.format == MIGRATION_FORMAT_GITHUB ? getenv("GITHUB_STEP_SUMMARY") : NULL,
		};
		rc = write_report(&o, &in);
		if (rc == PGSIFT_EXIT_OK && migration_report_failed(&in))
			rc = PGSIFT_EXIT_FINDINGS;
	}
	migration_gate_result_free(&result);
	config_free(config);
	free(o.workload);
	return rc;
}
