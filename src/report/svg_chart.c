/*-------------------------------------------------------------------------
 * svg_chart.c
 *    Inline SVG charts of the HTML report (svg_chart.h).
 *
 * Every chart has the same frame: a viewBox of CHART_W x CHART_H, the
 * title at the top left, the y axis at the left with four or five round
 * ticks from 0 (1, 2 or 5 times a power of ten), the x axis at the
 * bottom.  Time axes put their ticks at round times of the log's zone
 * (every 5 minutes, every hour, at midnight, ...), picked from a fixed
 * list so that at most MAX_X_TICKS fit; a tick label shows the date too
 * where the date changes.  Local times are UTC times shifted by the
 * offset and formatted with civil_time_from_ms, so the machine's TZ never
 * matters.
 *
 * Numbers in the output go through put_coord (one decimal, never "-0.0")
 * or put_value ("%.4g"), the only two formats, so the bytes do not depend
 * on how a value was reached beyond its rounding.
 *-------------------------------------------------------------------------
 */
#include "src/report/svg_chart.h"
#include "parsers/log_record.h"
#include "src/lib/civil_time.h"
#include "src/report/html_escape.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CHART_W			720
#define CHART_H			200
#define PLOT_LEFT		60
#define PLOT_RIGHT		(CHART_W - 14)
#define PLOT_TOP		26
#define PLOT_BOTTOM		(CHART_H - 42)
#define MAX_X_TICKS		8
#define MAX_BAR_W		48		/* a few buckets are drawn as bars this wide at most */
#define SPARK_W			120
#define SPARK_H			24

#define MINUTE_MS		INT64_C(60000)
#define HOUR_MS			(60 * MINUTE_MS)
#define DAY_MS			(24 * HOUR_MS)

/* v with one decimal; -0.0 and the like as 0.0. */
static void
put_coord(strbuf *out, double v)
{
	double		r = round(v * 10.0) / 10.0;

	if (r == 0 || !isfinite(r))
		r = 0;
	strbuf_printf(out, "%.1f", r);
}

/* A figure for labels and tooltips: 4 significant digits, thousands as k, millions as M. */
static void
put_value(strbuf *out, double v)
{
	if (!isfinite(v))
		strbuf_puts(out, "-");
	else if (fabs(v) >= 1e9)
		strbuf_printf(out, "%.4gG", v / 1e9);
	else if (fabs(v) >= 1e6)
		strbuf_printf(out, "%.4gM", v / 1e6);
	else if (fabs(v) >= 1e4)
		strbuf_printf(out, "%.4gk", v / 1e3);
	else
		strbuf_printf(out, "%.4g", v == 0 ? 0.0 : v);
}

const char *
svg_zone_name(int32_t utc_offset_min, char *buf)
{
	int			m = utc_offset_min == LOG_UTC_OFFSET_UNKNOWN ? 0 : utc_offset_min;
	int			a = m < 0 ? -m : m;

	if (m == 0)
		snprintf(buf, 16, "UTC");
	else
		snprintf(buf, 16, "UTC%c%02d:%02d", m < 0 ? '-' : '+', (a / 60) % 100, a % 60);
	return buf;
}

/* ts_ms shifted into the zone (still counted from the epoch). */
static int64_t
to_local(int64_t ts_ms, int32_t utc_offset_min)
{
	return ts_ms + (utc_offset_min == LOG_UTC_OFFSET_UNKNOWN ? 0 : (int64_t) utc_offset_min * MINUTE_MS);
}

