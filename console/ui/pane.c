/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* Drawing a pane: its title, header, the rows its vtable fills, the
 * filter (/) and the selection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cityops/desk/desk-actions.h"
#include "tui-internal.h"

static void
fill_row(struct tui *t, struct tui_pane *p, int i, struct pane_row *r)
{
	memset(r, 0, sizeof *r);
	r->slot = SLOT_NORMAL;
	for (int c = 0; c < PANE_MAX_COLS; c++)
		r->slots[c] = -1;
	p->ops->row(t, i, r);
}

static int
row_matches(struct tui *t, struct tui_pane *p, int i)
{
	struct pane_row r;
	char joined[PANE_MAX_COLS * PANE_CELL];
	size_t n = 0;

	fill_row(t, p, i, &r);
	for (int c = 0; c < p->ops->ncols; c++)
		n += (size_t)snprintf(joined + n, sizeof joined - n, "%s ",
		                      r.cells[c] ? r.cells[c] : "");
	return strcasestr(joined, p->filter) != NULL;
}

static void
refilter(struct tui *t, struct tui_pane *p)
{
	int n = p->ops->count(t);

	p->nindex = 0;
	if (p->filter[0] == '\0') {
		free(p->index);
		p->index = NULL;
		p->cap = 0;
		p->nindex = n;
	} else {
		if (p->cap < n) {
			p->index = xrealloc(p->index, (size_t)n * sizeof(int));
			p->cap = n;
		}
		for (int i = 0; i < n; i++)
			if (row_matches(t, p, i))
				p->index[p->nindex++] = i;
	}
	if (p->sel >= p->nindex)
		p->sel = p->nindex > 0 ? p->nindex - 1 : 0;
}

int
pane_data_row(const struct tui_pane *p, int k)
{
	return p->index ? p->index[k] : k;
}

static int
pane_loaded(const struct tui *t, const struct tui_pane *p)
{
	if (p->ops == &pane_queue)
		return t->d->queue_loaded;
	if (p->ops == &pane_vitals)
		return t->d->vitals_loaded;
	if (p->ops == &pane_units)
		return t->d->units_loaded;
	if (p->ops == &pane_regions || p->ops == &pane_map)
		return t->d->regions_loaded;
	if (p->ops == &pane_alarms)
		return t->d->act != NULL && t->d->act->alarms_loaded;
	return 1;
}

static void
draw_title(struct tui *t, struct tui_pane *p, int focused)
{
	char title[320], sum[160] = "";
	int widths[PANE_MAX_COLS];
	const char *labels[PANE_MAX_COLS];

	if (p->ops->summary)
		p->ops->summary(t, sum, sizeof sum);
	snprintf(title, sizeof title, " %s  %s%s%s%s ", p->ops->title, sum,
	         p->filter[0] ? "  /" : "", p->filter,
	         p->filter[0] ? " (Esc 清除)" : "");
	draw_text(p->win, 0, 0, p->w, title,
	          theme_attr(focused ? SLOT_TITLE_FOCUS : SLOT_TITLE), 1);
	draw_widths(p->ops->cols, p->ops->ncols, p->w, widths);
	for (int c = 0; c < p->ops->ncols; c++)
		labels[c] = p->ops->cols[c].label;
	if (p->h > 1)
		draw_row(p->win, 1, p->w, p->ops->cols, widths, p->ops->ncols,
		         labels, NULL, theme_attr(SLOT_HEADER));
}

static void
draw_body_row(struct tui *t, struct tui_pane *p, int k, int y, int selected,
              const int *widths)
{
	int attrs[PANE_MAX_COLS], row_attr;
	struct pane_row r;

	fill_row(t, p, pane_data_row(p, k), &r);
	row_attr = theme_attr((enum theme_slot)r.slot);
	for (int c = 0; c < PANE_MAX_COLS; c++)
		attrs[c] = r.slots[c] >= 0 && !selected
		               ? theme_attr((enum theme_slot)r.slots[c])
		               : -1;
	if (selected)
		row_attr = theme_attr(SLOT_ROW_SELECTED);
	draw_row(p->win, y, p->w, p->ops->cols, widths, p->ops->ncols, r.cells,
	         attrs, row_attr);
}

static const char *
why_empty(const struct tui *t, const struct tui_pane *p)
{
	if (p->filter[0])
		return "(无匹配)";
	if (t->d->link != DB_LINK_UP)
		return "(等待数据库…)";
	if (!pane_loaded(t, p))
		return "(载入中…)";
	return "(空)";
}

void
pane_draw(struct tui *t, struct tui_pane *p, int focused)
{
	int widths[PANE_MAX_COLS], body = p->h - 2;

	if (p->ops == &pane_map) {
		pane_map_draw(t, p, focused);
		return;
	}
	refilter(t, p);
	if (p->sel < p->top)
		p->top = p->sel;
	if (body > 0 && p->sel >= p->top + body)
		p->top = p->sel - body + 1;
	if (p->top > 0 && p->top > p->nindex - body)
		p->top = p->nindex - body > 0 ? p->nindex - body : 0;
	werase(p->win);
	draw_title(t, p, focused);
	draw_widths(p->ops->cols, p->ops->ncols, p->w, widths);
	for (int y = 0; y < body && p->top + y < p->nindex; y++)
		draw_body_row(t, p, p->top + y, y + 2,
		              focused && p->top + y == p->sel, widths);
	if (p->nindex == 0 && body > 0)
		draw_text(p->win, 2, 1, p->w - 1, why_empty(t, p),
		          theme_attr(SLOT_DIM), 0);
	wnoutrefresh(p->win);
}

int
pane_visible_vitals(struct tui *t, int *out, int max)
{
	struct tui_pane *p = &t->panes[P_VITALS];
	int first = p->top, last = p->top + (p->h > 2 ? p->h - 2 : 20), n = 0;

	for (int k = first; k < last && n < max; k++) {
		int i = p->index ? (k < p->nindex ? p->index[k] : -1) : k;
		if (i < 0 || i >= t->d->nvrows || t->d->vrows[i].heading)
			continue;
		out[n++] = t->d->vrows[i].vital;
	}
	return n;
}
