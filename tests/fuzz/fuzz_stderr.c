/*-------------------------------------------------------------------------
 * fuzz_stderr.c
 *    libFuzzer target for the stderr reader (and its RDS variant).
 *
 * The same lines go through the reader three times: with PostgreSQL's
 * default prefix, with Debian's '%m [%p] %q%u@%d ' (whose %q and
 * user@db parts exercise the optional-group handling), and as RDS.
 *-------------------------------------------------------------------------
 */
#include "tests/fuzz/fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diag_quiet = 1;
	fuzz_run_reader(LOG_FORMAT_STDERR, NULL, data, size);
	fuzz_run_reader(LOG_FORMAT_STDERR, "%m [%p] %q%u@%d ", data, size);
	fuzz_run_reader(LOG_FORMAT_RDS, NULL, data, size);
	return 0;
}
