/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Which NGSI-LD entity attribute feeds which indicator: the rows of
 * cityops.feed_mappings(), looked up once per entity reading. A row's
 * entity id is matched, most specific first: the exact entity id; the
 * exact stable identity (the reading's ref: refDevice, refPointOfInterest,
 * stationCode), for sources whose entity ids change per observation; a
 * pattern with '*' (fnmatch) against the id, then the ref; finally "*",
 * every entity of the type. Libc only.
 */
#ifndef CITYOPS_FEED_MAP_H
#define CITYOPS_FEED_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "cityops/feed/feed.h"

struct feed_map;

/* Returns a new, empty map; free with feed_map_free. */
struct feed_map *feed_map_new(void);
void feed_map_free(struct feed_map **mp);
/* Forgets every row (before a reload). */
void feed_map_clear(struct feed_map *m);
/*
 * Adds a row; strings are copied. entity_type is compared by its short
 * name (after the last '/' or '#'), as the decoder reports it. A second
 * row for the same (type, id, attribute) replaces the first.
 */
void feed_map_add(struct feed_map *m, const char *entity_type,
                  const char *entity_id, const char *attr,
                  const char *indicator);
/*
 * Adds a row with units: indicator_unit is the indicator's UN/CEFACT code,
 * source_unit the unit the source sends when it names none (NULL: the
 * Smart Data Model default applies). Strings are copied; NULL allowed.
 */
void feed_map_add_units(struct feed_map *m, const char *entity_type,
                        const char *entity_id, const char *attr,
                        const char *indicator, const char *indicator_unit,
                        const char *source_unit);

/* What a reading maps to; strings owned by the map (or the reading). */
struct feed_map_hit {
	const char *indicator;
	const char *indicator_unit; /* NULL: unknown, no conversion */
	const char *source_unit;    /* the row's, NULL when none */
};
/*
 * Fills *hit for r and returns 0, or returns -1 when nothing maps it. A
 * native reading (r->key) maps to its key with no units.
 */
int feed_map_find(struct feed_map *m, const struct feed_reading *r,
                  struct feed_map_hit *hit);

/* A reading judged for storing: what it feeds, in which unit, when. */
struct feed_judged {
	const char *indicator;
	double value;       /* in the indicator's unit */
	int64_t ts_ms;      /* the observation time, or now_ms (arrival) */
	const char *from;   /* the source's unit as decided, or NULL */
	const char *to;     /* the indicator's unit, or NULL */
	const char *model;  /* the Smart Data Model the default came from */
	int located;        /* the reading had a point: lat, lon */
	double lat, lon;    /* as the source gave them */
	int swapped;        /* placed with latitude and longitude swapped */
	const char *region; /* deepest region containing it, or NULL */
};

/*
 * The one judgement of a decoded reading, for ingest and the console
 * alike: returns FEED_REJECT_NONE with *out filled, or out_of_area (a
 * located reading outside the city's bounds, feed-place.h; out->lat and
 * out->lon say where), unmapped (no row),
 * future_time (more than ahead_ms after now_ms; FEED_FUTURE_MS unless a
 * simulation plays faster than real time) or unit_mismatch
 * (out->from and out->to name both). The source's unit is, in order: the
 * reading's, the mapping row's, the Smart Data Model default; with none,
 * the value is taken as in the indicator's unit.
 */
enum feed_reject feed_judge(struct feed_map *m, const struct feed_reading *r,
                            int64_t now_ms, int64_t ahead_ms,
                            struct feed_judged *out);

/*
 * The region extents a located reading is judged against (feed-place.h);
 * owned by the map, loaded by the caller from cityops.feed_region_extents().
 */
struct feed_places *feed_map_places(struct feed_map *m);
/*
 * A live indicator's unit (cityops.feed_indicator_units()), for native
 * readings, which map to their key: their own unit (`u`, a code or a
 * symbol) is converted to it or refused unit_mismatch.
 */
void feed_map_indicator_unit(struct feed_map *m, const char *indicator,
                             const char *unit);
void feed_map_units_clear(struct feed_map *m);

/* Rows held. */
size_t feed_map_count(const struct feed_map *m);
/*
 * Returns the indicator key a reading feeds: r->key when it has one,
 * else the mapped indicator of (entity type, id, attribute), or NULL.
 * The string is owned by the map (or the reading).
 */
const char *feed_map_lookup(struct feed_map *m, const struct feed_reading *r);

#endif
