/*-------------------------------------------------------------------------
 * fuzz_syslog.c
 *    libFuzzer target for the syslog readers (BSD and ISO timestamps, and
 *    Heroku's logplex envelope).
 *
 * Both readers see the same lines: "[N-M]" continuation numbering and
 * "#011" unescaping are shared, the timestamp parsers are not.
 *-------------------------------------------------------------------------
 */
#include "tests/fuzz/fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diag_quiet = 1;
	fuzz_run_reader(LOG_FORMAT_SYSLOG, NULL, data, size);
	fuzz_run_reader(LOG_FORMAT_SYSLOG2, NULL, data, size);
	fuzz_run_reader(LOG_FORMAT_LOGPLEX, NULL, data, size);
	return 0;
}
