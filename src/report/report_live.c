/*-------------------------------------------------------------------------
 * report_live.c
 *    The live-database part of the text report: what was explained, how
 *    pg_stat_statements was spared, and every statement the side-effect
 *    screen kept from running.
 *
 * It reads the "live" object of the report input (src/cli/cmd_analyze.c builds it from
 * analyze_result and the sandbox policy's own report), so the text says
 * exactly what the JSON says.  Statements come from logs: they are
 * folded onto one line with control characters shown as '?'.
 *-------------------------------------------------------------------------
 */
#include "src/report/report_summary.h"

#include <string.h>

#define LIVE_QUERY_WIDTH 72

static long long
live_int(json_t *o, const char *key)
{
	return (long long) json_integer_value(json_object_get(o, key));
}

void
report_text_live(FILE *out, const report_input *in)
{
	json_t	   *live = in->live;
	json_t	   *sandbox = json_object_get(live, "sandbox");
	json_t	   *pgss = json_object_get(sandbox, "pg_stat_statements");
	json_t	   *list = json_object_get(sandbox, "not_executed");
	strbuf		line;
	size_t		i;
	json_t	   *e;

	if (live == NULL)
		return;
	strbuf_init(&line);
	report_text_heading(out, in->color, "Live database (server_version_num %lld)", live_int(live, "server_version"));
	fprintf(out, "  plans: %lld explained (%lld estimated: not executed), %lld refused, %lld failed\n",
			live_int(live, "explained"), live_int(live, "not_executed"), live_int(live, "explain_refused"),
			live_int(live, "explain_failed"));
	if (json_string_value(json_object_get(pgss, "note")))
	{
		report_one_line(json_string_value(json_object_get(pgss, "note")), 400, &line);
		fprintf(out, "  %s\n", line.data);
	}
	if (json_array_size(list) > 0)
		fprintf(out, "  Explained, not executed (the side-effect screen, docs/safety.md): %zu statements\n",
				json_array_size(list));
	json_array_foreach(list, i, e)
	{
		report_one_line(json_string_value(json_object_get(e, "query")), LIVE_QUERY_WIDTH, &line);
		fprintf(out, "    %s\n", line.data);
		report_one_line(json_string_value(json_object_get(e, "reason")), 400, &line);
		fprintf(out, "      %s: explained, not executed\n", line.data);
	}
	fputc('\n', out);
	strbuf_free(&line);
}
