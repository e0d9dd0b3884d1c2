/*-------------------------------------------------------------------------
 * prefix_padding.c
 *    Learn the padding of a log_line_prefix's fields ("%-10u", "%5p")
 *    from the runs of spaces around them.
 *
 * PostgreSQL pads a field to N characters with spaces after it (%-N) or
 * before it (%N), and writes a longer value whole.  One line cannot show
 * where a field's padding ends and the prefix's own spaces begin, but the
 * lines together do: "postgres   1234" and "[unknown]  1234" are the same
 * width, which "%-10u %p" explains and "%u   %p" does not.
 *
 * The candidate reading (prefix_read.c, with names from prefix_learn.c)
 * is first made lenient around its runs of spaces: each run next to a
 * field becomes that field's padding of unknown width, so that the
 * compiled prefix (prefix.c) finds every field's value in every line
 * however the spaces fall.  Then the runs are decided left to right: for
 * each, the field before it may be left-aligned to some width, the field
 * after it right-aligned, and the run keeps some spaces of its own; the
 * choice is the one that reproduces, byte for byte as PostgreSQL writes
 * it, the most lines up to the next thing that is not a space.  On a tie
 * it keeps no more than one space of the prefix's own; then one space
 * between fields and none inside brackets or before a comma ("[%-6p]",
 * "user=%-12u,", not "[%p ]"); then less padding, then narrower.  So
 * widths that no line shows (pids that all have five digits under %5p)
 * are not learned, and the plain field reads those lines the same.
 *-------------------------------------------------------------------------
 */
#include "parsers/prefix.h"
#include "parsers/prefix_learn.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WIDTHS		16		/* distinct widths tried per side of a run */
#define MAX_OWN_SPACES	4		/* spaces of its own a run is tried with, but for all of them */

/* One unit of a prefix text: a literal char, or an escape and its padding. */
typedef struct unit
{
	char		lit;			/* the literal char; 0 for an escape */
	char		esc;			/* the escape's letter; 0 for a literal */
	int			pad;			/* > 0 right-aligned, < 0 left-aligned */
	int			value;			/* index in a line's values; -1: writes none */
} unit;

typedef struct unit_list
{
	unit	   *u;
	int			n;
} unit_list;

/* A sample line as the lenient prefix reads it, and how far it is explained. */
typedef struct line_state
{
	const char *s;
	size_t		end;			/* offset of the severity word */
	prefix_value *v;
	size_t		pos;			/* explained up to here */
	bool		alive;			/* every unit so far wrote what the line has */
	bool		done;			/* its prefix stopped at a %q, all explained */
} line_state;

typedef struct solver
{
	unit_list	t;
	line_state *lines;
	int			nlines;
} solver;

/* Read prefix text into units ("%%" is the literal '%'); false if it has none. */
static bool
read_units(const char *text, unit_list *t)
{
	size_t		len = strlen(text);

	t->u = xcalloc(len + 1, sizeof(unit));
	t->n = 0;
	for (size_t i = 0; i < len; i++)
	{
		unit	   *u = &t->u[t->n];
		int			sign = 1,
					pad = 0;

		u->value = -1;
		if (text[i] != '%' || text[i + 1] == '%')
		{
			u->lit = text[i];
			i += text[i] == '%';
			t->n++;
			continue;
		}
		i++;
		if (text[i] == '-')
			sign = -1, i++;
		for (; is_digit(text[i]); i++)
			if (pad < 10000)
				pad = pad * 10 + (text[i] - '0');
		if (text[i] == '\0')
			break;
		u->esc = text[i];
		u->pad = sign * pad;
		t->n++;
	}
	return t->n > 0;
}

