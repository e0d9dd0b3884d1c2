/*-------------------------------------------------------------------------
 * test_spare_thread.c
 *    A thread started ahead of its work (src/lib/spare_thread.c): it runs
 *    each job given on its own thread, one at a time and in order, on
 *    another CPU than its caller's, waits when told to, and ends cleanly
 *    with or without a job.
 *-------------------------------------------------------------------------
 */
#include "src/lib/spare_thread.h"
#include "tests/test_registry.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

typedef struct job_state
{
	pthread_t	ran_on;
	atomic_int	runs;
	atomic_int	release;		/* the job returns once this is set */
} job_state;

static void
counting_job(void *arg)
{
	job_state  *s = arg;

	s->ran_on = pthread_self();
	while (!atomic_load(&s->release))
		usleep(100);
	atomic_fetch_add(&s->runs, 1);
}

typedef struct order_job
{
	atomic_int *next;			/* the next number to take */
	int			took;
} order_job;

static void
take_number(void *arg)
{
	order_job  *o = arg;

	o->took = atomic_fetch_add(o->next, 1);
}

/*
 * A job runs on the spare, not the caller; one given while another runs
 * waits its turn, and jobs run in the order given; wait waits for all.
 */
static void
test_runs_one_job_at_a_time(void)
{
	spare_thread *t = spare_thread_start();
	job_state	s = {0};
	atomic_int	next = 0;
	order_job	order[8];

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(spare_thread_run(t, counting_job, &s), 0);
	for (int i = 0; i < 8; i++)
	{
		order[i] = (order_job) {&next, -1};
		CU_ASSERT_EQUAL(spare_thread_run(t, take_number, &order[i]), 0);
	}
	usleep(2000);
	CU_ASSERT_EQUAL(atomic_load(&next), 0);	/* queued behind the first, still held */
	atomic_store(&s.release, 1);
	spare_thread_wait(t);
	CU_ASSERT_EQUAL(atomic_load(&s.runs), 1);
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(order[i].took, i);
	CU_ASSERT_FALSE(pthread_equal(s.ran_on, pthread_self()));
	/* and again, on the same thread */
	pthread_t	first = s.ran_on;

	CU_ASSERT_EQUAL(spare_thread_run(t, counting_job, &s), 0);
	spare_thread_wait(t);
	CU_ASSERT_EQUAL(atomic_load(&s.runs), 2);
	CU_ASSERT_TRUE(pthread_equal(s.ran_on, first));
	spare_thread_finish(t);
}

/* finish waits for a job still running; a spare never used ends too; NULL is refused or ignored. */
static void
test_finish_and_null(void)
{
	spare_thread *t = spare_thread_start();
	job_state	s = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(spare_thread_run(t, counting_job, &s), 0);
	atomic_store(&s.release, 1);
	spare_thread_finish(t);
	CU_ASSERT_EQUAL(atomic_load(&s.runs), 1);
	spare_thread_finish(spare_thread_start());
	CU_ASSERT_EQUAL(spare_thread_run(NULL, counting_job, &s), -1);
	spare_thread_wait(NULL);
	spare_thread_finish(NULL);
	CU_ASSERT_EQUAL(atomic_load(&s.runs), 1);
}

typedef struct where_job
{
	int			cpu;			/* where the job began */
	cpu_set_t	allowed;		/* the job's thread's CPUs while it runs */
} where_job;

static void
note_where(void *arg)
{
	where_job  *w = arg;

	w->cpu = sched_getcpu();
	pthread_getaffinity_np(pthread_self(), sizeof(w->allowed), &w->allowed);
}

/*
 * The job begins on a CPU other than its caller's (woken onto the
 * caller's, it would wait for the caller to yield it), and then may run
 * anywhere the process may.  Needs two CPUs.
 */
static void
test_woken_elsewhere(void)
{
	cpu_set_t	all,
				one;

	CU_ASSERT_EQUAL_FATAL(sched_getaffinity(0, sizeof(all), &all), 0);
	if (CPU_COUNT(&all) < 2)
		return;					/* nowhere else to go */

	/* made before the caller is pinned: a thread starts with its creator's CPUs */
	spare_thread *t = spare_thread_start();
	int			here = sched_getcpu();

	CU_ASSERT_FATAL(here >= 0);
	CPU_ZERO(&one);
	CPU_SET(here, &one);
	/* the caller stays on its CPU for the test */
	CU_ASSERT_EQUAL_FATAL(pthread_setaffinity_np(pthread_self(), sizeof(one), &one), 0);

	for (int round = 0; round < 5; round++)
	{
		where_job	w = {.cpu = -1};

		CU_ASSERT_EQUAL(spare_thread_run(t, note_where, &w), 0);
		spare_thread_wait(t);
		CU_ASSERT(w.cpu >= 0 && w.cpu != here);
		CU_ASSERT_TRUE(CPU_EQUAL(&w.allowed, &all));
	}
	spare_thread_finish(t);
	pthread_setaffinity_np(pthread_self(), sizeof(all), &all);
}

PGSIFT_TEST_SUITE(add_spare_thread_suite)
{
	CU_pSuite	s = CU_add_suite("lib/spare_thread", NULL, NULL);

	CU_add_test(s, "runs jobs one at a time, in order, on its own thread", test_runs_one_job_at_a_time);
	CU_add_test(s, "finish waits for its job; NULL", test_finish_and_null);
	CU_add_test(s, "a job begins on another CPU than its caller's", test_woken_elsewhere);
}
