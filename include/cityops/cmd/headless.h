/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Headless mode: the command engine driven by lines of text from a script,
 * stdin or -c, printing human text or one JSON object per command.
 */
#ifndef CITYOPS_HEADLESS_H
#define CITYOPS_HEADLESS_H

#include <stdio.h>

struct session;

struct headless_opts {
	int json;       /* one JSON object per command on stdout */
	int keep_going; /* run every command even after one fails */
	int echo;       /* print each command before its output */
};

/*
 * Runs one line; blank lines and #comments do nothing. Returns 0, or 1 when
 * the command failed (its error has been printed).
 */
int headless_line(struct session *s, const char *line, long lineno,
                  const struct headless_opts *o);

/*
 * Runs every line of in. Returns the exit status: 0 when every command
 * succeeded, 1 at the first failure (or, with keep_going, if any failed).
 */
int headless_run(struct session *s, FILE *in, const struct headless_opts *o);

#endif
