/*-------------------------------------------------------------------------
 * report_html_events.c
 *    The HTML report's sections of what the log says beside statements:
 *    sessions, errors, locks, temporary files, checkpoints, autovacuum and
 *    the pooler.
 *
 * Each section is written only when the log has what it shows (a log
 * without lock waits has no "locks" section), from the figures the model
 * keeps (workload_sessions, workload_events, workload_pooler): counts,
 * sums and maxima, and the session-time sketch.  Session time is drawn in
 * the fixed buckets of the JSON report's duration_histogram.  Pool-sizing
 * findings are linked from the sessions section, where their evidence is.
 *-------------------------------------------------------------------------
 */
#include "src/report/html_escape.h"
#include "src/report/report_html.h"

#include <math.h>
#include <string.h>

/* A row of a key-value table: the label is pgsift's, the value pgsift's HTML. */
static void
kv(strbuf *out, const char *label, const char *value_html)
{
	strbuf_printf(out, "<tr><th>%s</th><td>%s</td></tr>\n", label, value_html);
}

static void
kv_count(strbuf *out, const char *label, uint64_t n)
{
	strbuf		v;

	strbuf_init(&v);
	html_count(&v, n);
	kv(out, label, v.data);
	strbuf_free(&v);
}

static void
kv_ms(strbuf *out, const char *label, double ms)
{
	strbuf		v;

	strbuf_init(&v);
	html_ms(&v, ms);
	kv(out, label, v.data);
	strbuf_free(&v);
}

static void
session_histogram(strbuf *out, const quantile_sketch *d)
{
	static const double bounds[] = {100, 1000, 10000, 60000, 600000, 3600000};
	static const char *const edges[] = {"0", "100 ms", "1 s", "10 s", "1 min", "10 min", "1 h", NULL};
	static const char *const ranges[] = {
		"under 100 ms", "100 ms to 1 s", "1 s to 10 s", "10 s to 1 min", "1 min to 10 min",
		"10 min to 1 h", "1 h and more"
	};
	uint64_t	counts[7],
				below = 0;

	for (int i = 0; i < 6; i++)
	{
		uint64_t	upto = sketch_count_at_most(d, nextafter(bounds[i], 0));

		counts[i] = upto - below;
		below = upto;
	}
	counts[6] = sketch_count(d) - below;

	svg_histogram h = {
		.title = "Sessions by duration", .unit = "sessions", .n = 7, .counts = counts,
		.edges = edges, .ranges = ranges,
	};

	svg_histogram_chart(out, &h);
}

/* The pool-sizing findings, linked, with their evidence. */
static void
pool_evidence(strbuf *out, const html_report *r)
{
	const finding_list *l = r->in->findings;
	int			n = 0;

	for (int i = 0; l && i < l->count; i++)
	{
		const finding *f = l->items[i];

		if (!finding_has_rule(f, "pool-sizing"))
			continue;
		if (n++ == 0)
			strbuf_puts(out, "<h3>Pool sizing</h3>\n<ul>\n");
		strbuf_puts(out, "<li>");
		html_finding_ref(out, r, f);
		if (f->detail)
		{
			strbuf_puts(out, ": ");
			html_escape(out, f->detail);
		}
		strbuf_puts(out, "</li>\n");
	}
	if (n)
		strbuf_puts(out, "</ul>\n");
}

