/*-------------------------------------------------------------------------
 * measure.c
 *    The --measure modes by name.
 *-------------------------------------------------------------------------
 */
#include "src/core/measure.h"

#include <string.h>

int
measure_mode_from_name(const char *name)
{
	if (strcmp(name, "off") == 0)
		return MEASURE_MODE_OFF;
	if (strcmp(name, "hypo") == 0)
		return MEASURE_MODE_HYPO;
	if (strcmp(name, "real") == 0)
		return MEASURE_MODE_REAL;
	return -1;
}
