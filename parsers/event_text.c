/*-------------------------------------------------------------------------
 * event_text.c
 *    Scanners for the PostgreSQL message texts the event assembler knows.
 *
 * These run once per log record, so they compare fixed prefixes with
 * memcmp and parse numbers by hand; only auto_explain plans and error
 * messages, which are rare, get a more thorough look.  Every wording here
 * is PostgreSQL's with lc_messages=C; the format strings they come from
 * are quoted beside each scanner.
 *-------------------------------------------------------------------------
 */
#include "parsers/event_text.h"

#include <stdlib.h>

/* Exact powers of ten: a double holds 10^k exactly up to k = 22. */
static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static inline int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

const char *
evtext_number(const char *s, const char *end, double *out)
{
	const char *p = s;
	uint64_t	mantissa = 0;
	int			ndigits = 0;
	int			nfrac = 0;

	if (p >= end || !is_digit(*p))
		return NULL;
	while (p < end && is_digit(*p))
	{
		mantissa = mantissa * 10 + (uint64_t) (*p++ - '0');
		ndigits++;
	}
	if (p + 1 < end && *p == '.' && is_digit(p[1]))
	{
		p++;
		while (p < end && is_digit(*p))
		{
			mantissa = mantissa * 10 + (uint64_t) (*p++ - '0');
			ndigits++;
			nfrac++;
		}
	}

	/*
	 * With at most 15 digits the mantissa and the power of ten are both
	 * exact doubles, so one division rounds correctly.  Longer numbers
	 * (never seen in a duration) go to strtod, which stops at the same
	 * byte because the message is NUL-terminated or followed by text.
	 */
	if (ndigits <= 15)
		*out = (double) mantissa / pow10_exact[nfrac];
	else
		*out = strtod(s, NULL);
	return p;
}

/* "duration: %s ms" and its variants, postgres.c */
const char *
evtext_duration(const char *s, const char *end, double *ms)
{
	const char *p;

	if (!EVTEXT_STARTS(s, end, "duration: "))
		return NULL;
	p = evtext_number(s + 10, end, ms);
	if (p == NULL || !EVTEXT_STARTS(p, end, " ms"))
		return NULL;
	return p + 3;
}

/* First ": " in [s, end), or NULL. */
static const char *
find_colon_space(const char *s, const char *end)
{
	while (s < end)
	{
		const char *c = memchr(s, ':', (size_t) (end - s));

		if (c == NULL || c + 1 >= end)
			return NULL;
		if (c[1] == ' ')
			return c;
		s = c + 1;
	}
	return NULL;
}

/*
 * Split a bind/execute name into statement and portal.  PostgreSQL 9+
 * writes "name/portal" ("%s%s%s", name, "/", portal); 8.x wrote
 * "name to portal".  Names do not contain '/' in any driver we know of.
 */
static void
split_portal(stmt_line *out)
{
	const char *name = out->name;
	const char *slash = memchr(name, '/', out->name_len);

	if (slash != NULL)
	{
		out->portal = slash + 1;
		out->portal_len = out->name_len - (size_t) (slash + 1 - name);
		out->name_len = (size_t) (slash - name);
		return;
	}
	if (out->phase == STMT_PHASE_BIND)
	{
		const char *to = memmem(name, out->name_len, " to ", 4);

		if (to != NULL)
		{
			out->portal = to + 4;
			out->portal_len = out->name_len - (size_t) (to + 4 - name);
			out->name_len = (size_t) (to - name);
		}
	}
}

/*
 * postgres.c: "statement: %s"; "parse %s: %s"; "bind %s%s%s: %s";
 * "%s %s%s%s: %s" with "execute" or "execute fetch from".
 */
int
evtext_stmt_line(const char *s, const char *end, stmt_line *out)
{
	const char *p;
	const char *colon;

	memset(out, 0, sizeof(*out));
	if (EVTEXT_STARTS(s, end, "statement: "))
	{
		out->phase = STMT_PHASE_SIMPLE;
		out->query = s + 11;
		out->query_len = (size_t) (end - out->query);
		return 1;
	}
	if (EVTEXT_STARTS(s, end, "execute "))
	{
		out->phase = STMT_PHASE_EXECUTE;
		p = s + 8;
		if (EVTEXT_STARTS(p, end, "fetch from "))
		{
			out->is_fetch = 1;
			p += 11;
		}
	}
	else if (EVTEXT_STARTS(s, end, "parse "))
	{
		out->phase = STMT_PHASE_PARSE;
		p = s + 6;
	}
	else if (EVTEXT_STARTS(s, end, "bind "))
	{
		out->phase = STMT_PHASE_BIND;
		p = s + 5;
	}
	else
		return 0;

	colon = find_colon_space(p, end);
	if (colon == NULL || colon == p)
		return 0;
	out->name = p;
	out->name_len = (size_t) (colon - p);
	out->query = colon + 2;
	out->query_len = (size_t) (end - out->query);
	if (out->phase != STMT_PHASE_PARSE)
		split_portal(out);
	return 1;
}

