/*-------------------------------------------------------------------------
 * sequence_exhaustion.c
 *    sequence-exhaustion: an ascending sequence has used most of its
 *    range.
 *
 * When a sequence reaches its maximum, nextval fails and every insert
 * that needs an id fails with it.  Widening an integer key column rewrites
 * the table under an exclusive lock, which takes planning, so the rule
 * warns early: over 75% used (medium), over 90% (high, PgHero's line);
 * both are thresholds of pgsift.conf.  The score is the percentage used.
 * docs/rules/sequence-exhaustion.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"

#include <stdint.h>
#include <string.h>

extern const rule rule_sequence_exhaustion;

static void
set_fix(finding *f, const catalog_sequence *seq)
{
	strbuf		sql;

	strbuf_init(&sql);
	strbuf_puts(&sql, "ALTER SEQUENCE ");
	sql_append_qualified(&sql, seq->schema, seq->name);
	if (seq->type == NULL || strcmp(seq->type, "bigint") != 0)
	{
		strbuf_puts(&sql, " AS bigint;");
		finding_set_fix(f, sql.data, "widen the sequence, and the column it fills: ALTER TABLE ... "
						"ALTER COLUMN ... TYPE bigint (rewrites the table under lock)");
	}
	else if (seq->max_value < INT64_MAX)
	{
		strbuf_puts(&sql, " NO MAXVALUE;");
		finding_set_fix(f, sql.data, "lift the sequence's custom maximum to bigint's");
	}
	else
		finding_set_fix(f, NULL, "a bigint sequence at its limit cannot be widened: re-key the table");
	strbuf_free(&sql);
}

static void
report(const rule_context *ctx, const catalog_sequence *seq, double share)
{
	finding    *f = rule_catalog_finding(&rule_sequence_exhaustion, seq->schema, seq->name, NULL,
										 100.0 * share);

	if (100.0 * share > rule_param_value(ctx, &rule_sequence_exhaustion, "high_used_percent"))
		f->severity = FINDING_HIGH;
	finding_set_detail(f, "Sequence %s.%s (%s) is at %lld of %lld: %.1f%% used.", seq->schema, seq->name,
					   seq->type ? seq->type : "?", (long long) seq->last_value,
					   (long long) seq->max_value, 100.0 * share);
	finding_set_hint(f, "When it reaches its maximum every insert that takes a value fails; widen the "
					 "column before then.");
	set_fix(f, seq);
	finding_list_add(ctx->out, f);
}

static void
check(const rule_context *ctx)
{
	double		warn = rule_param_value(ctx, &rule_sequence_exhaustion, "min_used_percent") / 100.0;

	for (int i = 0; i < ctx->catalog->nsequences; i++)
	{
		const catalog_sequence *seq = &ctx->catalog->sequences[i];
		double		share;

		if (seq->increment <= 0 || seq->last_value < 0 || seq->max_value <= 0)
			continue;
		share = (double) seq->last_value / (double) seq->max_value;
		if (share > warn)
			report(ctx, seq, share);
	}
}

const rule	rule_sequence_exhaustion = {
	.id = "sequence-exhaustion",
	.title = "sequence is running out of values",
	.severity = FINDING_MEDIUM,
	.scope = RULE_CATALOG,
	.summary = "ascending sequence past 75% of its maximum (high past 90%)",
	.check = check,
	.params = (const rule_param[]) {
		{"min_used_percent", 75, "percentage of the range used above which the rule fires"},
		{"high_used_percent", 90, "percentage above which the finding is high rather than medium"},
		{NULL, 0, NULL}
	},
	.horizon = RULE_HORIZON_ARCHITECTURE,
};
