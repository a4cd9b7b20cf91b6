/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Keeps the desk live (include/cityops/desk-sync.h). Change records from
 * the database say what changed; the matching reads are asked for once
 * (coalesced while one runs) and their answers applied to the desk. The
 * event log follows the timeline by position (events_since), so each
 * event shows once and in order, bursts and outages included. Changes
 * (units, alarms, mode, incidents, drills) are read from the change log
 * by sequence (changes_since, change-seq.h): a notification only says
 * "read again", so after a reconnect — LISTEN first, then the read from
 * the last sequence applied — each change is applied exactly once, and
 * one missed during an outage or a failover is applied late, never lost.
 * Change records are applied in desk-changes.c, the live feeds kept in
 * desk-feeds.c (desk-sync-internal.h is what the three share).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cityops/cmd/cmd.h"
#include "cityops/db/db.h"
#include "cityops/desk/change-seq.h"
#include "cityops/desk/desk-relay.h"
#include "cityops/desk/desk-sync.h"
#include "cityops/desk/desk-actions.h"
#include "cityops/feed/feed-live.h"
#include "desk-sync-internal.h"
#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/names.h"
#include "cityops/core/util.h"

#define REFETCH_MS       30
#define VITALS_EVERY_MS  15000
#define HISTORY_INFLIGHT 4
/* At start the queue is asked for this many rows first, so the screen is
 * painted without waiting for a long queue (queue-limit); the rest is
 * asked for after the other panes' reads. */
#define QUEUE_FIRST_PAGE 200

static void fetch_wanted(struct desk_sync *sy);

void
desk_sync_changed(struct desk_sync *sy)
{
	if (sy->d->dirty && sy->h.changed)
		sy->h.changed(sy->h.arg);
}

void
desk_sync_event(struct desk_sync *sy, enum desk_sev sev, const char *fmt, ...)
{
	va_list ap;
	char line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	desk_event(sy->d, time(NULL), sev, line);
	desk_sync_changed(sy);
}

static struct fetch *
fetch_of(struct desk_sync *sy, unsigned what)
{
	for (int i = 0; i < W_COUNT; i++)
		if (what == 1u << i)
			return &sy->f[i];
	return NULL;
}

void
desk_sync_want(struct desk_sync *sy, unsigned bits)
{
	sy->want |= bits;
	loop_timer_start_if_idle(sy->refetch_timer, REFETCH_MS);
}

/* ---- answers ----------------------------------------------------------- */

static void
relay_resync(void *arg)
{
	desk_sync_want(arg, W_ALL);
}

/* --relay: once the scope is known, follow the relay for it. */
static void
relay_start(struct desk_sync *sy)
{
	struct desk_relay_hooks h = {desk_sync_on_notify, relay_resync, sy};

	if (sy->o.relay != NULL && sy->relay == NULL)
		sy->relay =
		    desk_relay_new(sy->loop, sy->db, sy->o.relay,
		                   sy->s->scope_code, sy->o.exercise, &h);
}

static void
on_whoami(struct desk_sync *sy, const struct db_table *tb)
{
	struct session *s = sy->s;
	int role;

	if (tb->nrows != 1)
		return;
	session_clear(s);
	s->login = xstrdup(db_get(tb, 0, "login") ?: "");
	s->display_name = xstrdup(db_get(tb, 0, "display_name") ?: "");
	s->scope_code = xstrdup(db_get(tb, 0, "scope_code") ?: "");
	s->scope_name = xstrdup(db_get(tb, 0, "scope_name") ?: "");
	role = names_role_parse(db_get(tb, 0, "role"));
	s->role = role < 0 ? ROLE_viewer : (enum role)role;
	desk_add_region_name(sy->d, s->scope_name);
	sy->d->dirty |= DESK_DIRTY_STATUS | DESK_DIRTY_REGIONS;
	relay_start(sy);
}

/* ingest's sources: well (ok and reporting) or not. */
static void
on_sources(struct desk_sync *sy, const struct db_table *tb)
{
	struct desk *d = sy->d;

	d->nsources = tb->nrows;
	d->sources_ok = 0;
	d->source_bad[0] = '\0';
	for (int i = 0; i < tb->nrows; i++) {
		const char *ok = db_get(tb, i, "ok"),
		           *stale = db_get(tb, i, "stale");
		if (ok != NULL && strcmp(ok, "t") == 0 &&
		    !(stale != NULL && strcmp(stale, "t") == 0))
			d->sources_ok++;
		else if (d->source_bad[0] == '\0')
			snprintf(d->source_bad, sizeof d->source_bad, "%s",
			         db_get(tb, i, "label") ?: "?");
	}
	d->sources_loaded = 1;
	d->dirty |= DESK_DIRTY_STATUS;
}

