/*-------------------------------------------------------------------------
 * prefix.c
 *    Compile a log_line_prefix to an anchored PCRE2 pattern and match it.
 *
 * Each escape becomes a capture group whose shape follows what
 * PostgreSQL 15's log_line_prefix() writes (elog.c):
 *
 *   %a %b %i   lazy ".{0,N}?": application names, backend types and ps
 *              displays may hold spaces; the text after them decides
 *   %u         lazy "\S{0,N}?": roles may hold '@' (Azure AD), not spaces
 *   %d         "[^\s@]{0,N}": database names with spaces or '@' are not read
 *   %h, %r     host, and host "(port)" when there is a port; "[local]"
 *   %p %l %x   digits; %P, %v may be empty; %Q may be negative
 *   %t %s %m   "YYYY-MM-DD HH:MM:SS[.mmm] ZONE", ZONE an abbreviation or a
 *              numeric offset ("+01", "-0530"); %n "secs.mmm"
 *   %q         PostgreSQL stops expanding the prefix here for processes
 *              without a session, so the rest becomes one optional group
 *   %5u, %-10a padding: spaces before (positive) or after (negative)
 *
 * Variable-width groups are bounded (NAMEDATALEN and friends, plus the
 * padding) so that a long line that almost matches costs little: a match
 * never scans more than a few hundred bytes.  The severity word and its
 * ":  " end the pattern, which is what anchors the lazy groups.
 *
 * Matching uses pcre2_jit_match with one match_data per compiled prefix,
 * so the per-line cost is the JIT match plus a few short copies.
 *-------------------------------------------------------------------------
 */
#include "parsers/prefix.h"
#include "parsers/log_time.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds of variable fields, before padding; see the header comment. */
#define NAME_MAX_BYTES		64	/* NAMEDATALEN - 1, and "[unknown]" */
#define HOST_MAX_BYTES		272 /* a DNS name, or an address */
#define TYPE_MAX_BYTES		96	/* BGW_MAXLEN */
#define PS_MAX_BYTES		128 /* "idle in transaction (aborted)" and such */

#define ZONE_RE		"(?:[A-Za-z]{1,6}|[+-]\\d\\d(?::?\\d\\d)?)"
#define DATE_RE		"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"
#define SEVERITY_RE "(DEBUG[1-5]?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|" \
					"DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION): {1,2}"

/* One escape that captures: its letter, first group and padding. */
typedef struct prefix_item
{
	char		esc;
	int			group;
	int			pad;
} prefix_item;

/* A string field found by a match, waiting for its pointer into store. */
typedef struct pending_string
{
	const char **dst;
	size_t		off;
} pending_string;

struct log_prefix
{
	char	   *text;
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	PCRE2_SIZE *ovector;
	bool		jit;
	int			nitems;
	prefix_item *items;
	pending_string *strings;	/* room for one per item (two for %r) */
	int			severity_group;
	bool		has_time;
	bool		has_pid;
	log_time_cache time_cache;	/* %t / %m */
	log_time_cache start_cache; /* %s, kept apart so the two do not evict each other */
};

/* Set once the first unknown zone abbreviation has been reported. */
static int	unknown_zone_warned = 0;

static void
append_literal(strbuf *re, char c)
{
	if (strchr("\\^$.|?*+()[]{}", c) != NULL)
		strbuf_putc(re, '\\');
	strbuf_putc(re, c);
}

/*
 * Append the pattern of escape esc (padding pad) to re.  Returns the number
 * of capture groups added; 0 for escapes PostgreSQL ignores.
 */
