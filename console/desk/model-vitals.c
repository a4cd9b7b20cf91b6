/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The vital-signs model. Indicators live in individually allocated structs
 * (so pointers handed to the UI stay valid) indexed by an open-addressing
 * hash of their keys with linear probing, kept at most half full. History
 * is a ring of floats with 16-bit time gaps: six bytes a point, so 5,000
 * indicators with 600 points each take about 18 MB, allocated only for
 * indicators that have had a reading.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/desk/model-vitals.h"
#include "cityops/core/util.h"

/* Gaps between history points are stored in units of this many ms. */
#define GAP_UNIT 100
#define GAP_MAX  65535

struct mapping {
	char *entity, *attr, *key;
	struct model_indicator *ind; /* resolved lazily: may be defined later */
};

struct model_vitals {
	unsigned history;
	uint64_t gen;

	struct model_indicator **items;
	size_t count, items_cap;
	uint32_t *slots; /* item index + 1; 0 is empty */
	size_t nslots;   /* a power of two */

	struct mapping *maps;
	size_t nmaps, maps_cap;
	uint32_t *mslots;
	size_t nmslots;

	size_t hist_bytes, str_bytes;
};

static const char *const state_names[] = {
#define X(id, name, help) name,
    MODEL_STATE_LIST(X)
#undef X
};
static const char *const apply_names[] = {
#define X(id, name, help) name,
    MODEL_APPLY_LIST(X)
#undef X
};

const char *
model_state_name(enum model_state s)
{
	return (unsigned)s < MODEL_STATE_COUNT ? state_names[s] : "?";
}

const char *
model_apply_name(enum model_apply a)
{
	return (unsigned)a < MODEL_APPLY_COUNT ? apply_names[a] : "?";
}

/* FNV-1a: keys are short, so a simple byte loop is fast enough. */
static uint64_t
hash_more(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
hash_key(const char *s)
{
	return hash_more(0xcbf29ce484222325ULL, s);
}

static uint64_t
hash_pair(const char *a, const char *b)
{
	uint64_t h = hash_more(0xcbf29ce484222325ULL, a);

	h ^= 0xff; /* a separator no UTF-8 string contains */
	h *= 0x100000001b3ULL;
	return hash_more(h, b);
}

struct model_vitals *
model_vitals_new(unsigned history)
{
	struct model_vitals *m = xcalloc(1, sizeof *m);

	m->history = history ? history : MODEL_HISTORY_DEFAULT;
	m->nslots = 1024;
	m->slots = xcalloc(m->nslots, sizeof *m->slots);
	m->nmslots = 1024;
	m->mslots = xcalloc(m->nmslots, sizeof *m->mslots);
	return m;
}

static void
indicator_free(struct model_indicator *ind)
{
	free(ind->key);
	free(ind->category);
	free(ind->name);
	free(ind->unit);
	free(ind->hist);
	free(ind->gap);
	free(ind);
}

void
model_vitals_map_clear(struct model_vitals *m)
{
	for (size_t i = 0; i < m->nmaps; i++) {
		free(m->maps[i].entity);
		free(m->maps[i].attr);
		free(m->maps[i].key);
	}
	m->nmaps = 0;
	memset(m->mslots, 0, m->nmslots * sizeof *m->mslots);
}

void
model_vitals_free(struct model_vitals **mp)
{
	struct model_vitals *m = *mp;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->count; i++)
		indicator_free(m->items[i]);
	model_vitals_map_clear(m);
	free(m->items);
	free(m->slots);
	free(m->maps);
	free(m->mslots);
	free(m);
	*mp = NULL;
}

static uint32_t *
find_slot(const struct model_vitals *m, const char *key)
{
	size_t mask = m->nslots - 1, i = hash_key(key) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t s = m->slots[i];

		if (s == 0 || strcmp(m->items[s - 1]->key, key) == 0)
			return &m->slots[i];
	}
}

static void
grow_slots(struct model_vitals *m)
{
	free(m->slots);
	m->nslots *= 2;
	m->slots = xcalloc(m->nslots, sizeof *m->slots);
	for (size_t i = 0; i < m->count; i++)
		*find_slot(m, m->items[i]->key) = (uint32_t)i + 1;
}

struct model_indicator *
model_vitals_find(const struct model_vitals *m, const char *key)
{
	uint32_t s = *find_slot(m, key);

	return s != 0 ? m->items[s - 1] : NULL;
}

size_t
model_vitals_count(const struct model_vitals *m)
{
	return m->count;
}

struct model_indicator *
model_vitals_at(const struct model_vitals *m, size_t i)
{
	return i < m->count ? m->items[i] : NULL;
}

uint64_t
model_vitals_generation(const struct model_vitals *m)
{
	return m->gen;
}

