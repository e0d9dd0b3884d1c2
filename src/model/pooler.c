/*-------------------------------------------------------------------------
 * pooler.c
 *    The pooler figures of a pgBouncer log (pooler.h).
 *
 * pgBouncer's stats line gives, for each stats_period, the rate of
 * transactions and queries and their mean times.  The periods are equal,
 * so the mean rate over the log is the mean of the lines' rates, and the
 * mean transaction (query) time is the lines' times weighted by their
 * transaction (query) rate: idle periods, which report 0 us, weigh
 * nothing.  The wait figure is pgBouncer's avg_wait_time, weighted like
 * the transaction time.
 *-------------------------------------------------------------------------
 */
#include "src/model/pooler.h"

#include <math.h>
#include <string.h>

void
pooler_init(pooler_figures *p)
{
	memset(p, 0, sizeof(*p));
	p->first_ts = LOG_TS_UNKNOWN;
	p->last_ts = LOG_TS_UNKNOWN;
}

const char *
pooler_table_name(pooler_reason_table t)
{
	static const char *const names[POOLER_TABLE__COUNT] = {
		"pooler_errors", "client_close_reasons", "server_close_reasons",
	};

	return (int) t >= 0 && t < POOLER_TABLE__COUNT ? names[t] : "unknown";
}

void
pooler_add_reason(pooler_figures *p, pooler_reason_table t, const char *text, size_t len, uint64_t n)
{
	pooler_reasons *r = &p->reasons[t];
	const char *colon = len >= 2 ? memmem(text, len, ": ", 2) : NULL;

	if (colon)
		len = (size_t) (colon - text);
	if (len >= POOLER_REASON_LEN)
		len = POOLER_REASON_LEN - 1;
	for (int i = 0; i < r->n; i++)
		if (strlen(r->items[i].text) == len && memcmp(r->items[i].text, text, len) == 0)
		{
			r->items[i].count += n;
			return;
		}
	if (r->n == POOLER_REASONS)
	{
		r->other += n;
		return;
	}
	memcpy(r->items[r->n].text, text, len);
	r->items[r->n].text[len] = '\0';
	r->items[r->n].count = n;
	r->n++;
}

static void
add_stats(pooler_figures *p, const pooler_stats *st)
{
	double		xacts = st->xacts_per_s > 0 ? st->xacts_per_s : 0;
	double		queries = st->queries_per_s > 0 ? st->queries_per_s : 0;

	p->xacts_per_s_sum += xacts;
	p->xacts_per_s_max = fmax(p->xacts_per_s_max, xacts);
	p->queries_per_s_sum += queries;
	p->queries_per_s_max = fmax(p->queries_per_s_max, queries);
	if (st->xact_us > 0)
		p->xact_us_weighted += xacts * st->xact_us;
	if (st->query_us > 0)
		p->query_us_weighted += queries * st->query_us;
	if (st->wait_us > 0)
	{
		p->wait_us_weighted += xacts * st->wait_us;
		p->wait_us_max = fmax(p->wait_us_max, st->wait_us);
	}
	if (st->in_bytes_per_s > 0)
		p->in_bytes_per_s_sum += st->in_bytes_per_s;
	if (st->out_bytes_per_s > 0)
		p->out_bytes_per_s_sum += st->out_bytes_per_s;
}

