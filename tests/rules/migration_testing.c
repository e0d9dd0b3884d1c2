/*-------------------------------------------------------------------------
 * migration_testing.c
 *    Linting a migration held in a string (see migration_testing.h).
 *-------------------------------------------------------------------------
 */
#include "tests/rules/migration_testing.h"

#include <string.h>

static migration_gate_result last;
static int	have_last;

void
lint_free(void)
{
	if (have_last)
		migration_gate_result_free(&last);
	have_last = 0;
}

const migration_gate_result *
lint_sql_with(const char *sql, const migration_gate_options *opts)
{
	lint_free();
	migration_gate_run_text("m.sql", sql, opts, &last);
	have_last = 1;
	return &last;
}

const migration_gate_result *
lint_sql(const char *sql, int pg_version)
{
	migration_gate_options o = {.pg_version = pg_version};

	return lint_sql_with(sql, &o);
}

const migration_gate_result *
lint_last_result(void)
{
	return have_last ? &last : NULL;
}

int
lint_count(const char *rule)
{
	int			n = 0;

	for (int i = 0; have_last && i < last.findings.count; i++)
		n += strcmp(last.findings.items[i]->rule, rule) == 0;
	return n;
}

const finding *
lint_finding(const char *rule, int n)
{
	for (int i = 0; have_last && i < last.findings.count; i++)
		if (strcmp(last.findings.items[i]->rule, rule) == 0 && n-- == 0)
			return last.findings.items[i];
	return NULL;
}

int
lint_line(const char *rule)
{
	const finding *f = lint_finding(rule, 0);

	return f ? f->location.line : 0;
}
