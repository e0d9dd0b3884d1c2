/*-------------------------------------------------------------------------
 * query_stats.c
 *    What a fingerprint's figures and samples hold, and their cost caps.
 *
 * A sample keeps the statement as logged so that it can be shown and
 * replayed; a statement of megabytes (a generated IN list, a document in a
 * literal) keeps its first WORKLOAD_SAMPLE_TEXT_MAX bytes and says so, so
 * that what a run holds is bounded by the caps and not by the longest line
 * of the log.
 *-------------------------------------------------------------------------
 */
#include "src/model/query_stats.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

char *
query_sample_text(const char *query, size_t len)
{
	if (len <= WORKLOAD_SAMPLE_TEXT_MAX)
		return xstrndup(query, len);

	size_t		keep = WORKLOAD_SAMPLE_TEXT_MAX;
	strbuf		sb;

	/* back off to the start of a UTF-8 character */
	while (keep > 0 && ((unsigned char) query[keep] & 0xC0) == 0x80)
		keep--;
	strbuf_init(&sb);
	strbuf_append(&sb, query, keep);
	strbuf_printf(&sb, QUERY_SAMPLE_CUT_MARK "%zu of %zu bytes", keep, len);
	return sb.data;
}

int
query_sample_is_cut(const query_sample *s)
{
	return s->query && strstr(s->query, QUERY_SAMPLE_CUT_MARK) != NULL;
}

void
query_sample_free(query_sample *s)
{
	free(s->query);
	free(s->params);
}

void
query_stats_free(query_stats *q)
{
	free((char *) q->normalized);
	free(q->pending_text);
	sketch_free(q->sketch);
	free(q->series);
	for (int i = 0; i < q->nsamples; i++)
		query_sample_free(&q->samples[i]);
	free(q->plan);
}

double
query_stats_quantile(const query_stats *q, double quantile)
{
	if (q->calls == 0)
		return NAN;
	/* a light entry has at most one timed call: every quantile is it */
	return q->sketch ? sketch_quantile(q->sketch, quantile) : q->min_ms;
}
