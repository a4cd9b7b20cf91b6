/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The map pane's layout, apart from the screen: where each region's tile
 * sits on a schematic grid, how arrow keys move between tiles by
 * geography, and how the grid fits a pane of a given size. Pure: no
 * curses, no database; tests/unit/test-map-layout.c drives it.
 *
 * Shanghai's sixteen districts have a fixed schematic that keeps their
 * geography recognisable (崇明 at the top, 宝山 and 嘉定 north, 青浦 and
 * 松江 west, 金山 and 奉贤 south, 浦东 east, the seven central districts
 * clustered in the middle). Any other set of regions (a district's
 * streets, another city) is laid out in their order, row by row, in a
 * grid about half again as wide as it is tall.
 */
#ifndef CITYOPS_MAP_LAYOUT_H
#define CITYOPS_MAP_LAYOUT_H

/* Tiles are at most this many. */
#define MAP_MAX_TILES 256

struct map_layout {
	int n;          /* tiles */
	int rows, cols; /* the grid */
	int row[MAP_MAX_TILES], col[MAP_MAX_TILES];
	int schematic; /* 1: Shanghai's districts */
};

enum map_dir { MAP_UP, MAP_DOWN, MAP_LEFT, MAP_RIGHT };

/* How the grid fits a pane (all in screen cells, relative to the pane's
 * body). tw includes the one-column gap after each tile. */
struct map_geom {
	int tw, th;         /* tile width (with gap) and height */
	int x0, y0;         /* the grid's top-left */
	int dx, dy, dw, dh; /* the selected tile's detail box; dw 0: none */
};

/*
 * Places n tiles (n ≤ MAP_MAX_TILES; more are cut) for the region codes
 * given, in that order. When the codes are exactly Shanghai's sixteen
 * districts (any order) the schematic is used.
 */
void map_layout_place(struct map_layout *m, const char *const *codes, int n);

/*
 * The tile reached from tile from by moving in dir: the nearest tile that
 * way, counting a step across as twice a step along, ties to the lower
 * index. from itself when there is none (the edge of the map).
 */
int map_layout_move(const struct map_layout *m, int from, enum map_dir dir);

/*
 * Fits the grid into w x h cells: tiles 8 to 18 columns wide, 1 to 3 rows
 * high, and a detail box beside the grid when 24 columns are left, else
 * below it when 4 rows are, else none. Returns 0, or -1 when even the
 * smallest tiles do not fit (g is then zeroed).
 */
int map_layout_fit(const struct map_layout *m, int w, int h,
                   struct map_geom *g);

/* The top-left cell of tile i under g. */
void map_layout_origin(const struct map_layout *m, const struct map_geom *g,
                       int i, int *y, int *x);

/* The tile at grid cell (row, col), or -1. */
int map_layout_at(const struct map_layout *m, int row, int col);

#endif
