/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A drill's expectations: each is checked against what the database says
 * (incidents, milestones, SLA, reports, alarms, units) and decided held or
 * failed once, at the drill time it was decided.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/format.h"
#include "drill-internal.h"

/* Allowance for the few real milliseconds a pinned step takes. */
#define SLACK 0.5

static int
find_row(const struct db_table *t, const char *ref)
{
	for (int i = 0; t != NULL && i < t->nrows; i++)
		if (strcmp(db_get(t, i, "ref") ?: "", ref) == 0)
			return i;
	return -1;
}

/* A cell as drill seconds, or NAN for NULL. */
static double
secs_at(const struct db_table *t, int row, const char *col)
{
	const char *v = db_get(t, row, col);

	return v ? strtod(v, NULL) : NAN;
}

static int
compare(long a, enum drill_cmp c, long b)
{
	switch (c) {
	case DRILL_EQ:
		return a == b;
	case DRILL_NE:
		return a != b;
	case DRILL_LT:
		return a < b;
	case DRILL_LE:
		return a <= b;
	case DRILL_GT:
		return a > b;
	case DRILL_GE:
		return a >= b;
	}
	return 0;
}

static void
decide(struct drill_runner *r, int x, enum drill_xstate st, double t,
       char *detail)
{
	const struct drill_expect *e = &r->d->expects[x];

	r->xs[x] = st;
	r->xdecided[x] = t;
	free(r->xdetail[x]);
	r->xdetail[x] = detail;
	drill_say(r, t, "%s line %d: expect %s — %s", st == X_HELD ? "✓" : "✗",
	          e->line, e->text, detail);
}

static char *
fmt_t(double secs)
{
	char b[32];

	drill_format_time((long)floor(secs + 0.5), b, sizeof b);
	return xstrdup(b);
}

static char *
fmt_d(double secs)
{
	char b[32];

	format_duration((long long)floor(secs + 0.5), b, sizeof b);
	return xstrdup(b);
}

/* Returns the deadline (drill seconds) of a still-pending expectation, or
 * INFINITY. */
static double
check_milestone(struct drill_runner *r, int x, double now, int final)
{
	const struct drill_expect *e = &r->d->expects[x];
	const char *ref = drill_bound(r, e->label);
	const struct db_table *t = r->incidents;
	int row;
	double raised, at, deadline;
	const char *who;

	if (ref == NULL || (row = find_row(t, ref)) < 0) {
		if (final || (e->when == DRILL_BY && now >= e->secs))
			decide(r, x, X_FAILED, now,
			       xasprintf("$%s was never raised", e->label));
		return e->when == DRILL_BY ? (double)e->secs : INFINITY;
	}
	raised = secs_at(t, row, "raised_s");
	deadline = e->when == DRILL_WITHIN ? raised + (double)e->secs
	                                   : (double)e->secs;
	at = drill_reached(t, row, (int)e->milestone, &who);
	if (!isnan(at)) {
		char *when = fmt_t(at), *took = fmt_d(at - raised);
		char *dl = fmt_t(deadline);
		if (at <= deadline + SLACK)
			decide(r, x, X_HELD, now,
			       xasprintf("%s %s at %s by %s, %s after "
			                 "discovery",
			                 ref,
			                 drill_milestone_word(e->milestone),
			                 when, who ? who : "?", took));
		else
			decide(r, x, X_FAILED, now,
			       xasprintf("%s %s only at %s by %s (%s after "
			                 "discovery), deadline %s",
			                 ref,
			                 drill_milestone_word(e->milestone),
			                 when, who ? who : "?", took, dl));
		free(when);
		free(took);
		free(dl);
		return INFINITY;
	}
	if (now >= deadline + SLACK || final) {
		char *dl = fmt_t(deadline);
		decide(r, x, X_FAILED, now,
		       xasprintf("%s not %s by %s; it is %s", ref,
		                 drill_milestone_word(e->milestone), dl,
		                 db_get(t, row, "state") ?: "?"));
		free(dl);
		return INFINITY;
	}
	return deadline + SLACK;
}

static void
check_sla(struct drill_runner *r, int x, double now)
{
	const struct drill_expect *e = &r->d->expects[x];
	const char *ref = drill_bound(r, e->label);
	int row;
	struct buf missed = {0};

	if (ref == NULL || (row = find_row(r->incidents, ref)) < 0) {
		decide(r, x, X_FAILED, now,
		       xasprintf("$%s was never raised", e->label));
		return;
	}
	if (drill_sla(r->incidents, row, now, &missed))
		decide(r, x, X_HELD, now,
		       xasprintf("%s met every SLA deadline it reached", ref));
	else
		decide(r, x, X_FAILED, now,
		       xasprintf("%s missed its SLA: %s", ref, missed.data));
	buf_free(&missed);
}

static double
check_reports(struct drill_runner *r, int x, double now, int final)
{
	const struct drill_expect *e = &r->d->expects[x];
	const char *ref = drill_bound(r, e->label);
	int row = ref ? find_row(r->incidents, ref) : -1;
	long n = row >= 0
	             ? 1 + strtol(db_get(r->incidents, row, "merged") ?: "0",
	                          NULL, 10)
	             : 0;

	if (row >= 0 && compare(n, e->cmp, e->n)) {
		decide(r, x, X_HELD, now,
		       xasprintf("%s has %ld reports (merged by dedup key)",
		                 ref, n));
		return INFINITY;
	}
	if (final || now >= (double)e->secs) {
		decide(r, x, X_FAILED, now,
		       xasprintf("%s has %ld reports", ref ? ref : "$?", n));
		return INFINITY;
	}
	return (double)e->secs;
}