/* floor(a / b) for b > 0. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static const char *
local_format(int64_t local_ms, svg_time_format fmt, char *buf)
{
	civil_time	t;
	unsigned	y,
				mo,
				d,
				h,
				mi,
				sec,
				ms;

	civil_time_from_ms(local_ms, &t);
	/* the moduli bound the widths for the compiler; the fields are in range */
	y = (unsigned) t.year % 10000u, mo = (unsigned) t.month % 100u, d = (unsigned) t.day % 100u;
	h = (unsigned) t.hour % 100u, mi = (unsigned) t.minute % 100u, sec = (unsigned) t.second % 100u;
	ms = (unsigned) t.ms % 1000u;
	switch (fmt)
	{
		case SVG_TIME_DATE:
			snprintf(buf, 32, "%04u-%02u-%02u", y, mo, d);
			break;
		case SVG_TIME_MINUTE:
			snprintf(buf, 32, "%04u-%02u-%02u %02u:%02u", y, mo, d, h, mi);
			break;
		case SVG_TIME_SECOND:
			snprintf(buf, 32, "%04u-%02u-%02u %02u:%02u:%02u", y, mo, d, h, mi, sec);
			break;
		case SVG_TIME_MILLI:
			snprintf(buf, 32, "%04u-%02u-%02u %02u:%02u:%02u.%03u", y, mo, d, h, mi, sec, ms);
			break;
		case SVG_TIME_HM:
			snprintf(buf, 32, "%02u:%02u", h, mi);
			break;
		case SVG_TIME_HMS:
			snprintf(buf, 32, "%02u:%02u:%02u", h, mi, sec);
			break;
		case SVG_TIME_MD:
			snprintf(buf, 32, "%02u-%02u", mo, d);
			break;
		case SVG_TIME_MD_HM:
			snprintf(buf, 32, "%02u-%02u %02u:%02u", mo, d, h, mi);
			break;
	}
	return buf;
}

const char *
svg_local_time(int64_t ts_ms, int32_t utc_offset_min, svg_time_format fmt, char *buf)
{
	return local_format(to_local(ts_ms, utc_offset_min), fmt, buf);
}

/* The top of the y axis and its step: step 1, 2 or 5 x 10^k, top a multiple of it >= max. */
static void
y_scale(double max, double *top, double *step)
{
	double		raw,
				mag = 1;

	if (!(max > 0) || !isfinite(max))
		max = 1;
	raw = max / 4;
	while (mag * 10 <= raw)
		mag *= 10;
	while (mag > raw)
		mag /= 10;
	*step = raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag;
	*top = ceil(max / *step - 1e-9) * *step;
}

static double
max_finite(const double *v, int n)
{
	double		m = 0;

	for (int i = 0; i < n; i++)
		if (isfinite(v[i]) && v[i] > m)
			m = v[i];
	return m;
}

/* <svg ...> with its accessible name and the title text. */
static void
open_chart(strbuf *out, const char *title)
{
	strbuf_printf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
				  CHART_W, CHART_H, CHART_W, CHART_H);
	html_escape(out, title);
	strbuf_puts(out, "\"><title>");
	html_escape(out, title);
	strbuf_printf(out, "</title>\n<text class=\"title\" x=\"%d\" y=\"14\">", PLOT_LEFT);
	html_escape(out, title);
	strbuf_puts(out, "</text>\n");
}

/* The anchor of an x tick label at x: kept inside the chart at both ends. */
static const char *
x_anchor(double x)
{
	return x > PLOT_RIGHT - 16 ? "end" : x < PLOT_LEFT + 16 ? "start" : "middle";
}

