/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Helper threads (a resolver, a spool's fdatasync) that never take a
 * signal: the daemons turn SIGTERM, SIGINT and SIGHUP into loop events
 * through a signalfd (feed-run.c), which works only while every thread
 * blocks them; a thread that did not would take SIGTERM's default action
 * and end the process without the loop's clean stop.
 */
#ifndef CITYOPS_THREAD_H
#define CITYOPS_THREAD_H

#include <pthread.h>

/* Starts fn(arg) on a new thread with every signal blocked (the caller's
 * own mask is left as it was); detached: never joined, *t may be NULL.
 * Returns 0 or an errno value, as pthread_create. */
int thread_start(pthread_t *t, int detached, void *(*fn)(void *), void *arg);

#endif