static void
apply(struct desk_sync *sy, const struct fetch_req *fr,
      const struct db_table *tb)
{
	struct desk *d = sy->d;

	switch (fr->what) {
	case W_QUEUE:
		desk_rows_queue(d, tb, loop_now_ms(), DESK_FRESH_MS);
		d->queue_partial = fr->limit < sy->o.queue_limit;
		if (d->queue_partial)
			sy->want |=
			    W_QUEUE; /* the rest, after what is queued */
		break;
	case W_UNITS:
		desk_rows_units(d, tb);
		break;
	case W_VITALS:
		desk_rows_vitals(d, tb);
		break;
	case W_MODE:
		desk_rows_mode(d, tb);
		break;
	case W_REGIONS:
		desk_set_regions(d, desk_rows_regions(tb), tb->nrows);
		break;
	case W_COUNTS:
		desk_rows_counts(d, tb);
		break;
	case W_EVENTS:
		desk_rows_timeline(d, fr->has_from, fr->from, tb);
		break;
	case W_WHOAMI:
		on_whoami(sy, tb);
		/* The regions pane and the map need the scope. */
		sy->want |= W_REGIONS | W_SHAPES | W_POINTS;
		break;
	case W_MAPS:
		desk_feeds_catalogue(sy, tb);
		break;
	case W_SHAPES:
		desk_rows_shapes(d, tb);
		break;
	case W_POINTS:
		desk_rows_points(d, tb);
		break;
	case W_ACTIONS:
		desk_rows_rules(d, tb);
		break;
	case W_ALARMS:
		desk_rows_alarms(d, tb);
		break;
	case W_CHANGES:
		desk_sync_apply_changes(sy, fr, tb);
		break;
	case W_SOURCES:
		on_sources(sy, tb);
		break;
	default:
		break;
	}
}

static void
fetched(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct fetch_req *fr = arg;
	struct desk_sync *sy = fr->sy;
	struct fetch *f = fetch_of(sy, fr->what);

	f->inflight = 0;
	if (err != NULL) {
		log_msg(LOG_WARN, "fetch %u failed: %s", fr->what,
		        err->message ? err->message : "?");
		if (err->message != NULL && fr->what != W_WHOAMI && sy->h.error)
			sy->h.error(sy->h.arg, err->message);
	} else {
		apply(sy, fr, tb);
		desk_sync_changed(sy);
	}
	db_table_free(&tb);
	if (f->again) {
		f->again = 0;
		sy->want |= fr->what;
	}
	free(fr);
	fetch_wanted(sy);
}

/* ---- asking ------------------------------------------------------------ */

