/*-------------------------------------------------------------------------
 * cloudsql_reader.c
 *    Reader for Cloud SQL for PostgreSQL's logs as Cloud Logging exports
 *    them: one LogEntry (JSON) per line.
 *
 *     {"insertId": "...", "logName": "projects/P/logs/cloudsql.googleapis.com%2Fpostgres.log",
 *      "resource": {"type": "cloudsql_database", "labels": {...}}, "severity": "INFO",
 *      "textPayload": "2024-01-02 03:04:05.123 UTC [123]: [1-1] db=shop,user=bob LOG:  ...",
 *      "timestamp": "2024-01-02T03:04:05.123456Z", ...}
 *
 * A sink to Cloud Storage writes such lines, and so does `gcloud logging
 * read --format=json | jq -c '.[]'`.  The textPayload is the server's own
 * log line, prefix included (Cloud SQL's is '%m [%p]: [%l-1] db=%d,user=%u
 * '; another is detected or learned like any stderr prefix), with its
 * continuation lines after newlines: it goes through the stderr message
 * assembly (stderr_reader.h).  The entry's timestamp stands in when the
 * prefix has no time.  Entries of other resources, and entries without a
 * textPayload, are skipped; a line that is not JSON is malformed.
 *
 * jansson reads the entries: an export is read once, and a LogEntry is
 * nested JSON, not the flat objects that jsonlog_reader.c scans by hand
 * for speed.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/stderr_reader.h"
#include "src/lib/arena.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Cloud SQL for PostgreSQL's log_line_prefix. */
#define CLOUDSQL_DEFAULT_PREFIX "%m [%p]: [%l-1] db=%d,user=%u "

struct format_reader
{
	reader_config cfg;
	msg_assembler *as;
	log_time_cache tcache;
};

/*
 * The textPayload of the LogEntry on line (NULL when the line is not a
 * JSON object, or holds no text); *is_json says which, *ts_ms gets the
 * entry's timestamp (LOG_TS_UNKNOWN when none).  The text belongs to
 * *entry (json_decref it).
 */
static const char *
entry_text(log_time_cache *tc, const char *line, size_t len, json_t **entry, bool *is_json, int64_t *ts_ms)
{
	json_t	   *type;
	const char *ts;

	*ts_ms = LOG_TS_UNKNOWN;
	*entry = json_loadb(line, len, 0, NULL);
	*is_json = *entry != NULL && json_is_object(*entry);
	if (!*is_json)
		return NULL;
	type = json_object_get(json_object_get(*entry, "resource"), "type");
	if (type && json_is_string(type) && strcmp(json_string_value(type), "cloudsql_database") != 0)
		return NULL;
	if ((ts = json_string_value(json_object_get(*entry, "timestamp"))) != NULL)
		(void) log_time_parse(tc, ts, strlen(ts), ts_ms);
	return json_string_value(json_object_get(*entry, "textPayload"));
}

int
cloudsql_line_payload(const char *line, size_t len, char **text)
{
	json_t	   *entry;
	bool		is_json;
	int64_t		ts;
	const char *t;

	*text = NULL;
	if (len == 0 || line[0] != '{')
		return 0;
	t = entry_text(NULL, line, len, &entry, &is_json, &ts);
	if (t != NULL)
	{
		/* the first line of it: what a prefix must account for */
		const char *nl = strchr(t, '\n');

		*text = nl ? xstrndup(t, (size_t) (nl - t)) : xstrdup(t);
	}
	json_decref(entry);
	return *text != NULL;
}

static format_reader *
cloudsql_create(const reader_config *cfg)
{
	msg_assembler *as = msg_assembler_create(cfg, CLOUDSQL_DEFAULT_PREFIX);
	format_reader *r;

	if (as == NULL)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->cfg = *cfg;
	r->as = as;
	log_time_cache_init(&r->tcache);
	return r;
}

static void
cloudsql_feed(format_reader *r, const char *line, size_t len, uint64_t lineno)
{
	json_t	   *entry;
	bool		is_json;
	int64_t		ts;
	const char *t;

	if (len == 0)
		return;
	t = entry_text(&r->tcache, line, len, &entry, &is_json, &ts);
	if (!is_json)
		diag_malformed(r->cfg.tally, r->cfg.file, lineno, "line is not a Cloud Logging entry (JSON object)");
	/* the payload's lines: the message, then its continuation lines (a tab first) */
	while (t != NULL && *t != '\0')
	{
		const char *nl = strchr(t, '\n');
		size_t		n = nl ? (size_t) (nl - t) : strlen(t);

		msg_assembler_line(r->as, t, n, lineno, -1, ts, r->tcache.last_offset_min);
		t = nl ? nl + 1 : NULL;
	}
	json_decref(entry);
}

static void
cloudsql_finish(format_reader *r)
{
	msg_assembler_finish(r->as);
}

static void
cloudsql_destroy(format_reader *r)
{
	if (r == NULL)
		return;
	msg_assembler_destroy(r->as);
	free(r);
}

/* A record starts at an entry whose text is a primary line (not its DETAIL or STATEMENT). */
static int
cloudsql_starts_record(format_reader *r, const char *line, size_t len)
{
	char	   *text;
	int			primary;

	if (!cloudsql_line_payload(line, len, &text))
		return 0;
	primary = msg_assembler_classify(r->as, text, strlen(text)) == PART_PRIMARY;
	free(text);
	return primary;
}

const format_reader_ops cloudsql_reader_ops = {
	.format = LOG_FORMAT_CLOUDSQL,
	.create = cloudsql_create,
	.feed = cloudsql_feed,
	.finish = cloudsql_finish,
	.destroy = cloudsql_destroy,
	.starts_record = cloudsql_starts_record,
};
