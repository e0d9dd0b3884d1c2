/*-------------------------------------------------------------------------
 * clock.h
 *    Elapsed time for what pgsift measures itself.
 *
 * Connection set-up, the concurrency sweep and batched-insert timings
 * are measured by the client's monotonic clock, which wall-clock changes
 * do not move.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_CLOCK_H
#define PGSIFT_CLOCK_H

#include <time.h>

/* Milliseconds on the monotonic clock (an arbitrary origin: take differences). */
static inline double
clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

#endif
