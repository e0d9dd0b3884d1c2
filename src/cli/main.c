/*-------------------------------------------------------------------------
 * main.c
 *    The pgsift command: which subcommand runs.
 *
 *    pgsift analyze | report | explain | migration | rules ...
 *    pgsift --help | --version
 *
 * Each subcommand is one file of src/cli/ (cli.h); exit codes are the
 * PGSIFT_EXIT_* constants of diag.h (docs/cli.md).  Before any of them
 * runs, stderr's messages are set up: coloured as the environment says
 * (NO_COLOR, PG_COLOR, PG_COLORS: src/core/color.h), and notices printed
 * only when stderr is a terminal; a command's --color and --quiet refine
 * that.
 *-------------------------------------------------------------------------
 */
#include "src/cli/cli.h"
#include "src/core/color.h"
#include "src/core/diag.h"
#include "src/core/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
usage_main(FILE *out)
{
	fputs("pgsift — PostgreSQL query performance analyzer\n\n"
		  "Usage:\n"
		  "  pgsift analyze [OPTION]... FILE...   analyse log files (\"-\" reads stdin)\n"
		  "  pgsift analyze --dsn DSN [OPTION]... [FILE]...  also analyse a live database\n"
		  "  pgsift explain --dsn DSN [--param V]... SQL      explain one statement and check its plan\n"
		  "  pgsift migration [OPTION]... FILE.sql...  check a schema migration before it runs\n"
		  "  pgsift rules [ID]                    list the rules, or print one rule's page\n"
		  "  pgsift report --store FILE [OPTION]... print a stored run's report again\n"
		  "  pgsift --help | --version\n\n"
		  "Run \"pgsift COMMAND --help\" for a command's options, \"man pgsift\" or docs/cli.md\n"
		  "for all of them.\n", out);
}

static int
run_command(int argc, char **argv)
{
	if (argc < 2)
	{
		usage_main(stderr);
		return PGSIFT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
	{
		usage_main(stdout);
		return PGSIFT_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
	{
		return cli_version();
	}
	if (strcmp(argv[1], "analyze") == 0)
		return cmd_analyze(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0)
		return cmd_explain(argc - 1, argv + 1);
	if (strcmp(argv[1], "rules") == 0)
		return cmd_rules(argc - 1, argv + 1);
	if (strcmp(argv[1], "migration") == 0)
		return cmd_migration(argc - 1, argv + 1);
	diag_hint("Run \"pgsift --help\" for the commands.");
	diag_error("unknown command \"%s\"", argv[1]);
	return PGSIFT_EXIT_USAGE;
}

/*
 * Whatever the command printed to stdout is flushed here, where a full
 * disk or a closed device is noticed: a run that would have succeeded
 * exits PGSIFT_EXIT_WRITE instead; one that failed keeps its own code and
 * message.
 */
int
main(int argc, char **argv)
{
	color_set_pg_colors(getenv("PG_COLORS"));
	diag_color = color_decide_for_fd(COLOR_WHEN_UNSET, STDERR_FILENO);
	diag_notices = isatty(STDERR_FILENO);

	int			rc = run_command(argc, argv);
	int			succeeded = rc == PGSIFT_EXIT_OK || rc == PGSIFT_EXIT_FINDINGS;

	if (output_close_stdout(!succeeded) != 0 && succeeded)
		rc = PGSIFT_EXIT_WRITE;
	return rc;
}
