/*-------------------------------------------------------------------------
 * fuzz_migration.c
 *    libFuzzer target for pgsift migration: the migration model and every
 *    migration rule, on the text of a migration file.
 *
 * A migration comes from a pull request, so its text is hostile.  The
 * input's first byte picks the options (bit 0: --single-transaction; the
 * rest: the PostgreSQL version, 10 to 17); the rest is one migration
 * file.  It is split, parsed and linted as pgsift migration does, then
 * every report format is written to /dev/null, so that every string a
 * rule hands out is read in full.  A finding must be located inside the
 * file: its line between 1 and the file's last.
 *-------------------------------------------------------------------------
 */
#include "src/analyze/migration_gate.h"
#include "src/report/report_migration.h"
#include "tests/fuzz/fuzz_common.h"

#include <stdio.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	migration_gate_options opts = {0};
	migration_gate_result r;
	migration_report_input in;
	char	   *text;

	if (size < 1)
		return 0;
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	diag_quiet = 1;
	opts.model.single_transaction = data[0] & 1;
	opts.pg_version = 10 + (data[0] >> 1) % 8;
	text = malloc(size);
	if (text == NULL)
		abort();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (memchr(data + 1, '\0', size - 1) == NULL)
	{
		if (migration_gate_run_text("fuzz.sql", text, &opts, &r) == PGSIFT_EXIT_OK)
		{
			int			nlines = r.migration.nfiles ? r.migration.files[0].nlines : 0;

			for (int i = 0; i < r.findings.count; i++)
				if (r.findings.items[i]->location.line < 1 || r.findings.items[i]->location.line > nlines)
					abort();
			in = (migration_report_input) {.result = &r, .fail_on = FINDING_HIGH};
			for (int fmt = MIGRATION_FORMAT_TEXT; fmt <= MIGRATION_FORMAT_GITHUB; fmt++)
				migration_report_write(devnull, (migration_format) fmt, &in);
		}
		migration_gate_result_free(&r);
	}
	free(text);
	return 0;
}
