/*-------------------------------------------------------------------------
 * advisor_whatif.h
 *    The index advisor's what-if costs: every query without and with each
 *    candidate made hypothetical by HypoPG, over one or more connections.
 *
 * Internal to the advisor (advisor.c chooses from these figures;
 * advisor_whatif.c computes them).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_ADVISOR_WHATIF_H
#define PGSIFT_ADVISOR_WHATIF_H

#include "src/advisor/advisor.h"

/* At most this many connections cost candidates at once. */
#define ADVISOR_MAX_JOBS 16

/* The what-if figures of one run: cost[q * ncands + c], NAN = not applicable. */
typedef struct whatif
{
	int			nq,
				ncands;
	double	   *before;			/* per query, NAN when not explained */
	double	   *cost;
	int64_t    *size;			/* per candidate, -1 unknown */
} whatif;

/*
 * Cost every query of qs[0..nq) without hypothetical indexes, then with
 * each candidate of cands alone, into w (its arrays malloc'd; free with
 * whatif_free).  A query is costed with a candidate only when its plan
 * without it names the candidate's table.  c is the first connection;
 * with o->jobs > 1, up to o->jobs (at most ADVISOR_MAX_JOBS, opened under c's policy)
 * connections share the work, each creating, costing and resetting its
 * own hypothetical indexes.  The figures are stored by query and
 * candidate index, so they do not depend on which connection computed
 * them.  A connection that cannot be opened (reported) or is lost leaves
 * the work to the others; what no connection could cost stays NAN.
 * Every connection's hypothetical indexes are reset on return.
 */
void		whatif_run(sandbox *c, const advisor_options *o, const advisor_query *qs, int nq,
					   const advisor_candidate_list *cands, whatif *w);

/* Free w's arrays and zero it. */
void		whatif_free(whatif *w);

#endif
