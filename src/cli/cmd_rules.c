/*-------------------------------------------------------------------------
 * cmd_rules.c
 *    The `pgsift rules` command: the registry, or one rule's page.
 *
 *    pgsift rules          every rule: id, scope, severity, what it finds
 *    pgsift rules ID       docs/rules/ID.md and the rule's thresholds
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/cli/cli.h"
#include "src/core/diag.h"
#include "src/core/finding.h"
#include "src/core/output.h"

#include <stdio.h>
#include <string.h>

/* The thresholds of r as pgsift.conf lines, from its descriptor. */
static void
print_rule_params(const rule *r)
{
	if (r->params == NULL || r->params[0].name == NULL)
		return;
	printf("\nThresholds (pgsift.conf, section [%s]; the defaults shown):\n", r->id);
	for (const rule_param *p = r->params; p->name; p++)
		printf("  %s = %g    # %s\n", p->name, p->default_value, p->description);
}

/* Print docs/rules/ID.md from the source tree or the installed docs. */
static int
print_rule_page(const char *id)
{
	const char *dirs[] = {PGSIFT_DOCS_DIR "/rules", "/usr/local/share/doc/pgsift/rules", "/usr/share/doc/pgsift/rules"};
	char		path[4096];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
	{
		snprintf(path, sizeof(path), "%s/%s.md", dirs[i], id);
		FILE	   *f = fopen(path, "r");

		if (f == NULL)
			continue;
		char		buf[4096];
		size_t		n;

		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, stdout);
		fclose(f);
		print_rule_params(rule_find(id));
		return output_finish(stdout, NULL);
	}
	printf("%s: %s\n(no documentation page found; see docs/rules/%s.md in the source)\n", id,
		   rule_find(id)->summary, id);
	print_rule_params(rule_find(id));
	return output_finish(stdout, NULL);
}

int
cmd_rules(int argc, char **argv)
{
	int			width = 4;

	if (argc > 2)
	{
		diag_hint("Use: pgsift rules [ID]");
		diag_error("too many arguments");
		return PGSIFT_EXIT_USAGE;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
	{
		fputs("Usage: pgsift rules [ID]\n\n"
			  "Without ID, every rule: its id, scope, severity and what it finds.  With ID, the\n"
			  "rule's page (docs/rules/ID.md) and its thresholds as pgsift.conf lines.\n", stdout);
		return PGSIFT_EXIT_OK;
	}
	if (argc == 2)
	{
		if (rule_find(argv[1]) == NULL)
		{
			diag_hint("Run \"pgsift rules\" for the list.");
			diag_error("unknown rule \"%s\"", argv[1]);
			return PGSIFT_EXIT_USAGE;
		}
		return print_rule_page(argv[1]);
	}
	for (int i = 0; pgsift_rules[i]; i++)
		if ((int) strlen(pgsift_rules[i]->id) > width)
			width = (int) strlen(pgsift_rules[i]->id);
	printf("%-*s %-9s %-8s %s\n", width, "RULE", "SCOPE", "SEVERITY", "WHAT IT FINDS");
	for (int i = 0; pgsift_rules[i]; i++)
	{
		const rule *r = pgsift_rules[i];

		printf("%-*s %-9s %-8s %s (docs/rules/%s.md)\n", width, r->id,
			   rule_scope_name(r->scope),
			   finding_severity_name(r->severity), r->summary, r->id);
	}
	return output_finish(stdout, NULL);
}
