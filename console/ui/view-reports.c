/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The reports view (评估评价, issue 15): `report period` as a table the
 * officer steers by keys — p the period (shift, today, 7 days, month; a
 * custom one comes from `:report period --from --to` at the prompt, or c
 * which puts that line there), g the grouping, < > the sort column, s its
 * direction. The rows are the command's own (cmd-report.c, the SQL in
 * 80_reports.sql); periods and order come from the pure model
 * (desk/report-model.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cityops/cmd/cmd.h"
#include "cityops/core/format.h"
#include "cityops/desk/report-model.h"
#include "tui-internal.h"

#define NCOLS 12

static const struct draw_col cols[NCOLS] = {
    {"分组", 12, 0, 0}, {"新增", 6, 1, 0},     {"结案", 6, 1, 0},
    {"受理%", 7, 1, 1}, {"派单%", 7, 1, 2},    {"到场%", 7, 1, 2},
    {"结案%", 7, 1, 1}, {"结案中位", 9, 1, 3}, {"退单", 5, 1, 4},
    {"重办", 5, 1, 4},  {"不实%", 6, 1, 3},    {"升级", 5, 1, 4},
};
/* The table column under each shown one, and how it is formatted. */
static const struct {
	const char *name;
	enum col_fmt fmt;
} src[NCOLS] = {
    {"grp", F_TEXT},
    {"raised", F_NUMBER},
    {"closed", F_NUMBER},
    {"ack_pct", F_NUMBER},
    {"dispatch_pct", F_NUMBER},
    {"arrive_pct", F_NUMBER},
    {"close_pct", F_NUMBER},
    {"close_median_s", F_DURATION},
    {"returns", F_NUMBER},
    {"reopens", F_NUMBER},
    {"unfounded_pct", F_NUMBER},
    {"escalations", F_NUMBER},
};

struct reports {
	enum report_span span;
	int by, sort, desc;
	char from[64], to[64];
	struct db_table *t;
	int *order;
	char *error;
	unsigned gen; /* the newest request; older answers are dropped */
};

struct answer {
	struct tui_view *v;
	unsigned gen;
};

static void
reports_free(void *data)
{
	struct reports *r = data;

	db_table_free(&r->t);
	free(r->order);
	free(r->error);
	free(r);
}

static int
reports_count(const struct tui_view *v)
{
	const struct reports *r = v->data;

	return r->t ? r->t->nrows : 0;
}

static void
resort(struct reports *r)
{
	if (r->t == NULL)
		return;
	free(r->order);
	r->order = xcalloc((size_t)r->t->nrows + 1, sizeof *r->order);
	report_sort(r->t, src[r->sort].name, r->desc, r->order);
}

static void
loaded(struct tui *t, void *arg, const struct result *res)
{
	struct answer *a = arg;
	struct reports *r;

	if (!view_alive(t, a->v) || a->v->ops != &view_reports ||
	    ((struct reports *)a->v->data)->gen != a->gen) {
		free(a);
		return;
	}
	r = a->v->data;
	db_table_free(&r->t);
	free(r->error);
	r->error = NULL;
	if (res->failed) {
		struct buf err = {0};
		result_render_error(res, &err);
		r->error = err.data ? err.data : xstrdup("failed");
	}
	for (int i = 0; i < res->nblocks && !res->failed; i++)
		if (res->blocks[i].kind == B_TABLE) {
			/* Moved out: the run frees the rest of the result
			 * after this returns (view.c; the result is not
			 * const there, only in the callback's type). */
			struct block *b = (struct block *)&res->blocks[i];
			r->t = b->table;
			b->table = NULL;
		}
	resort(r);
	a->v->loading = 0;
	free(a);
	tui_mark(t, TUI_DIRTY_VIEW);
}

static void
reload(struct tui *t, struct tui_view *v)
{
	struct reports *r = v->data;
	struct answer *a = xcalloc(1, sizeof *a);
	char line[256];

	if (r->span != SPAN_CUSTOM)
		report_span_range(r->span, time(NULL), r->from, r->to,
		                  sizeof r->from);
	snprintf(line, sizeof line,
	         "report period --from '%s' --to '%s' --by %s", r->from, r->to,
	         report_groupings[r->by]);
	a->v = v;
	a->gen = ++r->gen;
	v->loading = 1;
	tui_mark(t, TUI_DIRTY_VIEW);
	tui_run_line_then(t, line, loaded, a);
}

static void
draw_group(struct tui *t, const struct db_table *tb, int row, int y,
           int selected, const int *widths)
{
	char text[NCOLS][48];
	const char *cells[NCOLS];

	for (int c = 0; c < NCOLS; c++) {
		const char *v = db_get(tb, row, src[c].name);
		if (c == 0 && v == NULL)
			v = "合计";
		result_cell_text(v, src[c].fmt, text[c], sizeof text[c]);
		cells[c] = text[c];
	}
	draw_row(t->w_view, y, t->cols, cols, widths, NCOLS, cells, NULL,
	         selected ? theme_attr(SLOT_ROW_SELECTED)
	                  : theme_attr(SLOT_NORMAL));
}

/* A period's bound ("2026-12-02T00:00:00+08:00") as the tables show
 * times: "12-02 00:00". */
static void
period_time(const char *iso, char *out, size_t outsz)
{
	char pg[64];

	snprintf(pg, sizeof pg, "%s", iso);
	if (strlen(pg) > 10 && pg[10] == 'T')
		pg[10] = ' ';
	format_time(pg, out, outsz);
}

static void
reports_draw(struct tui *t, struct tui_view *v, int y0, int h)
{
	struct reports *r = v->data;
	char labels_buf[NCOLS][32], head[400], from[32], to[32];
	const char *labels[NCOLS];
	int widths[NCOLS], n = reports_count(v);

	period_time(r->from, from, sizeof from);
	period_time(r->to, to, sizeof to);
	snprintf(head, sizeof head,
	         "%s %s → %s · 按%s · %s%s · p 时段 g 分组 < > 列 s 升降 "
	         "c 自定义",
	         report_span_labels[r->span], from, to,
	         report_grouping_labels[r->by], cols[r->sort].label,
	         r->desc ? "降序" : "升序");
	draw_text(t->w_view, y0, 1, t->cols - 1, head, theme_attr(SLOT_DIM), 0);
	for (int i = 0; i < NCOLS; i++) {
		snprintf(labels_buf[i], sizeof labels_buf[i], "%s%s",
		         cols[i].label,
		         i == r->sort ? (r->desc ? "▼" : "▲") : "");
		labels[i] = labels_buf[i];
	}
	draw_widths(cols, NCOLS, t->cols, widths);
	draw_row(t->w_view, y0 + 1, t->cols, cols, widths, NCOLS, labels, NULL,
	         theme_attr(SLOT_HEADER));
	if (v->sel >= n)
		v->sel = n > 0 ? n - 1 : 0;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + h - 2)
		v->top = v->sel - (h - 3);
	for (int y = 0; y < h - 2 && v->top + y < n; y++)
		draw_group(t, r->t, r->order[v->top + y], y0 + 2 + y,
		           v->top + y == v->sel, widths);
	if (r->error != NULL)
		draw_text(t->w_view, y0 + 2, 1, t->cols - 1, r->error,
		          theme_attr(SLOT_MSG_ERROR), 0);
	else if (v->loading)
		draw_text(t->w_view, y0 + 2 + n, 1, t->cols - 1, "载入中…",
		          theme_attr(SLOT_DIM), 0);
}

