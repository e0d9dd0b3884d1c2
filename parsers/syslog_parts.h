/*-------------------------------------------------------------------------
 * syslog_parts.h
 *    What the syslog readers of PostgreSQL's and pgBouncer's logs share:
 *    the classic timestamp and its missing year, and the envelope.
 *
 * A classic time ("Mon DD HH:MM:SS") carries no year and no zone.  It is read as UTC; the year
 * is the given one (reader_config.syslog_year), moving on to the next where
 * the log goes from December to January, or else the current year, one
 * less for a date more than a day in the future.  The syslog readers of
 * PostgreSQL's and pgBouncer's logs share this rule through one clock per
 * reader; the last second read is cached, so a line costs no date
 * arithmetic while the second does not change.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SYSLOG_TIME_H
#define PGSIFT_SYSLOG_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct syslog_clock
{
	int			year;			/* given, moved on at new year; 0: the current-year rule */
	int			last_month;
	int			now_year;
	int64_t		now_ms;
	uint32_t	time_key;		/* month..second of the cached time; 0: none */
	int			time_key_year;	/* the given year it holds; 0: the current-year rule */
	int64_t		time_ms;
} syslog_clock;

/* A clock for a log whose year is given_year (0: unknown, the current-year rule). */
void		syslog_clock_init(syslog_clock *c, int given_year);

/*
 * The classic time at s[0..len): its epoch ms into *ts_ms and the offset
 * just past it into *end.  False (nothing set) when s does not start with
 * one.  A given year moves on when the months go from December to January.
 */
bool		syslog_clock_read(syslog_clock *c, const char *s, size_t len, int64_t *ts_ms, size_t *end);

/* 1..max decimal digits at s[*i..len), *i moved past them; -1 if none. */
int64_t		syslog_read_digits(const char *s, size_t len, size_t *i, int max);

/* The envelope after the time: " host ident[pid]: " (the host is optional). */
typedef struct syslog_envelope
{
	const char *ident;			/* the program's name, not NUL-terminated */
	size_t		ident_len;
	int32_t		pid;
	size_t		payload_at;		/* offset of the message, after one space */
} syslog_envelope;

/* Read the envelope at s[i..len) into *e; false if there is none. */
bool		syslog_read_envelope(const char *s, size_t len, size_t i, syslog_envelope *e);

#endif
