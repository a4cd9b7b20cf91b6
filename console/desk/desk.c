/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The live desk (include/cityops/desk.h): the one place that changes what
 * the console knows, and marks what changed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/desk/desk.h"
#include "cityops/desk/desk-actions.h"
#include "cityops/feed/feed-live.h"
#include "cityops/core/names.h"
#include "cityops/core/text.h"
#include "cityops/core/util.h"

struct desk *
desk_new(void)
{
	struct desk *d = xcalloc(1, sizeof *d);

	d->mv = model_vitals_new(0);
	return d;
}

static void
incident_clear(struct desk_incident *x)
{
	free(x->ref);
	free(x->category);
	free(x->category_name);
	free(x->region_name);
	free(x->state);
	free(x->title);
	free(x->units);
}

static void
unit_clear(struct desk_unit *u)
{
	free(u->callsign);
	free(u->name);
	free(u->kind);
	free(u->status);
	free(u->incident_ref);
	free(u->region_name);
}

static void
region_clear(struct desk_region *r)
{
	free(r->code);
	free(r->name);
	free(r->level);
	free(r->worst_state);
	free(r->worst_indicator);
	free(r->worst_value);
	free(r->open_incidents);
	free(r->short_name);
	free(r->indicators);
	free(r->incidents);
}

static void
vital_clear(struct desk_vital *v)
{
	free(v->key);
	free(v->category);
	free(v->name);
	free(v->region_name);
	free(v->unit);
	free(v->state);
	free(v->value);
}

static void
shape_clear(struct desk_shape *s)
{
	free(s->code);
	free(s->outline);
}

static void
point_clear(struct desk_point *p)
{
	(void)p;
}

/* Frees n elements of an array with clear(), then the array. */
#define FREE_ALL(arr, n, clear)                                                \
	do {                                                                   \
		for (int i_ = 0; i_ < (n); i_++)                               \
			clear(&(arr)[i_]);                                     \
		free(arr);                                                     \
		(arr) = NULL;                                                  \
		(n) = 0;                                                       \
	} while (0)

void
desk_free(struct desk **dp)
{
	struct desk *d = *dp;

	if (d == NULL)
		return;
	FREE_ALL(d->queue, d->nqueue, incident_clear);
	FREE_ALL(d->units, d->nunits, unit_clear);
	FREE_ALL(d->regions, d->nregions, region_clear);
	FREE_ALL(d->shapes, d->nshapes, shape_clear);
	FREE_ALL(d->points, d->npoints, point_clear);
	FREE_ALL(d->vitals, d->nvitals, vital_clear);
	free(d->vrows);
	desk_mode_clear(&d->mode);
	model_vitals_free(&d->mv);
	free(d->feed);
	for (int i = 0; i < DESK_EVENTS_MAX; i++)
		free(d->events[i].text);
	for (int i = 0; i < d->nfresh; i++)
		free(d->fresh[i].ref);
	free(d->fresh);
	free(d->shown);
	strset_free(&d->seen, &d->nseen);
	strset_free(&d->region_names, &d->nregion_names);
	desk_act_free(d);
	free(d);
	*dp = NULL;
}

void
desk_add_region_name(struct desk *d, const char *name)
{
	if (name != NULL && *name != '\0')
		strset_add(&d->region_names, &d->nregion_names, name);
}

/* ---- queue and arrivals ------------------------------------------------ */

