/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Rollups in memory (rollup.h). Sensors live in one array, their names in
 * one arena, found through an open-addressed hash; each sensor lists the
 * rollups it is in (a chain of links in one array), each rollup its
 * members. A reading marks the sensor's rollups dirty; a tick computes the
 * dirty ones and those whose window lost a member since.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/ingest/rollup.h"

#define NO_READING INT64_MIN

struct sensor {
	size_t name; /* offset in the arena */
	int64_t at;  /* newest observation, or NO_READING */
	double v;
	int32_t link; /* first link, or -1 */
};

struct link {
	int32_t rollup, next;
};

struct rollup {
	char *indicator;
	enum rollup_fn fn;
	double arg;
	int64_t window;
	int32_t *mem;
	size_t nmem, cap;
	int dirty, have;
	int64_t arrival; /* first reading since the last value */
	int64_t expire;  /* when the next member leaves the window */
	double last;
	size_t last_n;
};

/* Open addressing over indexes (-1: empty); the names are elsewhere. */
struct index {
	int32_t *slot;
	size_t cap, n;
};

struct rollups {
	struct rollup *ro;
	size_t nro, cap_ro;
	struct index ro_ix;
	struct sensor *s;
	size_t ns, cap_s;
	struct index s_ix;
	char *arena;
	size_t arena_len, arena_cap;
	struct link *lk;
	size_t nlk, cap_lk;
	double *scratch;
	size_t scratch_cap;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static const char *
sensor_name(const struct rollups *r, int32_t i)
{
	return r->arena + r->s[i].name;
}

static const char *
item_name(const struct rollups *r, const struct index *ix, int32_t i)
{
	return ix == &r->s_ix ? sensor_name(r, i) : r->ro[i].indicator;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t
ix_slot(const struct rollups *r, const struct index *ix, const char *name)
{
	size_t m = ix->cap - 1, i = (size_t)hash_str(name) & m;

	while (ix->slot[i] >= 0 && strcmp(item_name(r, ix, ix->slot[i]), name))
		i = (i + 1) & m;
	return i;
}

static int32_t
ix_find(const struct rollups *r, const struct index *ix, const char *name)
{
	if (ix->cap == 0)
		return -1;
	return ix->slot[ix_slot(r, ix, name)];
}

static void
ix_put(struct rollups *r, struct index *ix, int32_t item)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		struct index old = *ix;
		ix->cap = old.cap ? old.cap * 2 : 64;
		ix->slot = xmalloc(ix->cap * sizeof *ix->slot);
		memset(ix->slot, 0xff, ix->cap * sizeof *ix->slot);
		for (size_t i = 0; i < old.cap; i++)
			if (old.slot[i] >= 0)
				ix->slot[ix_slot(
				    r, ix, item_name(r, ix, old.slot[i]))] =
				    old.slot[i];
		free(old.slot);
	}
	ix->slot[ix_slot(r, ix, item_name(r, ix, item))] = item;
	ix->n++;
}

struct rollups *
rollups_new(void)
{
	return xcalloc(1, sizeof(struct rollups));
}

void
rollups_free(struct rollups **rp)
{
	struct rollups *r = *rp;

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nro; i++) {
		free(r->ro[i].indicator);
		free(r->ro[i].mem);
	}
	free(r->ro);
	free(r->ro_ix.slot);
	free(r->s);
	free(r->s_ix.slot);
	free(r->arena);
	free(r->lk);
	free(r->scratch);
	free(r);
	*rp = NULL;
}

int
rollup_fn_parse(const char *s, enum rollup_fn *fn)
{
	static const char *names[] = {"max", "min",         "mean",
	                              "sum", "count_above", "percentile"};

	for (size_t i = 0; s != NULL && i < sizeof names / sizeof *names; i++)
		if (strcmp(s, names[i]) == 0) {
			*fn = (enum rollup_fn)i;
			return 0;
		}
	return -1;
}

