/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * map_shape_parse on arbitrary text: it returns -1 or a count within the
 * limit with every coordinate finite; whatever it accepts can be fitted,
 * outlined and plotted on a small canvas without writing outside it, and
 * every cell's glyph is a blank or a braille character.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/desk/map-outline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXPTS 256

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	double xy[2 * MAXPTS];
	int n;

	memcpy(s, data, size);
	s[size] = '\0';
	n = map_shape_parse(s, xy, MAXPTS);
	free(s);
	if (n < -1 || n > MAXPTS)
		abort();
	if (n <= 0)
		return 0;
	for (int i = 0; i < 2 * n; i++)
		if (!isfinite(xy[i]))
			abort();

	struct map_bbox b;
	struct map_proj p;
	struct map_canvas *c = map_canvas_new(7, 3);
	char g[4];

	map_bbox_init(&b);
	map_bbox_add(&b, xy, n);
	if (map_proj_fit(&p, &b, 7, 3) == 0) {
		map_canvas_polygon(c, &p, xy, n, 1);
		for (int i = 0; i < n; i++) {
			int k = map_canvas_point(c, &p, xy[2 * i],
			                         xy[2 * i + 1], i % 5);
			if (k < -1 || k >= 21)
				abort();
		}
	}
	for (int i = 0; i < 21; i++) {
		map_canvas_glyph(c, i, g);
		if (!(strcmp(g, " ") == 0 ||
		      (strlen(g) == 3 && (unsigned char)g[0] == 0xe2)))
			abort();
		if (c->owner[i] != -1 && c->owner[i] != 1)
			abort();
	}
	map_canvas_free(&c);
	return 0;
}
