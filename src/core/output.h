/*-------------------------------------------------------------------------
 * output.h
 *    Where pgsift's reports go, and the one place their write errors are
 *    noticed.
 *
 * A report is written with stdio, which keeps a failed write to itself:
 * the error sits in the stream until it is flushed or closed.  Every
 * output therefore ends in output_finish (a -o file, stdout after a
 * report) or output_close_stdout (at exit, for help, versions and rule
 * pages), which turn a full disk or a broken device into a message with
 * the path and PGSIFT_EXIT_WRITE, never a silent exit 0.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_OUTPUT_H
#define PGSIFT_OUTPUT_H

#include <stdio.h>

/*
 * Open path for a report, or stdout when path is NULL or "-"; a file that
 * exists is not truncated here but written over, and output_finish cuts
 * it to what was written.  Returns NULL after reporting why (diag_error
 * with a hint).
 */
FILE	   *output_open(const char *path);

/*
 * End the report written to out, which output_open returned for path:
 * flush it, cut a regular file where the writing ended (what is left of
 * a previous, longer report goes, also after a failed write), and close
 * it unless it is stdout.  Returns PGSIFT_EXIT_OK, or
 * PGSIFT_EXIT_WRITE after reporting the failed write with the path (or
 * "standard output") and a hint.
 */
int			output_finish(FILE *out, const char *path);

/*
 * At exit: flush and close stdout.  Returns 0, or -1 after reporting a
 * failed write.  A command whose exit code already tells an error calls
 * it too; its message then stands alone (quiet set: nothing printed).
 */
int			output_close_stdout(int quiet);

#endif
