/*-------------------------------------------------------------------------
 * fuzz_csvlog.c
 *    libFuzzer target for the csvlog reader.
 *
 * Quoted fields spanning lines, unbalanced quotes and the recovery that
 * re-reads a bad record's lines are the parts worth the fuzzer's time.
 *-------------------------------------------------------------------------
 */
#include "tests/fuzz/fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diag_quiet = 1;
	fuzz_run_reader(LOG_FORMAT_CSVLOG, NULL, data, size);
	return 0;
}
