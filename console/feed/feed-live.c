/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Live feeds into the console's model. Readings are applied as they are
 * decoded (one hash lookup each); the screen hears about it through one
 * zero-delay timer per loop turn, so a burst of thousands of messages is
 * one redraw request and typing is never held up behind it. A sweep every
 * second marks indicators stale whose readings stopped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "cityops/feed/feed-live.h"
#include "cityops/feed/feed-map.h"
#include "cityops/core/log.h"
#include "cityops/desk/model-vitals.h"
#include "cityops/core/util.h"

#define SWEEP_MS 1000

struct feed_live {
	lws_sorted_usec_list_t sul_notify, sul_sweep;
	struct lws_context *ctx;
	struct model_vitals *model;
	struct feed_live_hooks h;
	struct feed_map *map;
	struct feed_client **fc;
	size_t nfc;
	unsigned pending;
	int ready; /* the catalogue is loaded (feed_live_ready) */
	unsigned long long applied, unplaced;
	/* Which feed last fed each indicator: open addressing on the
	 * indicator's address (indicators live as long as the model). */
	struct src {
		const struct model_indicator *ind;
		size_t feed;
	} * src;
	size_t nsrc, capsrc; /* capsrc: 0 or a power of two */
};

static size_t
src_hash(const struct model_indicator *ind, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)ind * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (cap - 1);
}

static void
src_set(struct feed_live *fl, const struct model_indicator *ind, size_t feed)
{
	size_t i;

	if (fl->capsrc > 0)
		for (i = src_hash(ind, fl->capsrc); fl->src[i].ind != NULL;
		     i = (i + 1) & (fl->capsrc - 1))
			if (fl->src[i].ind == ind) {
				fl->src[i].feed = feed;
				return;
			}
	if ((fl->nsrc + 1) * 2 > fl->capsrc) {
		struct src *old = fl->src;
		size_t oldcap = fl->capsrc;
		fl->capsrc = oldcap ? oldcap * 2 : 64;
		fl->src = xcalloc(fl->capsrc, sizeof *fl->src);
		fl->nsrc = 0;
		for (size_t k = 0; k < oldcap; k++)
			if (old[k].ind != NULL)
				src_set(fl, old[k].ind, old[k].feed);
		free(old);
	}
	for (i = src_hash(ind, fl->capsrc); fl->src[i].ind != NULL;
	     i = (i + 1) & (fl->capsrc - 1))
		;
	fl->src[i].ind = ind;
	fl->src[i].feed = feed;
	fl->nsrc++;
}

static void
notify_cb(lws_sorted_usec_list_t *sul)
{
	struct feed_live *fl =
	    lws_container_of(sul, struct feed_live, sul_notify);
	unsigned what = fl->pending;

	fl->pending = 0;
	if (what != 0 && fl->h.changed != NULL)
		fl->h.changed(fl->h.arg, what);
}

static void
mark(struct feed_live *fl, unsigned what)
{
	if (fl->pending == 0)
		lws_sul_schedule(fl->ctx, 0, &fl->sul_notify, notify_cb, 1);
	fl->pending |= what;
}

static void
sweep_cb(lws_sorted_usec_list_t *sul)
{
	struct feed_live *fl =
	    lws_container_of(sul, struct feed_live, sul_sweep);

	if (model_vitals_sweep(fl->model, feed_wall_ms()) > 0)
		mark(fl, FEED_LIVE_VALUES | FEED_LIVE_STATES);
	lws_sul_schedule(fl->ctx, 0, &fl->sul_sweep, sweep_cb,
	                 (lws_usec_t)SWEEP_MS * LWS_US_PER_MS);
}

static size_t
index_of(struct feed_live *fl, struct feed_client *fc)
{
	for (size_t i = 0; i < fl->nfc; i++)
		if (fl->fc[i] == fc)
			return i;
	return fl->nfc;
}

