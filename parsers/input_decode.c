/*-------------------------------------------------------------------------
 * input_decode.c
 *    The decoders behind the line source: gzip, bzip2 and zstd.
 *
 * gzip and bzip2 files may hold several members (cat a.gz b.gz, pigz,
 * pbzip2); each is decoded in turn, and bytes after the last member that
 * do not begin another are ignored, as gzip -d and bzip2 -d do.  zstd
 * decodes concatenated frames by itself.  A stream that stops inside a
 * member is "unexpected end of compressed data".
 *-------------------------------------------------------------------------
 */
#include "parsers/input_private.h"
#include "src/lib/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const input_truncated_hint =
"The file may still be being written, or was cut short when copied; run again on a complete copy.";
const char *const input_io_hint =
"Check the disk or network mount that holds the file.";

static unsigned int
clamp_uint(size_t n)
{
	return n > UINT_MAX ? UINT_MAX : (unsigned int) n;
}

int
input_failure(input_file *in, const char *hint, const char *fmt,...)
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

/* read(2) that retries on EINTR. */
ssize_t
input_read_retry(int fd, void *p, size_t n)
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
	ssize_t		n = input_read_retry(in->fd, in->raw, BUF_SIZE);

	if (n < 0)
		return input_failure(in, input_io_hint, "%s", strerror(errno));
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
		return input_failure(in, "The file is damaged from this point on; \"gzip -t\" shows the same.",
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
			return input_failure(in, NULL, "out of memory");
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
		return input_failure(in, "The file is damaged from this point on; \"bzip2 -t\" shows the same.",
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
		return input_failure(in, "The file is damaged from this point on; \"zstd -t\" shows the same.",
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
ssize_t
input_fill_decoded(input_file *in, char *out, size_t room)
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
			return input_failure(in, input_truncated_hint, "unexpected end of compressed data");
		}
	}
}

input_compression
input_compression_from_magic(const unsigned char *p, size_t n)
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
int
input_start_decoder(input_file *in)
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

void
input_end_decoder(input_file *in)
{
	if (in->decoder_ready)
	{
		if (in->compression == INPUT_GZIP)
			inflateEnd(&in->dec.z);
		else if (in->compression == INPUT_BZIP2)
			BZ2_bzDecompressEnd(&in->dec.bz);
	}
	if (in->compression == INPUT_ZSTD)
		ZSTD_freeDStream(in->dec.zs);
	in->decoder_ready = 0;
}
