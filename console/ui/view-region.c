/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The region view: a region's children with their roll-ups; Enter drills
 * into the selected child, Esc goes back up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/cmd/result.h"
#include "cityops/core/text.h"
#include "tui-internal.h"

struct region_view {
	struct desk_region *children;
	int n;
};

static void
region_view_free(void *data)
{
	struct region_view *rv = data;

	if (rv != NULL)
		desk_regions_free(&rv->children, &rv->n);
	free(rv);
}

static int
region_count(const struct tui_view *v)
{
	const struct region_view *rv = v->data;

	return rv ? rv->n : 0;
}

static const struct draw_col cols[] = {
    {"代码", 10, 0, 2}, {"名称", 0, 0, 0}, {"层级", 9, 0, 3},
    {"未结", 4, 1, 0},  {"体征", 9, 0, 0}, {"最差指标", 20, 0, 1},
    {"值", 9, 1, 1},
};
#define NCOLS ((int)(sizeof cols / sizeof cols[0]))

static void
draw_child(struct tui *t, const struct desk_region *c, int y, int selected,
           const int *widths)
{
	int slot, attrs[NCOLS];
	const char *sym = tui_vital_symbol(c->worst_state, &slot);
	char state[48], value[32], level[32];
	const char *cells[NCOLS] = {c->code, c->name,
	                            level,   c->open_incidents,
	                            state,   c->worst_indicator,
	                            value};

	result_cell_text(c->level, F_LEVEL, level, sizeof level);

	snprintf(state, sizeof state, "%s %s", sym,
	         c->worst_state ? names_vital_state(c->worst_state) : "");
	result_cell_text(c->worst_value, F_NUMBER, value, sizeof value);
	for (int k = 0; k < NCOLS; k++)
		attrs[k] = -1;
	attrs[4] = theme_attr((enum theme_slot)slot);
	draw_row(t->w_view, y, t->cols, cols, widths, NCOLS, cells,
	         selected ? NULL : attrs,
	         theme_attr(selected ? SLOT_ROW_SELECTED : SLOT_NORMAL));
}

static void
region_draw(struct tui *t, struct tui_view *v, int y0, int h)
{
	const struct region_view *rv = v->data;
	const char *labels[NCOLS];
	int widths[NCOLS], n = region_count(v);

	for (int k = 0; k < NCOLS; k++)
		labels[k] = cols[k].label;
	draw_widths(cols, NCOLS, t->cols, widths);
	draw_row(t->w_view, y0, t->cols, cols, widths, NCOLS, labels, NULL,
	         theme_attr(SLOT_HEADER));
	if (v->sel >= n)
		v->sel = n > 0 ? n - 1 : 0;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + h - 1)
		v->top = v->sel - (h - 2);
	for (int y = 0; y < h - 1 && v->top + y < n; y++)
		draw_child(t, &rv->children[v->top + y], y0 + 1 + y,
		           v->top + y == v->sel, widths);
	if (n == 0)
		draw_text(t->w_view, y0 + 1, 1, t->cols - 1,
		          v->loading ? "载入中…" : "(无下级)",
		          theme_attr(SLOT_DIM), 0);
}

static void
region_enter(struct tui *t, struct tui_view *v)
{
	const struct region_view *rv = v->data;

	if (rv != NULL && v->sel < rv->n && rv->children[v->sel].code)
		tui_open_region(t, rv->children[v->sel].code);
}

const struct view_ops view_region = {"region", region_draw, region_count,
                                     region_enter, region_view_free};

struct region_req {
	struct tui *t;
	struct tui_view *view;
	int step; /* 0: the region (its breadcrumb), 1: its children */
};

static void
region_got(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct region_req *rq = arg;
	struct tui *t = rq->t;
	struct tui_view *v = rq->view;

	if (!view_alive(t, v)) {
		/* gone: Esc before the answer */
	} else if (err != NULL) {
		view_set_text(v, err->message ? err->message : "error");
	} else if (rq->step == 0) {
		const char *bc = db_get(tb, 0, "breadcrumb");
		if (bc != NULL) {
			free(v->crumbs);
			v->crumbs = text_sanitize_dup(bc, strlen(bc));
		}
	} else {
		struct region_view *rv = xcalloc(1, sizeof *rv);
		region_view_free(v->data);
		rv->children = desk_rows_regions(tb);
		rv->n = tb->nrows;
		v->data = rv;
		v->loading = 0;
		for (int i = 0; i < rv->n; i++)
			desk_add_region_name(t->d, rv->children[i].name);
	}
	db_table_free(&tb);
	free(rq);
	tui_mark(t, TUI_DIRTY_VIEW);
}

void
tui_open_region(struct tui *t, const char *code)
{
	struct tui_view *v = view_push(t, &view_region, code, code);
	const char *p[1] = {code};

	for (int step = 0; step < 2; step++) {
		struct region_req *rq = xcalloc(1, sizeof *rq);
		rq->t = t;
		rq->view = v;
		rq->step = step;
		db_async_submit(t->db, step ? Q_REGION_CHILDREN : Q_REGION, 1,
		                p, region_got, rq);
	}
}
