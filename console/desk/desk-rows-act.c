/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The columns of the reads for acting on the selection
 * (sql/functions/75_desk.sql, recommend) into desk structs; desk-rows.c
 * does the same for the desk's other reads.
 */
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/db/db.h"
#include "cityops/desk/desk-actions.h"

static char *
dup_cell(const struct db_table *t, int i, const char *col)
{
	const char *v = db_get(t, i, col);

	return v ? xstrdup(v) : NULL;
}

static int
bool_cell(const struct db_table *t, int i, const char *col)
{
	const char *v = db_get(t, i, col);

	return v != NULL && v[0] == 't';
}

void
desk_rows_rules(struct desk *d, const struct db_table *t)
{
	struct desk_rule *r = xcalloc((size_t)t->nrows + 1, sizeof *r);

	for (int i = 0; i < t->nrows; i++) {
		r[i].state = dup_cell(t, i, "state");
		r[i].action = dup_cell(t, i, "action");
		r[i].label = dup_cell(t, i, "label_zh");
		r[i].reason = bool_cell(t, i, "reason_required");
		r[i].units = bool_cell(t, i, "units_required");
		r[i].ends = bool_cell(t, i, "ends");
	}
	desk_set_rules(d, r, t->nrows);
}

void
desk_rows_alarms(struct desk *d, const struct db_table *t)
{
	struct desk_alarm *a = xcalloc((size_t)t->nrows + 1, sizeof *a);

	for (int i = 0; i < t->nrows; i++) {
		const char *id = db_get(t, i, "id");
		a[i].id = id ? strtoll(id, NULL, 10) : 0;
		a[i].indicator = dup_cell(t, i, "indicator_id");
		a[i].name = dup_cell(t, i, "name");
		a[i].region_name = dup_cell(t, i, "region_name");
		a[i].level = dup_cell(t, i, "level");
		a[i].state = dup_cell(t, i, "state");
		a[i].value = dup_cell(t, i, "value");
		a[i].uom = dup_cell(t, i, "uom");
		a[i].raised_at = dup_cell(t, i, "raised_at");
		a[i].acked_by = dup_cell(t, i, "acknowledged_by");
		a[i].acked_at = dup_cell(t, i, "acknowledged_at");
	}
	desk_set_alarms(d, a, t->nrows);
}

void
desk_rows_picks(struct desk_picker *p, const struct desk *d,
                const struct db_table *t)
{
	struct desk_pick *r = xcalloc((size_t)t->nrows + 1, sizeof *r);

	for (int i = 0; i < t->nrows; i++) {
		r[i].callsign = dup_cell(t, i, "callsign");
		r[i].name = dup_cell(t, i, "name");
		r[i].kind = dup_cell(t, i, "kind");
		r[i].department = dup_cell(t, i, "department");
		r[i].distance = dup_cell(t, i, "distance_km");
	}
	desk_picker_set(p, d, r, t->nrows);
}
