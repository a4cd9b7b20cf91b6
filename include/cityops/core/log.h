/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The application log. Nothing may write to stderr while the screen is up,
 * so libpq notices and libwebsockets messages come here too.
 */
#ifndef CITYOPS_LOG_H
#define CITYOPS_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/*
 * Sends the log to path (appending), or to stderr when path is "-", or
 * nowhere when path is NULL. Returns 0, or -1 if the file cannot be opened.
 */
int log_open(const char *path, enum log_level level);
void log_close(void);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
