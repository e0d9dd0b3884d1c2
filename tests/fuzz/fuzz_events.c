/*-------------------------------------------------------------------------
 * fuzz_events.c
 *    libFuzzer target for the event assembler and the parameter parser.
 *
 * The input is a sequence of records separated by 0x1e bytes.  In each,
 * the first byte picks the severity, the session and whether a session id
 * is set (so untimed statements and durations pair across records of one
 * session and not of another), and the rest is split at 0x1f bytes into
 * message, detail, statement, hint and context.  The whole input, as a
 * string, also goes through param_list_parse.
 *-------------------------------------------------------------------------
 */
#include "tests/fuzz/fuzz_common.h"

#define RECORD_SEP	0x1e
#define FIELD_SEP	0x1f
#define NFIELDS		5

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* NUL-terminated copy of n bytes. */
static char *
string_copy(const uint8_t *p, size_t n)
{
	char	   *c = malloc(n + 1);

	if (c == NULL)
		abort();
	memcpy(c, p, n);
	c[n] = '\0';
	return c;
}

/* Build the record held in data[0, size) and hand it to the assembler. */
static void
feed_record(event_assembler *ea, const uint8_t *data, size_t size, uint64_t lineno)
{
	static const char *const sessions[] = {"65a1b2c3.4d2", "65a1b2c3.4d3"};
	char	   *fields[NFIELDS] = {NULL};
	size_t		msg_len = 0;
	log_record	rec;
	uint8_t		ctl = size > 0 ? data[0] : 0;
	size_t		start = size > 0 ? 1 : 0;

	for (int i = 0; i < NFIELDS && start <= size; i++)
	{
		const uint8_t *sep = memchr(data + start, FIELD_SEP, size - start);
		size_t		end = sep ? (size_t) (sep - data) : size;

		fields[i] = string_copy(data + start, end - start);
		if (i == 0)
			msg_len = end - start;
		start = end + 1;
	}

	log_record_clear(&rec);
	rec.file = "fuzz.log";
	rec.line = lineno;
	rec.ts_ms = 1700000000000 + (int64_t) lineno * 7;
	rec.severity = (log_severity) (ctl % (SEV_PANIC + 1));
	rec.pid = 4000 + ((ctl >> 4) & 1);
	if (ctl & 0x20)
		rec.session_id = sessions[(ctl >> 4) & 1];
	rec.user = "app";
	rec.dbname = "shop";
	rec.message = fields[0] ? fields[0] : "";
	rec.message_len = msg_len;
	rec.detail = fields[1];
	rec.statement = fields[2];
	rec.hint = fields[3];
	rec.context = fields[4];
	event_assembler_record(ea, &rec);
	for (int i = 0; i < NFIELDS; i++)
		free(fields[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	event_assembler *ea = event_assembler_create(fuzz_event_sink, NULL);
	size_t		start = 0;
	uint64_t	lineno = 0;
	char	   *text;
	param_list	pl;

	diag_quiet = 1;
	while (start < size)
	{
		const uint8_t *sep = memchr(data + start, RECORD_SEP, size - start);
		size_t		end = sep ? (size_t) (sep - data) : size;

		feed_record(ea, data + start, end - start, ++lineno);
		start = end + 1;
	}
	event_assembler_finish(ea);
	event_assembler_destroy(ea);

	text = string_copy(data, size);
	if (param_list_parse(text, &pl) == 0)
	{
		for (int i = 0; i < pl.count; i++)
			fuzz_touch(pl.values[i]);
		param_list_free(&pl);
	}
	free(text);
	return 0;
}
