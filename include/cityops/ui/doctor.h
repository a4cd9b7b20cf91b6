/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * `cityops doctor`: the first command on a new console machine. One line
 * per check — the connection (host, TLS, server version), the schema
 * (migrations applied and pending), the login (role, scope), the clocks
 * and time zones, each configured feed, the terminal (size, colours) and
 * the locale — and a hint under each problem. Exit status 0 when nothing
 * is wrong, 1 when something is (the last line names the first problem),
 * 2 for a bad invocation. It changes nothing anywhere.
 */
#ifndef CITYOPS_DOCTOR_H
#define CITYOPS_DOCTOR_H

#include <stdio.h>

enum doctor_state { DOCTOR_OK, DOCTOR_NOTE, DOCTOR_FAIL };

/* A run's report: where lines go and the problems found so far. */
struct doctor {
	FILE *out;
	int problems;
	char first[32]; /* the first failed check's name */
};

/* One line: "ok    name  text", and "      hint: hint" under a FAIL. */
void doctor_line(struct doctor *d, enum doctor_state st, const char *name,
                 const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

struct db;
struct config;

/* The checks (console/ui/doctor-checks.c); each prints its lines.
 * doctor_connection returns the connection, or NULL after a FAIL. */
struct db *doctor_connection(struct doctor *d, const char *dsn);
void doctor_schema(struct doctor *d, struct db *db);
void doctor_login(struct doctor *d, struct db *db);
void doctor_clock(struct doctor *d, struct db *db);
void doctor_feed(struct doctor *d, const char *url);
void doctor_terminal(struct doctor *d);
void doctor_locale(struct doctor *d);

/* `cityops doctor [--config FILE] [--feed URL]...`; argv[0] is "doctor". */
int doctor_main(int argc, char **argv, const char *dsn);

#endif
