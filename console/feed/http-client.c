/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * HTTP(S) requests on lws 4.1 (http-client.h). A request goes through
 * three steps: resolve (a detached helper thread runs getaddrinfo and
 * hands the address back through a locked list and lws_cancel_service,
 * which wakes the loop with LWS_CALLBACK_EVENT_WAIT_CANCELLED), connect by
 * address with the name as host, then read. As in feed-client.c, exactly
 * one wsi carries the request as opaque user data; a wsi given up on is
 * detached first, so that its late callbacks find nothing.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/thread.h"
#include "cityops/core/util.h"
#include "cityops/feed/http-client.h"

#define PROTOCOL      "cityops-http-client"
#define MAX_REDIRECTS 3
#define HDR_MAX       512

struct http_req {
	lws_sorted_usec_list_t sul_timeout, sul_go; /* first */
	struct lws_context *ctx;
	struct lws *wsi;
	struct http_opts o;
	http_chunk_fn chunk;
	http_done_fn done;
	void *arg;

	char *url, *body, *method, *etag, *lastmod, *accept, *ctype, *ca;
	char *tenant;
	int tls, port, redirects;
	char host[256], path[2048], addr[INET6_ADDRSTRLEN];

	int resolving, cancelled, finished;
	char error[160];
	int status;
	long long content_length; /* -1: not given */
	char r_etag[HDR_MAX], r_lastmod[HDR_MAX], r_location[2048];
	struct buf rx;
	size_t got;
	struct http_req *next; /* on the resolved list */
};

/* Resolved requests waiting for the loop, and the context to wake. */
static pthread_mutex_t dns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct http_req *dns_done;
static struct lws_context *dns_ctx;

static void start(struct http_req *r);
static void connect_now(struct http_req *r);
static const struct lws_protocols http_client_protocols[];

int
http_url_parse(const char *url, int *tls, char *host, size_t hostsz, int *port,
               char *path, size_t pathsz)
{
	const char *p, *hs, *he, *slash;
	size_t n;

	if (strncasecmp(url, "http://", 7) == 0) {
		*tls = 0, *port = 80, p = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		*tls = 1, *port = 443, p = url + 8;
	} else {
		return -1;
	}
	slash = p + strcspn(p, "/?#");
	if (*p == '[') {
		hs = p + 1;
		if ((he = memchr(hs, ']', (size_t)(slash - hs))) == NULL)
			return -1;
		p = he + 1;
	} else {
		hs = p;
		if ((he = memchr(p, ':', (size_t)(slash - p))) == NULL)
			he = slash;
		p = he;
	}
	n = (size_t)(he - hs);
	if (n == 0 || n >= hostsz || memchr(hs, '@', n) != NULL)
		return -1;
	memcpy(host, hs, n);
	host[n] = '\0';
	if (*p == ':') {
		char *end;
		long v = strtol(p + 1, &end, 10);
		if (end != slash || v <= 0 || v > 65535)
			return -1;
		*port = (int)v;
	} else if (p != slash) {
		return -1;
	}
	n = strcspn(slash, "#");
	if (n + 2 > pathsz)
		return -1;
	snprintf(path, pathsz, "%s%.*s", *slash == '/' ? "" : "/", (int)n,
	         slash);
	return 0;
}

int
http_url_join(const char *base, const char *ref, char *out, size_t outsz)
{
	int tls, port;
	char host[256], path[2048], *q;

	if (strncasecmp(ref, "http://", 7) == 0 ||
	    strncasecmp(ref, "https://", 8) == 0)
		return snprintf(out, outsz, "%s", ref) < (int)outsz ? 0 : -1;
	if (http_url_parse(base, &tls, host, sizeof host, &port, path,
	                   sizeof path) != 0)
		return -1;
	if (ref[0] == '/' && ref[1] == '/')
		return snprintf(out, outsz, "%s:%s", tls ? "https" : "http",
		                ref) < (int)outsz
		           ? 0
		           : -1;
	if (ref[0] != '/') {
		/* Relative to the base path's directory. */
		if ((q = strchr(path, '?')) != NULL)
			*q = '\0';
		if ((q = strrchr(path, '/')) != NULL)
			q[1] = '\0';
	} else {
		path[0] = '\0';
	}
	return snprintf(out, outsz, "%s://%s%s%s:%d%s%s",
	                tls ? "https" : "http", strchr(host, ':') ? "[" : "",
	                host, strchr(host, ':') ? "]" : "", port, path,
	                ref) < (int)outsz
	           ? 0
	           : -1;
}

