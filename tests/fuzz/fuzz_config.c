/*-------------------------------------------------------------------------
 * fuzz_config.c
 *    libFuzzer target for the pgsift.conf parser.
 *
 * The input is written to an in-memory file (memfd) opened by path as
 * /proc/self/fd/N, so config_load reads it as it reads a file given with
 * --config.  A configuration that parses then goes through what a run
 * does with it: rules_check_config against the registry, and
 * config_rule_enabled and config_lookup for every rule and every entry,
 * so that entries the parser hands out are read in full.  Rejected files
 * make the parser and the registry print an error each time; stderr is
 * pointed at /dev/null around the calls so that the messages are still
 * formatted (and their strings read) without flooding libFuzzer's log.
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "src/core/config.h"
#include "tests/fuzz/fuzz_common.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every entry of c back through the lookup functions. */
static void
walk_config(const pgsift_config *c)
{
	fuzz_checksum += (size_t) rules_check_config(c);
	for (int i = 0; pgsift_rules[i] != NULL; i++)
		fuzz_checksum += (size_t) config_rule_enabled(c, pgsift_rules[i]->id);
	for (int i = 0; i < c->count; i++)
	{
		const config_entry *e = &c->entries[i];
		const config_entry *last = config_lookup(c, e->section, e->key);
		double		v;

		/* the entry itself, or a later one with the same section and key */
		if (last == NULL || last < e)
			abort();
		fuzz_touch(last->value);
		fuzz_checksum += (size_t) config_rule_enabled(c, e->section);
		fuzz_checksum += (size_t) (config_parse_bool(e->value) + 1);
		if (config_parse_number(e->value, &v) == 0)
			fuzz_checksum += (size_t) (v > 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	fd = -1;
	static char path[64];
	static FILE *devnull;
	FILE	   *saved_stderr;
	pgsift_config *c;

	diag_quiet = 1;
	if (fd < 0)
	{
		fd = memfd_create("pgsift-fuzz-conf", 0);
		devnull = fopen("/dev/null", "w");
		if (fd < 0 || devnull == NULL)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 ||
		(size > 0 && pwrite(fd, data, size, 0) != (ssize_t) size))
		abort();

	saved_stderr = stderr;
	stderr = devnull;
	c = config_load(path);
	if (c != NULL)
	{
		walk_config(c);
		config_free(c);
	}
	stderr = saved_stderr;
	return 0;
}