/* The y axis of a scale [0, top]: grid lines and tick labels. */
static void
y_axis(strbuf *out, double top, double step)
{
	for (int k = 0; k * step <= top * (1 + 1e-9); k++)
	{
		double		v = k * step;
		double		y = PLOT_BOTTOM - v / top * (PLOT_BOTTOM - PLOT_TOP);

		strbuf_printf(out, "<line class=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"", k ? "grid" : "axis", PLOT_LEFT, PLOT_RIGHT);
		put_coord(out, y);
		strbuf_puts(out, "\" y2=\"");
		put_coord(out, y);
		strbuf_printf(out, "\"/><text class=\"tick\" x=\"%d\" y=\"", PLOT_LEFT - 6);
		put_coord(out, y + 4);
		strbuf_puts(out, "\" text-anchor=\"end\">");
		put_value(out, v);
		strbuf_puts(out, "</text>\n");
	}
}

static double
y_of(double v, double top)
{
	return PLOT_BOTTOM - (isfinite(v) && v > 0 ? v / top : 0) * (PLOT_BOTTOM - PLOT_TOP);
}

/* The x tick interval: the first of a fixed list giving at most MAX_X_TICKS over span_ms. */
static int64_t
x_interval(int64_t span_ms)
{
	static const int64_t steps[] = {
		MINUTE_MS, 2 * MINUTE_MS, 5 * MINUTE_MS, 10 * MINUTE_MS, 15 * MINUTE_MS, 30 * MINUTE_MS,
		HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS,
		DAY_MS, 2 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 28 * DAY_MS, 56 * DAY_MS, 112 * DAY_MS, 364 * DAY_MS
	};
	size_t		i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]) - 1; i++)
		if (span_ms / steps[i] < MAX_X_TICKS)
			break;
	return steps[i];
}

/* Ticks at round local times over the series' span, labels in its zone. */
static void
x_time_axis(strbuf *out, const svg_time_series *s)
{
	int64_t		span = s->bucket_ms * s->n;
	int64_t		step = x_interval(span);
	int64_t		lstart = to_local(s->start_ms, s->utc_offset_min);
	int64_t		first = floor_div(lstart + step - 1, step) * step;
	double		plot_w = PLOT_RIGHT - PLOT_LEFT;
	char		buf[32],
				day[32],
				last_day[32] = "";

	for (int64_t t = first; t <= lstart + span; t += step)
	{
		double		x = PLOT_LEFT + (double) (t - lstart) / (double) span * plot_w;

		local_format(t, SVG_TIME_DATE, day);
		if (step >= DAY_MS)
			local_format(t, SVG_TIME_MD, buf);
		else if (strcmp(day, last_day) != 0 && span > DAY_MS / 2)
			local_format(t, SVG_TIME_MD_HM, buf);
		else
			local_format(t, SVG_TIME_HM, buf);
		memcpy(last_day, day, sizeof(day));
		strbuf_puts(out, "<line class=\"axis\" x1=\"");
		put_coord(out, x);
		strbuf_puts(out, "\" x2=\"");
		put_coord(out, x);
		strbuf_printf(out, "\" y1=\"%d\" y2=\"%d\"/><text class=\"tick\" x=\"", PLOT_BOTTOM, PLOT_BOTTOM + 4);
		put_coord(out, x);
		strbuf_printf(out, "\" y=\"%d\" text-anchor=\"%s\">%s</text>\n", PLOT_BOTTOM + 16, x_anchor(x), buf);
	}
	if (first > lstart + span)
	{
		/* a span shorter than the smallest step: name where it starts */
		local_format(lstart, SVG_TIME_HMS, buf);
		strbuf_printf(out, "<text class=\"tick\" x=\"%d\" y=\"%d\">%s</text>\n", PLOT_LEFT, PLOT_BOTTOM + 16, buf);
	}
	strbuf_printf(out, "<text class=\"axis-label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">time (%s)</text>\n",
				  PLOT_RIGHT, CHART_H - 6, svg_zone_name(s->utc_offset_min, buf));
}

/* The tooltip of bucket i: its local time span and value. */
static void
bucket_tooltip(strbuf *out, const svg_time_series *s, int i)
{
	int64_t		from = s->start_ms + (int64_t) i * s->bucket_ms;
	char		a[32],
				b[32],
				z[16];

	svg_local_time(from, s->utc_offset_min, s->bucket_ms >= DAY_MS ? SVG_TIME_DATE : SVG_TIME_MINUTE, a);
	svg_local_time(from + s->bucket_ms, s->utc_offset_min, s->bucket_ms >= DAY_MS ? SVG_TIME_DATE : SVG_TIME_HM, b);
	strbuf_printf(out, "<title>%s to %s %s: ", a, b, svg_zone_name(s->utc_offset_min, z));
	if (isfinite(s->values[i]))
	{
		put_value(out, s->values[i]);
		strbuf_putc(out, ' ');
		html_escape(out, s->unit);
	}
	else
		strbuf_puts(out, "no data");
	strbuf_puts(out, "</title>");
}

