/*-------------------------------------------------------------------------
 * prefix_learn.c
 *    Infer an unknown log_line_prefix from sample lines.
 *
 * A few sample lines (the longest, the shortest, a middle one and the one
 * with the most text other than spaces) are each read as escapes
 * (prefix_read.c).  One line cannot show which literal words are user,
 * database or application names, which spaces are padding, nor which
 * fields are session-only (%q), so variants are made: the words read as
 * %u, %d and %a in every combination, each with the padding the lines
 * show (prefix_padding.c), then %q before each field of the best of them.
 * Every candidate is verified against all the lines; the best reading
 * (better_reading) matches the most lines (a padded one: writes them
 * exactly), then agrees best with the names that connection and
 * disconnection messages state ("connection authorized: user=bob
 * database=shop application_name=psql"), then has fewer %q and fields
 * after it, more fields, less literal text.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_time.h"
#include "parsers/prefix.h"
#include "parsers/prefix_learn.h"
#include "src/lib/arena.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SAMPLES			4
#define MAX_CANDIDATES		512
#define MAX_WORD_SLOTS		4
#define MAX_STATED			16	/* connection lines kept for their names */

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

/* Length of the unit at t[j]: an escape ("%u", "%-10u", "%%") or one literal char. */
static size_t
unit_len(const char *t, size_t j)
{
	size_t		k = j + 1;

	if (t[j] != '%' || t[k] == '\0')
		return 1;
	if (t[k] == '-')
		k++;
	while (is_digit(t[k]))
		k++;
	return t[k] == '\0' ? k - j : k + 1 - j;
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

		if (prev != 0 && is_delimiter(prev) && prefix_count_escapes(t + j, "%q", 0) > 0)
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

/* The same, for prefixes that separate their fields with '-' ("%p-%u-%d-"). */
static bool
is_word_char_no_dash(char c)
{
	return c != '-' && is_literal_word_char(c);
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
find_word_slots(const char *t, word_slot *slots, int max, bool dash_splits)
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
			end = run(t, j, n, dash_splits ? is_word_char_no_dash : is_literal_word_char);
		/* split at dashes, only the words between dashes ("%h-pgaweb-pgaweb-%m", not "PG-%e") */
		if (end - j >= 2 && (dash_splits ? prev == '-' : opens_value(prev)) && t[end] != '=' && t[end] != '%' &&
			strncmp(t + end, " = ", 3) != 0 &&
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

		if (strchr(used, fields[f]) != NULL || prefix_count_escapes(t, (char[]) {fields[f], '\0'}, 1) > 0)
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

	if (prefix_count_escapes(t, "abi%", 0) == 0)
		return;
	strbuf_init(&sb);
	/* words as written ("my-app.v2"), then split at dashes ("pgaweb-pgaweb": two names) */
	for (int dash = 0; dash < 2; dash++)
		if ((nslots = find_word_slots(t, slots, MAX_WORD_SLOTS, dash)) > 0)
		{
			strbuf_reset(&sb);
			add_assignments(c, t, slots, nslots, 0, "", &sb, 0);
		}
	strbuf_free(&sb);
}

/* The lines to learn from, and the names their messages state. */
typedef struct learn_input
{
	const char *const *lines;
	const size_t *lens;
	int			n;
	int			nstated;
	struct
	{
		int			line;
		char	   *user,
				   *database,
				   *app;		/* malloc'd, NULL when not stated */
	}			stated[MAX_STATED];
} learn_input;

/* A candidate's figures: lines matched, agreement with the stated names. */
typedef struct reading
{
	const char *text;
	int			matches;
	int			agreement;		/* names read as stated, less those read otherwise */
} reading;

/* The value after key (up to a space, or to the end for the last) in msg, malloc'd, or NULL. */
static char *
stated_value(const char *msg, size_t len, const char *key, bool to_end)
{
	const char *at = memmem(msg, len, key, strlen(key));
	const char *v,
			   *e,
			   *end = msg + len;

	if (at == NULL || (at > msg && at[-1] != ' '))
		return NULL;
	v = at + strlen(key);
	if (to_end)
	{
		/* application_name ends the message, but for the SSL/GSS notes PostgreSQL adds */
		e = memmem(v, (size_t) (end - v), " SSL enabled", 12);
		if (e == NULL)
			e = memmem(v, (size_t) (end - v), " GSS (", 6);
		if (e == NULL)
			e = end;
	}
	else
		for (e = v; e < end && *e != ' '; e++)
			;
	return e > v ? xstrndup(v, (size_t) (e - v)) : NULL;
}

/*
 * The user, database and application that connection and disconnection
 * messages of the lines state, for telling which literal word is which.
 */
static void
collect_stated_names(learn_input *in)
{
	for (int i = 0; i < in->n && in->nstated < MAX_STATED; i++)
	{
		long		at = prefix_find_severity(in->lines[i], in->lens[i], PREFIX_MAX_BYTES);
		const char *msg;
		size_t		len;
		bool		authorized;

		if (at < 0 || (msg = memchr(in->lines[i] + at, ' ', in->lens[i] - (size_t) at)) == NULL)
			continue;
		while (*msg == ' ')
			msg++;
		len = in->lens[i] - (size_t) (msg - in->lines[i]);
		authorized = len > 22 && memcmp(msg, "connection authorized:", 22) == 0;
		if (!authorized && !(len > 14 && memcmp(msg, "disconnection:", 14) == 0))
			continue;
		in->stated[in->nstated].line = i;
		in->stated[in->nstated].user = stated_value(msg, len, "user=", false);
		in->stated[in->nstated].database = stated_value(msg, len, "database=", false);
		in->stated[in->nstated].app = authorized ? stated_value(msg, len, "application_name=", true) : NULL;
		in->nstated++;
	}
}

static void
free_stated_names(learn_input *in)
{
	for (int i = 0; i < in->nstated; i++)
	{
		free(in->stated[i].user);
		free(in->stated[i].database);
		free(in->stated[i].app);
	}
}

/* +1 when the name read is the stated one, -1 when another is read, 0 otherwise. */
static int
agree(const char *stated, const char *read)
{
	if (stated == NULL || read == NULL)
		return 0;
	return strcmp(stated, read) == 0 ? 1 : -1;
}

/* Whether prefix text t pads an escape ("%-10u", "%5p"). */
static bool
has_padding(const char *t)
{
	for (size_t j = 0, ulen; t[j] != '\0'; j += ulen)
		if ((ulen = unit_len(t, j)) > 2)
			return true;
	return false;
}

/*
 * Verify candidate text against the input: how many lines (written
 * exactly, for a padded one), how well it agrees.
 */
static reading
verify(const char *text, const learn_input *in)
{
	reading		r = {.text = text};
	log_prefix *p = prefix_compile(text, NULL);
	log_record	rec;
	strbuf		store;
	size_t		msg;

	if (p == NULL)
		return r;
	r.matches = has_padding(text) ? prefix_count_written(p, in->lines, in->lens, in->n) :
		prefix_count_matches(p, in->lines, in->lens, in->n);
	strbuf_init(&store);
	for (int i = 0; i < in->nstated; i++)
	{
		log_record_clear(&rec);
		strbuf_reset(&store);
		if (prefix_match(p, in->lines[in->stated[i].line], in->lens[in->stated[i].line], &rec, &store, &msg) < 0)
			continue;
		r.agreement += agree(in->stated[i].user, rec.user) + agree(in->stated[i].database, rec.dbname) +
			agree(in->stated[i].app, rec.app);
	}
	strbuf_free(&store);
	prefix_free(p);
	return r;
}

/* Literal chars of prefix text t ("%%" is one; a padding's digits are none). */
static size_t
literal_chars(const char *t)
{
	size_t		n = 0;

	for (size_t j = 0, ulen; t[j] != '\0'; j += ulen)
		n += unit_literal(t, j, ulen = unit_len(t, j)) != 0;
	return n;
}

/* Escapes after the first %q of prefix text t: those that lines may lack. */
static int
optional_escapes(const char *t)
{
	for (size_t j = 0; t[j] != '\0'; j += unit_len(t, j))
		if (t[j] == '%' && t[j + 1] == 'q')
			return prefix_count_escapes(t + j + 2, "", 0);
	return 0;
}

/*
 * Whether reading a beats b: more lines matched; on a tie, better
 * agreement with the names the messages state; then fewer %q (a %q makes
 * the rest optional, so a junk tail after it matches as much as the right
 * reading), and fewer fields after it (the lines without a session match
 * the fields they show blank, with padding, as well as a %q before them);
 * then more fields (a user name every sample line shares looks as literal
 * as a label, but is a field); then less literal text.
 */
static bool
better_reading(const reading *a, const reading *b)
{
	int			ea,
				eb,
				qa,
				qb;

	if (b->text == NULL)
		return true;
	if (a->matches != b->matches)
		return a->matches > b->matches;
	if (a->agreement != b->agreement)
		return a->agreement > b->agreement;
	qa = prefix_count_escapes(a->text, "q", 1);
	qb = prefix_count_escapes(b->text, "q", 1);
	if (qa != qb)
		return qa < qb;
	qa = optional_escapes(a->text);
	qb = optional_escapes(b->text);
	if (qa != qb)
		return qa < qb;
	ea = prefix_count_escapes(a->text, "%q", 0);
	eb = prefix_count_escapes(b->text, "%q", 0);
	if (ea != eb)
		return ea > eb;
	return literal_chars(a->text) < literal_chars(b->text);
}

/*
 * The best reading of c[from..) (better_reading), and in *plain (when not
 * NULL) the best without padding; text NULL when there is none.
 */
static reading
best_candidate(const candidates *c, int from, const learn_input *in, reading *plain)
{
	reading		best = {0};

	if (plain != NULL)
		*plain = best;
	for (int i = from; i < c->n; i++)
	{
		reading		r = verify(c->text[i], in);

		if (better_reading(&r, &best))
			best = r;
		if (plain != NULL && !has_padding(r.text) && better_reading(&r, plain))
			*plain = r;
	}
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

/*
 * The sample with the most bytes other than spaces before its severity:
 * padding makes every line as long as the others, so the longest may be a
 * line whose names are all blank.
 */
static const sample *
fullest_sample(const sample *marked, int nmarked, const char *const *lines)
{
	const sample *best = &marked[0];
	long		most = -1;

	for (int i = 0; i < nmarked; i++)
	{
		long		filled = 0;

		for (long k = 0; k < marked[i].prefix_len; k++)
			filled += lines[marked[i].line][k] != ' ';
		if (filled > most || (filled == most && marked[i].line < best->line))
			best = &marked[i], most = filled;
	}
	return best;
}

/* Variants of c[from..) with the padding of their fields learned from the lines. */
static void
add_padded_variants(candidates *c, int from, const learn_input *in)
{
	int			to = c->n;

	for (int i = from; i < to; i++)
	{
		char	   *padded = prefix_learn_padding(c->text[i], in->lines, in->lens, in->n);

		if (padded != NULL)
			add_candidate(c, padded, strlen(padded));
		free(padded);
	}
}

char *
prefix_learn(const char *const *lines, const size_t *lens, int n, int *matched)
{
	sample	   *marked = xcalloc((size_t) n + 1, sizeof(sample));
	int			nmarked = 0;
	candidates	c = {.n = 0};
	learn_input in = {.lines = lines, .lens = lens, .n = n};
	reading		best = {0};
	char	   *result;

	*matched = 0;
	for (int i = 0; i < n; i++)
	{
		long		at = prefix_find_severity(lines[i], lens[i], PREFIX_MAX_BYTES);

		if (at >= 0)
			marked[nmarked++] = (sample) {i, at};
	}
	collect_stated_names(&in);
	/* the line with the most fields first */
	qsort(marked, (size_t) nmarked, sizeof(sample), by_prefix_len_desc);
	for (int s = 0; s < MAX_SAMPLES && nmarked > 0; s++)
	{
		const sample *sm = s == 3 ? fullest_sample(marked, nmarked, lines) :
			&marked[s == 0 ? 0 : s == 1 ? nmarked - 1 : nmarked / 2];
		char	   *t = prefix_read_line(lines[sm->line], (size_t) sm->prefix_len);
		int			first = c.n;
		reading		pick,
					plain,
					q_pick;

		/* the plain reading, its words read as names, padding; then %q on the best of them */
		add_candidate(&c, t, strlen(t));
		add_word_variants(&c, t);
		add_padded_variants(&c, first, &in);
		free(t);
		pick = best_candidate(&c, first, &in, &plain);
		if (pick.text == NULL)
			continue;
		first = c.n;
		add_q_variants(&c, pick.text);
		/* padding was learned from the lines a reading without %q matches: try %q without it too */
		if (plain.text != NULL && plain.text != pick.text)
			add_q_variants(&c, plain.text);
		q_pick = best_candidate(&c, first, &in, NULL);
		if (q_pick.text != NULL && q_pick.matches > pick.matches)
			pick = q_pick;
		if (pick.matches > 0 && better_reading(&pick, &best))
			best = pick;
	}
	result = best.text ? xstrdup(best.text) : nmarked > 0 ? xstrdup(c.text[0]) : NULL;
	*matched = best.text ? best.matches : 0;
	for (int i = 0; i < c.n; i++)
		free(c.text[i]);
	free_stated_names(&in);
	free(marked);
	return result;
}
