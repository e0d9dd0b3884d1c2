/*-------------------------------------------------------------------------
 * report_migration_json.c
 *    pgsift migration's report as JSON, and as a SARIF 2.1.0 log.
 *
 * SARIF is what code-scanning services read (GitHub's upload-sarif
 * action among them).  The log has one run; its driver lists every
 * migration rule (id, name, descriptions, help, default level), and each
 * result names its rule by id and index, its location by a path
 * relative to the checkout (artifactLocation.uri, with uriBaseId
 * %SRCROOT%) and the statement's first line, and carries
 * partialFingerprints so that the service follows a finding when lines
 * above it move.  Levels: critical and high are "error", medium
 * "warning", low and info "note".
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/lib/json_out.h"
#include "src/report/report.h"
#include "src/report/report_migration.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static json_t *
files_json(const migration *m)
{
	json_t	   *a = json_array();

	for (int f = 0; f < m->nfiles; f++)
	{
		int			n = 0;

		for (int i = 0; i < m->nstatements; i++)
			n += m->statements[i].file == f;
		json_array_append_new(a, json_pack("{s:o, s:i}", "path", json_text_or_null(m->files[f].path),
										   "statements", n));
	}
	return a;
}

static json_t *
summary_json(const migration_report_input *in)
{
	const finding_list *l = &in->result->findings;
	json_t	   *by = json_object();

	for (int s = FINDING_INFO; s <= FINDING_CRITICAL; s++)
	{
		int			n = 0;

		for (int i = 0; i < l->count; i++)
			n += (int) l->items[i]->severity == s;
		json_object_set_new(by, finding_severity_name((finding_severity) s), json_integer(n));
	}
	return json_pack("{s:i, s:o, s:o, s:b}", "findings", l->count, "by_severity", by,
					 "fail_on", in->fail_on >= 0 ? json_string(finding_severity_name((finding_severity) in->fail_on))
					 : json_null(),
					 "failed", migration_report_failed(in));
}

json_t *
migration_report_json(const migration_report_input *in)
{
	const migration_gate_result *r = in->result;
	json_t	   *o = json_object();
	json_t	   *fs = json_array();

	json_object_set_new(o, "schema_version", json_integer(REPORT_SCHEMA_VERSION));
	json_object_set_new(o, "tool", json_string("pgsift"));
	json_object_set_new(o, "version", json_string(PGSIFT_VERSION));
	json_object_set_new(o, "command", json_string("migration"));
	json_object_set_new(o, "pg_version", json_integer(r->pg_version));
	json_object_set_new(o, "single_transaction", json_boolean(r->migration.options.single_transaction));
	json_object_set_new(o, "files", files_json(&r->migration));
	json_object_set_new(o, "statements", json_integer(r->migration.nstatements));
	json_object_set_new(o, "summary", summary_json(in));
	for (int i = 0; i < r->findings.count; i++)
		json_array_append_new(fs, finding_to_json(r->findings.items[i]));
	json_object_set_new(o, "findings", fs);
	json_object_set_new(o, "database", migration_report_database_json(r));
	return o;
}

static const char *
sarif_level(finding_severity s)
{
	return s >= FINDING_HIGH ? "error" : s == FINDING_MEDIUM ? "warning" : "note";
}

/* "index-without-concurrently" as "IndexWithoutConcurrently" (SARIF's rule name). */
static json_t *
pascal_name(const char *id)
{
	strbuf		sb;
	int			up = 1;
	json_t	   *j;

	strbuf_init(&sb);
	for (const char *p = id; *p; p++)
	{
		if (*p == '-')
		{
			up = 1;
			continue;
		}
		strbuf_putc(&sb, up ? (char) toupper((unsigned char) *p) : *p);
		up = 0;
	}
	j = json_string(sb.data);
	strbuf_free(&sb);
	return j;
}

