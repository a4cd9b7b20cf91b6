/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The NGSI-LD notification endpoint (ngsi-listen.h) on libwebsockets
 * 4.1.6: one server vhost, protocols[0] "http". Per request:
 *
 *   LWS_CALLBACK_HTTP             the head: judged by ngsi_http_check;
 *                                 refused at once, or 100 Continue sent
 *                                 when asked for (lws 4.1.6 never does)
 *   LWS_CALLBACK_HTTP_BODY        appended, up to the cap (413 past it)
 *   LWS_CALLBACK_HTTP_BODY_COMPLETION  handed over; the request waits
 *   ngsi_listen_durable()         → writable → 204, next request
 *
 * A request must arrive whole within the read timeout (lws's pending
 * timeout on the connection), or the connection is dropped: a slow or
 * stalled sender holds nothing for long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/util.h"
#include "cityops/feed/ngsi-listen.h"

#define NGSI_PROTOCOL "cityops-ngsi-http"

enum req_state {
	REQ_IDLE,    /* between requests */
	REQ_BODY,    /* reading the body */
	REQ_WAITING, /* kept; the 204 waits for durability */
	REQ_REPLY,   /* durable; 204 on the next writable */
};

struct pss {
	struct pss *prev, *next; /* on the waiting list */
	struct lws *wsi;
	enum req_state state;
	struct ngsi_http_verdict v;
	struct ngsi_chunked ch;
	int close_after; /* chunked, or the sender asked for close */
	char *body;
	size_t len, cap;
	uint64_t token;
};

struct ngsi_listen {
	struct lws_protocols protocols[2];
	struct lws_vhost *vh;
	struct ngsi_http_cfg cfg;
	char addr[64], path[256];
	char *secret_header, *secret;
	char *tenant; /* --ngsi-tenant, NULL: any */
	int port, read_timeout_s;
	int secret_token; /* lws's index when it knows the header, else -1 */
	ngsi_listen_body_fn fn;
	void *arg;
	struct pss *waiting;
	struct ngsi_listen_health h;
};

int
ngsi_listen_spec_parse(const char *spec, char *addr, size_t addrsz, int *port,
                       char *path, size_t pathsz)
{
	const char *p = spec, *colon, *slash;
	char *end;
	long v;

	snprintf(addr, addrsz, "127.0.0.1");
	snprintf(path, pathsz, "/notify");
	if (*p == '[') {
		const char *rb = strchr(p, ']');
		if (rb == NULL || rb[1] != ':' || (size_t)(rb - p) >= addrsz)
			return -1;
		memcpy(addr, p + 1, (size_t)(rb - p - 1));
		addr[rb - p - 1] = '\0';
		p = rb + 2;
	} else if ((colon = strchr(p, ':')) != NULL &&
	           ((slash = strchr(p, '/')) == NULL || colon < slash)) {
		if ((size_t)(colon - p) >= addrsz || colon == p)
			return -1;
		memcpy(addr, p, (size_t)(colon - p));
		addr[colon - p] = '\0';
		p = colon + 1;
	}
	if (*p < '0' || *p > '9')
		return -1;
	v = strtol(p, &end, 10);
	if (v < 0 || v > 65535 || (*end != '\0' && *end != '/'))
		return -1;
	*port = (int)v;
	if (*end == '/') {
		if (strlen(end) >= pathsz || strpbrk(end, "?# \t") != NULL)
			return -1;
		snprintf(path, pathsz, "%s", end);
	}
	return 0;
}

/* A header's value into buf ("" when absent); returns buf or NULL. */
static const char *
hdr(struct lws *wsi, enum lws_token_indexes t, char *buf, int n)
{
	if (lws_hdr_total_length(wsi, t) <= 0)
		return NULL;
	if (lws_hdr_copy(wsi, buf, n, t) < 0)
		return "";
	return buf;
}

/* A header lws does not know, by name ("ngsild-tenant:"). */
static const char *
custom(struct lws *wsi, const char *name, char *buf, int n)
{
	if (lws_hdr_custom_length(wsi, name, (int)strlen(name)) < 0)
		return NULL;
	if (lws_hdr_custom_copy(wsi, buf, n, name, (int)strlen(name)) < 0)
		return "";
	return buf;
}