void
pooler_add_event(pooler_figures *p, const log_event *ev)
{
	const log_record *rec = ev->rec;
	pooler_kind k = ev->pooler > POOLER_NONE && ev->pooler < POOLER__COUNT ? ev->pooler : POOLER_OTHER;

	p->records++;
	p->by_kind[k]++;
	if (rec->severity == SEV_WARNING)
		p->warnings++;
	else if (rec->severity >= SEV_ERROR)
		p->errors++;
	if (rec->ts_ms != LOG_TS_UNKNOWN)
	{
		if (p->first_ts == LOG_TS_UNKNOWN || rec->ts_ms < p->first_ts)
			p->first_ts = rec->ts_ms;
		if (p->last_ts == LOG_TS_UNKNOWN || rec->ts_ms > p->last_ts)
			p->last_ts = rec->ts_ms;
	}
	switch (k)
	{
		case POOLER_CLIENT_CLOSE:
		case POOLER_SERVER_CLOSE:
			{
				int			client = k == POOLER_CLIENT_CLOSE;
				double		age = ev->age_s > 0 ? ev->age_s : 0;

				pooler_add_reason(p, client ? POOLER_TABLE_CLIENT_CLOSE : POOLER_TABLE_SERVER_CLOSE,
								  ev->reason ? ev->reason : "", ev->reason_len, 1);
				*(client ? &p->client_age_s : &p->server_age_s) += age;
				if (client)
					p->client_age_max_s = fmax(p->client_age_max_s, age);
				else
					p->server_age_max_s = fmax(p->server_age_max_s, age);
				break;
			}
		case POOLER_ERROR:
			pooler_add_reason(p, POOLER_TABLE_ERRORS, ev->reason ? ev->reason : "", ev->reason_len, 1);
			break;
		case POOLER_STATS:
			if (ev->stats)
				add_stats(p, ev->stats);
			break;
		default:
			break;
	}
}

void
pooler_merge(pooler_figures *dst, const pooler_figures *src)
{
	dst->records += src->records;
	for (int k = 0; k < POOLER__COUNT; k++)
		dst->by_kind[k] += src->by_kind[k];
	dst->warnings += src->warnings;
	dst->errors += src->errors;
	if (src->first_ts != LOG_TS_UNKNOWN && (dst->first_ts == LOG_TS_UNKNOWN || src->first_ts < dst->first_ts))
		dst->first_ts = src->first_ts;
	if (src->last_ts != LOG_TS_UNKNOWN && (dst->last_ts == LOG_TS_UNKNOWN || src->last_ts > dst->last_ts))
		dst->last_ts = src->last_ts;
	dst->client_age_s += src->client_age_s;
	dst->client_age_max_s = fmax(dst->client_age_max_s, src->client_age_max_s);
	dst->server_age_s += src->server_age_s;
	dst->server_age_max_s = fmax(dst->server_age_max_s, src->server_age_max_s);
	dst->xacts_per_s_sum += src->xacts_per_s_sum;
	dst->xacts_per_s_max = fmax(dst->xacts_per_s_max, src->xacts_per_s_max);
	dst->queries_per_s_sum += src->queries_per_s_sum;
	dst->queries_per_s_max = fmax(dst->queries_per_s_max, src->queries_per_s_max);
	dst->xact_us_weighted += src->xact_us_weighted;
	dst->query_us_weighted += src->query_us_weighted;
	dst->wait_us_weighted += src->wait_us_weighted;
	dst->wait_us_max = fmax(dst->wait_us_max, src->wait_us_max);
	dst->in_bytes_per_s_sum += src->in_bytes_per_s_sum;
	dst->out_bytes_per_s_sum += src->out_bytes_per_s_sum;
	for (int t = 0; t < POOLER_TABLE__COUNT; t++)
	{
		const pooler_reasons *r = &src->reasons[t];

		for (int i = 0; i < r->n; i++)
			pooler_add_reason(dst, (pooler_reason_table) t, r->items[i].text, strlen(r->items[i].text),
							  r->items[i].count);
		dst->reasons[t].other += r->other;
	}
}

double
pooler_mean_xacts_per_s(const pooler_figures *p)
{
	uint64_t	n = p->by_kind[POOLER_STATS];

	return n ? p->xacts_per_s_sum / (double) n : -1;
}

double
pooler_mean_queries_per_s(const pooler_figures *p)
{
	uint64_t	n = p->by_kind[POOLER_STATS];

	return n ? p->queries_per_s_sum / (double) n : -1;
}

double
pooler_mean_xact_us(const pooler_figures *p)
{
	return p->xacts_per_s_sum > 0 ? p->xact_us_weighted / p->xacts_per_s_sum : -1;
}

double
pooler_mean_query_us(const pooler_figures *p)
{
	return p->queries_per_s_sum > 0 ? p->query_us_weighted / p->queries_per_s_sum : -1;
}

double
pooler_mean_wait_us(const pooler_figures *p)
{
	return p->xacts_per_s_sum > 0 ? p->wait_us_weighted / p->xacts_per_s_sum : -1;
}
