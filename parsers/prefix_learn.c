/*-------------------------------------------------------------------------
 * prefix_learn.c
 *    Infer an unknown log_line_prefix from sample lines.
 *
 * The text before the severity marker of a sample line is read left to
 * right; at each position a list of recognisers is tried, most specific
 * first, and the first that fits emits its escape and skips the value:
 *
 *   2024-01-02 03:04:05[.123] UTC    %t or %m (a second time: %s)
 *   1704164645.123                   %n
 *   65a1b2c3.1f4                     %c
 *   user=... db=... app=... ...      the keyword, then its escape
 *   10.0.0.1(5432), [local]          %r;  a bare address: %h
 *   postgres@bench, @                %u@%d
 *   3/12                             %v
 *   -1234567890123                   %Q (long numbers)
 *   00000, 42P01                     %e
 *   123 (first number), 5-1          %p, %l ("-1" kept literal after %l)
 *   client backend, idle, SELECT     %b, %i
 *
 * and anything else is literal.  One line cannot show which fields are
 * session-only (%q) or which word is an application name, so variants are
 * made (%q at each place it could go, a word replaced by %a) and every
 * candidate is verified against all the lines: the one matching the most
 * wins, the plain reading on ties.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/prefix.h"
#include "src/lib/arena.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SAMPLES			3
#define MAX_CANDIDATES		512
#define MAX_WORD_SLOTS		4

typedef struct learn_state
{
	strbuf		out;
	bool		have_time;
	bool		have_pid;
	bool		have_line;
} learn_state;

typedef size_t (*recogniser) (learn_state *st, const char *s, size_t i, size_t n);

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
is_alnum(char c)
{
	return is_digit(c) || is_alpha(c);
}

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

/* End of the run of chars satisfying pred from i. */
static size_t
run(const char *s, size_t i, size_t n, bool (*pred) (char))
{
	while (i < n && pred(s[i]))
		i++;
	return i;
}