static const char *
method_of(struct lws *wsi)
{
	static const struct {
		enum lws_token_indexes t;
		const char *name;
	} m[] = {
	    {WSI_TOKEN_POST_URI, "POST"},       {WSI_TOKEN_GET_URI, "GET"},
	    {WSI_TOKEN_PUT_URI, "PUT"},         {WSI_TOKEN_PATCH_URI, "PATCH"},
	    {WSI_TOKEN_DELETE_URI, "DELETE"},   {WSI_TOKEN_HEAD_URI, "HEAD"},
	    {WSI_TOKEN_OPTIONS_URI, "OPTIONS"},
	};

	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (lws_hdr_total_length(wsi, m[i].t) > 0)
			return m[i].name;
	return "?";
}

static void
unlink_waiting(struct ngsi_listen *l, struct pss *p)
{
	if (p->state != REQ_WAITING)
		return;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		l->waiting = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
	l->h.waiting--;
}

static void
drop_body(struct pss *p)
{
	free(p->body);
	p->body = NULL;
	p->len = p->cap = 0;
}

/* Writes a reply head with no body; returns 0 or -1. */
static int
reply(struct lws *wsi, unsigned status, int close_after, const char *allow)
{
	unsigned char buf[LWS_PRE + 512], *start = buf + LWS_PRE, *p = start,
	                                  *end = buf + sizeof buf - 1;

	if (lws_add_http_header_status(wsi, status, &p, end) ||
	    (allow != NULL &&
	     lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ALLOW,
	                                  (const unsigned char *)allow,
	                                  (int)strlen(allow), &p, end)) ||
	    lws_add_http_header_content_length(wsi, 0, &p, end) ||
	    (close_after && lws_add_http_header_by_token(
	                        wsi, WSI_TOKEN_CONNECTION,
	                        (const unsigned char *)"close", 5, &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	return 0;
}

/* A refusal with an NGSI-LD ProblemDetails body; returns 0 or -1. */
static int
reply_problem(struct lws *wsi, unsigned status, const char *type,
              const char *detail)
{
	unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start,
	                                   *end = buf + sizeof buf - 1;
	unsigned char body[LWS_PRE + 512];
	const char *title = strrchr(type, '/') ? strrchr(type, '/') + 1 : type;
	int n = snprintf((char *)body + LWS_PRE, sizeof body - LWS_PRE,
	                 "{\"type\":\"%s\",\"title\":\"%s\",\"status\":%u,"
	                 "\"detail\":\"%s\"}",
	                 type, title, status, detail);

	if (n < 0 || (size_t)n >= sizeof body - LWS_PRE ||
	    lws_add_http_common_headers(wsi, status, "application/json",
	                                (lws_filepos_t)n, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
	                                 (const unsigned char *)"close", 5, &p,
	                                 end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	return lws_write(wsi, body + LWS_PRE, (size_t)n,
	                 LWS_WRITE_HTTP_FINAL) == n
	           ? 0
	           : -1;
}

/* Refuses the request: the reply, then the connection closes. */
static int
refuse(struct ngsi_listen *l, struct lws *wsi, struct pss *p, int status,
       const char *why)
{
	l->h.refused++;
	l->h.last_status = status;
	snprintf(l->h.last_why, sizeof l->h.last_why, "%s", why);
	log_msg(LOG_INFO, "ngsi-listen: %d %s", status, why);
	drop_body(p);
	p->state = REQ_IDLE;
	if (p->v.problem != NULL) {
		l->h.tenant++;
		reply_problem(wsi, (unsigned)status, p->v.problem, why);
	} else {
		reply(wsi, (unsigned)status, 1, status == 405 ? "POST" : NULL);
	}
	/* Closing rather than reading on: a refused body may still be
	 * on its way, and would be read as the next request. */
	return -1;
}

static int
on_head(struct ngsi_listen *l, struct lws *wsi, struct pss *p, const char *uri)
{
	char ct[256], cl[32], te[64], ex[64], sec[256], ten[128], link[1024];
	struct ngsi_http_req r;

	memset(&r, 0, sizeof r);
	l->h.requests++;
	r.method = method_of(wsi);
	r.uri = uri;
	r.content_type = hdr(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, ct, sizeof ct);
	r.content_length =
	    hdr(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, cl, sizeof cl);
	r.transfer_encoding =
	    hdr(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING, te, sizeof te);
	r.expect = hdr(wsi, WSI_TOKEN_HTTP_EXPECT, ex, sizeof ex);
	r.link = hdr(wsi, WSI_TOKEN_HTTP_LINK, link, sizeof link);
	if (l->secret_header != NULL)
		r.secret =
		    l->secret_token >= 0
		        ? hdr(wsi, (enum lws_token_indexes)l->secret_token, sec,
		              sizeof sec)
		        : custom(wsi, l->secret_header, sec, sizeof sec);
	r.tenant = custom(wsi, "ngsild-tenant:", ten, sizeof ten);
	if (r.tenant == NULL)
		r.tenant = custom(wsi, "fiware-service:", ten, sizeof ten);
	p->wsi = wsi;
	if (ngsi_http_check(&l->cfg, &r, &p->v) != 0)
		return refuse(l, wsi, p, p->v.status, p->v.why);
	p->state = REQ_BODY;
	p->len = 0;
	{
		char conn[32];
		const char *c =
		    hdr(wsi, WSI_TOKEN_CONNECTION, conn, sizeof conn);
		/* lws 4.1.6 cannot find the end of a chunked body, so it
		 * cannot read a next request after one: close after. */
		p->close_after =
		    p->v.chunked || (c != NULL && strcasestr(c, "close"));
	}
	memset(&p->ch, 0, sizeof p->ch);
	lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, l->read_timeout_s);
	if (p->v.expect_continue) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		unsigned char b[LWS_PRE + sizeof cont];
		memcpy(b + LWS_PRE, cont, sizeof cont - 1);
		if (lws_write(wsi, b + LWS_PRE, sizeof cont - 1,
		              LWS_WRITE_HTTP) < 0)
			return -1;
	}
	return 0;
}

static int on_complete(struct ngsi_listen *l, struct lws *wsi, struct pss *p);

static int
on_body(struct ngsi_listen *l, struct lws *wsi, struct pss *p, const void *in,
        size_t len)
{
	long w;

	if (p->state != REQ_BODY)
		return p->state == REQ_IDLE ? -1 : 0;
	if (p->len + len > p->cap) {
		p->cap = p->len + len > 2 * p->cap ? p->len + len : 2 * p->cap;
		p->body = xrealloc(p->body, p->cap + 1);
	}
	if (!p->v.chunked) {
		if (p->len + len > l->cfg.max_body)
			return refuse(l, wsi, p, 413, "body over the size cap");
		memcpy(p->body + p->len, in, len);
		p->len += len;
		return 0;
	}
	/* lws 4.1.6 passes a chunked body through framed and never ends
	 * it: unframed here, ended at the last chunk. */
	if ((w = ngsi_chunked_decode(&p->ch, in, len, p->body + p->len)) < 0)
		return refuse(l, wsi, p, 400, "broken chunked framing");
	p->len += (size_t)w;
	if (p->len > l->cfg.max_body)
		return refuse(l, wsi, p, 413, "body over the size cap");
	return p->ch.done ? on_complete(l, wsi, p) : 0;
}

static int
on_complete(struct ngsi_listen *l, struct lws *wsi, struct pss *p)
{
	int status;

	if (p->state != REQ_BODY)
		return -1;
	status =
	    l->fn(l->arg, &p->v, p->body ? p->body : "", p->len, &p->token);
	if (status != 0)
		return refuse(l, wsi, p, status,
		              "the notification cannot be kept");
	l->h.accepted++;
	l->h.bytes += p->len;
	drop_body(p);
	/* Kept: from here the 204 is ours to send, whatever the timer. */
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
	p->state = REQ_WAITING;
	p->prev = NULL;
	p->next = l->waiting;
	if (l->waiting != NULL)
		l->waiting->prev = p;
	l->waiting = p;
	l->h.waiting++;
	return 0;
}

static int
on_writable(struct ngsi_listen *l, struct lws *wsi, struct pss *p)
{
	if (p->state != REQ_REPLY)
		return 0;
	p->state = REQ_IDLE;
	if (reply(wsi, HTTP_STATUS_NO_CONTENT, p->close_after, NULL) != 0)
		return -1;
	l->h.replied++;
	if (p->close_after)
		return -1; /* everything was read: a clean close */
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static void
on_close(struct ngsi_listen *l, struct pss *p)
{
	if (p->state == REQ_BODY) {
		l->h.timeouts++;
		log_msg(LOG_INFO,
		        "ngsi-listen: connection closed with a request "
		        "half read (%zu bytes); nothing kept",
		        p->len);
	}
	unlink_waiting(l, p);
	drop_body(p);
	p->state = REQ_IDLE;
}

static int
http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
        size_t len)
{
	struct pss *p = user;
	struct ngsi_listen *l = wsi != NULL && lws_get_protocol(wsi) != NULL
	                            ? lws_get_protocol(wsi)->user
	                            : NULL;

	if (l == NULL || p == NULL)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return on_head(l, wsi, p, in);
	case LWS_CALLBACK_HTTP_BODY:
		return on_body(l, wsi, p, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return on_complete(l, wsi, p);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return on_writable(l, wsi, p);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		on_close(l, p);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

struct ngsi_listen *
ngsi_listen_new(struct lws_context *ctx, const struct ngsi_listen_opts *o,
                ngsi_listen_body_fn fn, void *arg)
{
	struct ngsi_listen *l = xcalloc(1, sizeof *l);
	struct lws_context_creation_info info;

	if (ngsi_listen_spec_parse(o->spec, l->addr, sizeof l->addr, &l->port,
	                           l->path, sizeof l->path) != 0) {
		log_msg(LOG_ERROR,
		        "ngsi-listen: cannot use '%s' ([ADDR:]PORT[/PATH] "
		        "expected)",
		        o->spec);
		free(l);
		return NULL;
	}
	l->fn = fn;
	l->arg = arg;
	l->read_timeout_s = o->read_timeout_s > 0 ? o->read_timeout_s : 10;
	l->cfg.path = l->path;
	l->cfg.max_body = o->max_body;
	l->tenant = o->tenant != NULL ? xstrdup(o->tenant) : NULL;
	l->cfg.tenant = l->tenant;
	if (o->secret_header != NULL && o->secret != NULL) {
		/* lws keeps header names lower case, with the colon. */
		l->secret_header = xasprintf("%s:", o->secret_header);
		for (char *c = l->secret_header; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		l->secret = xstrdup(o->secret);
		/* lws parses the headers it knows (Authorization,
		 * X-Auth-Token …) into tokens, and keeps only the others
		 * for lws_hdr_custom_copy. */
		l->secret_token = -1;
		for (int t = 0; t < WSI_TOKEN_COUNT; t++) {
			const unsigned char *name =
			    lws_token_to_string((enum lws_token_indexes)t);
			if (name != NULL &&
			    strcmp((const char *)name, l->secret_header) == 0)
				l->secret_token = t;
		}
		l->cfg.secret_header = l->secret_header;
		l->cfg.secret = l->secret;
	}
	l->protocols[0].name = NGSI_PROTOCOL;
	l->protocols[0].callback = http_cb;
	l->protocols[0].per_session_data_size = sizeof(struct pss);
	l->protocols[0].user = l;
	memset(&info, 0, sizeof info);
	info.port = l->port;
	info.iface = l->addr;
	info.protocols = l->protocols;
	info.vhost_name = "ngsi-listen";
	info.timeout_secs = (unsigned)l->read_timeout_s;
	info.keepalive_timeout = l->read_timeout_s;
	l->vh = lws_create_vhost(ctx, &info);
	if (l->vh == NULL) {
		log_msg(LOG_ERROR, "ngsi-listen: cannot listen on %s:%d",
		        l->addr, l->port);
		free(l->secret_header);
		free(l->secret);
		free(l->tenant);
		free(l);
		return NULL;
	}
	l->port = lws_get_vhost_listen_port(l->vh);
	log_msg(LOG_INFO,
	        "ngsi-listen: NGSI-LD notifications on http://%s:%d%s "
	        "(cap %zu bytes, read timeout %d s%s)",
	        l->addr, l->port, l->path, l->cfg.max_body, l->read_timeout_s,
	        l->secret ? ", shared secret" : "");
	return l;
}

void
ngsi_listen_free(struct ngsi_listen **lp)
{
	struct ngsi_listen *l = *lp;

	if (l == NULL)
		return;
	/* Sessions still open learn nothing more of us. */
	for (struct pss *p = l->waiting; p != NULL; p = p->next)
		p->state = REQ_IDLE;
	l->protocols[0].user = NULL;
	lws_vhost_destroy(l->vh);
	free(l->secret_header);
	free(l->secret);
	free(l->tenant);
	free(l);
	*lp = NULL;
}

void
ngsi_listen_durable(struct ngsi_listen *l, uint64_t upto)
{
	struct pss *p = l->waiting, *next;

	for (; p != NULL; p = next) {
		next = p->next;
		if (p->token > upto)
			continue;
		unlink_waiting(l, p);
		p->state = REQ_REPLY;
		lws_callback_on_writable(p->wsi);
	}
}

int
ngsi_listen_port(const struct ngsi_listen *l)
{
	return l->port;
}

const struct ngsi_listen_health *
ngsi_listen_health(const struct ngsi_listen *l)
{
	return &l->h;
}
