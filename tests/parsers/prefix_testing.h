/*-------------------------------------------------------------------------
 * prefix_testing.h
 *    Test helper: whether a learned log_line_prefix reads lines as the
 *    server's setting does.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_PREFIX_TESTING_H
#define PGSIFT_PREFIX_TESTING_H

#include <stddef.h>

/*
 * How many of lines[0..n) (lens: their lengths) the prefix `learned` does
 * not read as `setting` does: a different match, message offset or any
 * prefix field; with unmatched_differs, a line neither matches counts too.
 * Each such line is printed.  Both prefixes must compile (asserted).
 */
int			prefix_test_different_readings(const char *setting, const char *learned, const char *const *lines,
										   const size_t *lens, int n, int unmatched_differs);

#endif
