/*-------------------------------------------------------------------------
 * report_html_format.c
 *    Figures, times, links and blocks shared by the HTML report's sections.
 *
 * Times are the log's: a UTC time shifted by the offset read from the
 * log's own timestamps (svg_local_time), never the browser's or this
 * machine's zone.  Links point only at anchors the page has: a query
 * outside the table, or a finding not in the list, is named without one.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_record.h"
#include "src/report/html_escape.h"
#include "src/report/report_html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void
html_open_section(strbuf *out, const char *id, const char *title)
{
	strbuf_printf(out, "<section id=\"%s\">\n<h2>%s</h2>\n", id, title);
}

void
html_close_section(strbuf *out)
{
	strbuf_puts(out, "</section>\n");
}

void
html_count(strbuf *out, uint64_t n)
{
	char		digits[24];
	int			len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long) n);
	int			lead = len % 3 ? len % 3 : 3;

	strbuf_append(out, digits, (size_t) lead);
	for (int i = lead; i < len; i += 3)
	{
		strbuf_putc(out, ',');
		strbuf_append(out, digits + i, 3);
	}
}

void
html_ms(strbuf *out, double ms)
{
	char		buf[48];

	html_escape(out, report_format_figure(ms, "ms", buf, sizeof(buf)));
}

void
html_ms_short(strbuf *out, double ms)
{
	double		a = fabs(ms);

	if (!isfinite(ms))
		strbuf_putc(out, '-');
	else if (a < 1)
		strbuf_printf(out, "%.3f ms", ms);
	else if (a < 10)
		strbuf_printf(out, "%.2f ms", ms);
	else if (a < 100)
		strbuf_printf(out, "%.1f ms", ms);
	else if (a < 1000)
		strbuf_printf(out, "%.0f ms", ms);
	else if (a < 10000)
		strbuf_printf(out, "%.2f s", ms / 1000);
	else if (a < 60000)
		strbuf_printf(out, "%.1f s", ms / 1000);
	else if (a < 3600000)
		strbuf_printf(out, "%.1f min", ms / 60000);
	else
		strbuf_printf(out, "%.1f h", ms / 3600000);
}

void
html_bytes(strbuf *out, uint64_t bytes)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double		v = (double) bytes;
	int			u = 0;

	while (v >= 1024 && u < 5)
		v /= 1024, u++;
	strbuf_printf(out, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void
html_percent(strbuf *out, double part, double whole)
{
	if (!(whole > 0) || !isfinite(part))
		strbuf_putc(out, '-');
	else
		strbuf_printf(out, "%.1f%%", 100.0 * part / whole);
}

void
html_time(strbuf *out, const html_report *r, int64_t ts_ms)
{
	char		buf[32];

	if (ts_ms == LOG_TS_UNKNOWN)
		strbuf_puts(out, "unknown");
	else
		strbuf_puts(out, svg_local_time(ts_ms, r->zone, SVG_TIME_MILLI, buf));
}

void
html_minute(strbuf *out, const html_report *r, int64_t ts_ms)
{
	char		buf[32];

	if (ts_ms == LOG_TS_UNKNOWN)
		strbuf_puts(out, "unknown");
	else
		strbuf_puts(out, svg_local_time(ts_ms, r->zone, SVG_TIME_MINUTE, buf));
}

void
html_zone_sentence(strbuf *out, const html_report *r)
{
	char		z[16];

	svg_zone_name(r->zone, z);
	if (r->zone == LOG_UTC_OFFSET_UNKNOWN)
		strbuf_printf(out, "Times are in <span class=\"zone\">%s</span>: the log's timestamps name no zone "
					  "pgsift knows, so they were read as UTC.", z);
	else
		strbuf_printf(out, "Times are in <span class=\"zone\">%s</span>, the log's zone (from its timestamps), "
					  "in the charts too.", z);
}

int
html_query_listed(const html_report *r, const char *hex)
{
	char		mine[17];

	for (size_t i = 0; i < r->nlisted; i++)
	{
		fingerprint_hex(r->queries[i]->fingerprint, mine);
		if (strcmp(mine, hex) == 0)
			return 1;
	}
	return 0;
}

void
html_query_ref(strbuf *out, const html_report *r, const char *hex)
{
	if (html_query_listed(r, hex))
	{
		strbuf_puts(out, "<a href=\"#q-");
		html_escape(out, hex);
		strbuf_puts(out, "\"><code>");
		html_escape(out, hex);
		strbuf_puts(out, "</code></a>");
	}
	else
	{
		strbuf_puts(out, "<code>");
		html_escape(out, hex);
		strbuf_puts(out, "</code> <span class=\"note\">(not among the queries listed)</span>");
	}
}

const finding *
html_finding_by_id(const html_report *r, const char *id)
{
	const finding_list *l = r->in->findings;

	for (int i = 0; l && id && i < l->count; i++)
		if (l->items[i]->id && strcmp(l->items[i]->id, id) == 0)
			return l->items[i];
	return NULL;
}

int
html_finding_rank(const html_report *r, const finding *f)
{
	const finding_list *l = r->in->findings;

	for (int i = 0; l && i < l->count; i++)
		if (l->items[i] == f)
			return i + 1;
	return 0;
}

void
html_finding_ref(strbuf *out, const html_report *r, const finding *f)
{
	strbuf_puts(out, "<a href=\"#f-");
	html_escape(out, f->id);
	strbuf_printf(out, "\">#%d ", html_finding_rank(r, f));
	html_escape(out, f->title);
	strbuf_puts(out, "</a>");
}

void
html_copyable_sql(strbuf *out, const char *sql)
{
	strbuf_puts(out, "<div class=\"fix\"><pre><code class=\"sql\">");
	html_escape(out, sql);
	strbuf_puts(out, "</code></pre><button type=\"button\" class=\"copy\" hidden>Copy SQL</button></div>\n");
}
