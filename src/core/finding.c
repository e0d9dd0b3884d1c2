/*-------------------------------------------------------------------------
 * finding.c
 *    Findings: construction, ordering and their JSON form.
 *
 * Rules build a finding with finding_new and the setters, then hand it to a
 * finding_list, which owns it.  Every string is malloc'd and belongs to the
 * finding, so a rule may pass stack buffers and transient catalog text.
 * The id is a hash of the rule and a key naming what the finding concerns
 * (a table, an index, a plan node of one query), so the same problem keeps
 * the same id from one run to the next and reports can be diffed.
 *-------------------------------------------------------------------------
 */
#include "src/core/finding.h"
#include "src/lib/arena.h"
#include "src/lib/hashmap.h"
#include "src/lib/json_out.h"
#include "src/lib/strbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};
static const char *const method_names[] = {"none", "estimated", "hypothetical", "measured"};

/* xstrdup that passes NULL through. */
static char *
copy_string(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void *
grow_array(void *items, int count, int *cap, size_t elem)
{
	if (count < *cap)
		return items;
	*cap = *cap ? *cap * 2 : 4;
	return xrealloc(items, (size_t) *cap * elem);
}

/*
 * A new finding with every figure unknown: measurement times, costs and the
 * speedup NAN, buffers -1.  rule and title are copied.  Never NULL.
 */
finding *
finding_new(const char *rule, finding_severity sev, const char *title)
{
	finding    *f = xcalloc(1, sizeof(finding));

	f->rule = copy_string(rule);
	f->severity = sev;
	f->title = copy_string(title);
	f->measurement.method = MEASURE_NONE;
	f->measurement.before_ms = f->measurement.after_ms = NAN;
	f->measurement.before_cost = f->measurement.after_cost = NAN;
	f->measurement.before_buffers = f->measurement.after_buffers = -1;
	f->measurement.speedup = NAN;
	f->location.rewrite = -1;
	return f;
}

void
finding_set_location(finding *f, const char *file, int line, const char *statement)
{
	free(f->location.file);
	free(f->location.statement);
	f->location.file = copy_string(file);
	f->location.line = line;
	f->location.statement = copy_string(statement);
}

void
finding_set_lock(finding *f, const char *lock, int rewrite)
{
	free(f->location.lock);
	f->location.lock = lock && lock[0] ? copy_string(lock) : NULL;
	f->location.rewrite = rewrite;
}

/*
 * Replace the detail with the formatted text.  The text is formatted
 * before the old detail is freed, so an argument may be f->detail.
 */
void
finding_set_detail(finding *f, const char *fmt,...)
{
	va_list		ap;
	char	   *text;

	va_start(ap, fmt);
	text = strbuf_vformat(fmt, ap);
	va_end(ap);
	free(f->detail);
	f->detail = text;
}

/* Append a formatted sentence to the detail, after a space when there is one. */
void
finding_append_detail(finding *f, const char *fmt,...)
{
	va_list		ap;
	strbuf		sb;

	strbuf_init(&sb);
	if (f->detail && f->detail[0])
	{
		strbuf_puts(&sb, f->detail);
		strbuf_putc(&sb, ' ');
	}
	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	free(f->detail);
	f->detail = strbuf_detach(&sb);
}

/* Replace the hint with the formatted text (which may use f->hint). */
void
finding_set_hint(finding *f, const char *fmt,...)
{
	va_list		ap;
	char	   *text;

	va_start(ap, fmt);
	text = strbuf_vformat(fmt, ap);
	va_end(ap);
	free(f->hint);
	f->hint = text;
}

/* Replace the fix; either argument may be NULL.  Both are copied. */
void
finding_set_fix(finding *f, const char *sql, const char *description)
{
	free(f->fix_sql);
	free(f->fix_description);
	f->fix_sql = copy_string(sql);
	f->fix_description = copy_string(description);
}

/* Append a schema-qualified table name (copied), once. */
void
finding_add_table(finding *f, const char *qualified_name)
{
	for (int i = 0; i < f->ntables; i++)
		if (strcmp(f->tables[i], qualified_name) == 0)
			return;
	f->tables = xrealloc(f->tables, (size_t) (f->ntables + 1) * sizeof(char *));
	f->tables[f->ntables++] = copy_string(qualified_name);
}

/* Append a fingerprint as 16 hex digits, once. */
void
finding_add_fingerprint(finding *f, uint64_t fingerprint)
{
	char		hex[17];

	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long) fingerprint);
	for (int i = 0; i < f->nfingerprints; i++)
		if (strcmp(f->fingerprints[i], hex) == 0)
			return;
	f->fingerprints = xrealloc(f->fingerprints, (size_t) (f->nfingerprints + 1) * sizeof(char *));
	f->fingerprints[f->nfingerprints++] = copy_string(hex);
}

