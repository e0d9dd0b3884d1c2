/*-------------------------------------------------------------------------
 * spare_thread.c
 *    A thread started ahead of the work it will be given (spare_thread.h).
 *
 * The thread sleeps on a condition variable until a job is posted or it
 * is told to end; one mutex guards the job and the flags.
 *-------------------------------------------------------------------------
 */
#include "src/lib/spare_thread.h"
#include "src/lib/arena.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

struct spare_thread
{
	pthread_t	thread;
	cpu_set_t	cpus;			/* where it may run: the process's CPUs */
	int			steered;		/* kept off its waker's CPU until it runs */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	spare_thread_job job;		/* posted, not yet returned; NULL: none */
	void	   *arg;
	int			ending;
};

static void *
spare_main(void *arg)
{
	spare_thread *t = arg;

	pthread_mutex_lock(&t->lock);
	for (;;)
	{
		while (t->job == NULL && !t->ending)
			pthread_cond_wait(&t->changed, &t->lock);
		if (t->job == NULL)
			break;

		spare_thread_job job = t->job;
		void	   *job_arg = t->arg;

		if (t->steered)
			pthread_setaffinity_np(pthread_self(), sizeof(t->cpus), &t->cpus);
		t->steered = 0;
		pthread_mutex_unlock(&t->lock);
		job(job_arg);
		pthread_mutex_lock(&t->lock);
		t->job = NULL;
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

int
spare_thread_run(spare_thread *t, spare_thread_job job, void *arg)
{
	int			rc = -1;

	if (t == NULL)
		return -1;
	pthread_mutex_lock(&t->lock);
	if (t->job == NULL && !t->ending)
	{
		int			here = sched_getcpu();
		cpu_set_t	elsewhere = t->cpus;

		/* woken onto this CPU, it would wait for this thread to yield it */
		if (here >= 0 && CPU_ISSET(here, &elsewhere) && CPU_COUNT(&elsewhere) > 1)
		{
			CPU_CLR(here, &elsewhere);
			t->steered = pthread_setaffinity_np(t->thread, sizeof(elsewhere), &elsewhere) == 0;
		}
		t->job = job;
		t->arg = arg;
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
	while (t->job != NULL)
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
