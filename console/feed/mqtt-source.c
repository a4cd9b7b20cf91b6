/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * MQTT with libmosquitto on the loop (mqtt-source.h). The socket is
 * non-blocking; reads go through mosquitto_loop_read until it would
 * block, writes through mosquitto_loop_write when mosquitto wants to
 * write and nothing is held, and mosquitto_loop_misc runs from a timer
 * (keepalive pings, the keepalive deadline).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "cityops/feed/mqtt-source.h"

#define MISC_MS        1000
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 15000
#define READS_PER_TURN 4096

struct mqtt_source {
	struct loop *loop;
	struct mosquitto *mosq;
	struct loop_watch *w;
	struct loop_timer *misc, *retry;
	char host[256], filter[512], *url;
	int port, keepalive, backoff_ms;
	int held, paused, connected;
	int live; /* a socket is open (connecting or up) */
	mqtt_source_msg_fn fn;
	void *arg;
	struct mqtt_source_health h;
};

static const char *link_names[] = {
#define X(id, name) name,
    MQTT_LINK_LIST(X)
#undef X
};

const char *
mqtt_link_name(enum mqtt_link l)
{
	return (unsigned)l < sizeof link_names / sizeof *link_names
	           ? link_names[l]
	           : "?";
}

int
mqtt_url_parse(const char *url, char *host, size_t hostsz, int *port,
               char *filter, size_t filtersz)
{
	const char *h, *slash, *colon;
	char *end;
	long v = 1883;

	if (strncmp(url, "mqtt://", 7) != 0)
		return -1;
	h = url + 7;
	if ((slash = strchr(h, '/')) == NULL || slash[1] == '\0')
		return -1;
	colon = memchr(h, ':', (size_t)(slash - h));
	if ((size_t)((colon ? colon : slash) - h) >= hostsz ||
	    (colon ? colon : slash) == h)
		return -1;
	memcpy(host, h, (size_t)((colon ? colon : slash) - h));
	host[(colon ? colon : slash) - h] = '\0';
	if (colon != NULL) {
		v = strtol(colon + 1, &end, 10);
		if (end != slash || v < 1 || v > 65535)
			return -1;
	}
	*port = (int)v;
	if (strlen(slash + 1) >= filtersz)
		return -1;
	snprintf(filter, filtersz, "%s", slash + 1);
	/* A filter with a wildcard inside a level is refused by brokers. */
	return mosquitto_sub_topic_check(filter) == MOSQ_ERR_SUCCESS ? 0 : -1;
}

static void watch(struct mqtt_source *ms);

static void
set_error(struct mqtt_source *ms, const char *what, int rc)
{
	snprintf(ms->h.last_error, sizeof ms->h.last_error, "%s: %s", what,
	         rc == MOSQ_ERR_ERRNO ? strerror(errno)
	                              : mosquitto_strerror(rc));
}

/* The link is lost: stop watching, reconnect after a jittered backoff. */
static void
lost(struct mqtt_source *ms, const char *why)
{
	loop_unwatch(&ms->w);
	ms->live = 0;
	if (ms->h.link != MQTT_LINK_DOWN)
		log_msg(LOG_WARN, "mqtt: %s: link lost (%s); reconnecting",
		        ms->url, why);
	ms->h.link = MQTT_LINK_DOWN;
	ms->connected = 0;
	ms->held = 0;
	ms->backoff_ms = ms->backoff_ms ? ms->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (ms->backoff_ms > BACKOFF_MAX_MS)
		ms->backoff_ms = BACKOFF_MAX_MS;
	loop_timer_start(ms->retry, ms->backoff_ms / 2 +
	                                rand() % (ms->backoff_ms / 2 + 1));
}

/* Writes what mosquitto queued, unless acknowledgements are held. */
static void
flush(struct mqtt_source *ms)
{
	int rc;

	if (ms->held || !ms->live || !mosquitto_want_write(ms->mosq))
		return;
	errno = 0;
	rc = mosquitto_loop_write(ms->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS) {
		set_error(ms, "write", rc);
		lost(ms, ms->h.last_error);
		return;
	}
	if (ms->w != NULL && mosquitto_want_write(ms->mosq))
		loop_want_write(ms->w);
}

static void
on_fd(void *arg, unsigned events)
{
	struct mqtt_source *ms = arg;
	int rc = MOSQ_ERR_SUCCESS;

	if (events & LOOP_WRITE)
		flush(ms);
	if (!ms->live || !(events & LOOP_READ) || ms->paused)
		return;
	for (int i = 0; i < READS_PER_TURN && ms->live; i++) {
		errno = 0;
		rc = mosquitto_loop_read(ms->mosq, 1);
		if (rc != MOSQ_ERR_SUCCESS || errno == EAGAIN ||
		    errno == EWOULDBLOCK || ms->paused)
			break;
	}
	if (ms->live && rc != MOSQ_ERR_SUCCESS) {
		set_error(ms, "read", rc);
		lost(ms, ms->h.last_error);
		return;
	}
	flush(ms);
}

static void
watch(struct mqtt_source *ms)
{
	int fd = mosquitto_socket(ms->mosq);

	loop_unwatch(&ms->w);
	if (fd < 0)
		return;
	/* The loop adopts a dup: lws closes what it adopts, and the
	 * socket changes on every reconnect. */
	ms->w = loop_watch_fd(ms->loop, fd, on_fd, ms);
	if (ms->w != NULL && mosquitto_want_write(ms->mosq))
		loop_want_write(ms->w);
}

