/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The vital-signs model (城市运行生命体征): the indicator catalogue the
 * console shows, with the latest value, a state evaluated against warn and
 * alarm thresholds with hysteresis, staleness, and a short history for
 * sparklines. Libc only: it knows feed readings as plain structs.
 *
 * Applying a reading is O(1): one hash lookup, a few comparisons, one ring
 * write. The UI redraws only what changed by comparing each indicator's
 * change counter with the one it last drew.
 */
#ifndef CITYOPS_MODEL_VITALS_H
#define CITYOPS_MODEL_VITALS_H

#include <stddef.h>
#include <stdint.h>

#include "cityops/feed/feed.h"

#define MODEL_STATE_LIST(X)                                                    \
	X(NODATA, "nodata", "no reading yet")                                  \
	X(NORMAL, "normal", "within thresholds")                               \
	X(WARN, "warn", "past a warning threshold")                            \
	X(ALARM, "alarm", "past an alarm threshold")                           \
	X(STALE, "stale", "no reading within the staleness limit")

enum model_state {
#define X(id, name, help) MODEL_STATE_##id,
	MODEL_STATE_LIST(X)
#undef X
	    MODEL_STATE_COUNT
};

#define MODEL_APPLY_LIST(X)                                                    \
	X(OK, "ok", "applied")                                                 \
	X(UNKNOWN, "unknown", "no indicator with that key or mapping")         \
	X(OLD, "old", "older than the indicator's last reading")

enum model_apply {
#define X(id, name, help) MODEL_APPLY_##id,
	MODEL_APPLY_LIST(X)
#undef X
	    MODEL_APPLY_COUNT
};

/* Default history length: ten minutes at one reading a second. */
#define MODEL_HISTORY_DEFAULT 600

/*
 * How an indicator is defined (from the catalogue in the database). Unset
 * thresholds are NAN. Hysteresis is in the indicator's unit: a level is
 * left only when the value is that far back inside the threshold.
 */
struct model_indicator_def {
	const char *key;      /* "fx.tide.jinhui" */
	const char *category; /* "水务/防汛" */
	const char *name;     /* "金汇港潮位" */
	const char *unit;     /* "m" */
	double warn_high, alarm_high, warn_low, alarm_low;
	double hysteresis;
	int64_t stale_ms; /* 0: never stale */
};

/*
 * One indicator. Read-only outside model-vitals.c; pointers stay valid for
 * the model's life (indicators are never removed, only redefined).
 */
struct model_indicator {
	char *key, *category, *name, *unit;
	double warn_high, alarm_high, warn_low, alarm_low, hysteresis;
	int64_t stale_ms;

	enum model_state state;
	enum model_state level; /* NORMAL, WARN or ALARM, kept while stale */
	double value;           /* last value; NAN before any */
	int64_t ts_ms;          /* observed time of the last value */
	int64_t seen_ms;        /* arrival time of the last value */
	uint64_t changed;       /* model generation of the last change */
	uint64_t readings;

	/* History ring: values, and gaps between points in 100 ms units. */
	float *hist;
	uint16_t *gap;
	uint32_t head, count; /* head: next slot to write */
	int64_t hist_ms;      /* time of the newest point, as stored */
};

struct model_vitals;

/*
 * Returns a new, empty model keeping history points per indicator (0 for
 * MODEL_HISTORY_DEFAULT). The caller frees it with model_vitals_free.
 */
struct model_vitals *model_vitals_new(unsigned history);
/* Frees the model, its indicators and mappings; sets *mp to NULL. */
void model_vitals_free(struct model_vitals **mp);

/*
 * Adds the indicator, or redefines it when the key exists (value and
 * history kept, state re-evaluated). Strings are copied. Returns it.
 */
struct model_indicator *
model_vitals_define(struct model_vitals *m,
                    const struct model_indicator_def *def);
/* Returns the indicator with key, or NULL. */
struct model_indicator *model_vitals_find(const struct model_vitals *m,
                                          const char *key);
/* Number of indicators, and the i-th in order of definition. */
size_t model_vitals_count(const struct model_vitals *m);
struct model_indicator *model_vitals_at(const struct model_vitals *m, size_t i);

/*
 * Maps an entity attribute (NGSI-LD entity id, attribute name) to an
 * indicator key; the key need not be defined yet. Strings are copied; a
 * second mapping of the same pair replaces the first.
 */
void model_vitals_map(struct model_vitals *m, const char *entity_id,
                      const char *attr, const char *key);
/* Forgets every mapping (before reloading the table from the database). */
void model_vitals_map_clear(struct model_vitals *m);

/*
 * Applies a reading that arrived at now_ms: by r->key, or through the
 * mapping when r->key is NULL. Readings older than the last one are not
 * applied (a late duplicate must not overwrite the present). Returns what
 * happened; *out (may be NULL) gets the indicator when applied.
 */
enum model_apply model_vitals_apply(struct model_vitals *m,
                                    const struct feed_reading *r,
                                    int64_t now_ms,
                                    struct model_indicator **out);

/*
 * Marks indicators stale whose last reading arrived more than their
 * staleness limit before now_ms. Returns how many changed state.
 */
size_t model_vitals_sweep(struct model_vitals *m, int64_t now_ms);

/* The generation counter: it grows with every change of any indicator. */
uint64_t model_vitals_generation(const struct model_vitals *m);

/*
 * Copies up to max history points, oldest first, into vals and (if not
 * NULL) times (epoch ms, to 100 ms; gaps over 109 minutes are shortened).
 * Returns how many were copied: the newest min(max, count).
 */
size_t model_vitals_history(const struct model_indicator *ind, float *vals,
                            int64_t *times, size_t max);

/* Bytes the model holds on the heap, for the memory budget. */
size_t model_vitals_memory(const struct model_vitals *m);

const char *model_state_name(enum model_state s);
const char *model_apply_name(enum model_apply a);

#endif