/* ---- ending ------------------------------------------------------------ */

static void
req_free(struct http_req *r)
{
	lws_sul_cancel(&r->sul_timeout);
	lws_sul_cancel(&r->sul_go);
	if (r->wsi != NULL) {
		lws_set_opaque_user_data(r->wsi, NULL);
		lws_set_timeout(r->wsi, PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE,
		                LWS_TO_KILL_ASYNC);
		r->wsi = NULL;
	}
	free(r->url);
	free(r->body);
	free(r->method);
	free(r->etag);
	free(r->lastmod);
	free(r->accept);
	free(r->ctype);
	free(r->ca);
	free(r->tenant);
	buf_free(&r->rx);
	free(r);
}

static void
finish(struct http_req *r, const char *error)
{
	struct http_reply rep;

	if (r->finished)
		return;
	r->finished = 1;
	if (error == NULL && r->status >= 300 && r->status < 400 &&
	    r->status != 304 && r->r_location[0] != '\0' &&
	    r->redirects < MAX_REDIRECTS) {
		char next[4096];
		if (http_url_join(r->url, r->r_location, next, sizeof next) ==
		    0) {
			/* Start again at the new place, same request. */
			if (r->wsi != NULL) {
				lws_set_opaque_user_data(r->wsi, NULL);
				lws_set_timeout(
				    r->wsi,
				    PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE,
				    LWS_TO_KILL_ASYNC);
				r->wsi = NULL;
			}
			free(r->url);
			r->url = xstrdup(next);
			r->redirects++;
			r->finished = 0;
			start(r);
			return;
		}
	}
	memset(&rep, 0, sizeof rep);
	rep.status = error != NULL ? 0 : r->status;
	rep.error = error;
	rep.etag = r->r_etag[0] ? r->r_etag : NULL;
	rep.last_modified = r->r_lastmod[0] ? r->r_lastmod : NULL;
	rep.body = r->chunk == NULL ? (r->rx.data ? r->rx.data : "") : NULL;
	rep.len = r->got;
	r->done(r->arg, &rep);
	if (r->resolving) {
		/* The helper thread still holds it: freed when it reports. */
		lws_sul_cancel(&r->sul_timeout);
		r->cancelled = 1;
		return;
	}
	req_free(r);
}

/* Fails with msg, and detail after it when given (cut to fit). */
static void
fail(struct http_req *r, const char *msg, const char *detail)
{
	snprintf(r->error, sizeof r->error, "%s%s%.100s", msg,
	         detail ? " " : "", detail ? detail : "");
	finish(r, r->error);
}

static void
timeout_cb(lws_sorted_usec_list_t *sul)
{
	struct http_req *r =
	    lws_container_of(sul, struct http_req, sul_timeout);

	fail(r, "no complete answer in time", NULL);
}

/* ---- resolving --------------------------------------------------------- */

static void *
resolve_thread(void *arg)
{
	struct http_req *r = arg;
	struct addrinfo hints, *res = NULL;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(r->host, NULL, &hints, &res) == 0 && res != NULL) {
		const void *a =
		    res->ai_family == AF_INET6
		        ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)
		              ->sin6_addr
		        : (const void *)&((struct sockaddr_in *)res->ai_addr)
		              ->sin_addr;
		inet_ntop(res->ai_family, a, r->addr, sizeof r->addr);
	} else {
		r->addr[0] = '\0';
	}
	if (res != NULL)
		freeaddrinfo(res);
	pthread_mutex_lock(&dns_lock);
	r->next = dns_done;
	dns_done = r;
	if (dns_ctx != NULL)
		lws_cancel_service(dns_ctx);
	pthread_mutex_unlock(&dns_lock);
	return NULL;
}