static int
append_escape(strbuf *re, char esc, int pad)
{
	int			apad = pad < 0 ? -pad : pad;
	int			groups = 1;

	if (pad > 0)
		strbuf_puts(re, " *");
	switch (esc)
	{
		case 'a':
			strbuf_printf(re, "(.{0,%d}?)", NAME_MAX_BYTES + apad);
			break;
		case 'u':
			/* lazy, so that "name@domain@db" reads as a role with an '@' */
			strbuf_printf(re, "(\\S{0,%d}?)", NAME_MAX_BYTES + apad);
			break;
		case 'd':
			strbuf_printf(re, "([^\\s@]{0,%d})", NAME_MAX_BYTES + apad);
			break;
		case 'h':
			strbuf_printf(re, "(\\S{0,%d})", HOST_MAX_BYTES + apad);
			break;
		case 'r':
			strbuf_printf(re, "([^\\s(]{0,%d})(?:\\((\\d{0,5})\\))?", HOST_MAX_BYTES + apad);
			groups = 2;
			break;
		case 'b':
			strbuf_printf(re, "(.{0,%d}?)", TYPE_MAX_BYTES + apad);
			break;
		case 'i':
			strbuf_printf(re, "(.{0,%d}?)", PS_MAX_BYTES + apad);
			break;
		case 'p':
		case 'x':
			strbuf_puts(re, "(\\d{1,10})");
			break;
		case 'P':
			strbuf_puts(re, "(\\d{0,10})");
			break;
		case 'l':
			strbuf_puts(re, "(\\d{1,20})");
			break;
		case 'Q':
			strbuf_puts(re, "(-?\\d{1,20})");
			break;
		case 'e':
			strbuf_puts(re, "([0-9A-Z]{5})");
			break;
		case 'c':
			strbuf_puts(re, "([0-9a-f]{1,16}\\.[0-9a-f]{1,8})");
			break;
		case 'v':
			strbuf_puts(re, "((?:\\d{1,10}/\\d{1,10})?)");
			break;
		case 't':
		case 's':
			strbuf_puts(re, "(" DATE_RE " " ZONE_RE ")");
			break;
		case 'm':
			strbuf_puts(re, "(" DATE_RE "\\.\\d{1,6} " ZONE_RE ")");
			break;
		case 'n':
			strbuf_puts(re, "(\\d{1,12}\\.\\d{3})");
			break;
		default:
			groups = 0;
			break;
	}
	if (pad < 0)
		strbuf_puts(re, " *");
	return groups;
}

/*
 * Read the padding after a '%' as PostgreSQL does (process_log_prefix_padding):
 * an optional '-' and digits.  Returns the escape letter's position, or
 * NULL when the prefix ends first (PostgreSQL then stops expanding).
 */
static const char *
read_padding(const char *s, int *pad)
{
	int			sign = 1;
	int			n = 0;

	*pad = 0;
	if (*s > '9')
		return s;
	if (*s == '-')
	{
		sign = -1;
		s++;
	}
	while (*s >= '0' && *s <= '9')
	{
		if (n < 100000)
			n = n * 10 + (*s - '0');
		s++;
	}
	if (*s == '\0')
		return NULL;
	*pad = sign * n;
	return s;
}

/* Translate the prefix into re and p->items; returns the group count. */
static int
translate_prefix(log_prefix *p, const char *prefix, strbuf *re)
{
	int			group = 1;
	bool		in_q = false;

	for (const char *s = prefix; *s; s++)
	{
		int			pad;

		if (*s != '%')
		{
			append_literal(re, *s);
			continue;
		}
		if (s[1] == '\0')
			break;
		if (s[1] == '%')
		{
			append_literal(re, '%');
			s++;
			continue;
		}
		if ((s = read_padding(s + 1, &pad)) == NULL)
			break;
		if (*s == 'q')
		{
			if (!in_q)
				strbuf_puts(re, "(?:");
			in_q = true;
			continue;
		}
		int			n = append_escape(re, *s, pad);

		if (n > 0)
		{
			p->items[p->nitems++] = (prefix_item) {*s, group, pad};
			group += n;
			if (*s == 't' || *s == 'm' || *s == 'n')
				p->has_time = true;
			if (*s == 'p')
				p->has_pid = true;
		}
	}
	if (in_q)
		strbuf_puts(re, ")?");
	strbuf_puts(re, SEVERITY_RE);
	return group;
}

