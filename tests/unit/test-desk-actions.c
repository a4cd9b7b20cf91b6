/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Acting on the selection without a terminal (issue 14): the allowed
 * actions of an incident from the role's rules (state, escalation cap),
 * how each key asks (at once, reason, y/n, picker), the alarm board's
 * unacknowledged count, and the unit picker's choices across refreshes
 * (kept by call sign; a chosen unit gone from the recommendation stays as
 * taken, naming its incident from the desk's units).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/core/util.h"
#include "cityops/desk/desk-actions.h"

static struct desk_rule
rule(const char *state, const char *action, int reason, int units, int ends)
{
	struct desk_rule r = {xstrdup(state), xstrdup(action), xstrdup(action),
	                      reason,         units,           ends};
	return r;
}

/* An officer's rules from new and acknowledged (as desk_actions gives
 * them for the demo's transition table). */
static struct desk *
officer_desk(void)
{
	struct desk *d = desk_new();
	struct desk_rule *r = xcalloc(8, sizeof *r);
	int n = 0;

	r[n++] = rule("new", "ack", 0, 0, 0);
	r[n++] = rule("new", "unfounded", 1, 0, 1);
	r[n++] = rule("new", "escalate", 0, 0, 0);
	r[n++] = rule("new", "note", 1, 0, 0);
	r[n++] = rule("acknowledged", "dispatch", 0, 1, 0);
	r[n++] = rule("verified", "close", 0, 0, 1);
	desk_set_rules(d, r, n);
	return d;
}

static void
allowed_follows_state_and_escalation(void)
{
	struct desk *d = officer_desk();
	struct desk_incident inc = {.ref = "261202-0001", .state = "new"};
	const struct desk_rule *out[8];

	CHECK(d->dirty & DESK_DIRTY_QUEUE);
	CHECK_INT(desk_allowed(d, &inc, out, 8), 4);
	CHECK_STR(out[0]->action, "ack");
	CHECK(desk_rule_for(d, &inc, "dispatch") == NULL);
	CHECK(desk_rule_for(d, &inc, "escalate") != NULL);
	inc.escalation = 3; /* at most 3: escalate is no longer offered */
	CHECK(desk_rule_for(d, &inc, "escalate") == NULL);
	CHECK_INT(desk_allowed(d, &inc, out, 8), 3);
	inc.state = "acknowledged";
	CHECK(desk_rule_for(d, &inc, "ack") == NULL);
	CHECK(desk_rule_for(d, &inc, "dispatch") != NULL);
	inc.state = NULL; /* a row without a state offers nothing */
	CHECK_INT(desk_allowed(d, &inc, out, 8), 0);
	/* max bounds the answer */
	inc.state = "new";
	inc.escalation = 0;
	CHECK_INT(desk_allowed(d, &inc, out, 2), 2);
	desk_free(&d);
}

static void
how_each_key_asks(void)
{
	struct desk *d = officer_desk();
	struct desk_incident inc = {.ref = "r", .state = "new"};

	CHECK_INT(desk_rule_how(desk_rule_for(d, &inc, "ack")), DESK_HOW_NOW);
	CHECK_INT(desk_rule_how(desk_rule_for(d, &inc, "escalate")),
	          DESK_HOW_NOW);
	CHECK_INT(desk_rule_how(desk_rule_for(d, &inc, "unfounded")),
	          DESK_HOW_REASON);
	CHECK_INT(desk_rule_how(desk_rule_for(d, &inc, "note")),
	          DESK_HOW_REASON);
	inc.state = "acknowledged";
	CHECK_INT(desk_rule_how(desk_rule_for(d, &inc, "dispatch")),
	          DESK_HOW_PICKER);
	inc.state = "verified";
	CHECK_INT(desk_rule_how(desk_rule_for(d, &inc, "close")),
	          DESK_HOW_CONFIRM);
	desk_free(&d);
}

static struct desk_alarm
alarm(int64_t id, const char *key, const char *level, const char *state)
{
	struct desk_alarm a = {0};

	a.id = id;
	a.indicator = xstrdup(key);
	a.level = xstrdup(level);
	a.state = xstrdup(state);
	return a;
}

static void
alarms_count_unacknowledged_alarm_level(void)
{
	struct desk *d = desk_new();
	struct desk_alarm *a = xcalloc(4, sizeof *a);

	a[0] = alarm(1, "fx.a", "alarm", "raised");
	a[1] = alarm(2, "fx.b", "alarm", "acknowledged");
	a[2] = alarm(3, "fx.c", "warn", "raised");
	a[3] = alarm(4, "fx.d", "alarm", "raised");
	desk_set_alarms(d, a, 4);
	CHECK_INT(d->act->unacked, 2);
	CHECK(d->dirty & DESK_DIRTY_STATUS);
	CHECK(desk_find_alarm(d, "fx.c") != NULL);
	CHECK(desk_find_alarm(d, "fx.x") == NULL);
	desk_set_alarms(d, NULL, 0);
	CHECK_INT(d->act->unacked, 0);
	desk_free(&d);
}

static struct desk_pick *
picks(int n, const char *const *callsigns)
{
	struct desk_pick *p = xcalloc((size_t)n + 1, sizeof *p);

	for (int i = 0; i < n; i++) {
		p[i].callsign = xstrdup(callsigns[i]);
		p[i].distance = xstrdup("1.20");
	}
	return p;
}

static void
picker_keeps_choices_and_marks_taken(void)
{
	static const char *const first[] = {"FX-F02", "FX-F01", "FX-P01"};
	static const char *const after[] = {"FX-F01", "FX-P01", "FX-P02"};
	struct desk *d = desk_new();
	struct desk_unit *u = xcalloc(1, sizeof *u);
	struct desk_picker *p = desk_picker_new("261202-0020");
	char *line;

	CHECK(desk_picker_line(p) == NULL); /* nothing yet */
	desk_picker_set(p, d, picks(3, first), 3);
	/* None chosen: Enter sends the selected (the nearest). */
	line = desk_picker_line(p);
	CHECK_STR(line, "dispatch 261202-0020 FX-F02");
	free(line);
	CHECK_INT(desk_picker_toggle(p, 0), 1);
	CHECK_INT(desk_picker_toggle(p, 2), 1);
	CHECK_INT(desk_picker_toggle(p, 7), 0);
	line = desk_picker_line(p);
	CHECK_STR(line, "dispatch 261202-0020 FX-F02 FX-P01");
	free(line);
	/* Another console takes FX-F02: it leaves the recommendation. */
	u->callsign = xstrdup("FX-F02");
	u->status = xstrdup("dispatched");
	u->incident_ref = xstrdup("261202-0021");
	desk_set_units(d, u, 1);
	p->sel = 2; /* FX-P01 selected: stays selected by call sign */
	desk_picker_set(p, d, picks(3, after), 3);
	CHECK_INT(p->n, 4);
	CHECK_STR(p->rows[3].callsign, "FX-F02");
	CHECK(p->rows[3].taken && !p->rows[3].chosen);
	CHECK_STR(p->rows[3].taken_by, "261202-0021");
	CHECK_STR(p->rows[p->sel].callsign, "FX-P01");
	CHECK(p->rows[1].chosen);               /* FX-P01 kept */
	CHECK(!p->rows[0].chosen);              /* FX-F01 was not chosen */
	CHECK_INT(desk_picker_toggle(p, 3), 0); /* taken: cannot choose */
	line = desk_picker_line(p);
	CHECK_STR(line, "dispatch 261202-0020 FX-P01");
	free(line);
	/* Nothing left to send: unchoose, select the taken row. */
	desk_picker_toggle(p, 1);
	p->sel = 3;
	CHECK(desk_picker_line(p) == NULL);
	/* An empty recommendation keeps nothing but chosen rows. */
	desk_picker_set(p, d, picks(0, NULL), 0);
	CHECK_INT(p->n, 0);
	desk_picker_free(&p);
	desk_free(&d);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(allowed_follows_state_and_escalation),
	    TEST(how_each_key_asks),
	    TEST(alarms_count_unacknowledged_alarm_level),
	    TEST(picker_keeps_choices_and_marks_taken),
	    {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
