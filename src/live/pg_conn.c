/*-------------------------------------------------------------------------
 * pg_conn.c
 *    Connecting to a live server, tagged statements, and DSN redaction.
 *
 * Connection parameters are libpq's business: the DSN goes in as the
 * "dbname" keyword with expand_dbname, so a conninfo string, a URI or a
 * bare database name all work, and PG* variables, .pgpass and service
 * files apply as they do for psql.  application_name=pgsift comes after
 * the DSN in the keyword array, and libpq lets later keywords override the
 * expanded DSN, so pgsift's name always wins.
 *
 * A failed connection is explained in PostgreSQL's style: libpq's first
 * line as the primary message, the redacted DSN and the server tried as
 * DETAIL, and a HINT chosen from the usual causes.  libpq echoes pieces of
 * a malformed DSN in its messages, so every printed text is also scrubbed
 * of the password values found in the DSN.
 *-------------------------------------------------------------------------
 */
#include "src/live/pg_conn.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"
#include "src/live/libpq_loader.h"
#include "src/model/workload.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PASSWORD_MASK "********"

struct pg_conn
{
	PGconn	   *conn;
	int			server_version;
	char	   *last_error;		/* malloc'd; "" when none */
	char		last_sqlstate[6];
};

/* ---------------------------------------------------------------------------
 * Finding passwords in a DSN
 * ---------------------------------------------------------------------------
 */

/* A password in a DSN: where it stands, and its value as libpq reads it. */
typedef struct dsn_secret
{
	size_t		start;			/* span in the DSN, quotes included */
	size_t		end;
	char	   *value;			/* unquoted / percent-decoded (malloc'd) */
	char	   *raw;			/* the span's text (malloc'd) */
} dsn_secret;

typedef struct dsn_secrets
{
	int			n;
	int			cap;
	dsn_secret *items;
	strbuf		pieces;			/* NUL-separated parts of URI passwords, see below */
} dsn_secrets;

static void
add_secret(dsn_secrets *s, const char *dsn, size_t start, size_t end, char *value)
{
	if (end <= start)
	{
		free(value);
		return;
	}
	if (s->n == s->cap)
	{
		s->cap = s->cap ? s->cap * 2 : 4;
		s->items = xrealloc(s->items, (size_t) s->cap * sizeof(dsn_secret));
	}
	s->items[s->n++] = (dsn_secret) {
		.start = start, .end = end, .value = value, .raw = xstrndup(dsn + start, end - start),
	};
}

static void
free_secrets(dsn_secrets *s)
{
	for (int i = 0; i < s->n; i++)
	{
		free(s->items[i].value);
		free(s->items[i].raw);
	}
	free(s->items);
	strbuf_free(&s->pieces);
}

/*
 * Where libpq splits a URI differently from us (a password holding '/' or
 * '@'), it echoes parts of the password as a port, host or database name.
 * The parts between URI delimiters are kept for scrubbing messages; those
 * under three characters are not, as masking them would garble the
 * message for no real secrecy.
 */
static void
add_uri_pieces(dsn_secrets *s, const char *raw)
{
	const char *delims = "/@:,?&=#";

	if (raw[strcspn(raw, delims)] == '\0')
		return;					/* one piece: the whole password */
	for (size_t i = 0; raw[i] != '\0';)
	{
		size_t		n = strcspn(raw + i, delims);

		if (n >= 3)
		{
			strbuf_append(&s->pieces, raw + i, n);
			strbuf_putc(&s->pieces, '\0');
		}
		i += n;
		if (raw[i] != '\0')
			i++;
	}
}

