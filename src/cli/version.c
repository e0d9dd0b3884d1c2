/*-------------------------------------------------------------------------
 * version.c
 *    `pgsift --version`, as the GNU coding standards ask: the program and
 *    its version on the first line, then the versions of the libraries
 *    this binary runs with, one per line, for bug reports.
 *
 * The libraries' versions are read at run time where the library can
 * tell (a shared library may be newer than the headers pgsift was built
 * with); libpg_query only says which PostgreSQL parser it carries.  The
 * project states no licence, so no licence line is printed.
 *-------------------------------------------------------------------------
 */
#include "src/cli/cli.h"
#include "src/core/diag.h"
#include "src/live/libpq_loader.h"

#include <bzlib.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pg_query.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* "name version" with the version cut at its first space or comma ("1.0.8, 13-Jul-2019"). */
static void
put_library(const char *name, const char *version)
{
	printf("%s %.*s\n", name, (int) strcspn(version, " ,"), version);
}

int
cli_version(void)
{
	char		pcre2[64] = "";
	char		libpq[32] = "";
	const char *libpq_missing = NULL;

	/* loading libpq is the point here: its version is the one a --dsn run uses */
	if (libpq_load(&libpq_missing) == 0)
	{
		int			v = PQlibVersion();

		snprintf(libpq, sizeof(libpq), "%d.%d", v / 10000, v % 10000);
	}
	pcre2_config(PCRE2_CONFIG_VERSION, pcre2);
	printf("pgsift %s\n", PGSIFT_VERSION);
	printf("libpg_query %s (PostgreSQL's parser)\n", PG_VERSION);
	if (libpq_missing)
		printf("libpq not found (%s)\n", libpq_missing);
	else
		put_library("libpq", libpq);
	put_library("PCRE2", pcre2);
	put_library("Jansson", jansson_version_str());
	put_library("SQLite", sqlite3_libversion());
	put_library("zlib", zlibVersion());
	put_library("bzip2", BZ2_bzlibVersion());
	put_library("zstd", ZSTD_versionString());
	return PGSIFT_EXIT_OK;
}
