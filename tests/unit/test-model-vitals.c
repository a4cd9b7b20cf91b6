/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The vital-signs model: lookup, mapping, thresholds with hysteresis,
 * staleness, history wraparound, change counters and the memory budget.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cityops/desk/model-vitals.h"
#include "check.h"

#define T0 1763700000000LL

static struct model_indicator_def
tide_def(void)
{
	struct model_indicator_def def = {
	    .key = "fx.tide.jinhui",
	    .category = "水务/防汛",
	    .name = "金汇港潮位",
	    .unit = "m",
	    .warn_high = 4.5,
	    .alarm_high = 5.0,
	    .warn_low = NAN,
	    .alarm_low = 1.0,
	    .hysteresis = 0.2,
	    .stale_ms = 60000,
	};
	return def;
}

static enum model_state
put(struct model_vitals *m, const char *key, double v, int64_t ts)
{
	struct feed_reading r = {.key = key, .value = v, .ts_ms = ts};
	struct model_indicator *ind = NULL;

	if (model_vitals_apply(m, &r, ts, &ind) != MODEL_APPLY_OK)
		return MODEL_STATE_COUNT;
	return ind->state;
}

static void
define_and_find(void)
{
	struct model_vitals *m = model_vitals_new(0);
	struct model_indicator_def def = tide_def();
	struct model_indicator *ind = model_vitals_define(m, &def);
	char key[32];

	CHECK(ind != NULL);
	CHECK(model_vitals_find(m, "fx.tide.jinhui") == ind);
	CHECK(model_vitals_find(m, "nope") == NULL);
	CHECK_STR(ind->name, "金汇港潮位");
	CHECK_INT(ind->state, MODEL_STATE_NODATA);
	/* Thousands of keys: the table grows and every key is found. */
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k.%d", i);
		def.key = key;
		model_vitals_define(m, &def);
	}
	CHECK_INT(model_vitals_count(m), 5001);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(key, sizeof key, "k.%d", i);
		CHECK(model_vitals_find(m, key) != NULL &&
		      strcmp(model_vitals_find(m, key)->key, key) == 0);
	}
	CHECK(model_vitals_find(m, "fx.tide.jinhui") == ind);
	CHECK(model_vitals_at(m, 0) == ind);
	model_vitals_free(&m);
	CHECK(m == NULL);
}

static void
thresholds_hysteresis(void)
{
	struct model_vitals *m = model_vitals_new(0);
	struct model_indicator_def def = tide_def();
	const char *k = def.key;

	model_vitals_define(m, &def);
	CHECK_INT(put(m, k, 3.0, T0 + 1000), MODEL_STATE_NORMAL);
	CHECK_INT(put(m, k, 4.5, T0 + 2000), MODEL_STATE_WARN);
	CHECK_INT(put(m, k, 5.0, T0 + 3000), MODEL_STATE_ALARM);
	/* Inside the band (5.0 - 0.2 < v < 5.0): alarm is held. */
	CHECK_INT(put(m, k, 4.85, T0 + 4000), MODEL_STATE_ALARM);
	CHECK_INT(put(m, k, 4.81, T0 + 5000), MODEL_STATE_ALARM);
	/* Out of the alarm band, still past warn: warn. */
	CHECK_INT(put(m, k, 4.7, T0 + 6000), MODEL_STATE_WARN);
	/* Held in warn until below 4.5 - 0.2. */
	CHECK_INT(put(m, k, 4.4, T0 + 7000), MODEL_STATE_WARN);
	CHECK_INT(put(m, k, 4.29, T0 + 8000), MODEL_STATE_NORMAL);
	/* Rising again is immediate, with no band. */
	CHECK_INT(put(m, k, 4.49, T0 + 9000), MODEL_STATE_NORMAL);
	CHECK_INT(put(m, k, 5.2, T0 + 10000), MODEL_STATE_ALARM);
	/* A fall straight from alarm to normal skips warn. */
	CHECK_INT(put(m, k, 2.0, T0 + 11000), MODEL_STATE_NORMAL);
	/* The low side, with its own band. */
	CHECK_INT(put(m, k, 1.0, T0 + 12000), MODEL_STATE_ALARM);
	CHECK_INT(put(m, k, 1.15, T0 + 13000), MODEL_STATE_ALARM);
	CHECK_INT(put(m, k, 1.25, T0 + 14000), MODEL_STATE_NORMAL);
	/* Redefining thresholds judges the present value afresh. */
	def.warn_high = 1.2;
	model_vitals_define(m, &def);
	CHECK_INT(model_vitals_find(m, k)->state, MODEL_STATE_WARN);
	model_vitals_free(&m);
}

