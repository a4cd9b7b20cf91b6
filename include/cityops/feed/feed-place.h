/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Where a located reading lies, judged before it is stored, by the same
 * rule as the database's region_at (sql/functions/55_catalogue.sql): the
 * city's bounds are the extent of the city-level region (or, without one,
 * the union of every extent); a point inside is placed in the deepest
 * region whose extent contains it (the nearest centre among equals); a
 * point outside that lies inside with latitude and longitude swapped is
 * swapped (a known quirk of some models, logged); anything else is out of
 * area, never snapped to the nearest district. The extents are the rows
 * of cityops.feed_region_extents(), one vertex each. Libc only.
 */
#ifndef CITYOPS_FEED_PLACE_H
#define CITYOPS_FEED_PLACE_H

#include <stddef.h>

struct feed_places;

enum feed_place_rc {
	FEED_PLACE_UNKNOWN, /* no extents loaded: nothing can be judged */
	FEED_PLACE_IN,      /* inside the city */
	FEED_PLACE_SWAPPED, /* inside once latitude and longitude swap */
	FEED_PLACE_OUT,     /* outside the city's bounds: out_of_area */
};

struct feed_places *feed_places_new(void);
void feed_places_free(struct feed_places **pp);
/* Forgets every extent (before a reload). */
void feed_places_clear(struct feed_places *p);
/*
 * Adds one vertex (WGS84) of region code's extent; consecutive calls with
 * the same code build one ring. depth is the region's level in the tree
 * (1 for the city), city nonzero for the city-level region.
 */
void feed_places_vertex(struct feed_places *p, const char *code, int depth,
                        int city, double lat, double lon);
/* Regions held. */
size_t feed_places_count(const struct feed_places *p);
/*
 * Judges (lat, lon): IN or SWAPPED with *code set to the deepest region
 * containing the point (owned by p; NULL when only the bounds contain
 * it), OUT, or UNKNOWN when no extents are loaded.
 */
enum feed_place_rc feed_places_find(const struct feed_places *p, double lat,
                                    double lon, const char **code);

#endif
