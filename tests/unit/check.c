/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stdarg.h>
#include <stdio.h>

#include "check.h"

int check_failed_now;

void
check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	check_failed_now = 1;
}

/* Runs every case (or those named on the command line); exits 1 on any failure.
 */
int
check_main(const struct check_case *cases, int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (const struct check_case *c = cases; c->name != NULL; c++) {
		int wanted = argc < 2;
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], c->name) == 0)
				wanted = 1;
		if (!wanted)
			continue;
		check_failed_now = 0;
		c->fn();
		printf("%s %s\n", check_failed_now ? "FAIL" : "ok  ", c->name);
		if (check_failed_now)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
