/*-------------------------------------------------------------------------
 * migration_regress_rules.c
 *    The finding the rules on the workload's plans make for one query.
 *-------------------------------------------------------------------------
 */
#include "rules/migration_regress_rules.h"
#include "src/lib/strbuf.h"
#include "src/sql/fingerprint.h"

#include <math.h>
#include <string.h>

/* Of a query's text, the detail shows this much (whitespace folded). */
#define QUERY_CHARS 160

finding *
migration_query_finding(const rule *r, const rule_context *ctx, const regress_query *q)
{
	finding    *f;
	strbuf		key;
	char		hex[17];

	if (q->statement < 0 || (f = migration_finding(r, ctx, q->statement)) == NULL)
		return NULL;
	fingerprint_hex(q->fingerprint, hex);
	strbuf_init(&key);
	strbuf_printf(&key, "%s\n%s", hex, f->location.statement ? f->location.statement : "");
	finding_set_key(f, key.data);
	strbuf_free(&key);
	finding_add_fingerprint(f, q->fingerprint);
	finding_set_query(f, q->query);
	for (int i = 0; i < q->after.nrelations; i++)
		finding_add_table(f, q->after.relations[i]);
	strbuf_init(&key);
	for (const char *p = q->query; p && *p && key.len < QUERY_CHARS; p++)
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		{
			if (key.len > 0 && key.data[key.len - 1] != ' ')
				strbuf_putc(&key, ' ');
		}
		else
			strbuf_putc(&key, *p);
	finding_set_detail(f, "Query %s, %s%s (%.0f calls, %.1f ms in the workload, from %s), %s.", hex, key.data,
					   q->query && strlen(q->query) > QUERY_CHARS ? "..." : "", q->calls, q->total_ms,
					   q->source, q->reason ? q->reason : "");
	strbuf_free(&key);
	if (q->before.summary && q->before.summary[0])
		finding_append_detail(f, "Before: %s.", q->before.summary);
	if (q->after.ok && q->after.summary && q->after.summary[0])
		finding_append_detail(f, "After: %s.", q->after.summary);
	if (q->after.ok)
		finding_add_metric(f, "cost", q->before.cost, q->after.cost, "");
	if (q->after.ok && isfinite(q->before.ms) && isfinite(q->after.ms))
		finding_add_metric(f, "execution_ms", q->before.ms, q->after.ms, "ms");
	return f;
}