static int
cmp_ref(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
fresh_add(struct desk *d, const char *ref, int64_t until_ms)
{
	for (int i = 0; i < d->nfresh; i++)
		if (strcmp(d->fresh[i].ref, ref) == 0) {
			d->fresh[i].until_ms = until_ms;
			return;
		}
	if (d->nfresh == d->capfresh) {
		d->capfresh = d->capfresh ? d->capfresh * 2 : 16;
		d->fresh =
		    xrealloc(d->fresh, (size_t)d->capfresh * sizeof *d->fresh);
	}
	d->fresh[d->nfresh].ref = xstrdup(ref);
	d->fresh[d->nfresh].until_ms = until_ms;
	d->nfresh++;
}

void
desk_set_queue(struct desk *d, struct desk_incident *inc, int n, int64_t now_ms,
               int64_t fresh_ms)
{
	char **seen = xcalloc((size_t)n + 1, sizeof *seen);
	int ns = 0;

	for (int i = 0; i < n; i++) {
		const char *ref = inc[i].ref;
		inc[i].order = i;
		if (ref == NULL)
			continue;
		seen[ns++] = xstrdup(ref);
		if (d->queue_loaded && !d->queue_partial &&
		    !strset_has(d->seen, d->nseen, ref)) {
			fresh_add(d, ref, now_ms + fresh_ms);
			if (inc[i].priority == 1)
				d->p1_arrived = 1;
		}
	}
	qsort(seen, (size_t)ns, sizeof *seen, cmp_ref);
	strset_free(&d->seen, &d->nseen);
	d->seen = seen;
	d->nseen = ns;
	FREE_ALL(d->queue, d->nqueue, incident_clear);
	d->queue = inc;
	d->nqueue = n;
	d->queue_loaded = 1;
	d->queue_at_ms = now_ms;
	desk_mode_sort_queue(d);
	d->dirty |= DESK_DIRTY_QUEUE | DESK_DIRTY_STATUS;
}

int
desk_is_fresh(const struct desk *d, const char *ref, int64_t now_ms)
{
	for (int i = 0; ref != NULL && i < d->nfresh; i++)
		if (strcmp(d->fresh[i].ref, ref) == 0)
			return d->fresh[i].until_ms > now_ms;
	return 0;
}

int
desk_expire_fresh(struct desk *d, int64_t now_ms)
{
	int changed = 0;

	for (int i = 0; i < d->nfresh; i++)
		if (d->fresh[i].until_ms <= now_ms) {
			free(d->fresh[i].ref);
			d->fresh[i--] = d->fresh[--d->nfresh];
			changed = 1;
		}
	if (changed)
		d->dirty |= DESK_DIRTY_QUEUE;
	return changed;
}

const struct desk_incident *
desk_find_incident(const struct desk *d, const char *ref)
{
	for (int i = 0; ref != NULL && i < d->nqueue; i++)
		if (d->queue[i].ref != NULL &&
		    strcmp(d->queue[i].ref, ref) == 0)
			return &d->queue[i];
	return NULL;
}

/* ---- units, regions, mode, counts -------------------------------------- */

void
desk_set_units(struct desk *d, struct desk_unit *u, int n)
{
	FREE_ALL(d->units, d->nunits, unit_clear);
	d->units = u;
	d->nunits = n;
	d->units_loaded = 1;
	d->dirty |= DESK_DIRTY_UNITS;
}

void
desk_regions_free(struct desk_region **r, int *n)
{
	FREE_ALL(*r, *n, region_clear);
}

void
desk_set_shapes(struct desk *d, struct desk_shape *s, int n)
{
	FREE_ALL(d->shapes, d->nshapes, shape_clear);
	d->shapes = s;
	d->nshapes = n;
	d->shapes_loaded = 1;
	d->dirty |= DESK_DIRTY_REGIONS;
}

void
desk_set_points(struct desk *d, struct desk_point *p, int n)
{
	FREE_ALL(d->points, d->npoints, point_clear);
	d->points = p;
	d->npoints = n;
	d->dirty |= DESK_DIRTY_REGIONS;
}

void
desk_set_regions(struct desk *d, struct desk_region *r, int n)
{
	FREE_ALL(d->regions, d->nregions, region_clear);
	d->regions = r;
	d->nregions = n;
	d->regions_loaded = 1;
	for (int i = 0; i < n; i++)
		desk_add_region_name(d, r[i].name);
	d->dirty |= DESK_DIRTY_REGIONS;
}

void
desk_set_count(struct desk *d, int priority, int n)
{
	if (priority >= 1 && priority <= 4)
		d->counts[priority] = n;
	d->dirty |= DESK_DIRTY_STATUS;
}

void
desk_counts_loaded(struct desk *d)
{
	d->counts_loaded = 1;
	d->dirty |= DESK_DIRTY_STATUS;
}

/* ---- vital signs ------------------------------------------------------- */

/* Defines an indicator in the model, thresholds on the right side. */
static void
define_indicator(struct model_vitals *mv, const struct desk_vital *v)
{
	struct model_indicator_def def = {0};

	def.key = v->key;
	def.category = v->category ? v->category : "";
	def.name = v->name ? v->name : "";
	def.unit = v->unit ? v->unit : "";
	def.warn_high = def.alarm_high = def.warn_low = def.alarm_low = NAN;
	/* Without a staleness limit only a feed that goes down makes its
	 * values stale (desk_vital_now). */
	def.stale_ms = v->stale_s * 1000;
	def.hysteresis = v->hysteresis;
	if (!isnan(v->warn) && !isnan(v->alarm) && v->alarm < v->warn) {
		def.warn_low = v->warn;
		def.alarm_low = v->alarm;
	} else {
		def.warn_high = v->warn;
		def.alarm_high = v->alarm;
	}
	model_vitals_define(mv, &def);
}

void
desk_set_vitals(struct desk *d, struct desk_vital *v, int n)
{
	FREE_ALL(d->vitals, d->nvitals, vital_clear);
	d->vitals = v;
	d->nvitals = n;
	d->vitals_loaded = 1;
	for (int i = 0; i < n; i++)
		if (v[i].key != NULL)
			define_indicator(d->mv, &v[i]);
	d->vrows_stale = 1;
	d->dirty |= DESK_DIRTY_VITALS | DESK_DIRTY_STATUS;
}

/* The indicator of vital i when a feed has fed it, or NULL; *feed is the
 * feed's index. */
static struct model_indicator *
live_indicator(const struct desk *d, int i, long *feed)
{
	struct model_indicator *ind;

	if (d->feeds == NULL || d->vitals[i].key == NULL)
		return NULL;
	ind = model_vitals_find(d->mv, d->vitals[i].key);
	*feed = feed_live_source(d->feeds, ind);
	return *feed >= 0 && *feed < d->nfeeds && !isnan(ind->value) ? ind
	                                                             : NULL;
}

const char *
desk_vital_now(const struct desk *d, int i, int64_t now_ms,
               int64_t down_stale_ms, char *value, size_t valuesz, int *live)
{
	long feed = -1;
	struct model_indicator *ind = live_indicator(d, i, &feed);
	const struct desk_feed *f;

	if (live != NULL)
		*live = ind != NULL;
	if (ind == NULL) {
		if (value != NULL)
			snprintf(value, valuesz, "%s",
			         d->vitals[i].value ? d->vitals[i].value : "");
		return d->vitals[i].state;
	}
	if (value != NULL) {
		if (fabs(ind->value) < 1e6)
			snprintf(value, valuesz, "%.6g", ind->value);
		else
			snprintf(value, valuesz, "%.0f", ind->value);
	}
	f = &d->feed[feed];
	if (f->down_ms != 0 && now_ms - f->down_ms >= down_stale_ms)
		return model_state_name(MODEL_STATE_STALE);
	return model_state_name(ind->state);
}

static int
state_rank(const char *st)
{
	static const char *const order[] = {"alarm", "warn", "stale", "normal"};

	for (int r = 0; st != NULL && r < 4; r++)
		if (strcmp(st, order[r]) == 0)
			return r;
	return 4;
}

struct vital_group {
	const char *cat;
	int rank, worst;
	int self, first; /* its index; its place in the mode's order */
};

static int
group_before(const struct vital_group *a, const struct vital_group *b)
{
	if (a->first != b->first)
		return a->first < b->first;
	if (a->rank != b->rank)
		return a->rank < b->rank;
	return a->self < b->self;
}

/* Sorts the groups into display order (few: an insertion sort). */
static void
order_groups(const struct desk *d, struct vital_group *groups, int ng)
{
	for (int g = 0; g < ng; g++) {
		groups[g].self = g;
		groups[g].first = desk_mode_vital_rank(d, groups[g].cat);
	}
	for (int i = 1; i < ng; i++) {
		struct vital_group x = groups[i];
		int j = i;
		for (; j > 0 && group_before(&x, &groups[j - 1]); j--)
			groups[j] = groups[j - 1];
		groups[j] = x;
	}
}

/* The group index of each vital (by category, first seen first), its
 * rank, and each group's worst rank and count of alarms and warnings.
 * Returns the number of groups. */
static int
group_vitals(const struct desk *d, int64_t now_ms, int64_t down_stale_ms,
             int *grp, int *rank, struct vital_group *groups)
{
	int ng = 0;

	for (int i = 0; i < d->nvitals; i++) {
		const char *cat =
		    d->vitals[i].category ? d->vitals[i].category : "";
		int g;
		rank[i] = state_rank(
		    desk_vital_now(d, i, now_ms, down_stale_ms, NULL, 0, NULL));
		for (g = 0; g < ng; g++)
			if (strcmp(groups[g].cat, cat) == 0)
				break;
		if (g == ng) {
			groups[ng].cat = cat;
			groups[ng].rank = 9;
			groups[ng].worst = 0;
			ng++;
		}
		grp[i] = g;
		if (rank[i] < groups[g].rank)
			groups[g].rank = rank[i];
		if (rank[i] <= 1)
			groups[g].worst++;
	}
	return ng;
}

void
desk_build_vital_rows(struct desk *d, int64_t now_ms, int64_t down_stale_ms)
{
	int n = 0, ng, *grp, *rank;
	struct vital_group *groups;

	free(d->vrows);
	grp = xcalloc((size_t)d->nvitals + 1, sizeof *grp);
	rank = xcalloc((size_t)d->nvitals + 1, sizeof *rank);
	groups = xcalloc((size_t)d->nvitals + 1, sizeof *groups);
	ng = group_vitals(d, now_ms, down_stale_ms, grp, rank, groups);
	d->vrows = xcalloc((size_t)(d->nvitals + ng) + 1, sizeof *d->vrows);
	/* The mode's categories first, then groups by rank, then rows by
	 * rank: both orders stable. */
	order_groups(d, groups, ng);
	for (int k = 0; k < ng; k++) {
		int g = groups[k].self, first = 1;
		for (int r = 0; r <= 4; r++)
			for (int i = 0; i < d->nvitals; i++) {
				if (grp[i] != g || rank[i] != r)
					continue;
				if (first) {
					d->vrows[n].heading = 1;
					d->vrows[n].vital = i;
					d->vrows[n].worst = groups[k].worst;
					n++;
					first = 0;
				}
				d->vrows[n++].vital = i;
			}
	}
	d->nvrows = n;
	d->vrows_stale = 0;
	free(grp);
	free(rank);
	free(groups);
}

/* ---- the event log ----------------------------------------------------- */

void
desk_event(struct desk *d, time_t at, enum desk_sev sev, const char *text)
{
	struct desk_event *e = &d->events[d->event_head];

	free(e->text);
	e->text = text_sanitize_dup(text, strlen(text));
	e->at = at;
	e->sev = sev;
	d->event_head = (d->event_head + 1) % DESK_EVENTS_MAX;
	if (d->nevents < DESK_EVENTS_MAX)
		d->nevents++;
	d->dirty |= DESK_DIRTY_EVENTS;
}

const struct desk_event *
desk_event_at(const struct desk *d, int i)
{
	if (i < 0 || i >= d->nevents)
		return NULL;
	return &d->events[(d->event_head - 1 - i + DESK_EVENTS_MAX) %
	                  DESK_EVENTS_MAX];
}

void
desk_timeline_text(const struct desk_timeline_row *r, char *buf, size_t bufsz)
{
	const char *to = r->to_state;
	/* A raise's note is its source (sensor → 物联感知); other notes are
	 * people's words and stay as written. */
	const char *note =
	    r->note && r->action && strcmp(r->action, "raise") == 0
	        ? names_source(r->note)
	        : r->note;

	snprintf(buf, bufsz, "%s%s %s%s%s · %s%s%s%s%s",
	         r->exercise ? "[演练] " : "", r->ref ? r->ref : "?",
	         r->action ? names_action(r->action) : "", to ? " → " : "",
	         to ? names_incident_state(to) : "", r->actor ? r->actor : "?",
	         r->unit ? " · " : "", r->unit ? r->unit : "",
	         note ? " · " : "", note ? note : "");
}

/* The index of id in the sorted shown set, or where it would go. */
static int
shown_find(const struct desk *d, int64_t id, int *found)
{
	int lo = 0, hi = d->nshown;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (d->shown[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < d->nshown && d->shown[lo].id == id;
	return lo;
}

static void
shown_add(struct desk *d, int at, int64_t id, uint64_t tx)
{
	if (d->nshown == d->capshown) {
		d->capshown = d->capshown ? d->capshown * 2 : 64;
		d->shown =
		    xrealloc(d->shown, (size_t)d->capshown * sizeof *d->shown);
	}
	memmove(d->shown + at + 1, d->shown + at,
	        (size_t)(d->nshown - at) * sizeof *d->shown);
	d->shown[at].id = id;
	d->shown[at].tx = tx;
	d->nshown++;
}

/* Rows shown before that this answer does not carry (it carries the
 * newest p_limit of the span only). */
static long long
shown_not_in(const struct desk *d, const struct desk_timeline_row *rows, int n)
{
	long long k = 0;

	for (int i = 0; i < d->nshown; i++) {
		int in = 0;
		for (int j = 0; j < n && !in; j++)
			in = rows[j].id == d->shown[i].id;
		k += !in;
	}
	return k;
}

/* Forgets shown rows older than the horizon: no answer carries them. */
static void
shown_prune(struct desk *d, uint64_t horizon)
{
	int k = 0;

	for (int i = 0; i < d->nshown; i++)
		if (d->shown[i].tx >= horizon)
			d->shown[k++] = d->shown[i];
	d->nshown = k;
}

/* An escalation the database made by itself (escalate_due). */
static int
is_auto_escalation(const struct desk_timeline_row *r)
{
	return r->action && strcmp(r->action, "escalate") == 0 && r->actor &&
	       strcmp(r->actor, "system") == 0;
}

static void
show_row(struct desk *d, const struct desk_timeline_row *r)
{
	char line[1024];
	enum desk_sev sev = DESK_SEV_NORMAL;

	desk_timeline_text(r, line, sizeof line);
	if (r->action && strcmp(r->action, "raise") == 0)
		sev = DESK_SEV_NEW;
	if (is_auto_escalation(r) && !r->exercise) {
		sev = DESK_SEV_CRIT;
		d->auto_escalations++;
		d->escalation_arrived = 1;
		d->dirty |= DESK_DIRTY_STATUS;
	}
	desk_event(d, r->at, sev, line);
}

int
desk_apply_timeline(struct desk *d, int has_from, uint64_t from,
                    uint64_t horizon, long long span,
                    const struct desk_timeline_row *rows, int n)
{
	long long skipped;

	if (has_from != d->has_horizon || (has_from && from != d->horizon))
		return 0;
	/* The horizon never goes back: an answer that would move it back
	 * came from a server behind the one we read before (a standby); its
	 * rows are ones we have or will get again. */
	if (d->has_horizon && horizon < d->horizon) {
		horizon = d->horizon;
		n = 0;
		span = 0;
	}
	skipped = has_from ? span - n - shown_not_in(d, rows, n) : 0;
	if (skipped > 0) {
		char line[160];
		snprintf(line, sizeof line, "… %lld 条较早动态未显示", skipped);
		desk_event(d, n > 0 ? rows[0].at : time(NULL), DESK_SEV_DIM,
		           line);
	}
	for (int i = 0; i < n; i++) {
		int found, at = shown_find(d, rows[i].id, &found);
		if (found)
			continue;
		show_row(d, &rows[i]);
		shown_add(d, at, rows[i].id, rows[i].tx);
	}
	shown_prune(d, horizon);
	d->horizon = horizon;
	d->has_horizon = 1;
	return 1;
}
