/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The map's outline rendering: parsing PostgreSQL's polygon text, the
 * projection, braille dots, lines, incident points and labels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/desk/map-outline.h"

static void
parses_postgres_shapes(void)
{
	double xy[16];

	/* What `SELECT extent::text FROM cityops.region` prints. */
	CHECK_INT(map_shape_parse("((121.25,31.1),(121.69,31.1),(121.69,31.5),"
	                          "(121.25,31.5))",
	                          xy, 8),
	          4);
	CHECK(xy[0] == 121.25 && xy[1] == 31.1 && xy[7] == 31.5);
	CHECK_INT(map_shape_parse("(121.47,31.23)", xy, 8), 1);
	CHECK(xy[0] == 121.47 && xy[1] == 31.23);
	CHECK_INT(map_shape_parse("[(1,2),(3,-4.5e1)]", xy, 8), 2);
	CHECK(xy[3] == -45);
	CHECK_INT(map_shape_parse(" ( ( 1 , 2 ) , ( 3 , 4 ) ) ", xy, 8), 2);
	/* Refused: not a shape, unbalanced, odd numbers, too many, hex,
	 * inf and nan, trailing text, an empty ring. */
	const char *bad[] = {
	    "",          "121,31",        "((1,2),(3,4)", "((1,2),(3,4)))",
	    "((1,2,3))", "((1,2),(3))",   "(0x10,2)",     "(inf,2)",
	    "(nan,1)",   "((1,2)) x",     "()",           "(())",
	    "[(1,2))",   "((1,2);(3,4))", "((1e999,2))",  "(1,2),(3,4)",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_INT(map_shape_parse(bad[i], xy, 8), -1);
	CHECK_INT(map_shape_parse(NULL, xy, 8), -1);
	CHECK_INT(map_shape_parse("((1,2),(3,4),(5,6))", xy, 2), -1);
}

static void
projection_keeps_shape_and_north(void)
{
	/* Shanghai's bounds (migration 020) into 40 x 20 cells. */
	double city[] = {120.85, 30.66, 122.20, 31.88};
	struct map_bbox b;
	struct map_proj p;
	int x0, y0, x1, y1;

	map_bbox_init(&b);
	CHECK_INT(map_proj_fit(&p, &b, 40, 20), -1); /* empty */
	map_bbox_add(&b, city, 2);
	CHECK_INT(map_proj_fit(&p, &b, 0, 20), -1);
	CHECK_INT(map_proj_fit(&p, &b, 40, 20), 0);
	map_proj_dot(&p, 120.85, 31.88, &x0, &y0); /* north-west */
	map_proj_dot(&p, 122.20, 30.66, &x1, &y1); /* south-east */
	CHECK(x0 < x1 && y0 < y1);                 /* north is up */
	CHECK(x0 >= 0 && y0 >= 0 && x1 <= 79 && y1 <= 79);
	/* Height limits (80 dots for 1.22°); the width is 1.35° shrunk by
	 * cos(31.27°), so about 1.154/1.22 of the height, in dots. */
	CHECK(y0 == 0 && y1 == 79);
	CHECK(abs((x1 - x0) - (int)lround(79 * 1.35 * cos(31.27 * M_PI / 180) /
	                                  1.22)) <= 1);
	/* Centred across. */
	CHECK(abs(x0 - (79 - x1)) <= 1);
	/* A single point fits without dividing by zero. */
	map_bbox_init(&b);
	map_bbox_add(&b, city, 1);
	CHECK_INT(map_proj_fit(&p, &b, 10, 5), 0);
	map_proj_dot(&p, city[0], city[1], &x0, &y0);
	CHECK(x0 >= 0 && x0 < 20 && y0 >= 0 && y0 < 20);
}

static void
braille_dots(void)
{
	struct map_canvas *c = map_canvas_new(3, 2);
	char g[4];

	map_canvas_glyph(c, 0, g);
	CHECK_STR(g, " ");
	map_canvas_dot(c, 0, 0, 7); /* dot 1 */
	map_canvas_glyph(c, 0, g);
	CHECK_STR(g, "\xe2\xa0\x81"); /* U+2801 ⠁ */
	CHECK_INT(c->owner[0], 7);
	map_canvas_dot(c, 1, 3, 7); /* dot 8 */
	map_canvas_glyph(c, 0, g);
	CHECK_STR(g, "\xe2\xa2\x81"); /* U+2881 ⢁ */
	for (int y = 0; y < 4; y++)
		for (int x = 2; x < 4; x++)
			map_canvas_dot(c, x, y, 1);
	map_canvas_glyph(c, 1, g);
	CHECK_STR(g, "\xe2\xa3\xbf"); /* U+28FF ⣿ */
	/* Off the canvas: nothing, no crash. */
	map_canvas_dot(c, -1, 0, 1);
	map_canvas_dot(c, 6, 0, 1);
	map_canvas_dot(c, 0, 8, 1);
	CHECK_INT(c->dots[2] | c->dots[3] | c->dots[4] | c->dots[5], 0);
	map_canvas_clear(c);
	CHECK_INT(c->dots[0] | c->dots[1], 0);
	CHECK_INT(c->owner[0], -1);
	map_canvas_free(&c);
	CHECK(c == NULL);
}

static void
polygon_outlines_a_box(void)
{
	double box[] = {0, 0, 10, 0, 10, 10, 0, 10};
	struct map_bbox b;
	struct map_proj p;
	struct map_canvas *c = map_canvas_new(10, 5);
	int inside = 0, edge = 0;

	map_bbox_init(&b);
	map_bbox_add(&b, box, 4);
	CHECK_INT(map_proj_fit(&p, &b, 10, 5), 0);
	map_canvas_polygon(c, &p, box, 4, 3);
	/* Every border cell of the 20 x 20 dot square has dots and is
	 * owned; the cells inside it have none (an outline, not a fill). */
	for (int y = 0; y < 5; y++)
		for (int x = 0; x < 10; x++) {
			int i = y * 10 + x;
			int border_col = x == 0 || x == 9,
			    border_row = y == 0 || y == 4;
			if (x < 0 || x > 9)
				continue;
			if (border_row || border_col) {
				if (c->dots[i] != 0 && c->owner[i] == 3)
					edge++;
			} else if (c->dots[i] != 0)
				inside++;
		}
	CHECK_INT(inside, 0);
	CHECK(edge >= 20);
	map_canvas_free(&c);
}

static void
far_shapes_are_clipped(void)
{
	/* Madrid on a canvas fitted to Shanghai: nothing drawn, fast. */
	double city[] = {120.85, 30.66, 122.20, 31.88};
	double madrid[] = {-3.8, 40.3, -3.5, 40.3, -3.5, 40.6, -3.8, 40.6};
	double across[] = {0, 31.2, 200, 31.2};
	struct map_bbox b;
	struct map_proj p;
	struct map_canvas *c = map_canvas_new(40, 20);
	int any = 0, row = -1;

	map_bbox_init(&b);
	map_bbox_add(&b, city, 2);
	map_proj_fit(&p, &b, 40, 20);
	map_canvas_polygon(c, &p, madrid, 4, 1);
	for (int i = 0; i < 800; i++)
		any |= c->dots[i];
	CHECK_INT(any, 0);
	/* A line from far west to far east crosses the whole canvas. */
	map_canvas_polygon(c, &p, across, 2, 2);
	for (int i = 0; i < 800; i++)
		if (c->dots[i] && row < 0)
			row = i / 40;
	CHECK(row >= 0);
	for (int x = 0; x < 40; x++)
		CHECK(c->dots[row * 40 + x] != 0);
	CHECK_INT(map_canvas_point(c, &p, -3.7, 40.4, 1), -1);
	map_canvas_free(&c);
}

static void
incidents_are_points(void)
{
	double city[] = {120.85, 30.66, 122.20, 31.88};
	struct map_bbox b;
	struct map_proj p;
	struct map_canvas *c = map_canvas_new(40, 20);
	int i, j, x, y;

	map_bbox_init(&b);
	map_bbox_add(&b, city, 2);
	map_proj_fit(&p, &b, 40, 20);
	/* 人民广场: in the middle, a 2 x 2 block in one cell. */
	i = map_canvas_point(c, &p, 121.4737, 31.2304, 3);
	CHECK(i >= 0);
	CHECK(c->dots[i] == 0x1b || c->dots[i] == 0xe4);
	CHECK_INT(c->prio[i], 3);
	j = map_canvas_point(c, &p, 121.4737, 31.2304, 1);
	CHECK_INT(j, i);
	CHECK_INT(c->prio[i], 1); /* the highest priority wins */
	map_canvas_point(c, &p, 121.4737, 31.2304, 4);
	CHECK_INT(c->prio[i], 1);
	CHECK_INT(c->owner[i], -1); /* points own no shape */
	/* West of east, north of south. */
	CHECK(map_canvas_point(c, &p, 121.0, 31.2, 2) % 40 < i % 40);
	CHECK(map_canvas_point(c, &p, 121.47, 31.8, 2) / 40 < i / 40);
	/* The label sits in the middle of a shape. */
	double box[] = {121.0, 31.0, 121.4, 31.0, 121.4, 31.4, 121.0, 31.4};
	map_shape_label_cell(&p, box, 4, &x, &y);
	int x0, y0, x1, y1;
	map_proj_dot(&p, 121.0, 31.4, &x0, &y0);
	map_proj_dot(&p, 121.4, 31.0, &x1, &y1);
	CHECK(x > x0 / 2 && x < x1 / 2 && y > y0 / 4 && y < y1 / 4);
	map_canvas_free(&c);
}

static const struct check_case cases[] = {
    TEST(parses_postgres_shapes),
    TEST(projection_keeps_shape_and_north),
    TEST(braille_dots),
    TEST(polygon_outlines_a_box),
    TEST(far_shapes_are_clipped),
    TEST(incidents_are_points),
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return check_main(cases, argc, argv);
}
