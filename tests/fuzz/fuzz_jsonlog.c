/*-------------------------------------------------------------------------
 * fuzz_jsonlog.c
 *    libFuzzer target for the JSON readers: jsonlog, CloudNativePG's
 *    envelope (the same scanner) and Cloud SQL's Cloud Logging entries.
 *-------------------------------------------------------------------------
 */
#include "tests/fuzz/fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diag_quiet = 1;
	fuzz_run_reader(LOG_FORMAT_JSONLOG, NULL, data, size);
	fuzz_run_reader(LOG_FORMAT_CNPG, NULL, data, size);
	fuzz_run_reader(LOG_FORMAT_CLOUDSQL, NULL, data, size);
	return 0;
}
