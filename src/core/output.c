/*-------------------------------------------------------------------------
 * output.c
 *    Opening and finishing report outputs, with their write errors
 *    reported (output.h).
 *
 * An existing report file is written over in place and cut to the new
 * report's length when it is finished, rather than truncated when it is
 * opened: truncating frees the previous report's pages and blocks, and on
 * ext4 waits for a journal transaction, which took 1.1-7.8 ms of a 280 ms
 * run (docs/performance.md); writing over them reuses both.
 *-------------------------------------------------------------------------
 */
#include "src/core/output.h"
#include "src/core/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
is_stdout_path(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

FILE *
output_open(const char *path)
{
	FILE	   *out;
	int			fd;

	if (is_stdout_path(path))
		return stdout;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 || (out = fdopen(fd, "w")) == NULL)
	{
		int			err = errno;

		if (fd >= 0)
			close(fd);
		errno = err;
		diag_hint("Check that the directory exists and that you may write to it.");
		diag_error("could not open output file \"%s\": %m", path);
		return NULL;
	}
	return out;
}

/*
 * Cut the regular file behind out, flushed, where its writing stopped:
 * the end of this report, or of what a failed write left of it (the
 * file's offset counts only bytes written); 0, or the errno.
 */
static int
cut_at_end(FILE *out)
{
	int			fd = fileno(out);
	struct stat st;
	off_t		end;

	if (fstat(fd, &st) != 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return 0;
	if ((end = lseek(fd, 0, SEEK_CUR)) < 0)
		return errno;
	if (end < st.st_size && ftruncate(fd, end) != 0)
		return errno;
	return 0;
}

/*
 * Flush (and close, unless stdout) f; 0, or the errno of the failure.  A
 * stream whose earlier write failed (ferror) and has nothing left to
 * flush gives the errno of that write, which the caller read before
 * anything else could change it (earlier_errno), or EIO without one.
 */
static int
flush_and_close(FILE *f, int earlier_errno)
{
	int			failed_before = ferror(f);
	int			err = 0;

	errno = 0;
	if (fflush(f) != 0)
		err = errno ? errno : EIO;
	if (f != stdout)
	{
		int			cut_err = cut_at_end(f);

		if (err == 0)
			err = cut_err;
		errno = 0;
		if (fclose(f) != 0 && err == 0)
			err = errno ? errno : EIO;
	}
	if (err == 0 && failed_before)
		err = earlier_errno ? earlier_errno : EIO;
	return err;
}

static void
report_write_error(const char *path, int err)
{
	errno = err;
	if (err == ENOSPC || err == EDQUOT)
		diag_hint("Free space on the file system that holds it (df shows how much is left), or write elsewhere with -o.");
	else
		diag_hint("Check the device or file it goes to; write elsewhere with -o.");
	if (is_stdout_path(path))
		diag_error("could not write to standard output: %m");
	else
		diag_error("could not write to file \"%s\": %m", path);
}

int
output_finish(FILE *out, const char *path)
{
	int			err = flush_and_close(out, errno);

	if (err == 0)
		return PGSIFT_EXIT_OK;
	report_write_error(out == stdout ? NULL : path, err);
	return PGSIFT_EXIT_WRITE;
}

int
output_close_stdout(int quiet)
{
	int			err = flush_and_close(stdout, errno);

	errno = 0;
	if (fclose(stdout) != 0 && err == 0)
		err = errno ? errno : EIO;
	if (err == 0)
		return 0;
	if (!quiet)
		report_write_error(NULL, err);
	return -1;
}
