/*-------------------------------------------------------------------------
 * spare_thread.c
 *    A thread started ahead of the work it will be given (spare_thread.h).
 *
 * The thread sleeps on a condition variable until a job is queued or it
 * is told to end; one mutex guards the queue and the flags.  Jobs run in
 * the order given.  Before waking it, the giver takes its own CPU out of
 * the thread's affinity; the thread puts it back as it takes the job.
 *-------------------------------------------------------------------------
 */
#include "src/lib/spare_thread.h"
#include "src/lib/arena.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

typedef struct queued_job
{
	spare_thread_job job;
	void	   *arg;
	struct queued_job *next;
} queued_job;

struct spare_thread
{
	pthread_t	thread;
	cpu_set_t	cpus;			/* where it may run: its creator's CPUs */
	int			steered;		/* kept off its waker's CPU until it runs */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	queued_job *first,			/* queued, the first one running */
			   *last;
	int			ending;
};

static void *
spare_main(void *arg)
{
	spare_thread *t = arg;

	pthread_mutex_lock(&t->lock);
	for (;;)
	{
		while (t->first == NULL && !t->ending)
			pthread_cond_wait(&t->changed, &t->lock);
		if (t->first == NULL)
			break;

		queued_job *q = t->first;

		if (t->steered)
			pthread_setaffinity_np(pthread_self(), sizeof(t->cpus), &t->cpus);
		t->steered = 0;
		pthread_mutex_unlock(&t->lock);
		q->job(q->arg);
		pthread_mutex_lock(&t->lock);
		t->first = q->next;
		if (t->first == NULL)
			t->last = NULL;
		free(q);
		pthread_cond_broadcast(&t->changed);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

spare_thread *
spare_thread_start(void)
{
	spare_thread *t = xcalloc(1, sizeof(spare_thread));

	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->changed, NULL);
	if (sched_getaffinity(0, sizeof(t->cpus), &t->cpus) != 0)
		CPU_ZERO(&t->cpus);
	if (pthread_create(&t->thread, NULL, spare_main, t) != 0)
	{
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->changed);
		free(t);
		return NULL;
	}
	return t;
}

/* Keep t, about to be woken, off the calling thread's CPU (t->lock held). */
static void
steer_away(spare_thread *t)
{
	int			here = sched_getcpu();
	cpu_set_t	elsewhere = t->cpus;

	/* woken onto this CPU, it would wait for this thread to yield it */
	if (here >= 0 && CPU_ISSET(here, &elsewhere) && CPU_COUNT(&elsewhere) > 1)
	{
		CPU_CLR(here, &elsewhere);
		t->steered = pthread_setaffinity_np(t->thread, sizeof(elsewhere), &elsewhere) == 0;
	}
}

int
spare_thread_run(spare_thread *t, spare_thread_job job, void *arg)
{
	int			rc = -1;

	if (t == NULL)
		return -1;
	pthread_mutex_lock(&t->lock);
	if (!t->ending)
	{
		queued_job *q = xcalloc(1, sizeof(queued_job));

		q->job = job;
		q->arg = arg;
		if (t->last)
			t->last->next = q;
		else
		{
			t->first = q;
			steer_away(t);		/* it sleeps: this wakes it */
		}
		t->last = q;
		pthread_cond_broadcast(&t->changed);
		rc = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

void
spare_thread_wait(spare_thread *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	while (t->first != NULL)
		pthread_cond_wait(&t->changed, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

void
spare_thread_finish(spare_thread *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	t->ending = 1;
	pthread_cond_broadcast(&t->changed);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->changed);
	free(t);
}
