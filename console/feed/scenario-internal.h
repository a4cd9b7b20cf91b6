/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What scenario.c (the message stream) and scenario-parse.c (the file)
 * share: the parsed scenario. Not a public interface.
 */
#ifndef CITYOPS_SCENARIO_INTERNAL_H
#define CITYOPS_SCENARIO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cityops/feed/scenario.h"

struct point {
	double t, v;
};

struct signal {
	char *key;
	char *etype, *eid, *attr; /* NULL when not mapped to an entity */
	char *unit;               /* unitCode sent with it, or NULL */
	struct point *pts;
	size_t npts;
	double noise;
	int decimals;
	int nonneg; /* every point >= 0 */
};

enum ev_format { EVF_NATIVE, EVF_NGSI, EVF_CAP, EVF_OPEN311 };

struct event {
	double t;
	enum ev_format fmt;
	char *text; /* template with {{…}} placeholders */
	uint64_t tick;
};

struct scenario {
	char *name, *title;
	double step, length;
	uint64_t heartbeat; /* ticks between heartbeats; 0: none */
	struct signal *sig;
	size_t nsig;
	struct event *ev; /* sorted by time */
	size_t nev;

	/* Derived from the options. */
	struct scenario_opts o;
	uint64_t ticks;
	int with_readings;
	struct event **act; /* events in the stream, by time */
	size_t nact;
	uint64_t *first;  /* first[i]: position of tick i in the cycle */
	size_t *ev_first; /* ev_first[i]: first act index of tick i */

	/* A sensor stream (scenario_sensors) instead of signals: sensors
	 * s.0000000 … in batches of per_msg readings, one pass a tick. */
	uint64_t sensors;
	unsigned per_msg;
};

#endif
