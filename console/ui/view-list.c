/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The body of a list view (search, alarms, unit picker): a line of help,
 * the column labels, then the rows from v->top with the selection kept in
 * sight, or one line saying why there are none. It records where the
 * first row is, so a mouse click finds its row (view_list_row_at).
 */
#include "tui-internal.h"

void
view_list_draw(struct tui *t, struct tui_view *v, int y0, int h,
               const struct view_list *l)
{
	const char *labels[PANE_MAX_COLS];
	int widths[PANE_MAX_COLS], n = l->n, body = h - 2;

	draw_text(t->w_view, y0, 1, t->cols - 1, l->head, theme_attr(SLOT_DIM),
	          0);
	for (int i = 0; i < l->ncols && i < PANE_MAX_COLS; i++)
		labels[i] = l->cols[i].label;
	draw_widths(l->cols, l->ncols, t->cols, widths);
	draw_row(t->w_view, y0 + 1, t->cols, l->cols, widths, l->ncols, labels,
	         NULL, theme_attr(SLOT_HEADER));
	if (v->sel >= n)
		v->sel = n > 0 ? n - 1 : 0;
	if (v->sel < v->top)
		v->top = v->sel;
	if (body > 0 && v->sel >= v->top + body)
		v->top = v->sel - body + 1;
	v->list_y = y0 + 2;
	v->list_rows = body > 0 ? body : 0;
	for (int y = 0; y < body && v->top + y < n; y++)
		l->row(t, v, v->top + y, y0 + 2 + y, v->top + y == v->sel,
		       widths);
	if (n == 0 && body > 0)
		draw_text(t->w_view, y0 + 2, 1, t->cols - 1, l->empty,
		          theme_attr(l->empty_slot), 0);
}

int
view_list_row_at(const struct tui_view *v, int y)
{
	int n = v->ops->count ? v->ops->count(v) : 0;

	if (v->list_rows <= 0 || y < v->list_y || y >= v->list_y + v->list_rows)
		return -1;
	return v->top + (y - v->list_y) < n ? v->top + (y - v->list_y) : -1;
}
