/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The alarm board (issue 14): the scope's alarms not cleared, the
 * unacknowledged alarm-level ones first (highlighted until someone
 * acknowledges), then alarm before warn, newest first, with who
 * acknowledged and when. Live from the desk (the alarm NOTIFY refetches
 * it); the ack key acknowledges the selected alarm, Enter opens the
 * indicator's history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/desk/desk-actions.h"
#include "tui-internal.h"

#define NCOLS 8

static const struct draw_col cols[NCOLS] = {
    {"级别", 6, 0, 0},  {"指标", 18, 0, 0},     {"名称", 16, 0, 2},
    {"区域", 8, 0, 3},  {"读数", 12, 1, 0},     {"发生", 11, 0, 4},
    {"确认", 10, 0, 0}, {"确认时间", 11, 0, 1},
};

static int
alarms_count(const struct tui_view *v)
{
	const struct desk *d = v->data;

	return d->act ? d->act->nalarms : 0;
}

static void
draw_alarm(struct tui *t, struct tui_view *v, int i, int y, int selected,
           const int *widths)
{
	const struct desk_alarm *a = &t->d->act->alarms[i];
	char level[32], value[48], raised[32], acked[32];
	const char *cells[NCOLS] = {level,
	                            a->indicator,
	                            a->name,
	                            a->region_name,
	                            value,
	                            raised,
	                            a->acked_by ? a->acked_by : "未确认",
	                            acked};
	int attrs[NCOLS], slot;
	int unacked = strcmp(a->state ?: "", "raised") == 0;
	const char *sym = tui_vital_symbol(a->level, &slot);

	snprintf(level, sizeof level, "%s %s", sym,
	         names_vital_state(a->level));
	snprintf(value, sizeof value, "%s %s", a->value ?: "", a->uom ?: "");
	result_cell_text(a->raised_at, F_TIME, raised, sizeof raised);
	result_cell_text(a->acked_at, F_TIME, acked, sizeof acked);
	for (int c = 0; c < NCOLS; c++)
		attrs[c] = -1;
	attrs[0] = theme_attr((enum theme_slot)slot);
	if (unacked)
		attrs[6] = theme_attr(SLOT_ALERT_CRIT) | A_BOLD;
	draw_row(t->w_view, y, t->cols, cols, widths, NCOLS, cells,
	         selected ? NULL : attrs,
	         selected ? theme_attr(SLOT_ROW_SELECTED)
	         : unacked && strcmp(a->level ?: "", "alarm") == 0
	             ? (int)(theme_attr(SLOT_ALERT_CRIT) | A_REVERSE)
	             : theme_attr(SLOT_NORMAL));
}

static void
alarms_draw(struct tui *t, struct tui_view *v, int y0, int h)
{
	const struct desk_act *a = t->d->act;
	char head[200], k[16];
	struct view_list l = {cols,
	                      NCOLS,
	                      head,
	                      alarms_count(v),
	                      a && a->alarms_loaded ? "(无告警)" : "载入中…",
	                      SLOT_DIM,
	                      draw_alarm};

	snprintf(
	    head, sizeof head,
	    "共 %d 条告警，%d 条告警级未确认 · %s 确认  Enter 历史  Esc 返回",
	    l.n, a ? a->unacked : 0,
	    config_key_for(ACTION_ACT_ACK, k, sizeof k));
	view_list_draw(t, v, y0, h, &l);
}

static void
alarms_enter(struct tui *t, struct tui_view *v)
{
	const struct desk_act *a = t->d->act;

	if (a != NULL && v->sel < a->nalarms && a->alarms[v->sel].indicator)
		tui_open_indicator(t, a->alarms[v->sel].indicator);
}

int
alarms_key(struct tui *t, struct tui_view *v, int key)
{
	const struct desk_act *a = t->d->act;
	char line[64];

	if (config_action_for(key) != ACTION_ACT_ACK)
		return 0;
	if (a == NULL || v->sel >= a->nalarms) {
		tui_message(t, SLOT_MSG_ERROR, "没有选中告警");
		return 1;
	}
	snprintf(line, sizeof line, "alarm ack %lld",
	         (long long)a->alarms[v->sel].id);
	actions_run_line(t, line);
	return 1;
}

const struct view_ops view_alarms = {
    "alarms", alarms_draw, alarms_count, alarms_enter, NULL,
};

void
alarms_open(struct tui *t)
{
	struct tui_view *v;

	if (t->view != NULL && t->view->ops == &view_alarms)
		return;
	v = view_push(t, &view_alarms, "告警", NULL);
	v->data = t->d; /* read live; not freed (ops->free is NULL) */
	v->loading = 0;
}
