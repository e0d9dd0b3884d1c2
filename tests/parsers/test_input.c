/*-------------------------------------------------------------------------
 * test_input.c
 *    Tests of the line source (parsers/input.c).
 *
 * Test data is generated into the run's temp directory and compressed
 * here with zlib, libbz2 and libzstd, so the tests need no fixtures and
 * the compressed files are known to hold exactly the plain text.  The
 * sample text spans several 1 MiB buffers, so refills, partial lines at
 * buffer edges and more than one decoder call are all exercised.
 *-------------------------------------------------------------------------
 */
#include "parsers/input.h"
#include "tests/test_registry.h"

#include <bzlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* The sample: lines of varied length, some empty, about 3 MB in all. */
#define SAMPLE_LINES 20000

typedef struct text
{
	char	   *data;
	size_t		len;
} text;

static text sample;

/* A text from a string literal, which may hold NULs. */
#define TEXT(lit) ((text) {(char *) (lit), sizeof(lit) - 1})

static const char *
tmp_path(const char *name)
{
	static char buf[4][4096];
	static int	next = 0;
	char	   *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", test_tmpdir(), name);
	return p;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE	   *f = fopen(path, "wb");

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_FATAL(fwrite(data, 1, len, f) == len);
	fclose(f);
}

static text
read_file(const char *path)
{
	text		t = {NULL, 0};
	FILE	   *f = fopen(path, "rb");
	long		n;

	CU_ASSERT_FATAL(f != NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	t.data = malloc((size_t) n + 1);
	t.len = fread(t.data, 1, (size_t) n, f);
	fclose(f);
	return t;
}

static const text *
get_sample(void)
{
	size_t		cap = 4 * 1024 * 1024,
				len = 0;

	if (sample.data != NULL)
		return &sample;
	sample.data = malloc(cap);
	for (int i = 0; i < SAMPLE_LINES; i++)
	{
		int			fill = (i * 37) % 301;

		len += (size_t) snprintf(sample.data + len, cap - len, "line %d ", i + 1);
		memset(sample.data + len, 'a' + i % 26, (size_t) fill);
		len += (size_t) fill;
		sample.data[len++] = '\n';
		if (i % 1000 == 999)
			sample.data[len++] = '\n';	/* an empty line now and then */
	}
	sample.len = len;
	return &sample;
}

/* gzip of data; members > 1 splits it into that many concatenated members. */
static void
write_gzip(const char *path, const text *t, int members)
{
	size_t		done = 0;

	for (int m = 0; m < members; m++)
	{
		gzFile		gz = gzopen(path, m == 0 ? "wb6" : "ab6");
		size_t		part = m == members - 1 ? t->len - done : t->len / (size_t) members;

		CU_ASSERT_FATAL(gz != NULL);
		if (part > 0)
			CU_ASSERT_FATAL(gzwrite(gz, t->data + done, (unsigned) part) == (int) part);
		done += part;
		CU_ASSERT_FATAL(gzclose(gz) == Z_OK);
	}
}

/* bzip2 or zstd of data, as `parts` streams (frames) one after another. */
static void
write_bzip2_or_zstd(const char *path, const text *t, int zstd, int parts)
{
	size_t		cap = ZSTD_compressBound(t->len) + t->len / 100 + 600 * (size_t) parts;
	char	   *out = malloc(cap);
	size_t		len = 0,
				done = 0;

	for (int i = 0; i < parts; i++)
	{
		size_t		part = i == parts - 1 ? t->len - done : t->len / (size_t) parts;
		unsigned int n = (unsigned int) (cap - len);

		if (zstd)
		{
			size_t		z = ZSTD_compress(out + len, cap - len, t->data + done, part, 3);

			CU_ASSERT_FATAL(!ZSTD_isError(z));
			len += z;
		}
		else
		{
			CU_ASSERT_FATAL(BZ2_bzBuffToBuffCompress(out + len, &n, t->data + done,
													 (unsigned) part, 1, 0, 0) == BZ_OK);
			len += n;
		}
		done += part;
	}
	write_file(path, out, len);
	free(out);
}

/*
 * Read every line of in and check it against expected, which is split on
 * '\n' with a trailing '\r' dropped and whose first line is numbered
 * first_line and starts at offset base.  Returns the lines read.
 */
static uint64_t
expect_lines_from(input_file *in, const text *expected, uint64_t first_line, uint64_t base)
{
	const char *p = expected->data;
	const char *end = p + expected->len;
	const char *line;
	size_t		len;
	uint64_t	n = 0;
	int			ok = 1;

	while (input_next_line(in, &line, &len) == 1)
	{
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t		want = nl ? (size_t) (nl - p) : (size_t) (end - p);

		if (want > 0 && p[want - 1] == '\r')
			want--;
		n++;
		if (p >= end || len != want || memcmp(line, p, len) != 0 || line[len] != '\0' ||
			input_line_number(in) != first_line + n - 1)
		{
			ok = 0;
			break;
		}
		p = nl ? nl + 1 : end;
		if (input_offset(in) != base + (uint64_t) (p - expected->data))
		{
			ok = 0;
			break;
		}
	}
	CU_ASSERT(ok);
	CU_ASSERT(p == end);
	return n;
}

static uint64_t
expect_lines(input_file *in, const text *expected)
{
	return expect_lines_from(in, expected, 1, 0);
}

static void
test_formats_give_same_lines(void)
{
	const text *t = get_sample();
	struct
	{
		const char *name;
		input_compression c;
	}			files[] = {
		{"s.log", INPUT_PLAIN}, {"s.log.gz", INPUT_GZIP}, {"s3.log.gz", INPUT_GZIP},
		{"s.log.bz2", INPUT_BZIP2}, {"s2.log.bz2", INPUT_BZIP2},
		{"s.log.zst", INPUT_ZSTD}, {"s2.log.zst", INPUT_ZSTD},
	};

	write_file(tmp_path("s.log"), t->data, t->len);
	write_gzip(tmp_path("s.log.gz"), t, 1);
	write_gzip(tmp_path("s3.log.gz"), t, 3);
	write_bzip2_or_zstd(tmp_path("s.log.bz2"), t, 0, 1);
	write_bzip2_or_zstd(tmp_path("s2.log.bz2"), t, 0, 2);
	write_bzip2_or_zstd(tmp_path("s.log.zst"), t, 1, 1);
	write_bzip2_or_zstd(tmp_path("s2.log.zst"), t, 1, 2);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
	{
		input_file *in = input_open(tmp_path(files[i].name));
		const char *line;
		size_t		len;

		CU_ASSERT_FATAL(in != NULL);
		CU_ASSERT_EQUAL(input_get_compression(in), files[i].c);
		CU_ASSERT_EQUAL(expect_lines(in, t), SAMPLE_LINES + SAMPLE_LINES / 1000);
		CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
		CU_ASSERT_EQUAL(input_offset(in), t->len);
		CU_ASSERT_PTR_NULL(input_error(in));
		CU_ASSERT_EQUAL(input_raw_offset(in), input_raw_size(in));
		CU_ASSERT(input_raw_size(in) > 0);
		input_close(in);
	}
}

static void
test_magic_beats_extension(void)
{
	text		t = TEXT("first\nsecond\n");
	input_file *in;

	write_gzip(tmp_path("really-gzip.log"), &t, 1);
	in = input_open(tmp_path("really-gzip.log"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(input_get_compression(in), INPUT_GZIP);
	CU_ASSERT_EQUAL(expect_lines(in, &t), 2);
	input_close(in);

	write_file(tmp_path("really-plain.gz"), t.data, t.len);
	in = input_open(tmp_path("really-plain.gz"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(input_get_compression(in), INPUT_PLAIN);
	CU_ASSERT_EQUAL(expect_lines(in, &t), 2);
	input_close(in);
}

/* Read all of a broken file: lines before the break are the sample's. */
static void
check_broken_file(const char *path, const char *reason)
{
	const text *t = get_sample();
	input_file *in = input_open(path);
	const char *line;
	const char *p = t->data;
	size_t		len;
	int			rc,
				ok = 1;

	CU_ASSERT_FATAL(in != NULL);
	while ((rc = input_next_line(in, &line, &len)) == 1)
	{
		const char *nl = memchr(p, '\n', t->len - (size_t) (p - t->data));

		if (nl == NULL || len != (size_t) (nl - p) || memcmp(line, p, len) != 0)
			ok = 0;
		else
			p = nl + 1;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT(input_line_number(in) > 1000);
	CU_ASSERT_EQUAL(input_offset(in), (uint64_t) (p - t->data));
	CU_ASSERT(input_offset(in) < t->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(input_error(in));
	CU_ASSERT_STRING_EQUAL(input_error(in), reason);
	CU_ASSERT_PTR_NOT_NULL(input_error_hint(in));
	CU_ASSERT_PTR_NOT_NULL_FATAL(input_error_detail(in));
	/* e.g. "12,345 lines were read up to uncompressed byte offset 1,234,567; ..." */
	CU_ASSERT_PTR_NOT_NULL(strstr(input_error_detail(in), " lines were read up to uncompressed byte offset "));
	CU_ASSERT_PTR_NOT_NULL(strchr(input_error_detail(in), ','));
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
	input_close(in);
}

static void
test_truncated_streams(void)
{
	const char *names[] = {"s.log.gz", "s3.log.gz", "s.log.bz2", "s2.log.bz2", "s.log.zst"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	{
		text		whole = read_file(tmp_path(names[i]));
		char		cut[64];

		snprintf(cut, sizeof(cut), "cut-%s", names[i]);
		write_file(tmp_path(cut), whole.data, whole.len * 2 / 3);
		check_broken_file(tmp_path(cut), "unexpected end of compressed data");
		free(whole.data);
	}
}

static void
test_corrupt_streams(void)
{
	text		gz = read_file(tmp_path("s.log.gz"));
	text		zst = read_file(tmp_path("s.log.zst"));
	input_file *in;
	const char *line;
	size_t		len;

	/* a damaged member header: nothing can be read */
	gz.data[2] = 7;
	write_file(tmp_path("badhead.gz"), gz.data, gz.len);
	in = input_open(tmp_path("badhead.gz"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), -1);
	CU_ASSERT_EQUAL(input_line_number(in), 0);
	CU_ASSERT(strncmp(input_error(in), "corrupt gzip data (", 19) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(input_error_detail(in), "0 lines were read"));
	input_close(in);

	/* garbage in the middle of a zstd frame */
	memset(zst.data + zst.len / 2, 0x55, 4096);
	write_file(tmp_path("bad.zst"), zst.data, zst.len);
	in = input_open(tmp_path("bad.zst"));
	CU_ASSERT_FATAL(in != NULL);
	while (input_next_line(in, &line, &len) == 1)
		;
	CU_ASSERT(strncmp(input_error(in), "corrupt zstd data (", 19) == 0);
	input_close(in);
	free(gz.data);
	free(zst.data);
}

static void
test_trailing_bytes_after_gzip(void)
{
	text		t = TEXT("one\ntwo\n");
	text		gz;
	input_file *in;

	write_gzip(tmp_path("pad.gz"), &t, 1);
	gz = read_file(tmp_path("pad.gz"));
	gz.data = realloc(gz.data, gz.len + 512);
	memset(gz.data + gz.len, 0, 512);	/* tape padding, as gzip -d allows */
	write_file(tmp_path("pad.gz"), gz.data, gz.len + 512);
	in = input_open(tmp_path("pad.gz"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(expect_lines(in, &t), 2);
	CU_ASSERT_PTR_NULL(input_error(in));
	input_close(in);
	free(gz.data);
}

static void
test_crlf_and_final_line(void)
{
	text		t = TEXT("a\r\nb\r\n\r\nx\ry\nlast");
	const char *line;
	size_t		len;
	input_file *in;

	write_file(tmp_path("crlf.log"), t.data, t.len);
	in = input_open(tmp_path("crlf.log"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(expect_lines(in, &t), 5);	/* a, b, "", x\ry, last */
	CU_ASSERT_EQUAL(input_offset(in), 16);
	input_close(in);

	/* the same through gzip, and a check of the exact pieces */
	write_gzip(tmp_path("crlf.log.gz"), &t, 1);
	in = input_open(tmp_path("crlf.log.gz"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 1 && line[0] == 'a');
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 1 && line[0] == 'b');
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 0);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 3 && memcmp(line, "x\ry", 3) == 0);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 4 && strcmp(line, "last") == 0);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
	input_close(in);
}

static void
test_empty_file(void)
{
	const char *line;
	size_t		len;
	input_file *in;

	write_file(tmp_path("empty.log"), "", 0);
	in = input_open(tmp_path("empty.log"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
	CU_ASSERT_EQUAL(input_line_number(in), 0);
	CU_ASSERT_EQUAL(input_offset(in), 0);
	CU_ASSERT_PTR_NULL(input_error(in));
	input_close(in);

	/* an empty gzip member is an empty file too */
	write_gzip(tmp_path("empty.gz"), &TEXT(""), 1);
	in = input_open(tmp_path("empty.gz"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
	CU_ASSERT_PTR_NULL(input_error(in));
	input_close(in);
}

/* short, <n bytes of c>, short: the long line crosses buffer refills. */
static text
make_long_line_text(size_t n, char c, int final_newline)
{
	text		t;

	t.data = malloc(6 + n + 7);
	memcpy(t.data, "start\n", 6);
	memset(t.data + 6, c, n);
	memcpy(t.data + 6 + n, "\nafter", 6);
	t.len = 6 + n + 6;
	if (final_newline)
		t.data[t.len++] = '\n';
	return t;
}

static void
test_two_mib_line(void)
{
	text		t = make_long_line_text(2 * 1024 * 1024, 'q', 1);
	input_file *in;

	write_file(tmp_path("long.log"), t.data, t.len);
	write_gzip(tmp_path("long.log.gz"), &t, 1);
	in = input_open(tmp_path("long.log"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(expect_lines(in, &t), 3);
	CU_ASSERT_EQUAL(input_lines_too_long(in), 0);
	input_close(in);
	in = input_open(tmp_path("long.log.gz"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(expect_lines(in, &t), 3);
	input_close(in);
	free(t.data);
}

/* Bytes this process has asked read() for so far (/proc/self/io's rchar), or -1. */
static long long
bytes_read_so_far(void)
{
	FILE	   *f = fopen("/proc/self/io", "r");
	long long	rchar = -1;
	char		key[64];
	long long	v;

	while (f && fscanf(f, "%63[^:]: %lld\n", key, &v) == 2)
		if (strcmp(key, "rchar") == 0)
			rchar = v;
	if (f)
		fclose(f);
	return rchar;
}

/*
 * Opening a file reads a first piece, not a whole buffer, and with
 * input_limit_reads so does every later read, while a line longer than
 * the limit still comes back whole: looking for a few lines of a large
 * log (format detection, a record start to split at) no longer reads
 * and maps in a megabyte each time.  Without the limit a range reads a
 * buffer at once (the measure's own check).
 */
static void
test_limited_reads(void)
{
	const text *t = get_sample();
	text		lng = make_long_line_text(300 * 1024, 'r', 1);
	input_file *in;
	const char *line;
	size_t		len;
	long long	before;

	write_file(tmp_path("sample-limited.log"), t->data, t->len);
	write_file(tmp_path("long-limited.log"), lng.data, lng.len);
	CU_ASSERT_FATAL(bytes_read_so_far() >= 0);

	before = bytes_read_so_far();
	in = input_open(tmp_path("sample-limited.log"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 1);
	CU_ASSERT(bytes_read_so_far() - before <= 64 * 1024 + 4096);
	input_close(in);

	before = bytes_read_so_far();
	in = input_open_range(tmp_path("sample-limited.log"), 1000, 0, 1);
	CU_ASSERT_FATAL(in != NULL);
	input_limit_reads(in, 16 * 1024);
	for (int i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 1);
	CU_ASSERT(bytes_read_so_far() - before <= 64 * 1024);
	input_close(in);

	before = bytes_read_so_far();
	in = input_open_range(tmp_path("sample-limited.log"), 1000, 0, 1);
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 1);
	CU_ASSERT(bytes_read_so_far() - before >= 1024 * 1024 - 1000);
	input_close(in);

	in = input_open_range(tmp_path("long-limited.log"), 0, 0, 1);
	CU_ASSERT_FATAL(in != NULL);
	input_limit_reads(in, 16 * 1024);
	CU_ASSERT_EQUAL(expect_lines(in, &lng), 3);
	input_close(in);
	free(lng.data);
}

/* Lines of `path` with the limit at 16: each cut line is its first 16 bytes. */
static void
check_cut(const char *path, size_t long_len, int final_newline)
{
	input_file *in = input_open(path);
	const char *line;
	size_t		len;

	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 5);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 1);
	CU_ASSERT_EQUAL(len, 16);
	CU_ASSERT(memcmp(line, "zzzzzzzzzzzzzzzz", 16) == 0 && line[16] == '\0');
	CU_ASSERT_EQUAL(input_line_number(in), 2);
	CU_ASSERT_EQUAL(input_offset(in), 6 + long_len + 1);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 5 && memcmp(line, "after", 5) == 0);
	CU_ASSERT_EQUAL(input_line_number(in), 3);
	CU_ASSERT_EQUAL(input_offset(in), 6 + long_len + 6 + (final_newline ? 1 : 0));
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
	CU_ASSERT_EQUAL(input_lines_too_long(in), 1);
	input_close(in);
}

static void
test_line_limit(void)
{
	/* 3 MiB: longer than the 1 MiB buffer, so the rest is dropped in pieces */
	size_t		sizes[] = {17, 18, 40, 3 * 1024 * 1024};
	text		edge = TEXT("0123456789abcdef\r\n0123456789abcdef\n0123456789abcdefX\r\n");
	input_file *in;
	const char *line;
	size_t		len;

	input_set_max_line(16);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	{
		text		t = make_long_line_text(sizes[i], 'z', i % 2);

		write_file(tmp_path("cut.log"), t.data, t.len);
		check_cut(tmp_path("cut.log"), sizes[i], i % 2);
		write_gzip(tmp_path("cut.log.gz"), &t, 1);
		check_cut(tmp_path("cut.log.gz"), sizes[i], i % 2);
		free(t.data);
	}

	/* exactly at the limit, with or without '\r', is not too long */
	write_file(tmp_path("edge.log"), edge.data, edge.len);
	in = input_open(tmp_path("edge.log"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 16);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 16);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 16);
	CU_ASSERT_EQUAL(input_lines_too_long(in), 1);
	CU_ASSERT_EQUAL(input_offset(in), edge.len);
	input_close(in);

	/* a final line over the limit, without newline */
	write_file(tmp_path("cutend.log"), "ok\n0123456789abcdefghijklmnop", 29);
	in = input_open(tmp_path("cutend.log"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 2);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 16);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
	CU_ASSERT_EQUAL(input_offset(in), 29);
	CU_ASSERT_EQUAL(input_lines_too_long(in), 1);
	input_close(in);
	input_set_max_line(0);
}

static void
test_nul_bytes(void)
{
	text		t = TEXT("a\0b\0c\n\0\nend\0");
	const char *line;
	size_t		len;
	input_file *in;

	write_file(tmp_path("nul.log"), t.data, t.len);
	in = input_open(tmp_path("nul.log"));
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 5 && memcmp(line, "a\0b\0c", 5) == 0);
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 1 && line[0] == '\0');
	CU_ASSERT(input_next_line(in, &line, &len) == 1 && len == 4 && memcmp(line, "end\0", 4) == 0);
	CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
	CU_ASSERT_EQUAL(input_line_number(in), 3);
	input_close(in);
}

/* Offset where line `n` (1-based) of the sample starts. */
static uint64_t
sample_line_start(uint64_t n)
{
	const text *t = get_sample();
	const char *p = t->data;

	while (--n > 0)
		p = memchr(p, '\n', t->len - (size_t) (p - t->data)) + 1;
	return (uint64_t) (p - t->data);
}

static void
test_ranges_cover_every_line_once(void)
{
	const text *t = get_sample();
	const char *path = tmp_path("s.log");
	uint64_t	split = sample_line_start(12345);
	uint64_t	total = SAMPLE_LINES + SAMPLE_LINES / 1000;
	text		first = {t->data, (size_t) split};
	text		second = {t->data + split, t->len - (size_t) split};
	input_file *a = input_open_range(path, 0, split, 1);
	input_file *b = input_open_range(path, split, 0, 12345);
	const char *line;
	size_t		len;

	CU_ASSERT_FATAL(a != NULL && b != NULL);
	CU_ASSERT_EQUAL(expect_lines_from(a, &first, 1, 0), 12344);
	CU_ASSERT_EQUAL(input_raw_offset(a), input_raw_size(a));
	CU_ASSERT_EQUAL(input_raw_size(a), split);
	CU_ASSERT_EQUAL(expect_lines_from(b, &second, 12345, split), total - 12344);
	CU_ASSERT_EQUAL(input_line_number(b), total);
	CU_ASSERT_EQUAL(input_offset(b), t->len);
	input_close(a);
	input_close(b);

	/* an end inside a line: that line is still the first range's, whole */
	a = input_open_range(path, 0, split + 3, 1);
	b = input_open_range(path, split + 3, 0, 1);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	while (input_next_line(a, &line, &len) == 1)
		;
	CU_ASSERT_EQUAL(input_line_number(a), 12345);
	CU_ASSERT_EQUAL(input_offset(a), sample_line_start(12346));
	CU_ASSERT(input_next_line(a, &line, &len) == 0);
	/* ... and the second begins at its byte exactly: skipping is the caller's call */
	CU_ASSERT_EQUAL_FATAL(input_next_line(b, &line, &len), 1);
	CU_ASSERT_EQUAL(len, sample_line_start(12346) - 1 - (split + 3));
	CU_ASSERT(memcmp(line, t->data + split + 3, len) == 0);
	input_close(a);
	input_close(b);

	/* an empty range, and compressed files, which cannot be split */
	a = input_open_range(path, split, split, 1);
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_EQUAL(input_next_line(a, &line, &len), 0);
	input_close(a);
	CU_ASSERT_PTR_NULL(input_open_range(tmp_path("s.log.gz"), 0, 100, 1));
}

static void
test_skip(void)
{
	const char *names[] = {"s.log", "s.log.zst"};
	const text *t = get_sample();
	uint64_t	at = sample_line_start(5001);
	text		rest = {t->data + at, t->len - (size_t) at};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	{
		input_file *in = input_open(tmp_path(names[i]));
		const char *line;
		size_t		len;

		CU_ASSERT_FATAL(in != NULL);
		CU_ASSERT_EQUAL(input_skip(in, at), 0);
		CU_ASSERT_EQUAL(input_offset(in), at);
		CU_ASSERT_EQUAL(input_line_number(in), 5000);
		CU_ASSERT_EQUAL(expect_lines_from(in, &rest, 5001, at), SAMPLE_LINES + SAMPLE_LINES / 1000 - 5000);
		CU_ASSERT_EQUAL(input_skip(in, at), -1);	/* already past it */
		input_close(in);

		in = input_open(tmp_path(names[i]));
		CU_ASSERT_FATAL(in != NULL);
		CU_ASSERT_EQUAL(input_skip(in, t->len + 1), -1);	/* beyond the end */
		CU_ASSERT_EQUAL(input_next_line(in, &line, &len), 0);
		input_close(in);
	}
}

static void
test_stdin(void)
{
	int			saved = dup(STDIN_FILENO);
	int			fd = open(tmp_path("s3.log.gz"), O_RDONLY);
	input_file *in;

	CU_ASSERT_FATAL(saved >= 0 && fd >= 0);
	CU_ASSERT_FATAL(dup2(fd, STDIN_FILENO) == STDIN_FILENO);
	close(fd);
	in = input_open("-");
	CU_ASSERT_FATAL(in != NULL);
	CU_ASSERT_STRING_EQUAL(input_name(in), "stdin");
	CU_ASSERT_EQUAL(input_get_compression(in), INPUT_GZIP);
	CU_ASSERT_EQUAL(expect_lines(in, get_sample()), SAMPLE_LINES + SAMPLE_LINES / 1000);
	input_close(in);
	/* input_close left fd 0 open: it is still ours to restore */
	CU_ASSERT_EQUAL(fcntl(STDIN_FILENO, F_GETFD), 0);
	dup2(saved, STDIN_FILENO);
	close(saved);
}

static void
test_open_errors(void)
{
	CU_ASSERT_PTR_NULL(input_open(tmp_path("no-such-file.log")));
	CU_ASSERT_PTR_NULL(input_open(test_tmpdir()));
	CU_ASSERT_PTR_NULL(input_open_range(tmp_path("no-such-file.log"), 0, 0, 1));
	if (geteuid() != 0)
	{
		write_file(tmp_path("secret.log"), "x\n", 2);
		chmod(tmp_path("secret.log"), 0);
		CU_ASSERT_PTR_NULL(input_open(tmp_path("secret.log")));
	}
	CU_ASSERT_STRING_EQUAL(input_compression_name(INPUT_BZIP2), "bzip2");
}

static int
free_sample(void)
{
	free(sample.data);
	sample.data = NULL;
	return 0;
}

PGSIFT_TEST_SUITE(add_input_suite)
{
	CU_pSuite	s = CU_add_suite("parsers/input", NULL, free_sample);

	/* order matters: later tests reuse the files the first one writes */
	CU_add_test(s, "plain, gzip, bzip2, zstd, one or more members, give the same lines", test_formats_give_same_lines);
	CU_add_test(s, "compression is recognised by magic, not extension", test_magic_beats_extension);
	CU_add_test(s, "truncated streams keep the lines before the cut", test_truncated_streams);
	CU_add_test(s, "corrupt streams report the damage", test_corrupt_streams);
	CU_add_test(s, "bytes after the last gzip member are ignored", test_trailing_bytes_after_gzip);
	CU_add_test(s, "CRLF, lone CR and a final line without newline", test_crlf_and_final_line);
	CU_add_test(s, "an empty file has no lines and no error", test_empty_file);
	CU_add_test(s, "a 2 MiB line comes back whole", test_two_mib_line);
	CU_add_test(s, "a first read and limited reads take a piece, long lines still whole", test_limited_reads);
	CU_add_test(s, "lines over the limit are cut and counted", test_line_limit);
	CU_add_test(s, "NUL bytes are data", test_nul_bytes);
	CU_add_test(s, "two ranges return every line exactly once", test_ranges_cover_every_line_once);
	CU_add_test(s, "input_skip resumes at an offset with true line numbers", test_skip);
	CU_add_test(s, "\"-\" reads stdin, compressed too", test_stdin);
	CU_add_test(s, "missing, unreadable and directory inputs fail", test_open_errors);
}
