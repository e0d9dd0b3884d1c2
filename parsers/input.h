/*-------------------------------------------------------------------------
 * input.h
 *    Line source over plain or compressed files and stdin.
 *
 * input_open() recognises gzip, bzip2 and zstd by their magic bytes (the
 * file name is not trusted) and decompresses on the fly; gzip and bzip2
 * files made of several concatenated members are read to the end.  Lines
 * are handed out one at a time without their newline ("\r\n" also
 * accepted; a lone "\r" is data); the pointer stays valid until the next
 * call on the same input.  Lines are bytes: they may hold NULs, and
 * line[len] is always a NUL added by the reader.  Lines have no length
 * limit up to INPUT_MAX_LINE; a longer line is cut there, the rest skipped
 * up to its newline, and counted in input_lines_too_long().
 *
 * A read or decompression error (e.g. a truncated .gz) ends the input
 * early: every complete line before the break is returned, the partial
 * line at the break is dropped, input_next_line returns -1 once (0 after
 * that), and input_error(), input_error_detail() and input_error_hint()
 * give the parts of the message for the caller to print, e.g.
 *
 *     diag_error(input_error_detail(in), input_error_hint(in),
 *                "could not read log file \"%s\": %s", path, input_error(in));
 *
 * Errors at open time are printed by input_open itself.
 *
 * An input_file is used by one thread at a time; distinct inputs are
 * independent.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_INPUT_H
#define PGSIFT_INPUT_H

#include <stddef.h>
#include <stdint.h>

#define INPUT_MAX_LINE (256u * 1024 * 1024)

typedef enum input_compression
{
	INPUT_PLAIN = 0,
	INPUT_GZIP,
	INPUT_BZIP2,
	INPUT_ZSTD
} input_compression;

typedef struct input_file input_file;

/*
 * Open path ("-" is stdin).  On failure (missing, unreadable, a directory,
 * a read error in the first bytes) returns NULL and prints an error in
 * pgsift's style (primary/detail/hint) itself.  An empty file is not an
 * error: it gives no lines.  Free with input_close().
 */
input_file *input_open(const char *path);

/*
 * Open part of an uncompressed regular file, for parallel ingestion.  The
 * lines returned are exactly those whose first byte lies in [start, end)
 * (end 0: to EOF):
 *  - reading begins at byte start itself; the caller must place start at
 *    a line start (just after a '\n', or 0).  If it does not, the first
 *    line returned is the tail of the line that crosses start.
 *  - a line that starts before end is returned whole, even if it runs
 *    past end; so ranges [a, b) and [b, c) with b at a line start return
 *    every line of [a, c) exactly once.
 * Line numbers start at first_line; input_offset() is the absolute file
 * offset; input_raw_offset()/input_raw_size() count bytes of the range.
 * A compressed file, a pipe or a directory is refused: NULL and an error
 * printed, as for input_open.
 */
input_file *input_open_range(const char *path, uint64_t start, uint64_t end, uint64_t first_line);

/*
 * Read at most about `bytes` at a time from now on (0: a buffer's worth),
 * for a caller that wants a few lines of a large file: a read of a whole
 * buffer maps in and copies a megabyte.  A longer line is still read whole.
 */
void		input_limit_reads(input_file *in, size_t bytes);

/*
 * Where a range opened by input_open_range stops: lines starting at or
 * after it are not read (UINT64_MAX for an input opened whole).
 */
uint64_t	input_range_end(const input_file *in);

/*
 * Stop a range earlier: at end, which must be a line start at or after
 * input_offset() (where the next line starts) and not past the current
 * end; a later end is ignored.  For the thread reading `in` only.
 */
void		input_set_range_end(input_file *in, uint64_t end);

/*
 * Next line: 1 with *line and *len set, 0 at end of input, -1 on a read or
 * decompression error (see input_error; the input is then at its end).
 */
int			input_next_line(input_file *in, const char **line, size_t *len);

/* 1-based number of the line last returned (first_line - 1 before any). */
uint64_t	input_line_number(const input_file *in);

/*
 * Uncompressed bytes consumed through the end of the line last returned,
 * its newline included; i.e. where the next line starts.  A value from
 * here is what input_skip() takes to resume.
 */
uint64_t	input_offset(const input_file *in);

/* Compressed (on-disk) bytes consumed so far, for progress reporting. */
uint64_t	input_raw_offset(const input_file *in);

/* Size on disk, or 0 when unknown (pipes). */
uint64_t	input_raw_size(const input_file *in);

input_compression input_get_compression(const input_file *in);

/* "plain", "gzip", "bzip2" or "zstd". */
const char *input_compression_name(input_compression c);

/* Name given to input_open ("-" shown as "stdin"). */
const char *input_name(const input_file *in);

/*
 * After a -1 from input_next_line or input_skip: what broke, as the end of
 * a primary message, e.g. "unexpected end of compressed data" or "corrupt
 * gzip data (invalid block type)"; the file name is the caller's to add.
 * NULL when nothing broke.  Owned by the input.
 */
const char *input_error(const input_file *in);

/*
 * After an error: where it broke, as a DETAIL, e.g. "1,234 lines were
 * read up to uncompressed byte offset 56,789; they are kept."  NULL when
 * nothing broke.  Owned by the input.
 */
const char *input_error_detail(const input_file *in);

/* After an error: what the user can do, as a HINT; may be NULL. */
const char *input_error_hint(const input_file *in);

/* Lines cut at the line limit so far. */
uint64_t	input_lines_too_long(const input_file *in);

/*
 * Skip forward until input_offset() == offset (resume after a stored run;
 * offset should come from input_offset, i.e. be a line start).  The lines
 * skipped are counted, so line numbers stay true; the bytes are read, not
 * seeked (for a plain file whose line count is known, input_open_range
 * with end 0 resumes without reading).  Returns 0, or -1 if the input ends
 * or breaks (see input_error) before offset, or is already past it.
 */
int			input_skip(input_file *in, uint64_t offset);

/*
 * Set the line limit for inputs opened afterwards; 0, or anything above
 * INPUT_MAX_LINE, gives INPUT_MAX_LINE.  Meant for tests, which cannot
 * afford 256 MiB lines; not thread-safe.
 */
void		input_set_max_line(size_t max_line);

/* Close the file (never stdin) and free everything; NULL is allowed. */
void		input_close(input_file *in);

#endif
