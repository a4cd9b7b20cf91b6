/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Drills (演练): a scenario on a timeline, run headless against the real
 * database as exercise data, judged by expectations with deadlines.
 *
 * The parser is pure (libc only) so that it can be unit tested and fuzzed;
 * the runner (console/drill/drill.c) plays a parsed drill through the command
 * engine, one database connection per operator. The file format is in
 * docs/drills.md.
 */
#ifndef CITYOPS_DRILL_H
#define CITYOPS_DRILL_H

#include <stddef.h>

#include "cityops/core/util.h"

/* Incident milestones an expectation can name: code (the timeline action),
 * the words a drill file may use, and the label the report shows. */
#define DRILL_MILESTONES(X)                                                    \
	X(ack, "acknowledged", "受理")                                         \
	X(dispatch, "dispatched", "派单")                                      \
	X(accept, "accepted", "签收")                                          \
	X(arrive, "arrived", "到场")                                           \
	X(resolve, "resolved", "办结")                                         \
	X(verify, "verified", "核查")                                          \
	X(close, "closed", "结案")

enum drill_milestone {
#define X(code, word, label) DRILL_M_##code,
	DRILL_MILESTONES(X)
#undef X
	    DRILL_M_COUNT
};

/* The milestone's timeline action ("ack") and its word ("acknowledged"). */
const char *drill_milestone_code(enum drill_milestone m);
const char *drill_milestone_word(enum drill_milestone m);

enum drill_step_kind {
	DRILL_INCIDENT, /* an incident arrives from a channel (12345, 110 …) */
	DRILL_ALERT,    /* a CAP-style alert arrives */
	DRILL_READING,  /* a reading of an exercise indicator */
	DRILL_AS,       /* a command typed by a named operator */
	DRILL_NOTE,     /* narration for the log and report */
};

struct drill_step {
	int line;
	long at; /* drill seconds from +00:00 */
	enum drill_step_kind kind;
	char *label; /* without '$': bound to the incident this step raises */
	/* incident and alert */
	char *category, *region, *title, *source, *location, *desc, *dedup;
	int priority, count;
	int has_pos;
	double lat, lon;
	/* alert (CAP) */
	char *event, *severity, *urgency, *certainty, *sender;
	/* reading */
	char *indicator;
	double value;
	/* as: login, the command line as written ($labels unresolved) */
	char *login, *command;
	int try_; /* a refusal is logged, not counted as a failure */
	          /* note: the text is in title */
};

enum drill_expect_kind {
	DRILL_X_MILESTONE, /* $x acknowledged within 2m */
	DRILL_X_SLA,       /* $x sla */
	DRILL_X_REPORTS,   /* $x reports >= 5 by +00:30 */
	DRILL_X_ALARM,     /* alarm ex.fx.tide.jinhui alarm by +00:40 */
	DRILL_X_UNITS,     /* available fire in 奉贤 = 0 by +00:30 */
};

enum drill_when {
	DRILL_WITHIN,     /* secs after the incident was discovered */
	DRILL_BY,         /* at or before drill time secs */
	DRILL_AT,         /* at drill time secs */
	DRILL_THROUGHOUT, /* at every check from start to end */
	DRILL_AT_END,     /* when the drill ends */
};

enum drill_alarm_what {
	DRILL_A_RAISED, /* reached warn or alarm */
	DRILL_A_ALARM,  /* reached the alarm threshold */
	DRILL_A_ACKNOWLEDGED,
	DRILL_A_CLEARED,
};

enum drill_cmp { DRILL_EQ, DRILL_NE, DRILL_LT, DRILL_LE, DRILL_GT, DRILL_GE };

struct drill_expect {
	int line;
	enum drill_expect_kind kind;
	char *text;  /* as written, for reports */
	char *label; /* MILESTONE, SLA, REPORTS */
	enum drill_milestone milestone;
	enum drill_when when;
	long secs;
	char *indicator; /* ALARM */
	enum drill_alarm_what alarm;
	char *unit_kind, *region; /* UNITS */
	enum drill_cmp cmp;       /* UNITS, REPORTS */
	long n;
};

struct drill {
	char *title;
	char *injector; /* login that injects incidents, alerts, readings */
	double speed;   /* 0: not given; < 0: as fast as possible */
	long end;       /* drill seconds at which the drill ends */
	char **humans;  /* operators played by people at live consoles */
	int nhumans;
	struct drill_step *steps; /* sorted by time, file order kept */
	int nsteps;
	struct drill_expect *expects;
	int nexpects;
};

#define DRILL_MAX_ERRORS 20

/*
 * Parses a drill file's text (len bytes; it need not be NUL-terminated).
 * file names it in messages. Returns the number of errors: 0 with *out
 * set (free with drill_free), or more with *out NULL and each error as
 * "file:line: message\n" in errors. Nothing is looked up in the database.
 */
int drill_parse(const char *text, size_t len, const char *file,
                struct drill **out, struct buf *errors);
void drill_free(struct drill **d);

/* Seconds of "+HH:MM" or "+HH:MM:SS"; -1 if s is not one. */
long drill_parse_time(const char *s);
/* Seconds of a duration such as "90s", "2m", "1h30m", "2min"; -1 if not. */
long drill_parse_duration(const char *s);
/* "+01:02:03" (or "+01:02" when seconds are 0) into out. */
void drill_format_time(long secs, char *out, size_t outsz);

/* Whether login is played by people (from the file or the command line). */
int drill_is_human(const struct drill *d, const char *login);

/*
 * The `cityops drill` subcommand: run, check, clear, list. dsn is the
 * base conninfo (NULL: the PG* environment). Returns the exit status:
 * 0 every expectation held, 1 one failed, 2 bad invocation or drill file,
 * 3 database unreachable or refused the set-up.
 */
int drill_main(int argc, char **argv, const char *dsn);

#endif
