/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The map pane's outline rendering, apart from the screen: region shapes
 * (WGS84 polygons, as PostgreSQL writes a polygon or a point) projected
 * onto a canvas of braille cells, two dots wide and four high each, with
 * incidents as points. Pure: no curses, no database;
 * tests/unit/test-map-outline.c drives it and fuzz/fuzz-map-outline.c
 * feeds the parser what it likes.
 *
 * The projection is equirectangular about the shapes' middle latitude
 * (a degree of longitude is cos(latitude) of a degree of latitude), which
 * is exact enough for one city; a braille dot is taken as square (a
 * terminal cell is about twice as high as wide, and holds 2 x 4 dots).
 */
#ifndef CITYOPS_MAP_OUTLINE_H
#define CITYOPS_MAP_OUTLINE_H

#include <stddef.h>

/* Points a shape may have; more are refused. */
#define MAP_SHAPE_MAX 20000

/*
 * Parses PostgreSQL's text of a polygon "((x,y),(x,y),…)", a path
 * "[(x,y),…]" or a point "(x,y)" into xy (x then y, max points at most).
 * Returns the number of points, or -1 when the text is not of that form
 * (balanced brackets, commas, blanks and finite numbers in pairs, each
 * pair in its own parentheses) or holds more than max points.
 */
int map_shape_parse(const char *s, double *xy, int max);

/* A lon/lat box. */
struct map_bbox {
	double x0, y0, x1, y1;
	int empty; /* 1: nothing added yet */
};

void map_bbox_init(struct map_bbox *b);
void map_bbox_add(struct map_bbox *b, const double *xy, int n);

/* The projection of a bbox onto a canvas of w x h cells, centred. */
struct map_proj {
	double x0, y1; /* the bbox's west and north */
	double sx, sy; /* dots per degree east and south */
	double ox, oy; /* dot offsets that centre the shapes */
};

/* Fits b into w x h cells (2w x 4h dots), keeping its shape. Returns 0,
 * or -1 when b is empty or the canvas has no cells. */
int map_proj_fit(struct map_proj *p, const struct map_bbox *b, int w, int h);

/* The dot (column, row) of lon/lat under p, rounded to the nearest. */
void map_proj_dot(const struct map_proj *p, double lon, double lat, int *dx,
                  int *dy);

/* A canvas: per cell its braille dots, the shape (owner) whose outline
 * last crossed it, and the highest incident priority plotted in it. */
struct map_canvas {
	int w, h;
	unsigned char *dots; /* bit per dot, U+2800's order */
	short *owner;        /* -1: none */
	signed char *prio;   /* 0: no incident; else 1 (highest) to 4 */
};

/* A w x h canvas, cleared; map_canvas_free releases it and nulls *c. */
struct map_canvas *map_canvas_new(int w, int h);
void map_canvas_free(struct map_canvas **c);
void map_canvas_clear(struct map_canvas *c);

/* Sets the dot (dx, dy) for owner; dots off the canvas are ignored. */
void map_canvas_dot(struct map_canvas *c, int dx, int dy, int owner);

/* Draws the closed outline of n points (lon/lat pairs) for owner. */
void map_canvas_polygon(struct map_canvas *c, const struct map_proj *p,
                        const double *xy, int n, int owner);

/* Plots an incident of priority prio (1-4) at lon/lat: a 2 x 2 dot block,
 * so a point reads apart from a line. Returns the cell index, or -1 when
 * it falls off the canvas. */
int map_canvas_point(struct map_canvas *c, const struct map_proj *p, double lon,
                     double lat, int prio);

/* The UTF-8 of cell i's braille character (3 bytes and a NUL) into out;
 * a cell without dots is a blank. */
void map_canvas_glyph(const struct map_canvas *c, int i, char out[4]);

/* The cell (x, y) nearest the middle of n points' bbox. */
void map_shape_label_cell(const struct map_proj *p, const double *xy, int n,
                          int *x, int *y);

#endif
