/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Rollups (console/ingest/rollup.c) against a brute-force reference: every
 * reading kept in a list, the latest per sensor found by scanning it, the
 * function computed by sorting. Readings come in random order, repeated
 * and out of date, as after a restart's replay.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/ingest/rollup.h"

static int
close_to(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (1 + fabs(a) + fabs(b));
}

static void
collect(void *arg, const struct rollup_value *v)
{
	struct rollup_value *last = arg;

	last[0] = *v;
	last[1].members++; /* how many values were given */
}

static void
functions_on_a_small_set(void)
{
	struct rollups *r = rollups_new();
	enum rollup_fn fn;
	const char *fns[] = {"max", "min",         "mean",
	                     "sum", "count_above", "percentile"};
	double want[] = {4, 1, 2.5, 10, 2, 3.25};
	double args[] = {0, 0, 0, 0, 2.0, 0.75};
	int s[4];
	double v;
	size_t n;

	for (int i = 0; i < 4; i++) {
		char id[16];
		snprintf(id, sizeof id, "s%d", i);
		s[i] = rollups_sensor(r, id);
	}
	for (int f = 0; f < 6; f++) {
		char ind[16];
		CHECK_INT(rollup_fn_parse(fns[f], &fn), 0);
		snprintf(ind, sizeof ind, "x.f%d", f);
		CHECK_INT(rollups_define(r, ind, fn, args[f], 60000), f);
		for (int i = 0; i < 4; i++)
			rollups_member(r, s[i], f);
	}
	CHECK_INT(rollup_fn_parse("median", &fn), -1);
	CHECK_INT(rollups_define(r, "x.f0", ROLLUP_MAX, 0, 1000), -1);
	CHECK_INT(rollups_define(r, "x.p", ROLLUP_PERCENTILE, 1.5, 1000), -1);
	CHECK_INT(rollups_define(r, "x.w", ROLLUP_MAX, 0, 0), -1);
	CHECK_INT(rollups_value(r, 0, 1000, &v, &n), -1); /* no readings */
	for (int i = 0; i < 4; i++)
		CHECK_INT(rollups_reading(r, s[i], 1000, i + 1, 1), 1);
	for (int f = 0; f < 6; f++) {
		CHECK_INT(rollups_value(r, f, 2000, &v, &n), 0);
		CHECK_INT(n, 4);
		if (!close_to(v, want[f]))
			check_fail(__FILE__, __LINE__, "%s: got %g, want %g",
			           fns[f], v, want[f]);
	}
	/* An older or equally old reading changes nothing; NaN neither. */
	CHECK_INT(rollups_reading(r, s[3], 999, 100, 1), 0);
	CHECK_INT(rollups_reading(r, s[3], 1000, 100, 1), 0);
	CHECK_INT(rollups_reading(r, s[3], 1001, NAN, 1), 0);
	CHECK_INT(rollups_value(r, 0, 2000, &v, &n), 0);
	CHECK(v == 4);
	/* Out of the window (observed at or before now - window). */
	CHECK_INT(rollups_value(r, 0, 61000, &v, &n), -1);
	rollups_free(&r);
	CHECK(r == NULL);
}

