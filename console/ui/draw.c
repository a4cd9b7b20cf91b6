/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <string.h>

#include "cityops/ui/draw.h"
#include "cityops/core/format.h"
#include "cityops/core/text.h"

int
draw_text(WINDOW *w, int y, int x, int width, const char *s, int attr, int pad)
{
	char clean[1024];
	size_t n;
	int used = 0;

	if (width <= 0)
		return 0;
	if (s == NULL)
		s = "";
	text_sanitize(s, strlen(s), clean, sizeof clean);
	n = text_fit(clean, width, &used);
	wattrset(w, attr);
	mvwaddnstr(w, y, x, clean, (int)n);
	if (pad)
		for (int i = used; i < width; i++)
			waddch(w, ' ');
	wattrset(w, A_NORMAL);
	return pad ? width : used;
}

void
draw_widths(const struct draw_col *cols, int ncols, int width, int *widths)
{
	int maxdrop = 0;

	for (int i = 0; i < ncols; i++)
		if (cols[i].drop > maxdrop)
			maxdrop = cols[i].drop;
	for (int limit = maxdrop;; limit--) {
		int fixed = 0, nflex = 0, shown = 0;
		for (int i = 0; i < ncols; i++) {
			if (cols[i].drop > limit)
				continue;
			shown++;
			if (cols[i].width > 0)
				fixed += cols[i].width;
			else
				nflex++;
		}
		fixed += shown > 0 ? shown - 1 : 0;
		/* Flexible columns need at least 8 columns to be useful. */
		if (fixed + nflex * 8 <= width || limit == 0) {
			int left = width - fixed, k = 0;
			for (int i = 0; i < ncols; i++) {
				if (cols[i].drop > limit)
					widths[i] = 0;
				else if (cols[i].width > 0)
					widths[i] = cols[i].width;
				else {
					widths[i] = nflex ? left / nflex : 0;
					if (k++ == 0 && nflex)
						widths[i] += left % nflex;
					if (widths[i] < 0)
						widths[i] = 0;
				}
			}
			return;
		}
	}
}

void
draw_row(WINDOW *w, int y, int width, const struct draw_col *cols,
         const int *widths, int ncols, const char *const *cells,
         const int *attrs, int row_attr)
{
	int x = 0;

	wattrset(w, row_attr);
	wmove(w, y, 0);
	for (int i = 0; i < width; i++)
		waddch(w, ' ');
	for (int i = 0; i < ncols && x < width; i++) {
		int cw = widths[i], a;
		if (cw <= 0)
			continue;
		if (cw > width - x)
			cw = width - x;
		a = attrs != NULL && attrs[i] >= 0 ? attrs[i] : row_attr;
		if (cols[i].right) {
			int tw = text_width(cells[i] ? cells[i] : "");
			int off = tw < cw ? cw - tw : 0;
			draw_text(w, y, x + off, cw - off, cells[i], a, 0);
		} else {
			draw_text(w, y, x, cw, cells[i], a, 0);
		}
		x += cw + 1;
	}
	wattrset(w, A_NORMAL);
}
