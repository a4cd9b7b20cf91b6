/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * feed-sim's HTTP mode (--http): the scenario's CAP alerts as an Atom
 * index with one CAP 1.2 XML document each, and its Open311 requests as
 * GeoReport v2 requests.json and requests.xml, published at the stream's
 * rate, over HTTP or, with a certificate, HTTPS. Only feed-sim uses it.
 */
#ifndef CITYOPS_SIM_HTTP_H
#define CITYOPS_SIM_HTTP_H

#include <stdint.h>
#include <stdio.h>

struct lws_context;
struct scenario;
struct sim_http;

struct sim_http_opts {
	const char *host;
	int port;
	const char *cert, *key; /* both set: HTTPS */
	double rate;            /* stream messages per second; 0: all now */
	uint64_t count;         /* stream length */
	int hold;               /* publishing starts with the first request */
	FILE *record;           /* "position<TAB>key" per document published */
	/* --file PATH=FILE: served as they are at PATH (tests' fixtures:
	 * services.json, a spec example), before anything else. */
	const char *const *file_path, *const *file_body;
	int nfiles;
	int cap_gen;  /* --cap-gen N: generated CAP indexes (sim-http.c) */
	FILE *broker; /* non-NULL: the NGSI-LD subscription API (sim-broker.h),
	               * each request recorded here */
	const struct scenario *sc;
};

/* Listens; returns NULL (said on stderr) when it cannot. */
struct sim_http *sim_http_new(struct lws_context *ctx,
                              const struct sim_http_opts *o);
int sim_http_port(const struct sim_http *h);
void sim_http_free(struct sim_http **hp);

#endif