/* Replace the normalized query text (copied; NULL clears it). */
void
finding_set_query(finding *f, const char *query)
{
	free(f->query);
	f->query = copy_string(query);
}

/* Append a named before/after figure; name and unit are copied. */
void
finding_add_metric(finding *f, const char *name, double before, double after, const char *unit)
{
	finding_metric *m;

	f->metrics = xrealloc(f->metrics, (size_t) (f->nmetrics + 1) * sizeof(finding_metric));
	m = &f->metrics[f->nmetrics++];
	m->name = copy_string(name);
	m->before = before;
	m->after = after;
	m->unit = copy_string(unit);
}

const finding_metric *
finding_metric_named(const finding *f, const char *name)
{
	for (int i = 0; i < f->nmetrics; i++)
		if (strcmp(f->metrics[i].name, name) == 0)
			return &f->metrics[i];
	return NULL;
}

/* Append another finding's id (copied), once. */
void
finding_add_related(finding *f, const char *id)
{
	for (int i = 0; i < f->nrelated; i++)
		if (strcmp(f->related[i], id) == 0)
			return;
	f->related = xrealloc(f->related, (size_t) (f->nrelated + 1) * sizeof(char *));
	f->related[f->nrelated++] = copy_string(id);
}

/* rule itself, or one of the rules merged into f. */
int
finding_has_rule(const finding *f, const char *rule)
{
	if (f->rule && strcmp(f->rule, rule) == 0)
		return 1;
	for (int i = 0; i < f->nrules; i++)
		if (strcmp(f->rules[i], rule) == 0)
			return 1;
	return 0;
}

/*
 * id = rule "-" 12 hex digits of hash_bytes(rule followed by key).  The key
 * names what the finding concerns (e.g. "public.orders_pkey"); two runs over
 * the same object give the same id.
 */
void
finding_set_key(finding *f, const char *key)
{
	strbuf		sb;
	uint64_t	h;

	strbuf_init(&sb);
	strbuf_puts(&sb, f->rule);
	strbuf_puts(&sb, key);
	h = hash_bytes(sb.data, sb.len);
	strbuf_reset(&sb);
	strbuf_printf(&sb, "%s-%012llx", f->rule, (unsigned long long) (h & 0xffffffffffffULL));
	free(f->id);
	f->id = strbuf_detach(&sb);
}

/* Append f; the list owns it from now on.  A zeroed list is empty. */
void
finding_list_add(finding_list *l, finding *f)
{
	l->items = grow_array(l->items, l->count, &l->cap, sizeof(finding *));
	l->items[l->count++] = f;
}

/* Score descending, then severity descending, then id ascending. */
int
finding_compare(const finding *fa, const finding *fb)
{
	if (fa->score != fb->score)
		return fa->score > fb->score ? -1 : 1;
	if (fa->severity != fb->severity)
		return fa->severity > fb->severity ? -1 : 1;
	return strcmp(fa->id ? fa->id : "", fb->id ? fb->id : "");
}

static int
compare_findings(const void *a, const void *b)
{
	return finding_compare(*(finding *const *) a, *(finding *const *) b);
}

/* Sort by score descending, then severity descending, then id ascending. */
void
finding_list_sort(finding_list *l)
{
	if (l->count > 1)
		qsort(l->items, (size_t) l->count, sizeof(finding *), compare_findings);
}

/* Free f and every string it owns; NULL is allowed. */
void
finding_free(finding *f)
{
	if (f == NULL)
		return;
	free(f->rule);
	free(f->id);
	free(f->title);
	free(f->detail);
	free(f->hint);
	for (int i = 0; i < f->nfingerprints; i++)
		free(f->fingerprints[i]);
	free(f->fingerprints);
	free(f->query);
	for (int i = 0; i < f->ntables; i++)
		free(f->tables[i]);
	free(f->tables);
	free(f->fix_sql);
	free(f->fix_description);
	free(f->measurement.before_plan);
	free(f->measurement.after_plan);
	free(f->location.file);
	free(f->location.statement);
	free(f->location.lock);
	for (int i = 0; i < f->nrules; i++)
		free(f->rules[i]);
	free(f->rules);
	for (int i = 0; i < f->nrelated; i++)
		free(f->related[i]);
	free(f->related);
	for (int i = 0; i < f->nmetrics; i++)
	{
		free(f->metrics[i].name);
		free(f->metrics[i].unit);
	}
	free(f->metrics);
	free(f);
}

/* Free every finding and the array; the list is left empty and reusable. */
void
finding_list_free(finding_list *l)
{
	for (int i = 0; i < l->count; i++)
		finding_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = l->cap = 0;
}