static void
submit(struct desk_sync *sy, struct fetch_req *fr)
{
	char limit[16], from[24];
	const char *ex = sy->o.exercise ? "true" : "false";
	struct db_async *db = sy->db;

	snprintf(limit, sizeof limit, "%d", fr->limit);
	switch (fr->what) {
	case W_QUEUE: {
		const char *p[7] = {NULL, NULL, NULL, NULL, "false", ex, limit};
		db_async_submit(db, Q_QUEUE, 7, p, fetched, fr);
		break;
	}
	case W_UNITS: {
		const char *p[4] = {NULL, NULL, NULL, ex};
		db_async_submit(db, Q_UNITS, 4, p, fetched, fr);
		break;
	}
	case W_VITALS: {
		const char *p[3] = {NULL, NULL, "10000"};
		db_async_submit(db, Q_VITALS, 3, p, fetched, fr);
		break;
	}
	case W_MODE:
		db_async_submit(db, Q_MODE_DESK, 0, NULL, fetched, fr);
		break;
	case W_REGIONS: {
		const char *p[1] = {sy->s->scope_code};
		/* region_children's columns and the map's */
		db_async_submit(db, Q_REGION_MAP, 1, p, fetched, fr);
		break;
	}
	case W_COUNTS: {
		const char *p[1] = {ex};
		db_async_submit(db, Q_TUI_COUNTS, 1, p, fetched, fr);
		break;
	}
	case W_EVENTS: {
		const char *p[2] = {fr->has_from ? from : NULL, ex};
		snprintf(from, sizeof from, "%llu",
		         (unsigned long long)fr->from);
		db_async_submit(db, Q_TUI_EVENTS, 2, p, fetched, fr);
		break;
	}
	case W_WHOAMI:
		db_async_submit(db, Q_WHOAMI, 0, NULL, fetched, fr);
		break;
	case W_MAPS:
		db_async_submit(db, Q_ENTITY_MAPPINGS, 0, NULL, fetched, fr);
		break;
	case W_SHAPES: {
		const char *p[1] = {sy->s->scope_code};
		db_async_submit(db, Q_REGION_OUTLINE, 1, p, fetched, fr);
		break;
	}
	case W_POINTS: {
		const char *p[2] = {sy->s->scope_code, "2000"};
		db_async_submit(db, Q_INCIDENT_POINTS, 2, p, fetched, fr);
		break;
	}
	case W_ACTIONS:
		db_async_submit(db, Q_DESK_ACTIONS, 0, NULL, fetched, fr);
		break;
	case W_ALARMS: {
		const char *p[2] = {ex, "200"};
		db_async_submit(db, Q_ALARM_BOARD, 2, p, fetched, fr);
		break;
	}
	case W_CHANGES: {
		char seq[24], hz[24];
		const char *p[3] = {seq, hz, ex};
		if (!fr->cs_has) {
			db_async_submit(db, Q_TUI_CHANGE_HEAD, 0, NULL, fetched,
			                fr);
			break;
		}
		snprintf(seq, sizeof seq, "%lld", (long long)fr->cs_seq);
		snprintf(hz, sizeof hz, "%llu",
		         (unsigned long long)fr->cs_horizon);
		db_async_submit(db, Q_TUI_CHANGES, 3, p, fetched, fr);
		break;
	}
	case W_SOURCES:
		db_async_submit(db, Q_SOURCE_HEALTH, 0, NULL, fetched, fr);
		break;
	default:
		free(fr);
	}
}

static void
submit_fetch(struct desk_sync *sy, unsigned what)
{
	struct fetch *f = fetch_of(sy, what);
	struct fetch_req *fr;

	if (f->inflight) {
		f->again = 1;
		return;
	}
	f->inflight = 1;
	fr = xcalloc(1, sizeof *fr);
	fr->sy = sy;
	fr->what = what;
	fr->has_from = sy->d->has_horizon;
	fr->from = sy->d->horizon;
	fr->limit = sy->o.queue_limit;
	fr->cs_has = change_seq_ask(&sy->cs, &fr->cs_seq, &fr->cs_horizon);
	if (!sy->d->queue_loaded && fr->limit > QUEUE_FIRST_PAGE)
		fr->limit = QUEUE_FIRST_PAGE;
	submit(sy, fr);
}

static void
fetch_wanted(struct desk_sync *sy)
{
	static const unsigned order[] = {
	    W_WHOAMI,  W_CHANGES, W_MODE,   W_QUEUE,   W_EVENTS,
	    W_COUNTS,  W_UNITS,   W_VITALS, W_REGIONS, W_MAPS,
	    W_ACTIONS, W_ALARMS,  W_SHAPES, W_POINTS,  W_SOURCES};

	if (sy->d->link != DB_LINK_UP)
		return;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		if (!(sy->want & order[i]))
			continue;
		/* Regions need the scope from whoami first. */
		if ((order[i] & (W_REGIONS | W_SHAPES | W_POINTS)) &&
		    sy->s->scope_code == NULL)
			continue;
		sy->want &= ~order[i];
		if (order[i] == W_MAPS && sy->d->feeds == NULL)
			continue;
		submit_fetch(sy, order[i]);
	}
}

static void
refetch_cb(void *arg)
{
	fetch_wanted(arg);
}

static void
vitals_cb(void *arg)
{
	struct desk_sync *sy = arg;

	/* Sources too: one gone silent says nothing, time does. */
	desk_sync_want(sy, W_VITALS | W_SOURCES);
	loop_timer_start(sy->vitals_timer, VITALS_EVERY_MS);
}

/* ---- sparkline history ------------------------------------------------- */

struct hist_req {
	struct desk_sync *sy;
	char *key;
};

static void
history_loaded(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct hist_req *h = arg;
	struct desk_sync *sy = h->sy;

	sy->hist_inflight--;
	if (err == NULL) {
		/* Into the model: oldest first, so each one applies. */
		struct feed_reading r = {0};
		for (int i = 0; i < tb->nrows; i++) {
			r.key = h->key;
			r.value = atof(db_get(tb, i, "value") ?: "0");
			r.ts_ms = atoll(db_get(tb, i, "ms") ?: "0");
			if (isfinite(r.value))
				model_vitals_apply(sy->d->mv, &r, r.ts_ms,
				                   NULL);
		}
		sy->d->dirty |= DESK_DIRTY_VITALS;
		desk_sync_changed(sy);
	}
	db_table_free(&tb);
	free(h->key);
	free(h);
}

