/*-------------------------------------------------------------------------
 * fuzz_input.c
 *    libFuzzer target for the line source and its decompressors.
 *
 * The input is written to an in-memory file (memfd) opened by path as
 * /proc/self/fd/N, so input_open sniffs it like a log on disk: inputs
 * that start with the gzip, bzip2 or zstd magic go through the decoders,
 * and truncated or corrupt streams take the early-end path.  A plain input
 * is also read in three byte ranges, as parallel ingestion splits a file.
 *-------------------------------------------------------------------------
 */
#include "parsers/input.h"
#include "tests/fuzz/fuzz_common.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every line of in, then close it. */
static void
drain(input_file *in)
{
	const char *line;
	size_t		len;
	int			rc;

	while ((rc = input_next_line(in, &line, &len)) == 1)
		fuzz_touch_n(line, len);
	if (rc < 0)
		fuzz_touch(input_error(in));
	fuzz_checksum += (size_t) (input_offset(in) + input_raw_offset(in) +
							   input_line_number(in) + input_lines_too_long(in));
	fuzz_touch(input_name(in));
	fuzz_touch(input_compression_name(input_get_compression(in)));
	input_close(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	fd = -1;
	static char path[64];
	input_file *in;
	input_compression comp;

	diag_quiet = 1;
	if (fd < 0)
	{
		fd = memfd_create("pgsift-fuzz", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 ||
		(size > 0 && pwrite(fd, data, size, 0) != (ssize_t) size))
		abort();

	in = input_open(path);
	if (in == NULL)
		return 0;
	comp = input_get_compression(in);
	drain(in);

	if (comp == INPUT_PLAIN)
	{
		uint64_t	third = size / 3;

		for (int part = 0; part < 3; part++)
		{
			uint64_t	end = part == 2 ? 0 : third * (part + 1);

			in = input_open_range(path, third * part, end, 1);
			if (in == NULL)
				abort();		/* a plain regular file must open in ranges */
			drain(in);
		}
	}
	return 0;
}
