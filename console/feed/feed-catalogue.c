/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Database answers into the feed map (feed-catalogue.h).
 */
#include <stdlib.h>

#include "cityops/db/db.h"
#include "cityops/feed/feed-catalogue.h"
#include "cityops/feed/feed-map.h"
#include "cityops/feed/feed-place.h"

size_t
feed_catalogue_mappings(struct feed_map *m, const struct db_table *t)
{
	feed_map_clear(m);
	for (int i = 0; i < t->nrows; i++) {
		const char *ty = db_get(t, i, "entity_type"),
		           *at = db_get(t, i, "attribute"),
		           *ind = db_get(t, i, "indicator_id");
		if (ty && at && ind)
			feed_map_add_units(m, ty, db_get(t, i, "entity_id"), at,
			                   ind, db_get(t, i, "indicator_unit"),
			                   db_get(t, i, "source_unit"));
	}
	return feed_map_count(m);
}

void
feed_catalogue_units(struct feed_map *m, const struct db_table *t)
{
	feed_map_units_clear(m);
	for (int i = 0; i < t->nrows; i++)
		feed_map_indicator_unit(m, db_get(t, i, "indicator_id"),
		                        db_get(t, i, "unit_code"));
}

size_t
feed_catalogue_extents(struct feed_map *m, const struct db_table *t)
{
	struct feed_places *p = feed_map_places(m);

	feed_places_clear(p);
	for (int i = 0; i < t->nrows; i++) {
		const char *lat = db_get(t, i, "lat"),
		           *lon = db_get(t, i, "lon"),
		           *depth = db_get(t, i, "depth"),
		           *city = db_get(t, i, "city");
		if (lat && lon && depth)
			feed_places_vertex(p, db_get(t, i, "code"), atoi(depth),
			                   city != NULL && *city == 't',
			                   strtod(lat, NULL),
			                   strtod(lon, NULL));
	}
	return feed_places_count(p);
}
