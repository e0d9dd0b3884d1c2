/*-------------------------------------------------------------------------
 * fuzz_jsonlog.c
 *    libFuzzer target for the jsonlog reader.
 *-------------------------------------------------------------------------
 */
#include "tests/fuzz/fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diag_quiet = 1;
	fuzz_run_reader(LOG_FORMAT_JSONLOG, NULL, data, size);
	return 0;
}
