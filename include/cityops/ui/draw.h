/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Shared drawing for every pane: text clipped to display columns (CJK
 * takes two, a character is never split), rows of columns with widths,
 * alignment and colour slots. Drawing never does I/O beyond curses'
 * in-memory windows. Owned by the console engineer; ui layer only.
 */
#ifndef CITYOPS_DRAW_H
#define CITYOPS_DRAW_H

#include <curses.h>

/* A column: width 0 means it takes what is left (flexible). */
struct draw_col {
	const char *label;
	int width;
	int right; /* right-aligned */
	int drop;  /* 0 never dropped; higher numbers are dropped first */
};

/*
 * Draws s (sanitised on the way: no controls, no bidi overrides) at (y, x)
 * clipped to width columns; pads with spaces to width when pad. Returns the
 * columns drawn.
 */
int draw_text(WINDOW *w, int y, int x, int width, const char *s, int attr,
              int pad);

/*
 * Computes column widths for a total width: drops columns by their drop
 * rank until the fixed ones fit, gives flexible ones what is left. Writes
 * widths[i] (0 = not shown). A single space separates columns.
 */
void draw_widths(const struct draw_col *cols, int ncols, int width,
                 int *widths);

/*
 * Draws one row of cells with per-cell attributes (attrs[i] < 0: row_attr).
 * The whole line is filled with row_attr first, so selection shows.
 */
void draw_row(WINDOW *w, int y, int width, const struct draw_col *cols,
              const int *widths, int ncols, const char *const *cells,
              const int *attrs, int row_attr);

#endif
