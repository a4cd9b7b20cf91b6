/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Feed scenarios for `cityops feed-sim` (docs/scenarios.md): a text file of
 * signals (piecewise-linear curves with deterministic noise, each an
 * indicator and optionally an NGSI-LD entity attribute) and timed messages
 * (CAP alerts, Open311 requests, NGSI-LD Alerts, native incidents).
 *
 * A scenario with its options defines an endless, deterministic stream of
 * messages: message k is a pure function of k. That is what lets the
 * simulator resend a stream from any position after a reconnect, and lets
 * tests compare what arrived in the database with what was sent
 * (`feed-sim --dump`). Libc only.
 */
#ifndef CITYOPS_SCENARIO_H
#define CITYOPS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "cityops/core/util.h"

/* Which messages the stream carries and how readings are written. */
#define SCENARIO_FORMAT_LIST(X)                                                \
	X(NATIVE, "native", "readings as native JSON; every timed message")    \
	X(NGSI, "ngsi",                                                        \
	  "readings as NGSI-LD where mapped; every timed message")             \
	X(MIX, "mix",                                                          \
	  "readings native or NGSI-LD by turns; every timed message")          \
	X(CAP, "cap", "only the CAP alerts (and heartbeats)")                  \
	X(OPEN311, "open311", "only the Open311 requests (and heartbeats)")    \
	X(PUSH, "push",                                                        \
	  "readings NGSI-LD where mapped, NGSI-LD and native timed messages; " \
	  "no CAP or Open311 (they are polled)")

enum scenario_format {
#define X(id, name, help) SCENARIO_FORMAT_##id,
	SCENARIO_FORMAT_LIST(X)
#undef X
	    SCENARIO_FORMAT_COUNT
};

struct scenario_opts {
	enum scenario_format format;
	int64_t start_ms;  /* observed time of tick 0, epoch ms */
	int64_t tick_ms;   /* observed time between ticks (>= 1) */
	double broken_pct; /* share of readings replaced by broken ones */
};

struct scenario;

/*
 * Parses scenario text (len bytes, need not be NUL-terminated). Returns 0
 * and a scenario the caller frees with scenario_free, or -1 with a message
 * "line N: …" in err.
 */
int scenario_parse(const char *text, size_t len, struct scenario **out,
                   char *err, size_t errsz);
/*
 * Loads a scenario by file path, or by name from the scenarios folder
 * ($CITYOPS_SCENARIOS, else ../scenarios next to the binary, else
 * ./scenarios). Returns NULL with err filled on failure.
 */
struct scenario *scenario_load(const char *name_or_path, char *err,
                               size_t errsz);
void scenario_free(struct scenario **sp);
/*
 * A stream of n sensors' readings (bench and test data at city scale; the
 * sensors sensor_generate names, sql/functions/48_sensors.sql): message k
 * is a native batch of per_msg readings of sensors s.0000000 … in turn,
 * each pass over all of them one tick of observed time; values 0..100
 * from the sensor and the pass. n up to 10,000,000, per_msg 1..10,000.
 */
struct scenario *scenario_sensors(uint64_t n, unsigned per_msg);

/* Applies options (defaults for zero fields); call before generating. */
void scenario_set_opts(struct scenario *sc, const struct scenario_opts *o);

const char *scenario_name(const struct scenario *sc);
const char *scenario_title(const struct scenario *sc);
/* Messages in one cycle of the stream, with the options applied. */
uint64_t scenario_cycle_len(const struct scenario *sc);
/* Ticks per cycle, and messages per tick on average. */
uint64_t scenario_ticks(const struct scenario *sc);
double scenario_msgs_per_tick(const struct scenario *sc);

/*
 * Appends message k of the stream to out. wall_ms is written into
 * heartbeats as their send time (latency measurement); 0 writes the
 * observed time of the tick instead, so that a dump is reproducible.
 */
void scenario_message(const struct scenario *sc, uint64_t k, int64_t wall_ms,
                      struct buf *out);

const char *scenario_format_name(enum scenario_format f);
/* Returns the format named s, or -1. */
int scenario_format_from_name(const char *s);

#endif
