/*-------------------------------------------------------------------------
 * syslog_parts.c
 *    Classic syslog timestamps and their year, and the envelope
 *    (see syslog_parts.h).
 *-------------------------------------------------------------------------
 */
#include "parsers/syslog_parts.h"
#include "parsers/log_record.h"
#include "parsers/log_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAY_MS (86400 * INT64_C(1000))

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

void
syslog_clock_init(syslog_clock *c, int given_year)
{
	time_t		now = time(NULL);
	struct tm	tm;

	memset(c, 0, sizeof(*c));
	c->year = given_year > 0 ? given_year : 0;
	gmtime_r(&now, &tm);
	c->now_year = tm.tm_year + 1900;
	c->now_ms = (int64_t) now * 1000;
}

int64_t
syslog_read_digits(const char *s, size_t len, size_t *i, int max)
{
	int64_t		v = 0;
	int			n = 0;

	while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9')
		v = v * 10 + (s[(*i)++] - '0'), n++;
	return n > 0 ? v : -1;
}

/* Epoch ms of a classic syslog date in year y (read as UTC), or LOG_TS_UNKNOWN. */
static int64_t
civil_ms(int y, int mon, int day, int h, int mi, int s)
{
	char		buf[32];
	int64_t		ms;

	snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d UTC", y, mon, day, h, mi, s);
	return log_time_parse(NULL, buf, strlen(buf), &ms) == LOG_TIME_OK ? ms : LOG_TS_UNKNOWN;
}

/*
 * The year of a classic timestamp; see the header comment.  With a given
 * year this also notes the month, to move on at new year.
 */
static int
year_of(syslog_clock *c, int mon, int day, int h, int mi, int s)
{
	if (c->year > 0)
	{
		if (c->last_month == 12 && mon == 1)
			c->year++;
		c->last_month = mon;
		return c->year;
	}

	int64_t		ms = civil_ms(c->now_year, mon, day, h, mi, s);

	return ms != LOG_TS_UNKNOWN && ms > c->now_ms + DAY_MS ? c->now_year - 1 : c->now_year;
}

bool
syslog_clock_read(syslog_clock *c, const char *s, size_t len, int64_t *ts_ms, size_t *end)
{
	const char *m;
	size_t		i = 4;
	int64_t		day,
				h,
				mi,
				sec;

	if (len < 15 || s[3] != ' ' || (m = memmem(months, 36, s, 3)) == NULL || (m - months) % 3 != 0)
		return false;
	if (s[i] == ' ')
		i++;
	if ((day = syslog_read_digits(s, len, &i, 2)) < 1 || i >= len || s[i++] != ' ' ||
		(h = syslog_read_digits(s, len, &i, 2)) < 0 || i >= len || s[i++] != ':' ||
		(mi = syslog_read_digits(s, len, &i, 2)) < 0 || i >= len || s[i++] != ':' ||
		(sec = syslog_read_digits(s, len, &i, 2)) < 0)
		return false;

	int			mon = (int) (m - months) / 3 + 1;
	uint32_t	key = (uint32_t) ((((mon * 32 + day) * 24 + h) * 60 + mi) * 60 + sec);

	/* without a given year, the year follows from the key: 0 stands for it */
	int			given = c->year > 0 ? year_of(c, mon, (int) day, (int) h, (int) mi, (int) sec) : 0;

	if (key != c->time_key || given != c->time_key_year)
	{
		int			y = given ? given : year_of(c, mon, (int) day, (int) h, (int) mi, (int) sec);

		c->time_key = key;
		c->time_key_year = given;
		c->time_ms = civil_ms(y, mon, (int) day, (int) h, (int) mi, (int) sec);
	}
	*ts_ms = c->time_ms;
	*end = i;
	return true;
}

bool
syslog_read_envelope(const char *s, size_t len, size_t i, syslog_envelope *e)
{
	for (int tokens = 0; tokens < 2; tokens++)
	{
		if (i >= len || s[i] != ' ')
			return false;
		i++;

		const char *tok = s + i;
		const char *sp = memchr(tok, ' ', len - i);
		size_t		n = sp ? (size_t) (sp - tok) : len - i;

		if (n >= 4 && tok[n - 1] == ':' && tok[n - 2] == ']')
		{
			const char *br = memchr(tok, '[', n);
			size_t		j = (size_t) (br ? br - s : 0) + 1;
			int64_t		pid;

			if (br == NULL || (pid = syslog_read_digits(s, len, &j, 10)) < 0 || pid > INT32_MAX ||
				s + j != tok + n - 2)
				return false;
			e->ident = tok;
			e->ident_len = (size_t) (br - tok);
			e->pid = (int32_t) pid;
			i += n;
			if (i < len && s[i] == ' ')
				i++;
			e->payload_at = i;
			return true;
		}
		i += n;					/* the host name */
	}
	return false;
}
