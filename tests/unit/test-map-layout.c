/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The map pane's layout: the schematic, moves by geography, fitting. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/desk/map-layout.h"

/* The districts in code order, as region_children returns them. */
static const char *const districts[] = {
    "310101", "310104", "310105", "310106", "310107", "310109",
    "310110", "310112", "310113", "310114", "310115", "310116",
    "310117", "310118", "310120", "310151",
};
enum {
	HP,
	XH,
	CN,
	JA,
	PT,
	HK,
	YP,
	MH,
	BS,
	JD,
	PD,
	JS,
	SJ,
	QP,
	FX,
	CM,
};

static void
schematic_keeps_geography(void)
{
	struct map_layout m;

	map_layout_place(&m, districts, 16);
	CHECK(m.schematic);
	CHECK_INT(m.row[CM], 0); /* 崇明 alone at the top */
	for (int i = 0; i < 16; i++)
		if (i != CM)
			CHECK(m.row[i] > 0);
	CHECK(m.row[BS] < m.row[HK] && m.row[JD] < m.row[PT]); /* north */
	CHECK_INT(m.col[QP], 0);
	CHECK_INT(m.col[SJ], 0); /* west */
	CHECK_INT(m.row[JS], m.rows - 1);
	CHECK_INT(m.row[FX], m.rows - 1); /* south */
	CHECK_INT(m.col[PD], m.cols - 1); /* east */
	/* The seven central districts touch each other. */
	{
		int central[] = {HP, XH, CN, JA, PT, HK, YP};
		for (int a = 0; a < 7; a++) {
			int near = 0;
			for (int b = 0; b < 7; b++)
				if (a != b &&
				    abs(m.row[central[a]] - m.row[central[b]]) +
				            abs(m.col[central[a]] -
				                m.col[central[b]]) ==
				        1)
					near = 1;
			CHECK(near);
		}
	}
	/* No two tiles share a cell. */
	for (int a = 0; a < 16; a++)
		for (int b = a + 1; b < 16; b++)
			CHECK(m.row[a] != m.row[b] || m.col[a] != m.col[b]);
}

static void
schematic_in_any_order(void)
{
	const char *rev[16];
	struct map_layout m;

	for (int i = 0; i < 16; i++)
		rev[i] = districts[15 - i];
	map_layout_place(&m, rev, 16);
	CHECK(m.schematic);
	CHECK_INT(m.row[15 - CM], 0);
	/* A duplicate is not the city: the plain grid. */
	rev[0] = rev[1];
	map_layout_place(&m, rev, 16);
	CHECK(!m.schematic);
}

static void
moves_follow_geography(void)
{
	struct map_layout m;

	map_layout_place(&m, districts, 16);
	CHECK_INT(map_layout_move(&m, CM, MAP_DOWN), BS);
	CHECK_INT(map_layout_move(&m, CM, MAP_UP), CM); /* the edge */
	CHECK_INT(map_layout_move(&m, JD, MAP_RIGHT), BS);
	CHECK_INT(map_layout_move(&m, QP, MAP_RIGHT), PT);
	CHECK_INT(map_layout_move(&m, QP, MAP_LEFT), QP);
	CHECK_INT(map_layout_move(&m, HP, MAP_RIGHT), PD);
	CHECK_INT(map_layout_move(&m, PD, MAP_LEFT), HP);
	CHECK_INT(map_layout_move(&m, JA, MAP_DOWN), XH);
	CHECK_INT(map_layout_move(&m, XH, MAP_DOWN), MH);
	CHECK_INT(map_layout_move(&m, MH, MAP_DOWN), JS);
	CHECK_INT(map_layout_move(&m, SJ, MAP_DOWN), JS);
	CHECK_INT(map_layout_move(&m, PD, MAP_DOWN), FX);
	CHECK_INT(map_layout_move(&m, FX, MAP_UP), HP); /* straight on */
	CHECK_INT(map_layout_move(&m, FX, MAP_LEFT), JS);
	CHECK_INT(map_layout_move(&m, -1, MAP_UP), -1);
	/* From every tile every move lands on a tile. */
	for (int i = 0; i < 16; i++)
		for (int d = MAP_UP; d <= MAP_RIGHT; d++) {
			int to = map_layout_move(&m, i, (enum map_dir)d);
			CHECK(to >= 0 && to < 16);
		}
}

static void
other_sets_fill_a_grid(void)
{
	const char *codes[10] = {"a", "b", "c", "d", "e",
	                         "f", "g", "h", "i", "j"};
	struct map_layout m;

	map_layout_place(&m, codes, 10);
	CHECK(!m.schematic);
	CHECK_INT(m.cols, 4);
	CHECK_INT(m.rows, 3);
	CHECK_INT(map_layout_at(&m, 2, 1), 9);
	CHECK_INT(map_layout_at(&m, 2, 2), -1);
	CHECK_INT(map_layout_move(&m, 0, MAP_RIGHT), 1);
	CHECK_INT(map_layout_move(&m, 5, MAP_DOWN), 9);
	map_layout_place(&m, codes, 1);
	CHECK_INT(m.rows, 1);
	CHECK_INT(m.cols, 1);
	map_layout_place(&m, codes, 0);
	CHECK_INT(m.n, 0);
	CHECK_INT(map_layout_move(&m, 0, MAP_DOWN), 0);
}

static void
fits_80x24_and_larger(void)
{
	struct map_layout m;
	struct map_geom g;

	map_layout_place(&m, districts, 16);
	/* 80x24, the map alone under the status line: 80 x 20 of body. */
	CHECK_INT(map_layout_fit(&m, 80, 20, &g), 0);
	CHECK_INT(g.th, 3);
	CHECK(g.tw >= 8);
	CHECK(g.dw >= 24 && g.dx + g.dw == 80);
	CHECK(5 * g.tw <= g.dx);
	/* A short pane: one-row tiles, detail beside. */
	CHECK_INT(map_layout_fit(&m, 80, 7, &g), 0);
	CHECK_INT(g.th, 1);
	/* Narrow: no room beside; below when rows are left. */
	CHECK_INT(map_layout_fit(&m, 50, 30, &g), 0);
	CHECK_INT(g.dx, 0);
	CHECK(g.dy >= 6 && g.dh >= 4 && g.dw == 50);
	/* Wide: tiles stop growing at 18 columns. */
	CHECK_INT(map_layout_fit(&m, 200, 30, &g), 0);
	CHECK_INT(g.tw, 18);
	/* Too small. */
	CHECK_INT(map_layout_fit(&m, 30, 20, &g), -1);
	CHECK_INT(map_layout_fit(&m, 80, 5, &g), -1);
	CHECK_INT(g.tw, 0);
	/* Every tile stays inside the pane. */
	map_layout_fit(&m, 80, 20, &g);
	for (int i = 0; i < 16; i++) {
		int y, x;
		map_layout_origin(&m, &g, i, &y, &x);
		CHECK(y >= 0 && y + g.th <= 20 && x >= 0 && x + g.tw <= 80);
	}
}

static const struct check_case cases[] = {
    TEST(schematic_keeps_geography), TEST(schematic_in_any_order),
    TEST(moves_follow_geography),    TEST(other_sets_fill_a_grid),
    TEST(fits_80x24_and_larger),     {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return check_main(cases, argc, argv);
}