/* The text of t: literals ('%' as "%%") and escapes with their padding. */
static char *
units_text(const unit_list *t)
{
	strbuf		sb;

	strbuf_init(&sb);
	for (int i = 0; i < t->n; i++)
	{
		const unit *u = &t->u[i];

		if (u->esc == 0 && u->lit == '%')
			strbuf_puts(&sb, "%%");
		else if (u->esc == 0)
			strbuf_putc(&sb, u->lit);
		else if (u->pad != 0)
			strbuf_printf(&sb, "%%%d%c", u->pad, u->esc);
		else
			strbuf_printf(&sb, "%%%c", u->esc);
	}
	return strbuf_detach(&sb);
}

/* An escape for a field whose width varies (times have one width), so that its padding can show. */
static bool
varies(const unit *u)
{
	return u != NULL && u->esc != 0 && strchr("aubdhrpPxlQecvi", u->esc) != NULL;
}

/* The same, for an escape the lines give a value, and that is not padded already. */
static bool
paddable(const unit *u)
{
	return varies(u) && u->value >= 0 && u->pad == 0;
}

static bool
is_space_unit(const unit *u)
{
	return u->esc == 0 && u->lit == ' ';
}

/* Punctuation a field's padding usually follows ("[%5p", "=%5p") ... */
static bool
opens(const unit *u)
{
	return u != NULL && u->esc == 0 && strchr("([{<|@/=", u->lit) != NULL;
}

/* ... or comes before ("%-6p]", "%-12u,"), with no space of the prefix's own. */
static bool
closes(const unit *u)
{
	return u != NULL && u->esc == 0 && strchr(",;:|)]}>@/=.-", u->lit) != NULL;
}

static const unit *
unit_at(const unit_list *t, int i)
{
	return i >= 0 && i < t->n ? &t->u[i] : NULL;
}

/*
 * The lenient form of t: each run of spaces next to a field becomes that
 * field's padding of width 1 (" *" in the pattern), the field before the
 * run if it is free, else the one after; between two escapes one space
 * stays, so that their values cannot run together.
 */
static char *
lenient_text(const unit_list *t)
{
	unit_list	l = {xcalloc((size_t) t->n + 1, sizeof(unit)), 0};
	char	   *text;

	for (int i = 0; i < t->n;)
	{
		int			j = i;

		while (j < t->n && is_space_unit(&t->u[j]))
			j++;
		if (j == i)
		{
			l.u[l.n++] = t->u[i++];
			continue;
		}

		unit	   *x = l.n > 0 ? &l.u[l.n - 1] : NULL;
		const unit *y = unit_at(t, j);
		bool		x_free = varies(x) && x->pad == 0;
		bool		y_free = varies(y) && y->pad == 0;
		int			keep = j - i;

		if (x_free || y_free)
		{
			keep = x != NULL && x->esc != 0 && y != NULL && y->esc != 0;
			if (x_free)
				x->pad = -1;
		}
		for (int k = 0; k < keep; k++)
			l.u[l.n++] = t->u[i];
		if (!x_free && y_free)
		{
			l.u[l.n] = *y;
			l.u[l.n++].pad = 1;
			j++;
		}
		i = j;
	}
	text = units_text(&l);
	free(l.u);
	return text;
}

/* Number t's escapes by the values v[0..got) of a line (ignored escapes write none). */
static void
number_values(unit_list *t, const prefix_value *v, int got)
{
	for (int u = 0, k = 0; u < t->n; u++)
		if (t->u[u].esc != 0 && k < got && v[k].esc == t->u[u].esc)
			t->u[u].value = k++;
}

/*
 * Number t's escapes by the values the lenient prefix finds in the lines,
 * and keep those lines.  False when no line matches.
 */
