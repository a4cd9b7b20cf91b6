/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * One HTTP(S) request on the libwebsockets loop: GET (with If-None-Match
 * and If-Modified-Since for polling; 304 is an answer like any other) or
 * POST with a body, a cap on the response body, a total timeout, TLS for
 * https:// verified against the system store or a CA file. Redirects are
 * followed (at most 3, each through the same path). The host name is
 * resolved in a helper thread (getaddrinfo), since Debian's lws resolves
 * synchronously, and the connection is made to the address with the name
 * kept for SNI, the certificate check and Host:. Nothing here blocks.
 *
 * Used by the pollers (src-cap.c, src-open311.c) and meant for any other
 * client request (NGSI-LD subscriptions, feed-sim's notifications).
 */
#ifndef CITYOPS_HTTP_CLIENT_H
#define CITYOPS_HTTP_CLIENT_H

#include <stddef.h>

struct lws_context;
struct http_req;

/* Request settings; zero fields take the defaults shown. */
struct http_opts {
	const char *method;        /* "GET" */
	const char *etag;          /* sent as If-None-Match; NULL: none */
	const char *last_modified; /* sent as If-Modified-Since */
	const char *accept;        /* Accept: value; NULL: none */
	const char *content_type;  /* of the POST body */
	const char *body;          /* POST body (copied); NULL: none */
	size_t body_len;
	size_t max_body;     /* 1 MiB; a longer response fails the request */
	int timeout_ms;      /* 30000: the whole exchange, DNS included */
	const char *ca_file; /* PEM CAs instead of the system store */
	const char *tenant;  /* sent as NGSILD-Tenant; NULL: none */
};

/* The answer; pointers live for the done call only. */
struct http_reply {
	int status;        /* HTTP status, 0 when the request failed */
	const char *error; /* why it failed (no answer), else NULL */
	const char *etag, *last_modified; /* NULL when absent */
	const char *body; /* NUL-terminated (when not streamed) */
	size_t len;       /* body bytes received */
};

/* A body chunk as it arrives (status already known); return -1 to stop. */
typedef int (*http_chunk_fn)(void *arg, int status, const char *data,
                             size_t len);
/* The end: exactly once per request unless it was cancelled. */
typedef void (*http_done_fn)(void *arg, const struct http_reply *r);

/*
 * Starts a request for url (http:// or https://). With chunk set, the body
 * goes to it and reply.body is NULL; otherwise the body is gathered. Returns
 * the request, or NULL with *why set (a URL not understood). The context
 * must outlive every request.
 */
struct http_req *http_request(struct lws_context *ctx, const char *url,
                              const struct http_opts *o, http_chunk_fn chunk,
                              http_done_fn done, void *arg, const char **why);
/* Abandons a request: done is never called. Sets *rp to NULL. */
void http_cancel(struct http_req **rp);

/*
 * Splits http[s]://host[:port][/path][?query]: tls 1 for https, host
 * without IPv6 brackets, port (80/443 by default), path with query ("/").
 * Returns 0, or -1.
 */
int http_url_parse(const char *url, int *tls, char *host, size_t hostsz,
                   int *port, char *path, size_t pathsz);

/* Resolves a relative Location against base into out; 0, or -1. */
int http_url_join(const char *base, const char *ref, char *out, size_t outsz);

#endif
