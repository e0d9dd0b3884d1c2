/*-------------------------------------------------------------------------
 * libpq_loader.c
 *    libpq's functions that pgsift calls, forwarded to libpq.so.5 loaded
 *    on first use (why: libpq_loader.h).
 *
 * Each forwarder looks its function up once; the pointer is kept in an
 * atomic, so threads may call libpq functions concurrently as libpq
 * allows.  A forwarder that finds no libpq (pgsift's callers check with
 * libpq_require before the first call, so only a broken installation gets
 * here) reports it and ends the process with PGSIFT_EXIT_DATABASE: a libpq
 * function has no way to say "not available" to its caller.
 *-------------------------------------------------------------------------
 */
#include "src/live/libpq_loader.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"

#include <dlfcn.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* libpq's soname, the same since PostgreSQL 8.3 */
#define LIBPQ_SONAME "libpq.so.5"

static void *libpq_handle;
static const char *libpq_error;
static pthread_once_t libpq_once = PTHREAD_ONCE_INIT;

static void
open_libpq(void)
{
	libpq_handle = dlopen(LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (libpq_handle == NULL)
	{
		const char *e = dlerror();

		libpq_error = e ? xstrdup(e) : LIBPQ_SONAME ": cannot be loaded";
	}
}

int
libpq_load(const char **why)
{
	pthread_once(&libpq_once, open_libpq);
	if (libpq_handle == NULL && why)
		*why = libpq_error;
	return libpq_handle ? 0 : -1;
}

int
libpq_require(const char *purpose)
{
	const char *why = NULL;

	if (libpq_load(&why) == 0)
		return 0;
	diag_detail("%s", why);
	diag_hint("Install PostgreSQL's client library (Debian and Ubuntu: apt-get install libpq5).");
	diag_error("could not load libpq, which pgsift needs to %s", purpose);
	return -1;
}

/* libpq's function `name`; ends the process when libpq or the function is missing. */
static void *
libpq_symbol(const char *name)
{
	const char *why = NULL;
	void	   *fn;

	if (libpq_load(&why) != 0)
		fn = NULL;
	else if ((fn = dlsym(libpq_handle, name)) == NULL)
		why = dlerror();
	if (fn == NULL)
	{
		diag_detail("%s", why ? why : name);
		diag_hint("Install PostgreSQL's client library, version 10 or later (Debian and Ubuntu: apt-get install libpq5).");
		diag_error("could not load %s from libpq", name);
		exit(PGSIFT_EXIT_DATABASE);
	}
	return fn;
}

/* The function pointer for `name`, looked up on the first call. */
#define LIBPQ_POINTER(name) \
	static void *_Atomic name##_fn; \
	void	   *fn = atomic_load_explicit(&name##_fn, memory_order_acquire); \
	if (fn == NULL) \
	{ \
		fn = libpq_symbol(#name); \
		atomic_store_explicit(&name##_fn, fn, memory_order_release); \
	}

#define LIBPQ_FORWARD(ret, name, params, args) \
	ret \
	name params \
	{ \
		LIBPQ_POINTER(name) \
		return ((ret (*) params) fn) args; \
	}

#define LIBPQ_FORWARD_VOID(name, params, args) \
	void \
	name params \
	{ \
		LIBPQ_POINTER(name) \
		((void (*) params) fn) args; \
	}

LIBPQ_FORWARD(int, PQlibVersion, (void), ())
LIBPQ_FORWARD(PGconn *, PQconnectdbParams, (const char *const *keywords, const char *const *values, int expand_dbname),
			  (keywords, values, expand_dbname))
LIBPQ_FORWARD_VOID(PQfinish, (PGconn *conn), (conn))
LIBPQ_FORWARD(ConnStatusType, PQstatus, (const PGconn *conn), (conn))
LIBPQ_FORWARD(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn))
LIBPQ_FORWARD(int, PQconnectionNeedsPassword, (const PGconn *conn), (conn))
LIBPQ_FORWARD(int, PQserverVersion, (const PGconn *conn), (conn))
LIBPQ_FORWARD(const char *, PQparameterStatus, (const PGconn *conn, const char *paramName), (conn, paramName))
LIBPQ_FORWARD(char *, PQerrorMessage, (const PGconn *conn), (conn))
LIBPQ_FORWARD(char *, PQdb, (const PGconn *conn), (conn))
LIBPQ_FORWARD(char *, PQuser, (const PGconn *conn), (conn))
LIBPQ_FORWARD(char *, PQhost, (const PGconn *conn), (conn))
LIBPQ_FORWARD(char *, PQport, (const PGconn *conn), (conn))
LIBPQ_FORWARD(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query))
LIBPQ_FORWARD(PGresult *, PQexecParams,
			  (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,
			   const int *paramLengths, const int *paramFormats, int resultFormat),
			  (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))
LIBPQ_FORWARD(ExecStatusType, PQresultStatus, (const PGresult *res), (res))
LIBPQ_FORWARD(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))
LIBPQ_FORWARD(int, PQntuples, (const PGresult *res), (res))
LIBPQ_FORWARD(int, PQnfields, (const PGresult *res), (res))
LIBPQ_FORWARD(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))
LIBPQ_FORWARD(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))
LIBPQ_FORWARD_VOID(PQclear, (PGresult *res), (res))
LIBPQ_FORWARD(char *, PQescapeIdentifier, (PGconn *conn, const char *str, size_t len), (conn, str, len))
LIBPQ_FORWARD_VOID(PQfreemem, (void *ptr), (ptr))
