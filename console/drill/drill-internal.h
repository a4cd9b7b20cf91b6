/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What the drill runner's files share: the state of one run. drill.c runs
 * the steps and the run, drill-clock.c keeps the clock and the
 * connections, drill-expect.c decides the expectations, drill-cli.c is
 * the command line, drill-report.c the report. Not a public interface.
 */
#ifndef CITYOPS_DRILL_INTERNAL_H
#define CITYOPS_DRILL_INTERNAL_H

#include <signal.h>

#include "cityops/cmd/cmd.h"
#include "cityops/db/db.h"
#include "cityops/drill/drill.h"
#include "cityops/core/util.h"

enum drill_xstate { X_PENDING, X_HELD, X_FAILED };

enum drill_sstate {
	S_NOT_RUN,
	S_OK,
	S_FAILED,  /* refused or broken: counts against the drill */
	S_REFUSED, /* refused, but the step was marked try */
	S_HUMAN,   /* left to people at live consoles */
};

struct drill_actor {
	char *login;
	struct session s;
};

struct drill_bind {
	char *label;
	char *ref;
};

struct drill_runner {
	struct drill *d;
	char *name; /* the run's name: the file's stem */
	const char *file;
	const char *dsn;
	double
	    speed; /* drill seconds per real second; < 0 as fast as possible */
	int quiet;
	/* the person running the drill, and who injects */
	struct session director, injector;
	struct drill_actor *actors;
	int nactors;
	char run[32];         /* run id */
	char clock_start[64]; /* drill time +00:00 as the database wrote it */
	long long t0_ms;      /* monotonic real time at +00:00 */
	double vnow;          /* drill seconds, when as fast as possible */
	double now;           /* drill seconds of the last evaluation */
	double real_secs;     /* real seconds the run took */
	struct drill_bind *binds;
	int nbinds;
	enum drill_xstate *xs;
	char **xdetail;
	double *xdecided; /* drill seconds each expectation was decided at */
	enum drill_sstate *ss;
	char **smsg;
	struct db_table *incidents; /* the last drill_incidents() */
	struct db_table **alarms;   /* per expectation, drill_alarm() or NULL */
	int aborted;
};

/* drill-clock.c: the clock and the connections. */

/* Set by SIGINT or SIGTERM during a run (drill_on_signal). */
extern volatile sig_atomic_t drill_interrupted;
void drill_on_signal(int sig);
/* Monotonic real milliseconds. */
long long drill_mono_ms(void);
/* Sleeps ms real milliseconds, or until interrupted. */
void drill_sleep_ms(long long ms);
/* Drill seconds now: real elapsed × speed, or the virtual clock. */
double drill_now(const struct drill_runner *r);
/* The base conninfo with user=login; the caller frees it. */
char *drill_conninfo(const char *dsn, const char *login);
/* Connects and identifies; 0, or -1 with a message on stderr. */
int drill_open_session(struct session *s, const char *conninfo,
                       const char *who);
void drill_close_session(struct session *s);
/* Points a connection's clock at drill second t, fenced to this run. */
int drill_set_clock(struct drill_runner *r, struct session *s, double t,
                    struct db_error *err);
/* The session of the operator login, or NULL when the drill names none. */
struct session *drill_actor_session(struct drill_runner *r, const char *login);

/* drill.c: the run. */

/* Prints a line of the run's log at drill time t (unless quiet). */
void drill_say(const struct drill_runner *r, double t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Opens every connection and checks what the database must confirm
 * before anything runs; returns 0, or the exit status (2: refused, 3: no
 * connection). */
int drill_preflight(struct drill_runner *r);
/* Starts the run in the database and the clock; 0 or -1. */
int drill_start(struct drill_runner *r);
/* Steps and checks in drill-time order until the end or a signal. */
void drill_play(struct drill_runner *r);
/* Ends the run, writes the reports; returns the exit status. */
int drill_finish(struct drill_runner *r, const char *report_path,
                 const char *cap_path, int clear);
/* Frees what the runner holds, not the drill. */
void drill_runner_free(struct drill_runner *r);

/* drill-expect.c: decides what can be decided at drill time now (final:
 * the run is over); returns the next time something could be decided. */
double drill_evaluate(struct drill_runner *r, double now, int final);

/* The ref bound to a label, or NULL. */
const char *drill_bound(const struct drill_runner *r, const char *label);

/* The report: for people on out, JSON and CAP 1.2 (as JSON) into bufs. */
void drill_report_text(const struct drill_runner *r, struct buf *out);
void drill_report_json(const struct drill_runner *r, struct buf *out);
void drill_report_cap(const struct drill_runner *r, struct buf *out);
/*
 * When milestone m (enum drill_milestone) of incidents row was effectively
 * reached: its own time, or the earliest later milestone (a desk that
 * dispatches at once has acknowledged); NAN if none. *by gets who.
 */
double drill_reached(const struct db_table *t, int row, int m, const char **by);
/* SLA of incidents row at drill time now: 1 met, 0 missed (the stages
 * missed are appended to missed). Final states owe no further stage. */
int drill_sla(const struct db_table *t, int row, double now,
              struct buf *missed);

/* Expectations held and failed, steps failed. */
void drill_counts(const struct drill_runner *r, int *held, int *failed,
                  int *steps_failed);

#endif
