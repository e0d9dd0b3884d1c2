/*-------------------------------------------------------------------------
 * ingest.h
 *    Reading log files into a workload model.
 *
 * For each file: open (decompressing as needed), detect the format and
 * log_line_prefix from its first lines unless given, feed every line to the
 * format's reader, classify records into events, and add them to the
 * model.  With jobs > 1, large plain files are split at record boundaries
 * and read by several threads, each into a model of its own (a thread left
 * without work cuts off part of what another has left); the models are
 * merged in log order.  Several files are read in parallel too.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_INGEST_H
#define PGSIFT_INGEST_H

#include "parsers/input.h"
#include "parsers/reader.h"
#include "src/core/diag.h"
#include "src/lib/spare_thread.h"
#include "src/model/workload.h"

typedef struct ingest_options
{
	log_format	format;			/* LOG_FORMAT_AUTO: detect per file */
	const char *prefix;			/* NULL: detect */
	int			jobs;			/* threads; <= 1: one */
	int			progress;		/* print a progress line on stderr */
	int			syslog_year;	/* 0: current year */
	const workload_filter *filter;
	int			first_part_percent; /* for tests: a split file's first part, in percent; 0: even parts */
	spare_thread *spare;		/* destroys the parts' models merged in; NULL: the caller's thread */
} ingest_options;

/* What happened to one file. */
typedef struct ingest_file
{
	const char *path;			/* as given */
	uint64_t	start_offset;	/* uncompressed bytes to skip (resume) */
	/* results */
	int			opened;
	int			read_error;		/* stopped early (truncated/corrupt) */
	log_format	format;
	char	   *prefix;			/* malloc'd; NULL if the format has none */
	input_compression compression;
	uint64_t	lines;			/* lines of the file up to end_offset */
	uint64_t	lines_read;		/* of which read in this run (not skipped) */
	uint64_t	records;
	uint64_t	end_offset;		/* uncompressed bytes consumed in total */
	int			parts;			/* parts it was read in: 1, more with -j when split or cut */
	uint64_t	malformed;
	uint64_t	fallback_lines; /* read without the prefix: time, pid and severity only */
	uint64_t	fallback_first; /* the first of them (line number) */
	/* internal: stdin's lines consumed by format detection, fed first */
	char	  **head_lines;
	size_t	   *head_lens;
	int			nhead;
	input_file *stdin_input;
} ingest_file;

/*
 * Read files[0..n) into w.  Malformed lines go to tally.  Problems are
 * reported on stderr as they happen; nothing here is fatal.  Returns the
 * number of records read across all files.
 */
uint64_t	ingest_files(workload *w, ingest_file *files, int n, const ingest_options *opts, diag_tally *tally);

void		ingest_file_clear(ingest_file *f);

#endif
