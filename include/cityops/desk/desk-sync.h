/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Keeps the desk (desk.h) live: fetches what the console shows from the
 * database, refetches what change records say changed, follows the event
 * log by its position, and feeds live values from the feeds into the
 * vital-signs model. No curses here: the screen is told through hooks.
 */
#ifndef CITYOPS_DESK_SYNC_H
#define CITYOPS_DESK_SYNC_H

#include <stdint.h>

#include "cityops/desk/desk.h"

struct db_table;
struct db_async;
struct loop;
struct session;

/* desk-rows.c: database answers into the desk. */
void desk_rows_queue(struct desk *d, const struct db_table *t, int64_t now_ms,
                     int64_t fresh_ms);
void desk_rows_units(struct desk *d, const struct db_table *t);
/* A region list (region_children) as desk regions; the caller owns it. */
struct desk_region *desk_rows_regions(const struct db_table *t);
void desk_rows_vitals(struct desk *d, const struct db_table *t);
/* region_outline and incident_points answers into the desk's map data. */
void desk_rows_shapes(struct desk *d, const struct db_table *t);
void desk_rows_points(struct desk *d, const struct db_table *t);
void desk_rows_mode(struct desk *d, const struct db_table *t);
void desk_rows_counts(struct desk *d, const struct db_table *t);
/* An events_since answer asked from (has_from, from); returns what
 * desk_apply_timeline returns, 0 for an answer without a horizon. */
int desk_rows_timeline(struct desk *d, int has_from, uint64_t from,
                       const struct db_table *t);

struct desk_sync_hooks {
	/* The desk changed: d->dirty says what; draw soon. */
	void (*changed)(void *arg);
	/* Incident ref changed (an open view of it may follow). */
	void (*incident)(void *arg, const char *ref);
	/* A background fetch failed with this message. */
	void (*error)(void *arg, const char *message);
	/* A feed heartbeat sent at sent_ms arrived at arrived_ms. */
	void (*heartbeat)(void *arg, int64_t sent_ms, int64_t arrived_ms);
	void *arg;
};

struct desk_sync_opts {
	const char *dsn;
	int exercise;             /* show exercise data too */
	int queue_limit;          /* rows of the queue */
	const char *const *feeds; /* feed URLs */
	int nfeeds;
};

/* A feed down this long makes the values it gave stale. */
#define DESK_FEED_DOWN_STALE_MS 5000
/* How long a new incident stays marked as new. */
#define DESK_FRESH_MS 120000

struct desk_sync;

/* Starts connecting and subscribing; s is filled from whoami. */
struct desk_sync *desk_sync_new(struct loop *loop, struct desk *d,
                                struct session *s,
                                const struct desk_sync_opts *o,
                                const struct desk_sync_hooks *h);
void desk_sync_free(struct desk_sync **sp);
/* The connection commands run on. */
struct db_async *desk_sync_db(struct desk_sync *sy);
/* Loads sparkline history for these vitals (indexes in d->vitals), a few
 * at a time. */
void desk_sync_history(struct desk_sync *sy, const int *vitals, int n);
/* Bad feed URLs given at start, for the screen to report; NULL if none. */
const char *desk_sync_bad_feed(const struct desk_sync *sy);
/* Logs each feed's totals (at exit). */
void desk_sync_log_feeds(const struct desk_sync *sy);

#endif
