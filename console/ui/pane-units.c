/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The units pane: counts by kind and status in the title, then the list. */
#include <stdio.h>
#include <string.h>

#include "tui-internal.h"

static const struct draw_col cols[] = {
    {"呼号", 7, 0, 0}, {"名称", 0, 0, 0},  {"类型", 9, 0, 2},
    {"状态", 4, 0, 0}, {"事件", 11, 0, 1}, {"驻地", 10, 0, 3},
};

static int
count(struct tui *t)
{
	return t->d->nunits;
}

static void
row(struct tui *t, int i, struct pane_row *r)
{
	const struct desk_unit *u = &t->d->units[i];
	const char *st = u->status;

	snprintf(r->buf[0], PANE_CELL, "%s", u->callsign ?: "");
	snprintf(r->buf[1], PANE_CELL, "%s", u->name ?: "");
	snprintf(r->buf[2], PANE_CELL, "%s", u->kind ?: "");
	result_cell_text(st, F_UNIT, r->buf[3], PANE_CELL);
	snprintf(r->buf[4], PANE_CELL, "%s", u->incident_ref ?: "-");
	snprintf(r->buf[5], PANE_CELL, "%s", u->region_name ?: "");
	for (int c = 0; c < 6; c++)
		r->cells[c] = r->buf[c];
	if (st != NULL && strcmp(st, "available") == 0)
		r->slots[3] = SLOT_STATE_OK;
	else if (st != NULL && strcmp(st, "out_of_service") == 0)
		r->slots[3] = SLOT_FEED_STALE;
	else
		r->slots[3] = SLOT_ALERT_WARN;
}

/* "待命 12 · 出动 5 · 停用 1": available, busy, out of service. */
static void
summary(struct tui *t, char *buf, size_t bufsz)
{
	int avail = 0, busy = 0, oos = 0;

	for (int i = 0; i < count(t); i++) {
		const char *st = t->d->units[i].status;
		if (st == NULL)
			continue;
		if (strcmp(st, "available") == 0)
			avail++;
		else if (strcmp(st, "out_of_service") == 0)
			oos++;
		else
			busy++;
	}
	snprintf(buf, bufsz, "待命 %d · 出动 %d · 停用 %d", avail, busy, oos);
}

static void
enter(struct tui *t, int i)
{
	char line[96];

	snprintf(line, sizeof line, "unit %s", t->d->units[i].callsign ?: "");
	tui_run_line(t, line, 1);
}

const struct pane_ops pane_units = {
    "units", "处置力量", cols,  sizeof cols / sizeof cols[0],
    count,   row,        enter, summary,
};
