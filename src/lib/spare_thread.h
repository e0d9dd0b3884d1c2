/*-------------------------------------------------------------------------
 * spare_thread.h
 *    A thread started ahead of the work it will be given.
 *
 * A thread created at the moment its work is ready starts on its
 * creator's core and may wait there for the scheduler to move it to an
 * idle one: the JSON report's helper, created after the last merge while
 * the rules ran, began its first block 0.1-2 ms after pthread_create.  A
 * spare thread is created early, while a core is idle anyway, and sleeps
 * until it is given a job: waking a sleeping thread on an idle core takes
 * tens of microseconds.  Jobs given while one runs wait their turn, in
 * order; a spare that is never given one costs a thread that sleeps.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SPARE_THREAD_H
#define PGSIFT_SPARE_THREAD_H

typedef struct spare_thread spare_thread;

typedef void (*spare_thread_job) (void *arg);

/* A new spare thread, asleep; NULL when no thread can be made. */
spare_thread *spare_thread_start(void);

/*
 * Have t run job(arg), now or after the jobs given before it; 0, or -1
 * when t is NULL (the caller then does the job some other way).
 */
int			spare_thread_run(spare_thread *t, spare_thread_job job, void *arg);

/* Wait until every job given to t has returned.  t NULL: nothing. */
void		spare_thread_wait(spare_thread *t);

/* Wait for t's jobs, end the thread and free t.  t NULL: nothing. */
void		spare_thread_finish(spare_thread *t);

#endif
