/*-------------------------------------------------------------------------
 * registry.c
 *    The list of every rule, and running them.
 *
 * The rules are the lines of rules/rules.def (an X-macro list: a new rule
 * is its file, its docs page and one line there); its order is the order
 * of `pgsift rules` and of the checks.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/core/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE(name) extern const rule rule_##name;
#include "rules/rules.def"
#undef RULE

const rule *const pgsift_rules[] = {
#define RULE(name) &rule_##name,
#include "rules/rules.def"
#undef RULE
	NULL
};

const rule *
rule_find(const char *id)
{
	for (int i = 0; pgsift_rules[i]; i++)
		if (strcmp(pgsift_rules[i]->id, id) == 0)
			return pgsift_rules[i];
	return NULL;
}

int
rules_scope_enabled(const pgsift_config *config, rule_scope scope)
{
	for (int i = 0; pgsift_rules[i]; i++)
		if (pgsift_rules[i]->scope == scope && config_rule_enabled(config, pgsift_rules[i]->id))
			return 1;
	return 0;
}

/* A plan context without a plan runs no plan rule: nothing to look at. */
void
rules_run(const rule_context *ctx)
{
	if (ctx->scope == RULE_PLAN && (ctx->plan == NULL || ctx->plan->plan == NULL))
		return;
	if (ctx->scope == RULE_CATALOG && ctx->catalog == NULL)
		return;
	if (ctx->scope == RULE_WORKLOAD && ctx->workload == NULL)
		return;
	if (ctx->scope == RULE_MIGRATION && ctx->migration == NULL)
		return;
	for (int i = 0; pgsift_rules[i]; i++)
		if (pgsift_rules[i]->scope == ctx->scope && config_rule_enabled(ctx->config, pgsift_rules[i]->id))
			pgsift_rules[i]->check(ctx);
}

static const rule_param *
param_named(const rule *r, const char *name)
{
	for (const rule_param *p = r->params; p && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

double
rule_param_value(const rule_context *ctx, const rule *r, const char *name)
{
	const rule_param *p = param_named(r, name);
	const config_entry *e;
	double		v;

	if (p == NULL)
	{
		fprintf(stderr, "pgsift: internal error: rule %s reads undeclared threshold %s\n", r->id, name);
		abort();
	}
	e = ctx ? config_lookup(ctx->config, r->id, name) : NULL;
	if (e && config_parse_number(e->value, &v) == 0)
		return v;
	return p->default_value;
}

const char *
rule_scope_name(rule_scope scope)
{
	switch (scope)
	{
		case RULE_PLAN:
			return "plan";
		case RULE_CATALOG:
			return "catalog";
		case RULE_ADVISOR:
			return "advisor";
		case RULE_WORKLOAD:
			return "workload";
		case RULE_MIGRATION:
			return "migration";
	}
	return "?";
}

/* The "name, name" list of r's thresholds, for a hint (static buffer). */
static const char *
param_list_text(const rule *r)
{
	static char buf[1024];
	size_t		len = 0;

	buf[0] = '\0';
	for (const rule_param *p = r->params; p && p->name && len < sizeof(buf) - 1; p++)
		len += (size_t) snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ", " : "", p->name);
	return buf[0] ? buf : "none";
}

int
rules_check_config(const pgsift_config *c)
{
	for (int i = 0; c && i < c->count; i++)
	{
		const config_entry *e = &c->entries[i];
		const rule *r = rule_find(e->section);
		double		v;

		if (strcmp(e->section, CONFIG_MIGRATION_SECTION) == 0)
			continue;			/* pgsift migration's own settings: migration_gate_configure */
		if (r == NULL)
		{
			diag_hint("Run \"pgsift rules\" for the rule ids.");
			diag_error("unknown rule \"%s\" at %s:%d", e->section, c->path, e->line);
			return -1;
		}
		if (strcmp(e->key, "enabled") == 0)
		{
			if (config_parse_bool(e->value) < 0)
			{
				diag_hint("Use true or false.");
				diag_error("invalid value \"%s\" for %s.enabled at %s:%d", e->value, r->id, c->path, e->line);
				return -1;
			}
			continue;
		}
		if (param_named(r, e->key) == NULL)
		{
			diag_detail("The thresholds of %s are: %s.", r->id, param_list_text(r));
			diag_hint("Run \"pgsift rules ID\" for a rule's page.");
			diag_error("unknown threshold \"%s\" for rule %s at %s:%d", e->key, r->id, c->path, e->line);
			return -1;
		}
		if (config_parse_number(e->value, &v) != 0 || v < 0)
		{
			diag_hint("Thresholds are numbers, zero or more.");
			diag_error("invalid value \"%s\" for %s.%s at %s:%d", e->value, r->id, e->key, c->path, e->line);
			return -1;
		}
	}
	return 0;
}
