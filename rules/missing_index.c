/*-------------------------------------------------------------------------
 * missing_index.c
 *    missing-index: an index the advisor chose for the whole workload.
 *
 * The choice itself is made in src/advisor/advisor.c (what-if costs, greedy by
 * net benefit); this rule turns each chosen index into one finding: a
 * ready-to-paste CREATE INDEX CONCURRENTLY with a generated name, the
 * fingerprints it serves, the HypoPG costs before and after for the query
 * it helps most, and, under --measure real, the measured times, buffers
 * and plans.  The score is the net benefit in milliseconds per hour.
 * docs/rules/missing-index.md.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/advisor/advisor.h"
#include "src/sql/fingerprint.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

extern const rule rule_missing_index;

/* PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
#define INDEX_NAME_MAX 63

/*
 * table_key1_key2_idx from the letters and digits of the keys (an
 * expression lower(email) gives lower_email), and _partial for a partial
 * index, cut to INDEX_NAME_MAX.
 */
static char *
index_name(const advisor_candidate *c)
{
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_puts(&sb, c->table);
	for (int k = 0; k < c->nkeys; k++)
	{
		int			sep = 1;

		for (const char *p = c->keys[k]; *p && strncmp(p, " DESC", 5) != 0 && strncmp(p, " NULLS", 6) != 0; p++)
		{
			if (isalnum((unsigned char) *p) || *p == '_')
			{
				if (sep)
					strbuf_putc(&sb, '_');
				strbuf_putc(&sb, (char) tolower((unsigned char) *p));
				sep = 0;
			}
			else
				sep = 1;
		}
	}
	strbuf_puts(&sb, c->predicate ? "_partial_idx" : "_idx");
	if (sb.len > INDEX_NAME_MAX)
		sb.data[INDEX_NAME_MAX] = '\0';
	return strbuf_detach(&sb);
}

/* CREATE INDEX CONCURRENTLY name ON ... from the advisor's CREATE INDEX ON ... */
static char *
fix_sql(const advisor_candidate *c)
{
	static const char prefix[] = "CREATE INDEX ON ";
	char	   *name = index_name(c);
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_puts(&sb, "CREATE INDEX CONCURRENTLY ");
	sql_append_ident(&sb, name);
	strbuf_puts(&sb, " ON ");
	strbuf_puts(&sb, c->definition + strlen(prefix));
	strbuf_putc(&sb, ';');
	free(name);
	return strbuf_detach(&sb);
}

/* The detail: the queries served with their costs, the model's figures. */
static void
set_detail(finding *f, const advisor_advice *a, const advisor_choice *ch)
{
	strbuf		sb;
	char		hex[17];

	strbuf_init(&sb);
	strbuf_printf(&sb, "It serves %d %s:", ch->nserved, ch->nserved == 1 ? "query" : "queries");
	for (int i = 0; i < ch->nserved; i++)
	{
		const advisor_served *s = &ch->served[i];

		fingerprint_hex(a->queries[s->query].fingerprint, hex);
		strbuf_printf(&sb, "%s %s (cost %.0f -> %.0f, -%.0f%%)", i ? "," : "", hex,
					  s->before_cost, s->after_cost, 100.0 * (s->before_cost - s->after_cost) / s->before_cost);
	}
	strbuf_printf(&sb, ". Benefit %.1f ms/h, write penalty %.1f ms/h", ch->benefit_ms_per_hour,
				  ch->write_penalty_ms_per_hour);
	if (ch->hypo_size_bytes >= 0)
		strbuf_printf(&sb, ", estimated size %lld kB", (long long) (ch->hypo_size_bytes / 1024));
	strbuf_puts(&sb, ".");
	if (ch->rate_assumed)
		strbuf_puts(&sb, " Some queries' rate or mean time is unknown: one execution per hour (1 ms) is assumed.");
	if (ch->measured)
		strbuf_printf(&sb, " Measured in a rolled-back transaction: %.2f ms -> %.2f ms.", ch->before_ms, ch->after_ms);
	if (ch->not_measured)
		strbuf_printf(&sb, " %s", ch->not_measured);
	finding_set_detail(f, "%s", sb.data);
	strbuf_free(&sb);
}

static void
set_measurement(finding *f, const advisor_choice *ch)
{
	finding_measurement *m = &f->measurement;

	m->method = ch->measured ? MEASURE_MEASURED : MEASURE_HYPOTHETICAL;
	m->before_cost = ch->served[0].before_cost;
	m->after_cost = ch->served[0].after_cost;
	if (!ch->measured)
		return;
	m->before_ms = ch->before_ms;
	m->after_ms = ch->after_ms;
	m->before_buffers = ch->before_buffers;
	m->after_buffers = ch->after_buffers;
	m->speedup = ch->after_ms > 0 ? ch->before_ms / ch->after_ms : NAN;
	m->before_plan = ch->before_plan ? strdup(ch->before_plan) : NULL;
	m->after_plan = ch->after_plan ? strdup(ch->after_plan) : NULL;
}

static finding *
choice_finding(const advisor_advice *a, const advisor_choice *ch)
{
	const advisor_candidate *c = ch->candidate;
	strbuf		sb;
	finding    *f;
	char	   *sql = fix_sql(c);

	strbuf_init(&sb);
	strbuf_puts(&sb, "index on ");
	sql_append_qualified(&sb, c->schema, c->table);
	strbuf_puts(&sb, " (");
	for (int k = 0; k < c->nkeys; k++)
		strbuf_printf(&sb, "%s%s", k ? ", " : "", c->keys[k]);
	strbuf_puts(&sb, ")");
	f = finding_new(rule_missing_index.id, rule_missing_index.severity, sb.data);
	finding_set_key(f, c->definition);
	strbuf_reset(&sb);
	sql_append_qualified(&sb, c->schema, c->table);
	finding_add_table(f, sb.data);
	for (int i = 0; i < ch->nserved; i++)
		finding_add_fingerprint(f, a->queries[ch->served[i].query].fingerprint);
	finding_set_query(f, a->queries[ch->served[0].query].normalized);
	finding_set_fix(f, sql, "Build the index without blocking writes (CONCURRENTLY cannot run inside a transaction block).");
	finding_set_hint(f, "Run the statement outside a transaction; check pg_index.indisvalid afterwards.");
	f->score = ch->net_ms_per_hour;
	set_detail(f, a, ch);
	set_measurement(f, ch);
	strbuf_free(&sb);
	free(sql);
	return f;
}

static void
check(const rule_context *ctx)
{
	const advisor_advice *a = ctx->plan ? ctx->plan->advice : NULL;

	for (int i = 0; a && i < a->nchoices; i++)
		if (a->choices[i].nserved > 0)
			finding_list_add(ctx->out, choice_finding(a, &a->choices[i]));
}

const rule	rule_missing_index = {
	.id = "missing-index",
	.title = "an index would speed up the workload",
	.severity = FINDING_MEDIUM,
	.scope = RULE_ADVISOR,
	.summary = "An index chosen by the what-if advisor for the whole workload (HypoPG costs, measured under --measure real).",
	.check = check,
	.serves_others = 1,
};
