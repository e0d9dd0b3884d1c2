/*-------------------------------------------------------------------------
 * fuzz_detect.c
 *    libFuzzer target for log format (and log_line_prefix) detection.
 *
 * Up to 20 lines, as the driver passes the head of a file.  A detected
 * prefix must then be usable: it is compiled by a stderr reader and the
 * same lines are fed through it, as pgsift would do next.
 *-------------------------------------------------------------------------
 */
#include "tests/fuzz/fuzz_common.h"

#define DETECT_LINES 20

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *lines[DETECT_LINES];
	size_t		lens[DETECT_LINES];
	size_t		start = 0;
	int			n = 0;
	char	   *prefix = NULL;
	log_format f;

	diag_quiet = 1;
	while (start < size && n < DETECT_LINES)
	{
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t		end = nl ? (size_t) (nl - data) : size;

		lines[n] = fuzz_exact_copy(data + start, end - start);
		lens[n++] = end - start;
		start = end + 1;
	}
	f = detect_log_format((const char *const *) lines, lens, n, &prefix);
	fuzz_touch(log_format_name(f));
	fuzz_touch(prefix);
	if (prefix != NULL && (f == LOG_FORMAT_STDERR || f == LOG_FORMAT_SYSLOG ||
						   f == LOG_FORMAT_SYSLOG2))
		fuzz_run_reader(f, prefix, data, start < size ? start : size);
	free(prefix);
	for (int i = 0; i < n; i++)
		free(lines[i]);
	return 0;
}
