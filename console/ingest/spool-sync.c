/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The spool's sync thread (spool-sync.h). The loop hands the thread one
 * job at a time (a copy of the segment's descriptor and the position it
 * covers) under a mutex; the thread runs fdatasync, closes the copy and
 * writes the outcome into one end of a socket pair the loop watches.
 * Only the loop touches the spool; the thread touches the descriptor.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cityops/core/log.h"
#include "cityops/core/thread.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "cityops/ingest/spool-sync.h"
#include "cityops/ingest/spool.h"

#define RETRY_MS 100

struct outcome {
	uint64_t upto;
	int err; /* errno of fdatasync, 0 when it succeeded */
};

struct spool_syncer {
	struct loop *loop;
	struct spool *spool;
	spool_durable_fn fn;
	void *arg;
	struct loop_watch *w;
	struct loop_timer *retry;
	int sv[2]; /* [0] the loop reads, [1] the thread writes */
	int busy;
	uint64_t count;
	/* Shared with the thread, under mu. */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int job_fd, quit;
	uint64_t job_upto;
};

static void *
sync_thread(void *arg)
{
	struct spool_syncer *sy = arg;
	struct outcome o;
	int fd;

	for (;;) {
		pthread_mutex_lock(&sy->mu);
		while (sy->job_fd < 0 && !sy->quit)
			pthread_cond_wait(&sy->cv, &sy->mu);
		if (sy->job_fd < 0) {
			pthread_mutex_unlock(&sy->mu);
			return NULL;
		}
		fd = sy->job_fd;
		o.upto = sy->job_upto;
		sy->job_fd = -1;
		pthread_mutex_unlock(&sy->mu);
		o.err = fdatasync(fd) == 0 ? 0 : errno;
		close(fd);
		/* Blocking: the loop reads every outcome. */
		while (write(sy->sv[1], &o, sizeof o) < 0 && errno == EINTR)
			;
	}
}

static void
retry_cb(void *arg)
{
	spool_syncer_kick(arg);
}

static void
on_outcome(void *arg, unsigned events)
{
	struct spool_syncer *sy = arg;
	struct outcome o;
	ssize_t n = recv(sy->sv[0], &o, sizeof o, MSG_DONTWAIT);

	(void)events;
	if (n != (ssize_t)sizeof o)
		return;
	sy->busy = 0;
	sy->count++;
	if (o.err != 0) {
		/* Nothing is answered that is not on disk: again, later. */
		log_msg(LOG_ERROR, "spool: cannot sync: %s", strerror(o.err));
		loop_timer_start(sy->retry, RETRY_MS);
		return;
	}
	spool_sync_done(sy->spool, o.upto);
	/* What came in during this sync goes with the next one. */
	spool_syncer_kick(sy);
	sy->fn(sy->arg, spool_synced(sy->spool));
}

void
spool_syncer_kick(struct spool_syncer *sy)
{
	uint64_t upto;
	int fd;

	if (sy->busy || spool_synced(sy->spool) == spool_end(sy->spool))
		return;
	if ((fd = spool_sync_begin(sy->spool, &upto)) < 0) {
		loop_timer_start(sy->retry, RETRY_MS);
		return;
	}
	pthread_mutex_lock(&sy->mu);
	sy->job_fd = fd;
	sy->job_upto = upto;
	pthread_cond_signal(&sy->cv);
	pthread_mutex_unlock(&sy->mu);
	sy->busy = 1;
}

struct spool_syncer *
spool_syncer_new(struct loop *l, struct spool *s, spool_durable_fn fn,
                 void *arg)
{
	struct spool_syncer *sy = xcalloc(1, sizeof *sy);
	int rc;

	sy->loop = l;
	sy->spool = s;
	sy->fn = fn;
	sy->arg = arg;
	sy->job_fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sy->sv) != 0) {
		log_msg(LOG_ERROR, "spool: cannot make a socket pair: %s",
		        strerror(errno));
		free(sy);
		return NULL;
	}
	pthread_mutex_init(&sy->mu, NULL);
	pthread_cond_init(&sy->cv, NULL);
	if ((rc = thread_start(&sy->thread, 0, sync_thread, sy)) != 0) {
		log_msg(LOG_ERROR, "spool: cannot start the sync thread: %s",
		        strerror(rc));
		close(sy->sv[0]);
		close(sy->sv[1]);
		pthread_mutex_destroy(&sy->mu);
		pthread_cond_destroy(&sy->cv);
		free(sy);
		return NULL;
	}
	sy->retry = loop_timer_new(l, retry_cb, sy);
	sy->w = loop_watch_fd(l, sy->sv[0], on_outcome, sy);
	if (sy->w == NULL) {
		spool_syncer_free(&sy);
		return NULL;
	}
	return sy;
}

int
spool_syncer_busy(const struct spool_syncer *sy)
{
	return sy->busy;
}

uint64_t
spool_syncer_count(const struct spool_syncer *sy)
{
	return sy->count;
}

void
spool_syncer_free(struct spool_syncer **syp)
{
	struct spool_syncer *sy = *syp;

	if (sy == NULL)
		return;
	pthread_mutex_lock(&sy->mu);
	sy->quit = 1;
	pthread_cond_signal(&sy->cv);
	pthread_mutex_unlock(&sy->mu);
	/* A running sync ends first; its outcome is not wanted now. */
	pthread_join(sy->thread, NULL);
	if (sy->job_fd >= 0)
		close(sy->job_fd);
	loop_unwatch(&sy->w);
	loop_timer_free(&sy->retry);
	close(sy->sv[0]);
	close(sy->sv[1]);
	pthread_mutex_destroy(&sy->mu);
	pthread_cond_destroy(&sy->cv);
	free(sy);
	*syp = NULL;
}