/* Prepare JIT matching; matching falls back to the interpreter without JIT. */
static void
setup_matching(log_prefix *p)
{
	p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
	xcheck_alloc(p->md);
	p->ovector = pcre2_get_ovector_pointer(p->md);
	p->jit = pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0;
	if (p->jit)
	{
		/* lazy groups backtrack; the default 32 kB machine stack is tight */
		p->mctx = xcheck_alloc(pcre2_match_context_create(NULL));
		p->jit_stack = xcheck_alloc(pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL));
		pcre2_jit_stack_assign(p->mctx, NULL, p->jit_stack);
	}
}

log_prefix *
prefix_compile(const char *prefix, char **errmsg)
{
	log_prefix *p = xcalloc(1, sizeof(*p));
	size_t		plen = strlen(prefix);
	strbuf		re;
	int			errcode;
	PCRE2_SIZE	erroff;

	p->text = xstrdup(prefix);
	p->items = xcalloc(plen + 1, sizeof(prefix_item));
	p->strings = xcalloc(2 * plen + 2, sizeof(pending_string));
	log_time_cache_init(&p->time_cache);
	log_time_cache_init(&p->start_cache);

	strbuf_init(&re);
	p->severity_group = translate_prefix(p, prefix, &re);
	p->code = pcre2_compile((PCRE2_SPTR) re.data, re.len, PCRE2_ANCHORED, &errcode, &erroff, NULL);
	strbuf_free(&re);
	if (p->code == NULL)
	{
		if (errmsg)
		{
			PCRE2_UCHAR msg[256];
			strbuf		sb;

			pcre2_get_error_message(errcode, msg, sizeof(msg));
			strbuf_init(&sb);
			strbuf_printf(&sb, "its pattern does not compile: %s", (const char *) msg);
			*errmsg = strbuf_detach(&sb);
		}
		prefix_free(p);
		return NULL;
	}
	setup_matching(p);
	return p;
}

void
prefix_free(log_prefix *p)
{
	if (p == NULL)
		return;
	pcre2_match_data_free(p->md);
	pcre2_match_context_free(p->mctx);
	pcre2_jit_stack_free(p->jit_stack);
	pcre2_code_free(p->code);
	free(p->items);
	free(p->strings);
	free(p->text);
	free(p);
}

const char *
prefix_text(const log_prefix *p)
{
	return p->text;
}

int
prefix_has_time(const log_prefix *p)
{
	return p->has_time;
}

int
prefix_has_pid(const log_prefix *p)
{
	return p->has_pid;
}

/* The part of a severity word the pattern accepted, and its severity. */
static int
classify_severity(const char *w, size_t n, log_severity *sev)
{
	*sev = SEV_UNKNOWN;
	switch (w[0])
	{
		case 'L':
			*sev = SEV_LOG;
			return n == 3 ? PART_PRIMARY : PART_LOCATION;
		case 'E':
			*sev = SEV_ERROR;
			return PART_PRIMARY;
		case 'W':
			*sev = SEV_WARNING;
			return PART_PRIMARY;
		case 'F':
			*sev = SEV_FATAL;
			return PART_PRIMARY;
		case 'P':
			*sev = SEV_PANIC;
			return PART_PRIMARY;
		case 'I':
			*sev = SEV_INFO;
			return PART_PRIMARY;
		case 'N':
			*sev = SEV_NOTICE;
			return PART_PRIMARY;
		case 'D':
			if (n == 6 && w[2] == 'T')
				return PART_DETAIL;
			*sev = SEV_DEBUG;
			return PART_PRIMARY;
		case 'H':
			return PART_HINT;
		case 'C':
			return PART_CONTEXT;
		case 'S':
			return PART_STATEMENT;
		default:
			return PART_QUERY;
	}
}