void
html_section_sessions(strbuf *out, const html_report *r)
{
	const session_figures *s = workload_sessions(r->in->model);
	uint64_t	n = sketch_count(s->duration);
	strbuf		v;

	if (s->received + s->authorized + s->disconnections + s->refused_too_many + s->refused_reserved == 0)
		return;
	strbuf_init(&v);
	html_open_section(out, "sessions", "Sessions");
	strbuf_puts(out, "<table class=\"kv\">\n");
	kv_count(out, "Connections received", s->received);
	kv_count(out, "Authorized", s->authorized);
	kv_count(out, "Disconnections", s->disconnections);
	kv_count(out, "Refused: too many clients", s->refused_too_many);
	kv_count(out, "Refused: reserved slots", s->refused_reserved);
	html_count(&v, (uint64_t) (workload_peak_sessions(r->in->model) > 0 ? workload_peak_sessions(r->in->model) : 0));
	if (s->peak_ts)
	{
		strbuf_puts(&v, " at ");
		html_time(&v, r, s->peak_ts);
	}
	kv(out, "Peak concurrent sessions", v.data);
	if (n)
	{
		kv_ms(out, "Session time, median", sketch_quantile(s->duration, 0.5));
		kv_ms(out, "Session time, p95", sketch_quantile(s->duration, 0.95));
		kv_ms(out, "Session time, longest", sketch_quantile(s->duration, 1.0));
	}
	strbuf_puts(out, "</table>\n");
	if (n)
		session_histogram(out, s->duration);
	pool_evidence(out, r);
	html_close_section(out);
	strbuf_free(&v);
}

/* The condition name of a common SQLSTATE (PostgreSQL's errcodes), or NULL. */
static const char *
sqlstate_name(const char *code)
{
	static const char *const names[][2] = {
		{"08006", "connection_failure"}, {"0A000", "feature_not_supported"},
		{"21000", "cardinality_violation"}, {"22001", "string_data_right_truncation"},
		{"22003", "numeric_value_out_of_range"}, {"22007", "invalid_datetime_format"},
		{"22012", "division_by_zero"}, {"22P02", "invalid_text_representation"},
		{"23502", "not_null_violation"}, {"23503", "foreign_key_violation"},
		{"23505", "unique_violation"}, {"23514", "check_violation"},
		{"25001", "active_sql_transaction"}, {"25P01", "no_active_sql_transaction"},
		{"25P02", "in_failed_sql_transaction"}, {"25P03", "idle_in_transaction_session_timeout"},
		{"28000", "invalid_authorization_specification"}, {"28P01", "invalid_password"},
		{"3D000", "invalid_catalog_name"}, {"40001", "serialization_failure"},
		{"40P01", "deadlock_detected"}, {"42501", "insufficient_privilege"},
		{"42601", "syntax_error"}, {"42703", "undefined_column"}, {"42P01", "undefined_table"},
		{"42883", "undefined_function"}, {"53100", "disk_full"}, {"53200", "out_of_memory"},
		{"53300", "too_many_connections"}, {"55P03", "lock_not_available"},
		{"57014", "query_canceled"}, {"57P01", "admin_shutdown"}, {"XX000", "internal_error"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i][0], code) == 0)
			return names[i][1];
	return NULL;
}

void
html_section_errors(strbuf *out, const html_report *r)
{
	const event_figures *e = workload_events(r->in->model);
	uint64_t	total = 0;

	for (int i = 0; i < e->nsqlstates; i++)
		total += e->sqlstates[i].count;
	if (e->nsqlstates == 0 && e->by_severity[SEV_ERROR] + e->by_severity[SEV_FATAL] + e->by_severity[SEV_PANIC] == 0)
		return;
	html_open_section(out, "errors", "Errors");
	strbuf_puts(out, "<table class=\"kv\">\n");
	kv_count(out, "ERROR", e->by_severity[SEV_ERROR]);
	kv_count(out, "FATAL", e->by_severity[SEV_FATAL]);
	kv_count(out, "PANIC", e->by_severity[SEV_PANIC]);
	kv_count(out, "WARNING", e->by_severity[SEV_WARNING]);
	kv_count(out, "Statement timeouts", e->by_kind[EV_STATEMENT_TIMEOUT]);
	strbuf_puts(out, "</table>\n");
	if (e->nsqlstates > 0)
	{
		strbuf_puts(out, "<h3>By SQLSTATE</h3>\n<div class=\"scroll\"><table class=\"data sortable\"><thead><tr>"
					"<th data-type=\"text\">SQLSTATE</th><th data-type=\"text\">condition</th><th class=\"num\">count</th>"
					"<th class=\"num\">share</th><th data-type=\"text\">first message</th></tr></thead>\n<tbody>\n");
		for (int i = 0; i < e->nsqlstates; i++)
		{
			const sqlstate_count *c = &e->sqlstates[i];
			const char *name = sqlstate_name(c->sqlstate);

			strbuf_puts(out, "<tr><td><code>");
			html_escape(out, c->sqlstate);
			strbuf_puts(out, "</code></td><td>");
			html_escape(out, name ? name : "");
			strbuf_printf(out, "</td><td class=\"num\" data-v=\"%llu\">", (unsigned long long) c->count);
			html_count(out, c->count);
			strbuf_puts(out, "</td><td class=\"num\">");
			html_percent(out, (double) c->count, (double) total);
			strbuf_puts(out, "</td><td>");
			html_escape(out, c->example);
			strbuf_puts(out, "</td></tr>\n");
		}
		strbuf_puts(out, "</tbody></table></div>\n");
	}
	html_close_section(out);
}

