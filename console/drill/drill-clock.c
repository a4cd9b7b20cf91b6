/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The drill's clock and its connections. Drill time D runs at speed × real
 * time from +00:00, or jumps from event to event with --speed max; before
 * each statement a connection's cityops.clock_offset is set so that
 * cityops.now() reads +00:00 + D. Every connection is fenced to its run
 * (cityops.drill = run id).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drill-internal.h"

#define CONNECT_TIMEOUT_MS 5000

volatile sig_atomic_t drill_interrupted;

void
drill_on_signal(int sig)
{
	(void)sig;
	drill_interrupted = 1;
}

long long
drill_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
drill_sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !drill_interrupted)
		;
}

/* Drill seconds now: real elapsed × speed, or the virtual clock. */
double
drill_now(const struct drill_runner *r)
{
	if (r->speed < 0)
		return r->vnow;
	return (double)(drill_mono_ms() - r->t0_ms) / 1000.0 * r->speed;
}

/* The base conninfo with user=login: appended to a key=value string (the
 * last setting wins) or as a URI parameter. */
char *
drill_conninfo(const char *dsn, const char *login)
{
	if (dsn == NULL || *dsn == '\0')
		return xasprintf("user='%s'", login);
	if (strncmp(dsn, "postgresql://", 13) == 0 ||
	    strncmp(dsn, "postgres://", 11) == 0)
		return xasprintf("%s%suser=%s", dsn,
		                 strchr(dsn, '?') ? "&" : "?", login);
	return xasprintf("%s user='%s'", dsn, login);
}

/* Connects and identifies; 0, or -1 with a message on stderr. */
int
drill_open_session(struct session *s, const char *conninfo, const char *who)
{
	struct db_error err = {0};

	memset(s, 0, sizeof *s);
	s->db = db_connect(conninfo, CONNECT_TIMEOUT_MS, &err);
	if (s->db == NULL) {
		fprintf(stderr, "cityops drill: cannot connect as %s: %s\n",
		        who, err.message ? err.message : "failed");
		db_error_clear(&err);
		return -1;
	}
	if (session_identify(s, &err) != 0) {
		fprintf(stderr,
		        "cityops drill: %s is not a cityops operator: "
		        "%s\n",
		        who, err.message ? err.message : "unknown");
		db_error_clear(&err);
		db_close(&s->db);
		return -1;
	}
	return 0;
}

void
drill_close_session(struct session *s)
{
	session_clear(s);
	db_close(&s->db);
}

/* Points a connection's clock at drill second t, fenced to this run. The
 * server works out the offset from the run's clock_start and its own
 * clock (Q_DRILL_SET), so the step lands at exactly second t. */
int
drill_set_clock(struct drill_runner *r, struct session *s, double t,
                struct db_error *err)
{
	char at[64];
	const char *p[2] = {at, r->run};

	snprintf(at, sizeof at, "%.3f", t);
	/* Kept for a reconnect: a new link must carry the drill's clock. */
	return db_run_sticky(s->db, Q_DRILL_SET, 2, p, NULL, err);
}

struct session *
drill_actor_session(struct drill_runner *r, const char *login)
{
	for (int i = 0; i < r->nactors; i++)
		if (strcmp(r->actors[i].login, login) == 0)
			return &r->actors[i].s;
	return NULL;
}