/*
 * Digits of s[0..n) as a number; a leading '-' is allowed.  Unsigned
 * arithmetic, so that 20 digits PostgreSQL never writes wrap, not overflow.
 */
static int64_t
parse_int(const char *s, size_t n)
{
	uint64_t	v = 0;
	bool		neg = n > 0 && s[0] == '-';

	for (size_t i = neg ? 1 : 0; i < n; i++)
		v = v * 10 + (uint64_t) (s[i] - '0');
	return (int64_t) (neg ? 0 - v : v);
}

/* "secs.mmm" (shape checked by the pattern) to milliseconds. */
static int64_t
parse_epoch(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);

	return parse_int(s, (size_t) (dot - s)) * 1000 + parse_int(dot + 1, 3);
}

/* Parse a %t/%m/%s time into *ms; an unknown zone is read as UTC, reported once. */
static void
parse_time(log_time_cache *cache, const char *s, size_t n, int64_t *ms)
{
	log_time_status st = log_time_parse(cache, s, n, ms);

	if (st == LOG_TIME_INVALID)
		*ms = LOG_TS_UNKNOWN;
	else if (st == LOG_TIME_ZONE_UNKNOWN &&
			 __atomic_exchange_n(&unknown_zone_warned, 1, __ATOMIC_RELAXED) == 0)
	{
		diag_detail("The first was \"%.*s\"; times in such zones are read as UTC.", (int) (n < 48 ? n : 48), s);
		diag_hint("Set log_timezone to UTC, or to a zone that PostgreSQL prints as a numeric offset.");
		diag_warning("unknown time zone abbreviation in log line prefixes");
	}
}

/* Queue s[0..n) as the value of *dst (set by set_strings); empty values stay NULL. */
static void
add_string(log_prefix *p, int *ns, strbuf *store, const char **dst,
		   const char *s, size_t n, bool trim, bool unknown_is_null)
{
	if (trim)
	{
		while (n > 0 && *s == ' ')
			s++, n--;
		while (n > 0 && s[n - 1] == ' ')
			n--;
	}
	if (n == 0 || (unknown_is_null && n == 9 && memcmp(s, "[unknown]", 9) == 0))
		return;
	p->strings[(*ns)++] = (pending_string) {dst, store->len};
	strbuf_append(store, s, n);
	strbuf_putc(store, '\0');
}

/* Store the fields of the last match of line into rec (strings into store). */
static void
extract_fields(log_prefix *p, const char *line, log_record *rec, strbuf *store)
{
	const PCRE2_SIZE *ov = p->ovector;
	int			ns = 0;

	for (int i = 0; i < p->nitems; i++)
	{
		const prefix_item *it = &p->items[i];
		PCRE2_SIZE	so = ov[2 * it->group];

		if (so == PCRE2_UNSET)
			continue;			/* after a %q of a process without session */

		const char *s = line + so;
		size_t		n = ov[2 * it->group + 1] - so;
		bool		trim = it->pad != 0;
		switch (it->esc)
		{
			case 'a':
				add_string(p, &ns, store, &rec->app, s, n, trim, true);
				break;
			case 'u':
				add_string(p, &ns, store, &rec->user, s, n, trim, true);
				break;
			case 'd':
				add_string(p, &ns, store, &rec->dbname, s, n, trim, true);
				break;
			case 'h':
				add_string(p, &ns, store, &rec->remote_host, s, n, trim, false);
				break;
			case 'r':
				add_string(p, &ns, store, &rec->remote_host, s, n, trim, false);
				if (ov[2 * it->group + 2] != PCRE2_UNSET)
					add_string(p, &ns, store, &rec->remote_port, line + ov[2 * it->group + 2],
							   ov[2 * it->group + 3] - ov[2 * it->group + 2], false, false);
				break;
			case 'b':
				add_string(p, &ns, store, &rec->backend_type, s, n, trim, false);
				break;
			case 'i':
				add_string(p, &ns, store, &rec->command_tag, s, n, trim, false);
				break;
			case 'c':
				add_string(p, &ns, store, &rec->session_id, s, n, false, false);
				break;
			case 'v':
				add_string(p, &ns, store, &rec->vxid, s, n, false, false);
				break;
			case 'p':
				rec->pid = (int32_t) parse_int(s, n);
				break;
			case 'P':
				if (n > 0)
					rec->leader_pid = (int32_t) parse_int(s, n);
				break;
			case 'l':
				rec->session_line = parse_int(s, n);
				break;
			case 'x':
				rec->xid = parse_int(s, n);
				break;
			case 'Q':
				rec->query_id = parse_int(s, n);
				break;
			case 'e':
				memcpy(rec->sqlstate, s, 5);
				rec->sqlstate[5] = '\0';
				break;
			case 't':
			case 'm':
				parse_time(&p->time_cache, s, n, &rec->ts_ms);
				rec->utc_offset_min = p->time_cache.last_offset_min;
				break;
			case 's':
				parse_time(&p->start_cache, s, n, &rec->session_start_ms);
				break;
			case 'n':
				rec->ts_ms = parse_epoch(s, n);
				break;
		}
	}
	/* only now: store may have moved while it grew */
	for (int i = 0; i < ns; i++)
		*p->strings[i].dst = store->data + p->strings[i].off;
}