static void
tick_gives_changes_and_expiry(void)
{
	struct rollups *r = rollups_new();
	struct rollup_value last[2];
	int a = rollups_sensor(r, "a"), b = rollups_sensor(r, "b");
	int m = rollups_define(r, "x.max", ROLLUP_MAX, 0, 10000);

	rollups_member(r, a, m);
	rollups_member(r, b, m);
	rollups_member(r, b, m); /* once only */
	memset(last, 0, sizeof last);
	CHECK_INT(rollups_tick(r, 500, collect, last), 0); /* nothing yet */
	rollups_reading(r, a, 1000, 5, 1100);
	rollups_reading(r, b, 2000, 7, 2100);
	CHECK_INT(rollups_tick(r, 2500, collect, last), 1);
	CHECK(last[0].value == 7);
	CHECK_INT(last[0].members, 2);
	CHECK_INT(last[0].arrival_ms, 1100); /* the first since the last */
	CHECK_INT(rollups_tick(r, 3000, collect, last), 0); /* unchanged */
	/* a leaves the window at 11000: same max, one member fewer. */
	CHECK_INT(rollups_tick(r, 11000, collect, last), 1);
	CHECK_INT(last[0].members, 1);
	CHECK_INT(last[0].arrival_ms, 0);
	/* b leaves at 12000: no value at all, nothing given. */
	CHECK_INT(rollups_tick(r, 12000, collect, last), 0);
	rollups_reading(r, a, 12500, 3, 12600);
	CHECK_INT(rollups_tick(r, 13000, collect, last), 1);
	CHECK(last[0].value == 3);
	CHECK_INT(rollups_find(r, "x.max"), m);
	CHECK_INT(rollups_find(r, "x.none"), -1);
	CHECK_INT(rollups_find_sensor(r, "b"), b);
	CHECK_INT(rollups_find_sensor(r, "c"), -1);
	rollups_free(&r);
}

/* The reference: the latest reading per sensor from the whole list. */
struct ref_reading {
	int sensor;
	long long at;
	double v;
};

static int
ref_value(const struct ref_reading *rd, size_t nrd, const int *mem, size_t nmem,
          enum rollup_fn fn, double arg, long long now, long long window,
          double *out, size_t *nout)
{
	double vals[512];
	size_t n = 0;

	for (size_t i = 0; i < nmem; i++) {
		long long at = 0;
		double v = 0;
		int any = 0;
		for (size_t k = 0; k < nrd; k++)
			if (rd[k].sensor == mem[i] && (!any || rd[k].at > at)) {
				any = 1;
				at = rd[k].at;
				v = rd[k].v;
			}
		if (any && at > now - window)
			vals[n++] = v;
	}
	*nout = n;
	if (n == 0)
		return -1;
	for (size_t i = 1; i < n; i++) /* insertion sort */
		for (size_t j = i; j > 0 && vals[j - 1] > vals[j]; j--) {
			double t = vals[j];
			vals[j] = vals[j - 1];
			vals[j - 1] = t;
		}
	switch (fn) {
	case ROLLUP_MAX:
		*out = vals[n - 1];
		break;
	case ROLLUP_MIN:
		*out = vals[0];
		break;
	case ROLLUP_SUM:
	case ROLLUP_MEAN:
		*out = 0;
		for (size_t i = 0; i < n; i++)
			*out += vals[i];
		if (fn == ROLLUP_MEAN)
			*out /= (double)n;
		break;
	case ROLLUP_COUNT_ABOVE:
		*out = 0;
		for (size_t i = 0; i < n; i++)
			*out += vals[i] > arg;
		break;
	case ROLLUP_PERCENTILE: {
		double pos = arg * (double)(n - 1);
		size_t lo = (size_t)floor(pos);
		*out = lo + 1 < n ? vals[lo] + (pos - (double)lo) *
		                                   (vals[lo + 1] - vals[lo])
		                  : vals[n - 1];
		break;
	}
	}
	return 0;
}

