/*-------------------------------------------------------------------------
 * prefix_read.c
 *    Read the text before one line's severity as log_line_prefix escapes:
 *    the first step of learning a prefix (prefix_learn.c).
 *
 * The text is read left to right; at each position a list of recognisers
 * is tried, most specific first, and the first that fits emits its escape
 * and skips the value:
 *
 *   2024-01-02 03:04:05[.123] UTC    %t or %m (a second time: %s; %t then
 *                                    %m: the first was %s)
 *   1704164645.123                   %n
 *   65a1b2c3.1f4                     %c
 *   user=... db=... app=... ...      the keyword, then its escape; a
 *                                    quoted value (user="x") in its quotes,
 *                                    "sql_error_code = " (Heroku) too
 *   10.0.0.1(5432), [local]          %r;  a bare address: %h
 *   postgres@bench, @, [unknown]@    %u@%d
 *   3/12                             %v
 *   -1234567890123                   %Q (long numbers)
 *   00000, 42P01                     %e
 *   123 (first number), 5-1          %p, %l ("-1" kept literal after %l)
 *   client backend, idle, SELECT     %b, %i
 *
 * and anything else is literal: which literal words are names, and where
 * %q goes, is for the verification of prefix_learn.c to find out.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/prefix_learn.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct learn_state
{
	strbuf		out;
	bool		have_time;
	bool		have_pid;
	bool		have_line;
} learn_state;

typedef size_t (*recogniser) (learn_state *st, const char *s, size_t i, size_t n);

static inline bool
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Characters of user and database names as they appear around '@'. */
static inline bool
is_name_char(char c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == '$' || c == '[' || c == ']';
}

static inline bool
at_boundary(const char *s, size_t i)
{
	return i == 0 || !is_alnum(s[i - 1]);
}

static size_t
rec_time(learn_state *st, const char *s, size_t i, size_t n)
{
	int			frac,
				zone;
	size_t		len = log_time_span(s + i, n - i, &frac, &zone);

	if (len == 0 || !zone)
		return 0;				/* %t, %m and %s always write the zone */
	if (st->have_time && frac)
	{
		/* two times, the second with milliseconds: the first was the session's start, %s */
		char	   *t = strstr(st->out.data, "%t");

		if (t)
			t[1] = 's';
		strbuf_puts(&st->out, "%m");
	}
	else
		strbuf_puts(&st->out, st->have_time ? "%s" : frac ? "%m" : "%t");
	st->have_time = true;
	return len;
}

static size_t
rec_epoch(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j = run(s, i, n, is_digit);

	if (!at_boundary(s, i) || j - i != 10 || j + 4 > n || s[j] != '.' ||
		run(s, j + 1, n, is_digit) != j + 4)
		return 0;
	strbuf_puts(&st->out, "%n");
	st->have_time = true;
	return j + 4 - i;
}

static size_t
rec_session_id(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j = run(s, i, n, is_hex);
	size_t		k;

	if (!at_boundary(s, i) || j - i < 6 || j - i > 16 || j >= n || s[j] != '.')
		return 0;
	k = run(s, j + 1, n, is_hex);
	if (k == j + 1 || k - j - 1 > 8 || (k < n && (is_alnum(s[k]) || s[k] == '.')))
		return 0;
	strbuf_puts(&st->out, "%c");
	return k - i;
}

static const struct
{
	const char *word;
	char		esc;
}			keywords[] = {
	{"user", 'u'}, {"usr", 'u'}, {"u", 'u'}, {"username", 'u'}, {"role", 'u'},
	{"db", 'd'}, {"database", 'd'}, {"dbname", 'd'}, {"d", 'd'},
	{"app", 'a'}, {"application", 'a'}, {"application_name", 'a'}, {"appname", 'a'}, {"a", 'a'},
	{"client", 'h'}, {"host", 'h'}, {"remote", 'h'}, {"h", 'h'}, {"ip", 'h'},
	{"client_addr", 'h'}, {"remote_host", 'h'},
	{"pid", 'p'}, {"p", 'p'}, {"process", 'p'},
	{"session", 'c'}, {"sess", 'c'}, {"session_id", 'c'}, {"sid", 'c'}, {"c", 'c'},
	{"line", 'l'}, {"l", 'l'}, {"session_line", 'l'},
	{"xid", 'x'}, {"x", 'x'}, {"txid", 'x'}, {"tid", 'x'}, {"trx_id", 'x'}, {"tx", 'x'},
	{"vxid", 'v'}, {"v", 'v'}, {"vtid", 'v'}, {"vtx", 'v'},
	{"log_line", 'l'}, {"sql_error_code", 'e'}, {"connection_source", 'r'},
	{"tag", 'i'}, {"cmd", 'i'}, {"command", 'i'}, {"i", 'i'},
	{"sqlstate", 'e'}, {"state", 'e'}, {"code", 'e'}, {"e", 'e'},
	{"queryid", 'Q'}, {"query_id", 'Q'}, {"qid", 'Q'},
	{"backend", 'b'}, {"backend_type", 'b'}, {"type", 'b'}, {"b", 'b'},
	{"leader", 'P'}, {"leader_pid", 'P'},
};