static size_t
rec_time(learn_state *st, const char *s, size_t i, size_t n)
{
	size_t		j = i + 19;
	bool		frac = false;

	if (!log_time_at_start(s + i, n - i) || s[i + 10] != ' ')
		return 0;
	if (j < n && s[j] == '.')
	{
		size_t		k = run(s, j + 1, n, is_digit);

		if (k == j + 1)
			return 0;
		frac = true;
		j = k;
	}
	if (j + 1 >= n || s[j] != ' ')
		return 0;
	j++;
	if (s[j] == '+' || s[j] == '-')
	{
		if (j + 2 >= n || !is_digit(s[j + 1]) || !is_digit(s[j + 2]))
			return 0;
		j += 3;
		if (j + 2 < n && s[j] == ':' && is_digit(s[j + 1]) && is_digit(s[j + 2]))
			j += 3;
		else if (j + 1 < n && is_digit(s[j]) && is_digit(s[j + 1]))
			j += 2;
	}
	else
	{
		size_t		k = run(s, j, n, is_alpha);

		if (k == j)
			return 0;
		j = k;
	}
	strbuf_puts(&st->out, st->have_time ? "%s" : frac ? "%m" : "%t");
	st->have_time = true;
	return j - i;
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
	{"xid", 'x'}, {"x", 'x'}, {"txid", 'x'},
	{"vxid", 'v'}, {"v", 'v'},
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

	if (!at_boundary(s, i) || j == i || j >= n || s[j] != '=')
		return 0;
	for (size_t w = 0; w < sizeof(keywords) / sizeof(keywords[0]) && esc == 0; w++)
		if (strlen(keywords[w].word) == j - i && strncasecmp(keywords[w].word, s + i, j - i) == 0)
			esc = keywords[w].esc;
	if (esc == 0)
		return 0;
	k = run(s, j + 1, n, is_value_char);
	if (esc == 'h' && k < n && s[k] == ')' && memchr(s + j + 1, '(', k - j - 1) != NULL)
	{
		esc = 'r';				/* host(port) */
		k++;
	}
	strbuf_append(&st->out, s + i, j + 1 - i);
	strbuf_putc(&st->out, '%');
	strbuf_putc(&st->out, esc);
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
	if (j + 1 < n && s[j] == '-' && is_digit(s[j + 1]))
	{
		bool		line_first = st->have_pid && !st->have_line;

		k = run(s, j + 1, n, is_digit);
		if (k < n && is_alnum(s[k]))
			return 0;
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

/* The prefix that text[0..n) reads as (malloc'd). */
static char *
infer(const char *text, size_t n)
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

typedef struct candidates
{
	char	   *text[MAX_CANDIDATES];
	int			n;
} candidates;

/* Add a copy of s unless it is there already or the list is full. */
static void
add_candidate(candidates *c, const char *s, size_t len)
{
	for (int i = 0; i < c->n; i++)
		if (strlen(c->text[i]) == len && memcmp(c->text[i], s, len) == 0)
			return;
	if (c->n < MAX_CANDIDATES)
		c->text[c->n++] = xstrndup(s, len);
}

/* Add t with `insert` put in place of t[from..to). */
static void
add_edited(candidates *c, const char *t, size_t from, size_t to, const char *insert)
{
	strbuf		sb;

	strbuf_init(&sb);
	strbuf_append(&sb, t, from);
	strbuf_puts(&sb, insert);
	strbuf_puts(&sb, t + to);
	add_candidate(c, sb.data, sb.len);
	strbuf_free(&sb);
}

static bool
is_delimiter(char c)
{
	return strchr(" ]:,|)-", c) != NULL;
}

/*
 * Whether an escape other than %% and %q is in t: %q may stand before any
 * of them (it ends the prefix for processes without a session).
 */
static bool
has_session_escape(const char *t)
{
	for (; *t; t++)
		if (t[0] == '%' && t[1] != '\0')
		{
			if (t[1] != '%' && t[1] != 'q')
				return true;
			t++;
		}
	return false;
}

/* Length of the unit at t[j]: an escape ("%u", "%%") or one literal char. */
static size_t
unit_len(const char *t, size_t j)
{
	return t[j] == '%' && t[j + 1] != '\0' ? 2 : 1;
}

/* The literal char that unit t[j..j+ulen) stands for, or 0 for an escape. */
static char
unit_literal(const char *t, size_t j, size_t ulen)
{
	return ulen == 1 ? t[j] : t[j + 1] == '%' ? '%' : 0;
}

/* Variants with %q before each place a session-only escape could start. */
static void
add_q_variants(candidates *c, const char *t)
{
	char		prev = 0;

	for (size_t j = 0; t[j] != '\0';)
	{
		size_t		ulen = unit_len(t, j);

		if (prev != 0 && is_delimiter(prev) && has_session_escape(t + j))
			add_edited(c, t, j, j, "%q");
		prev = unit_literal(t, j, ulen);
		j += ulen;
	}
}

/* Application names are often "name-part" or "name.part": one word. */
static bool
is_literal_word_char(char c)
{
	return is_alnum(c) || c == '_' || c == '.' || c == '-' || c == '$';
}

/* Whether t has an escape that is not one of the lazy %a, %b, %i. */
static bool
has_firm_escape(const char *t)
{
	for (; *t; t++)
		if (t[0] == '%' && t[1] != '\0')
		{
			if (strchr("abi%", t[1]) == NULL)
				return true;
			t++;
		}
	return false;
}

/* Characters before a literal word that could be a field's value. */
static bool
opens_value(char c)
{
	return c == 0 || strchr(" [(<{/,:|=@>\"'", c) != NULL;
}

/* A literal word of t that may be a user, database or application name. */
typedef struct word_slot
{
	size_t		from,
				to;
} word_slot;

/*
 * The literal words of t that could be field values (at most max): after
 * the start, a delimiter or a label's '=', and not themselves a label
 * ("usr=", "pid:1").  PostgreSQL's "[unknown]" (a name not known yet) is
 * one word.
 */
static int
find_word_slots(const char *t, word_slot *slots, int max)
{
	size_t		n = strlen(t);
	char		prev = 0;
	int			nslots = 0;

	for (size_t j = 0; j < n && nslots < max;)
	{
		size_t		ulen = unit_len(t, j);
		size_t		end = j;

		if (ulen == 1 && strncmp(t + j, "[unknown]", 9) == 0)
			end = j + 9;
		else if (ulen == 1)
			end = run(t, j, n, is_literal_word_char);
		if (end - j >= 2 && opens_value(prev) && t[end] != '=' && t[end] != '%' &&
			!(t[end] == ':' && t[end + 1] != ' ' && t[end + 1] != '\0'))
		{
			slots[nslots++] = (word_slot) {j, end};
			prev = t[end - 1];
			j = end;
			continue;
		}
		if (end > j + 1)
		{
			prev = t[end - 1];
			j = end;
			continue;
		}
		prev = unit_literal(t, j, ulen);
		if (prev == 0)
			prev = '%';			/* right after an escape: not a value of its own */
		j += ulen;
	}
	return nslots;
}

/* Whether t has an escape of its own (not %%) for field c. */
static bool
has_escape(const char *t, char c)
{
	for (; *t; t++)
		if (t[0] == '%' && t[1] != '\0')
		{
			if (t[1] == c)
				return true;
			t++;
		}
	return false;
}

/*
 * Every reading of t with some of its word slots as %u, %d or %a (each
 * escape once, and only one t does not have already), in slot order.
 */
static void
add_assignments(candidates *c, const char *t, const word_slot *slots, int nslots, int k,
				const char *used, strbuf *sb, size_t copied)
{
	/* names in their usual order ("%u@%d %a"); a lone word is most often the application ("[%p] %a: ") */
	const char *fields = nslots == 1 ? "aud" : "uda";

	if (k == nslots)
	{
		if (copied == 0)
			return;				/* no slot assigned: the plain reading */
		size_t		mark = sb->len;

		strbuf_puts(sb, t + copied);
		add_candidate(c, sb->data, sb->len);
		sb->len = mark;
		sb->data[mark] = '\0';
		return;
	}
	/* this slot literal */
	add_assignments(c, t, slots, nslots, k + 1, used, sb, copied);
	for (int f = 0; f < 3; f++)
	{
		char		now[4];
		size_t		mark = sb->len;

		if (strchr(used, fields[f]) != NULL || has_escape(t, fields[f]))
			continue;
		strbuf_append(sb, t + copied, slots[k].from - copied);
		strbuf_putc(sb, '%');
		strbuf_putc(sb, fields[f]);
		snprintf(now, sizeof(now), "%s%c", used, fields[f]);
		add_assignments(c, t, slots, nslots, k + 1, now, sb, slots[k].to);
		sb->len = mark;
		sb->data[mark] = '\0';
	}
}

/*
 * Variants with literal words read as the user, database or application
 * name.  Only for readings that have a firm escape too: %a alone matches
 * any text before a severity, so it would always win the count.
 */
static void
add_word_variants(candidates *c, const char *t)
{
	word_slot	slots[MAX_WORD_SLOTS];
	int			nslots;
	strbuf		sb;

	if (!has_firm_escape(t) || (nslots = find_word_slots(t, slots, MAX_WORD_SLOTS)) == 0)
		return;
	strbuf_init(&sb);
	strbuf_puts(&sb, "");
	add_assignments(c, t, slots, nslots, 0, "", &sb, 0);
	strbuf_free(&sb);
}

/* The escapes of t, %% and %q not counted: how much of a line it reads. */
static int
escape_count(const char *t)
{
	int			n = 0;

	for (; *t; t++)
		if (t[0] == '%' && t[1] != '\0')
		{
			n += t[1] != '%' && t[1] != 'q';
			t++;
		}
	return n;
}

/*
 * Whether reading a (matching a_count lines) beats b (b_count): more
 * lines; on a tie more fields (a user name that every sample line shares
 * looks as literal as a label, but is a field), then less literal text
 * (the more general reading).
 */
static bool
better_reading(const char *a, int a_count, const char *b, int b_count)
{
	int			ea,
				eb;

	if (b == NULL || a_count != b_count)
		return b == NULL || a_count > b_count;
	ea = escape_count(a);
	eb = escape_count(b);
	if (ea != eb)
		return ea > eb;
	return strlen(a) < strlen(b);
}

/*
 * The candidate of c[from..) that reads the sample lines best
 * (better_reading), or -1 when it is empty; its count in *count.
 */
static int
best_candidate(const candidates *c, int from, const char *const *lines, const size_t *lens, int n, int *count)
{
	int			best = -1,
				best_count = 0;

	for (int i = from; i < c->n; i++)
	{
		log_prefix *p = prefix_compile(c->text[i], NULL);
		int			matches = p ? prefix_count_matches(p, lines, lens, n) : 0;

		prefix_free(p);
		if (best < 0 || better_reading(c->text[i], matches, c->text[best], best_count))
		{
			best = i;
			best_count = matches;
		}
	}
	*count = best_count;
	return best;
}

typedef struct sample
{
	int			line;
	long		prefix_len;
} sample;

static int
by_prefix_len_desc(const void *a, const void *b)
{
	const sample *x = a,
			   *y = b;

	if (x->prefix_len != y->prefix_len)
		return x->prefix_len < y->prefix_len ? 1 : -1;
	return x->line - y->line;	/* qsort is not stable: keep file order */
}

char *
prefix_learn(const char *const *lines, const size_t *lens, int n, int *matched)
{
	sample	   *marked = xcalloc((size_t) n + 1, sizeof(sample));
	int			nmarked = 0;
	candidates	c = {.n = 0};
	char	   *best = NULL;
	int			best_count = 0;

	*matched = 0;
	for (int i = 0; i < n; i++)
	{
		long		at = prefix_find_severity(lines[i], lens[i], PREFIX_MAX_BYTES);

		if (at >= 0)
			marked[nmarked++] = (sample) {i, at};
	}
	/* the line with the most fields first: its reading wins ties */
	qsort(marked, (size_t) nmarked, sizeof(sample), by_prefix_len_desc);
	for (int s = 0; s < MAX_SAMPLES && nmarked > 0; s++)
	{
		const sample *sm = &marked[s == 0 ? 0 : s == 1 ? nmarked - 1 : nmarked / 2];
		char	   *t = infer(lines[sm->line], (size_t) sm->prefix_len);
		int			first = c.n,
					count,
					pick;

		/* the plain reading and its words read as names; then %q on the best of them */
		add_candidate(&c, t, strlen(t));
		add_word_variants(&c, t);
		free(t);
		pick = best_candidate(&c, first, lines, lens, n, &count);
		if (pick < 0)
			continue;
		first = c.n;
		add_q_variants(&c, c.text[pick]);
		int			q_count;
		int			q_pick = best_candidate(&c, first, lines, lens, n, &q_count);

		if (q_pick >= 0 && q_count > count)
			pick = q_pick, count = q_count;
		if (count > 0 && better_reading(c.text[pick], count, best, best_count))
		{
			best_count = count;
			best = c.text[pick];
		}
	}
	best = best ? xstrdup(best) : nmarked > 0 ? xstrdup(c.text[0]) : NULL;
	for (int i = 0; i < c.n; i++)
		free(c.text[i]);
	free(marked);
	*matched = best_count;
	return best;
}
