/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The map pane's outline rendering: on terminals of 160x45 and more, and
 * when the scope's children have shapes (region import, GeoJSON), the
 * children are drawn from their real outlines in braille cells
 * (desk/map-outline.c projects and rasterises them), each outline in its
 * region's state colour, each labelled with the state's symbol (which
 * survives no-colour) and short name where there is room, the open
 * incidents as points coloured by priority. Otherwise the tile map
 * (pane-map.c) is the fallback.
 *
 * Live: every draw composes the frame (glyph and colour per cell) and
 * writes only the cells that differ from what was last written, so an
 * alarm costs the cells of one outline and its label.
 */
#include <stdlib.h>
#include <string.h>

#include "cityops/core/text.h"
#include "cityops/desk/map-layout.h"
#include "cityops/desk/map-outline.h"
#include "tui-internal.h"

/* The smallest canvas worth drawing, in cells. */
#define MIN_W 24
#define MIN_H 8

struct cell {
	char g[8]; /* UTF-8; "" for the second half of a wide character */
	int attr;
};

struct map_outline {
	/* What the canvas was built from. */
	unsigned wingen; /* tui_pane.wingen: a new window is blank */
	int w, h, nregions, nshapes, npoints;
	const struct desk_shape *shapes;
	const struct desk_point *points;
	const struct desk_region *regions;
	struct map_canvas *c;
	struct map_proj proj;
	int *lx, *ly;          /* each region's label cell, -1: none */
	struct map_layout geo; /* moves between labels */
	struct cell *frame, *shown;
	int ok;
};

struct map_outline *
map_outline_new(void)
{
	return xcalloc(1, sizeof(struct map_outline));
}

static void
release(struct map_outline *o, int keep_shown)
{
	map_canvas_free(&o->c);
	free(o->lx);
	free(o->ly);
	free(o->frame);
	if (!keep_shown) {
		free(o->shown);
		o->shown = NULL;
	}
	o->lx = o->ly = NULL;
	o->frame = NULL;
	o->ok = 0;
}

void
map_outline_free(struct map_outline **o)
{
	if (*o == NULL)
		return;
	release(*o, 0);
	free(*o);
	*o = NULL;
}

/* The shape of region code, or NULL. */
static const char *
outline_of(const struct desk *d, const char *code)
{
	for (int i = 0; code != NULL && i < d->nshapes; i++)
		if (d->shapes[i].code && strcmp(d->shapes[i].code, code) == 0)
			return d->shapes[i].outline;
	return NULL;
}

/* Builds the canvas for w x h cells: outlines, points, label cells.
 * keep_shown: the window still shows the last frame (same size). */
static void
build(struct map_outline *o, const struct desk *d, int w, int h, int keep_shown)
{
	double *xy = xcalloc(2 * MAP_SHAPE_MAX, sizeof *xy);
	int n = d->nregions > MAP_MAX_TILES ? MAP_MAX_TILES : d->nregions;
	struct map_bbox b;
	int drawn = 0;

	release(o, keep_shown && o->shown != NULL);
	o->w = w;
	o->h = h;
	o->c = map_canvas_new(w, h);
	o->lx = xcalloc((size_t)n + 1, sizeof *o->lx);
	o->ly = xcalloc((size_t)n + 1, sizeof *o->ly);
	o->frame = xcalloc((size_t)w * h, sizeof *o->frame);
	if (o->shown == NULL)
		o->shown = xcalloc((size_t)w * h, sizeof *o->shown);
	map_bbox_init(&b);
	for (int i = 0; i < n; i++) {
		int k = map_shape_parse(outline_of(d, d->regions[i].code), xy,
		                        MAP_SHAPE_MAX);
		if (k > 0)
			map_bbox_add(&b, xy, k);
	}
	if (map_proj_fit(&o->proj, &b, w, h) == 0) {
		memset(&o->geo, 0, sizeof o->geo);
		o->geo.n = n;
		for (int i = 0; i < n; i++) {
			int k =
			    map_shape_parse(outline_of(d, d->regions[i].code),
			                    xy, MAP_SHAPE_MAX);
			o->lx[i] = o->ly[i] = -1;
			if (k <= 0)
				continue;
			map_canvas_polygon(o->c, &o->proj, xy, k, i);
			map_shape_label_cell(&o->proj, xy, k, &o->lx[i],
			                     &o->ly[i]);
			/* Moves go by the labels' places (a cell is half
			 * as wide as high). */
			o->geo.row[i] = o->ly[i];
			o->geo.col[i] = o->lx[i] / 2;
			drawn++;
		}
		for (int i = 0; i < d->npoints; i++)
			map_canvas_point(o->c, &o->proj, d->points[i].lon,
			                 d->points[i].lat,
			                 d->points[i].priority);
	}
	free(xy);
	o->ok = drawn > 0;
}

/* An outline's colour: its region's state; the selected one bold. */
static int
outline_attr(const struct desk_region *r, int selected)
{
	int slot;

	tui_vital_symbol(r->worst_state, &slot);
	return theme_attr((enum theme_slot)slot) | (selected ? A_BOLD : 0);
}

static int
point_attr(int prio)
{
	return theme_attr(prio == 1   ? SLOT_ALERT_CRIT
	                  : prio == 2 ? SLOT_ALERT_WARN
	                              : SLOT_NORMAL) |
	       A_BOLD;
}

/* Writes text into the frame at (x, y) if all its cells are free (not
 * yet taken by a label); returns 1 when it was written. */
