/*-------------------------------------------------------------------------
 * fuzz_screen.c
 *    libFuzzer target for the side-effect screen.
 *
 * The screen parses every statement pgsift would execute, and those come
 * from logs, which an attacker may write.  The input's first byte picks
 * the transaction (read-write when odd); the rest is the statement.  The
 * catalog is a small one built here with libpq's client-side result
 * functions, no server: a few functions (harmless, stable, volatile,
 * nextval, and user SQL functions whose bodies the screen follows, one
 * calling itself), an operator, a volatile type and the search path.
 * Every relation the statement names "is" a view whose definition calls
 * pg_terminate_backend, so the relation path runs too.  The verdict and
 * its reason are read in full.
 *-------------------------------------------------------------------------
 */
#include "src/live/screen.h"
#include "tests/fuzz/fuzz_common.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A result of n text columns holding rows[0..nrows) (each n cells; NULL: SQL NULL). */
static PGresult *
make_result(int n, const char *const *cells, int nrows)
{
	PGresult   *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc attrs[16];

	memset(attrs, 0, sizeof(attrs));
	for (int c = 0; c < n; c++)
	{
		attrs[c].name = (char *) "c";
		attrs[c].typid = 25;
		attrs[c].typlen = -1;
		attrs[c].atttypmod = -1;
	}
	PQsetResultAttrs(r, n, attrs);
	for (int row = 0; row < nrows; row++)
		for (int c = 0; c < n; c++)
		{
			const char *v = cells[row * n + c];

			PQsetvalue(r, row, c, (char *) v, v ? (int) strlen(v) : -1);
		}
	return r;
}

/* oid, schema, name, nargs, ndefaults, variadic, volatility, signature, argtypes, extension, SQL body */
static const char *const funcs[] = {
	"1", "pg_catalog", "random", "0", "0", "f", "v", "random()", "", NULL, NULL,
	"2", "pg_catalog", "lower", "1", "0", "f", "i", "lower(text)", "25", NULL, NULL,
	"3", "pg_catalog", "pg_terminate_backend", "2", "1", "f", "v", "pg_terminate_backend(integer,bigint)", "23 20", NULL, NULL,
	"4", "pg_catalog", "nextval", "1", "0", "f", "v", "nextval(regclass)", "2205", NULL, NULL,
	"5", "public", "body_calls", "1", "0", "f", "s", "public.body_calls(integer)", "23", NULL,
	"SELECT pg_terminate_backend($1) FROM v WHERE lower(x) = 'a'",
	"6", "public", "again", "0", "0", "f", "s", "public.again()", "", NULL, "SELECT again()",
	"7", "public", "atomic", "0", "0", "f", "i", "public.atomic()", "", NULL, "",
	"8", "pg_catalog", "concat", "1", "0", "t", "s", "concat(\"any\")", "2276", NULL, NULL,
	"9", "public", "gen_random_bytes", "1", "0", "f", "v", "public.gen_random_bytes(integer)", "23", "pgcrypto", NULL,
};

/* Build a result for each of the screen's catalog queries, told apart by their text. */
static PGresult *
fake_fetch(void *ctx, const char *sql, int nparams, const char *const *params)
{
	static const char *const atomic[] = {"7", "f", "3", "7", "r", "public.v"};
	static const char *const opers[] = {"10", "pg_catalog", "=", "f", "2", "11", "public", "@@", "f", "3"};
	static const char *const vtypes[] = {"20", "public", "evil", "3"};
	static const char *const path[] = {"pg_catalog", "public"};
	/* root (1: the batch's first name), its name and kind, the relation reached, its kind, written, what, f/o/t/x, oid */
	static const char *const relation[] = {
		"1", "public.v", "v", "public.t", "r", "f", "definition", "f", "3",
	};

	if (strstr(sql, "WITH atomic"))
		return make_result(3, atomic, 2);
	if (strstr(sql, "FROM pg_proc p"))
		return make_result(11, funcs, (int) (sizeof(funcs) / sizeof(funcs[0]) / 11));
	if (strstr(sql, "FROM pg_operator"))
		return make_result(5, opers, 2);
	if (strstr(sql, "FROM pg_type"))
		return make_result(4, vtypes, 1);
	if (strstr(sql, "current_schemas"))
		return make_result(1, path, 2);
	/* the relations of a batch: the first named one is a view over pg_terminate_backend */
	return make_result(9, relation, nparams > 0 ? 1 : 0);
}

static screen_catalog *catalog;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *sql;
	char	   *reason = NULL;
	screen_verdict v;

	diag_quiet = 1;
	if (catalog == NULL && (catalog = screen_catalog_load(fake_fetch, NULL)) == NULL)
		abort();
	if (size == 0)
		return 0;
	sql = malloc(size);
	memcpy(sql, data + 1, size - 1);
	sql[size - 1] = '\0';
	v = screen_statement(catalog, sql, data[0] & 1, fake_fetch, NULL, &reason);
	if (v != SCREEN_SAFE && reason == NULL)
		abort();				/* the contract: a reason for every refusal */
	if (v == SCREEN_SAFE && reason != NULL)
		abort();
	fuzz_touch(reason);
	free(reason);
	free(sql);
	return 0;
}