/* On the loop: the requests whose names were resolved. */
static void
drain_resolved(void)
{
	struct http_req *list, *r;

	pthread_mutex_lock(&dns_lock);
	list = dns_done;
	dns_done = NULL;
	pthread_mutex_unlock(&dns_lock);
	while ((r = list) != NULL) {
		list = r->next;
		r->resolving = 0;
		if (r->cancelled)
			req_free(r);
		else if (r->addr[0] == '\0')
			fail(r, "cannot resolve", r->host);
		else
			connect_now(r);
	}
}

static void
go_cb(lws_sorted_usec_list_t *sul)
{
	connect_now(lws_container_of(sul, struct http_req, sul_go));
}

/* ---- connecting and reading --------------------------------------------- */

/* lws keeps a vhost's name pointer for the life of its context: the
 * names live here, one per CA file (a process uses one or two). */
#define VHOST_NAMES 8
static char vhost_names[VHOST_NAMES][24];

/* The kept name "cityops-http-HASH" for a CA file, or NULL when every
 * slot holds another. */
static const char *
vhost_name(const char *ca)
{
	char name[24];
	uint32_t h = 2166136261u;

	for (const char *p = ca ? ca : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(name, sizeof name, "cityops-http-%08x", ca ? h : 0u);
	for (size_t i = 0; i < VHOST_NAMES; i++) {
		if (vhost_names[i][0] == '\0')
			memcpy(vhost_names[i], name, sizeof name);
		if (strcmp(vhost_names[i], name) == 0)
			return vhost_names[i];
	}
	return NULL;
}

static struct lws_vhost *
client_vhost(struct lws_context *ctx, const char *ca)
{
	struct lws_context_creation_info info;
	const char *name = vhost_name(ca);
	struct lws_vhost *vh;

	if (name == NULL)
		return NULL;
	if ((vh = lws_get_vhost_by_name(ctx, name)) != NULL)
		return vh;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = http_client_protocols;
	info.vhost_name = name;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.client_ssl_ca_filepath = ca;
	info.gid = -1;
	info.uid = -1;
	return lws_create_vhost(ctx, &info);
}

static void
connect_now(struct http_req *r)
{
	struct lws_client_connect_info ci;
	struct lws_vhost *vh = client_vhost(r->ctx, r->ca);

	if (vh == NULL) {
		fail(r, "cannot set up the TLS client; CA file",
		     r->ca ? r->ca : "(system store)");
		return;
	}
	memset(&ci, 0, sizeof ci);
	ci.context = r->ctx;
	ci.vhost = vh;
	ci.address = r->addr;
	ci.port = r->port;
	ci.path = r->path;
	ci.host = r->host;
	ci.origin = r->host;
	ci.method = r->method;
	ci.alpn = "http/1.1";
	ci.ssl_connection =
	    LCCSCF_HTTP_NO_FOLLOW_REDIRECT | (r->tls ? LCCSCF_USE_SSL : 0);
	ci.local_protocol_name = PROTOCOL;
	ci.opaque_user_data = r;
	ci.pwsi = &r->wsi;
	if (lws_client_connect_via_info(&ci) == NULL && !r->finished) {
		r->wsi = NULL;
		fail(r, "cannot connect to", r->host);
	}
}

static int
add_headers(struct http_req *r, struct lws *wsi, unsigned char **p,
            unsigned char *end)
{
	char len[24];

	if (lws_add_http_header_by_name(
	        wsi, (const unsigned char *)"user-agent:",
	        (const unsigned char *)"cityops/1", 9, p, end))
		return -1;
#define HDR(tok, s)                                                            \
	if ((s) != NULL &&                                                     \
	    lws_add_http_header_by_token(wsi, tok, (const unsigned char *)(s), \
	                                 (int)strlen(s), p, end))              \
		return -1;
	HDR(WSI_TOKEN_HTTP_IF_NONE_MATCH, r->etag)
	HDR(WSI_TOKEN_HTTP_IF_MODIFIED_SINCE, r->lastmod)
	HDR(WSI_TOKEN_HTTP_ACCEPT, r->accept)
	if (r->tenant != NULL &&
	    lws_add_http_header_by_name(wsi,
	                                (const unsigned char *)"ngsild-tenant:",
	                                (const unsigned char *)r->tenant,
	                                (int)strlen(r->tenant), p, end))
		return -1;
	if (r->body != NULL) {
		snprintf(len, sizeof len, "%zu", r->o.body_len);
		HDR(WSI_TOKEN_HTTP_CONTENT_TYPE,
		    r->ctype ? r->ctype : "application/json")
		HDR(WSI_TOKEN_HTTP_CONTENT_LENGTH, len)
		lws_client_http_body_pending(wsi, 1);
		lws_callback_on_writable(wsi);
	}
#undef HDR
	return 0;
}

static void
copy_hdr(struct lws *wsi, enum lws_token_indexes t, char *out, size_t n)
{
	if (lws_hdr_copy(wsi, out, (int)n, t) < 0)
		out[0] = '\0';
}

static void
established(struct http_req *r, struct lws *wsi)
{
	char cl[32];

	r->status = (int)lws_http_client_http_response(wsi);
	copy_hdr(wsi, WSI_TOKEN_HTTP_ETAG, r->r_etag, sizeof r->r_etag);
	copy_hdr(wsi, WSI_TOKEN_HTTP_LAST_MODIFIED, r->r_lastmod,
	         sizeof r->r_lastmod);
	copy_hdr(wsi, WSI_TOKEN_HTTP_LOCATION, r->r_location,
	         sizeof r->r_location);
	copy_hdr(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, cl, sizeof cl);
	r->content_length = cl[0] ? strtoll(cl, NULL, 10) : -1;
	if (r->content_length > (long long)r->o.max_body)
		fail(r, "answer over the size cap; Content-Length", cl);
}

static int
body_in(struct http_req *r, const char *in, size_t len)
{
	if (r->got + len > r->o.max_body) {
		fail(r, "answer over the size cap", NULL);
		return -1;
	}
	r->got += len;
	if (r->chunk == NULL) {
		buf_add(&r->rx, in, len);
		return 0;
	}
	if (r->status >= 200 && r->status < 300 &&
	    r->chunk(r->arg, r->status, in, len) != 0) {
		fail(r, "stopped by the reader", NULL);
		return -1;
	}
	return 0;
}

static int
write_body(struct http_req *r, struct lws *wsi)
{
	unsigned char *b = xmalloc(LWS_PRE + r->o.body_len + 1);
	int n;

	memcpy(b + LWS_PRE, r->body, r->o.body_len);
	lws_client_http_body_pending(wsi, 0);
	n = lws_write(wsi, b + LWS_PRE, r->o.body_len, LWS_WRITE_HTTP_FINAL);
	free(b);
	return n < 0 ? -1 : 0;
}

static int
http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
        size_t len)
{
	struct http_req *r = wsi ? lws_get_opaque_user_data(wsi) : NULL;

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		drain_resolved();
		return 0;
	case LWS_CALLBACK_PROTOCOL_INIT:
		pthread_mutex_lock(&dns_lock);
		dns_ctx = lws_get_context(wsi);
		pthread_mutex_unlock(&dns_lock);
		return 0;
	case LWS_CALLBACK_PROTOCOL_DESTROY:
		pthread_mutex_lock(&dns_lock);
		dns_ctx = NULL;
		pthread_mutex_unlock(&dns_lock);
		return 0;
	default:
		break;
	}
	if (r == NULL || r->finished)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		r->wsi = NULL;
		lws_set_opaque_user_data(wsi, NULL);
		fail(r, "connection failed:", in ? (const char *)in : "?");
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return add_headers(r, wsi, (unsigned char **)in,
		                   *(unsigned char **)in + len);
	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
		return r->body == NULL ? 0 : write_body(r, wsi);
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		established(r, wsi);
		return 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		return body_in(r, in, len);
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
		char buf[4096 + LWS_PRE], *px = buf + LWS_PRE;
		int n = sizeof buf - LWS_PRE;
		return lws_http_client_read(wsi, &px, &n) < 0 ? -1 : 0;
	}
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		lws_set_opaque_user_data(wsi, NULL);
		r->wsi = NULL;
		finish(r, NULL);
		return 0;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
	case LWS_CALLBACK_WSI_DESTROY:
		lws_set_opaque_user_data(wsi, NULL);
		r->wsi = NULL;
		/* lws 4.1 ends a 304 (or an answer without a length) only
		 * with the server's close. */
		if (r->status > 0 && (r->content_length < 0 ||
		                      (long long)r->got >= r->content_length))
			finish(r, NULL);
		else
			fail(r, "connection closed",
			     r->status > 0 ? "mid-answer" : "before an answer");
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols http_client_protocols[] = {
    {PROTOCOL, http_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- starting ----------------------------------------------------------- */

static void
start(struct http_req *r)
{
	struct in6_addr a6;
	struct in_addr a4;

	r->status = 0;
	r->got = 0;
	r->content_length = -1;
	r->r_etag[0] = r->r_lastmod[0] = r->r_location[0] = '\0';
	buf_reset(&r->rx);
	if (http_url_parse(r->url, &r->tls, r->host, sizeof r->host, &r->port,
	                   r->path, sizeof r->path) != 0) {
		fail(r, "not an http(s) URL:", r->url);
		return;
	}
	client_vhost(r->ctx, r->ca); /* so that the wake-up reaches us */
	if (inet_pton(AF_INET, r->host, &a4) == 1 ||
	    inet_pton(AF_INET6, r->host, &a6) == 1) {
		memcpy(r->addr, r->host,
		       strlen(r->host) + 1); /* fits: parsed */
		lws_sul_schedule(r->ctx, 0, &r->sul_go, go_cb, 1);
		return;
	}
	r->resolving = 1;
	if (thread_start(NULL, 1, resolve_thread, r) != 0) {
		r->resolving = 0;
		fail(r, "cannot start the resolver for", r->host);
	}
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct http_req *
http_request(struct lws_context *ctx, const char *url,
             const struct http_opts *o, http_chunk_fn chunk, http_done_fn done,
             void *arg, const char **why)
{
	struct http_req *r;
	int tls, port;
	char host[256], path[2048];

	if (http_url_parse(url, &tls, host, sizeof host, &port, path,
	                   sizeof path) != 0) {
		*why = "not an http:// or https:// URL";
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->ctx = ctx;
	r->o = *o;
	if (r->o.max_body == 0)
		r->o.max_body = 1024 * 1024;
	if (r->o.timeout_ms <= 0)
		r->o.timeout_ms = 30000;
	r->chunk = chunk;
	r->done = done;
	r->arg = arg;
	r->url = xstrdup(url);
	r->method = xstrdup(o->method ? o->method : "GET");
	r->etag = dup_or_null(o->etag);
	r->lastmod = dup_or_null(o->last_modified);
	r->accept = dup_or_null(o->accept);
	r->ctype = dup_or_null(o->content_type);
	r->ca = dup_or_null(o->ca_file);
	r->tenant = dup_or_null(o->tenant);
	if (o->body != NULL) {
		r->body = xmalloc(o->body_len + 1);
		memcpy(r->body, o->body, o->body_len);
	}
	lws_sul_schedule(ctx, 0, &r->sul_timeout, timeout_cb,
	                 (lws_usec_t)r->o.timeout_ms * LWS_US_PER_MS);
	start(r);
	return r;
}

void
http_cancel(struct http_req **rp)
{
	struct http_req *r = *rp;

	if (r == NULL)
		return;
	*rp = NULL;
	if (r->resolving) {
		/* The helper thread still holds it: freed when it reports. */
		lws_sul_cancel(&r->sul_timeout);
		r->cancelled = 1;
		return;
	}
	req_free(r);
}
