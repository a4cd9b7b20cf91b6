/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A slower disk for benchmarks: LD_PRELOAD this into a process and every
 * fdatasync waits SLOW_FDATASYNC_US microseconds before the real one
 * runs. This machine's disk syncs in well under a millisecond when it is
 * quiet and in 20-25 ms when eight builds share it; bench/push-bench
 * (PUSH_SYNC_DELAY_US) uses it to compare the spool's group commit with
 * the old in-loop sync under the slow case, both in the same run.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
fdatasync(int fd)
{
	static int (*real)(int);
	static long us = -1;
	struct timespec ts;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "fdatasync");
	if (us < 0) {
		const char *e = getenv("SLOW_FDATASYNC_US");
		us = e != NULL ? atol(e) : 0;
	}
	if (us <= 0)
		return real(fd);
	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) != 0)
		;
	return real(fd);
}
