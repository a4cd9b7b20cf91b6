/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The console's live feeds (desk-sync-internal.h): their readings go to
 * the vital-signs model (feed-live.h), judged by the same catalogue as
 * ingest's — mapping, indicator units and region extents — and their
 * alarms, reports, CAP warnings and Open311 requests to the event log.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "cityops/feed/feed-catalogue.h"
#include "cityops/feed/feed-live.h"
#include "desk-sync-internal.h"

/* ---- live feeds -------------------------------------------------------- */

static const char *
feed_label(const struct feed_health *h)
{
	const char *n = h->name ? h->name : "";

	return strncmp(n, "ws://", 5) == 0 ? n + 5 : n;
}

/* Link changes become events, once per change (not per retry). */
static void
feed_links(struct desk_sync *sy)
{
	struct desk *d = sy->d;

	for (int i = 0; i < d->nfeeds; i++) {
		const struct feed_health *h =
		    feed_live_health(d->feeds, (size_t)i);
		struct desk_feed *f = &d->feed[i];

		if (h->link == (enum feed_link)f->link)
			continue;
		f->link = h->link;
		if (h->link == FEED_LINK_UP) {
			desk_sync_event(sy, DESK_SEV_OK, "馈送已连接: %s",
			                feed_label(h));
			f->was_up = 1;
			f->down_ms = 0;
		} else if (h->link == FEED_LINK_WAITING &&
		           (f->was_up || f->down_ms == 0)) {
			desk_sync_event(sy, DESK_SEV_CRIT, "馈送断开: %s — %s",
			                feed_label(h),
			                h->why[0] ? h->why : "?");
			f->was_up = 0;
			f->down_ms = feed_wall_ms();
		}
	}
}

