/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The NGSI-LD notification endpoint: a libwebsockets server vhost on the
 * loop's context that a context broker POSTs notifications to. The head
 * of each request is judged by ngsi_http_check (ngsi-http.h); the body is
 * read up to the cap, within a read timeout, and handed over whole. The
 * reply (204) waits until the owner says the body is kept safely
 * (ngsi_listen_durable): a broker never resends a notification it got a
 * 2xx for.
 */
#ifndef CITYOPS_NGSI_LISTEN_H
#define CITYOPS_NGSI_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "cityops/feed/ngsi-http.h"

struct lws_context;
struct ngsi_listen;

struct ngsi_listen_opts {
	const char *spec;          /* "[ADDR:]PORT[/PATH]" */
	size_t max_body;           /* bytes */
	int read_timeout_s;        /* a request whole within this */
	const char *secret_header; /* NULL: none asked for */
	const char *secret;
	const char *tenant; /* NULL: any NGSILD-Tenant; else only this one */
};

/*
 * A whole notification body. Returns 0 when it was kept (the reply waits
 * for ngsi_listen_durable with a position >= *token), or an HTTP status to
 * reply at once (503 when it could not be kept).
 */
typedef int (*ngsi_listen_body_fn)(void *arg, const struct ngsi_http_verdict *v,
                                   const char *body, size_t len,
                                   uint64_t *token);

/* What the endpoint did, for the log and `ingest --status`. */
struct ngsi_listen_health {
	uint64_t requests; /* request heads seen */
	uint64_t accepted; /* bodies handed over */
	uint64_t replied;  /* 204s sent */
	uint64_t refused;  /* 4xx/5xx replies */
	uint64_t timeouts; /* connections dropped mid-request */
	uint64_t tenant;   /* refused: another tenant (404 NonexistentTenant) */
	uint64_t bytes;    /* body bytes handed over */
	int waiting;       /* requests waiting for their 204 */
	int last_status;   /* of the last refusal, 0 when none */
	char last_why[96]; /* its reason */
};

/*
 * Parses "[ADDR:]PORT[/PATH]" (ADDR may be [v6]); the path defaults to
 * "/notify", the address to 127.0.0.1. Returns 0, or -1 when it is not
 * that shape.
 */
int ngsi_listen_spec_parse(const char *spec, char *addr, size_t addrsz,
                           int *port, char *path, size_t pathsz);

/* Starts listening; returns NULL (logged) when it cannot. */
struct ngsi_listen *ngsi_listen_new(struct lws_context *ctx,
                                    const struct ngsi_listen_opts *o,
                                    ngsi_listen_body_fn fn, void *arg);
/* Stops listening, drops open requests unanswered, sets *lp to NULL. */
void ngsi_listen_free(struct ngsi_listen **lp);
/* Replies 204 to every request kept before position upto. */
void ngsi_listen_durable(struct ngsi_listen *l, uint64_t upto);
/* The port listened on (the real one when the spec gave 0). */
int ngsi_listen_port(const struct ngsi_listen *l);
const struct ngsi_listen_health *
ngsi_listen_health(const struct ngsi_listen *l);

#endif
