/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cityops/core/log.h"

static FILE *log_file;
static enum log_level log_level = LOG_WARN;

int
log_open(const char *path, enum log_level level)
{
	log_close();
	log_level = level;
	if (path == NULL)
		return 0;
	if (strcmp(path, "-") == 0) {
		log_file = stderr;
		return 0;
	}
	log_file = fopen(path, "a");
	if (log_file == NULL)
		return -1;
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

void
log_close(void)
{
	if (log_file != NULL && log_file != stderr)
		fclose(log_file);
	log_file = NULL;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (log_file == NULL || level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(log_file, "%s.%03ld %s ", stamp, ts.tv_nsec / 1000000,
	        names[level]);
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
}