static inline int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
hex4(const char *p, const char *end, unsigned *out)
{
	unsigned	v = 0;

	if (end - p < 4)
		return 0;
	for (int i = 0; i < 4; i++)
	{
		char		c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned) (c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned) (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned) (c - 'A' + 10);
		else
			return 0;
	}
	*out = v;
	return 1;
}

static void
put_utf8(strbuf *out, unsigned cp)
{
	char		b[4];
	size_t		n;

	if (cp < 0x80)
	{
		b[0] = (char) cp;
		n = 1;
	}
	else if (cp < 0x800)
	{
		b[0] = (char) (0xC0 | (cp >> 6));
		b[1] = (char) (0x80 | (cp & 0x3F));
		n = 2;
	}
	else if (cp < 0x10000)
	{
		b[0] = (char) (0xE0 | (cp >> 12));
		b[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char) (0x80 | (cp & 0x3F));
		n = 3;
	}
	else
	{
		b[0] = (char) (0xF0 | (cp >> 18));
		b[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char) (0x80 | (cp & 0x3F));
		n = 4;
	}
	strbuf_append(out, b, n);
}

/* A \uXXXX escape at p (just after the 'u'), pairing surrogates; end of it or NULL. */
static const char *
json_unicode(const char *p, const char *end, strbuf *out)
{
	unsigned	cp;
	unsigned	lo;

	if (!hex4(p, end, &cp))
		return NULL;
	p += 4;
	if (cp >= 0xD800 && cp < 0xDC00 && EVTEXT_STARTS(p, end, "\\u") &&
		hex4(p + 2, end, &lo) && lo >= 0xDC00 && lo < 0xE000)
	{
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		p += 6;
	}
	put_utf8(out, cp);
	return p;
}

/*
 * Decode the JSON string whose body starts at p (after the opening quote)
 * into out.  Returns 0, or -1 if it is malformed or unterminated.
 */
static int
json_unescape(const char *p, const char *end, strbuf *out)
{
	while (p < end)
	{
		const char *q = p;

		while (q < end && *q != '"' && *q != '\\')
			q++;
		strbuf_append(out, p, (size_t) (q - p));
		if (q + 1 >= end)
			return q < end && *q == '"' ? 0 : -1;
		if (*q == '"')
			return 0;
		p = q + 2;
		switch (q[1])
		{
			case '"':
			case '\\':
			case '/':
				strbuf_putc(out, q[1]);
				break;
			case 'b':
				strbuf_putc(out, '\b');
				break;
			case 'f':
				strbuf_putc(out, '\f');
				break;
			case 'n':
				strbuf_putc(out, '\n');
				break;
			case 'r':
				strbuf_putc(out, '\r');
				break;
			case 't':
				strbuf_putc(out, '\t');
				break;
			case 'u':
				p = json_unicode(p, end, out);
				if (p == NULL)
					return -1;
				break;
			default:
				return -1;
		}
	}
	return -1;
}

static void
trim_trailing_blank(strbuf *sb, size_t from)
{
	while (sb->len > from && is_blank(sb->data[sb->len - 1]))
		sb->data[--sb->len] = '\0';
}

/*
 * auto_explain with log_format=json turns ExplainState's output into one
 * object, {"Query Text": "...", "Plan": {...}}; the Query Text comes
 * first, so the scan stops long before the (possibly huge) plan.
 */
static int
plan_json(const char *s, const char *end, strbuf *query)
{
	static const char key[] = "\"Query Text\": \"";
	const char *k = memmem(s, (size_t) (end - s), key, sizeof(key) - 1);
	size_t		start = query->len;

	if (k == NULL)
		return 0;
	if (json_unescape(k + sizeof(key) - 1, end, query) < 0)
	{
		query->len = start;
		query->data[start] = '\0';
		return 0;
	}
	trim_trailing_blank(query, start);
	return 1;
}

/*
 * Whether a text-format line starts the plan rather than continuing the
 * query.  auto_explain always prints costs, so every plan node line holds
 * "(cost="; PostgreSQL 16 puts "Query Parameters:" between the two.
 */
static int
starts_plan(const char *line, const char *eol)
{
	if (EVTEXT_STARTS(line, eol, "Query Parameters: "))
		return 1;
	return memmem(line, (size_t) (eol - line), "(cost=", 6) != NULL;
}

