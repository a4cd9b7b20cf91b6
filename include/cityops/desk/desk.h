/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The live desk: what the console knows of the city right now, as plain
 * typed structs, apart from the screen (the WeeChat lesson in STYLE.md).
 * The screen reads it and never a SQL column; desk-sync.c fills it from the
 * database and the feeds; tests drive it directly, without a terminal.
 *
 * Every change goes through a desk_* function here, which marks what it
 * changed in d->dirty (DESK_DIRTY_* bits); the screen redraws those parts
 * and clears the bits. Libc only: no curses, no libpq, no lws.
 */
#ifndef CITYOPS_DESK_H
#define CITYOPS_DESK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cityops/desk/model-vitals.h"

struct db_table;
struct feed_live;

/* The same values as LOOP_DIRTY_* (loop.h), so the screen can take them
 * as they are; tui.c checks that they agree. */
enum desk_dirty {
	DESK_DIRTY_STATUS = 1 << 0,
	DESK_DIRTY_VITALS = 1 << 1,
	DESK_DIRTY_QUEUE = 1 << 2,
	DESK_DIRTY_UNITS = 1 << 3,
	DESK_DIRTY_EVENTS = 1 << 4,
	DESK_DIRTY_REGIONS = 1 << 5,
};

/* An open incident as the queue shows it. Strings are owned, as the
 * database gave them (NULL for SQL NULL); the screen sanitises them when it
 * draws. The same holds for every struct below. */
struct desk_incident {
	int64_t id;
	char *ref, *category, *category_name, *region_name, *state, *title;
	char *units;  /* call signs on it, "FX-F01 FX-A02" */
	int priority; /* 1-4 */
	int exercise;
	long long age_s;      /* at fetch time */
	int has_sla;          /* sla_left_s is meaningful */
	long long sla_left_s; /* at fetch time; negative: breached */
	int escalation;       /* 督办 level, 0-3 */
	int order;            /* position as fetched (the database's order) */
};

struct desk_unit {
	char *callsign, *name, *kind, *status, *incident_ref, *region_name;
};

/* A child region of the operator's scope, with its roll-up. */
struct desk_region {
	char *code, *name, *level, *worst_state, *worst_indicator;
	char *worst_value, *open_incidents; /* as the database formats them */
	/* The map's (region_map; NULL or 0 from region_children): the name
	 * without its suffix, open incidents by priority (p[0] is P1), the
	 * worst indicators ("name\x1fvalue\x1fstate" lines) and the newest
	 * open incidents ("ref\x1fpriority\x1ftitle" lines). */
	char *short_name, *indicators, *incidents;
	int p[4];
};

/* A child region's shape for the map's outline (region_outline): the
 * polygon as PostgreSQL writes it, parsed by desk/map-outline.c. */
struct desk_shape {
	char *code, *outline;
};

/* An open incident's place for the map (incident_points). */
struct desk_point {
	double lon, lat;
	int priority;
};

/* An indicator as the database last judged it. */
struct desk_vital {
	char *key, *category, *name, *region_name, *unit;
	char *state; /* "alarm", "warn", "normal", "stale", "nodata" */
	char *value; /* the last stored reading as the database formats it */
	double warn, alarm; /* NAN: no threshold */
	double hysteresis;
	long long stale_s; /* 0: never stale */
};

/* A vitals pane row: a category heading or an indicator. */
struct desk_vital_row {
	int heading; /* 1: category heading */
	int vital;   /* index in d->vitals (the first of the category) */
	int worst;   /* heading: indicators in alarm or warning */
};

/* The mode in force. In an emergency with a policy (mode_policy), the
 * categories the desk shows first: indicator category names in the vital
 * signs, incident category codes in the queue, in the policy's order. */
struct desk_mode {
	int emergency;
	char *level, *kind; /* NULL in peace */
	char *set_by;       /* who switched (NULL: unknown) */
	time_t since;       /* when (0: unknown) */
	char **vitals_first, **incidents_first;
	int nvitals_first, nincidents_first;
	int loaded;  /* a mode was read once: later changes go to the log */
	int changed; /* desk_set_mode saw a different mode */
};

