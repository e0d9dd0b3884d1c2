/*-------------------------------------------------------------------------
 * log_time.h
 *    Timestamps (and integers) of csvlog and jsonlog fields.
 *
 * PostgreSQL writes log_time and session_start_time as
 * "2024-01-02 03:04:05.123 UTC": the zone is log_timezone's abbreviation
 * ("UTC", "CET", "ACDT") or, for zones that have none, a numeric offset
 * ("-03", "+0545").  ISO forms ("2024-01-02T03:04:05.123+01:00", "...Z")
 * are read too.  Consecutive records nearly always share their second and
 * zone, so a one-entry cache remembers the last "date time zone" text and
 * its epoch seconds; a hit costs two short compares and the milliseconds.
 *
 * Zone abbreviations are ambiguous in general; the table follows
 * PostgreSQL's "Default" timezone_abbreviations set, except IST, read as
 * India (+05:30), where most IST-logging servers are, and with Guam's
 * ChST.  CST and PST are read as US Central and Pacific (not China, nor
 * the Philippines); docs/log-formats.md lists what that gets wrong.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_LOG_TIME_H
#define PGSIFT_LOG_TIME_H

#include "parsers/log_record.h"

#include <stddef.h>
#include <stdint.h>

/* Longest zone text the cache remembers; longer zones are parsed every time. */
#define LOG_TIME_ZONE_MAX 15

typedef enum log_time_status
{
	LOG_TIME_OK = 0,
	LOG_TIME_ZONE_UNKNOWN,		/* no zone, or an unknown abbreviation: read as UTC */
	LOG_TIME_INVALID			/* not a timestamp; *ms_out untouched */
} log_time_status;

typedef struct log_time_cache
{
	char		key[19 + LOG_TIME_ZONE_MAX];	/* "YYYY-MM-DD HH:MM:SS" + zone */
	size_t		key_len;		/* 0: empty */
	int64_t		secs;			/* epoch seconds of key */
	log_time_status status;		/* of key: OK or ZONE_UNKNOWN */
	int32_t		offset_min;		/* of key: minutes east of UTC, or LOG_UTC_OFFSET_UNKNOWN */
	int32_t		last_offset_min;	/* the same of the last time parsed through the cache,
									 * whether it hit or not */
} log_time_cache;

/* Empty the cache.  A zeroed struct is an empty cache too. */
void		log_time_cache_init(log_time_cache *c);

/*
 * Parse len bytes of s ("YYYY-MM-DD HH:MM:SS[.fff][ ]zone", 'T' allowed for
 * the space, fraction of any length, truncated to milliseconds) and store
 * UTC epoch milliseconds in *ms_out.  Returns LOG_TIME_OK; or
 * LOG_TIME_ZONE_UNKNOWN when the zone is missing or not recognised (the
 * time is then read as UTC, so the caller can warn once and go on); or
 * LOG_TIME_INVALID for anything else, including out-of-range fields.
 * c may be NULL (no caching); else c->last_offset_min gets the zone's
 * offset (LOG_UTC_OFFSET_UNKNOWN unless LOG_TIME_OK), for the reader to
 * keep in its record's utc_offset_min.
 */
log_time_status log_time_parse(log_time_cache *c, const char *s, size_t len, int64_t *ms_out);

/*
 * log_time_parse for a reader: the first time in the process that a zone
 * is unknown (whatever the reader or thread), print a warning naming the
 * value and file (NULL: "-") that says times are read as UTC.  s need not
 * be NUL-terminated.
 */
log_time_status log_time_parse_field(log_time_cache *c, const char *s, size_t len,
									 int64_t *ms_out, const char *file);

/*
 * Whether s begins with "YYYY-MM-DD HH:MM:SS" (digits and separators only;
 * ranges are not checked).  Cheap enough for a per-line record-start test.
 */
int			log_time_at_start(const char *s, size_t len);

/*
 * The length of the time at the start of s[0..len), as %t, %m and %s
 * write it: "YYYY-MM-DD HH:MM:SS", then ".fff" (one digit or more: *frac
 * set), then " ZONE" (an abbreviation of letters, or +HH, +HHMM, +HH:MM:
 * *zone set).  0 when s does not start with a time.  frac and zone may be
 * NULL.
 */
size_t		log_time_span(const char *s, size_t len, int *frac, int *zone);

/*
 * The decimal integer that is exactly len bytes of s (optional '-', up to
 * 19 digits, within int64), or dflt for anything else, NULL included.
 * Shared by the readers for pid, line numbers, xids and query ids.
 */
int64_t		log_field_int(const char *s, size_t len, int64_t dflt);

#endif