static bool
read_lines(solver *sv, const char *lenient, const char *const *lines, const size_t *lens, int n)
{
	log_prefix *p = prefix_compile(lenient, NULL);
	int			nvalues = 0;

	if (p == NULL)
		return false;
	for (int i = 0; i < sv->t.n; i++)
		nvalues += sv->t.u[i].esc != 0;
	sv->lines = xcalloc((size_t) n + 1, sizeof(line_state));
	sv->nlines = 0;
	for (int i = 0; i < n; i++)
	{
		line_state *ls = &sv->lines[sv->nlines];
		int			got;

		ls->v = xcalloc((size_t) nvalues + 1, sizeof(prefix_value));
		got = prefix_match_values(p, lines[i], lens[i], ls->v, nvalues, &ls->end);
		if (got < 0)
		{
			free(ls->v);
			continue;
		}
		if (sv->nlines == 0)
			number_values(&sv->t, ls->v, got);
		ls->s = lines[i];
		ls->alive = true;
		sv->nlines++;
	}
	prefix_free(p);
	return sv->nlines > 0;
}

static void
free_solver(solver *sv)
{
	for (int i = 0; i < sv->nlines; i++)
		free(sv->lines[i].v);
	free(sv->lines);
	free(sv->t.u);
}

/* The value unit u (an escape) has in line ls; NULL for a unit without one. */
static const prefix_value *
value_of(const line_state *ls, const unit *u)
{
	return u != NULL && u->value >= 0 ? &ls->v[u->value] : NULL;
}

static size_t
value_len(const line_state *ls, const unit *u)
{
	const prefix_value *v = value_of(ls, u);

	return v != NULL && v->start >= 0 ? v->len : 0;
}

/*
 * Whether a line with values v stops its prefix at the %q unit qi: its
 * process has no session, so the fields after it are not written.
 */
static bool
stops_at_q(const unit_list *t, int qi, const prefix_value *v)
{
	for (int k = qi + 1; k < t->n; k++)
		if (t->u[k].value >= 0)
			return v[t->u[k].value].start < 0;
	return false;
}

/* Follow unit u (not a space of a run) in every line still explained. */
static void
follow_unit(solver *sv, int ui)
{
	const unit *u = &sv->t.u[ui];

	for (int i = 0; i < sv->nlines; i++)
	{
		line_state *ls = &sv->lines[i];
		const prefix_value *v = value_of(ls, u);

		if (!ls->alive || ls->done)
			continue;
		if (u->esc == 'q' && stops_at_q(&sv->t, ui, ls->v))
		{
			ls->alive = ls->pos == ls->end;
			ls->done = true;
		}
		else if (u->esc == 0)
		{
			ls->alive = ls->pos < ls->end && ls->s[ls->pos] == u->lit;
			ls->pos++;
		}
		else if (v != NULL && v->start >= 0 && v->len > 0)
		{
			ls->alive = (size_t) v->start == ls->pos;
			ls->pos += v->len;
		}
	}
}

/* One way to write a run: the padding of the field before and after it, and its own spaces. */
typedef struct run_choice
{
	int			left;			/* width of the field before, left-aligned; 0: none */
	int			right;			/* width of the field after, right-aligned; 0: none */
	int			spaces;
	int			score;			/* lines written as they are */
} run_choice;

/* The run between units x and y (y NULL: the end of the prefix). */
typedef struct run_at
{
	const unit *x,
			   *y;
	int			len;			/* spaces in the reading */
	int			pref;			/* the spaces a prefix usually has there */
} run_at;

/* Where the run written as c ends in line ls, and whether it is what the line has there. */
static bool
run_fits(const line_state *ls, const run_at *r, const run_choice *c, size_t *next)
{
	size_t		lx = value_len(ls, r->x),
				ly = value_len(ls, r->y);
	size_t		q = ls->pos + (size_t) c->spaces;
	const prefix_value *vy = value_of(ls, r->y);

	if (c->left > 0 && (size_t) c->left > lx)
		q += (size_t) c->left - lx;
	if (c->right > 0 && (size_t) c->right > ly)
		q += (size_t) c->right - ly;
	if (q > ls->end)
		return false;
	for (size_t k = ls->pos; k < q; k++)
		if (ls->s[k] != ' ')
			return false;
	*next = q;
	if (r->y == NULL)
		return q == ls->end;
	if (r->y->esc == 0)
		return q < ls->end && ls->s[q] == r->y->lit;
	/* an empty value may sit anywhere in its spaces: wherever the run puts it */
	return vy == NULL || vy->start < 0 || vy->len == 0 || (size_t) vy->start == q;
}

