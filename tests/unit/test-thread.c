/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * thread_start: the new thread blocks every signal the loop takes through
 * its signalfd (SIGTERM, SIGINT, SIGHUP) — from a caller that blocks none
 * — and the caller's own mask is as it was. And a SIGTERM sent to the
 * process while such a thread runs stays pending for the caller (the
 * signalfd), never ending the process.
 */
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"
#include "cityops/core/thread.h"

static sigset_t seen;
static atomic_int ready;

static void *
record_mask(void *arg)
{
	(void)arg;
	pthread_sigmask(SIG_SETMASK, NULL, &seen);
	atomic_store(&ready, 1);
	return NULL;
}

static void
test_thread_blocks_signals(void)
{
	sigset_t none, after;
	pthread_t t;

	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	CHECK_INT(thread_start(&t, 0, record_mask, NULL), 0);
	pthread_join(t, NULL);
	CHECK(sigismember(&seen, SIGTERM) == 1);
	CHECK(sigismember(&seen, SIGINT) == 1);
	CHECK(sigismember(&seen, SIGHUP) == 1);
	pthread_sigmask(SIG_SETMASK, NULL, &after);
	CHECK(sigismember(&after, SIGTERM) == 0);
}

static void *
spin(void *arg)
{
	(void)arg;
	atomic_store(&ready, 1);
	for (;;)
		pause();
	return NULL;
}

static void
test_sigterm_stays_with_the_caller(void)
{
	sigset_t term, pending;
	int signo = 0;

	/* The caller blocks SIGTERM, as feed_sigwatch_new does; a detached
	 * helper runs; SIGTERM to the process must wait for the caller. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &term, NULL);
	atomic_store(&ready, 0);
	CHECK_INT(thread_start(NULL, 1, spin, NULL), 0);
	while (!atomic_load(&ready))
		usleep(1000);
	kill(getpid(), SIGTERM);
	sigpending(&pending);
	CHECK(sigismember(&pending, SIGTERM) == 1);
	CHECK_INT(sigwait(&term, &signo), 0);
	CHECK_INT(signo, SIGTERM);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(test_thread_blocks_signals),
	    TEST(test_sigterm_stays_with_the_caller),
	    {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