static void
connect_now(struct mqtt_source *ms)
{
	int rc;

	ms->h.link = MQTT_LINK_CONNECTING;
	rc = ms->h.reconnects++ == 0
	         ? mosquitto_connect_async(ms->mosq, ms->host, ms->port,
	                                   ms->keepalive)
	         : mosquitto_reconnect_async(ms->mosq);
	if (rc != MOSQ_ERR_SUCCESS) {
		set_error(ms, "connect", rc);
		lost(ms, ms->h.last_error);
		return;
	}
	ms->live = 1;
	if (!ms->paused)
		watch(ms);
}

static void
retry_cb(void *arg)
{
	connect_now(arg);
}

static void
misc_cb(void *arg)
{
	struct mqtt_source *ms = arg;

	if (ms->live) {
		int rc = mosquitto_loop_misc(ms->mosq);
		if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
			set_error(ms, "keepalive", rc);
			lost(ms, ms->h.last_error);
		} else {
			flush(ms);
		}
	}
	loop_timer_start(ms->misc, MISC_MS);
}

static void
on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	struct mqtt_source *ms = arg;

	if (rc != 0) {
		snprintf(ms->h.last_error, sizeof ms->h.last_error,
		         "refused: %s", mosquitto_connack_string(rc));
		log_msg(LOG_WARN, "mqtt: %s: %s", ms->url, ms->h.last_error);
		return;
	}
	ms->h.link = MQTT_LINK_UP;
	ms->connected = 1;
	ms->backoff_ms = 0;
	log_msg(LOG_INFO, "mqtt: %s: connected, subscribing to '%s' (QoS 1)",
	        ms->url, ms->filter);
	/* With a kept session the subscription is there already;
	 * subscribing again is harmless and covers a lost session. */
	rc = mosquitto_subscribe(mosq, NULL, ms->filter, 1);
	if (rc != MOSQ_ERR_SUCCESS)
		set_error(ms, "subscribe", rc);
}

static void
on_message(struct mosquitto *mosq, void *arg, const struct mosquitto_message *m)
{
	struct mqtt_source *ms = arg;

	ms->h.messages++;
	/* Its PUBACK is queued already: held until the owner releases. */
	if (m->qos > 0)
		ms->held = 1;
	ms->fn(ms->arg, ms, m->topic, m->payload, (size_t)m->payloadlen);
}

static void
on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
	struct mqtt_source *ms = arg;

	if (ms->live)
		lost(ms, rc == 0 ? "disconnected" : mosquitto_strerror(rc));
}

struct mqtt_source *
mqtt_source_new(struct loop *loop, const struct mqtt_source_opts *o,
                mqtt_source_msg_fn fn, void *arg)
{
	struct mqtt_source *ms = xcalloc(1, sizeof *ms);
	static int inited;

	if (mqtt_url_parse(o->url, ms->host, sizeof ms->host, &ms->port,
	                   ms->filter, sizeof ms->filter) != 0) {
		log_msg(LOG_ERROR,
		        "mqtt: cannot use '%s' (mqtt://HOST[:PORT]/TOPIC "
		        "expected)",
		        o->url);
		free(ms);
		return NULL;
	}
	if (!inited++)
		mosquitto_lib_init();
	ms->loop = loop;
	ms->url = xstrdup(o->url);
	ms->fn = fn;
	ms->arg = arg;
	ms->keepalive = o->keepalive_s > 0 ? o->keepalive_s : 30;
	ms->mosq = mosquitto_new(o->client_id, false, ms);
	if (ms->mosq == NULL) {
		log_msg(LOG_ERROR, "mqtt: cannot create a client: %s",
		        strerror(errno));
		free(ms->url);
		free(ms);
		return NULL;
	}
	mosquitto_int_option(ms->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	                     MQTT_PROTOCOL_V311);
	/* Packets are queued, never written from inside a read: that holds
	 * the PUBACKs until mqtt_source_release. */
	mosquitto_threaded_set(ms->mosq, true);
	mosquitto_connect_callback_set(ms->mosq, on_connect);
	mosquitto_message_callback_set(ms->mosq, on_message);
	mosquitto_disconnect_callback_set(ms->mosq, on_disconnect);
	ms->misc = loop_timer_new(loop, misc_cb, ms);
	ms->retry = loop_timer_new(loop, retry_cb, ms);
	log_msg(LOG_INFO, "mqtt: %s: client id '%s'", ms->url, o->client_id);
	connect_now(ms);
	loop_timer_start(ms->misc, MISC_MS);
	return ms;
}

void
mqtt_source_free(struct mqtt_source **msp)
{
	struct mqtt_source *ms = *msp;

	if (ms == NULL)
		return;
	loop_unwatch(&ms->w);
	loop_timer_free(&ms->misc);
	loop_timer_free(&ms->retry);
	/* No DISCONNECT: held acknowledgements must not go out now. */
	mosquitto_destroy(ms->mosq);
	free(ms->url);
	free(ms);
	*msp = NULL;
}

void
mqtt_source_release(struct mqtt_source *ms)
{
	if (!ms->held)
		return;
	ms->held = 0;
	flush(ms);
}

void
mqtt_source_drop(struct mqtt_source *ms)
{
	if (ms->live)
		lost(ms, "a message could not be kept");
}

void
mqtt_source_pause(struct mqtt_source *ms, int pause)
{
	if (pause == ms->paused)
		return;
	ms->paused = pause;
	/* Not watched while paused (the poll is level-triggered); the
	 * broker keeps the rest, TCP pushes back. */
	if (pause)
		loop_unwatch(&ms->w);
	else if (ms->live)
		watch(ms);
}

const struct mqtt_source_health *
mqtt_source_health(const struct mqtt_source *ms)
{
	return &ms->h;
}