static double
check_alarm(struct drill_runner *r, int x, double now, int final)
{
	static const char *const cols[] = {"warn_s", "alarm_s", "ack_s",
	                                   "cleared_s"};
	static const char *const words[] = {"raised", "reached alarm",
	                                    "acknowledged", "cleared"};
	const struct drill_expect *e = &r->d->expects[x];
	struct db_error err = {0};
	struct db_table *t = NULL;
	const char *p[2] = {r->run, e->indicator};
	double at;

	if (drill_set_clock(r, &r->director, now, &err) != 0 ||
	    db_run(r->director.db, Q_DRILL_ALARM, 2, p, &t, &err) != 0) {
		decide(r, x, X_FAILED, now,
		       xasprintf("cannot read the alarm: %s",
		                 err.message ? err.message : "error"));
		db_error_clear(&err);
		return INFINITY;
	}
	at = secs_at(t, 0, cols[e->alarm]);
	if (!isnan(at) && at <= (double)e->secs + SLACK) {
		char *w = fmt_t(at);
		const char *by = db_get(t, 0, "ack_by");
		decide(r, x, X_HELD, now,
		       xasprintf(
		           "%s %s at %s%s%s", e->indicator, words[e->alarm], w,
		           e->alarm == DRILL_A_ACKNOWLEDGED ? " by " : "",
		           e->alarm == DRILL_A_ACKNOWLEDGED && by ? by : ""));
		free(w);
	} else if (final || now >= (double)e->secs + SLACK) {
		char *dl = fmt_t((double)e->secs);
		const char *v = db_get(t, 0, "last_value");
		decide(r, x, X_FAILED, now,
		       xasprintf("%s not %s by %s (last value %s)",
		                 e->indicator, words[e->alarm], dl,
		                 v ? v : "none"));
		free(dl);
	}
	r->alarms[x] = t;
	return r->xs[x] == X_PENDING ? (double)e->secs + SLACK : INFINITY;
}

static double
check_units(struct drill_runner *r, int x, double now, int final)
{
	const struct drill_expect *e = &r->d->expects[x];
	struct db_error err = {0};
	struct db_table *t = NULL;
	const char *p[2] = {e->unit_kind, e->region};
	long n;
	int ok;

	if (e->when == DRILL_AT && now + 1e-9 < (double)e->secs && !final)
		return (double)e->secs;
	if (e->when == DRILL_AT_END && !final)
		return INFINITY;
	if (drill_set_clock(r, &r->director, now, &err) != 0 ||
	    db_run(r->director.db, Q_DRILL_AVAILABLE, 2, p, &t, &err) != 0) {
		decide(r, x, X_FAILED, now,
		       xasprintf("cannot count units: %s",
		                 err.message ? err.message : "error"));
		db_error_clear(&err);
		return INFINITY;
	}
	n = strtol(db_get(t, 0, "n") ?: "0", NULL, 10);
	db_table_free(&t);
	ok = compare(n, e->cmp, e->n);
	switch (e->when) {
	case DRILL_THROUGHOUT:
		if (!ok)
			decide(r, x, X_FAILED, now,
			       xasprintf("%ld %s units available in %s", n,
			                 e->unit_kind, e->region));
		else if (final)
			decide(r, x, X_HELD, now,
			       xasprintf("held at every check; %ld available "
			                 "at the end",
			                 n));
		return INFINITY;
	case DRILL_BY:
		if (ok) {
			decide(r, x, X_HELD, now,
			       xasprintf("%ld %s units available in %s", n,
			                 e->unit_kind, e->region));
			return INFINITY;
		}
		if (final || now >= (double)e->secs)
			decide(r, x, X_FAILED, now,
			       xasprintf("%ld %s units available in %s", n,
			                 e->unit_kind, e->region));
		return (double)e->secs;
	default:
		decide(r, x, ok ? X_HELD : X_FAILED, now,
		       xasprintf("%ld %s units available in %s", n,
		                 e->unit_kind, e->region));
		return INFINITY;
	}
}

static int
refresh_incidents(struct drill_runner *r, double now)
{
	struct db_error err = {0};
	const char *p[1] = {r->run};

	db_table_free(&r->incidents);
	if (drill_set_clock(r, &r->director, now, &err) != 0 ||
	    db_run(r->director.db, Q_DRILL_INCIDENTS, 1, p, &r->incidents,
	           &err) != 0) {
		fprintf(stderr,
		        "cityops drill: reading the drill's incidents: "
		        "%s\n",
		        err.message ? err.message : "error");
		db_error_clear(&err);
		return -1;
	}
	return 0;
}

/* Decides what can be decided at drill time now; returns the next time
 * something could be decided. */
double
drill_evaluate(struct drill_runner *r, double now, int final)
{
	double next = INFINITY, t;

	r->now = now;
	if (refresh_incidents(r, now) != 0)
		return INFINITY;
	for (int x = 0; x < r->d->nexpects; x++) {
		const struct drill_expect *e = &r->d->expects[x];
		if (r->xs[x] != X_PENDING)
			continue;
		switch (e->kind) {
		case DRILL_X_MILESTONE:
			t = check_milestone(r, x, now, final);
			break;
		case DRILL_X_SLA:
			t = INFINITY;
			if (final)
				check_sla(r, x, now);
			break;
		case DRILL_X_REPORTS:
			t = check_reports(r, x, now, final);
			break;
		case DRILL_X_ALARM:
			db_table_free(&r->alarms[x]);
			t = check_alarm(r, x, now, final);
			break;
		case DRILL_X_UNITS:
			t = check_units(r, x, now, final);
			break;
		default:
			t = INFINITY;
		}
		if (r->xs[x] == X_PENDING && t > now && t < next)
			next = t;
	}
	return next;
}
