/*-------------------------------------------------------------------------
 * civil_time.c
 *    Calendar dates and epoch times (see civil_time.h).
 *
 * An era is 400 years (146,097 days); within it the year is taken to start
 * on March 1st, so that the leap day is the era-year's last.
 *-------------------------------------------------------------------------
 */
#include "src/lib/civil_time.h"

/* floor(a / b) for b > 0 */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int64_t
civil_days(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t		era = floor_div(y, 400);
	int64_t		yoe = y - era * 400;
	int64_t		doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t		doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
civil_time_from_ms(int64_t epoch_ms, civil_time *out)
{
	int64_t		secs = floor_div(epoch_ms, 1000);
	int64_t		days = floor_div(secs, 86400);
	int			sod = (int) (secs - days * 86400);
	int64_t		z = days + 719468;
	int64_t		era = floor_div(z, 146097);
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;

	out->ms = (int) (epoch_ms - secs * 1000);
	out->hour = sod / 3600;
	out->minute = sod / 60 % 60;
	out->second = sod % 60;
	out->day = (int) (doy - (153 * mp + 2) / 5 + 1);
	out->month = (int) (mp < 10 ? mp + 3 : mp - 9);
	out->year = yoe + era * 400 + (out->month <= 2);
}
