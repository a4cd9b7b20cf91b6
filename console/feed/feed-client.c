/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * One websocket feed subscription. The invariant that keeps this safe on
 * lws 4.1: exactly one wsi — the current one — carries the client as its
 * opaque user data. Any wsi we give up on (watchdog, idle, drop) is first
 * detached (opaque set to NULL) and then killed asynchronously, so its
 * remaining callbacks find no client and do nothing. Every failure path
 * funnels into link_fail(), which does nothing when the client is already
 * waiting to reconnect: lws may report one failure through several
 * callbacks (CONNECTION_ERROR, CLOSED_CLIENT_HTTP, WSI_DESTROY), and the
 * watchdog may fire at the same time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "cityops/feed/feed-client.h"
#include "cityops/core/log.h"
#include "cityops/core/util.h"

#define CLIENT_VHOST    "cityops-feed-client"
#define CLIENT_PROTOCOL "cityops-feed-client"
#define TICK_MS         1000

struct feed_client {
	/* Timers; lws_container_of finds the client from each. */
	lws_sorted_usec_list_t sul_retry, sul_watchdog, sul_tick;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct lws *wsi; /* the current connection, or NULL */

	struct feed_client_opts o;
	struct feed_client_hooks h;
	char *url, *name;
	char host[256];
	int port;
	char path[2048]; /* as given, without any from= of ours */

	struct feed_decoder *dec;
	char *rx;
	size_t rxlen, rxcap;
	int rx_over; /* the message being received is over the cap */

	int backoff_ms;
	uint64_t rng;
	int64_t last_rx_mono, last_ping_mono, retry_at_mono, last_log_mono;
	int want_ping;
	uint64_t resume; /* position to ask for when none is known */

	/* The message being decoded: its position and a heartbeat's seq. */
	uint64_t cur_pos, hb_seq;
	int saw_hb;

	struct feed_health hl;
	uint64_t logged_rej[FEED_REJECT_COUNT], logged_skip[FEED_REJECT_COUNT];
};

static const char *const link_names[] = {
#define X(id, name, help) name,
    FEED_LINK_LIST(X)
#undef X
};

const char *
feed_link_name(enum feed_link l)
{
	return (unsigned)l < sizeof link_names / sizeof *link_names
	           ? link_names[l]
	           : "?";
}

int64_t
feed_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t
next_rand(struct feed_client *fc)
{
	/* xorshift64: jitter needs spread, not secrecy. */
	fc->rng ^= fc->rng << 13;
	fc->rng ^= fc->rng >> 7;
	fc->rng ^= fc->rng << 17;
	return fc->rng;
}

int
feed_url_parse(const char *url, char *host, size_t hostsz, int *port,
               char *path, size_t pathsz)
{
	const char *p, *hs, *he, *slash;
	size_t n;

	if (strncmp(url, "ws://", 5) != 0)
		return -1;
	p = url + 5;
	slash = p + strcspn(p, "/?");
	if (*p == '[') {
		hs = p + 1;
		he = memchr(hs, ']', (size_t)(slash - hs));
		if (he == NULL)
			return -1;
		p = he + 1;
	} else {
		hs = p;
		he = memchr(p, ':', (size_t)(slash - p));
		if (he == NULL)
			he = slash;
		p = he;
	}
	n = (size_t)(he - hs);
	if (n == 0 || n >= hostsz)
		return -1;
	memcpy(host, hs, n);
	host[n] = '\0';
	*port = 80;
	if (*p == ':') {
		char *end;
		long v = strtol(p + 1, &end, 10);
		if (end != slash || v <= 0 || v > 65535)
			return -1;
		*port = (int)v;
	} else if (p != slash) {
		return -1;
	}
	if (*slash == '\0')
		slash = "/";
	if (*slash == '?') {
		if (strlen(slash) + 2 > pathsz)
			return -1;
		snprintf(path, pathsz, "/%s", slash);
		return 0;
	}
	if (strlen(slash) + 1 > pathsz)
		return -1;
	snprintf(path, pathsz, "%s", slash);
	return 0;
}

