/*
 * What the drill runner (drill.c) and its report (drill-report.c) share:
 * the state of one run. Not a public interface.
 */
#ifndef CITYOPS_DRILL_INTERNAL_H
#define CITYOPS_DRILL_INTERNAL_H

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