static void
staleness(void)
{
	struct model_vitals *m = model_vitals_new(0);
	struct model_indicator_def def = tide_def();
	struct model_indicator *ind = model_vitals_define(m, &def);
	uint64_t gen;

	CHECK_INT(model_vitals_sweep(m, T0), 0); /* nodata is not stale */
	CHECK_INT(put(m, def.key, 4.6, T0), MODEL_STATE_WARN);
	CHECK_INT(model_vitals_sweep(m, T0 + 60000), 0);
	gen = model_vitals_generation(m);
	CHECK_INT(model_vitals_sweep(m, T0 + 60001), 1);
	CHECK_INT(ind->state, MODEL_STATE_STALE);
	CHECK_INT(ind->level, MODEL_STATE_WARN);
	CHECK(ind->changed > gen);
	/* Sweeping again changes nothing. */
	gen = model_vitals_generation(m);
	CHECK_INT(model_vitals_sweep(m, T0 + 70000), 0);
	CHECK_INT(model_vitals_generation(m), gen);
	/* A reading brings it back, with the level it had (hysteresis). */
	CHECK_INT(put(m, def.key, 4.4, T0 + 80000), MODEL_STATE_WARN);
	/* Indicators without a limit never go stale. */
	def.key = "no.limit";
	def.stale_ms = 0;
	model_vitals_define(m, &def);
	put(m, "no.limit", 1, T0);
	model_vitals_sweep(m, T0 + 86400000LL * 365);
	CHECK_INT(model_vitals_find(m, "no.limit")->state, MODEL_STATE_ALARM);
	model_vitals_free(&m);
}

static void
order_and_duplicates(void)
{
	struct model_vitals *m = model_vitals_new(0);
	struct model_indicator_def def = tide_def();
	struct model_indicator *ind = model_vitals_define(m, &def);
	struct feed_reading r = {.key = def.key, .value = 3, .ts_ms = T0};
	uint64_t gen;

	CHECK_INT(model_vitals_apply(m, &r, T0, NULL), MODEL_APPLY_OK);
	r.ts_ms = T0 - 1;
	CHECK_INT(model_vitals_apply(m, &r, T0, NULL), MODEL_APPLY_OLD);
	r.ts_ms = T0;
	gen = model_vitals_generation(m);
	CHECK_INT(model_vitals_apply(m, &r, T0 + 5, NULL), MODEL_APPLY_OK);
	CHECK_INT(model_vitals_generation(m), gen); /* re-delivery: no change */
	CHECK_INT(ind->count, 1);
	CHECK_INT(ind->seen_ms, T0 + 5); /* but it proves the feed lives */
	/* No observed time: arrival time stands in. */
	r.ts_ms = 0;
	r.value = 3.5;
	CHECK_INT(model_vitals_apply(m, &r, T0 + 9000, NULL), MODEL_APPLY_OK);
	CHECK_INT(ind->ts_ms, T0 + 9000);
	r.key = "unknown";
	CHECK_INT(model_vitals_apply(m, &r, T0, NULL), MODEL_APPLY_UNKNOWN);
	model_vitals_free(&m);
}

static void
mapping(void)
{
	struct model_vitals *m = model_vitals_new(0);
	struct model_indicator_def def = tide_def();
	struct feed_reading r = {
	    .entity_id = "urn:ngsi-ld:WeatherObserved:fx-01",
	    .attr = "streamGauge",
	    .value = 4.7,
	    .ts_ms = T0,
	};
	struct model_indicator *ind = NULL;
	char ent[64];

	/* Mapped before the indicator exists: resolved when it does. */
	model_vitals_map(m, r.entity_id, r.attr, def.key);
	CHECK_INT(model_vitals_apply(m, &r, T0, NULL), MODEL_APPLY_UNKNOWN);
	model_vitals_define(m, &def);
	CHECK_INT(model_vitals_apply(m, &r, T0, &ind), MODEL_APPLY_OK);
	CHECK(ind != NULL && strcmp(ind->key, def.key) == 0);
	CHECK_INT(ind->state, MODEL_STATE_WARN);
	r.attr = "precipitation";
	CHECK_INT(model_vitals_apply(m, &r, T0, NULL), MODEL_APPLY_UNKNOWN);
	for (int i = 0; i < 3000; i++) {
		snprintf(ent, sizeof ent, "urn:e:%d", i);
		model_vitals_map(m, ent, "a", def.key);
	}
	r.entity_id = "urn:e:2999";
	r.attr = "a";
	r.ts_ms = T0 + 1;
	CHECK_INT(model_vitals_apply(m, &r, T0, NULL), MODEL_APPLY_OK);
	model_vitals_map_clear(m);
	r.ts_ms = T0 + 2;
	CHECK_INT(model_vitals_apply(m, &r, T0, NULL), MODEL_APPLY_UNKNOWN);
	model_vitals_free(&m);
}