static bool
is_word_char(char c)
{
	return is_alnum(c) || c == '_';
}

static bool
is_value_char(char c)
{
	return c != ' ' && c != ',' && c != ';' && c != '|' && c != ']' && c != ')' && c != '\t';
}

/* "word=value" with a known word: the word, '=', and its escape. */
static size_t
rec_keyword(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j = run(s, i, n, is_word_char);
	size_t		k;
	char		esc = 0;

	size_t		eq = j;
	bool		quoted;

	/* "word=value", and Heroku's "sql_error_code = value" */
	if (eq + 2 < n && s[eq] == ' ' && s[eq + 1] == '=' && s[eq + 2] == ' ')
		eq++;
	if (!at_boundary(s, i) || j == i || eq >= n || s[eq] != '=')
		return 0;
	for (size_t w = 0; w < sizeof(keywords) / sizeof(keywords[0]) && esc == 0; w++)
		if (strlen(keywords[w].word) == j - i && strncasecmp(keywords[w].word, s + i, j - i) == 0)
			esc = keywords[w].esc;
	if (esc == 0)
		return 0;
	j = eq + 1 < n && s[eq + 1] == ' ' && eq > j ? eq + 2 : eq + 1;	/* after "=" (and its space) */
	quoted = j < n && s[j] == '"';
	if (quoted)
	{
		/* user="postgres": the value inside the quotes */
		const char *close = memchr(s + j + 1, '"', n - j - 1);

		if (close == NULL)
			return 0;
		k = (size_t) (close - s);
		j++;
	}
	else if (n - j >= 9 && memcmp(s + j, "[unknown]", 9) == 0)
		k = j + 9;
	else
		k = run(s, j, n, is_value_char);
	if (esc == 'h' && k < n && s[k] == ')' && memchr(s + j, '(', k - j) != NULL)
	{
		esc = 'r';				/* host(port) */
		k++;
	}
	if (quoted && esc == 'h' && memchr(s + j, '(', k - j) != NULL)
		esc = 'r';
	strbuf_append(&st->out, s + i, j - i);
	strbuf_putc(&st->out, '%');
	strbuf_putc(&st->out, esc);
	if (quoted)
	{
		strbuf_putc(&st->out, '"');
		k++;
	}
	if (esc == 'p')
		st->have_pid = true;
	if (esc == 'l')
		st->have_line = true;
	return k - i;
}

static bool
is_host_char(char c)
{
	return is_alnum(c) || c == '.' || c == ':' || c == '-' || c == '_';
}

/* "host(port)" or "[local]": %r. */
static size_t
rec_host_port(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j,
				k;

	if (!at_boundary(s, i))
		return 0;
	if (n - i >= 7 && memcmp(s + i, "[local]", 7) == 0)
		j = i + 7;
	else
	{
		/* a lone ':' is a separator, "::1" an address */
		if (s[i] == ':' && (i + 1 >= n || s[i + 1] != ':'))
			return 0;
		j = run(s, i, n, is_host_char);
		if (j == i || j >= n || s[j] != '(')
			return 0;
		k = run(s, j + 1, n, is_digit);
		if (k == j + 1 || k >= n || s[k] != ')')
			return 0;
		j = k + 1;
	}
	strbuf_puts(&st->out, "%r");
	return j - i;
}

/*
 * End of a user or database name at s[i]: PostgreSQL's "[unknown]", or a
 * run of name characters without brackets (those of "[%u@%d]" are the
 * prefix's own).
 */
static size_t
name_end(const char *s, size_t i, size_t n)
{
	if (n - i >= 9 && memcmp(s + i, "[unknown]", 9) == 0)
		return i + 9;
	while (i < n && is_name_char(s[i]) && s[i] != '[' && s[i] != ']')
		i++;
	return i;
}

/* "user@db" (either side may be empty): %u@%d. */
static size_t
rec_user_at_db(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j,
				k;

	if (i > 0 && is_name_char(s[i - 1]))
		return 0;
	j = name_end(s, i, n);
	if (j >= n || s[j] != '@')
		return 0;
	k = name_end(s, j + 1, n);
	strbuf_puts(&st->out, "%u@%d");
	return k - i;
}

/* "digits/digits": %v. */
static size_t
rec_vxid(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j = run(s, i, n, is_digit);
	size_t		k;

	if (!at_boundary(s, i) || j == i || j >= n || s[j] != '/')
		return 0;
	k = run(s, j + 1, n, is_digit);
	if (k == j + 1 || (k < n && is_alnum(s[k])))
		return 0;
	strbuf_puts(&st->out, "%v");
	return k - i;
}

/* A number of 12 digits or more, maybe negative: %Q. */
static size_t
rec_query_id(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		d = i < n && s[i] == '-' ? i + 1 : i;
	size_t		j = run(s, d, n, is_digit);

	if (!at_boundary(s, i) || j - d < 12 || (j < n && (is_alnum(s[j]) || s[j] == '.')))
		return 0;
	strbuf_puts(&st->out, "%Q");
	return j - i;
}