/* "info" .. "critical"; "unknown" for a value outside the enum. */
const char *
finding_severity_name(finding_severity s)
{
	if ((int) s < 0 || s > FINDING_CRITICAL)
		return "unknown";
	return severity_names[s];
}

int
finding_severity_from_name(const char *name)
{
	for (int i = 0; i <= FINDING_CRITICAL; i++)
		if (strcasecmp(name, severity_names[i]) == 0)
			return i;
	return -1;
}

/* "none", "estimated", "hypothetical", "measured"; "unknown" otherwise. */
const char *
measurement_method_name(measurement_method m)
{
	if ((int) m < 0 || m > MEASURE_MEASURED)
		return "unknown";
	return method_names[m];
}


static json_t *
json_buffers(int64_t v)
{
	return v >= 0 ? json_integer((json_int_t) v) : json_null();
}

/* An EXPLAIN JSON plan as an object when it parses, else its text. */
static json_t *
json_plan(const char *text)
{
	json_t	   *j;

	if (text == NULL)
		return json_null();
	j = json_loads(text, 0, NULL);
	return j ? j : json_text_or_null(text);
}

static json_t *
json_string_array(char **items, int n)
{
	json_t	   *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_text_or_null(items[i]));
	return a;
}

/* Every rule the finding came from: its own when nothing was merged. */
static json_t *
json_merged_rules(const finding *f)
{
	if (f->nrules > 0)
		return json_string_array(f->rules, f->nrules);
	return json_pack("[o]", json_text_or_null(f->rule));
}

static json_t *
json_metrics(const finding *f)
{
	json_t	   *a = json_array();

	for (int i = 0; i < f->nmetrics; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o}", "name", json_text(f->metrics[i].name),
										   "before", json_ms(f->metrics[i].before),
										   "after", json_ms(f->metrics[i].after),
										   "unit", json_text_or_null(f->metrics[i].unit)));
	return a;
}

static json_t *
measurement_to_json(const finding_measurement *m)
{
	json_t	   *o = json_object();

	json_object_set_new(o, "method", json_string(measurement_method_name(m->method)));
	json_object_set_new(o, "before_ms", json_ms(m->before_ms));
	json_object_set_new(o, "after_ms", json_ms(m->after_ms));
	json_object_set_new(o, "before_cost", json_ms(m->before_cost));
	json_object_set_new(o, "after_cost", json_ms(m->after_cost));
	json_object_set_new(o, "before_buffers", json_buffers(m->before_buffers));
	json_object_set_new(o, "after_buffers", json_buffers(m->after_buffers));
	json_object_set_new(o, "speedup", json_ms(m->speedup));
	json_object_set_new(o, "before_plan", json_plan(m->before_plan));
	json_object_set_new(o, "after_plan", json_plan(m->after_plan));
	return o;
}

/*
 * The finding as a new JSON object (the caller owns the reference), with the
 * keys of docs/json-schema.md ("findings"); unknown figures are null.
 */
json_t *
finding_to_json(const finding *f)
{
	json_t	   *o = json_object();

	json_object_set_new(o, "rule", json_text_or_null(f->rule));
	json_object_set_new(o, "id", json_text_or_null(f->id));
	json_object_set_new(o, "severity", json_string(finding_severity_name(f->severity)));
	json_object_set_new(o, "score", json_ms(f->score));
	json_object_set_new(o, "title", json_text_or_null(f->title));
	json_object_set_new(o, "detail", json_text_or_null(f->detail));
	json_object_set_new(o, "hint", json_text_or_null(f->hint));
	json_object_set_new(o, "fingerprints", json_string_array(f->fingerprints, f->nfingerprints));
	json_object_set_new(o, "query", json_text_or_null(f->query));
	json_object_set_new(o, "tables", json_string_array(f->tables, f->ntables));
	json_object_set_new(o, "fix", json_pack("{s:o, s:o}",
											"sql", json_text_or_null(f->fix_sql),
											"description", json_text_or_null(f->fix_description)));
	json_object_set_new(o, "measurement", measurement_to_json(&f->measurement));
	json_object_set_new(o, "merged_rules", json_merged_rules(f));
	json_object_set_new(o, "related", json_string_array(f->related, f->nrelated));
	json_object_set_new(o, "metrics", json_metrics(f));
	if (f->location.file)
	{
		json_object_set_new(o, "file", json_string(f->location.file));
		json_object_set_new(o, "line", json_integer(f->location.line));
		json_object_set_new(o, "statement", json_text_or_null(f->location.statement));
		json_object_set_new(o, "table", f->ntables > 0 ? json_string(f->tables[0]) : json_null());
		json_object_set_new(o, "lock", json_text_or_null(f->location.lock));
		json_object_set_new(o, "rewrite", f->location.rewrite < 0 ? json_null() : json_boolean(f->location.rewrite));
	}
	return o;
}