/* Keywords whose value is a secret; libpq's are case-sensitive, we are not. */
static int
is_secret_keyword(const char *k, size_t n)
{
	return (n == 8 && strncasecmp(k, "password", 8) == 0) ||
		(n == 11 && strncasecmp(k, "sslpassword", 11) == 0);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char) tolower((unsigned char) c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s[0..n) with %XX sequences decoded (malformed ones kept as they are). */
static char *
percent_decode(const char *s, size_t n)
{
	char	   *out = xmalloc(n + 1);
	size_t		o = 0;

	for (size_t i = 0; i < n; i++)
	{
		if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0)
		{
			out[o++] = (char) (hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
			i += 2;
		}
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/* Length of a postgresql:// or postgres:// prefix, else 0 (as libpq). */
static size_t
uri_prefix_length(const char *dsn)
{
	if (strncmp(dsn, "postgresql://", 13) == 0)
		return 13;
	if (strncmp(dsn, "postgres://", 11) == 0)
		return 11;
	return 0;
}

/*
 * Passwords of a URI: user:password@ and password=/sslpassword= query
 * parameters.  libpq ends the credentials at the first '@' before any '/';
 * a password holding an unencoded '/' makes libpq read it as a host and
 * port instead, and echo parts of it.  So the credentials here end at the
 * further of libpq's '@' and the last '@' that stands before the query
 * string's first key=value (the first '=' after a '?'): an unencoded
 * password is then masked whole unless it holds a '?' followed by a '='
 * itself, at worst with some of a database name that holds an '@'.
 */
static void
find_uri_secrets(const char *dsn, size_t prefix, dsn_secrets *out)
{
	size_t		len = strlen(dsn);
	size_t		stop = prefix + strcspn(dsn + prefix, "@/");
	size_t		at = dsn[stop] == '@' ? stop : 0;
	int			in_query = 0;

	for (size_t i = prefix; i < len && !(in_query && dsn[i] == '='); i++)
	{
		in_query |= dsn[i] == '?';
		if (dsn[i] == '@' && i > at)
			at = i;
	}
	if (at > 0)
	{
		const char *colon = memchr(dsn + prefix, ':', at - prefix);

		if (colon && (size_t) (colon - dsn) + 1 < at)
		{
			size_t		start = (size_t) (colon - dsn) + 1;

			add_secret(out, dsn, start, at, percent_decode(dsn + start, at - start));
			add_uri_pieces(out, out->items[out->n - 1].raw);
			add_uri_pieces(out, out->items[out->n - 1].value);
		}
	}

	const char *q = strchr(dsn + (at > 0 ? at : prefix), '?');
	size_t		query = q ? (size_t) (q - dsn) : len;

	for (size_t i = query; i < len;)
	{
		size_t		key = i + 1,
					eq,
					end;

		for (end = key; end < len && dsn[end] != '&'; end++)
			;
		for (eq = key; eq < end && dsn[eq] != '='; eq++)
			;
		if (eq < end)
		{
			char	   *name = percent_decode(dsn + key, eq - key);

			if (is_secret_keyword(name, strlen(name)))
				add_secret(out, dsn, eq + 1, end, percent_decode(dsn + eq + 1, end - eq - 1));
			free(name);
		}
		i = end;
	}
}

/*
 * Passwords of a key=value string, parsed as libpq's conninfo_parse does:
 * values are bare (backslash escapes the next character) or single-quoted
 * (backslash escapes ' and \).  A malformed part (a keyword without '=')
 * is skipped rather than given up on, so what follows is still masked.
 */
static void
find_kv_secrets(const char *dsn, dsn_secrets *out)
{
	size_t		len = strlen(dsn),
				i = 0;

	while (i < len)
	{
		while (i < len && isspace((unsigned char) dsn[i]))
			i++;
		size_t		kw = i;

		while (i < len && dsn[i] != '=' && !isspace((unsigned char) dsn[i]))
			i++;
		size_t		kwlen = i - kw;

		while (i < len && isspace((unsigned char) dsn[i]))
			i++;
		if (i >= len || dsn[i] != '=')
			continue;
		i++;
		while (i < len && isspace((unsigned char) dsn[i]))
			i++;

		size_t		start = i;
		int			quoted = i < len && dsn[i] == '\'';
		char	   *value = xmalloc(len - i + 1);
		size_t		o = 0;

		if (quoted)
			i++;
		while (i < len)
		{
			if (quoted ? dsn[i] == '\'' : isspace((unsigned char) dsn[i]))
				break;
			if (dsn[i] == '\\' && i + 1 < len)
				i++;
			value[o++] = dsn[i++];
		}
		if (quoted && i < len)
			i++;				/* the closing quote */
		value[o] = '\0';
		if (is_secret_keyword(dsn + kw, kwlen))
			add_secret(out, dsn, start, i, value);
		else
			free(value);
	}
}

static void
find_secrets(const char *dsn, dsn_secrets *out)
{
	size_t		prefix;

	memset(out, 0, sizeof(*out));
	strbuf_init(&out->pieces);
	if (dsn == NULL)
		return;
	prefix = uri_prefix_length(dsn);
	if (prefix > 0)
		find_uri_secrets(dsn, prefix, out);
	else if (strchr(dsn, '=') != NULL)
		find_kv_secrets(dsn, out);
	/* else a bare database name: libpq takes it as dbname, nothing secret */
}

char *
pgc_redact_dsn(const char *dsn)
{
	dsn_secrets s;
	strbuf		sb;
	size_t		pos = 0;

	if (dsn == NULL)
		return NULL;
	find_secrets(dsn, &s);
	strbuf_init(&sb);
	for (int i = 0; i < s.n; i++)
	{
		strbuf_append(&sb, dsn + pos, s.items[i].start - pos);
		strbuf_puts(&sb, PASSWORD_MASK);
		pos = s.items[i].end;
	}
	strbuf_puts(&sb, dsn + pos);
	free_secrets(&s);
	return strbuf_detach(&sb);
}

/* Length of the secret (value, raw form or piece) that text starts with, or 0. */
static size_t
secret_at(const char *text, const dsn_secrets *s)
{
	for (int k = 0; k < s->n; k++)
	{
		const char *forms[2] = {s->items[k].value, s->items[k].raw};

		for (int f = 0; f < 2; f++)
		{
			size_t		n = strlen(forms[f]);

			if (n > 0 && strncmp(text, forms[f], n) == 0)
				return n;
		}
	}
	for (size_t p = 0; p < s->pieces.len; p += strlen(s->pieces.data + p) + 1)
	{
		size_t		n = strlen(s->pieces.data + p);

		if (strncmp(text, s->pieces.data + p, n) == 0)
			return n;
	}
	return 0;
}

/* text with every occurrence of a secret masked (malloc'd). */
static char *
scrub(const char *text, const dsn_secrets *s)
{
	strbuf		sb;

	strbuf_init(&sb);
	for (size_t i = 0; text[i] != '\0';)
	{
		size_t		hit = secret_at(text + i, s);

		if (hit > 0)
		{
			strbuf_puts(&sb, PASSWORD_MASK);
			i += hit;
		}
		else
			strbuf_putc(&sb, text[i++]);
	}
	return strbuf_detach(&sb);
}

/* ---------------------------------------------------------------------------
 * Connecting
 * ---------------------------------------------------------------------------
 */

/* The text between open (e.g. `database "`) and the next '"', or NULL. */
static char *
quoted_after(const char *message, const char *open)
{
	const char *p = strstr(message, open);
	const char *q;

	if (p == NULL)
		return NULL;
	p += strlen(open);
	q = strchr(p, '"');
	return q ? xstrndup(p, (size_t) (q - p)) : NULL;
}

/* "X does not exist" hints, naming X as the server did. */
static char *
missing_object_hint(const char *message)
{
	strbuf		sb;
	char	   *name;

	strbuf_init(&sb);
	if ((name = quoted_after(message, "database \"")) != NULL)
		strbuf_printf(&sb, "Check the database name: there is no database \"%s\" on that server "
					  "(psql -l lists them); set it with dbname= or PGDATABASE.", name);
	else if ((name = quoted_after(message, "role \"")) != NULL)
		strbuf_printf(&sb, "Check the user name: there is no role \"%s\" on that server; "
					  "set it with user= or PGUSER.", name);
	free(name);
	if (sb.len == 0)
	{
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/*
 * A hint for a failed connection, from libpq's message (English: pgsift
 * never calls setlocale, so libpq's own messages are not translated).
 * NULL when nothing better than the message itself can be said.
 */
static char *
connect_hint(PGconn *conn, const char *message)
{
	if (strstr(message, "on socket \"") && (strstr(message, "No such file or directory") ||
											strstr(message, "Connection refused")))
		return xstrdup("Is the server running locally and accepting connections on that socket?");
	if (strstr(message, "Connection refused"))
		return xstrdup("Is the server running on that host and accepting TCP/IP connections?");
	if (strstr(message, "password authentication failed") || strstr(message, "no password supplied") ||
		PQconnectionNeedsPassword(conn))
		return xstrdup("Check the user and password (user=, password= in the connection string, "
					   "PGUSER, PGPASSWORD, ~/.pgpass or PGPASSFILE).");
	if (strstr(message, "does not exist") && (strstr(message, "database \"") || strstr(message, "role \"")))
		return missing_object_hint(message);
	if (strstr(message, "no pg_hba.conf entry"))
		return xstrdup("The server's pg_hba.conf does not let this host, user and database in; "
					   "ask its administrator to add a line for them.");
	if (strstr(message, "could not translate host name"))
		return xstrdup("Check the host name (host= in the connection string, or PGHOST).");
	if (strstr(message, "timeout expired"))
		return xstrdup("The server did not answer in time: check the host, the port and any firewall between.");
	if (strstr(message, "too many clients") || strstr(message, "connection slots are reserved"))
		return xstrdup("The server has no free connection slot: try again later, or raise max_connections.");
	if (strstr(message, "the database system is"))
		return xstrdup("The server is starting up, shutting down or recovering: try again when it is ready.");
	if (strstr(message, "invalid connection option") || strstr(message, "missing \"=\"") ||
		strstr(message, "invalid URI") || strstr(message, "invalid integer value") ||
		strstr(message, "unterminated quoted string") || strstr(message, "invalid percent-encoded"))
		return xstrdup("Give a conninfo string (host=... port=... dbname=...) or a URI "
					   "(postgresql://user@host:port/dbname).");

	/* libpq's own advice is the indented line after the first */
	const char *nl = strchr(message, '\n');

	if (nl && nl[1] == '\t' && nl[2] != '\0')
	{
		const char *end = strchr(nl + 2, '\n');

		return end ? xstrndup(nl + 2, (size_t) (end - nl - 2)) : xstrdup(nl + 2);
	}
	return NULL;
}

/* DETAIL for a failed connection: the redacted DSN and the server tried. */
static char *
connect_detail(PGconn *conn, const char *dsn)
{
	strbuf		sb;
	const char *host = PQhost(conn),
			   *port = PQport(conn),
			   *user = PQuser(conn),
			   *db = PQdb(conn);

	strbuf_init(&sb);
	if (dsn && dsn[0] != '\0')
	{
		char	   *redacted = pgc_redact_dsn(dsn);

		strbuf_printf(&sb, "Connection string \"%s\"", redacted);
		free(redacted);
	}
	else
		strbuf_puts(&sb, "No connection string was given, so libpq's defaults and the PG* environment variables applied");
	if (host && host[0] == '/')
		strbuf_printf(&sb, "; server at socket \"%s/.s.PGSQL.%s\"", host, port ? port : "");
	else if (host && host[0] != '\0')
		strbuf_printf(&sb, "; server %s:%s", host, port ? port : "");
	if (user && user[0] != '\0')
		strbuf_printf(&sb, ", user \"%s\"", user);
	if (db && db[0] != '\0')
		strbuf_printf(&sb, ", database \"%s\"", db);
	strbuf_putc(&sb, '.');
	return strbuf_detach(&sb);
}

static void
report_connect_failure(PGconn *conn, const char *dsn)
{
	const char *message = PQerrorMessage(conn);
	const char *nl = strchr(message, '\n');
	char	   *first = nl ? xstrndup(message, (size_t) (nl - message)) : xstrdup(message);
	char	   *hint = connect_hint(conn, message);
	char	   *detail = connect_detail(conn, dsn);
	dsn_secrets s;

	find_secrets(dsn, &s);

	char	   *safe_first = scrub(first, &s);
	char	   *safe_detail = scrub(detail, &s);
	char	   *safe_hint = hint ? scrub(hint, &s) : NULL;

	diag_detail("%s", safe_detail);
	diag_hint("%s", safe_hint);
	diag_error("could not connect to the database: %s", safe_first);
	free_secrets(&s);
	free(first);
	free(hint);
	free(detail);
	free(safe_first);
	free(safe_detail);
	free(safe_hint);
}

pg_conn *
pgc_connect(const char *dsn)
{
	const char *const keywords[] = {"dbname", "application_name", "fallback_application_name", NULL};
	const char *const values[] = {dsn && dsn[0] != '\0' ? dsn : NULL, "pgsift", "pgsift", NULL};

	if (libpq_require("connect to a database") != 0)
		return NULL;

	PGconn	   *conn = PQconnectdbParams(keywords, values, 1);

	if (conn == NULL)
	{
		diag_error("could not connect to the database: out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK)
	{
		report_connect_failure(conn, dsn);
		PQfinish(conn);
		return NULL;
	}
	if (PQserverVersion(conn) < PGC_MIN_SERVER_VERSION)
	{
		const char *version = PQparameterStatus(conn, "server_version");

		diag_detail("pgsift reads statistics views and catalogs as PostgreSQL 12 and later define them.");
		diag_hint("Connect to a server running PostgreSQL 12 or later.");
		diag_error("server version %s is not supported", version ? version : "(unknown)");
		PQfinish(conn);
		return NULL;
	}

	pg_conn    *c = xcalloc(1, sizeof(pg_conn));

	c->conn = conn;
	c->server_version = PQserverVersion(conn);
	c->last_error = xstrdup("");
	return c;
}

void
pgc_close(pg_conn *c)
{
	if (c == NULL)
		return;
	PQfinish(c->conn);
	free(c->last_error);
	free(c);
}

int
pgc_server_version(const pg_conn *c)
{
	return c->server_version;
}

PGconn *
pgc_raw(pg_conn *c)
{
	return c->conn;
}

/* ---------------------------------------------------------------------------
 * Statements
 * ---------------------------------------------------------------------------
 */

/* Keep the primary message and SQLSTATE of a failed statement. */
static void
remember_error(pg_conn *c, const PGresult *res)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	free(c->last_error);
	if (primary)
		c->last_error = xstrdup(primary);
	else if (res && PQresultStatus(res) == PGRES_EMPTY_QUERY)
		c->last_error = xstrdup("empty query");
	else
	{
		/* a client-side failure: libpq's first line */
		const char *message = PQerrorMessage(c->conn);
		size_t		n = strcspn(message, "\n");

		c->last_error = n > 0 ? xstrndup(message, n) : xstrdup("unknown error");
	}
	snprintf(c->last_sqlstate, sizeof(c->last_sqlstate), "%s", state ? state : "");
}

PGresult *
pgc_query(pg_conn *c, const char *sql, int nparams, const char *const *params)
{
	strbuf		tagged;
	PGresult   *res;

	strbuf_init(&tagged);
	strbuf_puts(&tagged, PGSIFT_STATEMENT_TAG " ");
	strbuf_puts(&tagged, sql);
	if (nparams > 0)
		res = PQexecParams(c->conn, tagged.data, nparams, NULL, params, NULL, NULL, 0);
	else
		res = PQexec(c->conn, tagged.data);
	strbuf_free(&tagged);

	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	remember_error(c, res);
	PQclear(res);
	return NULL;
}

const char *
pgc_last_error(const pg_conn *c)
{
	return c->last_error;
}

const char *
pgc_last_sqlstate(const pg_conn *c)
{
	return c->last_sqlstate;
}

int
pgc_alive(pg_conn *c)
{
	return c != NULL && PQstatus(c->conn) == CONNECTION_OK;
}