void
html_section_locks(strbuf *out, const html_report *r)
{
	const event_figures *e = workload_events(r->in->model);

	if (e->by_kind[EV_LOCK_WAIT] + e->by_kind[EV_LOCK_ACQUIRED] + e->by_kind[EV_DEADLOCK] == 0)
		return;
	html_open_section(out, "locks", "Locks");
	strbuf_puts(out, "<table class=\"kv\">\n");
	kv_count(out, "Waits logged (still waiting)", e->by_kind[EV_LOCK_WAIT]);
	kv_count(out, "Acquired after a wait", e->by_kind[EV_LOCK_ACQUIRED]);
	kv_count(out, "Deadlocks", e->by_kind[EV_DEADLOCK]);
	kv_ms(out, "Time waited (longest reported per waiter, summed)", e->lock_wait_ms);
	kv_ms(out, "Longest wait", e->lock_wait_max_ms);
	strbuf_puts(out, "</table>\n<p class=\"note\">The server reports a wait once it passes deadlock_timeout; "
				"shorter waits are not in the log.</p>\n");
	html_close_section(out);
}

void
html_section_temp_files(strbuf *out, const html_report *r)
{
	const event_figures *e = workload_events(r->in->model);
	strbuf		v;

	if (e->by_kind[EV_TEMP_FILE] == 0)
		return;
	strbuf_init(&v);
	html_open_section(out, "temp-files", "Temporary files");
	strbuf_puts(out, "<table class=\"kv\">\n");
	kv_count(out, "Files", e->by_kind[EV_TEMP_FILE]);
	html_bytes(&v, e->temp_file_bytes);
	kv(out, "Written in all", v.data);
	strbuf_reset(&v);
	html_bytes(&v, e->temp_file_max_bytes);
	kv(out, "Largest", v.data);
	strbuf_reset(&v);
	html_bytes(&v, e->temp_file_bytes / e->by_kind[EV_TEMP_FILE]);
	kv(out, "Mean", v.data);
	strbuf_puts(out, "</table>\n");
	html_close_section(out);
	strbuf_free(&v);
}

void
html_section_checkpoints(strbuf *out, const html_report *r)
{
	const event_figures *e = workload_events(r->in->model);

	if (e->by_kind[EV_CHECKPOINT_STARTING] + e->by_kind[EV_CHECKPOINT_COMPLETE] == 0)
		return;
	html_open_section(out, "checkpoints", "Checkpoints");
	strbuf_puts(out, "<table class=\"kv\">\n");
	kv_count(out, "Started", e->by_kind[EV_CHECKPOINT_STARTING]);
	kv_count(out, "Completed", e->by_kind[EV_CHECKPOINT_COMPLETE]);
	strbuf_puts(out, "</table>\n");
	html_close_section(out);
}

