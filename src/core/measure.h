/*-------------------------------------------------------------------------
 * measure.h
 *    How far pgsift may go to measure a fix: --measure off, hypo or real.
 *
 * Every layer that measures (the advisor, the workload rules, the driver)
 * reads the mode; it lives down here so none of them includes another for
 * it.  What each mode may run on a database is docs/safety.md.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_MEASURE_H
#define PGSIFT_MEASURE_H

typedef enum measure_mode
{
	MEASURE_MODE_OFF = 0,		/* plans only: no what-if and no real indexes */
	MEASURE_MODE_HYPO,			/* HypoPG what-if indexes (default when installed) */
	MEASURE_MODE_REAL			/* build indexes, run DML, inside rolled-back transactions */
} measure_mode;

/* "off", "hypo", "real" to a mode; -1 if unknown. */
int			measure_mode_from_name(const char *name);

#endif
