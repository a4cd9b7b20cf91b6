/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A subscription to cityops relay (relay.h) on the loop's lws context:
 * connects, splits frames into lines, hands records over in order,
 * reconnects with jittered backoff and resumes after the last sequence it
 * received. Like feed-client.c it has a handshake watchdog, since lws 4.1
 * says only CLOSED_CLIENT_HTTP when a server never answers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/util.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/relay.h"

#define RC_PROTOCOL     "cityops-relay"
#define RC_VHOST        "relay-client"
#define RC_HANDSHAKE_MS 5000
#define RC_BACKOFF_MIN  100
#define RC_BACKOFF_MAX  5000
#define RC_MAX_FRAME    (4 * 1024 * 1024)

struct relay_client {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct lws *wsi;
	struct relay_client_hooks h;
	char host[256], path[512], scope[256], token[72];
	int port, exercise, up, connecting;
	int served;  /* the hello came: the link hook was told "up" */
	int64_t pos; /* last sequence received, -1: none */
	int backoff_ms;
	uint64_t rng;
	char *rx;
	size_t rxlen, rxcap;
	int rx_over;
	lws_sorted_usec_list_t sul_retry, sul_watchdog;
};

static void connect_now(struct relay_client *c);

static void
retry_cb(lws_sorted_usec_list_t *sul)
{
	struct relay_client *c =
	    lws_container_of(sul, struct relay_client, sul_retry);

	if (!c->up && !c->connecting)
		connect_now(c);
}

static void
detach(struct relay_client *c)
{
	struct lws *w = c->wsi;

	c->wsi = NULL;
	if (w == NULL)
		return;
	lws_set_opaque_user_data(w, NULL);
	lws_set_timeout(w, PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE,
	                LWS_TO_KILL_ASYNC);
}

static void
link_fail(struct relay_client *c, const char *why)
{
	int was = c->served, ms;

	if (!c->up && !c->connecting)
		return;
	detach(c);
	lws_sul_cancel(&c->sul_watchdog);
	c->up = c->connecting = c->served = 0;
	c->rxlen = 0;
	c->rx_over = 0;
	c->rng = c->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	ms = feed_backoff_next(&c->backoff_ms, RC_BACKOFF_MIN, RC_BACKOFF_MAX,
	                       c->rng >> 33);
	log_msg(LOG_DEBUG, "relay %s:%d: down (%s); again in %d ms", c->host,
	        c->port, why, ms);
	lws_sul_schedule(c->ctx, 0, &c->sul_retry, retry_cb,
	                 (lws_usec_t)ms * LWS_US_PER_MS);
	if (was && c->h.link)
		c->h.link(c->h.arg, 0);
}

static void
watchdog_cb(lws_sorted_usec_list_t *sul)
{
	struct relay_client *c =
	    lws_container_of(sul, struct relay_client, sul_watchdog);

	if (c->connecting)
		link_fail(c, "no handshake answer");
}

static void
connect_now(struct relay_client *c)
{
	struct lws_client_connect_info ci;
	char path[1200];
	struct lws *w;
	size_t n;

	n = (size_t)snprintf(
	    path, sizeof path, "%s%ctoken=%s&scope=%s&exercise=%d", c->path,
	    strchr(c->path, '?') ? '&' : '?', c->token, c->scope, c->exercise);
	if (c->pos >= 0 && n < sizeof path)
		snprintf(path + n, sizeof path - n, "&from=%" PRId64, c->pos);
	memset(&ci, 0, sizeof ci);
	ci.context = c->ctx;
	ci.address = c->host;
	ci.port = c->port;
	ci.path = path;
	ci.host = c->host;
	ci.origin = c->host;
	ci.vhost = c->vh;
	ci.local_protocol_name = RC_PROTOCOL;
	ci.opaque_user_data = c;
	c->connecting = 1;
	lws_sul_schedule(c->ctx, 0, &c->sul_watchdog, watchdog_cb,
	                 (lws_usec_t)RC_HANDSHAKE_MS * LWS_US_PER_MS);
	w = lws_client_connect_via_info(&ci);
	if (!c->connecting)
		return; /* failed inside the call, already handled */
	if (w == NULL) {
		link_fail(c, "cannot start connecting");
		return;
	}
	c->wsi = w;
}

/* One line of a frame. A record at or before our position is one we
 * have (never expected; skipped so a record is never handed over twice). */
static void
take_line(struct relay_client *c, const char *s, size_t len)
{
	struct relay_line l;

	if (relay_line_parse(s, len, &l) != 0) {
		log_msg(LOG_WARN,
		        "relay %s:%d: a line that is not a change "
		        "record, ignored",
		        c->host, c->port);
		return;
	}
	switch (l.kind) {
	case RELAY_LINE_HELLO:
		if (c->pos < 0)
			c->pos = l.head;
		/* Up only now: the relay answers once it has checked the
		 * token, and serves from here. An owner that reads everything
		 * again when the link comes up misses nothing between. */
		if (!c->served) {
			c->served = 1;
			if (c->h.link)
				c->h.link(c->h.arg, 1);
		}
		return;
	case RELAY_LINE_GAP:
		c->pos = l.base;
		if (c->h.gap)
			c->h.gap(c->h.arg);
		return;
	case RELAY_LINE_RECORD:
		if (l.seq <= c->pos)
			return;
		c->pos = l.seq;
		if (c->h.record)
			c->h.record(c->h.arg, &l);
		return;
	}
}

