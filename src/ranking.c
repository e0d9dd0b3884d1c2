/*-------------------------------------------------------------------------
 * ranking.c
 *    Ordering a run's findings for the report.
 *
 * Every rule scores its findings in milliseconds saved per hour of
 * workload (or its documented scale), so one sort ranks them all.
 *-------------------------------------------------------------------------
 */
#include "finding.h"

void
findings_rank(finding_list *l)
{
	finding_list_sort(l);
}

int
finding_list_max_severity(const finding_list *l)
{
	int			max = -1;

	for (int i = 0; l && i < l->count; i++)
		if ((int) l->items[i]->severity > max)
			max = (int) l->items[i]->severity;
	return max;
}