static int
score_choice(const solver *sv, const run_at *r, const run_choice *c)
{
	int			score = 0;
	size_t		next;

	for (int i = 0; i < sv->nlines; i++)
		if (sv->lines[i].alive && !sv->lines[i].done)
			score += run_fits(&sv->lines[i], r, c, &next);
	return score;
}

/* Whether choice a is better than b (see the file header). */
static bool
better_choice(const run_choice *a, const run_choice *b, const run_at *r)
{
	int			ea = a->spaces > 1 ? a->spaces - 1 : 0,
				eb = b->spaces > 1 ? b->spaces - 1 : 0;
	int			pa = (a->left > 0) + (a->right > 0),
				pb = (b->left > 0) + (b->right > 0);

	if (a->score != b->score)
		return a->score > b->score;
	if (ea != eb)
		return ea < eb;
	if (abs(a->spaces - r->pref) != abs(b->spaces - r->pref))
		return abs(a->spaces - r->pref) < abs(b->spaces - r->pref);
	if (pa != pb)
		return pa < pb;
	return a->left + a->right < b->left + b->right;
}

/* Add w to the set widths[0..*n) unless there or full. */
static void
add_width(int *widths, int *n, long w)
{
	if (w <= 0 || w > 10000)
		return;
	for (int i = 0; i < *n; i++)
		if (widths[i] == w)
			return;
	if (*n < MAX_WIDTHS)
		widths[(*n)++] = (int) w;
}

/* The lines still to explain, whose value of unit u is there and not empty. */
static bool
shows_value(const line_state *ls, const unit *u)
{
	const prefix_value *v = value_of(ls, u);

	return ls->alive && !ls->done && v != NULL && v->start >= 0 && v->len > 0;
}

/*
 * The widths (field and padding, with the run's own spaces still in) that
 * the lines show for the field before the run: from its value to what
 * follows the spaces.
 */
static int
left_widths(const solver *sv, const run_at *r, int *widths)
{
	int			n = 0;

	for (int i = 0; i < sv->nlines; i++)
	{
		const line_state *ls = &sv->lines[i];
		size_t		k = ls->pos;

		if (!shows_value(ls, r->x))
			continue;
		while (k < ls->end && ls->s[k] == ' ')
			k++;
		add_width(widths, &n, (long) k - value_of(ls, r->x)->start);
	}
	return n;
}

/*
 * The widths the lines show for the field after the run, once the field
 * before it is padded to left (0: not) and the run has its spaces: from
 * there to the end of its value.
 */
static int
right_widths(const solver *sv, const run_at *r, int left, int spaces, int *widths)
{
	int			n = 0;

	for (int i = 0; i < sv->nlines; i++)
	{
		const line_state *ls = &sv->lines[i];
		size_t		lx = value_len(ls, r->x);
		long		from = (long) ls->pos + spaces + (left > (int) lx ? left - (long) lx : 0);
		const prefix_value *v = value_of(ls, r->y);

		if (shows_value(ls, r->y))
			add_width(widths, &n, v->start + (long) v->len - from);
	}
	return n;
}

/* Score choice c and keep it in *best if it is better. */
static void
try_choice(const solver *sv, const run_at *r, run_choice c, run_choice *best)
{
	c.score = score_choice(sv, r, &c);
	if (better_choice(&c, best, r))
		*best = c;
}

/* Lines still to explain. */
static int
lines_left(const solver *sv)
{
	int			n = 0;

	for (int i = 0; i < sv->nlines; i++)
		n += sv->lines[i].alive && !sv->lines[i].done;
	return n;
}