static int
put_label(struct map_outline *o, unsigned char *taken, int x, int y,
          const char *text, int attr)
{
	char clean[160];
	size_t len = text_sanitize(text, strlen(text), clean, sizeof clean);
	int width = text_width(clean);

	x -= width / 2;
	if (x < 0)
		x = 0;
	if (y < 0 || y >= o->h || width <= 0 || x + width > o->w)
		return 0;
	for (int k = 0; k < width; k++)
		if (taken[y * o->w + x + k])
			return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = text_utf8_decode(clean + i, len - i, &cp);
		int cw = text_cp_width(cp);
		struct cell *c = &o->frame[y * o->w + x];
		if (k == 0 || k >= sizeof c->g)
			break;
		if (cw <= 0) {
			i += k;
			continue;
		}
		memcpy(c->g, clean + i, k);
		c->g[k] = '\0';
		c->attr = attr;
		taken[y * o->w + x] = 1;
		if (cw == 2) {
			c[1].g[0] = '\0';
			c[1].attr = attr;
			taken[y * o->w + x + 1] = 1;
		}
		x += cw;
		i += k;
	}
	return 1;
}

/* Label order: the selected region, then the worst, then the rest. */
static int
label_rank(const struct desk_region *r)
{
	const char *s = r->worst_state ? r->worst_state : "";

	return strcmp(s, "alarm") == 0   ? 0
	       : strcmp(s, "warn") == 0  ? 1
	       : strcmp(s, "stale") == 0 ? 2
	                                 : 3;
}

static void
labels(struct map_outline *o, const struct desk *d, int sel, int focused)
{
	unsigned char *taken = xcalloc((size_t)o->w * o->h, 1);
	int n = o->geo.n;

	for (int pass = -1; pass < 4; pass++)
		for (int i = 0; i < n; i++) {
			const struct desk_region *r = &d->regions[i];
			char text[160];
			int slot, attr;
			const char *sym;
			if ((pass < 0) != (i == sel) ||
			    (pass >= 0 && label_rank(r) != pass) ||
			    o->lx[i] < 0)
				continue;
			sym = tui_vital_symbol(r->worst_state, &slot);
			attr = theme_attr((enum theme_slot)slot);
			if (slot == SLOT_ALERT_CRIT || slot == SLOT_ALERT_WARN)
				attr |= A_REVERSE;
			if (i == sel)
				attr = (focused ? theme_attr(SLOT_ROW_SELECTED)
				                : attr) |
				       A_UNDERLINE | A_BOLD;
			snprintf(text, sizeof text, "%s %s", sym,
			         r->short_name ? r->short_name
			         : r->name     ? r->name
			                       : "");
			if (!put_label(o, taken, o->lx[i], o->ly[i], text,
			               attr))
				put_label(o, taken, o->lx[i], o->ly[i], sym,
				          attr);
		}
	free(taken);
}

/* The frame: braille in the owners' colours, points, then labels. */
static void
compose(struct map_outline *o, const struct desk *d, int sel, int focused)
{
	for (int i = 0; i < o->w * o->h; i++) {
		struct cell *c = &o->frame[i];
		int own = o->c->owner[i];
		map_canvas_glyph(o->c, i, c->g);
		if (o->c->prio[i])
			c->attr = point_attr(o->c->prio[i]);
		else if (own >= 0 && own < d->nregions)
			c->attr = outline_attr(&d->regions[own], own == sel);
		else
			c->attr = theme_attr(SLOT_DIM);
	}
	labels(o, d, sel, focused);
}

/* Writes the cells that differ from what the window shows. */
static void
paint(struct map_outline *o, WINDOW *w, int y0, int full)
{
	for (int y = 0; y < o->h; y++)
		for (int x = 0; x < o->w; x++) {
			int i = y * o->w + x;
			struct cell *f = &o->frame[i], *s = &o->shown[i];
			int wide = x + 1 < o->w && f[1].g[0] == '\0';
			if (f->g[0] == '\0')
				continue; /* drawn with its first half */
			if (!full && strcmp(f->g, s->g) == 0 &&
			    f->attr == s->attr &&
			    (!wide || strcmp(f[1].g, s[1].g) == 0))
				continue;
			wattrset(w, f->attr);
			mvwaddstr(w, y0 + y, x, f->g);
			*s = *f;
			if (wide)
				s[1] = f[1];
		}
	wattrset(w, A_NORMAL);
}

int
map_outline_usable(const struct tui *t, const struct tui_pane *p, int cw)
{
	return !t->cfg.map_tiles && t->cols >= 160 && t->rows >= 45 &&
	       t->d->nshapes > 0 && cw >= MIN_W && p->h - 1 >= MIN_H;
}

int
map_outline_draw(struct map_outline *o, struct tui *t, struct tui_pane *p,
                 int cw, int focused, int full)
{
	const struct desk *d = t->d;
	int h = p->h - 1;

	/* A new window, size or a full repaint draws every cell; new data
	 * draws only the cells that changed. */
	full = full || o->wingen != p->wingen || o->w != cw || o->h != h;
	if (full || o->regions != d->regions || o->shapes != d->shapes ||
	    o->points != d->points || o->nregions != d->nregions) {
		build(o, d, cw, h, !full);
		o->wingen = p->wingen;
		o->regions = d->regions;
		o->shapes = d->shapes;
		o->points = d->points;
		o->nregions = d->nregions;
	}
	if (!o->ok)
		return -1;
	compose(o, d, p->sel, focused);
	paint(o, p->win, 1, full);
	return 0;
}

const struct map_layout *
map_outline_layout(const struct map_outline *o)
{
	return o != NULL && o->ok ? &o->geo : NULL;
}
