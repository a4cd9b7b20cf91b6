/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The map pane's layout: see include/cityops/desk/map-layout.h. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/desk/map-layout.h"

/* Shanghai's districts on a grid of six rows and five columns. */
static const struct {
	const char *code;
	int row, col;
} shanghai[] = {
    {"310151", 0, 3}, /* 崇明 */
    {"310114", 1, 1}, /* 嘉定 */
    {"310113", 1, 3}, /* 宝山 */
    {"310118", 2, 0}, /* 青浦 */
    {"310107", 2, 1}, /* 普陀 */
    {"310106", 2, 2}, /* 静安 */
    {"310109", 2, 3}, /* 虹口 */
    {"310110", 2, 4}, /* 杨浦 */
    {"310105", 3, 1}, /* 长宁 */
    {"310104", 3, 2}, /* 徐汇 */
    {"310101", 3, 3}, /* 黄浦 */
    {"310115", 3, 4}, /* 浦东 */
    {"310117", 4, 0}, /* 松江 */
    {"310112", 4, 2}, /* 闵行 */
    {"310116", 5, 1}, /* 金山 */
    {"310120", 5, 3}, /* 奉贤 */
};
#define SHANGHAI_N ((int)(sizeof shanghai / sizeof shanghai[0]))

static int
schematic_index(const char *code)
{
	for (int k = 0; code != NULL && k < SHANGHAI_N; k++)
		if (strcmp(shanghai[k].code, code) == 0)
			return k;
	return -1;
}

/* 1 when the codes are exactly the sixteen districts, each once. */
static int
is_shanghai(const char *const *codes, int n)
{
	int seen[SHANGHAI_N] = {0};

	if (n != SHANGHAI_N)
		return 0;
	for (int i = 0; i < n; i++) {
		int k = schematic_index(codes[i]);
		if (k < 0 || seen[k])
			return 0;
		seen[k] = 1;
	}
	return 1;
}

void
map_layout_place(struct map_layout *m, const char *const *codes, int n)
{
	memset(m, 0, sizeof *m);
	if (n > MAP_MAX_TILES)
		n = MAP_MAX_TILES;
	if (n < 0)
		n = 0;
	m->n = n;
	if (is_shanghai(codes, n)) {
		m->schematic = 1;
		m->rows = 6;
		m->cols = 5;
		for (int i = 0; i < n; i++) {
			int k = schematic_index(codes[i]);
			m->row[i] = shanghai[k].row;
			m->col[i] = shanghai[k].col;
		}
		return;
	}
	/* Half again as wide as tall: tiles are wider than high on screen
	 * anyway, and a pane is wider than tall. */
	m->cols = n > 0 ? (int)ceil(sqrt(n * 1.5)) : 1;
	if (m->cols > n && n > 0)
		m->cols = n;
	m->rows = n > 0 ? (n + m->cols - 1) / m->cols : 1;
	for (int i = 0; i < n; i++) {
		m->row[i] = i / m->cols;
		m->col[i] = i % m->cols;
	}
}

int
map_layout_move(const struct map_layout *m, int from, enum map_dir dir)
{
	int best = from, best_score = INT_MAX;

	if (from < 0 || from >= m->n)
		return from;
	for (int i = 0; i < m->n; i++) {
		int dr = m->row[i] - m->row[from],
		    dc = m->col[i] - m->col[from];
		int along, across, score;
		switch (dir) {
		case MAP_UP:
			along = -dr, across = abs(dc);
			break;
		case MAP_DOWN:
			along = dr, across = abs(dc);
			break;
		case MAP_LEFT:
			along = -dc, across = abs(dr);
			break;
		default:
			along = dc, across = abs(dr);
			break;
		}
		if (along <= 0)
			continue;
		score = along + 2 * across;
		if (score < best_score) {
			best_score = score;
			best = i;
		}
	}
	return best;
}

int
map_layout_fit(const struct map_layout *m, int w, int h, struct map_geom *g)
{
	int rows = m->rows > 0 ? m->rows : 1, cols = m->cols > 0 ? m->cols : 1;

	memset(g, 0, sizeof *g);
	/* Beside: the grid gets what is left after a box of 36 columns,
	 * or of 24 when tiles would be narrower than 10. */
	g->tw = (w - 36) / cols;
	if (g->tw < 10)
		g->tw = (w - 24) / cols;
	if (g->tw >= 8) {
		g->tw = g->tw > 18 ? 18 : g->tw;
		g->th = h / rows > 3 ? 3 : h / rows;
		if (g->th >= 1) {
			g->dx = cols * g->tw + 1;
			g->dw = w - g->dx;
			g->dh = h;
			return 0;
		}
	}
	g->tw = w / cols > 18 ? 18 : w / cols;
	g->th = h / rows > 3 ? 3 : h / rows;
	if (g->tw < 8 || g->th < 1) {
		memset(g, 0, sizeof *g);
		return -1;
	}
	if (h - rows * g->th >= 4) {
		g->dy = rows * g->th;
		g->dw = w;
		g->dh = h - g->dy;
	}
	return 0;
}

void
map_layout_origin(const struct map_layout *m, const struct map_geom *g, int i,
                  int *y, int *x)
{
	*y = g->y0 + m->row[i] * g->th;
	*x = g->x0 + m->col[i] * g->tw;
}

int
map_layout_at(const struct map_layout *m, int row, int col)
{
	for (int i = 0; i < m->n; i++)
		if (m->row[i] == row && m->col[i] == col)
			return i;
	return -1;
}
