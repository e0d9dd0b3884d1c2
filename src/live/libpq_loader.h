/*-------------------------------------------------------------------------
 * libpq_loader.h
 *    libpq, loaded the first time pgsift needs it.
 *
 * Most runs read logs and never connect.  Loading libpq at start-up brings
 * twenty more shared libraries with it (OpenSSL, GnuTLS, GSSAPI, Kerberos,
 * LDAP, SASL...), and mapping and relocating them took 4-6 ms of every
 * run, a run of a 100 MB log with two threads being about 0.3 s
 * (docs/performance.md).  So the pgsift binary is not linked with libpq:
 * libpq_loader.c defines each libpq function that pgsift calls with
 * libpq's own prototype, and the first call of any of them loads
 * libpq.so.5 with dlopen and forwards to the real one.  The test runner
 * and the fuzz targets are linked with libpq as before; there the same
 * functions forward to the libpq already loaded.
 *
 * A libpq function that src/ starts to call must be added to
 * libpq_loader.c's list, or build/pgsift does not link.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_LIBPQ_LOADER_H
#define PGSIFT_LIBPQ_LOADER_H

/*
 * Load libpq unless it is loaded; thread-safe, and done once per process.
 * Returns 0, or -1 with *why (if why is not NULL) pointing to the loader's
 * message, which stays valid until the process ends.
 */
int			libpq_load(const char **why);

/*
 * The same, reporting a failure in PostgreSQL's style (the loader's
 * message as detail, a hint naming the package) with `purpose` in the
 * primary message ("could not load libpq, which pgsift needs to
 * <purpose>").  Returns 0 or -1.
 */
int			libpq_require(const char *purpose);

#endif							/* PGSIFT_LIBPQ_LOADER_H */