static bool
is_state_char(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z');
}

/* Five digits and capitals, with a digit and a capital or a leading '0': %e. */
static size_t
rec_sqlstate(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j = run(s, i, n, is_state_char);
	bool		digit = false,
				capital = false;

	if (!at_boundary(s, i) || j - i != 5 || (j < n && is_alnum(s[j])))
		return 0;
	for (size_t k = i; k < j; k++)
		digit |= is_digit(s[k]), capital |= !is_digit(s[k]);
	if (!digit || !(capital || s[i] == '0'))
		return 0;
	strbuf_puts(&st->out, "%e");
	return 5;
}

/* A bare IPv4 address: %h. */
static size_t
rec_address(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j = i;

	if (!at_boundary(s, i))
		return 0;
	for (int part = 0; part < 4; part++)
	{
		size_t		k = run(s, j, n, is_digit);

		if (k == j || k - j > 3 || (part < 3 && (k >= n || s[k] != '.')))
			return 0;
		j = part < 3 ? k + 1 : k;
	}
	if (j < n && (is_alnum(s[j]) || s[j] == '(' || s[j] == '.'))
		return 0;
	strbuf_puts(&st->out, "%h");
	return j - i;
}

/* A number: the pid first, then the session line, then the xid. */
static void
emit_number(learn_state *st)
{
	if (!st->have_pid)
		strbuf_puts(&st->out, "%p");
	else if (!st->have_line)
		strbuf_puts(&st->out, "%l");
	else
		strbuf_puts(&st->out, "%x");
	st->have_line |= st->have_pid;
	st->have_pid = true;
}

/* "123", or "123-4" ([%p-%l]) and "5-1" after a pid (pgBadger's [%l-1]). */
static size_t
rec_number(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j = run(s, i, n, is_digit);
	size_t		k;

	if (!at_boundary(s, i) || j == i || (j < n && (is_alpha(s[j]) || s[j] == '.' || s[j] == '/')))
		return 0;
	/* "27-2021-11-17 ...": a number, then a time of its own */
	if (j + 1 < n && s[j] == '-' && is_digit(s[j + 1]) && !log_time_at_start(s + j + 1, n - j - 1))
	{
		bool		line_first = st->have_pid && !st->have_line;

		k = run(s, j + 1, n, is_digit);
		if (k < n && (is_alnum(s[k]) || s[k] == '.'))
		{
			/* "2-172.20.0.1": the number, then an address of its own */
			emit_number(st);
			return j - i;
		}
		emit_number(st);
		strbuf_putc(&st->out, '-');
		if (line_first && k - j - 1 == 1 && s[j + 1] == '1')
			strbuf_putc(&st->out, '1');
		else
			emit_number(st);
		return k - i;
	}
	emit_number(st);
	return j - i;
}

static const struct
{
	const char *text;
	const char *esc;
}			words[] = {
	{"client backend", "%b"}, {"autovacuum worker", "%b"}, {"autovacuum launcher", "%b"},
	{"background writer", "%b"}, {"checkpointer", "%b"}, {"walwriter", "%b"},
	{"postmaster", "%b"}, {"logical replication launcher", "%b"}, {"walsender", "%b"},
	{"not initialized", "%b"}, {"background worker", "%b"}, {"walreceiver", "%b"},
	{"startup", "%b"}, {"archiver", "%b"}, {"parallel worker", "%b"},
	{"logical replication worker", "%b"}, {"standalone backend", "%b"}, {"walsummarizer", "%b"},
	{"idle in transaction", "%i"}, {"idle", "%i"}, {"authentication", "%i"},
	{"SELECT", "%i"}, {"INSERT", "%i"}, {"UPDATE", "%i"}, {"DELETE", "%i"},
};

/* Backend types and command tags PostgreSQL prints for %b and %i. */
static size_t
rec_word(learn_state *st, const char *s, size_t i, size_t n)
{
	if (!at_boundary(s, i))
		return 0;
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
	{
		size_t		len = strlen(words[w].text);

		if (n - i >= len && memcmp(s + i, words[w].text, len) == 0 &&
			(i + len == n || !is_alnum(s[i + len])))
		{
			strbuf_puts(&st->out, words[w].esc);
			return len;
		}
	}
	return 0;
}

static const recogniser recognisers[] = {
	rec_time, rec_epoch, rec_session_id, rec_keyword, rec_host_port, rec_user_at_db,
	rec_vxid, rec_query_id, rec_sqlstate, rec_address, rec_number, rec_word,
};

char *
prefix_read_line(const char *text, size_t n)
{
	learn_state st = {0};

	strbuf_init(&st.out);
	for (size_t i = 0; i < n;)
	{
		size_t		used = 0;

		for (size_t r = 0; r < sizeof(recognisers) / sizeof(recognisers[0]) && used == 0; r++)
			used = recognisers[r] (&st, text, i, n);
		if (used == 0)
		{
			if (text[i] == '%')
				strbuf_putc(&st.out, '%');
			strbuf_putc(&st.out, text[i]);
			used = 1;
		}
		i += used;
	}
	return strbuf_detach(&st.out);
}
