/*-------------------------------------------------------------------------
 * input_private.h
 *    What input.c (the lines) and input_decode.c (the decoders) share: an
 *    input's state and the failure helper.  Not for use outside them.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_INPUT_PRIVATE_H
#define PGSIFT_INPUT_PRIVATE_H

#include "parsers/input.h"

#include <bzlib.h>
#include <stdint.h>
#include <sys/types.h>
#include <zlib.h>
#include <zstd.h>

#define BUF_SIZE	(1024 * 1024)	/* initial line buffer, and raw read size */
#define MIN_READ	(64 * 1024)		/* never refill with less room than this */

/* The hints of a truncated stream and of a failed read (static text). */
extern const char *const input_truncated_hint;
extern const char *const input_io_hint;

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
	size_t		read_max;		/* 0, or the most one read asks for (input_limit_reads) */
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

/*
 * Record what broke: fmt gives the reason, hint what to do about it (a
 * static string).  The input ends there.  Returns -1.
 */
int			input_failure(input_file *in, const char *hint, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* read(2) that retries on EINTR. */
ssize_t		input_read_retry(int fd, void *p, size_t n);

/* The compression the first n bytes of a stream announce. */
input_compression input_compression_from_magic(const unsigned char *p, size_t n);

/* Set up the decoder of in->compression; -1 when out of memory. */
int			input_start_decoder(input_file *in);

/*
 * Decode at least one byte into out[0, room), or report the clean end (0)
 * or a failure (-1, recorded).  Bytes decoded just before a failure are
 * returned first; the failure surfaces on the next call.
 */
ssize_t		input_fill_decoded(input_file *in, char *out, size_t room);

/* Release the decoder, if one was set up. */
void		input_end_decoder(input_file *in);

#endif
