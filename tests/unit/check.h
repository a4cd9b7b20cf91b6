/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A small unit-test harness. Each test file defines TESTS as a list of
 * functions and calls check_main(); a failed CHECK reports file and line
 * and marks the test failed but goes on, so one run shows every failure.
 * The last line is "N passed, N failed", which ctest's log keeps.
 */
#ifndef CITYOPS_CHECK_H
#define CITYOPS_CHECK_H

#include <string.h>

struct check_case {
	const char *name;
	void (*fn)(void);
};

extern int check_failed_now;

void check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int check_main(const struct check_case *cases, int argc, char **argv);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			check_fail(__FILE__, __LINE__, "%s", #cond);           \
	} while (0)

#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		if (g_ == NULL || strcmp(g_, w_) != 0)                         \
			check_fail(__FILE__, __LINE__,                         \
			           "got \"%s\", want \"%s\"",                  \
			           g_ ? g_ : "(null)", w_);                    \
	} while (0)

#define CHECK_INT(got, want)                                                   \
	do {                                                                   \
		long long g_ = (got), w_ = (want);                             \
		if (g_ != w_)                                                  \
			check_fail(__FILE__, __LINE__, "got %lld, want %lld",  \
			           g_, w_);                                    \
	} while (0)

#define TEST(fn)                                                               \
	{                                                                      \
#fn, fn                                                        \
	}

#endif
