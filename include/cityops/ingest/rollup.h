/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Rollups: indicators made in memory out of many sensors' readings (issue
 * 12; migration 046, docs/scale.md "Sensors and rollups"). Each sensor
 * keeps its latest reading (by observation time: an older or equally old
 * reading changes nothing, so a replay after a restart and the order of
 * arrival do not matter). A rollup's value at time T is its function over
 * the latest readings of its members observed after T - window: max, min,
 * mean, sum, count strictly above a threshold, or a percentile
 * (interpolated between the two nearest ranks, as PostgreSQL's
 * percentile_cont). A rollup with no member in its window has no value.
 * Pure: libc only, no clock, no I/O (tests/unit/test-rollup.c).
 */
#ifndef CITYOPS_ROLLUP_H
#define CITYOPS_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

enum rollup_fn {
	ROLLUP_MAX,
	ROLLUP_MIN,
	ROLLUP_MEAN,
	ROLLUP_SUM,
	ROLLUP_COUNT_ABOVE,
	ROLLUP_PERCENTILE,
};

struct rollups;

struct rollups *rollups_new(void);
void rollups_free(struct rollups **rp);

/* The function named s (as in indicator_rollup.fn); 0, or -1. */
int rollup_fn_parse(const char *s, enum rollup_fn *fn);

/*
 * Defines a rollup making indicator (copied); arg is the threshold or the
 * fraction 0..1. Returns its index, or -1 when the indicator already has
 * one or the definition is invalid (window <= 0, percentile outside 0..1).
 */
int rollups_define(struct rollups *r, const char *indicator, enum rollup_fn fn,
                   double arg, int64_t window_ms);
/* The rollup of indicator, or -1. */
int rollups_find(const struct rollups *r, const char *indicator);
size_t rollups_count(const struct rollups *r);
const char *rollups_indicator(const struct rollups *r, int rollup);

/* The sensor named id (copied), added when new; its index. */
int rollups_sensor(struct rollups *r, const char *id);
/* The sensor named id, or -1 (a lookup per reading: hashed). */
int rollups_find_sensor(const struct rollups *r, const char *id);
size_t rollups_sensor_count(const struct rollups *r);
/* Makes sensor a member of rollup (once; a repeat changes nothing). */
void rollups_member(struct rollups *r, int sensor, int rollup);

/*
 * A reading of sensor observed at at_ms, arrived at arrival_ms (for the
 * lag). Returns 1 when it is the sensor's newest (its rollups will be
 * computed at the next tick), 0 when it changes nothing.
 */
int rollups_reading(struct rollups *r, int sensor, int64_t at_ms, double v,
                    int64_t arrival_ms);

/* One rollup value, as rollups_tick gives it. */
struct rollup_value {
	const char *indicator;
	double value;
	size_t members;     /* in the window */
	int64_t arrival_ms; /* the first reading since the last value, or 0 */
};
typedef void rollup_out_fn(void *arg, const struct rollup_value *v);

/*
 * Computes, at now_ms, every rollup a reading changed since its last value
 * or whose window lost or may lose a member, and calls out for each whose
 * value or number of members in the window changed (or that a reading
 * touched). Returns the number of values given.
 */
size_t rollups_tick(struct rollups *r, int64_t now_ms, rollup_out_fn *out,
                    void *arg);
/* The value of one rollup at now_ms (no state changes); 0, or -1: none. */
int rollups_value(struct rollups *r, int rollup, int64_t now_ms, double *v,
                  size_t *members);
/* The longest window, ms (0 with no rollup). */
int64_t rollups_max_window(const struct rollups *r);

/*
 * After a reload: carries into to (the definitions just loaded) what from
 * (the ones running) knows. Each sensor of both keeps its newest reading;
 * each rollup of both (same indicator) keeps its last value and the
 * arrival of readings not yet written, and is computed again at the next
 * tick, giving a value only if it differs (a changed definition or
 * membership). A rollup only in to is computed as a new one; one only in
 * from is gone.
 */
void rollups_carry(struct rollups *to, const struct rollups *from);

#endif
