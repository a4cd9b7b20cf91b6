/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* Helper threads with every signal blocked (thread.h). */
#include <signal.h>

#include "cityops/core/thread.h"

int
thread_start(pthread_t *t, int detached, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	pthread_attr_t at;
	pthread_t local;
	int rc;

	/* A new thread inherits the mask of the thread that creates it. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&at);
	if (detached)
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(t != NULL ? t : &local, &at, fn, arg);
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