int
prefix_match(log_prefix *p, const char *line, size_t len,
			 log_record *rec, strbuf *store, size_t *msg_start)
{
	int			rc;

	if (p->jit)
		rc = pcre2_jit_match(p->code, (PCRE2_SPTR) line, len, 0, 0, p->md, p->mctx);
	else
		rc = pcre2_match(p->code, (PCRE2_SPTR) line, len, 0, 0, p->md, NULL);
	if (rc <= 0)
		return -1;				/* no match, or a match limit: not a prefix line */

	const PCRE2_SIZE *ov = p->ovector;
	int			g = p->severity_group;
	log_severity sev;
	int			part = classify_severity(line + ov[2 * g], ov[2 * g + 1] - ov[2 * g], &sev);

	*msg_start = ov[1];
	if (rec != NULL)
	{
		extract_fields(p, line, rec, store);
		if (part == PART_PRIMARY)
			rec->severity = sev;
	}
	return part;
}

int
prefix_match_values(log_prefix *p, const char *line, size_t len, prefix_value *values, int max,
					size_t *prefix_end)
{
	size_t		msg;
	int			n = 0;

	if (prefix_match(p, line, len, NULL, NULL, &msg) < 0)
		return -1;

	const PCRE2_SIZE *ov = p->ovector;

	*prefix_end = ov[2 * p->severity_group];
	for (int i = 0; i < p->nitems && n < max; i++)
	{
		const prefix_item *it = &p->items[i];
		PCRE2_SIZE	so = ov[2 * it->group],
					eo = ov[2 * it->group + 1];

		if (it->esc == 'r' && so != PCRE2_UNSET && ov[2 * it->group + 2] != PCRE2_UNSET)
			eo = ov[2 * it->group + 3] + 1; /* host(port): through the ')' */
		/* padded lazy groups may hold spaces at their ends: the value is without them */
		while (so != PCRE2_UNSET && so < eo && line[so] == ' ')
			so++;
		while (so != PCRE2_UNSET && eo > so && line[eo - 1] == ' ')
			eo--;
		values[n++] = so == PCRE2_UNSET ? (prefix_value) {it->esc, -1, 0} :
			(prefix_value) {it->esc, (long) so, eo - so};
	}
	return n;
}

static const char *const severity_words[] = {
	"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "LOG", "FATAL", "PANIC",
	"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"
};

