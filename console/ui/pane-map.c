/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The map pane: the scope's children as tiles on a schematic map
 * (desk/map-layout.c places them; for the city, its sixteen districts kept
 * where they are on a real map), each coloured by its worst vital sign
 * with the state's symbol (so it survives no-colour terminals) and its
 * open incidents by priority. The selected tile's worst indicators and
 * newest incidents show beside or below the grid. Arrow keys move by
 * geography; Enter drills into the district as the regions pane does.
 *
 * Live: the desk's regions are refetched on every incident and alarm
 * change; the pane remembers what each tile showed and redraws only the
 * tiles whose content changed (and the detail box when the selected
 * one's did); ncurses then sends the terminal only the cells that differ,
 * so a recolouring costs about one tile (tests/screen/map.sh measures it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/text.h"
#include "cityops/desk/map-layout.h"
#include "tui-internal.h"

#define SIG_MAX 512

struct map_pane {
	struct map_layout lay;
	struct map_geom g;
	unsigned wingen; /* the window the cache is for: a new one is blank */
	int w, h, focused, nsig;
	char sig[MAP_MAX_TILES][64]; /* what each tile showed */
	char detail[SIG_MAX];        /* what the detail box showed */
	struct map_outline *ol;      /* the outline rendering's state */
	int outlined;                /* 1: the last draw was outlines */
};

static struct map_pane *
state(struct tui_pane *p)
{
	if (p->data == NULL)
		p->data = xcalloc(1, sizeof(struct map_pane));
	return p->data;
}

int
pane_map_rows(void)
{
	return 1 + 6 * 3 + 1;
}

/* The tile's colour: filled for alarm and warn, text colour otherwise;
 * the selected tile is also underlined and bold, which monochrome keeps. */
static int
tile_attr(const struct desk_region *r, int selected, int focused)
{
	int slot, attr;

	tui_vital_symbol(r->worst_state, &slot);
	attr = theme_attr((enum theme_slot)slot);
	if (slot == SLOT_ALERT_CRIT || slot == SLOT_ALERT_WARN)
		attr |= A_REVERSE;
	if (selected && focused)
		attr = theme_attr(SLOT_ROW_SELECTED);
	if (selected)
		attr |= A_UNDERLINE | A_BOLD;
	return attr;
}

static const char *
tile_name(const struct desk_region *r)
{
	return r->short_name ? r->short_name : r->name ? r->name : "?";
}

static int
open_total(const struct desk_region *r)
{
	return r->p[0] + r->p[1] + r->p[2] + r->p[3];
}

/* The lines of a tile, at most three, into out[3][…]. */
static void
tile_lines(const struct desk_region *r, int th, char out[3][96])
{
	int slot, n = open_total(r);
	const char *sym = tui_vital_symbol(r->worst_state, &slot);

	if (th == 1)
		snprintf(out[0], 96, "%s %s %d", sym, tile_name(r), n);
	else
		snprintf(out[0], 96, "%s %s", sym, tile_name(r));
	if (n == 0)
		snprintf(out[1], 96, "   -");
	else
		snprintf(out[1], 96, "   %d·%d·%d·%d", r->p[0], r->p[1],
		         r->p[2], r->p[3]);
	snprintf(out[2], 96, "   %s",
	         r->worst_state ? names_vital_state(r->worst_state) : "");
}

static void
draw_tile(struct tui *t, struct tui_pane *p, struct map_pane *mp, int i,
          int selected, int focused)
{
	const struct desk_region *r = &t->d->regions[i];
	char lines[3][96];
	int y, x, attr = tile_attr(r, selected, focused);

	map_layout_origin(&mp->lay, &mp->g, i, &y, &x);
	tile_lines(r, mp->g.th, lines);
	for (int k = 0; k < mp->g.th; k++)
		draw_text(p->win, 1 + y + k, x, mp->g.tw - 1, lines[k], attr,
		          1);
}

/* What tile i shows, to tell whether it must be drawn again. */
static void
tile_sig(const struct desk_region *r, int selected, int focused, char *out,
         size_t outsz)
{
	snprintf(out, outsz, "%s|%s|%d|%d|%d|%d|%d%d", r->worst_state ?: "",
	         tile_name(r), r->p[0], r->p[1], r->p[2], r->p[3], selected,
	         focused);
}

/* Adds the "a\x1fb\x1fc" lines of s to the detail, each as fmt would. */
static int
detail_lines(struct tui_pane *p, const struct map_geom *g, int y, const char *s,
             int indicators)
{
	char *copy = xstrdup(s ? s : ""), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save);
	     line != NULL && y < g->dy + g->dh;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[3] = {line, "", ""}, text[320];
		int slot = SLOT_NORMAL;
		for (int k = 1; k < 3; k++) {
			char *us = strchr(f[k - 1], '\x1f');
			if (us == NULL)
				break;
			*us = '\0';
			f[k] = us + 1;
		}
		if (indicators) {
			const char *sym = tui_vital_symbol(f[2], &slot);
			snprintf(text, sizeof text, "%s %s %s", sym, f[0],
			         f[1]);
		} else {
			slot = f[1][0] == '1'   ? SLOT_ALERT_CRIT
			       : f[1][0] == '2' ? SLOT_ALERT_WARN
			                        : SLOT_NORMAL;
			snprintf(text, sizeof text, "P%s %s %s", f[1], f[0],
			         f[2]);
		}
		draw_text(p->win, 1 + y++, g->dx + 1, g->dw - 1, text,
		          theme_attr((enum theme_slot)slot), 1);
	}
	free(copy);
	return y;
}

