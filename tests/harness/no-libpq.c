/*-------------------------------------------------------------------------
 * no-libpq.c
 *    A preloaded library that makes pgsift's dlopen of libpq fail, as on a
 *    machine without PostgreSQL's client library; every other dlopen
 *    (libcrypto for the HTML report) goes through.
 *
 * Built as build/no-libpq.so for tests/live/test_libpq_loader.c, which
 * runs pgsift with LD_PRELOAD naming it.  The failure is a real one: the
 * dlopen of a name that no library has, so dlerror says what the loader
 * says when libpq.so.5 is not installed.
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

typedef void *(*dlopen_fn) (const char *, int);

void *
dlopen(const char *file, int mode)
{
	dlopen_fn	real = (dlopen_fn) dlsym(RTLD_NEXT, "dlopen");
	const char *base = file ? strrchr(file, '/') : NULL;

	base = base ? base + 1 : file;
	if (base && strncmp(base, "libpq.so", 8) == 0)
		return real("libpq.so.5-not-installed", mode);
	return real(file, mode);
}