static void
history_wraparound(void)
{
	struct model_vitals *m = model_vitals_new(5);
	struct model_indicator_def def = tide_def();
	struct model_indicator *ind = model_vitals_define(m, &def);
	float vals[8];
	int64_t times[8];

	CHECK_INT(model_vitals_history(ind, vals, times, 8), 0);
	for (int i = 0; i < 3; i++)
		put(m, def.key, i, T0 + i * 1000);
	CHECK_INT(model_vitals_history(ind, vals, times, 8), 3);
	CHECK(vals[0] == 0 && vals[2] == 2);
	CHECK_INT(times[0], T0);
	CHECK_INT(times[2], T0 + 2000);
	for (int i = 3; i < 12; i++)
		put(m, def.key, i, T0 + i * 1000);
	/* Only the newest five are kept, oldest first. */
	CHECK_INT(model_vitals_history(ind, vals, times, 8), 5);
	for (int i = 0; i < 5; i++) {
		CHECK(vals[i] == (float)(7 + i));
		CHECK_INT(times[i], T0 + (7 + i) * 1000);
	}
	CHECK_INT(model_vitals_history(ind, vals, times, 2), 2);
	CHECK(vals[0] == 10 && vals[1] == 11);
	/* Times to 100 ms without drift, over sub-unit gaps. */
	for (int i = 0; i < 5; i++)
		put(m, def.key, 1, T0 + 20000 + i * 150);
	model_vitals_history(ind, vals, times, 5);
	CHECK_INT(times[0], T0 + 20000);
	CHECK_INT(times[4], T0 + 20000 + 600);
	for (int i = 0; i < 5; i++)
		CHECK(times[i] <= T0 + 20000 + i * 150 &&
		      times[i] > T0 + 20000 + i * 150 - 100);
	model_vitals_free(&m);
}

static void
change_counters(void)
{
	struct model_vitals *m = model_vitals_new(0);
	struct model_indicator_def def = tide_def();
	struct model_indicator *a = model_vitals_define(m, &def), *b;
	uint64_t drawn;

	def.key = "other";
	b = model_vitals_define(m, &def);
	drawn = model_vitals_generation(m);
	put(m, "other", 1.5, T0);
	/* The UI redraws rows whose counter passed the one it drew. */
	CHECK(b->changed > drawn);
	CHECK(a->changed <= drawn);
	model_vitals_free(&m);
}

/* DESIGN.md: 5k indicators x 600 points within the 30 MB RSS budget. */
static void
memory_budget(void)
{
	struct model_vitals *m = model_vitals_new(600);
	struct model_indicator_def def = tide_def();
	char key[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "district.%d.indicator", i);
		def.key = key;
		model_vitals_define(m, &def);
		for (int k = 0; k < 600; k++)
			put(m, key, k, T0 + k * 1000);
	}
	fprintf(stderr, "model with 5000 x 600: %zu bytes\n",
	        model_vitals_memory(m));
	CHECK(model_vitals_memory(m) < 20u * 1024 * 1024);
	model_vitals_free(&m);
}

static void
names(void)
{
	CHECK_STR(model_state_name(MODEL_STATE_STALE), "stale");
	CHECK_STR(model_apply_name(MODEL_APPLY_OLD), "old");
	CHECK_STR(model_state_name(MODEL_STATE_COUNT), "?");
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(define_and_find), TEST(thresholds_hysteresis),
	    TEST(staleness),       TEST(order_and_duplicates),
	    TEST(mapping),         TEST(history_wraparound),
	    TEST(change_counters), TEST(memory_budget),
	    TEST(names),           {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