/* How the event log colours a line; the screen maps it to a theme slot. */
enum desk_sev {
	DESK_SEV_NORMAL,
	DESK_SEV_DIM,
	DESK_SEV_NEW, /* something raised */
	DESK_SEV_OK,  /* something came back or was done */
	DESK_SEV_WARN,
	DESK_SEV_CRIT,
	DESK_SEV_ERROR, /* a command of ours failed */
};

struct desk_event {
	time_t at;
	enum desk_sev sev;
	char *text;
};

#define DESK_EVENTS_MAX 500

/* A timeline row from the database (events_since), as desk-sync.c reads
 * it; strings may be NULL. */
struct desk_timeline_row {
	uint64_t tx; /* the writing transaction (xid8) */
	int64_t id;
	time_t at;
	const char *ref, *actor, *action, *from_state, *to_state, *unit, *note;
	int exercise;
};

struct desk_feed {
	int link;        /* enum feed_link as last seen */
	int was_up;      /* announced up (events once per change) */
	int64_t down_ms; /* wall ms it went down; 0: up or new */
};

struct desk {
	unsigned dirty; /* DESK_DIRTY_* */

	struct desk_incident *queue;
	int nqueue, queue_loaded;
	/* The queue holds only the first page fetched at start (the rest
	 * follows once the other panes have their data): the load after it
	 * announces no row as new. */
	int queue_partial;
	int64_t queue_at_ms; /* monotonic ms the queue was fetched */
	int p1_arrived;      /* a new P1 since the screen last looked */
	struct desk_unit *units;
	int nunits, units_loaded;
	struct desk_region *regions;
	int nregions, regions_loaded;
	struct desk_shape *shapes; /* read once per scope */
	int nshapes, shapes_loaded;
	struct desk_point *points;
	int npoints;
	struct desk_vital *vitals;
	int nvitals, vitals_loaded;
	struct desk_vital_row *vrows;
	int nvrows, vrows_stale;
	struct desk_mode mode;
	int counts[5]; /* open incidents by priority 1-4 */
	int counts_loaded;

	/* The vital-signs model: live values, states and history. */
	struct model_vitals *mv;
	/* Live feeds feeding mv (owned by desk-sync), and their health. */
	struct feed_live *feeds;
	struct desk_feed *feed;
	int nfeeds;
	/* ingest's sources as it reports them (cityops.source_health):
	 * how many, how many well and reporting, the first one that is not
	 * (its label, e.g. "cap1"). */
	int nsources, sources_ok, sources_loaded;
	char source_bad[40];

	/* The event log: a ring, newest at head - 1. */
	struct desk_event events[DESK_EVENTS_MAX];
	int nevents, event_head;
	/* Position in the timeline (events_since); has_horizon 0 until the
	 * first answer. Rows shown whose tx is at or past the horizon come
	 * again in the next answer: their ids, sorted, so they show once. */
	uint64_t horizon;
	int has_horizon;
	struct desk_shown {
		int64_t id;
		uint64_t tx;
	} * shown;
	int nshown, capshown;

	/* Refs that arrived in the queue recently, with their end time. */
	struct desk_fresh {
		char *ref;
		int64_t until_ms;
	} * fresh;
	int nfresh, capfresh;
	char **seen; /* sorted refs of the last queue */
	int nseen;

	/* The database link (enum db_link), why it is down, since when
	 * (monotonic ms; 0 when up). */
	int link;
	char link_why[256];
	int64_t down_since_ms;

	/* Automatic escalations (自动督办: timeline rows by 'system') seen
	 * since the console started, and one arrived since the screen last
	 * looked (the bell). */
	int auto_escalations, escalation_arrived;

	/* Actions on the selection and the alarm board (desk-actions.h). */
	struct desk_act *act;

	/* Region names for completion, sorted, each once. */
	char **region_names;
	int nregion_names;
};

/* A new, empty desk; free with desk_free. */
struct desk *desk_new(void);
void desk_free(struct desk **dp);