static void
bars(strbuf *out, const svg_time_series *s, double top)
{
	double		bw = (double) (PLOT_RIGHT - PLOT_LEFT) / s->n;
	double		gap = bw > 4 ? 1 : 0;
	double		w = bw - gap > MAX_BAR_W ? MAX_BAR_W : bw - gap < 0.1 ? 0.1 : bw - gap;

	for (int i = 0; i < s->n; i++)
	{
		double		y = y_of(s->values[i], top);

		if (y >= PLOT_BOTTOM)
			continue;
		strbuf_printf(out, "<rect class=\"bar%s%s\" x=\"", s->bar_class ? " " : "", s->bar_class ? s->bar_class : "");
		put_coord(out, PLOT_LEFT + i * bw + (bw - w) / 2);
		strbuf_puts(out, "\" y=\"");
		put_coord(out, y);
		strbuf_puts(out, "\" width=\"");
		put_coord(out, w);
		strbuf_puts(out, "\" height=\"");
		put_coord(out, PLOT_BOTTOM - y);
		strbuf_puts(out, "\"/>\n");
	}
}

/* The line through the buckets' centres and the area under it; gaps where there is no data. */
static void
line(strbuf *out, const svg_time_series *s, double top)
{
	double		bw = (double) (PLOT_RIGHT - PLOT_LEFT) / s->n;
	strbuf		area;
	int			open = 0;

	strbuf_init(&area);
	strbuf_puts(out, "<path class=\"line\" d=\"");
	for (int i = 0; i <= s->n; i++)
	{
		int			have = i < s->n && isfinite(s->values[i]);
		double		x = PLOT_LEFT + (i + 0.5) * bw;

		if (!have && open)
		{
			/* close the area of the run that just ended */
			strbuf_puts(&area, " L");
			put_coord(&area, x - bw);
			strbuf_printf(&area, " %d Z", PLOT_BOTTOM);
			open = 0;
		}
		if (!have)
			continue;
		strbuf_puts(out, open ? " L" : " M");
		put_coord(out, x);
		strbuf_putc(out, ' ');
		put_coord(out, y_of(s->values[i], top));
		if (!open)
		{
			strbuf_puts(&area, " M");
			put_coord(&area, x);
			strbuf_printf(&area, " %d", PLOT_BOTTOM);
		}
		strbuf_puts(&area, " L");
		put_coord(&area, x);
		strbuf_putc(&area, ' ');
		put_coord(&area, y_of(s->values[i], top));
		open = 1;
	}
	strbuf_puts(out, "\"/>\n<path class=\"area\" d=\"");
	strbuf_append(out, area.data + (area.len > 0), area.len - (area.len > 0));
	strbuf_puts(out, "\"/>\n");
	strbuf_free(&area);
}

/* One transparent rectangle per bucket, full height, carrying its tooltip. */
static void
hit_areas(strbuf *out, const svg_time_series *s)
{
	double		bw = (double) (PLOT_RIGHT - PLOT_LEFT) / s->n;

	for (int i = 0; i < s->n; i++)
	{
		strbuf_puts(out, "<rect class=\"hit\" x=\"");
		put_coord(out, PLOT_LEFT + i * bw);
		strbuf_printf(out, "\" y=\"%d\" width=\"", PLOT_TOP);
		put_coord(out, bw);
		strbuf_printf(out, "\" height=\"%d\">", PLOT_BOTTOM - PLOT_TOP);
		bucket_tooltip(out, s, i);
		strbuf_puts(out, "</rect>\n");
	}
}

