/*-------------------------------------------------------------------------
 * svg_chart.h
 *    Charts of the HTML report as inline SVG, written by pgsift.
 *
 * A time series (bars or a line over buckets of time, labelled in the
 * log's time zone), a histogram over fixed buckets, and a sparkline.  No
 * chart library and no script: the page shows them as they are, prints
 * them, and a diff of two reports shows what changed.  The output is a
 * function of the input alone: coordinates are rounded to one decimal,
 * times are formatted from the given UTC offset (never the machine's
 * zone), so the same figures give the same bytes.  Colours come from the
 * classes (bar, line, area, grid, axis, tick, hit) and the page's style
 * sheet, so the charts follow its light and dark schemes.  Every string
 * given is escaped (html_escape).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SVG_CHART_H
#define PGSIFT_SVG_CHART_H

#include "src/lib/strbuf.h"

#include <stdint.h>

typedef enum svg_mark
{
	SVG_BARS = 0,
	SVG_LINE					/* a line with the area under it */
} svg_mark;

typedef struct svg_time_series
{
	const char *title;			/* above the plot, and the chart's accessible name */
	const char *unit;			/* of the values, in tooltips ("statements/s") */
	const char *bar_class;		/* extra class of the bars ("err"), or NULL */
	svg_mark	mark;
	int64_t		start_ms;		/* start of bucket 0, UTC epoch milliseconds */
	int64_t		bucket_ms;		/* > 0 */
	int			n;				/* buckets, >= 1 */
	const double *values;		/* n values; not finite: no data in that bucket */
	int32_t		utc_offset_min; /* zone of the labels; LOG_UTC_OFFSET_UNKNOWN: UTC */
} svg_time_series;

/*
 * Append the chart of s to out: <svg class="chart">, its y axis with
 * round ticks from 0, its x axis with times at round local times
 * (<text class="tick">), the zone named under it ("UTC+01:00"), and a
 * tooltip (<title>) per bucket.
 */
void		svg_time_chart(strbuf *out, const svg_time_series *s);

typedef struct svg_histogram
{
	const char *title;
	const char *unit;			/* of the counts ("statements") */
	int			n;				/* buckets, >= 1 */
	const uint64_t *counts;
	const char *const *edges;	/* n + 1 labels of the bucket edges; NULL entries unlabelled */
	const char *const *ranges;	/* n texts naming each bucket in its tooltip */
} svg_histogram;

/* Append the histogram h to out as <svg class="chart">, bars of equal width. */
void		svg_histogram_chart(strbuf *out, const svg_histogram *h);

/*
 * Append a sparkline of values[0..n) (not finite: 0) to out as
 * <svg class="spark">, with label as its accessible name and tooltip.
 */
void		svg_sparkline(strbuf *out, const double *values, int n, const char *label);

/*
 * The zone as the report names it: "UTC" for offset 0 or
 * LOG_UTC_OFFSET_UNKNOWN, else "UTC+01:00", "UTC-03:00", "UTC+05:45".
 * buf has at least 16 bytes; returns buf.
 */
const char *svg_zone_name(int32_t utc_offset_min, char *buf);

/* How svg_local_time writes a time. */
typedef enum svg_time_format
{
	SVG_TIME_DATE,				/* 2024-01-31 */
	SVG_TIME_MINUTE,			/* 2024-01-31 12:05 */
	SVG_TIME_SECOND,			/* 2024-01-31 12:05:09 */
	SVG_TIME_MILLI,				/* 2024-01-31 12:05:09.123 */
	SVG_TIME_HM,				/* 12:05 */
	SVG_TIME_HMS,				/* 12:05:09 */
	SVG_TIME_MD,				/* 01-31 */
	SVG_TIME_MD_HM				/* 01-31 12:05 */
} svg_time_format;

/*
 * ts_ms in the zone utc_offset_min (LOG_UTC_OFFSET_UNKNOWN: UTC), written
 * as fmt says into buf (at least 32 bytes); returns buf.
 */
const char *svg_local_time(int64_t ts_ms, int32_t utc_offset_min, svg_time_format fmt, char *buf);

#endif
