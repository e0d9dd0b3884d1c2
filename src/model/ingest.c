/*-------------------------------------------------------------------------
 * ingest.c
 *    Driving readers over files, serially or with worker threads.
 *
 * Work is cut into tasks: a whole file, or for a large plain file with
 * jobs > 1, a byte range that begins at a record boundary.  Each task
 * builds its own workload model; tasks are merged into the caller's model
 * strictly in log order (file order, then range order).  With one job the
 * caller's model is fed directly and nothing is merged.
 *
 * A worker with nothing left to read takes the end of the part with most
 * left to read: that part's own thread, which looks for such a request
 * every AT_EVERY lines, moves its end to a record start where both
 * threads, at the rates they have read so far, would finish together
 * (offer_cut), and queues the rest as a new task next to it in log order.
 * So threads slowed by a busy machine, or parts that cost more than
 * others, do not leave a core idle while the last part finishes.  The
 * asking worker spins for the answer on its own core (await_answer).  A
 * finished task takes in the finished tasks that follow it (their models
 * merged into its own) while the others still read, unless it is the one
 * the caller's thread merges next, so that that thread has few merges
 * left at the end.  Counts, samples and line numbers do not
 * depend on where parts are cut; the cacheable-query simulation, which
 * sees each part's first executions as misses until the merge, can
 * differ by a few hits at each cut (docs/performance.md).  A file's
 * format detection and warnings are ingest_file.c's.
 *-------------------------------------------------------------------------
 */
#include "src/model/ingest.h"
#include "src/model/ingest_private.h"
#include "parsers/log_event.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD_SEARCH_READ	(64 * 1024)	/* bytes per read when looking for a record start */
#define SPLIT_MIN_BYTES		(32u * 1024 * 1024)
#define PROGRESS_EVERY		65536	/* lines between clock checks (a multiple of AT_EVERY) */
/*
 * A part is cut only with twice CUT_MIN_BYTES left: a cut costs the new
 * part's cold start (3-5 ms) and the merge of one more, small, part at the
 * end (1.5 ms), and halves the rest (4 MiB: 15 ms at 280 MB/s, 7 saved).
 */
#define CUT_MIN_BYTES		(2u * 1024 * 1024)
#define CUT_LEAST_BYTES		(1u * 1024 * 1024)	/* nor when the new part would be smaller */
#define CUT_HANDICAP_BYTES	(1u * 1024 * 1024)	/* what a new part's cold start costs, in reading */
#define CUTS_PER_JOB		8	/* room for cut-off tasks, per thread */
#define AT_EVERY			1024	/* lines between a part's looks outside: its position, a cut asked */
#define ANSWER_SPIN_NS		20000000	/* how long a worker asking for a cut spins for the answer */

typedef struct ingest_task
{
	ingest_file *file;
	uint64_t	start;			/* byte range for a chunk; end 0: whole file */
	uint64_t	end;			/* a chunk's end: moved earlier when its rest is cut off */
	int			is_chunk;
	int			next;			/* the task after it in log order; -1 for the last */
	/* cutting, with -j > 1: an idle worker asks, the task's own thread answers */
	atomic_int	cut_wanted;
	_Atomic uint64_t at;		/* where its reading is, updated every AT_EVERY lines */
	int			running;
	int			uncuttable;		/* refused a cut: too little left */
	int			held;			/* its model is being merged (into or from it) */
	struct timespec began;		/* when its thread started reading it */
	double		thief_rate;		/* the asking worker's bytes per second, 0 if unknown (run->lock) */
	/* results */
	workload   *model;
	diag_tally	tally;
	uint64_t	lines;			/* read by this task */
	uint64_t	skipped_lines;	/* skipped because a store had them */
	uint64_t	records;
	uint64_t	end_offset;
	int			read_error;
	int			parts;			/* read parts in it: 1, more once it took in its successors */
	int			opened;
	input_compression compression;
	int			done;
} ingest_task;

