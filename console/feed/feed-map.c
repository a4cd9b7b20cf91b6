/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The entity mapping as a sorted array searched by bisection: the table is
 * small (one row per sensor attribute) and is reloaded whole, so sorting
 * once after changes is simpler than a hash and fast enough for a lookup
 * per reading.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/feed-map.h"
#include "cityops/feed/feed-place.h"
#include "cityops/feed/feed-unit.h"
#include "cityops/core/util.h"

struct row {
	char *type, *id, *attr, *indicator, *ind_unit, *src_unit;
	size_t seq; /* order of adding: the later of equal rows wins */
};

/* A live indicator's unit, for native readings that name theirs. */
struct ind_unit {
	char *key, *unit;
};

struct feed_map {
	struct row *rows;
	size_t n, cap, seq;
	int sorted;
	struct ind_unit *units;
	size_t nunits, capunits;
	int units_sorted;
	struct feed_places *places;
};

static const char *
short_type(const char *t)
{
	const char *s = strrchr(t, '/'), *h = strrchr(t, '#');

	if (h != NULL && (s == NULL || h > s))
		s = h;
	return s != NULL ? s + 1 : t;
}

static int
cmp3(const char *t1, const char *i1, const char *a1, const char *t2,
     const char *i2, const char *a2)
{
	int c = strcmp(t1, t2);

	if (c == 0)
		c = strcmp(i1, i2);
	if (c == 0)
		c = strcmp(a1, a2);
	return c;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = cmp3(x->type, x->id, x->attr, y->type, y->id, y->attr);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct feed_map *
feed_map_new(void)
{
	struct feed_map *m = xcalloc(1, sizeof(struct feed_map));

	m->places = feed_places_new();
	return m;
}

struct feed_places *
feed_map_places(struct feed_map *m)
{
	return m->places;
}

void
feed_map_units_clear(struct feed_map *m)
{
	for (size_t i = 0; i < m->nunits; i++) {
		free(m->units[i].key);
		free(m->units[i].unit);
	}
	m->nunits = 0;
}

void
feed_map_indicator_unit(struct feed_map *m, const char *indicator,
                        const char *unit)
{
	if (indicator == NULL || unit == NULL || *unit == '\0')
		return;
	if (m->nunits == m->capunits) {
		m->capunits = m->capunits ? m->capunits * 2 : 64;
		m->units = xrealloc(m->units, m->capunits * sizeof *m->units);
	}
	m->units[m->nunits].key = xstrdup(indicator);
	m->units[m->nunits].unit = xstrdup(unit);
	m->nunits++;
	m->units_sorted = 0;
}

static int
unit_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ind_unit *)a)->key,
	              ((const struct ind_unit *)b)->key);
}

static const char *
indicator_unit(struct feed_map *m, const char *key)
{
	struct ind_unit k = {(char *)key, NULL}, *hit;

	if (m->nunits == 0)
		return NULL;
	if (!m->units_sorted) {
		qsort(m->units, m->nunits, sizeof *m->units, unit_cmp);
		m->units_sorted = 1;
	}
	hit = bsearch(&k, m->units, m->nunits, sizeof *m->units, unit_cmp);
	return hit != NULL ? hit->unit : NULL;
}

void
feed_map_clear(struct feed_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->rows[i].type);
		free(m->rows[i].id);
		free(m->rows[i].attr);
		free(m->rows[i].indicator);
		free(m->rows[i].ind_unit);
		free(m->rows[i].src_unit);
	}
	m->n = 0;
	m->sorted = 1;
}

void
feed_map_free(struct feed_map **mp)
{
	if (*mp == NULL)
		return;
	feed_map_clear(*mp);
	feed_map_units_clear(*mp);
	free((*mp)->units);
	feed_places_free(&(*mp)->places);
	free((*mp)->rows);
	free(*mp);
	*mp = NULL;
}

