/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The vital-signs pane: indicators grouped by category, the worst group
 * first and the worst indicator first within it. Value and state come from
 * a live feed once one has fed the indicator (tui_vital_now), else from
 * the database (stored readings); the sparkline from the vital-signs
 * model, whose history is loaded for the rows on screen and which live
 * feeds update.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/format.h"
#include "tui-internal.h"

static const struct draw_col cols[] = {
    {"状态", 7, 0, 0}, {"指标", 0, 0, 0}, {"区域", 8, 0, 2},
    {"值", 9, 1, 0},   {"单位", 5, 0, 1}, {"趋势", 12, 0, 3},
};

static int
count(struct tui *t)
{
	return t->d->nvrows;
}

static void
row(struct tui *t, int i, struct pane_row *r)
{
	const struct desk_vital_row *vr = &t->d->vrows[i];
	const struct desk_vital *v = &t->d->vitals[vr->vital];
	const char *st, *sym;
	struct model_indicator *ind;
	int live = 0;

	for (int c = 0; c < 6; c++)
		r->cells[c] = "";
	if (vr->heading) {
		snprintf(r->buf[1], PANE_CELL, "── %s%s", v->category ?: "",
		         vr->worst ? " ──" : "");
		r->cells[1] = r->buf[1];
		if (vr->worst) {
			snprintf(r->buf[0], PANE_CELL, "%d 异常", vr->worst);
			r->cells[0] = r->buf[0];
			r->slots[0] = SLOT_ALERT_WARN;
		}
		r->slot = SLOT_HEADER;
		return;
	}
	st = tui_vital_now(t, vr->vital, r->buf[3], PANE_CELL, &live);
	sym = tui_vital_symbol(st, &r->slots[0]);
	snprintf(r->buf[0], PANE_CELL, "%s %s", sym,
	         st ? names_vital_state(st) : "");
	snprintf(r->buf[1], PANE_CELL, "%s", v->name ?: "");
	snprintf(r->buf[2], PANE_CELL, "%s", v->region_name ?: "");
	snprintf(r->buf[4], PANE_CELL, "%s", v->unit ?: "");
	ind = v->key ? model_vitals_find(t->d->mv, v->key) : NULL;
	if (live)
		latency_reading(t->lat, ind);
	r->buf[5][0] = '\0';
	if (ind != NULL && ind->count > 1) {
		float hv[64];
		double dv[64];
		size_t n = model_vitals_history(ind, hv, NULL, 64);
		for (size_t k = 0; k < n; k++)
			dv[k] = hv[k];
		format_sparkline(dv, (int)n, 12, r->buf[5], PANE_CELL);
	}
	for (int c = 0; c < 6; c++)
		r->cells[c] = r->buf[c];
	r->slots[3] = r->slots[0];
	r->slots[5] = SLOT_SPARK;
}

static void
enter(struct tui *t, int i)
{
	const char *key;

	if (t->d->vrows[i].heading)
		return;
	key = t->d->vitals[t->d->vrows[i].vital].key;
	if (key != NULL)
		tui_open_indicator(t, key);
}

static void
summary(struct tui *t, char *buf, size_t bufsz)
{
	int alarm = 0, warn = 0, stale = 0;

	for (int i = 0; i < t->d->nvitals; i++) {
		const char *st = tui_vital_now(t, i, NULL, 0, NULL);
		if (st == NULL)
			continue;
		alarm += strcmp(st, "alarm") == 0;
		warn += strcmp(st, "warn") == 0;
		stale += strcmp(st, "stale") == 0;
	}
	snprintf(buf, bufsz, "告警 %d · 预警 %d · 失联 %d", alarm, warn, stale);
}

const struct pane_ops pane_vitals = {
    "vitals", "生命体征", cols,  sizeof cols / sizeof cols[0],
    count,    row,        enter, summary,
};
