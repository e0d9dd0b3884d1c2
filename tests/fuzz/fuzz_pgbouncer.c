/*-------------------------------------------------------------------------
 * fuzz_pgbouncer.c
 *    libFuzzer target for pgBouncer's log: the reader (logfile and syslog
 *    lines), the classification of its messages and the pooler figures.
 *
 * Every record goes through the event assembler, whose EV_POOLER events
 * are read in full (the reason within its length, the stats figures) and
 * counted into pooler figures, as the workload model does.
 *-------------------------------------------------------------------------
 */
#include "src/model/pooler.h"
#include "tests/fuzz/fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pooler_figures figures;

static void
pooler_event_sink(void *ctx, const log_event *ev)
{
	fuzz_event_sink(ctx, ev);
	fuzz_touch_n(ev->reason, ev->reason_len);
	fuzz_touch(pooler_kind_name(ev->pooler));
	if (ev->stats != NULL)
		fuzz_checksum += (ev->stats->xacts_per_s >= 0) + (ev->stats->wait_us >= 0);
	if (ev->kind == EV_POOLER)
		pooler_add_event(&figures, ev);
}

static void
to_assembler(void *ctx, const log_record *rec)
{
	fuzz_record_sink(NULL, rec);
	event_assembler_record(ctx, rec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	event_assembler *ea = event_assembler_create(pooler_event_sink, NULL);
	diag_tally	tally;
	reader_config cfg;
	format_reader *r;
	size_t		start = 0;
	uint64_t	lineno = 0;

	diag_quiet = 1;
	pooler_init(&figures);
	memset(&tally, 0, sizeof(tally));
	memset(&cfg, 0, sizeof(cfg));
	cfg.file = "fuzz.log";
	cfg.syslog_year = 2024;
	cfg.tally = &tally;
	cfg.sink = to_assembler;
	cfg.sink_ctx = ea;
	if ((r = pgbouncer_reader_ops.create(&cfg)) == NULL)
		abort();
	while (start < size)
	{
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t		end = nl ? (size_t) (nl - data) : size;
		char	   *line = fuzz_exact_copy(data + start, end - start);

		fuzz_checksum += (size_t) pgbouncer_reader_ops.starts_record(r, line, end - start);
		pgbouncer_reader_ops.feed(r, line, end - start, ++lineno);
		free(line);
		start = end + 1;
	}
	pgbouncer_reader_ops.finish(r);
	pgbouncer_reader_ops.destroy(r);
	event_assembler_finish(ea);
	event_assembler_destroy(ea);
	fuzz_checksum += (size_t) figures.records + (pooler_mean_wait_us(&figures) >= 0);
	diag_tally_free(&tally);
	return 0;
}
