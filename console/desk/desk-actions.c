/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Acting on the selection (include/cityops/desk/desk-actions.h): the
 * operator's allowed actions per state, the alarm board and the unit
 * picker's rows. What is allowed is the database's (desk_actions()); this
 * file only filters it by the selected incident.
 */
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/desk/desk-actions.h"

static struct desk_act *
act_of(struct desk *d)
{
	if (d->act == NULL)
		d->act = xcalloc(1, sizeof *d->act);
	return d->act;
}

static void
rule_clear(struct desk_rule *r)
{
	free(r->state);
	free(r->action);
	free(r->label);
}

static void
alarm_clear(struct desk_alarm *a)
{
	free(a->indicator);
	free(a->name);
	free(a->region_name);
	free(a->level);
	free(a->state);
	free(a->value);
	free(a->uom);
	free(a->raised_at);
	free(a->acked_by);
	free(a->acked_at);
}

void
desk_set_rules(struct desk *d, struct desk_rule *r, int n)
{
	struct desk_act *a = act_of(d);

	for (int i = 0; i < a->nrules; i++)
		rule_clear(&a->rules[i]);
	free(a->rules);
	a->rules = r;
	a->nrules = n;
	a->rules_loaded = 1;
	d->dirty |= DESK_DIRTY_QUEUE;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

int
desk_allowed(const struct desk *d, const struct desk_incident *inc,
             const struct desk_rule **out, int max)
{
	int n = 0;

	if (d->act == NULL || inc == NULL)
		return 0;
	for (int i = 0; i < d->act->nrules && n < max; i++) {
		const struct desk_rule *r = &d->act->rules[i];
		if (!streq(r->state, inc->state))
			continue;
		if (streq(r->action, "escalate") && inc->escalation >= 3)
			continue;
		out[n++] = r;
	}
	return n;
}

const struct desk_rule *
desk_rule_for(const struct desk *d, const struct desk_incident *inc,
              const char *action)
{
	const struct desk_rule *r[32];
	int n = desk_allowed(d, inc, r, 32);

	for (int i = 0; i < n; i++)
		if (streq(r[i]->action, action))
			return r[i];
	return NULL;
}

enum desk_how
desk_rule_how(const struct desk_rule *r)
{
	if (r->units)
		return DESK_HOW_PICKER;
	if (r->reason)
		return DESK_HOW_REASON;
	if (r->ends)
		return DESK_HOW_CONFIRM;
	return DESK_HOW_NOW;
}

void
desk_set_alarms(struct desk *d, struct desk_alarm *al, int n)
{
	struct desk_act *a = act_of(d);

	for (int i = 0; i < a->nalarms; i++)
		alarm_clear(&a->alarms[i]);
	free(a->alarms);
	a->alarms = al;
	a->nalarms = n;
	a->alarms_loaded = 1;
	a->unacked = 0;
	for (int i = 0; i < n; i++)
		a->unacked +=
		    streq(al[i].level, "alarm") && streq(al[i].state, "raised");
	d->dirty |= DESK_DIRTY_STATUS | DESK_DIRTY_VITALS;
}

const struct desk_alarm *
desk_find_alarm(const struct desk *d, const char *key)
{
	if (d->act == NULL)
		return NULL;
	for (int i = 0; i < d->act->nalarms; i++)
		if (streq(d->act->alarms[i].indicator, key))
			return &d->act->alarms[i];
	return NULL;
}

void
desk_act_free(struct desk *d)
{
	if (d->act == NULL)
		return;
	desk_set_rules(d, NULL, 0);
	desk_set_alarms(d, NULL, 0);
	free(d->act);
	d->act = NULL;
}

/* ---- the unit picker -------------------------------------------------- */

static void
pick_clear(struct desk_pick *p)
{
	free(p->callsign);
	free(p->name);
	free(p->kind);
	free(p->department);
	free(p->distance);
	free(p->taken_by);
}

struct desk_picker *
desk_picker_new(const char *ref)
{
	struct desk_picker *p = xcalloc(1, sizeof *p);

	p->ref = xstrdup(ref);
	return p;
}

void
desk_picker_free(struct desk_picker **pp)
{
	struct desk_picker *p = *pp;

	if (p == NULL)
		return;
	for (int i = 0; i < p->n; i++)
		pick_clear(&p->rows[i]);
	free(p->rows);
	free(p->ref);
	free(p);
	*pp = NULL;
}

static const struct desk_pick *
find_pick(const struct desk_pick *rows, int n, const char *callsign)
{
	for (int i = 0; i < n; i++)
		if (streq(rows[i].callsign, callsign))
			return &rows[i];
	return NULL;
}

/* Who holds callsign now, from the desk's units: "261202-0003", or NULL. */
static char *
holder(const struct desk *d, const char *callsign)
{
	for (int i = 0; i < d->nunits; i++)
		if (streq(d->units[i].callsign, callsign))
			return d->units[i].incident_ref
			           ? xstrdup(d->units[i].incident_ref)
			       : d->units[i].status
			           ? xstrdup(d->units[i].status)
			           : NULL;
	return NULL;
}

void
desk_picker_set(struct desk_picker *p, const struct desk *d,
                struct desk_pick *rows, int n)
{
	struct desk_pick *old = p->rows;
	int nold = p->n, m = n;
	const char *sel = p->sel < nold ? old[p->sel].callsign : NULL;

	/* Chosen units gone from the recommendation stay, as taken. */
	for (int i = 0; i < nold; i++)
		if (old[i].chosen &&
		    find_pick(rows, n, old[i].callsign) == NULL)
			m++;
	rows = xrealloc(rows, (size_t)(m ? m : 1) * sizeof *rows);
	for (int i = 0; i < n; i++) {
		const struct desk_pick *o =
		    find_pick(old, nold, rows[i].callsign);
		rows[i].chosen = o != NULL && o->chosen;
		rows[i].taken = 0;
		rows[i].taken_by = NULL;
	}
	for (int i = 0, k = n; i < nold; i++) {
		if (!old[i].chosen || find_pick(rows, n, old[i].callsign))
			continue;
		rows[k] = old[i];
		rows[k].chosen = 0;
		rows[k].taken = 1;
		free(rows[k].taken_by);
		rows[k].taken_by = holder(d, old[i].callsign);
		memset(&old[i], 0, sizeof old[i]);
		k++;
	}
	p->sel = 0;
	for (int i = 0; sel != NULL && i < m; i++)
		if (streq(rows[i].callsign, sel))
			p->sel = i;
	for (int i = 0; i < nold; i++)
		pick_clear(&old[i]);
	free(old);
	p->rows = rows;
	p->n = m;
	p->loaded = 1;
}

int
desk_picker_toggle(struct desk_picker *p, int i)
{
	if (i < 0 || i >= p->n || p->rows[i].taken)
		return 0;
	p->rows[i].chosen = !p->rows[i].chosen;
	return 1;
}

char *
desk_picker_line(const struct desk_picker *p)
{
	struct buf b = {0};
	int any = 0;

	buf_printf(&b, "dispatch %s", p->ref);
	for (int i = 0; i < p->n; i++)
		if (p->rows[i].chosen) {
			buf_printf(&b, " %s", p->rows[i].callsign);
			any = 1;
		}
	if (!any && p->sel < p->n && !p->rows[p->sel].taken) {
		buf_printf(&b, " %s", p->rows[p->sel].callsign);
		any = 1;
	}
	if (!any) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}