static void
draw_detail(struct tui *t, struct tui_pane *p, const struct map_geom *g,
            int sel)
{
	const struct desk_region *r = &t->d->regions[sel];
	char line[320];
	int slot, y = g->dy, end = g->dy + g->dh;
	const char *sym = tui_vital_symbol(r->worst_state, &slot);

	for (int k = g->dy; k < end; k++)
		draw_text(p->win, 1 + k, g->dx, g->dw, "",
		          theme_attr(SLOT_NORMAL), 1);
	snprintf(line, sizeof line, "%s  %s %s", r->name ?: "", sym,
	         r->worst_state ? names_vital_state(r->worst_state) : "");
	draw_text(p->win, 1 + y++, g->dx + 1, g->dw - 1, line,
	          theme_attr((enum theme_slot)slot) | A_BOLD, 1);
	snprintf(line, sizeof line, "未结 %d  P1 %d · P2 %d · P3 %d · P4 %d",
	         open_total(r), r->p[0], r->p[1], r->p[2], r->p[3]);
	if (y < end)
		draw_text(p->win, 1 + y++, g->dx + 1, g->dw - 1, line,
		          theme_attr(SLOT_NORMAL), 1);
	if (y < end && r->indicators != NULL) {
		draw_text(p->win, 1 + y++, g->dx + 1, g->dw - 1, "最差指标",
		          theme_attr(SLOT_HEADER), 1);
		y = detail_lines(p, g, y, r->indicators, 1);
	}
	if (y < end && r->incidents != NULL) {
		draw_text(p->win, 1 + y++, g->dx + 1, g->dw - 1, "最新事件",
		          theme_attr(SLOT_HEADER), 1);
		y = detail_lines(p, g, y, r->incidents, 0);
	}
	if (y < end)
		draw_text(p->win, 1 + end - 1, g->dx + 1, g->dw - 1,
		          "Enter 下钻 · ←↑↓→ 移动", theme_attr(SLOT_DIM), 1);
}

static void
draw_title(struct tui *t, struct tui_pane *p, int focused)
{
	char title[320];

	snprintf(title, sizeof title, " 地图 %s  未结 P1·P2·P3·P4 ",
	         t->s->scope_name ?: "");
	draw_text(p->win, 0, 0, p->w, title,
	          theme_attr(focused ? SLOT_TITLE_FOCUS : SLOT_TITLE), 1);
}

/* Lays the tiles out again when the regions, the size or the window
 * changed; returns 1 when everything must be drawn. */
static int
relayout(struct tui *t, struct tui_pane *p, struct map_pane *mp, int focused)
{
	const char *codes[MAP_MAX_TILES] = {NULL};
	int n = t->d->nregions > MAP_MAX_TILES ? MAP_MAX_TILES : t->d->nregions;
	int same = mp->wingen == p->wingen && mp->w == p->w && mp->h == p->h &&
	           mp->nsig == n && mp->focused == focused;

	struct map_layout old = mp->lay;

	for (int i = 0; i < n; i++)
		codes[i] = t->d->regions[i].code ? t->d->regions[i].code : "";
	map_layout_place(&mp->lay, codes, n);
	same = same && old.rows == mp->lay.rows && old.cols == mp->lay.cols &&
	       memcmp(old.row, mp->lay.row, sizeof old.row) == 0 &&
	       memcmp(old.col, mp->lay.col, sizeof old.col) == 0;
	if (same)
		return 0;
	mp->wingen = p->wingen;
	mp->w = p->w;
	mp->h = p->h;
	mp->nsig = n;
	mp->focused = focused;
	map_layout_fit(&mp->lay, p->w, p->h - 1, &mp->g);
	memset(mp->sig, 0, sizeof mp->sig);
	mp->detail[0] = '\0';
	return 1;
}

void
pane_map_free(struct tui_pane *p)
{
	struct map_pane *mp = p->data;

	if (mp != NULL)
		map_outline_free(&mp->ol);
	free(p->data);
	p->data = NULL;
}

/* The detail box when outlines take the rest of the pane. */
static void
outline_geom(const struct tui_pane *p, int *cw, struct map_geom *g)
{
	int dw = p->w / 3 < 26 ? 26 : p->w / 3 > 40 ? 40 : p->w / 3;

	memset(g, 0, sizeof *g);
	*cw = p->w - dw - 1;
	g->dx = *cw + 1;
	g->dy = 0;
	g->dw = dw;
	g->dh = p->h - 1;
}