static bool
is_severity_word(const char *w, size_t n)
{
	if (n == 6 && memcmp(w, "DEBUG", 5) == 0 && w[5] >= '1' && w[5] <= '5')
		return true;
	for (size_t i = 0; i < sizeof(severity_words) / sizeof(severity_words[0]); i++)
		if (strlen(severity_words[i]) == n && memcmp(severity_words[i], w, n) == 0)
			return true;
	return false;
}

long
prefix_find_severity(const char *line, size_t len, size_t max_prefix)
{
	size_t		limit = len < max_prefix + 16 ? len : max_prefix + 16;
	const char *from = line;
	const char *end = line + limit;
	const char *colon;

	/* PostgreSQL writes two spaces after the word; some log services keep one */
	while ((colon = memmem(from, (size_t) (end - from), ": ", 2)) != NULL)
	{
		const char *w = colon;

		if (w > line && w[-1] >= '1' && w[-1] <= '5')
			w--;				/* DEBUG1 .. DEBUG5 */
		while (w > line && w[-1] >= 'A' && w[-1] <= 'Z')
			w--;
		if ((size_t) (w - line) <= max_prefix && is_severity_word(w, (size_t) (colon - w)))
			return (long) (w - line);
		from = colon + 1;
	}
	return -1;
}

int
prefix_count_escapes(const char *prefix, const char *set, int in_set)
{
	int			n = 0;

	for (const char *t = prefix; t && *t; t++)
	{
		if (*t != '%')
			continue;
		t++;
		if (*t == '-')
			t++;
		while (*t >= '0' && *t <= '9')
			t++;
		if (*t == '\0')
			break;
		n += (strchr(set, *t) != NULL) == (in_set != 0);
	}
	return n;
}

/* The first "[digits]", "(digits)", "{digits}" or "pid=digits" of s[0..n) as a pid, or -1. */
static int32_t
find_pid(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		size_t		from;

		if (s[i] == '[' || s[i] == '(' || s[i] == '{')
			from = i + 1;
		else if (n - i > 4 && memcmp(s + i, "pid=", 4) == 0)
			from = i + 4;
		else
			continue;

		size_t		j = from;

		while (j < n && j - from < 10 && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j > from && (j == n || !(s[j] >= '0' && s[j] <= '9')) &&
			(s[i] == 'p' || s[j] == ']' || s[j] == ')' || s[j] == '}'))
			return (int32_t) log_field_int(s + from, j - from, -1);
	}
	return -1;
}

int
prefix_match_fallback(log_prefix *p, const char *line, size_t len, log_record *rec, size_t *msg_start)
{
	long		at = prefix_find_severity(line, len, PREFIX_MAX_BYTES);
	const char *colon;
	log_severity sev;
	int			part;
	size_t		tlen;

	if (at < 0 || (colon = memmem(line + at, len - (size_t) at, ": ", 2)) == NULL)
		return -1;
	part = classify_severity(line + at, (size_t) (colon - line - at), &sev);
	*msg_start = (size_t) (colon - line) + 2;
	if (*msg_start < len && line[*msg_start] == ' ')
		(*msg_start)++;			/* PostgreSQL's second space */
	if (rec == NULL)
		return part;
	if (part == PART_PRIMARY)
		rec->severity = sev;
	if ((tlen = log_time_span(line, (size_t) at, NULL, NULL)) > 0)
	{
		parse_time(&p->time_cache, line, tlen, &rec->ts_ms);
		rec->utc_offset_min = p->time_cache.last_offset_min;
	}
	rec->pid = find_pid(line + tlen, (size_t) at - tlen);
	return part;
}

int
prefix_count_matches(log_prefix *p, const char *const *lines, const size_t *lens, int n)
{
	int			count = 0;
	size_t		msg_start;

	for (int i = 0; i < n; i++)
		if (prefix_match(p, lines[i], lens[i], NULL, NULL, &msg_start) >= 0)
			count++;
	return count;
}
