/*-------------------------------------------------------------------------
 * prefix_learn.h
 *    Internals of prefix learning shared by prefix_read.c (one line's
 *    reading) and prefix_learn.c (variants and verification).
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_PREFIX_LEARN_H
#define PGSIFT_PREFIX_LEARN_H

#include "parsers/prefix.h"

#include <stdbool.h>
#include <stddef.h>

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

/* End of the run of chars of s[i..n) satisfying pred. */
static inline size_t
run(const char *s, size_t i, size_t n, bool (*pred) (char))
{
	while (i < n && pred(s[i]))
		i++;
	return i;
}

/*
 * The log_line_prefix that text[0..n) (a line's text before its severity)
 * reads as, every value that is not recognised kept literal (malloc'd).
 */
char	   *prefix_read_line(const char *text, size_t n);

/*
 * The reading text with padding learned from lines[0..n): runs of spaces
 * around its fields read as their padding ("%u   %p" as "%-10u %p") where
 * that writes more of the lines as they are.  Returns the malloc'd
 * padded prefix, or NULL when no padding explains the lines better.
 */
char	   *prefix_learn_padding(const char *text, const char *const *lines, const size_t *lens, int n);

/*
 * Lines of lines[0..n) whose prefix p writes exactly as it stands, its
 * padding included: the compiled pattern reads padding leniently (any
 * run of spaces), which would let a wrong width match as many lines as
 * the right one.
 */
int			prefix_count_written(log_prefix *p, const char *const *lines, const size_t *lens, int n);

#endif
