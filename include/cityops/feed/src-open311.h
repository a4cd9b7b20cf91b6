/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * An Open311 GeoReport v2 server polled over HTTP(S) (`cityops ingest
 * --open311 URL`). URL is the endpoint base (…/open311/ or …/v2/), or its
 * requests.json or requests.xml (the format then follows the name; JSON
 * by default). Each poll asks for the requests made since the last one
 * confirmed, less an overlap (start_date/end_date on requested_datetime,
 * as the specification defines them), then re-fetches by
 * service_request_id the requests it last saw open, so that a status
 * change (closed) is seen too. services.json (or .xml's JSON twin) is read
 * once for service names. Each request version (id, updated time,
 * status) is delivered once it is new; the owner confirms it
 * (src_open311_known) after storing it.
 */
#ifndef CITYOPS_SRC_OPEN311_H
#define CITYOPS_SRC_OPEN311_H

#include "cityops/feed/src.h"

struct lws_context;
struct src_open311;

struct src_open311_opts {
	const char *url;
	int interval_ms;     /* 60000 */
	int min_interval_ms; /* 10000 */
	int overlap_ms;      /* 600000: the window reaches this far back */
	int timeout_ms;      /* 15000 */
	size_t max_body;     /* 4 MiB */
	const char *ca_file;
	int backoff_min_ms, backoff_max_ms; /* 1000, 300000 */
	const char *zones; /* zone spec for zone-less times; NULL: defaults */
	int lenient;       /* numbers with leading zeros accepted */
};

struct src_open311 *src_open311_new(struct lws_context *ctx,
                                    const struct src_open311_opts *o,
                                    const struct src_hooks *h,
                                    const char **why);
void src_open311_free(struct src_open311 **sp);
/* A confirmed key ("id|updated|status|requested") from this or a past run. */
void src_open311_known(struct src_open311 *s, const char *key);
void src_open311_pause(struct src_open311 *s, int pause);
const struct src_health *src_open311_health(struct src_open311 *s);

#endif