static void
random_against_reference(void)
{
	srand(2026);
	for (int round = 0; round < 40; round++) {
		struct rollups *r = rollups_new();
		int nsens = 1 + rand() % 300, nro = 1 + rand() % 12;
		static int mem[12][300];
		static struct ref_reading rd[3000];
		size_t nmem[12] = {0}, nrd = 0;
		enum rollup_fn fns[12];
		double args[12];
		long long win[12], now = 0;

		for (int i = 0; i < nsens; i++) {
			char id[24];
			snprintf(id, sizeof id, "s.%07d", i);
			CHECK_INT(rollups_sensor(r, id), i);
		}
		for (int k = 0; k < nro; k++) {
			char ind[24];
			fns[k] = (enum rollup_fn)(rand() % 6);
			args[k] = fns[k] == ROLLUP_PERCENTILE
			              ? rand() % 101 / 100.0
			              : rand() % 100;
			win[k] = 1000 + rand() % 60000;
			snprintf(ind, sizeof ind, "x.r%d", k);
			CHECK_INT(
			    rollups_define(r, ind, fns[k], args[k], win[k]), k);
			for (int i = 0; i < nsens; i++)
				if (rand() % 3 == 0) {
					rollups_member(r, i, k);
					mem[k][nmem[k]++] = i;
				}
		}
		for (int step = 0; step < 10; step++) {
			int burst = rand() % 300;
			now += rand() % 20000;
			for (int b = 0; b < burst && nrd < 3000; b++) {
				/* Late, repeated and equal-time readings too.
				 */
				rd[nrd].sensor = rand() % nsens;
				rd[nrd].at = now - rand() % 30000;
				rd[nrd].v = (rand() % 20000) / 100.0 - 50;
				for (size_t k = 0; k < nrd; k++)
					if (rd[k].sensor == rd[nrd].sensor &&
					    rd[k].at == rd[nrd].at)
						rd[nrd].v = rd[k].v;
				rollups_reading(r, rd[nrd].sensor, rd[nrd].at,
				                rd[nrd].v, now);
				nrd++;
			}
			for (int k = 0; k < nro; k++) {
				double got = 0, want = 0;
				size_t ng = 0, nw = 0;
				int hg = rollups_value(r, k, now, &got, &ng);
				int hw =
				    ref_value(rd, nrd, mem[k], nmem[k], fns[k],
				              args[k], now, win[k], &want, &nw);
				CHECK_INT(hg, hw);
				CHECK_INT(ng, nw);
				if (hg == 0 && !close_to(got, want))
					check_fail(
					    __FILE__, __LINE__,
					    "round %d rollup %d fn %d: got "
					    "%.17g, want %.17g",
					    round, k, (int)fns[k], got, want);
			}
		}
		rollups_free(&r);
	}
}

static void
many_sensors_hash(void)
{
	struct rollups *r = rollups_new();
	char id[24];

	for (int i = 0; i < 100000; i++) {
		snprintf(id, sizeof id, "s.%07d", i);
		CHECK_INT(rollups_sensor(r, id), i);
	}
	CHECK_INT(rollups_sensor_count(r), 100000);
	for (int i = 0; i < 100000; i += 997) {
		snprintf(id, sizeof id, "s.%07d", i);
		CHECK_INT(rollups_find_sensor(r, id), i);
		CHECK_INT(rollups_sensor(r, id), i); /* not added twice */
	}
	CHECK_INT(rollups_sensor_count(r), 100000);
	rollups_free(&r);
}

/* Values given by a tick, by indicator (up to 8). */
struct given {
	struct rollup_value v[8];
	int n;
};

static void
gather(void *arg, const struct rollup_value *v)
{
	struct given *g = arg;

	if (g->n < 8)
		g->v[g->n++] = *v;
}

static const struct rollup_value *
given_for(const struct given *g, const char *indicator)
{
	for (int i = 0; i < g->n; i++)
		if (strcmp(g->v[i].indicator, indicator) == 0)
			return &g->v[i];
	return NULL;
}

