/*-------------------------------------------------------------------------
 * log_time.c
 *    Timestamps (and integers) of csvlog and jsonlog fields.
 *
 * The date arithmetic is Howard Hinnant's days_from_civil, so no call to
 * timegm() or the C library's time zone machinery happens per record.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "src/core/diag.h"
#include "src/lib/civil_time.h"

#include <string.h>

typedef struct zone_abbrev
{
	const char *name;
	int32_t		offset;			/* seconds east of UTC */
} zone_abbrev;

#define H(h) ((h) * 3600)

/* Set by the first unknown-zone warning; readers run in several threads. */
static int	unknown_zone_warned = 0;

/* Abbreviations the tz database prints for common zones; see log_time.h. */
static const zone_abbrev zone_abbrevs[] = {
	{"UTC", 0}, {"GMT", 0}, {"UCT", 0}, {"UT", 0}, {"Z", 0},
	{"WET", 0}, {"WEST", H(1)}, {"BST", H(1)}, {"CET", H(1)}, {"CEST", H(2)},
	{"MET", H(1)}, {"MEST", H(2)}, {"EET", H(2)}, {"EEST", H(3)}, {"MSK", H(3)},
	{"WAT", H(1)}, {"CAT", H(2)}, {"SAST", H(2)}, {"EAT", H(3)}, {"IDT", H(3)},
	{"PKT", H(5)}, {"IST", H(5) + 1800}, {"WIB", H(7)}, {"WITA", H(8)},
	{"WIT", H(9)}, {"HKT", H(8)}, {"JST", H(9)}, {"KST", H(9)}, {"AWST", H(8)}, {"ChST", H(10)},
	{"ACST", H(9) + 1800}, {"ACDT", H(10) + 1800}, {"AEST", H(10)},
	{"AEDT", H(11)}, {"NZST", H(12)}, {"NZDT", H(13)}, {"SST", -H(11)},
	{"HST", -H(10)}, {"HDT", -H(9)}, {"AKST", -H(9)}, {"AKDT", -H(8)},
	{"PST", -H(8)}, {"PDT", -H(7)}, {"MST", -H(7)}, {"MDT", -H(6)},
	{"CST", -H(6)}, {"CDT", -H(5)}, {"EST", -H(5)}, {"EDT", -H(4)},
	{"AST", -H(4)}, {"ADT", -H(3)}, {"NST", -H(3) - 1800}, {"NDT", -H(2) - 1800},
};

void
log_time_cache_init(log_time_cache *c)
{
	memset(c, 0, sizeof(*c));
}