/*
 * Text format: "Query Text: %s\n" then the plan.  The query may span
 * lines, so it runs until the first line that starts the plan; without
 * such a line, the query is the first line and the rest is the plan.
 */
static int
plan_text(const char *s, const char *end, strbuf *query, const char **plan)
{
	const char *q;
	const char *line;
	const char *first_eol;
	size_t		start = query->len;

	if (!EVTEXT_STARTS(s, end, "Query Text: "))
	{
		*plan = s;
		return 0;
	}
	q = s + 12;
	first_eol = memchr(q, '\n', (size_t) (end - q));
	if (first_eol == NULL)
		first_eol = end;
	line = first_eol;
	while (line < end)
	{
		const char *eol;

		line++;
		eol = memchr(line, '\n', (size_t) (end - line));
		if (eol == NULL)
			eol = end;
		if (starts_plan(line, eol))
			break;
		line = eol;
	}
	if (line >= end)
		line = first_eol < end ? first_eol + 1 : end;
	strbuf_append(query, q, (size_t) (line - q));
	trim_trailing_blank(query, start);
	*plan = line;
	return 1;
}

/* auto_explain.c: "duration: %.3f ms  plan:\n%s" */
int
evtext_plan(const char *s, const char *end, strbuf *query,
			const char **plan, int *is_json)
{
	while (s < end && is_blank(*s))
		s++;
	if (s < end && *s == '{')
	{
		*plan = s;
		*is_json = 1;
		return plan_json(s, end, query);
	}
	*is_json = 0;
	return plan_text(s, end, query, plan);
}

/* Digits at *p as an integer; advances *p.  -1 if there are none. */
static int64_t
take_int(const char **p, const char *end)
{
	int64_t		v = 0;
	const char *q = *p;

	if (q >= end || !is_digit(*q))
		return -1;
	while (q < end && is_digit(*q) && v < INT64_MAX / 10 - 10)
		v = v * 10 + (*q++ - '0');
	*p = q;
	return v;
}

/* postinit.c: "disconnection: session time: %d:%02d:%02d.%03d user=..." */
int
evtext_session_time(const char *s, const char *end, double *ms)
{
	static const char lit[] = "session time: ";
	const char *p = memmem(s, (size_t) (end - s), lit, sizeof(lit) - 1);
	int64_t		h,
				m,
				sec,
				frac = 0;

	if (p == NULL)
		return 0;
	p += sizeof(lit) - 1;
	h = take_int(&p, end);
	if (h < 0 || p >= end || *p++ != ':')
		return 0;
	m = take_int(&p, end);
	if (m < 0 || p >= end || *p++ != ':')
		return 0;
	sec = take_int(&p, end);
	if (sec < 0)
		return 0;
	if (p < end && *p == '.')
	{
		/* %03d: milliseconds; read three digits, padding short ones */
		int			nd = 0;

		p++;
		while (p < end && is_digit(*p) && nd < 3)
		{
			frac = frac * 10 + (*p++ - '0');
			nd++;
		}
		for (; nd < 3; nd++)
			frac *= 10;
	}
	/* in double: a garbled line may carry an hour count near INT64_MAX */
	*ms = (((double) h * 60 + (double) m) * 60 + (double) sec) * 1000 + (double) frac;
	return 1;
}

/* proc.c: "process %d still waiting for %s on %s after %ld.%03d ms" */
int
evtext_after_ms(const char *s, const char *end, double *ms)
{
	const char *last = NULL;
	const char *p = s;
	const char *q;

	while ((q = memmem(p, (size_t) (end - p), " after ", 7)) != NULL)
	{
		last = q;
		p = q + 7;
	}
	if (last == NULL)
		return 0;
	q = evtext_number(last + 7, end, ms);
	return q != NULL && EVTEXT_STARTS(q, end, " ms");
}

/* fd.c: "temporary file: path \"%s\", size %lu" */
int
evtext_temp_file_size(const char *s, const char *end, int64_t *bytes)
{
	static const char lit[] = "\", size ";
	const char *last = NULL;
	const char *p = s;
	const char *q;
	int64_t		v;

	while ((q = memmem(p, (size_t) (end - p), lit, sizeof(lit) - 1)) != NULL)
	{
		last = q;
		p = q + 1;
	}
	if (last == NULL)
		return 0;
	p = last + sizeof(lit) - 1;
	v = take_int(&p, end);
	if (v < 0)
		return 0;
	*bytes = v;
	return 1;
}

