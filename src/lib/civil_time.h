/*-------------------------------------------------------------------------
 * civil_time.h
 *    Calendar dates and epoch times, in the proleptic Gregorian calendar.
 *
 * Reading a log's timestamps needs date -> days; writing the reports'
 * timestamps needs epoch ms -> date and time of day.  Both are pure
 * arithmetic (H. Hinnant's algorithms): no time_t range, no time-zone
 * state, and none of glibc's locking in gmtime_r and strftime, which the
 * threads of a -j report would queue on.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_CIVIL_TIME_H
#define PGSIFT_CIVIL_TIME_H

#include <stdint.h>

typedef struct civil_time
{
	int64_t		year;
	int			month;			/* 1-12 */
	int			day;			/* 1-31 */
	int			hour;
	int			minute;
	int			second;
	int			ms;
} civil_time;

/* Days from 1970-01-01 to y-m-d (m 1-12; d may run past the month's end). */
int64_t		civil_days(int64_t y, int m, int d);

/* The date and time of day of epoch_ms (ms since 1970-01-01 00:00), negative ones too. */
void		civil_time_from_ms(int64_t epoch_ms, civil_time *out);

#endif