static inline int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Value of the two digits at s, or -1. */
static inline int
two_digits(const char *s)
{
	if (!is_digit(s[0]) || !is_digit(s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int
log_time_at_start(const char *s, size_t len)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";

	if (len < 19)
		return 0;
	for (int i = 0; i < 19; i++)
	{
		if (shape[i] == 'd' ? !is_digit(s[i]) : (s[i] != shape[i] && !(i == 10 && s[i] == 'T')))
			return 0;
	}
	return 1;
}

size_t
log_time_span(const char *s, size_t len, int *frac, int *zone)
{
	size_t		j = 19,
				k;
	int			f = 0,
				z = 0;

	if (!log_time_at_start(s, len) || s[10] != ' ')
		return 0;
	if (j + 1 < len && s[j] == '.' && is_digit(s[j + 1]))
	{
		f = 1;
		for (j++; j < len && is_digit(s[j]); j++)
			;
	}
	if (j + 1 < len && s[j] == ' ')
	{
		k = j + 1;
		if ((s[k] == '+' || s[k] == '-') && k + 2 < len && is_digit(s[k + 1]) && is_digit(s[k + 2]))
		{
			k += 3;
			if (k + 2 < len && s[k] == ':' && is_digit(s[k + 1]) && is_digit(s[k + 2]))
				k += 3;
			else if (k + 1 < len && is_digit(s[k]) && is_digit(s[k + 1]))
				k += 2;
			z = 1;
		}
		else
		{
			while (k < len && k - j <= 6 && ((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z')))
				k++;
			z = k > j + 1;
		}
		if (z)
			j = k;
	}
	if (frac)
		*frac = f;
	if (zone)
		*zone = z;
	return j;
}

static int
days_in_month(int y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return mdays[m - 1];
}

/* Local epoch seconds of "YYYY-MM-DD HH:MM:SS" (shape already checked), or -1 if out of range. */
static int
civil_seconds(const char *s, int64_t *secs)
{
	int			y = two_digits(s) * 100 + two_digits(s + 2);
	int			mo = two_digits(s + 5);
	int			d = two_digits(s + 8);
	int			h = two_digits(s + 11);
	int			mi = two_digits(s + 14);
	int			sec = two_digits(s + 17);

	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
		h > 23 || mi > 59 || sec > 60)
		return -1;
	*secs = civil_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

/* "+HH", "+HHMM", "+HH:MM", "+HH:MM:SS" (sign included) to seconds east; -1 if bad. */
static int
numeric_offset(const char *z, size_t n, int32_t *off)
{
	int			parts[3] = {0, 0, 0};
	int			np = 0;
	size_t		i = 1;

	while (i < n && np < 3)
	{
		if (np > 0 && z[i] == ':')
			i++;
		if (i + 2 > n || (parts[np] = two_digits(z + i)) < 0)
			return -1;
		i += 2;
		np++;
	}
	if (np == 0 || i != n || parts[0] > 15 || parts[1] > 59 || parts[2] > 59)
		return -1;
	*off = parts[0] * 3600 + parts[1] * 60 + parts[2];
	if (z[0] == '-')
		*off = -*off;
	return 0;
}

/* Seconds east of UTC for a zone text; OK, ZONE_UNKNOWN or INVALID. */
static log_time_status
zone_offset(const char *z, size_t n, int32_t *off)
{
	*off = 0;
	if (n == 0)
		return LOG_TIME_ZONE_UNKNOWN;
	if (z[0] == '+' || z[0] == '-')
		return numeric_offset(z, n, off) == 0 ? LOG_TIME_OK : LOG_TIME_INVALID;
	for (size_t i = 0; i < sizeof(zone_abbrevs) / sizeof(zone_abbrevs[0]); i++)
	{
		const char *name = zone_abbrevs[i].name;

		if (strlen(name) == n && memcmp(name, z, n) == 0)
		{
			*off = zone_abbrevs[i].offset;
			return LOG_TIME_OK;
		}
	}
	/* an abbreviation we do not know must still look like one */
	for (size_t i = 0; i < n; i++)
	{
		char		ch = z[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')))
			return LOG_TIME_INVALID;
	}
	return LOG_TIME_ZONE_UNKNOWN;
}

log_time_status
log_time_parse(log_time_cache *c, const char *s, size_t len, int64_t *ms_out)
{
	/*
	 * The shape of the seconds part is checked only on a cache miss: a hit
	 * compares those 19 bytes with a key that passed the check when stored.
	 */
	if (len < 19)
		return LOG_TIME_INVALID;

	size_t		p = 19;
	int			ms = 0;

	if (p < len && (s[p] == '.' || s[p] == ','))
	{
		size_t		ndig = 0;

		for (p++; p < len && is_digit(s[p]); p++, ndig++)
		{
			if (ndig < 3)
				ms = ms * 10 + (s[p] - '0');
		}
		if (ndig == 0)
			return LOG_TIME_INVALID;
		for (; ndig < 3; ndig++)
			ms *= 10;
	}
	while (p < len && s[p] == ' ')
		p++;

	const char *zone = s + p;
	size_t		zlen = len - p;

	while (zlen > 0 && zone[zlen - 1] == ' ')
		zlen--;

	int			cacheable = c != NULL && zlen <= LOG_TIME_ZONE_MAX;

	if (cacheable && c->key_len == 19 + zlen &&
		memcmp(c->key, s, 19) == 0 && memcmp(c->key + 19, zone, zlen) == 0)
	{
		*ms_out = c->secs * 1000 + ms;
		c->last_offset_min = c->offset_min;
		return c->status;
	}

	if (!log_time_at_start(s, len))
		return LOG_TIME_INVALID;

	int64_t		secs;
	int32_t		off;
	log_time_status st = zone_offset(zone, zlen, &off);

	if (st == LOG_TIME_INVALID || civil_seconds(s, &secs) != 0)
		return LOG_TIME_INVALID;
	secs -= off;
	if (c != NULL)
		c->last_offset_min = st == LOG_TIME_OK ? off / 60 : LOG_UTC_OFFSET_UNKNOWN;
	if (cacheable)
	{
		memcpy(c->key, s, 19);
		memcpy(c->key + 19, zone, zlen);
		c->key_len = 19 + zlen;
		c->secs = secs;
		c->status = st;
		c->offset_min = c->last_offset_min;
	}
	*ms_out = secs * 1000 + ms;
	return st;
}

log_time_status
log_time_parse_field(log_time_cache *c, const char *s, size_t len, int64_t *ms_out,
					 const char *file)
{
	log_time_status st = log_time_parse(c, s, len, ms_out);

	if (st == LOG_TIME_ZONE_UNKNOWN &&
		__atomic_exchange_n(&unknown_zone_warned, 1, __ATOMIC_RELAXED) == 0)
	{
		diag_detail("Times in this file are read as UTC.");
		diag_hint("Set log_timezone to UTC, or to a zone written as a numeric offset.");
		diag_warning("unknown time zone in timestamp \"%.*s\" in file \"%s\"", (int) len, s, file ? file : "-");
	}
	return st;
}

int64_t
log_field_int(const char *s, size_t len, int64_t dflt)
{
	size_t		i;
	uint64_t	v = 0;
	int			neg;

	if (s == NULL || len == 0)
		return dflt;
	neg = s[0] == '-';
	i = (size_t) neg;
	if (i == len || len - i > 19)
		return dflt;
	for (; i < len; i++)
	{
		if (!is_digit(s[i]))
			return dflt;
		v = v * 10 + (uint64_t) (s[i] - '0');
	}
	if (v > (uint64_t) INT64_MAX + (uint64_t) neg)
		return dflt;
	return neg ? (int64_t) (0 - v) : (int64_t) v;
}