/*
 * The best way to write run r, given the lines explained so far: padding
 * on one side, then (when that leaves lines unexplained) on both, with
 * the widths the lines show.
 */
static run_choice
decide_run(const solver *sv, const run_at *r)
{
	run_choice	best = {0, 0, r->len, -1};
	int			lw[MAX_WIDTHS],
				rw[MAX_WIDTHS];
	int			nl = paddable(r->x) ? left_widths(sv, r, lw) : 0;
	int			max_spaces = r->len < MAX_OWN_SPACES ? r->len : MAX_OWN_SPACES;
	bool		right = paddable(r->y);

	/* a few spaces of its own, or all of them (the run as read) */
	for (int k = 0; k <= max_spaces || (k == max_spaces + 1 && r->len > max_spaces); k++)
	{
		int			spaces = k <= max_spaces ? k : r->len;
		int			nr = right ? right_widths(sv, r, 0, spaces, rw) : 0;

		try_choice(sv, r, (run_choice) {0, 0, spaces, 0}, &best);
		for (int w = 0; w < nl; w++)
			if (lw[w] > spaces)
				try_choice(sv, r, (run_choice) {lw[w] - spaces, 0, spaces, 0}, &best);
		for (int w = 0; w < nr; w++)
			try_choice(sv, r, (run_choice) {0, rw[w], spaces, 0}, &best);
	}
	if (best.score == lines_left(sv) || nl == 0 || !right)
		return best;
	for (int spaces = 0; spaces <= max_spaces; spaces++)
		for (int w = 0; w < nl; w++)
		{
			int			left = lw[w] - spaces;
			int			nr = left > 0 ? right_widths(sv, r, left, spaces, rw) : 0;

			for (int k = 0; k < nr; k++)
				try_choice(sv, r, (run_choice) {left, rw[k], spaces, 0}, &best);
		}
	return best;
}

/* Apply choice c to run r in every line: those it explains move to where y starts. */
static void
follow_run(solver *sv, const run_at *r, const run_choice *c)
{
	for (int i = 0; i < sv->nlines; i++)
	{
		line_state *ls = &sv->lines[i];
		size_t		next = ls->pos;

		if (!ls->alive || ls->done)
			continue;
		ls->alive = run_fits(ls, r, c, &next);
		ls->pos = next;
	}
}

/*
 * Decide the run of spaces t[from..to) and write it to out: the padding
 * of the field before it (the last unit of out), the spaces it keeps.
 * Returns the choice, whose right padding is for the unit after it.
 */
static run_choice
write_run(solver *sv, unit_list *out, int from, int to)
{
	unit	   *x = out->n > 0 ? &out->u[out->n - 1] : NULL;
	run_at		r = {x, unit_at(&sv->t, to), to - from, 1};
	run_choice	c = {0, 0, to - from, 0};

	/* one space between fields; none inside brackets and before commas */
	r.pref = !opens(x) && !closes(r.y);
	if (paddable(x) || paddable(r.y))
		c = decide_run(sv, &r);
	follow_run(sv, &r, &c);
	if (c.left > 0)
		x->pad = -c.left;
	for (int k = 0; k < c.spaces; k++)
		out->u[out->n++] = sv->t.u[from];
	return c;
}

/*
 * Decide every run of sv's units in order, writing them to out
 * (escapes get their padding, runs their own spaces); true when some
 * padding was learned.
 */
static bool
solve(solver *sv, unit_list *out)
{
	const unit_list *t = &sv->t;
	bool		padded = false;
	int			right = 0;		/* the padding decided for the next unit */

	out->u = xcalloc((size_t) t->n + 1, sizeof(unit));
	out->n = 0;
	for (int i = 0; i < t->n;)
	{
		int			j = i;

		while (j < t->n && is_space_unit(&t->u[j]))
			j++;
		if (j > i)
		{
			run_choice	c = write_run(sv, out, i, j);

			padded |= c.left + c.right > 0;
			right = c.right;
			i = j;
			continue;
		}
		follow_unit(sv, i);
		out->u[out->n] = t->u[i++];
		if (right > 0)
			out->u[out->n].pad = right;
		out->n++;
		right = 0;
	}
	return padded;
}