void
html_section_autovacuum(strbuf *out, const html_report *r)
{
	const event_figures *e = workload_events(r->in->model);

	if (e->by_kind[EV_AUTOVACUUM] + e->by_kind[EV_AUTOANALYZE] == 0)
		return;
	html_open_section(out, "autovacuum", "Autovacuum");
	strbuf_puts(out, "<table class=\"kv\">\n");
	kv_count(out, "Automatic vacuums", e->by_kind[EV_AUTOVACUUM]);
	kv_count(out, "Automatic analyzes", e->by_kind[EV_AUTOANALYZE]);
	strbuf_puts(out, "</table>\n");
	html_close_section(out);
}

/* A pooler reason table as a list: "reason count". */
static void
reasons(strbuf *out, const char *title, const pooler_reasons *p)
{
	if (p->n == 0 && p->other == 0)
		return;
	strbuf_printf(out, "<h3>%s</h3>\n<table class=\"data\"><thead><tr><th>reason</th><th class=\"num\">count</th>"
				  "</tr></thead>\n<tbody>\n", title);
	for (int i = 0; i < p->n; i++)
	{
		strbuf_puts(out, "<tr><td>");
		html_escape(out, p->items[i].text);
		strbuf_puts(out, "</td><td class=\"num\">");
		html_count(out, p->items[i].count);
		strbuf_puts(out, "</td></tr>\n");
	}
	if (p->other)
	{
		strbuf_puts(out, "<tr><td>other</td><td class=\"num\">");
		html_count(out, p->other);
		strbuf_puts(out, "</td></tr>\n");
	}
	strbuf_puts(out, "</tbody></table>\n");
}

/* pgBouncer's mean of a stats figure in microseconds as a duration, "-" when none. */
static void
kv_us(strbuf *out, const char *label, double us)
{
	kv_ms(out, label, us >= 0 ? us / 1000.0 : NAN);
}

void
html_section_pooler(strbuf *out, const html_report *r)
{
	const pooler_figures *p = workload_pooler(r->in->model);
	const uint64_t *k = p->by_kind;

	if (p->records == 0)
		return;
	html_open_section(out, "pooler", "Pooler (pgBouncer)");
	strbuf_puts(out, "<table class=\"kv\">\n");
	kv_count(out, "Records", p->records);
	kv_count(out, "Client login attempts", k[POOLER_LOGIN]);
	kv_count(out, "Client login failures", k[POOLER_LOGIN_FAILED]);
	kv_count(out, "Clients closed", k[POOLER_CLIENT_CLOSE]);
	kv_count(out, "Server connections opened", k[POOLER_SERVER_CONNECT]);
	kv_count(out, "Server connections closed", k[POOLER_SERVER_CLOSE]);
	kv_count(out, "Server login failures", k[POOLER_SERVER_LOGIN_FAILED]);
	kv_count(out, "Pooler errors sent to clients", k[POOLER_ERROR]);
	if (k[POOLER_STATS])
	{
		kv_count(out, "Stats lines", k[POOLER_STATS]);
		kv_us(out, "Transaction time (pgBouncer's mean)", pooler_mean_xact_us(p));
		kv_us(out, "Query time (pgBouncer's mean)", pooler_mean_query_us(p));
		kv_us(out, "Client wait (pgBouncer's mean)", pooler_mean_wait_us(p));
	}
	strbuf_puts(out, "</table>\n<p class=\"note\">pgBouncer's clients are not server sessions: these figures "
				"stand beside the sessions section.</p>\n");
	reasons(out, "Pooler errors by reason", &p->reasons[POOLER_TABLE_ERRORS]);
	reasons(out, "Client closes by reason", &p->reasons[POOLER_TABLE_CLIENT_CLOSE]);
	reasons(out, "Server closes by reason", &p->reasons[POOLER_TABLE_SERVER_CLOSE]);
	html_close_section(out);
}