int
rollups_define(struct rollups *r, const char *indicator, enum rollup_fn fn,
               double arg, int64_t window_ms)
{
	struct rollup *ro;

	if (indicator == NULL || window_ms <= 0 || fn > ROLLUP_PERCENTILE ||
	    (fn == ROLLUP_PERCENTILE && !(arg >= 0 && arg <= 1)) ||
	    (fn == ROLLUP_COUNT_ABOVE && isnan(arg)) ||
	    rollups_find(r, indicator) >= 0 || r->nro >= INT32_MAX)
		return -1;
	if (r->nro == r->cap_ro) {
		r->cap_ro = r->cap_ro ? r->cap_ro * 2 : 16;
		r->ro = xrealloc(r->ro, r->cap_ro * sizeof *r->ro);
	}
	ro = &r->ro[r->nro];
	memset(ro, 0, sizeof *ro);
	ro->indicator = xstrdup(indicator);
	ro->fn = fn;
	ro->arg = arg;
	ro->window = window_ms;
	ro->expire = INT64_MAX;
	r->nro++;
	ix_put(r, &r->ro_ix, (int32_t)(r->nro - 1));
	return (int)(r->nro - 1);
}

int
rollups_find(const struct rollups *r, const char *indicator)
{
	return ix_find(r, &r->ro_ix, indicator);
}

size_t
rollups_count(const struct rollups *r)
{
	return r->nro;
}

const char *
rollups_indicator(const struct rollups *r, int rollup)
{
	return r->ro[rollup].indicator;
}

int
rollups_find_sensor(const struct rollups *r, const char *id)
{
	return ix_find(r, &r->s_ix, id);
}

int
rollups_sensor(struct rollups *r, const char *id)
{
	int32_t i = rollups_find_sensor(r, id);
	size_t n = strlen(id) + 1;

	if (i >= 0)
		return i;
	if (r->ns == r->cap_s) {
		r->cap_s = r->cap_s ? r->cap_s * 2 : 256;
		r->s = xrealloc(r->s, r->cap_s * sizeof *r->s);
	}
	while (r->arena_len + n > r->arena_cap) {
		r->arena_cap = r->arena_cap ? r->arena_cap * 2 : 4096;
		r->arena = xrealloc(r->arena, r->arena_cap);
	}
	memcpy(r->arena + r->arena_len, id, n);
	r->s[r->ns].name = r->arena_len;
	r->s[r->ns].at = NO_READING;
	r->s[r->ns].v = 0;
	r->s[r->ns].link = -1;
	r->arena_len += n;
	r->ns++;
	ix_put(r, &r->s_ix, (int32_t)(r->ns - 1));
	return (int)(r->ns - 1);
}

size_t
rollups_sensor_count(const struct rollups *r)
{
	return r->ns;
}

void
rollups_member(struct rollups *r, int sensor, int rollup)
{
	struct sensor *s = &r->s[sensor];
	struct rollup *ro = &r->ro[rollup];

	for (int32_t k = s->link; k >= 0; k = r->lk[k].next)
		if (r->lk[k].rollup == rollup)
			return;
	if (r->nlk == r->cap_lk) {
		r->cap_lk = r->cap_lk ? r->cap_lk * 2 : 256;
		r->lk = xrealloc(r->lk, r->cap_lk * sizeof *r->lk);
	}
	r->lk[r->nlk].rollup = rollup;
	r->lk[r->nlk].next = s->link;
	s->link = (int32_t)r->nlk++;
	if (ro->nmem == ro->cap) {
		ro->cap = ro->cap ? ro->cap * 2 : 16;
		ro->mem = xrealloc(ro->mem, ro->cap * sizeof *ro->mem);
	}
	ro->mem[ro->nmem++] = sensor;
	ro->dirty = 1; /* a new member may be in the window already */
}

int
rollups_reading(struct rollups *r, int sensor, int64_t at_ms, double v,
                int64_t arrival_ms)
{
	struct sensor *s = &r->s[sensor];

	if (!isfinite(v) || at_ms <= s->at)
		return 0;
	s->at = at_ms;
	s->v = v;
	for (int32_t k = s->link; k >= 0; k = r->lk[k].next) {
		struct rollup *ro = &r->ro[r->lk[k].rollup];
		if (!ro->dirty || ro->arrival == 0)
			ro->arrival = arrival_ms;
		ro->dirty = 1;
	}
	return 1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
percentile(double *v, size_t n, double p)
{
	double pos = p * (double)(n - 1), lo;
	size_t i;

	qsort(v, n, sizeof *v, cmp_double);
	lo = floor(pos);
	i = (size_t)lo;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - lo) * (v[i + 1] - v[i]);
}