/* The level v is at, with thresholds moved margin towards normal. */
static enum model_state
level_at(const struct model_indicator *ind, double v, double margin)
{
	if (v >= ind->alarm_high - margin || v <= ind->alarm_low + margin)
		return MODEL_STATE_ALARM;
	if (v >= ind->warn_high - margin || v <= ind->warn_low + margin)
		return MODEL_STATE_WARN;
	return MODEL_STATE_NORMAL;
}

/*
 * Rising to a worse level is immediate; falling back is held while the
 * value stays within the hysteresis band, so a value hovering at a
 * threshold does not flap between states. (NAN thresholds never compare
 * true, so unset ones take no part.)
 */
static enum model_state
evaluate(const struct model_indicator *ind, double v)
{
	enum model_state raw = level_at(ind, v, 0), held;

	if (ind->level == MODEL_STATE_NODATA || raw >= ind->level)
		return raw;
	held = level_at(ind, v, ind->hysteresis);
	if (held > ind->level)
		held = ind->level;
	return held > raw ? held : raw;
}

static char *
dup_or_empty(struct model_vitals *m, const char *s)
{
	s = s != NULL ? s : "";
	m->str_bytes += strlen(s) + 1;
	return xstrdup(s);
}

struct model_indicator *
model_vitals_define(struct model_vitals *m,
                    const struct model_indicator_def *def)
{
	uint32_t *slot = find_slot(m, def->key);
	struct model_indicator *ind;

	if (*slot != 0) {
		ind = m->items[*slot - 1];
		free(ind->category);
		free(ind->name);
		free(ind->unit);
	} else {
		ind = xcalloc(1, sizeof *ind);
		ind->key = dup_or_empty(m, def->key);
		ind->state = ind->level = MODEL_STATE_NODATA;
		ind->value = NAN;
		if (m->count == m->items_cap) {
			m->items_cap = m->items_cap ? m->items_cap * 2 : 256;
			m->items =
			    xrealloc(m->items, m->items_cap * sizeof *m->items);
		}
		m->items[m->count++] = ind;
		*slot = (uint32_t)m->count;
		if (m->count * 2 > m->nslots)
			grow_slots(m);
	}
	ind->category = dup_or_empty(m, def->category);
	ind->name = dup_or_empty(m, def->name);
	ind->unit = dup_or_empty(m, def->unit);
	ind->warn_high = def->warn_high;
	ind->alarm_high = def->alarm_high;
	ind->warn_low = def->warn_low;
	ind->alarm_low = def->alarm_low;
	ind->hysteresis = isfinite(def->hysteresis) && def->hysteresis > 0
	                      ? def->hysteresis
	                      : 0;
	ind->stale_ms = def->stale_ms;
	if (ind->level != MODEL_STATE_NODATA) {
		/* New thresholds judge the present value afresh. */
		ind->level = MODEL_STATE_NORMAL;
		ind->level = evaluate(ind, ind->value);
		if (ind->state != MODEL_STATE_STALE)
			ind->state = ind->level;
	}
	ind->changed = ++m->gen;
	return ind;
}

static uint32_t *
find_mslot(const struct model_vitals *m, const char *entity, const char *attr)
{
	size_t mask = m->nmslots - 1, i = hash_pair(entity, attr) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t s = m->mslots[i];

		if (s == 0 || (strcmp(m->maps[s - 1].entity, entity) == 0 &&
		               strcmp(m->maps[s - 1].attr, attr) == 0))
			return &m->mslots[i];
	}
}

void
model_vitals_map(struct model_vitals *m, const char *entity, const char *attr,
                 const char *key)
{
	uint32_t *slot = find_mslot(m, entity, attr);
	struct mapping *mp;

	if (*slot != 0) {
		mp = &m->maps[*slot - 1];
		free(mp->key);
		mp->key = xstrdup(key);
		mp->ind = NULL;
		return;
	}
	if (m->nmaps == m->maps_cap) {
		m->maps_cap = m->maps_cap ? m->maps_cap * 2 : 256;
		m->maps = xrealloc(m->maps, m->maps_cap * sizeof *m->maps);
	}
	mp = &m->maps[m->nmaps++];
	mp->entity = xstrdup(entity);
	mp->attr = xstrdup(attr);
	mp->key = xstrdup(key);
	mp->ind = NULL;
	*slot = (uint32_t)m->nmaps;
	if (m->nmaps * 2 > m->nmslots) {
		free(m->mslots);
		m->nmslots *= 2;
		m->mslots = xcalloc(m->nmslots, sizeof *m->mslots);
		for (size_t i = 0; i < m->nmaps; i++)
			*find_mslot(m, m->maps[i].entity, m->maps[i].attr) =
			    (uint32_t)i + 1;
	}
}