static void
draw_selected(struct tui *t, struct tui_pane *p, struct map_pane *mp,
              const struct map_geom *g, int full)
{
	char detail[SIG_MAX], sig[64];
	const struct desk_region *r = &t->d->regions[p->sel];

	if (g->dw <= 0)
		return;
	tile_sig(r, 1, 0, sig, sizeof sig);
	snprintf(detail, sizeof detail, "%d|%s|%s|%s", p->sel, sig,
	         r->indicators ?: "", r->incidents ?: "");
	if (full || strcmp(detail, mp->detail) != 0) {
		snprintf(mp->detail, sizeof mp->detail, "%s", detail);
		draw_detail(t, p, g, p->sel);
	}
}

/* Outlines from the regions' shapes when the terminal is large and the
 * children have shapes; returns 0 when they were drawn. */
static int
draw_outlined(struct tui *t, struct tui_pane *p, struct map_pane *mp,
              int focused, int full)
{
	struct map_geom og;
	int cw;

	outline_geom(p, &cw, &og);
	if (!map_outline_usable(t, p, cw))
		return -1;
	if (mp->ol == NULL)
		mp->ol = map_outline_new();
	full = full || !mp->outlined;
	if (full) {
		werase(p->win);
		draw_title(t, p, focused);
		mp->detail[0] = '\0';
	}
	if (map_outline_draw(mp->ol, t, p, cw, focused, full) < 0)
		return -1;
	mp->outlined = 1;
	draw_selected(t, p, mp, &og, full);
	touchwin(p->win);
	wnoutrefresh(p->win);
	return 0;
}

void
pane_map_draw(struct tui *t, struct tui_pane *p, int focused)
{
	struct map_pane *mp = state(p);
	int n, full = relayout(t, p, mp, focused);
	char sig[64];

	n = mp->nsig;
	p->index = NULL;
	p->nindex = n;
	if (p->sel >= n)
		p->sel = n > 0 ? n - 1 : 0;
	if (n > 0 && draw_outlined(t, p, mp, focused, full) == 0)
		return;
	if (mp->outlined) {
		/* Back from outlines: the tiles are drawn afresh. */
		mp->outlined = 0;
		full = 1;
		memset(mp->sig, 0, sizeof mp->sig);
		mp->detail[0] = '\0';
	}
	if (full) {
		werase(p->win);
		draw_title(t, p, focused);
	}
	if (n == 0 || mp->g.tw == 0) {
		if (full)
			draw_text(p->win, 2, 1, p->w - 1,
			          n == 0 ? (t->d->regions_loaded ? "(无下级)"
			                                         : "(载入中…)")
			                 : "(太小, 放不下地图)",
			          theme_attr(SLOT_DIM), 0);
		wnoutrefresh(p->win);
		return;
	}
	for (int i = 0; i < n; i++) {
		tile_sig(&t->d->regions[i], i == p->sel, focused, sig,
		         sizeof sig);
		if (!full && strcmp(sig, mp->sig[i]) == 0)
			continue;
		snprintf(mp->sig[i], sizeof mp->sig[i], "%s", sig);
		draw_tile(t, p, mp, i, i == p->sel, focused);
	}
	draw_selected(t, p, mp, &mp->g, full);
	/* Whatever covered the pane (a view, a resize) is gone when it is
	 * drawn again: the whole window goes to ncurses, which sends the
	 * terminal only the cells that differ from what it shows. */
	touchwin(p->win);
	wnoutrefresh(p->win);
}

int
pane_map_key(struct tui *t, struct tui_pane *p, int key, int action)
{
	struct map_pane *mp = state(p);
	const struct map_layout *lay =
	    mp->outlined ? map_outline_layout(mp->ol) : NULL;
	int dir;

	if (key == KEY_C_UP || action == ACTION_UP)
		dir = MAP_UP;
	else if (key == KEY_C_DOWN || action == ACTION_DOWN)
		dir = MAP_DOWN;
	else if (key == KEY_C_LEFT || key == 'h')
		dir = MAP_LEFT;
	else if (key == KEY_C_RIGHT || key == 'l')
		dir = MAP_RIGHT;
	else
		return 0;
	if (lay == NULL)
		lay = &mp->lay;
	if (lay->n == 0)
		return 1;
	p->sel = map_layout_move(lay, p->sel, (enum map_dir)dir);
	p->dirty = 1;
	tui_mark(t, 0);
	return 1;
}

static int
count(struct tui *t)
{
	return t->d->nregions;
}

static void
row(struct tui *t, int i, struct pane_row *r)
{
	snprintf(r->buf[0], PANE_CELL, "%s", t->d->regions[i].name ?: "");
	r->cells[0] = r->buf[0];
}

static void
enter(struct tui *t, int i)
{
	if (i >= 0 && i < t->d->nregions && t->d->regions[i].code != NULL)
		tui_open_region(t, t->d->regions[i].code);
}

static const struct draw_col cols[] = {{"区域", 0, 0, 0}};

const struct pane_ops pane_map = {
    "map", "地图", cols, 1, count, row, enter, NULL,
};