const struct view_ops view_reports = {
    "reports", reports_draw, reports_count, NULL, reports_free,
};

int
reports_key(struct tui *t, struct tui_view *v, int key)
{
	struct reports *r = v->data;
	char line[256];

	switch (key) {
	case 'p':
		r->span = (r->span + 1) % SPAN_CUSTOM;
		break;
	case 'g':
		r->by = (r->by + 1) % REPORT_NGROUPINGS;
		break;
	case '>':
		r->sort = (r->sort + 1) % NCOLS;
		resort(r);
		tui_mark(t, TUI_DIRTY_VIEW);
		return 1;
	case '<':
		r->sort = (r->sort + NCOLS - 1) % NCOLS;
		resort(r);
		tui_mark(t, TUI_DIRTY_VIEW);
		return 1;
	case 's':
		r->desc = !r->desc;
		resort(r);
		tui_mark(t, TUI_DIRTY_VIEW);
		return 1;
	case 'c':
		snprintf(line, sizeof line,
		         "report period --from '%s' --to '%s' --by %s", r->from,
		         r->to, report_groupings[r->by]);
		prompt_open(t, MODE_PROMPT, line);
		return 1;
	default:
		return 0;
	}
	reload(t, v);
	return 1;
}

/* Opens the view for a period and grouping: from/to NULL for span. */
static void
open_with(struct tui *t, enum report_span span, const char *from,
          const char *to, int by)
{
	struct tui_view *v;
	struct reports *r = xcalloc(1, sizeof *r);

	r->span = span;
	r->by = by < 0 ? 0 : by;
	r->sort = 1; /* raised, most first */
	r->desc = 1;
	snprintf(r->from, sizeof r->from, "%s", from ? from : "");
	snprintf(r->to, sizeof r->to, "%s", to ? to : "");
	if (t->view != NULL && t->view->ops == &view_reports)
		view_pop(t);
	v = view_push(t, &view_reports, "评估评价", NULL);
	v->data = r;
	reload(t, v);
}

void
reports_open(struct tui *t)
{
	open_with(t, SPAN_TODAY, NULL, NULL, 0);
}

/* A prompt line "report period --from A --to B [--by G]" with nothing else
 * opens the view on that custom period; 0 when it is some other line. */
int
reports_open_line(struct tui *t, const char *line)
{
	char **argv;
	int argc, ok = 1;
	const char *err, *from = NULL, *to = NULL, *by = "district";

	if (cmd_split(line, &argc, &argv, &err) != 0)
		return 0;
	if (argc < 2 || strcmp(argv[0], "report") != 0 ||
	    strcmp(argv[1], "period") != 0)
		ok = 0;
	for (int i = 2; ok && i < argc; i += 2) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (val != NULL && strcmp(argv[i], "--from") == 0)
			from = val;
		else if (val != NULL && strcmp(argv[i], "--to") == 0)
			to = val;
		else if (val != NULL && strcmp(argv[i], "--by") == 0)
			by = val;
		else
			ok = 0;
	}
	if (ok && from != NULL && to != NULL && strlen(from) < 64 &&
	    strlen(to) < 64 && report_grouping_index(by) >= 0)
		open_with(t, SPAN_CUSTOM, from, to, report_grouping_index(by));
	else
		ok = 0;
	cmd_free_argv(argv);
	return ok;
}
