/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops feed-sim's state and command line, shared by feed-sim.c (the
 * server and its run) and sim-args.c (the options).
 */
#ifndef CITYOPS_SIM_INTERNAL_H
#define CITYOPS_SIM_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include <libwebsockets.h>

#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "cityops/feed/scenario.h"
#include "sim-push.h"

#define MUTE_MAX_CONNS 64
#define MAX_FILES      8

struct sim {
	struct loop *loop;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct lws_protocols protocols[2];
	struct scenario *sc;
	double rate;    /* messages per second; 0: as fast as possible */
	uint64_t count; /* stream length; UINT64_MAX: endless */
	int64_t t0_us;
	struct buf out;
	lws_sorted_usec_list_t pacer, stopper;
	int pacer_ms;
	int nconn;
	uint64_t sent, bytes, conns;
	/* --mute */
	int mute_fd, mute_conns[MUTE_MAX_CONNS], nmute;
	struct loop_watch *mute_watch;
	/* --record: every stream message served, "position<TAB>message". */
	FILE *record;
	FILE *broker; /* --broker */
	/* --file: what is served at each path. */
	char *file_path[MAX_FILES], *file_body[MAX_FILES];
	int nfiles;
	/* --hold: the live position stays at 0 until the first client. */
	int hold;
	struct sim_http *http;
};

/* The command line, as parsed; the rest lands in struct sim directly. */
struct sim_args {
	struct sim *sim;
	const char *scen, *host, *logpath, *record, *broker;
	const char *file_arg[MAX_FILES];
	int nfiles;
	long long sensors, per_msg; /* --sensors N [--per-message M] */
	long long port, tick_ms, from;
	double duration;
	int dump, mute, http;
	long long cap_gen; /* --cap-gen N */
	const char *cert, *key;
	struct sim_push_opts push;
	long long window;
	struct scenario_opts so;
};

/* Parses the command line into a (and a->sim); returns -1 to go on, or
 * the exit status (sim-args.c). */
int sim_parse_args(int argc, char **argv, struct sim_args *a);

#endif
