/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Database answers into desk rows: the one place that knows the column
 * names of the console's reads (queue, units, region_children and region_map,
 * vitals, mode_get, open_counts, events_since). The screen never sees them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/db/db.h"
#include "cityops/desk/desk-sync.h"
#include "cityops/core/util.h"

static char *
dup_cell(const struct db_table *t, int i, const char *col)
{
	const char *v = db_get(t, i, col);

	return v ? xstrdup(v) : NULL;
}

static long long
num_cell(const struct db_table *t, int i, const char *col)
{
	const char *v = db_get(t, i, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

static double
real_cell(const struct db_table *t, int i, const char *col)
{
	const char *v = db_get(t, i, col);

	return v ? strtod(v, NULL) : NAN;
}

void
desk_rows_queue(struct desk *d, const struct db_table *t, int64_t now_ms,
                int64_t fresh_ms)
{
	struct desk_incident *q = xcalloc((size_t)t->nrows + 1, sizeof *q);

	for (int i = 0; i < t->nrows; i++) {
		q[i].id = num_cell(t, i, "id");
		q[i].ref = dup_cell(t, i, "ref");
		q[i].category = dup_cell(t, i, "category");
		q[i].category_name = dup_cell(t, i, "category_name");
		q[i].region_name = dup_cell(t, i, "region_name");
		q[i].state = dup_cell(t, i, "state");
		q[i].title = dup_cell(t, i, "title");
		q[i].units = dup_cell(t, i, "units");
		q[i].priority = (int)num_cell(t, i, "priority");
		q[i].exercise = (db_get(t, i, "exercise") ?: "f")[0] == 't';
		q[i].age_s = num_cell(t, i, "age_s");
		q[i].has_sla = db_get(t, i, "sla_left_s") != NULL;
		q[i].sla_left_s = num_cell(t, i, "sla_left_s");
		q[i].escalation = (int)num_cell(t, i, "escalation");
	}
	desk_set_queue(d, q, t->nrows, now_ms, fresh_ms);
}

void
desk_rows_units(struct desk *d, const struct db_table *t)
{
	struct desk_unit *u = xcalloc((size_t)t->nrows + 1, sizeof *u);

	for (int i = 0; i < t->nrows; i++) {
		u[i].callsign = dup_cell(t, i, "callsign");
		u[i].name = dup_cell(t, i, "name");
		u[i].kind = dup_cell(t, i, "kind");
		u[i].status = dup_cell(t, i, "status");
		u[i].incident_ref = dup_cell(t, i, "incident_ref");
		u[i].region_name = dup_cell(t, i, "region_name");
	}
	desk_set_units(d, u, t->nrows);
}

struct desk_region *
desk_rows_regions(const struct db_table *t)
{
	struct desk_region *r = xcalloc((size_t)t->nrows + 1, sizeof *r);

	for (int i = 0; i < t->nrows; i++) {
		r[i].code = dup_cell(t, i, "code");
		r[i].name = dup_cell(t, i, "name");
		r[i].level = dup_cell(t, i, "level");
		r[i].worst_state = dup_cell(t, i, "worst_state");
		r[i].worst_indicator = dup_cell(t, i, "worst_indicator");
		r[i].worst_value = dup_cell(t, i, "worst_value");
		r[i].open_incidents = dup_cell(t, i, "open_incidents");
		r[i].short_name = dup_cell(t, i, "short_name");
		r[i].indicators = dup_cell(t, i, "indicators");
		r[i].incidents = dup_cell(t, i, "incidents");
		for (int k = 0; k < 4; k++) {
			char col[4] = {'p', (char)('1' + k), '\0'};
			r[i].p[k] = (int)num_cell(t, i, col);
		}
	}
	return r;
}

void
desk_rows_shapes(struct desk *d, const struct db_table *t)
{
	struct desk_shape *s = xcalloc((size_t)t->nrows + 1, sizeof *s);

	for (int i = 0; i < t->nrows; i++) {
		s[i].code = dup_cell(t, i, "code");
		s[i].outline = dup_cell(t, i, "outline");
	}
	desk_set_shapes(d, s, t->nrows);
}

void
desk_rows_points(struct desk *d, const struct db_table *t)
{
	struct desk_point *p = xcalloc((size_t)t->nrows + 1, sizeof *p);

	for (int i = 0; i < t->nrows; i++) {
		p[i].lon = real_cell(t, i, "lon");
		p[i].lat = real_cell(t, i, "lat");
		p[i].priority = (int)num_cell(t, i, "priority");
	}
	desk_set_points(d, p, t->nrows);
}

void
desk_rows_vitals(struct desk *d, const struct db_table *t)
{
	struct desk_vital *v = xcalloc((size_t)t->nrows + 1, sizeof *v);

	for (int i = 0; i < t->nrows; i++) {
		v[i].key = dup_cell(t, i, "indicator_id");
		v[i].category = dup_cell(t, i, "category");
		v[i].name = dup_cell(t, i, "name");
		v[i].region_name = dup_cell(t, i, "region_name");
		v[i].unit = dup_cell(t, i, "unit");
		v[i].state = dup_cell(t, i, "state");
		v[i].value = dup_cell(t, i, "value");
		v[i].warn = real_cell(t, i, "warn");
		v[i].alarm = real_cell(t, i, "alarm");
		v[i].hysteresis = db_get(t, i, "hysteresis")
		                      ? real_cell(t, i, "hysteresis")
		                      : 0;
		v[i].stale_s = num_cell(t, i, "stale_s");
	}
	desk_set_vitals(d, v, t->nrows);
}

void
desk_rows_mode(struct desk *d, const struct db_table *t)
{
	const char *mode = t->nrows > 0 ? db_get(t, 0, "mode") : NULL;

	desk_set_mode(d, mode != NULL && strcmp(mode, "emergency") == 0,
	              t->nrows > 0 ? db_get(t, 0, "level") : NULL,
	              t->nrows > 0 ? db_get(t, 0, "kind") : NULL);
	if (t->nrows == 0) {
		desk_set_mode_desk(d, NULL, 0, NULL, NULL);
		return;
	}
	desk_set_mode_desk(
	    d, db_get(t, 0, "set_by"), (time_t)num_cell(t, 0, "since_epoch"),
	    db_get(t, 0, "vitals_first"), db_get(t, 0, "incidents_first"));
}

void
desk_rows_counts(struct desk *d, const struct db_table *t)
{
	for (int p = 1; p <= 4; p++)
		desk_set_count(d, p, 0);
	for (int i = 0; i < t->nrows; i++)
		desk_set_count(d, (int)num_cell(t, i, "priority"),
		               (int)num_cell(t, i, "n"));
	desk_counts_loaded(d);
}

int
desk_rows_timeline(struct desk *d, int has_from, uint64_t from,
                   const struct db_table *t)
{
	struct desk_timeline_row *rows;
	uint64_t horizon;
	int n = 0, applied;

	if (t->nrows == 0 || db_get(t, 0, "horizon") == NULL)
		return 0;
	horizon = strtoull(db_get(t, 0, "horizon"), NULL, 10);
	rows = xcalloc((size_t)t->nrows + 1, sizeof *rows);
	for (int i = 0; i < t->nrows; i++) {
		if (db_get(t, i, "id") == NULL)
			continue; /* the horizon-only row */
		rows[n].tx = strtoull(db_get(t, i, "tx") ?: "0", NULL, 10);
		rows[n].id = num_cell(t, i, "id");
		rows[n].at = (time_t)num_cell(t, i, "at_s");
		rows[n].ref = db_get(t, i, "ref");
		rows[n].actor = db_get(t, i, "actor");
		rows[n].action = db_get(t, i, "action");
		rows[n].from_state = db_get(t, i, "from_state");
		rows[n].to_state = db_get(t, i, "to_state");
		rows[n].unit = db_get(t, i, "unit");
		rows[n].note = db_get(t, i, "note");
		rows[n].exercise = (db_get(t, i, "exercise") ?: "f")[0] == 't';
		n++;
	}
	applied = desk_apply_timeline(d, has_from, from, horizon,
	                              num_cell(t, 0, "span"), rows, n);
	free(rows);
	return applied;
}
