/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The event log: what changed, by whom, newest first. */
#include <stdio.h>

#include "cityops/core/zone.h"
#include "tui-internal.h"

static const struct draw_col cols[] = {
    {"时间", 8, 0, 1},
    {"事件", 0, 0, 0},
};

static int
count(struct tui *t)
{
	return t->d->nevents;
}

static void
row(struct tui *t, int i, struct pane_row *r)
{
	/* Newest first: i = 0 is the last one added. */
	const struct desk_event *e = desk_event_at(t->d, i);

	zone_strftime(e->at, "%H:%M:%S", r->buf[0], PANE_CELL);
	r->cells[0] = r->buf[0];
	r->cells[1] = e->text;
	r->slots[0] = SLOT_DIM;
	r->slots[1] = tui_sev_slot(e->sev);
}

static void
summary(struct tui *t, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%d", t->d->nevents);
}

const struct pane_ops pane_events = {
    "events", "动态", cols, sizeof cols / sizeof cols[0],
    count,    row,    NULL, summary,
};
