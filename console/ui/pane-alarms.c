/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The alarms pane (issue 14): the alarm board's rows in the layout, where
 * there is room (config "alarms auto|on|off"). Same order as the board:
 * unacknowledged alarm-level alarms first, highlighted until someone
 * acknowledges them. The ack key acknowledges the selected alarm, Enter
 * opens the indicator's history.
 */
#include <stdio.h>
#include <string.h>

#include "cityops/desk/desk-actions.h"
#include "tui-internal.h"

static const struct draw_col cols[] = {
    {"级别", 8, 0, 0},  {"指标", 18, 0, 0}, {"名称", 0, 0, 2},
    {"读数", 10, 1, 0}, {"发生", 11, 0, 3}, {"确认", 10, 0, 1},
};

static int
count(struct tui *t)
{
	return t->d->act ? t->d->act->nalarms : 0;
}

static int
unacked(const struct desk_alarm *a)
{
	return strcmp(a->state ?: "", "raised") == 0;
}

static void
row(struct tui *t, int i, struct pane_row *r)
{
	const struct desk_alarm *a = &t->d->act->alarms[i];
	int slot;
	const char *sym = tui_vital_symbol(a->level, &slot);

	snprintf(r->buf[0], PANE_CELL, "%s %s", sym,
	         names_vital_state(a->level));
	snprintf(r->buf[1], PANE_CELL, "%s", a->indicator ?: "");
	snprintf(r->buf[2], PANE_CELL, "%s", a->name ?: "");
	snprintf(r->buf[3], PANE_CELL, "%s %s", a->value ?: "", a->uom ?: "");
	result_cell_text(a->raised_at, F_TIME, r->buf[4], PANE_CELL);
	snprintf(r->buf[5], PANE_CELL, "%s", a->acked_by ?: "未确认");
	for (int c = 0; c < 6; c++)
		r->cells[c] = r->buf[c];
	r->slots[0] = slot;
	if (unacked(a)) {
		r->slots[5] = SLOT_ALERT_CRIT;
		if (strcmp(a->level ?: "", "alarm") == 0)
			r->slot = SLOT_ALERT_CRIT;
	}
}

/* "未确认 2 · 共 5": alarm-level ones nobody took, and all. */
static void
summary(struct tui *t, char *buf, size_t bufsz)
{
	const struct desk_act *a = t->d->act;

	snprintf(buf, bufsz, "未确认 %d · 共 %d", a ? a->unacked : 0, count(t));
}

static void
enter(struct tui *t, int i)
{
	const char *key = t->d->act->alarms[i].indicator;

	if (key != NULL)
		tui_open_indicator(t, key);
}

const struct pane_ops pane_alarms = {
    "alarms", "告警", cols,  sizeof cols / sizeof cols[0],
    count,    row,    enter, summary,
};

void
pane_alarms_ack(struct tui *t)
{
	struct tui_pane *p = &t->panes[P_ALARMS];
	char line[64];

	if (p->sel >= p->nindex || p->sel >= count(t)) {
		tui_message(t, SLOT_MSG_ERROR, "没有选中告警");
		return;
	}
	snprintf(line, sizeof line, "alarm ack %lld",
	         (long long)t->d->act->alarms[pane_data_row(p, p->sel)].id);
	actions_run_line(t, line);
}
