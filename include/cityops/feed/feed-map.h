/*
 * Which NGSI-LD entity attribute feeds which indicator: the rows of
 * cityops.entity_mappings(), looked up once per entity reading. An entity
 * id of "*" matches every entity of the type; an exact id wins over it.
 * Libc only.
 */
#ifndef CITYOPS_FEED_MAP_H
#define CITYOPS_FEED_MAP_H

#include <stddef.h>

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
/* Rows held. */
size_t feed_map_count(const struct feed_map *m);
/*
 * Returns the indicator key a reading feeds: r->key when it has one,
 * else the mapped indicator of (entity type, id, attribute), or NULL.
 * The string is owned by the map (or the reading).
 */
const char *feed_map_lookup(struct feed_map *m, const struct feed_reading *r);

#endif
