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
 * The decoder is chosen by the first bytes of the stream.  gzip and bzip2
 * files may hold several members (cat a.gz b.gz, pigz, pbzip2); each is
 * decoded in turn, and bytes after the last member that do not begin
 * another are ignored, as gzip -d and bzip2 -d do.  zstd decodes
 * concatenated frames by itself.  A stream that stops inside a member is
 * "unexpected end of compressed data".
 *-------------------------------------------------------------------------
 */
#include "parsers/input.h"
#include "src/lib/arena.h"
#include "src/core/diag.h"
#include "src/lib/strbuf.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define BUF_SIZE	(1024 * 1024)	/* initial line buffer, and raw read size */
#define MIN_READ	(64 * 1024)		/* never refill with less room than this */

static const char *const truncated_hint =
"The file may still be being written, or was cut short when copied; run again on a complete copy.";
static const char *const io_hint =
"Check the disk or network mount that holds the file.";

/* The line limit for inputs opened from now on (input_set_max_line). */
static size_t max_line_setting = INPUT_MAX_LINE;

struct input_file
{
	int			fd;
	int			is_stdin;		/* stdin is not ours to close */
	char	   *name;			/* as given, "-" shown as "stdin" */
	input_compression compression;

	/* decoded bytes: [start, end) not handed out; no '\n' in [start, scan) */
	char	   *buf;
	size_t		cap;			/* buf[cap - 1] is kept free for a NUL */
	size_t		max_cap;
	size_t		start;
	size_t		end;
	size_t		scan;
	size_t		max_line;
	uint64_t	offset;			/* uncompressed offset of buf[start] */
	uint64_t	limit;			/* no line may start at or after this */
	uint64_t	lineno;
	uint64_t	too_long;
	int			eof;			/* no more decoded bytes will come */

	/* compressed bytes read from fd, raw[raw_pos, raw_len) not decoded */
	unsigned char *raw;
	size_t		raw_pos;
	size_t		raw_len;
	int			raw_eof;
	uint64_t	raw_read;
	uint64_t	raw_size;
	uint64_t	range_start;
	int			stream_complete;	/* decoder is between members/frames */
	int			decoder_ready;
	union
	{
		z_stream	z;
		bz_stream	bz;
		ZSTD_DStream *zs;
	}			dec;

	/* set when a read or decode fails; detail once -1 has been returned */
	int			failed;
	int			failure_returned;
	char	   *error;
	char	   *detail;
	const char *hint;
};

static unsigned int
clamp_uint(size_t n)
{
	return n > UINT_MAX ? UINT_MAX : (unsigned int) n;
}