static json_t *
sarif_rule(const rule *r)
{
	char	   *help = NULL;
	json_t	   *j;

	if (asprintf(&help, "%s. The rule's page, docs/rules/%s.md in pgsift's source and `pgsift rules %s`, "
				 "gives the lock it takes, why it hurts, and the safe recipe.", r->summary, r->id, r->id) < 0)
		help = NULL;
	j = json_pack("{s:s, s:o, s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:[s, s]}}",
				  "id", r->id,
				  "name", pascal_name(r->id),
				  "shortDescription", "text", r->title,
				  "fullDescription", "text", r->summary,
				  "help", "text", help ? help : r->summary, "markdown", help ? help : r->summary,
				  "defaultConfiguration", "level", sarif_level(r->severity),
				  "properties", "tags", "postgresql", "migration");
	free(help);
	return j;
}

/* The driver's rules (every migration rule) and each id's index in it. */
static json_t *
sarif_rules(json_t *index_of)
{
	json_t	   *a = json_array();

	for (int i = 0; pgsift_rules[i]; i++)
		if (pgsift_rules[i]->scope == RULE_MIGRATION)
		{
			json_object_set_new(index_of, pgsift_rules[i]->id, json_integer((json_int_t) json_array_size(a)));
			json_array_append_new(a, sarif_rule(pgsift_rules[i]));
		}
	return a;
}

static json_t *
sarif_message(const finding *f)
{
	strbuf		sb;
	json_t	   *j;

	strbuf_init(&sb);
	strbuf_puts(&sb, f->title ? f->title : f->rule);
	if (f->detail)
		strbuf_printf(&sb, ". %s", f->detail);
	if (f->hint)
		strbuf_printf(&sb, " %s", f->hint);
	if (f->fix_sql)
		strbuf_printf(&sb, " Fix: %s", f->fix_sql);
	j = json_pack("{s:o}", "text", json_text_or_null(sb.data));
	strbuf_free(&sb);
	return j;
}

static json_t *
sarif_result(const finding *f, json_t *index_of)
{
	char	   *uri = migration_report_relative_path(f->location.file ? f->location.file : "", 1);
	json_t	   *index = json_object_get(index_of, f->rule);
	json_t	   *res;

	res = json_pack("{s:s, s:s, s:o, s:[{s:{s:{s:s, s:s}, s:{s:i}}}], s:{s:o}}",
					"ruleId", f->rule,
					"level", sarif_level(f->severity),
					"message", sarif_message(f),
					"locations", "physicalLocation", "artifactLocation", "uri", uri, "uriBaseId", "%SRCROOT%",
					"region", "startLine", f->location.line > 0 ? f->location.line : 1,
					"partialFingerprints", "pgsiftFindingId/v1", json_text_or_null(f->id));
	if (index)
		json_object_set(res, "ruleIndex", index);
	if (f->location.lock || f->location.rewrite >= 0)
		json_object_set_new(res, "properties",
							json_pack("{s:o, s:o}", "lock", json_text_or_null(f->location.lock),
									  "rewrite", f->location.rewrite < 0 ? json_null()
									  : json_boolean(f->location.rewrite)));
	free(uri);
	return res;
}

json_t *
migration_report_sarif(const migration_report_input *in)
{
	json_t	   *index_of = json_object();
	json_t	   *rules = sarif_rules(index_of);
	json_t	   *results = json_array();
	json_t	   *log;

	for (int i = 0; i < in->result->findings.count; i++)
		json_array_append_new(results, sarif_result(in->result->findings.items[i], index_of));
	log = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o, s:s}]}",
					"$schema", SARIF_SCHEMA,
					"version", "2.1.0",
					"runs", "tool", "driver", "name", "pgsift", "version", PGSIFT_VERSION,
					"semanticVersion", PGSIFT_VERSION, "rules", rules,
					"results", results,
					"columnKind", "unicodeCodePoints");
	json_decref(index_of);
	return log;
}