void
svg_time_chart(strbuf *out, const svg_time_series *s)
{
	double		top,
				step;

	y_scale(max_finite(s->values, s->n), &top, &step);
	open_chart(out, s->title);
	y_axis(out, top, step);
	x_time_axis(out, s);
	if (s->mark == SVG_LINE && s->n > 1)
		line(out, s, top);
	else
		bars(out, s, top);
	hit_areas(out, s);
	strbuf_puts(out, "</svg>\n");
}

void
svg_histogram_chart(strbuf *out, const svg_histogram *h)
{
	double		bw = (double) (PLOT_RIGHT - PLOT_LEFT) / h->n;
	double		max = 0,
				top,
				step;
	uint64_t	total = 0;

	for (int i = 0; i < h->n; i++)
	{
		total += h->counts[i];
		if ((double) h->counts[i] > max)
			max = (double) h->counts[i];
	}
	y_scale(max, &top, &step);
	open_chart(out, h->title);
	y_axis(out, top, step);
	for (int i = 0; i <= h->n; i++)
	{
		if (h->edges[i] == NULL)
			continue;
		strbuf_puts(out, "<text class=\"tick\" x=\"");
		put_coord(out, PLOT_LEFT + i * bw);
		strbuf_printf(out, "\" y=\"%d\" text-anchor=\"%s\">", PLOT_BOTTOM + 16, x_anchor(PLOT_LEFT + i * bw));
		html_escape(out, h->edges[i]);
		strbuf_puts(out, "</text>\n");
	}
	for (int i = 0; i < h->n; i++)
	{
		double		y = y_of((double) h->counts[i], top);

		strbuf_puts(out, "<rect class=\"bar\" x=\"");
		put_coord(out, PLOT_LEFT + i * bw + 1);
		strbuf_puts(out, "\" y=\"");
		put_coord(out, y);
		strbuf_puts(out, "\" width=\"");
		put_coord(out, bw - 2);
		strbuf_puts(out, "\" height=\"");
		put_coord(out, PLOT_BOTTOM - y);
		strbuf_puts(out, "\"/>\n<rect class=\"hit\" x=\"");
		put_coord(out, PLOT_LEFT + i * bw);
		strbuf_printf(out, "\" y=\"%d\" width=\"", PLOT_TOP);
		put_coord(out, bw);
		strbuf_printf(out, "\" height=\"%d\"><title>", PLOT_BOTTOM - PLOT_TOP);
		html_escape(out, h->ranges[i]);
		strbuf_printf(out, ": %llu ", (unsigned long long) h->counts[i]);
		html_escape(out, h->unit);
		if (total > 0)
			strbuf_printf(out, " (%.1f%%)", 100.0 * (double) h->counts[i] / (double) total);
		strbuf_puts(out, "</title></rect>\n");
	}
	strbuf_puts(out, "</svg>\n");
}

void
svg_sparkline(strbuf *out, const double *values, int n, const char *label)
{
	double		max = max_finite(values, n);

	strbuf_printf(out, "<svg class=\"spark\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
				  SPARK_W, SPARK_H, SPARK_W, SPARK_H);
	html_escape(out, label);
	strbuf_puts(out, "\"><title>");
	html_escape(out, label);
	strbuf_puts(out, "</title><path class=\"line\" d=\"");
	for (int i = 0; i < n; i++)
	{
		double		x = n > 1 ? (double) i * (SPARK_W - 2) / (n - 1) + 1 : SPARK_W / 2.0;
		double		v = isfinite(values[i]) && max > 0 ? values[i] / max : 0;

		strbuf_puts(out, i ? " L" : "M");
		put_coord(out, x);
		strbuf_putc(out, ' ');
		put_coord(out, SPARK_H - 2 - v * (SPARK_H - 4));
	}
	if (n == 1)
	{
		strbuf_puts(out, " L");
		put_coord(out, SPARK_W / 2.0 + 1);
		strbuf_putc(out, ' ');
		put_coord(out, SPARK_H - 2 - (max > 0 ? SPARK_H - 4 : 0));
	}
	strbuf_puts(out, "\"/></svg>");
}