/* Computes ro at now; sets *expire to when its next member leaves. */
static int
compute(struct rollups *r, struct rollup *ro, int64_t now, double *out,
        size_t *nout, int64_t *expire)
{
	int64_t cut = now - ro->window;
	double acc = 0;
	size_t n = 0;

	*expire = INT64_MAX;
	if (ro->fn == ROLLUP_PERCENTILE && r->scratch_cap < ro->nmem) {
		r->scratch_cap = ro->nmem;
		r->scratch =
		    xrealloc(r->scratch, r->scratch_cap * sizeof *r->scratch);
	}
	for (size_t i = 0; i < ro->nmem; i++) {
		const struct sensor *s = &r->s[ro->mem[i]];
		double v = s->v;
		if (s->at == NO_READING || s->at <= cut)
			continue;
		if (s->at + ro->window < *expire)
			*expire = s->at + ro->window;
		switch (ro->fn) {
		case ROLLUP_MAX:
			acc = n == 0 || v > acc ? v : acc;
			break;
		case ROLLUP_MIN:
			acc = n == 0 || v < acc ? v : acc;
			break;
		case ROLLUP_MEAN:
		case ROLLUP_SUM:
			acc += v;
			break;
		case ROLLUP_COUNT_ABOVE:
			acc += v > ro->arg;
			break;
		case ROLLUP_PERCENTILE:
			r->scratch[n] = v;
			break;
		}
		n++;
	}
	*nout = n;
	if (n == 0)
		return -1;
	if (ro->fn == ROLLUP_MEAN)
		acc /= (double)n;
	else if (ro->fn == ROLLUP_PERCENTILE)
		acc = percentile(r->scratch, n, ro->arg);
	*out = acc;
	return 0;
}

int
rollups_value(struct rollups *r, int rollup, int64_t now_ms, double *v,
              size_t *members)
{
	int64_t expire;

	return compute(r, &r->ro[rollup], now_ms, v, members, &expire);
}

size_t
rollups_tick(struct rollups *r, int64_t now_ms, rollup_out_fn *out, void *arg)
{
	size_t given = 0;

	for (size_t i = 0; i < r->nro; i++) {
		struct rollup *ro = &r->ro[i];
		struct rollup_value rv;
		double v = 0;
		size_t n = 0;
		int have;

		if (!ro->dirty && now_ms < ro->expire)
			continue;
		have = compute(r, ro, now_ms, &v, &n, &ro->expire) == 0;
		if (have && (ro->dirty || !ro->have || v != ro->last ||
		             n != ro->last_n)) {
			rv.indicator = ro->indicator;
			rv.value = v;
			rv.members = n;
			rv.arrival_ms = ro->dirty ? ro->arrival : 0;
			out(arg, &rv);
			given++;
		}
		ro->have = have;
		ro->last = v;
		ro->last_n = n;
		ro->dirty = 0;
		ro->arrival = 0;
	}
	return given;
}

int64_t
rollups_max_window(const struct rollups *r)
{
	int64_t w = 0;

	for (size_t i = 0; i < r->nro; i++)
		if (r->ro[i].window > w)
			w = r->ro[i].window;
	return w;
}

void
rollups_carry(struct rollups *to, const struct rollups *from)
{
	for (size_t i = 0; i < from->ns; i++) {
		const struct sensor *f = &from->s[i];
		int32_t j;
		if (f->at == NO_READING ||
		    (j = rollups_find_sensor(
		         to, sensor_name(from, (int32_t)i))) < 0 ||
		    f->at <= to->s[j].at)
			continue;
		to->s[j].at = f->at;
		to->s[j].v = f->v;
	}
	for (size_t k = 0; k < to->nro; k++) {
		struct rollup *t = &to->ro[k];
		int32_t f = rollups_find(from, t->indicator);
		if (f < 0)
			continue;
		t->have = from->ro[f].have;
		t->last = from->ro[f].last;
		t->last_n = from->ro[f].last_n;
		t->dirty = from->ro[f].dirty;
		t->arrival = from->ro[f].arrival;
		t->expire = INT64_MIN; /* computed at the next tick */
	}
}
