/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Region extents as rings of vertices, searched by even-odd ray casting.
 * A city has a few hundred regions at most, so a linear scan per located
 * reading is enough; the extents are reloaded whole.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/feed-place.h"
#include "cityops/core/util.h"

struct ring {
	char *code;
	int depth, city;
	size_t n, cap;
	double *lat, *lon;
	double clat, clon; /* mean of the vertices: the tie-break centre */
};

struct feed_places {
	struct ring *r;
	size_t n, cap;
};

struct feed_places *
feed_places_new(void)
{
	return xcalloc(1, sizeof(struct feed_places));
}

void
feed_places_clear(struct feed_places *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->r[i].code);
		free(p->r[i].lat);
		free(p->r[i].lon);
	}
	p->n = 0;
}

void
feed_places_free(struct feed_places **pp)
{
	if (*pp == NULL)
		return;
	feed_places_clear(*pp);
	free((*pp)->r);
	free(*pp);
	*pp = NULL;
}

static struct ring *
ring_for(struct feed_places *p, const char *code, int depth, int city)
{
	struct ring *g;

	if (p->n > 0 && strcmp(p->r[p->n - 1].code, code) == 0)
		return &p->r[p->n - 1];
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->r = xrealloc(p->r, p->cap * sizeof *p->r);
	}
	g = &p->r[p->n++];
	memset(g, 0, sizeof *g);
	g->code = xstrdup(code);
	g->depth = depth;
	g->city = city;
	return g;
}

void
feed_places_vertex(struct feed_places *p, const char *code, int depth, int city,
                   double lat, double lon)
{
	struct ring *g;

	if (code == NULL || !isfinite(lat) || !isfinite(lon))
		return;
	g = ring_for(p, code, depth, city);
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 8;
		g->lat = xrealloc(g->lat, g->cap * sizeof *g->lat);
		g->lon = xrealloc(g->lon, g->cap * sizeof *g->lon);
	}
	g->lat[g->n] = lat;
	g->lon[g->n] = lon;
	g->n++;
	g->clat += (lat - g->clat) / (double)g->n;
	g->clon += (lon - g->clon) / (double)g->n;
}

size_t
feed_places_count(const struct feed_places *p)
{
	return p->n;
}

/* On an edge counts as inside, as PostgreSQL's polygon @> point does. */
static int
on_edge(double ax, double ay, double bx, double by, double x, double y)
{
	double cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);

	return fabs(cross) <= 1e-12 && x >= fmin(ax, bx) - 1e-12 &&
	       x <= fmax(ax, bx) + 1e-12 && y >= fmin(ay, by) - 1e-12 &&
	       y <= fmax(ay, by) + 1e-12;
}

static int
contains(const struct ring *g, double lat, double lon)
{
	int in = 0;

	if (g->n < 3)
		return 0;
	for (size_t i = 0, j = g->n - 1; i < g->n; j = i++) {
		double xi = g->lon[i], yi = g->lat[i];
		double xj = g->lon[j], yj = g->lat[j];

		if (on_edge(xj, yj, xi, yi, lon, lat))
			return 1;
		if ((yi > lat) != (yj > lat) &&
		    lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
			in = !in;
	}
	return in;
}

static int
in_city(const struct feed_places *p, double lat, double lon)
{
	int have_city = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->r[i].city) {
			have_city = 1;
			if (contains(&p->r[i], lat, lon))
				return 1;
		}
	if (have_city)
		return 0;
	for (size_t i = 0; i < p->n; i++)
		if (contains(&p->r[i], lat, lon))
			return 1;
	return 0;
}

static const char *
deepest(const struct feed_places *p, double lat, double lon)
{
	const struct ring *best = NULL;
	double bd = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct ring *g = &p->r[i];
		double d = (g->clat - lat) * (g->clat - lat) +
		           (g->clon - lon) * (g->clon - lon);

		if (!contains(g, lat, lon))
			continue;
		if (best == NULL || g->depth > best->depth ||
		    (g->depth == best->depth &&
		     (d < bd ||
		      (d == bd && strcmp(g->code, best->code) < 0)))) {
			best = g;
			bd = d;
		}
	}
	return best != NULL ? best->code : NULL;
}

enum feed_place_rc
feed_places_find(const struct feed_places *p, double lat, double lon,
                 const char **code)
{
	*code = NULL;
	if (p == NULL || p->n == 0)
		return FEED_PLACE_UNKNOWN;
	if (in_city(p, lat, lon)) {
		*code = deepest(p, lat, lon);
		return FEED_PLACE_IN;
	}
	if (in_city(p, lon, lat)) {
		*code = deepest(p, lon, lat);
		return FEED_PLACE_SWAPPED;
	}
	return FEED_PLACE_OUT;
}