/* Where a trailing SSL or GSS clause of "connection authorized" begins. */
static const char *
auth_clause(const char *s, const char *end)
{
	const char *c = memmem(s, (size_t) (end - s), " SSL enabled (", 14);

	if (c == NULL)
		c = memmem(s, (size_t) (end - s), " GSS (", 6);
	return c ? c : end;
}

int
evtext_find_kv(const char *s, const char *end, const char *key,
			   int to_end, const char **val, size_t *len)
{
	size_t		klen = strlen(key);
	const char *p = s;
	const char *k;

	while ((k = memmem(p, (size_t) (end - p), key, klen)) != NULL)
	{
		const char *v = k + klen;

		if (k > s && (k[-1] == ' ') && v < end && *v == '=')
		{
			const char *stop;

			v++;
			stop = to_end ? auth_clause(v, end) : memchr(v, ' ', (size_t) (end - v));
			*val = v;
			*len = (size_t) ((stop ? stop : end) - v);
			return 1;
		}
		p = k + 1;
	}
	return 0;
}

/*
 * Well-known messages and their SQLSTATE.  A message matches when it
 * starts with prefix and, if suffix is set, ends with it (for messages
 * that name an object in the middle).  Longer prefixes come first where
 * one extends another.
 */
typedef struct known_error
{
	const char *prefix;
	const char *suffix;
	const char *sqlstate;
} known_error;

static const known_error known_errors[] = {
	{"canceling statement due to statement timeout", NULL, "57014"},
	{"canceling statement due to lock timeout", NULL, "55P03"},
	{"canceling statement due to user request", NULL, "57014"},
	{"canceling statement due to conflict with recovery", NULL, "40001"},
	{"canceling autovacuum task", NULL, "57014"},
	{"deadlock detected", NULL, "40P01"},
	{"sorry, too many clients already", NULL, "53300"},
	{"remaining connection slots are reserved for ", NULL, "53300"},
	{"could not serialize access due to ", NULL, "40001"},
	{"could not obtain lock on ", NULL, "55P03"},
	{"duplicate key value violates unique constraint ", NULL, "23505"},
	{"null value in column ", NULL, "23502"},
	{"value too long for type ", NULL, "22001"},
	{"invalid input syntax for ", NULL, "22P02"},
	{"division by zero", NULL, "22012"},
	{"syntax error at ", NULL, "42601"},
	{"permission denied for ", NULL, "42501"},
	{"relation \"", "\" does not exist", "42P01"},
	{"column \"", " does not exist", "42703"},
	{"function ", " does not exist", "42883"},
	{"database \"", "\" does not exist", "3D000"},
	{"role \"", "\" does not exist", "28000"},
	{"password authentication failed for user ", NULL, "28P01"},
	{"no pg_hba.conf entry for ", NULL, "28000"},
	{"current transaction is aborted, commands ignored", NULL, "25P02"},
	{"terminating connection due to administrator command", NULL, "57P01"},
	{"terminating connection due to idle-in-transaction timeout", NULL, "25P03"},
	{"terminating connection due to idle-session timeout", NULL, "57P05"},
	{"terminating connection because of crash of another", NULL, "57P02"},
	{"the database system is starting up", NULL, "57P03"},
	{"the database system is shutting down", NULL, "57P03"},
	{"the database system is in recovery mode", NULL, "57P03"},
	{"out of shared memory", NULL, "53200"},
	{"there is no transaction in progress", NULL, "25P01"},
	{"there is already a transaction in progress", NULL, "25001"},
};

/*
 * Without %e the server appends the error position to the message
 * ("... does not exist at character 15"); drop it before matching suffixes.
 */
static const char *
strip_error_position(const char *s, const char *end)
{
	const char *p = end;

	while (p > s && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p == end)
		return end;
	static const char at_char[] = " at character ";
	size_t		n = sizeof(at_char) - 1;

	if ((size_t) (p - s) >= n && memcmp(p - n, at_char, n) == 0)
		return p - n;
	return end;
}

const char *
evtext_infer_sqlstate(const char *s, const char *end)
{
	end = strip_error_position(s, end);

	size_t		len = (size_t) (end - s);

	for (size_t i = 0; i < sizeof(known_errors) / sizeof(known_errors[0]); i++)
	{
		const known_error *k = &known_errors[i];
		size_t		plen = strlen(k->prefix);

		if (len < plen || memcmp(s, k->prefix, plen) != 0)
			continue;
		if (k->suffix != NULL)
		{
			size_t		slen = strlen(k->suffix);

			if (len < plen + slen || memcmp(end - slen, k->suffix, slen) != 0)
				continue;
		}
		return k->sqlstate;
	}
	return NULL;
}
