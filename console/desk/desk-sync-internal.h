/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What the three parts of desk-sync share (not a public header): the
 * reads kept fresh (desk-sync.c), change records applied once
 * (desk-changes.c) and the console's live feeds (desk-feeds.c).
 */
#ifndef CITYOPS_DESK_SYNC_INTERNAL_H
#define CITYOPS_DESK_SYNC_INTERNAL_H

#include <stdint.h>

#include "cityops/db/db.h"
#include "cityops/desk/change-seq.h"
#include "cityops/desk/desk-sync.h"

enum want_bits {
	W_QUEUE = 1 << 0,
	W_UNITS = 1 << 1,
	W_VITALS = 1 << 2,
	W_MODE = 1 << 3,
	W_REGIONS = 1 << 4,
	W_COUNTS = 1 << 5,
	W_WHOAMI = 1 << 6,
	W_MAPS = 1 << 7, /* the entity mapping, for NGSI-LD feeds */
	W_EVENTS = 1 << 8,
	W_ACTIONS = 1 << 9,  /* the role's allowed actions (desk-actions.h) */
	W_ALARMS = 1 << 10,  /* the alarm board */
	W_SHAPES = 1 << 11,  /* the map's region shapes, once per scope */
	W_POINTS = 1 << 12,  /* the map's incident points */
	W_CHANGES = 1 << 13, /* the change log from our position */
	W_SOURCES = 1 << 14, /* ingest's sources' health */
	W_ALL = 0x7fff,
	W_COUNT = 15,
};

/* A read being kept fresh; coalesces requests while one runs. */
struct fetch {
	int inflight, again;
};

struct desk_sync {
	struct loop *loop;
	struct desk *d;
	struct session *s;
	struct desk_sync_opts o;
	struct desk_sync_hooks h;
	struct db_async *db;
	struct fetch f[W_COUNT];
	unsigned want;
	struct loop_timer *refetch_timer, *vitals_timer;
	char **hist_loaded; /* indicator keys whose history is loaded */
	int nhist_loaded, hist_inflight;
	char *bad_feed;
	struct change_seq cs;     /* position in the change log */
	struct desk_relay *relay; /* --relay: change records, no LISTEN */
};

struct fetch_req {
	struct desk_sync *sy;
	unsigned what;
	/* W_EVENTS: the position asked from. */
	int has_from;
	uint64_t from;
	int limit; /* W_QUEUE: rows asked for */
	/* W_CHANGES: the change-log position asked from. */
	int cs_has;
	int64_t cs_seq;
	uint64_t cs_horizon;
};

/* desk-sync.c */
void desk_sync_changed(struct desk_sync *sy);
void desk_sync_event(struct desk_sync *sy, enum desk_sev sev, const char *fmt,
                     ...) __attribute__((format(printf, 3, 4)));
/* Asks for the reads in bits, soon (coalesced). */
void desk_sync_want(struct desk_sync *sy, unsigned bits);

/* desk-changes.c */
/* Pulls "key":"value" or "key":number out of a small flat JSON object. */
int desk_json_field(const char *js, const char *key, char *out, size_t outsz);
/* An answer of changes_since (or change_head at the start). */
void desk_sync_apply_changes(struct desk_sync *sy, const struct fetch_req *fr,
                             const struct db_table *tb);
/* A notification (LISTEN or the relay). */
void desk_sync_on_notify(void *arg, const char *payload);

/* desk-feeds.c */
/* Subscribes to the configured feeds (none: nothing). */
void desk_feeds_start(struct desk_sync *sy);
/* Q_ENTITY_MAPPINGS answered: the mapping, then units and extents. */
void desk_feeds_catalogue(struct desk_sync *sy, const struct db_table *tb);

#endif