typedef struct ingest_run
{
	const ingest_options *opts;
	ingest_file *files;			/* the run's files: a task's file is one of them */
	ingest_task *tasks;
	int			ntasks;
	int			cap;			/* room in tasks; cuts stop when it is full */
	int			next_task;
	shape_resolver *shapes;		/* shared by the tasks' models */
	pthread_mutex_t lock;
	pthread_cond_t task_done;
	uint64_t	bytes_done;		/* raw bytes of finished tasks, for progress */
	uint64_t	bytes_total;
	struct timespec started;
	int			merge_next;		/* the task the caller's thread merges next; -1: none yet */
} ingest_run;

/* What a record sink needs: count records, then classify. */
typedef struct task_sink
{
	event_assembler *assembler;
	workload   *model;
	uint64_t	records;
} task_sink;

static void
count_record(void *ctx, const log_record *rec)
{
	task_sink  *s = ctx;

	s->records++;
	workload_note_record(s->model, rec);
	event_assembler_record(s->assembler, rec);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - t0->tv_sec) + (double) (now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
print_progress(ingest_run *run, uint64_t bytes)
{
	double		secs = seconds_since(&run->started);
	double		mb = (double) bytes / 1e6;

	if (run->bytes_total > 0)
		fprintf(stderr, "\rpgsift: read %.0f of %.0f MB (%.0f%%), %.0f MB/s   ", mb,
				(double) run->bytes_total / 1e6, 100.0 * (double) bytes / (double) run->bytes_total,
				secs > 0 ? mb / secs : 0);
	else
		fprintf(stderr, "\rpgsift: read %.0f MB, %.0f MB/s   ", mb, secs > 0 ? mb / secs : 0);
}

static uint64_t record_start_after(ingest_file *f, uint64_t from);

/*
 * Answer an idle worker's request to cut t, which is at the line start
 * input_offset(in): when enough is left, end t at a record start such
 * that both threads finish together, reading at the rates they have read
 * so far (the new task starts cold: it gets CUT_HANDICAP_BYTES less), and
 * queue the rest as a new task after t in log order; else mark t
 * uncuttable.  Runs in t's own thread.
 */
static void
offer_cut(ingest_run *run, ingest_task *t, input_file *in)
{
	uint64_t	at = input_offset(in);
	uint64_t	end = input_range_end(in);
	uint64_t	cut = 0;
	double		elapsed = seconds_since(&t->began);
	double		own_rate = elapsed > 0 && at > t->start ? (double) (at - t->start) / elapsed : 0;
	double		thief_rate;

	pthread_mutex_lock(&run->lock);
	thief_rate = t->thief_rate;
	pthread_mutex_unlock(&run->lock);
	if (own_rate <= 0 || thief_rate <= 0)
		own_rate = thief_rate = 1;	/* unknown: as fast as each other */
	if (end > at && end - at >= 2 * (uint64_t) CUT_MIN_BYTES)
	{
		/*
		 * The two threads of this VM (or any machine) need not read as
		 * fast as each other: give the new part the share of the rest,
		 * less its cold start, that ends both together.
		 */
		uint64_t	rest = end - at;
		double		share = (double) (rest - CUT_HANDICAP_BYTES) * thief_rate / (thief_rate + own_rate);

		if (share >= CUT_LEAST_BYTES)
			cut = record_start_after(t->file, end - (uint64_t) share);
	}
	pthread_mutex_lock(&run->lock);
	if (cut > at && cut < end && run->ntasks < run->cap)
	{
		int			rest = run->ntasks++;

		run->tasks[rest] = (ingest_task) {.file = t->file, .start = cut, .end = end, .is_chunk = 1, .next = t->next,
		.parts = 1};
		atomic_init(&run->tasks[rest].at, cut);
		atomic_init(&run->tasks[rest].cut_wanted, 0);
		t->next = rest;
		t->end = cut;
		input_set_range_end(in, cut);
	}
	else
		t->uncuttable = 1;
	atomic_store(&t->cut_wanted, 0);
	pthread_cond_broadcast(&run->task_done);
	pthread_mutex_unlock(&run->lock);
}

/* Run one task: read its lines into its model. */
static void
run_task(ingest_task *t, const ingest_options *opts, ingest_run *run, int show_progress)
{
	ingest_file *f = t->file;
	input_file *in = f->stdin_input ? f->stdin_input
		/* a part numbers its lines from 1; merge_in_order shifts them */
		: t->is_chunk ? input_open_range(f->path, t->start, t->end, 1)
		: input_open(f->path);

	if (in == NULL)
		return;
	t->opened = 1;				/* the file's fields are the merging thread's: absorb_task */
	t->compression = input_get_compression(in);
	if (!t->is_chunk && f->start_offset > 0 && input_skip(in, f->start_offset) != 0)
	{
		diag_detail("The file is shorter than the part already ingested, so it was read from its start.");
		diag_hint("A log file that was truncated or replaced under the same name is read again.");
		diag_warning("log file \"%s\" has shrunk since the last run", f->path);
		input_close(in);
		in = input_open(f->path);
		if (in == NULL)
			return;
	}

	task_sink	sink = {event_assembler_create(workload_add_event, t->model), t->model, 0};
	reader_config cfg = {
		.file = f->path, .prefix = f->prefix, .syslog_year = opts->syslog_year,
		.tally = &t->tally, .sink = count_record, .sink_ctx = &sink,
	};
	const format_reader_ops *ops = format_reader_for(f->format);
	format_reader *r = ops->create(&cfg);
	const char *line;
	size_t		len;
	int			rc = 0;

	if (r == NULL)
	{
		input_close(in);
		event_assembler_destroy(sink.assembler);
		return;
	}
	uint64_t	base_line = input_line_number(in);	/* lines before this task's first */

	t->skipped_lines = !t->is_chunk && f->start_offset > 0 ? base_line : 0;
	for (int i = 0; i < f->nhead; i++)
		ops->feed(r, f->head_lines[i], f->head_lens[i], (uint64_t) i + 1);
	while ((rc = input_next_line(in, &line, &len)) == 1)
	{
		uint64_t	lineno = input_line_number(in);

		ops->feed(r, line, len, lineno);
		/* one test per line; the rest every AT_EVERY lines (a cut waits about a millisecond) */
		if ((lineno % AT_EVERY) != 0)
			continue;
		if (show_progress && (lineno % PROGRESS_EVERY) == 0)
			print_progress(run, input_raw_offset(in));
		if (t->is_chunk)
		{
			atomic_store_explicit(&t->at, input_offset(in), memory_order_relaxed);
			if (atomic_load_explicit(&t->cut_wanted, memory_order_relaxed))
				offer_cut(run, t, in);
		}
	}
	ops->finish(r);
	ops->destroy(r);
	event_assembler_finish(sink.assembler);
	event_assembler_destroy(sink.assembler);

	t->records = sink.records;
	t->lines = input_line_number(in) - base_line + (uint64_t) f->nhead;
	t->end_offset = input_offset(in);
	if (rc < 0)
	{
		t->read_error = 1;
		diag_detail("%s", input_error_detail(in));
		diag_hint("%s", input_error_hint(in));
		diag_warning("could not read log file \"%s\": %s", f->path, input_error(in));
	}
	if (input_lines_too_long(in) > 0)
		diag_warning("log file \"%s\": %llu lines longer than %u bytes were cut", f->path, (unsigned long long) input_lines_too_long(in), INPUT_MAX_LINE);
	input_close(in);
	if (f->stdin_input)
		f->stdin_input = NULL;	/* stdin is one task: no other thread has this file */
}

static void
ignore_record(void *ctx, const log_record *rec)
{
}

/* First record start at or after byte `from` of f, or 0 if none is near. */
static uint64_t
record_start_after(ingest_file *f, uint64_t from)
{
	diag_tally	scratch = {0};
	reader_config cfg = {.file = f->path, .prefix = f->prefix, .tally = &scratch, .sink = ignore_record};
	const format_reader_ops *ops = format_reader_for(f->format);
	format_reader *r = ops->create(&cfg);
	input_file *in = input_open_range(f->path, from - 1, 0, 1);
	uint64_t	found = 0;
	const char *line;
	size_t		len;

	if (in)
		input_limit_reads(in, RECORD_SEARCH_READ);
	/* starting one byte early makes the first line the rest of a partial one */
	if (r && in && input_next_line(in, &line, &len) == 1)
	{
		for (int i = 0; i < 100000; i++)
		{
			uint64_t	at = input_offset(in);	/* absolute: where the next line starts */

			if (input_next_line(in, &line, &len) != 1)
				break;
			if (ops->starts_record(r, line, len))
			{
				found = at;
				break;
			}
		}
	}
	if (in)
		input_close(in);
	if (r)
		ops->destroy(r);
	diag_tally_free(&scratch);
	return found;
}

/*
 * Cut a large plain file into up to `jobs` tasks at record starts: even
 * parts, or a first part of first_percent of the file (for tests) and
 * even parts after it.
 */
static int
plan_file_tasks(ingest_file *f, int jobs, int first_percent, ingest_task *out)
{
	struct stat st;
	int			n = 0;

	out[0] = (ingest_task) {.file = f};
	if (jobs <= 1 || f->start_offset > 0 || stat(f->path, &st) != 0 || !S_ISREG(st.st_mode) ||
		(uint64_t) st.st_size < SPLIT_MIN_BYTES)
		return 1;
	input_file *probe = input_open(f->path);
	int			plain = probe && input_get_compression(probe) == INPUT_PLAIN;

	if (probe)
		input_close(probe);
	if (!plain)
		return 1;

	uint64_t	size = (uint64_t) st.st_size;
	uint64_t	first = first_percent > 0 && first_percent < 100 ? size / 100 * (uint64_t) first_percent
		: size / (uint64_t) jobs;
	uint64_t	prev = 0;

	for (int k = 1; k < jobs; k++)
	{
		uint64_t	start = record_start_after(f, first + (size - first) / (uint64_t) (jobs - 1) * (uint64_t) (k - 1));

		if (start <= prev)
			continue;
		out[n] = (ingest_task) {.file = f, .start = prev, .end = start, .is_chunk = 1};
		n++;
		prev = start;
	}
	out[n] = (ingest_task) {.file = f, .start = prev, .end = n > 0 ? size : 0, .is_chunk = n > 0};
	n++;
	return n;
}

/*
 * The running part with most left to read, if that is enough to cut
 * (run->lock held), else NULL.
 */
static ingest_task *
part_to_cut(ingest_run *run)
{
	ingest_task *best = NULL;
	uint64_t	most = 2 * (uint64_t) CUT_MIN_BYTES;

	if (run->ntasks >= run->cap)
		return NULL;
	for (int i = 0; i < run->ntasks; i++)
	{
		ingest_task *t = &run->tasks[i];
		uint64_t	at = atomic_load_explicit(&t->at, memory_order_relaxed);

		if (t->running && t->is_chunk && !t->uncuttable && !atomic_load(&t->cut_wanted) &&
			t->end > at && t->end - at > most)
		{
			best = t;
			most = t->end - at;
		}
	}
	return best;
}

/*
 * Wait until victim has answered a cut (run->lock held, released
 * meanwhile), on this thread's core: spinning, for up to ANSWER_SPIN_NS,
 * then asleep.  A thread woken by the victim's broadcast is put on the
 * victim's core, where it waits for the victim to yield it while its own
 * core idles (the cut part then began up to milliseconds late); the
 * answer comes within AT_EVERY of the victim's lines, well under a
 * millisecond, and this core has nothing else to do.
 */
static void
await_answer(ingest_run *run, ingest_task *victim)
{
	struct timespec began;

	pthread_mutex_unlock(&run->lock);
	clock_gettime(CLOCK_MONOTONIC, &began);
	for (unsigned spins = 1; atomic_load(&victim->cut_wanted); spins++)
	{
		if (spins % 64 == 0 && seconds_since(&began) * 1e9 > ANSWER_SPIN_NS)
			break;
		sched_yield();
	}
	pthread_mutex_lock(&run->lock);
	while (atomic_load(&victim->cut_wanted))
		pthread_cond_wait(&run->task_done, &run->lock);
}

/*
 * The next task for an idle worker (run->lock held): a queued one, or
 * the rest of a running part, cut off for it (rate: the worker's bytes per
 * second so far, 0 if unknown, for the size of the cut); -1 when nothing
 * is left and no cut is being answered.
 */
static int
take_task(ingest_run *run, double rate)
{
	for (;;)
	{
		if (run->next_task < run->ntasks)
			return run->next_task++;

		ingest_task *victim = part_to_cut(run);

		if (victim == NULL)
		{
			/* another worker's cut may be about to queue a task: wait for its answer */
			int			pending = 0;

			for (int i = 0; i < run->ntasks && !pending; i++)
				pending = atomic_load(&run->tasks[i].cut_wanted);
			if (!pending)
				return -1;
			pthread_cond_wait(&run->task_done, &run->lock);
			continue;
		}
		victim->thief_rate = rate;
		atomic_store(&victim->cut_wanted, 1);
		await_answer(run, victim);
	}
}

/*
 * Fold a finished part's finished successors in the same file into it
 * (run->lock held, released around each merge): the successor's lines
 * are numbered after the part's, and its model, figures and tally join
 * the part's, so that the caller's thread has them in one merge.  Not
 * when the caller's thread merges t next: then it merges t and each
 * successor in turn, which costs a merge of the successor less than
 * merging it into t and t, grown, into the caller's model (a merge costs
 * what the part merged in holds), and would only wait meanwhile.
 */
static void
take_in_successors(ingest_run *run, ingest_task *t)
{
	if (t - run->tasks == run->merge_next)
		return;
	while (t->next >= 0 && !t->held)
	{
		ingest_task *s = &run->tasks[t->next];

		if (!s->done || s->held || s->file != t->file || t->model == NULL || s->model == NULL)
			break;
		t->held = s->held = 1;
		pthread_mutex_unlock(&run->lock);
		workload_shift_lines(s->model, t->lines);
		diag_tally_shift_lines(&s->tally, t->lines);
		workload_merge(t->model, s->model);
		workload_destroy(s->model);
		s->model = NULL;
		diag_tally_merge(&t->tally, &s->tally);
		diag_tally_free(&s->tally);
		t->lines += s->lines;
		t->skipped_lines += s->skipped_lines;
		t->records += s->records;
		t->read_error |= s->read_error;
		if (s->end_offset > t->end_offset)
			t->end_offset = s->end_offset;
		t->parts += s->parts;
		pthread_mutex_lock(&run->lock);
		t->next = s->next;
		t->held = 0;
		s->held = 1;			/* gone: nothing takes it in again */
	}
}

/*
 * Where t's part stands in the log, for the shape resolver: its file's
 * place in the run, then its offset (files up to 2^40 bytes; the first
 * part of the first file is 0).
 */
static uint64_t
task_order(const ingest_run *run, const ingest_task *t)
{
	return ((uint64_t) (t->file - run->files) << 40) | (t->start & (((uint64_t) 1 << 40) - 1));
}

static void *
worker_main(void *arg)
{
	ingest_run *run = arg;
	uint64_t	bytes_read = 0;
	double		seconds_read = 0;

	for (;;)
	{
		pthread_mutex_lock(&run->lock);
		int			i = take_task(run, seconds_read > 0 ? (double) bytes_read / seconds_read : 0);

		if (i >= 0)
			run->tasks[i].running = 1;
		pthread_mutex_unlock(&run->lock);
		if (i < 0)
			break;

		ingest_task *t = &run->tasks[i];

		if (t->model == NULL)
		{
			t->model = workload_create(run->opts->filter);
			workload_share_shapes(t->model, run->shapes, task_order(run, t));
		}
		clock_gettime(CLOCK_MONOTONIC, &t->began);
		run_task(t, run->opts, run, 0);

		uint64_t	part_bytes = t->end_offset > t->start ? t->end_offset - t->start : 0;

		seconds_read += seconds_since(&t->began);
		bytes_read += part_bytes;
		pthread_mutex_lock(&run->lock);
		t->running = 0;
		t->done = 1;
		atomic_store(&t->cut_wanted, 0);	/* asked too late: nothing is left to cut */
		run->bytes_done += part_bytes;
		take_in_successors(run, t);
		/* and this part into a finished predecessor that is not taken */
		for (int k = 0; k < run->ntasks; k++)
			if (run->tasks[k].next == i && run->tasks[k].done && !run->tasks[k].held)
				take_in_successors(run, &run->tasks[k]);
		pthread_cond_broadcast(&run->task_done);
		pthread_mutex_unlock(&run->lock);
	}
	return NULL;
}

static void
destroy_model(void *model)
{
	workload_destroy(model);
}

/*
 * Fold a finished task into the caller's model and file record.  A task
 * that read a later part of a file numbered its lines from 1: `shift` is
 * the number of lines before the part.  A model merged in is destroyed on
 * spare when there is one.
 */
static void
absorb_task(workload *w, ingest_task *t, diag_tally *tally, int merge, uint64_t shift, spare_thread *spare)
{
	ingest_file *f = t->file;

	if (shift > 0)
	{
		workload_shift_lines(t->model, shift);
		diag_tally_shift_lines(&t->tally, shift);
	}
	if (merge)
	{
		workload_merge(w, t->model);
		/* nothing of w points into it now: its memory goes meanwhile, on the spare thread */
		if (spare_thread_run(spare, destroy_model, t->model) != 0)
			workload_destroy(t->model);
		t->model = NULL;
	}
	if (t->opened)
	{
		f->opened = 1;
		f->compression = t->compression;
	}
	f->parts += t->parts;
	f->lines += t->lines + t->skipped_lines;
	f->lines_read += t->lines;
	f->records += t->records;
	f->malformed += t->tally.malformed;
	if (t->tally.fallback > 0 && (f->fallback_lines == 0 || t->tally.fallback_first < f->fallback_first))
		f->fallback_first = t->tally.fallback_first;
	f->fallback_lines += t->tally.fallback;
	f->read_error |= t->read_error;
	if (t->end_offset > f->end_offset)
		f->end_offset = t->end_offset;
	diag_tally_merge(tally, &t->tally);
	diag_tally_free(&t->tally);
}

/*
 * Wait for tasks in log order (the chain from the first) and merge each
 * as soon as it and all before it are done and no worker is merging into
 * it.  A task taken here stays held: nothing is merged into it later.
 */
static void
merge_in_order(workload *w, ingest_run *run, diag_tally *tally)
{
	uint64_t	lines_before = 0;	/* in the current file, before task i's part */
	const ingest_file *file = NULL;

	for (int i = 0; i >= 0;)
	{
		if (run->tasks[i].file != file)
			lines_before = 0;
		file = run->tasks[i].file;
		pthread_mutex_lock(&run->lock);
		run->merge_next = i;
		while (!run->tasks[i].done || run->tasks[i].held)
		{
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 500000000;
			if (until.tv_nsec >= 1000000000)
				until.tv_sec++, until.tv_nsec -= 1000000000;
			pthread_cond_timedwait(&run->task_done, &run->lock, &until);
			if (run->opts->progress && !run->tasks[i].done)
				print_progress(run, run->bytes_done);
		}
		run->tasks[i].held = 1;
		pthread_mutex_unlock(&run->lock);
		absorb_task(w, &run->tasks[i], tally, run->tasks[i].model != w, lines_before, run->opts->spare);
		lines_before += run->tasks[i].lines;
		pthread_mutex_lock(&run->lock);
		i = run->tasks[i].next;
		pthread_mutex_unlock(&run->lock);
	}
}

uint64_t
ingest_files(workload *w, ingest_file *files, int n, const ingest_options *opts, diag_tally *tally)
{
	int			jobs = opts->jobs > 1 ? opts->jobs : 1;
	ingest_run	run = {.opts = opts, .files = files, .merge_next = -1};

	run.cap = n * jobs + 1 + (jobs > 1 ? jobs * CUTS_PER_JOB : 0);
	run.tasks = xcalloc((size_t) run.cap, sizeof(ingest_task));
	clock_gettime(CLOCK_MONOTONIC, &run.started);
	for (int i = 0; i < n; i++)
	{
		struct stat st;

		if (strcmp(files[i].path, "-") != 0 && stat(files[i].path, &st) == 0)
			run.bytes_total += (uint64_t) st.st_size;
		if (ingest_detect_file(&files[i], opts) == 0 || files[i].format != LOG_FORMAT_AUTO)
			run.ntasks += plan_file_tasks(&files[i], jobs, opts->first_part_percent, run.tasks + run.ntasks);
	}
	for (int i = 0; i < run.ntasks; i++)
	{
		run.tasks[i].next = i + 1 < run.ntasks ? i + 1 : -1;
		run.tasks[i].parts = 1;
		atomic_init(&run.tasks[i].at, run.tasks[i].start);
		atomic_init(&run.tasks[i].cut_wanted, 0);
	}
	if (jobs == 1 || run.ntasks <= 1)
	{
		for (int i = 0; i < run.ntasks; i++)
		{
			run.tasks[i].model = w;
			run_task(&run.tasks[i], opts, &run, opts->progress);
			absorb_task(w, &run.tasks[i], tally, 0, 0, NULL);
		}
	}
	else
	{
		pthread_t	threads[64];
		int			nthreads = jobs < run.ntasks ? jobs : run.ntasks;

		if (nthreads > 64)
			nthreads = 64;
		run.shapes = shape_resolver_create();
		/* the first task reads into w itself, as a serial run would; the others get theirs when taken */
		run.tasks[0].model = w;
		workload_share_shapes(w, run.shapes, 0);
		pthread_mutex_init(&run.lock, NULL);
		pthread_cond_init(&run.task_done, NULL);
		for (int i = 0; i < nthreads; i++)
			pthread_create(&threads[i], NULL, worker_main, &run);
		merge_in_order(w, &run, tally);
		for (int i = 0; i < nthreads; i++)
			pthread_join(threads[i], NULL);
		pthread_mutex_destroy(&run.lock);
		pthread_cond_destroy(&run.task_done);
		workload_share_shapes(w, NULL, 0);
		shape_resolver_destroy(run.shapes);
	}
	if (opts->progress)
		fputs("\r\033[K", stderr);

	uint64_t	records = 0,
				lines = 0,
				opened = 0,
				malformed = 0;

	for (int i = 0; i < n; i++)
	{
		records += files[i].records;
		lines += files[i].lines_read;
		/* a file resumed from a store was counted when it was first read */
		opened += files[i].opened && files[i].start_offset == 0;
		malformed += files[i].malformed;
	}
	workload_note_input(w, opened, lines, malformed);
	workload_summary_mut(w)->records += records;
	for (int i = 0; i < n; i++)
		if (files[i].fallback_lines > 0)
			ingest_warn_fallback(&files[i]);
	free(run.tasks);
	return records;
}