/*
 * Whether t has a run of spaces that may hold padding: next to a field,
 * and either of two spaces or more, or between the field and punctuation
 * ("[%p ]").  Runs of one space between fields and words are the
 * prefix's own in nearly every prefix, and are not worth a solve.
 */
static bool
may_be_padded(const unit_list *t)
{
	for (int i = 0; i < t->n; i++)
	{
		const unit *x = unit_at(t, i - 1);
		const unit *y;
		int			j = i;

		while (j < t->n && is_space_unit(&t->u[j]))
			j++;
		if (j == i)
			continue;
		y = unit_at(t, j);
		if ((varies(x) || varies(y)) && (j - i >= 2 || opens(x) || closes(y)))
			return true;
		i = j;
	}
	return false;
}

char *
prefix_learn_padding(const char *text, const char *const *lines, const size_t *lens, int n)
{
	solver		sv = {{NULL, 0}, NULL, 0};
	unit_list	out = {NULL, 0};
	char	   *lenient,
			   *result = NULL;

	if (!read_units(text, &sv.t) || !may_be_padded(&sv.t))
	{
		free(sv.t.u);
		return NULL;
	}
	lenient = lenient_text(&sv.t);
	if (read_lines(&sv, lenient, lines, lens, n) && solve(&sv, &out))
		result = units_text(&out);
	free(out.u);
	free(lenient);
	free_solver(&sv);
	return result;
}

/* Whether t, with a line's values v, writes exactly its prefix line[0..end). */
static bool
writes_line(const unit_list *t, const prefix_value *v, const char *line, size_t end)
{
	size_t		pos = 0;

	for (int i = 0; i < t->n; i++)
	{
		const unit *u = &t->u[i];
		const prefix_value *val = u->value >= 0 ? &v[u->value] : NULL;
		size_t		width = (size_t) abs(u->pad),
					blank;

		if (u->esc == 0)
		{
			if (pos >= end || line[pos++] != u->lit)
				return false;
			continue;
		}
		if (u->esc == 'q' && stops_at_q(t, i, v))
			return pos == end;
		if (val == NULL)
			continue;
		if (val->start < 0)
			return false;
		blank = width > val->len ? width - val->len : 0;
		if (pos + blank + val->len > end)
			return false;
		for (size_t k = 0; k < blank; k++)
			if (line[pos + (u->pad > 0 ? k : val->len + k)] != ' ')
				return false;
		if (val->len > 0 && (size_t) val->start != pos + (u->pad > 0 ? blank : 0))
			return false;
		pos += blank + val->len;
	}
	return pos == end;
}

int
prefix_count_written(log_prefix *p, const char *const *lines, const size_t *lens, int n)
{
	unit_list	t;
	prefix_value *v;
	int			count = 0,
				nvalues = 0;
	bool		numbered = false;

	if (!read_units(prefix_text(p), &t))
	{
		free(t.u);
		return 0;
	}
	for (int i = 0; i < t.n; i++)
		nvalues += t.u[i].esc != 0;
	v = xcalloc((size_t) nvalues + 1, sizeof(prefix_value));
	for (int i = 0; i < n; i++)
	{
		size_t		end;
		int			got = prefix_match_values(p, lines[i], lens[i], v, nvalues, &end);

		if (got < 0)
			continue;
		if (!numbered)
			number_values(&t, v, got);
		numbered = true;
		count += writes_line(&t, v, lines[i], end);
	}
	free(v);
	free(t.u);
	return count;
}
