/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The unit picker (issue 14): dispatch's recommended units for one
 * incident (suitable kind, available, nearest first, distance and
 * department), Space to choose several, Enter to send. It asks again
 * whenever the units change, so a unit another console takes meanwhile
 * turns "taken" with who has it; a refusal keeps the picker open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/desk/desk-actions.h"
#include "tui-internal.h"

#define NCOLS 6
#define PICKS "10"

static const struct draw_col cols[NCOLS] = {
    {"选", 3, 0, 0},   {"呼号", 10, 0, 0}, {"名称", 16, 0, 2},
    {"类型", 6, 0, 3}, {"距离", 9, 1, 0},  {"部门/占用", 0, 0, 1},
};

struct picker_view {
	struct desk_picker *p;
	int inflight, again;
};

struct picker_req {
	struct tui *t;
	struct tui_view *v;
};

static int
picker_count(const struct tui_view *v)
{
	const struct picker_view *pv = v->data;

	return pv->p->n;
}

static void
draw_pick(struct tui *t, struct tui_view *v, int i, int y, int selected,
          const int *widths)
{
	const struct desk_pick *k =
	    &((struct picker_view *)v->data)->p->rows[i];
	char mark[8], dist[32], who[160];
	const char *cells[NCOLS] = {mark,    k->callsign, k->name,
	                            k->kind, dist,        who};
	int attrs[NCOLS];

	snprintf(mark, sizeof mark, "%s",
	         k->taken    ? "✗"
	         : k->chosen ? "[x]"
	                     : "[ ]");
	snprintf(dist, sizeof dist, "%s km", k->distance ? k->distance : "?");
	if (k->taken)
		snprintf(who, sizeof who, "已被占用: %s",
		         k->taken_by ? k->taken_by : "?");
	else
		snprintf(who, sizeof who, "%s",
		         k->department ? k->department : "");
	for (int c = 0; c < NCOLS; c++)
		attrs[c] = -1;
	if (k->taken)
		attrs[5] = attrs[0] = theme_attr(SLOT_ALERT_CRIT);
	draw_row(t->w_view, y, t->cols, cols, widths, NCOLS, cells,
	         selected ? NULL : attrs,
	         theme_attr(selected    ? SLOT_ROW_SELECTED
	                    : k->chosen ? SLOT_ACCENT
	                                : SLOT_NORMAL));
}

static void
picker_draw(struct tui *t, struct tui_view *v, int y0, int h)
{
	struct picker_view *pv = v->data;
	struct view_list l = {
	    cols,
	    NCOLS,
	    "推荐单位 (近者在前) · Space 选择  Enter 派单  Esc 返回",
	    pv->p->n,
	    pv->p->loaded ? "(无可用单位)" : "载入中…",
	    SLOT_DIM,
	    draw_pick};

	view_list_draw(t, v, y0, h, &l);
	pv->p->sel = v->sel;
}

static void
picker_got(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct picker_req *rq = arg;
	struct tui *t = rq->t;
	struct tui_view *v = rq->v;

	free(rq);
	if (!view_alive(t, v) || v->ops != &view_picker) {
		db_table_free(&tb);
		return;
	}
	struct picker_view *pv = v->data;
	pv->inflight = 0;
	if (err != NULL) {
		tui_message(t, SLOT_MSG_ERROR, "recommend: %s",
		            err->message ? err->message : "error");
	} else {
		desk_rows_picks(pv->p, t->d, tb);
		v->sel = pv->p->sel;
		v->loading = 0;
	}
	db_table_free(&tb);
	tui_mark(t, TUI_DIRTY_VIEW);
	if (pv->again) {
		pv->again = 0;
		picker_refresh(t, v);
	}
}

void
picker_refresh(struct tui *t, struct tui_view *v)
{
	struct picker_view *pv = v->data;
	struct picker_req *rq;
	const char *p[2] = {pv->p->ref, PICKS};

	if (pv->inflight) {
		pv->again = 1;
		return;
	}
	pv->inflight = 1;
	rq = xcalloc(1, sizeof *rq);
	rq->t = t;
	rq->v = v;
	db_async_submit(t->db, Q_RECOMMEND, 2, p, picker_got, rq);
}

/* The dispatch's answer: done closes the picker, a refusal keeps it. */
static void
picker_sent(struct tui *t, void *arg, const struct result *r)
{
	struct tui_view *v = arg;
	int alive = view_alive(t, v) && v->ops == &view_picker;

	if (r->failed) {
		tui_message(t, SLOT_MSG_ERROR, "派单被拒: %s%s%s",
		            r->error ? r->error : "failed",
		            r->hint ? " — " : "", r->hint ? r->hint : "");
		tui_event(t, DESK_SEV_ERROR, "✗ dispatch: %s",
		          r->error ? r->error : "failed");
		if (alive)
			picker_refresh(t, v);
		return;
	}
	{
		struct buf out = {0};
		char *nl;
		result_render_text(r, &out);
		nl = out.data ? strchr(out.data, '\n') : NULL;
		if (nl != NULL)
			*nl = '\0';
		tui_message(t, SLOT_MSG_OK, "» 已派单 %s",
		            out.data ? out.data : "");
		buf_free(&out);
	}
	if (alive && t->view == v)
		view_pop(t);
}

static void
picker_enter(struct tui *t, struct tui_view *v)
{
	struct picker_view *pv = v->data;
	char *line = desk_picker_line(pv->p);

	if (line == NULL) {
		tui_message(t, SLOT_MSG_ERROR, "没有选中要派的单位");
		return;
	}
	tui_run_line_then(t, line, picker_sent, v);
	free(line);
}

int
picker_key(struct tui *t, struct tui_view *v, int key)
{
	struct picker_view *pv = v->data;

	if (key != ' ')
		return 0;
	if (desk_picker_toggle(pv->p, v->sel) && v->sel + 1 < pv->p->n)
		v->sel++; /* on to the next, as mutt's tag does */
	tui_mark(t, TUI_DIRTY_VIEW);
	return 1;
}

static void
picker_free(void *data)
{
	struct picker_view *pv = data;

	if (pv == NULL)
		return;
	desk_picker_free(&pv->p);
	free(pv);
}

const struct view_ops view_picker = {
    "picker", picker_draw, picker_count, picker_enter, picker_free,
};

void
picker_open(struct tui *t, const char *ref)
{
	char crumbs[200];
	struct picker_view *pv = xcalloc(1, sizeof *pv);
	struct tui_view *v;

	snprintf(crumbs, sizeof crumbs, "%s › 派单", ref);
	v = view_push(t, &view_picker, crumbs, ref);
	pv->p = desk_picker_new(ref);
	v->data = pv;
	picker_refresh(t, v);
}