static void
take_frame(struct relay_client *c)
{
	const char *p = c->rx, *end = c->rx + c->rxlen;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (e > p)
			take_line(c, p, (size_t)(e - p));
		p = e + 1;
	}
}

static void
receive(struct relay_client *c, struct lws *wsi, const void *in, size_t len)
{
	if (!c->rx_over) {
		if (c->rxlen + len > RC_MAX_FRAME) {
			c->rx_over = 1;
			c->rxlen = 0;
		} else {
			if (c->rxlen + len > c->rxcap) {
				size_t cap = c->rxcap ? c->rxcap : 4096;
				while (cap < c->rxlen + len)
					cap *= 2;
				c->rx = xrealloc(c->rx, cap);
				c->rxcap = cap;
			}
			memcpy(c->rx + c->rxlen, in, len);
			c->rxlen += len;
		}
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return;
	if (c->rx_over)
		log_msg(LOG_WARN, "relay %s:%d: a frame over %d bytes, dropped",
		        c->host, c->port, RC_MAX_FRAME);
	else
		take_frame(c);
	c->rxlen = 0;
	c->rx_over = 0;
}

static int
client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
          void *in, size_t len)
{
	struct relay_client *c = wsi ? lws_get_opaque_user_data(wsi) : NULL;

	(void)user;
	if (c == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		lws_set_opaque_user_data(wsi, NULL);
		c->wsi = NULL;
		link_fail(c, in ? (const char *)in : "connection failed");
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->wsi = wsi;
		lws_sul_cancel(&c->sul_watchdog);
		c->connecting = 0;
		c->up = 1;
		c->backoff_ms = 0;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (c->up)
			receive(c, wsi, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
	case LWS_CALLBACK_WSI_DESTROY:
		lws_set_opaque_user_data(wsi, NULL);
		c->wsi = NULL;
		link_fail(c, "closed");
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols rc_protocols[] = {
    {RC_PROTOCOL, client_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static struct lws_vhost *
client_vhost(struct lws_context *ctx)
{
	struct lws_context_creation_info info;
	struct lws_vhost *vh = lws_get_vhost_by_name(ctx, RC_VHOST);

	if (vh != NULL)
		return vh;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = rc_protocols;
	info.vhost_name = RC_VHOST;
	info.gid = -1;
	info.uid = -1;
	return lws_create_vhost(ctx, &info);
}

struct relay_client *
relay_client_new(struct lws_context *ctx, const struct relay_client_opts *o,
                 const struct relay_client_hooks *h)
{
	struct relay_client *c = xcalloc(1, sizeof *c);
	const char *scope = o->scope ? o->scope : "";

	if (feed_url_parse(o->url, c->host, sizeof c->host, &c->port, c->path,
	                   sizeof c->path) != 0 ||
	    strchr(c->path, '?') != NULL) {
		log_msg(LOG_ERROR,
		        "relay: cannot use URL '%s' "
		        "(ws://host:port/path expected)",
		        o->url);
		free(c);
		return NULL;
	}
	if (o->token == NULL || !relay_token_valid(o->token)) {
		log_msg(LOG_ERROR, "relay: no valid subscriber token");
		free(c);
		return NULL;
	}
	if (!relay_scope_valid(scope)) {
		log_msg(LOG_ERROR, "relay: scope '%s' is not a region path",
		        scope);
		free(c);
		return NULL;
	}
	c->vh = client_vhost(ctx);
	if (c->vh == NULL) {
		log_msg(LOG_ERROR, "relay: cannot create the client vhost");
		free(c);
		return NULL;
	}
	c->ctx = ctx;
	if (h != NULL)
		c->h = *h;
	snprintf(c->scope, sizeof c->scope, "%s", scope);
	snprintf(c->token, sizeof c->token, "%s", o->token);
	c->exercise = o->exercise;
	c->pos = o->resume ? o->resume_pos : -1;
	c->rng = (uint64_t)(uintptr_t)c ^ (uint64_t)getpid() ^
	         (uint64_t)feed_wall_ms();
	connect_now(c);
	return c;
}

void
relay_client_free(struct relay_client **cp)
{
	struct relay_client *c = *cp;

	if (c == NULL)
		return;
	lws_sul_cancel(&c->sul_retry);
	lws_sul_cancel(&c->sul_watchdog);
	detach(c);
	free(c->rx);
	free(c);
	*cp = NULL;
}

int64_t
relay_client_pos(const struct relay_client *c)
{
	return c->pos;
}

void
relay_client_set_token(struct relay_client *c, const char *token)
{
	if (c != NULL && token != NULL && relay_token_valid(token))
		snprintf(c->token, sizeof c->token, "%s", token);
}
