/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What arrives over MQTT, decoded: FIWARE IoT Agent measures on
 * /[ul|json/]<apikey>/<device id>/attrs — UltraLight 2.0 text
 * ("t|15|h|40", groups joined by '#') or a JSON object of measures — and
 * anything else through the shared decoder (native JSON readings, NGSI-LD
 * entities and notifications, also inside the {"metadata", "body"}
 * envelope Scorpio and Orion-LD publish).
 *
 * A measure becomes an entity reading: entity type = the API key (an IoT
 * Agent service group names one entity type per key), entity id = the
 * device id, attribute = the measure's key; the mapping table
 * (cityops.entity_mappings) places it. A "TimeInstant" measure, as the IoT
 * Agents name it, is the observed time of the others in its group.
 */
#ifndef CITYOPS_FEED_MQTT_H
#define CITYOPS_FEED_MQTT_H

#include <stddef.h>

#include "cityops/feed/feed.h"

/* One "key|value" pair of group g (0-based); lengths, not terminated. */
typedef void (*feed_ul_fn)(void *arg, unsigned g, const char *k, size_t kn,
                           const char *v, size_t vn);

/*
 * Parses UltraLight 2.0 measures: groups separated by '#', each an even
 * number of '|'-separated fields (key, value, key, value ...). Calls fn per
 * pair and returns the number of pairs, or -1 (fn not called at all) when
 * a group has an odd field count, an empty key, or a NUL byte.
 */
int feed_ul_parse(const char *buf, size_t len, feed_ul_fn fn, void *arg);

/*
 * Decodes one MQTT message on topic into events for sink, as feed_decode
 * does for a websocket message (same result and statistics).
 */
enum feed_status feed_mqtt_decode(struct feed_decoder *d, const char *topic,
                                  const char *payload, size_t len,
                                  feed_sink_fn sink, void *arg,
                                  struct feed_result *res);

#endif