void
desk_sync_history(struct desk_sync *sy, const int *vitals, int n)
{
	for (int k = 0; k < n; k++) {
		const char *key, *params[2] = {NULL, "1"};
		struct hist_req *h;

		if (sy->hist_inflight >= HISTORY_INFLIGHT ||
		    sy->d->link != DB_LINK_UP)
			return;
		if (vitals[k] < 0 || vitals[k] >= sy->d->nvitals)
			continue;
		key = sy->d->vitals[vitals[k]].key;
		if (key == NULL ||
		    !strset_add(&sy->hist_loaded, &sy->nhist_loaded, key))
			continue;
		h = xcalloc(1, sizeof *h);
		h->sy = sy;
		h->key = xstrdup(key);
		params[0] = key;
		sy->hist_inflight++;
		db_async_submit(sy->db, Q_TUI_HISTORY, 2, params,
		                history_loaded, h);
	}
}

/* ---- change records and the link --------------------------------------- */

static void
on_link(void *arg, enum db_link link, const char *why)
{
	struct desk_sync *sy = arg;
	struct desk *d = sy->d;
	int was = d->link;

	d->link = link;
	if (link == DB_LINK_UP) {
		if (was != DB_LINK_UP && d->down_since_ms != 0) {
			char node[128] = "";
			db_node(db_async_db(sy->db), node, sizeof node);
			desk_sync_event(
			    sy, DESK_SEV_OK,
			    "数据库已恢复 %s, %lld 秒, 全量同步", node,
			    (long long)((loop_now_ms() - d->down_since_ms) /
			                1000));
		}
		d->down_since_ms = 0;
		d->link_why[0] = '\0';
		/* Full resync: everything may have changed meanwhile; the
		 * event log goes on from its position. */
		sy->want |= W_ALL;
		fetch_wanted(sy);
	} else if (link == DB_LINK_DOWN) {
		if (d->down_since_ms == 0) {
			d->down_since_ms = loop_now_ms();
			desk_sync_event(sy, DESK_SEV_CRIT, "数据库断开: %s",
			                why ? why : "");
		}
		snprintf(d->link_why, sizeof d->link_why, "%s", why ? why : "");
		/* Fetches in flight are resent by db-async.c; forget ours. */
	}
	d->dirty |= DESK_DIRTY_STATUS;
	desk_sync_changed(sy);
}

/* ---- start and stop ---------------------------------------------------- */

struct desk_sync *
desk_sync_new(struct loop *loop, struct desk *d, struct session *s,
              const struct desk_sync_opts *o, const struct desk_sync_hooks *h)
{
	struct desk_sync *sy = xcalloc(1, sizeof *sy);
	struct db_async_hooks dh = {on_link,
	                            o->relay ? NULL : desk_sync_on_notify, sy};

	sy->loop = loop;
	sy->d = d;
	sy->s = s;
	sy->o = *o;
	sy->h = *h;
	sy->refetch_timer = loop_timer_new(loop, refetch_cb, sy);
	sy->vitals_timer = loop_timer_new(loop, vitals_cb, sy);
	d->link = DB_LINK_CONNECTING;
	desk_feeds_start(sy);
	sy->db = db_async_new(loop, o->dsn, &dh);
	loop_timer_start(sy->vitals_timer, VITALS_EVERY_MS);
	return sy;
}

void
desk_sync_free(struct desk_sync **sp)
{
	struct desk_sync *sy = *sp;

	if (sy == NULL)
		return;
	feed_live_free(&sy->d->feeds);
	desk_relay_free(&sy->relay);
	db_async_free(&sy->db);
	loop_timer_free(&sy->refetch_timer);
	loop_timer_free(&sy->vitals_timer);
	strset_free(&sy->hist_loaded, &sy->nhist_loaded);
	change_seq_free(&sy->cs);
	free(sy->bad_feed);
	free(sy);
	*sp = NULL;
}

struct db_async *
desk_sync_db(struct desk_sync *sy)
{
	return sy->db;
}

const char *
desk_sync_bad_feed(const struct desk_sync *sy)
{
	return sy->bad_feed;
}
