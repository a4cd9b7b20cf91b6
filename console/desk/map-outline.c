/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Region shapes on a braille canvas (include/cityops/desk/map-outline.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/desk/map-outline.h"

/* ---- parsing ------------------------------------------------------------ */

/* One number at *s; advances *s. 0, or -1 when there is none or it is not
 * finite. strtod's hex, inf and nan spellings are refused before it. */
static int
number(const char **s, double *v)
{
	const char *p = *s;
	char *end;

	if (*p == '-' || *p == '+')
		p++;
	if (!((*p >= '0' && *p <= '9') || *p == '.'))
		return -1;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return -1;
	*v = strtod(*s, &end);
	if (end == *s || !isfinite(*v))
		return -1;
	*s = end;
	return 0;
}

static const char *
blanks(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return s;
}

/* "(x,y)" at *s into xy; advances *s. */
static int
pair(const char **s, double *xy)
{
	const char *p = blanks(*s);

	if (*p != '(')
		return -1;
	p = blanks(p + 1);
	if (number(&p, &xy[0]) < 0)
		return -1;
	p = blanks(p);
	if (*p != ',')
		return -1;
	p = blanks(p + 1);
	if (number(&p, &xy[1]) < 0)
		return -1;
	p = blanks(p);
	if (*p != ')')
		return -1;
	*s = p + 1;
	return 0;
}

int
map_shape_parse(const char *s, double *xy, int max)
{
	const char *p;
	char close = 0;
	int n = 0;

	if (s == NULL)
		return -1;
	p = blanks(s);
	/* A point is one pair alone; a polygon or path wraps its pairs. */
	if (p[0] == '(' && blanks(p + 1)[0] != '(') {
		if (max < 1 || pair(&p, xy) < 0)
			return -1;
		return *blanks(p) == '\0' ? 1 : -1;
	}
	if (*p == '(')
		close = ')';
	else if (*p == '[')
		close = ']';
	else
		return -1;
	p++;
	for (;;) {
		if (n >= max || pair(&p, xy + 2 * n) < 0)
			return -1;
		n++;
		p = blanks(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p != close)
			return -1;
		return *blanks(p + 1) == '\0' ? n : -1;
	}
}

/* ---- projection --------------------------------------------------------- */

void
map_bbox_init(struct map_bbox *b)
{
	memset(b, 0, sizeof *b);
	b->empty = 1;
}

void
map_bbox_add(struct map_bbox *b, const double *xy, int n)
{
	for (int i = 0; i < n; i++) {
		double x = xy[2 * i], y = xy[2 * i + 1];
		if (b->empty) {
			b->x0 = b->x1 = x;
			b->y0 = b->y1 = y;
			b->empty = 0;
			continue;
		}
		b->x0 = x < b->x0 ? x : b->x0;
		b->x1 = x > b->x1 ? x : b->x1;
		b->y0 = y < b->y0 ? y : b->y0;
		b->y1 = y > b->y1 ? y : b->y1;
	}
}

int
map_proj_fit(struct map_proj *p, const struct map_bbox *b, int w, int h)
{
	double wd = 2.0 * w - 1, hd = 4.0 * h - 1, k, kx, ky, lonw, lath;
	double shrink;

	memset(p, 0, sizeof *p);
	if (b->empty || w < 1 || h < 1)
		return -1;
	/* A degree of longitude is shorter by cos(latitude). */
	shrink = cos((b->y0 + b->y1) / 2 * M_PI / 180.0);
	if (shrink < 0.01)
		shrink = 0.01;
	lonw = (b->x1 - b->x0) * shrink;
	lath = b->y1 - b->y0;
	if (!isfinite(lonw) || !isfinite(lath))
		return -1;
	kx = lonw > 0 ? wd / lonw : INFINITY;
	ky = lath > 0 ? hd / lath : INFINITY;
	k = kx < ky ? kx : ky;
	if (!isfinite(k)) /* a single point: any scale */
		k = 1;
	p->x0 = b->x0;
	p->y1 = b->y1;
	p->sx = k * shrink;
	p->sy = k;
	p->ox = (wd - lonw * k) / 2;
	p->oy = (hd - lath * k) / 2;
	return 0;
}

static void project(const struct map_proj *p, double lon, double lat, double *x,
                    double *y);

void
map_proj_dot(const struct map_proj *p, double lon, double lat, int *dx, int *dy)
{
	double x, y;

	project(p, lon, lat, &x, &y);
	/* Far off the canvas stays far off without overflowing an int. */
	if (!isfinite(x) || !isfinite(y))
		x = y = -1e6;
	x = x < -1e6 ? -1e6 : x > 1e6 ? 1e6 : x;
	y = y < -1e6 ? -1e6 : y > 1e6 ? 1e6 : y;
	*dx = (int)lround(x);
	*dy = (int)lround(y);
}

/* ---- the canvas --------------------------------------------------------- */

struct map_canvas *
map_canvas_new(int w, int h)
{
	struct map_canvas *c = xcalloc(1, sizeof *c);
	size_t n = (size_t)(w > 0 ? w : 0) * (size_t)(h > 0 ? h : 0);

	c->w = w > 0 ? w : 0;
	c->h = h > 0 ? h : 0;
	c->dots = xcalloc(n + 1, 1);
	c->owner = xcalloc(n + 1, sizeof *c->owner);
	c->prio = xcalloc(n + 1, 1);
	map_canvas_clear(c);
	return c;
}

void
map_canvas_free(struct map_canvas **c)
{
	if (*c == NULL)
		return;
	free((*c)->dots);
	free((*c)->owner);
	free((*c)->prio);
	free(*c);
	*c = NULL;
}

void
map_canvas_clear(struct map_canvas *c)
{
	size_t n = (size_t)c->w * (size_t)c->h;

	memset(c->dots, 0, n);
	memset(c->prio, 0, n);
	for (size_t i = 0; i < n; i++)
		c->owner[i] = -1;
}

/* U+2800's bit for the dot at (column, row) within a cell. */
static unsigned char
dot_bit(int col, int row)
{
	static const unsigned char bits[4][2] = {
	    {0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
	return bits[row][col];
}

static int
cell_of(const struct map_canvas *c, int dx, int dy)
{
	if (dx < 0 || dy < 0 || dx >= 2 * c->w || dy >= 4 * c->h)
		return -1;
	return (dy / 4) * c->w + dx / 2;
}

void
map_canvas_dot(struct map_canvas *c, int dx, int dy, int owner)
{
	int i = cell_of(c, dx, dy);

	if (i < 0)
		return;
	c->dots[i] |= dot_bit(dx % 2, dy % 4);
	if (owner >= 0)
		c->owner[i] = (short)(owner > 32767 ? 32767 : owner);
}

/* Bresenham's line between two dots on (or next to) the canvas. */
static void
line(struct map_canvas *c, int x0, int y0, int x1, int y1, int owner)
{
	int dx = abs(x1 - x0), dy = -abs(y1 - y0);
	int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;

	for (;;) {
		map_canvas_dot(c, x0, y0, owner);
		if (x0 == x1 && y0 == y1)
			break;
		int e2 = 2 * err;
		if (e2 >= dy) {
			err += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			err += dx;
			y0 += sy;
		}
	}
}

/* Liang-Barsky: clips the segment to [lo, hi] on one axis' terms;
 * 0 when nothing is left. */
static int
clip_edge(double p, double q, double *t0, double *t1)
{
	double r;

	if (p == 0)
		return q >= 0;
	r = q / p;
	if (p < 0) {
		if (r > *t1)
			return 0;
		if (r > *t0)
			*t0 = r;
	} else {
		if (r < *t0)
			return 0;
		if (r < *t1)
			*t1 = r;
	}
	return 1;
}

/* The segment between two dot positions, clipped to the canvas (with a
 * dot's margin), so a shape far off it costs nothing. */
static void
segment(struct map_canvas *c, double x0, double y0, double x1, double y1,
        int owner)
{
	double t0 = 0, t1 = 1, ddx = x1 - x0, ddy = y1 - y0;
	double xmax = 2.0 * c->w, ymax = 4.0 * c->h;

	if (!isfinite(ddx) || !isfinite(ddy) || !isfinite(x0) || !isfinite(y0))
		return;
	if (!clip_edge(-ddx, x0 + 1, &t0, &t1) ||
	    !clip_edge(ddx, xmax - x0, &t0, &t1) ||
	    !clip_edge(-ddy, y0 + 1, &t0, &t1) ||
	    !clip_edge(ddy, ymax - y0, &t0, &t1))
		return;
	line(c, (int)lround(x0 + t0 * ddx), (int)lround(y0 + t0 * ddy),
	     (int)lround(x0 + t1 * ddx), (int)lround(y0 + t1 * ddy), owner);
}

static void
project(const struct map_proj *p, double lon, double lat, double *x, double *y)
{
	*x = p->ox + (lon - p->x0) * p->sx;
	*y = p->oy + (p->y1 - lat) * p->sy;
}

void
map_canvas_polygon(struct map_canvas *c, const struct map_proj *p,
                   const double *xy, int n, int owner)
{
	double px, py, fx, fy, x, y;

	if (n <= 0)
		return;
	project(p, xy[0], xy[1], &fx, &fy);
	px = fx;
	py = fy;
	if (n == 1) {
		segment(c, px, py, px, py, owner);
		return;
	}
	for (int i = 1; i <= n; i++) {
		if (i == n) {
			x = fx;
			y = fy;
		} else {
			project(p, xy[2 * i], xy[2 * i + 1], &x, &y);
		}
		segment(c, px, py, x, y, owner);
		px = x;
		py = y;
	}
}

int
map_canvas_point(struct map_canvas *c, const struct map_proj *p, double lon,
                 double lat, int prio)
{
	int dx, dy, i;

	map_proj_dot(p, lon, lat, &dx, &dy);
	/* The block's top-left dot on the cell's dot grid, so the block
	 * stays within one cell. */
	dx -= dx % 2 == 0 ? 0 : 1;
	dy -= dy % 2 == 0 ? 0 : 1;
	i = cell_of(c, dx, dy);
	if (i < 0)
		return -1;
	for (int k = 0; k < 4; k++)
		map_canvas_dot(c, dx + k % 2, dy + k / 2, -1);
	prio = prio < 1 ? 4 : prio > 4 ? 4 : prio;
	if (c->prio[i] == 0 || prio < c->prio[i])
		c->prio[i] = (signed char)prio;
	return i;
}

void
map_canvas_glyph(const struct map_canvas *c, int i, char out[4])
{
	unsigned cp = 0x2800u + c->dots[i];

	if (c->dots[i] == 0) {
		out[0] = ' ';
		out[1] = '\0';
		return;
	}
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	out[3] = '\0';
}

void
map_shape_label_cell(const struct map_proj *p, const double *xy, int n, int *x,
                     int *y)
{
	struct map_bbox b;
	int dx, dy;

	map_bbox_init(&b);
	map_bbox_add(&b, xy, n);
	map_proj_dot(p, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, &dx, &dy);
	*x = dx < 0 ? -1 : dx / 2;
	*y = dy < 0 ? -1 : dy / 4;
}
