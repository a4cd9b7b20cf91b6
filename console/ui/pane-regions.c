/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The regions pane: the scope's children with rollups; Enter drills down. */
#include <stdio.h>
#include <string.h>

#include "tui-internal.h"

static const struct draw_col cols[] = {
    {"区域", 0, 0, 0},
    {"未结", 4, 1, 0},
    {"体征", 7, 0, 0},
    {"最差指标", 18, 0, 1},
};

static int
count(struct tui *t)
{
	return t->d->nregions;
}

static void
row(struct tui *t, int i, struct pane_row *r)
{
	const struct desk_region *g = &t->d->regions[i];
	const char *st = g->worst_state;
	const char *sym = tui_vital_symbol(st, &r->slots[2]);

	snprintf(r->buf[0], PANE_CELL, "%s", g->name ?: "");
	snprintf(r->buf[1], PANE_CELL, "%s", g->open_incidents ?: "0");
	snprintf(r->buf[2], PANE_CELL, "%s %s", sym,
	         st ? names_vital_state(st) : "");
	snprintf(r->buf[3], PANE_CELL, "%s", g->worst_indicator ?: "-");
	for (int c = 0; c < 4; c++)
		r->cells[c] = r->buf[c];
}

static void
enter(struct tui *t, int i)
{
	const char *code = t->d->regions[i].code;

	if (code != NULL)
		tui_open_region(t, code);
}

static void
summary(struct tui *t, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s", t->s->scope_name ?: "");
}

const struct pane_ops pane_regions = {
    "regions", "区域", cols,  sizeof cols / sizeof cols[0],
    count,     row,    enter, summary,
};