/* Copies path without any from=… query parameter. */
static void
strip_from(char *path)
{
	char *q = strchr(path, '?'), *p, *out;

	if (q == NULL)
		return;
	out = q + 1;
	for (p = q + 1; *p != '\0';) {
		size_t n = strcspn(p, "&");
		if (strncmp(p, "from=", 5) != 0) {
			if (out != q + 1)
				*out++ = '&';
			memmove(out, p, n);
			out += n;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	*out = '\0';
	if (out == q + 1)
		*q = '\0';
}

static void
notify_health(struct feed_client *fc)
{
	if (fc->h.health != NULL)
		fc->h.health(fc->h.arg, fc);
}

static void
set_link(struct feed_client *fc, enum feed_link l)
{
	fc->hl.link = l;
	fc->hl.since_ms = feed_wall_ms();
}

/* Forgets the current wsi and has lws close it later. */
static void
detach_wsi(struct feed_client *fc)
{
	struct lws *w = fc->wsi;

	fc->wsi = NULL;
	if (w == NULL)
		return;
	lws_set_opaque_user_data(w, NULL);
	lws_set_timeout(w, PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE,
	                LWS_TO_KILL_ASYNC);
}

static void retry_cb(lws_sorted_usec_list_t *sul);

int
feed_backoff_next(int *backoff_ms, int min_ms, int max_ms, uint64_t rnd)
{
	int b = *backoff_ms;

	if (max_ms < 1)
		max_ms = 1;
	if (min_ms < 1)
		min_ms = 1;
	if (min_ms > max_ms)
		min_ms = max_ms;
	b = b <= 0 ? min_ms : b > max_ms / 2 ? max_ms : b * 2;
	*backoff_ms = b;
	/* Jitter below the step, never above it: [50 %, 100 %] of a step
	 * that is itself capped, so the cap holds (it once went to 150 %,
	 * 22.5 s against a documented 15 s). */
	return b - (int)(rnd % (uint64_t)(b / 2 + 1));
}

/* Every failure ends here; a second call while waiting does nothing. */
static void
link_fail(struct feed_client *fc, const char *why)
{
	int ms;

	if (fc->hl.link == FEED_LINK_WAITING)
		return;
	detach_wsi(fc);
	lws_sul_cancel(&fc->sul_watchdog);
	fc->rxlen = 0;
	fc->rx_over = 0;
	fc->want_ping = 0;
	fc->hl.failures++;
	snprintf(fc->hl.why, sizeof fc->hl.why, "%s", why);
	ms = feed_backoff_next(&fc->backoff_ms, fc->o.backoff_min_ms,
	                       fc->o.backoff_max_ms, next_rand(fc));
	fc->retry_at_mono = mono_ms() + ms;
	set_link(fc, FEED_LINK_WAITING);
	log_msg(LOG_WARN, "feed %s: down (%s); reconnecting in %d ms", fc->name,
	        why, ms);
	lws_sul_schedule(fc->ctx, 0, &fc->sul_retry, retry_cb,
	                 (lws_usec_t)ms * LWS_US_PER_MS);
	notify_health(fc);
}

static void
watchdog_cb(lws_sorted_usec_list_t *sul)
{
	struct feed_client *fc =
	    lws_container_of(sul, struct feed_client, sul_watchdog);
	char why[96];

	if (fc->hl.link != FEED_LINK_CONNECTING)
		return;
	snprintf(why, sizeof why, "no handshake answer within %d ms",
	         fc->o.handshake_ms);
	link_fail(fc, why);
}

static void
connect_now(struct feed_client *fc)
{
	struct lws_client_connect_info ci;
	char path[sizeof fc->path + 32];
	uint64_t pos =
	    fc->hl.position != FEED_POS_UNKNOWN ? fc->hl.position : fc->resume;
	struct lws *w;

	if (pos != FEED_POS_UNKNOWN)
		snprintf(path, sizeof path, "%s%cfrom=%" PRIu64, fc->path,
		         strchr(fc->path, '?') ? '&' : '?', pos);
	else
		snprintf(path, sizeof path, "%s", fc->path);
	/* Positions restart from what we ask for; a heartbeat confirms. */
	fc->hl.position = pos;
	memset(&ci, 0, sizeof ci);
	ci.context = fc->ctx;
	ci.address = fc->host;
	ci.port = fc->port;
	ci.path = path;
	ci.host = fc->host;
	ci.origin = fc->host;
	ci.vhost = fc->vh;
	ci.local_protocol_name = CLIENT_PROTOCOL;
	ci.opaque_user_data = fc;
	set_link(fc, FEED_LINK_CONNECTING);
	fc->rxlen = 0;
	fc->rx_over = 0;
	lws_sul_schedule(fc->ctx, 0, &fc->sul_watchdog, watchdog_cb,
	                 (lws_usec_t)fc->o.handshake_ms * LWS_US_PER_MS);
	log_msg(LOG_INFO, "feed %s: connecting to %s:%d%s", fc->name, fc->host,
	        fc->port, path);
	notify_health(fc);
	w = lws_client_connect_via_info(&ci);
	if (fc->hl.link != FEED_LINK_CONNECTING)
		return; /* failed inside the call, already handled */
	if (w == NULL) {
		link_fail(fc, "cannot start connecting");
		return;
	}
	fc->wsi = w;
}

static void
retry_cb(lws_sorted_usec_list_t *sul)
{
	struct feed_client *fc =
	    lws_container_of(sul, struct feed_client, sul_retry);

	if (fc->hl.link == FEED_LINK_WAITING)
		connect_now(fc);
}

void
feed_client_log_rejects(struct feed_client *fc)
{
	const struct feed_stats *st = feed_decoder_stats(fc->dec);

	for (int r = 1; r < FEED_REJECT_COUNT; r++) {
		uint64_t n = st->rejected[r], d;
		if (r == FEED_REJECT_TOO_LARGE)
			n += fc->hl.oversize;
		if ((d = n - fc->logged_rej[r]) > 0)
			log_msg(LOG_WARN,
			        "feed %s: dropped %" PRIu64 " message%s as %s "
			        "(%s) since the last report; %" PRIu64
			        " in all",
			        fc->name, d, d == 1 ? "" : "s",
			        feed_reject_name((enum feed_reject)r),
			        feed_reject_help((enum feed_reject)r), n);
		fc->logged_rej[r] = n;
		n = st->skipped[r];
		if ((d = n - fc->logged_skip[r]) > 0)
			log_msg(LOG_INFO,
			        "feed %s: skipped %" PRIu64 " item%s as %s "
			        "since the last report; %" PRIu64 " in all",
			        fc->name, d, d == 1 ? "" : "s",
			        feed_reject_name((enum feed_reject)r), n);
		fc->logged_skip[r] = n;
	}
	fc->last_log_mono = mono_ms();
}

static void
tick_cb(lws_sorted_usec_list_t *sul)
{
	struct feed_client *fc =
	    lws_container_of(sul, struct feed_client, sul_tick);
	int64_t now = mono_ms();

	if (fc->hl.link == FEED_LINK_UP && !fc->hl.paused) {
		int64_t quiet = now - fc->last_rx_mono;
		if (quiet > fc->o.idle_ms) {
			char why[96];
			snprintf(why, sizeof why,
			         "nothing received for %lld ms (idle timeout)",
			         (long long)quiet);
			link_fail(fc, why);
		} else if (quiet >= fc->o.ping_ms &&
		           now - fc->last_ping_mono >= fc->o.ping_ms &&
		           fc->wsi != NULL) {
			fc->want_ping = 1;
			lws_callback_on_writable(fc->wsi);
		}
	}
	if (now - fc->last_log_mono >= fc->o.log_interval_ms)
		feed_client_log_rejects(fc);
	lws_sul_schedule(fc->ctx, 0, &fc->sul_tick, tick_cb,
	                 (lws_usec_t)TICK_MS * LWS_US_PER_MS);
}

static void
sink(void *arg, const struct feed_event *ev)
{
	struct feed_client *fc = arg;

	uint64_t pos = fc->cur_pos;

	if (ev->type == FEED_EV_HEARTBEAT) {
		fc->saw_hb = 1;
		fc->hb_seq = ev->u.heartbeat.seq;
		/* A greeting heartbeat names the position it stands before
		 * and is not itself in the stream. */
		if (fc->hb_seq == fc->cur_pos)
			pos = FEED_POS_UNKNOWN;
	}
	if (fc->h.event != NULL)
		fc->h.event(fc->h.arg, fc, ev, pos);
}

/* One complete message: decode it, count it, move the position on. */
static void
deliver(struct feed_client *fc, const char *buf, size_t len, int over)
{
	struct feed_result res;

	fc->cur_pos = fc->hl.position;
	fc->saw_hb = 0;
	if (over) {
		memset(&res, 0, sizeof res);
		res.format = fc->o.format;
		res.reason = FEED_REJECT_TOO_LARGE;
		fc->hl.oversize++;
		fc->hl.rejected++;
	} else if (feed_decode(fc->dec, buf, len, fc->o.format, sink, fc,
	                       &res) == FEED_REJECTED) {
		fc->hl.rejected++;
	}
	fc->hl.messages++;
	fc->hl.bytes += len;
	fc->hl.events += res.events;
	fc->hl.skipped += res.skipped;
	fc->hl.last_msg_ms = feed_wall_ms();
	if (fc->saw_hb)
		fc->hl.position = fc->hb_seq;
	else if (fc->hl.position != FEED_POS_UNKNOWN)
		fc->hl.position++;
	if (fc->h.message != NULL)
		fc->h.message(fc->h.arg, fc, &res, fc->hl.position);
}

static void
receive(struct feed_client *fc, struct lws *wsi, const void *in, size_t len)
{
	fc->last_rx_mono = mono_ms();
	if (!fc->rx_over) {
		if (fc->rxlen + len > fc->o.max_message) {
			/* Drop the rest of this message; count it once. */
			fc->rx_over = 1;
			fc->rxlen = 0;
		} else {
			if (fc->rxlen + len + 1 > fc->rxcap) {
				size_t cap = fc->rxcap ? fc->rxcap : 4096;
				while (cap < fc->rxlen + len + 1)
					cap *= 2;
				fc->rx = xrealloc(fc->rx, cap);
				fc->rxcap = cap;
			}
			memcpy(fc->rx + fc->rxlen, in, len);
			fc->rxlen += len;
		}
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return;
	deliver(fc, fc->rx, fc->rxlen, fc->rx_over);
	fc->rxlen = 0;
	fc->rx_over = 0;
	/* A big message leaves a big buffer; give it back. */
	if (fc->rxcap > 256 * 1024) {
		free(fc->rx);
		fc->rx = NULL;
		fc->rxcap = 0;
	}
}

static int
client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
          void *in, size_t len)
{
	struct feed_client *fc = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	char why[200];

	if (fc == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		lws_set_opaque_user_data(wsi, NULL);
		if (fc->wsi == wsi || fc->wsi == NULL) {
			fc->wsi = NULL;
			snprintf(why, sizeof why, "connection failed: %s",
			         in ? (const char *)in : "unknown error");
			link_fail(fc, why);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		fc->wsi = wsi;
		lws_sul_cancel(&fc->sul_watchdog);
		fc->backoff_ms = 0;
		fc->hl.why[0] = '\0';
		fc->hl.connects++;
		fc->last_rx_mono = fc->last_ping_mono = mono_ms();
		set_link(fc, FEED_LINK_UP);
		if (fc->hl.paused)
			lws_rx_flow_control(wsi, 0);
		log_msg(LOG_INFO, "feed %s: up", fc->name);
		notify_health(fc);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (fc->hl.link == FEED_LINK_UP)
			receive(fc, wsi, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		fc->last_rx_mono = mono_ms();
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (fc->want_ping) {
			unsigned char buf[LWS_PRE + 8];
			fc->want_ping = 0;
			fc->last_ping_mono = mono_ms();
			if (lws_write(wsi, buf + LWS_PRE, 0, LWS_WRITE_PING) <
			    0)
				return -1;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
	case LWS_CALLBACK_WSI_DESTROY:
		/* CLOSED_CLIENT_HTTP is all lws 4.1 says when a server took
		 * the TCP connection and never answered the handshake. */
		lws_set_opaque_user_data(wsi, NULL);
		fc->wsi = NULL;
		link_fail(fc, reason == LWS_CALLBACK_CLIENT_CLOSED
		                  ? "closed by the server"
		                  : "closed before the handshake completed");
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols client_protocols[] = {
    {CLIENT_PROTOCOL, client_cb, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* One client vhost per context, shared by every feed on it. */
static struct lws_vhost *
client_vhost(struct lws_context *ctx)
{
	struct lws_context_creation_info info;
	struct lws_vhost *vh = lws_get_vhost_by_name(ctx, CLIENT_VHOST);

	if (vh != NULL)
		return vh;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = client_protocols;
	info.vhost_name = CLIENT_VHOST;
	info.gid = -1;
	info.uid = -1;
	return lws_create_vhost(ctx, &info);
}

struct feed_client *
feed_client_new(struct lws_context *ctx, const struct feed_client_opts *o,
                const struct feed_client_hooks *h)
{
	struct feed_client *fc = xcalloc(1, sizeof *fc);

	fc->o = *o;
	if (feed_url_parse(o->url, fc->host, sizeof fc->host, &fc->port,
	                   fc->path, sizeof fc->path) != 0) {
		log_msg(LOG_ERROR,
		        "feed: cannot use URL '%s' (ws://host:port/"
		        "path expected)",
		        o->url);
		free(fc);
		return NULL;
	}
	/* A from= in the URL is where to start; ours replace it later. */
	fc->resume = FEED_POS_UNKNOWN;
	{
		const char *q = strchr(fc->path, '?');
		for (const char *p = q; p != NULL; p = strchr(p + 1, '&')) {
			unsigned long long v;
			char *end;
			if (strncmp(p + 1, "from=", 5) != 0)
				continue;
			v = strtoull(p + 6, &end, 10);
			if (end != p + 6 && (*end == '\0' || *end == '&'))
				fc->resume = v;
		}
	}
	strip_from(fc->path);
	if (o->resume && o->resume_pos != FEED_POS_UNKNOWN)
		fc->resume = o->resume_pos;
	fc->vh = client_vhost(ctx);
	if (fc->vh == NULL) {
		log_msg(LOG_ERROR, "feed: cannot create the client vhost");
		free(fc);
		return NULL;
	}
	fc->ctx = ctx;
	if (h != NULL)
		fc->h = *h;
	fc->url = xstrdup(o->url);
	fc->name = xstrdup(o->name && *o->name ? o->name : o->url);
	fc->o.url = fc->url;
	fc->o.name = fc->name;
#define DEF(f, v)                                                              \
	if (fc->o.f <= 0)                                                      \
	fc->o.f = (v)
	DEF(max_message, FEED_MAX_DEFAULT);
	DEF(handshake_ms, 5000);
	DEF(ping_ms, 10000);
	DEF(idle_ms, 30000);
	DEF(backoff_min_ms, 250);
	DEF(backoff_max_ms, 15000);
	DEF(log_interval_ms, 10000);
#undef DEF
	fc->dec = feed_decoder_new();
	feed_decoder_set_max(fc->dec, fc->o.max_message);
	feed_decoder_set_lenient(fc->dec, fc->o.lenient);
	if (fc->o.zones != NULL)
		(void)feed_decoder_set_zones(fc->dec, fc->o.zones);
	fc->rng = (uint64_t)mono_ms() * 0x9e3779b97f4a7c15ULL ^
	          (uint64_t)getpid() ^ (uint64_t)(uintptr_t)fc;
	if (fc->rng == 0)
		fc->rng = 1;
	fc->hl.name = fc->name;
	fc->hl.url = fc->url;
	fc->hl.position = FEED_POS_UNKNOWN;
	fc->last_log_mono = mono_ms();
	lws_sul_schedule(ctx, 0, &fc->sul_tick, tick_cb,
	                 (lws_usec_t)TICK_MS * LWS_US_PER_MS);
	connect_now(fc);
	return fc;
}

void
feed_client_free(struct feed_client **fcp)
{
	struct feed_client *fc = *fcp;

	if (fc == NULL)
		return;
	lws_sul_cancel(&fc->sul_retry);
	lws_sul_cancel(&fc->sul_watchdog);
	lws_sul_cancel(&fc->sul_tick);
	detach_wsi(fc);
	feed_decoder_free(&fc->dec);
	free(fc->rx);
	free(fc->url);
	free(fc->name);
	free(fc);
	*fcp = NULL;
}

const struct feed_health *
feed_client_health(struct feed_client *fc)
{
	fc->hl.stats = feed_decoder_stats(fc->dec);
	fc->hl.retry_in_ms = 0;
	if (fc->hl.link == FEED_LINK_WAITING) {
		int64_t left = fc->retry_at_mono - mono_ms();
		fc->hl.retry_in_ms = left > 0 ? left : 0;
	}
	return &fc->hl;
}

void
feed_client_pause(struct feed_client *fc, int pause)
{
	if (fc->hl.paused == !!pause)
		return;
	fc->hl.paused = !!pause;
	if (fc->wsi != NULL && fc->hl.link == FEED_LINK_UP)
		lws_rx_flow_control(fc->wsi, !pause);
	/* Silence while paused is ours, not the server's. */
	fc->last_rx_mono = mono_ms();
}
