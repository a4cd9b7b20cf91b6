/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The one judgement of a reading (feed_judge) on place and native units:
 * extents as cityops.feed_region_extents() gives them for the demo city
 * (Shanghai's bounds, 奉贤区, 海湾镇), located readings inside, outside,
 * swapped, on an edge; native readings whose `u` differs from the
 * indicator's unit.
 */
#include <math.h>
#include <string.h>

#include "cityops/feed/feed-map.h"
#include "cityops/feed/feed-place.h"
#include "check.h"

static void
box(struct feed_places *p, const char *code, int depth, int city, double lat0,
    double lon0, double lat1, double lon1)
{
	feed_places_vertex(p, code, depth, city, lat0, lon0);
	feed_places_vertex(p, code, depth, city, lat1, lon0);
	feed_places_vertex(p, code, depth, city, lat1, lon1);
	feed_places_vertex(p, code, depth, city, lat0, lon1);
}

static struct feed_map *
city(void)
{
	struct feed_map *m = feed_map_new();
	struct feed_places *p = feed_map_places(m);

	box(p, "310000", 1, 1, 30.66, 120.85, 31.88, 122.20);
	box(p, "310120", 2, 0, 30.718, 121.254, 31.118, 121.694);
	box(p, "310120123", 3, 0, 30.81, 121.5565, 30.83, 121.5835);
	feed_map_add_units(m, "WeatherObserved", "*", "windSpeed",
	                   "fx.wind.haiwan", "KMH", NULL);
	feed_map_indicator_unit(m, "fx.tide.jinhui", "MTR");
	return m;
}

static struct feed_reading
located(double lat, double lon)
{
	struct feed_reading r = {0};

	r.entity_id = "urn:ngsi-ld:WeatherObserved:x";
	r.entity_type = "WeatherObserved";
	r.attr = "windSpeed";
	r.value = 2;
	r.ts_ms = 1000;
	r.ts_src = FEED_TIME_OBSERVED;
	r.has_pos = 1;
	r.lat = lat;
	r.lon = lon;
	return r;
}

static void
place_inside_deepest(void)
{
	struct feed_map *m = city();
	struct feed_judged j;
	struct feed_reading r = located(30.82, 121.57);

	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	CHECK_STR(j.region, "310120123");
	CHECK_INT(j.swapped, 0);
	CHECK(fabs(j.value - 7.2) < 1e-9); /* SDM windSpeed m/s → km/h */
	r = located(30.9, 121.4);          /* 奉贤区, no street box */
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	CHECK_STR(j.region, "310120");
	r = located(30.81, 121.5565); /* a corner counts as inside */
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	CHECK_STR(j.region, "310120123");
	feed_map_free(&m);
}

static void
place_outside_refused(void)
{
	struct feed_map *m = city();
	struct feed_judged j;
	/* Valladolid, Madrid, San Francisco, and just past the bounds. */
	const double pts[][2] = {{41.640833333, -4.754444444},
	                         {40.423852777, -3.712247222},
	                         {37.762221815, -122.4651145},
	                         {31.8801, 121.5},
	                         {0, 0}};

	for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
		struct feed_reading r = located(pts[i][0], pts[i][1]);
		CHECK_INT(feed_judge(m, &r, 2000, 0, &j),
		          FEED_REJECT_OUT_OF_AREA);
		CHECK(j.lat == pts[i][0] && j.lon == pts[i][1]);
		CHECK(j.region == NULL);
	}
	/* Unmapped and outside: out_of_area first, not ours to map. */
	{
		struct feed_reading r = located(41.6, -4.7);
		r.attr = "illuminance";
		CHECK_INT(feed_judge(m, &r, 2000, 0, &j),
		          FEED_REJECT_OUT_OF_AREA);
	}
	feed_map_free(&m);
}

static void
place_swapped(void)
{
	struct feed_map *m = city();
	struct feed_judged j;
	struct feed_reading r = located(121.57, 30.82);

	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	CHECK_INT(j.swapped, 1);
	CHECK_STR(j.region, "310120123");
	feed_map_free(&m);
}

static void
place_unknown_without_extents(void)
{
	struct feed_map *m = feed_map_new();
	struct feed_judged j;
	struct feed_reading r = located(41.6, -4.7);

	feed_map_add(m, "WeatherObserved", "*", "windSpeed", "w");
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	CHECK(j.region == NULL);
	feed_map_free(&m);
}

static struct feed_reading
native(const char *key, double v, const char *u)
{
	struct feed_reading r = {0};

	r.key = key;
	r.value = v;
	r.ts_ms = 1000;
	r.unit = u;
	return r;
}

static void
native_units(void)
{
	struct feed_map *m = city();
	struct feed_judged j;
	struct feed_reading r;

	r = native("fx.tide.jinhui", 412, "cm"); /* a symbol */
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	CHECK(fabs(j.value - 4.12) < 1e-9);
	r = native("fx.tide.jinhui", 412, "CMT"); /* a code */
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	CHECK(fabs(j.value - 4.12) < 1e-9);
	r = native("fx.tide.jinhui", 4.12, "m");
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	CHECK(j.value == 4.12);
	r = native("fx.tide.jinhui", 4.12, NULL); /* no `u`: as is */
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	CHECK(j.value == 4.12);
	r = native("fx.tide.jinhui", 4.12, "km/h");
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_UNIT_MISMATCH);
	CHECK_STR(j.from, "KMH");
	CHECK_STR(j.to, "MTR");
	r = native("fx.tide.jinhui", 4.12, "furlong");
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_UNIT_MISMATCH);
	CHECK_STR(j.from, "furlong");
	/* An indicator whose unit is not loaded: taken as is. */
	r = native("fx.other", 4.12, "km/h");
	CHECK_INT(feed_judge(m, &r, 2000, 0, &j), FEED_REJECT_NONE);
	feed_map_free(&m);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(place_inside_deepest), TEST(place_outside_refused),
	    TEST(place_swapped),        TEST(place_unknown_without_extents),
	    TEST(native_units),         {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