/* A reload: definitions loaded anew, the running windows carried over. */
static void
carry_keeps_windows_of_rollups_that_stay(void)
{
	struct rollups *old = rollups_new(), *r = rollups_new();
	struct given g = {0};
	const struct rollup_value *v;
	int a = rollups_sensor(old, "a"), b = rollups_sensor(old, "b"),
	    c = rollups_sensor(old, "c");
	int x = rollups_define(old, "x.max", ROLLUP_MAX, 0, 10000),
	    y = rollups_define(old, "y.sum", ROLLUP_SUM, 0, 10000);

	rollups_member(old, a, x);
	rollups_member(old, b, x);
	rollups_member(old, b, y);
	rollups_member(old, c, y);
	rollups_reading(old, a, 1000, 5, 1100);
	rollups_reading(old, b, 1000, 7, 1100);
	rollups_reading(old, c, 1000, 1, 1100);
	CHECK_INT(rollups_tick(old, 1500, gather, &g), 2);
	/* A reading not yet written when the reload lands. */
	rollups_reading(old, a, 1600, 9, 1700);

	/* Reloaded: x.max the same plus a new sensor d, y.sum gone, z.mean
	 * new over a and c; e new with no reading. */
	x = rollups_define(r, "x.max", ROLLUP_MAX, 0, 10000);
	int z = rollups_define(r, "z.mean", ROLLUP_MEAN, 0, 10000);
	int ra = rollups_sensor(r, "a"), rb = rollups_sensor(r, "b"),
	    rc = rollups_sensor(r, "c"), rd = rollups_sensor(r, "d");
	rollups_member(r, ra, x);
	rollups_member(r, rb, x);
	rollups_member(r, rd, x);
	rollups_member(r, ra, z);
	rollups_member(r, rc, z);
	rollups_carry(r, old);
	rollups_free(&old);
	CHECK_INT(rollups_find(r, "y.sum"), -1);

	g.n = 0;
	CHECK_INT(rollups_tick(r, 1800, gather, &g), 2);
	CHECK((v = given_for(&g, "x.max")) != NULL);
	CHECK(v != NULL && v->value == 9); /* the pending reading */
	CHECK(v != NULL && v->arrival_ms == 1700);
	CHECK((v = given_for(&g, "z.mean")) != NULL);
	CHECK(v != NULL && close_to(v->value, 5)); /* (9 + 1) / 2 */
	CHECK(v != NULL && v->members == 2);
	/* Nothing changed: nothing given. */
	g.n = 0;
	CHECK_INT(rollups_tick(r, 1900, gather, &g), 0);
	/* The new member counts; the old ones still leave at 11000. */
	rollups_reading(r, rd, 2000, 20, 2100);
	g.n = 0;
	CHECK_INT(rollups_tick(r, 2500, gather, &g), 1);
	CHECK(g.v[0].value == 20 && g.v[0].members == 3);
	g.n = 0;
	CHECK_INT(rollups_tick(r, 11000, gather, &g), 2);
	CHECK((v = given_for(&g, "x.max")) != NULL);
	CHECK(v != NULL && v->members == 2 && v->value == 20);
	rollups_free(&r);
}

/* A definition changed by the reload gives its new value at once, with no
 * new reading; an unchanged one stays quiet. */
static void
carry_recomputes_changed_definitions(void)
{
	struct rollups *old = rollups_new(), *r = rollups_new();
	struct given g = {0};
	const struct rollup_value *v;
	int a = rollups_sensor(old, "a"), b = rollups_sensor(old, "b");
	int x = rollups_define(old, "x", ROLLUP_MAX, 0, 10000),
	    y = rollups_define(old, "y", ROLLUP_MIN, 0, 10000);

	rollups_member(old, a, x);
	rollups_member(old, b, x);
	rollups_member(old, a, y);
	rollups_member(old, b, y);
	rollups_reading(old, a, 1000, 2, 1000);
	rollups_reading(old, b, 1000, 8, 1000);
	CHECK_INT(rollups_tick(old, 1000, gather, &g), 2);
	x = rollups_define(r, "x", ROLLUP_MEAN, 0, 10000); /* was max */
	y = rollups_define(r, "y", ROLLUP_MIN, 0, 10000);
	a = rollups_sensor(r, "a");
	b = rollups_sensor(r, "b");
	rollups_member(r, a, x);
	rollups_member(r, b, x);
	rollups_member(r, a, y);
	rollups_member(r, b, y);
	rollups_carry(r, old);
	rollups_free(&old);
	g.n = 0;
	CHECK_INT(rollups_tick(r, 1200, gather, &g), 1);
	CHECK((v = given_for(&g, "x")) != NULL);
	CHECK(v != NULL && close_to(v->value, 5) && v->arrival_ms == 0);
	rollups_free(&r);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(functions_on_a_small_set),
	    TEST(tick_gives_changes_and_expiry),
	    TEST(random_against_reference),
	    TEST(many_sensors_hash),
	    TEST(carry_keeps_windows_of_rollups_that_stay),
	    TEST(carry_recomputes_changed_definitions),
	    {NULL, NULL},
	};
	return check_main(cases, argc, argv);
}
