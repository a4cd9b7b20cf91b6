/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The search view (issue 14): `:find TEXT` lists the incidents in scope
 * whose reference, title, location, description or a note holds TEXT,
 * open and closed, newest first (cityops.search). Enter opens the
 * selected incident; `/` in the view searches again; Esc returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-internal.h"

#define NCOLS 8

static const struct draw_col cols[NCOLS] = {
    {"时间", 11, 0, 0}, {"编号", 11, 0, 0}, {"级", 2, 0, 0},
    {"状态", 6, 0, 0},  {"区域", 8, 0, 3},  {"标题", 24, 0, 0},
    {"地点", 16, 0, 2}, {"匹配", 8, 0, 1},
};

struct search {
	struct db_table *rows; /* NULL while loading */
	char *error;
	int idle; /* opened by the search key: nothing asked yet */
};

struct search_req {
	struct tui *t;
	struct tui_view *v;
};

static int
search_count(const struct tui_view *v)
{
	const struct search *s = v->data;

	return s->rows ? s->rows->nrows : 0;
}

static void
draw_hit(struct tui *t, struct tui_view *v, int i, int y, int sel,
         const int *widths)
{
	const struct db_table *tb = ((const struct search *)v->data)->rows;
	char when[32], prio[8], state[32], matched[32];
	const char *cells[NCOLS] = {
	    when,
	    db_get(tb, i, "ref"),
	    prio,
	    state,
	    db_get(tb, i, "region_name"),
	    db_get(tb, i, "title"),
	    db_get(tb, i, "location"),
	    matched,
	};

	result_cell_text(db_get(tb, i, "matched"), F_MATCH, matched,
	                 sizeof matched);

	result_cell_text(db_get(tb, i, "created_at"), F_TIME, when,
	                 sizeof when);
	result_cell_text(db_get(tb, i, "state"), F_STATE, state, sizeof state);
	snprintf(prio, sizeof prio, "P%s", db_get(tb, i, "priority") ?: "?");
	draw_row(t->w_view, y, t->cols, cols, widths, NCOLS, cells, NULL,
	         theme_attr(sel ? SLOT_ROW_SELECTED : SLOT_NORMAL));
}

static void
search_draw(struct tui *t, struct tui_view *v, int y0, int h)
{
	const struct search *s = v->data;
	char head[160];
	struct view_list l = {cols, NCOLS,    head,    search_count(v),
	                      NULL, SLOT_DIM, draw_hit};

	snprintf(head, sizeof head,
	         "共 %d 件 · 新的在前 · Enter 打开  / 再搜  Esc 返回", l.n);
	l.empty = s->error  ? s->error
	          : s->rows ? "(没有找到)"
	          : s->idle ? "输入要找的文字，Enter 搜索"
	                    : "搜索中…";
	if (s->error)
		l.empty_slot = SLOT_MSG_ERROR;
	view_list_draw(t, v, y0, h, &l);
}

static void
search_enter(struct tui *t, struct tui_view *v)
{
	const struct search *s = v->data;

	if (s->rows != NULL && v->sel < s->rows->nrows)
		tui_open_incident(t, db_get(s->rows, v->sel, "ref"));
}

static void
search_free(void *data)
{
	struct search *s = data;

	db_table_free(&s->rows);
	free(s->error);
	free(s);
}

const struct view_ops view_search = {
    "search", search_draw, search_count, search_enter, search_free,
};

static void
search_loaded(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct search_req *q = arg;
	struct tui *t = q->t;
	struct search *s;

	if (!view_alive(t, q->v)) {
		db_table_free(&tb);
		free(q);
		return;
	}
	s = q->v->data;
	q->v->loading = 0;
	if (err != NULL) {
		s->error =
		    xstrdup(err->message ? err->message : "search failed");
		tui_message(t, SLOT_MSG_ERROR, "✗ %s", s->error);
	} else {
		s->rows = tb;
		tui_message(t, SLOT_MSG_OK, "共 %d 件 (Esc 返回)", tb->nrows);
	}
	tui_mark(t, TUI_DIRTY_VIEW);
	free(q);
}

void
search_open(struct tui *t, const char *text)
{
	struct search_req *q;
	char crumbs[300];
	const char *p[3] = {text, "false", "200"};

	while (*text == ' ')
		text++;
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		if (*c < 0x20 || *c == 0x7f) {
			tui_message(t, SLOT_MSG_ERROR, "搜索词不能含控制字符");
			return;
		}
	if (*text == '\0') {
		tui_message(t, SLOT_MSG_ERROR, "搜什么？find <text>");
		return;
	}
	p[0] = text;
	if (t->view != NULL && t->view->ops == &view_search)
		view_pop(t);
	snprintf(crumbs, sizeof crumbs, "搜索 › %s", text);
	q = xcalloc(1, sizeof *q);
	q->t = t;
	q->v = view_push(t, &view_search, crumbs, text);
	q->v->data = xcalloc(1, sizeof(struct search));
	q->v->loading = 1;
	db_async_submit(t->db, Q_SEARCH, 3, p, search_loaded, q);
}

void
search_start(struct tui *t)
{
	struct tui_view *v;
	struct search *s;

	if (t->view == NULL || t->view->ops != &view_search) {
		v = view_push(t, &view_search, "搜索", NULL);
		s = xcalloc(1, sizeof *s);
		s->idle = 1;
		v->data = s;
		v->loading = 0;
	}
	prompt_open(t, MODE_PROMPT, "find ");
}