static void
history_add(struct model_vitals *m, struct model_indicator *ind, double v,
            int64_t ts)
{
	int64_t gap;

	if (ind->hist == NULL) {
		ind->hist = xmalloc(m->history * sizeof *ind->hist);
		ind->gap = xmalloc(m->history * sizeof *ind->gap);
		m->hist_bytes +=
		    m->history * (sizeof *ind->hist + sizeof *ind->gap);
	}
	if (ind->count == 0) {
		gap = 0;
		ind->hist_ms = ts;
	} else {
		gap = (ts - ind->hist_ms) / GAP_UNIT;
		if (gap < 0)
			gap = 0;
		/*
		 * Advancing by whole units keeps rounding from drifting; after
		 * a gap too long to store, the newest time is taken as is.
		 */
		if (gap > GAP_MAX) {
			gap = GAP_MAX;
			ind->hist_ms = ts;
		} else {
			ind->hist_ms += gap * GAP_UNIT;
		}
	}
	ind->hist[ind->head] = (float)v;
	ind->gap[ind->head] = (uint16_t)gap;
	ind->head = ind->head + 1 == m->history ? 0 : ind->head + 1;
	if (ind->count < m->history)
		ind->count++;
}

static struct model_indicator *
resolve(struct model_vitals *m, const struct feed_reading *r)
{
	uint32_t s;
	struct mapping *mp;

	if (r->key != NULL)
		return model_vitals_find(m, r->key);
	if (r->entity_id == NULL || r->attr == NULL)
		return NULL;
	s = *find_mslot(m, r->entity_id, r->attr);
	if (s == 0)
		return NULL;
	mp = &m->maps[s - 1];
	if (mp->ind == NULL)
		mp->ind = model_vitals_find(m, mp->key);
	return mp->ind;
}

enum model_apply
model_vitals_apply(struct model_vitals *m, const struct feed_reading *r,
                   int64_t now_ms, struct model_indicator **out)
{
	struct model_indicator *ind = resolve(m, r);
	int64_t ts = r->ts_ms > 0 ? r->ts_ms : now_ms;

	if (ind == NULL)
		return MODEL_APPLY_UNKNOWN;
	if (ind->readings > 0 && ts < ind->ts_ms)
		return MODEL_APPLY_OLD;
	if (out != NULL)
		*out = ind;
	ind->seen_ms = now_ms;
	/* A re-delivered reading (after a reconnect) changes nothing. */
	if (ind->readings > 0 && ts == ind->ts_ms && r->value == ind->value &&
	    ind->state != MODEL_STATE_STALE)
		return MODEL_APPLY_OK;
	ind->level = evaluate(ind, r->value);
	ind->state = ind->level;
	ind->value = r->value;
	ind->ts_ms = ts;
	ind->readings++;
	history_add(m, ind, r->value, ts);
	ind->changed = ++m->gen;
	return MODEL_APPLY_OK;
}

size_t
model_vitals_sweep(struct model_vitals *m, int64_t now_ms)
{
	size_t n = 0;

	for (size_t i = 0; i < m->count; i++) {
		struct model_indicator *ind = m->items[i];

		if (ind->stale_ms <= 0 || ind->state == MODEL_STATE_NODATA ||
		    ind->state == MODEL_STATE_STALE ||
		    now_ms - ind->seen_ms <= ind->stale_ms)
			continue;
		ind->state = MODEL_STATE_STALE;
		ind->changed = ++m->gen;
		n++;
	}
	return n;
}

size_t
model_vitals_history(const struct model_indicator *ind, float *vals,
                     int64_t *times, size_t max)
{
	size_t n = ind->count < max ? ind->count : max;
	uint32_t cap = ind->count; /* the ring is full whenever it wrapped */
	size_t slot;
	int64_t t = ind->hist_ms;

	if (n == 0)
		return 0;
	/*
	 * The ring's capacity is not stored per indicator; when count is
	 * below it the ring has not wrapped, so head - 1 is the newest and
	 * indices do not wrap either.
	 */
	slot = ind->head == 0 ? cap - 1 : ind->head - 1;
	for (size_t k = 0; k < n; k++) {
		vals[n - 1 - k] = ind->hist[slot];
		if (times != NULL)
			times[n - 1 - k] = t;
		t -= (int64_t)ind->gap[slot] * GAP_UNIT;
		slot = slot == 0 ? cap - 1 : slot - 1;
	}
	return n;
}

size_t
model_vitals_memory(const struct model_vitals *m)
{
	return sizeof *m + m->items_cap * sizeof *m->items +
	       m->count * sizeof(struct model_indicator) +
	       m->nslots * sizeof *m->slots + m->nmslots * sizeof *m->mslots +
	       m->maps_cap * sizeof *m->maps + m->hist_bytes + m->str_bytes;
}