static void
feeds_changed(void *arg, unsigned what)
{
	struct desk_sync *sy = arg;

	if (what & FEED_LIVE_VALUES)
		sy->d->dirty |= DESK_DIRTY_VITALS;
	/* Regrouping every row is for a changed state or a feed going up
	 * or down (its values turn stale or live), not for every value. */
	if (what & (FEED_LIVE_STATES | FEED_LIVE_HEALTH))
		sy->d->vrows_stale = 1;
	if (what & FEED_LIVE_HEALTH) {
		feed_links(sy);
		sy->d->dirty |= DESK_DIRTY_STATUS | DESK_DIRTY_VITALS;
	}
	desk_sync_changed(sy);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

static void
feed_alarm_event(struct desk_sync *sy, const char *ex,
                 const struct feed_alarm *a)
{
	char val[32] = "";

	if (!isnan(a->value))
		snprintf(val, sizeof val, " %.6g", a->value);
	desk_sync_event(sy,
	                a->cleared                     ? DESK_SEV_OK
	                : a->level >= FEED_LEVEL_ALARM ? DESK_SEV_CRIT
	                                               : DESK_SEV_WARN,
	                "%s⇣告警 %s %s%s%s %s", ex, nz(a->key),
	                a->cleared ? "cleared" : feed_level_name(a->level), val,
	                a->message ? " ·" : "", nz(a->message));
}

static void
feed_cap_event(struct desk_sync *sy, const char *ex, const struct feed_cap *c)
{
	const struct feed_cap_info *inf = c->ninfo ? &c->info[0] : NULL;

	desk_sync_event(
	    sy,
	    inf && inf->severity <= FEED_CAP_SEVERITY_SEVERE &&
	            inf->severity != FEED_CAP_SEVERITY_UNKNOWN
	        ? DESK_SEV_CRIT
	        : DESK_SEV_WARN,
	    "%s⇣预警 CAP %s %s %s%s%s", ex, feed_cap_msgtype_name(c->msg_type),
	    inf ? feed_cap_severity_name(inf->severity) : "",
	    inf ? nz(inf->headline ? inf->headline : inf->event) : "",
	    inf && inf->area_desc ? " · " : "", inf ? nz(inf->area_desc) : "");
}

/* Alarms, reports, CAP warnings and Open311 requests into the event log.
 * Readings went to the model already; heartbeats only time the screen. */
static void
feeds_event(void *arg, size_t feed, const struct feed_event *ev)
{
	struct desk_sync *sy = arg;
	const char *ex = ev->exercise ? "[演练] " : "";

	switch (ev->type) {
	case FEED_EV_HEARTBEAT:
		if (sy->h.heartbeat && ev->u.heartbeat.ts_ms > 0)
			sy->h.heartbeat(sy->h.arg, ev->u.heartbeat.ts_ms,
			                feed_wall_ms());
		break;
	case FEED_EV_ALARM:
		feed_alarm_event(sy, ex, &ev->u.alarm);
		break;
	case FEED_EV_INCIDENT: {
		const struct feed_incident *in = &ev->u.incident;
		desk_sync_event(
		    sy, in->priority == 1 ? DESK_SEV_CRIT : DESK_SEV_NEW,
		    "%s⇣上报 %s P%d %s%s%s", ex, nz(in->source), in->priority,
		    nz(in->title), in->region ? " · " : "", nz(in->region));
		break;
	}
	case FEED_EV_CAP:
		feed_cap_event(sy, ex, &ev->u.cap);
		break;
	case FEED_EV_OPEN311: {
		const struct feed_open311 *o = &ev->u.open311;
		desk_sync_event(
		    sy, DESK_SEV_NORMAL, "%s⇣12345 #%s %s %s%s%s", ex,
		    nz(o->id), nz(o->status),
		    nz(o->service_name ? o->service_name : o->service_code),
		    o->description ? " · " : "", nz(o->description));
		break;
	}
	default:
		break;
	}
	(void)feed;
}

static void
extents_loaded(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct desk_sync *sy = arg;

	if (err != NULL)
		log_msg(LOG_WARN, "feeds: region extents: %s",
		        err->message ? err->message : "?");
	else
		log_msg(
		    LOG_INFO, "feeds: %zu region extents",
		    feed_catalogue_extents(feed_live_map(sy->d->feeds), tb));
	db_table_free(&tb);
	/* Without extents nothing is judged by place (feed-map.h); the
	 * units are what a value needs. */
	feed_live_ready(sy->d->feeds);
}

static void
units_loaded(void *arg, struct db_table *tb, const struct db_error *err)
{
	struct desk_sync *sy = arg;

	if (err != NULL) {
		/* Values wait for the next read (a reconnect reads all). */
		log_msg(LOG_WARN, "feeds: indicator units: %s",
		        err->message ? err->message : "?");
		db_table_free(&tb);
		return;
	}
	feed_catalogue_units(feed_live_map(sy->d->feeds), tb);
	db_table_free(&tb);
	db_async_submit(desk_sync_db(sy), Q_REGION_EXTENTS, 0, NULL,
	                extents_loaded, sy);
}

/* The same catalogue as ingest's (feed-catalogue.h): a reading the
 * console shows is mapped, converted and placed as ingest stores it. */
void
desk_feeds_catalogue(struct desk_sync *sy, const struct db_table *tb)
{
	log_msg(LOG_INFO, "feeds: %zu entity mappings",
	        feed_catalogue_mappings(feed_live_map(sy->d->feeds), tb));
	db_async_submit(desk_sync_db(sy), Q_INDICATOR_UNITS, 0, NULL,
	                units_loaded, sy);
}

void
desk_feeds_start(struct desk_sync *sy)
{
	const struct feed_live_hooks h = {feeds_changed, feeds_event, sy};
	struct desk *d = sy->d;

	if (sy->o.nfeeds == 0)
		return;
	d->feeds = feed_live_new(loop_lws(sy->loop), d->mv, &h);
	d->feed = xcalloc((size_t)sy->o.nfeeds, sizeof *d->feed);
	for (int i = 0; i < sy->o.nfeeds; i++) {
		if (feed_live_add(d->feeds, sy->o.feeds[i]) != 0) {
			if (sy->bad_feed == NULL)
				sy->bad_feed = xstrdup(sy->o.feeds[i]);
			continue;
		}
		d->feed[d->nfeeds].link = FEED_LINK_IDLE;
		d->nfeeds++;
	}
	log_msg(LOG_INFO, "feeds: %d subscribed", d->nfeeds);
}

void
desk_sync_log_feeds(const struct desk_sync *sy)
{
	for (int i = 0; i < sy->d->nfeeds; i++) {
		const struct feed_health *h =
		    feed_live_health(sy->d->feeds, (size_t)i);
		log_msg(LOG_INFO,
		        "feed %s: %llu messages, %llu connects, %llu failures",
		        h->name, (unsigned long long)h->messages,
		        (unsigned long long)h->connects,
		        (unsigned long long)h->failures);
	}
}
