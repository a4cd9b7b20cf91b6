/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The catalogue a feed's readings are judged against (feed-map.h), loaded
 * from the database's answers: the same three reads for ingest, which
 * stores, and for the console, which shows live values — so that both
 * place, map and convert a reading alike.
 *
 *   Q_ENTITY_MAPPINGS  → feed_catalogue_mappings
 *   Q_INDICATOR_UNITS  → feed_catalogue_units
 *   Q_REGION_EXTENTS   → feed_catalogue_extents
 *
 * Each replaces what the map held of its kind.
 */
#ifndef CITYOPS_FEED_CATALOGUE_H
#define CITYOPS_FEED_CATALOGUE_H

#include <stddef.h>

struct db_table;
struct feed_map;

/* Returns the number of rows mapped. */
size_t feed_catalogue_mappings(struct feed_map *m, const struct db_table *t);
void feed_catalogue_units(struct feed_map *m, const struct db_table *t);
/* Returns the number of regions with an extent. */
size_t feed_catalogue_extents(struct feed_map *m, const struct db_table *t);

#endif
