/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The incident queue pane: open incidents, most urgent first (SQL order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-internal.h"

static const struct draw_col cols[] = {
    {"级", 2, 0, 0},    {"编号", 11, 0, 0}, {"类别", 8, 0, 3},
    {"区域", 10, 0, 1}, {"状态", 6, 0, 0},  {"时长", 6, 1, 4},
    {"时限", 10, 0, 0}, {"标题", 0, 0, 0},  {"单位", 14, 0, 5},
};

static int
count(struct tui *t)
{
	return t->d->nqueue;
}

static void
cell(struct pane_row *r, int i, const char *value, enum col_fmt fmt)
{
	result_cell_text(value, fmt, r->buf[i], sizeof r->buf[i]);
	r->cells[i] = r->buf[i];
}

static void
row(struct tui *t, int i, struct pane_row *r)
{
	const struct desk_incident *q = &t->d->queue[i];
	long long el = tui_queue_elapsed(t);
	char num[32];

	snprintf(num, sizeof num, "%d", q->priority);
	cell(r, 0, num, F_PRIORITY);
	cell(r, 1, q->ref, F_TEXT);
	cell(r, 2, q->category_name, F_TEXT);
	cell(r, 3, q->region_name, F_TEXT);
	cell(r, 4, q->state, F_STATE);
	snprintf(num, sizeof num, "%lld", q->age_s + el);
	cell(r, 5, num, F_DURATION);
	if (q->has_sla) {
		snprintf(num, sizeof num, "%lld", q->sla_left_s - el);
		cell(r, 6, num, F_SLA);
		if (q->sla_left_s - el < 0)
			r->slots[6] = SLOT_SLA_BREACHED;
	} else {
		cell(r, 6, NULL, F_SLA);
	}
	if (q->exercise || q->escalation > 0) {
		char esc[16] = "";
		if (q->escalation > 0)
			snprintf(esc, sizeof esc, "督办%d ", q->escalation);
		snprintf(r->buf[7], sizeof r->buf[7], "%s%s%s",
		         q->exercise ? "[演练] " : "", esc,
		         q->title ? q->title : "");
		r->cells[7] = r->buf[7];
		if (q->escalation > 0)
			r->slots[7] = SLOT_ALERT_WARN;
	} else {
		cell(r, 7, q->title, F_TEXT);
	}
	cell(r, 8, q->units, F_TEXT);
	if (q->priority == 1)
		r->slots[0] = SLOT_ALERT_CRIT;
	else if (q->priority == 2)
		r->slots[0] = SLOT_ALERT_WARN;
	if (tui_is_fresh(t, q->ref))
		r->slot = SLOT_ROW_NEW;
}

static void
enter(struct tui *t, int i)
{
	const char *ref = t->d->queue[i].ref;

	if (ref != NULL)
		tui_open_incident(t, ref);
}

static void
summary(struct tui *t, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%d 件未结", count(t));
}

const struct pane_ops pane_queue = {
    "queue", "事件队列", cols,  sizeof cols / sizeof cols[0],
    count,   row,        enter, summary,
};
