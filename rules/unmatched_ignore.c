/*-------------------------------------------------------------------------
 * unmatched_ignore.c
 *    unmatched-ignore: a "-- pgsift: ignore" comment that names no rule
 *    or silences nothing.
 *
 * A stale ignore hides the next real finding on its statement, and a
 * misspelt rule id silences nothing while looking as if it did.  This
 * rule runs after every other migration rule (it is the last line of
 * rules/rules.def), when the ignores that silenced a finding are marked.
 * An ignore of a rule the configuration disables is not reported.
 * docs/rules/unmatched-ignore.md.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_rules.h"

extern const rule rule_unmatched_ignore;

static void
report(const rule_context *ctx, const migration_ignore *ig, const rule *named)
{
	const migration *m = MIGRATION(ctx);
	finding    *f = finding_new(rule_unmatched_ignore.id, rule_unmatched_ignore.severity, rule_unmatched_ignore.title);
	strbuf		key;

	if (named == NULL || named->scope != RULE_MIGRATION)
	{
		finding_set_detail(f, "The comment ignores \"%s\", which is %s.", ig->rule,
						   named ? "not a migration rule" : "no rule of pgsift");
		finding_set_hint(f, "Run \"pgsift rules\" for the rule ids.");
	}
	else
	{
		finding_set_detail(f, "The comment ignores %s %s, and %s reports nothing there.", ig->rule,
						   ig->whole_file ? "in the whole file" : ig->statement >= 0 ? "on its statement"
						   : "but no statement follows it", ig->rule);
		finding_set_hint(f, "Remove it: a stale ignore would hide the next real finding.");
	}
	strbuf_init(&key);
	strbuf_printf(&key, "%s:%d:%s", m->files[ig->file].path, ig->line, ig->rule);
	finding_set_key(f, key.data);
	strbuf_free(&key);
	finding_set_location(f, m->files[ig->file].path, ig->line,
						 ig->statement >= 0 ? m->statements[ig->statement].sql : NULL);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	const migration *m = MIGRATION(ctx);

	for (int k = 0; k < m->nignores; k++)
	{
		const migration_ignore *ig = &m->ignores[k];
		const rule *named = rule_find(ig->rule);

		if (ig->used || (named && !config_rule_enabled(ctx->config, named->id)))
			continue;
		report(ctx, ig, named);
	}
}

const rule	rule_unmatched_ignore = {
	.id = "unmatched-ignore",
	.title = "ignore comment silences nothing",
	.severity = FINDING_LOW,
	.scope = RULE_MIGRATION,
	.summary = "a \"-- pgsift: ignore\" comment that names no rule or matches no finding",
	.check = check,
};