/*
 * Replaces the queue with n incidents (moved in: the desk owns their
 * strings and the caller's array is emptied). Refs not in the last queue
 * become fresh until now_ms + fresh_ms; a fresh P1 sets p1_arrived.
 */
void desk_set_queue(struct desk *d, struct desk_incident *inc, int n,
                    int64_t now_ms, int64_t fresh_ms);
/* Is ref in the queue's fresh arrivals at now_ms? */
int desk_is_fresh(const struct desk *d, const char *ref, int64_t now_ms);
/* Forgets arrivals that are no longer fresh; returns 1 if any. */
int desk_expire_fresh(struct desk *d, int64_t now_ms);
/* The incident in the queue with ref, or NULL. */
const struct desk_incident *desk_find_incident(const struct desk *d,
                                               const char *ref);

void desk_set_units(struct desk *d, struct desk_unit *u, int n);
void desk_set_regions(struct desk *d, struct desk_region *r, int n);
/* Frees n regions and the array; empties both. */
void desk_regions_free(struct desk_region **r, int *n);

/* Replace the map's shapes and incident points (the desk owns them). */
void desk_set_shapes(struct desk *d, struct desk_shape *s, int n);
void desk_set_points(struct desk *d, struct desk_point *p, int n);
/* Replaces the catalogue and (re)defines each indicator in the model. */
void desk_set_vitals(struct desk *d, struct desk_vital *v, int n);
/* Who switched, since when, and the policy's categories ("a\x1fb", NULL
 * or "" for none). Reorders the queue and the vital signs; a change after
 * the first load writes an event-log line. Call after desk_set_mode. */
void desk_set_mode_desk(struct desk *d, const char *set_by, time_t since,
                        const char *vitals_first, const char *incidents_first);
void desk_set_mode(struct desk *d, int emergency, const char *level,
                   const char *kind);
void desk_mode_clear(struct desk_mode *m);
/* The queue in the mode's order: its categories first, then as fetched. */
void desk_mode_sort_queue(struct desk *d);
/* A vital-signs category's place in the mode's order (INT_MAX: none). */
int desk_mode_vital_rank(const struct desk *d, const char *category);
void desk_set_count(struct desk *d, int priority, int n);
void desk_counts_loaded(struct desk *d);

/* Remembers a region name for completion (a copy). */
void desk_add_region_name(struct desk *d, const char *name);

/*
 * What the vitals pane shows for vital i: the live value and state from a
 * feed once one has fed the indicator (stale when that feed has been down
 * down_stale_ms at now_ms), else the database's. Writes the value text into
 * value (may be NULL); returns the state name, and sets *live (may be
 * NULL) to 1 for a feed value.
 */
const char *desk_vital_now(const struct desk *d, int i, int64_t now_ms,
                           int64_t down_stale_ms, char *value, size_t valuesz,
                           int *live);
/* Groups the vitals rows by category, worst group and worst row first, by
 * the states desk_vital_now gives at now_ms. */
void desk_build_vital_rows(struct desk *d, int64_t now_ms,
                           int64_t down_stale_ms);

/* Appends a line to the event log (a sanitised copy), at time at. */
void desk_event(struct desk *d, time_t at, enum desk_sev sev, const char *text);
/* The i-th newest event (0: newest), or NULL. */
const struct desk_event *desk_event_at(const struct desk *d, int i);

/*
 * Applies an answer of events_since(from): the timeline rows with tx at or
 * past from, oldest first, the newest n of span. An answer for another
 * position than the desk's (a late or repeated answer) changes nothing and
 * returns 0. Otherwise each row not shown before becomes an event line, in
 * order (a line says how many older rows of the span were left out), the
 * desk moves to horizon, and it returns 1. The first answer (from "no
 * position") only sets the position.
 */
int desk_apply_timeline(struct desk *d, int has_from, uint64_t from,
                        uint64_t horizon, long long span,
                        const struct desk_timeline_row *rows, int n);

/* An event line for a timeline row. */
void desk_timeline_text(const struct desk_timeline_row *r, char *buf,
                        size_t bufsz);

#endif
