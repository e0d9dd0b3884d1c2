/*-------------------------------------------------------------------------
 * cli.h
 *    The subcommands of the pgsift command, one file each.
 *
 * Each takes the command line from its own name on (argv[0] is
 * "analyze", "explain", ...) and returns a PGSIFT_EXIT_* code; it prints
 * its own errors.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_CLI_H
#define PGSIFT_CLI_H

/* pgsift analyze (src/cli/cmd_analyze.c). */
int			cmd_analyze(int argc, char **argv);

/* pgsift report --store FILE (src/cli/cmd_analyze.c). */
int			cmd_report(int argc, char **argv);

/* pgsift explain (src/cli/cmd_explain.c). */
int			cmd_explain(int argc, char **argv);

/* pgsift migration FILE.sql... (src/cli/cmd_migration.c). */
int			cmd_migration(int argc, char **argv);

/* pgsift rules [ID] (src/cli/cmd_rules.c). */
int			cmd_rules(int argc, char **argv);

/*
 * pgsift --version (src/cli/version.c): "pgsift VERSION", then the
 * libraries' versions, on stdout (its write errors are main's to
 * report).  Returns PGSIFT_EXIT_OK.
 */
int			cli_version(void);

#endif
