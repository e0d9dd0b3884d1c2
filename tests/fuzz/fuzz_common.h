/*-------------------------------------------------------------------------
 * fuzz_common.h
 *    Helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * A header of static inline functions rather than a .c file, because the
 * Makefile links every other .c under tests/ into the unit-test runner.
 *
 * Lines are handed to the code under test in buffers of exactly their
 * length, with no NUL after them: the reader interface promises a pointer
 * and a length, nothing more, so a read past the end is a bug that
 * AddressSanitizer should see.  Everything a reader or the assembler
 * delivers is read in full by the sinks, so that a dangling or
 * unterminated string is caught where it is handed out.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_FUZZ_COMMON_H
#define PGSIFT_FUZZ_COMMON_H

#include "parsers/log_event.h"
#include "parsers/reader.h"
#include "src/core/diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Sinks fold what they read in here, so that the reads are not optimised out. */
static volatile size_t fuzz_checksum;

/* Read a string to its NUL; NULL is allowed. */
static inline void
fuzz_touch(const char *s)
{
	if (s != NULL)
		fuzz_checksum += strlen(s);
}

/* Read n bytes; NULL is allowed. */
static inline void
fuzz_touch_n(const char *s, size_t n)
{
	size_t		sum = 0;

	if (s == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		sum += (unsigned char) s[i];
	fuzz_checksum += sum;
}

/* A log_record_sink that reads every string of the record. */
static inline void
fuzz_record_sink(void *ctx, const log_record *rec)
{
	fuzz_touch(rec->file);
	fuzz_touch(rec->session_id);
	fuzz_touch(rec->user);
	fuzz_touch(rec->dbname);
	fuzz_touch(rec->app);
	fuzz_touch(rec->remote_host);
	fuzz_touch(rec->remote_port);
	fuzz_touch(rec->backend_type);
	fuzz_touch(rec->command_tag);
	fuzz_touch(rec->vxid);
	fuzz_touch_n(rec->message, rec->message_len);
	fuzz_touch(rec->message);
	fuzz_touch(rec->detail);
	fuzz_touch(rec->hint);
	fuzz_touch(rec->context);
	fuzz_touch(rec->statement);
	fuzz_touch(rec->internal_query);
	fuzz_checksum += (size_t) rec->severity + strlen(rec->sqlstate);
}

/* A log_event_sink that reads every string of the event. */
static inline void
fuzz_event_sink(void *ctx, const log_event *ev)
{
	fuzz_touch_n(ev->query, ev->query_len);
	fuzz_touch(ev->stmt_name);
	fuzz_touch(ev->params);
	fuzz_touch(ev->plan);
	fuzz_touch(log_event_kind_name(ev->kind));
	if (ev->rec != NULL)
		fuzz_record_sink(NULL, ev->rec);
}

/* Copy n bytes into a buffer of exactly n bytes (no NUL; never NULL). */
static inline char *
fuzz_exact_copy(const uint8_t *p, size_t n)
{
	char	   *c = malloc(n > 0 ? n : 1);

	if (c == NULL)
		abort();
	memcpy(c, p, n);
	return c;
}

/*
 * Feed data, split into lines at '\n', to a reader of format f with the
 * given prefix (NULL: the format's default), then finish and destroy it.
 */
static inline void
fuzz_run_reader(log_format f, const char *prefix, const uint8_t *data, size_t size)
{
	diag_tally	tally;
	reader_config cfg;
	format_reader *r;
	const format_reader_ops *ops = format_reader_for(f);
	uint64_t	lineno = 0;
	size_t		start = 0;

	memset(&tally, 0, sizeof(tally));
	memset(&cfg, 0, sizeof(cfg));
	cfg.file = "fuzz.log";
	cfg.prefix = prefix;
	cfg.syslog_year = 2024;		/* not the clock's: runs must be reproducible */
	cfg.tally = &tally;
	cfg.sink = fuzz_record_sink;
	if (ops == NULL || (r = ops->create(&cfg)) == NULL)
		abort();				/* a fixed, valid configuration must work */

	while (start < size)
	{
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t		end = nl ? (size_t) (nl - data) : size;
		char	   *line = fuzz_exact_copy(data + start, end - start);

		if (ops->starts_record != NULL)
			fuzz_checksum += (size_t) ops->starts_record(r, line, end - start);
		ops->feed(r, line, end - start, ++lineno);
		free(line);
		start = end + 1;
	}
	ops->finish(r);
	ops->destroy(r);
	diag_tally_free(&tally);
}

#endif