static struct row *
find(struct feed_map *m, const char *type, const char *id, const char *attr)
{
	size_t lo = 0, hi = m->n;

	if (!m->sorted) {
		qsort(m->rows, m->n, sizeof *m->rows, row_cmp);
		/* Keep the last of equal rows: it was added last. */
		size_t w = 0;
		for (size_t i = 0; i < m->n; i++) {
			if (w > 0 &&
			    cmp3(m->rows[w - 1].type, m->rows[w - 1].id,
			         m->rows[w - 1].attr, m->rows[i].type,
			         m->rows[i].id, m->rows[i].attr) == 0) {
				struct row *o = &m->rows[w - 1];
				free(o->type);
				free(o->id);
				free(o->attr);
				free(o->indicator);
				free(o->ind_unit);
				free(o->src_unit);
				*o = m->rows[i];
				continue;
			}
			m->rows[w++] = m->rows[i];
		}
		m->n = w;
		m->sorted = 1;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct row *r = &m->rows[mid];
		int c = cmp3(type, id, attr, r->type, r->id, r->attr);
		if (c == 0)
			return r;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void
feed_map_add(struct feed_map *m, const char *entity_type, const char *entity_id,
             const char *attr, const char *indicator)
{
	feed_map_add_units(m, entity_type, entity_id, attr, indicator, NULL,
	                   NULL);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

void
feed_map_add_units(struct feed_map *m, const char *entity_type,
                   const char *entity_id, const char *attr,
                   const char *indicator, const char *indicator_unit,
                   const char *source_unit)
{
	struct row *r;

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->rows = xrealloc(m->rows, m->cap * sizeof *m->rows);
	}
	r = &m->rows[m->n++];
	r->type = xstrdup(short_type(entity_type));
	r->id = xstrdup(entity_id && *entity_id ? entity_id : "*");
	r->attr = xstrdup(attr);
	r->indicator = xstrdup(indicator);
	r->ind_unit = dup_or_null(indicator_unit);
	r->src_unit = dup_or_null(source_unit);
	r->seq = m->seq++;
	m->sorted = 0;
}

size_t
feed_map_count(const struct feed_map *m)
{
	return m->n;
}

/* A pattern row of the type and attribute matching the id or the ref. */
static struct row *
find_pattern(struct feed_map *m, const char *type, const char *attr,
             const char *id, const char *ref)
{
	struct row *best = NULL;

	for (size_t i = 0; i < m->n; i++) {
		struct row *r = &m->rows[i];

		if (strchr(r->id, '*') == NULL || strcmp(r->id, "*") == 0 ||
		    strcmp(r->type, type) != 0 || strcmp(r->attr, attr) != 0)
			continue;
		if (fnmatch(r->id, id, 0) == 0 ||
		    (ref != NULL && fnmatch(r->id, ref, 0) == 0)) {
			/* The longest pattern is the most specific. */
			if (best == NULL || strlen(r->id) > strlen(best->id))
				best = r;
		}
	}
	return best;
}

int
feed_map_find(struct feed_map *m, const struct feed_reading *r,
              struct feed_map_hit *hit)
{
	struct row *row;
	const char *type;

	memset(hit, 0, sizeof *hit);
	if (r->key != NULL) {
		hit->indicator = r->key;
		hit->indicator_unit = indicator_unit(m, r->key);
		return 0;
	}
	if (r->entity_id == NULL || r->attr == NULL)
		return -1;
	type = r->entity_type ? short_type(r->entity_type) : "";
	if ((row = find(m, type, r->entity_id, r->attr)) == NULL &&
	    (r->ref == NULL ||
	     (row = find(m, type, r->ref, r->attr)) == NULL) &&
	    (row = find_pattern(m, type, r->attr, r->entity_id, r->ref)) ==
	        NULL &&
	    (row = find(m, type, "*", r->attr)) == NULL)
		return -1;
	hit->indicator = row->indicator;
	hit->indicator_unit = row->ind_unit;
	hit->source_unit = row->src_unit;
	return 0;
}

const char *
feed_map_lookup(struct feed_map *m, const struct feed_reading *r)
{
	struct feed_map_hit hit;

	return feed_map_find(m, r, &hit) == 0 ? hit.indicator : NULL;
}

/*
 * A located reading: out of area is refused, swapped is noted, and the
 * deepest region containing it is said (nothing judged without extents).
 */
static enum feed_reject
judge_place(struct feed_map *m, const struct feed_reading *r,
            struct feed_judged *out)
{
	enum feed_place_rc rc;

	if (!r->has_pos)
		return FEED_REJECT_NONE;
	out->located = 1;
	out->lat = r->lat;
	out->lon = r->lon;
	rc = feed_places_find(m->places, r->lat, r->lon, &out->region);
	if (rc == FEED_PLACE_OUT)
		return FEED_REJECT_OUT_OF_AREA;
	out->swapped = rc == FEED_PLACE_SWAPPED;
	return FEED_REJECT_NONE;
}

/* The source's unit: the reading's (a native symbol read as its code),
 * the mapping row's, the Smart Data Model default. */
static const char *
source_unit(const struct feed_reading *r, const struct feed_map_hit *hit,
            const char **model)
{
	if (r->unit != NULL && *r->unit != '\0') {
		const char *code = feed_unit_code(r->unit);
		return code != NULL ? code : r->unit;
	}
	if (hit->source_unit != NULL)
		return hit->source_unit;
	return feed_unit_default(r->entity_type, r->attr, model);
}

enum feed_reject
feed_judge(struct feed_map *m, const struct feed_reading *r, int64_t now_ms,
           int64_t ahead_ms, struct feed_judged *out)
{
	struct feed_map_hit hit;
	enum feed_reject why;

	memset(out, 0, sizeof *out);
	/* Place first: an entity outside the city is not ours to map. */
	if ((why = judge_place(m, r, out)) != FEED_REJECT_NONE)
		return why;
	if (feed_map_find(m, r, &hit) != 0)
		return FEED_REJECT_UNMAPPED;
	out->indicator = hit.indicator;
	out->ts_ms = r->ts_ms > 0 ? r->ts_ms : now_ms;
	if (out->ts_ms > now_ms + ahead_ms)
		return FEED_REJECT_FUTURE_TIME;
	out->to = hit.indicator_unit;
	out->from = source_unit(r, &hit, &out->model);
	out->value = r->value;
	if (out->from != NULL && out->to != NULL &&
	    feed_unit_convert(out->from, out->to, r->value, &out->value) !=
	        FEED_UNIT_OK)
		return FEED_REJECT_UNIT_MISMATCH;
	return FEED_REJECT_NONE;
}