static void
on_event(void *arg, struct feed_client *fc, const struct feed_event *ev,
         uint64_t pos)
{
	struct feed_live *fl = arg;

	if (ev->type == FEED_EV_READING) {
		struct feed_reading r = ev->u.reading;
		struct model_indicator *ind = NULL;
		/* Drill data never shows among real values, nor a value
		 * judged without the catalogue. */
		if (ev->exercise || !fl->ready)
			return;
		const struct model_indicator *before;
		enum model_state was = MODEL_STATE_NODATA;
		long was_src = -1;

		struct feed_judged j;
		int64_t now = feed_wall_ms();

		/* The same judgement as ingest's (feed_judge): mapped, not
		 * from the future, converted to the indicator's unit. */
		r.key = NULL;
		if (feed_judge(fl->map, &ev->u.reading, now, FEED_FUTURE_MS,
		               &j) == FEED_REJECT_NONE) {
			r.key = j.indicator;
			r.value = j.value;
			r.ts_ms = j.ts_ms;
		}
		before = r.key ? model_vitals_find(fl->model, r.key) : NULL;
		if (before != NULL) {
			was = before->state;
			was_src = feed_live_source(fl, before);
		}
		if (r.key != NULL &&
		    model_vitals_apply(fl->model, &r, feed_wall_ms(), &ind) ==
		        MODEL_APPLY_OK) {
			size_t src = index_of(fl, fc);
			fl->applied++;
			src_set(fl, ind, src);
			/* Only a new state (or a first live value, or another
			 * feed now giving it) reorders the pane; a new value
			 * just redraws its row. */
			mark(fl, ind->state != was || was_src != (long)src
			             ? FEED_LIVE_VALUES | FEED_LIVE_STATES
			             : FEED_LIVE_VALUES);
		} else if (r.key == NULL ||
		           model_vitals_find(fl->model, r.key) == NULL) {
			fl->unplaced++;
		}
		return;
	}
	if (fl->h.event != NULL)
		fl->h.event(fl->h.arg, index_of(fl, fc), ev);
}

static void
on_health(void *arg, struct feed_client *fc)
{
	mark(arg, FEED_LIVE_HEALTH);
}

static void
on_message(void *arg, struct feed_client *fc, const struct feed_result *res,
           uint64_t next_pos)
{
	/* Counters on the status line move with every message. */
	mark(arg, FEED_LIVE_HEALTH);
}

struct feed_live *
feed_live_new(struct lws_context *ctx, struct model_vitals *model,
              const struct feed_live_hooks *h)
{
	struct feed_live *fl = xcalloc(1, sizeof *fl);

	fl->ctx = ctx;
	fl->model = model;
	if (h != NULL)
		fl->h = *h;
	fl->map = feed_map_new();
	lws_sul_schedule(ctx, 0, &fl->sul_sweep, sweep_cb,
	                 (lws_usec_t)SWEEP_MS * LWS_US_PER_MS);
	return fl;
}

void
feed_live_free(struct feed_live **flp)
{
	struct feed_live *fl = *flp;

	if (fl == NULL)
		return;
	lws_sul_cancel(&fl->sul_notify);
	lws_sul_cancel(&fl->sul_sweep);
	for (size_t i = 0; i < fl->nfc; i++)
		feed_client_free(&fl->fc[i]);
	free(fl->fc);
	free(fl->src);
	feed_map_free(&fl->map);
	free(fl);
	*flp = NULL;
}

int
feed_live_add(struct feed_live *fl, const char *url)
{
	struct feed_client_opts o = {0};
	struct feed_client_hooks h = {0};
	struct feed_client *fc;

	o.url = url;
	h.event = on_event;
	h.health = on_health;
	h.message = on_message;
	h.arg = fl;
	if ((fc = feed_client_new(fl->ctx, &o, &h)) == NULL)
		return -1;
	fl->fc = xrealloc(fl->fc, (fl->nfc + 1) * sizeof *fl->fc);
	fl->fc[fl->nfc++] = fc;
	mark(fl, FEED_LIVE_HEALTH);
	return 0;
}

struct feed_map *
feed_live_map(struct feed_live *fl)
{
	return fl->map;
}

void
feed_live_ready(struct feed_live *fl)
{
	fl->ready = 1;
}

const struct feed_health *
feed_live_health(struct feed_live *fl, size_t i)
{
	return i < fl->nfc ? feed_client_health(fl->fc[i]) : NULL;
}

unsigned long long
feed_live_applied(const struct feed_live *fl)
{
	return fl->applied;
}

long
feed_live_source(const struct feed_live *fl, const struct model_indicator *ind)
{
	if (fl == NULL || ind == NULL || fl->capsrc == 0)
		return -1;
	for (size_t i = src_hash(ind, fl->capsrc); fl->src[i].ind != NULL;
	     i = (i + 1) & (fl->capsrc - 1))
		if (fl->src[i].ind == ind)
			return (long)fl->src[i].feed;
	return -1;
}
