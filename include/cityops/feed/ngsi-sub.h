/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * ingest's own subscription on an NGSI-LD context broker (--ngsi-broker).
 * At start (and every renew_s after) it POSTs
 * /ngsi-ld/v1/subscriptions with a subscription id of its own, stable for
 * the same broker and endpoint (ngsi_sub_id). A broker that already holds
 * that id answers 409: the subscription is then PATCHed to the current
 * types, attributes and endpoint (a 404 there: POSTed again). Nothing
 * else is touched: no listing, no DELETE, no other id, so a subscription
 * someone else made stays as it is. Non-blocking through http-client.c,
 * retried with jittered backoff; its health is a src_health.
 */
#ifndef CITYOPS_NGSI_SUB_H
#define CITYOPS_NGSI_SUB_H

#include <stddef.h>

#include "cityops/core/util.h"
#include "cityops/feed/src.h"

struct lws_context;
struct ngsi_sub;

struct ngsi_sub_opts {
	const char *broker;   /* http(s)://HOST[:PORT][/PREFIX] */
	const char *endpoint; /* the URI the broker is to POST to */
	const char *types;    /* comma-separated entity types (required) */
	const char *attrs;    /* comma-separated attributes; NULL: all */
	const char *context;  /* @context URL; NULL: the core context */
	const char *ca_file;
	const char *tenant; /* sent as NGSILD-Tenant; NULL: the default */
	int renew_s;        /* 3600 */
	int backoff_min_ms, backoff_max_ms; /* 1000, 300000 */
};

/* Checks the options; NULL with *why when they are not usable. */
struct ngsi_sub *ngsi_sub_new(struct lws_context *ctx,
                              const struct ngsi_sub_opts *o, const char **why);
void ngsi_sub_free(struct ngsi_sub **sp);
const struct src_health *ngsi_sub_health(const struct ngsi_sub *s);
/* The subscription id for a broker and endpoint (stable across runs). */
void ngsi_sub_id(const char *broker, const char *endpoint, char *out, size_t n);
/* The subscription body (JSON-LD) the options ask for; 0, or -1 with
 * *why when types or attributes are not names. */
int ngsi_sub_body(const struct ngsi_sub_opts *o, const char *id, int with_id,
                  struct buf *out, const char **why);

#endif
