/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Acting on the selection (issue 14), apart from the screen: which loop
 * actions the operator may take on an incident and how each is asked for
 * (at once, with a reason, with a confirmation, or through the unit
 * picker); the alarm board; the unit picker's rows and choices. Libc
 * only, unit-tested in tests/unit/test-desk-actions.c.
 */
#ifndef CITYOPS_DESK_ACTIONS_H
#define CITYOPS_DESK_ACTIONS_H

#include <stdint.h>

#include "cityops/desk/desk.h"

/* A (state, action) the operator's role allows (cityops.desk_actions). */
struct desk_rule {
	char *state, *action, *label; /* "new", "ack", "受理" */
	int reason;                   /* needs a reason */
	int units;                    /* needs units: the picker */
	int ends;                     /* the incident leaves the loop */
};

/* How a key asks for an action. */
enum desk_how {
	DESK_HOW_NOW,     /* moves the loop forward: runs at once */
	DESK_HOW_REASON,  /* the prompt, prefilled, for the reason or note */
	DESK_HOW_CONFIRM, /* ends the incident: asks y/n */
	DESK_HOW_PICKER,  /* dispatch: the unit picker */
};

struct desk_alarm {
	int64_t id;
	char *indicator, *name, *region_name, *level, *state, *value, *uom;
	char *raised_at, *acked_by, *acked_at; /* as the database gave them */
};

/* What desk-actions keeps for the desk (d->act). */
struct desk_act {
	struct desk_rule *rules;
	int nrules, rules_loaded;
	struct desk_alarm *alarms;
	int nalarms, alarms_loaded;
	int unacked;      /* alarm-level alarms nobody acknowledged */
	int unacked_seen; /* unacked when the screen last rang */
};

/* Replaces the rules (moved in). */
void desk_set_rules(struct desk *d, struct desk_rule *r, int n);
/* The rules for inc, in loop order, escalate left out at level 3; up to
 * max into out. Returns how many. */
int desk_allowed(const struct desk *d, const struct desk_incident *inc,
                 const struct desk_rule **out, int max);
/* The rule for action on inc, or NULL when it is not allowed. */
const struct desk_rule *desk_rule_for(const struct desk *d,
                                      const struct desk_incident *inc,
                                      const char *action);
enum desk_how desk_rule_how(const struct desk_rule *r);

/* Replaces the alarm board (moved in) and counts the unacknowledged. */
void desk_set_alarms(struct desk *d, struct desk_alarm *a, int n);
/* The open alarm on indicator key, or NULL. */
const struct desk_alarm *desk_find_alarm(const struct desk *d, const char *key);
void desk_act_free(struct desk *d);

/* ---- the unit picker -------------------------------------------------- */

struct desk_pick {
	char *callsign, *name, *kind, *department, *distance;
	int chosen;
	/* Chosen, then gone from the recommendation: who took it. */
	int taken;
	char *taken_by;
};

struct desk_picker {
	char *ref;
	struct desk_pick *rows;
	int n, sel;
	int loaded;
};

struct desk_picker *desk_picker_new(const char *ref);
void desk_picker_free(struct desk_picker **pp);
/*
 * New recommendation rows (moved in). Choices are kept by call sign; a
 * chosen unit no longer recommended stays as a taken row, with who holds
 * it from the desk's units (its incident), so the officer sees why.
 */
void desk_picker_set(struct desk_picker *p, const struct desk *d,
                     struct desk_pick *rows, int n);
/* Toggles row i (a taken row cannot be chosen). Returns 1 if it changed. */
int desk_picker_toggle(struct desk_picker *p, int i);
/* "dispatch REF A B" for the chosen rows, or the selected one when none is
 * chosen; NULL when there is nothing to send. Caller frees. */
char *desk_picker_line(const struct desk_picker *p);

/* desk-rows-act.c: the reads' columns (desk_actions, alarm_board,
 * recommend) into the structs above. */
struct db_table;
void desk_rows_rules(struct desk *d, const struct db_table *t);
void desk_rows_alarms(struct desk *d, const struct db_table *t);
void desk_rows_picks(struct desk_picker *p, const struct desk *d,
                     const struct db_table *t);

#endif