/* Record what broke: fmt gives the reason, hint what to do about it. */
static int	set_failure(input_file *in, const char *hint, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static int
set_failure(input_file *in, const char *hint, const char *fmt,...)
{
	va_list		ap;

	free(in->error);
	va_start(ap, fmt);
	in->error = strbuf_vformat(fmt, ap);
	va_end(ap);
	in->hint = hint;
	in->failed = 1;
	in->eof = 1;
	return -1;
}

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

/* read(2) that retries on EINTR. */
static ssize_t
read_retry(int fd, void *p, size_t n)
{
	ssize_t		r;

	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

static int
read_raw(input_file *in)
{
	ssize_t		n = read_retry(in->fd, in->raw, BUF_SIZE);

	if (n < 0)
		return set_failure(in, io_hint, "%s", strerror(errno));
	in->raw_pos = 0;
	in->raw_len = (size_t) n;
	in->raw_read += (uint64_t) n;
	if (n == 0)
		in->raw_eof = 1;
	return 0;
}

/*
 * Between members: whether raw holds the start of another (first byte
 * magic0).  Bytes after the last member that begin no other are dropped,
 * as gzip -d and bzip2 -d do (tape padding, say).
 */
static int
next_member_follows(input_file *in, unsigned char magic0)
{
	if (in->raw_pos == in->raw_len)
		return 0;
	if (in->raw[in->raw_pos] == magic0)
		return 1;
	in->raw_pos = in->raw_len;
	in->raw_eof = 1;
	return 0;
}

/*
 * One decoder call per codec: decode raw[raw_pos..] into out[0, room),
 * set *produced, advance raw_pos.  Return -1 (failure recorded) on
 * corrupt data; bytes produced before the corruption still count.
 */
static int
gzip_step(input_file *in, char *out, size_t room, size_t *produced)
{
	z_stream   *z = &in->dec.z;
	unsigned int avail = clamp_uint(in->raw_len - in->raw_pos);
	unsigned int space = clamp_uint(room);
	int			rc;

	if (in->stream_complete)
	{
		if (!next_member_follows(in, 0x1f))
			return 0;
		inflateReset(z);
		in->stream_complete = 0;
	}
	z->next_in = in->raw + in->raw_pos;
	z->avail_in = avail;
	z->next_out = (Bytef *) out;
	z->avail_out = space;
	rc = inflate(z, Z_NO_FLUSH);
	in->raw_pos += avail - z->avail_in;
	*produced = space - z->avail_out;
	if (rc == Z_STREAM_END)
		in->stream_complete = 1;
	else if (rc != Z_OK && rc != Z_BUF_ERROR)
		return set_failure(in, "The file is damaged from this point on; \"gzip -t\" shows the same.",
						   "corrupt gzip data (%s)", z->msg ? z->msg : zError(rc));
	return 0;
}

static int
bzip2_step(input_file *in, char *out, size_t room, size_t *produced)
{
	bz_stream  *bz = &in->dec.bz;
	unsigned int avail = clamp_uint(in->raw_len - in->raw_pos);
	unsigned int space = clamp_uint(room);
	int			rc;

	if (in->stream_complete)
	{
		if (!next_member_follows(in, 'B'))
			return 0;
		BZ2_bzDecompressEnd(bz);
		memset(bz, 0, sizeof(*bz));
		in->decoder_ready = BZ2_bzDecompressInit(bz, 0, 0) == BZ_OK;
		if (!in->decoder_ready)
			return set_failure(in, NULL, "out of memory");
		in->stream_complete = 0;
	}
	bz->next_in = (char *) in->raw + in->raw_pos;
	bz->avail_in = avail;
	bz->next_out = out;
	bz->avail_out = space;
	rc = BZ2_bzDecompress(bz);
	in->raw_pos += avail - bz->avail_in;
	*produced = space - bz->avail_out;
	if (rc == BZ_STREAM_END)
		in->stream_complete = 1;
	else if (rc != BZ_OK)
		return set_failure(in, "The file is damaged from this point on; \"bzip2 -t\" shows the same.",
						   "corrupt bzip2 data (%s)",
						   rc == BZ_MEM_ERROR ? "out of memory" :
						   rc == BZ_DATA_ERROR_MAGIC ? "bad stream header" :
						   "data integrity error");
	return 0;
}

static int
zstd_step(input_file *in, char *out, size_t room, size_t *produced)
{
	ZSTD_inBuffer ib = {in->raw + in->raw_pos, in->raw_len - in->raw_pos, 0};
	ZSTD_outBuffer ob = {out, room, 0};
	size_t		rc;

	if (in->stream_complete && ib.size == 0)
		return 0;
	rc = ZSTD_decompressStream(in->dec.zs, &ob, &ib);
	in->raw_pos += ib.pos;
	*produced = ob.pos;
	if (ZSTD_isError(rc))
		return set_failure(in, "The file is damaged from this point on; \"zstd -t\" shows the same.",
						   "corrupt zstd data (%s)", ZSTD_getErrorName(rc));
	/* 0 means a frame ended and all of it was flushed */
	in->stream_complete = rc == 0;
	return 0;
}

/*
 * Decode at least one byte into out, or report the clean end (0) or a
 * failure (-1).  Bytes decoded just before a failure are returned first;
 * the failure then surfaces on the next call.
 */
static ssize_t
fill_decoded(input_file *in, char *out, size_t room)
{
	for (;;)
	{
		size_t		produced = 0;
		int			rc;

		if (in->raw_pos == in->raw_len && !in->raw_eof && read_raw(in) < 0)
			return -1;
		if (in->compression == INPUT_GZIP)
			rc = gzip_step(in, out, room, &produced);
		else if (in->compression == INPUT_BZIP2)
			rc = bzip2_step(in, out, room, &produced);
		else
			rc = zstd_step(in, out, room, &produced);
		if (produced > 0)
			return (ssize_t) produced;
		if (rc < 0)
			return -1;
		if (in->raw_pos == in->raw_len && in->raw_eof)
		{
			if (in->stream_complete)
				return 0;
			return set_failure(in, truncated_hint, "unexpected end of compressed data");
		}
	}
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
		n = read_retry(in->fd, out, room);
		if (n < 0)
			return set_failure(in, io_hint, "%s", strerror(errno));
		in->raw_read += (uint64_t) n;
	}
	else
		n = fill_decoded(in, out, room);
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
	n = fill(in, in->buf + in->end, in->cap - 1 - in->end);
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

static input_compression
compression_from_magic(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return INPUT_GZIP;
	if (n >= 3 && memcmp(p, "BZh", 3) == 0)
		return INPUT_BZIP2;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return INPUT_ZSTD;
	return INPUT_PLAIN;
}

/* Set up the decoder of a compressed input; -1 when out of memory. */
static int
start_decoder(input_file *in)
{
	if (in->compression == INPUT_GZIP)
		in->decoder_ready = inflateInit2(&in->dec.z, 16 + MAX_WBITS) == Z_OK;
	else if (in->compression == INPUT_BZIP2)
		in->decoder_ready = BZ2_bzDecompressInit(&in->dec.bz, 0, 0) == BZ_OK;
	else
	{
		in->dec.zs = ZSTD_createDStream();
		in->decoder_ready = in->dec.zs != NULL &&
			!ZSTD_isError(ZSTD_initDStream(in->dec.zs));
	}
	return in->decoder_ready ? 0 : -1;
}

/*
 * Read the first bytes into buf, pick the decoder from them, and for a
 * compressed stream move them over to raw.  A pipe may deliver the magic
 * in pieces, hence the loop.
 */
static int
sniff_compression(input_file *in)
{
	while (in->end < 4)
	{
		ssize_t		n = fill(in, in->buf + in->end, in->cap - 1 - in->end);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		in->end += (size_t) n;
	}
	in->compression = compression_from_magic((unsigned char *) in->buf, in->end);
	if (in->compression == INPUT_PLAIN)
		return 0;
	in->raw = xmalloc(BUF_SIZE);
	memcpy(in->raw, in->buf, in->end);
	in->raw_len = in->end;
	in->raw_eof = in->eof;
	in->eof = 0;
	in->end = 0;
	if (start_decoder(in) < 0)
		return set_failure(in, NULL, "could not start the %s decoder: out of memory",
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
			 compression_from_magic(magic, (size_t) n) != INPUT_PLAIN)
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
	if (in->decoder_ready)
	{
		if (in->compression == INPUT_GZIP)
			inflateEnd(&in->dec.z);
		else if (in->compression == INPUT_BZIP2)
			BZ2_bzDecompressEnd(&in->dec.bz);
	}
	if (in->compression == INPUT_ZSTD)
		ZSTD_freeDStream(in->dec.zs);
	if (!in->is_stdin)
		close(in->fd);
	free(in->buf);
	free(in->raw);
	free(in->name);
	free(in->error);
	free(in->detail);
	free(in);
}
