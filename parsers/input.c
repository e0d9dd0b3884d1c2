/*-------------------------------------------------------------------------
 * input.c
 *    Line source over plain or compressed files and stdin.
 *
 * This is the first stage of every run, so it is built for throughput:
 * one memchr per line over a large buffer, no allocation and no copy per
 * line.  Bytes flow as
 *
 *     fd --read--> raw (compressed only) --decode--> buf --memchr--> lines
 *
 * buf[start, end) holds the bytes not yet handed out.  When no newline is
 * left in it, the partial line is moved to the front and the rest of buf
 * is refilled by one large read (a plain file is read straight into buf)
 * or one decoder call.  buf grows only while a single line does not fit,
 * and never beyond the line limit plus one read: past the limit the line
 * is returned cut, and the rest of it is read into the space after the
 * cut and dropped, so a runaway line costs bounded memory.
 *
 * The decoder is chosen by the first bytes of the stream; the decoders
 * (gzip, bzip2, zstd) are parsers/input_decode.c.
 *-------------------------------------------------------------------------
 */
#include "parsers/input_private.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"
#include "src/lib/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The line limit for inputs opened from now on (input_set_max_line). */
static size_t max_line_setting = INPUT_MAX_LINE;


/* v with thousands separators, into out (at least 32 bytes). */
static const char *
format_count(uint64_t v, char *out)
{
	char		digits[24];
	int			n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long) v);
	int			o = 0;

	for (int i = 0; i < n; i++)
	{
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

/* Called where -1 reaches the caller: the position is final now. */
static int
report_failure(input_file *in)
{
	char		lines[32],
				bytes[32];
	strbuf		sb;

	if (in->failure_returned)
		return 0;
	in->failure_returned = 1;
	strbuf_init(&sb);
	strbuf_printf(&sb, "%s %s read up to %sbyte offset %s; they are kept.",
				  format_count(in->lineno, lines),
				  in->lineno == 1 ? "line was" : "lines were",
				  in->compression == INPUT_PLAIN ? "" : "uncompressed ",
				  format_count(in->offset, bytes));
	in->detail = strbuf_detach(&sb);
	return -1;
}

/* Put up to room decoded bytes at out; 0 at the end, -1 on failure. */
static ssize_t
fill(input_file *in, char *out, size_t room)
{
	ssize_t		n;

	if (in->failed)
		return -1;
	if (in->eof)
		return 0;
	if (in->compression == INPUT_PLAIN)
	{
		n = input_read_retry(in->fd, out, room);
		if (n < 0)
			return input_failure(in, input_io_hint, "%s", strerror(errno));
		in->raw_read += (uint64_t) n;
	}
	else
		n = input_fill_decoded(in, out, room);
	if (n == 0)
		in->eof = 1;
	return n;
}

static void
grow_buffer(input_file *in, size_t want)
{
	if (want <= in->cap)
		return;
	in->buf = xrealloc(in->buf, want);
	in->cap = want;
}

/* Move the unconsumed bytes to the front of buf. */
static void
compact(input_file *in)
{
	if (in->start == 0)
		return;
	memmove(in->buf, in->buf + in->start, in->end - in->start);
	in->end -= in->start;
	in->scan -= in->start;
	in->start = 0;
}

/* Make room after the partial line and read more (a failure: in->failed). */
static void
refill(input_file *in)
{
	ssize_t		n;

	compact(in);
	if (in->cap - 1 - in->end < MIN_READ)
	{
		size_t		want = in->cap * 2;

		grow_buffer(in, want < in->max_cap ? want : in->max_cap);
	}
	size_t		room = in->cap - 1 - in->end;

	if (in->read_max > 0 && room > in->read_max)
		room = in->read_max;
	n = fill(in, in->buf + in->end, room);
	if (n > 0)
		in->end += (size_t) n;
}

/* Hand out buf[start, start + n) with the next line beginning at next. */
static int
hand_out(input_file *in, size_t n, size_t next, const char **line, size_t *len)
{
	char	   *p = in->buf + in->start;

	if (n > in->max_line)
	{
		n = in->max_line;
		in->too_long++;
	}
	p[n] = '\0';
	*line = p;
	*len = n;
	in->lineno++;
	in->offset += next - in->start;
	in->start = in->scan = next;
	return 1;
}

/*
 * The pending line is past the limit and its newline is not in sight:
 * hand out its first max_line bytes and drop the rest, reading it into
 * the space after the cut (which the line handed out does not use).
 */
static int
hand_out_cut(input_file *in, const char **line, size_t *len)
{
	size_t		keep = in->max_line + 1;	/* the cut, and its NUL */
	uint64_t	consumed;

	compact(in);
	grow_buffer(in, in->max_cap);
	consumed = in->end;
	in->end = in->start = in->scan = keep;
	for (;;)
	{
		ssize_t		n = fill(in, in->buf + keep, in->cap - 1 - keep);
		char	   *nl;

		if (n <= 0)				/* the line ran to the end of input */
			break;
		nl = memchr(in->buf + keep, '\n', (size_t) n);
		if (nl != NULL)
		{
			consumed += (uint64_t) (nl + 1 - (in->buf + keep));
			in->end = keep + (size_t) n;
			in->start = in->scan = (size_t) (nl + 1 - in->buf);
			break;
		}
		consumed += (uint64_t) n;
	}
	in->buf[in->max_line] = '\0';
	*line = in->buf;
	*len = in->max_line;
	in->lineno++;
	in->too_long++;
	in->offset += consumed;
	return 1;
}

int
input_next_line(input_file *in, const char **line, size_t *len)
{
	for (;;)
	{
		char	   *nl;
		size_t		pending;

		if (in->offset >= in->limit)
			return 0;
		nl = memchr(in->buf + in->scan, '\n', in->end - in->scan);
		if (nl != NULL)
		{
			size_t		at = (size_t) (nl - in->buf);
			size_t		n = at - in->start;

			if (n > 0 && nl[-1] == '\r')
				n--;
			return hand_out(in, n, at + 1, line, len);
		}
		in->scan = in->end;
		pending = in->end - in->start;

		/* + 1: a '\r' at the end may yet be followed by its '\n' */
		if (pending > in->max_line + 1)
			return hand_out_cut(in, line, len);
		if (in->failed)
		{
			/* the line the break cut short is not a line: drop it */
			in->start = in->scan = in->end;
			return report_failure(in);
		}
		if (in->eof)
			return pending > 0 ? hand_out(in, pending, in->end, line, len) : 0;
		refill(in);
	}
}

int
input_skip(input_file *in, uint64_t offset)
{
	if (offset < in->offset)
		return -1;
	while (in->offset < offset)
	{
		size_t		take;
		const char *p;
		const char *stop;

		if (in->start == in->end)
		{
			ssize_t		n;

			in->start = in->end = in->scan = 0;
			n = fill(in, in->buf, in->cap - 1);
			if (n < 0)
				report_failure(in);
			if (n <= 0)
				return -1;
			in->end = (size_t) n;
		}
		take = in->end - in->start;
		if (take > offset - in->offset)
			take = (size_t) (offset - in->offset);
		p = in->buf + in->start;
		stop = p + take;
		while ((p = memchr(p, '\n', (size_t) (stop - p))) != NULL)
		{
			in->lineno++;
			p++;
		}
		in->start += take;
		in->scan = in->start;
		in->offset += take;
	}
	return 0;
}

/*
 * Read the first bytes into buf, pick the decoder from them, and for a
 * compressed stream move them over to raw.  A pipe may deliver the magic
 * in pieces, hence the loop.  The first read asks for MIN_READ bytes, not
 * a whole buffer: format detection wants a few lines, and the buffer's
 * pages are mapped in only as they are filled.
 */
static int
sniff_compression(input_file *in)
{
	size_t		first = MIN_READ < in->cap - 1 ? MIN_READ : in->cap - 1;

	while (in->end < 4)
	{
		ssize_t		n = fill(in, in->buf + in->end, first - in->end);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		in->end += (size_t) n;
	}
	in->compression = input_compression_from_magic((unsigned char *) in->buf, in->end);
	if (in->compression == INPUT_PLAIN)
		return 0;
	in->raw = xmalloc(BUF_SIZE);
	memcpy(in->raw, in->buf, in->end);
	in->raw_len = in->end;
	in->raw_eof = in->eof;
	in->eof = 0;
	in->end = 0;
	if (input_start_decoder(in) < 0)
		return input_failure(in, NULL, "could not start the %s decoder: out of memory",
						   input_compression_name(in->compression));
	return 0;
}

static input_file *
input_new(int fd, int is_stdin, const char *name)
{
	input_file *in = xcalloc(1, sizeof(*in));

	in->fd = fd;
	in->is_stdin = is_stdin;
	in->name = xstrdup(is_stdin ? "stdin" : name);
	in->max_line = max_line_setting;
	in->cap = BUF_SIZE;
	in->max_cap = in->max_line + 2 + MIN_READ;
	if (in->max_cap < in->cap)
		in->max_cap = in->cap;
	in->buf = xmalloc(in->cap);
	in->limit = UINT64_MAX;
	return in;
}

/* Open and check that path is something we can read lines from. */
static int
open_log_file(const char *path, struct stat *st)
{
	int			fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
	{
		int			e = errno;

		diag_hint("%s", e == ENOENT ? "Check the path; PostgreSQL writes its logs under the data directory's log/ or /var/log/postgresql/." :
				   e == EACCES ? "pgsift needs read access to the file; run it as a user that can read the logs (e.g. postgres), or copy them." :
				   NULL);
		errno = e;
		diag_error("could not open log file \"%s\": %m", path);
		return -1;
	}
	if (fstat(fd, st) != 0)
	{
		diag_error("could not stat log file \"%s\": %m", path);
		close(fd);
		return -1;
	}
	if (S_ISDIR(st->st_mode))
	{
		strbuf		hint;

		strbuf_init(&hint);
		strbuf_printf(&hint, "Name the log files inside it instead, e.g. \"%s/*.log\".", path);
		diag_hint("%s", hint.data);
		diag_error("could not read log file \"%s\": it is a directory", path);
		strbuf_free(&hint);
		close(fd);
		return -1;
	}
	return fd;
}

input_file *
input_open(const char *path)
{
	int			is_stdin = strcmp(path, "-") == 0;
	struct stat st;
	input_file *in;
	int			fd;

	if (is_stdin)
	{
		fd = STDIN_FILENO;
		if (fstat(fd, &st) != 0)
			memset(&st, 0, sizeof(st));
	}
	else if ((fd = open_log_file(path, &st)) < 0)
		return NULL;

	in = input_new(fd, is_stdin, path);
	if (S_ISREG(st.st_mode))
	{
		in->raw_size = (uint64_t) st.st_size;
		(void) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	if (sniff_compression(in) < 0)
	{
		if (is_stdin)
		{
			diag_hint("%s", in->hint);
			diag_error("could not read standard input: %s", in->error);
		}
		else
		{
			diag_hint("%s", in->hint);
			diag_error("could not read log file \"%s\": %s", path, in->error);
		}
		input_close(in);
		return NULL;
	}
	return in;
}

input_file *
input_open_range(const char *path, uint64_t start, uint64_t end, uint64_t first_line)
{
	unsigned char magic[4];
	struct stat st;
	const char *refusal = NULL;
	input_file *in;
	ssize_t		n;
	int			fd = open_log_file(path, &st);

	if (fd < 0)
		return NULL;
	if (!S_ISREG(st.st_mode))
		refusal = "it is not a regular file";
	else if ((n = pread(fd, magic, sizeof(magic), 0)) > 0 &&
			 input_compression_from_magic(magic, (size_t) n) != INPUT_PLAIN)
		refusal = "it is compressed";
	if (refusal != NULL)
	{
		diag_hint("Only uncompressed regular files can be split for parallel reading.");
		diag_error("cannot read log file \"%s\" in ranges: %s", path, refusal);
		close(fd);
		return NULL;
	}
	if (end == 0 || end > (uint64_t) st.st_size)
		end = (uint64_t) st.st_size;
	if (start > end)
		start = end;
	/* cannot fail: a regular file, and start is within it */
	(void) lseek(fd, (off_t) start, SEEK_SET);
	(void) posix_fadvise(fd, (off_t) start, 0, POSIX_FADV_SEQUENTIAL);
	in = input_new(fd, 0, path);
	in->offset = in->range_start = start;
	in->limit = end;
	in->raw_size = end - start;
	in->lineno = first_line > 0 ? first_line - 1 : 0;
	return in;
}

void
input_limit_reads(input_file *in, size_t bytes)
{
	in->read_max = bytes;
}

uint64_t
input_range_end(const input_file *in)
{
	return in->limit;
}

void
input_set_range_end(input_file *in, uint64_t end)
{
	if (end < in->offset || end >= in->limit)
		return;
	in->limit = end;
	in->raw_size = end - in->range_start;
}

uint64_t
input_line_number(const input_file *in)
{
	return in->lineno;
}

uint64_t
input_offset(const input_file *in)
{
	return in->offset;
}

uint64_t
input_raw_offset(const input_file *in)
{
	uint64_t	done;

	if (in->compression != INPUT_PLAIN)
		return in->raw_read - (in->raw_len - in->raw_pos);
	/* plain: what the lines handed out cover (a range may end past its end) */
	done = in->offset - in->range_start;
	if (in->limit != UINT64_MAX && done > in->raw_size)
		done = in->raw_size;
	return done;
}

uint64_t
input_raw_size(const input_file *in)
{
	return in->raw_size;
}

input_compression
input_get_compression(const input_file *in)
{
	return in->compression;
}

const char *
input_compression_name(input_compression c)
{
	static const char *const names[] = {"plain", "gzip", "bzip2", "zstd"};

	return (unsigned) c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

const char *
input_name(const input_file *in)
{
	return in->name;
}

const char *
input_error(const input_file *in)
{
	return in->failed ? in->error : NULL;
}

const char *
input_error_detail(const input_file *in)
{
	return in->detail;
}

const char *
input_error_hint(const input_file *in)
{
	return in->failed ? in->hint : NULL;
}

uint64_t
input_lines_too_long(const input_file *in)
{
	return in->too_long;
}

void
input_set_max_line(size_t max_line)
{
	max_line_setting = max_line > 0 && max_line < INPUT_MAX_LINE ? max_line : INPUT_MAX_LINE;
}

void
input_close(input_file *in)
{
	if (in == NULL)
		return;
	input_end_decoder(in);
	if (!in->is_stdin)
		close(in->fd);
	free(in->buf);
	free(in->raw);
	free(in->name);
	free(in->error);
	free(in->detail);
	free(in);
}
