/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The console's live feeds: a set of feed clients (feed-client.h) whose
 * readings go straight into the vital-signs model (model-vitals.h), with
 * the entity mapping applied, indicators marked stale by a sweep once a
 * feed stops, and each feed's health for the status line. For tui.c:
 *
 *   fl = feed_live_new(loop_lws(loop), model, &hooks);
 *   feed_live_add(fl, url) for each --feed / config "feeds" URL;
 *   feed_catalogue_*(feed_live_map(fl), ...) with the answers of
 *   Q_ENTITY_MAPPINGS, Q_INDICATOR_UNITS and Q_REGION_EXTENTS (each
 *   replaces what it loaded before, so a reload is the same calls);
 *   hooks.changed → loop_dirty(VITALS and/or STATUS); hooks.event gets
 *   alarms, incident reports, CAP and Open311 events for the event pane.
 *
 * The model's clock here is the wall clock in epoch ms (feed_wall_ms), the
 * same as readings' observed times.
 */
#ifndef CITYOPS_FEED_LIVE_H
#define CITYOPS_FEED_LIVE_H

#include <stddef.h>

#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed.h"

struct lws_context;
struct model_vitals;
struct model_indicator;
struct feed_live;

enum feed_live_change {
	FEED_LIVE_VALUES = 1 << 0, /* indicator values or states */
	FEED_LIVE_HEALTH = 1 << 1, /* a feed's link or counters */
	/* An indicator's state changed, or it got its first live value:
	 * what orders the vitals pane. Always comes with VALUES. */
	FEED_LIVE_STATES = 1 << 2,
};

struct feed_live_hooks {
	/* Something changed (bits of feed_live_change); at most once per
	 * loop turn, so a burst costs one redraw. May be NULL. */
	void (*changed)(void *arg, unsigned what);
	/* A non-reading event from feed i (alarms, incident reports, CAP,
	 * Open311, heartbeats); pointers live for the call. */
	void (*event)(void *arg, size_t feed, const struct feed_event *ev);
	void *arg;
};

/* Returns a new, empty set; the model and context must outlive it. */
struct feed_live *feed_live_new(struct lws_context *ctx,
                                struct model_vitals *model,
                                const struct feed_live_hooks *h);
/* Stops every feed and frees; sets *flp to NULL. */
void feed_live_free(struct feed_live **flp);
/* Subscribes to url; returns 0, or -1 (logged) for a bad URL. */
int feed_live_add(struct feed_live *fl, const char *url);
/* The catalogue readings are judged by (feed-map.h; load it with
 * feed-catalogue.h); owned by the set. */
struct feed_map *feed_live_map(struct feed_live *fl);
/* The catalogue is loaded (the extents, last): readings are judged and
 * applied from now on. Until then they are not shown — judged without
 * the indicators' units, a reading in centimetres would show as metres. */
void feed_live_ready(struct feed_live *fl);
/* Health of feed i (owned by the set, valid until the next event). */
const struct feed_health *feed_live_health(struct feed_live *fl, size_t i);
/* Readings applied. */
unsigned long long feed_live_applied(const struct feed_live *fl);
/* The feed (index) that last fed ind a reading, or -1: none has. */
long feed_live_source(const struct feed_live *fl,
                      const struct model_indicator *ind);

#endif
